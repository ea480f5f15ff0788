//! Seed 001 end to end in-process: OKKI simulator → engine → the ledger-only target
//! (写入空操作), compared with the simulator's ground truth, also while tokens expire mid-run
//! and faults are injected.

mod support;

use ferry_engine::{RunOutcome, RunReport};
use ferry_sim::{FaultConfig, ModifiedRange, OkkiConfig, SimBuilder, SimConfig};
use ferry_store::{RecordFilter, RecordStatus, StatusCounts};
use serde_json::Value;
use support::{
    RANGE_END, RANGE_START, RunWindow, SimSetup as Harness, ledger_counts, ledger_records,
    run_scheme,
};

/// Status codes that `approval=1` selects (the simulator's 已审批, 已发货, 已完成).
const APPROVED: [u64; 3] = [3, 4, 5];

impl Harness {
    async fn start(sim: OkkiConfig, orders: u32, faults: FaultConfig) -> Harness {
        let sim = SimBuilder::from_config(SimConfig::Okki(sim))
            .seed(29)
            .orders(orders)
            .data_range("2024-01-01", 31)
            .faults(faults);
        let connections = |base: &str| {
            format!(
                r#"
[connections.okki]
platform = "okki"
base_url = "{base}"
client_id = "okki-client"
client_secret = "okkisecret"
max_retries = 8

[connections.ledger]
platform = "ledger"
"#
            )
        };
        Harness::serve(sim, connections, "001_okki_orders.json", |_| {}).await
    }

    /// One run from `from` (or the checkpoint; `RANGE_START` is the seed's `sync.start`) to
    /// `--to` after the data range (January 2024).
    async fn run(&self, from: Option<i64>) -> RunReport {
        let window = RunWindow {
            from,
            ..RunWindow::ALL
        };
        run_scheme(&self.config, &self.scheme, window, Default::default()).await
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
        let name = &self.scheme.name;
        let records = ledger_records(&self.config, name, &RecordFilter::default()).await;
        let records = records
            .into_iter()
            .map(|record| (record.key, record.status, record.payload))
            .collect();
        (records, ledger_counts(&self.config, name).await)
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
