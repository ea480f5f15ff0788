//! WDT flagship refunds on the native gateway: `aftersales.refund.Refund.search`
//! (PROTOCOLS.md §5.1–5.3).
//!
//! Contract of [`WdtFlagshipNativeSource::fetch_page`]: one `POST <base_url>?sid=…&key=…&salt=…
//! &method=…&v=1.0&timestamp=…&page_size=…&page_no=…&calc_total=1&sign=…` with
//! `Content-Type: application/json` and the body `[<params object>]`
//! ([`super::business_object`]); `timestamp` is seconds since 2012-01-01 00:00:00 UTC; `sign`
//! is [`super::sign::native_sign`] over the query and the exact body. Transport failures: no
//! connection, timeouts and HTTP 5xx are `Transient`, HTTP 429 `RateLimited`; the reply is
//! decoded by [`super::decode`]. URLs in messages never show the query (it carries `sign`).

use std::time::Duration;

use async_trait::async_trait;
use ferry_model::{Connection, Secret};
use jiff::Timestamp;
use serde_json::Value;

use super::decode::decode;
use super::sign::native_sign;
use super::{MAX_PAGE_SIZE, PAGE_PARAM, SIZE_PARAM, business_object, secret_and_salt};
use crate::error::CallError;
use crate::http::{self, Reply};
use crate::open::{base_url, setting};
use crate::source::{Page, PageRequest, Source, SourceShape};

/// The native method (and scheme `api`) this source serves.
pub const NATIVE_REFUNDS: &str = "aftersales.refund.Refund.search";

const PLATFORM: &str = "wdt-flagship";
const SETTINGS: &str = "`sid`, `key` and `secret`";
/// Unix seconds of 2012-01-01 00:00:00 UTC, the epoch of the native `timestamp`.
pub const WDT_EPOCH: i64 = 1_325_347_200;

/// Paging facts of the native route (`page_no` from 0).
pub const NATIVE_SHAPE: SourceShape = SourceShape {
    first_page: 0,
    max_page_size: MAX_PAGE_SIZE,
    page_param: PAGE_PARAM,
    size_param: SIZE_PARAM,
    modified_field: Some("modified"),
};

/// `aftersales.refund.Refund.search` over one native connection.
#[derive(Clone)]
pub struct WdtFlagshipNativeSource {
    url: String,
    sid: String,
    key: String,
    secret: Secret,
    salt: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for WdtFlagshipNativeSource {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("WdtFlagshipNativeSource")
            .field("url", &http::display_url(&self.url))
            .field("sid", &self.sid)
            .field("key", &self.key)
            .field("secret", &self.secret)
            .finish_non_exhaustive()
    }
}

impl WdtFlagshipNativeSource {
    /// Reads `base_url`, `sid`, `key` and `secret` (`secret:salt`) from a `wdt-flagship`
    /// connection.
    pub fn from_connection(connection: &Connection) -> Result<Self, CallError> {
        let (secret, salt) = secret_and_salt(connection, "secret")?;
        Ok(Self {
            url: base_url(connection)?,
            sid: setting(connection, "sid")?.to_owned(),
            key: setting(connection, "key")?.to_owned(),
            secret,
            salt,
            http: http::client_for(connection)?,
        })
    }

    /// The signed query pairs and the body of one page at `timestamp` (WDT seconds).
    pub(crate) fn signed_request(
        &self,
        request: &PageRequest<'_>,
        timestamp: i64,
    ) -> (Vec<(String, String)>, String) {
        let body = Value::Array(vec![Value::Object(business_object(request.params))]).to_string();
        let mut query: Vec<(String, String)> = [
            ("sid", self.sid.clone()),
            ("key", self.key.clone()),
            ("salt", self.salt.clone()),
            ("method", NATIVE_REFUNDS.to_owned()),
            ("v", "1.0".to_owned()),
            ("timestamp", timestamp.to_string()),
            (SIZE_PARAM, request.page_size.to_string()),
            (PAGE_PARAM, request.page.to_string()),
            ("calc_total", "1".to_owned()),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect();
        let signature = native_sign(&query, &body, self.secret.expose());
        query.push(("sign".to_owned(), signature));
        (query, body)
    }

    async fn post(&self, query: &[(String, String)], body: String) -> Result<Reply, CallError> {
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        let separator = if self.url.contains('?') { '&' } else { '?' };
        let url = format!("{}{separator}{encoded}", self.url);
        let shown = http::display_url(&self.url);
        let response = self
            .http
            .post(&url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .body(body)
            .send()
            .await
            .map_err(|error| {
                let what = if error.is_timeout() {
                    "timed out"
                } else {
                    "request failed"
                };
                CallError::transient(format!("cannot reach {shown}: {what}"))
            })?;
        let status = response.status().as_u16();
        if status == 429 {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|text| text.trim().parse().ok())
                .map(Duration::from_secs);
            return Err(CallError::RateLimited {
                message: format!("HTTP 429 Too Many Requests from {shown}"),
                retry_after,
            });
        }
        if (500..600).contains(&status) {
            return Err(CallError::transient(format!("HTTP {status} from {shown}")));
        }
        let bytes = response.bytes().await.map_err(|error| {
            let what = if error.is_timeout() {
                "timed out"
            } else {
                "reading the body failed"
            };
            CallError::transient(format!("cannot reach {shown}: {what}"))
        })?;
        Ok(Reply {
            status,
            body: bytes.to_vec(),
        })
    }
}

#[async_trait]
impl Source for WdtFlagshipNativeSource {
    fn shape(&self) -> SourceShape {
        NATIVE_SHAPE
    }

    async fn fetch_page(&self, request: PageRequest<'_>) -> Result<Page, CallError> {
        let timestamp = Timestamp::now().as_second() - WDT_EPOCH;
        let (query, body) = self.signed_request(&request, timestamp);
        tracing::debug!(
            platform = PLATFORM,
            url = http::display_url(&self.url),
            "wdt call"
        );
        let reply = self.post(&query, body).await?;
        http::expect_success(&reply, &self.url)?;
        match http::parse_json(PLATFORM, &reply.body)? {
            Value::Object(object) => decode(NATIVE_REFUNDS, &object, SETTINGS),
            _ => Err(CallError::transient(format!(
                "unexpected reply of `{PLATFORM}`: not a JSON object"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// PROTOCOLS.md §5.1 worked example, end to end through the request builder.
    #[test]
    fn worked_example_request() {
        let source = WdtFlagshipNativeSource {
            url: "http://127.0.0.1:1/openapi".to_owned(),
            sid: "mysid".to_owned(),
            key: "mykey".to_owned(),
            secret: Secret::new("testsecret"),
            salt: "testsalt".to_owned(),
            http: http::build_client(5).unwrap(),
        };
        let rendered = json!({"params": {"modified_from": "2024-01-01 00:00:00",
            "modified_to": "2024-01-02 00:00:00"}, "pager": {"page_no": "9"}});
        let request = PageRequest {
            params: rendered.as_object().unwrap(),
            page: 0,
            page_size: 50,
        };
        let (query, body) = source.signed_request(&request, 1_704_160_800 - WDT_EPOCH);
        assert_eq!(
            body,
            r#"[{"modified_from":"2024-01-01 00:00:00","modified_to":"2024-01-02 00:00:00"}]"#
        );
        let find = |name: &str| query.iter().find(|(key, _)| key == name).unwrap().1.clone();
        assert_eq!(find("timestamp"), "378813600");
        assert_eq!(find("page_no"), "0");
        assert_eq!(find("sign"), "219c81737b5ac908cef9ff9d4aabe4d9");
        assert!(!format!("{source:?}").contains("testsecret"));
    }
}
