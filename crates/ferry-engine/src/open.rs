//! Opening a run: the scheme's source and target connections, limiters and key rule.
//!
//! Contract: `open_context` fails before anything is fetched when a connection is missing,
//! names a platform ferry cannot call yet, lacks a setting, or (for SQL targets) cannot be
//! reached; the error names the connection and says what to fix. It opens no run and takes no
//! lease. Secrets never appear in its messages.

use std::sync::Arc;

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

/// Opens everything a run of `scheme` needs.
pub async fn open_context(
    config: &Config,
    scheme: Arc<Scheme>,
    store: Arc<dyn Store>,
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
        source_calls: caller(source_connection),
        target_calls: caller(target_connection),
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
