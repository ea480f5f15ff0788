//! Shared helpers of the Jushuitan client tests: a simulator on 127.0.0.1:0 following the wall
//! clock (the clients stamp real time), connections read from `ferry.toml` text the way ferry
//! reads them, and a pager that walks a window to its end.

#![allow(dead_code)]

use std::sync::Arc;

use ferry_model::{Connection, SourceFile, load_config};
use ferry_platforms::{CallError, Page, PageRequest, Source, open_source};
use ferry_sim::{FaultConfig, ModifiedRange, Platform, RateConfig, SimBuilder, SimHandle};
use serde_json::{Map, Value, json};

/// 2024-01-03 00:00:00 Beijing, Unix seconds.
pub const JAN_3: i64 = 1_704_211_200;
/// 2024-01-10 00:00:00 Beijing, Unix seconds.
pub const JAN_10: i64 = 1_704_816_000;
/// The seven-day window every paging test walks.
pub const WINDOW: (&str, &str) = ("2024-01-03 00:00:00", "2024-01-10 00:00:00");
/// The Qimen API and native API under test.
pub const QIMEN_API: &str = "jushuitan.order.list.query";
pub const NATIVE_API: &str = "/open/orders/single/query";
/// Credentials the simulator knows (its defaults).
pub const QIMEN_SETTINGS: &[(&str, &str)] = &[
    ("app_key", "12345678"),
    ("secret", "qimensecret"),
    ("customer_id", "cust-1"),
    ("target_app_key", "23060081"),
];
pub const NATIVE_SETTINGS: &[(&str, &str)] = &[
    ("app_key", "jstappkey"),
    ("app_secret", "jstsecret"),
    ("access_token", "jsttoken"),
];

/// A Jushuitan simulator with `orders` orders over January 2024, on the wall clock.
pub async fn start(orders: u32, faults: FaultConfig, rate: Option<RateConfig>) -> SimHandle {
    SimBuilder::new(Platform::Jushuitan)
        .seed(11)
        .orders(orders)
        .data_range("2024-01-01", 30)
        .faults(faults)
        .rate(rate)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// A connection named `jst` read from `ferry.toml` text.
pub fn connection(
    platform: &str,
    base_url: &str,
    timeout: &str,
    settings: &[(&str, &str)],
) -> Connection {
    let mut text = format!(
        "[connections.jst]\nplatform = \"{platform}\"\nbase_url = \"{base_url}\"\ntimeout = \"{timeout}\"\n"
    );
    for (key, value) in settings {
        text.push_str(&format!("{key} = \"{value}\"\n"));
    }
    let file = SourceFile::new("ferry.toml", text);
    let config = load_config(&file, &|_| None).unwrap_or_else(|issues| {
        let lines: Vec<String> = issues.iter().map(ToString::to_string).collect();
        panic!("{}", lines.join("\n"))
    });
    config.connections["jst"].clone()
}

/// `settings` with `key` replaced by `value`.
pub fn with(
    settings: &[(&'static str, &'static str)],
    key: &'static str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    let mut changed: Vec<_> = settings
        .iter()
        .filter(|(name, _)| *name != key)
        .copied()
        .collect();
    changed.push((key, value));
    changed
}

/// The Qimen source on `handle` with `settings`.
pub fn qimen_source(handle: &SimHandle, settings: &[(&str, &str)]) -> Arc<dyn Source> {
    let url = format!("{}/router/qm", handle.base_url());
    open_source(
        &connection("jushuitan-qimen", &url, "5s", settings),
        QIMEN_API,
    )
    .unwrap()
}

/// The native source on `handle` with `settings`.
pub fn native_source(handle: &SimHandle, settings: &[(&str, &str)]) -> Arc<dyn Source> {
    let url = handle.base_url();
    open_source(&connection("jushuitan", &url, "5s", settings), NATIVE_API).unwrap()
}

/// The rendered Qimen request of a window.
pub fn qimen_params(start: &str, end: &str) -> Map<String, Value> {
    let value = json!({"start_time": start, "end_time": end});
    value.as_object().unwrap().clone()
}

/// The rendered native request of a window.
pub fn native_params(start: &str, end: &str) -> Map<String, Value> {
    let value = json!({"modified_begin": start, "modified_end": end});
    value.as_object().unwrap().clone()
}

/// One page.
pub async fn fetch(
    source: &dyn Source,
    params: &Map<String, Value>,
    page: u32,
    page_size: u32,
) -> Result<Page, CallError> {
    source
        .fetch_page(PageRequest {
            params,
            page,
            page_size,
        })
        .await
}

/// Every page of a window until `has_next` is false.
pub async fn page_all(
    source: &dyn Source,
    params: &Map<String, Value>,
    page_size: u32,
) -> Vec<Page> {
    let first = source.shape().first_page;
    let mut pages = Vec::new();
    for page in first..first + 1_000 {
        let fetched = fetch(source, params, page, page_size).await.unwrap();
        let more = fetched.has_next == Some(true);
        pages.push(fetched);
        if !more {
            return pages;
        }
    }
    panic!("the window did not end within 1000 pages");
}

/// The orders of the inclusive window `[JAN_3, JAN_10]`, sorted by `o_id`.
pub fn truth(handle: &SimHandle) -> Vec<Value> {
    let mut orders = handle.simulator().ground_truth(ModifiedRange {
        from: Some(JAN_3),
        to: Some(JAN_10 + 1),
    });
    sort_by_o_id(&mut orders);
    orders
}

pub fn sort_by_o_id(orders: &mut [Value]) {
    orders.sort_by_key(|order| order["o_id"].as_u64().unwrap());
}

/// `o_id`s of `orders`.
pub fn o_ids(orders: &[Value]) -> Vec<u64> {
    orders
        .iter()
        .map(|order| order["o_id"].as_u64().unwrap())
        .collect()
}

/// The message of any error.
pub fn message(error: &CallError) -> &str {
    match error {
        CallError::RateLimited { message, .. }
        | CallError::Transient { message }
        | CallError::Rejected { message }
        | CallError::Invalid { message } => message,
    }
}
