//! The PostgreSQL store (`postgres://user@host/db`), for shared or highly available setups.
//!
//! Durability is PostgreSQL's own (a commit returns after its WAL is flushed, with the default
//! `synchronous_commit=on`). Keys use the "C" collation, so they order by bytes as in SQLite.
//! Ledger writes lock the rows they read (`SELECT … FOR UPDATE`) and write every row of a call
//! in one statement over `UNNEST`ed arrays; concurrent runs of one scheme are prevented by run
//! leases, not by these locks. A URL may pick a schema: `?options[search_path]=ferry`.

mod ledger;

use std::str::FromStr;

use serde_json::Value;
use sqlx::ConnectOptions as _;
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

/// A store on a PostgreSQL database.
#[derive(Debug)]
pub struct PostgresStore {
    pool: PgPool,
    options: StoreOptions,
}

impl PostgresStore {
    /// Connects to the database at `url` and brings its schema up to date.
    pub async fn connect(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        let connect_options = PgConnectOptions::from_str(url)
            .map_err(|source| StoreError::InvalidUrl {
                url: crate::redact_url(url),
                source,
            })?
            // No statement text in the logs (see the SQLite store).
            .disable_statement_logging();
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

crate::delegate::impl_store!(PostgresStore, Backend::Postgres);
