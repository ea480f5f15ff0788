//! One connection pool per dialect behind one enum, and the few things the writer does inside
//! a transaction.
//!
//! Contract: sessions keep the server's own settings where they change stored data (MySQL's
//! `time_zone` and `sql_mode` are left alone, so strict mode and `TIMESTAMP` conversion are the
//! server's); the options' timeout bounds connecting, waiting for a pooled connection, and each
//! statement (MariaDB `max_statement_time`, PostgreSQL `statement_timeout`, SQLite
//! `busy_timeout`). MySQL statements stay prepared in the connection's cache (see
//! [`DbTx::execute`]); PostgreSQL and SQLite ones are prepared per call. sqlx's statement
//! logging is off: it would write each multi-row statement's whole text (hundreds of kilobytes)
//! to the log, synchronously, from the task holding the transaction; the target logs a
//! bounded line per batch instead (and a warning for a slow one).

use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions as _, Connection, MySql, Postgres, Sqlite, Transaction};

use super::dialect::Dialect;

/// Prepared statements kept per MySQL connection.
const STATEMENT_CACHE: usize = 4;

/// A pool of connections to one database.
#[derive(Clone)]
pub(crate) enum DbPool {
    MySql(sqlx::MySqlPool),
    Postgres(sqlx::PgPool),
    Sqlite(sqlx::SqlitePool),
}

/// Extra time the client waits beyond the server's own statement timeout before it gives up
/// on a reply. The server's timeout normally fires first; this bound only catches a
/// connection whose reply never comes (a dead peer, a desynchronised protocol), so that a
/// write fails as `Transient` instead of holding its transaction open forever.
const CLIENT_GRACE: Duration = Duration::from_secs(15);

/// An open transaction on a pooled connection, and how long one call on it may take.
pub(crate) struct DbTx {
    inner: TxInner,
    limit: Duration,
}

enum TxInner {
    MySql(Transaction<'static, MySql>),
    Postgres(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

/// Runs the same expression for whichever transaction `$tx` holds.
macro_rules! each_tx {
    ($tx:expr, $inner:ident => $body:expr) => {
        match $tx {
            TxInner::MySql($inner) => $body,
            TxInner::Postgres($inner) => $body,
            TxInner::Sqlite($inner) => $body,
        }
    };
}

/// `call`, or a timed-out IO error once `limit` has passed.
async fn bounded<T>(
    limit: Duration,
    call: impl Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, sqlx::Error> {
    match tokio::time::timeout(limit, call).await {
        Ok(result) => result,
        Err(_) => Err(sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("no reply from the database within {limit:?}"),
        ))),
    }
}

impl DbPool {
    /// Opens one connection to prove the URL works (so a refused connection reports its own
    /// error at once instead of the pool's timeout), then a lazy pool of `connections`.
    pub(crate) async fn connect(
        dialect: Dialect,
        url: &str,
        connections: u32,
        timeout: Duration,
    ) -> Result<DbPool, sqlx::Error> {
        match dialect {
            Dialect::MySql => {
                let options = MySqlConnectOptions::from_str(url)?
                    .timezone(None)
                    .pipes_as_concat(false)
                    .no_engine_substitution(false)
                    // Batches of other sizes are other statements; a few cached ones cover the
                    // full-batch size and the tails, and each holds tens of thousands of
                    // parameter descriptions, so the default of 100 costs memory.
                    .statement_cache_capacity(STATEMENT_CACHE)
                    .disable_statement_logging();
                let limit = format!("SET SESSION max_statement_time = {}", timeout.as_secs_f64());
                let pool = MySqlPoolOptions::new()
                    .max_connections(connections)
                    .acquire_timeout(timeout)
                    .after_connect(move |connection, _| {
                        let limit = limit.clone();
                        Box::pin(async move {
                            // MariaDB only; MySQL has no such variable and the error is moot.
                            let _ = sqlx::raw_sql(AssertSqlSafe(limit))
                                .execute(&mut *connection)
                                .await;
                            Ok(())
                        })
                    });
                first_connection::<sqlx::MySqlConnection>(&options, timeout).await?;
                Ok(DbPool::MySql(pool.connect_lazy_with(options)))
            }
            Dialect::Postgres => {
                let options = PgConnectOptions::from_str(url)?
                    .options([("statement_timeout", timeout.as_millis())])
                    .disable_statement_logging();
                let pool = PgPoolOptions::new()
                    .max_connections(connections)
                    .acquire_timeout(timeout);
                first_connection::<sqlx::PgConnection>(&options, timeout).await?;
                Ok(DbPool::Postgres(pool.connect_lazy_with(options)))
            }
            Dialect::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .busy_timeout(timeout)
                    .disable_statement_logging();
                let pool = SqlitePoolOptions::new()
                    .max_connections(connections)
                    .acquire_timeout(timeout)
                    .idle_timeout(None)
                    .max_lifetime(None);
                first_connection::<sqlx::SqliteConnection>(&options, timeout).await?;
                Ok(DbPool::Sqlite(pool.connect_lazy_with(options)))
            }
        }
    }

    /// Begins a transaction on a pooled connection; each later call on it may take up to
    /// `timeout` (the server's statement timeout) plus [`CLIENT_GRACE`].
    pub(crate) async fn begin(&self, timeout: Duration) -> Result<DbTx, sqlx::Error> {
        let limit = timeout + CLIENT_GRACE;
        let inner = match self {
            DbPool::MySql(pool) => bounded(limit, pool.begin()).await.map(TxInner::MySql),
            DbPool::Postgres(pool) => bounded(limit, pool.begin()).await.map(TxInner::Postgres),
            DbPool::Sqlite(pool) => bounded(limit, pool.begin()).await.map(TxInner::Sqlite),
        }?;
        Ok(DbTx { inner, limit })
    }

    /// Closes every connection.
    pub(crate) async fn close(&self) {
        match self {
            DbPool::MySql(pool) => pool.close().await,
            DbPool::Postgres(pool) => pool.close().await,
            DbPool::Sqlite(pool) => pool.close().await,
        }
    }
}

/// Connects once and closes the connection again; `timeout` bounds the attempt.
async fn first_connection<C: Connection>(
    options: &<C as Connection>::Options,
    timeout: Duration,
) -> Result<(), sqlx::Error> {
    match tokio::time::timeout(timeout, C::connect_with(options)).await {
        Ok(connection) => {
            // Closing politely can only fail on a connection that is already gone.
            let _ = connection?.close().await;
            Ok(())
        }
        Err(_) => Err(sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("no connection within {timeout:?}"),
        ))),
    }
}

impl DbTx {
    /// Runs `sql` with `params` bound in order; returns the affected row count.
    pub(crate) async fn execute(
        &mut self,
        sql: String,
        params: Vec<Option<&str>>,
    ) -> Result<u64, sqlx::Error> {
        // MySQL: an uncached statement is closed with COM_STMT_CLOSE, which gets no reply;
        // sqlx does not set TCP_NODELAY, so the next command waits for the server's delayed
        // ACK (about 40 ms per statement). Cached statements are never closed that way, and
        // batches of one size reuse theirs. PostgreSQL's unnamed statements need no close.
        let cached = matches!(self.inner, TxInner::MySql(_));
        let limit = self.limit;
        each_tx!(&mut self.inner, tx => {
            let mut query = sqlx::query(AssertSqlSafe(sql)).persistent(cached);
            for param in params {
                query = query.bind(param);
            }
            bounded(limit, query.execute(&mut **tx)).await.map(|done| done.rows_affected())
        })
    }

    /// Runs a parameterless control statement (`SAVEPOINT …`) over the simple protocol.
    pub(crate) async fn control(&mut self, sql: &'static str) -> Result<(), sqlx::Error> {
        let limit = self.limit;
        each_tx!(&mut self.inner, tx => {
            bounded(limit, sqlx::raw_sql(sql).execute(&mut **tx)).await.map(|_| ())
        })
    }

    /// Commits.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        let limit = self.limit;
        each_tx!(self.inner, tx => bounded(limit, tx.commit()).await)
    }
}
