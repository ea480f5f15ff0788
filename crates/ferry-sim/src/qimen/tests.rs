//! Unit tests of the shared Qimen gateway: PROTOCOLS.md §6.3 worked examples and check order.

use super::*;

fn worked_example() -> BTreeMap<String, String> {
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
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect()
}

const NOW: i64 = 1_704_160_800; // 2024-01-02 10:00:00 Beijing

const RULES: GatewayRules<'static> = GatewayRules {
    methods: &["jushuitan.order.list.query"],
    routing_param: "customer_id",
};

#[test]
fn worked_example_string_to_sign_and_signs() {
    let params = worked_example();
    assert_eq!(
        string_to_sign(&params),
        "app_key12345678customer_idcust-1end_time2024-01-02 00:00:00formatjsonmethodjushuitan.order.list.querypage_index1page_size50sign_methodmd5start_time2024-01-01 00:00:00target_app_key23060081timestamp2024-01-02 10:00:00v2.0"
    );
    assert_eq!(
        top_sign(&params, "qimensecret", SignMethod::Md5),
        "C0EA9CA4962D796D5D1F96509C82158F"
    );
    assert_eq!(
        top_sign(&params, "qimensecret", SignMethod::Hmac),
        "93A1A97723F8CD9DD22DFE0150DCE4AE"
    );
    assert_eq!(
        top_sign(&params, "qimensecret", SignMethod::HmacSha256).len(),
        64
    );
}

#[test]
fn signed_worked_example_passes_all_checks() {
    let mut params = worked_example();
    params.insert(
        "sign".to_owned(),
        "C0EA9CA4962D796D5D1F96509C82158F".to_owned(),
    );
    let config = QimenGatewayConfig::default();
    assert_eq!(check_request(&params, &config, RULES, NOW), Ok(()));
    // Lower-case hex is accepted too; clients differ.
    params.insert(
        "sign".to_owned(),
        "c0ea9ca4962d796d5d1f96509c82158f".to_owned(),
    );
    assert_eq!(check_request(&params, &config, RULES, NOW), Ok(()));
    // hmac with the matching sign_method: the sign_method is itself signed, so re-sign.
    params.insert("sign_method".to_owned(), "hmac".to_owned());
    let hmac = top_sign(&params, "qimensecret", SignMethod::Hmac);
    params.insert("sign".to_owned(), hmac);
    assert_eq!(check_request(&params, &config, RULES, NOW), Ok(()));
}

fn signed(mut params: BTreeMap<String, String>) -> BTreeMap<String, String> {
    let method = SignMethod::from_param(params.get("sign_method").map(String::as_str)).unwrap();
    let sign = top_sign(&params, "qimensecret", method);
    params.insert("sign".to_owned(), sign);
    params
}

fn code_of(params: &BTreeMap<String, String>, now: i64) -> u32 {
    check_request(params, &QimenGatewayConfig::default(), RULES, now)
        .unwrap_err()
        .code
}

#[test]
fn each_check_has_its_code() {
    let base = worked_example();
    let mut wrong_sign = signed(base.clone());
    wrong_sign.insert("sign".to_owned(), "00".to_owned());
    assert_eq!(code_of(&wrong_sign, NOW), 25);

    let mut no_method = base.clone();
    no_method.remove("method");
    assert_eq!(code_of(&signed(no_method), NOW), 21);
    let mut other_method = base.clone();
    other_method.insert(
        "method".to_owned(),
        "jushuitan.refund.list.query".to_owned(),
    );
    assert_eq!(code_of(&signed(other_method), NOW), 22);
    let mut other_app = base.clone();
    other_app.insert("app_key".to_owned(), "999".to_owned());
    assert_eq!(code_of(&signed(other_app), NOW), 29);
    assert_eq!(code_of(&signed(base.clone()), NOW + 601), 31);
    assert_eq!(
        check_request(
            &signed(base.clone()),
            &QimenGatewayConfig::default(),
            RULES,
            NOW - 600
        ),
        Ok(())
    );
    let mut xml = base.clone();
    xml.remove("format");
    assert_eq!(code_of(&signed(xml), NOW), 23);
    let mut unsigned = base.clone();
    unsigned.remove("sign");
    assert_eq!(code_of(&unsigned, NOW), 24);
    let mut bad_method = base.clone();
    bad_method.insert("sign_method".to_owned(), "sha1".to_owned());
    bad_method.insert("sign".to_owned(), "X".to_owned());
    assert_eq!(code_of(&bad_method, NOW), 25);
    let mut other_target = base.clone();
    other_target.insert("target_app_key".to_owned(), "1".to_owned());
    assert_eq!(code_of(&signed(other_target), NOW), 41);
    let mut no_customer = base;
    no_customer.remove("customer_id");
    let error = check_request(
        &signed(no_customer),
        &QimenGatewayConfig::default(),
        RULES,
        NOW,
    )
    .unwrap_err();
    assert_eq!(error.code, 40);
    assert_eq!(
        error.sub_code.as_deref(),
        Some("isv.missing-parameter:customer_id")
    );
}

#[test]
fn failure_and_rate_limit_bodies_are_byte_exact() {
    let error = GatewayError::plain(25, "Invalid signature");
    assert_eq!(
        error.body("16kp0025x5z0p"),
        r#"{"response":{"flag":"failure","code":25,"message":"Invalid signature","request_id":"16kp0025x5z0p"}}"#
    );
    assert_eq!(
        rate_limited_body(Duration::from_millis(300), "abc"),
        r#"{"error_response":{"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-app-access-count","sub_msg":"This ban will last for 1 more seconds","request_id":"abc"}}"#
    );
}

#[test]
fn params_merge_query_and_body() {
    let params = parse_params(
        Some("method=a&app_key=1"),
        b"page_size=100&start_time=2024-01-01+00%3A00%3A00&method=b",
    );
    assert_eq!(params["method"], "b");
    assert_eq!(params["app_key"], "1");
    assert_eq!(params["start_time"], "2024-01-01 00:00:00");
}
