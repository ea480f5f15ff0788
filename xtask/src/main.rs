//! `cargo xtask bench`: ferry's benchmark suite (issue 9, docs/benchmarks.md).
//!
//! Contract: one invocation builds the release `ferry`, starts `ferry sim jushuitan` (native
//! route, no rate limit) with `--orders` orders, and measures, each from an empty table and an
//! empty ledger: seed 002 into MariaDB, PostgreSQL and SQLite (median of `--runs`), the
//! databases' own ceilings for the same rows, the dlt peer (unless `--skip-dlt`), a run with
//! `--large` orders (peak RSS must not grow with data), and a run through a simulator limited
//! to `--rate` requests/s (achieved share of the limit, table checked against ground truth).
//! It prints a table and writes the JSON report to `--json`. `--smoke` is the CI-sized
//! variant: 10k orders, one run each, no dlt, no large run. Exit status 1 on any failure;
//! unmet performance goals are reported, not failures.

mod ceiling;
mod databases;
mod measure;
mod report;
mod runs;
mod sim;
mod targets;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use crate::report::{DltResult, Machine, RateResult, Report, TargetResult};
use crate::runs::{Setup, check_against_truth, dlt_run, ferry_run};
use crate::sim::Sim;
use crate::targets::{Db, native_scheme};

/// Orders up to which the main run's table is checked row by row against the ground truth.
const CHECK_LIMIT: u32 = 50_000;
/// Client rate for the unlimited runs (far above what one process can use).
const UNLIMITED: &str = "100000/s";

#[derive(Debug, Parser)]
#[command(name = "xtask", about = "ferry repository tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// The benchmark suite (docs/benchmarks.md)
    Bench(BenchArgs),
}

#[derive(Debug, Clone, clap::Args)]
struct BenchArgs {
    /// Orders in the simulator (1–5 items each, 30 days)
    #[arg(long, default_value_t = 200_000)]
    orders: u32,
    /// Runs per measurement; the median is reported
    #[arg(long, default_value_t = 3)]
    runs: u32,
    /// Skip the dlt peer
    #[arg(long)]
    skip_dlt: bool,
    /// Orders of the memory run (0 skips it)
    #[arg(long, default_value_t = 1_000_000)]
    large: u32,
    /// Request limit of the rate-limited run, per second (0 skips it)
    #[arg(long, default_value_t = 20)]
    rate: u32,
    /// Orders of the rate-limited run
    #[arg(long, default_value_t = 30_000)]
    rate_orders: u32,
    /// Only these targets (mariadb, postgres, sqlite; comma-separated)
    #[arg(long, value_delimiter = ',', default_value = "mariadb,postgres,sqlite")]
    targets: Vec<String>,
    /// Write the JSON report here
    #[arg(long, default_value = "bench.json")]
    json: PathBuf,
    /// CI-sized: 10k orders, one run, no dlt, no large run, 5k orders rate-limited
    #[arg(long)]
    smoke: bool,
    /// MariaDB server (no database part)
    #[arg(long, default_value = "mysql://root@127.0.0.1:3306")]
    mysql: String,
    /// An existing PostgreSQL database to create `ferry_bench` from
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres: String,
    /// First of the loopback ports the simulators use
    #[arg(long, default_value_t = 18490)]
    port: u16,
    /// Use the `ferry` binary as built (no `cargo build`)
    #[arg(long)]
    no_build: bool,
}

fn main() {
    let cli = Cli::parse();
    let Task::Bench(mut args) = cli.task;
    if args.smoke {
        args.orders = 10_000;
        args.runs = 1;
        args.skip_dlt = true;
        args.large = 0;
        args.rate_orders = 5_000;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            std::process::exit(1);
        }
    };
    if let Err(error) = runtime.block_on(bench(args)) {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

async fn bench(args: BenchArgs) -> Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask has no parent directory")?
        .to_path_buf();
    let exe = std::env::current_exe().context("cannot find the xtask binary")?;
    let bin_dir = exe.parent().context("xtask binary has no directory")?;
    if !args.no_build {
        build_ferry(&root)?;
    }
    let setup = Setup {
        ferry: bin_dir.join("ferry"),
        work: bin_dir.join("ferry-bench"),
        scheme: native_scheme(&root)?,
        root: root.clone(),
    };
    std::fs::create_dir_all(&setup.work)?;
    let columns = main_sql_columns(&setup.scheme)?;
    let (mysql_url, pg_url) = databases::ensure(&args.mysql, &args.postgres).await?;
    let mut report = Report {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        machine: Machine::read(),
        orders: args.orders,
        runs: args.runs,
        targets: Vec::new(),
        main_difference: None,
        dlt: None,
        rate_limited: None,
        large: None,
        goals: Vec::new(),
    };
    eprintln!("starting the simulator with {} orders", args.orders);
    let sim = Sim::start(&setup.ferry, args.orders, args.port, None).await?;
    for name in &args.targets {
        let db = match name.as_str() {
            "mariadb" => Db::Maria(mysql_url.clone()),
            "postgres" => Db::Postgres(pg_url.clone()),
            "sqlite" => Db::Sqlite(setup.work.join("target.sqlite")),
            other => bail!("unknown target `{other}` (mariadb, postgres, sqlite)"),
        };
        let mut runs = Vec::new();
        for run in 1..=args.runs {
            eprintln!("ferry → {name}, run {run}/{}", args.runs);
            runs.push(ferry_run(&setup, &sim, &db, UNLIMITED).await?);
        }
        if db.name() == "mariadb" && args.orders <= CHECK_LIMIT {
            eprintln!("checking the MariaDB table against the ground truth");
            report.main_difference = Some(check_against_truth(&setup, &sim, &db, &columns).await?);
        }
        let rows = db.read_rows(&columns).await?;
        let mut ceilings: Vec<Vec<ceiling::Ceiling>> = Vec::new();
        for run in 1..=args.runs {
            eprintln!("ceilings of {name}, run {run}/{}", args.runs);
            ceilings.push(ceiling::measure(&db, &root, &setup.work, &columns, &rows).await?);
        }
        drop(rows);
        report
            .targets
            .push(TargetResult::new(name, runs, median_ceilings(ceilings)));
    }
    if !args.skip_dlt {
        let venv = ensure_venv()?;
        eprintln!("dlt → mariadb");
        let run = dlt_run(&setup, &sim, &venv, &args.mysql).await?;
        let ferry = report
            .targets
            .iter()
            .find(|t| t.db == "mariadb")
            .map_or(0.0, |t| t.ferry.rows_per_sec);
        report.dlt = Some(DltResult {
            ferry_over_dlt: ferry / run.rows_per_sec,
            run,
        });
    }
    drop(sim);
    let maria = Db::Maria(mysql_url.clone());
    if args.rate > 0 {
        let limit = format!("{}/s", args.rate);
        eprintln!("rate-limited run: {} orders at {limit}", args.rate_orders);
        let sim = Sim::start(&setup.ferry, args.rate_orders, args.port + 1, Some(&limit)).await?;
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = sim.sample_requests(Arc::clone(&stop));
        let run = ferry_run(&setup, &sim, &maria, &limit).await;
        stop.store(true, Ordering::Relaxed);
        let sample = sampler.await?;
        let run = run?;
        let difference = check_against_truth(&setup, &sim, &maria, &columns).await?;
        report.rate_limited = Some(RateResult {
            limit_per_sec: f64::from(args.rate),
            share_of_limit: sample.requests_per_sec / f64::from(args.rate),
            run,
            sample,
            difference,
        });
    }
    if args.large > 0 {
        eprintln!("large run: {} orders", args.large);
        let sim = Sim::start(&setup.ferry, args.large, args.port + 2, None).await?;
        report.large = Some(ferry_run(&setup, &sim, &maria, UNLIMITED).await?);
    }
    report.judge();
    report.print();
    std::fs::write(&args.json, serde_json::to_string_pretty(&report)?)
        .with_context(|| format!("cannot write {:?}", args.json))?;
    eprintln!("JSON report: {}", args.json.display());
    if matches!(report.main_difference, Some(Some(_)))
        || report
            .rate_limited
            .as_ref()
            .is_some_and(|rate| rate.difference.is_some())
    {
        bail!("a target table differs from the simulator's ground truth (see above)");
    }
    Ok(())
}

/// `cargo build --release -p ferry`, into the same target directory as this binary.
fn build_ferry(root: &Path) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--release", "-p", "ferry"])
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("cargo build --release -p ferry failed ({status})");
    }
    Ok(())
}

/// The per-method median (by rows/s) of several ceiling rounds.
fn median_ceilings(rounds: Vec<Vec<ceiling::Ceiling>>) -> Vec<ceiling::Ceiling> {
    let Some(first) = rounds.first() else {
        return Vec::new();
    };
    (0..first.len())
        .map(|index| {
            let mut same: Vec<&ceiling::Ceiling> =
                rounds.iter().filter_map(|round| round.get(index)).collect();
            same.sort_by(|a, b| a.rows_per_sec.total_cmp(&b.rows_per_sec));
            same[same.len() / 2].clone()
        })
        .collect()
}

/// The seed 002 target's columns, from its `main_sql`.
fn main_sql_columns(scheme: &serde_json::Value) -> Result<Vec<String>> {
    let main_sql = scheme["target"]["otherRequest"]
        .as_array()
        .and_then(|fields| fields.iter().find(|f| f["field"] == "main_sql"))
        .and_then(|field| field["value"].as_str())
        .context("the seed 002 scheme has no main_sql")?;
    ferry_model::scheme::sql::parse_main_sql(main_sql)
        .map(|sql| sql.columns)
        .map_err(|error| anyhow::anyhow!("main_sql: {error}"))
}

/// `~/.cache/ferry-bench/venv` with dlt, created on first use.
fn ensure_venv() -> Result<PathBuf> {
    let home = std::env::var("HOME").context("HOME is not set")?;
    let venv = PathBuf::from(home).join(".cache/ferry-bench/venv");
    let python = venv.join("bin/python");
    let ready = Command::new(&python)
        .args(["-c", "import dlt, pymysql, sqlalchemy"])
        .status()
        .is_ok_and(|status| status.success());
    if ready {
        return Ok(venv);
    }
    eprintln!("creating {} and installing dlt (PyPI)", venv.display());
    let steps: [(&Path, Vec<&str>); 2] = [
        (
            Path::new("python3"),
            vec![
                "-m",
                "venv",
                venv.to_str().context("venv path is not UTF-8")?,
            ],
        ),
        (
            python.as_path(),
            vec!["-m", "pip", "install", "-q", "dlt[sqlalchemy]", "pymysql"],
        ),
    ];
    for (program, args) in steps {
        let status = Command::new(program)
            .args(&args)
            .status()
            .with_context(|| format!("cannot run {program:?}"))?;
        if !status.success() {
            bail!("{program:?} {} failed ({status})", args.join(" "));
        }
    }
    Ok(venv)
}
