//! Seed 004 (`examples/schemes/004_wdt_refunds_to_mysql.json`) against the WDT flagship
//! simulator through the Qimen route, with its target swapped for the ledger-only target
//! (`写入空操作`): the ledger must hold exactly one key per flattened `detail_list` entry of
//! every ground-truth refund (`<refund_id>#<index>`, one `#0` for a refund without details), and
//! a second run over the same range writes nothing new. Runs once with epoch-ms times and once
//! with text times (`rules.time_format`), since the engine reads `modified` either way.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use ferry_engine::{RunMode, RunOptions, RunOutcome, RunReport, open_context};
use ferry_model::scheme::SchemeContext;
use ferry_model::{Config, Scheme, SourceFile};
use ferry_sim::wdt_flagship::TimeFormat;
use ferry_sim::{ModifiedRange, SimBuilder, SimConfig, SimHandle, WdtFlagshipConfig};
use ferry_store::{RecordFilter, RunKind};
use serde_json::{Value, json};

/// 2024-02-01 00:00:00 Beijing time: after all simulated data (January 2024).
const RANGE_END: i64 = 1_706_716_800;

struct Harness {
    _dir: tempfile::TempDir,
    sim: SimHandle,
    config: Config,
    scheme: Arc<Scheme>,
}

async fn start(time_format: TimeFormat) -> Harness {
    let mut sim_config = WdtFlagshipConfig::default();
    sim_config.rules.time_format = time_format;
    let sim = SimBuilder::from_config(SimConfig::WdtFlagship(sim_config))
        .seed(4)
        .orders(700)
        .data_range("2024-01-01", 31)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        r#"
[store]
url = "sqlite://{store}"

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
"#,
        store = dir.path().join("ferry.db").display(),
        base = sim.base_url(),
    );
    let config_path = dir.path().join("ferry.toml");
    let config = ferry_model::load_config(&SourceFile::new(&config_path, toml), &|_| None)
        .unwrap_or_else(|issues| panic!("{issues:?}"));
    let scheme_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/schemes/004_wdt_refunds_to_mysql.json");
    let mut scheme_json: Value =
        serde_json::from_str(&std::fs::read_to_string(&scheme_path).unwrap()).unwrap();
    assert!(
        scheme_json["source"].get("condition").is_none(),
        "seed 004 has no condition"
    );
    scheme_json["target"] = json!({"connection": "keep", "api": "写入空操作", "effect": "EXECUTE"});
    let text = serde_json::to_string_pretty(&scheme_json).unwrap();
    let scheme = ferry_model::load_scheme(
        &SourceFile::new(&scheme_path, text),
        &SchemeContext {
            config: Some(&config),
            collections: None,
        },
    )
    .unwrap_or_else(|issues| panic!("{issues:?}"));
    Harness {
        _dir: dir,
        sim,
        config,
        scheme: Arc::new(scheme),
    }
}

impl Harness {
    async fn run(&self) -> RunReport {
        let store = ferry_store::connect(self.config.store.url.expose())
            .await
            .unwrap();
        let context = open_context(&self.config, Arc::clone(&self.scheme), Arc::clone(&store))
            .await
            .unwrap();
        let options = RunOptions {
            mode: RunMode::Sync,
            kind: RunKind::Manual,
            from: None,
            to: Some(RANGE_END),
            now: RANGE_END + 86_400,
            heartbeat: std::time::Duration::from_secs(30),
        };
        let report = ferry_engine::run(&context, &options).await.unwrap();
        store.close().await;
        report
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

    async fn ledger_keys(&self) -> (BTreeSet<String>, ferry_store::StatusCounts) {
        let store = ferry_store::connect(self.config.store.url.expose())
            .await
            .unwrap();
        let name = &self.scheme.name;
        let records = store
            .records(name, &RecordFilter::default(), None, 1_000_000)
            .await
            .unwrap();
        let counts = store.counts(name).await.unwrap();
        store.close().await;
        let keys = records.into_iter().map(|record| record.key).collect();
        (keys, counts)
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
