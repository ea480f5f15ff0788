//! OKKI client-credentials tokens (PROTOCOLS.md §2.1): fetched on demand, cached per scope,
//! refreshed before they expire or when the API says they are invalid.
//!
//! Contract:
//!
//! * [`TokenCache::token`] returns the cached token of a scope while it is fresh, else POSTs
//!   `{"grant_type":"client_credentials","client_id","client_secret","scope"}` as JSON to
//!   `{base_url}/v1/oauth2/access_token` (one request) and caches the answer. A token counts as
//!   fresh until `expires_in` minus a margin (a quarter of it, at most 60 s) has passed on the
//!   local monotonic clock; `expires_in` defaults to 28800 s when absent \[I\].
//! * The cache lock is held while a token is fetched, so concurrent calls share one grant.
//! * [`TokenCache::invalidate`] drops a scope's token if it is still the one given (a call
//!   that raced with a refresh does not throw the new token away).
//! * A reply without `access_token` is [`CallError::Rejected`] naming the endpoint's `code`
//!   and `message` and the settings to check; HTTP 429 / 5xx / transport failures classify as
//!   in [`super::transport`]. Nothing here logs or formats the secret or a token; the
//!   endpoint's message is scrubbed of the secret in case it echoes it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ferry_model::Secret;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::transport::post_json;
use crate::error::CallError;
use crate::http::{display_url, parse_json};

/// `expires_in` assumed when the endpoint sends none \[I: clients default to 28800\].
pub const DEFAULT_EXPIRES_IN: u64 = 28_800;

/// The token path.
pub const TOKEN_PATH: &str = "/v1/oauth2/access_token";

#[derive(Clone)]
struct Cached {
    token: Secret,
    fresh_until: Instant,
}

/// Tokens of one connection, by scope. `Debug` shows no credential.
pub struct TokenCache {
    url: String,
    client_id: String,
    client_secret: Secret,
    tokens: Mutex<HashMap<String, Cached>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TokenCache")
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish_non_exhaustive()
    }
}

/// How long a token of `expires_in` seconds is used before it is refreshed.
pub fn usable_for(expires_in: u64) -> Duration {
    let margin = (expires_in / 4).min(60);
    Duration::from_secs(expires_in - margin)
}

fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

fn seconds_of(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

impl TokenCache {
    /// A cache for `{base}/v1/oauth2/access_token`.
    pub fn new(base: &str, client_id: String, client_secret: Secret) -> Self {
        Self {
            url: format!("{}{TOKEN_PATH}", base.trim_end_matches('/')),
            client_id,
            client_secret,
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// A fresh token of `scope`, granting a new one when needed.
    pub async fn token(&self, http: &reqwest::Client, scope: &str) -> Result<Secret, CallError> {
        let mut tokens = self.tokens.lock().await;
        if let Some(cached) = tokens.get(scope)
            && Instant::now() < cached.fresh_until
        {
            return Ok(cached.token.clone());
        }
        let granted_at = Instant::now();
        let (token, expires_in) = self.grant(http, scope).await?;
        tracing::debug!(scope, expires_in, "okki token granted");
        tokens.insert(
            scope.to_owned(),
            Cached {
                token: token.clone(),
                fresh_until: granted_at + usable_for(expires_in),
            },
        );
        Ok(token)
    }

    /// Forgets `scope`'s token if it is still `token`.
    pub async fn invalidate(&self, scope: &str, token: &Secret) {
        let mut tokens = self.tokens.lock().await;
        if tokens
            .get(scope)
            .is_some_and(|cached| cached.token == *token)
        {
            tokens.remove(scope);
        }
    }

    async fn grant(&self, http: &reqwest::Client, scope: &str) -> Result<(Secret, u64), CallError> {
        let body = json!({
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret.expose(),
            "scope": scope,
        });
        let reply = post_json(http, &self.url, &body).await?;
        let parsed = parse_json("okki", &reply.body);
        self.read_grant(reply.status, parsed)
    }

    /// Decodes a token reply of HTTP `status`.
    fn read_grant(
        &self,
        status: u16,
        parsed: Result<Value, CallError>,
    ) -> Result<(Secret, u64), CallError> {
        let object = match parsed {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                return Err(CallError::transient(format!(
                    "unexpected reply of the OKKI token endpoint {}: not a JSON object",
                    display_url(&self.url)
                )));
            }
            // An error status with a body that is not JSON (a proxy page) is still a refusal.
            Err(_) if status >= 400 => serde_json::Map::new(),
            Err(error) => return Err(error),
        };
        if let Some(Value::String(token)) = object.get("access_token")
            && !token.is_empty()
        {
            let expires_in = seconds_of(object.get("expires_in"))
                .filter(|seconds| *seconds > 0)
                .unwrap_or(DEFAULT_EXPIRES_IN);
            return Ok((Secret::new(token.as_str()), expires_in));
        }
        let code = text_of(object.get("code"));
        let mut message = text_of(object.get("message"));
        if message.is_empty() {
            message = text_of(object.get("msg"));
        }
        let secret = self.client_secret.expose();
        if !secret.is_empty() {
            message = message.replace(secret, "***");
        }
        let code = if code.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("code {code}")
        };
        let said = if message.is_empty() {
            code
        } else {
            format!("{code}: {message}")
        };
        Err(CallError::Rejected {
            message: format!(
                "OKKI token endpoint {} refused the client credentials ({said}); check \
                 `client_id` and `client_secret`",
                display_url(&self.url)
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> TokenCache {
        TokenCache::new(
            "http://h:1/",
            "okki-client".to_owned(),
            Secret::new("okkisecret"),
        )
    }

    #[test]
    fn grants_decode_with_default_lifetime() {
        let reply = json!({"access_token": "tok", "expires_in": "7200", "scope": "invoices"});
        let (token, expires_in) = cache().read_grant(200, Ok(reply)).unwrap();
        assert_eq!((token.expose(), expires_in), ("tok", 7200));
        let (_, default) = cache()
            .read_grant(200, Ok(json!({"access_token": "tok"})))
            .unwrap();
        assert_eq!(default, DEFAULT_EXPIRES_IN);
        assert_eq!(usable_for(28_800), Duration::from_secs(28_740));
        assert_eq!(usable_for(8), Duration::from_secs(6));
    }

    #[test]
    fn refusals_name_the_endpoint_message_without_the_secret() {
        let reply = json!({"code": 401, "message": "client_secret okkisecret错误"});
        let error = cache().read_grant(401, Ok(reply)).unwrap_err();
        assert_eq!(
            error,
            CallError::Rejected {
                message: "OKKI token endpoint http://h:1/v1/oauth2/access_token refused the \
                          client credentials (code 401: client_secret ***错误); check \
                          `client_id` and `client_secret`"
                    .to_owned()
            }
        );
        let page = cache()
            .read_grant(403, Err(CallError::transient("not json")))
            .unwrap_err();
        assert!(matches!(&page, CallError::Rejected { message } if message.contains("(HTTP 403)")));
        let truncated = cache().read_grant(200, Err(CallError::transient("cut")));
        assert_eq!(truncated, Err(CallError::transient("cut")));
    }

    #[tokio::test]
    async fn a_stale_token_is_replaced_before_use_and_a_fresh_one_is_reused() {
        let handle = ferry_sim::SimBuilder::new(ferry_sim::Platform::Okki)
            .orders(5)
            .serve("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let cache = TokenCache::new(
            &handle.base_url(),
            "okki-client".to_owned(),
            Secret::new("okkisecret"),
        );
        let http = crate::http::build_client(5).unwrap();
        let stale = Secret::new("okki-invoices-stale");
        cache.tokens.lock().await.insert(
            "invoices".to_owned(),
            Cached {
                token: stale.clone(),
                fresh_until: Instant::now(),
            },
        );
        let granted = cache.token(&http, "invoices").await.unwrap();
        assert_ne!(granted, stale);
        assert!(granted.expose().starts_with("okki-invoices-"));
        assert_eq!(cache.token(&http, "invoices").await.unwrap(), granted);
        let company = cache.token(&http, "company").await.unwrap();
        assert!(company.expose().starts_with("okki-company-"));
        // Two grants, no refused call.
        let stats = handle.simulator().stats();
        assert_eq!((stats.requests, stats.rejected_request), (2, 0));

        cache.invalidate("invoices", &stale).await;
        assert_eq!(cache.token(&http, "invoices").await.unwrap(), granted);
        cache.invalidate("invoices", &granted).await;
        assert_ne!(cache.token(&http, "invoices").await.unwrap(), granted);
        assert_eq!(handle.simulator().stats().requests, 3);
    }

    #[test]
    fn debug_hides_the_secret() {
        let text = format!("{:?}", cache());
        assert!(!text.contains("okkisecret"), "{text}");
    }
}
