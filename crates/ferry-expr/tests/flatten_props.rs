//! Properties of `beatFlat` over generated records.

use ferry_expr::Record;
use ferry_expr::flatten::{flatten, flatten_iter};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z0-9 '\"\\\\中文]{0,8}".prop_map(Value::String),
    ]
}

/// A child element: an object of scalars and an occasional nested object, or a bare scalar.
fn element() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::collection::btree_map("[a-c]", scalar(), 0..4).prop_map(|fields| {
            let mut map: Map<String, Value> = fields.into_iter().collect();
            let nested = Map::from_iter([("k".to_owned(), Value::from(1))]);
            map.insert("nested".to_owned(), Value::Object(nested));
            Value::Object(map)
        }),
        1 => scalar(),
    ]
}

/// A flattenable field's value: an array (possibly empty), null, a single object or absent.
fn flat_value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        4 => prop::collection::vec(element(), 0..4).prop_map(|items| Some(Value::Array(items))),
        1 => Just(Some(Value::Null)),
        1 => element().prop_filter("objects only", Value::is_object).prop_map(Some),
        1 => Just(None),
    ]
}

/// Parent scalars under keys that can never collide with a flattened child key.
fn parent() -> impl Strategy<Value = (Record, Vec<String>)> {
    let scalars = prop::collection::btree_map("p_[a-z]{1,3}", scalar(), 0..5);
    let flats = prop::collection::vec(flat_value(), 1..4);
    (scalars, flats).prop_map(|(scalars, flats)| {
        let mut record: Record = scalars.into_iter().collect();
        let mut fields = Vec::new();
        for (index, value) in flats.into_iter().enumerate() {
            let name = format!("list{index}");
            if let Some(value) = value {
                record.insert(name.clone(), value);
            }
            fields.push(name);
        }
        (record, fields)
    })
}

fn expected_count(record: &Record, fields: &[String]) -> usize {
    fields
        .iter()
        .map(|field| match record.get(field) {
            Some(Value::Array(items)) => items.len().max(1),
            _ => 1,
        })
        .product()
}

proptest! {
    #[test]
    fn count_is_the_product_of_lengths((record, fields) in parent()) {
        let output = flatten(&record, &fields);
        prop_assert_eq!(output.len(), expected_count(&record, &fields));
        prop_assert_eq!(flatten_iter(&record, &fields).len(), output.len());
    }

    #[test]
    fn every_output_carries_all_parent_scalars((record, fields) in parent()) {
        for output in flatten(&record, &fields) {
            for (key, value) in record.iter().filter(|(key, _)| key.starts_with("p_")) {
                prop_assert_eq!(output.get(key), Some(value));
            }
        }
    }

    #[test]
    fn flattened_arrays_never_survive((record, fields) in parent()) {
        for output in flatten(&record, &fields) {
            for field in &fields {
                // Only a bare scalar element may sit under the field's own name.
                let value = output.get(field);
                let survives = matches!(value, Some(Value::Array(_) | Value::Object(_)));
                prop_assert!(!survives, "field `{}` survived as {:?}", field, output.get(field));
            }
        }
    }

    #[test]
    fn every_child_field_appears_prefixed((record, fields) in parent()) {
        let output = flatten(&record, &fields);
        let first_field = &fields[0];
        if let Some(Value::Array(items)) = record.get(first_field) {
            let per_element = output.len() / items.len().max(1);
            for (index, item) in items.iter().enumerate() {
                let Value::Object(child) = item else { continue };
                let row = &output[index * per_element];
                for (key, value) in child {
                    prop_assert_eq!(row.get(&format!("{first_field}_{key}")), Some(value));
                }
            }
        }
    }
}
