//! Seed 000's source end to end in-process: the Jackyun simulator (Qimen route, double
//! signature) → engine → ferry's ledger. Seed 000's target (Banniu) is replaced by the ledger
//! connection `keep` (`写入空操作`); the ledger must hold exactly the ground-truth trades the
//! seed's request selects (consigned, `tradeType` 92), keyed by the seed's `id` (`tradeNo`),
//! and a second run over the same range writes nothing.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use ferry_engine::{RunMode, RunOptions, RunOutcome, RunReport, open_context};
use ferry_model::scheme::SchemeContext;
use ferry_model::{Config, Scheme, SourceFile};
use ferry_sim::{ModifiedRange, Platform, SimBuilder, SimHandle};
use ferry_store::{RecordFilter, RunKind};
use serde_json::{Value, json};

/// 2024-01-01 00:00:00 Beijing: the seed's `sync.start` and the first simulated day.
const RANGE_START: i64 = 1_704_038_400;
/// 2024-01-13 00:00:00 Beijing: two days after the ten simulated days, because the seed asks
/// for consign times one day behind the window.
const RANGE_END: i64 = RANGE_START + 12 * 86_400;

struct Harness {
    _dir: tempfile::TempDir,
    sim: SimHandle,
    config: Config,
    scheme: Arc<Scheme>,
}

impl Harness {
    async fn start() -> Harness {
        let sim = SimBuilder::new(Platform::Jackyun)
            .seed(17)
            .orders(1_200)
            .data_range("2024-01-01", 10)
            .serve("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let toml = format!(
            r#"
[store]
url = "sqlite://{store}"

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
"#,
            store = dir.path().join("ferry.db").display(),
            base = sim.base_url(),
        );
        let config_path = dir.path().join("ferry.toml");
        std::fs::write(&config_path, &toml).unwrap();
        let config = ferry_model::load_config(&SourceFile::new(&config_path, toml), &|_| None)
            .unwrap_or_else(|issues| panic!("{issues:?}"));
        let scheme_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/schemes/000_jky_to_banniu.json");
        let mut scheme_json: Value =
            serde_json::from_str(&std::fs::read_to_string(&scheme_path).unwrap()).unwrap();
        scheme_json["target"] =
            json!({"connection": "keep", "api": "写入空操作", "effect": "EXECUTE"});
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
            from: Some(RANGE_START),
            to: Some(RANGE_END),
            now: RANGE_END + 86_400,
            heartbeat: std::time::Duration::from_secs(30),
        };
        let report = ferry_engine::run(&context, &options).await.unwrap();
        store.close().await;
        report
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
    async fn ledger(&self) -> (BTreeSet<String>, ferry_store::StatusCounts) {
        let store = ferry_store::connect(self.config.store.url.expose())
            .await
            .unwrap();
        let name = &self.scheme.name;
        let records = store
            .records(name, &RecordFilter::default(), None, 100_000)
            .await
            .unwrap();
        let counts = store.counts(name).await.unwrap();
        store.close().await;
        (
            records.into_iter().map(|record| record.key).collect(),
            counts,
        )
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
