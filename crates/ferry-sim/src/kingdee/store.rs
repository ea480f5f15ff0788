//! Saved business records, keyed per FormId by number (FNumber), as Save/BatchSave leave them.
//!
//! Contract:
//! - [`RecordStore::upsert`] saves one checked entity. A non-zero internal id (the form's
//!   `id_key`, e.g. `FCUSTID`) updates that record; otherwise a non-empty `FNumber` updates the
//!   record with that number or creates it; an empty `FNumber` creates a record with the next
//!   number `<prefix><000001>` (Kingdee's coding rule). Updates merge the given fields over
//!   the stored ones. Ids start at 100001 and are never reused.
//! - Saving identical content changes nothing, not even `modified`; so re-sending a batch
//!   leaves the store byte-identical. Saving over an audited record is allowed \[I\].
//! - Status (`FDocumentStatus`): `A` created, `B` submitted, `C` audited. Submit moves A→B,
//!   Audit moves B→C; repeating either on a record already there succeeds without change
//!   \[I\]; auditing a record in `A` fails.
//! - Allocate adds use organisations (internal ids) to a record; allocating twice is a no-op.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::kingdee::forms::FormRule;

/// A saved record as the accessor and ground truth show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SavedRecord {
    /// FormId.
    pub form_id: String,
    /// Internal id.
    pub id: u64,
    /// Number (FNumber).
    pub number: String,
    /// `A`, `B` or `C`.
    pub document_status: String,
    /// Organisations it was allocated to (internal ids).
    pub allocated_org_ids: BTreeSet<u64>,
    /// When it last changed (simulator seconds).
    pub modified: i64,
    /// The Model fields as saved (with `FNumber` and the id key filled in).
    pub fields: Map<String, Value>,
}

/// Every saved record.
#[derive(Debug, Default)]
pub struct RecordStore {
    next_id: u64,
    next_number: u64,
    forms: BTreeMap<String, BTreeMap<String, SavedRecord>>,
}

fn nonzero_id(value: Option<&Value>) -> Option<u64> {
    let id = match value? {
        Value::Number(number) => number.as_u64()?,
        Value::String(text) => text.trim().parse().ok()?,
        _ => return None,
    };
    (id != 0).then_some(id)
}

fn number_of(entity: &Map<String, Value>) -> Option<String> {
    match entity.get("FNumber") {
        Some(Value::String(text)) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        Some(Value::Number(number)) => Some(number.to_string()),
        _ => None,
    }
}

impl RecordStore {
    /// Records of `form_id` in number order.
    pub fn list(&self, form_id: &str) -> Vec<SavedRecord> {
        self.forms
            .get(form_id)
            .map(|records| records.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Every record of every form, by form then number.
    pub fn all(&self) -> Vec<SavedRecord> {
        self.forms
            .values()
            .flat_map(|records| records.values().cloned())
            .collect()
    }

    /// The record of `form_id` with internal id `id`.
    pub fn by_id(&mut self, form_id: &str, id: u64) -> Option<&mut SavedRecord> {
        self.forms
            .get_mut(form_id)?
            .values_mut()
            .find(|record| record.id == id)
    }

    /// The record of `form_id` numbered `number`.
    pub fn by_number(&mut self, form_id: &str, number: &str) -> Option<&mut SavedRecord> {
        self.forms.get_mut(form_id)?.get_mut(number)
    }

    /// Saves one checked entity; returns its id and number, or the error message.
    pub fn upsert(
        &mut self,
        rule: &FormRule,
        mut entity: Map<String, Value>,
        audit: bool,
        now: i64,
    ) -> Result<(u64, String), String> {
        let form_id = rule.form_id.as_str();
        let given_id = nonzero_id(entity.get(&rule.id_key));
        let given_number = number_of(&entity);
        let existing_number = match given_id {
            Some(id) => match self.by_id(form_id, id) {
                Some(record) => Some(record.number.clone()),
                None => return Err(format!("内码为“{id}”的数据不存在")),
            },
            None => given_number
                .as_ref()
                .filter(|number| self.by_number(form_id, number).is_some())
                .cloned(),
        };
        let records = self.forms.entry(form_id.to_owned()).or_default();
        if let (Some(existing), Some(wanted)) = (&existing_number, &given_number)
            && existing != wanted
        {
            if records.contains_key(wanted) {
                return Err(format!("编码“{wanted}”已经存在，编码不允许重复"));
            }
            let mut record = records
                .remove(existing)
                .unwrap_or_else(|| unreachable_record(existing));
            record.number = wanted.clone();
            records.insert(wanted.clone(), record);
        }
        let number = match (given_number, existing_number) {
            (Some(number), _) | (None, Some(number)) => number,
            (None, None) => loop {
                self.next_number += 1;
                let candidate = format!("{}{:06}", rule.number_prefix, self.next_number);
                if !records.contains_key(&candidate) {
                    break candidate;
                }
            },
        };
        entity.insert("FNumber".to_owned(), Value::String(number.clone()));
        if let Some(record) = records.get_mut(&number) {
            entity.insert(rule.id_key.clone(), Value::from(record.id));
            let mut fields = record.fields.clone();
            fields.extend(entity);
            let status = if audit {
                "C".to_owned()
            } else {
                record.document_status.clone()
            };
            if fields != record.fields || status != record.document_status {
                record.fields = fields;
                record.document_status = status;
                record.modified = now;
            }
            return Ok((record.id, number));
        }
        self.next_id += 1;
        let id = 100_000 + self.next_id;
        entity.insert(rule.id_key.clone(), Value::from(id));
        let record = SavedRecord {
            form_id: form_id.to_owned(),
            id,
            number: number.clone(),
            document_status: if audit { "C" } else { "A" }.to_owned(),
            allocated_org_ids: BTreeSet::new(),
            modified: now,
            fields: entity,
        };
        records.insert(number.clone(), record);
        Ok((id, number))
    }
}

fn unreachable_record(number: &str) -> SavedRecord {
    debug_assert!(
        false,
        "record `{number}` should exist: it was just looked up"
    );
    SavedRecord {
        form_id: String::new(),
        id: 0,
        number: number.to_owned(),
        document_status: "A".to_owned(),
        allocated_org_ids: BTreeSet::new(),
        modified: 0,
        fields: Map::new(),
    }
}

/// Moves a record to `target` status; `Err` is Kingdee's message \[I\].
pub fn advance(record: &mut SavedRecord, target: &str, now: i64) -> Result<(), String> {
    let current = record.document_status.as_str();
    let allowed = match target {
        "B" => matches!(current, "A" | "D" | "B" | "C"),
        _ => matches!(current, "B" | "C"),
    };
    if !allowed {
        return Err(format!(
            "编码为“{}”的数据状态为“创建”，未提交不能审核",
            record.number
        ));
    }
    let next = if current == "C" { "C" } else { target };
    if next != current {
        record.document_status = next.to_owned();
        record.modified = now;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kingdee::forms::default_forms;
    use serde_json::json;

    fn entity(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn saves_by_number_update_and_blank_numbers_are_assigned() {
        let rule = &default_forms()[0];
        let mut store = RecordStore::default();
        let first = store
            .upsert(
                rule,
                entity(json!({"FNumber": "C1", "FName": "a"})),
                false,
                10,
            )
            .unwrap();
        assert_eq!(first, (100_001, "C1".to_owned()));
        let again = store
            .upsert(
                rule,
                entity(json!({"FNumber": "C1", "FName": "a"})),
                false,
                20,
            )
            .unwrap();
        assert_eq!(again, first);
        assert_eq!(store.list("BD_Customer")[0].modified, 10);
        let changed = store
            .upsert(
                rule,
                entity(json!({"FNumber": "C1", "FName": "b"})),
                true,
                30,
            )
            .unwrap();
        assert_eq!(changed, first);
        let saved = &store.list("BD_Customer")[0];
        assert_eq!((saved.modified, saved.document_status.as_str()), (30, "C"));
        assert_eq!(saved.fields.get("FCUSTID"), Some(&json!(100_001)));
        let assigned = store
            .upsert(rule, entity(json!({"FName": "c"})), false, 40)
            .unwrap();
        assert_eq!(assigned, (100_002, "CUST000001".to_owned()));
        let missing = store.upsert(rule, entity(json!({"FCUSTID": 9, "FName": "d"})), false, 50);
        assert_eq!(missing, Err("内码为“9”的数据不存在".to_owned()));
        assert_eq!(store.list("BD_Customer").len(), 2);
    }
}
