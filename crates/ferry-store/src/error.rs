//! `StoreError`, the one error type of the store, and its `ErrorClass`.
//!
//! Contract: every failure of a store operation is a `StoreError`; `class()` tells the engine
//! what to do with it (STYLE.md "Errors have a class"): `Transient` → back off and retry,
//! `Config` → fix the setup, `Internal` → fail the run and alert. Messages are lowercase, carry
//! the scheme or run they concern, and never contain a connection password.

use jiff::Timestamp;

/// What the caller should do about an error (STYLE.md error classification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The setup is wrong (URL, credentials, database missing); retrying will not help.
    Config,
    /// One record's data is wrong; the record fails, the run goes on.
    Data,
    /// Likely to succeed later (connection lost, database busy, another run holds the lease).
    Transient,
    /// A bug or a broken invariant (conflicting checkpoint, corrupt row); fail the run and alert.
    Internal,
}

/// An error of a store operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store URL names a backend this build does not have.
    #[error(
        "unsupported store URL scheme `{scheme}` (supported: `sqlite`, `postgres`, `postgresql`)"
    )]
    UnsupportedUrl { scheme: String },

    /// The store URL could not be parsed.
    #[error("invalid store URL `{url}`")]
    InvalidUrl {
        /// The URL with any password replaced by `***`.
        url: String,
        #[source]
        source: sqlx::Error,
    },

    /// A database statement failed.
    #[error("store {operation} failed")]
    Database {
        /// What the store was doing, e.g. `record_fetched on scheme \`orders\``.
        operation: String,
        #[source]
        source: sqlx::Error,
    },

    /// Applying the schema migrations failed.
    #[error("store schema migration failed")]
    Migrate {
        #[source]
        source: sqlx::migrate::MigrateError,
    },

    /// The stored checkpoint is not the one the caller expected: deltas must chain.
    #[error(
        "checkpoint of scheme `{scheme}` is {actual:?}, expected {expected:?}: another run moved \
         it or the caller skipped a window"
    )]
    CheckpointConflict {
        scheme: String,
        expected: Option<i64>,
        actual: Option<i64>,
    },

    /// A checkpoint may only move forward (or be set explicitly with `reset_checkpoint`).
    #[error("checkpoint of scheme `{scheme}` cannot move back from {current} to {to}")]
    CheckpointBackwards {
        scheme: String,
        current: i64,
        to: i64,
    },

    /// Another run of the scheme holds the lease.
    #[error(
        "scheme `{scheme}` is already running (run {run_id} held by `{holder}` until {expires_at}); \
         wait for it to finish or for its lease to expire"
    )]
    RunInProgress {
        scheme: String,
        run_id: i64,
        holder: String,
        expires_at: Timestamp,
    },

    /// The run's lease expired and another run took the scheme over; the run must stop.
    #[error("run {run_id} of scheme `{scheme}` lost its lease; stop writing")]
    LeaseLost { scheme: String, run_id: i64 },

    /// No run has this id.
    #[error("unknown run {run_id}")]
    UnknownRun { run_id: i64 },

    /// An outcome names a record the ledger of the scheme does not hold.
    #[error("scheme `{scheme}` has no ledger record with key `{key}`")]
    UnknownRecord { scheme: String, key: String },

    /// A stored row does not decode (bad status text, hash of the wrong length, invalid JSON).
    #[error("corrupt {table} row for `{key}`: {reason}")]
    CorruptRow {
        table: &'static str,
        key: String,
        reason: String,
    },
}

impl StoreError {
    /// Whether the caller should retry, fix the setup, or fail the run.
    pub fn class(&self) -> ErrorClass {
        match self {
            StoreError::UnsupportedUrl { .. } | StoreError::InvalidUrl { .. } => ErrorClass::Config,
            StoreError::Database { source, .. } => classify_sqlx(source),
            StoreError::Migrate { source } => match source {
                // The database was migrated by a newer ferry than this binary.
                sqlx::migrate::MigrateError::VersionMissing(_) => ErrorClass::Config,
                sqlx::migrate::MigrateError::Execute(inner) => classify_sqlx(inner),
                _ => ErrorClass::Internal,
            },
            StoreError::RunInProgress { .. } => ErrorClass::Transient,
            StoreError::CheckpointConflict { .. }
            | StoreError::CheckpointBackwards { .. }
            | StoreError::LeaseLost { .. }
            | StoreError::UnknownRun { .. }
            | StoreError::UnknownRecord { .. }
            | StoreError::CorruptRow { .. } => ErrorClass::Internal,
        }
    }

    pub(crate) fn database(operation: impl Into<String>) -> impl FnOnce(sqlx::Error) -> Self {
        let operation = operation.into();
        move |source| StoreError::Database { operation, source }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(source: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate { source }
    }
}

/// Classifies a driver error: lost connections and lock contention are transient, rejected
/// credentials and missing databases are configuration, everything else is internal.
fn classify_sqlx(error: &sqlx::Error) -> ErrorClass {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => ErrorClass::Transient,
        sqlx::Error::Configuration(_) => ErrorClass::Config,
        sqlx::Error::Database(database_error) => {
            let code = database_error.code().unwrap_or_default();
            if database_error
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some()
            {
                classify_sqlstate(&code)
            } else {
                classify_sqlite_code(&code)
            }
        }
        _ => ErrorClass::Internal,
    }
}

/// Maps a SQLite (extended) result code to a class.
fn classify_sqlite_code(code: &str) -> ErrorClass {
    // 5 SQLITE_BUSY, 6 SQLITE_LOCKED and their extended codes (e.g. 517 BUSY_SNAPSHOT);
    // 14 SQLITE_CANTOPEN, 23 SQLITE_AUTH, 26 SQLITE_NOTADB.
    match code.parse::<i32>().map(|code| code & 0xff) {
        Ok(5 | 6) => ErrorClass::Transient,
        Ok(14 | 23 | 26) => ErrorClass::Config,
        _ => ErrorClass::Internal,
    }
}

/// Maps a PostgreSQL SQLSTATE to a class.
fn classify_sqlstate(code: &str) -> ErrorClass {
    // PostgreSQL: 08 connection exception, 40001 serialization failure, 40P01 deadlock,
    // 53 insufficient resources, 57P01-57P03 shutdown; 28 invalid authorization, 3D000 no such
    // database, 42501 insufficient privilege.
    if code.starts_with("08")
        || code == "40001"
        || code == "40P01"
        || code.starts_with("53")
        || code.starts_with("57P")
    {
        return ErrorClass::Transient;
    }
    if code.starts_with("28") || code == "3D000" || code == "42501" {
        return ErrorClass::Config;
    }
    ErrorClass::Internal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_codes_have_classes() {
        assert_eq!(classify_sqlite_code("5"), ErrorClass::Transient);
        assert_eq!(classify_sqlite_code("517"), ErrorClass::Transient);
        assert_eq!(classify_sqlite_code("26"), ErrorClass::Config);
        assert_eq!(classify_sqlite_code("2067"), ErrorClass::Internal);
        assert_eq!(classify_sqlstate("40001"), ErrorClass::Transient);
        assert_eq!(classify_sqlstate("08006"), ErrorClass::Transient);
        assert_eq!(classify_sqlstate("28P01"), ErrorClass::Config);
        assert_eq!(classify_sqlstate("3D000"), ErrorClass::Config);
        assert_eq!(classify_sqlstate("23505"), ErrorClass::Internal);
    }

    #[test]
    fn unsupported_url_lists_choices() {
        let error = StoreError::UnsupportedUrl {
            scheme: "mysql".to_owned(),
        };
        assert_eq!(error.class(), ErrorClass::Config);
        assert_eq!(
            error.to_string(),
            "unsupported store URL scheme `mysql` (supported: `sqlite`, `postgres`, `postgresql`)"
        );
    }
}
