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
//! Within one process, write transactions also take turns on an async mutex first
//! ([`WriteTx`]): SQLite's busy handler waits for a lock held by another connection by sleeping
//! in steps of up to 100 ms, so the fetcher and the writer lanes storing at the same moment
//! would otherwise idle for milliseconds per transaction; the mutex hands the turn over as soon
//! as the previous transaction ends. Other processes on the same file still meet the busy
//! timeout.

mod ledger;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sqlx::ConnectOptions as _;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::StoreError;
use crate::history::{self, RunFinish};
use crate::lookup::LookupCondition;
use crate::model::{
    Backend, Checkpoint, Disposition, FetchedRecord, LedgerRecord, OutcomeEffect, RecordFilter,
    RecordOutcome, RunCounts, RunEnd, RunId, RunKind, RunRecord, StatusCounts, TimeRange,
    WindowRecord, WindowStats,
};
use crate::options::StoreOptions;

/// Rows per multi-row statement: 1000 rows × 10 parameters stays far below SQLite's limit of
/// 32766 bound parameters.
const ROWS_PER_STATEMENT: usize = 1000;

/// Page size of a new ledger file (an existing file keeps its own). A payload row holds a
/// record's JSON (typically 2–3 KB): with 4 KB pages most pages hold one row and a third of
/// each page is wasted, with 8 KB pages three rows fill one.
const PAGE_SIZE: u32 = 8192;
/// WAL pages written before a checkpoint copies them into the database (SQLite's default is
/// 1000). A record's state row is written twice in quick succession (fetched, then its
/// outcome): a longer WAL lets one checkpoint copy the page once instead of twice. At most
/// about 80 MB.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;
/// Page cache per connection, KiB (SQLite's default is 2000). The ledger's writes are
/// appends and key lookups of recent records; a larger cache was not faster in the benchmark
/// and costs memory on each of the pool's connections.
const CACHE_KIB: u32 = 512;

/// A store on a SQLite database.
#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    options: StoreOptions,
    /// Taken by every write transaction of this process, for its whole length.
    write_turn: Arc<Mutex<()>>,
}

/// A write transaction that holds the store's write turn until it commits or is dropped
/// (rolled back).
pub(crate) struct WriteTx {
    tx: Transaction<'static, Sqlite>,
    _turn: OwnedMutexGuard<()>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
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
            .busy_timeout(Duration::from_secs(10))
            .page_size(PAGE_SIZE)
            .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string())
            .pragma("cache_size", format!("-{CACHE_KIB}"))
            // sqlx would log each statement's whole text (multi-row statements run to hundreds
            // of kilobytes); a blocked stderr must never stall a run.
            .disable_statement_logging();
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        // A connection to a local file does not go stale the way a network connection does:
        // no ping before each use (it would cost a round trip to the connection's worker
        // thread per transaction).
        let pool_options = SqlitePoolOptions::new().test_before_acquire(false);
        let pool_options = if in_memory {
            // An in-memory database lives as long as one of its connections.
            pool_options
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            pool_options.max_connections(options.max_connections.max(1))
        };
        let pool = connect_pool(&pool_options, &connect_options).await?;
        migrate(&pool).await?;
        Ok(SqliteStore {
            pool,
            options,
            write_turn: Arc::new(Mutex::new(())),
        })
    }

    async fn begin_write(&self, operation: &str) -> Result<WriteTx, StoreError> {
        let turn = Arc::clone(&self.write_turn).lock_owned().await;
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(StoreError::database(operation))?;
        Ok(WriteTx { tx, _turn: turn })
    }
}

/// Brings the schema up to date. SQLite has no migration lock: two processes opening a new
/// ledger at once both try to apply a migration and the second fails ("table … already
/// exists") once the first commits. Running again skips what is applied now, so each failed
/// attempt is followed by another, one more than there are migrations in all; a failure that
/// is real fails every attempt and is reported.
async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
    let migrator = crate::migrations::sqlite();
    let attempts = migrator.iter().count() + 1;
    let mut attempt = 1;
    loop {
        match migrator.run(pool).await {
            Ok(()) => return Ok(()),
            Err(_) if attempt < attempts => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// Attempts at opening a new ledger file that another process is creating at the same moment.
const CONNECT_ATTEMPTS: u32 = 5;

/// Opens the pool. Switching a new file to WAL needs a moment of exclusive access, so a
/// second process opening the same new ledger at that moment gets "database is locked" at
/// once (the busy timeout does not cover it): that is retried a few times.
async fn connect_pool(
    pool_options: &SqlitePoolOptions,
    connect_options: &SqliteConnectOptions,
) -> Result<SqlitePool, StoreError> {
    let mut attempt = 1;
    loop {
        match pool_options
            .clone()
            .connect_with(connect_options.clone())
            .await
        {
            Err(sqlx::Error::Database(error))
                if error.code().as_deref() == Some("5") && attempt < CONNECT_ATTEMPTS =>
            {
                tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
                attempt += 1;
            }
            result => return result.map_err(StoreError::database("connect to SQLite")),
        }
    }
}

crate::exec::impl_sql_exec!(SqlitePool, Sqlite, SqliteRow, "", |pool| &*pool);
crate::exec::impl_sql_exec!(WriteTx, Sqlite, SqliteRow, "", |tx| &mut **tx);

crate::delegate::impl_store!(SqliteStore, Backend::Sqlite);
