//! Live counters of a run, shared by the pipeline's tasks and read by progress displays.
//!
//! Contract: counters only grow during a run; readers take a [`StatsSnapshot`] whenever they
//! like (a progress bar every 100 ms, the final report once). Counts are of ledger records
//! (after flattening and filtering) except `pages`, `source_records` and the call counters.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// A counter that only grows.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The counters of one run.
#[derive(Debug, Default)]
pub struct RunStats {
    /// Windows planned for the run.
    pub windows_planned: Counter,
    /// Windows whose records are all in the ledger.
    pub windows_done: Counter,
    /// Pages fetched (including re-fetches).
    pub pages: Counter,
    /// Records as the source sent them, before flattening and filtering.
    pub source_records: Counter,
    /// Records (after flattening) that passed the filter and reached the ledger.
    pub fetched: Counter,
    /// Records the filter (`condition`) dropped.
    pub filtered: Counter,
    /// Records that needed a write.
    pub pending: Counter,
    /// Records `idCheck` found unchanged.
    pub skipped: Counter,
    /// Records the target acknowledged.
    pub written: Counter,
    /// Records the target or the mapping rejected.
    pub failed: Counter,
    /// Rate-limit replies received.
    pub rate_limited: Counter,
    /// Retries after transient failures.
    pub retries: Counter,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    pub windows_planned: u64,
    pub windows_done: u64,
    pub pages: u64,
    pub source_records: u64,
    pub fetched: u64,
    pub filtered: u64,
    pub pending: u64,
    pub skipped: u64,
    pub written: u64,
    pub failed: u64,
    pub rate_limited: u64,
    pub retries: u64,
}

impl RunStats {
    /// The counters now.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            windows_planned: self.windows_planned.get(),
            windows_done: self.windows_done.get(),
            pages: self.pages.get(),
            source_records: self.source_records.get(),
            fetched: self.fetched.get(),
            filtered: self.filtered.get(),
            pending: self.pending.get(),
            skipped: self.skipped.get(),
            written: self.written.get(),
            failed: self.failed.get(),
            rate_limited: self.rate_limited.get(),
            retries: self.retries.get(),
        }
    }
}
