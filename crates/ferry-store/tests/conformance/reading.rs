//! Reading the ledger: paging pending records by key, listing with filters, and Unicode keys and
//! payloads that come back exactly as stored.

use ferry_store::{Disposition, RecordFilter, RecordStatus, StatusCounts};
use serde_json::json;

use crate::fixtures::{all_pending_keys, failed, fetched, fetched_with, record, written};
use crate::harness::Harness;

pub async fn pending_pages_by_key_across_2500_records(h: &Harness) {
    let store = h.store.as_ref();
    let mut records: Vec<_> = (0..2450)
        .map(|index| fetched(&format!("k{index:05}"), 1))
        .collect();
    // Keys outside ASCII sort by their UTF-8 bytes, after every ASCII key.
    for index in 0..50 {
        records.push(fetched(&format!("订单{index:02}"), 1));
    }
    records.reverse();
    let dispositions = store
        .record_fetched("orders", &records, true)
        .await
        .unwrap();
    assert_eq!(dispositions.len(), 2500);
    assert!(
        dispositions
            .iter()
            .all(|disposition| *disposition == Disposition::New)
    );
    let done: Vec<_> = (0..2450)
        .step_by(5)
        .map(|index| written(&format!("k{index:05}"), 1))
        .collect();
    store.record_outcomes("orders", &done).await.unwrap();

    let mut expected: Vec<String> = records.iter().map(|record| record.key.clone()).collect();
    expected.retain(|key| !done.iter().any(|outcome| &outcome.key == key));
    expected.sort();
    assert_eq!(expected.len(), 2010);
    assert_eq!(expected.last().map(String::as_str), Some("订单49"));
    assert_eq!(all_pending_keys(store, "orders", 300).await, expected);
    assert_eq!(all_pending_keys(store, "orders", 1).await.len(), 2010);
    let page = store.pending("orders", Some("k02440"), 3).await.unwrap();
    let keys: Vec<&str> = page.iter().map(|record| record.key.as_str()).collect();
    assert_eq!(keys, vec!["k02441", "k02442", "k02443"]);
    let expected_counts = StatusCounts {
        pending: 2010,
        written: 490,
        ..StatusCounts::default()
    };
    assert_eq!(store.counts("orders").await.unwrap(), expected_counts);
}

pub async fn unicode_keys_and_payloads_round_trip(h: &Harness) {
    let store = h.store.as_ref();
    let payload = json!({
        "订单号": "XS-2024-🚚",
        "zeta": 1,
        "alpha": { "买家留言": "请尽快发货 🙏", "qty": 2.5, "tags": ["包邮", "顺丰"] },
        "nothing": null
    });
    let keys = [
        "订单-001",
        "🚚🚚",
        "tab\tkey",
        "emoji 😀 space",
        "'quoted\" key",
    ];
    let records: Vec<_> = keys
        .iter()
        .map(|key| fetched_with(key, 7, payload.clone()))
        .collect();
    store
        .record_fetched("旗舰店订单", &records, true)
        .await
        .unwrap();
    for key in keys {
        let stored = record(store, "旗舰店订单", key).await;
        assert_eq!(stored.key, key);
        // Same keys in the same order as fetched.
        assert_eq!(
            serde_json::to_string(&stored.payload).unwrap(),
            serde_json::to_string(&payload).unwrap()
        );
    }
    let outcomes: Vec<_> = keys
        .iter()
        .map(|key| failed(key, 7, "金蝶: 物料编码 不存在 ❌"))
        .collect();
    store
        .record_outcomes("旗舰店订单", &outcomes)
        .await
        .unwrap();
    let stored = record(store, "旗舰店订单", "🚚🚚").await;
    assert_eq!(
        stored.last_error.as_deref(),
        Some("金蝶: 物料编码 不存在 ❌")
    );
    assert_eq!(store.counts("旗舰店订单").await.unwrap().failed, 5);
}

pub async fn records_filter_and_page(h: &Harness) {
    let store = h.store.as_ref();
    let records: Vec<_> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|key| fetched(key, 1))
        .collect();
    store
        .record_fetched("orders", &records, true)
        .await
        .unwrap();
    store
        .record_outcomes(
            "orders",
            &[failed("b", 1, "x"), failed("d", 1, "y"), written("e", 1)],
        )
        .await
        .unwrap();
    let failed_filter = RecordFilter {
        status: Some(RecordStatus::Failed),
        key: None,
    };
    let page = store
        .records("orders", &failed_filter, None, 10)
        .await
        .unwrap();
    let keys: Vec<&str> = page.iter().map(|record| record.key.as_str()).collect();
    assert_eq!(keys, vec!["b", "d"]);
    let page = store
        .records("orders", &failed_filter, Some("b"), 10)
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].last_error.as_deref(), Some("y"));
    let all = store
        .records("orders", &RecordFilter::default(), Some("a"), 2)
        .await
        .unwrap();
    let keys: Vec<&str> = all.iter().map(|record| record.key.as_str()).collect();
    assert_eq!(keys, vec!["b", "c"]);
    let by_key = RecordFilter {
        status: Some(RecordStatus::Written),
        key: Some("e".to_owned()),
    };
    assert_eq!(
        store
            .records("orders", &by_key, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let mismatch = RecordFilter {
        status: Some(RecordStatus::Pending),
        key: Some("e".to_owned()),
    };
    assert_eq!(
        store.records("orders", &mismatch, None, 10).await.unwrap(),
        vec![]
    );
}
