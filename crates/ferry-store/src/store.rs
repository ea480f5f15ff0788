//! The `Store` trait: ledger, checkpoints, run history and lookups behind one dyn-compatible
//! interface, implemented for SQLite and PostgreSQL and checked by one conformance suite
//! (`tests/conformance`).
//!
//! Contract shared by every implementation:
//! - Each method is atomic: it commits entirely or not at all, and a commit that returned `Ok` is
//!   durable (survives `kill -9`; with the default settings also power loss).
//! - Schemes are identified by name; a scheme exists as soon as something is stored for it.
//! - Ledger transitions follow `crate::ledger` exactly. Keys order by their UTF-8 bytes.
//! - One writer per scheme at a time is the engine's job, enforced with run leases
//!   (`start_run`); the store stays consistent without them but does not merge concurrent
//!   fetches of one key.

use async_trait::async_trait;
use serde_json::Value;

use crate::error::StoreError;
use crate::lookup::LookupCondition;
use crate::model::{
    Backend, Checkpoint, Disposition, FetchedRecord, LedgerRecord, OutcomeEffect, RecordFilter,
    RecordOutcome, RunCounts, RunEnd, RunId, RunKind, RunRecord, StatusCounts, TimeRange,
    WindowRecord, WindowStats,
};

/// Ledger, checkpoints and run history of every scheme.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Which database this store runs on.
    fn backend(&self) -> Backend;

    // --- ledger -------------------------------------------------------------------------------

    /// Stores fetched records durably (one transaction, a few statements per 1000 records) and
    /// returns one disposition per record, in order. Records to write are those whose
    /// disposition `needs_write`.
    async fn record_fetched(
        &self,
        scheme: &str,
        records: &[FetchedRecord],
        id_check: bool,
    ) -> Result<Vec<Disposition>, StoreError>;

    /// Up to `limit` pending records with keys after `after_key`, in key order: page through
    /// them by passing the last key of a page as the next `after_key`.
    async fn pending(
        &self,
        scheme: &str,
        after_key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<LedgerRecord>, StoreError>;

    /// Applies the target's outcomes (one transaction) and returns one effect per outcome.
    /// Fails with `UnknownRecord`, changing nothing, if a key is not in the ledger.
    async fn record_outcomes(
        &self,
        scheme: &str,
        outcomes: &[RecordOutcome],
    ) -> Result<Vec<OutcomeEffect>, StoreError>;

    /// Moves every failed record of the scheme back to pending (`ferry retry`); returns how many.
    async fn retry_failed(&self, scheme: &str) -> Result<u64, StoreError>;

    /// Up to `limit` records matching `filter` with keys after `after_key`, in key order.
    async fn records(
        &self,
        scheme: &str,
        filter: &RecordFilter,
        after_key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<LedgerRecord>, StoreError>;

    /// Number of records of the scheme per status.
    async fn counts(&self, scheme: &str) -> Result<StatusCounts, StoreError>;

    /// The latest payload among the scheme's records that match every condition (the most
    /// recently fetched one if several match; by key among equals); `None` if none matches.
    async fn find_record(
        &self,
        scheme: &str,
        conditions: &[LookupCondition],
    ) -> Result<Option<Value>, StoreError>;

    // --- checkpoints --------------------------------------------------------------------------

    /// The scheme's checkpoint, `None` before its first window completed.
    async fn checkpoint(&self, scheme: &str) -> Result<Option<Checkpoint>, StoreError>;

    /// Compare-and-set: moves the checkpoint to `to` if it currently is `expected` (`None`: no
    /// checkpoint yet). Fails with `CheckpointConflict` otherwise, and with `CheckpointBackwards`
    /// if `to` is before `expected`.
    async fn advance_checkpoint(
        &self,
        scheme: &str,
        expected: Option<i64>,
        to: i64,
    ) -> Result<(), StoreError>;

    /// Sets the checkpoint unconditionally (`--from`), or removes it with `None`.
    async fn reset_checkpoint(&self, scheme: &str, to: Option<i64>) -> Result<(), StoreError>;

    // --- runs ---------------------------------------------------------------------------------

    /// Records a new run and takes the scheme's lease (see `StoreOptions` for lease rules).
    /// Fails with `RunInProgress` while another run of the scheme holds a live lease; a dead
    /// lease's run is marked `abandoned`.
    async fn start_run(
        &self,
        scheme: &str,
        kind: RunKind,
        range: Option<TimeRange>,
    ) -> Result<RunId, StoreError>;

    /// Renews the run's lease for another `lease_ttl`. Fails with `LeaseLost` if another run took
    /// the scheme over (the caller must stop), `UnknownRun` if there is no such run.
    async fn heartbeat(&self, run: RunId) -> Result<(), StoreError>;

    /// Records how the run ended and releases its lease. Finishing a finished run changes
    /// nothing; finishing an abandoned run records its counts and fails with `LeaseLost`.
    async fn finish_run(
        &self,
        run: RunId,
        end: RunEnd,
        counts: &RunCounts,
        error: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Appends a window's statistics to the run; returns the window's `seq`.
    async fn record_window(&self, run: RunId, window: &WindowStats) -> Result<u32, StoreError>;

    /// One run, if it exists.
    async fn run(&self, run: RunId) -> Result<Option<RunRecord>, StoreError>;

    /// The scheme's latest `limit` runs, newest first.
    async fn runs(&self, scheme: &str, limit: u32) -> Result<Vec<RunRecord>, StoreError>;

    /// The run's windows in the order they were recorded.
    async fn windows(&self, run: RunId) -> Result<Vec<WindowRecord>, StoreError>;

    /// Closes the connection pool; later calls fail.
    async fn close(&self);
}
