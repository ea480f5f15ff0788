//! The Jackyun 吉客云 simulator: sales orders through the Qimen gateway and the native open
//! gateway (PROTOCOLS.md §1, §6).
//!
//! Contract: [`build`] generates the trades for a [`JackyunConfig`] and returns a [`Simulator`]
//! serving
//!
//! * `POST /router/qm`, method `jackyun.tradenotsensitiveinfos.list.get`, TOP `sign` plus
//!   `jkysign` ([`qimen_route`], §1.4, scene `target_app_key` 21363512 by default), and
//! * `POST /open/openapi/do` with `jkysign`-style `sign` ([`native_route`], §1.2, §1.3),
//!
//! both over the same trades, plus the framework's `/_sim/` routes. Trades never move while a
//! client pages (the seed pages by consign time, which does not change), so the move-records
//! and late-index faults do not apply here; latency, 5xx, timeouts and truncation come from the
//! framework's fault layer. Ground truth renders trades exactly as the routes do, filtered by
//! `gmtModified`.

pub mod native_route;
pub mod qimen_route;
pub mod query;
pub mod reply;
pub mod sign;
pub mod trades;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::Router;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::SimError;
use crate::framework::assemble::{
    TruthSource, assemble, check_at_least, check_not_empty, check_page_sizes,
};
use crate::framework::control::ModifiedRange;
use crate::framework::core::{CommonConfig, SimCore};
use crate::framework::simulator::Simulator;
use crate::jackyun::query::QueryRules;
use crate::jackyun::trades::{KeyCase, Trade, generate, render};
use crate::qimen::{QIMEN_PATH, QimenGatewayConfig};

/// The method this simulator serves on both routes.
pub const TRADE_LIST_METHOD: &str = "jackyun.tradenotsensitiveinfos.list.get";
/// The native gateway path.
pub const NATIVE_PATH: &str = "/open/openapi/do";

/// Jackyun's own credentials: `jkyappkey`/`jkysign` on the Qimen route, `appkey`/`sign` natively.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JackyunAppConfig {
    /// The known Jackyun appkey.
    pub appkey: String,
    /// Its secret.
    pub secret: String,
    /// The `jkycustomerid` the Qimen route accepts.
    pub customer_id: String,
    /// Accepted distance between the native `timestamp` and the clock, in seconds \[I\].
    pub timestamp_tolerance_s: u64,
}

impl Default for JackyunAppConfig {
    fn default() -> Self {
        Self {
            appkey: "jkyappkey".to_owned(),
            secret: "jkysecret".to_owned(),
            customer_id: "jkycust-1".to_owned(),
            timestamp_tolerance_s: 600,
        }
    }
}

/// How responses are shaped (the \[I\] points of §1.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplyConfig {
    /// Share of successful pages whose `result.data` is sent as a JSON string, `0.0..=1.0`.
    pub data_as_string: f64,
    /// Record key spelling.
    pub key_case: KeyCase,
}

impl Default for ReplyConfig {
    fn default() -> Self {
        Self {
            data_as_string: 0.5,
            key_case: KeyCase::Camel,
        }
    }
}

/// Everything that configures a Jackyun simulator; every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JackyunConfig {
    /// Data, clock, rate limit and faults.
    pub common: CommonConfig,
    /// The Qimen scene and the caller's Qimen credentials.
    pub qimen: QimenGatewayConfig,
    /// Jackyun app credentials (both routes).
    pub app: JackyunAppConfig,
    /// Paging and window limits.
    pub rules: QueryRules,
    /// Response shape options.
    pub reply: ReplyConfig,
}

impl Default for JackyunConfig {
    fn default() -> Self {
        Self {
            common: CommonConfig::default(),
            qimen: QimenGatewayConfig {
                target_app_key: "21363512".to_owned(),
                ..QimenGatewayConfig::default()
            },
            app: JackyunAppConfig::default(),
            rules: QueryRules::default(),
            reply: ReplyConfig::default(),
        }
    }
}

/// Shared state of the routes.
#[derive(Debug)]
pub struct JackyunState {
    /// Framework core.
    pub core: Arc<SimCore>,
    /// The configuration (validated).
    pub config: JackyunConfig,
    /// The trades, in `gmtCreate` order (never change).
    pub trades: Vec<Trade>,
    /// Successful pages served (drives the `data_as_string` coin).
    pub pages: AtomicU64,
}

/// The trades never change, so a snapshot copies only their indexes.
impl TruthSource for JackyunState {
    type Core = ();
    type Json = Value;

    fn snapshot(&self, range: ModifiedRange) -> Vec<(u32, ())> {
        self.trades
            .iter()
            .enumerate()
            .filter(|(_, trade)| range.contains(trade.modified))
            .map(|(record, _)| (record as u32, ()))
            .collect()
    }

    fn render(&self, record: u32, _core: &()) -> Value {
        render(&self.trades[record as usize], self.config.reply.key_case)
    }
}

fn validate(config: &JackyunConfig) -> Result<(), SimError> {
    let rules = &config.rules;
    check_page_sizes(rules.max_page_size, rules.default_page_size)?;
    check_at_least(rules.max_span_days, 1, "rules.max_span_days")?;
    if !(0.0..=1.0).contains(&config.reply.data_as_string) {
        return Err(SimError::config(
            "reply.data_as_string",
            "must be within 0.0..=1.0",
        ));
    }
    check_not_empty(&config.qimen.secret, "qimen.secret")?;
    check_not_empty(&config.app.secret, "app.secret")?;
    Ok(())
}

/// Generates the data and assembles the simulator (no socket yet).
pub fn build(config: JackyunConfig) -> Result<Simulator, SimError> {
    validate(&config)?;
    let core = Arc::new(SimCore::new(&config.common)?);
    let data = &config.common.data;
    let trades = generate(
        data.seed,
        data.orders,
        data.range()?,
        data.max_string_len as usize,
    );
    let state = Arc::new(JackyunState {
        core: Arc::clone(&core),
        config,
        trades,
        pages: AtomicU64::new(0),
    });
    let routes = Router::<Arc<JackyunState>>::new()
        .route(QIMEN_PATH, post(qimen_route::handle))
        .route(NATIVE_PATH, post(native_route::handle));
    Ok(assemble("jackyun", core, state, routes))
}
