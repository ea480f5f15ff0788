//! Everything one run of one scheme works with, opened once and shared by its tasks.
//!
//! Contract: a `RunContext` owns no run state beyond its counters; opening it (connections,
//! keying) validates what can be validated before anything is fetched, so a bad connection
//! fails the run before it takes the scheme's lease.

use std::sync::Arc;

use ferry_model::scheme::Scheme;
use ferry_platforms::{Source, Target};
use ferry_store::Store;
use tokio_util::sync::CancellationToken;

use crate::limiter::Limiter;
use crate::lookup::Collections;
use crate::record::Keying;
use crate::retry::RetryPolicy;
use crate::stats::RunStats;

/// How one connection is called: its limiter and retry policy.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Connection name, for messages.
    pub connection: String,
    pub limiter: Arc<Limiter>,
    pub policy: RetryPolicy,
}

/// One scheme, ready to run.
#[derive(Debug, Clone)]
pub struct RunContext {
    pub scheme: Arc<Scheme>,
    pub store: Arc<dyn Store>,
    pub source: Arc<dyn Source>,
    pub target: Arc<dyn Target>,
    pub source_calls: Caller,
    pub target_calls: Caller,
    pub keying: Keying,
    /// Where `_mongoQuery` collections live (scheme ids and names → scheme names); a collection
    /// not listed is taken as a scheme name.
    pub collections: Arc<Collections>,
    pub stats: Arc<RunStats>,
    /// Cancelled to stop the run early (Ctrl-C, shutdown): fetching stops, what was fetched is
    /// written, the run ends `cancelled`.
    pub cancel: CancellationToken,
}
