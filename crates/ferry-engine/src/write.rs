//! The write side of a run: pending ledger records → mapped rows → target batches → outcomes.
//!
//! Contract:
//! - Records arrive through [`Writer::send`] on bounded channels (back-pressure reaches the
//!   fetcher when the target is slower). They are routed to one of `Target::concurrency()`
//!   lanes by a hash of their key; each lane writes its batches one after another, so two
//!   versions of one record are written in fetch order and the newest wins in the target.
//! - A lane fills a batch up to the batch size (the scheme's `limit`, capped by the target),
//!   or flushes what it has when no record arrived for `FLUSH_AFTER`, or when input ends.
//!   Within a batch a key appears once (its newest version).
//! - Each record is mapped by rendering the target's `request`; a mapping error fails that
//!   record alone. The batch goes through the target connection's limiter and retry policy;
//!   the per-row outcomes are stored with `record_outcomes`, each for the hash that was
//!   written. A batch the target failed as a whole leaves its records pending (the next run
//!   writes them) and stops the lane with the error, which fails the run.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::time::Duration;

use ferry_expr::{Record, RecordScope, RunVars};
use ferry_platforms::{Row, RowOutcome};
use ferry_store::{ContentHash, Outcome, RecordOutcome};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::context::RunContext;
use crate::fetch::FetchError;
use crate::lookup::{answer, has_lookups};
use crate::request::{render_fields, render_fields_with};
use crate::retry;

/// A lane with a partial batch writes it after this long without new records.
const FLUSH_AFTER: Duration = Duration::from_millis(500);
/// Records queued per lane ahead of the batch being filled: enough to keep the lane busy
/// while the fetcher stores the next page, small enough to keep memory flat.
const LANE_QUEUE: usize = 256;

/// One record to write.
#[derive(Debug)]
pub struct WriteItem {
    pub key: String,
    pub hash: ContentHash,
    pub payload: Value,
}

/// The running lanes of one run.
#[derive(Debug)]
pub struct Writer {
    lanes: Vec<mpsc::Sender<WriteItem>>,
    tasks: JoinSet<Result<(), String>>,
}

impl Writer {
    /// Starts the lanes; `vars` are the run variables templates see while mapping.
    pub fn start(context: &RunContext, vars: RunVars, batch_size: usize) -> Writer {
        let lanes_count = context.target.concurrency().max(1);
        let batch_size = batch_size.clamp(1, context.target.max_batch().max(1));
        let mut lanes = Vec::with_capacity(lanes_count);
        let mut tasks = JoinSet::new();
        let vars = Arc::new(vars);
        for _ in 0..lanes_count {
            let (sender, receiver) = mpsc::channel(LANE_QUEUE);
            lanes.push(sender);
            tasks.spawn(lane(
                context.clone(),
                Arc::clone(&vars),
                receiver,
                batch_size,
            ));
        }
        Writer { lanes, tasks }
    }

    /// Queues a record, waiting while its lane is full; fails when the lane has stopped
    /// (its error comes from [`Writer::finish`]).
    pub async fn send(
        &self,
        key: String,
        hash: ContentHash,
        payload: Value,
    ) -> Result<(), FetchError> {
        let lane = (xxhash_rust::xxh3::xxh3_64(key.as_bytes()) % self.lanes.len() as u64) as usize;
        let item = WriteItem { key, hash, payload };
        self.lanes[lane]
            .send(item)
            .await
            .map_err(|_| FetchError::Failed("the writer stopped (see the target error)".to_owned()))
    }

    /// Ends the input, waits for every lane to write what it holds; the first lane error.
    pub async fn finish(self) -> Result<(), String> {
        drop(self.lanes);
        let mut first_error = None;
        for result in self.tasks.join_all().await {
            if let Err(error) = result {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

async fn lane(
    context: RunContext,
    vars: Arc<RunVars>,
    mut receiver: mpsc::Receiver<WriteItem>,
    batch_size: usize,
) -> Result<(), String> {
    let mut batch = Batch::default();
    loop {
        let next = if batch.items.is_empty() {
            receiver.recv().await
        } else {
            match tokio::time::timeout(FLUSH_AFTER, receiver.recv()).await {
                Ok(next) => next,
                Err(_idle) => {
                    write_batch(&context, &vars, batch.take()).await?;
                    continue;
                }
            }
        };
        let Some(item) = next else {
            if !batch.items.is_empty() {
                write_batch(&context, &vars, batch.take()).await?;
            }
            return Ok(());
        };
        batch.push(item);
        if batch.items.len() >= batch_size {
            write_batch(&context, &vars, batch.take()).await?;
        }
    }
}

/// Records of one batch, each key once.
#[derive(Debug, Default)]
struct Batch {
    items: Vec<WriteItem>,
    positions: HashMap<String, usize>,
}

impl Batch {
    fn push(&mut self, item: WriteItem) {
        match self.positions.entry(item.key.clone()) {
            Entry::Occupied(position) => self.items[*position.get()] = item,
            Entry::Vacant(slot) => {
                slot.insert(self.items.len());
                self.items.push(item);
            }
        }
    }

    fn take(&mut self) -> Vec<WriteItem> {
        self.positions.clear();
        std::mem::take(&mut self.items)
    }
}

/// Renders the target's `request` for one record, answering its lookups first.
async fn map_record(
    context: &RunContext,
    record: &Record,
    vars: &RunVars,
    with_lookups: bool,
) -> Result<serde_json::Map<String, Value>, String> {
    let fields = &context.scheme.target.adapter.request;
    let scope = RecordScope::new(record, vars).absent_as_null();
    let mapped = if with_lookups {
        let answers = answer(
            context.store.as_ref(),
            &context.collections,
            fields,
            record,
            vars,
        )
        .await?;
        render_fields_with(fields, &scope, &answers)
    } else {
        render_fields(fields, &scope)
    };
    mapped.map_err(|error| format!("mapping failed: {error}"))
}

async fn write_batch(
    context: &RunContext,
    vars: &RunVars,
    items: Vec<WriteItem>,
) -> Result<(), String> {
    let fields = &context.scheme.target.adapter.request;
    let mut outcomes = Vec::with_capacity(items.len());
    let mut rows = Vec::with_capacity(items.len());
    let mut row_hashes = Vec::with_capacity(items.len());
    let with_lookups = has_lookups(fields);
    for item in items {
        let mapped = match &item.payload {
            Value::Object(record) => map_record(context, record, vars, with_lookups).await,
            _ => Err("mapping failed: the stored record is not an object".to_owned()),
        };
        match mapped {
            Ok(values) => {
                row_hashes.push(item.hash);
                rows.push(Row {
                    key: item.key,
                    values,
                });
            }
            Err(error) => outcomes.push(RecordOutcome {
                key: item.key,
                hash: item.hash,
                outcome: Outcome::Failed { error },
            }),
        }
    }
    if !rows.is_empty() {
        let calls = &context.target_calls;
        let results = retry::call(&calls.limiter, calls.policy, &context.stats, || {
            context.target.write(&rows)
        })
        .await
        .map_err(|error| format!("target `{}`: {error}", calls.connection))?;
        if results.len() != rows.len() {
            return Err(format!(
                "target `{}` answered {} outcomes for {} rows",
                calls.connection,
                results.len(),
                rows.len()
            ));
        }
        for ((row, hash), result) in rows.into_iter().zip(row_hashes).zip(results) {
            outcomes.push(RecordOutcome {
                key: row.key,
                hash,
                outcome: match result {
                    RowOutcome::Written => Outcome::Written,
                    RowOutcome::Failed { error } => Outcome::Failed { error },
                },
            });
        }
    }
    let written = outcomes
        .iter()
        .filter(|outcome| outcome.outcome == Outcome::Written)
        .count() as u64;
    let failed = outcomes.len() as u64 - written;
    context
        .store
        .record_outcomes(&context.scheme.name, &outcomes)
        .await
        .map_err(|error| format!("ledger: {error}"))?;
    context.stats.written.add(written);
    context.stats.failed.add(failed);
    Ok(())
}
