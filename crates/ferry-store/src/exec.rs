//! A minimal statement executor over either backend, so that logic whose SQL is the same on both
//! (checkpoints, leases, run history: `history.rs`) is written once.
//!
//! Contract: implemented for each backend's pool (autocommit) and transaction (the caller
//! commits; dropping it rolls back). Parameters are 64-bit integers or text, bound in order to
//! `$1, $2, …`.

use std::future::Future;

use crate::rows::DecodeRow;

/// One bound parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param<'a> {
    Int(Option<i64>),
    Text(Option<&'a str>),
}

impl From<i64> for Param<'_> {
    fn from(value: i64) -> Self {
        Param::Int(Some(value))
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(value: Option<i64>) -> Self {
        Param::Int(value)
    }
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(value: &'a str) -> Self {
        Param::Text(Some(value))
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Param::Text(value)
    }
}

/// Runs statements on a pool or inside a transaction.
pub(crate) trait SqlExec: Send {
    type Row: DecodeRow + Send;

    /// Appended to a `SELECT` that reads a row the transaction will update: `FOR UPDATE` on
    /// PostgreSQL; empty on SQLite, whose write transactions are exclusive from `BEGIN IMMEDIATE`.
    const ROW_LOCK: &'static str;

    /// Runs a statement; returns the number of rows it affected.
    fn execute(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> impl Future<Output = Result<u64, sqlx::Error>> + Send;

    /// Runs a query; returns its first row, if any.
    fn fetch_optional(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> impl Future<Output = Result<Option<Self::Row>, sqlx::Error>> + Send;

    /// Runs a query; returns all its rows.
    fn fetch_all(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> impl Future<Output = Result<Vec<Self::Row>, sqlx::Error>> + Send;
}

/// Implements `SqlExec` for a backend's pool and transaction; `$executor` turns `self` into an
/// `sqlx::Executor`.
macro_rules! impl_sql_exec {
    ($target:ty, $database:ty, $row:ty, $row_lock:literal, |$this:ident| $executor:expr) => {
        impl $crate::exec::SqlExec for $target {
            type Row = $row;
            const ROW_LOCK: &'static str = $row_lock;

            async fn execute(
                &mut self,
                sql: &str,
                params: &[$crate::exec::Param<'_>],
            ) -> Result<u64, sqlx::Error> {
                let $this = self;
                let query = $crate::exec::bind::<$database>(sql, params);
                Ok(query.execute($executor).await?.rows_affected())
            }

            async fn fetch_optional(
                &mut self,
                sql: &str,
                params: &[$crate::exec::Param<'_>],
            ) -> Result<Option<$row>, sqlx::Error> {
                let $this = self;
                $crate::exec::bind::<$database>(sql, params)
                    .fetch_optional($executor)
                    .await
            }

            async fn fetch_all(
                &mut self,
                sql: &str,
                params: &[$crate::exec::Param<'_>],
            ) -> Result<Vec<$row>, sqlx::Error> {
                let $this = self;
                $crate::exec::bind::<$database>(sql, params)
                    .fetch_all($executor)
                    .await
            }
        }
    };
}

pub(crate) use impl_sql_exec;

/// Builds a query with `params` bound in order.
pub(crate) fn bind<'q, DB>(
    sql: &str,
    params: &[Param<'_>],
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    Option<i64>: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    Option<String>: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
{
    let mut query = sqlx::query::<DB>(sqlx::AssertSqlSafe(sql.to_owned()));
    for param in params {
        query = match param {
            Param::Int(value) => query.bind(*value),
            Param::Text(value) => query.bind(value.map(str::to_owned)),
        };
    }
    query
}
