//! `task.list` parameters and filters (PROTOCOLS.md §8.4).
//!
//! Contract of [`TaskQuery::parse`] (every refusal code 40006 \[I\]):
//! - `project_id` required and equal to the project (`群组不存在: <id>` otherwise);
//! - `page_num` from 1 (default 1), `page_size` 1..=`max_page_size` (default
//!   `max_page_size`);
//! - `star_created` / `end_created` optional, `yyyy-MM-dd HH:mm:ss`; the window is
//!   `star_created <= created < end_created` \[I: half-open\]; with both, a span over
//!   `max_span_seconds` is refused with [`SPAN_MESSAGE`];
//! - `task_status` optional, 0..=4;
//! - `condition_column` optional JSON array of `{id, behaviorType, searchType, value}`; id 0 with
//!   behaviorType -1 filters by task id; searchType 1 等于, 2 不等于, 3 包含, 4 不包含,
//!   5 包含任一项 (value an array). Values compare as text; a missing or null cell is "".

use std::collections::BTreeMap;

use serde_json::Value;

use crate::banniu::TaskRules;
use crate::banniu::tasks::{BizError, Task};
use crate::framework::time::parse_datetime;

/// Banniu's message for a window over one day \[I: wording from the clients' comment\].
pub const SPAN_MESSAGE: &str = "banniu 限制查询区间最大 1 天";

/// One filter of `condition_column`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Column id, 0 = task id.
    pub column: u64,
    /// 1..=5.
    pub search_type: u8,
    /// Text operands (one, or several for type 5).
    pub values: Vec<String>,
}

/// A parsed `task.list` call.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskQuery {
    /// Page number from 1.
    pub page_num: u32,
    /// Rows per page.
    pub page_size: u32,
    /// Inclusive creation lower bound.
    pub from: Option<i64>,
    /// Exclusive creation upper bound.
    pub to: Option<i64>,
    /// Status filter.
    pub task_status: Option<u8>,
    /// Column filters, all of which must hold.
    pub conditions: Vec<Condition>,
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn number(params: &BTreeMap<String, String>, name: &str) -> Result<Option<u64>, BizError> {
    match params.get(name).map(|text| text.trim()) {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| BizError::param(format!("{name}参数错误: {text}"))),
    }
}

fn time(params: &BTreeMap<String, String>, name: &str) -> Result<Option<i64>, BizError> {
    match params.get(name).map(|text| text.trim()) {
        None | Some("") => Ok(None),
        Some(text) => parse_datetime(text)
            .map(Some)
            .ok_or_else(|| BizError::param(format!("{name}格式错误,应为yyyy-MM-dd HH:mm:ss"))),
    }
}

fn conditions(text: Option<&String>) -> Result<Vec<Condition>, BizError> {
    let Some(text) = text.filter(|text| !text.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let bad = || BizError::param("condition_column格式错误");
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return Err(bad());
    };
    items
        .iter()
        .map(|item| {
            let column = match item.get("id") {
                Some(Value::Number(id)) => id.as_u64(),
                Some(Value::String(id)) => id.parse().ok(),
                _ => None,
            }
            .ok_or_else(bad)?;
            let search_type = match item.get("searchType") {
                Some(Value::Number(kind)) => kind.as_u64(),
                Some(Value::String(kind)) => kind.parse().ok(),
                _ => None,
            }
            .filter(|kind| (1..=5).contains(kind))
            .ok_or_else(bad)? as u8;
            let values = match item.get("value") {
                Some(Value::Array(values)) => values.iter().map(text_of).collect(),
                Some(value) => vec![text_of(value)],
                None => return Err(bad()),
            };
            Ok(Condition {
                column,
                search_type,
                values,
            })
        })
        .collect()
}

impl TaskQuery {
    /// Parses and checks the business parameters of a call on `project_id`.
    pub fn parse(
        params: &BTreeMap<String, String>,
        project_id: u64,
        rules: &TaskRules,
    ) -> Result<Self, BizError> {
        match number(params, "project_id")? {
            None => return Err(BizError::param("project_id不能为空")),
            Some(id) if id != project_id => {
                return Err(BizError::param(format!("群组不存在: {id}")));
            }
            Some(_) => {}
        }
        let page_num = number(params, "page_num")?.unwrap_or(1);
        if page_num == 0 || page_num > u64::from(u32::MAX) {
            return Err(BizError::param("page_num必须从1开始"));
        }
        let page_size = number(params, "page_size")?.unwrap_or(u64::from(rules.max_page_size));
        if page_size == 0 || page_size > u64::from(rules.max_page_size) {
            return Err(BizError::param(format!(
                "page_size必须在1到{}之间",
                rules.max_page_size
            )));
        }
        let from = time(params, "star_created")?;
        let to = time(params, "end_created")?;
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                return Err(BizError::param("end_created不能早于star_created"));
            }
            if to - from > rules.max_span_seconds {
                return Err(BizError::param(SPAN_MESSAGE));
            }
        }
        let task_status = match number(params, "task_status")? {
            None => None,
            Some(status @ 0..=4) => Some(status as u8),
            Some(other) => return Err(BizError::param(format!("task_status参数错误: {other}"))),
        };
        Ok(Self {
            page_num: page_num as u32,
            page_size: page_size as u32,
            from,
            to,
            task_status,
            conditions: conditions(params.get("condition_column"))?,
        })
    }

    /// Whether `task` is in the query's result.
    pub fn matches(&self, task: &Task) -> bool {
        self.from.is_none_or(|from| task.created_at >= from)
            && self.to.is_none_or(|to| task.created_at < to)
            && self
                .task_status
                .is_none_or(|status| task.task_status == status)
            && self
                .conditions
                .iter()
                .all(|condition| holds(condition, task))
    }
}

fn holds(condition: &Condition, task: &Task) -> bool {
    let cell = if condition.column == 0 {
        task.id.to_string()
    } else {
        task.content
            .get(&condition.column.to_string())
            .map(text_of)
            .unwrap_or_default()
    };
    let first = condition.values.first().map(String::as_str).unwrap_or("");
    match condition.search_type {
        1 => cell == first,
        2 => cell != first,
        3 => cell.contains(first),
        4 => !cell.contains(first),
        _ => condition.values.contains(&cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn window_over_one_day_is_refused_and_conditions_parse() {
        let rules = TaskRules::default();
        let wide = params(&[
            ("project_id", "77206"),
            ("star_created", "2024-01-01 00:00:00"),
            ("end_created", "2024-01-02 00:00:01"),
        ]);
        let error = TaskQuery::parse(&wide, 77206, &rules).unwrap_err();
        assert_eq!((error.code, error.msg.as_str()), (40006, SPAN_MESSAGE));
        let filtered = params(&[
            ("project_id", "77206"),
            ("page_size", "10"),
            (
                "condition_column",
                r#"[{"id":77213,"behaviorType":1,"searchType":"1","value":"BN1"},
                    {"id":0,"behaviorType":-1,"searchType":"5","value":["7","8"]}]"#,
            ),
        ]);
        let query = TaskQuery::parse(&filtered, 77206, &rules).unwrap();
        assert_eq!(query.page_num, 1);
        assert_eq!(query.page_size, 10);
        assert_eq!(
            query.conditions[1],
            Condition {
                column: 0,
                search_type: 5,
                values: vec!["7".to_owned(), "8".to_owned()]
            }
        );
        let other = params(&[("project_id", "1")]);
        let error = TaskQuery::parse(&other, 77206, &rules).unwrap_err();
        assert_eq!(error.msg, "群组不存在: 1");
    }
}
