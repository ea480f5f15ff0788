//! Test harness: a Jushuitan simulator in-process, seed 002 (examples/schemes) pointed at it,
//! a SQLite ledger and a SQLite target in a temp dir, and a comparison of the target table
//! with the simulator's ground truth. Also the pieces every end-to-end test shares: writing
//! `ferry.toml` (`store_config`, `write_config`), serving a simulator with one example scheme
//! (`SimSetup`, `example_scheme`, `ledger_target`), one engine run (`run_scheme`) and reading
//! the ledger page by page (`ledger_records`, `ledger_keys`, `ledger_counts`, `failed_records`).

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ferry_engine::reconcile::{self, Table};
use ferry_engine::{RunMode, RunOptions, RunReport, open_context};
use ferry_expr::RunVars;
use ferry_model::scheme::SchemeContext;
use ferry_model::{Config, Scheme, SourceFile};
use ferry_sim::{ModifiedRange, SimBuilder, SimHandle};
use ferry_store::{LedgerRecord, RecordFilter, RecordStatus, RunKind, StatusCounts};
use sqlx::Row as _;

/// 2024-02-01 00:00:00 Beijing time: after all simulated data (January 2024).
pub const RANGE_END: i64 = 1_706_716_800;
/// 2024-01-01 00:00:00 Beijing time.
pub const RANGE_START: i64 = 1_704_038_400;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub sim: SimHandle,
    pub config: Config,
    pub scheme: Arc<Scheme>,
    pub target_url: String,
}

impl Harness {
    /// Starts `sim`, writes ferry.toml for it, creates the target table.
    pub async fn start(sim: SimBuilder, rate: Option<&str>) -> Harness {
        let rate_line = rate
            .map(|rate| format!("rate = \"{rate}\"\n"))
            .unwrap_or_default();
        Harness::start_with(sim, &rate_line, |_| {}).await
    }

    /// Like [`Harness::start`], with `extra` TOML lines in the source connection (`rate`,
    /// `timeout`, ...) and `edit` applied to the scheme's JSON.
    pub async fn start_with(
        sim: SimBuilder,
        extra: &str,
        edit: impl FnOnce(&mut serde_json::Value),
    ) -> Harness {
        let sim = serve(sim).await;
        let dir = tempfile::tempdir().unwrap();
        let target_url = format!("sqlite://{}", dir.path().join("target.db").display());
        let connections = format!(
            r#"
[connections.jst]
platform = "jushuitan-qimen"
base_url = "{base}/router/qm"
app_key = "12345678"
secret = "qimensecret"
customer_id = "cust-1"
max_retries = 8
{extra}
[connections.dw]
platform = "sqlite"
url = "{target_url}"
"#,
            base = sim.base_url(),
        );
        let config = store_config(dir.path(), &connections);
        let scheme = example_scheme(&config, "002_jst_orders_to_mysql.json", edit);
        let ddl =
            std::fs::read_to_string(repo_root().join("examples/sql/order_list_query.sql")).unwrap();
        let pool = sqlx::SqlitePool::connect(&format!("{target_url}?mode=rwc"))
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(ddl))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        Harness {
            dir,
            sim,
            config,
            scheme: Arc::new(scheme),
            target_url,
        }
    }

    /// One run over January 2024 (a first run, or continuing from the checkpoint).
    pub async fn run(&self) -> RunReport {
        self.run_with(None).await
    }

    pub async fn run_with(&self, from: Option<i64>) -> RunReport {
        self.run_at(from, Some(RANGE_END), RANGE_END + 86_400).await
    }

    /// One run with the given `--from`, `--to` and "now".
    pub async fn run_at(&self, from: Option<i64>, to: Option<i64>, now: i64) -> RunReport {
        let window = RunWindow { from, to, now };
        run_scheme(&self.config, &self.scheme, window, Default::default()).await
    }

    /// What the target must hold: seed 002 applied to the simulator's ground truth.
    pub fn expected(&self) -> Table {
        self.expected_in(ModifiedRange::default())
    }

    /// What the target must hold of the records whose `modified` is in `range`.
    pub fn expected_in(&self, range: ModifiedRange) -> Table {
        let truth = self.sim.simulator().ground_truth(range);
        let vars = RunVars::new(RANGE_START, RANGE_END, RANGE_END + 86_400)
            .with_timezone(self.scheme.sync.timezone.clone());
        reconcile::expected_table(&self.scheme, &truth, &vars, &self.columns()).unwrap()
    }

    /// The target table, by primary key, columns in main_sql order.
    pub async fn actual(&self) -> Table {
        let columns = self.columns();
        let pool = sqlx::SqlitePool::connect(&self.target_url).await.unwrap();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM order_list_query",
            columns.join(",")
        )))
        .fetch_all(&pool)
        .await
        .unwrap();
        pool.close().await;
        rows.iter()
            .map(|row| {
                let values: Vec<Option<String>> = (0..columns.len())
                    .map(|index| row.get::<Option<String>, _>(index))
                    .collect();
                (values[0].clone().unwrap(), values)
            })
            .collect()
    }

    pub fn columns(&self) -> Vec<String> {
        let main_sql = self.scheme.target.adapter.other("main_sql").unwrap();
        ferry_model::scheme::sql::parse_main_sql(main_sql.raw_value.as_str().unwrap())
            .unwrap()
            .columns
    }
}

/// Asserts the target equals the expectation exactly.
pub fn assert_same(actual: &Table, expected: &Table) {
    if let Some(difference) = reconcile::difference(actual, expected) {
        panic!("target differs from ground truth: {difference}");
    }
}

/// Writes `toml` as `dir/ferry.toml` and loads it.
pub fn write_config(dir: &Path, toml: &str) -> Config {
    let path = dir.join("ferry.toml");
    std::fs::write(&path, toml).unwrap();
    ferry_model::load_config(&SourceFile::new(&path, toml.to_owned()), &|_| None)
        .unwrap_or_else(|issues| panic!("{issues:?}"))
}

/// Writes `dir/ferry.toml`, a SQLite store at `dir/ferry.db` followed by `connections` (TOML
/// tables), and loads it.
pub fn store_config(dir: &Path, connections: &str) -> Config {
    let store = dir.join("ferry.db");
    let toml = format!(
        "[store]\nurl = \"sqlite://{}\"\n{connections}",
        store.display()
    );
    write_config(dir, &toml)
}

/// Serves `sim` on a free local port.
pub async fn serve(sim: SimBuilder) -> SimHandle {
    sim.serve("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

/// A served simulator, a temp dir holding `ferry.toml` and the SQLite ledger, and one example
/// scheme loaded against that config.
pub struct SimSetup {
    pub dir: tempfile::TempDir,
    pub sim: SimHandle,
    pub config: Config,
    pub scheme: Arc<Scheme>,
}

impl SimSetup {
    /// Serves `sim`, writes `ferry.toml` (a SQLite store, then `connections` of the simulator's
    /// base URL) and loads `examples/schemes/<file>` after `edit` changed its JSON.
    pub async fn serve(
        sim: SimBuilder,
        connections: impl FnOnce(&str) -> String,
        file: &str,
        edit: impl FnOnce(&mut serde_json::Value),
    ) -> SimSetup {
        let sim = serve(sim).await;
        let dir = tempfile::tempdir().unwrap();
        let config = store_config(dir.path(), &connections(&sim.base_url()));
        let scheme = Arc::new(example_scheme(&config, file, edit));
        SimSetup {
            dir,
            sim,
            config,
            scheme,
        }
    }
}

/// Replaces a scheme's `target` (JSON) with the ledger-only target (`写入空操作`) on
/// `connection`.
pub fn ledger_target(scheme: &mut serde_json::Value, connection: &str) {
    scheme["target"] = serde_json::json!({
        "connection": connection, "api": "写入空操作", "effect": "EXECUTE"
    });
}

/// Loads `examples/schemes/<file>` against `config`, after `edit` changed its JSON.
pub fn example_scheme(
    config: &Config,
    file: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> Scheme {
    let path = repo_root().join("examples/schemes").join(file);
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut json);
    let text = serde_json::to_string_pretty(&json).unwrap();
    ferry_model::load_scheme(
        &SourceFile::new(&path, text),
        &SchemeContext {
            config: Some(config),
            collections: None,
        },
    )
    .unwrap_or_else(|issues| panic!("{issues:?}"))
}

/// `--from`, `--to` and "now" of a run.
#[derive(Debug, Clone, Copy)]
pub struct RunWindow {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub now: i64,
}

impl RunWindow {
    /// Up to the end of the simulated data, from the checkpoint (or `sync.start`).
    pub const ALL: RunWindow = RunWindow {
        from: None,
        to: Some(RANGE_END),
        now: RANGE_END + 86_400,
    };
}

/// One run of `scheme`, with `collections` for lookups.
pub async fn run_scheme(
    config: &Config,
    scheme: &Arc<Scheme>,
    window: RunWindow,
    collections: ferry_engine::lookup::Collections,
) -> RunReport {
    let store = ferry_store::connect(config.store.url.expose())
        .await
        .unwrap();
    let mut context = open_context(config, Arc::clone(scheme), Arc::clone(&store))
        .await
        .unwrap();
    context.collections = Arc::new(collections);
    let options = RunOptions {
        mode: RunMode::Sync,
        kind: RunKind::Manual,
        from: window.from,
        to: window.to,
        now: window.now,
        heartbeat: std::time::Duration::from_secs(30),
    };
    let report = ferry_engine::run(&context, &options).await.unwrap();
    store.close().await;
    report
}

/// Every ledger record of `scheme` that `filter` selects, in key order (read page by page).
pub async fn ledger_records(
    config: &Config,
    scheme: &str,
    filter: &RecordFilter,
) -> Vec<LedgerRecord> {
    let store = ferry_store::connect(config.store.url.expose())
        .await
        .unwrap();
    let mut records: Vec<LedgerRecord> = Vec::new();
    loop {
        let after = records.last().map(|record| record.key.clone());
        let page = store
            .records(scheme, filter, after.as_deref(), 500)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        records.extend(page);
    }
    store.close().await;
    records
}

/// Every failed ledger record of `scheme`, in key order.
pub async fn failed_records(config: &Config, scheme: &str) -> Vec<LedgerRecord> {
    let failed = RecordFilter {
        status: Some(RecordStatus::Failed),
        key: None,
    };
    ledger_records(config, scheme, &failed).await
}

/// The ledger's record counts per status for `scheme`.
pub async fn ledger_counts(config: &Config, scheme: &str) -> StatusCounts {
    let store = ferry_store::connect(config.store.url.expose())
        .await
        .unwrap();
    let counts = store.counts(scheme).await.unwrap();
    store.close().await;
    counts
}

/// The keys of every ledger record of `scheme`, and its counts per status.
pub async fn ledger_keys(config: &Config, scheme: &str) -> (BTreeSet<String>, StatusCounts) {
    let records = ledger_records(config, scheme, &RecordFilter::default()).await;
    let keys = records.into_iter().map(|record| record.key).collect();
    (keys, ledger_counts(config, scheme).await)
}

/// A Jushuitan simulator of `orders` orders whose clock stands at noon on 2024-01-15 (ferry
/// stamps requests with the wall clock, so the gateway's timestamp check is widened) and where
/// every order becomes visible only `late_secs` after its `modified` time.
pub fn late_indexed_jushuitan(seed: u64, orders: u32, late_secs: u32) -> SimBuilder {
    let mut config = ferry_sim::JushuitanConfig::default();
    config.qimen.timestamp_tolerance_s = 400_000_000;
    let mut faults = ferry_sim::FaultConfig::default();
    faults.apply_spec(&format!("late=1@{late_secs}")).unwrap();
    SimBuilder::from_config(ferry_sim::SimConfig::Jushuitan(config))
        .seed(seed)
        .orders(orders)
        .clock("2024-01-15 12:00:00")
        .faults(faults)
}

impl Harness {
    /// The rows of `table` whose `modified` column is before `cutoff` (`YYYY-MM-DD HH:MM:SS`).
    pub fn modified_before(&self, table: Table, cutoff: &str) -> Table {
        let modified = self
            .columns()
            .iter()
            .position(|column| column == "modified")
            .unwrap();
        table
            .into_iter()
            .filter(|(_, row)| row[modified].as_deref().is_some_and(|m| m < cutoff))
            .collect()
    }
}
