//! Fault injection and rate limiting of the Jushuitan simulator, each observable by a client
//! and in `/_sim/stats`.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{native_params, o_ids, page_all_qimen, post_form, qimen, qimen_params, start};
use ferry_sim::{
    Error5xxFault, FaultConfig, LateIndexFault, LatencyFault, ModifiedRange, MoveRecordsFault,
    Platform, RateConfig, SimBuilder, TimeoutFault, TruncateFault,
};
use serde_json::{Value, json};

const JAN_3: i64 = 1_704_211_200;
const JAN_10: i64 = 1_704_816_000;
const WINDOW: (&str, &str) = ("2024-01-03 00:00:00", "2024-01-10 00:00:00");

fn ids(orders: &[Value]) -> BTreeSet<u64> {
    o_ids(orders).into_iter().collect()
}

#[tokio::test]
async fn rate_limit_replies_after_the_burst() {
    let handle = SimBuilder::new(Platform::Jushuitan)
        .orders(100)
        .clock(common::NOW)
        .rate(Some(RateConfig {
            per_second: 0.001,
            burst: 1,
        }))
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let business = [("start_time", WINDOW.0), ("end_time", WINDOW.1)];
    let first = qimen(&handle, &business).await;
    assert_eq!(first["response"]["code"], 0);
    let (status, body) = post_form(&handle, "/router/qm", &qimen_params(&business)).await;
    assert_eq!(status, 200);
    let limited: Value = serde_json::from_str(&body).unwrap();
    let error = &limited["error_response"];
    assert_eq!(error["code"], 7);
    assert_eq!(error["msg"], "App Call Limited");
    assert_eq!(
        error["sub_code"],
        "accesscontrol.limited-by-app-access-count"
    );
    let sub_msg = error["sub_msg"].as_str().unwrap();
    assert!(
        sub_msg == "This ban will last for 1000 more seconds"
            || sub_msg == "This ban will last for 999 more seconds",
        "{sub_msg}"
    );
    let native = native_params(&json!({"modified_begin": WINDOW.0, "modified_end": WINDOW.1}));
    let response = common::http()
        .post(format!("{}/open/orders/single/query", handle.base_url()))
        .form(&native)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], 10004);
    let stats = common::stats(&handle).await;
    assert_eq!(stats["rate_limited"], 2);
    assert_eq!(stats["served"], 1);
    // Lifting the limit at runtime.
    let lifted = common::http()
        .post(format!("{}/_sim/rate", handle.base_url()))
        .json(&Value::Null)
        .send()
        .await
        .unwrap();
    assert_eq!(lifted.status(), 200);
    assert_eq!(qimen(&handle, &business).await["response"]["code"], 0);
}

#[tokio::test]
async fn injected_5xx_and_runtime_fault_changes() {
    let faults = FaultConfig {
        error_5xx: Error5xxFault {
            probability: 1.0,
            status: 503,
        },
        ..FaultConfig::default()
    };
    let handle = start(1, 100, faults).await;
    let (status, body) = post_form(&handle, "/router/qm", &qimen_params(&[])).await;
    assert_eq!(status, 503);
    assert!(body.contains("503 Service Unavailable"), "{body}");
    assert_eq!(common::stats(&handle).await["faults"]["error_5xx"], 1);

    let client = common::http();
    let faults_url = format!("{}/_sim/faults", handle.base_url());
    let bad = client
        .post(&faults_url)
        .json(&json!({"truncate": {"probability": 3}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let reset = client
        .post(&faults_url)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    let current: FaultConfig = client
        .get(&faults_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current, FaultConfig::default());
    let ok = qimen(&handle, &[("start_time", WINDOW.0), ("end_time", WINDOW.1)]).await;
    assert_eq!(ok["response"]["code"], 0);
}

#[tokio::test]
async fn truncated_body_has_valid_headers_but_fails_to_parse() {
    let faults = FaultConfig {
        truncate: TruncateFault { probability: 1.0 },
        ..FaultConfig::default()
    };
    let handle = start(1, 300, faults).await;
    let (status, body) = post_form(
        &handle,
        "/router/qm",
        &qimen_params(&[("start_time", WINDOW.0), ("end_time", WINDOW.1)]),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        body.starts_with(r#"{"response":{"code":0,"issuccess":true"#),
        "{body}"
    );
    assert!(serde_json::from_str::<Value>(&body).is_err());
    assert_eq!(common::stats(&handle).await["faults"]["truncate"], 1);
}

#[tokio::test]
async fn latency_is_added_and_counted() {
    let faults = FaultConfig {
        latency: LatencyFault {
            probability: 1.0,
            ms: 1,
        },
        ..FaultConfig::default()
    };
    let handle = start(1, 100, faults).await;
    let reply = qimen(&handle, &[("start_time", WINDOW.0), ("end_time", WINDOW.1)]).await;
    assert_eq!(reply["response"]["code"], 0);
    assert_eq!(common::stats(&handle).await["faults"]["latency"], 1);
}

#[tokio::test]
async fn held_request_times_out_the_client_and_shutdown_cuts_it_short() {
    let faults = FaultConfig {
        timeout: TimeoutFault {
            probability: 1.0,
            hold_ms: 30_000,
        },
        ..FaultConfig::default()
    };
    let handle = start(1, 100, faults).await;
    let result = common::http_builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap()
        .post(format!("{}/router/qm", handle.base_url()))
        .form(&qimen_params(&[]))
        .send()
        .await;
    assert!(result.unwrap_err().is_timeout());
    assert_eq!(common::stats(&handle).await["faults"]["timeout"], 1);
    // The hold is cancellable: shutdown does not wait the 30 s out.
    tokio::time::timeout(Duration::from_secs(10), handle.shutdown())
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn unserved_records_move_out_of_the_window_while_paging() {
    let faults = FaultConfig {
        move_records: MoveRecordsFault {
            probability: 1.0,
            max_per_page: 1,
            include_served: false,
        },
        ..FaultConfig::default()
    };
    let handle = start(7, 2_000, faults).await;
    let window = ModifiedRange {
        from: Some(JAN_3),
        to: Some(JAN_10 + 1),
    };
    let before = ids(&handle.simulator().ground_truth(window));
    let served = ids(&page_all_qimen(&handle, WINDOW.0, WINDOW.1, 50).await);
    let after = ids(&handle.simulator().ground_truth(window));
    let moved: BTreeSet<u64> = before.difference(&after).copied().collect();
    let stats = common::stats(&handle).await;
    assert!(!moved.is_empty());
    assert_eq!(stats["records_moved"], moved.len());
    assert_eq!(stats["faults"]["move_records"], stats["pages_served"]);
    assert!(served.is_disjoint(&moved));
    assert_eq!(served, after);
    // Moved orders now carry a later modified inside the data range.
    let everything = handle.simulator().ground_truth(ModifiedRange::default());
    for order in everything
        .iter()
        .filter(|o| moved.contains(&o["o_id"].as_u64().unwrap()))
    {
        let modified = order["modified"].as_str().unwrap();
        assert!(
            modified > WINDOW.1 && modified < "2024-01-31 00:00:00",
            "{modified}"
        );
    }
}

#[tokio::test]
async fn moving_served_records_makes_a_naive_client_skip_one_that_stayed() {
    let faults = FaultConfig {
        move_records: MoveRecordsFault {
            probability: 1.0,
            max_per_page: 1,
            include_served: true,
        },
        ..FaultConfig::default()
    };
    let handle = start(7, 2_000, faults).await;
    let window = ModifiedRange {
        from: Some(JAN_3),
        to: Some(JAN_10 + 1),
    };
    let served = ids(&page_all_qimen(&handle, WINDOW.0, WINDOW.1, 50).await);
    let after = ids(&handle.simulator().ground_truth(window));
    let never_seen: Vec<u64> = after.difference(&served).copied().collect();
    assert!(
        !never_seen.is_empty(),
        "a record that stayed in the window was skipped"
    );
}

#[tokio::test]
async fn late_indexed_records_appear_only_after_the_delay() {
    let faults = FaultConfig {
        late_index: LateIndexFault {
            probability: 0.3,
            delay_s: 3_600,
        },
        ..FaultConfig::default()
    };
    let handle = SimBuilder::new(Platform::Jushuitan)
        .seed(9)
        .orders(5_000)
        .data_range("2024-01-01", 30)
        .clock("2024-01-20 12:00:00")
        .faults(faults)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let (from, to) = ("2024-01-20 00:00:00", "2024-01-20 12:00:00");
    let range = ModifiedRange {
        from: Some(1_705_680_000),
        to: Some(1_705_723_201),
    };
    let truth = ids(&handle.simulator().ground_truth(range));
    let early = ids(&page_all_qimen(&handle, from, to, 100).await);
    assert!(early.is_subset(&truth));
    let hidden = truth.len() - early.len();
    assert!(hidden > 0);
    assert_eq!(common::stats(&handle).await["late_hidden"], hidden);
    let advanced = common::http()
        .post(format!("{}/_sim/clock", handle.base_url()))
        .json(&json!({"advance_seconds": 3_600}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        advanced.json::<Value>().await.unwrap(),
        json!({"fixed": "2024-01-20 13:00:00"})
    );
    let later = ids(&page_all_qimen(&handle, from, to, 100).await);
    assert_eq!(later, truth);
}
