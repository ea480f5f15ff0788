//! The Jackyun simulator on the wire: the worked signature example of PROTOCOLS.md §1.3 on the
//! native route, the double signature of §1.4 on the Qimen route, the exact failure replies,
//! the seven-day cap, paging end markers, `result.data` as object or string, and the rate-limit
//! replies of both routes. Signatures are computed here, independently of the simulator.

mod common;

use std::collections::BTreeMap;

use common::{post_form, qimen_md5};
use ferry_sim::{JackyunConfig, ModifiedRange, SimBuilder, SimConfig, SimHandle};
use md5::{Digest, Md5};
use serde_json::{Value, json};

const METHOD: &str = "jackyun.tradenotsensitiveinfos.list.get";
const NOW: &str = "2024-01-02 10:00:00";
const SECTION_1_3_SECRET: &str = "testsecret0123456789abcdef012345";
const SECTION_1_3_BIZ: &str = r#"{"pageIndex":0,"pageSize":50,"startModified":"2024-01-01 00:00:00","endModified":"2024-01-02 00:00:00","hasTotal":1,"fields":"tradeNo,tradeStatus,goodsDetail.goodsNo"}"#;

/// A simulator at the worked example's time whose native app is the example's.
async fn start(data_as_string: f64, rate: Option<&str>) -> SimHandle {
    let mut config = JackyunConfig::default();
    config.app.appkey = "12345678".to_owned();
    config.app.secret = SECTION_1_3_SECRET.to_owned();
    config.reply.data_as_string = data_as_string;
    SimBuilder::from_config(SimConfig::Jackyun(config))
        .seed(9)
        .orders(800)
        .data_range("2023-12-30", 5)
        .clock(NOW)
        .rate(rate.map(|rate| rate.parse().unwrap()))
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

fn jky_md5(params: &BTreeMap<String, String>, secret: &str) -> String {
    let mut raw = String::from(secret);
    for (key, value) in params {
        if !["sign", "token", "contextid"].contains(&key.as_str()) {
            raw.push_str(key);
            raw.push_str(value);
        }
    }
    raw.push_str(secret);
    hex::encode(Md5::digest(raw.to_lowercase().as_bytes()))
}

fn native_params(biz: &str) -> BTreeMap<String, String> {
    let mut params = map(&[
        ("method", METHOD),
        ("appkey", "12345678"),
        ("version", "v1.0"),
        ("contenttype", "json"),
        ("timestamp", NOW),
        ("bizcontent", biz),
    ]);
    let sign = jky_md5(&params, SECTION_1_3_SECRET);
    params.insert("sign".to_owned(), sign);
    params
}

fn qimen_params(content: &str, jky_secret: &str) -> BTreeMap<String, String> {
    let jky = map(&[
        ("appkey", "12345678"),
        ("bizcontent", content),
        ("contenttype", "JSON"),
        ("method", METHOD),
        ("timestamp", NOW),
        ("version", "1.0"),
    ]);
    let jkysign = jky_md5(&jky, jky_secret);
    let mut params = map(&[
        ("app_key", "12345678"),
        ("target_app_key", "21363512"),
        ("format", "json"),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("timestamp", NOW),
        ("method", METHOD),
        ("jkymethod", METHOD),
        ("jkytimestamp", NOW),
        ("jkyversion", "1.0"),
        ("jkyappkey", "12345678"),
        ("jkycustomerid", "jkycust-1"),
        ("content", content),
        ("jkysign", &jkysign),
    ]);
    let sign = qimen_md5(&params, "qimensecret");
    params.insert("sign".to_owned(), sign);
    params
}

async fn call(handle: &SimHandle, path: &str, params: &BTreeMap<String, String>) -> Value {
    let (status, body) = post_form(handle, path, params).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn data(result: &Value) -> Value {
    match &result["data"] {
        Value::String(text) => serde_json::from_str(text).unwrap(),
        other => other.clone(),
    }
}

#[tokio::test]
async fn native_worked_example_is_accepted_and_pages_to_the_end() {
    let params = native_params(SECTION_1_3_BIZ);
    assert_eq!(params["sign"], "226c6347b2256e8fe064cd4752bb1e02");
    let handle = start(0.0, None).await;
    let reply = call(&handle, "/open/openapi/do", &params).await;
    assert_eq!(reply["code"], 200, "{reply}");
    assert_eq!(reply["msg"], "成功");
    assert_eq!(reply["subCode"], Value::Null);
    let first = data(&reply["result"]);
    assert!(reply["result"]["data"].is_object(), "data_as_string = 0");
    let truth = handle.simulator().ground_truth(ModifiedRange {
        from: Some(1_704_038_400),
        to: Some(1_704_124_800),
    });
    assert!(truth.len() > 100, "{}", truth.len());
    assert_eq!(first["total"], truth.len());
    assert_eq!(first["Trades"].as_array().unwrap().len(), 50);
    assert_eq!(first["ScrollId"], "jky-50");
    assert_eq!(reply["result"]["scrollId"], "jky-50");
    assert_eq!(first["Trades"][0], truth[0]);

    let last_index = (truth.len() - 1) / 50;
    let biz = SECTION_1_3_BIZ.replace("\"pageIndex\":0", &format!("\"pageIndex\":{last_index}"));
    let last = data(&call(&handle, "/open/openapi/do", &native_params(&biz)).await["result"]);
    let trades = last["Trades"].as_array().unwrap();
    assert_eq!(trades.len(), truth.len() - last_index * 50);
    assert_eq!(last["ScrollId"], "");
    assert_eq!(trades.last().unwrap(), truth.last().unwrap());
}

#[tokio::test]
async fn native_failures_have_jackyuns_shape() {
    let handle = start(0.0, None).await;
    let mut bad_sign = native_params(SECTION_1_3_BIZ);
    bad_sign.insert("sign".to_owned(), "0".repeat(32));
    assert_eq!(
        call(&handle, "/open/openapi/do", &bad_sign).await,
        json!({"code": 401, "msg": "签名验证失败", "subCode": "GSE.SIGN_INVALID"})
    );
    let wide = SECTION_1_3_BIZ.replace("2024-01-02 00:00:00", "2024-01-08 00:00:01");
    assert_eq!(
        call(&handle, "/open/openapi/do", &native_params(&wide)).await,
        json!({"code": 400, "msg": "时间跨度不能超过7天", "subCode": "GSE.PARAM_ERROR"})
    );
    let big = SECTION_1_3_BIZ.replace("\"pageSize\":50", "\"pageSize\":1001");
    assert_eq!(
        call(&handle, "/open/openapi/do", &native_params(&big)).await["msg"],
        "pageSize必须在1到1000之间"
    );
}

#[tokio::test]
async fn qimen_double_signature_is_checked_and_data_can_be_a_string() {
    let handle = start(1.0, None).await;
    let reply = call(
        &handle,
        "/router/qm",
        &qimen_params(SECTION_1_3_BIZ, SECTION_1_3_SECRET),
    )
    .await;
    let response = &reply["response"];
    assert_eq!(response["code"], 200, "{reply}");
    assert!(response["result"]["data"].is_string(), "data_as_string = 1");
    assert_eq!(
        data(&response["result"])["Trades"]
            .as_array()
            .unwrap()
            .len(),
        50
    );

    let wrong_jky = call(
        &handle,
        "/router/qm",
        &qimen_params(SECTION_1_3_BIZ, "other"),
    )
    .await;
    let inner = wrong_jky["response"].as_object().unwrap();
    assert_eq!(inner["code"], 401);
    assert_eq!(inner["subCode"], "GSE.SIGN_INVALID");
    assert_eq!(inner["msg"], "签名验证失败");
    assert!(!inner.contains_key("flag"));

    let mut wrong_top = qimen_params(SECTION_1_3_BIZ, SECTION_1_3_SECRET);
    wrong_top.insert("sign".to_owned(), "0".repeat(32));
    let gateway = call(&handle, "/router/qm", &wrong_top).await;
    assert_eq!(gateway["response"]["flag"], "failure");
    assert_eq!(gateway["response"]["code"], 25);
    assert_eq!(gateway["response"]["message"], "Invalid signature");
    let stats = handle.simulator().stats();
    assert_eq!(stats.served, 1);
}

#[tokio::test]
async fn rate_limits_answer_code_7_and_the_native_code() {
    let handle = start(0.0, Some("1/s,burst=1")).await;
    let params = qimen_params(SECTION_1_3_BIZ, SECTION_1_3_SECRET);
    assert_eq!(
        call(&handle, "/router/qm", &params).await["response"]["code"],
        200
    );
    let limited = call(&handle, "/router/qm", &params).await;
    assert_eq!(limited["error_response"]["code"], 7);
    assert_eq!(limited["error_response"]["msg"], "App Call Limited");
    let native = call(&handle, "/open/openapi/do", &native_params(SECTION_1_3_BIZ)).await;
    assert_eq!(
        native,
        json!({"code": 429, "msg": "接口调用频率超限，请稍后再试", "subCode": "GSE.API_CALL_LIMITED"})
    );
}
