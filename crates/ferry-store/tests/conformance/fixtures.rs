//! Small builders for test data.

use ferry_store::{ContentHash, FetchedRecord, LedgerRecord, Outcome, RecordOutcome, Store};
use serde_json::{Value, json};

/// A hash whose 16 bytes all equal `byte`.
pub fn hash(byte: u8) -> ContentHash {
    ContentHash([byte; 16])
}

/// A fetched record whose payload names its key and version.
pub fn fetched(key: &str, version: u8) -> FetchedRecord {
    FetchedRecord {
        key: key.to_owned(),
        hash: hash(version),
        payload: json!({ "key": key, "version": version }),
        payload_json: None,
        source_modified: Some(1_714_000_000 + i64::from(version)),
    }
}

pub fn fetched_with(key: &str, version: u8, payload: Value) -> FetchedRecord {
    FetchedRecord {
        key: key.to_owned(),
        hash: hash(version),
        payload,
        payload_json: None,
        source_modified: None,
    }
}

pub fn written(key: &str, version: u8) -> RecordOutcome {
    RecordOutcome {
        key: key.to_owned(),
        hash: hash(version),
        outcome: Outcome::Written,
    }
}

pub fn failed(key: &str, version: u8, error: &str) -> RecordOutcome {
    RecordOutcome {
        key: key.to_owned(),
        hash: hash(version),
        outcome: Outcome::Failed {
            error: error.to_owned(),
        },
    }
}

pub fn skipped(key: &str, version: u8, reason: &str) -> RecordOutcome {
    RecordOutcome {
        key: key.to_owned(),
        hash: hash(version),
        outcome: Outcome::Skipped {
            reason: reason.to_owned(),
        },
    }
}

/// The ledger record of `key`, which must exist.
pub async fn record(store: &dyn Store, scheme: &str, key: &str) -> LedgerRecord {
    let filter = ferry_store::RecordFilter {
        status: None,
        key: Some(key.to_owned()),
    };
    let mut records = store.records(scheme, &filter, None, 10).await.unwrap();
    assert_eq!(
        records.len(),
        1,
        "expected exactly one record `{key}` in `{scheme}`"
    );
    records.remove(0)
}

/// Every pending key of the scheme, paging `page_size` at a time.
pub async fn all_pending_keys(store: &dyn Store, scheme: &str, page_size: u32) -> Vec<String> {
    let mut keys = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .pending(scheme, after.as_deref(), page_size)
            .await
            .unwrap();
        assert!(page.len() <= page_size as usize);
        let Some(last) = page.last() else {
            break;
        };
        after = Some(last.key.clone());
        keys.extend(page.into_iter().map(|record| record.key));
    }
    keys
}
