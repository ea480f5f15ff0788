//! Both WDT enterprise clients against the simulator: paging a day from `page_no` 0 to exactly
//! the ground truth under seed 003's filters, the one-day cap refused as `Invalid`, rate limits
//! (gateway code 7 with its ban, WDT code 1012) as `RateLimited`, wrong credentials as
//! `Rejected` without the secret, and 5xx / truncated bodies as `Transient`.

use std::sync::Arc;

use ferry_model::{SourceFile, load_config};
use ferry_platforms::{CallError, Page, PageRequest, Source, SourceShape, open_source};
use ferry_sim::wdt::qimen_route::QimenThrottle;
use ferry_sim::{
    Error5xxFault, FaultConfig, ModifiedRange, RateConfig, SimBuilder, SimConfig, SimHandle,
    TruncateFault, WdtConfig,
};
use serde_json::{Map, Value, json};

/// 2024-01-05 00:00:00 .. 2024-01-06 00:00:00 Beijing.
const DAY: (&str, &str) = ("2024-01-05 00:00:00", "2024-01-06 00:00:00");
const DAY_SECONDS: (i64, i64) = (1_704_384_000, 1_704_470_400);
const QIMEN_API: &str = "wdt.stockout.order.query.trade";
const NATIVE_API: &str = "stockout_order_query_trade.php";
/// examples/ferry.toml connection `wdt`, and the native credentials of PROTOCOLS.md §4.1.
const QIMEN_SETTINGS: &[(&str, &str)] = &[
    ("app_key", "12345678"),
    ("secret", "qimensecret"),
    ("target_app_key", "wdtqimenkey"),
    ("sid", "mysid"),
];
const NATIVE_SETTINGS: &[(&str, &str)] = &[
    ("sid", "mysid"),
    ("appkey", "myappkey"),
    ("appsecret", "wdtsecret"),
];

/// A simulator on the wall clock (the clients stamp real time).
async fn start(config: WdtConfig, orders: u32, faults: FaultConfig) -> SimHandle {
    SimBuilder::from_config(SimConfig::Wdt(config))
        .seed(31)
        .orders(orders)
        .data_range("2024-01-01", 30)
        .faults(faults)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn source(platform: &str, base_url: &str, settings: &[(&str, &str)]) -> Arc<dyn Source> {
    let mut text = format!(
        "[connections.wdt]\nplatform = \"{platform}\"\nbase_url = \"{base_url}\"\ntimeout = \"5s\"\n"
    );
    for (key, value) in settings {
        text.push_str(&format!("{key} = \"{value}\"\n"));
    }
    let config = load_config(&SourceFile::new("ferry.toml", text), &|_| None)
        .unwrap_or_else(|issues| panic!("{issues:?}"));
    let api = if platform == "wdt" {
        NATIVE_API
    } else {
        QIMEN_API
    };
    open_source(&config.connections["wdt"], api).unwrap()
}

fn qimen(handle: &SimHandle, settings: &[(&str, &str)]) -> Arc<dyn Source> {
    source(
        "wdt-qimen",
        &format!("{}/router/qm", handle.base_url()),
        settings,
    )
}

fn native(handle: &SimHandle, settings: &[(&str, &str)]) -> Arc<dyn Source> {
    source("wdt", &format!("{}/openapi2", handle.base_url()), settings)
}

fn with(
    settings: &[(&'static str, &'static str)],
    key: &str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    settings
        .iter()
        .map(|(name, old)| (*name, if *name == key { value } else { old }))
        .collect()
}

/// Seed 003's rendered request for a window (paging values as the scheme renders them).
fn params(end: &str) -> Map<String, Value> {
    let value = json!({
        "start_time": DAY.0, "end_time": end, "status": "95,105,110,113",
        "src_order_no": "", "src_tid": "", "stockout_no": "", "shop_nos": "002,003,004,0071",
        "warehouse_no": "", "is_by_modified": "1", "page_size": "40", "page_no": "0"
    });
    value.as_object().unwrap().clone()
}

async fn fetch(
    source: &dyn Source,
    params: &Map<String, Value>,
    page: u32,
    size: u32,
) -> Result<Page, CallError> {
    source
        .fetch_page(PageRequest {
            params,
            page,
            page_size: size,
        })
        .await
}

/// Pages until a short page, as the engine does without `has_next`.
async fn page_all(source: &dyn Source, page_size: u32) -> Vec<Page> {
    let params = params(DAY.1);
    let mut pages = Vec::new();
    for page in source.shape().first_page.. {
        let fetched = fetch(source, &params, page, page_size).await.unwrap();
        let short = fetched.records.len() < page_size as usize;
        pages.push(fetched);
        if short {
            return pages;
        }
    }
    unreachable!()
}

fn truth(handle: &SimHandle) -> Vec<Value> {
    let range = ModifiedRange {
        from: Some(DAY_SECONDS.0),
        to: Some(DAY_SECONDS.1 + 1),
    };
    let shops = ["002", "003", "004", "0071"];
    handle
        .simulator()
        .ground_truth(range)
        .into_iter()
        .filter(|r| [95, 105, 110, 113].contains(&r["status"].as_u64().unwrap()))
        .filter(|r| shops.contains(&r["shop_no"].as_str().unwrap()))
        .collect()
}

fn sorted(pages: &[Page]) -> Vec<Value> {
    let mut records: Vec<Value> = pages.iter().flat_map(|p| p.records.clone()).collect();
    records.sort_by_key(|r| r["stockout_id"].as_u64().unwrap());
    records
}

fn message(error: &CallError) -> &str {
    match error {
        CallError::RateLimited { message, .. }
        | CallError::Transient { message }
        | CallError::Rejected { message }
        | CallError::Invalid { message } => message,
    }
}

#[tokio::test]
async fn both_routes_page_a_day_to_exactly_the_ground_truth() {
    let handle = start(WdtConfig::default(), 8_000, FaultConfig::default()).await;
    let expected = truth(&handle);
    assert!(expected.len() > 60, "{}", expected.len());
    let shape = SourceShape {
        first_page: 0,
        max_page_size: 100,
        page_param: "page_no",
        size_param: "page_size",
        modified_field: Some("modified"),
    };
    for (route, page_size) in [
        (qimen(&handle, QIMEN_SETTINGS), 25),
        (native(&handle, NATIVE_SETTINGS), 30),
    ] {
        assert_eq!(route.shape(), shape);
        let pages = page_all(route.as_ref(), page_size).await;
        assert_eq!(pages.len(), expected.len() / page_size as usize + 1);
        for page in &pages {
            assert_eq!(page.total, Some(expected.len() as u64));
            assert_eq!(page.has_next, None);
        }
        assert_eq!(sorted(&pages), expected);
    }
    let stats = handle.simulator().stats();
    assert_eq!(stats.served, stats.requests);
    assert_eq!(stats.rejected_sign + stats.rejected_request, 0);
}

#[tokio::test]
async fn a_window_over_one_day_is_invalid_with_the_platform_message() {
    let handle = start(WdtConfig::default(), 100, FaultConfig::default()).await;
    let wide = params("2024-01-06 00:00:01");
    let error = fetch(qimen(&handle, QIMEN_SETTINGS).as_ref(), &wide, 0, 100)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::Invalid {
            message: "wdt.stockout.order.query.trade failed (code 40: 时间跨度不能超过24小时)"
                .to_owned()
        }
    );
    assert!(!error.is_retryable());
    let error = fetch(native(&handle, NATIVE_SETTINGS).as_ref(), &wide, 0, 100)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::Invalid {
            message: "stockout_order_query_trade.php failed (code 40: 时间跨度不能超过24小时)"
                .to_owned()
        }
    );
}

#[tokio::test]
async fn rate_limits_are_classified_with_the_ban_when_the_reply_says() {
    let rate = Some(RateConfig {
        per_second: 0.001,
        burst: 1,
    });
    let day = params(DAY.1);
    let handle = start(WdtConfig::default(), 100, FaultConfig::default()).await;
    handle.simulator().set_rate(rate).unwrap();
    let gateway = qimen(&handle, QIMEN_SETTINGS);
    fetch(gateway.as_ref(), &day, 0, 10).await.unwrap();
    let error = fetch(gateway.as_ref(), &day, 1, 10).await.unwrap_err();
    let CallError::RateLimited { retry_after, .. } = &error else {
        panic!("{error:?}");
    };
    let ban = retry_after.expect("code 7 says how long").as_secs();
    assert!(ban == 1001 || ban == 1000, "{ban}");
    let error = fetch(native(&handle, NATIVE_SETTINGS).as_ref(), &day, 1, 10)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::RateLimited {
            message:
                "stockout_order_query_trade.php throttled by WDT (code 1012: 调用频繁,请稍后重试)"
                    .to_owned(),
            retry_after: None,
        }
    );

    let config = WdtConfig {
        qimen_throttle: QimenThrottle::Wdt,
        ..WdtConfig::default()
    };
    let behind = start(config, 100, FaultConfig::default()).await;
    behind.simulator().set_rate(rate).unwrap();
    let source = qimen(&behind, QIMEN_SETTINGS);
    fetch(source.as_ref(), &day, 0, 10).await.unwrap();
    let error = fetch(source.as_ref(), &day, 1, 10).await.unwrap_err();
    assert_eq!(
        error,
        CallError::RateLimited {
            message:
                "wdt.stockout.order.query.trade throttled by WDT (code 1012: 调用频繁,请稍后重试)"
                    .to_owned(),
            retry_after: None,
        }
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn wrong_credentials_are_rejected_without_the_secret() {
    let handle = start(WdtConfig::default(), 100, FaultConfig::default()).await;
    let day = params(DAY.1);
    let bad_qimen = qimen(
        &handle,
        &with(QIMEN_SETTINGS, "secret", "wrong-qimen-secret"),
    );
    let error = fetch(bad_qimen.as_ref(), &day, 0, 10).await.unwrap_err();
    assert_eq!(
        error,
        CallError::Rejected {
            message: "signature rejected by the Qimen gateway (code 25: Invalid signature); \
                      check `secret` and `sign_method`"
                .to_owned()
        }
    );
    let bad_sid = qimen(&handle, &with(QIMEN_SETTINGS, "sid", "othersid"));
    let error = fetch(bad_sid.as_ref(), &day, 0, 10).await.unwrap_err();
    assert_eq!(
        message(&error),
        "credentials rejected by WDT (code 100: sid不存在); check `sid`, the app key and its secret"
    );
    let bad_native = native(
        &handle,
        &with(NATIVE_SETTINGS, "appsecret", "wrong-wdt-secret"),
    );
    let error = fetch(bad_native.as_ref(), &day, 0, 10).await.unwrap_err();
    assert_eq!(
        error,
        CallError::Rejected {
            message: "credentials rejected by WDT (code 100: 无效sign); check `sid`, the app key \
                      and its secret"
                .to_owned()
        }
    );
    let shown = format!("{error} {error:?} {bad_native:?} {bad_qimen:?}");
    assert!(!shown.contains("wrong-wdt-secret") && !shown.contains("wrong-qimen-secret"));
    assert_eq!(handle.simulator().stats().rejected_sign, 2);
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
    let handle = start(WdtConfig::default(), 300, faults).await;
    let day = params(DAY.1);
    let base = handle.base_url();
    let error = fetch(qimen(&handle, QIMEN_SETTINGS).as_ref(), &day, 0, 100)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::transient(format!("HTTP 503 from {base}/router/qm"))
    );
    let error = fetch(native(&handle, NATIVE_SETTINGS).as_ref(), &day, 0, 100)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::transient(format!(
            "HTTP 503 from {base}/openapi2/stockout_order_query_trade.php"
        ))
    );

    let truncating = FaultConfig {
        truncate: TruncateFault { probability: 1.0 },
        ..FaultConfig::default()
    };
    handle.simulator().set_faults(truncating).unwrap();
    for (route, platform) in [
        (qimen(&handle, QIMEN_SETTINGS), "wdt-qimen"),
        (native(&handle, NATIVE_SETTINGS), "wdt"),
    ] {
        let error = fetch(route.as_ref(), &day, 0, 100).await.unwrap_err();
        assert!(matches!(error, CallError::Transient { .. }), "{error:?}");
        let prefix = format!("invalid JSON in the reply of `{platform}`: ");
        assert!(message(&error).starts_with(&prefix), "{error:?}");
        assert!(!message(&error).contains("stockout_id"), "{error:?}");
    }
    let stats = handle.simulator().stats();
    assert_eq!((stats.faults.error_5xx, stats.faults.truncate), (2, 2));
}
