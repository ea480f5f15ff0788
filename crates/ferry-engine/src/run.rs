//! One run of one scheme: plan, drain, fetch window by window, write, checkpoint, history.
//!
//! Contract (DESIGN.md "How a run works"):
//! 1. The range is `[checkpoint - overlap, now - lag)` (first run: from `sync.start`; or
//!    exactly `--from`/`--to`), cut into windows no wider than `sync.max_span`.
//! 2. The run takes the scheme's lease (`start_run`) and heartbeats it; losing it cancels.
//! 3. Records left pending by an earlier run (crash, target down) are written first.
//! 4. Windows are fetched in order ([`crate::fetch`]); each record is in the ledger before it
//!    is written. The checkpoint moves to a window's end as soon as the window is complete,
//!    so a crash never skips records and at worst re-fetches one window. It never moves
//!    backwards, and a run whose range starts after the checkpoint does not move it (that
//!    would leave a gap).
//! 5. A window that fails or stays incomplete stops fetching; what was fetched is still written.
//! 6. After the writer is done, records still pending (a newer version arrived while an older
//!    one was being written) are written again, up to `FINAL_DRAINS` times.
//! 7. The run ends `succeeded`, `failed` (with the first error) or `cancelled` in the history.
//!
//! Tracing: everything a run logs is inside a `run` span (`scheme`, `run_id`, `kind`), each
//! window's work inside a `window` span (`from`, `to`); info events mark the run's start and
//! end and each completed window. No settings or payloads are logged (secrets stay out).

use std::time::Duration;

use ferry_expr::RunVars;
use ferry_store::{
    RunCounts, RunEnd, RunId, RunKind, StoreError, TimeRange, WindowStats, WindowStatus,
};
use serde::Serialize;
use tracing::Instrument as _;

use crate::context::RunContext;
use crate::fetch::{FetchError, fetch_window, window_vars};
use crate::stats::StatsSnapshot;
use crate::windows::{RangeStart, Window, run_range, split};
use crate::write::Writer;

/// Passes over records still pending once the writer is done.
const FINAL_DRAINS: u32 = 3;
/// Records read from the ledger per `pending` call.
const DRAIN_PAGE: u32 = 1000;
/// Batch size when the target names no `limit`.
pub const DEFAULT_BATCH: usize = 1000;

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// Fetch the range and write (a normal run).
    Sync,
    /// Only write records already pending in the ledger (`ferry retry`).
    DrainOnly,
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub mode: RunMode,
    pub kind: RunKind,
    /// `--from`, unix seconds.
    pub from: Option<i64>,
    /// `--to`, unix seconds.
    pub to: Option<i64>,
    /// The run's "now", unix seconds.
    pub now: i64,
    /// How often the lease is renewed.
    pub heartbeat: Duration,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "error")]
pub enum RunOutcome {
    Succeeded,
    Failed(String),
    Cancelled,
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub run_id: i64,
    pub range: Window,
    #[serde(skip)]
    pub windows: Vec<WindowStats>,
    pub windows_planned: u64,
    pub checkpoint_before: Option<i64>,
    pub checkpoint_after: Option<i64>,
    pub stats: StatsSnapshot,
    pub outcome: RunOutcome,
}

/// Runs `context`'s scheme once. `Err` only when the run could not start (store unreachable,
/// another run holds the lease); everything after that is in the report.
pub async fn run(context: &RunContext, options: &RunOptions) -> Result<RunReport, StoreError> {
    let span = tracing::info_span!(
        "run",
        scheme = %context.scheme.name,
        run_id = tracing::field::Empty,
        kind = options.kind.as_str(),
    );
    run_in_span(context, options).instrument(span).await
}

async fn run_in_span(context: &RunContext, options: &RunOptions) -> Result<RunReport, StoreError> {
    let scheme = &context.scheme;
    let checkpoint = context
        .store
        .checkpoint(&scheme.name)
        .await?
        .map(|c| c.position);
    let range = plan_range(context, options, checkpoint);
    let windows: Vec<Window> = match options.mode {
        RunMode::Sync => split(range, scheme.sync.max_span_secs).collect(),
        RunMode::DrainOnly => Vec::new(),
    };
    context.stats.windows_planned.add(windows.len() as u64);
    let run_id = context
        .store
        .start_run(
            &scheme.name,
            options.kind,
            Some(TimeRange {
                from: range.from,
                to: range.to,
            }),
        )
        .await?;
    tracing::Span::current().record("run_id", run_id.0);
    tracing::info!(
        from = range.from,
        to = range.to,
        windows = windows.len(),
        "run started"
    );
    let heartbeat = spawn_heartbeat(context, run_id, options.heartbeat);
    let vars = window_vars(context, range, options.now);
    let mut report = RunReport {
        run_id: run_id.0,
        range,
        windows: Vec::new(),
        windows_planned: windows.len() as u64,
        checkpoint_before: checkpoint,
        checkpoint_after: checkpoint,
        stats: StatsSnapshot::default(),
        outcome: RunOutcome::Succeeded,
    };
    let result = fetch_and_write(context, options, &vars, &windows, run_id, &mut report).await;
    heartbeat.abort();
    report.outcome = match result {
        Ok(()) if context.cancel.is_cancelled() => RunOutcome::Cancelled,
        Ok(()) => RunOutcome::Succeeded,
        Err(FetchError::Cancelled) => RunOutcome::Cancelled,
        Err(FetchError::Failed(error)) => RunOutcome::Failed(error),
    };
    report.stats = context.stats.snapshot();
    let (end, error) = match &report.outcome {
        RunOutcome::Succeeded => (RunEnd::Succeeded, None),
        RunOutcome::Failed(error) => (RunEnd::Failed, Some(error.as_str())),
        RunOutcome::Cancelled => (RunEnd::Cancelled, None),
    };
    let counts = RunCounts {
        fetched: report.stats.fetched,
        pending: report.stats.pending,
        skipped: report.stats.skipped,
        written: report.stats.written,
        failed: report.stats.failed,
    };
    context
        .store
        .finish_run(run_id, end, &counts, error)
        .await?;
    tracing::info!(
        status = end.status().as_str(),
        fetched = counts.fetched,
        written = counts.written,
        skipped = counts.skipped,
        failed = counts.failed,
        error,
        "run finished"
    );
    Ok(report)
}

fn plan_range(context: &RunContext, options: &RunOptions, checkpoint: Option<i64>) -> Window {
    let sync = &context.scheme.sync;
    let start = match (options.from, checkpoint) {
        (Some(from), _) => RangeStart::Explicit(from),
        (None, Some(checkpoint)) => RangeStart::Checkpoint(checkpoint),
        (None, None) => RangeStart::First(sync.start.unwrap_or(options.now - 86_400)),
    };
    run_range(
        start,
        options.to,
        options.now,
        sync.lag_secs,
        sync.overlap_secs,
    )
}

async fn fetch_and_write(
    context: &RunContext,
    options: &RunOptions,
    run_vars: &RunVars,
    windows: &[Window],
    run_id: RunId,
    report: &mut RunReport,
) -> Result<(), FetchError> {
    let batch_size = batch_size(context);
    let page_size = page_size(context);
    let writer = Writer::start(context, run_vars.clone(), batch_size);
    let mut result = drain_pending(context, &writer).await;
    if result.is_ok() {
        for window in windows {
            let span = tracing::info_span!("window", from = window.from, to = window.to);
            let fetched = fetch_window(context, &writer, options.now, *window, page_size)
                .instrument(span.clone())
                .await;
            let stats = match fetched {
                Ok(stats) => stats,
                Err(error) => {
                    result = Err(error);
                    break;
                }
            };
            let complete = stats.status == WindowStatus::Complete;
            let error = stats.error.clone();
            let (stats_pages, stats_fetched) = (stats.pages, stats.counts.fetched);
            record_window(context, run_id, &stats).await?;
            report.windows.push(stats);
            if !complete {
                let error = error.unwrap_or_else(|| "window incomplete".to_owned());
                result = Err(FetchError::Failed(format!(
                    "window {}: {error}",
                    window_text(context, *window)
                )));
                break;
            }
            report.checkpoint_after = advance(context, report.checkpoint_after, *window).await?;
            context.stats.windows_done.add(1);
            span.in_scope(|| {
                tracing::info!(
                    pages = stats_pages,
                    fetched = stats_fetched,
                    "window complete"
                );
            });
        }
    }
    let written = writer.finish().await.map_err(FetchError::Failed);
    result?;
    written?;
    for _ in 0..FINAL_DRAINS {
        if context
            .store
            .counts(&context.scheme.name)
            .await
            .map_err(ledger)?
            .pending
            == 0
        {
            break;
        }
        let writer = Writer::start(context, run_vars.clone(), batch_size);
        let drained = drain_pending(context, &writer).await;
        writer.finish().await.map_err(FetchError::Failed)?;
        drained?;
    }
    Ok(())
}

async fn drain_pending(context: &RunContext, writer: &Writer) -> Result<(), FetchError> {
    let mut after: Option<String> = None;
    loop {
        let records = context
            .store
            .pending(&context.scheme.name, after.as_deref(), DRAIN_PAGE)
            .await
            .map_err(ledger)?;
        let Some(last) = records.last() else {
            return Ok(());
        };
        after = Some(last.key.clone());
        let full_page = records.len() == DRAIN_PAGE as usize;
        for record in records {
            context.stats.pending.add(1);
            writer.send(record.key, record.hash, record.payload).await?;
        }
        if !full_page {
            return Ok(());
        }
    }
}

/// Moves the checkpoint to the window's end where the contract allows; returns it.
async fn advance(
    context: &RunContext,
    checkpoint: Option<i64>,
    window: Window,
) -> Result<Option<i64>, FetchError> {
    let contiguous = checkpoint.is_none_or(|position| window.from <= position);
    let forward = checkpoint.is_none_or(|position| window.to > position);
    if !(contiguous && forward) {
        return Ok(checkpoint);
    }
    context
        .store
        .advance_checkpoint(&context.scheme.name, checkpoint, window.to)
        .await
        .map_err(ledger)?;
    Ok(Some(window.to))
}

async fn record_window(
    context: &RunContext,
    run_id: RunId,
    stats: &WindowStats,
) -> Result<(), FetchError> {
    context
        .store
        .record_window(run_id, stats)
        .await
        .map(drop)
        .map_err(ledger)
}

fn spawn_heartbeat(
    context: &RunContext,
    run_id: RunId,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    let store = context.store.clone();
    let cancel = context.cancel.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if let Err(error) = store.heartbeat(run_id).await {
                tracing::error!(%error, "lost the run's lease; stopping");
                cancel.cancel();
                return;
            }
        }
    })
}

fn batch_size(context: &RunContext) -> usize {
    context
        .scheme
        .target
        .adapter
        .other("limit")
        .and_then(|field| match &field.raw_value {
            serde_json::Value::String(text) => text.trim().parse().ok(),
            serde_json::Value::Number(number) => number.as_u64().map(|n| n as usize),
            _ => None,
        })
        .filter(|size| *size > 0)
        .unwrap_or(DEFAULT_BATCH)
}

/// `sync.page_size`, else the constant the scheme sends as the page size, else the
/// platform's largest; never above the platform's largest.
fn page_size(context: &RunContext) -> u32 {
    let shape = context.source.shape();
    let from_request = context
        .scheme
        .source
        .adapter
        .request_field(shape.size_param)
        .and_then(|field| match &field.raw_value {
            serde_json::Value::String(text) => text.trim().parse().ok(),
            serde_json::Value::Number(number) => number.as_u64().map(|n| n as u32),
            _ => None,
        });
    context
        .scheme
        .sync
        .page_size
        .or(from_request)
        .unwrap_or(shape.max_page_size)
        .clamp(1, shape.max_page_size.max(1))
}

fn window_text(context: &RunContext, window: Window) -> String {
    let timezone = &context.scheme.sync.timezone;
    format!(
        "[{}, {})",
        ferry_model::units::format_time(window.from, timezone),
        ferry_model::units::format_time(window.to, timezone)
    )
}

fn ledger(error: StoreError) -> FetchError {
    FetchError::Failed(format!("ledger: {error}"))
}
