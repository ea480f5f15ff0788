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

use std::sync::{Arc, RwLock};

use axum::Router;
use axum::routing::{any, get, post};
use serde::{Deserialize, Serialize};

use crate::error::SimError;
use crate::framework::assemble::{
    TruthSource, assemble, check_at_least, check_not_empty, check_within, read,
};
use crate::framework::control::ModifiedRange;
use crate::framework::core::{CommonConfig, SimCore};
use crate::framework::simulator::Simulator;
use crate::okki::auth::{AuthConfig, TokenBook};
use crate::okki::orders::{OrderJson, render};
use crate::okki::query::QueryRules;
use crate::okki::store::{OrderCore, OrderStore};

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

impl TruthSource for OkkiState {
    type Core = OrderCore;
    type Json = OrderJson;

    fn snapshot(&self, range: ModifiedRange) -> Vec<(u32, OrderCore)> {
        read(&self.store).snapshot(range)
    }

    fn render(&self, record: u32, core: &OrderCore) -> OrderJson {
        let max_len = self.config.common.data.max_string_len as usize;
        render(self.core.seed, max_len, record, core)
    }
}

fn validate(config: &OkkiConfig) -> Result<(), SimError> {
    let rules = &config.rules;
    check_at_least(rules.max_count, 1, "rules.max_count")?;
    check_within(
        rules.default_count,
        rules.max_count,
        "rules.default_count",
        "max_count",
    )?;
    check_at_least(rules.max_span_days, 1, "rules.max_span_days")?;
    let auth = &config.auth;
    check_not_empty(&auth.client_secret, "auth.client_secret")?;
    check_at_least(auth.token_ttl_s, 1, "auth.token_ttl_s")?;
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
    let routes = Router::<Arc<OkkiState>>::new()
        .route(TOKEN_PATH, post(route::token))
        .route(ORDER_LIST_PATH, get(route::order_list))
        .route("/v1/{*path}", any(reply::unknown_path));
    Ok(assemble("okki", core, state, routes))
}
