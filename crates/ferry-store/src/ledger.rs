//! The ledger's state machine, shared by both backends: what a fetch or an outcome does to a
//! record. Pure functions; the backends read the current rows, call these, and write the result
//! in the same transaction.
//!
//! Rules (each exists to keep "every record reaches the target exactly once, in its latest
//! version, even after SIGKILL" true):
//! - A fetched key that is new becomes `pending`.
//! - A `pending` record stays `pending` whatever its new hash: its write may or may not have
//!   reached the target, so even a hash equal to `written_hash` must be written again (the
//!   target might hold the in-flight version).
//! - With `idCheck`, a `written` or `skipped` record whose new hash equals `written_hash` is
//!   not written again (`Disposition::Skipped`) and keeps its status: a `written` record is
//!   still what the target holds. A `failed` record is never skipped this way: its failed write may have been
//!   partly applied, so it is rewritten once its content changes.
//! - A `failed` record fetched again with the same hash stays `failed` (it would fail again);
//!   with another hash it becomes `pending`. `ferry retry` moves `failed` → `pending`.
//! - Everything else becomes `pending` (changed content, or `idCheck` off).
//! - `attempts` and `last_error` belong to a version: they reset when the hash changes.
//! - An outcome applies only to the version it names (`RecordOutcome::hash`); if a newer version
//!   was fetched meanwhile, the record stays pending (`OutcomeEffect::Superseded`), though a
//!   `Written` outcome still records what the target now holds as `written_hash`.

use std::collections::{HashMap, HashSet};

use crate::error::StoreError;
use crate::model::{
    ContentHash, Disposition, FetchedRecord, Outcome, OutcomeEffect, RecordOutcome, RecordStatus,
};

/// The part of a stored ledger row that decides transitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordState {
    pub status: RecordStatus,
    pub hash: ContentHash,
    pub written_hash: Option<ContentHash>,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// The row to upsert for one fetched record (`written_hash` and `first_seen_at` of an existing
/// row are left as they are).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FetchedRow<'a> {
    pub record: &'a FetchedRecord,
    pub status: RecordStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// Whether the stored payload differs from the record's (a new key, or another hash): a
    /// backend that stores payloads apart writes only these.
    pub payload_changed: bool,
}

/// Decides the disposition of every fetched record and the rows to upsert. `existing` holds the
/// stored state of the keys already in the ledger. Duplicate keys within `records`: the last one
/// counts, earlier ones are `Superseded` and produce no row.
pub(crate) fn plan_fetched<'a>(
    records: &'a [FetchedRecord],
    existing: &HashMap<String, RecordState>,
    id_check: bool,
) -> (Vec<Disposition>, Vec<FetchedRow<'a>>) {
    let mut last_index_of_key: HashMap<&str, usize> = HashMap::with_capacity(records.len());
    for (index, record) in records.iter().enumerate() {
        last_index_of_key.insert(record.key.as_str(), index);
    }
    let mut dispositions = Vec::with_capacity(records.len());
    let mut rows = Vec::with_capacity(last_index_of_key.len());
    for (index, record) in records.iter().enumerate() {
        if last_index_of_key.get(record.key.as_str()) != Some(&index) {
            dispositions.push(Disposition::Superseded);
            continue;
        }
        let (disposition, row) = on_fetched(record, existing.get(&record.key), id_check);
        dispositions.push(disposition);
        rows.push(row);
    }
    (dispositions, rows)
}

/// The transition of one fetched record.
fn on_fetched<'a>(
    record: &'a FetchedRecord,
    previous: Option<&RecordState>,
    id_check: bool,
) -> (Disposition, FetchedRow<'a>) {
    let Some(previous) = previous else {
        let row = FetchedRow {
            record,
            status: RecordStatus::Pending,
            attempts: 0,
            last_error: None,
            payload_changed: true,
        };
        return (Disposition::New, row);
    };
    let same_version = previous.hash == record.hash;
    let (attempts, last_error) = if same_version {
        (previous.attempts, previous.last_error.clone())
    } else {
        (0, None)
    };
    let unchanged_since_write = previous.written_hash == Some(record.hash);
    let (disposition, status) = match previous.status {
        RecordStatus::Pending => (Disposition::StillPending, RecordStatus::Pending),
        status @ (RecordStatus::Written | RecordStatus::Skipped)
            if id_check && unchanged_since_write =>
        {
            (Disposition::Skipped, status)
        }
        RecordStatus::Failed if same_version => (Disposition::StillFailed, RecordStatus::Failed),
        RecordStatus::Written | RecordStatus::Skipped | RecordStatus::Failed => {
            (Disposition::Changed, RecordStatus::Pending)
        }
    };
    (
        disposition,
        FetchedRow {
            record,
            status,
            attempts,
            last_error,
            payload_changed: !same_version,
        },
    )
}

/// The new state of a record after an outcome, and whether it applied to the current version.
pub(crate) fn on_outcome(
    previous: &RecordState,
    outcome: &RecordOutcome,
) -> (OutcomeEffect, RecordState) {
    let mut next = previous.clone();
    let current_version = previous.hash == outcome.hash;
    if let Outcome::Written = outcome.outcome {
        next.written_hash = Some(outcome.hash);
    }
    if !current_version {
        return (OutcomeEffect::Superseded, next);
    }
    match &outcome.outcome {
        Outcome::Written => {
            next.status = RecordStatus::Written;
            next.last_error = None;
        }
        Outcome::Failed { error } => {
            next.status = RecordStatus::Failed;
            next.attempts = previous.attempts.saturating_add(1);
            next.last_error = Some(error.clone());
        }
        Outcome::Skipped { reason } => {
            next.status = RecordStatus::Skipped;
            next.last_error = Some(reason.clone());
        }
    }
    (OutcomeEffect::Applied, next)
}

/// What `apply_outcomes` decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AppliedOutcomes<'o> {
    /// One per outcome, in order.
    pub effects: Vec<OutcomeEffect>,
    /// The final state of every key the outcomes concern, in first-mention order.
    pub changed: Vec<(&'o str, RecordState)>,
}

/// Applies outcomes in order to the stored `states` (consumed); returns one effect per outcome
/// and the final state of every key they concern. Fails if a key is not in `states`.
pub(crate) fn apply_outcomes<'o>(
    scheme: &str,
    outcomes: &'o [RecordOutcome],
    mut states: HashMap<String, RecordState>,
) -> Result<AppliedOutcomes<'o>, StoreError> {
    let mut effects = Vec::with_capacity(outcomes.len());
    let mut order: Vec<&str> = Vec::with_capacity(outcomes.len());
    let mut seen: HashSet<&str> = HashSet::with_capacity(outcomes.len());
    for outcome in outcomes {
        let Some(state) = states.get_mut(&outcome.key) else {
            return Err(StoreError::UnknownRecord {
                scheme: scheme.to_owned(),
                key: outcome.key.clone(),
            });
        };
        let (effect, next) = on_outcome(state, outcome);
        *state = next;
        effects.push(effect);
        if seen.insert(outcome.key.as_str()) {
            order.push(outcome.key.as_str());
        }
    }
    let changed = order
        .into_iter()
        .filter_map(|key| states.remove(key).map(|state| (key, state)))
        .collect();
    Ok(AppliedOutcomes { effects, changed })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn hash(byte: u8) -> ContentHash {
        ContentHash([byte; 16])
    }

    fn fetched(key: &str, hash_byte: u8) -> FetchedRecord {
        FetchedRecord {
            key: key.to_owned(),
            hash: hash(hash_byte),
            payload: json!({ "key": key }),
            payload_json: None,
            source_modified: None,
        }
    }

    fn state(status: RecordStatus, hash_byte: u8, written: Option<u8>) -> RecordState {
        RecordState {
            status,
            hash: hash(hash_byte),
            written_hash: written.map(hash),
            attempts: 2,
            last_error: Some("boom".to_owned()),
        }
    }

    fn disposition_of(previous: Option<RecordState>, hash_byte: u8, id_check: bool) -> Disposition {
        let record = fetched("k", hash_byte);
        on_fetched(&record, previous.as_ref(), id_check).0
    }

    #[test]
    fn fetch_transitions() {
        use RecordStatus::*;
        assert_eq!(disposition_of(None, 1, true), Disposition::New);
        // Pending stays pending, even when the hash equals the written one.
        assert_eq!(
            disposition_of(Some(state(Pending, 2, Some(1))), 1, true),
            Disposition::StillPending
        );
        assert_eq!(
            disposition_of(Some(state(Written, 1, Some(1))), 1, true),
            Disposition::Skipped
        );
        assert_eq!(
            disposition_of(Some(state(Written, 1, Some(1))), 1, false),
            Disposition::Changed
        );
        assert_eq!(
            disposition_of(Some(state(Written, 1, Some(1))), 2, true),
            Disposition::Changed
        );
        assert_eq!(
            disposition_of(Some(state(Skipped, 1, Some(1))), 1, true),
            Disposition::Skipped
        );
        assert_eq!(
            disposition_of(Some(state(Failed, 2, Some(1))), 2, true),
            Disposition::StillFailed
        );
        // A failed record is never skipped by idCheck: its failed write may have been applied.
        assert_eq!(
            disposition_of(Some(state(Failed, 2, Some(1))), 1, true),
            Disposition::Changed
        );
        assert_eq!(
            disposition_of(Some(state(Failed, 2, Some(1))), 3, false),
            Disposition::Changed
        );
    }

    #[test]
    fn attempts_reset_with_a_new_version() {
        let record = fetched("k", 1);
        let same = on_fetched(&record, Some(&state(RecordStatus::Failed, 1, None)), true).1;
        assert_eq!(
            (same.attempts, same.last_error.as_deref()),
            (2, Some("boom"))
        );
        assert!(!same.payload_changed);
        let changed = on_fetched(&record, Some(&state(RecordStatus::Failed, 9, None)), true).1;
        assert_eq!((changed.attempts, changed.last_error), (0, None));
        assert_eq!(changed.status, RecordStatus::Pending);
        assert!(changed.payload_changed);
        assert!(on_fetched(&record, None, true).1.payload_changed);
    }

    #[test]
    fn duplicate_keys_in_a_batch_keep_the_last() {
        let records = vec![fetched("a", 1), fetched("b", 1), fetched("a", 2)];
        let (dispositions, rows) = plan_fetched(&records, &HashMap::new(), true);
        assert_eq!(
            dispositions,
            vec![Disposition::Superseded, Disposition::New, Disposition::New]
        );
        let row_keys: Vec<(&str, ContentHash)> = rows
            .iter()
            .map(|row| (row.record.key.as_str(), row.record.hash))
            .collect();
        assert_eq!(row_keys, vec![("b", hash(1)), ("a", hash(2))]);
    }

    #[test]
    fn outcomes_apply_to_their_version_only() {
        let pending = state(RecordStatus::Pending, 2, Some(1));
        let written = RecordOutcome {
            key: "k".to_owned(),
            hash: hash(2),
            outcome: Outcome::Written,
        };
        let (effect, next) = on_outcome(&pending, &written);
        assert_eq!(effect, OutcomeEffect::Applied);
        assert_eq!(
            (next.status, next.written_hash, next.last_error),
            (RecordStatus::Written, Some(hash(2)), None)
        );

        let stale = RecordOutcome {
            key: "k".to_owned(),
            hash: hash(7),
            outcome: Outcome::Written,
        };
        let (effect, next) = on_outcome(&pending, &stale);
        assert_eq!(effect, OutcomeEffect::Superseded);
        assert_eq!(
            (next.status, next.written_hash),
            (RecordStatus::Pending, Some(hash(7)))
        );

        let failed = RecordOutcome {
            key: "k".to_owned(),
            hash: hash(2),
            outcome: Outcome::Failed {
                error: "rejected".to_owned(),
            },
        };
        let (_, next) = on_outcome(&pending, &failed);
        assert_eq!((next.status, next.attempts), (RecordStatus::Failed, 3));
        assert_eq!(next.last_error.as_deref(), Some("rejected"));
    }
}
