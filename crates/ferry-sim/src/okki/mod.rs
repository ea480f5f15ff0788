//! The OKKI CRM 小满 simulator: sales orders over the native REST API (PROTOCOLS.md §2).
//!
//! Contract: [`build`] generates the orders for an [`OkkiConfig`] and returns a [`Simulator`]
//! serving
//!
//! * `POST /v1/oauth2/access_token`: client-credentials tokens per scope ([`auth`], §2.1),
//! * `GET /v1/invoices/order/list`: one page of orders ([`route`], [`query`], §2.2–2.5),
//! * any other `/v1/...` path: HTTP 404 `{"code":404,"message":"接口不存在"}`,
//!
//! plus the framework's `/_sim/` routes. Ground truth is every order with its `update_time`
//! (the records' modified time) in range, rendered exactly as the list returns it, in
//! `order_id` order. Faults: latency, 5xx, timeouts, truncation and moving records (the list
//! pages by number over a time filter); late indexing is not simulated. No deleted orders are
//! generated, so `removed=1` and `time_type=4` match nothing. Approval is derived from the
//! status code ([`text`]).

pub mod auth;
pub mod orders;
pub mod query;
pub mod reply;
pub mod route;
pub mod store;
pub mod text;

use std::sync::{Arc, PoisonError, RwLock};

use axum::Router;
use axum::routing::{any, get, post};
use serde::{Deserialize, Serialize};

use crate::error::SimError;
use crate::framework::control::{GroundTruth, ModifiedRange};
use crate::framework::core::{CommonConfig, SimCore};
use crate::framework::simulator::Simulator;
use crate::okki::auth::{AuthConfig, TokenBook};
use crate::okki::orders::render;
use crate::okki::query::QueryRules;
use crate::okki::store::OrderStore;

/// The token path.
pub const TOKEN_PATH: &str = "/v1/oauth2/access_token";
/// The order list path (and scheme `api`).
pub const ORDER_LIST_PATH: &str = "/v1/invoices/order/list";

/// Everything that configures an OKKI simulator; every field has a default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OkkiConfig {
    /// Data, clock, rate limit and faults.
    pub common: CommonConfig,
    /// Client credentials, scopes and token lifetime.
    pub auth: AuthConfig,
    /// Paging and window limits.
    pub rules: QueryRules,
}

/// Shared state of the routes.
#[derive(Debug)]
pub struct OkkiState {
    /// Framework core.
    pub core: Arc<SimCore>,
    /// The configuration (validated).
    pub config: OkkiConfig,
    /// The orders.
    pub store: RwLock<OrderStore>,
    /// Granted tokens.
    pub tokens: TokenBook,
}

struct Truth(Arc<OkkiState>);

impl GroundTruth for Truth {
    fn records(&self, range: ModifiedRange) -> Box<dyn Iterator<Item = Vec<u8>> + Send> {
        let snapshot = self
            .0
            .store
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .snapshot(range);
        let seed = self.0.core.seed;
        let max_len = self.0.config.common.data.max_string_len as usize;
        Box::new(snapshot.into_iter().map(move |(record, core)| {
            serde_json::to_vec(&render(seed, max_len, record, &core)).unwrap_or_default()
        }))
    }
}

fn validate(config: &OkkiConfig) -> Result<(), SimError> {
    let rules = &config.rules;
    if rules.max_count == 0 {
        return Err(SimError::config("rules.max_count", "must be at least 1"));
    }
    if !(1..=rules.max_count).contains(&rules.default_count) {
        return Err(SimError::config(
            "rules.default_count",
            "must be within 1..=max_count",
        ));
    }
    if rules.max_span_days == 0 {
        return Err(SimError::config(
            "rules.max_span_days",
            "must be at least 1",
        ));
    }
    let auth = &config.auth;
    if auth.client_secret.is_empty() {
        return Err(SimError::config("auth.client_secret", "must not be empty"));
    }
    if auth.token_ttl_s == 0 {
        return Err(SimError::config("auth.token_ttl_s", "must be at least 1"));
    }
    if auth.token_max_calls == Some(0) {
        return Err(SimError::config(
            "auth.token_max_calls",
            "must be at least 1 when set",
        ));
    }
    Ok(())
}

/// Generates the data and assembles the simulator (no socket yet).
pub fn build(config: OkkiConfig) -> Result<Simulator, SimError> {
    validate(&config)?;
    let core = Arc::new(SimCore::new(&config.common)?);
    let data = &config.common.data;
    let store = OrderStore::generate(data.seed, data.orders, data.range()?);
    let state = Arc::new(OkkiState {
        core: Arc::clone(&core),
        config,
        store: RwLock::new(store),
        tokens: TokenBook::default(),
    });
    let routes = Router::new()
        .route(TOKEN_PATH, post(route::token))
        .route(ORDER_LIST_PATH, get(route::order_list))
        .route("/v1/{*path}", any(reply::unknown_path))
        .with_state(Arc::clone(&state));
    Ok(Simulator::new("okki", core, Arc::new(Truth(state)), routes))
}
