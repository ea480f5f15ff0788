//! Signature checks of the Jushuitan simulator against the worked examples of PROTOCOLS.md
//! §6.3 (Qimen) and §3.2 (native), and the exact failure replies.

mod common;

use std::collections::BTreeMap;

use common::{native_md5, post_form, qimen_md5, qimen_params};
use ferry_sim::qimen::{SignMethod, top_sign};
use ferry_sim::{FaultConfig, Platform, SimBuilder, SimHandle};
use serde_json::Value;

/// A simulator whose clock stands at the worked examples' time, 2024-01-02 10:00:00.
async fn start_at_example_time() -> SimHandle {
    SimBuilder::new(Platform::Jushuitan)
        .seed(5)
        .orders(500)
        .data_range("2023-12-25", 10)
        .clock("2024-01-02 10:00:00")
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn section_6_3_params() -> BTreeMap<String, String> {
    [
        ("app_key", "12345678"),
        ("method", "jushuitan.order.list.query"),
        ("timestamp", "2024-01-02 10:00:00"),
        ("format", "json"),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("target_app_key", "23060081"),
        ("customer_id", "cust-1"),
        ("page_index", "1"),
        ("page_size", "50"),
        ("start_time", "2024-01-01 00:00:00"),
        ("end_time", "2024-01-02 00:00:00"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

#[tokio::test]
async fn qimen_worked_example_signs_and_is_accepted() {
    let mut params = section_6_3_params();
    assert_eq!(
        qimen_md5(&params, "qimensecret"),
        "C0EA9CA4962D796D5D1F96509C82158F"
    );
    assert_eq!(
        top_sign(&params, "qimensecret", SignMethod::Md5),
        "C0EA9CA4962D796D5D1F96509C82158F"
    );
    assert_eq!(
        top_sign(&params, "qimensecret", SignMethod::Hmac),
        "93A1A97723F8CD9DD22DFE0150DCE4AE"
    );

    let handle = start_at_example_time().await;
    params.insert(
        "sign".to_owned(),
        "C0EA9CA4962D796D5D1F96509C82158F".to_owned(),
    );
    let (status, body) = post_form(&handle, "/router/qm", &params).await;
    assert_eq!(status, 200);
    let reply: Value = serde_json::from_str(&body).unwrap();
    let response = &reply["response"];
    assert_eq!(response["code"], 0, "{body}");
    assert_eq!(response["issuccess"], true);
    assert_eq!(response["msg"], "执行成功");
    assert_eq!(response["page_index"], 1);
    assert_eq!(response["page_size"], 50);
    let truth = handle.simulator().ground_truth(ferry_sim::ModifiedRange {
        from: Some(1_704_038_400),
        to: Some(1_704_124_801),
    });
    assert_eq!(response["data_count"], truth.len());
    handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn qimen_hmac_and_hmac_sha256_requests_are_accepted() {
    let handle = start_at_example_time().await;
    for method in ["hmac", "hmac-sha256"] {
        let mut params = section_6_3_params();
        params.insert("sign_method".to_owned(), method.to_owned());
        let sign_method = if method == "hmac" {
            SignMethod::Hmac
        } else {
            SignMethod::HmacSha256
        };
        let sign = top_sign(&params, "qimensecret", sign_method);
        params.insert("sign".to_owned(), sign);
        let (_, body) = post_form(&handle, "/router/qm", &params).await;
        let reply: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(reply["response"]["code"], 0, "{method}: {body}");
    }
}

#[tokio::test]
async fn qimen_params_in_the_query_string_are_signed_too() {
    let handle = start_at_example_time().await;
    let mut params = section_6_3_params();
    params.insert(
        "sign".to_owned(),
        "C0EA9CA4962D796D5D1F96509C82158F".to_owned(),
    );
    let system = [
        "app_key",
        "method",
        "timestamp",
        "format",
        "v",
        "sign_method",
        "sign",
        "target_app_key",
    ];
    let (query, form): (Vec<_>, Vec<_>) = params
        .into_iter()
        .partition(|(k, _)| system.contains(&k.as_str()));
    let response = common::http()
        .post(format!("{}/router/qm", handle.base_url()))
        .query(&query)
        .form(&form)
        .send()
        .await
        .unwrap();
    let reply: Value = response.json().await.unwrap();
    assert_eq!(reply["response"]["code"], 0, "{reply}");
}

#[tokio::test]
async fn wrong_qimen_sign_gets_the_code_25_envelope_byte_exact() {
    let handle = common::start(1, 100, FaultConfig::default()).await;
    let mut params = qimen_params(&[
        ("start_time", "2024-01-01 00:00:00"),
        ("end_time", "2024-01-02 00:00:00"),
    ]);
    params.insert(
        "sign".to_owned(),
        "0123456789ABCDEF0123456789ABCDEF".to_owned(),
    );
    let (status, body) = post_form(&handle, "/router/qm", &params).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        r#"{"response":{"flag":"failure","code":25,"message":"Invalid signature","request_id":"1p2jpx0vx1z4k"}}"#
    );
    let stats = common::stats(&handle).await;
    assert_eq!(stats["rejected_sign"], 1);
    assert_eq!(stats["served"], 0);
}

#[tokio::test]
async fn stale_timestamp_and_unknown_method_are_rejected() {
    let handle = common::start(1, 100, FaultConfig::default()).await;
    let mut stale = qimen_params(&[]);
    stale.insert("timestamp".to_owned(), "2024-01-31 23:49:59".to_owned());
    let sign = qimen_md5(&stale, "qimensecret");
    stale.insert("sign".to_owned(), sign);
    let (_, body) = post_form(&handle, "/router/qm", &stale).await;
    let reply: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reply["response"]["flag"], "failure");
    assert_eq!(reply["response"]["code"], 31);
    assert_eq!(reply["response"]["message"], "Invalid timestamp");

    let mut other = qimen_params(&[]);
    other.insert(
        "method".to_owned(),
        "jushuitan.refund.list.query".to_owned(),
    );
    let sign = qimen_md5(&other, "qimensecret");
    other.insert("sign".to_owned(), sign);
    let (_, body) = post_form(&handle, "/router/qm", &other).await;
    let reply: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reply["response"]["code"], 22);
    assert_eq!(reply["response"]["message"], "Invalid method");
}

fn section_3_2_params() -> BTreeMap<String, String> {
    let biz = r#"{"page_index":1,"page_size":50,"modified_begin":"2024-01-01 00:00:00","modified_end":"2024-01-02 00:00:00"}"#;
    [
        ("app_key", "jstappkey"),
        ("access_token", "jsttoken"),
        ("timestamp", "1704160800"),
        ("version", "2"),
        ("charset", "utf-8"),
        ("biz", biz),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

#[tokio::test]
async fn native_worked_example_signs_and_is_accepted() {
    let mut params = section_3_2_params();
    assert_eq!(
        native_md5(&params, "jstsecret"),
        "af3e366447feb1089d429afbf87f623b"
    );
    let handle = start_at_example_time().await;
    params.insert(
        "sign".to_owned(),
        "af3e366447feb1089d429afbf87f623b".to_owned(),
    );
    let (status, body) = post_form(&handle, "/open/orders/single/query", &params).await;
    assert_eq!(status, 200);
    let reply: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reply["code"], 0, "{body}");
    assert_eq!(reply["msg"], "执行成功");
    let data = &reply["data"];
    assert_eq!(data["page_index"], 1);
    assert_eq!(data["page_size"], 50);
    let count = data["data_count"].as_u64().unwrap();
    assert!(count > 0);
    assert_eq!(data["page_count"], count.div_ceil(50));
    assert_eq!(data["has_next"], count > 50);
}

#[tokio::test]
async fn native_wrong_sign_token_and_path_get_their_codes() {
    let handle = start_at_example_time().await;
    let mut params = section_3_2_params();
    params.insert(
        "sign".to_owned(),
        "af3e366447feb1089d429afbf87f623c".to_owned(),
    );
    let (status, body) = post_form(&handle, "/open/orders/single/query", &params).await;
    assert_eq!(status, 200);
    assert_eq!(body, r#"{"code":10,"msg":"签名错误","data":null}"#);

    let mut token = section_3_2_params();
    token.insert("access_token".to_owned(), "expired".to_owned());
    let sign = native_md5(&token, "jstsecret");
    token.insert("sign".to_owned(), sign);
    let (_, body) = post_form(&handle, "/open/orders/single/query", &token).await;
    assert_eq!(
        body,
        r#"{"code":100,"msg":"access_token已过期或无效","data":null}"#
    );

    let (_, body) = post_form(&handle, "/open/refund/single/query", &section_3_2_params()).await;
    assert_eq!(body, r#"{"code":190,"msg":"接口不存在","data":null}"#);
}
