//! Ledger operations on PostgreSQL: one locking read and one `UNNEST` statement per call, in
//! one transaction; transitions decided by `crate::ledger`.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::{PgConnection, Postgres, QueryBuilder};

use super::PostgresStore;
use crate::error::StoreError;
use crate::ledger::{AppliedOutcomes, RecordState, apply_outcomes, plan_fetched};
use crate::lookup::{LookupCondition, matches, pushdown_equalities};
use crate::model::{
    Disposition, FetchedRecord, LedgerRecord, OutcomeEffect, RecordFilter, RecordOutcome,
    StatusCounts,
};
use crate::rows::{ledger_record, lookup_payload, record_state, status_counts};
use crate::sql;

const LEDGER_COLUMNS: &str = "record_key, status, hash, written_hash, attempts, last_error, \
     payload::text AS payload, source_modified, first_seen_at, fetched_at, updated_at";
const LEDGER_FROM: &str = "ledger_records";

const UPSERT_FETCHED: &str = "INSERT INTO ledger_records (scheme, record_key, status, hash, \
     payload, source_modified, attempts, last_error, first_seen_at, fetched_at, updated_at) \
     SELECT $1, t.record_key, t.status, t.hash, t.payload::json, t.source_modified, t.attempts, \
     t.last_error, $9, $9, $9 \
     FROM UNNEST($2::text[], $3::text[], $4::bytea[], $5::text[], $6::int8[], $7::int8[], \
     $8::text[]) AS t(record_key, status, hash, payload, source_modified, attempts, last_error) \
     ON CONFLICT (scheme, record_key) DO UPDATE SET status = excluded.status, \
     hash = excluded.hash, payload = excluded.payload, source_modified = excluded.source_modified, \
     attempts = excluded.attempts, last_error = excluded.last_error, \
     fetched_at = excluded.fetched_at, updated_at = excluded.updated_at";

const UPDATE_OUTCOMES: &str = "UPDATE ledger_records AS l SET status = v.status, \
     written_hash = v.written_hash, attempts = v.attempts, last_error = v.last_error, \
     updated_at = $7 \
     FROM UNNEST($2::text[], $3::text[], $4::bytea[], $5::int8[], $6::text[]) \
     AS v(record_key, status, written_hash, attempts, last_error) \
     WHERE l.scheme = $1 AND l.record_key = v.record_key";

crate::shared_queries::impl_shared_queries!(PostgresStore, Postgres);

impl PostgresStore {
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
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(StoreError::database(&operation))?;
        let keys: Vec<&str> = records.iter().map(|record| record.key.as_str()).collect();
        let existing = read_states(&mut tx, scheme, &keys, &operation).await?;
        let (dispositions, rows) = plan_fetched(records, &existing, id_check);
        let mut column_keys = Vec::with_capacity(rows.len());
        let mut column_statuses = Vec::with_capacity(rows.len());
        let mut column_hashes = Vec::with_capacity(rows.len());
        let mut column_payloads = Vec::with_capacity(rows.len());
        let mut column_modified = Vec::with_capacity(rows.len());
        let mut column_attempts = Vec::with_capacity(rows.len());
        let mut column_errors = Vec::with_capacity(rows.len());
        for row in &rows {
            column_keys.push(row.record.key.clone());
            column_statuses.push(row.status.as_str());
            column_hashes.push(row.record.hash.0.to_vec());
            column_payloads.push(row.record.payload_text().into_owned());
            column_modified.push(row.record.source_modified);
            column_attempts.push(i64::from(row.attempts));
            column_errors.push(row.last_error.clone());
        }
        sqlx::query(UPSERT_FETCHED)
            .bind(scheme)
            .bind(column_keys)
            .bind(column_statuses)
            .bind(column_hashes)
            .bind(column_payloads)
            .bind(column_modified)
            .bind(column_attempts)
            .bind(column_errors)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::database(&operation))?;
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
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(StoreError::database(&operation))?;
        let keys: Vec<&str> = outcomes
            .iter()
            .map(|outcome| outcome.key.as_str())
            .collect();
        let states = read_states(&mut tx, scheme, &keys, &operation).await?;
        let AppliedOutcomes { effects, changed } = apply_outcomes(scheme, outcomes, states)?;
        let mut column_keys = Vec::with_capacity(changed.len());
        let mut column_statuses = Vec::with_capacity(changed.len());
        let mut column_written = Vec::with_capacity(changed.len());
        let mut column_attempts = Vec::with_capacity(changed.len());
        let mut column_errors = Vec::with_capacity(changed.len());
        for (key, state) in changed {
            column_keys.push(key.to_owned());
            column_statuses.push(state.status.as_str());
            column_written.push(state.written_hash.map(|hash| hash.0.to_vec()));
            column_attempts.push(i64::from(state.attempts));
            column_errors.push(state.last_error);
        }
        sqlx::query(UPDATE_OUTCOMES)
            .bind(scheme)
            .bind(column_keys)
            .bind(column_statuses)
            .bind(column_written)
            .bind(column_attempts)
            .bind(column_errors)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::database(&operation))?;
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
        let mut builder = QueryBuilder::<Postgres>::new(
            "SELECT record_key, payload::text AS payload FROM ledger_records WHERE scheme = ",
        );
        builder.push_bind(scheme.to_owned());
        for (segments, value) in pushdown_equalities(conditions) {
            let path: Vec<String> = segments
                .iter()
                .map(|segment| (*segment).to_owned())
                .collect();
            builder
                .push(" AND (payload #> ")
                .push_bind(path)
                .push("::text[])::jsonb = ");
            builder.push_bind(value.to_json_text()).push("::jsonb");
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

/// The current state of each of `keys` that is in the ledger, locked until the transaction ends.
async fn read_states(
    connection: &mut PgConnection,
    scheme: &str,
    keys: &[&str],
    operation: &str,
) -> Result<HashMap<String, RecordState>, StoreError> {
    let keys: Vec<String> = keys.iter().map(|key| (*key).to_owned()).collect();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM ledger_records WHERE scheme = $1 AND record_key = ANY($2) FOR UPDATE",
        sql::STATE_COLUMNS
    )))
    .bind(scheme)
    .bind(keys)
    .fetch_all(&mut *connection)
    .await
    .map_err(StoreError::database(operation))?;
    let mut states = HashMap::with_capacity(rows.len());
    for row in &rows {
        let (key, state) = record_state(row)?;
        states.insert(key, state);
    }
    Ok(states)
}
