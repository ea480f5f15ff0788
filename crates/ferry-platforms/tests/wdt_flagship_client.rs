//! The WDT flagship clients against the WDT flagship simulator on 127.0.0.1:0 (wall clock,
//! since the clients stamp real time): paging to the end reconciled with ground truth on both
//! routes, and every failure class — window too wide, rate limit, wrong credentials, 5xx,
//! truncated bodies.

use std::sync::Arc;

use ferry_model::{Connection, SourceFile, load_config};
use ferry_platforms::{CallError, Page, PageRequest, Source, open_source};
use ferry_sim::{
    Error5xxFault, FaultConfig, ModifiedRange, Platform, RateConfig, SimBuilder, SimHandle,
    TruncateFault,
};
use serde_json::{Map, Value, json};

/// 2024-01-03 00:00:00 and 2024-01-10 00:00:00 Beijing, Unix seconds.
const JAN_3: i64 = 1_704_211_200;
const JAN_10: i64 = 1_704_816_000;
const WINDOW: (&str, &str) = ("2024-01-03 00:00:00", "2024-01-10 00:00:00");
const QIMEN_API: &str = "wdt.aftersales.refund.refund.search";
const NATIVE_API: &str = "aftersales.refund.Refund.search";
/// The seed connection's credentials (examples/ferry.toml), the simulator's defaults.
const QIMEN_SETTINGS: &[(&str, &str)] = &[
    ("app_key", "12345678"),
    ("secret", "qimensecret"),
    ("target_app_key", "87654321"),
    ("sid", "mysid"),
    ("wdt_appkey", "mykey"),
    ("wdt_secret", "testsecret:testsalt"),
];
const NATIVE_SETTINGS: &[(&str, &str)] = &[
    ("sid", "mysid"),
    ("key", "mykey"),
    ("secret", "testsecret:testsalt"),
];

async fn start(refunds: u32, faults: FaultConfig, rate: Option<RateConfig>) -> SimHandle {
    SimBuilder::new(Platform::WdtFlagship)
        .seed(21)
        .orders(refunds)
        .data_range("2024-01-01", 30)
        .faults(faults)
        .rate(rate)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn connection(platform: &str, base_url: &str, settings: &[(&str, &str)]) -> Connection {
    let mut text = format!(
        "[connections.wdt]\nplatform = \"{platform}\"\nbase_url = \"{base_url}\"\ntimeout = \"5s\"\n"
    );
    for (key, value) in settings {
        text.push_str(&format!("{key} = \"{value}\"\n"));
    }
    let file = SourceFile::new("ferry.toml", text);
    let config = load_config(&file, &|_| None).unwrap_or_else(|issues| {
        let lines: Vec<String> = issues.iter().map(ToString::to_string).collect();
        panic!("{}", lines.join("\n"))
    });
    config.connections["wdt"].clone()
}

fn with(settings: &[(&str, &str)], key: &str, value: &'static str) -> Vec<(String, String)> {
    settings
        .iter()
        .map(|(name, old)| {
            let chosen = if *name == key { value } else { old };
            ((*name).to_owned(), chosen.to_owned())
        })
        .collect()
}

fn qimen(handle: &SimHandle, settings: &[(&str, &str)]) -> Arc<dyn Source> {
    let url = format!("{}/router/qm", handle.base_url());
    open_source(&connection("wdt-flagship-qimen", &url, settings), QIMEN_API).unwrap()
}

fn native(handle: &SimHandle, settings: &[(&str, &str)]) -> Arc<dyn Source> {
    let url = format!("{}/openapi", handle.base_url());
    open_source(&connection("wdt-flagship", &url, settings), NATIVE_API).unwrap()
}

fn owned(settings: &[(String, String)]) -> Vec<(&str, &str)> {
    settings
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect()
}

/// The seed scheme's rendered request for a window (pager values are replaced by the client).
fn params(from: &str, to: &str) -> Map<String, Value> {
    let value = json!({
        "pager": {"page_size": "50", "page_no": "1"},
        "params": {"modified_from": from, "modified_to": to}
    });
    value.as_object().unwrap().clone()
}

async fn fetch(
    source: &dyn Source,
    params: &Map<String, Value>,
    page: u32,
) -> Result<Page, CallError> {
    let request = PageRequest {
        params,
        page,
        page_size: 40,
    };
    source.fetch_page(request).await
}

/// Every page until a short one, checking the reported total on each.
async fn page_all(source: &dyn Source, params: &Map<String, Value>, total: u64) -> Vec<Value> {
    let mut records = Vec::new();
    let first = source.shape().first_page;
    for page in first..first + 1_000 {
        let fetched = fetch(source, params, page).await.unwrap();
        assert_eq!(fetched.total, Some(total));
        assert_eq!(fetched.has_next, None);
        let short = fetched.records.len() < 40;
        records.extend(fetched.records);
        if short {
            return records;
        }
    }
    panic!("the window did not end within 1000 pages");
}

fn by_refund_id(mut records: Vec<Value>) -> Vec<Value> {
    records.sort_by_key(|record| record["refund_id"].as_u64().unwrap());
    records
}

fn truth(handle: &SimHandle) -> Vec<Value> {
    by_refund_id(handle.simulator().ground_truth(ModifiedRange {
        from: Some(JAN_3),
        to: Some(JAN_10),
    }))
}

#[tokio::test]
async fn qimen_pages_to_the_end_and_matches_ground_truth() {
    let handle = start(600, FaultConfig::default(), None).await;
    let truth = truth(&handle);
    assert!(truth.len() > 80, "{}", truth.len());
    let source = qimen(&handle, QIMEN_SETTINGS);
    assert_eq!(source.shape().first_page, 1);
    let records = page_all(
        source.as_ref(),
        &params(WINDOW.0, WINDOW.1),
        truth.len() as u64,
    )
    .await;
    assert_eq!(records.len(), truth.len());
    assert_eq!(by_refund_id(records), truth);
    // The last page is short (empty when the total is a multiple of 40).
    let pages = truth.len() as u64 / 40 + 1;
    assert_eq!(handle.simulator().stats().pages_served, pages);
}

#[tokio::test]
async fn native_pages_from_zero_and_matches_ground_truth_plus_wms_code() {
    let handle = start(600, FaultConfig::default(), None).await;
    let truth = truth(&handle);
    let source = native(&handle, NATIVE_SETTINGS);
    assert_eq!(source.shape().first_page, 0);
    let records = page_all(
        source.as_ref(),
        &params(WINDOW.0, WINDOW.1),
        truth.len() as u64,
    )
    .await;
    let mut records = by_refund_id(records);
    for record in &mut records {
        assert_eq!(record["wms_code"], json!("WMS01"));
        record["wms_code"] = Value::Null;
    }
    assert_eq!(records, truth);
}

#[tokio::test]
async fn window_wider_than_thirty_days_is_invalid_on_both_routes() {
    let handle = start(50, FaultConfig::default(), None).await;
    let wide = params("2024-01-01 00:00:00", "2024-02-01 00:00:00");
    let error = fetch(qimen(&handle, QIMEN_SETTINGS).as_ref(), &wide, 1)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::Invalid {
            message: "wdt.aftersales.refund.refund.search failed (status 100: \
                      您的查询时间过宽,查询时间不能大于30天)"
                .to_owned()
        }
    );
    let error = fetch(native(&handle, NATIVE_SETTINGS).as_ref(), &wide, 0)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::Invalid {
            message: "aftersales.refund.Refund.search failed (status 100: \
                      您的查询时间过宽,查询时间不能大于30天)"
                .to_owned()
        }
    );
}

#[tokio::test]
async fn rate_limit_reply_is_rate_limited_on_both_routes() {
    let rate = RateConfig {
        per_second: 0.001,
        burst: 1,
    };
    let handle = start(50, FaultConfig::default(), Some(rate)).await;
    let window = params(WINDOW.0, WINDOW.1);
    let source = qimen(&handle, QIMEN_SETTINGS);
    fetch(source.as_ref(), &window, 1).await.unwrap();
    let error = fetch(source.as_ref(), &window, 2).await.unwrap_err();
    assert_eq!(
        error,
        CallError::RateLimited {
            message: "wdt.aftersales.refund.refund.search throttled by WDT (status 100: \
                      超过每分钟最大调用频率限制,请稍后重试)"
                .to_owned(),
            retry_after: None,
        }
    );
    let error = fetch(native(&handle, NATIVE_SETTINGS).as_ref(), &window, 0)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, CallError::RateLimited { retry_after: None, message }
            if message.starts_with("aftersales.refund.Refund.search throttled by WDT (status 100")),
        "{error:?}"
    );
    assert_eq!(handle.simulator().stats().rate_limited, 2);
}

#[tokio::test]
async fn wrong_credentials_are_rejected_without_the_secret() {
    let handle = start(50, FaultConfig::default(), None).await;
    let window = params(WINDOW.0, WINDOW.1);
    let bad_top = with(QIMEN_SETTINGS, "secret", "wrongqimen");
    let source = qimen(&handle, &owned(&bad_top));
    let error = fetch(source.as_ref(), &window, 1).await.unwrap_err();
    assert_eq!(
        error,
        CallError::Rejected {
            message: "signature rejected by the Qimen gateway (code 25: Invalid signature); \
                      check `secret` and `sign_method`"
                .to_owned()
        }
    );
    let bad_wdt = with(QIMEN_SETTINGS, "wdt_secret", "wrongwdt:testsalt");
    let source = qimen(&handle, &owned(&bad_wdt));
    let error = fetch(source.as_ref(), &window, 1).await.unwrap_err();
    assert_eq!(
        error,
        CallError::Rejected {
            message: "wdt.aftersales.refund.refund.search rejected the credentials (status 1: \
                      验证失败); check `sid`, `wdt_appkey` and `wdt_secret`"
                .to_owned()
        }
    );
    assert!(!format!("{error:?} {source:?}").contains("wrongwdt"));
    let bad_native = with(NATIVE_SETTINGS, "secret", "wrongnative:testsalt");
    let source = native(&handle, &owned(&bad_native));
    let error = fetch(source.as_ref(), &window, 0).await.unwrap_err();
    assert_eq!(
        error,
        CallError::Rejected {
            message: "aftersales.refund.Refund.search rejected the credentials (status 1: \
                      验证失败); check `sid`, `key` and `secret`"
                .to_owned()
        }
    );
    assert!(!format!("{error:?} {source:?}").contains("wrongnative"));
    let bad_sid = with(NATIVE_SETTINGS, "sid", "othersid");
    let error = fetch(native(&handle, &owned(&bad_sid)).as_ref(), &window, 0)
        .await
        .unwrap_err();
    assert!(matches!(error, CallError::Rejected { .. }), "{error:?}");
    assert_eq!(handle.simulator().stats().rejected_sign, 4);
}

#[tokio::test]
async fn secret_without_salt_is_invalid_config() {
    let handle = start(10, FaultConfig::default(), None).await;
    let url = format!("{}/openapi", handle.base_url());
    let settings = with(NATIVE_SETTINGS, "secret", "nosalt");
    let error = open_source(
        &connection("wdt-flagship", &url, &owned(&settings)),
        NATIVE_API,
    )
    .unwrap_err();
    assert_eq!(
        error,
        CallError::Invalid {
            message: "connection `wdt`: `secret` must have the form `secret:salt`".to_owned()
        }
    );
}

#[tokio::test]
async fn server_errors_and_truncated_bodies_are_transient() {
    let faults = FaultConfig {
        error_5xx: Error5xxFault {
            probability: 1.0,
            status: 503,
        },
        ..FaultConfig::default()
    };
    let handle = start(100, faults, None).await;
    let window = params(WINDOW.0, WINDOW.1);
    let base = handle.base_url();
    let error = fetch(qimen(&handle, QIMEN_SETTINGS).as_ref(), &window, 1)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::transient(format!("HTTP 503 from {base}/router/qm"))
    );
    let error = fetch(native(&handle, NATIVE_SETTINGS).as_ref(), &window, 0)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::transient(format!("HTTP 503 from {base}/openapi"))
    );

    let faults = FaultConfig {
        truncate: TruncateFault { probability: 1.0 },
        ..FaultConfig::default()
    };
    let handle = start(300, faults, None).await;
    let cases = [
        (qimen(&handle, QIMEN_SETTINGS), 1, "`wdt-flagship-qimen`"),
        (native(&handle, NATIVE_SETTINGS), 0, "`wdt-flagship`"),
    ];
    for (source, page, platform) in cases {
        let error = fetch(source.as_ref(), &window, page).await.unwrap_err();
        let CallError::Transient { message } = &error else {
            panic!("expected transient, got {error:?}");
        };
        let prefix = format!("invalid JSON in the reply of {platform}: EOF while parsing");
        assert!(message.starts_with(&prefix), "{message}");
        assert!(!message.contains("refund_id"), "{message}");
    }
    assert_eq!(handle.simulator().stats().faults.truncate, 2);
}
