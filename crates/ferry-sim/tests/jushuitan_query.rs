//! Business behaviour of the Jushuitan simulator without faults: parameter checks, paging
//! against the ground truth, determinism of the data.

mod common;

use std::collections::BTreeMap;

use common::{native_params, o_ids, page_all_qimen, post_form, qimen, start};
use ferry_sim::{FaultConfig, ModifiedRange};
use serde_json::{Value, json};

/// 2024-01-03 00:00:00 and 2024-01-10 00:00:00 Beijing, as Unix seconds.
const JAN_3: i64 = 1_704_211_200;
const JAN_10: i64 = 1_704_816_000;

#[tokio::test]
async fn window_longer_than_seven_days_is_rejected() {
    let handle = start(1, 200, FaultConfig::default()).await;
    let reply = qimen(
        &handle,
        &[
            ("start_time", "2024-01-03 00:00:00"),
            ("end_time", "2024-01-10 00:00:01"),
        ],
    )
    .await;
    assert_eq!(
        reply,
        json!({"response": {"code": 20, "issuccess": false, "msg": "时间间隔不能超过七天", "request_id": reply["response"]["request_id"]}})
    );
    let exactly_seven = qimen(
        &handle,
        &[
            ("start_time", "2024-01-03 00:00:00"),
            ("end_time", "2024-01-10 00:00:00"),
        ],
    )
    .await;
    assert_eq!(exactly_seven["response"]["code"], 0);
    let one_bound = qimen(&handle, &[("start_time", "2024-01-03 00:00:00")]).await;
    assert_eq!(
        one_bound["response"]["msg"],
        "修改起始时间和结束时间必须同时存在"
    );
    let none = qimen(&handle, &[]).await;
    assert_eq!(none["response"]["code"], 20);
    let native = native_params(
        &json!({"modified_begin": "2024-01-01 00:00:00", "modified_end": "2024-01-09 00:00:00"}),
    );
    let (_, body) = post_form(&handle, "/open/orders/single/query", &native).await;
    assert_eq!(
        body,
        r#"{"code":20,"msg":"时间间隔不能超过七天","data":null}"#
    );
    assert_eq!(common::stats(&handle).await["rejected_request"], 4);
}

#[tokio::test]
async fn page_size_outside_1_to_100_is_rejected() {
    let handle = start(1, 200, FaultConfig::default()).await;
    for size in ["101", "0", "-1", "ten"] {
        let reply = qimen(
            &handle,
            &[
                ("page_size", size),
                ("start_time", "2024-01-03 00:00:00"),
                ("end_time", "2024-01-04 00:00:00"),
            ],
        )
        .await;
        assert_eq!(reply["response"]["code"], 20, "{size}");
        assert_eq!(reply["response"]["msg"], "page_size必须在1到100之间");
    }
    let ok = qimen(
        &handle,
        &[
            ("page_size", "100"),
            ("start_time", "2024-01-03 00:00:00"),
            ("end_time", "2024-01-04 00:00:00"),
        ],
    )
    .await;
    assert_eq!(ok["response"]["page_size"], 100);
    let bad_status = qimen(
        &handle,
        &[
            ("status", "Shipped"),
            ("start_time", "2024-01-03 00:00:00"),
            ("end_time", "2024-01-04 00:00:00"),
        ],
    )
    .await;
    assert_eq!(bad_status["response"]["code"], 20);
}

#[tokio::test]
async fn paging_a_window_yields_exactly_the_ground_truth() {
    let handle = start(3, 2_000, FaultConfig::default()).await;
    let orders = page_all_qimen(&handle, "2024-01-03 00:00:00", "2024-01-10 00:00:00", 100).await;
    // The API window is inclusive at both ends; the ground truth range is half-open.
    let truth = handle.simulator().ground_truth(ModifiedRange {
        from: Some(JAN_3),
        to: Some(JAN_10 + 1),
    });
    assert!(truth.len() > 300, "{}", truth.len());
    let mut served = o_ids(&orders);
    served.sort_unstable();
    let mut expected = o_ids(&truth);
    expected.sort_unstable();
    assert_eq!(served, expected);
    let by_id: BTreeMap<u64, &Value> = truth
        .iter()
        .map(|order| (order["o_id"].as_u64().unwrap(), order))
        .collect();
    for order in &orders {
        assert_eq!(&order, by_id.get(&order["o_id"].as_u64().unwrap()).unwrap());
    }
    // Served in (modified, o_id) order.
    let keys: Vec<(String, u64)> = orders
        .iter()
        .map(|o| {
            (
                o["modified"].as_str().unwrap().to_owned(),
                o["o_id"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let stats = common::stats(&handle).await;
    assert_eq!(stats["records_served"], orders.len());
    assert_eq!(stats["records_moved"], 0);
}

#[tokio::test]
async fn native_paging_and_status_filter_match_the_ground_truth() {
    let handle = start(3, 2_000, FaultConfig::default()).await;
    let mut served = Vec::new();
    for page_index in 1.. {
        let biz = json!({"page_index": page_index, "page_size": 100, "modified_begin": "2024-01-03 00:00:00", "modified_end": "2024-01-10 00:00:00", "status": "Sent"});
        let (status, body) =
            post_form(&handle, "/open/orders/single/query", &native_params(&biz)).await;
        assert_eq!(status, 200);
        let reply: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(reply["code"], 0, "{body}");
        served.extend(o_ids(reply["data"]["orders"].as_array().unwrap()));
        if !reply["data"]["has_next"].as_bool().unwrap() {
            break;
        }
    }
    let truth = handle.simulator().ground_truth(ModifiedRange {
        from: Some(JAN_3),
        to: Some(JAN_10 + 1),
    });
    let mut expected: Vec<u64> = truth
        .iter()
        .filter(|o| o["status"] == "Sent")
        .map(|o| o["o_id"].as_u64().unwrap())
        .collect();
    served.sort_unstable();
    expected.sort_unstable();
    assert!(!expected.is_empty());
    assert_eq!(served, expected);
}

#[tokio::test]
async fn lookups_by_o_id_and_so_id() {
    let handle = start(3, 300, FaultConfig::default()).await;
    let truth = handle.simulator().ground_truth(ModifiedRange::default());
    let first = &truth[0];
    let second = &truth[1];
    let o_id = first["o_id"].to_string();
    let so_id = second["so_id"].as_str().unwrap();
    let by_o_id = qimen(&handle, &[("o_ids", &o_id)]).await;
    assert_eq!(by_o_id["response"]["orders"], json!([first]));
    let by_so_id = qimen(&handle, &[("so_ids", so_id)]).await;
    assert_eq!(by_so_id["response"]["orders"], json!([second]));
}

#[tokio::test]
async fn same_seed_gives_identical_data_and_another_seed_differs() {
    let first = start(42, 1_000, FaultConfig::default()).await;
    let second = start(42, 1_000, FaultConfig::default()).await;
    let other = start(43, 1_000, FaultConfig::default()).await;
    let url = |handle: &ferry_sim::SimHandle| format!("{}/_sim/ground-truth", handle.base_url());
    let bytes_first = common::http()
        .get(url(&first))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let bytes_second = common::http()
        .get(url(&second))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let bytes_other = common::http()
        .get(url(&other))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes_first, bytes_second);
    assert_ne!(bytes_first, bytes_other);
    assert_eq!(
        bytes_first.as_ref(),
        first
            .simulator()
            .ground_truth_jsonl(ModifiedRange::default())
            .as_slice()
    );
    assert_eq!(bytes_first.iter().filter(|&&b| b == b'\n').count(), 1_000);
    let page = qimen(
        &first,
        &[
            ("start_time", "2024-01-05 00:00:00"),
            ("end_time", "2024-01-06 00:00:00"),
        ],
    )
    .await;
    let again = qimen(
        &second,
        &[
            ("start_time", "2024-01-05 00:00:00"),
            ("end_time", "2024-01-06 00:00:00"),
        ],
    )
    .await;
    assert_eq!(page["response"]["orders"], again["response"]["orders"]);
}

#[tokio::test]
async fn ground_truth_endpoint_filters_and_formats() {
    let handle = start(3, 500, FaultConfig::default()).await;
    let url = format!("{}/_sim/ground-truth", handle.base_url());
    let array: Vec<Value> = common::http()
        .get(&url)
        .query(&[
            ("from", "2024-01-03 00:00:00"),
            ("to", "2024-01-10 00:00:00"),
            ("format", "json"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let expected = handle.simulator().ground_truth(ModifiedRange {
        from: Some(JAN_3),
        to: Some(JAN_10),
    });
    assert_eq!(array, expected);
    for order in &array {
        let modified = order["modified"].as_str().unwrap();
        assert!(("2024-01-03 00:00:00".."2024-01-10 00:00:00").contains(&modified));
    }
    let bad = common::http()
        .get(format!("{url}?from=yesterday"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(
        body["error"],
        "`from` must be `yyyy-MM-dd HH:mm:ss`, got `yesterday`"
    );
}
