//! The platform registry and the entry points the CLI and `ferry demo` use.
//!
//! Contract: [`Platform`] lists every simulator (one line each, explicit); [`SimConfig`] is a
//! platform's full configuration, tagged by `platform` in JSON/TOML; [`SimBuilder`] tweaks the
//! common settings and builds or serves; [`serve`] is the one-call form. Several simulators
//! can run in one process: each gets its own [`SimHandle`] and port.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::banniu::{self, BanniuConfig};
use crate::error::SimError;
use crate::framework::core::CommonConfig;
use crate::framework::faults::FaultConfig;
use crate::framework::rate::RateConfig;
use crate::framework::server::SimHandle;
use crate::framework::simulator::Simulator;
use crate::jackyun::{self, JackyunConfig};
use crate::jushuitan::{self, JushuitanConfig};
use crate::kingdee::{self, KingdeeConfig};
use crate::okki::{self, OkkiConfig};
use crate::wdt::{self, WdtConfig};
use crate::wdt_flagship::{self, WdtFlagshipConfig};

/// A simulated platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// WDT enterprise 旺店通·企业版: Qimen `wdt.stockout.order.query.trade` and native
    /// `stockout_order_query_trade.php`.
    Wdt,
    /// Jushuitan 聚水潭: Qimen `jushuitan.order.list.query` and native `/open/orders/single/query`.
    Jushuitan,
    /// OKKI CRM 小满: `GET /v1/invoices/order/list` with client-credentials tokens.
    Okki,
    /// WDT flagship 旺店通·旗舰版: Qimen `wdt.aftersales.refund.refund.search` and native
    /// `aftersales.refund.Refund.search`.
    WdtFlagship,
    /// Jackyun 吉客云: Qimen and native `jackyun.tradenotsensitiveinfos.list.get`.
    Jackyun,
    /// Kingdee K3Cloud 金蝶云星空: WebAPI logins, BatchSave/Save/Submit/Audit/Allocate and
    /// ExecuteBillQuery (a target).
    Kingdee,
    /// Banniu 班牛: `task.list`, `task.update`, `task.batchUpdate` on the mini-app gateway.
    Banniu,
}

impl Platform {
    /// Every platform, in display order.
    pub const ALL: [Platform; 7] = [
        Platform::Jushuitan,
        Platform::Jackyun,
        Platform::WdtFlagship,
        Platform::Okki,
        Platform::Wdt,
        Platform::Banniu,
        Platform::Kingdee,
    ];

    /// The platform's name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Jushuitan => "jushuitan",
            Platform::Wdt => "wdt",
            Platform::Okki => "okki",
            Platform::WdtFlagship => "wdt-flagship",
            Platform::Jackyun => "jackyun",
            Platform::Kingdee => "kingdee",
            Platform::Banniu => "banniu",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for Platform {
    type Err = SimError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Platform::ALL
            .into_iter()
            .find(|platform| platform.name() == name)
            .ok_or_else(|| {
                let available: Vec<String> = Platform::ALL
                    .iter()
                    .map(|platform| format!("`{}`", platform.name()))
                    .collect();
                SimError::UnknownPlatform {
                    name: name.to_owned(),
                    available: available.join(", "),
                }
            })
    }
}

/// A platform's complete simulator configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "platform", rename_all = "snake_case")]
pub enum SimConfig {
    /// WDT enterprise.
    Wdt(WdtConfig),
    /// Jushuitan.
    Jushuitan(JushuitanConfig),
    /// OKKI CRM 小满.
    Okki(OkkiConfig),
    /// WDT flagship.
    WdtFlagship(WdtFlagshipConfig),
    /// Jackyun.
    Jackyun(JackyunConfig),
    /// Kingdee K3Cloud.
    Kingdee(KingdeeConfig),
    /// Banniu.
    Banniu(BanniuConfig),
}

impl SimConfig {
    /// The default configuration of `platform`.
    pub fn default_for(platform: Platform) -> Self {
        match platform {
            Platform::Jushuitan => SimConfig::Jushuitan(JushuitanConfig::default()),
            Platform::Wdt => SimConfig::Wdt(WdtConfig::default()),
            Platform::Okki => SimConfig::Okki(OkkiConfig::default()),
            Platform::WdtFlagship => SimConfig::WdtFlagship(WdtFlagshipConfig::default()),
            Platform::Jackyun => SimConfig::Jackyun(JackyunConfig::default()),
            Platform::Kingdee => SimConfig::Kingdee(KingdeeConfig::default()),
            Platform::Banniu => SimConfig::Banniu(BanniuConfig::default()),
        }
    }

    /// Which platform this configures.
    pub fn platform(&self) -> Platform {
        match self {
            SimConfig::Jushuitan(_) => Platform::Jushuitan,
            SimConfig::Wdt(_) => Platform::Wdt,
            SimConfig::Okki(_) => Platform::Okki,
            SimConfig::WdtFlagship(_) => Platform::WdtFlagship,
            SimConfig::Jackyun(_) => Platform::Jackyun,
            SimConfig::Kingdee(_) => Platform::Kingdee,
            SimConfig::Banniu(_) => Platform::Banniu,
        }
    }

    /// The settings every platform has.
    pub fn common(&self) -> &CommonConfig {
        match self {
            SimConfig::Jushuitan(config) => &config.common,
            SimConfig::Wdt(config) => &config.common,
            SimConfig::Okki(config) => &config.common,
            SimConfig::WdtFlagship(config) => &config.common,
            SimConfig::Jackyun(config) => &config.common,
            SimConfig::Kingdee(config) => &config.common,
            SimConfig::Banniu(config) => &config.common,
        }
    }

    /// The settings every platform has, for changing.
    pub fn common_mut(&mut self) -> &mut CommonConfig {
        match self {
            SimConfig::Jushuitan(config) => &mut config.common,
            SimConfig::Wdt(config) => &mut config.common,
            SimConfig::Okki(config) => &mut config.common,
            SimConfig::WdtFlagship(config) => &mut config.common,
            SimConfig::Jackyun(config) => &mut config.common,
            SimConfig::Kingdee(config) => &mut config.common,
            SimConfig::Banniu(config) => &mut config.common,
        }
    }

    /// Generates the data and assembles the simulator.
    pub fn build(self) -> Result<Simulator, SimError> {
        match self {
            SimConfig::Jushuitan(config) => jushuitan::build(config),
            SimConfig::Wdt(config) => wdt::build(config),
            SimConfig::Okki(config) => okki::build(config),
            SimConfig::WdtFlagship(config) => wdt_flagship::build(config),
            SimConfig::Jackyun(config) => jackyun::build(config),
            SimConfig::Kingdee(config) => kingdee::build(config),
            SimConfig::Banniu(config) => banniu::build(config),
        }
    }
}

/// Builds `config`'s simulator and serves it on `addr` (port 0 = any free port).
pub async fn serve(config: SimConfig, addr: SocketAddr) -> Result<SimHandle, SimError> {
    config.build()?.serve(addr).await
}

/// Step-by-step configuration of one simulator, for tests and `ferry demo`.
#[derive(Debug, Clone)]
pub struct SimBuilder {
    config: SimConfig,
}

impl SimBuilder {
    /// Starts from `platform`'s defaults.
    pub fn new(platform: Platform) -> Self {
        Self {
            config: SimConfig::default_for(platform),
        }
    }

    /// Starts from a full configuration.
    pub fn from_config(config: SimConfig) -> Self {
        Self { config }
    }

    /// The seed of all data and fault randomness.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.common_mut().data.seed = seed;
        self
    }

    /// How many orders (top-level records) to generate.
    pub fn orders(mut self, orders: u32) -> Self {
        self.config.common_mut().data.orders = orders;
        self
    }

    /// The data range: first day (`yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss`) and length in days.
    pub fn data_range(mut self, start: &str, days: u32) -> Self {
        let data = &mut self.config.common_mut().data;
        data.start = start.to_owned();
        data.days = days;
        self
    }

    /// A fixed clock at `instant` (`yyyy-MM-dd HH:mm:ss`, Beijing time), or `"wall"`.
    pub fn clock(mut self, instant: &str) -> Self {
        self.config.common_mut().clock = Some(instant.to_owned());
        self
    }

    /// The rate limit (`None` = unlimited).
    pub fn rate(mut self, rate: Option<RateConfig>) -> Self {
        self.config.common_mut().rate = rate;
        self
    }

    /// The faults to inject from the start.
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.config.common_mut().faults = faults;
        self
    }

    /// The configuration built so far.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Generates the data and assembles the simulator.
    pub fn build(self) -> Result<Simulator, SimError> {
        self.config.build()
    }

    /// Builds and serves on `addr`.
    pub async fn serve(self, addr: SocketAddr) -> Result<SimHandle, SimError> {
        serve(self.config, addr).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_names_round_trip_and_unknown_lists_choices() {
        for platform in Platform::ALL {
            assert_eq!(platform.name().parse::<Platform>().unwrap(), platform);
        }
        let error = "jushuitam".parse::<Platform>().unwrap_err().to_string();
        assert_eq!(
            error,
            "unknown simulator platform `jushuitam` (available: `jushuitan`, `jackyun`, `wdt-flagship`, `okki`, `wdt`, `banniu`, `kingdee`)"
        );
    }

    #[test]
    fn config_is_tagged_by_platform() {
        let json =
            r#"{"platform":"jushuitan","common":{"data":{"orders":5}},"qimen":{"app_key":"k"}}"#;
        let config: SimConfig = serde_json::from_str(json).unwrap();
        assert_eq!(config.platform(), Platform::Jushuitan);
        assert_eq!(config.common().data.orders, 5);
        let SimConfig::Jushuitan(jushuitan) = &config else {
            panic!("expected a jushuitan config");
        };
        assert_eq!(jushuitan.qimen.app_key, "k");
        assert_eq!(jushuitan.qimen.target_app_key, "23060081");
        let unknown = r#"{"platform":"jushuitan","comon":{}}"#;
        assert!(serde_json::from_str::<SimConfig>(unknown).is_err());
    }
}
