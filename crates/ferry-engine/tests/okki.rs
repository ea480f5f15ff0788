//! Seed 001 end to end in-process: OKKI simulator → engine → the ledger-only target
//! (写入空操作), compared with the simulator's ground truth, also while tokens expire mid-run
//! and faults are injected.

use std::sync::Arc;

use ferry_engine::{RunMode, RunOptions, RunOutcome, RunReport, open_context};
use ferry_model::scheme::SchemeContext;
use ferry_model::{Config, Scheme, SourceFile};
use ferry_sim::{FaultConfig, ModifiedRange, OkkiConfig, SimBuilder, SimConfig, SimHandle};
use ferry_store::{RecordFilter, RecordStatus, RunKind, StatusCounts};
use serde_json::Value;

/// 2024-01-01 00:00:00 Beijing time, the seed's `sync.start`.
const RANGE_START: i64 = 1_704_038_400;
/// 2024-02-01 00:00:00 Beijing time: after all simulated data (January 2024).
const RANGE_END: i64 = 1_706_716_800;
/// Status codes that `approval=1` selects (the simulator's 已审批, 已发货, 已完成).
const APPROVED: [u64; 3] = [3, 4, 5];

struct Harness {
    _dir: tempfile::TempDir,
    sim: SimHandle,
    config: Config,
    scheme: Arc<Scheme>,
}

impl Harness {
    async fn start(sim: OkkiConfig, orders: u32, faults: FaultConfig) -> Harness {
        let sim = SimBuilder::from_config(SimConfig::Okki(sim))
            .seed(29)
            .orders(orders)
            .data_range("2024-01-01", 31)
            .faults(faults)
            .serve("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let toml = format!(
            r#"
[store]
url = "sqlite://{store}"

[connections.okki]
platform = "okki"
base_url = "{base}"
client_id = "okki-client"
client_secret = "okkisecret"
max_retries = 8

[connections.ledger]
platform = "ledger"
"#,
            store = dir.path().join("ferry.db").display(),
            base = sim.base_url(),
        );
        let config_path = dir.path().join("ferry.toml");
        std::fs::write(&config_path, &toml).unwrap();
        let config = ferry_model::load_config(&SourceFile::new(&config_path, toml), &|_| None)
            .unwrap_or_else(|issues| panic!("{issues:?}"));
        let scheme_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/schemes/001_okki_orders.json");
        let text = std::fs::read_to_string(&scheme_path).unwrap();
        let context = SchemeContext {
            config: Some(&config),
            collections: None,
        };
        let scheme = ferry_model::load_scheme(&SourceFile::new(&scheme_path, text), &context)
            .unwrap_or_else(|issues| panic!("{issues:?}"));
        Harness {
            _dir: dir,
            sim,
            config,
            scheme: Arc::new(scheme),
        }
    }

    /// One run from `from` (or the checkpoint) to `--to` after the data range.
    async fn run(&self, from: Option<i64>) -> RunReport {
        let store = ferry_store::connect(self.config.store.url.expose())
            .await
            .unwrap();
        let context = open_context(&self.config, Arc::clone(&self.scheme), Arc::clone(&store))
            .await
            .unwrap();
        let options = RunOptions {
            mode: RunMode::Sync,
            kind: RunKind::Manual,
            from,
            to: Some(RANGE_END),
            now: RANGE_END + 86_400,
            heartbeat: std::time::Duration::from_secs(30),
        };
        let report = ferry_engine::run(&context, &options).await.unwrap();
        store.close().await;
        report
    }

    /// The approved orders of the ground truth, by `order_id` text (the ledger key).
    fn expected(&self) -> Vec<(String, Value)> {
        let truth = self.sim.simulator().ground_truth(ModifiedRange::default());
        let mut expected: Vec<(String, Value)> = truth
            .into_iter()
            .filter(|order| APPROVED.contains(&order["status"].as_u64().unwrap()))
            .map(|order| (order["order_id"].to_string(), order))
            .collect();
        expected.sort_by(|left, right| left.0.cmp(&right.0));
        expected
    }

    /// Every ledger record of the scheme (key, status, payload), in key order, and the counts.
    async fn ledger(&self) -> (Vec<(String, RecordStatus, Value)>, StatusCounts) {
        let store = ferry_store::connect(self.config.store.url.expose())
            .await
            .unwrap();
        let mut records = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let batch = store
                .records(
                    &self.scheme.name,
                    &RecordFilter::default(),
                    after.as_deref(),
                    500,
                )
                .await
                .unwrap();
            let Some(last) = batch.last() else {
                break;
            };
            after = Some(last.key.clone());
            records.extend(
                batch
                    .into_iter()
                    .map(|record| (record.key, record.status, record.payload)),
            );
        }
        let counts = store.counts(&self.scheme.name).await.unwrap();
        store.close().await;
        (records, counts)
    }

    /// Asserts the ledger holds exactly the approved ground-truth orders, all written.
    async fn assert_reconciled(&self) -> usize {
        let expected = self.expected();
        let (ledger, counts) = self.ledger().await;
        let keys: Vec<&str> = ledger.iter().map(|(key, _, _)| key.as_str()).collect();
        let expected_keys: Vec<&str> = expected.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, expected_keys);
        for ((key, status, payload), (_, order)) in ledger.iter().zip(&expected) {
            assert_eq!(*status, RecordStatus::Written, "{key}");
            assert_eq!(payload, order, "{key}");
        }
        let total = expected.len() as u64;
        assert_eq!(
            counts,
            StatusCounts {
                pending: 0,
                written: total,
                failed: 0,
                skipped: 0,
            }
        );
        expected.len()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_scheme_fills_the_ledger_with_ground_truth_and_a_rerun_writes_nothing() {
    let harness = Harness::start(OkkiConfig::default(), 900, FaultConfig::default()).await;
    let report = harness.run(None).await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");
    assert_eq!(report.checkpoint_after, Some(RANGE_END));
    // 31 days in windows of at most 30 (the catalog's cap for OKKI).
    assert_eq!(report.windows.len(), 2);
    let approved = harness.assert_reconciled().await;
    assert!(approved > 400, "{approved}");
    assert_eq!(report.stats.written, approved as u64);
    assert_eq!(report.stats.failed, 0);

    let again = harness.run(Some(RANGE_START)).await;
    assert_eq!(again.outcome, RunOutcome::Succeeded);
    assert_eq!(again.stats.written, 0, "idCheck: nothing changed");
    assert_eq!(again.stats.skipped, approved as u64);
    harness.assert_reconciled().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expiring_mid_run_and_faults_still_reconcile() {
    let mut sim = OkkiConfig::default();
    sim.auth.token_max_calls = Some(2);
    let mut faults = FaultConfig::default();
    for spec in ["5xx=0.1", "truncate=0.1", "move=0.15"] {
        faults.apply_spec(spec).unwrap();
    }
    let harness = Harness::start(sim, 500, faults).await;
    let report = harness.run(None).await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");
    assert!(report.stats.retries > 0, "faults were injected and retried");
    let stats = harness.sim.simulator().stats();
    assert!(
        stats.rejected_request >= 3,
        "tokens expired mid-run: {} refusals",
        stats.rejected_request
    );
    assert!(stats.records_moved > 0, "records moved while paging");
    harness.assert_reconciled().await;
}
