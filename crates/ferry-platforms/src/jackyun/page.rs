//! Decoding Jackyun's reply object (PROTOCOLS.md §1.6), shared by both routes.
//!
//! Contract of [`decode`] over `{code, msg, subCode, result}` (on the Qimen route: the inner
//! `response` object, whose payload may also come as `jackyunCode`/`jackyunData`):
//!
//! | reply | result |
//! |---|---|
//! | `code` 200 or 0 (number or string) | the page: `result.data` (object, or a JSON string decoded once more; undecodable = `Transient`), records from `Trades`/`trades`, `total`/`Total` from `data` or `result` |
//! | code 429, subCode containing `LIMIT`, or `msg` mentioning 频率 / 限流 | `RateLimited` (no retry hint in the body) |
//! | code 401/403, subCode mentioning `SIGN`/`APPKEY`/`CUSTOMER`, or `msg` mentioning 签名 | `Rejected`: check the Jackyun credentials |
//! | code 500..=599 | `Transient` |
//! | anything else | `Invalid` with code, subCode and message |
//!
//! Record keys are normalised to camelCase (first letter lower-cased, recursively): the Go
//! clients of §1.6 read PascalCase keys while the `fields` parameter and schemes use camelCase,
//! so a scheme's `tradeNo` finds the value whichever spelling the deployment sends.

use serde_json::{Map, Value};

use crate::error::CallError;
use crate::source::{Page, SourceShape};

/// Paging facts of both routes.
pub const SHAPE: SourceShape = SourceShape {
    first_page: 0,
    max_page_size: 1_000,
    page_param: "pageIndex",
    size_param: "pageSize",
    modified_field: Some("gmtModified"),
};

fn text(object: &Map<String, Value>, keys: &[&str]) -> String {
    for key in keys {
        match object.get(*key) {
            Some(Value::String(text)) => return text.clone(),
            Some(Value::Number(number)) => return number.to_string(),
            _ => {}
        }
    }
    String::new()
}

fn camel(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `value` with every object key's first letter lower-cased.
pub(crate) fn camel_keys(value: Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(key, value)| (camel(&key), camel_keys(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camel_keys).collect()),
        other => other,
    }
}

fn failure(platform: &str, api: &str, reply: &Map<String, Value>, code: &str) -> CallError {
    let sub_code = text(reply, &["subCode", "sub_code"]);
    let msg = text(reply, &["msg", "message", "jackyunMsg"]);
    let mut details = format!("code {code}");
    if !sub_code.is_empty() {
        details.push(' ');
        details.push_str(&sub_code);
    }
    if !msg.is_empty() {
        details.push_str(": ");
        details.push_str(&msg);
    }
    let upper = sub_code.to_ascii_uppercase();
    let number: Option<i64> = code.trim().parse().ok();
    if number == Some(429)
        || upper.contains("LIMIT")
        || msg.contains("频率")
        || msg.contains("限流")
    {
        return CallError::RateLimited {
            message: format!("{api} throttled by Jackyun ({details})"),
            retry_after: None,
        };
    }
    let credential = ["SIGN", "APPKEY", "CUSTOMER"]
        .iter()
        .any(|word| upper.contains(word));
    if matches!(number, Some(401 | 403)) || credential || msg.contains("签名") {
        return CallError::Rejected {
            message: format!(
                "{api} rejected by Jackyun ({details}); check the Jackyun appkey, secret and \
                 customer id of the `{platform}` connection"
            ),
        };
    }
    if number.is_some_and(|number| (500..=599).contains(&number)) {
        return CallError::transient(format!("{api} failed at Jackyun ({details})"));
    }
    CallError::Invalid {
        message: format!("{api} refused by Jackyun ({details})"),
    }
}

fn total(objects: &[&Map<String, Value>]) -> Option<u64> {
    for object in objects {
        for key in ["total", "Total", "totalResults"] {
            match object.get(key) {
                Some(Value::Number(number)) => return number.as_u64(),
                Some(Value::String(text)) => return text.trim().parse().ok(),
                _ => {}
            }
        }
    }
    None
}

/// Decodes one reply object of `api` for the `platform` connection.
pub(crate) fn decode(
    platform: &str,
    api: &str,
    reply: &Map<String, Value>,
) -> Result<Page, CallError> {
    let code = text(reply, &["code", "jackyunCode"]);
    if code != "200" && code != "0" {
        return Err(failure(platform, api, reply, &code));
    }
    let empty = Map::new();
    let result = match reply.get("result").or_else(|| reply.get("jackyunData")) {
        Some(Value::Object(result)) => result,
        _ => &empty,
    };
    let data_value = match result.get("data") {
        Some(Value::String(text)) if text.trim().is_empty() => Value::Object(Map::new()),
        Some(Value::String(text)) => crate::lenient::parse_str(text).map_err(|error| {
            CallError::transient(format!(
                "invalid JSON in `result.data` of `{platform}`: {error}"
            ))
        })?,
        Some(other) => other.clone(),
        None => Value::Object(Map::new()),
    };
    let Value::Object(data) = data_value else {
        return Err(CallError::transient(format!(
            "unexpected `result.data` of `{platform}`: not a JSON object"
        )));
    };
    let records = match data.get("Trades").or_else(|| data.get("trades")) {
        Some(Value::Array(items)) => items.iter().cloned().map(camel_keys).collect(),
        None | Some(Value::Null) => Vec::new(),
        Some(_) => {
            return Err(CallError::transient(format!(
                "unexpected `Trades` of `{platform}`: not an array"
            )));
        }
    };
    Ok(Page {
        records,
        total: total(&[&data, result]),
        has_next: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(reply: Value) -> Result<Page, CallError> {
        decode("jky", "m", reply.as_object().unwrap())
    }

    #[test]
    fn data_as_object_or_string_decodes_the_same() {
        let data = json!({"Trades": [{"TradeNo": "A", "GoodsDetail": [{"GoodsNo": "G"}]}],
            "ScrollId": "", "total": 1});
        let expected = Page {
            records: vec![json!({"tradeNo": "A", "goodsDetail": [{"goodsNo": "G"}]})],
            total: Some(1),
            has_next: None,
        };
        let object = json!({"code": 200, "result": {"data": data.clone()}});
        let string = json!({"code": "200", "result": {"data": data.to_string()}});
        assert_eq!(run(object).unwrap(), expected);
        assert_eq!(run(string).unwrap(), expected);
        let legacy = json!({"code": 0, "jackyunData": {"data": {"trades": []}, "total": "0"}});
        assert_eq!(
            run(legacy).unwrap(),
            Page {
                records: Vec::new(),
                total: Some(0),
                has_next: None
            }
        );
        let broken = json!({"code": 200, "result": {"data": "{\"Trades\":["}});
        assert!(matches!(run(broken), Err(CallError::Transient { .. })));
    }

    #[test]
    fn failures_are_classified() {
        let wide = json!({"code": 400, "subCode": "GSE.PARAM_ERROR", "msg": "时间跨度不能超过7天"});
        assert_eq!(
            run(wide),
            Err(CallError::Invalid {
                message: "m refused by Jackyun (code 400 GSE.PARAM_ERROR: 时间跨度不能超过7天)"
                    .to_owned()
            })
        );
        let limited = json!({"code": 429, "subCode": "GSE.API_CALL_LIMITED", "msg": "x"});
        assert!(matches!(
            run(limited),
            Err(CallError::RateLimited {
                retry_after: None,
                ..
            })
        ));
        let sign = json!({"code": 401, "subCode": "GSE.SIGN_INVALID", "msg": "签名验证失败"});
        assert_eq!(
            run(sign),
            Err(CallError::Rejected {
                message: "m rejected by Jackyun (code 401 GSE.SIGN_INVALID: 签名验证失败); check \
                          the Jackyun appkey, secret and customer id of the `jky` connection"
                    .to_owned()
            })
        );
        let busy = json!({"code": 503, "msg": "busy"});
        assert!(matches!(run(busy), Err(CallError::Transient { .. })));
    }
}
