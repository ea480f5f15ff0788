//! The PostgreSQL store (`postgres://user@host/db`), for shared or highly available setups.
//!
//! Durability is PostgreSQL's own (a commit returns after its WAL is flushed, with the default
//! `synchronous_commit=on`). Keys use the "C" collation, so they order by bytes as in SQLite.
//! Ledger writes lock the rows they read (`SELECT … FOR UPDATE`) and write every row of a call
//! in one statement over `UNNEST`ed arrays; concurrent runs of one scheme are prevented by run
//! leases, not by these locks. A URL may pick a schema: `?options[search_path]=ferry`.

mod ledger;

use std::str::FromStr;

use async_trait::async_trait;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgPool, Postgres, Transaction};

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

/// A store on a PostgreSQL database.
#[derive(Debug)]
pub struct PostgresStore {
    pool: PgPool,
    options: StoreOptions,
}

impl PostgresStore {
    /// Connects to the database at `url` and brings its schema up to date.
    pub async fn connect(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        let connect_options =
            PgConnectOptions::from_str(url).map_err(|source| StoreError::InvalidUrl {
                url: crate::redact_url(url),
                source,
            })?;
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .connect_with(connect_options)
            .await
            .map_err(StoreError::database(format!(
                "connect to PostgreSQL at `{}`",
                crate::redact_url(url)
            )))?;
        crate::migrations::postgres().run(&pool).await?;
        Ok(PostgresStore { pool, options })
    }

    async fn begin_write(
        &self,
        operation: &str,
    ) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.pool
            .begin()
            .await
            .map_err(StoreError::database(operation))
    }
}

crate::exec::impl_sql_exec!(PgPool, Postgres, PgRow, "", |pool| &*pool);
crate::exec::impl_sql_exec!(
    Transaction<'_, Postgres>,
    Postgres,
    PgRow,
    " FOR UPDATE",
    |tx| &mut **tx
);

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
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
