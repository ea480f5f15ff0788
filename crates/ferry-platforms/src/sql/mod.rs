//! The `batchexecute` target: rows written to MySQL/MariaDB, PostgreSQL or SQLite with the
//! scheme's `main_sql` (`REPLACE INTO t(c1, c2, …) VALUES` or `INSERT INTO …`).
//!
//! Contract:
//! - **Statement.** One `write` sends one multi-row statement per chunk: the head
//!   `REPLACE`/`INSERT INTO table (columns) VALUES` followed by `(?,?,…),(?,?,…)`, one tuple
//!   per row. PostgreSQL has no `REPLACE`: `REPLACE INTO` becomes `INSERT INTO … ON CONFLICT
//!   (key) DO UPDATE SET c = EXCLUDED.c, …` (the key is the target's `id` when it names a
//!   uniquely indexed `main_sql` column, else the table's only primary key or unique index),
//!   `INSERT INTO` stays a plain insert, and non-text columns get
//!   `CAST($n AS type)` with the types read once at connect.
//! - **Binding.** Values are only ever bound parameters, never spliced into SQL. A row's value
//!   for a column is looked up by the column's name in `Row.values` (then ignoring ASCII case);
//!   missing is NULL. A string binds as it is, a number as its JSON text, a bool as `1`/`0`,
//!   null as NULL, an object or array as compact JSON text.
//! - **Chunks and transactions.** Chunks keep the placeholders of one statement within the
//!   dialect's limit (MySQL/PostgreSQL 65535, SQLite 32766) and, on MySQL, the bytes within
//!   half of `max_allowed_packet`. All chunks of one `write` run in ONE transaction, which
//!   commits after the last chunk; `Ok` is returned only after the commit.
//! - **Isolation.** A statement the database refuses for its data (MySQL 1406 data too long,
//!   1366, 1292, 1264, 1048, duplicates, constraints; PostgreSQL 21/22/23xxx; SQLite
//!   constraint, mismatch, too big) is rolled back to a savepoint and its rows bisected until
//!   the refused rows are single: those are `Failed` with the database's message (e.g.
//!   `MySQL error 1406: Data too long for column 'items_name' at row 1`), the rest are
//!   `Written`. Connection, IO and pool-timeout errors, deadlocks, lock waits and a call with
//!   no reply within the connection's `timeout` plus 15 s (the server's own statement timeout
//!   normally fires first) end the write with `Err(Transient)`, authentication and permission errors with `Err(Rejected)`, anything
//!   else (unknown table or column) with `Err(Invalid)`; the transaction is rolled back and
//!   nothing of the batch is known to be written.
//! - **Sessions.** MySQL sessions keep the server's `time_zone` and `sql_mode` (strict mode
//!   and `TIMESTAMP` conversion are the server's). PostgreSQL sessions run with
//!   `TimeZone=UTC`, which sqlx sets at startup: a local time without offset written to a
//!   `timestamptz` column is read as UTC (`timestamp` columns are unaffected).
//! - **Secrets.** Messages and `Debug` show the URL with its password masked.

mod classify;
mod dialect;
mod pool;
mod schema;
mod statement;
mod write;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use ferry_model::Connection;
use ferry_model::scheme::TargetAdapter;
use ferry_model::scheme::sql::{MainSql, parse_main_sql};
use ferry_model::secret::mask_url;

pub use dialect::Dialect;

use self::classify::classify;
use self::pool::DbPool;
use self::statement::StatementShape;
use self::write::Limits;
use crate::error::CallError;
use crate::target::{Row, RowOutcome, Target};

/// Most rows one `write` takes.
pub const MAX_BATCH: usize = 10_000;

/// A batch taking this long (begin to commit) is logged as a warning.
const SLOW_BATCH: Duration = Duration::from_secs(5);

/// Statement byte budget where the server sets none (PostgreSQL, SQLite).
const DEFAULT_STATEMENT_BYTES: usize = 64 << 20;

/// How to connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlOptions {
    /// Pool size, which is also how many writes may run at once; 0 picks the dialect's default
    /// (2 for MySQL and PostgreSQL, 1 for SQLite).
    pub connections: u32,
    /// Bound on connecting, on waiting for a pooled connection, and on each statement.
    pub timeout: Duration,
}

impl Default for SqlOptions {
    fn default() -> Self {
        SqlOptions {
            connections: 0,
            timeout: Duration::from_secs(30),
        }
    }
}

/// A table in a SQL database that rows are written to.
pub struct SqlTarget {
    dialect: Dialect,
    pool: DbPool,
    shape: StatementShape,
    table: String,
    columns: Vec<String>,
    key_column: Option<String>,
    /// The server-side statement timeout; the client waits this plus a grace per call.
    timeout: Duration,
    display_url: String,
    connections: u32,
    limits: Limits,
}

impl fmt::Debug for SqlTarget {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SqlTarget")
            .field("dialect", &self.dialect)
            .field("url", &self.display_url)
            .field("table", &self.table)
            .field("columns", &self.columns.len())
            .field("key_column", &self.key_column)
            .field("connections", &self.connections)
            .field("limits", &self.limits)
            .finish()
    }
}

/// Opens the target of a `batchexecute` scheme: `url` from the connection, `main_sql` from
/// the target's `otherRequest`, the key column from the target's `id` when it names one of
/// `main_sql`'s columns, and the connection's `timeout`.
pub async fn open(connection: &Connection, target: &TargetAdapter) -> Result<SqlTarget, CallError> {
    let adapter = &target.adapter;
    let Some(url) = connection.get("url") else {
        return Err(CallError::Rejected {
            message: format!("connection `{}` has no `url`", connection.name),
        });
    };
    if let Some(dialect) = Dialect::from_url(url)
        && dialect.platform() != connection.platform.name
    {
        return Err(CallError::Rejected {
            message: format!(
                "connection `{}` is `platform = \"{}\"` but its url `{}` is for {}",
                connection.name,
                connection.platform.name,
                mask_url(url),
                dialect.name()
            ),
        });
    }
    let Some(field) = adapter.other("main_sql") else {
        return Err(invalid(
            "a `batchexecute` target needs an `otherRequest` entry `main_sql`".to_owned(),
        ));
    };
    let Some(text) = field.raw_value.as_str() else {
        return Err(invalid("`main_sql` must be a string".to_owned()));
    };
    let main_sql = parse_main_sql(text).map_err(invalid)?;
    let key_column = adapter.id.as_deref().and_then(|id| {
        main_sql
            .columns
            .iter()
            .find(|column| column.eq_ignore_ascii_case(id))
            .cloned()
    });
    let options = SqlOptions {
        connections: 0,
        timeout: Duration::from_secs(connection.timeout_secs.max(1)),
    };
    SqlTarget::connect(url, main_sql, key_column, options).await
}

impl SqlTarget {
    /// Connects to `url`, checks the table against `main_sql` and prepares the statement.
    /// `key_column` must be one of `main_sql`'s columns; PostgreSQL needs it for `REPLACE`.
    pub async fn connect(
        url: &str,
        main_sql: MainSql,
        key_column: Option<String>,
        options: SqlOptions,
    ) -> Result<SqlTarget, CallError> {
        let display_url = mask_url(url);
        let Some(dialect) = Dialect::from_url(url) else {
            return Err(CallError::Rejected {
                message: format!(
                    "unsupported database url `{display_url}` (expected `mysql://`, \
                     `mariadb://`, `postgres://`, `postgresql://` or `sqlite:`)"
                ),
            });
        };
        let columns = main_sql.columns.len();
        if columns == 0 || columns > dialect.max_placeholders() {
            return Err(invalid(format!(
                "`main_sql` has {columns} columns; {} takes 1 to {} per statement",
                dialect.name(),
                dialect.max_placeholders()
            )));
        }
        let key_column = match key_column {
            None => None,
            Some(key) => match main_sql
                .columns
                .iter()
                .find(|c| c.eq_ignore_ascii_case(&key))
            {
                Some(column) => Some(column.clone()),
                None => {
                    return Err(invalid(format!(
                        "key column `{key}` is not one of `main_sql`'s columns"
                    )));
                }
            },
        };
        let connections = match options.connections {
            0 => dialect.default_connections(),
            chosen => chosen,
        };
        let pool = DbPool::connect(dialect, url, connections, options.timeout)
            .await
            .map_err(|error| connect_error(dialect, url, &display_url, &error))?;
        let inspected = match schema::inspect(
            &pool,
            dialect,
            &main_sql,
            key_column.as_deref(),
            &display_url,
        )
        .await
        {
            Ok(inspected) => inspected,
            Err(error) => {
                pool.close().await;
                return Err(error);
            }
        };
        let limits = match inspected.max_packet {
            Some(packet) => Limits {
                rows_per_statement: dialect.max_placeholders() / columns,
                bytes_per_statement: packet / 2,
                max_row_bytes: packet.saturating_sub(4096),
            },
            None => Limits {
                rows_per_statement: dialect.max_placeholders() / columns,
                bytes_per_statement: DEFAULT_STATEMENT_BYTES,
                max_row_bytes: usize::MAX,
            },
        };
        Ok(SqlTarget {
            dialect,
            pool,
            shape: inspected.shape,
            table: main_sql.table,
            columns: main_sql.columns,
            key_column,
            timeout: options.timeout,
            display_url,
            connections,
            limits,
        })
    }

    /// The database kind.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The key column, if any.
    pub fn key_column(&self) -> Option<&str> {
        self.key_column.as_deref()
    }

    /// Most rows one statement carries (the placeholder limit over the column count).
    pub fn rows_per_statement(&self) -> usize {
        self.limits.rows_per_statement
    }

    /// Closes the pool's connections; later writes fail with `Transient`.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Target for SqlTarget {
    fn max_batch(&self) -> usize {
        MAX_BATCH
    }

    fn concurrency(&self) -> usize {
        self.connections as usize
    }

    async fn write(&self, rows: &[Row]) -> Result<Vec<RowOutcome>, CallError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let context = || {
            let noun = if rows.len() == 1 { "row" } else { "rows" };
            format!("cannot write {} {noun} to `{}`", rows.len(), self.table)
        };
        let prepared = write::prepare(rows, &self.columns);
        let mut outcomes: Vec<Option<RowOutcome>> = vec![None; rows.len()];
        let order = write::admit(&prepared, &self.limits, &mut outcomes);
        if !order.is_empty() {
            let chunks = write::plan(&prepared, &order, &self.limits);
            let started = std::time::Instant::now();
            let mut tx = self
                .pool
                .begin(self.timeout)
                .await
                .map_err(|error| classify(&error).into_call_error(&context()))?;
            let stats = write::run(
                &mut tx,
                &self.shape,
                &prepared,
                &order,
                chunks,
                &mut outcomes,
            )
            .await
            .map_err(|classified| classified.into_call_error(&context()))?;
            tx.commit()
                .await
                .map_err(|error| classify(&error).into_call_error(&context()))?;
            let elapsed = started.elapsed();
            if elapsed >= SLOW_BATCH {
                tracing::warn!(
                    table = %self.table,
                    rows = rows.len(),
                    statements = stats.statements,
                    ?elapsed,
                    "slow sql batch"
                );
            }
            tracing::debug!(
                table = %self.table,
                rows = rows.len(),
                statements = stats.statements,
                failed = stats.failed,
                ?elapsed,
                "sql batch written"
            );
        }
        debug_assert!(outcomes.iter().all(Option::is_some));
        Ok(outcomes
            .into_iter()
            .map(|outcome| {
                outcome.unwrap_or_else(|| RowOutcome::Failed {
                    error: "row was not attempted".to_owned(),
                })
            })
            .collect())
    }
}

fn invalid(message: String) -> CallError {
    CallError::Invalid { message }
}

/// A failed connect, classified, with the password masked in the URL and scrubbed from the
/// driver's text.
fn connect_error(dialect: Dialect, url: &str, display_url: &str, error: &sqlx::Error) -> CallError {
    let classified = classify(error);
    let mut message = format!(
        "cannot connect to {} at `{display_url}`: {}",
        dialect.name(),
        classified.message
    );
    if let Some(password) = password_of(url) {
        for form in [password.to_owned(), percent_decode(password)] {
            if !form.is_empty() {
                message = message.replace(&form, "***");
            }
        }
    }
    match classified.class {
        classify::ErrorClass::Transient => CallError::Transient { message },
        classify::ErrorClass::Rejected
        | classify::ErrorClass::Invalid
        | classify::ErrorClass::Row => CallError::Rejected { message },
    }
}

/// The password part of `scheme://user:password@host/…`, as written.
fn password_of(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    Some(password).filter(|password| !password.is_empty())
}

/// `%XX` sequences decoded (invalid ones kept as written).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_found_and_decoded() {
        assert_eq!(password_of("mysql://u:p%40ss@h:1/db"), Some("p%40ss"));
        assert_eq!(percent_decode("p%40ss%zz"), "p@ss%zz");
        assert_eq!(password_of("mysql://u@h/db"), None);
        assert_eq!(password_of("postgres://u:@h/db"), None);
        assert_eq!(password_of("sqlite:///tmp/a:b@c.db"), None);
    }

    #[test]
    fn connect_errors_never_show_the_password() {
        let url = "mysql://root:hunter2%21@127.0.0.1:1/test";
        let error = sqlx::Error::Protocol("echo hunter2! and hunter2%21".to_owned());
        let CallError::Transient { message } =
            connect_error(Dialect::MySql, url, &mask_url(url), &error)
        else {
            panic!("expected a transient error");
        };
        assert_eq!(
            message,
            "cannot connect to MySQL at `mysql://root:***@127.0.0.1:1/test`: encountered \
             unexpected or invalid data: echo *** and ***"
        );
    }
}
