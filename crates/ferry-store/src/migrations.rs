//! The schema migrations of each backend, embedded in the binary.
//!
//! Contract: migrations live in `migrations/{sqlite,postgres}/NNNN_description.sql`, are listed
//! here in version order (a unit test fails if a file is not listed), never change once
//! released (sqlx checks their checksums), and run at `connect` inside sqlx's migration lock.
//! The schema version of a database is the highest applied version in `_sqlx_migrations`; the
//! two backends number their migrations on their own.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// `(version, description, SQL)` of every SQLite migration.
const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "ledger_payloads",
        include_str!("../migrations/sqlite/0002_ledger_payloads.sql"),
    ),
];

/// `(version, description, SQL)` of every PostgreSQL migration.
const POSTGRES: &[(i64, &str, &str)] = &[(
    1,
    "initial",
    include_str!("../migrations/postgres/0001_initial.sql"),
)];

/// The schema version this build brings a SQLite database to.
pub const SQLITE_SCHEMA_VERSION: i64 = 2;
/// The schema version this build brings a PostgreSQL database to. PostgreSQL keeps payloads
/// in `ledger_records`: it stores a long payload out of line (TOAST) and an update that
/// leaves it alone does not copy it.
pub const POSTGRES_SCHEMA_VERSION: i64 = 1;

fn migrator(migrations: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    let migrations = migrations
        .iter()
        .map(|(version, description, sql)| {
            Migration::new(
                *version,
                Cow::Borrowed(*description),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations)
}

pub(crate) fn sqlite() -> Migrator {
    migrator(SQLITE)
}

pub(crate) fn postgres() -> Migrator {
    migrator(POSTGRES)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn listed_files(dir: &str, listed: &[(i64, &str, &str)]) -> (Vec<String>, Vec<String>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(dir);
        let mut on_disk: Vec<String> = std::fs::read_dir(path)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let expected = listed
            .iter()
            .map(|(version, description, _)| format!("{version:04}_{description}.sql"))
            .collect();
        (on_disk, expected)
    }

    #[test]
    fn every_migration_file_is_listed() {
        let (on_disk, expected) = listed_files("sqlite", SQLITE);
        assert_eq!(on_disk, expected);
        let (on_disk, expected) = listed_files("postgres", POSTGRES);
        assert_eq!(on_disk, expected);
        assert_eq!(
            SQLITE.last().map(|migration| migration.0),
            Some(SQLITE_SCHEMA_VERSION)
        );
        assert_eq!(
            POSTGRES.last().map(|migration| migration.0),
            Some(POSTGRES_SCHEMA_VERSION)
        );
    }

    /// A ledger written by a build at schema 1 (payloads in `ledger_records`) opens at the
    /// current schema with every record's state and payload intact.
    #[tokio::test]
    async fn a_version_1_sqlite_ledger_keeps_its_records() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("v1.db").display());
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        migrator(&SQLITE[..1]).run(&pool).await.unwrap();
        sqlx::query(
            "INSERT INTO ledger_records (scheme, record_key, status, hash, written_hash, \
             payload, attempts, last_error, first_seen_at, fetched_at, updated_at) VALUES \
             ('orders', 'A-1', 'written', zeroblob(16), zeroblob(16), '{\"id\":\"A-1\"}', \
             0, NULL, 1, 2, 3), \
             ('orders', 'A-2', 'failed', zeroblob(16), NULL, '{\"id\":\"A-2\",\"n\":[1]}', \
             2, 'rejected', 1, 2, 3)",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;

        let store = crate::connect(&url).await.unwrap();
        let records = store
            .records("orders", &crate::RecordFilter::default(), None, 10)
            .await
            .unwrap();
        let seen: Vec<_> = records
            .iter()
            .map(|record| {
                (
                    record.key.as_str(),
                    record.status.as_str(),
                    record.payload.to_string(),
                    record.attempts,
                    record.last_error.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("A-1", "written", r#"{"id":"A-1"}"#.to_owned(), 0, None),
                (
                    "A-2",
                    "failed",
                    r#"{"id":"A-2","n":[1]}"#.to_owned(),
                    2,
                    Some("rejected")
                ),
            ]
        );
        store.close().await;
    }
}
