//! Seed 004 (`examples/schemes/004_wdt_refunds_to_mysql.json`) against the WDT flagship
//! simulator through the Qimen route, with its target swapped for the ledger-only target
//! (`写入空操作`): the ledger must hold exactly one key per flattened `detail_list` entry of
//! every ground-truth refund (`<refund_id>#<index>`, one `#0` for a refund without details), and
//! a second run over the same range writes nothing new. Runs once with epoch-ms times and once
//! with text times (`rules.time_format`), since the engine reads `modified` either way.

mod support;

use std::collections::BTreeSet;

use ferry_engine::{RunOutcome, RunReport};
use ferry_sim::wdt_flagship::TimeFormat;
use ferry_sim::{ModifiedRange, SimBuilder, SimConfig, WdtFlagshipConfig};
use ferry_store::StatusCounts;
use support::{RunWindow, SimSetup as Harness, ledger_keys, ledger_target, run_scheme};

async fn start(time_format: TimeFormat) -> Harness {
    let mut sim_config = WdtFlagshipConfig::default();
    sim_config.rules.time_format = time_format;
    let sim = SimBuilder::from_config(SimConfig::WdtFlagship(sim_config))
        .seed(4)
        .orders(700)
        .data_range("2024-01-01", 31);
    let connections = |base: &str| {
        format!(
            r#"
[connections.wdt_flagship]
platform = "wdt-flagship-qimen"
base_url = "{base}/router/qm"
app_key = "12345678"
secret = "qimensecret"
target_app_key = "87654321"
sid = "mysid"
wdt_appkey = "mykey"
wdt_secret = "testsecret:testsalt"
max_retries = 4

[connections.keep]
platform = "ledger"
"#
        )
    };
    Harness::serve(sim, connections, "004_wdt_refunds_to_mysql.json", |json| {
        assert!(
            json["source"].get("condition").is_none(),
            "seed 004 has no condition"
        );
        ledger_target(json, "keep");
    })
    .await
}

impl Harness {
    /// One run from the checkpoint to `--to` after all simulated data (January 2024).
    async fn run(&self) -> RunReport {
        run_scheme(
            &self.config,
            &self.scheme,
            RunWindow::ALL,
            Default::default(),
        )
        .await
    }

    /// `<refund_id>#<index>` for every detail of every ground-truth refund (seed 004 has no
    /// `condition`, so every refund passes).
    fn expected_keys(&self) -> BTreeSet<String> {
        let truth = self.sim.simulator().ground_truth(ModifiedRange::default());
        let mut keys = BTreeSet::new();
        for refund in &truth {
            let id = refund["refund_id"].as_u64().unwrap();
            let details = refund["detail_list"].as_array().unwrap().len();
            for index in 0..details.max(1) {
                keys.insert(format!("{id}#{index}"));
            }
        }
        keys
    }

    async fn ledger_keys(&self) -> (BTreeSet<String>, StatusCounts) {
        ledger_keys(&self.config, &self.scheme.name).await
    }
}

async fn assert_seed_004(time_format: TimeFormat) {
    let harness = start(time_format).await;
    let expected = harness.expected_keys();
    let truth_refunds = harness
        .sim
        .simulator()
        .ground_truth(ModifiedRange::default())
        .len();
    assert_eq!(truth_refunds, 700);
    assert!(
        expected.len() > truth_refunds,
        "details flatten to more rows"
    );

    let report = harness.run().await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");
    assert_eq!(report.stats.source_records, truth_refunds as u64);
    assert_eq!(report.stats.written, expected.len() as u64);
    assert_eq!(report.stats.failed, 0);
    let (keys, counts) = harness.ledger_keys().await;
    assert_eq!(keys, expected);
    assert_eq!(counts.total(), expected.len() as u64);
    assert_eq!(counts.written, expected.len() as u64);

    let again = harness.run().await;
    assert_eq!(again.outcome, RunOutcome::Succeeded, "{again:?}");
    assert_eq!(
        again.stats.written, 0,
        "a second run over the same range writes nothing new"
    );
    let (keys_again, counts_again) = harness.ledger_keys().await;
    assert_eq!(keys_again, expected);
    assert_eq!(counts_again, counts);
}

#[tokio::test]
async fn seed_004_fills_the_ledger_with_epoch_ms_times() {
    assert_seed_004(TimeFormat::EpochMs).await;
}

#[tokio::test]
async fn seed_004_fills_the_ledger_with_text_times() {
    assert_seed_004(TimeFormat::Text).await;
}
