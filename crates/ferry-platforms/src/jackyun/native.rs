//! Jackyun sales orders on the native gateway `POST {base_url}` (default
//! `https://open.jackyun.com/open/openapi/do`; PROTOCOLS.md §1.2, §1.3).
//!
//! Contract of [`JackyunNativeSource::fetch_page`]: one form POST of `method`, `appkey`,
//! `version=v1.0`, `contenttype=json`, `timestamp` (GMT+8 now), `bizcontent` (the page's
//! [`bizcontent`]) and `sign` = [`jky_sign`] with `secret`; the reply object is decoded by
//! [`super::page`]. HTTP 429 / 5xx / unreachable / truncated bodies are classified by the
//! crate's HTTP layer.

use async_trait::async_trait;
use ferry_model::{Connection, Secret};
use jiff::Timestamp;
use serde_json::Value;

use super::TRADE_LIST;
use super::page::{SHAPE, decode};
use super::sign::{bizcontent, jky_sign};
use crate::error::CallError;
use crate::http;
use crate::open::{base_url, secret_setting, setting};
use crate::qimen::beijing_timestamp;
use crate::source::{Page, PageRequest, Source, SourceShape};

/// The platform name used in messages.
const PLATFORM: &str = "jackyun";

/// The native source over one `jackyun` connection. `Debug` hides the secret.
#[derive(Clone)]
pub struct JackyunNativeSource {
    url: String,
    appkey: String,
    secret: Secret,
    http: reqwest::Client,
}

impl std::fmt::Debug for JackyunNativeSource {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("JackyunNativeSource")
            .field("url", &http::display_url(&self.url))
            .field("appkey", &self.appkey)
            .field("secret", &self.secret)
            .finish_non_exhaustive()
    }
}

impl JackyunNativeSource {
    /// Reads `base_url` (the full gateway URL), `appkey` and `secret` from a `jackyun`
    /// connection.
    pub fn from_connection(connection: &Connection) -> Result<Self, CallError> {
        Ok(Self {
            url: base_url(connection)?,
            appkey: setting(connection, "appkey")?.to_owned(),
            secret: Secret::new(secret_setting(connection, "secret")?),
            http: http::client_for(connection)?,
        })
    }

    /// The signed form of one page stamped `timestamp`, `sign` last.
    fn signed_form(&self, request: &PageRequest<'_>, timestamp: &str) -> Vec<(String, String)> {
        let mut form: Vec<(String, String)> = [
            ("method", TRADE_LIST),
            ("appkey", self.appkey.as_str()),
            ("version", "v1.0"),
            ("contenttype", "json"),
            ("timestamp", timestamp),
        ]
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
        form.push(("bizcontent".to_owned(), bizcontent(request)));
        let signature = jky_sign(&form, self.secret.expose());
        form.push(("sign".to_owned(), signature));
        form
    }
}

#[async_trait]
impl Source for JackyunNativeSource {
    fn shape(&self) -> SourceShape {
        SHAPE
    }

    async fn fetch_page(&self, request: PageRequest<'_>) -> Result<Page, CallError> {
        let form = self.signed_form(&request, &beijing_timestamp(Timestamp::now()));
        let reply = http::post_form(&self.http, &self.url, &form).await?;
        http::expect_success(&reply, &self.url)?;
        let Value::Object(body) = http::parse_json(PLATFORM, &reply.body)? else {
            return Err(CallError::transient(format!(
                "unexpected reply of `{PLATFORM}`: not a JSON object"
            )));
        };
        decode(PLATFORM, TRADE_LIST, &body)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_form_is_signed_over_every_field() {
        let source = JackyunNativeSource {
            url: "http://127.0.0.1:1/open/openapi/do".to_owned(),
            appkey: "12345678".to_owned(),
            secret: Secret::new("testsecret0123456789abcdef012345".to_owned()),
            http: http::build_client(5).unwrap(),
        };
        let params = json!({"startModified": "2024-01-01 00:00:00"});
        let request = PageRequest {
            params: params.as_object().unwrap(),
            page: 1,
            page_size: 50,
        };
        let form = source.signed_form(&request, "2024-01-02 10:00:00");
        let (last, rest) = form.split_last().unwrap();
        assert_eq!(last.0, "sign");
        assert_eq!(last.1, jky_sign(rest, "testsecret0123456789abcdef012345"));
        let biz = &rest[5].1;
        assert_eq!(
            serde_json::from_str::<Value>(biz).unwrap(),
            json!({"startModified": "2024-01-01 00:00:00", "pageIndex": 1, "pageSize": 50})
        );
        assert!(!format!("{source:?}").contains("testsecret"));
    }
}
