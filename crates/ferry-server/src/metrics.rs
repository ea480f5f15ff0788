//! Prometheus metrics for `GET /metrics` (OpenMetrics text, which Prometheus scrapes as is).
//!
//! Contract:
//! - Counters come from the scheduler's [`RunEvent`]s ([`Metrics::watch`]): records
//!   fetched/written/skipped/failed, pages, rate-limit replies and retries from each finished
//!   run's report; runs by outcome (`succeeded`, `failed`, `cancelled`, `not_started`); run
//!   durations (histogram, seconds, from the `Started` event to the `Finished` one).
//! - Gauges are computed at scrape time ([`Metrics::render`]): ledger records by status per
//!   scheme straight from [`ferry_store::Store::counts`] (so they equal the ledger exactly),
//!   checkpoint lag per scheme (now minus checkpoint, seconds; absent before the first
//!   checkpoint), and ticks skipped because of overlapping runs (from [`Control::schemes`]).
//! - Labels are bounded: `scheme`, `kind` and `status` only; no record keys, no errors.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use ferry_engine::run::RunOutcome;
use ferry_engine::schedule::{Control, RunEvent};
use ferry_store::{RecordStatus, Store, StoreError};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tokio::sync::broadcast;

/// The `Content-Type` of [`Metrics::render`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SchemeLabels {
    scheme: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    scheme: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    scheme: String,
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RunLabels {
    scheme: String,
    kind: String,
    status: String,
}

type DurationFamily = Family<KindLabels, Histogram, fn() -> Histogram>;

fn duration_histogram() -> Histogram {
    // 0.5 s … about 2.3 hours.
    Histogram::new(exponential_buckets(0.5, 2.0, 15))
}

/// The registry and its metric families; cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    records: Family<StatusLabels, Counter>,
    pages: Family<SchemeLabels, Counter>,
    rate_limited: Family<SchemeLabels, Counter>,
    retries: Family<SchemeLabels, Counter>,
    runs: Family<RunLabels, Counter>,
    run_duration: DurationFamily,
    overlaps_skipped: Family<SchemeLabels, Gauge>,
    checkpoint_lag: Family<SchemeLabels, Gauge>,
    ledger_records: Family<StatusLabels, Gauge>,
    /// When the run in progress of each scheme started (one run per scheme at a time).
    started: Mutex<HashMap<String, Instant>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry with every family registered and no samples yet.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("ferry");
        let records = Family::<StatusLabels, Counter>::default();
        let pages = Family::<SchemeLabels, Counter>::default();
        let rate_limited = Family::<SchemeLabels, Counter>::default();
        let retries = Family::<SchemeLabels, Counter>::default();
        let runs = Family::<RunLabels, Counter>::default();
        let run_duration: DurationFamily = Family::new_with_constructor(duration_histogram);
        let overlaps_skipped = Family::<SchemeLabels, Gauge>::default();
        let checkpoint_lag = Family::<SchemeLabels, Gauge>::default();
        let ledger_records = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "records",
            "Records handled by finished runs, by outcome (fetched, written, skipped, failed)",
            records.clone(),
        );
        registry.register("pages", "Source pages fetched", pages.clone());
        registry.register(
            "rate_limited",
            "Rate-limit replies received from platforms",
            rate_limited.clone(),
        );
        registry.register(
            "retries",
            "Requests retried after transient failures",
            retries.clone(),
        );
        registry.register("runs", "Runs by kind and outcome", runs.clone());
        registry.register(
            "run_duration_seconds",
            "How long runs took",
            run_duration.clone(),
        );
        registry.register(
            "overlaps_skipped",
            "Scheduled ticks skipped because the previous run was still going",
            overlaps_skipped.clone(),
        );
        registry.register(
            "checkpoint_lag_seconds",
            "Seconds between now and the scheme's checkpoint",
            checkpoint_lag.clone(),
        );
        registry.register(
            "ledger_records",
            "Records in the ledger by status",
            ledger_records.clone(),
        );
        Self {
            inner: Arc::new(Inner {
                registry,
                records,
                pages,
                rate_limited,
                retries,
                runs,
                run_duration,
                overlaps_skipped,
                checkpoint_lag,
                ledger_records,
                started: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Counts `events` until the sender is dropped, in a task on the current runtime. A lagging
    /// receiver loses the events it missed (a warning is logged), never blocks the scheduler.
    pub fn watch(&self, mut events: broadcast::Receiver<RunEvent>) -> tokio::task::JoinHandle<()> {
        let metrics = self.clone();
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(event) => metrics.record(&event),
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "metrics missed run events");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        })
    }

    /// Counts one event.
    pub fn record(&self, event: &RunEvent) {
        let inner = &self.inner;
        let scheme = event.scheme().to_owned();
        let mut started = inner.started.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            RunEvent::Started { .. } => {
                started.insert(scheme, Instant::now());
            }
            RunEvent::Finished { kind, report, .. } => {
                let began = started.remove(&scheme);
                let stats = &report.stats;
                let status = |status: &str| StatusLabels {
                    scheme: scheme.clone(),
                    status: status.to_owned(),
                };
                let by_scheme = SchemeLabels {
                    scheme: scheme.clone(),
                };
                inner
                    .records
                    .get_or_create(&status("fetched"))
                    .inc_by(stats.fetched);
                inner
                    .records
                    .get_or_create(&status("written"))
                    .inc_by(stats.written);
                inner
                    .records
                    .get_or_create(&status("skipped"))
                    .inc_by(stats.skipped);
                inner
                    .records
                    .get_or_create(&status("failed"))
                    .inc_by(stats.failed);
                inner.pages.get_or_create(&by_scheme).inc_by(stats.pages);
                inner
                    .rate_limited
                    .get_or_create(&by_scheme)
                    .inc_by(stats.rate_limited);
                inner
                    .retries
                    .get_or_create(&by_scheme)
                    .inc_by(stats.retries);
                let outcome = match report.outcome {
                    RunOutcome::Succeeded => "succeeded",
                    RunOutcome::Failed(_) => "failed",
                    RunOutcome::Cancelled => "cancelled",
                };
                self.count_run(&scheme, kind.as_str(), outcome);
                if let Some(began) = began {
                    inner
                        .run_duration
                        .get_or_create(&KindLabels {
                            scheme,
                            kind: kind.as_str().to_owned(),
                        })
                        .observe(began.elapsed().as_secs_f64());
                }
            }
            RunEvent::NotStarted { kind, .. } => {
                started.remove(&scheme);
                self.count_run(&scheme, kind.as_str(), "not_started");
            }
            RunEvent::Skipped { .. } => {}
        }
    }

    fn count_run(&self, scheme: &str, kind: &str, status: &str) {
        self.inner
            .runs
            .get_or_create(&RunLabels {
                scheme: scheme.to_owned(),
                kind: kind.to_owned(),
                status: status.to_owned(),
            })
            .inc();
    }

    /// The metrics as OpenMetrics text, after refreshing the gauges of `schemes` from the
    /// ledger and the scheduler; `now` is unix seconds.
    pub async fn render(
        &self,
        store: &dyn Store,
        control: &dyn Control,
        schemes: &[String],
        now: i64,
    ) -> Result<String, StoreError> {
        let inner = &self.inner;
        for scheme in schemes {
            let counts = store.counts(scheme).await?;
            for status in RecordStatus::ALL {
                let value = i64::try_from(counts.get(*status)).unwrap_or(i64::MAX);
                inner
                    .ledger_records
                    .get_or_create(&StatusLabels {
                        scheme: scheme.clone(),
                        status: status.as_str().to_owned(),
                    })
                    .set(value);
            }
            if let Some(checkpoint) = store.checkpoint(scheme).await? {
                inner
                    .checkpoint_lag
                    .get_or_create(&SchemeLabels {
                        scheme: scheme.clone(),
                    })
                    .set(now - checkpoint.position);
            }
        }
        for state in control.schemes() {
            let value = i64::try_from(state.overlaps_skipped).unwrap_or(i64::MAX);
            inner
                .overlaps_skipped
                .get_or_create(&SchemeLabels { scheme: state.name })
                .set(value);
        }
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &inner.registry);
        Ok(text)
    }
}
