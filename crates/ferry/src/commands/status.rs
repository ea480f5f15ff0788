//! `ferry status [SCHEME...]`: per scheme, the checkpoint, ledger counts by status, the last
//! runs and the last failures; and `ferry records SCHEME [--status S] [--key K]`: the ledger's
//! records.

use std::path::PathBuf;

use anyhow::anyhow;
use ferry_model::units::format_time;
use ferry_store::{LedgerRecord, RecordFilter, RecordStatus, RunRecord, Store};
use serde_json::{Value, json};

use crate::cli::{GlobalArgs, RecordsArgs, StatusArgs};
use crate::exit::{CommandResult, Exit};
use crate::{load, output, session};

/// Runs shown per scheme.
const RUNS_SHOWN: u32 = 5;
/// Failed records shown per scheme.
const FAILURES_SHOWN: u32 = 5;

pub fn status(global: &GlobalArgs, args: &StatusArgs) -> CommandResult {
    let files = scheme_files(global, &args.schemes)?;
    let mut loaded = Vec::new();
    for file in &files {
        loaded.push(load::config_and_scheme(global.config.as_deref(), file)?);
    }
    let Some((config, _)) = loaded.first() else {
        return Err(Exit::BadInput(
            "error: no schemes found\n  hint: name a scheme file".to_owned(),
        ));
    };
    let runtime = session::runtime()?;
    let reports = runtime.block_on(async {
        let store = session::open_store(config).await?;
        let mut reports = Vec::new();
        for (_, scheme) in &loaded {
            reports.push(scheme_status(store.as_ref(), &scheme.name).await?);
        }
        store.close().await;
        Ok::<_, Exit>(reports)
    })?;
    for ((_, scheme), report) in loaded.iter().zip(&reports) {
        let timezone = &scheme.sync.timezone;
        if global.json {
            continue;
        }
        output::line(format!("scheme {}", scheme.name));
        let checkpoint = report["checkpoint"].as_i64().map_or_else(
            || "none (never ran)".to_owned(),
            |p| format_time(p, timezone),
        );
        output::line(format!("  checkpoint {checkpoint}"));
        let counts = &report["counts"];
        output::line(format!(
            "  records    {} written · {} pending · {} failed · {} skipped",
            counts["written"], counts["pending"], counts["failed"], counts["skipped"]
        ));
        for run in report["runs"].as_array().into_iter().flatten() {
            output::line(format!(
                "  run {:<5} {:<10} {:<9} {}  fetched {} written {} skipped {} failed {}{}",
                run["id"],
                run["status"].as_str().unwrap_or_default(),
                run["kind"].as_str().unwrap_or_default(),
                run["started_at"].as_str().unwrap_or_default(),
                run["fetched"],
                run["written"],
                run["skipped"],
                run["failed"],
                run["error"]
                    .as_str()
                    .map(|e| format!("\n            error: {e}"))
                    .unwrap_or_default()
            ));
        }
        for failure in report["failures"].as_array().into_iter().flatten() {
            output::line(format!(
                "  failed     {}: {}",
                failure["key"].as_str().unwrap_or_default(),
                failure["error"].as_str().unwrap_or_default()
            ));
        }
    }
    if global.json {
        output::line(serde_json::to_string_pretty(&Value::Array(reports)).unwrap_or_default());
    }
    Ok(())
}

pub fn records(global: &GlobalArgs, args: &RecordsArgs) -> CommandResult {
    let path = session::resolve_scheme(&args.scheme, global.config.as_deref())?;
    let (config, scheme) = load::config_and_scheme(global.config.as_deref(), &path)?;
    let status = args
        .status
        .as_deref()
        .map(|text| {
            RecordStatus::parse(text).ok_or_else(|| {
                Exit::BadInput(format!(
                    "error: --status `{text}` is not a record status\n  hint: one of pending, written, failed, skipped"
                ))
            })
        })
        .transpose()?;
    let filter = RecordFilter {
        status,
        key: args.key.clone(),
    };
    let runtime = session::runtime()?;
    let records = runtime.block_on(async {
        let store = session::open_store(&config).await?;
        let records = store
            .records(&scheme.name, &filter, args.after.as_deref(), args.limit)
            .await
            .map_err(|error| anyhow!(error));
        store.close().await;
        Ok::<_, Exit>(records?)
    })?;
    if global.json {
        let list: Vec<Value> = records
            .iter()
            .map(|record| record_json(record, true))
            .collect();
        output::line(serde_json::to_string_pretty(&list).unwrap_or_default());
        return Ok(());
    }
    for record in &records {
        output::line(format!(
            "{:<9} {}  attempts {}  fetched {}{}",
            record.status.as_str(),
            record.key,
            record.attempts,
            record.fetched_at.strftime("%Y-%m-%d %H:%M:%S"),
            record
                .last_error
                .as_deref()
                .map(|e| format!("\n          {e}"))
                .unwrap_or_default()
        ));
    }
    if records.len() == args.limit as usize
        && let Some(last) = records.last()
    {
        output::line(format!("… more: add --after '{}'", last.key));
    }
    Ok(())
}

async fn scheme_status(store: &dyn Store, scheme: &str) -> Result<Value, Exit> {
    let failed = |error: ferry_store::StoreError| Exit::Failed(anyhow!(error));
    let checkpoint = store.checkpoint(scheme).await.map_err(failed)?;
    let counts = store.counts(scheme).await.map_err(failed)?;
    let runs = store.runs(scheme, RUNS_SHOWN).await.map_err(failed)?;
    let failures = store
        .records(
            scheme,
            &RecordFilter {
                status: Some(RecordStatus::Failed),
                key: None,
            },
            None,
            FAILURES_SHOWN,
        )
        .await
        .map_err(failed)?;
    Ok(json!({
        "scheme": scheme,
        "checkpoint": checkpoint.map(|checkpoint| checkpoint.position),
        "counts": {
            "written": counts.written, "pending": counts.pending,
            "failed": counts.failed, "skipped": counts.skipped,
        },
        "runs": runs.iter().map(run_json).collect::<Vec<_>>(),
        "failures": failures.iter().map(|record| record_json(record, false)).collect::<Vec<_>>(),
    }))
}

fn run_json(run: &RunRecord) -> Value {
    json!({
        "id": run.id.0,
        "kind": run.kind.as_str(),
        "status": run.status.as_str(),
        "started_at": run.started_at.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        "finished_at": run.finished_at.map(|at| at.strftime("%Y-%m-%d %H:%M:%S").to_string()),
        "fetched": run.counts.fetched,
        "written": run.counts.written,
        "skipped": run.counts.skipped,
        "failed": run.counts.failed,
        "error": run.error,
    })
}

fn record_json(record: &LedgerRecord, payload: bool) -> Value {
    let mut value = json!({
        "key": record.key,
        "status": record.status.as_str(),
        "attempts": record.attempts,
        "error": record.last_error,
        "fetched_at": record.fetched_at.to_string(),
        "hash": record.hash.to_string(),
    });
    if payload {
        value["payload"] = record.payload.clone();
    }
    value
}

/// The named scheme files, or every scheme in the config's schemes directory.
fn scheme_files(global: &GlobalArgs, named: &[PathBuf]) -> Result<Vec<PathBuf>, Exit> {
    if !named.is_empty() {
        return named
            .iter()
            .map(|arg| session::resolve_scheme(arg, global.config.as_deref()))
            .collect();
    }
    let Some(config_path) = load::find_config(global.config.as_deref(), &[]) else {
        return Err(Exit::BadInput(
            "error: no ferry.toml found\n  hint: pass --config PATH or name a scheme file"
                .to_owned(),
        ));
    };
    let config =
        load::load_config(&config_path).map_err(|messages| Exit::BadInput(messages.join("\n")))?;
    Ok(load::schemes_in(&config.schemes_dir))
}
