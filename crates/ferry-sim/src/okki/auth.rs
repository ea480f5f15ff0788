//! OKKI client-credentials tokens (PROTOCOLS.md §2.1): the token endpoint and the Bearer check.
//!
//! Contract:
//!
//! * `POST /v1/oauth2/access_token` takes `grant_type=client_credentials`, `client_id`,
//!   `client_secret` and `scope` as a JSON object or a form body \[C: both seen\]. Success:
//!   HTTP 200 `{"access_token":…,"token_type":"Bearer","expires_in":ttl,"scope":…}` \[C shape\].
//!   Failures have no `access_token`, only `code` and `message` \[C\]; codes and wording \[I\]:
//!   400 `grant_type不支持` / `scope无效`, 401 `client_id或client_secret错误` (HTTP 400 / 401).
//! * Tokens are bound to one scope (`invoices`, `company`, … from [`AuthConfig::scopes`]).
//!   Each grant issues a new token; earlier ones stay valid until they expire.
//! * A token expires `token_ttl_s` seconds of *simulator clock* after issue, and, when
//!   `token_max_calls` is set, after that many API calls (a deterministic way to expire tokens
//!   mid-run in tests). API calls with a missing, unknown or expired token get HTTP 401
//!   `{"code":401,…}` \[I: one client retries once on code 401\]; a token of the wrong scope
//!   gets HTTP 403 `{"code":403,…}`.
//! * Tokens are `okki-<scope>-<16 hex>`, deterministic for a seed and grant order.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::framework::core::SimCore;
use crate::framework::rng::mix64;
use crate::framework::stats::Counter;
use crate::okki::reply::failure;

/// Credentials and token policy of the simulated OKKI account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// The known `client_id` (examples/ferry.toml: `okki-client`).
    pub client_id: String,
    /// Its `client_secret` (examples/ferry.toml: `okkisecret`).
    pub client_secret: String,
    /// Scopes a token can be granted for \[C: `invoices`, `company`\].
    pub scopes: Vec<String>,
    /// `expires_in` of a granted token, in seconds of simulator clock \[I: 28800\].
    pub token_ttl_s: u64,
    /// When set, a token also expires after this many API calls (tests).
    pub token_max_calls: Option<u32>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            client_id: "okki-client".to_owned(),
            client_secret: "okkisecret".to_owned(),
            scopes: vec!["invoices".to_owned(), "company".to_owned()],
            token_ttl_s: 28_800,
            token_max_calls: None,
        }
    }
}

/// The grant request, from JSON or form fields.
#[derive(Debug, Default, Deserialize)]
struct Grant {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    scope: String,
}

#[derive(Serialize)]
struct Granted<'a> {
    access_token: &'a str,
    token_type: &'static str,
    expires_in: u64,
    scope: &'a str,
}

#[derive(Debug, Clone)]
struct Issued {
    scope: String,
    expires_at: i64,
    calls: u32,
}

/// Every token granted so far.
#[derive(Debug, Default)]
pub struct TokenBook {
    tokens: Mutex<HashMap<String, Issued>>,
    grants: Mutex<u64>,
}

fn parse_grant(body: &[u8]) -> Grant {
    let text = String::from_utf8_lossy(body);
    if text.trim_start().starts_with('{') {
        return serde_json::from_slice(body).unwrap_or_default();
    }
    let mut grant = Grant::default();
    for (key, value) in form_urlencoded::parse(body) {
        let slot = match key.as_ref() {
            "grant_type" => &mut grant.grant_type,
            "client_id" => &mut grant.client_id,
            "client_secret" => &mut grant.client_secret,
            "scope" => &mut grant.scope,
            _ => continue,
        };
        *slot = value.into_owned();
    }
    grant
}

impl TokenBook {
    /// Answers a grant request (`body` as received).
    pub fn grant(&self, core: &SimCore, config: &AuthConfig, body: &[u8]) -> Response {
        let grant = parse_grant(body);
        let rejected = |status: StatusCode, code: u32, message: &str| {
            core.stats.incr(Counter::RejectedRequest);
            failure(status, code, message)
        };
        if grant.grant_type != "client_credentials" {
            return rejected(StatusCode::BAD_REQUEST, 400, "grant_type不支持");
        }
        if grant.client_id != config.client_id || grant.client_secret != config.client_secret {
            return rejected(
                StatusCode::UNAUTHORIZED,
                401,
                "client_id或client_secret错误",
            );
        }
        if !config.scopes.contains(&grant.scope) {
            return rejected(StatusCode::BAD_REQUEST, 400, "scope无效");
        }
        let number = {
            let mut grants = self.grants.lock().unwrap_or_else(PoisonError::into_inner);
            *grants += 1;
            *grants
        };
        let token = format!(
            "okki-{}-{:016x}",
            grant.scope,
            mix64(core.seed ^ mix64(number))
        );
        let ttl = i64::try_from(config.token_ttl_s).unwrap_or(i64::MAX);
        let issued = Issued {
            scope: grant.scope.clone(),
            expires_at: core.clock.now_seconds().saturating_add(ttl),
            calls: 0,
        };
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(token.clone(), issued);
        core.stats.incr(Counter::Served);
        let body = Granted {
            access_token: &token,
            token_type: "Bearer",
            expires_in: config.token_ttl_s,
            scope: &grant.scope,
        };
        crate::okki::reply::json(
            StatusCode::OK,
            serde_json::to_vec(&body).unwrap_or_default(),
        )
    }

    /// Checks the `Authorization: Bearer` header of an API call needing `scope` and counts
    /// the call against the token; `Some` is the refusal to send.
    pub fn authorize(
        &self,
        core: &SimCore,
        config: &AuthConfig,
        headers: &HeaderMap,
        scope: &str,
    ) -> Option<Response> {
        let rejected = |status: StatusCode, code: u32, message: &str| {
            core.stats.incr(Counter::RejectedRequest);
            failure(status, code, message)
        };
        let invalid = || rejected(StatusCode::UNAUTHORIZED, 401, "access_token无效或已过期");
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(token) = token else {
            return Some(invalid());
        };
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(issued) = tokens.get_mut(token) else {
            return Some(invalid());
        };
        let used_up = config
            .token_max_calls
            .is_some_and(|limit| issued.calls >= limit);
        if core.clock.now_seconds() >= issued.expires_at || used_up {
            return Some(invalid());
        }
        if issued.scope != scope {
            return Some(rejected(
                StatusCode::FORBIDDEN,
                403,
                "access_token无权访问该接口",
            ));
        }
        issued.calls += 1;
        None
    }
}
