//! OKKI simulator: `GET /v1/invoices/order/list` paging against ground truth, parameter
//! checks, the rate-limit reply and injected faults (PROTOCOLS.md §2.2–2.5).

use ferry_sim::{FaultConfig, ModifiedRange, Platform, RateConfig, SimBuilder, SimHandle};
use serde_json::{Value, json};

const LIST: &str = "/v1/invoices/order/list";
/// 2024-01-05 00:00:00 and 2024-01-20 00:00:00 Beijing time.
const JAN_5: i64 = 1_704_384_000;
const JAN_20: i64 = 1_705_680_000;

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

async fn start(orders: u32, faults: FaultConfig, rate: Option<RateConfig>) -> SimHandle {
    SimBuilder::new(Platform::Okki)
        .seed(21)
        .orders(orders)
        .data_range("2024-01-01", 30)
        .clock("2024-02-01 00:00:00")
        .faults(faults)
        .rate(rate)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

async fn token(handle: &SimHandle) -> String {
    let body = json!({"grant_type": "client_credentials", "client_id": "okki-client",
        "client_secret": "okkisecret", "scope": "invoices"});
    let reply: Value = http()
        .post(format!("{}/v1/oauth2/access_token", handle.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["access_token"].as_str().unwrap().to_owned()
}

async fn get(handle: &SimHandle, token: &str, query: &[(&str, &str)]) -> reqwest::Response {
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    http()
        .get(format!("{}{LIST}?{}", handle.base_url(), query.join("&")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn list(handle: &SimHandle, token: &str, query: &[(&str, &str)]) -> Value {
    let response = get(handle, token, query).await;
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

fn by_id(mut records: Vec<Value>) -> Vec<Value> {
    records.sort_by_key(|record| record["order_id"].as_u64().unwrap());
    records
}

#[tokio::test]
async fn paging_to_the_end_reconciles_with_ground_truth() {
    let handle = start(400, FaultConfig::default(), None).await;
    let token = token(&handle).await;
    let window = [
        ("start_time", "2024-01-05%2000:00:00"),
        ("end_time", "2024-01-19%2023:59:59"),
        ("count", "7"),
    ];
    let mut seen = Vec::new();
    let mut totals = Vec::new();
    for page in 1.. {
        let index = page.to_string();
        let mut query = window.to_vec();
        query.push(("start_index", &index));
        let reply = list(&handle, &token, &query).await;
        assert_eq!(reply["code"], 200);
        totals.push(reply["data"]["count"].as_u64().unwrap());
        let rows = reply["data"]["list"].as_array().unwrap().clone();
        let short = rows.len() < 7;
        seen.extend(rows);
        if short {
            break;
        }
    }
    let truth = handle.simulator().ground_truth(ModifiedRange {
        from: Some(JAN_5),
        to: Some(JAN_20),
    });
    assert!(truth.len() > 100, "{}", truth.len());
    assert!(totals.iter().all(|total| *total == truth.len() as u64));
    assert_eq!(by_id(seen), truth);

    // Past the end: an empty list, same total.
    let after = list(&handle, &token, &[("start_index", "999"), ("count", "7")]).await;
    assert_eq!(after["data"], json!({"count": 400, "list": []}));
}

#[tokio::test]
async fn approval_and_status_filters_match_the_status_codes() {
    let handle = start(300, FaultConfig::default(), None).await;
    let token = token(&handle).await;
    let truth = handle.simulator().ground_truth(ModifiedRange::default());
    let count_of = |codes: &[u64]| {
        truth
            .iter()
            .filter(|record| codes.contains(&record["status"].as_u64().unwrap()))
            .count() as u64
    };
    let approved = list(&handle, &token, &[("approval", "1"), ("status", "")]).await;
    assert_eq!(approved["data"]["count"], count_of(&[3, 4, 5]));
    let drafts = list(
        &handle,
        &token,
        &[("approval", "1"), ("approval_with_draft", "1")],
    )
    .await;
    assert_eq!(drafts["data"]["count"], count_of(&[1, 3, 4, 5]));
    let some = list(&handle, &token, &[("status", "2,6")]).await;
    assert_eq!(some["data"]["count"], count_of(&[2, 6]));
    let removed = list(&handle, &token, &[("removed", "1")]).await;
    assert_eq!(removed["data"], json!({"count": 0, "list": []}));
}

#[tokio::test]
async fn bad_parameters_get_code_400_with_the_platform_message() {
    let handle = start(20, FaultConfig::default(), None).await;
    let token = token(&handle).await;
    let wide = [
        ("start_time", "2024-01-01%2000:00:00"),
        ("end_time", "2024-01-31%2000:00:01"),
    ];
    assert_eq!(
        list(&handle, &token, &wide).await,
        json!({"code": 400, "message": "查询时间跨度不能超过30天"})
    );
    assert_eq!(
        list(&handle, &token, &[("count", "501")]).await,
        json!({"code": 400, "message": "count必须在1到500之间"})
    );
    let response = http()
        .get(format!("{}/v1/invoices/order/lists", handle.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"code": 404, "message": "接口不存在"}));
    assert_eq!(handle.simulator().stats().rejected_request, 2);
}

#[tokio::test]
async fn rate_limit_reply_has_code_429_and_retry_after() {
    let rate = RateConfig {
        per_second: 0.01,
        burst: 2,
    };
    let handle = start(20, FaultConfig::default(), Some(rate)).await;
    let token = token(&handle).await;
    assert_eq!(get(&handle, &token, &[]).await.status().as_u16(), 200);
    let limited = get(&handle, &token, &[]).await;
    assert_eq!(limited.status().as_u16(), 429);
    assert_eq!(limited.headers()["retry-after"], "100");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(
        body,
        json!({"code": 429, "message": "请求过于频繁，请稍后再试"})
    );
    assert_eq!(handle.simulator().stats().rate_limited, 1);
}

#[tokio::test]
async fn injected_5xx_and_truncation_reach_the_client() {
    let handle = start(50, FaultConfig::default(), None).await;
    let token = token(&handle).await;
    let mut faults = FaultConfig::default();
    faults.apply_spec("5xx=1").unwrap();
    handle.simulator().set_faults(faults).unwrap();
    let failed = get(&handle, &token, &[]).await;
    assert_eq!(failed.status().as_u16(), 503);
    assert!(
        failed
            .text()
            .await
            .unwrap()
            .contains("503 Service Unavailable")
    );

    let mut faults = FaultConfig::default();
    faults.apply_spec("truncate=1").unwrap();
    handle.simulator().set_faults(faults).unwrap();
    let cut = get(&handle, &token, &[("count", "20")]).await;
    assert_eq!(cut.status().as_u16(), 200);
    let bytes = cut.bytes().await.unwrap();
    assert!(serde_json::from_slice::<Value>(&bytes).is_err());
    assert!(bytes.starts_with(br#"{"code":200,"message":"success","data":{"count":50,"#));
}
