//! The target seam: one batch of mapped rows per call, one outcome per row.
//!
//! Contract: `write` is idempotent per row key (writing a row twice leaves the target as if it
//! were written once: REPLACE INTO, upserts, saves by number), so the engine can re-send a batch
//! whose outcome it never recorded. `Ok` carries exactly one outcome per input row, in order;
//! a row the target rejected is `Failed` with the target's message while the others land. `Err`
//! means nothing is known about the batch (connection lost, server gone): the engine retries
//! transient errors and otherwise leaves the rows pending.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::error::CallError;

/// One mapped record: the scheme's target `request` rendered for it.
///
/// The values are positional: `values[i]` is the field named `fields[i]`. Every row mapped
/// from one scheme shares one `fields` list, so a row holds no field names of its own (a
/// 62-column row is a third of the size of a name → value map) and a target resolves a column
/// to a position once per batch instead of once per row. When a name appears twice, the last
/// one counts (as it would in a JSON object).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The ledger key of the record, for messages.
    pub key: String,
    /// Field names, shared by the rows of one scheme.
    pub fields: Arc<[String]>,
    /// Rendered values, one per field.
    pub values: Vec<Value>,
}

impl Row {
    /// A row from a name → value object (tests, one-off rows).
    pub fn from_object(key: impl Into<String>, object: Map<String, Value>) -> Row {
        let (fields, values): (Vec<String>, Vec<Value>) = object.into_iter().unzip();
        Row {
            key: key.into(),
            fields: fields.into(),
            values,
        }
    }

    /// The value of field `name`, if the row has it.
    pub fn get(&self, name: &str) -> Option<&Value> {
        field_position(&self.fields, name).map(|position| &self.values[position])
    }

    /// Sets field `name` to `value`, adding the field if the row lacks it (the row then gets
    /// its own field list).
    pub fn insert(&mut self, name: &str, value: Value) {
        match field_position(&self.fields, name) {
            Some(position) => self.values[position] = value,
            None => {
                let mut fields = self.fields.to_vec();
                fields.push(name.to_owned());
                self.fields = fields.into();
                self.values.push(value);
            }
        }
    }

    /// The row as a name → value object.
    pub fn to_object(&self) -> Map<String, Value> {
        self.fields
            .iter()
            .cloned()
            .zip(self.values.iter().cloned())
            .collect()
    }
}

/// The position of the field named `name` in `fields` (the last one of that name).
pub fn field_position(fields: &[String], name: &str) -> Option<usize> {
    fields.iter().rposition(|field| field == name)
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rows_read_and_set_fields_by_name_the_last_of_a_name_counting() {
        let mut row = Row {
            key: "k".to_owned(),
            fields: vec!["a".to_owned(), "b".to_owned(), "a".to_owned()].into(),
            values: vec![json!(1), json!(2), json!(3)],
        };
        assert_eq!(row.get("a"), Some(&json!(3)));
        assert_eq!(row.get("c"), None);
        let shared = Arc::clone(&row.fields);
        row.insert("b", json!("two"));
        assert!(
            Arc::ptr_eq(&row.fields, &shared),
            "setting a known field keeps the list"
        );
        row.insert("c", json!(null));
        assert_eq!(row.fields.len(), 4);
        assert_eq!(shared.len(), 3, "a new field gives the row its own list");
        assert_eq!(
            Value::Object(row.to_object()),
            json!({"a": 3, "b": "two", "c": null})
        );
        let round = Row::from_object("k", row.to_object());
        assert_eq!(round.get("b"), Some(&json!("two")));
        assert_eq!(round.values.len(), 3);
    }
}
