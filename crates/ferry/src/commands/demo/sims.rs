//! The demo's simulators: every platform of the five seeds, in this process, on loopback ports
//! the system picks, with fixed seeds so every demo sees the same data.
//!
//! Seed 000 updates the Banniu task whose column 77213 (线上单号) holds a Jackyun trade's
//! `onlineTradeNo`; the two platforms are independent, so the demo creates one Banniu task per
//! distinct `onlineTradeNo` of the trades seed 000 selects, as a shop's 班牛 would have them.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use anyhow::Context;
use ferry_sim::banniu::{NewTask, build_parts};
use ferry_sim::kingdee::build_with_control;
use ferry_sim::{
    BanniuConfig, BanniuTasks, KingdeeConfig, KingdeeControl, ModifiedRange, Platform, SimBuilder,
    SimConfig, SimHandle,
};
use serde_json::Value;

use super::files::Endpoints;
use super::secrets::DemoSecrets;

/// Seed of every simulator's data.
const SEED: u64 = 2024;

/// The running simulators.
pub struct Sims {
    pub jushuitan: SimHandle,
    pub jackyun: SimHandle,
    pub okki: SimHandle,
    pub wdt: SimHandle,
    pub wdt_flagship: SimHandle,
    pub kingdee: SimHandle,
    pub kingdee_control: KingdeeControl,
    pub banniu: SimHandle,
    pub banniu_tasks: BanniuTasks,
    /// Ids of the Banniu tasks the demo created.
    pub created_tasks: Vec<u64>,
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn start(
    platform: Platform,
    orders: u32,
    secrets: &DemoSecrets,
) -> anyhow::Result<SimHandle> {
    let mut config = SimConfig::default_for(platform);
    secrets.configure(&mut config);
    SimBuilder::from_config(config)
        .seed(SEED)
        .orders(orders)
        .serve(loopback())
        .await
        .with_context(|| format!("cannot start the {platform} simulator"))
}

/// Starts every simulator; `orders` is the Jushuitan order count (the others use a quarter).
pub async fn start_all(orders: u32, secrets: &DemoSecrets) -> anyhow::Result<Sims> {
    let smaller = (orders / 4).max(50);
    let jushuitan = start(Platform::Jushuitan, orders, secrets).await?;
    let jackyun = start(Platform::Jackyun, smaller, secrets).await?;
    let okki = start(Platform::Okki, smaller, secrets).await?;
    let wdt = start(Platform::Wdt, smaller, secrets).await?;
    let wdt_flagship = start(Platform::WdtFlagship, smaller, secrets).await?;
    let mut kingdee_config = KingdeeConfig::default();
    secrets.configure_kingdee(&mut kingdee_config);
    let (kingdee_sim, kingdee_control) = build_with_control(kingdee_config)?;
    let kingdee = kingdee_sim.serve(loopback()).await?;
    let mut banniu_config = BanniuConfig::default();
    secrets.configure_banniu(&mut banniu_config);
    banniu_config.common.data.seed = SEED;
    banniu_config.common.data.orders = 20;
    let (banniu_sim, banniu_tasks) = build_parts(banniu_config)?;
    let banniu = banniu_sim.serve(loopback()).await?;
    let numbers = online_trade_numbers(&jackyun);
    let new_tasks: Vec<NewTask> = numbers
        .iter()
        .map(|number| NewTask::with(&[("77213", number.as_str())]))
        .collect();
    let created_tasks = banniu_tasks
        .add(&new_tasks)
        .map_err(|error| anyhow::anyhow!("cannot create the Banniu tasks: {error}"))?;
    Ok(Sims {
        jushuitan,
        jackyun,
        okki,
        wdt,
        wdt_flagship,
        kingdee,
        kingdee_control,
        banniu,
        banniu_tasks,
        created_tasks,
    })
}

/// The trades seed 000's request selects: trade type 92, consigned.
pub fn selected_trades(jackyun: &SimHandle) -> Vec<Value> {
    jackyun
        .simulator()
        .ground_truth(ModifiedRange::default())
        .into_iter()
        .filter(|trade| trade["tradeType"] == 92 && trade["consignTime"].is_string())
        .collect()
}

fn online_trade_numbers(jackyun: &SimHandle) -> BTreeSet<String> {
    selected_trades(jackyun)
        .iter()
        .filter_map(|trade| trade["onlineTradeNo"].as_str())
        .filter(|number| !number.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Sims {
    /// Where each simulator listens.
    pub fn endpoints(&self) -> Endpoints {
        Endpoints {
            jushuitan: self.jushuitan.base_url(),
            jackyun: self.jackyun.base_url(),
            okki: self.okki.base_url(),
            wdt: self.wdt.base_url(),
            wdt_flagship: self.wdt_flagship.base_url(),
            kingdee: self.kingdee.base_url(),
            banniu: self.banniu.base_url(),
        }
    }
}
