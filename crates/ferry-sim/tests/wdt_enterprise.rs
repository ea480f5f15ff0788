//! The WDT enterprise simulator over HTTP: both routes' signature checks and failure replies,
//! paging from `page_no` 0 to exactly the ground truth under seed 003's filters, the one-day
//! window cap, and the rate-limit replies (gateway code 7, WDT code 1012). Requests are signed
//! here, independently of the simulator's checker (PROTOCOLS.md §4.1, §6.3).

use std::collections::BTreeMap;

use ferry_sim::{
    ModifiedRange, Platform, RateConfig, SimBuilder, SimConfig, SimHandle, WdtConfig,
    wdt::qimen_route::QimenThrottle,
};
use md5::{Digest, Md5};
use serde_json::{Value, json};

/// The fixed clock (Beijing time) and its Unix seconds.
const NOW: &str = "2024-02-01 00:00:00";
const NOW_SECONDS: i64 = 1_706_716_800;
/// 2024-01-05 00:00:00 and 2024-01-06 00:00:00 Beijing.
const DAY: (&str, &str) = ("2024-01-05 00:00:00", "2024-01-06 00:00:00");
const DAY_SECONDS: (i64, i64) = (1_704_384_000, 1_704_470_400);

async fn start(config: WdtConfig, orders: u32) -> SimHandle {
    SimBuilder::from_config(SimConfig::Wdt(config))
        .seed(21)
        .orders(orders)
        .data_range("2024-01-01", 30)
        .clock(NOW)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn owned(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// TOP md5 (§6.3).
fn top_md5(params: &BTreeMap<String, String>, secret: &str) -> String {
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

/// The WDT length-prefixed md5 (§4.1).
fn wdt_md5(params: &BTreeMap<String, String>, secret: &str) -> String {
    let packed: Vec<String> = params
        .iter()
        .filter(|(key, _)| *key != "sign")
        .map(|(k, v)| format!("{:02}-{k}:{:04}-{v}", k.chars().count(), v.chars().count()))
        .collect();
    hex::encode(Md5::digest(
        format!("{}{secret}", packed.join(";")).as_bytes(),
    ))
}

fn seed_003_business(page_no: u32, page_size: u32) -> Vec<(String, String)> {
    let page_no = page_no.to_string();
    let page_size = page_size.to_string();
    [
        ("start_time", DAY.0),
        ("end_time", DAY.1),
        ("status", "95,105,110,113"),
        ("shop_nos", "002,003,004,0071"),
        ("is_by_modified", "1"),
        ("page_no", page_no.as_str()),
        ("page_size", page_size.as_str()),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

async fn post(url: &str, params: &BTreeMap<String, String>) -> Value {
    // The workspace's reqwest has no default crypto provider.
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    let reply = reqwest::Client::new()
        .post(url)
        .form(params)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    reply.json().await.unwrap()
}

async fn qimen(handle: &SimHandle, business: &[(String, String)], secret: &str) -> Value {
    let mut params = owned(&[
        ("method", "wdt.stockout.order.query.trade"),
        ("app_key", "12345678"),
        ("target_app_key", "wdtqimenkey"),
        ("sid", "mysid"),
        ("timestamp", NOW),
        ("format", "json"),
        ("v", "2.0"),
        ("sign_method", "md5"),
    ]);
    params.extend(business.iter().cloned());
    let sign = top_md5(&params, secret);
    params.insert("sign".to_owned(), sign);
    post(&format!("{}/router/qm", handle.base_url()), &params).await
}

async fn native(handle: &SimHandle, business: &[(String, String)], secret: &str) -> Value {
    let timestamp = NOW_SECONDS.to_string();
    let mut params = owned(&[
        ("sid", "mysid"),
        ("appkey", "myappkey"),
        ("timestamp", &timestamp),
    ]);
    params.extend(business.iter().cloned());
    let sign = wdt_md5(&params, secret);
    params.insert("sign".to_owned(), sign);
    let url = format!(
        "{}/openapi2/stockout_order_query_trade.php",
        handle.base_url()
    );
    post(&url, &params).await
}

/// Ground truth of `DAY` (inclusive end) under seed 003's status and shop filters, by id.
fn seed_003_truth(handle: &SimHandle) -> Vec<Value> {
    let truth = handle.simulator().ground_truth(ModifiedRange {
        from: Some(DAY_SECONDS.0),
        to: Some(DAY_SECONDS.1 + 1),
    });
    truth
        .into_iter()
        .filter(|record| [95, 105, 110, 113].contains(&record["status"].as_u64().unwrap()))
        .filter(|record| {
            ["002", "003", "004", "0071"].contains(&record["shop_no"].as_str().unwrap())
        })
        .collect()
}

fn ids(records: &[Value]) -> Vec<u64> {
    let mut ids: Vec<u64> = records
        .iter()
        .map(|r| r["stockout_id"].as_u64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn both_routes_page_from_zero_to_exactly_the_filtered_ground_truth() {
    let handle = start(WdtConfig::default(), 6_000).await;
    let expected = seed_003_truth(&handle);
    assert!(expected.len() > 45, "several pages: {}", expected.len());
    let page_size = 20u32;
    let pages = expected.len().div_ceil(page_size as usize) as u32;
    let mut from_qimen = Vec::new();
    let mut from_native = Vec::new();
    for page_no in 0..=pages {
        let business = seed_003_business(page_no, page_size);
        let response = qimen(&handle, &business, "qimensecret").await["response"].clone();
        assert_eq!(response["errorcode"], 0);
        assert_eq!(response["total_count"], expected.len() as u64);
        let list = response["stockout_list"].as_array().unwrap().clone();
        let native_reply = native(&handle, &business, "wdtsecret").await;
        assert_eq!(native_reply["code"], 0);
        assert_eq!(native_reply["total_count"], expected.len() as u64);
        assert_eq!(native_reply["stockout_list"].as_array().unwrap(), &list);
        let expected_len = (expected.len() as i64 - i64::from(page_no * page_size))
            .clamp(0, i64::from(page_size)) as usize;
        assert_eq!(list.len(), expected_len, "page {page_no}");
        from_qimen.extend(list.iter().cloned());
        from_native.extend(native_reply["stockout_list"].as_array().unwrap().clone());
    }
    assert_eq!(ids(&from_qimen), ids(&expected));
    let mut sorted = from_qimen.clone();
    sorted.sort_by_key(|r| r["stockout_id"].as_u64().unwrap());
    assert_eq!(
        sorted, expected,
        "records are byte-for-byte the ground truth"
    );
    assert_eq!(from_native, from_qimen);
    let stats = handle.simulator().stats();
    assert_eq!(stats.served, 2 * u64::from(pages + 1));
    assert_eq!(stats.rejected_sign, 0);
}

#[tokio::test]
async fn a_window_over_one_day_is_refused_with_the_platform_message() {
    let handle = start(WdtConfig::default(), 200).await;
    let mut business = seed_003_business(0, 40);
    business[1].1 = "2024-01-06 00:00:01".to_owned();
    let response = qimen(&handle, &business, "qimensecret").await["response"].clone();
    assert_eq!(response["errorcode"], 40);
    assert_eq!(response["message"], "时间跨度不能超过24小时");
    let reply = native(&handle, &business, "wdtsecret").await;
    assert_eq!(
        reply,
        json!({"code": 40, "message": "时间跨度不能超过24小时"})
    );
    business[1].1 = DAY.1.to_owned();
    business[6].1 = "101".to_owned();
    let reply = native(&handle, &business, "wdtsecret").await;
    assert_eq!(
        reply,
        json!({"code": 40, "message": "page_size必须在1到100之间"})
    );
    assert_eq!(handle.simulator().stats().rejected_request, 3);
}

#[tokio::test]
async fn bad_credentials_get_each_routes_own_failure_reply() {
    let handle = start(WdtConfig::default(), 50).await;
    let business = seed_003_business(0, 40);
    let response = qimen(&handle, &business, "wrongsecret").await["response"].clone();
    assert_eq!(response["flag"], "failure");
    assert_eq!(response["code"], 25);
    assert_eq!(response["message"], "Invalid signature");
    let reply = native(&handle, &business, "wrongsecret").await;
    assert_eq!(reply, json!({"code": 100, "message": "无效sign"}));
    let url = format!(
        "{}/openapi2/stockout_order_query_trade.php",
        handle.base_url()
    );
    let mut stale = owned(&[
        ("sid", "mysid"),
        ("appkey", "myappkey"),
        ("timestamp", "1704160800"),
    ]);
    let sign = wdt_md5(&stale, "wdtsecret");
    stale.insert("sign".to_owned(), sign);
    assert_eq!(
        post(&url, &stale).await,
        json!({"code": 100, "message": "无效timestamp"})
    );
    let mut other_key = stale.clone();
    other_key.insert("appkey".to_owned(), "otherkey".to_owned());
    assert_eq!(
        post(&url, &other_key).await,
        json!({"code": 100, "message": "无效appkey"})
    );
    let mut other_sid = stale;
    other_sid.insert("sid".to_owned(), "othersid".to_owned());
    assert_eq!(
        post(&url, &other_sid).await,
        json!({"code": 100, "message": "无效sid"})
    );
    let stats = handle.simulator().stats();
    assert_eq!((stats.rejected_sign, stats.rejected_request), (2, 3));
}

#[tokio::test]
async fn rate_limits_answer_code_7_on_the_gateway_or_1012_from_wdt() {
    let rate = Some(RateConfig {
        per_second: 0.001,
        burst: 1,
    });
    let handle = start(WdtConfig::default(), 50).await;
    handle.simulator().set_rate(rate).unwrap();
    let business = seed_003_business(0, 40);
    assert_eq!(
        qimen(&handle, &business, "qimensecret").await["response"]["errorcode"],
        0
    );
    let limited = qimen(&handle, &business, "qimensecret").await;
    let error = &limited["error_response"];
    assert_eq!(error["code"], 7);
    assert_eq!(error["msg"], "App Call Limited");
    let reply = native(&handle, &business, "wdtsecret").await;
    assert_eq!(
        reply,
        json!({"code": 1012, "message": "调用频繁,请稍后重试"})
    );

    let config = WdtConfig {
        qimen_throttle: QimenThrottle::Wdt,
        ..WdtConfig::default()
    };
    let wdt_throttled = start(config, 50).await;
    wdt_throttled.simulator().set_rate(rate).unwrap();
    qimen(&wdt_throttled, &business, "qimensecret").await;
    let response = qimen(&wdt_throttled, &business, "qimensecret").await["response"].clone();
    assert_eq!(response["errorcode"], 1012);
    assert_eq!(response["message"], "调用频繁,请稍后重试");
    assert_eq!(wdt_throttled.simulator().stats().rate_limited, 1);
}

#[test]
fn data_is_seeded_and_carries_hostile_values_where_seed_003_reads() {
    let build = |seed: u64| {
        SimBuilder::new(Platform::Wdt)
            .seed(seed)
            .orders(3_000)
            .build()
            .unwrap()
            .ground_truth_jsonl(ModifiedRange::default())
    };
    let first = build(5);
    assert_eq!(first, build(5));
    assert_ne!(first, build(6));
    let records: Vec<Value> = first
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).unwrap())
        .collect();
    assert_eq!(records.len(), 3_000);
    for field in ["invoice_title", "invoice_content", "shop_no", "modified"] {
        assert!(records.iter().all(|r| r.get(field).is_some()), "{field}");
    }
    let titles: Vec<&Value> = records.iter().map(|r| &r["invoice_title"]).collect();
    assert!(titles.iter().any(|t| t.is_null()));
    assert!(titles.iter().any(|t| t.as_str() == Some("")));
    assert!(titles.iter().any(|t| t.as_str() == Some("个人")));
    assert!(
        titles
            .iter()
            .any(|t| t.as_str().is_some_and(|t| t.contains(['\'', '\\', '"'])))
    );
    assert!(
        records
            .iter()
            .all(|r| r["receivable"].as_str().unwrap().ends_with("00"))
    );
}
