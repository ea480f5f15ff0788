//! Decoding WDT flagship replies (PROTOCOLS.md §5.2–5.4), shared by both routes.
//!
//! Contract of [`decode`] on the WDT object (`response` on the Qimen route, the whole body
//! natively):
//!
//! | reply | result |
//! |---|---|
//! | `status` missing | `Transient` (clients retry this server glitch, §5.4) |
//! | `status` 0 | `Page`: `data.order` (missing/null = empty) and `data.total_count` |
//! | 100 with 频率 or 并发 in `message` | `RateLimited`, no `retry_after` (the reply gives none) |
//! | 1 naming the credentials (`sid`, `auth`, 验证, 签名), 3 (动态口令), 6 (ip限制), 7 (时间戳) | `Rejected` |
//! | 4, 5 (数据库错误) | `Transient` |
//! | anything else (1 参数错误, 2, 8, 99, 100 …) | `Invalid` with status and message |
//!
//! `status` and `total_count` may be numbers or numeric strings. Messages name the API and
//! the settings to check; they never contain a secret.

use serde_json::{Map, Value};

use crate::error::CallError;
use crate::source::Page;

fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn is_credential_failure(status: i64, message: &str) -> bool {
    let names_credentials = ["sid", "auth", "验证", "签名"]
        .iter()
        .any(|word| message.contains(word));
    matches!(status, 3 | 6 | 7) || (status == 1 && names_credentials)
}

/// Classifies a nonzero `status`; `settings` lists the connection settings to check.
pub(crate) fn classify(api: &str, status: i64, message: &str, settings: &str) -> CallError {
    let details = format!("status {status}: {message}");
    if status == 100 && (message.contains("频率") || message.contains("并发")) {
        return CallError::RateLimited {
            message: format!("{api} throttled by WDT ({details})"),
            retry_after: None,
        };
    }
    if is_credential_failure(status, message) {
        return CallError::Rejected {
            message: format!("{api} rejected the credentials ({details}); check {settings}"),
        };
    }
    if matches!(status, 4 | 5) {
        return CallError::transient(format!("{api} failed on the WDT side ({details})"));
    }
    CallError::Invalid {
        message: format!("{api} failed ({details})"),
    }
}

/// The page in a WDT reply object, or its classified failure.
pub(crate) fn decode(
    api: &str,
    reply: &Map<String, Value>,
    settings: &str,
) -> Result<Page, CallError> {
    let Some(status) = reply.get("status").and_then(as_i64) else {
        return Err(CallError::transient(format!(
            "reply of {api} has no `status` (server glitch)"
        )));
    };
    if status != 0 {
        let message = reply
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Err(classify(api, status, message, settings));
    }
    let empty = Map::new();
    let data = match reply.get("data") {
        Some(Value::Object(data)) => data,
        None | Some(Value::Null) => &empty,
        Some(_) => {
            return Err(CallError::transient(format!(
                "reply of {api}: `data` is not an object"
            )));
        }
    };
    let records = match data.get("order") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(order)) => order.clone(),
        Some(_) => {
            return Err(CallError::transient(format!(
                "reply of {api}: `data.order` is not an array"
            )));
        }
    };
    let total = data
        .get("total_count")
        .and_then(as_i64)
        .and_then(|count| u64::try_from(count).ok());
    Ok(Page {
        records,
        total,
        has_next: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const API: &str = "wdt.aftersales.refund.refund.search";

    fn run(reply: Value) -> Result<Page, CallError> {
        decode(API, reply.as_object().unwrap(), "`sid`")
    }

    #[test]
    fn decodes_pages() {
        let page = run(json!({"status": 0, "data": {"total_count": "2",
            "order": [{"refund_id": 1}, {"refund_id": 2}]}}))
        .unwrap();
        assert_eq!(
            page,
            Page {
                records: vec![json!({"refund_id": 1}), json!({"refund_id": 2})],
                total: Some(2),
                has_next: None,
            }
        );
        let empty = run(json!({"status": "0", "data": {"order": null}})).unwrap();
        assert_eq!(empty, Page::default());
    }

    #[test]
    fn classifies_failures() {
        assert_eq!(
            run(json!({"status": 100, "message": "超过每分钟最大调用频率限制,请稍后重试"})),
            Err(CallError::RateLimited {
                message: format!(
                    "{API} throttled by WDT (status 100: 超过每分钟最大调用频率限制,请稍后重试)"
                ),
                retry_after: None,
            })
        );
        assert_eq!(
            run(json!({"status": 100, "message": "您的查询时间过宽,查询时间不能大于30天"})),
            Err(CallError::Invalid {
                message: format!(
                    "{API} failed (status 100: 您的查询时间过宽,查询时间不能大于30天)"
                ),
            })
        );
        assert_eq!(
            run(json!({"status": 1, "message": "验证失败"})),
            Err(CallError::Rejected {
                message: format!(
                    "{API} rejected the credentials (status 1: 验证失败); check `sid`"
                ),
            })
        );
        assert!(matches!(
            run(json!({"status": 5, "message": "数据库错误"})),
            Err(CallError::Transient { .. })
        ));
        assert!(matches!(
            run(json!({"message": "ok"})),
            Err(CallError::Transient { .. })
        ));
        assert!(matches!(
            run(json!({"status": 2, "message": "未知参数 shop_no"})),
            Err(CallError::Invalid { .. })
        ));
    }
}
