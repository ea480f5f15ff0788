//! OKKI sales orders: `GET {base_url}/v1/invoices/order/list` (PROTOCOLS.md §2.2).
//!
//! Contract of [`OkkiOrdersSource::fetch_page`]: the query string is `start_index` (the page
//! number, from 1) and `count` (the page size) from the [`PageRequest`], then the scheme's
//! rendered parameters (their own paging values dropped; strings as-is, numbers in decimal,
//! booleans as `1`/`0`, `null`s left out). The request carries `Authorization: Bearer <token>`
//! with a token of scope `invoices` from the connection's [`TokenCache`].
//!
//! **The one retry inside a call**: when OKKI answers that the token is invalid or expired
//! (HTTP 401 or `code` 401, see [`super::page`]), the token is dropped from the cache, a new one
//! is granted and the same page is requested once more. This is the only case where a call
//! sends more than one API request: a token can expire between two pages without anything
//! being wrong, and only the client can fix it. If the fresh token is refused too, the call
//! fails `Rejected`. All other failures return at once for the engine's retry policy.

use async_trait::async_trait;
use ferry_model::{Connection, Secret};
use serde_json::Value;

use super::page::{Reply, decode};
use super::token::TokenCache;
use super::transport::get_bearer;
use crate::error::CallError;
use crate::http;
use crate::open::{base_url, secret_setting, setting};
use crate::source::{Page, PageRequest, Source, SourceShape};

/// The API path (and scheme `api`) this source serves.
pub const ORDER_LIST: &str = "/v1/invoices/order/list";

/// The token scope of `/v1/invoices/*` \[C\].
pub const INVOICES_SCOPE: &str = "invoices";

/// Paging facts (PROTOCOLS.md §2.2, §2.4; catalog: at most 500 per page).
pub const SHAPE: SourceShape = SourceShape {
    first_page: 1,
    max_page_size: 500,
    page_param: "start_index",
    size_param: "count",
    modified_field: Some("update_time"),
};

/// `/v1/invoices/order/list` over one `okki` connection. `Debug` hides the credentials.
#[derive(Debug)]
pub struct OkkiOrdersSource {
    url: String,
    tokens: TokenCache,
    http: reqwest::Client,
}

fn query_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(if *flag { "1" } else { "0" }.to_owned()),
        Value::Number(number) => Some(number.to_string()),
        other => Some(other.to_string()),
    }
}

/// The query string pairs of one page: paging first, then the rendered parameters.
pub fn page_query(request: &PageRequest<'_>) -> Vec<(String, String)> {
    let mut pairs = vec![
        (SHAPE.page_param.to_owned(), request.page.to_string()),
        (SHAPE.size_param.to_owned(), request.page_size.to_string()),
    ];
    for (key, value) in request.params {
        if key == SHAPE.page_param || key == SHAPE.size_param {
            continue;
        }
        if let Some(text) = query_text(value) {
            pairs.push((key.clone(), text));
        }
    }
    pairs
}

impl OkkiOrdersSource {
    /// Reads `base_url`, `client_id` and `client_secret` from an `okki` connection.
    pub fn from_connection(connection: &Connection) -> Result<Self, CallError> {
        let base = base_url(connection)?;
        let tokens = TokenCache::new(
            &base,
            setting(connection, "client_id")?.to_owned(),
            Secret::new(secret_setting(connection, "client_secret")?),
        );
        Ok(Self {
            url: format!("{}{ORDER_LIST}", base.trim_end_matches('/')),
            tokens,
            http: http::client_for(connection)?,
        })
    }

    async fn call(&self, query: &[(String, String)], token: &Secret) -> Result<Reply, CallError> {
        let reply = get_bearer(&self.http, &self.url, query, token.expose()).await?;
        decode(ORDER_LIST, reply.status, &reply.body)
    }
}

#[async_trait]
impl Source for OkkiOrdersSource {
    fn shape(&self) -> SourceShape {
        SHAPE
    }

    async fn fetch_page(&self, request: PageRequest<'_>) -> Result<Page, CallError> {
        let query = page_query(&request);
        tracing::debug!(
            platform = "okki",
            page = request.page,
            url = http::display_url(&self.url),
            "okki call"
        );
        let token = self.tokens.token(&self.http, INVOICES_SCOPE).await?;
        let refused = match self.call(&query, &token).await? {
            Reply::Page(page) => return Ok(page),
            Reply::TokenInvalid(details) => details,
        };
        tracing::debug!(platform = "okki", %refused, "okki token refused, refreshing once");
        self.tokens.invalidate(INVOICES_SCOPE, &token).await;
        let fresh = self.tokens.token(&self.http, INVOICES_SCOPE).await?;
        match self.call(&query, &fresh).await? {
            Reply::Page(page) => Ok(page),
            Reply::TokenInvalid(details) => Err(CallError::Rejected {
                message: format!(
                    "OKKI refused a freshly granted access token for {ORDER_LIST} ({details}); \
                     check the app's permissions"
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn query_of_the_seed_request() {
        let params = json!({
            "start_time": "2024-01-01 00:00:00",
            "end_time": "2024-01-31 00:00:00",
            "start_index": 7,
            "count": "100",
            "removed": "0",
            "approval": 1,
            "status": "",
            "flag": true,
            "gone": null
        });
        let request = PageRequest {
            params: params.as_object().unwrap(),
            page: 2,
            page_size: 100,
        };
        let expected: Vec<(String, String)> = [
            ("start_index", "2"),
            ("count", "100"),
            ("start_time", "2024-01-01 00:00:00"),
            ("end_time", "2024-01-31 00:00:00"),
            ("removed", "0"),
            ("approval", "1"),
            ("status", ""),
            ("flag", "1"),
        ]
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
        assert_eq!(page_query(&request), expected);
    }

    #[test]
    fn debug_hides_credentials() {
        let source = OkkiOrdersSource {
            url: format!("http://127.0.0.1:9{ORDER_LIST}"),
            tokens: TokenCache::new(
                "http://127.0.0.1:9",
                "okki-client".to_owned(),
                Secret::new("okkisecret"),
            ),
            http: http::build_client(5).unwrap(),
        };
        let text = format!("{source:?}");
        assert!(!text.contains("okkisecret"), "{text}");
        assert!(text.contains("okki-client"), "{text}");
    }
}
