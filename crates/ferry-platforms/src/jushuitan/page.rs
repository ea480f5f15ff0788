//! What both Jushuitan routes share: the paging shape, the business status fields
//! (`code` / `issuccess` / `msg`) and the page fields (`orders`, `data_count`, `has_next`).
//!
//! Contract: values are read leniently the way Jushuitan clients do: numbers may come as
//! numeric strings and booleans as `"true"`/`"false"` or `0`/`1`. A status fails when `code` is
//! present and not 0, or `issuccess` is false. A missing or `null` `orders` is an empty page;
//! `orders` of another type is `Transient` (an unexpected body). Fields are looked up in the
//! given objects in order, the first present non-null value winning, so a caller can accept
//! them at the top level or nested in `data`.

use serde_json::{Map, Value};

use crate::error::CallError;
use crate::source::{Page, SourceShape};

/// Paging facts of both routes (PROTOCOLS.md §3.1, §3.3).
pub const SHAPE: SourceShape = SourceShape {
    first_page: 1,
    max_page_size: 100,
    page_param: "page_index",
    size_param: "page_size",
    modified_field: Some("modified"),
};

/// The first present, non-null `name` among `objects`.
pub(crate) fn lookup<'a>(objects: &[&'a Map<String, Value>], name: &str) -> Option<&'a Value> {
    objects
        .iter()
        .find_map(|object| object.get(name).filter(|value| !value.is_null()))
}

fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        Value::Number(number) => number.as_u64().map(|number| number != 0),
        Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The business status of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Status {
    /// `code` as sent (number or text), empty when absent.
    pub code: String,
    /// `issuccess`, when present.
    pub success: Option<bool>,
    /// `msg` (or `message`), empty when absent.
    pub msg: String,
}

impl Status {
    pub(crate) fn read(objects: &[&Map<String, Value>]) -> Self {
        let text = |name: &str| match lookup(objects, name) {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Number(number)) => number.to_string(),
            _ => String::new(),
        };
        let mut msg = text("msg");
        if msg.is_empty() {
            msg = text("message");
        }
        Self {
            code: text("code"),
            success: lookup(objects, "issuccess").and_then(as_bool),
            msg,
        }
    }

    /// The numeric code, if it is one.
    pub(crate) fn number(&self) -> Option<i64> {
        self.code.trim().parse().ok()
    }

    pub(crate) fn failed(&self) -> bool {
        let code_failed = !self.code.is_empty() && self.number() != Some(0);
        code_failed || self.success == Some(false)
    }

    /// Whether the message says "too frequent" (频率) or "throttled" (限流).
    pub(crate) fn is_rate_limit(&self) -> bool {
        self.msg.contains("频率") || self.msg.contains("限流")
    }

    /// `code 20: 时间间隔不能超过七天`.
    pub(crate) fn describe(&self) -> String {
        let code = if self.code.is_empty() {
            "no code".to_owned()
        } else {
            format!("code {}", self.code)
        };
        if self.msg.is_empty() {
            code
        } else {
            format!("{code}: {}", self.msg)
        }
    }
}

/// Reads `orders`, `data_count` and `has_next` from `objects` (first present wins).
pub(crate) fn read_page(
    platform: &str,
    objects: &[&Map<String, Value>],
) -> Result<Page, CallError> {
    let records = match lookup(objects, "orders") {
        None => Vec::new(),
        Some(Value::Array(orders)) => orders.clone(),
        Some(other) => {
            let kind = match other {
                Value::Object(_) => "an object",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                _ => "a boolean",
            };
            return Err(CallError::transient(format!(
                "unexpected reply of `{platform}`: `orders` is {kind}, not an array"
            )));
        }
    };
    Ok(Page {
        records,
        total: lookup(objects, "data_count").and_then(as_u64),
        has_next: lookup(objects, "has_next").and_then(as_bool),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn status_reads_codes_of_either_type() {
        let ok = object(json!({"code": 0, "issuccess": true, "msg": "执行成功"}));
        assert!(!Status::read(&[&ok]).failed());
        let text_zero = object(json!({"code": "0"}));
        assert!(!Status::read(&[&text_zero]).failed());
        let silent = object(json!({"orders": []}));
        assert!(!Status::read(&[&silent]).failed());
        let failed = object(json!({"code": "20", "msg": "时间间隔不能超过七天"}));
        let status = Status::read(&[&failed]);
        assert!(status.failed());
        assert_eq!(status.describe(), "code 20: 时间间隔不能超过七天");
        let legacy = object(json!({"issuccess": "false", "message": "接口调用频率超限"}));
        let status = Status::read(&[&legacy]);
        assert!(status.failed());
        assert!(status.is_rate_limit());
        assert_eq!(status.describe(), "no code: 接口调用频率超限");
    }

    #[test]
    fn page_fields_come_from_the_first_object_that_has_them() {
        let top = object(json!({"code": 0, "has_next": null}));
        let data = object(json!({"orders": [{"o_id": 1}], "data_count": "7", "has_next": 1}));
        let page = read_page("jushuitan", &[&top, &data]).unwrap();
        assert_eq!(
            page,
            Page {
                records: vec![json!({"o_id": 1})],
                total: Some(7),
                has_next: Some(true),
            }
        );
        assert_eq!(read_page("jushuitan", &[&top]).unwrap(), Page::default());
        let broken = object(json!({"orders": {"o_id": 1}}));
        assert_eq!(
            read_page("jushuitan", &[&broken]),
            Err(CallError::transient(
                "unexpected reply of `jushuitan`: `orders` is an object, not an array"
            ))
        );
    }
}
