//! The benchmark's own databases: `ferry_bench` in MariaDB and in PostgreSQL, created when
//! missing, so the shared `test` databases are never touched.

use anyhow::{Context, Result};
use sqlx::{AssertSqlSafe, Connection};

/// The database the benchmark writes to, in both servers.
pub const DATABASE: &str = "ferry_bench";

/// Runs one statement on the MariaDB server at `base` (`mysql://user@host:port`).
pub async fn mysql_admin(base: &str, sql: &str) -> Result<()> {
    let mut connection = sqlx::MySqlConnection::connect(base)
        .await
        .with_context(|| format!("cannot connect to MariaDB at {base}"))?;
    sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .execute(&mut connection)
        .await
        .with_context(|| format!("MariaDB: {sql}"))?;
    Ok(())
}

/// Creates `ferry_bench` in MariaDB (`base` has no database) and in PostgreSQL (`pg_admin` is
/// a URL of an existing database); returns the two URLs of `ferry_bench`.
pub async fn ensure(mysql_base: &str, pg_admin: &str) -> Result<(String, String)> {
    let create = format!("CREATE DATABASE IF NOT EXISTS {DATABASE} CHARACTER SET utf8mb4");
    mysql_admin(mysql_base, &create).await?;
    let mut connection = sqlx::PgConnection::connect(pg_admin)
        .await
        .with_context(|| format!("cannot connect to PostgreSQL at {pg_admin}"))?;
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(DATABASE)
        .fetch_optional(&mut connection)
        .await?;
    if exists.is_none() {
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {DATABASE}")))
            .execute(&mut connection)
            .await
            .context("cannot create the PostgreSQL database ferry_bench")?;
    }
    let pg_base = pg_admin.rsplit_once('/').map_or(pg_admin, |(base, _)| base);
    Ok((
        format!("{mysql_base}/{DATABASE}"),
        format!("{pg_base}/{DATABASE}"),
    ))
}
