//! The fetch side of a run: one window, page by page, into the ledger and on to the writer.
//!
//! Contract:
//! - Pages are requested in the platform's order from its first page; the scheme's `request`
//!   is rendered for the window and page (`LAST_SYNC_TIME`, `CURRENT_TIME`, `PAGINATION_*`).
//! - The window ends at a page that says there is no next page (`has_next: false`), or, when
//!   the platform does not say, at a short or empty page, or once the reported total is
//!   reached. At most `MAX_PAGES` pages are followed.
//! - Each page is flattened, filtered and keyed, stored in the ledger (durable) and only then
//!   are the records that need a write handed to the writer. While a page is stored, the next
//!   one (if the platform says there is one) is already being requested and prepared, so at
//!   most two pages are held.
//! - Completeness: where the platform reports a total, the distinct source records of one pass
//!   (by the platform's record id, else the scheme's source `id`) must reach the largest total
//!   reported during that pass; otherwise records moved between pages while we paged, and the
//!   range is fetched again. After `PASSES_BEFORE_SPLIT` short passes the range is fetched as
//!   two halves (fewer pages each, so fewer moves while paging), recursively down to
//!   `MIN_SPLIT_SECS`. A range still short then leaves the window `incomplete`: the run fails
//!   and the checkpoint stays.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

use ferry_expr::{RecordScope, RunVars};
use ferry_platforms::{Page, PageRequest};
use ferry_store::{
    FetchedRecord, Outcome, RecordOutcome, RunCounts, TimeRange, WindowStats, WindowStatus,
};
use serde_json::Value;

use crate::context::RunContext;
use crate::record::Prepared;
use crate::request::render_fields;
use crate::retry;
use crate::windows::Window;
use crate::write::Writer;

/// Most pages followed in one window pass.
pub const MAX_PAGES: u32 = 100_000;
/// Short passes over a range before it is fetched as two halves instead.
pub const PASSES_BEFORE_SPLIT: u32 = 2;
/// Ranges shorter than twice this are not halved further (they end `incomplete`).
pub const MIN_SPLIT_SECS: i64 = 60;

/// How fetching a window went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// A call failed for good, the ledger failed, or the writer stopped.
    #[error("{0}")]
    Failed(String),
    /// The run was cancelled.
    #[error("cancelled")]
    Cancelled,
}

/// Fetches `window` completely; returns its statistics (also when it ends incomplete).
/// `now` is the run's "now" for the request templates.
pub async fn fetch_window(
    context: &RunContext,
    writer: &Writer,
    now: i64,
    window: Window,
    page_size: u32,
) -> Result<WindowStats, FetchError> {
    let mut stats = WindowStats {
        range: TimeRange {
            from: window.from,
            to: window.to,
        },
        pages: 0,
        counts: RunCounts::default(),
        reported_total: None,
        status: WindowStatus::Complete,
        error: None,
    };
    let range = Range {
        window,
        now,
        page_size,
        depth: 0,
    };
    match fetch_range(context, writer, range, &mut stats).await? {
        Ok(()) => {}
        Err(message) => {
            tracing::warn!(window.from, window.to, %message, "window incomplete");
            stats.status = WindowStatus::Incomplete;
            stats.error = Some(message);
        }
    }
    Ok(stats)
}

/// The run variables templates see while fetching `window`.
pub fn window_vars(context: &RunContext, window: Window, now: i64) -> RunVars {
    RunVars::new(window.from, window.to, now).with_timezone(context.scheme.sync.timezone.clone())
}

/// `fetch_range`'s boxed (recursive) future: `Ok(Err(reason))` when the range stayed short.
type RangeFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Result<(), String>, FetchError>> + Send + 'a>>;

/// A (part of a) window being fetched.
#[derive(Debug, Clone, Copy)]
struct Range {
    window: Window,
    now: i64,
    page_size: u32,
    /// How many times the window was halved to get here.
    depth: u32,
}

/// Fetches `range` until a pass is complete; after `PASSES_BEFORE_SPLIT` short passes it
/// fetches the two halves instead (fewer pages, less room for records to move), down to
/// `MIN_SPLIT_SECS`. The inner `Err` says why the range stayed incomplete.
fn fetch_range<'a>(
    context: &'a RunContext,
    writer: &'a Writer,
    range: Range,
    stats: &'a mut WindowStats,
) -> RangeFuture<'a> {
    Box::pin(async move {
        let vars = window_vars(context, range.window, range.now);
        let mut last = String::new();
        for pass in 1..=PASSES_BEFORE_SPLIT {
            let (distinct, total) =
                fetch_pass(context, writer, &vars, range.page_size, stats).await?;
            if range.depth == 0 {
                stats.reported_total = total;
            }
            match total {
                Some(total) if distinct < total => {
                    last = format!(
                        "the platform reported {total} records but {distinct} distinct ones \
                         were fetched (pass {pass}); records moved while paging"
                    );
                    tracing::debug!(range.window.from, range.window.to, %last, "pass short");
                }
                _ => return Ok(Ok(())),
            }
        }
        let span = range.window.span();
        if span < 2 * MIN_SPLIT_SECS {
            return Ok(Err(last));
        }
        let middle = range.window.from + span / 2;
        for half in [
            Window {
                from: range.window.from,
                to: middle,
            },
            Window {
                from: middle,
                to: range.window.to,
            },
        ] {
            let half = Range {
                window: half,
                depth: range.depth + 1,
                ..range
            };
            if let Err(message) = fetch_range(context, writer, half, stats).await? {
                return Ok(Err(message));
            }
        }
        Ok(Ok(()))
    })
}

/// One pass over the window's pages; returns the distinct source records seen and the largest
/// total the platform reported.
async fn fetch_pass(
    context: &RunContext,
    writer: &Writer,
    vars: &RunVars,
    page_size: u32,
    stats: &mut WindowStats,
) -> Result<(u64, Option<u64>), FetchError> {
    let shape = context.source.shape();
    let mut seen = HashSet::new();
    let mut total: Option<u64> = None;
    let first = shape.first_page;
    let last = first.saturating_add(MAX_PAGES);
    let mut page = fetch_prepared(context, vars, first, page_size).await?;
    let mut page_number = first;
    loop {
        stats.pages += 1;
        context.stats.pages.add(1);
        total = total.max(page.total);
        seen.extend(page.identities.iter().copied());
        let received = page.received;
        let more = match page.has_next {
            Some(has_next) => has_next && received > 0,
            None => {
                received >= page_size as usize
                    && total.is_none_or(|total| (seen.len() as u64) < total)
            }
        };
        if !more {
            store_page(context, writer, page.records, &mut stats.counts).await?;
            return Ok((seen.len() as u64, total));
        }
        page_number += 1;
        if page_number >= last {
            store_page(context, writer, page.records, &mut stats.counts).await?;
            return Err(FetchError::Failed(format!(
                "gave up after {MAX_PAGES} pages in one window; narrow `sync.max_span`"
            )));
        }
        // The next page is requested and prepared while this one is stored and queued: the
        // platform's round trip and the flattening overlap the ledger write. A failed store
        // still wins over the next page's outcome.
        let (stored, next) = tokio::join!(
            store_page(context, writer, page.records, &mut stats.counts),
            fetch_prepared(context, vars, page_number, page_size)
        );
        stored?;
        page = next?;
    }
}

/// A page fetched and prepared: what paging needs from it, and its records ready for the
/// ledger.
struct PreparedPage {
    total: Option<u64>,
    has_next: Option<bool>,
    /// How many records the page held.
    received: usize,
    /// The source identity of each of them that is an object (`Keying::source_identity`).
    identities: Vec<u64>,
    records: PreparedRecords,
}

/// A page's flattened, filtered and keyed records.
struct PreparedRecords {
    /// Every record to store, rejected ones included.
    fetched: Vec<FetchedRecord>,
    /// The failure of each rejected record (stored, never written).
    rejected: Vec<RecordOutcome>,
}

/// Fetches page `page_number` and prepares its records.
async fn fetch_prepared(
    context: &RunContext,
    vars: &RunVars,
    page_number: u32,
    page_size: u32,
) -> Result<PreparedPage, FetchError> {
    let page = fetch_numbered(context, vars, page_number, page_size).await?;
    let identities = page
        .records
        .iter()
        .filter_map(|record| match record {
            Value::Object(record) => Some(context.keying.source_identity(record)),
            _ => None,
        })
        .collect();
    Ok(PreparedPage {
        total: page.total,
        has_next: page.has_next,
        received: page.records.len(),
        identities,
        records: prepare_records(context, vars, page.records),
    })
}

/// Renders the request for `page_number` and fetches that page.
async fn fetch_numbered(
    context: &RunContext,
    vars: &RunVars,
    page_number: u32,
    page_size: u32,
) -> Result<Page, FetchError> {
    if context.cancel.is_cancelled() {
        return Err(FetchError::Cancelled);
    }
    let shape = context.source.shape();
    let page_vars = vars
        .clone()
        .with_pagination(i64::from(shape.first_page), i64::from(page_size))
        .with_page(i64::from(page_number));
    fetch_page(context, &page_vars, page_number, page_size).await
}

async fn fetch_page(
    context: &RunContext,
    vars: &RunVars,
    page: u32,
    page_size: u32,
) -> Result<Page, FetchError> {
    let source = &context.scheme.source.adapter;
    let params = render_fields(&source.request, &RecordScope::without_record(vars))
        .map_err(|error| FetchError::Failed(format!("source request: {error}")))?;
    let calls = &context.source_calls;
    retry::call(&calls.limiter, calls.policy, &context.stats, || {
        context.source.fetch_page(PageRequest {
            params: &params,
            page,
            page_size,
        })
    })
    .await
    .map_err(|error| {
        FetchError::Failed(format!(
            "source `{}` ({}), page {page}: {error}",
            calls.connection, source.api.value
        ))
    })
}

/// Flattens, filters and keys a page's source records.
fn prepare_records(context: &RunContext, vars: &RunVars, records: Vec<Value>) -> PreparedRecords {
    let scheme = &context.scheme;
    context.stats.source_records.add(records.len() as u64);
    let mut prepared = Vec::with_capacity(records.len());
    for record in &records {
        let filtered = match record {
            Value::Object(record) => context.keying.prepare(scheme, record, vars, &mut prepared),
            _ => 1,
        };
        context.stats.filtered.add(filtered);
    }
    drop(records);
    let mut fetched = Vec::with_capacity(prepared.len());
    let mut rejected = Vec::new();
    for item in prepared {
        match item {
            Prepared::Keyed(record) => fetched.push(record),
            Prepared::Rejected { record, error } => {
                rejected.push(RecordOutcome {
                    key: record.key.clone(),
                    hash: record.hash,
                    outcome: Outcome::Failed { error },
                });
                fetched.push(record);
            }
        }
    }
    PreparedRecords { fetched, rejected }
}

/// Stores a page's prepared records in the ledger and queues those needing a write.
async fn store_page(
    context: &RunContext,
    writer: &Writer,
    records: PreparedRecords,
    counts: &mut RunCounts,
) -> Result<(), FetchError> {
    let scheme = &context.scheme;
    let PreparedRecords { fetched, rejected } = records;
    if fetched.is_empty() {
        return Ok(());
    }
    let ledger_error =
        |error: ferry_store::StoreError| FetchError::Failed(format!("ledger: {error}"));
    let dispositions = context
        .store
        .record_fetched(&scheme.name, &fetched, scheme.source.adapter.id_check)
        .await
        .map_err(ledger_error)?;
    if !rejected.is_empty() {
        context
            .store
            .record_outcomes(&scheme.name, &rejected)
            .await
            .map_err(ledger_error)?;
        context.stats.failed.add(rejected.len() as u64);
    }
    counts.fetched += fetched.len() as u64;
    context.stats.fetched.add(fetched.len() as u64);
    let rejected_keys: HashSet<String> = rejected.into_iter().map(|outcome| outcome.key).collect();
    for (record, disposition) in fetched.into_iter().zip(dispositions) {
        if !disposition.needs_write() {
            if disposition == ferry_store::Disposition::Skipped {
                counts.skipped += 1;
                context.stats.skipped.add(1);
            }
            continue;
        }
        if rejected_keys.contains(&record.key) {
            continue;
        }
        counts.pending += 1;
        context.stats.pending.add(1);
        writer.send(record.key, record.hash, record.payload).await?;
    }
    Ok(())
}
