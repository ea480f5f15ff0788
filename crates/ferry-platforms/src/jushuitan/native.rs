//! Jushuitan orders through the native open API v2: `POST {base_url}/open/orders/single/query`
//! (PROTOCOLS.md §3.2–3.4).
//!
//! Contract of [`JushuitanNativeSource::fetch_page`]: one form POST of `app_key`,
//! `access_token`, `timestamp` (Unix seconds), `version=2`, `charset=utf-8`, `biz` and `sign`.
//! `biz` is the JSON object of `page_index` and `page_size` (numbers, from the
//! [`PageRequest`]) followed by the scheme's rendered parameters (their own paging values are
//! dropped). `sign = lower_hex(MD5(app_secret + k1v1k2v2…))` over every other field in key-byte
//! order. The reply `{code, msg, data{…}}` is classified:
//!
//! | reply | result |
//! |---|---|
//! | code 0 (and `issuccess` not false) | the page from `data` (`orders`, `data_count`, `has_next`) |
//! | HTTP 429, code 10004, or `msg` mentioning 频率 / 限流 | `RateLimited` (`Retry-After` on 429) |
//! | code 100 | `Rejected`: access token expired or invalid |
//! | `msg` mentioning 签名 (signature) | `Rejected`: check `app_secret` |
//! | anything else | `Invalid` with code and message |
//!
//! The signature rule is not one the brief lists: the platform's signature code is not
//! documented, and a bad `app_secret` is a credential problem that retrying cannot fix.

use async_trait::async_trait;
use ferry_model::{Connection, Secret};
use jiff::Timestamp;
use md5::{Digest, Md5};
use serde_json::{Map, Value};

use super::page::{SHAPE, Status, read_page};
use crate::error::CallError;
use crate::http;
use crate::open::{base_url, secret_setting, setting};
use crate::source::{Page, PageRequest, Source, SourceShape};

/// The API path (and scheme `api`) this source serves.
pub const NATIVE_ORDERS: &str = "/open/orders/single/query";

/// The platform name used in messages.
const PLATFORM: &str = "jushuitan";

/// `/open/orders/single/query` over one native connection. `Debug` hides the credentials.
#[derive(Clone)]
pub struct JushuitanNativeSource {
    url: String,
    app_key: String,
    app_secret: Secret,
    access_token: Secret,
    http: reqwest::Client,
}

impl std::fmt::Debug for JushuitanNativeSource {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("JushuitanNativeSource")
            .field("url", &http::display_url(&self.url))
            .field("app_key", &self.app_key)
            .field("app_secret", &self.app_secret)
            .field("access_token", &self.access_token)
            .finish_non_exhaustive()
    }
}

/// `lower_hex(MD5(app_secret + k1v1k2v2…))` over `fields` except `sign`, in key-byte order.
pub fn native_sign(fields: &[(String, String)], app_secret: &str) -> String {
    let mut sorted: Vec<&(String, String)> =
        fields.iter().filter(|(key, _)| key != "sign").collect();
    sorted.sort_by(|left, right| left.0.as_bytes().cmp(right.0.as_bytes()));
    let mut digest = Md5::new();
    digest.update(app_secret.as_bytes());
    for (key, value) in sorted {
        digest.update(key.as_bytes());
        digest.update(value.as_bytes());
    }
    hex::encode(digest.finalize())
}

/// The `biz` object of one page: paging first, then the rendered parameters.
fn biz(request: &PageRequest<'_>) -> Map<String, Value> {
    let mut biz = Map::new();
    biz.insert(SHAPE.page_param.to_owned(), Value::from(request.page));
    biz.insert(SHAPE.size_param.to_owned(), Value::from(request.page_size));
    for (key, value) in request.params {
        if key != SHAPE.page_param && key != SHAPE.size_param {
            biz.insert(key.clone(), value.clone());
        }
    }
    biz
}

impl JushuitanNativeSource {
    /// Reads `base_url`, `app_key`, `app_secret` and `access_token` from a `jushuitan`
    /// connection.
    pub fn from_connection(connection: &Connection) -> Result<Self, CallError> {
        let base = base_url(connection)?;
        Ok(Self {
            url: format!("{}{NATIVE_ORDERS}", base.trim_end_matches('/')),
            app_key: setting(connection, "app_key")?.to_owned(),
            app_secret: Secret::new(secret_setting(connection, "app_secret")?),
            access_token: Secret::new(secret_setting(connection, "access_token")?),
            http: http::client_for(connection)?,
        })
    }

    /// The signed form of one page stamped `timestamp` (Unix seconds), `sign` last.
    fn signed_form(&self, request: &PageRequest<'_>, timestamp: i64) -> Vec<(String, String)> {
        let mut form: Vec<(String, String)> = vec![
            ("app_key".to_owned(), self.app_key.clone()),
            (
                "access_token".to_owned(),
                self.access_token.expose().to_owned(),
            ),
            ("timestamp".to_owned(), timestamp.to_string()),
            ("version".to_owned(), "2".to_owned()),
            ("charset".to_owned(), "utf-8".to_owned()),
            ("biz".to_owned(), Value::Object(biz(request)).to_string()),
        ];
        let signature = native_sign(&form, self.app_secret.expose());
        form.push(("sign".to_owned(), signature));
        form
    }
}

/// Decodes the `{code, msg, data}` reply.
pub(crate) fn decode(reply: &Value) -> Result<Page, CallError> {
    let Value::Object(top) = reply else {
        return Err(CallError::transient(format!(
            "unexpected reply of `{PLATFORM}`: not a JSON object"
        )));
    };
    let status = Status::read(&[top]);
    if status.failed() {
        let details = status.describe();
        let code = status.number();
        if code == Some(10_004) || status.is_rate_limit() {
            return Err(CallError::RateLimited {
                message: format!("{NATIVE_ORDERS} throttled by Jushuitan ({details})"),
                retry_after: None,
            });
        }
        if code == Some(100) {
            return Err(CallError::Rejected {
                message: format!(
                    "access token rejected by Jushuitan ({details}); refresh `access_token`"
                ),
            });
        }
        if status.msg.contains("签名") {
            return Err(CallError::Rejected {
                message: format!("signature rejected by Jushuitan ({details}); check `app_secret`"),
            });
        }
        return Err(CallError::Invalid {
            message: format!("{NATIVE_ORDERS} failed ({details})"),
        });
    }
    let empty = Map::new();
    let data = match top.get("data") {
        Some(Value::Object(data)) => data,
        _ => &empty,
    };
    read_page(PLATFORM, &[data])
}

#[async_trait]
impl Source for JushuitanNativeSource {
    fn shape(&self) -> SourceShape {
        SHAPE
    }

    async fn fetch_page(&self, request: PageRequest<'_>) -> Result<Page, CallError> {
        let form = self.signed_form(&request, Timestamp::now().as_second());
        tracing::debug!(
            platform = PLATFORM,
            page = request.page,
            url = http::display_url(&self.url),
            "jushuitan call"
        );
        let reply = http::post_form(&self.http, &self.url, &form).await?;
        http::expect_success(&reply, &self.url)?;
        decode(&http::parse_json(PLATFORM, &reply.body)?)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn source() -> JushuitanNativeSource {
        JushuitanNativeSource {
            url: format!("http://127.0.0.1:9{NATIVE_ORDERS}"),
            app_key: "jstappkey".to_owned(),
            app_secret: Secret::new("jstsecret"),
            access_token: Secret::new("jsttoken"),
            http: http::build_client(5).unwrap(),
        }
    }

    #[test]
    fn form_of_the_worked_example_of_protocols_3_2() {
        let params = json!({
            "modified_begin": "2024-01-01 00:00:00",
            "modified_end": "2024-01-02 00:00:00",
            "page_index": 7
        });
        let request = PageRequest {
            params: params.as_object().unwrap(),
            page: 1,
            page_size: 50,
        };
        let form = source().signed_form(&request, 1_704_160_800);
        let biz = r#"{"page_index":1,"page_size":50,"modified_begin":"2024-01-01 00:00:00","modified_end":"2024-01-02 00:00:00"}"#;
        let expected: Vec<(String, String)> = [
            ("app_key", "jstappkey"),
            ("access_token", "jsttoken"),
            ("timestamp", "1704160800"),
            ("version", "2"),
            ("charset", "utf-8"),
            ("biz", biz),
            ("sign", "af3e366447feb1089d429afbf87f623b"),
        ]
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
        assert_eq!(form, expected);
    }

    #[test]
    fn decodes_the_data_object() {
        let reply = json!({"code": 0, "msg": "执行成功", "data": {"page_index": 1,
            "data_count": 2, "has_next": false, "orders": [{"o_id": 5}, {"o_id": 6}]}});
        assert_eq!(
            decode(&reply).unwrap(),
            Page {
                records: vec![json!({"o_id": 5}), json!({"o_id": 6})],
                total: Some(2),
                has_next: Some(false),
            }
        );
    }

    #[test]
    fn error_codes_are_classified() {
        let cases = [
            (
                json!({"code": 100, "msg": "access_token已过期或无效", "data": null}),
                CallError::Rejected {
                    message: "access token rejected by Jushuitan (code 100: \
                              access_token已过期或无效); refresh `access_token`"
                        .to_owned(),
                },
            ),
            (
                json!({"code": 10004, "msg": "接口调用频率超限,请稍后重试"}),
                CallError::RateLimited {
                    message: "/open/orders/single/query throttled by Jushuitan (code 10004: \
                              接口调用频率超限,请稍后重试)"
                        .to_owned(),
                    retry_after: None,
                },
            ),
            (
                json!({"code": 10, "msg": "签名错误", "data": null}),
                CallError::Rejected {
                    message: "signature rejected by Jushuitan (code 10: 签名错误); check \
                              `app_secret`"
                        .to_owned(),
                },
            ),
            (
                json!({"code": 190, "msg": "接口不存在"}),
                CallError::Invalid {
                    message: "/open/orders/single/query failed (code 190: 接口不存在)".to_owned(),
                },
            ),
        ];
        for (reply, expected) in cases {
            assert_eq!(decode(&reply), Err(expected), "{reply}");
        }
    }

    #[test]
    fn debug_hides_credentials() {
        let text = format!("{:?}", source());
        assert!(!text.contains("jstsecret"), "{text}");
        assert!(!text.contains("jsttoken"), "{text}");
    }
}
