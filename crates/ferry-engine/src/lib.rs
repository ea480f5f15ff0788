//! ferry's run engine.
//!
//! A run turns a scheme's checkpoint into windows ([`windows`]), renders each window's source
//! request ([`request`]), pages through the source ([`fetch`]) through one rate limiter per
//! connection ([`limiter`], [`retry`]), keeps every record in the ledger ([`record`]), writes
//! them to the target in batches ([`write`]), and moves the checkpoint only when a window's
//! records are durable ([`run`]). See DESIGN.md "How a run works".

pub mod context;
pub mod fetch;
pub mod limiter;
pub mod lookup;
pub mod open;
pub mod reconcile;
pub mod record;
pub mod request;
pub mod retry;
pub mod run;
pub mod schedule;
pub mod stats;
pub mod windows;
pub mod write;

pub use context::{Caller, RunContext};
pub use open::{Limiters, OpenError, open_context, open_context_with};
pub use run::{RunMode, RunOptions, RunOutcome, RunReport, run};
pub use stats::{RunStats, StatsSnapshot};
