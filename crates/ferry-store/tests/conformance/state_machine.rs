//! Property test: random sequences of fetches, outcomes and retries give the same dispositions,
//! effects, statuses and counts in the store as in a small in-memory model written straight from
//! the rules in DESIGN.md and the brief (not from the store's code).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use ferry_store::{
    Disposition, OutcomeEffect, RecordFilter, RecordStatus, StatusCounts, Store, StoreError,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::fixtures::{failed, fetched, skipped, written};
use crate::harness::Harness;

const KEYS: [&str; 4] = ["a", "b", "订单", "🚚"];
const VERSIONS: u8 = 3;

#[derive(Debug, Clone)]
enum Op {
    Fetch {
        items: Vec<(usize, u8)>,
        id_check: bool,
    },
    Outcome {
        key: usize,
        stale: bool,
        kind: u8,
    },
    Retry,
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (prop::collection::vec((0..KEYS.len(), 0..VERSIONS), 1..5), any::<bool>())
            .prop_map(|(items, id_check)| Op::Fetch { items, id_check }),
        4 => (0..KEYS.len(), prop::bool::weighted(0.2), 0..3u8)
            .prop_map(|(key, stale, kind)| Op::Outcome { key, stale, kind }),
        1 => Just(Op::Retry),
    ]
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Model {
    status: RecordStatus,
    version: u8,
    written: Option<u8>,
    attempts: u32,
    last_error: Option<String>,
}

/// Runs `cases` random operation sequences against `h.store`, each on a scheme of its own.
pub fn check(runtime: &tokio::runtime::Runtime, h: &Harness, cases: u32) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let case_number = AtomicU64::new(0);
    let result = runner.run(&prop::collection::vec(op_strategy(), 1..25), |ops| {
        let scheme = format!("case{}", case_number.fetch_add(1, Ordering::Relaxed));
        runtime.block_on(run_case(h.store.as_ref(), &scheme, &ops));
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

async fn run_case(store: &dyn Store, scheme: &str, ops: &[Op]) {
    let mut model: BTreeMap<&str, Model> = BTreeMap::new();
    for (step, op) in ops.iter().enumerate() {
        match op {
            Op::Fetch { items, id_check } => {
                let records: Vec<_> = items
                    .iter()
                    .map(|(key, version)| fetched(KEYS[*key], *version))
                    .collect();
                let actual = store
                    .record_fetched(scheme, &records, *id_check)
                    .await
                    .unwrap();
                let expected = model_fetch(&mut model, items, *id_check);
                assert_eq!(actual, expected, "step {step}: {op:?}");
            }
            Op::Outcome { key, stale, kind } => {
                let key = KEYS[*key];
                let Some(current) = model.get(key).map(|record| record.version) else {
                    let error = store
                        .record_outcomes(scheme, &[written(key, 0)])
                        .await
                        .unwrap_err();
                    assert!(
                        matches!(error, StoreError::UnknownRecord { .. }),
                        "{error:?}"
                    );
                    continue;
                };
                let version = if *stale {
                    (current + 1) % VERSIONS
                } else {
                    current
                };
                let message = format!("error at step {step}");
                let outcome = match kind {
                    0 => written(key, version),
                    1 => failed(key, version, &message),
                    _ => skipped(key, version, &message),
                };
                let actual = store.record_outcomes(scheme, &[outcome]).await.unwrap();
                let expected = model_outcome(model.get_mut(key).unwrap(), version, *kind, message);
                assert_eq!(actual, vec![expected], "step {step}: {op:?}");
            }
            Op::Retry => {
                let mut expected = 0;
                for record in model
                    .values_mut()
                    .filter(|record| record.status == RecordStatus::Failed)
                {
                    record.status = RecordStatus::Pending;
                    expected += 1;
                }
                assert_eq!(
                    store.retry_failed(scheme).await.unwrap(),
                    expected,
                    "step {step}"
                );
            }
        }
        assert_same_state(store, scheme, &model, step).await;
    }
}

fn model_fetch(
    model: &mut BTreeMap<&str, Model>,
    items: &[(usize, u8)],
    id_check: bool,
) -> Vec<Disposition> {
    let mut dispositions = Vec::new();
    for (index, (key, version)) in items.iter().enumerate() {
        let key = KEYS[*key];
        if items[index + 1..]
            .iter()
            .any(|(later, _)| KEYS[*later] == key)
        {
            dispositions.push(Disposition::Superseded);
            continue;
        }
        let Some(record) = model.get_mut(key) else {
            let fresh = Model {
                status: RecordStatus::Pending,
                version: *version,
                written: None,
                attempts: 0,
                last_error: None,
            };
            model.insert(key, fresh);
            dispositions.push(Disposition::New);
            continue;
        };
        let disposition = match record.status {
            RecordStatus::Pending => Disposition::StillPending,
            RecordStatus::Written | RecordStatus::Skipped
                if id_check && record.written == Some(*version) =>
            {
                Disposition::Skipped
            }
            RecordStatus::Failed if record.version == *version => Disposition::StillFailed,
            _ => Disposition::Changed,
        };
        record.status = match disposition {
            Disposition::Skipped => record.status,
            Disposition::StillFailed => RecordStatus::Failed,
            _ => RecordStatus::Pending,
        };
        if record.version != *version {
            record.version = *version;
            record.attempts = 0;
            record.last_error = None;
        }
        dispositions.push(disposition);
    }
    dispositions
}

fn model_outcome(record: &mut Model, version: u8, kind: u8, message: String) -> OutcomeEffect {
    if kind == 0 {
        record.written = Some(version);
    }
    if record.version != version {
        return OutcomeEffect::Superseded;
    }
    match kind {
        0 => {
            record.status = RecordStatus::Written;
            record.last_error = None;
        }
        1 => {
            record.status = RecordStatus::Failed;
            record.attempts += 1;
            record.last_error = Some(message);
        }
        _ => {
            record.status = RecordStatus::Skipped;
            record.last_error = Some(message);
        }
    }
    OutcomeEffect::Applied
}

async fn assert_same_state(
    store: &dyn Store,
    scheme: &str,
    model: &BTreeMap<&str, Model>,
    step: usize,
) {
    let stored = store
        .records(scheme, &RecordFilter::default(), None, 100)
        .await
        .unwrap();
    let actual: BTreeMap<&str, Model> = stored
        .iter()
        .map(|record| {
            let version = record.hash.0[0];
            let model = Model {
                status: record.status,
                version,
                written: record.written_hash.map(|hash| hash.0[0]),
                attempts: record.attempts,
                last_error: record.last_error.clone(),
            };
            assert_eq!(record.payload["version"], serde_json::json!(version));
            (record.key.as_str(), model)
        })
        .collect();
    assert_eq!(&actual, model, "state after step {step}");
    let mut expected_counts = StatusCounts::default();
    for record in model.values() {
        match record.status {
            RecordStatus::Pending => expected_counts.pending += 1,
            RecordStatus::Written => expected_counts.written += 1,
            RecordStatus::Failed => expected_counts.failed += 1,
            RecordStatus::Skipped => expected_counts.skipped += 1,
        }
    }
    assert_eq!(
        store.counts(scheme).await.unwrap(),
        expected_counts,
        "counts after step {step}"
    );
}
