//! Decoding the Qimen gateway's reply envelopes (PROTOCOLS.md §6.4, §6.5).
//!
//! Contract: [`open_envelope`] returns the inner `response` object of a successful call, for
//! the ISV-specific decoder; gateway failures become [`CallError`]s:
//!
//! | reply | error |
//! |---|---|
//! | code 7 (any envelope), or sub_code `isp.system-busy` | `RateLimited`, `retry_after` = N+1 s from "This ban will last for N more seconds" |
//! | code 15, or a sub_code starting `isp.` | `Transient` |
//! | code 25 | `Rejected`: signature rejected, check `secret` and `sign_method` |
//! | codes 11, 27, 28, 29 | `Rejected` with code and message |
//! | any other code | `Invalid` with code and message |
//!
//! Failures come as `{"error_response":{code,msg,sub_code,sub_msg}}` or as
//! `{"response":{"flag":"failure",code,message,sub_code,sub_message}}`; codes may be numbers or
//! numeric strings. `isp.system-busy` ("调用接口频率太快", §6.5) is treated as a rate limit
//! rather than a plain transient error so the engine also slows down. A reply with neither
//! envelope is `Transient` (an unexpected body, e.g. from a proxy).

use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::CallError;

/// A gateway failure as the envelope reported it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct GatewayFault {
    code: Option<i64>,
    code_text: String,
    message: String,
    sub_code: String,
    sub_message: String,
}

fn text_of(object: &Map<String, Value>, keys: &[&str]) -> String {
    for key in keys {
        match object.get(*key) {
            Some(Value::String(text)) if !text.is_empty() => return text.clone(),
            Some(Value::Number(number)) => return number.to_string(),
            _ => {}
        }
    }
    String::new()
}

impl GatewayFault {
    fn read(object: &Map<String, Value>) -> Self {
        let code_text = text_of(object, &["code"]);
        Self {
            code: code_text.trim().parse().ok(),
            code_text,
            message: text_of(object, &["msg", "message"]),
            sub_code: text_of(object, &["sub_code"]),
            sub_message: text_of(object, &["sub_msg", "sub_message"]),
        }
    }

    /// `code 7: App Call Limited; accesscontrol.limited-by-app-access-count: This ban …`.
    fn describe(&self) -> String {
        let mut text = if self.code_text.is_empty() {
            "no code".to_owned()
        } else {
            format!("code {}", self.code_text)
        };
        if !self.message.is_empty() {
            text.push_str(": ");
            text.push_str(&self.message);
        }
        if !self.sub_code.is_empty() {
            text.push_str("; ");
            text.push_str(&self.sub_code);
        }
        if !self.sub_message.is_empty() {
            text.push_str(if self.sub_code.is_empty() { "; " } else { ": " });
            text.push_str(&self.sub_message);
        }
        text
    }

    fn into_error(self) -> CallError {
        let details = self.describe();
        if self.code == Some(7) || self.sub_code == "isp.system-busy" {
            let retry_after = ban_seconds(&self.sub_message)
                .or_else(|| ban_seconds(&self.message))
                .map(|seconds| Duration::from_secs(seconds.saturating_add(1)));
            return CallError::RateLimited {
                message: format!("Qimen gateway {details}"),
                retry_after,
            };
        }
        if self.code == Some(15) || self.sub_code.starts_with("isp.") {
            return CallError::transient(format!("Qimen gateway remote service error ({details})"));
        }
        match self.code {
            Some(25) => {
                let message = if self.message.is_empty() {
                    "Invalid signature"
                } else {
                    &self.message
                };
                CallError::Rejected {
                    message: format!(
                        "signature rejected by the Qimen gateway (code 25: {message}); check \
                         `secret` and `sign_method`"
                    ),
                }
            }
            Some(11 | 27 | 28 | 29) => CallError::Rejected {
                message: format!("rejected by the Qimen gateway ({details})"),
            },
            _ => CallError::Invalid {
                message: format!("Qimen gateway refused the request ({details})"),
            },
        }
    }
}

/// N from "This ban will last for N more seconds".
fn ban_seconds(text: &str) -> Option<u64> {
    let (_, after) = text.split_once("will last for")?;
    let digits: String = after
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The inner `response` object of a successful call, or the classified gateway failure.
pub fn open_envelope(platform: &str, reply: Value) -> Result<Map<String, Value>, CallError> {
    let Value::Object(mut top) = reply else {
        return Err(CallError::transient(format!(
            "unexpected reply of `{platform}`: not a JSON object"
        )));
    };
    if let Some(Value::Object(error)) = top.get("error_response") {
        return Err(GatewayFault::read(error).into_error());
    }
    match top.remove("response") {
        Some(Value::Object(response)) => {
            let failed = response
                .get("flag")
                .and_then(Value::as_str)
                .is_some_and(|flag| flag.eq_ignore_ascii_case("failure"));
            if failed {
                return Err(GatewayFault::read(&response).into_error());
            }
            Ok(response)
        }
        _ => {
            let keys: Vec<String> = top.keys().map(|key| format!("`{key}`")).collect();
            Err(CallError::transient(format!(
                "unexpected reply of `{platform}`: no `response` or `error_response` object \
                 (keys: {})",
                keys.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn open(reply: Value) -> Result<Map<String, Value>, CallError> {
        open_envelope("jushuitan-qimen", reply)
    }

    #[test]
    fn success_returns_the_inner_object() {
        let inner = open(json!({"response": {"code": 0, "orders": []}})).unwrap();
        assert_eq!(Value::Object(inner), json!({"code": 0, "orders": []}));
    }

    #[test]
    fn code_7_is_rate_limited_with_the_ban_plus_one_second() {
        let reply = json!({"error_response": {"code": 7, "msg": "App Call Limited",
            "sub_code": "accesscontrol.limited-by-api-access-count",
            "sub_msg": "This ban will last for 3 more seconds", "request_id": "r"}});
        assert_eq!(
            open(reply),
            Err(CallError::RateLimited {
                message: "Qimen gateway code 7: App Call Limited; \
                          accesscontrol.limited-by-api-access-count: This ban will last for 3 \
                          more seconds"
                    .to_owned(),
                retry_after: Some(Duration::from_secs(4)),
            })
        );
        let daily = json!({"error_response": {"code": "7", "msg": "App Call Limited",
            "sub_code": "accesscontrol.limited-by-app-access-count"}});
        assert_eq!(
            open(daily),
            Err(CallError::RateLimited {
                message: "Qimen gateway code 7: App Call Limited; \
                          accesscontrol.limited-by-app-access-count"
                    .to_owned(),
                retry_after: None,
            })
        );
    }

    #[test]
    fn remote_service_errors_are_transient() {
        let reply = json!({"error_response": {"code": 15, "msg": "Remote service error",
            "sub_code": "isp.top-remote-connection-timeout"}});
        assert_eq!(
            open(reply),
            Err(CallError::transient(
                "Qimen gateway remote service error (code 15: Remote service error; \
                 isp.top-remote-connection-timeout)"
            ))
        );
        let isp_only = json!({"response": {"flag": "failure", "code": 50,
            "sub_code": "isp.remote-service-error"}});
        assert!(matches!(open(isp_only), Err(CallError::Transient { .. })));
        let busy = json!({"error_response": {"code": 50, "sub_code": "isp.system-busy"}});
        assert!(matches!(open(busy), Err(CallError::RateLimited { .. })));
    }

    #[test]
    fn bad_signature_is_rejected_with_the_fix() {
        let reply = json!({"response": {"flag": "failure", "code": 25,
            "message": "Invalid signature", "request_id": "16kp0025x5z0p"}});
        assert_eq!(
            open(reply),
            Err(CallError::Rejected {
                message: "signature rejected by the Qimen gateway (code 25: Invalid signature); \
                          check `secret` and `sign_method`"
                    .to_owned()
            })
        );
    }

    #[test]
    fn credential_codes_are_rejected_and_others_invalid() {
        let app_key = json!({"response": {"flag": "failure", "code": "29",
            "message": "Invalid app key"}});
        assert_eq!(
            open(app_key),
            Err(CallError::Rejected {
                message: "rejected by the Qimen gateway (code 29: Invalid app key)".to_owned()
            })
        );
        let arguments = json!({"response": {"flag": "failure", "code": 41,
            "message": "Invalid arguments", "sub_code": "isv.invalid-parameter:target_app_key",
            "sub_message": "target_app_key is wrong"}});
        assert_eq!(
            open(arguments),
            Err(CallError::Invalid {
                message: "Qimen gateway refused the request (code 41: Invalid arguments; \
                          isv.invalid-parameter:target_app_key: target_app_key is wrong)"
                    .to_owned()
            })
        );
    }

    #[test]
    fn replies_without_an_envelope_are_transient() {
        assert_eq!(
            open(json!({"html": "<p>gateway</p>"})),
            Err(CallError::transient(
                "unexpected reply of `jushuitan-qimen`: no `response` or `error_response` \
                 object (keys: `html`)"
            ))
        );
        assert_eq!(
            open(json!([1])),
            Err(CallError::transient(
                "unexpected reply of `jushuitan-qimen`: not a JSON object"
            ))
        );
    }

    #[test]
    fn ban_seconds_reads_the_number() {
        assert_eq!(
            ban_seconds("This ban will last for 12 more seconds"),
            Some(12)
        );
        assert_eq!(ban_seconds("App Call Limited"), None);
    }
}
