//! Ledger operations on SQLite: multi-row reads and upserts in one `BEGIN IMMEDIATE`
//! transaction per call, transitions decided by `crate::ledger`.
//!
//! A record's state lives in `ledger_records`, its payload in `ledger_payloads` (same key):
//! outcomes touch only the state row, and a fetch writes the payload only when it changed.
//!
//! The multi-row statements have as many tuples as the call has records, so nearly every call
//! is a new statement text: they are not kept in the connection's statement cache
//! (`persistent(false)`), where each would hold its compiled program (megabytes at a thousand
//! rows) until evicted.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{ROWS_PER_STATEMENT, SqliteStore};
use crate::error::StoreError;
use crate::ledger::{AppliedOutcomes, RecordState, apply_outcomes, plan_fetched};
use crate::lookup::{LookupCondition, PushdownValue, matches, pushdown_equalities};
use crate::model::{
    Disposition, FetchedRecord, LedgerRecord, OutcomeEffect, RecordFilter, RecordOutcome,
    StatusCounts,
};
use crate::rows::{ledger_record, lookup_payload, record_state, status_counts};
use crate::sql;

const LEDGER_COLUMNS: &str = "record_key, status, hash, written_hash, attempts, last_error, \
     payload, source_modified, first_seen_at, fetched_at, updated_at";
const LEDGER_FROM: &str = "ledger_records JOIN ledger_payloads USING (scheme, record_key)";

crate::shared_queries::impl_shared_queries!(SqliteStore, Sqlite);

impl SqliteStore {
    pub(super) async fn record_fetched_impl(
        &self,
        scheme: &str,
        records: &[FetchedRecord],
        id_check: bool,
    ) -> Result<Vec<Disposition>, StoreError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let operation = format!("record_fetched on scheme `{scheme}`");
        let now = self.options.now_millis();
        let mut tx = self.begin_write(&operation).await?;
        let keys: Vec<&str> = records.iter().map(|record| record.key.as_str()).collect();
        let existing = read_states(&mut tx, scheme, &keys, &operation).await?;
        let (dispositions, rows) = plan_fetched(records, &existing, id_check);
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut builder = QueryBuilder::<Sqlite>::new(
                "INSERT INTO ledger_records (scheme, record_key, status, hash, \
                 source_modified, attempts, last_error, first_seen_at, fetched_at, updated_at) ",
            );
            builder.push_values(chunk, |mut values, row| {
                values
                    .push_bind(scheme.to_owned())
                    .push_bind(row.record.key.clone())
                    .push_bind(row.status.as_str())
                    .push_bind(row.record.hash.0.to_vec())
                    .push_bind(row.record.source_modified)
                    .push_bind(i64::from(row.attempts))
                    .push_bind(row.last_error.clone())
                    .push_bind(now)
                    .push_bind(now)
                    .push_bind(now);
            });
            builder.push(
                " ON CONFLICT (scheme, record_key) DO UPDATE SET status = excluded.status, \
                 hash = excluded.hash, source_modified = excluded.source_modified, \
                 attempts = excluded.attempts, last_error = excluded.last_error, \
                 fetched_at = excluded.fetched_at, updated_at = excluded.updated_at",
            );
            execute(&mut tx, builder, &operation).await?;
        }
        let changed: Vec<&FetchedRecord> = rows
            .iter()
            .filter(|row| row.payload_changed)
            .map(|row| row.record)
            .collect();
        for chunk in changed.chunks(ROWS_PER_STATEMENT) {
            let mut builder = QueryBuilder::<Sqlite>::new(
                "INSERT INTO ledger_payloads (scheme, record_key, payload) ",
            );
            builder.push_values(chunk, |mut values, record| {
                values
                    .push_bind(scheme.to_owned())
                    .push_bind(record.key.clone())
                    .push_bind(record.payload_text().into_owned());
            });
            builder
                .push(" ON CONFLICT (scheme, record_key) DO UPDATE SET payload = excluded.payload");
            execute(&mut tx, builder, &operation).await?;
        }
        tx.commit()
            .await
            .map_err(StoreError::database(&operation))?;
        Ok(dispositions)
    }

    pub(super) async fn record_outcomes_impl(
        &self,
        scheme: &str,
        outcomes: &[RecordOutcome],
    ) -> Result<Vec<OutcomeEffect>, StoreError> {
        if outcomes.is_empty() {
            return Ok(Vec::new());
        }
        let operation = format!("record_outcomes on scheme `{scheme}`");
        let now = self.options.now_millis();
        let mut tx = self.begin_write(&operation).await?;
        let keys: Vec<&str> = outcomes
            .iter()
            .map(|outcome| outcome.key.as_str())
            .collect();
        let states = read_states(&mut tx, scheme, &keys, &operation).await?;
        let AppliedOutcomes { effects, changed } = apply_outcomes(scheme, outcomes, states)?;
        for chunk in changed.chunks(ROWS_PER_STATEMENT) {
            let mut builder = QueryBuilder::<Sqlite>::new(
                "UPDATE ledger_records SET \
                 status = v.column2, written_hash = v.column3, attempts = v.column4, \
                 last_error = v.column5, updated_at = ",
            );
            builder.push_bind(now);
            builder.push(" FROM (");
            builder.push_values(chunk, |mut values, (key, state)| {
                values
                    .push_bind((*key).to_owned())
                    .push_bind(state.status.as_str())
                    .push_bind(state.written_hash.map(|hash| hash.0.to_vec()))
                    .push_bind(i64::from(state.attempts))
                    .push_bind(state.last_error.clone());
            });
            builder.push(") AS v WHERE ledger_records.scheme = ");
            builder.push_bind(scheme.to_owned());
            builder.push(" AND ledger_records.record_key = v.column1");
            execute(&mut tx, builder, &operation).await?;
        }
        tx.commit()
            .await
            .map_err(StoreError::database(&operation))?;
        Ok(effects)
    }

    pub(super) async fn find_record_impl(
        &self,
        scheme: &str,
        conditions: &[LookupCondition],
    ) -> Result<Option<Value>, StoreError> {
        let operation = format!("lookup in scheme `{scheme}`");
        let mut builder = QueryBuilder::<Sqlite>::new(format!(
            "SELECT record_key, payload FROM {LEDGER_FROM} WHERE scheme = "
        ));
        builder.push_bind(scheme.to_owned());
        for (segments, value) in pushdown_equalities(conditions) {
            let Some(path) = json_path(&segments) else {
                continue;
            };
            builder
                .push(" AND json_extract(payload, ")
                .push_bind(path)
                .push(") = ");
            match value {
                PushdownValue::Text(text) => builder.push_bind(text),
                PushdownValue::Integer(number) => builder.push_bind(number),
                PushdownValue::Real(number) => builder.push_bind(number),
                PushdownValue::Bool(flag) => builder.push_bind(i64::from(flag)),
            };
        }
        builder.push(" ORDER BY fetched_at DESC, record_key");
        let query = builder.build();
        let mut rows = query.fetch(&self.pool);
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(StoreError::database(&operation))?
        {
            let payload = lookup_payload(&row)?;
            if matches(&payload, conditions) {
                return Ok(Some(payload));
            }
        }
        Ok(None)
    }
}

/// Runs a multi-row statement once (its text is not cached: see the module docs).
async fn execute(
    connection: &mut SqliteConnection,
    mut builder: QueryBuilder<Sqlite>,
    operation: &str,
) -> Result<(), StoreError> {
    builder
        .build()
        .persistent(false)
        .execute(connection)
        .await
        .map_err(StoreError::database(operation))?;
    Ok(())
}

/// The current state of each of `keys` that is in the ledger.
async fn read_states(
    connection: &mut SqliteConnection,
    scheme: &str,
    keys: &[&str],
    operation: &str,
) -> Result<HashMap<String, RecordState>, StoreError> {
    let mut states = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(ROWS_PER_STATEMENT) {
        let mut builder = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {} FROM ledger_records WHERE scheme = ",
            sql::STATE_COLUMNS
        ));
        builder
            .push_bind(scheme.to_owned())
            .push(" AND record_key IN (");
        let mut separated = builder.separated(", ");
        for key in chunk {
            separated.push_bind((*key).to_owned());
        }
        builder.push(")");
        let rows = builder
            .build()
            .persistent(false)
            .fetch_all(&mut *connection)
            .await
            .map_err(StoreError::database(operation))?;
        for row in &rows {
            let (key, state) = record_state(row)?;
            states.insert(key, state);
        }
    }
    Ok(states)
}

/// SQLite JSON path for object keys, each quoted (`$."content"."77213"`); `None` if a key
/// contains a double quote, which such a path cannot express.
fn json_path(segments: &[&str]) -> Option<String> {
    let mut path = String::from("$");
    for segment in segments {
        if segment.contains('"') {
            return None;
        }
        path.push_str(".\"");
        path.push_str(segment);
        path.push('"');
    }
    Some(path)
}
