//! The target seam: one batch of mapped rows per call, one outcome per row.
//!
//! Contract: `write` is idempotent per row key (writing a row twice leaves the target as if it
//! were written once: REPLACE INTO, upserts, saves by number), so the engine can re-send a batch
//! whose outcome it never recorded. `Ok` carries exactly one outcome per input row, in order;
//! a row the target rejected is `Failed` with the target's message while the others land. `Err`
//! means nothing is known about the batch (connection lost, server gone): the engine retries
//! transient errors and otherwise leaves the rows pending.

use std::fmt::Debug;

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::error::CallError;

/// One mapped record: the scheme's target `request` rendered for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The ledger key of the record, for messages.
    pub key: String,
    /// Field name → rendered value.
    pub values: Map<String, Value>,
}

/// What the target did with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// Stored.
    Written,
    /// Rejected, with the target's message.
    Failed { error: String },
}

/// Something rows are written to.
#[async_trait]
pub trait Target: Send + Sync + Debug {
    /// Most rows one `write` call takes; the engine batches by the smaller of this and the
    /// scheme's `limit`.
    fn max_batch(&self) -> usize;

    /// How many `write` calls may run at once.
    fn concurrency(&self) -> usize;

    /// Writes one batch.
    async fn write(&self, rows: &[Row]) -> Result<Vec<RowOutcome>, CallError>;
}
