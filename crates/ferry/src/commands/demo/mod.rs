//! `ferry demo`: the five case studies on simulators, end to end, in one command.
//!
//! It starts every simulator in this process on loopback ports, writes a ferry.toml and the six
//! example schemes into `--dir` (default `.ferry-demo`), creates the target tables (embedded
//! SQLite `target.db`, or `--target mysql://…`/`postgres://…`), runs each scheme twice — once
//! to sync, once again over the whole range to show idCheck skipping what did not change — and
//! reconciles every target with its simulator's ground truth ([`checks`]). Exit 0 only when
//! every scheme reconciles.

mod checks;
mod files;
mod secrets;
mod sims;

use std::sync::Arc;

use anyhow::{Context, anyhow};
use ferry_engine::{RunMode, RunOptions, RunOutcome, RunReport, StatsSnapshot, open_context};
use ferry_model::Scheme;
use ferry_store::{RecordFilter, RecordStatus, RunKind, Store};
use serde_json::json;

use crate::cli::{DemoArgs, GlobalArgs};
use crate::exit::{CommandResult, Exit};
use crate::progress::Progress;
use crate::{load, output, session};

/// 2024-02-02 00:00:00 Beijing time: a day after the simulated January (seed 000 reads consign
/// times a day behind its window).
const RUN_TO: i64 = 1_706_803_200;

/// One scheme's line in the report.
struct Line {
    scheme: String,
    route: String,
    first: StatsSnapshot,
    again: StatsSnapshot,
    failure: Option<String>,
    outcome: Result<(), String>,
}

pub fn run(global: &GlobalArgs, args: &DemoArgs) -> CommandResult {
    let runtime = session::runtime()?;
    let lines = runtime.block_on(demo(global, args))?;
    let failed = lines.iter().filter(|line| line.outcome.is_err()).count();
    print(global, &lines);
    if failed == 0 {
        Ok(())
    } else {
        Err(Exit::Failed(anyhow!(
            "{failed} of {} schemes did not reconcile with their simulator",
            lines.len()
        )))
    }
}

async fn demo(global: &GlobalArgs, args: &DemoArgs) -> Result<Vec<Line>, Exit> {
    let secrets = secrets::DemoSecrets::from_env();
    let sims = sims::start_all(args.orders, &secrets).await?;
    let dir = &args.dir;
    let target_url = args
        .target
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("target.db").display()));
    files::write(dir, &sims.endpoints(), &target_url, &secrets)?;
    create_tables(&target_url).await?;
    let config = load::load_config(&dir.join("ferry.toml"))
        .map_err(|messages| Exit::Failed(anyhow!(messages.join("\n"))))?;
    let store = session::open_store(&config).await?;
    let scheme_files = load::schemes_in(&config.schemes_dir);
    let collections = Arc::new(load::collection_map(&scheme_files));
    let names = load::collections(&scheme_files);
    let mut lines = Vec::new();
    for (file, _) in files::SCHEMES {
        let path = config.schemes_dir.join(file);
        let scheme = load::load_scheme(&path, Some(&config), Some(&names)).map_err(|issues| {
            Exit::Failed(anyhow!(
                "{}",
                issues
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            ))
        })?;
        let scheme = Arc::new(scheme);
        let range = range_of(file, &scheme);
        let first = run_once(global, &config, &scheme, &store, &collections, range).await?;
        let again = run_once(global, &config, &scheme, &store, &collections, range).await?;
        let outcome = match (&first.outcome, &again.outcome) {
            (RunOutcome::Succeeded, RunOutcome::Succeeded) => {
                checks::check(file, &scheme, &sims, store.as_ref(), &target_url).await
            }
            (RunOutcome::Failed(error), _) | (_, RunOutcome::Failed(error)) => {
                Err(format!("run failed: {error}"))
            }
            _ => Err("run interrupted".to_owned()),
        };
        lines.push(Line {
            scheme: scheme.name.clone(),
            route: format!(
                "{} → {}",
                scheme.source.adapter.connection.value, scheme.target.adapter.connection.value
            ),
            first: first.stats,
            again: again.stats,
            failure: first_failure(store.as_ref(), &scheme.name).await,
            outcome,
        });
    }
    store.close().await;
    Ok(lines)
}

/// `--from`, `--to` and "now" of the demo's runs of `file`.
fn range_of(file: &str, scheme: &Scheme) -> (Option<i64>, i64, i64) {
    if file == "000_banniu_tasks.json" {
        // The demo created the tasks just now, in the simulator's wall-clock time.
        let now = jiff::Timestamp::now().as_second();
        return (Some(now - 3_600), now + 60, now + 60);
    }
    (scheme.sync.start, RUN_TO, RUN_TO)
}

async fn run_once(
    global: &GlobalArgs,
    config: &ferry_model::Config,
    scheme: &Arc<Scheme>,
    store: &Arc<dyn Store>,
    collections: &Arc<ferry_engine::lookup::Collections>,
    (from, to, now): (Option<i64>, i64, i64),
) -> Result<RunReport, Exit> {
    let mut context = open_context(config, Arc::clone(scheme), Arc::clone(store))
        .await
        .map_err(|error| anyhow!(error))?;
    context.collections = Arc::clone(collections);
    let options = RunOptions {
        mode: RunMode::Sync,
        kind: RunKind::Manual,
        from,
        to: Some(to),
        now,
        heartbeat: std::time::Duration::from_secs(20),
    };
    let progress = Progress::start(&scheme.name, Arc::clone(&context.stats), !global.json);
    let report = ferry_engine::run(&context, &options).await;
    progress.stop();
    Ok(report.context("the ledger failed")?)
}

async fn first_failure(store: &dyn Store, scheme: &str) -> Option<String> {
    let filter = RecordFilter {
        status: Some(RecordStatus::Failed),
        key: None,
    };
    let records = store.records(scheme, &filter, None, 1).await.ok()?;
    let record = records.into_iter().next()?;
    Some(format!(
        "{}: {}",
        record.key,
        record.last_error.unwrap_or_default()
    ))
}

/// Creates the SQL targets' tables (dropping what an earlier demo left).
async fn create_tables(url: &str) -> anyhow::Result<()> {
    let mysql = matches!(url.split(':').next(), Some("mysql" | "mariadb"));
    let postgres = matches!(url.split(':').next(), Some("postgres" | "postgresql"));
    for (table, mysql_ddl, standard_ddl) in files::TABLES {
        let drop = format!("DROP TABLE IF EXISTS {table}");
        if mysql {
            let pool = sqlx::MySqlPool::connect(url).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
                .execute(&pool)
                .await?;
            sqlx::raw_sql(mysql_ddl).execute(&pool).await?;
            pool.close().await;
        } else if postgres {
            let pool = sqlx::PgPool::connect(url).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
                .execute(&pool)
                .await?;
            sqlx::raw_sql(standard_ddl).execute(&pool).await?;
            pool.close().await;
        } else {
            let pool = sqlx::SqlitePool::connect(&format!("{url}?mode=rwc")).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
                .execute(&pool)
                .await?;
            sqlx::raw_sql(standard_ddl).execute(&pool).await?;
            pool.close().await;
        }
    }
    Ok(())
}

fn print(global: &GlobalArgs, lines: &[Line]) {
    if global.json {
        let report: Vec<_> = lines
            .iter()
            .map(|line| {
                json!({
                    "scheme": line.scheme,
                    "route": line.route,
                    "source_records": line.first.source_records,
                    "records": line.first.fetched,
                    "written": line.first.written,
                    "failed": line.first.failed,
                    "rerun_written": line.again.written,
                    "rerun_skipped": line.again.skipped,
                    "first_failure": line.failure,
                    "reconciled": line.outcome.is_ok(),
                    "difference": line.outcome.as_ref().err(),
                })
            })
            .collect();
        output::line(serde_json::to_string_pretty(&report).unwrap_or_default());
        return;
    }
    output::line(format!(
        "{:<28} {:<22} {:>8} {:>8} {:>8} {:>7} {:>12}  reconciled",
        "scheme", "route", "source", "records", "written", "failed", "re-run skip"
    ));
    for line in lines {
        output::line(format!(
            "{:<28} {:<22} {:>8} {:>8} {:>8} {:>7} {:>12}  {}",
            line.scheme,
            line.route,
            line.first.source_records,
            line.first.fetched,
            line.first.written,
            line.first.failed,
            line.again.skipped,
            match &line.outcome {
                Ok(()) => "yes".to_owned(),
                Err(difference) => format!("NO: {difference}"),
            }
        ));
        if let Some(failure) = &line.failure {
            output::line(format!("{:<28} failed record {failure}", ""));
        }
    }
}
