//! The WDT flagship 旺店通·旗舰版 simulator: refunds (退换单) through the Qimen gateway and the
//! native `/openapi` gateway (PROTOCOLS.md §5, §6).
//!
//! Contract: [`build`] generates the refunds for a [`WdtFlagshipConfig`] and returns a
//! [`Simulator`] serving
//!
//! * `POST /router/qm`, method `wdt.aftersales.refund.refund.search` ([`qimen_route`], §5.4),
//! * `POST /openapi?method=aftersales.refund.Refund.search&…` ([`native_route`], §5.1–5.3),
//!
//! both over the same refunds, plus the framework's `/_sim/` routes. Ground truth renders the
//! refunds exactly as the Qimen route does (the native route differs only in also returning
//! `wms_code`, "奇门自定义接口不返回该字段"). Inferred behaviour (\[I\]) is configurable in
//! [`WdtRules`]: the time format of `created`/`modified` (epoch ms as in the doc sample, or
//! `yyyy-MM-dd HH:mm:ss` text as in the doc's field table), the Qimen route's first page (1),
//! the page size cap (200) and the window cap (30 days, half-open `[modified_from,
//! modified_to)`). The late-index fault is not simulated here; moving records is.

pub mod native_route;
pub mod qimen_route;
pub mod query;
pub mod refunds;
pub mod sign;
pub mod store;

use std::sync::{Arc, RwLock};

use axum::Router;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::SimError;
use crate::framework::assemble::{TruthSource, assemble, check_at_least, check_not_empty, read};
use crate::framework::control::ModifiedRange;
use crate::framework::core::{CommonConfig, SimCore};
use crate::framework::simulator::Simulator;
use crate::qimen::{QIMEN_PATH, QimenGatewayConfig};
use crate::wdt_flagship::refunds::{RenderSettings, Route, render};
use crate::wdt_flagship::store::{RefundCore, RefundStore};

/// The Qimen method this simulator serves.
pub const QIMEN_METHOD: &str = "wdt.aftersales.refund.refund.search";
/// The native method this simulator serves.
pub const NATIVE_METHOD: &str = "aftersales.refund.Refund.search";
/// The native gateway path.
pub const NATIVE_PATH: &str = "/openapi";

/// How `created` and `modified` are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeFormat {
    /// Epoch milliseconds as JSON numbers (the doc's sample response).
    EpochMs,
    /// `yyyy-MM-dd HH:mm:ss` strings, Beijing time (the doc's field table).
    Text,
}

/// The WDT merchant credentials (`sid`, `appkey`, `secret:salt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WdtCredentials {
    /// The merchant id (`sid`, Qimen `wdt3_customer_id`).
    pub sid: String,
    /// The app key (`key`, Qimen `wdt_appkey`).
    pub appkey: String,
    /// The secret part of `secret:salt`.
    pub secret: String,
    /// The salt part of `secret:salt`.
    pub salt: String,
    /// Accepted clock skew of the native `timestamp` and the Qimen `datetime`, in seconds.
    pub timestamp_tolerance_s: u64,
}

impl Default for WdtCredentials {
    fn default() -> Self {
        Self {
            sid: "mysid".to_owned(),
            appkey: "mykey".to_owned(),
            secret: "testsecret".to_owned(),
            salt: "testsalt".to_owned(),
            timestamp_tolerance_s: 120,
        }
    }
}

/// Paging, window and rendering rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WdtRules {
    /// Largest `page_size` accepted.
    pub max_page_size: u32,
    /// Widest `modified_from..modified_to` window, in days.
    pub max_span_days: u32,
    /// First `page_no` on the Qimen route \[I\] (the native route always starts at 0).
    pub qimen_first_page: u32,
    /// How `created`/`modified` are rendered \[I\].
    pub time_format: TimeFormat,
}

impl Default for WdtRules {
    fn default() -> Self {
        Self {
            max_page_size: 200,
            max_span_days: 30,
            qimen_first_page: 1,
            time_format: TimeFormat::EpochMs,
        }
    }
}

/// Everything that configures a WDT flagship simulator; every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WdtFlagshipConfig {
    /// Data, clock, rate limit and faults.
    pub common: CommonConfig,
    /// The Qimen scene (`target_app_key` 87654321 by default) and the caller's credentials.
    pub qimen: QimenGatewayConfig,
    /// The WDT merchant credentials.
    pub wdt: WdtCredentials,
    /// Paging, window and rendering rules.
    pub rules: WdtRules,
}

impl Default for WdtFlagshipConfig {
    fn default() -> Self {
        Self {
            common: CommonConfig::default(),
            qimen: QimenGatewayConfig {
                target_app_key: "87654321".to_owned(),
                ..QimenGatewayConfig::default()
            },
            wdt: WdtCredentials::default(),
            rules: WdtRules::default(),
        }
    }
}

/// Shared state of the routes.
#[derive(Debug)]
pub struct WdtFlagshipState {
    /// Framework core.
    pub core: Arc<SimCore>,
    /// The configuration (validated).
    pub config: WdtFlagshipConfig,
    /// The refunds.
    pub store: RwLock<RefundStore>,
    /// Rendering settings.
    pub render: RenderSettings,
}

impl TruthSource for WdtFlagshipState {
    type Core = RefundCore;
    type Json = Value;

    fn snapshot(&self, range: ModifiedRange) -> Vec<(u32, RefundCore)> {
        read(&self.store).snapshot(range)
    }

    fn render(&self, record: u32, core: &RefundCore) -> Value {
        render(&self.render, record, core, Route::Qimen)
    }
}

fn validate(config: &WdtFlagshipConfig) -> Result<(), SimError> {
    let rules = &config.rules;
    check_at_least(rules.max_page_size, 1, "rules.max_page_size")?;
    check_at_least(rules.max_span_days, 1, "rules.max_span_days")?;
    if rules.qimen_first_page > 1 {
        return Err(SimError::config("rules.qimen_first_page", "must be 0 or 1"));
    }
    check_not_empty(&config.qimen.secret, "qimen.secret")?;
    check_not_empty(&config.wdt.secret, "wdt.secret")?;
    Ok(())
}

/// Generates the data and assembles the simulator (no socket yet).
pub fn build(config: WdtFlagshipConfig) -> Result<Simulator, SimError> {
    validate(&config)?;
    let core = Arc::new(SimCore::new(&config.common)?);
    let data = &config.common.data;
    let store = RefundStore::generate(data.seed, data.orders, data.range()?);
    let render = RenderSettings {
        seed: data.seed,
        max_string_len: data.max_string_len as usize,
        time_format: config.rules.time_format,
    };
    let state = Arc::new(WdtFlagshipState {
        core: Arc::clone(&core),
        config,
        store: RwLock::new(store),
        render,
    });
    let routes = Router::<Arc<WdtFlagshipState>>::new()
        .route(QIMEN_PATH, post(qimen_route::handle))
        .route(NATIVE_PATH, post(native_route::handle));
    Ok(assemble("wdt-flagship", core, state, routes))
}
