//! Shared helpers of the Jushuitan simulator tests: a simulator on port 0 with a fixed clock,
//! and a client-side signer written here independently of the simulator's checker.

#![allow(dead_code)]

use std::collections::BTreeMap;

use ferry_sim::{ClockSetting, FaultConfig, Platform, SimBuilder, SimHandle};
use md5::{Digest, Md5};
use serde_json::Value;

/// The fixed clock of every test simulator (Beijing time).
pub const NOW: &str = "2024-02-01 00:00:00";
/// The Qimen secret of the default config.
pub const QIMEN_SECRET: &str = "qimensecret";

/// Starts a Jushuitan simulator with `orders` orders over January 2024.
pub async fn start(seed: u64, orders: u32, faults: FaultConfig) -> SimHandle {
    SimBuilder::new(Platform::Jushuitan)
        .seed(seed)
        .orders(orders)
        .data_range("2024-01-01", 30)
        .clock(NOW)
        .faults(faults)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// TOP md5 signing as a client would do it (PROTOCOLS.md §6.3).
pub fn qimen_md5(params: &BTreeMap<String, String>, secret: &str) -> String {
    let mut text = String::from(secret);
    for (key, value) in params {
        if key != "sign" && !value.is_empty() {
            text.push_str(key);
            text.push_str(value);
        }
    }
    text.push_str(secret);
    hex::encode_upper(Md5::digest(text.as_bytes()))
}

/// Jushuitan v2 signing as a client would do it (PROTOCOLS.md §3.2).
pub fn native_md5(params: &BTreeMap<String, String>, secret: &str) -> String {
    let mut text = String::from(secret);
    for (key, value) in params {
        if key != "sign" {
            text.push_str(key);
            text.push_str(value);
        }
    }
    hex::encode(Md5::digest(text.as_bytes()))
}

fn owned(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The simulator's clock as `yyyy-MM-dd HH:mm:ss` (the tests use fixed clocks).
pub fn sim_now(handle: &SimHandle) -> String {
    match handle.simulator().clock().setting() {
        ClockSetting::Fixed(text) => text,
        other => panic!("tests use a fixed clock, not {other:?}"),
    }
}

/// Signed Qimen order-list params with the given business fields, stamped [`NOW`].
pub fn qimen_params(business: &[(&str, &str)]) -> BTreeMap<String, String> {
    qimen_params_at(NOW, business)
}

/// Signed Qimen order-list params with the given business fields and timestamp.
pub fn qimen_params_at(timestamp: &str, business: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut params = owned(&[
        ("app_key", "12345678"),
        ("method", "jushuitan.order.list.query"),
        ("timestamp", timestamp),
        ("format", "json"),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("target_app_key", "23060081"),
        ("customer_id", "cust-1"),
    ]);
    params.extend(owned(business));
    let sign = qimen_md5(&params, QIMEN_SECRET);
    params.insert("sign".to_owned(), sign);
    params
}

/// Signed native params with `biz`.
pub fn native_params(biz: &Value) -> BTreeMap<String, String> {
    let now = 1_706_716_800i64; // NOW as Unix seconds
    let mut params = owned(&[
        ("app_key", "jstappkey"),
        ("access_token", "jsttoken"),
        ("version", "2"),
        ("charset", "utf-8"),
    ]);
    params.insert("timestamp".to_owned(), now.to_string());
    params.insert("biz".to_owned(), biz.to_string());
    let sign = native_md5(&params, "jstsecret");
    params.insert("sign".to_owned(), sign);
    params
}

/// POSTs form `params` to `path` and returns status and body text.
pub async fn post_form(
    handle: &SimHandle,
    path: &str,
    params: &BTreeMap<String, String>,
) -> (u16, String) {
    let response = http()
        .post(format!("{}{path}", handle.base_url()))
        .form(params)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// POSTs a Qimen call and parses the JSON reply.
pub async fn qimen(handle: &SimHandle, business: &[(&str, &str)]) -> Value {
    let params = qimen_params_at(&sim_now(handle), business);
    let (status, body) = post_form(handle, "/router/qm", &params).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// Pages a Qimen window to the end; returns every order in the order served.
pub async fn page_all_qimen(
    handle: &SimHandle,
    start: &str,
    end: &str,
    page_size: u32,
) -> Vec<Value> {
    let mut orders = Vec::new();
    let size = page_size.to_string();
    for page_index in 1.. {
        let index = page_index.to_string();
        let reply = qimen(
            handle,
            &[
                ("page_index", &index),
                ("page_size", &size),
                ("start_time", start),
                ("end_time", end),
            ],
        )
        .await;
        let response = &reply["response"];
        assert_eq!(response["code"], 0, "{reply}");
        orders.extend(response["orders"].as_array().unwrap().iter().cloned());
        if !response["has_next"].as_bool().unwrap() {
            break;
        }
    }
    orders
}

/// `o_id`s of `orders`.
pub fn o_ids(orders: &[Value]) -> Vec<u64> {
    orders
        .iter()
        .map(|order| order["o_id"].as_u64().unwrap())
        .collect()
}

/// Fetches `/_sim/stats`.
pub async fn stats(handle: &SimHandle) -> Value {
    reqwest::get(format!("{}/_sim/stats", handle.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A reqwest client builder; installs the rustls crypto provider the workspace's reqwest
/// (built without a default provider) needs.
pub fn http_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// A default reqwest client.
pub fn http() -> reqwest::Client {
    http_builder().build().expect("a reqwest client")
}
