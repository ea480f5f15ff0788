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
//! - Each record is mapped (the target's `request` rendered) as it reaches its lane, so a batch
//!   holds positional rows, not payloads; a mapping error fails that record alone.
//! - The batch goes through the target connection's limiter and retry policy. Its per-row
//!   outcomes are stored with `record_outcomes`, each for the hash that was written, by the
//!   lane's recorder task, in the order the batches were written, while the lane maps and
//!   writes its next batch (at most `OUTCOME_QUEUE` batches' outcomes wait). A crash before
//!   they are stored leaves the records pending: the next run writes them again.
//! - A batch the target failed as a whole leaves its records pending (the next run writes
//!   them) and stops the lane with the error, which fails the run; so does a ledger error
//!   while storing outcomes.

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
use crate::request::{render_values, rendered_names};
use crate::retry;

/// A lane with a partial batch writes it after this long without new records.
const FLUSH_AFTER: Duration = Duration::from_millis(500);
/// Records queued per lane ahead of the batch being filled: enough to keep the lane busy
/// while the fetcher stores the next page, small enough to keep memory flat.
const LANE_QUEUE: usize = 256;
/// Written batches per lane whose outcomes wait to be stored while the lane goes on.
const OUTCOME_QUEUE: usize = 2;

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
        let shared = Arc::new(LaneShared {
            vars,
            fields: rendered_names(&context.scheme.target.adapter.request).into(),
        });
        for _ in 0..lanes_count {
            let (sender, receiver) = mpsc::channel(LANE_QUEUE);
            lanes.push(sender);
            tasks.spawn(lane(
                context.clone(),
                Arc::clone(&shared),
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

/// What every lane of a run reads.
#[derive(Debug)]
struct LaneShared {
    /// The run variables templates see while mapping.
    vars: RunVars,
    /// The names of a mapped row's values (`Row::fields`).
    fields: Arc<[String]>,
}

/// One lane: maps and writes batches, while its recorder stores the outcomes of the batches
/// written before. The first error (the lane's, else the recorder's) ends it.
async fn lane(
    context: RunContext,
    shared: Arc<LaneShared>,
    receiver: mpsc::Receiver<WriteItem>,
    batch_size: usize,
) -> Result<(), String> {
    let (outcomes, pending_outcomes) = mpsc::channel(OUTCOME_QUEUE);
    let recorder = tokio::spawn(record_outcomes(context.clone(), pending_outcomes));
    let written = write_lane(&context, &shared, receiver, batch_size, outcomes).await;
    let recorded = recorder
        .await
        .unwrap_or_else(|error| Err(format!("the outcome recorder failed: {error}")));
    match (written, recorded) {
        // The lane stopped because the recorder did: the recorder's error says why.
        (Err(WriteStop::RecorderGone), recorded) => recorded,
        (Err(WriteStop::Failed(error)), _) => Err(error),
        (Ok(()), recorded) => recorded,
    }
}

/// Why a lane stopped writing.
#[derive(Debug)]
enum WriteStop {
    /// The target or the mapping of a batch failed.
    Failed(String),
    /// The recorder stopped (its result says why).
    RecorderGone,
}

impl From<String> for WriteStop {
    fn from(error: String) -> Self {
        WriteStop::Failed(error)
    }
}

/// Stores each written batch's outcomes, in the order the lane wrote them.
async fn record_outcomes(
    context: RunContext,
    mut batches: mpsc::Receiver<Vec<RecordOutcome>>,
) -> Result<(), String> {
    while let Some(outcomes) = batches.recv().await {
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
    }
    Ok(())
}

/// The lane's own loop: fills batches from `receiver` and writes them, handing each batch's
/// outcomes to the recorder.
async fn write_lane(
    context: &RunContext,
    shared: &LaneShared,
    mut receiver: mpsc::Receiver<WriteItem>,
    batch_size: usize,
    outcomes: mpsc::Sender<Vec<RecordOutcome>>,
) -> Result<(), WriteStop> {
    let write = |entries| async {
        let done = write_batch(context, entries).await?;
        outcomes
            .send(done)
            .await
            .map_err(|_| WriteStop::RecorderGone)
    };
    let mut batch = Batch::default();
    let with_lookups = has_lookups(&context.scheme.target.adapter.request);
    loop {
        let next = if batch.is_empty() {
            receiver.recv().await
        } else {
            match tokio::time::timeout(FLUSH_AFTER, receiver.recv()).await {
                Ok(next) => next,
                Err(_idle) => {
                    write(batch.take()).await?;
                    continue;
                }
            }
        };
        let Some(item) = next else {
            if !batch.is_empty() {
                write(batch.take()).await?;
            }
            return Ok(());
        };
        // Mapped on arrival: the batch holds rows (positional values) instead of the
        // records' full payloads, a third of the memory.
        let mapped = match &item.payload {
            Value::Object(record) => map_record(context, record, &shared.vars, with_lookups).await,
            _ => Err("mapping failed: the stored record is not an object".to_owned()),
        };
        let entry = match mapped {
            Ok(values) => Mapped::Row {
                row: Row {
                    key: item.key,
                    fields: Arc::clone(&shared.fields),
                    values,
                },
                hash: item.hash,
            },
            Err(error) => Mapped::Failed(RecordOutcome {
                key: item.key,
                hash: item.hash,
                outcome: Outcome::Failed { error },
            }),
        };
        batch.push(entry);
        if batch.len() >= batch_size {
            write(batch.take()).await?;
        }
    }
}

/// A record of a batch, mapped, or failed by its mapping.
#[derive(Debug)]
enum Mapped {
    Row { row: Row, hash: ContentHash },
    Failed(RecordOutcome),
}

impl Mapped {
    fn key(&self) -> &str {
        match self {
            Mapped::Row { row, .. } => &row.key,
            Mapped::Failed(outcome) => &outcome.key,
        }
    }
}

/// Records of one batch, each key once (its newest version).
#[derive(Debug, Default)]
struct Batch {
    entries: Vec<Mapped>,
    positions: HashMap<String, usize>,
}

impl Batch {
    fn push(&mut self, entry: Mapped) {
        match self.positions.entry(entry.key().to_owned()) {
            Entry::Occupied(position) => self.entries[*position.get()] = entry,
            Entry::Vacant(slot) => {
                slot.insert(self.entries.len());
                self.entries.push(entry);
            }
        }
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn take(&mut self) -> Vec<Mapped> {
        self.positions.clear();
        std::mem::take(&mut self.entries)
    }
}

/// Renders the target's `request` for one record (values positioned as `LaneShared::fields`),
/// answering its lookups first.
async fn map_record(
    context: &RunContext,
    record: &Record,
    vars: &RunVars,
    with_lookups: bool,
) -> Result<Vec<Value>, String> {
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
        render_values(fields, &scope, Some(&answers))
    } else {
        render_values(fields, &scope, None)
    };
    mapped.map_err(|error| format!("mapping failed: {error}"))
}

/// Writes the mapped rows of a batch; returns every entry's outcome.
async fn write_batch(
    context: &RunContext,
    entries: Vec<Mapped>,
) -> Result<Vec<RecordOutcome>, String> {
    let mut outcomes = Vec::with_capacity(entries.len());
    let mut rows = Vec::with_capacity(entries.len());
    let mut row_hashes = Vec::with_capacity(entries.len());
    for entry in entries {
        match entry {
            Mapped::Row { row, hash } => {
                row_hashes.push(hash);
                rows.push(row);
            }
            Mapped::Failed(outcome) => outcomes.push(outcome),
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
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn row(key: &str, value: Value, hash: u8) -> Mapped {
        Mapped::Row {
            row: Row {
                key: key.to_owned(),
                fields: vec!["v".to_owned()].into(),
                values: vec![value],
            },
            hash: ContentHash([hash; 16]),
        }
    }

    fn failed(key: &str, hash: u8) -> Mapped {
        Mapped::Failed(RecordOutcome {
            key: key.to_owned(),
            hash: ContentHash([hash; 16]),
            outcome: Outcome::Failed {
                error: "mapping failed".to_owned(),
            },
        })
    }

    fn summary(entries: &[Mapped]) -> Vec<(String, Option<Value>)> {
        entries
            .iter()
            .map(|entry| match entry {
                Mapped::Row { row, .. } => (row.key.clone(), Some(row.values[0].clone())),
                Mapped::Failed(outcome) => (outcome.key.clone(), None),
            })
            .collect()
    }

    #[test]
    fn a_batch_keeps_each_keys_newest_entry_in_first_arrival_order() {
        let mut batch = Batch::default();
        batch.push(row("a", json!(1), 1));
        batch.push(failed("b", 1));
        batch.push(row("c", json!(1), 1));
        batch.push(failed("a", 2));
        batch.push(row("b", json!(2), 2));
        assert_eq!(batch.len(), 3);
        let entries = batch.take();
        assert_eq!(
            summary(&entries),
            [
                ("a".to_owned(), None),
                ("b".to_owned(), Some(json!(2))),
                ("c".to_owned(), Some(json!(1)))
            ]
        );
        assert!(batch.is_empty());
        batch.push(row("a", json!(3), 3));
        assert_eq!(summary(&batch.take()), [("a".to_owned(), Some(json!(3)))]);
    }
}
