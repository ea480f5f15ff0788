//! `task.list`: a Banniu project's tasks created in a window, page by page (PROTOCOLS.md §8.4,
//! §8.5).
//!
//! Contract of [`BanniuTaskSource::fetch_page`]: one signed `GET` whose business parameters
//! are the scheme's rendered ones as text (numbers as their JSON text, arrays and objects such
//! as `condition_column` as compact JSON; null and empty values left out) with `page_num` and
//! `page_size` set from the [`PageRequest`]. Each row of `response.map.result` becomes
//! `{"id": <task id>, "content": {"<column id>": value, …}, <other keys>…}`: the id from `"0"`
//! (or `"-1"`), `content` every other all-digit key, any remaining key kept at the top level.
//! `total_results` and `has_next` are reported when Banniu sends them (it usually sends null,
//! so the engine stops on a short page). Failures: see [`super::call`]; any other business
//! code (a window over one day, a bad parameter) is `Invalid` with Banniu's message.

use async_trait::async_trait;
use ferry_model::Connection;
use serde_json::{Map, Value};

use super::call::{BanniuClient, PLATFORM, Reply};
use crate::error::CallError;
use crate::source::{Page, PageRequest, Source, SourceShape};

/// The method (and scheme `api`) this source serves.
pub const TASK_LIST: &str = "task.list";

/// Paging facts of `task.list`.
pub const SHAPE: SourceShape = SourceShape {
    first_page: 1,
    max_page_size: 100,
    page_param: "page_num",
    size_param: "page_size",
    modified_field: None,
};

/// `task.list` over one Banniu connection.
#[derive(Debug, Clone)]
pub struct BanniuTaskSource {
    client: BanniuClient,
}

/// A rendered value as query text; `None` for null and empty text.
pub(crate) fn param_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) if text.is_empty() => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// The business parameters of one page.
fn page_params(request: &PageRequest<'_>) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = request
        .params
        .iter()
        .filter(|(key, _)| *key != SHAPE.page_param && *key != SHAPE.size_param)
        .filter_map(|(key, value)| param_text(value).map(|text| (key.clone(), text)))
        .collect();
    params.push((SHAPE.page_param.to_owned(), request.page.to_string()));
    params.push((SHAPE.size_param.to_owned(), request.page_size.to_string()));
    params
}

fn is_column_id(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|byte| byte.is_ascii_digit()) && key != "0"
}

/// One `task.list` row as a ferry record (see the module contract).
pub fn task_record(row: &Map<String, Value>) -> Result<Value, CallError> {
    let id = match (row.get("0"), row.get("-1")) {
        (Some(Value::Number(id)), _) if id.as_u64().is_some() => Value::Number(id.clone()),
        (_, Some(Value::String(text))) if text.trim().parse::<u64>().is_ok() => {
            Value::from(text.trim().parse::<u64>().unwrap_or_default())
        }
        _ => {
            return Err(CallError::transient(format!(
                "unexpected reply of `{PLATFORM}`: a task row has no id (`0` / `-1`)"
            )));
        }
    };
    let mut record = Map::new();
    record.insert("id".to_owned(), id);
    let mut content = Map::new();
    let mut rest = Map::new();
    for (key, value) in row {
        if key == "0" || key == "-1" {
            continue;
        }
        if is_column_id(key) {
            content.insert(key.clone(), value.clone());
        } else {
            rest.insert(key.clone(), value.clone());
        }
    }
    record.insert("content".to_owned(), Value::Object(content));
    record.extend(rest);
    Ok(Value::Object(record))
}

/// The page of a decoded reply.
fn read_page(reply: &Reply) -> Result<Page, CallError> {
    if !reply.is_success() {
        return Err(reply
            .call_error(TASK_LIST)
            .unwrap_or_else(|| CallError::Invalid {
                message: format!("{TASK_LIST} refused by Banniu ({})", reply.describe()),
            }));
    }
    let rows = match &reply.result {
        None => Vec::new(),
        Some(Value::Array(rows)) => rows.clone(),
        Some(_) => {
            return Err(CallError::transient(format!(
                "unexpected reply of `{PLATFORM}`: `map.result` is not an array"
            )));
        }
    };
    let records = rows
        .iter()
        .map(|row| match row {
            Value::Object(row) => task_record(row),
            _ => Err(CallError::transient(format!(
                "unexpected reply of `{PLATFORM}`: a task row is not an object"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let total = match reply.response.get("total_results") {
        Some(Value::Number(number)) => number.as_u64(),
        Some(Value::String(text)) => text.trim().parse().ok(),
        _ => None,
    };
    let has_next = reply.response.get("has_next").and_then(Value::as_bool);
    Ok(Page {
        records,
        total,
        has_next,
    })
}

impl BanniuTaskSource {
    /// Reads the credentials of a `banniu` connection.
    pub fn from_connection(connection: &Connection) -> Result<Self, CallError> {
        Ok(Self {
            client: BanniuClient::from_connection(connection)?,
        })
    }
}

#[async_trait]
impl Source for BanniuTaskSource {
    fn shape(&self) -> SourceShape {
        SHAPE
    }

    async fn fetch_page(&self, request: PageRequest<'_>) -> Result<Page, CallError> {
        let reply = self
            .client
            .call(TASK_LIST, &page_params(&request), None)
            .await?;
        read_page(&reply)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rows_become_id_and_content_records() {
        let row = json!({"-1": "6690538", "0": 6690538, "37729": "13675639166",
                         "37776": "曹付庚", "37970": null, "created": "2024-01-01 00:00:00"});
        assert_eq!(
            task_record(row.as_object().unwrap()).unwrap(),
            json!({"id": 6690538, "content": {"37729": "13675639166", "37776": "曹付庚",
                   "37970": null}, "created": "2024-01-01 00:00:00"})
        );
        let text_id = json!({"-1": "12", "77213": "x"});
        assert_eq!(
            task_record(text_id.as_object().unwrap()).unwrap(),
            json!({"id": 12, "content": {"77213": "x"}})
        );
    }

    #[test]
    fn page_params_override_paging_and_encode_values() {
        let params = json!({"project_id": 77206, "page_num": 9, "star_created": "a",
                            "task_status": "", "condition_column": [{"id": 0}]});
        let request = PageRequest {
            params: params.as_object().unwrap(),
            page: 2,
            page_size: 50,
        };
        let expected: Vec<(String, String)> = [
            ("project_id", "77206"),
            ("star_created", "a"),
            ("condition_column", r#"[{"id":0}]"#),
            ("page_num", "2"),
            ("page_size", "50"),
        ]
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
        assert_eq!(page_params(&request), expected);
    }

    #[test]
    fn a_short_page_without_totals_and_a_refusal() {
        let reply = Reply::decode(&json!({"response": {"total_results": null, "code": 0,
            "has_next": null, "map": {"result": [{"0": 1, "77213": "a"}]}}}))
        .unwrap();
        let page = read_page(&reply).unwrap();
        assert_eq!(
            page.records,
            vec![json!({"id": 1, "content": {"77213": "a"}})]
        );
        assert_eq!((page.total, page.has_next), (None, None));
        let wide = Reply::decode(&json!({"response": {"code": 40006,
            "error_msg": "banniu 限制查询区间最大 1 天"}}))
        .unwrap();
        assert_eq!(
            read_page(&wide),
            Err(CallError::Invalid {
                message: "task.list refused by Banniu (code 40006: banniu 限制查询区间最大 1 天)"
                    .to_owned()
            })
        );
    }
}
