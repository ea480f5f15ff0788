//! Seed 003's source end to end in-process: the WDT enterprise simulator (Qimen route) →
//! engine → ledger. Seed 003 writes to Kingdee, which is not built yet, so its `target` is
//! replaced by the ledger-only 写入空操作 target on connection `keep`. Seed 003 keys records
//! by its source `id`, `invoice_title` (one Kingdee customer per invoice title; no
//! `beatFlat`), so many stockouts share a key; the completeness check still counts
//! stockouts, by the platform's record id `stockout_id` (`Source::identity_field`). The
//! ledger must hold exactly the ground truth's invoice titles under the seed's filters, each
//! with its latest stockout, and a second run must write nothing new.

mod support;

use std::collections::BTreeMap;

use ferry_engine::{RunOutcome, RunReport};
use ferry_sim::{FaultConfig, ModifiedRange, Platform, SimBuilder};
use ferry_store::{LedgerRecord, RecordFilter};
use serde_json::Value;
use support::{
    RANGE_END, RunWindow, SimSetup as Harness, ledger_counts, ledger_records, ledger_target,
    run_scheme,
};

const SCHEME: &str = "wdt-customers-to-kingdee";

impl Harness {
    /// Seed 003 on `sim`, with its target replaced by the ledger-only target on connection
    /// `keep`.
    async fn start(sim: SimBuilder) -> Harness {
        let connections = |base: &str| {
            format!(
                r#"
[connections.wdt]
platform = "wdt-qimen"
base_url = "{base}/router/qm"
app_key = "12345678"
secret = "qimensecret"
target_app_key = "wdtqimenkey"
sid = "mysid"
max_retries = 8
# The catalog default is 1/s, like the real scene; the simulator is unlimited.
rate = "200/s"

[connections.keep]
platform = "ledger"
"#
            )
        };
        Harness::serve(
            sim,
            connections,
            "003_wdt_customers_to_kingdee.json",
            |scheme| {
                assert_eq!(scheme["source"]["id"], "invoice_title");
                assert!(scheme["source"].get("beatFlat").is_none());
                ledger_target(scheme, "keep");
            },
        )
        .await
    }

    /// One run with `--from` (or the checkpoint) and `--to` at the end of the simulated data
    /// (January 2024).
    async fn run(&self, from: Option<i64>) -> RunReport {
        let window = RunWindow {
            from,
            ..RunWindow::ALL
        };
        run_scheme(&self.config, &self.scheme, window, Default::default()).await
    }

    /// Every ledger record of the scheme, by key.
    async fn ledger(&self) -> BTreeMap<String, LedgerRecord> {
        let records = ledger_records(&self.config, SCHEME, &RecordFilter::default()).await;
        records
            .into_iter()
            .map(|record| (record.key.clone(), record))
            .collect()
    }

    /// Invoice title → the latest stockout with that title that seed 003 selects (status
    /// `95,105,110,113`, shops `002,003,004,0071`, `invoice_title` not blank).
    fn expected(&self) -> BTreeMap<String, Vec<Value>> {
        let mut truth = self.sim.simulator().ground_truth(ModifiedRange::default());
        truth.sort_by_key(|r| {
            (
                r["modified"].as_str().unwrap().to_owned(),
                r["stockout_id"].as_u64(),
            )
        });
        let mut by_title: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for record in truth {
            let status = record["status"].as_u64().unwrap();
            let shop = record["shop_no"].as_str().unwrap();
            let title = record["invoice_title"].as_str().unwrap_or("");
            if [95, 105, 110, 113].contains(&status)
                && ["002", "003", "004", "0071"].contains(&shop)
                && !title.trim().is_empty()
            {
                by_title.entry(title.to_owned()).or_default().push(record);
            }
        }
        by_title
    }
}

fn sim(orders: u32) -> SimBuilder {
    SimBuilder::new(Platform::Wdt)
        .seed(17)
        .orders(orders)
        .data_range("2024-01-01", 31)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_003_fills_the_ledger_with_exactly_the_ground_truth_titles() {
    let harness = Harness::start(sim(1_500)).await;
    let report = harness.run(None).await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");
    // 31 days in windows of at most one day.
    assert_eq!(report.windows.len(), 31);
    assert_eq!(report.checkpoint_after, Some(RANGE_END));
    assert_eq!(report.stats.failed, 0);

    let expected = harness.expected();
    assert!(expected.len() >= 5, "several titles: {:?}", expected.keys());
    let ledger = harness.ledger().await;
    let keys: Vec<&String> = ledger.keys().collect();
    assert_eq!(keys, expected.keys().collect::<Vec<_>>());
    for (title, records) in &expected {
        let latest = records.last().unwrap();
        assert_eq!(
            &ledger[title].payload, latest,
            "latest stockout of `{title}`"
        );
    }
    let counts = ledger_counts(&harness.config, SCHEME).await;
    assert_eq!(counts.written, expected.len() as u64);
    assert_eq!(counts.total(), expected.len() as u64);

    // A second run continues from the checkpoint: nothing new to write.
    let again = harness.run(None).await;
    assert_eq!(again.outcome, RunOutcome::Succeeded);
    assert_eq!(again.stats.written, 0);
    assert_eq!(again.stats.failed, 0);
    let after = harness.ledger().await;
    assert_eq!(after.keys().collect::<Vec<_>>(), keys);
    assert_eq!(again.checkpoint_after, Some(RANGE_END));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_and_moving_records_still_end_with_the_ground_truth_titles() {
    let mut faults = FaultConfig::default();
    for spec in ["5xx=0.15", "truncate=0.1", "move=0.3"] {
        faults.apply_spec(spec).unwrap();
    }
    let harness = Harness::start(sim(1_200).faults(faults)).await;
    let report = harness.run(None).await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");
    assert!(report.stats.retries > 0, "faults were injected and retried");
    let expected = harness.expected();
    let ledger = harness.ledger().await;
    assert_eq!(
        ledger.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (title, records) in &expected {
        assert_eq!(&ledger[title].payload, records.last().unwrap(), "`{title}`");
    }
}
