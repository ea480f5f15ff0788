//! Opening a run: the scheme's source and target connections, limiters and key rule.
//!
//! Contract: `open_context` fails before anything is fetched when a connection is missing,
//! names a platform ferry cannot call yet, lacks a setting, or (for SQL targets) cannot be
//! reached; the error names the connection and says what to fix. It opens no run and takes no
//! lease. Secrets never appear in its messages.
//!
//! Limiters: every scheme calling one connection must share its [`Limiter`], or two schemes
//! on one account together exceed the account's rate. [`Limiters`] keeps one caller (limiter
//! and retry policy) per connection name for as long as it lives; `ferry serve` keeps one for
//! the process and opens every run with [`open_context_with`]. [`open_context`] (one run,
//! the CLI) uses a fresh registry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use ferry_model::config::{Config, Connection};
use ferry_model::scheme::Scheme;
use ferry_platforms::{CallError, Row, RowOutcome, Target};
use ferry_store::Store;
use tokio_util::sync::CancellationToken;

use crate::context::{Caller, RunContext};
use crate::limiter::Limiter;
use crate::record::Keying;
use crate::retry::RetryPolicy;
use crate::stats::RunStats;

/// Why a scheme cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OpenError(pub String);

/// One caller (limiter and retry policy) per connection name, shared by every run opened
/// through it.
#[derive(Debug, Default)]
pub struct Limiters {
    callers: Mutex<HashMap<String, Caller>>,
}

impl Limiters {
    /// The caller of `connection`: made on first use, the same `Arc<Limiter>` afterwards.
    pub fn caller(&self, connection: &Connection) -> Caller {
        let mut callers = self.callers.lock().unwrap_or_else(PoisonError::into_inner);
        callers
            .entry(connection.name.clone())
            .or_insert_with(|| caller(connection))
            .clone()
    }
}

/// Opens everything a run of `scheme` needs, with limiters of its own (one run at a time).
pub async fn open_context(
    config: &Config,
    scheme: Arc<Scheme>,
    store: Arc<dyn Store>,
) -> Result<RunContext, OpenError> {
    open_context_with(config, scheme, store, &Limiters::default()).await
}

/// Opens everything a run of `scheme` needs, calling its connections through `limiters`.
pub async fn open_context_with(
    config: &Config,
    scheme: Arc<Scheme>,
    store: Arc<dyn Store>,
    limiters: &Limiters,
) -> Result<RunContext, OpenError> {
    let source_connection = connection(config, &scheme.source.adapter.connection.value)?;
    let target_connection = connection(config, &scheme.target.adapter.connection.value)?;
    let source = ferry_platforms::open_source(source_connection, &scheme.source.adapter.api.value)
        .map_err(|error| named(source_connection, error))?;
    let target = open_target(target_connection, &scheme)
        .await
        .map_err(|error| named(target_connection, error))?;
    let keying = Keying::new(&scheme, source.shape().modified_field)
        .map_err(OpenError)?
        .with_identity_field(source.identity_field());
    Ok(RunContext {
        scheme,
        store,
        source,
        target,
        source_calls: limiters.caller(source_connection),
        target_calls: limiters.caller(target_connection),
        keying,
        collections: Arc::default(),
        stats: Arc::new(RunStats::default()),
        cancel: CancellationToken::new(),
    })
}

/// The target of `scheme` on `connection`.
pub async fn open_target(
    connection: &Connection,
    scheme: &Scheme,
) -> Result<Arc<dyn Target>, CallError> {
    match connection.platform.name {
        "mysql" | "postgres" | "sqlite" => {
            let target = ferry_platforms::sql::open(connection, &scheme.target).await?;
            Ok(Arc::new(target))
        }
        "banniu" => {
            let target = ferry_platforms::banniu::open(connection, &scheme.target).await?;
            Ok(Arc::new(target))
        }
        "kingdee" => {
            let target = ferry_platforms::kingdee::open(connection, &scheme.target).await?;
            Ok(Arc::new(target))
        }
        "ledger" => Ok(Arc::new(LedgerOnly)),
        other => Err(CallError::Invalid {
            message: format!(
                "writing to platform `{other}` is not supported by this version of ferry; \
                 supported targets: mysql, postgres, sqlite, kingdee, banniu, ledger"
            ),
        }),
    }
}

/// A target that keeps records in the ledger and sends nothing (Qeasy's 写入空操作); also
/// what `--dry-run` writes to.
#[derive(Debug, Clone, Copy, Default)]
pub struct LedgerOnly;

#[async_trait]
impl Target for LedgerOnly {
    fn max_batch(&self) -> usize {
        10_000
    }

    fn concurrency(&self) -> usize {
        1
    }

    async fn write(&self, rows: &[Row]) -> Result<Vec<RowOutcome>, CallError> {
        Ok(vec![RowOutcome::Written; rows.len()])
    }
}

fn connection<'c>(config: &'c Config, name: &str) -> Result<&'c Connection, OpenError> {
    config.connections.get(name).ok_or_else(|| {
        OpenError(format!(
            "connection `{name}` is not in {}",
            config.path.display()
        ))
    })
}

fn named(connection: &Connection, error: CallError) -> OpenError {
    OpenError(format!("connection `{}`: {error}", connection.name))
}

fn caller(connection: &Connection) -> Caller {
    Caller {
        connection: connection.name.clone(),
        limiter: Arc::new(Limiter::new(connection.rate)),
        policy: RetryPolicy::new(connection.max_retries),
    }
}
