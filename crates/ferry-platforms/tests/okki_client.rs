//! The OKKI 小满 client against the OKKI simulator: paging to the end reconciled with ground
//! truth, tokens expiring mid-run, and every failure class (PROTOCOLS.md §2).

use std::sync::Arc;

use ferry_model::{SourceFile, load_config};
use ferry_platforms::{CallError, Page, PageRequest, Source, open_source};
use ferry_sim::{
    ClockSetting, FaultConfig, ModifiedRange, OkkiConfig, RateConfig, SimBuilder, SimConfig,
    SimHandle,
};
use serde_json::{Map, Value, json};

const API: &str = "/v1/invoices/order/list";
/// 2024-01-03 00:00:00 and 2024-01-10 00:00:00 Beijing time.
const JAN_3: i64 = 1_704_211_200;
const JAN_10: i64 = 1_704_816_000;

async fn start(config: OkkiConfig, orders: u32) -> SimHandle {
    SimBuilder::from_config(SimConfig::Okki(config))
        .seed(17)
        .orders(orders)
        .data_range("2024-01-01", 30)
        .clock("2024-02-01 00:00:00")
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// The source of a connection `okki` read from `ferry.toml` text.
fn source(handle: &SimHandle, secret: &str) -> Arc<dyn Source> {
    let text = format!(
        "[connections.okki]\nplatform = \"okki\"\nbase_url = \"{}\"\ntimeout = \"5s\"\n\
         client_id = \"okki-client\"\nclient_secret = \"{secret}\"\n",
        handle.base_url()
    );
    let config = load_config(&SourceFile::new("ferry.toml", text), &|_| None).unwrap();
    open_source(&config.connections["okki"], API).unwrap()
}

fn window(start: &str, end: &str) -> Map<String, Value> {
    let value = json!({"start_time": start, "end_time": end, "start_index": 9, "count": "3",
        "removed": "0", "approval": "0", "status": ""});
    value.as_object().unwrap().clone()
}

async fn fetch(
    source: &dyn Source,
    params: &Map<String, Value>,
    page: u32,
    size: u32,
) -> Result<Page, CallError> {
    let request = PageRequest {
        params,
        page,
        page_size: size,
    };
    source.fetch_page(request).await
}

/// Pages a window the way the engine does without `has_next`: to a short page.
async fn page_all(source: &dyn Source, params: &Map<String, Value>, size: u32) -> Vec<Page> {
    let mut pages = Vec::new();
    for page in source.shape().first_page.. {
        let fetched = fetch(source, params, page, size).await.unwrap();
        let short = fetched.records.len() < size as usize;
        pages.push(fetched);
        if short {
            return pages;
        }
    }
    unreachable!("pages are counted by u32")
}

fn by_id(mut records: Vec<Value>) -> Vec<Value> {
    records.sort_by_key(|record| record["order_id"].as_u64().unwrap());
    records
}

/// Ground truth of the window `[JAN_3, JAN_10)`, as the inclusive end `09 23:59:59` selects.
fn truth(handle: &SimHandle) -> Vec<Value> {
    handle.simulator().ground_truth(ModifiedRange {
        from: Some(JAN_3),
        to: Some(JAN_10),
    })
}

const START: &str = "2024-01-03 00:00:00";
const END: &str = "2024-01-09 23:59:59";

#[tokio::test]
async fn pages_to_the_end_and_reconciles_with_ground_truth() {
    let handle = start(OkkiConfig::default(), 600).await;
    let source = source(&handle, "okkisecret");
    assert_eq!(source.shape().first_page, 1);
    assert_eq!(source.shape().modified_field, Some("update_time"));
    let pages = page_all(source.as_ref(), &window(START, END), 25).await;
    let expected = truth(&handle);
    assert!(expected.len() > 100, "{}", expected.len());
    assert_eq!(pages.len(), expected.len() / 25 + 1);
    for page in &pages {
        assert_eq!(page.total, Some(expected.len() as u64));
        assert_eq!(page.has_next, None);
    }
    let records: Vec<Value> = pages.into_iter().flat_map(|page| page.records).collect();
    assert_eq!(by_id(records), expected);
    // One token served every page.
    let stats = handle.simulator().stats();
    assert_eq!(stats.requests, stats.pages_served + 1);
}

#[tokio::test]
async fn tokens_expiring_mid_run_are_refreshed_inside_the_call() {
    let mut config = OkkiConfig::default();
    config.auth.token_max_calls = Some(3);
    let handle = start(config, 400).await;
    let source = source(&handle, "okkisecret");
    let pages = page_all(source.as_ref(), &window(START, END), 10).await;
    let records: Vec<Value> = pages.iter().flat_map(|page| page.records.clone()).collect();
    assert_eq!(by_id(records), truth(&handle));
    let page_count = pages.len() as u64;
    let expiries = (page_count - 1) / 3;
    assert!(expiries >= 2, "{page_count} pages");
    let stats = handle.simulator().stats();
    assert_eq!(stats.pages_served, page_count);
    assert_eq!(stats.rejected_request, expiries);
    // Per page one list call, per expiry a refused call and a grant, plus the first grant.
    assert_eq!(stats.requests, page_count + 2 * expiries + 1);

    // A token outliving the simulator clock is refreshed the same way.
    handle
        .simulator()
        .clock()
        .apply(&ClockSetting::AdvanceSeconds(28_800));
    let again = fetch(source.as_ref(), &window(START, END), 1, 10).await;
    assert_eq!(again.unwrap().records.len(), 10);
    assert_eq!(handle.simulator().stats().rejected_request, expiries + 1);
}

#[tokio::test]
async fn a_window_wider_than_the_cap_is_invalid() {
    let handle = start(OkkiConfig::default(), 20).await;
    let source = source(&handle, "okkisecret");
    let wide = window("2024-01-01 00:00:00", "2024-01-31 00:00:01");
    assert_eq!(
        fetch(source.as_ref(), &wide, 1, 10).await,
        Err(CallError::Invalid {
            message: "/v1/invoices/order/list failed (code 400: 查询时间跨度不能超过30天)"
                .to_owned()
        })
    );
}

#[tokio::test]
async fn a_wrong_secret_is_rejected_with_the_token_endpoints_message() {
    let handle = start(OkkiConfig::default(), 20).await;
    let source = source(&handle, "not-the-secret");
    let error = fetch(source.as_ref(), &window(START, END), 1, 10)
        .await
        .unwrap_err();
    let expected = format!(
        "OKKI token endpoint {}/v1/oauth2/access_token refused the client credentials \
         (code 401: client_id或client_secret错误); check `client_id` and `client_secret`",
        handle.base_url()
    );
    assert_eq!(error, CallError::Rejected { message: expected });
    assert!(!error.to_string().contains("not-the-secret"));
    assert!(!format!("{source:?}").contains("not-the-secret"));
}

#[tokio::test]
async fn rate_limit_replies_are_rate_limited_with_retry_after() {
    let handle = start(OkkiConfig::default(), 20).await;
    let source = source(&handle, "okkisecret");
    let rate = RateConfig {
        per_second: 0.01,
        burst: 1,
    };
    // The token is granted before the limit is set; the first call then empties the bucket.
    fetch(source.as_ref(), &window(START, END), 1, 10)
        .await
        .unwrap();
    handle.simulator().set_rate(Some(rate)).unwrap();
    fetch(source.as_ref(), &window(START, END), 1, 10)
        .await
        .unwrap();
    let error = fetch(source.as_ref(), &window(START, END), 1, 10).await;
    assert_eq!(
        error,
        Err(CallError::RateLimited {
            message: format!(
                "HTTP 429 Too Many Requests from {}/v1/invoices/order/list",
                handle.base_url()
            ),
            retry_after: Some(std::time::Duration::from_secs(100)),
        })
    );
}

#[tokio::test]
async fn server_errors_and_truncated_bodies_are_transient() {
    let handle = start(OkkiConfig::default(), 60).await;
    let source = source(&handle, "okkisecret");
    fetch(source.as_ref(), &window(START, END), 1, 10)
        .await
        .unwrap();
    for (spec, expected) in [
        (
            "5xx=1@502",
            format!("HTTP 502 from {}/v1/invoices/order/list", handle.base_url()),
        ),
        (
            "truncate=1",
            "invalid JSON in the reply of `okki`: EOF while parsing".to_owned(),
        ),
    ] {
        let mut faults = FaultConfig::default();
        faults.apply_spec(spec).unwrap();
        handle.simulator().set_faults(faults).unwrap();
        let error = fetch(source.as_ref(), &window(START, END), 1, 30).await;
        let Err(CallError::Transient { message }) = error else {
            panic!("{spec}: expected transient, got {error:?}");
        };
        assert!(message.starts_with(&expected), "{spec}: {message}");
    }
}
