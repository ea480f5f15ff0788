//! `ferry run SCHEME [--from T] [--to T] [--dry-run]`: one run now, and `ferry retry SCHEME`:
//! write the scheme's failed records again.
//!
//! Exit 0 when the run succeeded, 1 when it failed or was interrupted by Ctrl-C or SIGTERM
//! (the ledger keeps everything fetched; the next run continues), 2 on bad input.
//! `--dry-run` fetches and maps for real but keeps the ledger in memory and writes nothing:
//! the checkpoint, the ledger and the target are untouched.

use std::sync::Arc;

use anyhow::{Context, anyhow};
use ferry_engine::schedule::HEARTBEAT;
use ferry_engine::{RunMode, RunOptions, RunOutcome, RunReport, open_context};
use ferry_model::Config;
use ferry_model::units::format_time;
use ferry_store::{RunKind, Store};
use serde_json::json;

use crate::cli::{GlobalArgs, RetryArgs, RunArgs};
use crate::exit::{CommandResult, Exit};
use crate::progress::Progress;
use crate::{load, output, session};

pub fn run(global: &GlobalArgs, args: &RunArgs) -> CommandResult {
    let path = session::resolve_scheme(&args.scheme, global.config.as_deref())?;
    let (config, scheme) = load::config_and_scheme(global.config.as_deref(), &path)?;
    let timezone = scheme.sync.timezone.clone();
    let from = session::parse_flag_time("from", args.from.as_deref(), &timezone)?;
    let to = session::parse_flag_time("to", args.to.as_deref(), &timezone)?;
    let options = RunOptions {
        mode: RunMode::Sync,
        kind: RunKind::Manual,
        from,
        to,
        now: jiff::Timestamp::now().as_second(),
        heartbeat: HEARTBEAT,
    };
    execute(global, &config, scheme, options, args.dry_run)
}

pub fn retry(global: &GlobalArgs, args: &RetryArgs) -> CommandResult {
    let path = session::resolve_scheme(&args.scheme, global.config.as_deref())?;
    let (config, scheme) = load::config_and_scheme(global.config.as_deref(), &path)?;
    let options = RunOptions {
        mode: RunMode::DrainOnly,
        kind: RunKind::Retry,
        from: None,
        to: None,
        now: jiff::Timestamp::now().as_second(),
        heartbeat: HEARTBEAT,
    };
    execute(global, &config, scheme, options, false)
}

fn execute(
    global: &GlobalArgs,
    config: &Config,
    scheme: ferry_model::Scheme,
    options: RunOptions,
    dry_run: bool,
) -> CommandResult {
    let runtime = session::runtime()?;
    let scheme = Arc::new(scheme);
    let report = runtime.block_on(async {
        let store = open_run_store(config, &scheme.name, dry_run).await?;
        if options.mode == RunMode::DrainOnly {
            let moved = store
                .retry_failed(&scheme.name)
                .await
                .map_err(|error| anyhow!(error))?;
            if !global.json {
                output::line(format!(
                    "{moved} failed records of `{}` are pending again",
                    scheme.name
                ));
            }
        }
        let mut context = open_context(config, Arc::clone(&scheme), Arc::clone(&store))
            .await
            .map_err(|error| anyhow!(error))?;
        context.collections =
            Arc::new(load::collection_map(&load::schemes_in(&config.schemes_dir)));
        if dry_run {
            context.target = Arc::new(ferry_engine::open::LedgerOnly);
        }
        let cancel = context.cancel.clone();
        tokio::spawn(async move {
            if interrupted().await {
                eprintln!("interrupted: finishing the records already fetched…");
                cancel.cancel();
            }
        });
        let progress = Progress::start(&scheme.name, Arc::clone(&context.stats), !global.json);
        let report = ferry_engine::run(&context, &options).await;
        progress.stop();
        store.close().await;
        report.context("the ledger failed").map_err(Exit::Failed)
    })?;
    print_report(global, &scheme, &report, dry_run);
    match &report.outcome {
        RunOutcome::Succeeded => Ok(()),
        RunOutcome::Failed(error) => Err(Exit::Failed(anyhow!(
            "run of `{}` failed: {error}",
            scheme.name
        ))),
        RunOutcome::Cancelled => Err(Exit::Failed(anyhow!(
            "run of `{}` was interrupted; run it again to continue",
            scheme.name
        ))),
    }
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM (what `kill`, systemd and container
/// runtimes send); `false` when no handler could be installed.
pub(crate) async fn interrupted() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => tokio::select! {
                result = tokio::signal::ctrl_c() => result.is_ok(),
                received = terminate.recv() => received.is_some(),
            },
            Err(_) => tokio::signal::ctrl_c().await.is_ok(),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.is_ok()
    }
}

/// The ledger a run uses: the configured one, or for `--dry-run` an in-memory copy of its
/// checkpoint.
async fn open_run_store(
    config: &Config,
    scheme: &str,
    dry_run: bool,
) -> Result<Arc<dyn Store>, Exit> {
    let store = session::open_store(config).await?;
    if !dry_run {
        return Ok(store);
    }
    let checkpoint = store
        .checkpoint(scheme)
        .await
        .map_err(|error| anyhow!(error))?;
    store.close().await;
    let memory = ferry_store::connect("sqlite::memory:")
        .await
        .map_err(|error| anyhow!(error))?;
    memory
        .reset_checkpoint(scheme, checkpoint.map(|checkpoint| checkpoint.position))
        .await
        .map_err(|error| anyhow!(error))?;
    Ok(memory)
}

fn print_report(
    global: &GlobalArgs,
    scheme: &ferry_model::Scheme,
    report: &RunReport,
    dry_run: bool,
) {
    let timezone = &scheme.sync.timezone;
    if global.json {
        let mut value = serde_json::to_value(report).unwrap_or_default();
        value["scheme"] = json!(scheme.name);
        value["dry_run"] = json!(dry_run);
        value["windows"] = report
            .windows
            .iter()
            .map(|window| {
                json!({
                    "from": format_time(window.range.from, timezone),
                    "to": format_time(window.range.to, timezone),
                    "pages": window.pages,
                    "fetched": window.counts.fetched,
                    "pending": window.counts.pending,
                    "skipped": window.counts.skipped,
                    "reported_total": window.reported_total,
                    "status": window.status.as_str(),
                    "error": window.error,
                })
            })
            .collect();
        output::line(serde_json::to_string_pretty(&value).unwrap_or_default());
        return;
    }
    let stats = &report.stats;
    let status = match &report.outcome {
        RunOutcome::Succeeded => "succeeded",
        RunOutcome::Failed(_) => "failed",
        RunOutcome::Cancelled => "interrupted",
    };
    output::line(format!(
        "run {} of {} {status}{}",
        report.run_id,
        scheme.name,
        if dry_run {
            " (dry run: nothing was stored or written)"
        } else {
            ""
        }
    ));
    output::line(format!(
        "  range      {} .. {} ({} of {} windows complete)",
        format_time(report.range.from, timezone),
        format_time(report.range.to, timezone),
        stats.windows_done,
        report.windows_planned
    ));
    output::line(format!(
        "  fetched    {} records in {} pages ({} source records, {} filtered out)",
        stats.fetched, stats.pages, stats.source_records, stats.filtered
    ));
    output::line(format!(
        "  written    {}   skipped {} (unchanged)   failed {}",
        stats.written, stats.skipped, stats.failed
    ));
    if stats.rate_limited > 0 || stats.retries > 0 {
        output::line(format!(
            "  calls      {} rate-limit replies, {} retries",
            stats.rate_limited, stats.retries
        ));
    }
    let checkpoint = report.checkpoint_after.map_or_else(
        || "none".to_owned(),
        |position| format_time(position, timezone),
    );
    output::line(format!("  checkpoint {checkpoint}"));
    if stats.failed > 0 {
        output::line(format!(
            "  see the failed records: ferry records {} --status failed",
            scheme.name
        ));
    }
}
