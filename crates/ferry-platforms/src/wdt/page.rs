//! What both WDT enterprise routes share: the paging shape, the page parameters and the reply
//! body `{code|errorcode, message, total_count, stockout_list}`.
//!
//! Contract of [`decode`]: the status is `code` (native) or `errorcode` (Qimen), a number or a
//! numeric string; absent or 0 is success. Failures are classified:
//!
//! | status | error |
//! |---|---|
//! | 1012 (调用频繁, PROTOCOLS.md §4.2), or a message mentioning 频繁 / 频率 / 限流 | `RateLimited` (no `retry_after`: WDT does not say) |
//! | 100 (bad `sid` / `appkey` / `sign` / `timestamp`), 1060 (balance 0 or app in arrears) | `Rejected` |
//! | anything else | `Invalid` with code and message |
//!
//! A success is the page: `stockout_list` (missing or `null` = empty; another type is
//! `Transient`) and `total_count` (number or numeric string) as the total.

use serde_json::{Map, Value};

use crate::error::CallError;
use crate::source::{Page, PageRequest, SourceShape};

/// Paging facts of both routes (PROTOCOLS.md §4.2: `page_no` from 0, at most 100 per page).
pub const SHAPE: SourceShape = SourceShape {
    first_page: 0,
    max_page_size: 100,
    page_param: "page_no",
    size_param: "page_size",
    modified_field: Some("modified"),
};

/// The field identifying one stockout (PROTOCOLS.md §4.2), for the completeness check.
pub const IDENTITY_FIELD: &str = "stockout_id";

/// The rendered parameters as form pairs without their paging values, then the page pair.
pub(crate) fn page_params(request: &PageRequest<'_>) -> Vec<(String, String)> {
    crate::qimen::page_params(request, SHAPE)
}

fn text(body: &Map<String, Value>, name: &str) -> String {
    match body.get(name) {
        Some(Value::String(text)) => text.trim().to_owned(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

/// Decodes a reply body of `api` (see the module table).
pub(crate) fn decode(
    api: &str,
    platform: &str,
    body: &Map<String, Value>,
) -> Result<Page, CallError> {
    let mut code = text(body, "code");
    if code.is_empty() {
        code = text(body, "errorcode");
    }
    let number: Option<i64> = code.parse().ok();
    if !code.is_empty() && number != Some(0) {
        let message = text(body, "message");
        let details = if message.is_empty() {
            format!("code {code}")
        } else {
            format!("code {code}: {message}")
        };
        let throttled = ["频繁", "频率", "限流"]
            .iter()
            .any(|word| message.contains(word));
        return Err(match number {
            Some(1012) => CallError::RateLimited {
                message: format!("{api} throttled by WDT ({details})"),
                retry_after: None,
            },
            _ if throttled => CallError::RateLimited {
                message: format!("{api} throttled by WDT ({details})"),
                retry_after: None,
            },
            Some(100) => CallError::Rejected {
                message: format!(
                    "credentials rejected by WDT ({details}); check `sid`, the app key and \
                     its secret"
                ),
            },
            Some(1060) => CallError::Rejected {
                message: format!("WDT account cannot call the API ({details})"),
            },
            _ => CallError::Invalid {
                message: format!("{api} failed ({details})"),
            },
        });
    }
    let records = match body.get("stockout_list") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list.clone(),
        Some(_) => {
            return Err(CallError::transient(format!(
                "unexpected reply of `{platform}`: `stockout_list` is not an array"
            )));
        }
    };
    let total = match body.get("total_count") {
        Some(Value::Number(number)) => number.as_u64(),
        Some(Value::String(text)) => text.trim().parse().ok(),
        _ => None,
    };
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

    fn decoded(value: Value) -> Result<Page, CallError> {
        decode("api", "wdt", value.as_object().unwrap())
    }

    #[test]
    fn paging_fields_override_rendered_ones() {
        let params = json!({"start_time": "2024-01-01 00:00:00", "page_no": "{PAGINATION_START_PAGE}",
            "page_size": "40", "status": "95,105", "src_tid": ""});
        let request = PageRequest {
            params: params.as_object().unwrap(),
            page: 3,
            page_size: 100,
        };
        let pairs: Vec<(&str, &str)> = [
            ("start_time", "2024-01-01 00:00:00"),
            ("status", "95,105"),
            ("page_no", "3"),
            ("page_size", "100"),
        ]
        .to_vec();
        let expected: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(page_params(&request), expected);
    }

    #[test]
    fn success_of_either_route_is_a_page() {
        let native = json!({"code": 0, "message": "", "total_count": 2,
            "stockout_list": [{"stockout_id": 1}, {"stockout_id": 2}]});
        let qimen = json!({"errorcode": "0", "message": "", "total_count": "2",
            "stockout_list": [{"stockout_id": 1}, {"stockout_id": 2}]});
        let expected = Page {
            records: vec![json!({"stockout_id": 1}), json!({"stockout_id": 2})],
            total: Some(2),
            has_next: None,
        };
        assert_eq!(decoded(native).unwrap(), expected);
        assert_eq!(decoded(qimen).unwrap(), expected);
        assert_eq!(
            decoded(json!({"errorcode": 0, "total_count": 0})).unwrap(),
            Page {
                records: Vec::new(),
                total: Some(0),
                has_next: None
            }
        );
        assert!(matches!(
            decoded(json!({"code": 0, "stockout_list": {}})),
            Err(CallError::Transient { .. })
        ));
    }

    #[test]
    fn failures_are_classified() {
        let cases = [
            (
                json!({"code": 1012, "message": "调用频繁,请稍后重试"}),
                CallError::RateLimited {
                    message: "api throttled by WDT (code 1012: 调用频繁,请稍后重试)".to_owned(),
                    retry_after: None,
                },
            ),
            (
                json!({"errorcode": 1020, "message": "超过每分钟最大调用频率限制"}),
                CallError::RateLimited {
                    message: "api throttled by WDT (code 1020: 超过每分钟最大调用频率限制)"
                        .to_owned(),
                    retry_after: None,
                },
            ),
            (
                json!({"code": 100, "message": "无效sign"}),
                CallError::Rejected {
                    message: "credentials rejected by WDT (code 100: 无效sign); check `sid`, \
                              the app key and its secret"
                        .to_owned(),
                },
            ),
            (
                json!({"code": "1060", "message": "充值余额为0或应用已欠费"}),
                CallError::Rejected {
                    message: "WDT account cannot call the API (code 1060: 充值余额为0或应用已欠费)"
                        .to_owned(),
                },
            ),
            (
                json!({"errorcode": 40, "message": "时间跨度不能超过24小时"}),
                CallError::Invalid {
                    message: "api failed (code 40: 时间跨度不能超过24小时)".to_owned(),
                },
            ),
        ];
        for (reply, expected) in cases {
            assert_eq!(decoded(reply.clone()), Err(expected), "{reply}");
        }
    }
}
