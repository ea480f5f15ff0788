//! Seed 003's source end to end in-process: the WDT enterprise simulator (Qimen route) →
//! engine → ledger. Seed 003 writes to Kingdee, which is not built yet, so its `target` is
//! replaced by the ledger-only 写入空操作 target on connection `keep`. Seed 003 keys records
//! by its source `id`, `invoice_title` (one Kingdee customer per invoice title; no
//! `beatFlat`), so many stockouts share a key; the completeness check still counts
//! stockouts, by the platform's record id `stockout_id` (`Source::identity_field`). The
//! ledger must hold exactly the ground truth's invoice titles under the seed's filters, each
//! with its latest stockout, and a second run must write nothing new.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use ferry_engine::{RunMode, RunOptions, RunOutcome, RunReport, open_context};
use ferry_model::scheme::SchemeContext;
use ferry_model::{Config, Scheme, SourceFile};
use ferry_sim::{FaultConfig, ModifiedRange, Platform, SimBuilder, SimHandle};
use ferry_store::{LedgerRecord, RecordFilter, RunKind, Store};
use serde_json::Value;

/// 2024-02-01 00:00:00 Beijing time: the end of the simulated data (January 2024).
const RANGE_END: i64 = 1_706_716_800;
const SCHEME: &str = "wdt-customers-to-kingdee";

struct Harness {
    _dir: tempfile::TempDir,
    sim: SimHandle,
    config: Config,
    scheme: Arc<Scheme>,
}

/// Seed 003 with its target replaced by the ledger-only target on connection `keep`.
fn seed_003(config: &Config) -> Scheme {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/schemes/003_wdt_customers_to_kingdee.json");
    let mut scheme: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(scheme["source"]["id"], "invoice_title");
    assert!(scheme["source"].get("beatFlat").is_none());
    scheme["target"] = serde_json::json!({
        "connection": "keep", "api": "写入空操作", "effect": "EXECUTE"
    });
    let text = serde_json::to_string_pretty(&scheme).unwrap();
    let context = SchemeContext {
        config: Some(config),
        collections: None,
    };
    ferry_model::load_scheme(&SourceFile::new(&path, text), &context)
        .unwrap_or_else(|issues| panic!("{issues:?}"))
}

impl Harness {
    async fn start(sim: SimBuilder) -> Harness {
        let sim = sim.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let toml = format!(
            r#"
[store]
url = "sqlite://{store}"

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
"#,
            store = dir.path().join("ferry.db").display(),
            base = sim.base_url(),
        );
        let path = dir.path().join("ferry.toml");
        std::fs::write(&path, &toml).unwrap();
        let config = ferry_model::load_config(&SourceFile::new(&path, toml), &|_| None)
            .unwrap_or_else(|issues| panic!("{issues:?}"));
        let scheme = Arc::new(seed_003(&config));
        Harness {
            _dir: dir,
            sim,
            config,
            scheme,
        }
    }

    async fn store(&self) -> Arc<dyn Store> {
        ferry_store::connect(self.config.store.url.expose())
            .await
            .unwrap()
    }

    /// One run with `--from` (or the checkpoint) and `--to` at the end of the data.
    async fn run(&self, from: Option<i64>) -> RunReport {
        let store = self.store().await;
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

    /// Every ledger record of the scheme, by key.
    async fn ledger(&self) -> BTreeMap<String, LedgerRecord> {
        let store = self.store().await;
        let mut records = BTreeMap::new();
        let mut after: Option<String> = None;
        loop {
            let page = store
                .records(SCHEME, &RecordFilter::default(), after.as_deref(), 500)
                .await
                .unwrap();
            let Some(last) = page.last() else { break };
            after = Some(last.key.clone());
            for record in page {
                records.insert(record.key.clone(), record);
            }
        }
        store.close().await;
        records
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
    let store = harness.store().await;
    let counts = store.counts(SCHEME).await.unwrap();
    store.close().await;
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
