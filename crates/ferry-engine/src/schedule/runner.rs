//! What the scheduler does when a scheme's turn comes: open the run and run the engine.
//!
//! Contract: [`Runner::run`] runs one run of one scheme to its end and returns the engine's
//! report, or `Err` with a message when the run could not start (connection, ledger, lease,
//! a remedy whose time fields do not render). It stops early when `cancel` fires. Kinds:
//! `Scheduled` and `Manual` are normal runs; `Remedy` is planned by [`super::remedy`];
//! `Retry` moves the scheme's failed records back to pending and then only writes pending
//! records. The scheduler guarantees it never calls `run` twice at once for one scheme.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ferry_model::{Config, Scheme};
use ferry_store::{RunKind, Store};
use tokio_util::sync::CancellationToken;

use super::remedy;
use crate::lookup::Collections;
use crate::open::{Limiters, open_context_with};
use crate::run::{RunMode, RunOptions, RunReport, run};

/// How often a run renews its lease.
pub const HEARTBEAT: Duration = Duration::from_secs(20);

/// Runs one run of one scheme.
#[async_trait]
pub trait Runner: Send + Sync {
    /// Runs `scheme` once as `kind`, with `now` as the run's "now" (unix seconds).
    async fn run(
        &self,
        scheme: &Arc<Scheme>,
        kind: RunKind,
        now: i64,
        cancel: CancellationToken,
    ) -> Result<RunReport, String>;
}

/// The real runner: the engine against the configured connections and ledger, with one
/// limiter per connection shared by every scheme for the runner's lifetime.
#[derive(Debug)]
pub struct EngineRunner {
    config: Arc<Config>,
    store: Arc<dyn Store>,
    collections: Arc<Collections>,
    limiters: Limiters,
}

impl EngineRunner {
    /// A runner for `config`'s connections, keeping records in `store`.
    pub fn new(
        config: Arc<Config>,
        store: Arc<dyn Store>,
        collections: Arc<Collections>,
    ) -> EngineRunner {
        EngineRunner {
            config,
            store,
            collections,
            limiters: Limiters::default(),
        }
    }

    /// The shared limiters (one per connection).
    pub fn limiters(&self) -> &Limiters {
        &self.limiters
    }
}

#[async_trait]
impl Runner for EngineRunner {
    async fn run(
        &self,
        scheme: &Arc<Scheme>,
        kind: RunKind,
        now: i64,
        cancel: CancellationToken,
    ) -> Result<RunReport, String> {
        let ledger = |error: ferry_store::StoreError| format!("ledger: {error}");
        let mut options = RunOptions {
            mode: RunMode::Sync,
            kind,
            from: None,
            to: None,
            now,
            heartbeat: HEARTBEAT,
        };
        let mut run_scheme = Arc::clone(scheme);
        match kind {
            RunKind::Retry => {
                let moved = self
                    .store
                    .retry_failed(&scheme.name)
                    .await
                    .map_err(ledger)?;
                tracing::info!(scheme = %scheme.name, moved, "failed records are pending again");
                options.mode = RunMode::DrainOnly;
            }
            RunKind::Remedy => {
                let checkpoint = self
                    .store
                    .checkpoint(&scheme.name)
                    .await
                    .map_err(ledger)?
                    .map(|checkpoint| checkpoint.position);
                let plan = remedy::plan(scheme, checkpoint, now)?;
                run_scheme = plan.scheme;
                options.from = plan.from;
                options.to = plan.to;
            }
            RunKind::Manual | RunKind::Scheduled => {}
        }
        let mut context = open_context_with(
            &self.config,
            run_scheme,
            Arc::clone(&self.store),
            &self.limiters,
        )
        .await
        .map_err(|error| error.to_string())?;
        context.collections = Arc::clone(&self.collections);
        context.cancel = cancel;
        run(&context, &options).await.map_err(ledger)
    }
}
