//! ferry's store: the ledger (every fetched record, its content hash, status and latest
//! payload), the checkpoint of each scheme, and the history of runs and their windows.
//!
//! The ledger is what makes ferry's promise true: every source record reaches the target exactly
//! once (by key), in its latest version, even if the process is killed at any instant. The engine
//! stores fetched records (`record_fetched`) before writing anything, marks them with the
//! target's outcomes (`record_outcomes`), advances the checkpoint only when a window's records
//! are all in the ledger (`advance_checkpoint`, a compare-and-set), and after a crash first
//! drains `pending` records. Transition rules: `ledger` module docs.
//!
//! Two backends behind one `Store` trait, chosen by URL in `connect`: SQLite (default
//! `sqlite://ferry.db`) and PostgreSQL (`postgres://…`, for shared or HA setups). One
//! conformance suite (`tests/conformance`) runs against both.

mod delegate;
mod error;
mod exec;
mod history;
mod ledger;
mod lookup;
mod migrations;
mod model;
mod options;
mod postgres;
mod rows;
mod shared_queries;
mod sql;
mod sqlite;
mod store;

use std::sync::Arc;

pub use error::{ErrorClass, StoreError};
pub use lookup::{LookupCondition, LookupOp, matches};
pub use migrations::{POSTGRES_SCHEMA_VERSION, SQLITE_SCHEMA_VERSION};
pub use model::{
    Backend, Checkpoint, ContentHash, Disposition, FetchedRecord, LedgerRecord, Outcome,
    OutcomeEffect, RecordFilter, RecordOutcome, RecordStatus, RunCounts, RunEnd, RunId, RunKind,
    RunRecord, RunStatus, StatusCounts, TimeRange, WindowRecord, WindowStats, WindowStatus,
};
pub use options::{Clock, LeaseHolder, ManualClock, StoreOptions, SystemClock};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use store::Store;

/// The store URL used when `ferry.toml` names none.
pub const DEFAULT_URL: &str = "sqlite://ferry.db";

/// Opens the store at `url` with default options; see `connect_with`.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    connect_with(url, StoreOptions::default()).await
}

/// Opens the store at `url`, choosing the backend by the URL's scheme (`sqlite:`,
/// `postgres://`, `postgresql://`), and brings its schema to `SQLITE_SCHEMA_VERSION` or
/// `POSTGRES_SCHEMA_VERSION`. A SQLite file is created if missing.
pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Arc<dyn Store>, StoreError> {
    let scheme = url
        .split_once(':')
        .map(|(scheme, _)| scheme)
        .unwrap_or_default();
    match scheme.to_ascii_lowercase().as_str() {
        "sqlite" => Ok(Arc::new(SqliteStore::connect(url, options).await?)),
        "postgres" | "postgresql" => Ok(Arc::new(PostgresStore::connect(url, options).await?)),
        _ => Err(StoreError::UnsupportedUrl {
            scheme: scheme.to_owned(),
        }),
    }
}

/// `url` with its password, if any, replaced by `***`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((credentials, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://ferry:s3cr@t@db:5432/ferry?sslmode=disable"),
            "postgres://ferry:***@db:5432/ferry?sslmode=disable"
        );
        assert_eq!(
            redact_url("postgres://ferry@db/ferry"),
            "postgres://ferry@db/ferry"
        );
        assert_eq!(redact_url("sqlite://ferry.db"), "sqlite://ferry.db");
    }

    #[tokio::test]
    async fn unknown_url_schemes_are_config_errors() {
        let error = connect("mysql://localhost/ferry").await.unwrap_err();
        assert_eq!(error.class(), ErrorClass::Config);
        assert!(error.to_string().contains("`mysql`"), "{error}");
        let error = connect("ferry.db").await.unwrap_err();
        assert!(
            matches!(error, StoreError::UnsupportedUrl { .. }),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn in_memory_sqlite_works() {
        let store = connect("sqlite::memory:").await.unwrap();
        assert_eq!(store.backend(), Backend::Sqlite);
        store.advance_checkpoint("orders", None, 42).await.unwrap();
        let checkpoint = store.checkpoint("orders").await.unwrap();
        assert_eq!(checkpoint.map(|checkpoint| checkpoint.position), Some(42));
        store.close().await;
    }
}
