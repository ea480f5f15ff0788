//! Business parameters of `jackyun.tradenotsensitiveinfos.list.get` (PROTOCOLS.md §1.5, §1.7).
//!
//! Contract: [`TradeQuery::parse`] reads the `bizcontent` / `content` JSON object. Values may be
//! numbers or strings; `""` and `null` count as absent. Rules (codes and texts \[I\]):
//!
//! * `pageIndex` from 0 (default 0), `pageSize` within `1..=max_page_size` (default 50);
//!   `scrollId` (`"jky-<offset>"`, as this simulator issues it) overrides `pageIndex`;
//! * time pairs `startModified/endModified` (alias `modified_begin/modified_end`),
//!   `startCreated/endCreated`, `startAuditTime/endAuditTime`,
//!   `startConsignTime/endConsignTime`: both ends or neither, `yyyy-MM-dd HH:mm:ss`,
//!   start ≤ end, span ≤ `max_span_days` → else `时间跨度不能超过N天`; a pair selects
//!   `start <= t < end` (half-open \[I\]: adjacent windows never overlap);
//! * at least one time pair, `tradeNo` or `sourceTradeNos` is required;
//! * filters: `tradeNo`, `sourceTradeNos` (comma lists), `tradeStatus`, `tradeType` (comma lists
//!   of numbers), `isDelete`; `fields` is accepted but every field is returned \[simplification\].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::framework::time::parse_datetime;
use crate::jackyun::trades::Trade;

/// Paging and window limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueryRules {
    /// Largest `pageSize` (case study: 1000 \[I\]).
    pub max_page_size: u32,
    /// `pageSize` when absent (case study: 50 \[I\]).
    pub default_page_size: u32,
    /// Longest time window, in days (case study: 7 \[I\]).
    pub max_span_days: u32,
}

impl Default for QueryRules {
    fn default() -> Self {
        Self {
            max_page_size: 1_000,
            default_page_size: 50,
            max_span_days: 7,
        }
    }
}

/// A rejected query: Jackyun's code, sub-code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BizError {
    /// `code` (never 200).
    pub code: u32,
    /// `subCode`.
    pub sub_code: &'static str,
    /// `msg`.
    pub msg: String,
}

/// The parameter-error reply code \[I\].
pub const PARAM_ERROR_CODE: u32 = 400;

fn invalid(msg: impl Into<String>) -> BizError {
    BizError {
        code: PARAM_ERROR_CODE,
        sub_code: "GSE.PARAM_ERROR",
        msg: msg.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeField {
    Modified,
    Created,
    Audited,
    Consigned,
}

const PAIRS: &[(&str, &str, TimeField)] = &[
    ("startModified", "endModified", TimeField::Modified),
    ("modified_begin", "modified_end", TimeField::Modified),
    ("startCreated", "endCreated", TimeField::Created),
    ("startAuditTime", "endAuditTime", TimeField::Audited),
    ("startConsignTime", "endConsignTime", TimeField::Consigned),
];

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeQuery {
    /// First position served.
    pub offset: usize,
    /// `pageSize`.
    pub page_size: u32,
    windows: Vec<(TimeField, i64, i64)>,
    trade_nos: Option<Vec<String>>,
    source_trade_nos: Option<Vec<String>>,
    statuses: Option<Vec<u32>>,
    types: Option<Vec<u32>>,
    is_delete: Option<u32>,
}

fn text(biz: &Map<String, Value>, name: &str) -> Option<String> {
    match biz.get(name)? {
        Value::String(text) if text.trim().is_empty() => None,
        Value::String(text) => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn number(biz: &Map<String, Value>, name: &str) -> Result<Option<u64>, BizError> {
    match text(biz, name) {
        None => Ok(None),
        Some(value) => value
            .parse()
            .map(Some)
            .map_err(|_| invalid(format!("参数{name}必须为非负整数"))),
    }
}

fn list(biz: &Map<String, Value>, name: &str) -> Option<Vec<String>> {
    text(biz, name).map(|value| {
        value
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

fn numbers(biz: &Map<String, Value>, name: &str) -> Result<Option<Vec<u32>>, BizError> {
    let Some(items) = list(biz, name) else {
        return Ok(None);
    };
    let mut parsed = Vec::with_capacity(items.len());
    for item in items {
        parsed.push(
            item.parse()
                .map_err(|_| invalid(format!("参数{name}格式错误")))?,
        );
    }
    Ok(Some(parsed))
}

impl TradeQuery {
    /// Parses and checks `biz` against `rules`.
    pub fn parse(biz: &Map<String, Value>, rules: &QueryRules) -> Result<Self, BizError> {
        let page_size = match number(biz, "pageSize")? {
            None => u64::from(rules.default_page_size),
            Some(size) => size,
        };
        if page_size == 0 || page_size > u64::from(rules.max_page_size) {
            return Err(invalid(format!(
                "pageSize必须在1到{}之间",
                rules.max_page_size
            )));
        }
        let page_index = number(biz, "pageIndex")?.unwrap_or(0);
        let mut offset = page_index.saturating_mul(page_size);
        if let Some(scroll) = text(biz, "scrollId") {
            offset = scroll
                .strip_prefix("jky-")
                .and_then(|rest| rest.parse().ok())
                .ok_or_else(|| invalid("scrollId无效"))?;
        }
        let mut windows = Vec::new();
        for (start_name, end_name, field) in PAIRS {
            let (start, end) = match (text(biz, start_name), text(biz, end_name)) {
                (None, None) => continue,
                (Some(start), Some(end)) => (start, end),
                _ => return Err(invalid(format!("{start_name}和{end_name}必须同时传入"))),
            };
            let parse = |name: &str, value: &str| {
                parse_datetime(value)
                    .ok_or_else(|| invalid(format!("{name}格式错误，应为yyyy-MM-dd HH:mm:ss")))
            };
            let start = parse(start_name, &start)?;
            let end = parse(end_name, &end)?;
            if start > end {
                return Err(invalid(format!("{start_name}不能晚于{end_name}")));
            }
            if end - start > i64::from(rules.max_span_days) * 86_400 {
                return Err(invalid(format!(
                    "时间跨度不能超过{}天",
                    rules.max_span_days
                )));
            }
            windows.push((*field, start, end));
        }
        let trade_nos = list(biz, "tradeNo");
        let source_trade_nos = list(biz, "sourceTradeNos");
        if windows.is_empty() && trade_nos.is_none() && source_trade_nos.is_none() {
            return Err(invalid("至少需要一个时间条件或单号条件"));
        }
        let is_delete = number(biz, "isDelete")?.map(|value| value.min(1) as u32);
        Ok(Self {
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
            page_size: page_size as u32,
            windows,
            trade_nos,
            source_trade_nos,
            statuses: numbers(biz, "tradeStatus")?,
            types: numbers(biz, "tradeType")?,
            is_delete,
        })
    }

    /// Whether `trade` matches every condition.
    pub fn matches(&self, trade: &Trade) -> bool {
        for (field, start, end) in &self.windows {
            let time = match field {
                TimeField::Modified => Some(trade.modified),
                TimeField::Created => Some(trade.created),
                TimeField::Audited => trade.audited,
                TimeField::Consigned => trade.consigned,
            };
            if !time.is_some_and(|time| time >= *start && time < *end) {
                return false;
            }
        }
        if let Some(numbers) = &self.trade_nos
            && !numbers.contains(&trade.trade_no)
        {
            return false;
        }
        if let Some(numbers) = &self.source_trade_nos
            && !numbers.contains(&trade.online_trade_no)
        {
            return false;
        }
        if let Some(statuses) = &self.statuses
            && !statuses.contains(&trade.status)
        {
            return false;
        }
        if let Some(types) = &self.types
            && !types.contains(&trade.trade_type)
        {
            return false;
        }
        self.is_delete.is_none_or(|flag| flag == 0)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> Result<TradeQuery, BizError> {
        TradeQuery::parse(value.as_object().unwrap(), &QueryRules::default())
    }

    #[test]
    fn paging_and_windows_are_checked() {
        let query = parse(json!({"pageIndex": "2", "pageSize": 50,
            "startConsignTime": "2024-01-01 00:00:00", "endConsignTime": "2024-01-08 00:00:00",
            "startModified": "", "tradeType": "92"}))
        .unwrap();
        assert_eq!((query.offset, query.page_size), (100, 50));
        let wide = parse(json!({"startModified": "2024-01-01 00:00:00",
            "endModified": "2024-01-08 00:00:01"}));
        assert_eq!(wide.unwrap_err().msg, "时间跨度不能超过7天");
        let big = parse(json!({"pageSize": 1001, "tradeNo": "A"})).unwrap_err();
        assert_eq!(big.msg, "pageSize必须在1到1000之间");
        assert_eq!(
            parse(json!({"pageIndex": 0})).unwrap_err().msg,
            "至少需要一个时间条件或单号条件"
        );
        let half = parse(json!({"startCreated": "2024-01-01 00:00:00"})).unwrap_err();
        assert_eq!(half.msg, "startCreated和endCreated必须同时传入");
        let scrolled = parse(json!({"tradeNo": "A", "pageIndex": 3, "scrollId": "jky-7"}));
        assert_eq!(scrolled.unwrap().offset, 7);
    }
}
