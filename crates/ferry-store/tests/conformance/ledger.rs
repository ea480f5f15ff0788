//! Ledger conformance: every transition of `record_fetched`, `record_outcomes` and
//! `retry_failed`, paging, filters, counts, isolation between schemes, Unicode.

use ferry_store::{Disposition, OutcomeEffect, RecordStatus, StatusCounts, StoreError};
use serde_json::json;

use crate::fixtures::{failed, fetched, hash, record, skipped, written};
use crate::harness::{Harness, START_SECOND};

pub async fn new_records_are_pending(h: &Harness) {
    let store = h.store.as_ref();
    assert_eq!(
        store.record_fetched("orders", &[], true).await.unwrap(),
        vec![]
    );
    let records = vec![fetched("b", 1), fetched("a", 1), fetched("c", 2)];
    let dispositions = store
        .record_fetched("orders", &records, true)
        .await
        .unwrap();
    assert_eq!(dispositions, vec![Disposition::New; 3]);
    let pending = store.pending("orders", None, 10).await.unwrap();
    let keys: Vec<&str> = pending.iter().map(|record| record.key.as_str()).collect();
    assert_eq!(keys, vec!["a", "b", "c"]);
    let c = &pending[2];
    assert_eq!(c.status, RecordStatus::Pending);
    assert_eq!(c.hash, hash(2));
    assert_eq!(c.written_hash, None);
    assert_eq!(c.payload, json!({ "key": "c", "version": 2 }));
    assert_eq!(c.source_modified, Some(1_714_000_002));
    assert_eq!((c.attempts, c.last_error.as_deref()), (0, None));
    assert_eq!(c.first_seen_at.as_second(), START_SECOND);
    assert_eq!(c.fetched_at.as_second(), START_SECOND);
    let expected = StatusCounts {
        pending: 3,
        ..StatusCounts::default()
    };
    assert_eq!(store.counts("orders").await.unwrap(), expected);
    assert_eq!(
        store.counts("other").await.unwrap(),
        StatusCounts::default()
    );
}

pub async fn written_then_id_check_skips(h: &Harness) {
    let store = h.store.as_ref();
    store
        .record_fetched("orders", &[fetched("a", 1), fetched("b", 1)], true)
        .await
        .unwrap();
    h.advance(10);
    let effects = store
        .record_outcomes("orders", &[written("a", 1), written("b", 1)])
        .await
        .unwrap();
    assert_eq!(effects, vec![OutcomeEffect::Applied; 2]);
    let a = record(store, "orders", "a").await;
    assert_eq!(
        (a.status, a.written_hash),
        (RecordStatus::Written, Some(hash(1)))
    );
    assert_eq!(a.updated_at.as_second(), START_SECOND + 10);
    assert_eq!(a.first_seen_at.as_second(), START_SECOND);

    // Same content with idCheck: skipped, nothing to write; the record stays written.
    let dispositions = store
        .record_fetched("orders", &[fetched("a", 1)], true)
        .await
        .unwrap();
    assert_eq!(dispositions, vec![Disposition::Skipped]);
    assert_eq!(
        record(store, "orders", "a").await.status,
        RecordStatus::Written
    );
    // And stays skippable.
    let dispositions = store
        .record_fetched("orders", &[fetched("a", 1)], true)
        .await
        .unwrap();
    assert_eq!(dispositions, vec![Disposition::Skipped]);
    // Without idCheck every fetched record is written again.
    let dispositions = store
        .record_fetched("orders", &[fetched("b", 1)], false)
        .await
        .unwrap();
    assert_eq!(dispositions, vec![Disposition::Changed]);
    let b = record(store, "orders", "b").await;
    assert_eq!(
        (b.status, b.written_hash),
        (RecordStatus::Pending, Some(hash(1)))
    );
    let expected = StatusCounts {
        pending: 1,
        written: 1,
        ..StatusCounts::default()
    };
    assert_eq!(store.counts("orders").await.unwrap(), expected);
}

pub async fn changed_content_after_write_is_pending(h: &Harness) {
    let store = h.store.as_ref();
    store
        .record_fetched("orders", &[fetched("a", 1)], true)
        .await
        .unwrap();
    store
        .record_outcomes("orders", &[written("a", 1)])
        .await
        .unwrap();
    h.advance(5);
    let dispositions = store
        .record_fetched("orders", &[fetched("a", 2)], true)
        .await
        .unwrap();
    assert_eq!(dispositions, vec![Disposition::Changed]);
    let a = record(store, "orders", "a").await;
    assert_eq!(
        (a.status, a.hash, a.written_hash),
        (RecordStatus::Pending, hash(2), Some(hash(1)))
    );
    assert_eq!(a.payload, json!({ "key": "a", "version": 2 }));
    assert_eq!(a.fetched_at.as_second(), START_SECOND + 5);
    assert_eq!(a.first_seen_at.as_second(), START_SECOND);
}

pub async fn pending_stays_pending_with_newest_payload(h: &Harness) {
    let store = h.store.as_ref();
    store
        .record_fetched("orders", &[fetched("a", 1)], true)
        .await
        .unwrap();
    store
        .record_outcomes("orders", &[written("a", 1)])
        .await
        .unwrap();
    store
        .record_fetched("orders", &[fetched("a", 2)], true)
        .await
        .unwrap();
    // Version 2 may be in the target already (crash before its outcome); even though version 1
    // is what was last acknowledged, it must be written again.
    let dispositions = store
        .record_fetched("orders", &[fetched("a", 1)], true)
        .await
        .unwrap();
    assert_eq!(dispositions, vec![Disposition::StillPending]);
    let a = record(store, "orders", "a").await;
    assert_eq!((a.status, a.hash), (RecordStatus::Pending, hash(1)));
    assert_eq!(a.payload, json!({ "key": "a", "version": 1 }));
    let dispositions = store
        .record_fetched("orders", &[fetched("a", 3)], false)
        .await
        .unwrap();
    assert_eq!(dispositions, vec![Disposition::StillPending]);
    assert_eq!(record(store, "orders", "a").await.hash, hash(3));
}

pub async fn failed_retry_cycle(h: &Harness) {
    let store = h.store.as_ref();
    store
        .record_fetched("orders", &[fetched("a", 1), fetched("b", 1)], true)
        .await
        .unwrap();
    let effects = store
        .record_outcomes(
            "orders",
            &[failed("a", 1, "客户编码不存在"), written("b", 1)],
        )
        .await
        .unwrap();
    assert_eq!(effects, vec![OutcomeEffect::Applied; 2]);
    let a = record(store, "orders", "a").await;
    assert_eq!((a.status, a.attempts), (RecordStatus::Failed, 1));
    assert_eq!(a.last_error.as_deref(), Some("客户编码不存在"));
    assert_eq!(a.written_hash, None);

    // Same content again: it would fail again, so it stays failed.
    let dispositions = store
        .record_fetched("orders", &[fetched("a", 1)], true)
        .await
        .unwrap();
    assert_eq!(dispositions, vec![Disposition::StillFailed]);
    assert_eq!(store.pending("orders", None, 10).await.unwrap(), vec![]);

    // `ferry retry`: failed → pending, attempts and error kept until the next outcome.
    assert_eq!(store.retry_failed("orders").await.unwrap(), 1);
    assert_eq!(store.retry_failed("orders").await.unwrap(), 0);
    let a = record(store, "orders", "a").await;
    assert_eq!((a.status, a.attempts), (RecordStatus::Pending, 1));
    store
        .record_outcomes("orders", &[failed("a", 1, "still bad")])
        .await
        .unwrap();
    let a = record(store, "orders", "a").await;
    assert_eq!(
        (a.status, a.attempts, a.last_error.as_deref()),
        (RecordStatus::Failed, 2, Some("still bad"))
    );

    // New content: pending again, as a new version with no attempts.
    let dispositions = store
        .record_fetched("orders", &[fetched("a", 2)], true)
        .await
        .unwrap();
    assert_eq!(dispositions, vec![Disposition::Changed]);
    let a = record(store, "orders", "a").await;
    assert_eq!(
        (a.status, a.attempts, a.last_error),
        (RecordStatus::Pending, 0, None)
    );
    store
        .record_outcomes("orders", &[written("a", 2)])
        .await
        .unwrap();
    let expected = StatusCounts {
        written: 2,
        ..StatusCounts::default()
    };
    assert_eq!(store.counts("orders").await.unwrap(), expected);
}

pub async fn outcome_for_an_older_version_is_superseded(h: &Harness) {
    let store = h.store.as_ref();
    store
        .record_fetched("orders", &[fetched("a", 1)], true)
        .await
        .unwrap();
    // Re-fetched with new content while version 1 was being written.
    store
        .record_fetched("orders", &[fetched("a", 2)], true)
        .await
        .unwrap();
    let effects = store
        .record_outcomes("orders", &[written("a", 1)])
        .await
        .unwrap();
    assert_eq!(effects, vec![OutcomeEffect::Superseded]);
    let a = record(store, "orders", "a").await;
    assert_eq!(
        (a.status, a.hash, a.written_hash),
        (RecordStatus::Pending, hash(2), Some(hash(1)))
    );
    let effects = store
        .record_outcomes("orders", &[failed("a", 1, "late")])
        .await
        .unwrap();
    assert_eq!(effects, vec![OutcomeEffect::Superseded]);
    let a = record(store, "orders", "a").await;
    assert_eq!(
        (a.status, a.attempts, a.last_error),
        (RecordStatus::Pending, 0, None)
    );
    // Several outcomes for one key in one call apply in order.
    let effects = store
        .record_outcomes("orders", &[failed("a", 2, "timeout"), written("a", 2)])
        .await
        .unwrap();
    assert_eq!(effects, vec![OutcomeEffect::Applied; 2]);
    let a = record(store, "orders", "a").await;
    assert_eq!(
        (a.status, a.attempts, a.last_error),
        (RecordStatus::Written, 1, None)
    );
    assert_eq!(a.written_hash, Some(hash(2)));
}

pub async fn skipped_outcome_keeps_its_reason(h: &Harness) {
    let store = h.store.as_ref();
    store
        .record_fetched("orders", &[fetched("a", 1)], true)
        .await
        .unwrap();
    store
        .record_outcomes(
            "orders",
            &[skipped("a", 1, "condition `status eq 1` false")],
        )
        .await
        .unwrap();
    let a = record(store, "orders", "a").await;
    assert_eq!(a.status, RecordStatus::Skipped);
    assert_eq!(
        a.last_error.as_deref(),
        Some("condition `status eq 1` false")
    );
    assert_eq!(a.written_hash, None);
    // Never written, so idCheck cannot skip it: a re-fetch re-evaluates it.
    let dispositions = store
        .record_fetched("orders", &[fetched("a", 1)], true)
        .await
        .unwrap();
    assert_eq!(dispositions, vec![Disposition::Changed]);
}

pub async fn unknown_outcome_key_changes_nothing(h: &Harness) {
    let store = h.store.as_ref();
    store
        .record_fetched("orders", &[fetched("a", 1)], true)
        .await
        .unwrap();
    let error = store
        .record_outcomes("orders", &[written("a", 1), written("ghost", 1)])
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::UnknownRecord { scheme, key } if scheme == "orders" && key == "ghost"),
        "{error:?}"
    );
    assert_eq!(error.class(), ferry_store::ErrorClass::Internal);
    assert_eq!(
        record(store, "orders", "a").await.status,
        RecordStatus::Pending
    );
    assert_eq!(store.record_outcomes("orders", &[]).await.unwrap(), vec![]);
}

pub async fn duplicate_keys_in_a_batch_keep_the_last(h: &Harness) {
    let store = h.store.as_ref();
    let batch = vec![fetched("a", 1), fetched("b", 1), fetched("a", 2)];
    let dispositions = store.record_fetched("orders", &batch, true).await.unwrap();
    assert_eq!(
        dispositions,
        vec![Disposition::Superseded, Disposition::New, Disposition::New]
    );
    let a = record(store, "orders", "a").await;
    assert_eq!(
        (a.hash, a.payload),
        (hash(2), json!({ "key": "a", "version": 2 }))
    );
}

pub async fn schemes_are_isolated(h: &Harness) {
    let store = h.store.as_ref();
    store
        .record_fetched("orders", &[fetched("a", 1)], true)
        .await
        .unwrap();
    store
        .record_fetched("refunds", &[fetched("a", 2)], true)
        .await
        .unwrap();
    store
        .record_outcomes("orders", &[written("a", 1)])
        .await
        .unwrap();
    assert_eq!(
        record(store, "refunds", "a").await.status,
        RecordStatus::Pending
    );
    assert_eq!(record(store, "refunds", "a").await.hash, hash(2));
    assert_eq!(store.retry_failed("refunds").await.unwrap(), 0);
    let error = store
        .record_outcomes("payments", &[written("a", 1)])
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::UnknownRecord { .. }),
        "{error:?}"
    );
}
