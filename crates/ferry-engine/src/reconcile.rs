//! What a target should hold after a perfect sync of a set of source records: the reference
//! the crash and fault tests (and `ferry demo`) compare a target against.
//!
//! Contract: `expected_rows` applies exactly the run's record path (flatten, filter, key,
//! map) to the given records, so it agrees with what a run writes for them; keys appear once,
//! the record with the latest `modified_field` time winning (as a run fetches in time order),
//! the later one in `records` among equals. `stored_text` is the text a SQL
//! target stores for a rendered value (see `ferry_platforms::sql` binding rules), for
//! comparing with rows read back as text.

use std::collections::BTreeMap;

use ferry_expr::{RecordScope, RunVars};
use ferry_model::scheme::Scheme;
use serde_json::{Map, Value};

use crate::record::{Keying, Prepared};
use crate::request::render_fields;

/// The rows (by ledger key) a perfect sync of `records` writes.
pub fn expected_rows(
    scheme: &Scheme,
    records: &[Value],
    vars: &RunVars,
    modified_field: Option<&'static str>,
) -> Result<BTreeMap<String, Map<String, Value>>, String> {
    let keying = Keying::new(scheme, modified_field)?;
    let mut prepared = Vec::new();
    for record in records {
        if let Value::Object(record) = record {
            keying.prepare(scheme, record, vars, &mut prepared);
        }
    }
    prepared.sort_by_key(|item| match item {
        Prepared::Keyed(record) | Prepared::Rejected { record, .. } => record.source_modified,
    });
    let mut rows = BTreeMap::new();
    for item in prepared {
        let Prepared::Keyed(record) = item else {
            continue;
        };
        let Value::Object(payload) = &record.payload else {
            continue;
        };
        let values = render_fields(
            &scheme.target.adapter.request,
            &RecordScope::new(payload, vars).absent_as_null(),
        )
        .map_err(|error| format!("record {}: {error}", record.key))?;
        rows.insert(record.key, values);
    }
    Ok(rows)
}

/// The text a SQL target stores for `value`; `None` for NULL.
pub fn stored_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(if *flag { "1" } else { "0" }.to_owned()),
        other => Some(other.to_string()),
    }
}

/// A target table as text: primary key → column values in a fixed column order.
pub type Table = BTreeMap<String, Vec<Option<String>>>;

/// `expected_rows` as a [`Table`] over `columns` (values as a SQL target stores them).
pub fn expected_table(
    scheme: &Scheme,
    records: &[Value],
    vars: &RunVars,
    columns: &[String],
) -> Result<Table, String> {
    let rows = expected_rows(scheme, records, vars, None)?;
    Ok(rows
        .into_iter()
        .map(|(key, values)| {
            let row = columns
                .iter()
                .map(|column| values.get(column).and_then(stored_text))
                .collect();
            (key, row)
        })
        .collect())
}

/// How `actual` differs from `expected`: missing, extra and differing keys (the first few of
/// each); `None` when they are equal.
pub fn difference(actual: &Table, expected: &Table) -> Option<String> {
    let missing: Vec<&String> = expected
        .keys()
        .filter(|key| !actual.contains_key(*key))
        .collect();
    let extra: Vec<&String> = actual
        .keys()
        .filter(|key| !expected.contains_key(*key))
        .collect();
    let differing: Vec<&String> = expected
        .iter()
        .filter(|(key, row)| actual.get(*key).is_some_and(|actual| actual != *row))
        .map(|(key, _)| key)
        .collect();
    if missing.is_empty() && extra.is_empty() && differing.is_empty() {
        return None;
    }
    let first = |keys: &[&String]| -> String {
        let shown: Vec<&str> = keys.iter().take(5).map(|key| key.as_str()).collect();
        format!("{} {:?}", keys.len(), shown)
    };
    let mut text = format!(
        "{} rows expected, {} present; missing {}; extra {}; differing {}",
        expected.len(),
        actual.len(),
        first(&missing),
        first(&extra),
        first(&differing)
    );
    if let Some(key) = differing.first() {
        text.push_str(&format!(
            "\n  {key}: expected {:?}\n  {key}: present  {:?}",
            expected[*key], actual[*key]
        ));
    }
    Some(text)
}
