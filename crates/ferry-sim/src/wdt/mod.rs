//! The WDT enterprise 旺店通·企业版 simulator: sales stockouts (销售出库单) through the Qimen
//! gateway and the native open API.
//!
//! Contract: [`build`] generates the stockouts for a [`WdtConfig`] and returns a
//! [`Simulator`] serving
//!
//! * `POST /router/qm`, method `wdt.stockout.order.query.trade` ([`qimen_route`], PROTOCOLS.md
//!   §4.3, §6; scene `target_app_key` `wdtqimenkey`, routing `sid`), and
//! * `POST /openapi2/stockout_order_query_trade.php` ([`native_route`], §4.1–4.2); other
//!   `/openapi2/...` paths answer code 1090,
//!
//! both over the same stockouts (paged from `page_no` 0, `total_count`), plus the framework's
//! `/_sim/` routes. Ground truth renders stockouts exactly as the routes do, in
//! `stockout_id` order. Default credentials are those of `examples/ferry.toml` (connection
//! `wdt`) and the PROTOCOLS.md §4.1 worked example (`mysid` / `myappkey` / `wdtsecret`).

pub mod native_route;
pub mod qimen_route;
pub mod query;
pub mod records;
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
use crate::qimen::{QIMEN_PATH, QimenGatewayConfig};
use crate::wdt::qimen_route::QimenThrottle;
use crate::wdt::query::QueryRules;
use crate::wdt::records::{RenderSettings, StockoutJson, render};
use crate::wdt::store::{StockoutCore, StockoutStore};

/// The Qimen method this simulator serves.
pub const STOCKOUT_METHOD: &str = "wdt.stockout.order.query.trade";
/// The native path this simulator serves.
pub const NATIVE_PATH: &str = "/openapi2/stockout_order_query_trade.php";
/// WDT's "too frequent" code (PROTOCOLS.md §4.2 \[C\]).
pub const RATE_LIMIT_CODE: u32 = 1012;
/// Its message \[I\].
pub const RATE_LIMIT_MESSAGE: &str = "调用频繁,请稍后重试";

/// The merchant and the native API credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NativeConfig {
    /// The merchant account (`sid`), also required on the Qimen route.
    pub sid: String,
    /// The known `appkey`.
    pub appkey: String,
    /// Its `appsecret` (signing key).
    pub appsecret: String,
    /// Accepted distance between `timestamp` (Unix seconds) and the clock (±300 s \[C-weak\]).
    pub timestamp_tolerance_s: u64,
}

impl Default for NativeConfig {
    fn default() -> Self {
        Self {
            sid: "mysid".to_owned(),
            appkey: "myappkey".to_owned(),
            appsecret: "wdtsecret".to_owned(),
            timestamp_tolerance_s: 300,
        }
    }
}

fn default_gateway() -> QimenGatewayConfig {
    QimenGatewayConfig {
        target_app_key: "wdtqimenkey".to_owned(),
        ..QimenGatewayConfig::default()
    }
}

/// Everything that configures a WDT enterprise simulator; every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WdtConfig {
    /// Data, clock, rate limit and faults.
    pub common: CommonConfig,
    /// The Qimen scene (`target_app_key` `wdtqimenkey` by default) and the caller.
    pub qimen: QimenGatewayConfig,
    /// Merchant and native credentials.
    pub native: NativeConfig,
    /// Paging and window limits.
    pub rules: QueryRules,
    /// Who answers over-limit requests on the Qimen route \[I\].
    pub qimen_throttle: QimenThrottle,
}

impl Default for WdtConfig {
    fn default() -> Self {
        Self {
            common: CommonConfig::default(),
            qimen: default_gateway(),
            native: NativeConfig::default(),
            rules: QueryRules::default(),
            qimen_throttle: QimenThrottle::default(),
        }
    }
}

/// Shared state of the routes.
#[derive(Debug)]
pub struct WdtState {
    /// Framework core.
    pub core: Arc<SimCore>,
    /// The configuration (validated).
    pub config: WdtConfig,
    /// The stockouts.
    pub store: RwLock<StockoutStore>,
    /// Rendering settings.
    pub render: RenderSettings,
}

impl TruthSource for WdtState {
    type Core = StockoutCore;
    type Json = StockoutJson;

    fn snapshot(&self, range: ModifiedRange) -> Vec<(u32, StockoutCore)> {
        read(&self.store).snapshot(range)
    }

    fn render(&self, record: u32, core: &StockoutCore) -> StockoutJson {
        render(&self.render, record, core)
    }
}

fn validate(config: &WdtConfig) -> Result<(), SimError> {
    let rules = &config.rules;
    check_page_sizes(rules.max_page_size, rules.default_page_size)?;
    check_at_least(rules.max_span_seconds, 3_600, "rules.max_span_seconds")?;
    check_not_empty(&config.qimen.secret, "qimen.secret")?;
    check_not_empty(&config.native.appsecret, "native.appsecret")?;
    Ok(())
}

/// Generates the data and assembles the simulator (no socket yet).
pub fn build(config: WdtConfig) -> Result<Simulator, SimError> {
    validate(&config)?;
    let core = Arc::new(SimCore::new(&config.common)?);
    let data = &config.common.data;
    let store = StockoutStore::generate(data.seed, data.orders, data.range()?);
    let render = RenderSettings {
        seed: data.seed,
        max_string_len: data.max_string_len as usize,
    };
    let state = Arc::new(WdtState {
        core: Arc::clone(&core),
        config,
        store: RwLock::new(store),
        render,
    });
    let routes = Router::<Arc<WdtState>>::new()
        .route(
            QIMEN_PATH,
            post(qimen_route::handle).get(qimen_route::handle),
        )
        .route(NATIVE_PATH, post(native_route::handle))
        .route("/openapi2/{*path}", any(native_route::unknown_path));
    Ok(assemble("wdt", core, state, routes))
}
