//! Measured runs of ferry and of the dlt peer, and the ground-truth check.
//!
//! Contract: [`ferry_run`] empties the target table, writes a fresh run directory (so the
//! ledger starts empty too), runs `ferry run <seed 002 native> --to 2024-02-01 --json` in it
//! under [`measure`], and fails unless the run succeeded. Rows are counted in the target
//! afterwards; rows/s and orders/s are over the process's whole wall time (start-up included).
//! [`check_against_truth`] compares the target table row by row with what a perfect sync of the
//! simulator's ground truth writes (`ferry_engine::reconcile`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use ferry_expr::RunVars;
use ferry_model::doc::SourceFile;
use ferry_model::scheme::SchemeContext;
use serde_json::Value;

use crate::measure::{Usage, measure};
use crate::sim::Sim;
use crate::targets::{Db, SCHEME_FILE, prepare_run_dir};

/// The end of the simulator's 30 days of January 2024 (Beijing time), as `--to`.
pub const RUN_TO: &str = "2024-02-01 00:00:00";

/// One measured run.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Measured {
    pub usage: Usage,
    pub orders: u64,
    pub rows: u64,
    pub pages: u64,
    pub rate_limited: u64,
    pub rows_per_sec: f64,
    pub orders_per_sec: f64,
}

impl Measured {
    fn new(usage: Usage, orders: u64, rows: u64, pages: u64, rate_limited: u64) -> Self {
        Measured {
            usage,
            orders,
            rows,
            pages,
            rate_limited,
            rows_per_sec: rows as f64 / usage.wall_secs,
            orders_per_sec: orders as f64 / usage.wall_secs,
        }
    }
}

/// Where ferry runs.
#[derive(Debug, Clone)]
pub struct Setup {
    pub root: PathBuf,
    pub ferry: PathBuf,
    pub work: PathBuf,
    pub scheme: Value,
}

/// One `ferry run` from scratch into `db`.
pub async fn ferry_run(setup: &Setup, sim: &Sim, db: &Db, client_rate: &str) -> Result<Measured> {
    db.reset(&setup.root).await?;
    let dir = setup.work.join(format!("run-{}", db.name()));
    prepare_run_dir(&dir, &setup.scheme, &sim.base_url, client_rate, db)?;
    let mut command = Command::new(&setup.ferry);
    command
        .current_dir(&dir)
        .args(["run", SCHEME_FILE, "--to", RUN_TO, "--json"]);
    let (status, usage) = measure_blocking(command, &dir).await?;
    let report_text = std::fs::read_to_string(dir.join("stdout.txt"))?;
    let stderr = std::fs::read_to_string(dir.join("stderr.txt")).unwrap_or_default();
    let report: Value = serde_json::from_str(&report_text)
        .with_context(|| format!("ferry run ({status}) printed no report: {stderr}"))?;
    if report["outcome"]["status"] != "succeeded" || !status.success() {
        bail!(
            "ferry run into {} did not succeed ({status}): {}\n{stderr}",
            db.name(),
            report["outcome"]
        );
    }
    let stats = &report["stats"];
    let number = |name: &str| stats[name].as_u64().unwrap_or_default();
    let rows = db.count().await?;
    if rows != number("written") {
        bail!(
            "{} holds {rows} rows but ferry reports {} written",
            db.name(),
            number("written")
        );
    }
    Ok(Measured::new(
        usage,
        number("source_records"),
        rows,
        number("pages"),
        number("rate_limited"),
    ))
}

/// [`measure`] on a blocking thread, output into `dir/stdout.txt` and `dir/stderr.txt`.
async fn measure_blocking(
    command: Command,
    dir: &Path,
) -> Result<(std::process::ExitStatus, Usage)> {
    let stdout = dir.join("stdout.txt");
    let stderr = dir.join("stderr.txt");
    tokio::task::spawn_blocking(move || measure(command, &stdout, &stderr)).await?
}

/// The dlt pipeline (`xtask/dlt/jst_pipeline.py`) into a fresh MariaDB database.
pub async fn dlt_run(setup: &Setup, sim: &Sim, venv: &Path, mysql_base: &str) -> Result<Measured> {
    const DATASET: &str = "ferry_bench_dlt";
    let drop = format!("DROP DATABASE IF EXISTS {DATASET}");
    crate::databases::mysql_admin(mysql_base, &drop).await?;
    let dir = setup.work.join("run-dlt");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let mut command = Command::new(venv.join("bin/python"));
    command
        .current_dir(&dir)
        .arg(setup.root.join("xtask/dlt/jst_pipeline.py"))
        .args([
            &sim.base_url,
            &mysql_base.replace("mysql://", "mysql+pymysql://"),
        ])
        .args([DATASET, "2024-01-01 00:00:00", RUN_TO])
        .arg(dir.join("pipelines"));
    let (status, usage) = measure_blocking(command, &dir).await?;
    let stdout = std::fs::read_to_string(dir.join("stdout.txt"))?;
    if !status.success() {
        let stderr = std::fs::read_to_string(dir.join("stderr.txt")).unwrap_or_default();
        let tail: String = stderr.lines().rev().take(15).collect::<Vec<_>>().join("\n");
        bail!("the dlt pipeline failed ({status}):\n{tail}");
    }
    let stats: Value = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .context("the dlt pipeline printed no statistics")?;
    let db = Db::Maria(format!("{mysql_base}/{DATASET}"));
    let rows = db.count().await?;
    let number = |name: &str| stats[name].as_u64().unwrap_or_default();
    Ok(Measured::new(
        usage,
        number("orders"),
        rows,
        number("pages"),
        0,
    ))
}

/// `None` when `db` holds exactly what a perfect sync of the simulator's ground truth writes;
/// else what differs.
pub async fn check_against_truth(
    setup: &Setup,
    sim: &Sim,
    db: &Db,
    columns: &[String],
) -> Result<Option<String>> {
    let text = serde_json::to_string(&setup.scheme)?;
    let file = SourceFile::new(SCHEME_FILE, text);
    let context = SchemeContext {
        config: None,
        collections: None,
    };
    let scheme = ferry_model::load_scheme(&file, &context).map_err(|issues| {
        let first: Vec<String> = issues.iter().take(3).map(|i| format!("{i:?}")).collect();
        anyhow::anyhow!("the benchmark scheme does not load: {}", first.join("; "))
    })?;
    let truth = sim.ground_truth().await?;
    let vars = RunVars::new(0, 0, 0).with_timezone(scheme.sync.timezone.clone());
    let expected = ferry_engine::reconcile::expected_table(&scheme, &truth, &vars, columns)
        .map_err(|error| anyhow::anyhow!("expected rows: {error}"))?;
    let actual = db
        .read_rows(columns)
        .await?
        .into_iter()
        .map(|row| (row[0].clone().unwrap_or_default(), row))
        .collect();
    Ok(ferry_engine::reconcile::difference(&actual, &expected))
}
