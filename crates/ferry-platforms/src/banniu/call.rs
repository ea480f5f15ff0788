//! One signed call to Banniu's mini-app gateway (PROTOCOLS.md §8.1, §8.2, §8.5).
//!
//! Contract:
//! - The query string carries `app_key`, `access_token`, `method`, `v=1.0`, `timestamp`
//!   (`yyyy-MM-dd HH:mm:ss`, Asia/Shanghai), the method's parameters for reads, and `sign` =
//!   [`sign`] over all of them. Reads are `GET`; writes are `POST` with a JSON body, which is not
//!   signed, and `Authorization: Bearer <access_token>`.
//! - Transport: connect errors, timeouts and 5xx are `Transient`; HTTP 429 is `RateLimited`
//!   (with `Retry-After`); other non-2xx statuses go through `http::expect_success`; bad JSON is
//!   `Transient`.
//! - [`Reply`] is the decoded `response` envelope (`data` accepted too). [`Reply::call_error`]
//!   classifies a failure that concerns the call rather than one record: code 429 or a message
//!   about 频繁/频率/限流 → `RateLimited`; codes 40001/40002/40004 or a message about the
//!   signature, `app_key` or `access_token` → `Rejected` (check the credentials); codes
//!   40003/40005/40007 (timestamp, unknown method, version) → `Invalid`. Every other code is
//!   about the request's data, which a source reports as `Invalid` and a target as that row's
//!   failure. Messages quote Banniu's code and `error_msg`, never the URL's query.

use std::time::Duration;

use ferry_model::{Connection, Secret};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use md5::{Digest, Md5};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use serde_json::{Map, Value};

use crate::error::CallError;
use crate::http;
use crate::open::{base_url, secret_setting, setting};

/// The platform name used in messages.
pub const PLATFORM: &str = "banniu";

/// `UPPER(HEX(MD5(app_secret + k1v1k2v2… + app_secret)))` over `params` except `sign`, keys in
/// byte order.
pub fn sign(params: &[(String, String)], app_secret: &str) -> String {
    let mut sorted: Vec<&(String, String)> =
        params.iter().filter(|(key, _)| key != "sign").collect();
    sorted.sort_by(|left, right| left.0.as_bytes().cmp(right.0.as_bytes()));
    let mut digest = Md5::new();
    digest.update(app_secret.as_bytes());
    for (key, value) in sorted {
        digest.update(key.as_bytes());
        digest.update(value.as_bytes());
    }
    digest.update(app_secret.as_bytes());
    hex::encode_upper(digest.finalize())
}

/// `now` as Banniu's `timestamp` text (Beijing time).
pub fn timestamp_text(now: Timestamp) -> String {
    let zone =
        TimeZone::get("Asia/Shanghai").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8)));
    now.to_zoned(zone).strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// The credentials and HTTP client of one Banniu connection. `Debug` hides the secrets.
#[derive(Clone)]
pub struct BanniuClient {
    url: String,
    app_key: String,
    app_secret: Secret,
    access_token: Secret,
    http: reqwest::Client,
}

impl std::fmt::Debug for BanniuClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("BanniuClient")
            .field("url", &http::display_url(&self.url))
            .field("app_key", &self.app_key)
            .field("app_secret", &self.app_secret)
            .field("access_token", &self.access_token)
            .finish_non_exhaustive()
    }
}

/// The decoded `response` envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// `code` (0 when absent).
    pub code: i64,
    /// `error_msg` (empty when absent).
    pub msg: String,
    /// `map.result`, when present and not null.
    pub result: Option<Value>,
    /// The whole `response` object.
    pub response: Map<String, Value>,
}

impl Reply {
    /// Decodes a reply body's JSON.
    pub fn decode(body: &Value) -> Result<Self, CallError> {
        let response = body
            .get("response")
            .or_else(|| body.get("data"))
            .and_then(Value::as_object)
            .ok_or_else(|| {
                CallError::transient(format!(
                    "unexpected reply of `{PLATFORM}`: no `response` object"
                ))
            })?;
        let code = match response.get("code") {
            Some(Value::Number(number)) => number.as_i64().unwrap_or(-1),
            Some(Value::String(text)) => text.trim().parse().unwrap_or(-1),
            _ => 0,
        };
        let failed_flag = response.get("isSuccess") == Some(&Value::Bool(false));
        let code = if code == 0 && failed_flag { -1 } else { code };
        let msg = match response.get("error_msg") {
            Some(Value::String(text)) => text.clone(),
            _ => String::new(),
        };
        let result = response
            .get("map")
            .and_then(|map| map.get("result"))
            .filter(|result| !result.is_null())
            .cloned();
        Ok(Self {
            code,
            msg,
            result,
            response: response.clone(),
        })
    }

    /// Whether Banniu reported success.
    pub fn is_success(&self) -> bool {
        self.code == 0
    }

    /// `code N: msg`.
    pub fn describe(&self) -> String {
        describe(self.code, &self.msg)
    }

    /// The call-level error this failure is, if it is one (see the module contract).
    pub fn call_error(&self, method: &str) -> Option<CallError> {
        let details = self.describe();
        let msg = self.msg.as_str();
        if self.code == 429
            || ["频繁", "频率", "限流"]
                .iter()
                .any(|word| msg.contains(word))
        {
            return Some(CallError::RateLimited {
                message: format!("{method} throttled by Banniu ({details})"),
                retry_after: None,
            });
        }
        let credential_words = ["签名", "app_key", "access_token"];
        if matches!(self.code, 40001 | 40002 | 40004)
            || credential_words.iter().any(|word| msg.contains(word))
        {
            return Some(CallError::Rejected {
                message: format!(
                    "Banniu rejected the credentials ({details}); check `app_key`, `app_secret` \
                     and `access_token`"
                ),
            });
        }
        if matches!(self.code, 40003 | 40005 | 40007) {
            return Some(CallError::Invalid {
                message: format!("{method} refused by Banniu ({details})"),
            });
        }
        None
    }
}

/// `code N: msg` (or just `code N`).
pub fn describe(code: i64, msg: &str) -> String {
    if msg.is_empty() {
        format!("code {code}")
    } else {
        format!("code {code}: {msg}")
    }
}

impl BanniuClient {
    /// Reads `base_url`, `app_key`, `app_secret` and `access_token` from a `banniu` connection.
    pub fn from_connection(connection: &Connection) -> Result<Self, CallError> {
        Ok(Self {
            url: base_url(connection)?,
            app_key: setting(connection, "app_key")?.to_owned(),
            app_secret: Secret::new(secret_setting(connection, "app_secret")?),
            access_token: Secret::new(secret_setting(connection, "access_token")?),
            http: http::client_for(connection)?,
        })
    }

    /// The signed query of `method` with `params`, stamped `timestamp`, `sign` last.
    pub fn signed_query(
        &self,
        method: &str,
        params: &[(String, String)],
        timestamp: &str,
    ) -> Vec<(String, String)> {
        let mut query: Vec<(String, String)> = vec![
            ("app_key".to_owned(), self.app_key.clone()),
            (
                "access_token".to_owned(),
                self.access_token.expose().to_owned(),
            ),
            ("method".to_owned(), method.to_owned()),
            ("v".to_owned(), "1.0".to_owned()),
            ("timestamp".to_owned(), timestamp.to_owned()),
        ];
        query.extend(params.iter().cloned());
        let signature = sign(&query, self.app_secret.expose());
        query.push(("sign".to_owned(), signature));
        query
    }

    /// Sends one call: `GET` with `params` when `body` is `None`, else `POST` of `body`.
    pub async fn call(
        &self,
        method: &str,
        params: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Reply, CallError> {
        let query = self.signed_query(method, params, &timestamp_text(Timestamp::now()));
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&query)
            .finish();
        let url = format!("{}?{encoded}", self.url);
        tracing::debug!(
            platform = PLATFORM,
            method,
            url = http::display_url(&url),
            "banniu call"
        );
        let request = match body {
            None => self.http.get(&url),
            Some(body) => self
                .http
                .post(&url)
                .header(
                    AUTHORIZATION,
                    format!("Bearer {}", self.access_token.expose()),
                )
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string()),
        };
        let display = http::display_url(&self.url).to_owned();
        let unreachable = |error: reqwest::Error| {
            let kind = if error.is_timeout() {
                "timed out"
            } else if error.is_connect() {
                "connection failed"
            } else {
                "request failed"
            };
            CallError::transient(format!("cannot reach {display}: {kind}"))
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status().as_u16();
        if status == 429 {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|text| text.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(CallError::RateLimited {
                message: format!("{method}: HTTP 429 Too Many Requests from {display}"),
                retry_after,
            });
        }
        if (500..600).contains(&status) {
            return Err(CallError::transient(format!(
                "HTTP {status} from {display}"
            )));
        }
        let bytes = response.bytes().await.map_err(unreachable)?;
        let reply = http::Reply {
            status,
            body: bytes.to_vec(),
        };
        http::expect_success(&reply, &self.url)?;
        Reply::decode(&http::parse_json(PLATFORM, &reply.body)?)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::pairs;

    #[test]
    fn worked_example_of_protocols_8_2() {
        let query = pairs(&[
            ("app_key", "bnappkey"),
            ("access_token", "bntoken"),
            ("v", "1.0"),
            ("timestamp", "2024-01-02 10:00:00"),
            ("method", "task.update"),
        ]);
        assert_eq!(
            sign(&query, "banniusecret"),
            "EDC622923BC575CD144F218130510F0B"
        );
        let client = BanniuClient {
            url: "http://127.0.0.1:9/gateway/api/miniAPI".to_owned(),
            app_key: "bnappkey".to_owned(),
            app_secret: Secret::new("banniusecret"),
            access_token: Secret::new("bntoken"),
            http: http::build_client(5).unwrap(),
        };
        let signed = client.signed_query("task.update", &[], "2024-01-02 10:00:00");
        assert_eq!(
            signed,
            pairs(&[
                ("app_key", "bnappkey"),
                ("access_token", "bntoken"),
                ("method", "task.update"),
                ("v", "1.0"),
                ("timestamp", "2024-01-02 10:00:00"),
                ("sign", "EDC622923BC575CD144F218130510F0B"),
            ])
        );
        let text = format!("{client:?}");
        assert!(
            !text.contains("banniusecret") && !text.contains("bntoken"),
            "{text}"
        );
    }

    #[test]
    fn timestamps_are_beijing_time() {
        let instant: Timestamp = "2024-01-02T02:00:00Z".parse().unwrap();
        assert_eq!(timestamp_text(instant), "2024-01-02 10:00:00");
    }

    #[test]
    fn replies_are_decoded_and_classified() {
        let ok = json!({"response": {"code": 0, "error_msg": null, "map": {"result": [1]}}});
        let reply = Reply::decode(&ok).unwrap();
        assert!(reply.is_success());
        assert_eq!(reply.result, Some(json!([1])));
        let signed = json!({"response": {"code": 40004, "error_msg": "签名错误", "map": null}});
        assert_eq!(
            Reply::decode(&signed).unwrap().call_error("task.list"),
            Some(CallError::Rejected {
                message: "Banniu rejected the credentials (code 40004: 签名错误); check \
                          `app_key`, `app_secret` and `access_token`"
                    .to_owned()
            })
        );
        let missing = json!({"response": {"code": 50001, "error_msg": "工单不存在: 1"}});
        assert_eq!(
            Reply::decode(&missing).unwrap().call_error("task.update"),
            None
        );
        let error = Reply::decode(&json!({"code": 0})).unwrap_err();
        assert!(matches!(error, CallError::Transient { .. }), "{error:?}");
    }
}
