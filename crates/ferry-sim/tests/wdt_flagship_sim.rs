//! The WDT flagship simulator over raw HTTP, signed by hand from PROTOCOLS.md §5/§6 (no client
//! code): both gateways' signature and parameter checks with their exact replies, paging to
//! the end against ground truth, the moving-records fault and deterministic data.

use std::collections::BTreeMap;

use ferry_sim::qimen::{SignMethod, top_sign};
use ferry_sim::wdt_flagship::native_route::WDT_EPOCH;
use ferry_sim::wdt_flagship::sign::{native_sign, qimen_wdt_sign};
use ferry_sim::{FaultConfig, ModifiedRange, MoveRecordsFault, Platform, SimBuilder, SimHandle};
use serde_json::{Value, json};

/// The simulator's fixed clock: 2024-02-01 00:00:00 Beijing.
const NOW_TEXT: &str = "2024-02-01 00:00:00";
const NOW: i64 = 1_706_716_800;
const METHOD: &str = "wdt.aftersales.refund.refund.search";

async fn start(refunds: u32, faults: FaultConfig) -> SimHandle {
    SimBuilder::new(Platform::WdtFlagship)
        .seed(9)
        .orders(refunds)
        .data_range("2024-01-01", 30)
        .clock(NOW_TEXT)
        .faults(faults)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

/// A signed Qimen form; `tweak` edits the WDT fields before `wdt_sign`.
fn qimen_form(
    params: &Value,
    pager: &Value,
    wdt_secret: &str,
    tweak: impl FnOnce(&mut BTreeMap<String, String>),
) -> BTreeMap<String, String> {
    let mut form: BTreeMap<String, String> = [
        ("method", METHOD),
        ("app_key", "12345678"),
        ("target_app_key", "87654321"),
        ("timestamp", NOW_TEXT),
        ("format", "json"),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("wdt3_customer_id", "mysid"),
        ("datetime", NOW_TEXT),
        ("wdt_appkey", "mykey"),
        ("wdt_salt", "testsalt"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect();
    form.insert("params".to_owned(), params.to_string());
    form.insert("pager".to_owned(), pager.to_string());
    tweak(&mut form);
    let wdt_sign = qimen_wdt_sign(&form, METHOD, wdt_secret);
    form.insert("wdt_sign".to_owned(), wdt_sign);
    let sign = top_sign(&form, "qimensecret", SignMethod::Md5);
    form.insert("sign".to_owned(), sign);
    form
}

async fn post_qimen(handle: &SimHandle, form: &BTreeMap<String, String>) -> Value {
    let response = http()
        .post(format!("{}/router/qm", handle.base_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

async fn post_native(handle: &SimHandle, page_no: u32, body: &str, secret: &str) -> Value {
    let mut query: BTreeMap<String, String> = [
        ("sid", "mysid".to_owned()),
        ("key", "mykey".to_owned()),
        ("salt", "testsalt".to_owned()),
        ("method", "aftersales.refund.Refund.search".to_owned()),
        ("v", "1.0".to_owned()),
        ("timestamp", (NOW - WDT_EPOCH).to_string()),
        ("page_size", "100".to_owned()),
        ("page_no", page_no.to_string()),
        ("calc_total", "1".to_owned()),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value))
    .collect();
    let sign = native_sign(&query, body, secret);
    query.insert("sign".to_owned(), sign);
    let response = http()
        .post(format!("{}/openapi", handle.base_url()))
        .query(&query)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

fn window() -> Value {
    json!({"modified_from": "2024-01-05 00:00:00", "modified_to": "2024-01-12 00:00:00"})
}

fn window_truth(handle: &SimHandle) -> Vec<u64> {
    let truth = handle.simulator().ground_truth(ModifiedRange {
        from: Some(1_704_384_000),
        to: Some(1_704_988_800),
    });
    truth
        .iter()
        .map(|r| r["refund_id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn qimen_pages_from_one_to_the_end() {
    let handle = start(500, FaultConfig::default()).await;
    let expected = window_truth(&handle);
    let mut served = Vec::new();
    for page_no in 1.. {
        let pager = json!({"page_size": 30, "page_no": page_no});
        let reply = post_qimen(
            &handle,
            &qimen_form(&window(), &pager, "testsecret", |_| {}),
        )
        .await;
        let response = &reply["response"];
        assert_eq!(response["status"], json!(0), "{reply}");
        assert_eq!(response["data"]["total_count"], json!(expected.len()));
        let order = response["data"]["order"].as_array().unwrap();
        served.extend(order.iter().map(|r| r["refund_id"].as_u64().unwrap()));
        if order.len() < 30 {
            break;
        }
    }
    served.sort_unstable();
    assert_eq!(served, expected);
}

#[tokio::test]
async fn qimen_rejections_have_the_platform_replies() {
    let handle = start(50, FaultConfig::default()).await;
    let pager = json!({"page_size": 30, "page_no": 1});
    let cases: Vec<(BTreeMap<String, String>, Value)> = vec![
        (
            qimen_form(&window(), &pager, "wrong", |_| {}),
            json!({"status": 1, "message": "验证失败"}),
        ),
        (
            qimen_form(&window(), &pager, "testsecret", |form| {
                form.insert("wdt_salt".to_owned(), "other".to_owned());
            }),
            json!({"status": 1, "message": "app auth fail"}),
        ),
        (
            qimen_form(&window(), &pager, "testsecret", |form| {
                form.insert("datetime".to_owned(), "2024-01-31 23:50:00".to_owned());
            }),
            json!({"status": 7, "message": "时间戳错误"}),
        ),
        (
            qimen_form(
                &window(),
                &json!({"page_size": 201, "page_no": 1}),
                "testsecret",
                |_| {},
            ),
            json!({"status": 1, "message": "参数错误: page_size 必须在 1 到 200 之间"}),
        ),
        (
            qimen_form(
                &window(),
                &json!({"page_size": 30, "page_no": 0}),
                "testsecret",
                |_| {},
            ),
            json!({"status": 1, "message": "参数错误: page_no 从 1 开始"}),
        ),
        (
            qimen_form(&json!({"shop_no": "x"}), &pager, "testsecret", |_| {}),
            json!({"status": 2, "message": "未知的参数名: shop_no"}),
        ),
        (
            qimen_form(&window(), &json!({}), "testsecret", |form| {
                form.remove("pager");
            }),
            json!({"status": 100, "message": "此方法仅支持分页查询"}),
        ),
        (
            qimen_form(
                &json!({"modified_from": "2024-01-01 00:00:00", "modified_to": "2024-01-31 00:00:01"}),
                &pager,
                "testsecret",
                |_| {},
            ),
            json!({"status": 100, "message": "您的查询时间过宽,查询时间不能大于30天"}),
        ),
    ];
    for (form, expected) in cases {
        let reply = post_qimen(&handle, &form).await;
        assert_eq!(reply, json!({ "response": expected }));
    }
    let mut bad_top = qimen_form(&window(), &pager, "testsecret", |_| {});
    bad_top.insert("sign".to_owned(), "0".repeat(32));
    let reply = post_qimen(&handle, &bad_top).await;
    assert_eq!(reply["response"]["flag"], json!("failure"));
    assert_eq!(reply["response"]["code"], json!(25));
    let stats = handle.simulator().stats();
    assert_eq!((stats.rejected_sign, stats.rejected_request), (4, 5));
}

#[tokio::test]
async fn native_pages_from_zero_with_total_and_checks_the_body_signature() {
    let handle = start(300, FaultConfig::default()).await;
    let expected = window_truth(&handle);
    let body = json!([window()]).to_string();
    let mut served = Vec::new();
    for page_no in 0.. {
        let reply = post_native(&handle, page_no, &body, "testsecret").await;
        assert_eq!(reply["status"], json!(0), "{reply}");
        assert_eq!(reply["data"]["total_count"], json!(expected.len()));
        let order = reply["data"]["order"].as_array().unwrap();
        assert!(order.iter().all(|r| r["wms_code"] == json!("WMS01")));
        served.extend(order.iter().map(|r| r["refund_id"].as_u64().unwrap()));
        if order.len() < 100 {
            break;
        }
    }
    assert_eq!(served.len(), expected.len());
    let wrong = post_native(&handle, 0, &body, "othersecret").await;
    assert_eq!(wrong, json!({"status": 1, "message": "验证失败"}));
    let not_array = post_native(&handle, 0, "{}", "testsecret").await;
    assert_eq!(
        not_array,
        json!({"status": 1, "message": "参数错误: body 必须是JSON数组"})
    );
}

#[tokio::test]
async fn moved_refunds_change_ground_truth_but_stay_unique() {
    let faults = FaultConfig {
        move_records: MoveRecordsFault {
            probability: 1.0,
            max_per_page: 3,
            include_served: false,
        },
        ..FaultConfig::default()
    };
    let handle = start(400, faults).await;
    let before = window_truth(&handle);
    let pager = json!({"page_size": 20, "page_no": 1});
    let reply = post_qimen(
        &handle,
        &qimen_form(&window(), &pager, "testsecret", |_| {}),
    )
    .await;
    assert_eq!(
        reply["response"]["data"]["total_count"],
        json!(before.len())
    );
    let moved = handle.simulator().stats().records_moved;
    assert!(moved >= 1, "{moved}");
    let after = window_truth(&handle);
    assert_eq!(after.len() as u64, before.len() as u64 - moved);
    let all = handle.simulator().ground_truth(ModifiedRange::default());
    assert_eq!(all.len(), 400);
}

#[tokio::test]
async fn same_seed_same_data() {
    let first = start(200, FaultConfig::default()).await;
    let second = start(200, FaultConfig::default()).await;
    let a = first
        .simulator()
        .ground_truth_jsonl(ModifiedRange::default());
    let b = second
        .simulator()
        .ground_truth_jsonl(ModifiedRange::default());
    assert_eq!(a, b);
}
