//! The SQLite store: one database file (default `sqlite://ferry.db`, created if missing).
//!
//! Durability: WAL journal with `synchronous=FULL`. With WAL, `NORMAL` would already survive
//! `kill -9` (a committed transaction is in the WAL file, in the OS page cache, before `COMMIT`
//! returns; only the OS or the power failing loses it). It is not enough for power loss: the
//! last transactions can roll back after a power cut, and a target written after such a commit
//! (a `written_hash` lost while the target kept the write) can make a later `idCheck` skip the
//! latest version. `FULL` syncs the WAL at every commit; since the ledger commits once per batch
//! (up to thousands of records), that costs one fsync per batch.
//!
//! Write transactions start with `BEGIN IMMEDIATE`, so they take the write lock up front and wait
//! (`busy_timeout`) instead of failing on a lock upgrade. Readers run beside the writer (WAL).

mod ledger;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::StoreError;
use crate::history::{self, RunFinish};
use crate::lookup::LookupCondition;
use crate::model::{
    Backend, Checkpoint, Disposition, FetchedRecord, LedgerRecord, OutcomeEffect, RecordFilter,
    RecordOutcome, RunCounts, RunEnd, RunId, RunKind, RunRecord, StatusCounts, TimeRange,
    WindowRecord, WindowStats,
};
use crate::options::StoreOptions;
use crate::store::Store;

/// Rows per multi-row statement: 1000 rows × 11 parameters stays far below SQLite's limit of
/// 32766 bound parameters.
const ROWS_PER_STATEMENT: usize = 1000;

/// A store on a SQLite database.
#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    options: StoreOptions,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` and brings its schema up to date.
    pub async fn connect(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        let connect_options = SqliteConnectOptions::from_str(url)
            .map_err(|source| StoreError::InvalidUrl {
                url: crate::redact_url(url),
                source,
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool_options = if in_memory {
            // An in-memory database lives as long as one of its connections.
            SqlitePoolOptions::new()
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(options.max_connections.max(1))
        };
        let pool = pool_options
            .connect_with(connect_options)
            .await
            .map_err(StoreError::database("connect to SQLite"))?;
        crate::migrations::sqlite().run(&pool).await?;
        Ok(SqliteStore { pool, options })
    }

    async fn begin_write(
        &self,
        operation: &str,
    ) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(StoreError::database(operation))
    }
}

crate::exec::impl_sql_exec!(SqlitePool, Sqlite, SqliteRow, "", |pool| &*pool);
crate::exec::impl_sql_exec!(Transaction<'_, Sqlite>, Sqlite, SqliteRow, "", |tx| {
    &mut **tx
});

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn record_fetched(
        &self,
        scheme: &str,
        records: &[FetchedRecord],
        id_check: bool,
    ) -> Result<Vec<Disposition>, StoreError> {
        self.record_fetched_impl(scheme, records, id_check).await
    }

    async fn pending(
        &self,
        scheme: &str,
        after_key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<LedgerRecord>, StoreError> {
        let filter = RecordFilter {
            status: Some(crate::model::RecordStatus::Pending),
            key: None,
        };
        self.records_impl(scheme, &filter, after_key, limit).await
    }

    async fn record_outcomes(
        &self,
        scheme: &str,
        outcomes: &[RecordOutcome],
    ) -> Result<Vec<OutcomeEffect>, StoreError> {
        self.record_outcomes_impl(scheme, outcomes).await
    }

    async fn retry_failed(&self, scheme: &str) -> Result<u64, StoreError> {
        self.retry_failed_impl(scheme).await
    }

    async fn records(
        &self,
        scheme: &str,
        filter: &RecordFilter,
        after_key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<LedgerRecord>, StoreError> {
        self.records_impl(scheme, filter, after_key, limit).await
    }

    async fn counts(&self, scheme: &str) -> Result<StatusCounts, StoreError> {
        self.counts_impl(scheme).await
    }

    async fn find_record(
        &self,
        scheme: &str,
        conditions: &[LookupCondition],
    ) -> Result<Option<Value>, StoreError> {
        self.find_record_impl(scheme, conditions).await
    }

    async fn checkpoint(&self, scheme: &str) -> Result<Option<Checkpoint>, StoreError> {
        history::read_checkpoint(&mut self.pool.clone(), scheme).await
    }

    async fn advance_checkpoint(
        &self,
        scheme: &str,
        expected: Option<i64>,
        to: i64,
    ) -> Result<(), StoreError> {
        let mut pool = self.pool.clone();
        history::advance_checkpoint(&mut pool, &self.options, scheme, expected, to).await
    }

    async fn reset_checkpoint(&self, scheme: &str, to: Option<i64>) -> Result<(), StoreError> {
        history::reset_checkpoint(&mut self.pool.clone(), &self.options, scheme, to).await
    }

    async fn start_run(
        &self,
        scheme: &str,
        kind: RunKind,
        range: Option<TimeRange>,
    ) -> Result<RunId, StoreError> {
        let operation = format!("start run of scheme `{scheme}`");
        let mut tx = self.begin_write(&operation).await?;
        let run = history::start_run(&mut tx, &self.options, scheme, kind, range).await?;
        tx.commit().await.map_err(StoreError::database(operation))?;
        Ok(run)
    }

    async fn heartbeat(&self, run: RunId) -> Result<(), StoreError> {
        let operation = format!("heartbeat of run {run}");
        let mut tx = self.begin_write(&operation).await?;
        history::heartbeat(&mut tx, &self.options, run).await?;
        tx.commit().await.map_err(StoreError::database(operation))
    }

    async fn finish_run(
        &self,
        run: RunId,
        end: RunEnd,
        counts: &RunCounts,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let operation = format!("finish run {run}");
        let mut tx = self.begin_write(&operation).await?;
        let finished = history::finish_run(&mut tx, &self.options, run, end, counts, error).await?;
        tx.commit().await.map_err(StoreError::database(operation))?;
        match finished {
            RunFinish::Recorded | RunFinish::AlreadyFinished => Ok(()),
            RunFinish::Abandoned { scheme } => Err(StoreError::LeaseLost {
                scheme,
                run_id: run.0,
            }),
        }
    }

    async fn record_window(&self, run: RunId, window: &WindowStats) -> Result<u32, StoreError> {
        let operation = format!("record window of run {run}");
        let mut tx = self.begin_write(&operation).await?;
        let seq = history::record_window(&mut tx, &self.options, run, window).await?;
        tx.commit().await.map_err(StoreError::database(operation))?;
        Ok(seq)
    }

    async fn run(&self, run: RunId) -> Result<Option<RunRecord>, StoreError> {
        history::run(&mut self.pool.clone(), run).await
    }

    async fn runs(&self, scheme: &str, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        history::runs(&mut self.pool.clone(), scheme, limit).await
    }

    async fn windows(&self, run: RunId) -> Result<Vec<WindowRecord>, StoreError> {
        history::windows(&mut self.pool.clone(), run).await
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
