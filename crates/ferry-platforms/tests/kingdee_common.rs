//! Shared helpers of the Kingdee target tests (included by `kingdee_target.rs` and
//! `kingdee_auth.rs` with `#[path]`; as its own test target it has no tests): a simulator on
//! 127.0.0.1:0 with its control handle, connections read from `ferry.toml` text, the seed
//! scheme 003 (optionally edited) and customer rows shaped as the seed renders them.

#![allow(dead_code)]

use ferry_model::scheme::{SchemeContext, load_scheme};
use ferry_model::{Connection, Scheme, SourceFile, load_config};
use ferry_platforms::Row;
use ferry_platforms::kingdee::{KingdeeTarget, open};
use ferry_sim::kingdee::build_with_control;
use ferry_sim::{KingdeeConfig, KingdeeControl, SimHandle};
use serde_json::{Map, Value, json};

/// The seed scheme's file text.
pub const SEED: &str = include_str!("../../../examples/schemes/003_wdt_customers_to_kingdee.json");

/// Settings of `examples/ferry.toml`'s `kingdee` connection (the simulator's defaults).
pub const PASSWORD_LOGIN: &[(&str, &str)] = &[
    ("acct_id", "5f1234567890ab"),
    ("username", "apiuser"),
    ("login", "validate_user"),
    ("password", "apipassword"),
];

/// App credentials the simulator knows, for the other login modes.
pub const APP_ID: &str = "123456_AbCdEfGhIjKlMnOpQrStUvWxYz012345";
pub const APP_SECRET: &str = "appsecret0123456789abcdef01234567";

/// A simulator for `config` on a free port, and its control handle.
pub async fn start(config: KingdeeConfig) -> (SimHandle, KingdeeControl) {
    let (simulator, control) = build_with_control(config).unwrap();
    let handle = simulator
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (handle, control)
}

/// Connection `kingdee` to `handle`'s site with `settings`, read from `ferry.toml` text.
pub fn connection(handle: &SimHandle, settings: &[(&str, &str)]) -> Connection {
    let mut text = format!(
        "[connections.kingdee]\nplatform = \"kingdee\"\nbase_url = \"{}/k3cloud/\"\ntimeout = \"5s\"\n",
        handle.base_url()
    );
    for (key, value) in settings {
        text.push_str(&format!("{key} = \"{value}\"\n"));
    }
    let file = SourceFile::new("ferry.toml", text);
    let config = load_config(&file, &|_| None).unwrap_or_else(|issues| {
        let lines: Vec<String> = issues.iter().map(ToString::to_string).collect();
        panic!("{}", lines.join("\n"))
    });
    config.connections["kingdee"].clone()
}

/// The seed scheme with `edit` applied to its target JSON.
pub fn scheme(edit: impl FnOnce(&mut Map<String, Value>)) -> Scheme {
    let mut document: Value = serde_json::from_str(SEED).unwrap();
    edit(document["target"].as_object_mut().unwrap());
    let text = serde_json::to_string_pretty(&document).unwrap();
    load_scheme(
        &SourceFile::new("003.json", text),
        &SchemeContext::default(),
    )
    .unwrap_or_else(|issues| {
        let lines: Vec<String> = issues.iter().map(ToString::to_string).collect();
        panic!("{}", lines.join("\n"))
    })
}

/// Sets `otherRequest` entry `field` to `value` (adding it when missing).
pub fn set_other(target: &mut Map<String, Value>, field: &str, value: &str) {
    let entries = target["otherRequest"].as_array_mut().unwrap();
    entries.retain(|entry| entry["field"] != field);
    entries.push(json!({"field": field, "type": "string", "value": value}));
}

/// Opens the target of `scheme` on `connection`.
pub async fn target(connection: &Connection, scheme: &Scheme) -> KingdeeTarget {
    open(connection, &scheme.target).await.unwrap()
}

/// A customer row as seed 003 renders it for invoice title `name` sold by a shop of `org`.
pub fn customer(name: &str, org: &str) -> Row {
    let values = json!({
        "FName": name,
        "FGroup": {"FNumber": "B11"},
        "FCreateOrgId": {"FNumber": "100"},
        "FUseOrgId": {"FNumber": org},
        "FTRADINGCURRID": {"FNumber": "PRE001"},
        "FINVOICETITLE": name,
        "FTAXREGISTERCODE": format!("91310000MA1{}", name.len())
    });
    Row::from_object(name, values.as_object().unwrap().clone())
}

/// Hostile but valid customer names.
pub const NAMES: [&str; 3] = [
    "上海某某贸易有限公司",
    "O'Brien \"Trading\" \\ Co 😀",
    "深圳,逗号'引号''两个 Ltd.",
];
