//! The ERP-neutral [`QimenClient`] against the simulated gateway: it returns the ISV's inner
//! `response` object as sent and classifies the gateway's own refusals, so Jackyun and WDT
//! can reuse it with their own routing parameter and decoder.

use ferry_model::Secret;
use ferry_platforms::CallError;
use ferry_platforms::qimen::{QimenClient, QimenConfig, SignMethod};
use ferry_sim::{FaultConfig, ModifiedRange, Platform, SimBuilder, SimHandle};
use serde_json::Value;

const METHOD: &str = "jushuitan.order.list.query";

async fn start() -> SimHandle {
    SimBuilder::new(Platform::Jushuitan)
        .seed(3)
        .orders(50)
        .faults(FaultConfig::default())
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn config(handle: &SimHandle) -> QimenConfig {
    QimenConfig {
        platform: "jushuitan-qimen",
        base_url: format!("{}/router/qm", handle.base_url()),
        app_key: "12345678".to_owned(),
        secret: Secret::new("qimensecret"),
        target_app_key: "23060081".to_owned(),
        sign_method: SignMethod::HmacSha256,
        routing: Some(("customer_id".to_owned(), "cust-1".to_owned())),
        timeout_secs: 5,
    }
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

#[tokio::test]
async fn call_returns_the_inner_response_object() {
    let handle = start().await;
    let client = QimenClient::new(config(&handle)).unwrap();
    let business = pairs(&[
        ("start_time", "2024-01-03 00:00:00"),
        ("end_time", "2024-01-10 00:00:00"),
        ("page_size", "2"),
        ("status", ""),
    ]);
    let response = client.call(METHOD, &business).await.unwrap();
    assert_eq!(response["code"], 0);
    assert_eq!(response["issuccess"], true);
    assert_eq!(response["msg"], "执行成功");
    assert_eq!(response["page_size"], 2);
    assert_eq!(response["page_index"], 1);
    // The window is inclusive at both ends: 2024-01-03 00:00:00 ..= 2024-01-10 00:00:00.
    let truth = handle.simulator().ground_truth(ModifiedRange {
        from: Some(1_704_211_200),
        to: Some(1_704_816_001),
    });
    assert!(truth.len() > 2, "{}", truth.len());
    assert_eq!(response["data_count"], truth.len());
    assert_eq!(response["orders"].as_array().unwrap().len(), 2);
    assert!(!response.contains_key("response"));
    assert!(matches!(response["request_id"], Value::String(_)));
}

#[tokio::test]
async fn gateway_refusals_are_classified_with_code_and_message() {
    let handle = start().await;
    let window = pairs(&[
        ("start_time", "2024-01-03 00:00:00"),
        ("end_time", "2024-01-04 00:00:00"),
    ]);
    let client = QimenClient::new(config(&handle)).unwrap();
    let error = client.call("jushuitan.nothing", &window).await.unwrap_err();
    assert_eq!(
        error,
        CallError::Invalid {
            message: "Qimen gateway refused the request (code 22: Invalid method)".to_owned()
        }
    );
    let unknown_app = QimenClient::new(QimenConfig {
        app_key: "999".to_owned(),
        ..config(&handle)
    })
    .unwrap();
    assert_eq!(
        unknown_app.call(METHOD, &window).await.unwrap_err(),
        CallError::Rejected {
            message: "rejected by the Qimen gateway (code 29: Invalid app key)".to_owned()
        }
    );
    let unrouted = QimenClient::new(QimenConfig {
        routing: None,
        ..config(&handle)
    })
    .unwrap();
    assert_eq!(
        unrouted.call(METHOD, &window).await.unwrap_err(),
        CallError::Invalid {
            message: "Qimen gateway refused the request (code 40: Missing required arguments; \
                      isv.missing-parameter:customer_id: customer_id is required)"
                .to_owned()
        }
    );
    let wrong_scene = QimenClient::new(QimenConfig {
        target_app_key: "1".to_owned(),
        sign_method: SignMethod::Hmac,
        ..config(&handle)
    })
    .unwrap();
    assert_eq!(
        wrong_scene.call(METHOD, &window).await.unwrap_err(),
        CallError::Invalid {
            message: "Qimen gateway refused the request (code 41: Invalid arguments; \
                      isv.invalid-parameter:target_app_key: target_app_key is missing or does \
                      not match the scene)"
                .to_owned()
        }
    );
    let stats = handle.simulator().stats();
    assert_eq!(
        (stats.requests, stats.rejected_request, stats.served),
        (4, 4, 0)
    );
}
