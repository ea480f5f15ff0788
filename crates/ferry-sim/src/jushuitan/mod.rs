//! The Jushuitan 聚水潭 simulator: orders through the Qimen gateway and the native open API v2.
//!
//! Contract: [`build`] generates the orders for a [`JushuitanConfig`] and returns a
//! [`Simulator`] serving
//!
//! * `POST /router/qm`, method `jushuitan.order.list.query` ([`qimen_route`], PROTOCOLS.md §3.1,
//!   §6), and
//! * `POST /open/orders/single/query` ([`native_route`], §3.2–3.4); other `/open/...` paths
//!   answer code 190 接口不存在,
//!
//! both over the same orders, plus the framework's `/_sim/` routes. Ground truth renders orders
//! exactly as the routes do.

pub mod native_route;
pub mod orders;
pub mod qimen_route;
pub mod query;
pub mod service;
pub mod sign;
pub mod store;
pub mod text;

use std::sync::{Arc, RwLock};

use axum::Router;
use axum::routing::{any, post};
use serde::{Deserialize, Serialize};

use crate::error::SimError;
use crate::framework::assemble::{
    TruthSource, assemble, check_at_least, check_not_empty, check_page_sizes, read,
};
use crate::framework::control::ModifiedRange;
use crate::framework::core::{CommonConfig, SimCore};
use crate::framework::simulator::Simulator;
use crate::jushuitan::orders::{OrderJson, RenderSettings, render};
use crate::jushuitan::query::QueryRules;
use crate::jushuitan::store::{OrderCore, OrderStore};
use crate::qimen::{QIMEN_PATH, QimenGatewayConfig};

/// The Qimen method this simulator serves.
pub const ORDER_LIST_METHOD: &str = "jushuitan.order.list.query";

/// Credentials of the native open API v2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NativeConfig {
    /// The known `app_key`.
    pub app_key: String,
    /// Its `app_secret` (signing key).
    pub app_secret: String,
    /// The valid `access_token`.
    pub access_token: String,
    /// Accepted distance between `timestamp` (Unix seconds) and the clock, in seconds \[I\].
    pub timestamp_tolerance_s: u64,
}

impl Default for NativeConfig {
    fn default() -> Self {
        Self {
            app_key: "jstappkey".to_owned(),
            app_secret: "jstsecret".to_owned(),
            access_token: "jsttoken".to_owned(),
            timestamp_tolerance_s: 600,
        }
    }
}

/// Everything that configures a Jushuitan simulator; every field has a default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JushuitanConfig {
    /// Data, clock, rate limit and faults.
    pub common: CommonConfig,
    /// The Qimen scene (`target_app_key` 23060081 by default) and the caller's credentials.
    pub qimen: QimenGatewayConfig,
    /// Native open API credentials.
    pub native: NativeConfig,
    /// Paging and window limits.
    pub rules: QueryRules,
}

/// Shared state of the routes.
#[derive(Debug)]
pub struct JushuitanState {
    /// Framework core.
    pub core: Arc<SimCore>,
    /// The configuration (validated).
    pub config: JushuitanConfig,
    /// The orders.
    pub store: RwLock<OrderStore>,
    /// Rendering settings.
    pub render: RenderSettings,
}

impl TruthSource for JushuitanState {
    type Core = OrderCore;
    type Json = OrderJson;

    fn snapshot(&self, range: ModifiedRange) -> Vec<(u32, OrderCore)> {
        read(&self.store).snapshot(range)
    }

    fn render(&self, record: u32, core: &OrderCore) -> OrderJson {
        render(&self.render, record, core)
    }
}

fn validate(config: &JushuitanConfig) -> Result<(), SimError> {
    let rules = &config.rules;
    check_page_sizes(rules.max_page_size, rules.default_page_size)?;
    check_at_least(rules.max_span_days, 1, "rules.max_span_days")?;
    check_not_empty(&config.qimen.secret, "qimen.secret")?;
    check_not_empty(&config.native.app_secret, "native.app_secret")?;
    Ok(())
}

/// Generates the data and assembles the simulator (no socket yet).
pub fn build(config: JushuitanConfig) -> Result<Simulator, SimError> {
    validate(&config)?;
    let core = Arc::new(SimCore::new(&config.common)?);
    let data = &config.common.data;
    let store = OrderStore::generate(data.seed, data.orders, data.range()?);
    let render = RenderSettings {
        seed: data.seed,
        co_id: config.rules.co_id,
        max_string_len: data.max_string_len as usize,
    };
    let state = Arc::new(JushuitanState {
        core: Arc::clone(&core),
        config,
        store: RwLock::new(store),
        render,
    });
    let routes = Router::<Arc<JushuitanState>>::new()
        .route(
            QIMEN_PATH,
            post(qimen_route::handle).get(qimen_route::handle),
        )
        .route("/open/orders/single/query", post(native_route::handle))
        .route("/open/{*path}", any(native_route::unknown_path));
    Ok(assemble("jushuitan", core, state, routes))
}
