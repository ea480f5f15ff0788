//! The JSON bodies of the API (`/work/notes/api.md` is the contract; field names are exact) and
//! their conversions from the store's and the scheduler's types.
//!
//! Contract: times are unix seconds (integers); nothing here carries a connection's settings
//! (a scheme view names its connections and platforms only); kinds and statuses are the
//! store's lowercase texts.

use ferry_engine::schedule::{SchemeState, Triggered};
use ferry_model::{Config, Issue, Scheme, Severity};
use ferry_store::{LedgerRecord, RunCounts, RunRecord, StatusCounts, TimeRange, WindowRecord};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

/// `{"error": "..."}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
}

/// `GET /api/health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub ok: bool,
}

/// One side of a scheme.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointView {
    /// Connection name in ferry.toml.
    pub connection: String,
    /// The connection's platform (null when the connection is not in ferry.toml).
    pub platform: Option<String>,
    /// API name.
    pub api: String,
}

/// Ledger records by status.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerCounts {
    pub pending: u64,
    pub written: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl From<StatusCounts> for LedgerCounts {
    fn from(counts: StatusCounts) -> Self {
        Self {
            pending: counts.pending,
            written: counts.written,
            failed: counts.failed,
            skipped: counts.skipped,
        }
    }
}

/// A scheme with its schedule, state, ledger counts and last run.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchemeView {
    pub name: String,
    pub source: EndpointView,
    pub target: EndpointView,
    /// Cron expression, if scheduled.
    pub schedule: Option<String>,
    /// `omissionRemedy` cron expression, if any.
    pub remedy: Option<String>,
    pub paused: bool,
    /// Kind of the run in progress (`manual`, `scheduled`, `remedy`, `retry`), or null.
    pub running: Option<String>,
    /// Unix seconds of the next scheduled run.
    pub next_run: Option<i64>,
    /// Unix seconds of the next remedy run.
    pub next_remedy: Option<i64>,
    pub overlaps_skipped: u64,
    /// Unix seconds: every record modified before it is in the ledger.
    pub checkpoint: Option<i64>,
    /// Now minus the checkpoint, seconds.
    pub checkpoint_lag_secs: Option<i64>,
    pub counts: LedgerCounts,
    pub last_run: Option<RunSummary>,
    /// Records written per second by the last finished run.
    pub throughput: Option<f64>,
}

/// What a scheme view is built from.
pub struct SchemeParts<'a> {
    pub scheme: &'a Scheme,
    pub config: &'a Config,
    pub state: Option<SchemeState>,
    pub counts: StatusCounts,
    pub checkpoint: Option<i64>,
    /// The scheme's latest runs, newest first.
    pub runs: Vec<RunRecord>,
    pub now: i64,
}

impl SchemeView {
    pub fn build(parts: SchemeParts<'_>) -> Self {
        let SchemeParts {
            scheme,
            config,
            state,
            counts,
            checkpoint,
            runs,
            now,
        } = parts;
        let endpoint = |adapter: &ferry_model::scheme::Adapter| EndpointView {
            connection: adapter.connection.value.clone(),
            platform: config
                .connections
                .get(&adapter.connection.value)
                .map(|connection| connection.platform.name.to_owned()),
            api: adapter.api.value.clone(),
        };
        let throughput = runs
            .iter()
            .find(|run| run.finished_at.is_some())
            .and_then(|run| {
                let duration = duration_secs(run)?;
                (duration > 0.0).then(|| run.counts.written as f64 / duration)
            });
        let state = state.unwrap_or_else(|| SchemeState {
            name: scheme.name.clone(),
            schedule: scheme.schedule.as_ref().map(|cron| cron.value.clone()),
            remedy: scheme
                .source
                .omission_remedy
                .as_ref()
                .map(|remedy| remedy.crontab.value.clone()),
            paused: false,
            running: None,
            next_run: None,
            next_remedy: None,
            overlaps_skipped: 0,
        });
        Self {
            name: scheme.name.clone(),
            source: endpoint(&scheme.source.adapter),
            target: endpoint(&scheme.target.adapter),
            schedule: state.schedule,
            remedy: state.remedy,
            paused: state.paused,
            running: state.running.map(|kind| kind.as_str().to_owned()),
            next_run: state.next_run,
            next_remedy: state.next_remedy,
            overlaps_skipped: state.overlaps_skipped,
            checkpoint,
            checkpoint_lag_secs: checkpoint.map(|position| now - position),
            counts: counts.into(),
            last_run: runs.first().map(RunSummary::from),
            throughput,
        }
    }
}

/// `[from, to)` in unix seconds.
#[derive(Debug, Serialize, ToSchema)]
pub struct RangeView {
    pub from: i64,
    pub to: i64,
}

impl From<TimeRange> for RangeView {
    fn from(range: TimeRange) -> Self {
        Self {
            from: range.from,
            to: range.to,
        }
    }
}

/// Record counts of a run.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunCountsView {
    pub fetched: u64,
    pub pending: u64,
    pub skipped: u64,
    pub written: u64,
    pub failed: u64,
}

impl From<RunCounts> for RunCountsView {
    fn from(counts: RunCounts) -> Self {
        Self {
            fetched: counts.fetched,
            pending: counts.pending,
            skipped: counts.skipped,
            written: counts.written,
            failed: counts.failed,
        }
    }
}

/// One run.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunSummary {
    pub id: i64,
    pub scheme: String,
    /// `manual`, `scheduled`, `remedy` or `retry`.
    pub kind: String,
    /// `running`, `succeeded`, `failed`, `cancelled` or `abandoned`.
    pub status: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub range: Option<RangeView>,
    pub counts: RunCountsView,
    pub error: Option<String>,
    /// Seconds from start to finish (millisecond precision).
    pub duration_secs: Option<f64>,
}

fn duration_secs(run: &RunRecord) -> Option<f64> {
    let finished = run.finished_at?;
    let millis = finished.as_millisecond() - run.started_at.as_millisecond();
    Some(millis.max(0) as f64 / 1000.0)
}

impl From<&RunRecord> for RunSummary {
    fn from(run: &RunRecord) -> Self {
        Self {
            id: run.id.0,
            scheme: run.scheme.clone(),
            kind: run.kind.as_str().to_owned(),
            status: run.status.as_str().to_owned(),
            started_at: run.started_at.as_second(),
            finished_at: run.finished_at.map(Timestamp::as_second),
            range: run.range.map(RangeView::from),
            counts: run.counts.into(),
            error: run.error.clone(),
            duration_secs: duration_secs(run),
        }
    }
}

/// One window of a run.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowView {
    pub from: i64,
    pub to: i64,
    pub pages: u32,
    pub fetched: u64,
    pub pending: u64,
    pub skipped: u64,
    /// The total the platform reported, where it reports one.
    pub reported_total: Option<u64>,
    /// `complete`, `incomplete` or `failed`.
    pub status: String,
    pub error: Option<String>,
}

impl From<&WindowRecord> for WindowView {
    fn from(window: &WindowRecord) -> Self {
        let stats = &window.stats;
        Self {
            from: stats.range.from,
            to: stats.range.to,
            pages: stats.pages,
            fetched: stats.counts.fetched,
            pending: stats.counts.pending,
            skipped: stats.counts.skipped,
            reported_total: stats.reported_total,
            status: stats.status.as_str().to_owned(),
            error: stats.error.clone(),
        }
    }
}

/// A run with its windows.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunDetail {
    #[serde(flatten)]
    pub run: RunSummary,
    pub windows: Vec<WindowView>,
}

/// One ledger record.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordView {
    pub key: String,
    /// `pending`, `written`, `failed` or `skipped`.
    pub status: String,
    /// Failed write attempts of the current version.
    pub attempts: u32,
    /// Last error, or the reason of a skip.
    pub error: Option<String>,
    pub updated_at: i64,
    /// The latest fetched version of the record.
    #[schema(value_type = Option<Object>)]
    pub payload: Option<serde_json::Value>,
}

impl From<LedgerRecord> for RecordView {
    fn from(record: LedgerRecord) -> Self {
        Self {
            key: record.key,
            status: record.status.as_str().to_owned(),
            attempts: record.attempts,
            error: record.last_error,
            updated_at: record.updated_at.as_second(),
            payload: Some(record.payload),
        }
    }
}

/// What a run or retry request did.
#[derive(Debug, Serialize, ToSchema)]
pub struct TriggerView {
    /// `started` or `already_running`.
    pub triggered: String,
}

impl From<Triggered> for TriggerView {
    fn from(triggered: Triggered) -> Self {
        let triggered = match triggered {
            Triggered::Started => "started",
            Triggered::AlreadyRunning => "already_running",
        };
        Self {
            triggered: triggered.to_owned(),
        }
    }
}

/// One problem found in a scheme.
#[derive(Debug, Serialize, ToSchema)]
pub struct Diagnostic {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// `error` or `warning`.
    pub severity: String,
    /// Where in the document, e.g. `source.request[2].value`.
    pub path: String,
}

impl From<Issue> for Diagnostic {
    fn from(issue: Issue) -> Self {
        Self {
            line: issue.line,
            column: issue.col,
            message: issue.message,
            hint: issue.hint,
            severity: match issue.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            }
            .to_owned(),
            path: issue.path,
        }
    }
}

/// `POST /api/validate`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Validation {
    /// No errors (warnings allowed).
    pub valid: bool,
    /// Every error and warning, in file order.
    pub errors: Vec<Diagnostic>,
}
