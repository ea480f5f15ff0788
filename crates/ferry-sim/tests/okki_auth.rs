//! OKKI simulator: client-credentials tokens per scope, their expiry, and the Bearer check
//! (PROTOCOLS.md §2.1, §2.5), over HTTP against a simulator on port 0.

use ferry_sim::{ClockSetting, OkkiConfig, SimBuilder, SimConfig, SimHandle};
use serde_json::{Value, json};

const NOW: &str = "2024-02-01 00:00:00";
const LIST: &str = "/v1/invoices/order/list";

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

async fn start(config: OkkiConfig) -> SimHandle {
    SimBuilder::from_config(SimConfig::Okki(config))
        .seed(3)
        .orders(50)
        .data_range("2024-01-01", 30)
        .clock(NOW)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

async fn grant_json(handle: &SimHandle, body: Value) -> (u16, Value) {
    let response = http()
        .post(format!("{}/v1/oauth2/access_token", handle.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn grant_body(secret: &str, scope: &str) -> Value {
    json!({"grant_type": "client_credentials", "client_id": "okki-client",
        "client_secret": secret, "scope": scope})
}

async fn token(handle: &SimHandle, scope: &str) -> String {
    let (status, body) = grant_json(handle, grant_body("okkisecret", scope)).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn list(handle: &SimHandle, token: Option<&str>) -> (u16, Value) {
    let mut request = http().get(format!("{}{LIST}?count=5", handle.base_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn grants_are_per_scope_and_deterministic() {
    let handle = start(OkkiConfig::default()).await;
    let (status, body) = grant_json(&handle, grant_body("okkisecret", "invoices")).await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 28_800);
    assert_eq!(body["scope"], "invoices");
    let first = body["access_token"].as_str().unwrap().to_owned();
    assert!(first.starts_with("okki-invoices-"), "{first}");
    assert_eq!(first.len(), "okki-invoices-".len() + 16);

    // A form-encoded grant works too and issues a new token; the old one stays valid.
    let response = http()
        .post(format!("{}/v1/oauth2/access_token", handle.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=okki-client&client_secret=okkisecret&scope=company")
        .send()
        .await
        .unwrap();
    let company: Value = response.json().await.unwrap();
    let company = company["access_token"].as_str().unwrap().to_owned();
    assert!(company.starts_with("okki-company-"), "{company}");
    assert_eq!(list(&handle, Some(&first)).await.0, 200);

    // The same seed and grant order give the same tokens.
    let again = start(OkkiConfig::default()).await;
    assert_eq!(token(&again, "invoices").await, first);
}

#[tokio::test]
async fn bad_grants_get_the_platform_replies() {
    let handle = start(OkkiConfig::default()).await;
    let cases = [
        (
            grant_body("wrong", "invoices"),
            401,
            401,
            "client_id或client_secret错误",
        ),
        (grant_body("okkisecret", "crm"), 400, 400, "scope无效"),
        (
            json!({"client_id": "okki-client", "client_secret": "okkisecret",
            "scope": "invoices"}),
            400,
            400,
            "grant_type不支持",
        ),
    ];
    for (body, http_status, code, message) in cases {
        let (status, reply) = grant_json(&handle, body).await;
        assert_eq!(status, http_status);
        assert_eq!(reply, json!({"code": code, "message": message}));
    }
}

#[tokio::test]
async fn list_needs_a_live_token_of_the_invoices_scope() {
    let handle = start(OkkiConfig::default()).await;
    let invalid = json!({"code": 401, "message": "access_token无效或已过期"});
    assert_eq!(list(&handle, None).await, (401, invalid.clone()));
    assert_eq!(list(&handle, Some("okki-invoices-0")).await, (401, invalid));
    let company = token(&handle, "company").await;
    assert_eq!(
        list(&handle, Some(&company)).await,
        (
            403,
            json!({"code": 403, "message": "access_token无权访问该接口"})
        )
    );
    let invoices = token(&handle, "invoices").await;
    let (status, body) = list(&handle, Some(&invoices)).await;
    assert_eq!(
        (status, &body["code"], &body["message"]),
        (200, &json!(200), &json!("success"))
    );
    assert_eq!(body["data"]["count"], 50);
    assert_eq!(body["data"]["list"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn tokens_expire_by_clock_and_by_call_budget() {
    let mut config = OkkiConfig::default();
    config.auth.token_ttl_s = 600;
    config.auth.token_max_calls = Some(2);
    let handle = start(config).await;
    let invalid = (
        401,
        json!({"code": 401, "message": "access_token无效或已过期"}),
    );

    let budget = token(&handle, "invoices").await;
    assert_eq!(list(&handle, Some(&budget)).await.0, 200);
    assert_eq!(list(&handle, Some(&budget)).await.0, 200);
    assert_eq!(list(&handle, Some(&budget)).await, invalid);

    let timed = token(&handle, "invoices").await;
    assert_eq!(list(&handle, Some(&timed)).await.0, 200);
    handle
        .simulator()
        .clock()
        .apply(&ClockSetting::AdvanceSeconds(600));
    assert_eq!(list(&handle, Some(&timed)).await, invalid);
    let stats = handle.simulator().stats();
    assert_eq!(stats.rejected_request, 2);
}
