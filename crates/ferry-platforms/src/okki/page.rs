//! Decoding a reply of `GET /v1/invoices/order/list` (PROTOCOLS.md §2.3–2.5).
//!
//! Contract of [`decode`], given the HTTP status and body that passed transport
//! classification (429 and 5xx never get here):
//!
//! | reply | result |
//! |---|---|
//! | `code` 200 | the page: `data.list` (missing or `null` = empty), `data.count` as the total |
//! | HTTP 401 or `code` 401 | [`Reply::TokenInvalid`]: the caller refreshes the token once |
//! | `code` 429, or a message mentioning 频繁 / 限流 | `RateLimited` |
//! | HTTP 403 or `code` 403 | `Rejected`: the token lacks the scope |
//! | `code` ≥ 500 | `Transient` |
//! | any other `code` (400: bad parameter, window too wide, …) | `Invalid` with code and message |
//! | invalid or truncated JSON on a 2xx, a `list` that is not an array, no `code` | `Transient` |
//!
//! Numbers may come as numeric strings. OKKI sends no "has next" flag, so `has_next` is
//! `None`: the engine ends a window on a short page or once `data.count` records were seen.

use serde_json::{Map, Value};

use crate::error::CallError;
use crate::http::parse_json;
use crate::source::Page;

/// What one list call produced.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reply {
    /// A decoded page.
    Page(Page),
    /// The token was refused as invalid or expired; the text says what OKKI answered.
    TokenInvalid(String),
}

fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn describe(status: u16, code: &str, message: &str) -> String {
    let code = if code.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("code {code}")
    };
    if message.is_empty() {
        code
    } else {
        format!("{code}: {message}")
    }
}

fn read_page(object: &Map<String, Value>) -> Result<Page, CallError> {
    let empty = Map::new();
    let data = match object.get("data") {
        Some(Value::Object(data)) => data,
        _ => &empty,
    };
    let records = match data.get("list") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list.clone(),
        Some(_) => {
            return Err(CallError::transient(
                "unexpected reply of `okki`: `data.list` is not an array",
            ));
        }
    };
    Ok(Page {
        records,
        total: data.get("count").and_then(as_u64),
        has_next: None,
    })
}

/// Decodes one list reply as the module says; `api` names the call in messages.
pub(crate) fn decode(api: &str, status: u16, body: &[u8]) -> Result<Reply, CallError> {
    let object = match parse_json("okki", body) {
        Ok(Value::Object(object)) => object,
        Ok(_) if status < 400 => {
            return Err(CallError::transient(
                "unexpected reply of `okki`: not a JSON object",
            ));
        }
        Err(error) if status < 400 => return Err(error),
        // An error status whose body is not an OKKI envelope (a proxy page).
        _ => Map::new(),
    };
    let code = text_of(object.get("code"));
    let mut message = text_of(object.get("message"));
    if message.is_empty() {
        message = text_of(object.get("msg"));
    }
    let details = describe(status, &code, &message);
    let number: Option<i64> = code.trim().parse().ok();
    if number == Some(200) && status < 400 {
        return read_page(&object).map(Reply::Page);
    }
    if status == 401 || number == Some(401) {
        return Ok(Reply::TokenInvalid(details));
    }
    if number == Some(429) || message.contains("频繁") || message.contains("限流") {
        return Err(CallError::RateLimited {
            message: format!("{api} throttled by OKKI ({details})"),
            retry_after: None,
        });
    }
    if status == 403 || number == Some(403) {
        return Err(CallError::Rejected {
            message: format!(
                "OKKI refused the access token for {api} ({details}); the app needs the \
                 `invoices` scope"
            ),
        });
    }
    match number {
        Some(code) if code >= 500 => Err(CallError::transient(format!(
            "{api} failed on the OKKI side ({details})"
        ))),
        None if status < 400 => Err(CallError::transient(format!(
            "unexpected reply of `okki`: no `code` ({details})"
        ))),
        _ => Err(CallError::Invalid {
            message: format!("{api} failed ({details})"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const API: &str = "/v1/invoices/order/list";

    fn run(status: u16, body: Value) -> Result<Reply, CallError> {
        decode(API, status, body.to_string().as_bytes())
    }

    #[test]
    fn decodes_the_documented_sample() {
        let body = json!({"code": 200, "message": "success", "data": {"count": 137,
            "list": [{"order_id": 31234567, "order_no": "PO20240102001", "amount": 1520.5}]}});
        assert_eq!(
            run(200, body).unwrap(),
            Reply::Page(Page {
                records: vec![json!({"order_id": 31234567, "order_no": "PO20240102001",
                    "amount": 1520.5})],
                total: Some(137),
                has_next: None,
            })
        );
        let text_count = json!({"code": "200", "data": {"count": "3", "list": null}});
        assert_eq!(
            run(200, text_count).unwrap(),
            Reply::Page(Page {
                records: Vec::new(),
                total: Some(3),
                has_next: None
            })
        );
    }

    #[test]
    fn failures_are_classified() {
        assert_eq!(
            run(
                401,
                json!({"code": 401, "message": "access_token无效或已过期"})
            ),
            Ok(Reply::TokenInvalid(
                "code 401: access_token无效或已过期".to_owned()
            ))
        );
        assert_eq!(
            decode(API, 401, b"<html>"),
            Ok(Reply::TokenInvalid("HTTP 401".to_owned()))
        );
        assert_eq!(
            run(
                200,
                json!({"code": 429, "message": "请求过于频繁，请稍后再试"})
            ),
            Err(CallError::RateLimited {
                message: "/v1/invoices/order/list throttled by OKKI (code 429: \
                          请求过于频繁，请稍后再试)"
                    .to_owned(),
                retry_after: None,
            })
        );
        assert_eq!(
            run(
                403,
                json!({"code": 403, "message": "access_token无权访问该接口"})
            ),
            Err(CallError::Rejected {
                message: "OKKI refused the access token for /v1/invoices/order/list (code \
                          403: access_token无权访问该接口); the app needs the `invoices` scope"
                    .to_owned(),
            })
        );
        assert_eq!(
            run(
                200,
                json!({"code": 400, "message": "查询时间跨度不能超过30天"})
            ),
            Err(CallError::Invalid {
                message: "/v1/invoices/order/list failed (code 400: 查询时间跨度不能超过30天)"
                    .to_owned(),
            })
        );
        assert_eq!(
            run(200, json!({"code": 502, "message": "busy"})),
            Err(CallError::transient(
                "/v1/invoices/order/list failed on the OKKI side (code 502: busy)"
            ))
        );
        assert_eq!(
            run(404, json!({"code": 404, "message": "接口不存在"})),
            Err(CallError::Invalid {
                message: "/v1/invoices/order/list failed (code 404: 接口不存在)".to_owned(),
            })
        );
        assert!(matches!(
            decode(API, 200, br#"{"code":200,"data":{"li"#),
            Err(CallError::Transient { .. })
        ));
        assert!(matches!(
            run(200, json!({"code": 200, "data": {"list": {}}})),
            Err(CallError::Transient { .. })
        ));
    }
}
