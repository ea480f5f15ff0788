//! Seed 000's source end to end in-process: the Jackyun simulator (Qimen route, double
//! signature) → engine → ferry's ledger. Seed 000's target (Banniu) is replaced by the ledger
//! connection `keep` (`写入空操作`); the ledger must hold exactly the ground-truth trades the
//! seed's request selects (consigned, `tradeType` 92), keyed by the seed's `id` (`tradeNo`),
//! and a second run over the same range writes nothing.

mod support;

use std::collections::BTreeSet;

use ferry_engine::{RunOutcome, RunReport};
use ferry_sim::{ModifiedRange, Platform, SimBuilder};
use ferry_store::StatusCounts;
use support::{
    RANGE_START, RunWindow, SimSetup as Harness, ledger_keys, ledger_target, run_scheme,
};

/// 2024-01-13 00:00:00 Beijing: two days after the ten simulated days (from `RANGE_START`, the
/// seed's `sync.start`), because the seed asks for consign times one day behind the window.
const RANGE_END: i64 = RANGE_START + 12 * 86_400;

impl Harness {
    async fn start() -> Harness {
        let sim = SimBuilder::new(Platform::Jackyun)
            .seed(17)
            .orders(1_200)
            .data_range("2024-01-01", 10);
        let connections = |base: &str| {
            format!(
                r#"
[connections.jky]
platform = "jackyun-qimen"
base_url = "{base}/router/qm"
app_key = "12345678"
secret = "qimensecret"
target_app_key = "21363512"
jky_appkey = "jkyappkey"
jky_secret = "jkysecret"
jky_customer_id = "jkycust-1"
max_retries = 8

[connections.keep]
platform = "ledger"
"#
            )
        };
        Harness::serve(sim, connections, "000_jky_to_banniu.json", |json| {
            ledger_target(json, "keep")
        })
        .await
    }

    async fn run(&self) -> RunReport {
        let window = RunWindow {
            from: Some(RANGE_START),
            to: Some(RANGE_END),
            now: RANGE_END + 86_400,
        };
        run_scheme(&self.config, &self.scheme, window, Default::default()).await
    }

    /// `tradeNo`s of the ground truth the seed's request selects.
    fn expected_keys(&self) -> BTreeSet<String> {
        let truth = self.sim.simulator().ground_truth(ModifiedRange::default());
        assert_eq!(truth.len(), 1_200);
        truth
            .iter()
            .filter(|trade| trade["tradeType"] == 92 && trade["consignTime"].is_string())
            .map(|trade| trade["tradeNo"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The ledger's keys and statuses.
    async fn ledger(&self) -> (BTreeSet<String>, StatusCounts) {
        ledger_keys(&self.config, &self.scheme.name).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_000_source_fills_the_ledger_with_exactly_the_ground_truth() {
    let harness = Harness::start().await;
    let expected = harness.expected_keys();
    assert!(
        expected.len() > 200,
        "type-92 consigned trades: {}",
        expected.len()
    );

    let report = harness.run().await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");
    // Twelve days in windows of at most seven: two windows.
    assert_eq!(report.windows.len(), 2);
    let (keys, counts) = harness.ledger().await;
    assert_eq!(keys, expected);
    assert_eq!(counts.written, expected.len() as u64);
    assert_eq!(counts.total(), expected.len() as u64);
    assert_eq!(report.stats.written, expected.len() as u64);

    let again = harness.run().await;
    assert_eq!(again.outcome, RunOutcome::Succeeded);
    assert_eq!(again.stats.written, 0, "idCheck: nothing changed");
    assert_eq!(again.stats.skipped, expected.len() as u64);
    let (keys_after, counts_after) = harness.ledger().await;
    assert_eq!(keys_after, expected);
    assert_eq!(counts_after, counts);
}
