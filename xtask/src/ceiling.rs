//! What the database itself can take: the rows ferry wrote, pre-rendered as text, written again
//! into the emptied table the fastest ways each database offers.
//!
//! Contract: every ceiling starts from an empty table ([`Db::reset`]) and is timed from the
//! first statement to the commit, in this process (no simulator, no ledger, no mapping).
//! - MariaDB: multi-row `REPLACE INTO` with bound parameters, `ROWS_PER_STATEMENT` rows per
//!   statement, one transaction per statement, over 1 and over 2 connections (rows split in
//!   halves); and `LOAD DATA LOCAL INFILE` of a tab-separated file through the `mysql` client
//!   (`--local-infile=1`; the server's `local_infile` must be ON).
//! - PostgreSQL: `COPY … FROM STDIN` (text format) over one connection.
//! - SQLite: multi-row `INSERT` (the placeholder limit allows 528 rows of 62 columns) in one
//!   transaction.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use sqlx::{AssertSqlSafe, Connection};

use crate::targets::{Db, TABLE};

/// Rows per multi-row statement (as ferry's seed 002 `limit`).
const ROWS_PER_STATEMENT: usize = 1000;
/// SQLite's placeholder limit.
const SQLITE_PARAMETERS: usize = 32_766;

/// One measured ceiling.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Ceiling {
    pub method: String,
    pub rows: u64,
    pub secs: f64,
    pub rows_per_sec: f64,
}

fn ceiling(method: &str, rows: usize, started: Instant) -> Ceiling {
    let secs = started.elapsed().as_secs_f64();
    Ceiling {
        method: method.to_owned(),
        rows: rows as u64,
        secs,
        rows_per_sec: rows as f64 / secs,
    }
}

type Rows = [Vec<Option<String>>];

/// Every ceiling of `db` for `rows`; the table is left holding them.
pub async fn measure(
    db: &Db,
    root: &Path,
    work: &Path,
    columns: &[String],
    rows: &Rows,
) -> Result<Vec<Ceiling>> {
    let mut ceilings = Vec::new();
    match db {
        Db::Maria(url) => {
            for connections in [1, 2] {
                db.reset(root).await?;
                let started = Instant::now();
                let halves = rows.chunks(rows.len().div_ceil(connections).max(1));
                let tasks = halves.map(|half| replace_mysql(url, columns, half));
                futures_util::future::try_join_all(tasks).await?;
                let method = format!("REPLACE INTO ×{ROWS_PER_STATEMENT}, {connections} conn");
                ceilings.push(ceiling(&method, rows.len(), started));
            }
            db.reset(root).await?;
            let file = work.join("rows.tsv");
            std::fs::write(&file, tsv(rows))?;
            let started = Instant::now();
            load_data(url, &file, columns)?;
            ceilings.push(ceiling("LOAD DATA LOCAL INFILE", rows.len(), started));
            let _ = std::fs::remove_file(file);
        }
        Db::Postgres(url) => {
            db.reset(root).await?;
            let data = tsv(rows);
            let started = Instant::now();
            let mut connection = sqlx::PgConnection::connect(url).await?;
            let sql = format!("COPY {TABLE} ({}) FROM STDIN", columns.join(","));
            let mut copy = connection.copy_in_raw(&sql).await?;
            for chunk in data.chunks(1 << 20) {
                copy.send(chunk).await?;
            }
            copy.finish().await?;
            ceilings.push(ceiling("COPY FROM STDIN", rows.len(), started));
        }
        Db::Sqlite(_) => {
            db.reset(root).await?;
            let started = Instant::now();
            let mut connection = sqlx::SqliteConnection::connect(&db.url()).await?;
            let per_statement = SQLITE_PARAMETERS / columns.len();
            let mut tx = connection.begin().await?;
            for chunk in rows.chunks(per_statement) {
                let sql = statement("INSERT", columns, chunk.len());
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for value in chunk.iter().flatten() {
                    query = query.bind(value.as_deref());
                }
                query.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            let method = format!("INSERT ×{per_statement}, 1 transaction");
            ceilings.push(ceiling(&method, rows.len(), started));
        }
    }
    Ok(ceilings)
}

/// `REPLACE INTO` the rows over one new connection, `ROWS_PER_STATEMENT` per statement.
async fn replace_mysql(url: &str, columns: &[String], rows: &Rows) -> Result<()> {
    let mut connection = sqlx::MySqlConnection::connect(url).await?;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = statement("REPLACE", columns, chunk.len());
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for value in chunk.iter().flatten() {
            query = query.bind(value.as_deref());
        }
        query.execute(&mut connection).await?;
    }
    connection.close().await?;
    Ok(())
}

/// `VERB INTO table (columns) VALUES (?,…),…` for `rows` rows.
fn statement(verb: &str, columns: &[String], rows: usize) -> String {
    let tuple = format!("({})", vec!["?"; columns.len()].join(","));
    let tuples = vec![tuple.as_str(); rows].join(",");
    format!(
        "{verb} INTO {TABLE} ({}) VALUES {tuples}",
        columns.join(",")
    )
}

/// The rows as tab-separated text in the escaping both `LOAD DATA` and PostgreSQL `COPY`
/// read: `\N` is NULL; backslash, tab, newline and carriage return are backslash-escaped.
pub fn tsv(rows: &Rows) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 512);
    for row in rows {
        for (index, value) in row.iter().enumerate() {
            if index > 0 {
                out.push(b'\t');
            }
            match value {
                None => out.extend_from_slice(b"\\N"),
                Some(text) => {
                    for byte in text.bytes() {
                        match byte {
                            b'\\' => out.extend_from_slice(b"\\\\"),
                            b'\t' => out.extend_from_slice(b"\\t"),
                            b'\n' => out.extend_from_slice(b"\\n"),
                            b'\r' => out.extend_from_slice(b"\\r"),
                            other => out.push(other),
                        }
                    }
                }
            }
        }
        out.push(b'\n');
    }
    out
}

/// `LOAD DATA LOCAL INFILE` through the `mysql` client.
fn load_data(url: &str, file: &Path, columns: &[String]) -> Result<()> {
    let (host, port, user, database) = mysql_parts(url)?;
    let sql = format!(
        "LOAD DATA LOCAL INFILE '{}' REPLACE INTO TABLE {TABLE} CHARACTER SET utf8mb4 ({})",
        file.display(),
        columns.join(",")
    );
    let output = std::process::Command::new("mysql")
        .args(["--local-infile=1", "-h", &host, "-P", &port, "-u", &user])
        .args([database.as_str(), "-e", sql.as_str()])
        .output()
        .context("cannot run the `mysql` client (install mariadb-client)")?;
    if !output.status.success() {
        bail!(
            "LOAD DATA failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Host, port, user and database of `mysql://user@host:port/database` (no password: the
/// benchmark's MariaDB is passwordless).
fn mysql_parts(url: &str) -> Result<(String, String, String, String)> {
    let rest = url.strip_prefix("mysql://").context("not a mysql:// URL")?;
    let (authority, database) = rest.split_once('/').context("no database in the URL")?;
    let (user, host_port) = authority.split_once('@').unwrap_or(("root", authority));
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "3306"));
    let database = database.split('?').next().unwrap_or_default();
    Ok((
        host.to_owned(),
        port.to_owned(),
        user.to_owned(),
        database.to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_escapes_like_load_data_and_copy() {
        let rows = vec![vec![
            Some("a\tb\\c\nd".to_owned()),
            None,
            Some(String::new()),
        ]];
        assert_eq!(tsv(&rows), b"a\\tb\\\\c\\nd\t\\N\t\n".to_vec());
    }

    #[test]
    fn mysql_urls_are_split() {
        let parts = mysql_parts("mysql://root@127.0.0.1:3306/ferry_bench").unwrap();
        assert_eq!(
            parts,
            (
                "127.0.0.1".to_owned(),
                "3306".to_owned(),
                "root".to_owned(),
                "ferry_bench".to_owned()
            )
        );
    }
}
