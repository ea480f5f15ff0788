//! Both Jackyun routes against the simulator: paging a window to exactly its ground truth with
//! totals reconciled, `result.data` as object and as string, PascalCase records normalised,
//! the seven-day cap refused with the platform's message, rate limits, wrong credentials and
//! transport faults classified.

use std::sync::Arc;

use ferry_model::{SourceFile, load_config};
use ferry_platforms::{CallError, Page, PageRequest, Source, open_source};
use ferry_sim::jackyun::trades::KeyCase;
use ferry_sim::{FaultConfig, JackyunConfig, ModifiedRange, SimBuilder, SimConfig, SimHandle};
use serde_json::{Map, Value, json};

const API: &str = "jackyun.tradenotsensitiveinfos.list.get";
/// 2024-01-03 00:00:00 and 2024-01-10 00:00:00 Beijing.
const JAN_3: i64 = 1_704_211_200;
const JAN_10: i64 = 1_704_816_000;
const QIMEN: &[(&str, &str)] = &[
    ("app_key", "12345678"),
    ("secret", "qimensecret"),
    ("target_app_key", "21363512"),
    ("jky_appkey", "jkyappkey"),
    ("jky_secret", "jkysecret"),
    ("jky_customer_id", "jkycust-1"),
];
const NATIVE: &[(&str, &str)] = &[("appkey", "jkyappkey"), ("secret", "jkysecret")];

async fn start(config: JackyunConfig, faults: FaultConfig, rate: Option<&str>) -> SimHandle {
    SimBuilder::from_config(SimConfig::Jackyun(config))
        .seed(21)
        .orders(1_500)
        .data_range("2024-01-01", 20)
        .faults(faults)
        .rate(rate.map(|rate| rate.parse().unwrap()))
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

async fn plain() -> SimHandle {
    start(JackyunConfig::default(), FaultConfig::default(), None).await
}

fn source(platform: &str, url: &str, settings: &[(&str, &str)]) -> Arc<dyn Source> {
    let mut text = format!(
        "[connections.jky]\nplatform = \"{platform}\"\nbase_url = \"{url}\"\ntimeout = \"3s\"\n"
    );
    for (key, value) in settings {
        text.push_str(&format!("{key} = \"{value}\"\n"));
    }
    let config = load_config(&SourceFile::new("ferry.toml", text), &|_| None)
        .unwrap_or_else(|issues| panic!("{issues:?}"));
    open_source(&config.connections["jky"], API).unwrap()
}

fn qimen(handle: &SimHandle, settings: &[(&str, &str)]) -> Arc<dyn Source> {
    source(
        "jackyun-qimen",
        &format!("{}/router/qm", handle.base_url()),
        settings,
    )
}

fn native(handle: &SimHandle, settings: &[(&str, &str)]) -> Arc<dyn Source> {
    let url = format!("{}/open/openapi/do", handle.base_url());
    source("jackyun", &url, settings)
}

fn with(
    settings: &[(&'static str, &'static str)],
    key: &str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    settings
        .iter()
        .map(|(name, old)| (*name, if *name == key { value } else { *old }))
        .collect()
}

fn window(start: &str, end: &str) -> Map<String, Value> {
    json!({"startModified": start, "endModified": end, "hasTotal": "1", "tradeNo": "",
        "fields": "tradeNo,onlineTradeNo,gmtModified"})
    .as_object()
    .unwrap()
    .clone()
}

async fn fetch(
    source: &dyn Source,
    params: &Map<String, Value>,
    page: u32,
) -> Result<Page, CallError> {
    source
        .fetch_page(PageRequest {
            params,
            page,
            page_size: 100,
        })
        .await
}

/// Pages from 0 until a short page; every page must report the expected total.
async fn page_all(source: &dyn Source, params: &Map<String, Value>, total: usize) -> Vec<Value> {
    let mut records = Vec::new();
    for page in 0..100 {
        let fetched = fetch(source, params, page).await.unwrap();
        assert_eq!(fetched.total, Some(total as u64), "page {page}");
        assert_eq!(fetched.has_next, None);
        let short = fetched.records.len() < 100;
        records.extend(fetched.records);
        if short {
            return records;
        }
    }
    panic!("the window did not end within 100 pages");
}

fn camel(value: Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(key, value)| {
                    let mut chars = key.chars();
                    let first = chars.next().unwrap().to_lowercase();
                    (first.chain(chars).collect(), camel(value))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camel).collect()),
        other => other,
    }
}

fn truth(handle: &SimHandle) -> Vec<Value> {
    let range = ModifiedRange {
        from: Some(JAN_3),
        to: Some(JAN_10),
    };
    handle
        .simulator()
        .ground_truth(range)
        .into_iter()
        .map(camel)
        .collect()
}

fn by_trade_no(mut records: Vec<Value>) -> Vec<Value> {
    records.sort_by(|a, b| a["tradeNo"].as_str().cmp(&b["tradeNo"].as_str()));
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
async fn qimen_route_pages_a_window_to_exactly_the_ground_truth() {
    let handle = plain().await;
    let expected = truth(&handle);
    assert!(expected.len() > 300, "several pages: {}", expected.len());
    let source = qimen(&handle, QIMEN);
    assert_eq!(source.shape().first_page, 0);
    assert_eq!(source.shape().page_param, "pageIndex");
    let params = window("2024-01-03 00:00:00", "2024-01-10 00:00:00");
    let records = page_all(source.as_ref(), &params, expected.len()).await;
    assert_eq!(by_trade_no(records), by_trade_no(expected.clone()));
    let stats = handle.simulator().stats();
    assert_eq!(stats.served, (expected.len() / 100 + 1) as u64);
}

#[tokio::test]
async fn native_route_reads_pascal_case_string_data_as_camel_case() {
    let mut config = JackyunConfig::default();
    config.reply.key_case = KeyCase::Pascal;
    config.reply.data_as_string = 1.0;
    let handle = start(config, FaultConfig::default(), None).await;
    let raw = handle.simulator().ground_truth(ModifiedRange {
        from: Some(JAN_3),
        to: Some(JAN_10),
    });
    assert!(
        raw[0].get("TradeNo").is_some(),
        "the simulator sends PascalCase"
    );
    let expected = truth(&handle);
    let source = native(&handle, NATIVE);
    let params = window("2024-01-03 00:00:00", "2024-01-10 00:00:00");
    let records = page_all(source.as_ref(), &params, expected.len()).await;
    assert_eq!(by_trade_no(records), by_trade_no(expected));
}

#[tokio::test]
async fn a_window_over_seven_days_is_invalid_on_both_routes() {
    let handle = plain().await;
    let params = window("2024-01-01 00:00:00", "2024-01-08 00:00:01");
    for source in [qimen(&handle, QIMEN), native(&handle, NATIVE)] {
        let error = fetch(source.as_ref(), &params, 0).await.unwrap_err();
        assert_eq!(
            error,
            CallError::Invalid {
                message: "jackyun.tradenotsensitiveinfos.list.get refused by Jackyun (code 400 \
                          GSE.PARAM_ERROR: 时间跨度不能超过7天)"
                    .to_owned()
            }
        );
    }
}

#[tokio::test]
async fn rate_limit_replies_are_classified() {
    let handle = start(
        JackyunConfig::default(),
        FaultConfig::default(),
        Some("1/s,burst=1"),
    )
    .await;
    let params = window("2024-01-03 00:00:00", "2024-01-04 00:00:00");
    let source = qimen(&handle, QIMEN);
    fetch(source.as_ref(), &params, 0).await.unwrap();
    match fetch(source.as_ref(), &params, 0).await.unwrap_err() {
        CallError::RateLimited {
            message,
            retry_after,
        } => {
            assert!(
                message.starts_with("Qimen gateway code 7: App Call Limited"),
                "{message}"
            );
            let wait = retry_after.unwrap().as_secs();
            assert!((2..=3).contains(&wait), "ban of 1-2 s plus one: {wait}");
        }
        other => panic!("expected rate limited, got {other:?}"),
    }
    let native_source = native(&handle, NATIVE);
    assert_eq!(
        fetch(native_source.as_ref(), &params, 0).await.unwrap_err(),
        CallError::RateLimited {
            message: "jackyun.tradenotsensitiveinfos.list.get throttled by Jackyun (code 429 \
                      GSE.API_CALL_LIMITED: 接口调用频率超限，请稍后再试)"
                .to_owned(),
            retry_after: None,
        }
    );
}

#[tokio::test]
async fn wrong_credentials_are_rejected_without_the_secret() {
    let handle = plain().await;
    let params = window("2024-01-03 00:00:00", "2024-01-04 00:00:00");
    let cases = [
        qimen(&handle, &with(QIMEN, "secret", "wrongqimen")),
        qimen(&handle, &with(QIMEN, "jky_secret", "wrongjky")),
        native(&handle, &with(NATIVE, "secret", "wrongjky")),
    ];
    let mut messages = Vec::new();
    for source in cases {
        let error = fetch(source.as_ref(), &params, 0).await.unwrap_err();
        assert!(matches!(error, CallError::Rejected { .. }), "{error:?}");
        let text = message(&error).to_owned();
        assert!(
            !text.contains("wrong") && !text.contains("qimensecret") && !text.contains("jkysecret"),
            "{text}"
        );
        messages.push(text);
    }
    assert_eq!(
        messages[0],
        "signature rejected by the Qimen gateway (code 25: Invalid signature); check `secret` \
         and `sign_method`"
    );
    let jackyun = "jackyun.tradenotsensitiveinfos.list.get rejected by Jackyun (code 401 \
                   GSE.SIGN_INVALID: 签名验证失败); check the Jackyun appkey, secret and \
                   customer id of the";
    assert_eq!(messages[1], format!("{jackyun} `jackyun-qimen` connection"));
    assert_eq!(messages[2], format!("{jackyun} `jackyun` connection"));
}

#[tokio::test]
async fn server_errors_and_truncated_bodies_are_transient() {
    let params = window("2024-01-03 00:00:00", "2024-01-04 00:00:00");
    for spec in ["5xx=1", "truncate=1"] {
        let mut faults = FaultConfig::default();
        faults.apply_spec(spec).unwrap();
        let handle = start(JackyunConfig::default(), faults, None).await;
        for source in [qimen(&handle, QIMEN), native(&handle, NATIVE)] {
            let error = fetch(source.as_ref(), &params, 0).await.unwrap_err();
            assert!(
                matches!(error, CallError::Transient { .. }),
                "{spec}: {error:?}"
            );
        }
    }
}
