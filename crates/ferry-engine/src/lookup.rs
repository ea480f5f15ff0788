//! `_mongoQuery` / `_findCollection` in a target mapping, answered from the ledger of another
//! scheme (DESIGN.md: lookups read what another scheme synced, e.g. seed 000 finds the Banniu
//! task whose column 77213 holds the order's `onlineTradeNo`).
//!
//! Contract: before a record is mapped, every lookup field of the target's `request` (nested
//! `children` included) is resolved for that record, its collection (a scheme's `id` or
//! `name`) mapped to the scheme whose ledger holds it, and the ledger asked for the latest
//! record matching the filter (`Store::find_record`, then `Filter::matches` as the final word).
//! The mapping then renders with those answers. A lookup that finds nothing, or names a
//! collection no scheme has, fails that record alone with a message saying what was searched.

use std::collections::HashMap;

use ferry_expr::lookup::{FilterOp, LookupResolver, ResolvedLookup};
use ferry_expr::{ErrorKind, ExprError, Record, RecordScope, RunVars};
use ferry_model::scheme::RequestField;
use ferry_store::{LookupCondition, LookupOp, Store};
use serde_json::Value;

/// Collection names (scheme ids and names) → the scheme name whose ledger holds them.
pub type Collections = HashMap<String, String>;

/// The answers to one record's lookups.
#[derive(Debug, Default)]
pub struct Answers(Vec<(ResolvedLookup, Value)>);

impl LookupResolver for Answers {
    fn resolve(&self, query: &ResolvedLookup) -> Result<Value, ExprError> {
        self.0
            .iter()
            .find(|(asked, _)| asked == query)
            .map(|(_, answer)| answer.clone())
            .ok_or_else(|| ExprError::new(ErrorKind::Lookup, "lookup was not prepared"))
    }
}

/// Whether any field (or child) of `fields` is a lookup.
pub fn has_lookups(fields: &[RequestField]) -> bool {
    fields.iter().any(|field| {
        field
            .value
            .as_ref()
            .is_some_and(|template| template.is_lookup())
            || has_lookups(&field.children)
    })
}

/// Resolves every lookup of `fields` for `record`; `Err` is the record's failure reason.
pub async fn answer(
    store: &dyn Store,
    collections: &Collections,
    fields: &[RequestField],
    record: &Record,
    vars: &RunVars,
) -> Result<Answers, String> {
    let mut answers = Answers::default();
    let mut pending: Vec<&RequestField> = fields.iter().collect();
    while let Some(field) = pending.pop() {
        pending.extend(field.children.iter());
        let Some(lookup) = field.value.as_ref().and_then(|template| template.lookup()) else {
            continue;
        };
        let query = lookup
            .resolve(&RecordScope::new(record, vars).absent_as_null())
            .map_err(|error| format!("field `{}`: {error}", field.field))?;
        let scheme = collections
            .get(&query.collection)
            .map_or(query.collection.as_str(), String::as_str);
        let conditions = conditions(&query);
        let found = store
            .find_record(scheme, &conditions)
            .await
            .map_err(|error| format!("field `{}`: ledger lookup failed: {error}", field.field))?
            .filter(|payload| query.filter.matches(payload));
        let Some(payload) = found else {
            return Err(format!(
                "field `{}`: no record of `{scheme}` matches {}",
                field.field,
                describe(&conditions)
            ));
        };
        let value = query.project(&payload).map(|value| value.into_owned());
        answers.0.push((query, value.unwrap_or(Value::Null)));
    }
    Ok(answers)
}

fn conditions(query: &ResolvedLookup) -> Vec<LookupCondition> {
    query
        .filter
        .conditions()
        .into_iter()
        .map(|(path, op)| {
            let op = match op {
                FilterOp::Eq(value) => LookupOp::Eq(value.clone()),
                FilterOp::Ne(value) => LookupOp::Ne(value.clone()),
                FilterOp::In(values) => LookupOp::In(values.to_vec()),
                FilterOp::Nin(values) => LookupOp::Nin(values.to_vec()),
                FilterOp::Gt(value) => LookupOp::Gt(value.clone()),
                FilterOp::Gte(value) => LookupOp::Gte(value.clone()),
                FilterOp::Lt(value) => LookupOp::Lt(value.clone()),
                FilterOp::Lte(value) => LookupOp::Lte(value.clone()),
                FilterOp::Exists(flag) => LookupOp::Exists(flag),
            };
            LookupCondition::new(path, op)
        })
        .collect()
}

fn describe(conditions: &[LookupCondition]) -> String {
    let parts: Vec<String> = conditions
        .iter()
        .map(|condition| format!("{} {:?}", condition.path, condition.op))
        .collect();
    parts.join(" and ")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ferry_expr::template::Template;
    use ferry_store::{ContentHash, FetchedRecord};
    use serde_json::json;

    use super::*;

    fn field(name: &str, value: &str) -> RequestField {
        RequestField {
            field: name.to_owned(),
            label: None,
            field_type: None,
            raw_value: Value::String(value.to_owned()),
            value: Some(Template::parse(value).unwrap()),
            parser: None,
            children: Vec::new(),
            extras: serde_json::Map::new(),
            span: Default::default(),
        }
    }

    async fn store_with_tasks() -> Arc<dyn Store> {
        let store = ferry_store::connect("sqlite::memory:").await.unwrap();
        let tasks: Vec<FetchedRecord> = [(1, "T-1"), (2, "T-2")]
            .into_iter()
            .map(|(id, trade)| FetchedRecord {
                key: id.to_string(),
                hash: ContentHash([id as u8; 16]),
                payload: json!({"id": id, "content": {"77213": trade}}),
                payload_json: None,
                source_modified: None,
            })
            .collect();
        store
            .record_fetched("banniu-tasks", &tasks, true)
            .await
            .unwrap();
        store
    }

    #[tokio::test]
    async fn lookups_find_the_other_schemes_record_or_fail_the_record() {
        let store = store_with_tasks().await;
        let collections = Collections::from([("73f95f22".to_owned(), "banniu-tasks".to_owned())]);
        let fields = vec![field(
            "task_id",
            r#"_mongoQuery 73f95f22 findField=id where={"content.77213":{"$eq":"{onlineTradeNo}"}}"#,
        )];
        assert!(has_lookups(&fields));
        let vars = RunVars::new(0, 0, 0);
        let record = json!({"onlineTradeNo": "T-2"}).as_object().unwrap().clone();
        let answers = answer(store.as_ref(), &collections, &fields, &record, &vars)
            .await
            .unwrap();
        let mapped = crate::request::render_fields_with(
            &fields,
            &RecordScope::new(&record, &vars),
            &answers,
        )
        .unwrap();
        assert_eq!(Value::Object(mapped), json!({"task_id": 2}));

        let missing = json!({"onlineTradeNo": "T-9"}).as_object().unwrap().clone();
        let error = answer(store.as_ref(), &collections, &fields, &missing, &vars)
            .await
            .unwrap_err();
        assert_eq!(
            error,
            r#"field `task_id`: no record of `banniu-tasks` matches content.77213 Eq(String("T-9"))"#
        );
    }
}
