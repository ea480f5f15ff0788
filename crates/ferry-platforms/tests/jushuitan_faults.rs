//! Failure classification of both Jushuitan routes against the simulator: bad credentials,
//! rate limits, 5xx, truncated bodies and timeouts, each exactly one request.

mod jushuitan_support;

use std::time::Duration;

use ferry_platforms::{CallError, open_source};
use ferry_sim::{Error5xxFault, FaultConfig, RateConfig, TimeoutFault, TruncateFault};
use jushuitan_support::{
    NATIVE_API, NATIVE_SETTINGS, QIMEN_SETTINGS, WINDOW, connection, fetch, message, native_params,
    native_source, qimen_params, qimen_source, start, with,
};

#[tokio::test]
async fn wrong_qimen_secret_is_rejected_naming_the_signature() {
    let handle = start(100, FaultConfig::default(), None).await;
    let source = qimen_source(
        &handle,
        &with(QIMEN_SETTINGS, "secret", "wrong-qimen-secret"),
    );
    let error = fetch(source.as_ref(), &qimen_params(WINDOW.0, WINDOW.1), 1, 100)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::Rejected {
            message: "signature rejected by the Qimen gateway (code 25: Invalid signature); \
                      check `secret` and `sign_method`"
                .to_owned()
        }
    );
    assert!(!error.to_string().contains("wrong-qimen-secret"));
    assert!(!format!("{source:?}").contains("wrong-qimen-secret"));
    let stats = handle.simulator().stats();
    assert_eq!((stats.requests, stats.rejected_sign), (1, 1));
}

#[tokio::test]
async fn wrong_native_secret_or_token_is_rejected() {
    let handle = start(100, FaultConfig::default(), None).await;
    let params = native_params(WINDOW.0, WINDOW.1);
    let bad_secret = native_source(
        &handle,
        &with(NATIVE_SETTINGS, "app_secret", "wrong-jst-secret"),
    );
    let error = fetch(bad_secret.as_ref(), &params, 1, 100)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::Rejected {
            message: "signature rejected by Jushuitan (code 10: 签名错误); check `app_secret`"
                .to_owned()
        }
    );
    assert!(!format!("{error:?} {bad_secret:?}").contains("wrong-jst-secret"));
    let bad_token = native_source(
        &handle,
        &with(NATIVE_SETTINGS, "access_token", "stale-token"),
    );
    let error = fetch(bad_token.as_ref(), &params, 1, 100)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::Rejected {
            message: "access token rejected by Jushuitan (code 100: access_token已过期或无效); \
                      refresh `access_token`"
                .to_owned()
        }
    );
    assert!(!format!("{error:?} {bad_token:?}").contains("stale-token"));
}

fn low_rate() -> Option<RateConfig> {
    Some(RateConfig {
        per_second: 0.001,
        burst: 2,
    })
}

/// The bucket refills one token per 1000 s, so the third call waits 1000 s minus the time
/// since the burst; the simulator rounds up, so the ban is 1000 s (999 s only if the burst
/// took over a second on a loaded machine).
fn assert_ban(retry_after: Option<Duration>, plus: u64) {
    let ban = retry_after.expect("the reply says how long").as_secs();
    assert!(ban == 1000 + plus || ban == 999 + plus, "{ban}");
}

#[tokio::test]
async fn qimen_burst_over_the_rate_limit_is_rate_limited_with_the_ban() {
    let handle = start(100, FaultConfig::default(), low_rate()).await;
    let source = qimen_source(&handle, QIMEN_SETTINGS);
    let params = qimen_params(WINDOW.0, WINDOW.1);
    for page in 1..=2 {
        fetch(source.as_ref(), &params, page, 10).await.unwrap();
    }
    let error = fetch(source.as_ref(), &params, 3, 10).await.unwrap_err();
    let CallError::RateLimited {
        message,
        retry_after,
    } = &error
    else {
        panic!("expected a rate limit, got {error:?}");
    };
    let prefix = "Qimen gateway code 7: App Call Limited; accesscontrol.limited-by-app-access-count: \
                  This ban will last for ";
    assert!(message.starts_with(prefix), "{message}");
    // N+1 seconds for "This ban will last for N more seconds".
    assert_ban(*retry_after, 1);
    assert!(error.is_retryable());
    assert_eq!(handle.simulator().stats().rate_limited, 1);
}

#[tokio::test]
async fn native_burst_over_the_rate_limit_is_rate_limited_with_retry_after() {
    let handle = start(100, FaultConfig::default(), low_rate()).await;
    let source = native_source(&handle, NATIVE_SETTINGS);
    let params = native_params(WINDOW.0, WINDOW.1);
    for page in 1..=2 {
        fetch(source.as_ref(), &params, page, 10).await.unwrap();
    }
    let error = fetch(source.as_ref(), &params, 3, 10).await.unwrap_err();
    let CallError::RateLimited {
        message,
        retry_after,
    } = &error
    else {
        panic!("expected a rate limit, got {error:?}");
    };
    let url = format!("{}/open/orders/single/query", handle.base_url());
    assert_eq!(message, &format!("HTTP 429 Too Many Requests from {url}"));
    assert_ban(*retry_after, 0);
    assert_eq!(handle.simulator().stats().rate_limited, 1);
}

#[tokio::test]
async fn injected_5xx_is_transient_on_both_routes() {
    let faults = FaultConfig {
        error_5xx: Error5xxFault {
            probability: 1.0,
            status: 502,
        },
        ..FaultConfig::default()
    };
    let handle = start(100, faults, None).await;
    let qimen = qimen_source(&handle, QIMEN_SETTINGS);
    let error = fetch(qimen.as_ref(), &qimen_params(WINDOW.0, WINDOW.1), 1, 100)
        .await
        .unwrap_err();
    let base = handle.base_url();
    assert_eq!(
        error,
        CallError::transient(format!("HTTP 502 from {base}/router/qm"))
    );
    let native = native_source(&handle, NATIVE_SETTINGS);
    let error = fetch(native.as_ref(), &native_params(WINDOW.0, WINDOW.1), 1, 100)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::transient(format!("HTTP 502 from {base}/open/orders/single/query"))
    );
    assert_eq!(handle.simulator().stats().faults.error_5xx, 2);
}

#[tokio::test]
async fn truncated_body_is_transient_on_both_routes() {
    let faults = FaultConfig {
        truncate: TruncateFault { probability: 1.0 },
        ..FaultConfig::default()
    };
    let handle = start(300, faults, None).await;
    let qimen = qimen_source(&handle, QIMEN_SETTINGS);
    let native = native_source(&handle, NATIVE_SETTINGS);
    let cases = [
        (
            fetch(qimen.as_ref(), &qimen_params(WINDOW.0, WINDOW.1), 1, 100).await,
            "invalid JSON in the reply of `jushuitan-qimen`: EOF while parsing ",
        ),
        (
            fetch(native.as_ref(), &native_params(WINDOW.0, WINDOW.1), 1, 100).await,
            "invalid JSON in the reply of `jushuitan`: EOF while parsing ",
        ),
    ];
    for (result, prefix) in cases {
        let error = result.unwrap_err();
        assert!(matches!(error, CallError::Transient { .. }), "{error:?}");
        assert!(message(&error).starts_with(prefix), "{error:?}");
        // The serde error is reported, never the half body.
        assert!(!message(&error).contains("o_id"), "{error:?}");
    }
    assert_eq!(handle.simulator().stats().faults.truncate, 2);
}

#[tokio::test]
async fn held_request_times_out_as_transient() {
    let faults = FaultConfig {
        timeout: TimeoutFault {
            probability: 1.0,
            hold_ms: 20_000,
        },
        ..FaultConfig::default()
    };
    let handle = start(100, faults, None).await;
    let conn = connection("jushuitan", &handle.base_url(), "1s", NATIVE_SETTINGS);
    let source = open_source(&conn, NATIVE_API).unwrap();
    let error = fetch(source.as_ref(), &native_params(WINDOW.0, WINDOW.1), 1, 100)
        .await
        .unwrap_err();
    let expected = format!(
        "cannot reach {}/open/orders/single/query: timed out",
        handle.base_url()
    );
    assert_eq!(error, CallError::transient(expected));
}
