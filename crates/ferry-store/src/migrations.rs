//! The schema migrations of each backend, embedded in the binary.
//!
//! Contract: migrations live in `migrations/{sqlite,postgres}/NNNN_description.sql`, are listed
//! here in version order (a unit test fails if a file is not listed), never change once
//! released (sqlx checks their checksums), and run at `connect` inside sqlx's migration lock.
//! The schema version of a database is the highest applied version in `_sqlx_migrations`.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// `(version, description, SQL)` of every SQLite migration.
const SQLITE: &[(i64, &str, &str)] = &[(
    1,
    "initial",
    include_str!("../migrations/sqlite/0001_initial.sql"),
)];

/// `(version, description, SQL)` of every PostgreSQL migration.
const POSTGRES: &[(i64, &str, &str)] = &[(
    1,
    "initial",
    include_str!("../migrations/postgres/0001_initial.sql"),
)];

/// The schema version this build brings a database to.
pub const SCHEMA_VERSION: i64 = 1;

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
            Some(SCHEMA_VERSION)
        );
        assert_eq!(
            POSTGRES.last().map(|migration| migration.0),
            Some(SCHEMA_VERSION)
        );
    }
}
