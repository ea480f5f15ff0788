//! What the database says about the target table, asked once at connect.
//!
//! Contract: MySQL and SQLite: `SELECT columns FROM table WHERE 1=0` proves that the table and
//! every `main_sql` column exist (a user without SELECT is let through unchecked), and the
//! statement head is `main_sql` itself (`REPLACE`/`INSERT INTO table (columns) VALUES`,
//! columns quoted); MySQL also reports
//! `max_allowed_packet`, which bounds the bytes of one statement. PostgreSQL: the table must
//! resolve through the search path (`to_regclass`), every column must be one of its columns
//! (exact name, else ignoring case), non-text columns get `CAST($n AS type)` (the type without
//! its modifier, so lengths and precisions are checked on assignment, not truncated by the
//! cast), and for `REPLACE INTO` the `ON CONFLICT` target is the key column (the target's `id`,
//! when it is one of `main_sql`'s columns; it needs a single-column unique index), else the
//! table's only primary key or unique index, which may cover columns `main_sql` does not write
//! (seed 004's generated `row_key`). A missing table is `Invalid` "table … does not exist in …".

use ferry_model::scheme::sql::MainSql;
use sqlx::AssertSqlSafe;

use super::classify::{Classified, ErrorClass, classify};
use super::dialect::Dialect;
use super::pool::DbPool;
use super::statement::{PgColumn, StatementShape};
use crate::error::CallError;

/// The columns of a PostgreSQL table: name, cast type (`None` for text-like), number.
const PG_COLUMNS: &str = "SELECT a.attname::text, \
       CASE WHEN t.typcategory = 'S' THEN NULL \
            WHEN a.atttypid = 'bit'::regtype THEN format_type(a.atttypid, a.atttypmod) \
            ELSE format_type(a.atttypid, NULL) END, \
       a.attnum \
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
 WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped \
 ORDER BY a.attnum";

/// Whether a single-column, non-partial unique index covers a column.
const PG_UNIQUE: &str = "SELECT EXISTS (SELECT 1 FROM pg_index i \
 WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indpred IS NULL \
   AND i.indexprs IS NULL AND i.indnkeyatts = 1 AND i.indkey[0] = $2)";

/// The columns of every primary key and unique index (non-partial, without expressions).
const PG_UNIQUE_KEYS: &str = "SELECT array_agg(a.attname::text ORDER BY k.ord) \
  FROM pg_index i \
  CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
 WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indpred IS NULL \
   AND i.indexprs IS NULL AND k.ord <= i.indnkeyatts \
 GROUP BY i.indexrelid ORDER BY i.indexrelid";

/// `max_allowed_packet` assumed when the server does not say (MySQL 5.7's default).
const MYSQL_DEFAULT_PACKET: usize = 4 << 20;

/// What connect learned.
#[derive(Debug)]
pub(crate) struct Inspected {
    pub shape: StatementShape,
    /// MySQL's `max_allowed_packet`.
    pub max_packet: Option<usize>,
}

/// Checks the table and builds the statement shape.
pub(crate) async fn inspect(
    pool: &DbPool,
    dialect: Dialect,
    main_sql: &MainSql,
    key: Option<&str>,
    place: &str,
) -> Result<Inspected, CallError> {
    let verb = if main_sql.replace {
        "REPLACE"
    } else {
        "INSERT"
    };
    let quoted: Vec<String> = main_sql
        .columns
        .iter()
        .map(|column| dialect.quote(column))
        .collect();
    let head = format!(
        "{verb} INTO {} ({}) VALUES",
        main_sql.table,
        quoted.join(", ")
    );
    let probe = format!(
        "SELECT {} FROM {} WHERE 1=0",
        quoted.join(", "),
        main_sql.table
    );
    let table = &main_sql.table;
    let probed = match pool {
        DbPool::Postgres(pool) => {
            let shape = postgres_shape(pool, main_sql, key, place).await?;
            return Ok(Inspected {
                shape,
                max_packet: None,
            });
        }
        DbPool::MySql(pool) => sqlx::raw_sql(AssertSqlSafe(probe))
            .execute(pool)
            .await
            .map(drop),
        DbPool::Sqlite(pool) => sqlx::raw_sql(AssertSqlSafe(probe))
            .execute(pool)
            .await
            .map(drop),
    };
    if let Err(error) = probed {
        let classified = classify(&error);
        // A user may hold INSERT and DELETE (all `REPLACE` needs) without SELECT: the probe
        // proves nothing then, and the first write will tell.
        let select_denied = classified.class == ErrorClass::Rejected;
        let missing_table = classified.code.as_deref() == Some("1146")
            || classified.message.contains("no such table");
        if missing_table {
            return Err(invalid(format!(
                "table `{table}` does not exist in `{place}`"
            )));
        }
        if !select_denied {
            return Err(probe_error(classified, table, place));
        }
        tracing::debug!(
            table = %table,
            error = %classified.message,
            "cannot probe sql target table"
        );
    }
    let max_packet = match pool {
        DbPool::MySql(pool) => {
            sqlx::query_scalar::<_, String>("SELECT CAST(@@max_allowed_packet AS CHAR)")
                .fetch_one(pool)
                .await
                .ok()
                .and_then(|text| text.trim().parse::<usize>().ok())
                .or(Some(MYSQL_DEFAULT_PACKET))
        }
        DbPool::Postgres(_) | DbPool::Sqlite(_) => None,
    };
    Ok(Inspected {
        shape: StatementShape::plain(head, main_sql.columns.len()),
        max_packet,
    })
}

async fn postgres_shape(
    pool: &sqlx::PgPool,
    main_sql: &MainSql,
    key: Option<&str>,
    place: &str,
) -> Result<StatementShape, CallError> {
    let table = &main_sql.table;
    let lookup_error = |error: sqlx::Error| probe_error(classify(&error), table, place);
    let written = table.replace('`', "\"");
    let resolved: Option<String> = sqlx::query_scalar("SELECT to_regclass($1)::text")
        .bind(&written)
        .fetch_one(pool)
        .await
        .map_err(lookup_error)?;
    let Some(resolved) = resolved else {
        return Err(invalid(format!(
            "table `{table}` does not exist in `{place}`"
        )));
    };
    let existing: Vec<(String, Option<String>, i16)> = sqlx::query_as(PG_COLUMNS)
        .bind(&resolved)
        .fetch_all(pool)
        .await
        .map_err(lookup_error)?;
    let find = |wanted: &str| {
        existing
            .iter()
            .find(|(name, ..)| name == wanted)
            .or_else(|| {
                existing
                    .iter()
                    .find(|(name, ..)| name.eq_ignore_ascii_case(wanted))
            })
            .ok_or_else(|| {
                let names: Vec<String> = existing
                    .iter()
                    .map(|(name, ..)| format!("`{name}`"))
                    .collect();
                invalid(format!(
                    "column `{wanted}` of `main_sql` does not exist in table `{resolved}` in \
                     `{place}` (its columns: {})",
                    names.join(", ")
                ))
            })
    };
    let mut columns = Vec::with_capacity(main_sql.columns.len());
    for column in &main_sql.columns {
        let (name, cast, _) = find(column)?;
        columns.push(PgColumn {
            quoted: Dialect::Postgres.quote(name),
            cast: cast.clone(),
        });
    }
    let conflict = match (main_sql.replace, key) {
        (false, _) => Vec::new(),
        (true, Some(key)) => {
            let (name, _, number) = find(key)?;
            let unique: bool = sqlx::query_scalar(PG_UNIQUE)
                .bind(&resolved)
                .bind(*number)
                .fetch_one(pool)
                .await
                .map_err(lookup_error)?;
            if !unique {
                return Err(invalid(format!(
                    "key column `{name}` of table `{resolved}` in `{place}` has no primary key or \
                     unique index of its own; PostgreSQL's `ON CONFLICT ({name})` needs one"
                )));
            }
            vec![Dialect::Postgres.quote(name)]
        }
        (true, None) => {
            let keys: Vec<Vec<String>> = sqlx::query_scalar(PG_UNIQUE_KEYS)
                .bind(&resolved)
                .fetch_all(pool)
                .await
                .map_err(lookup_error)?;
            table_key(keys, &resolved, place)?
        }
    };
    Ok(StatementShape::postgres(&resolved, &columns, &conflict))
}

/// The conflict target of a `REPLACE INTO` whose key is not one of `main_sql`'s columns: the
/// table's only primary key or unique index (MySQL's `REPLACE` replaces on any of them;
/// PostgreSQL takes one target, so more than one is ambiguous).
fn table_key(
    mut keys: Vec<Vec<String>>,
    table: &str,
    place: &str,
) -> Result<Vec<String>, CallError> {
    match keys.len() {
        1 => Ok(keys
            .swap_remove(0)
            .iter()
            .map(|name| Dialect::Postgres.quote(name))
            .collect()),
        0 => Err(invalid(format!(
            "table `{table}` in `{place}` has no primary key or unique index. {}",
            missing_key_message()
        ))),
        _ => {
            let listed: Vec<String> = keys
                .iter()
                .map(|columns| format!("({})", columns.join(", ")))
                .collect();
            Err(invalid(format!(
                "table `{table}` in `{place}` has {} unique keys: {}. {}",
                keys.len(),
                listed.join(", "),
                missing_key_message()
            )))
        }
    }
}

/// What PostgreSQL needs for `REPLACE INTO`.
fn missing_key_message() -> &'static str {
    "PostgreSQL has no `REPLACE INTO`: ferry writes `INSERT … ON CONFLICT (key) DO UPDATE`, so \
     the table needs exactly one primary key or unique index, or the target `id` must name a \
     uniquely indexed column of `main_sql`"
}

fn probe_error(classified: Classified, table: &str, place: &str) -> CallError {
    match classified.class {
        ErrorClass::Row | ErrorClass::Invalid => invalid(format!(
            "`main_sql` does not fit table `{table}` in `{place}`: {}",
            classified.message
        )),
        ErrorClass::Transient | ErrorClass::Rejected => {
            classified.into_call_error(&format!("cannot read table `{table}` in `{place}`"))
        }
    }
}

fn invalid(message: String) -> CallError {
    CallError::Invalid { message }
}
