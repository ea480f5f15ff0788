//! `beatFlat`: one record per element of an array field.
//!
//! For each field named in `beatFlat` that holds an array, every element becomes its own
//! record: the parent's fields, minus the flattened array fields, plus the element's fields
//! prefixed with the array field's name and `_` (`items: [{"oi_id": 1}]` → `items_oi_id: 1`),
//! as Qeasy does. Values inside an element stay as they are, so a nested object is reachable by
//! a dotted path (`items_sku.no`). An element that is not an object is kept whole under the
//! field's own name (`tags: ["a", "b"]` → `tags: "a"`, then `tags: "b"`); a field holding a
//! single object is flattened as a one-element array. An element's field wins over a parent
//! field of the same prefixed name.
//!
//! Several `beatFlat` fields give the cartesian product, the first field varying slowest.
//! A missing, `null` or empty array keeps the parent as one record without that field; Qeasy's
//! documentation does not say, and dropping the parent would lose a record without a trace
//! (a target template that needs `items_oi_id` then fails that record visibly). A field
//! holding any other scalar is left untouched. Hence the output has `∏ max(1, len)` records.
//! Qeasy also appends a row number to the record's key; ferry leaves keys to the scheme's
//! `id`/`number` templates (seed 002 writes `{o_id}-{items_oi_id}`).
//!
//! [`flatten_iter`] yields the records lazily, cloning each parent value once per output.

use serde_json::Value;

use crate::Record;

/// The records `record` flattens into; see the module doc.
pub fn flatten(record: &Record, fields: &[String]) -> Vec<Record> {
    flatten_iter(record, fields).collect()
}

/// Like [`flatten`], lazily.
pub fn flatten_iter<'a>(record: &'a Record, fields: &[String]) -> Flatten<'a> {
    let mut arrays: Vec<FlatField<'a>> = Vec::new();
    for field in fields {
        if arrays
            .iter()
            .any(|existing| existing.name == field.as_str())
        {
            continue;
        }
        let Some((name, value)) = record.get_key_value(field.as_str()) else {
            continue;
        };
        let elements: &'a [Value] = match value {
            Value::Array(items) => items,
            Value::Object(_) => std::slice::from_ref(value),
            Value::Null => &[],
            _ => continue,
        };
        arrays.push(FlatField {
            name: name.as_str(),
            elements,
        });
    }
    let total = arrays
        .iter()
        .map(|array| array.elements.len().max(1))
        .product();
    Flatten {
        record,
        indices: vec![0; arrays.len()],
        arrays,
        produced: 0,
        total,
    }
}

/// One flattened field and its elements.
#[derive(Debug, Clone)]
struct FlatField<'a> {
    name: &'a str,
    elements: &'a [Value],
}

/// The iterator of [`flatten_iter`].
#[derive(Debug, Clone)]
pub struct Flatten<'a> {
    record: &'a Record,
    arrays: Vec<FlatField<'a>>,
    /// The element index per array of the next record (an odometer, last array fastest).
    indices: Vec<usize>,
    produced: usize,
    total: usize,
}

impl Flatten<'_> {
    fn is_flattened(&self, key: &str) -> bool {
        self.arrays.iter().any(|array| array.name == key)
    }

    fn build(&self) -> Record {
        // Sized up front: grown by doubling, the map of a wide record keeps up to half its
        // entries' space unused, and many such records are in flight at once.
        let children: usize = self
            .arrays
            .iter()
            .zip(&self.indices)
            .map(|(array, index)| match array.elements.get(*index) {
                Some(Value::Object(child)) => child.len(),
                Some(_) => 1,
                None => 0,
            })
            .sum();
        let mut output = Record::with_capacity(self.record.len() + children);
        for (key, value) in self.record {
            if !self.is_flattened(key) {
                output.insert(key.clone(), value.clone());
            }
        }
        for (array, index) in self.arrays.iter().zip(&self.indices) {
            match array.elements.get(*index) {
                Some(Value::Object(child)) => {
                    for (key, value) in child {
                        output.insert(format!("{}_{key}", array.name), value.clone());
                    }
                }
                Some(scalar) => {
                    output.insert(array.name.to_owned(), scalar.clone());
                }
                None => {}
            }
        }
        output
    }

    fn advance(&mut self) {
        for position in (0..self.indices.len()).rev() {
            self.indices[position] += 1;
            if self.indices[position] < self.arrays[position].elements.len() {
                return;
            }
            self.indices[position] = 0;
        }
    }
}

impl Iterator for Flatten<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.produced >= self.total {
            return None;
        }
        let output = self.build();
        self.produced += 1;
        self.advance();
        Some(output)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = self.total - self.produced;
        (remaining, Some(remaining))
    }
}

impl ExactSizeIterator for Flatten<'_> {}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(value: Value) -> Record {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("test records are objects"),
        }
    }

    fn fields(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn qeasy_documentation_example() {
        let parent = record(json!({
            "no": "OUT20210001", "customer": "CK0001",
            "details_list": [{"goods": "FOO0001", "num": 12}, {"goods": "FOO0002", "num": 50}]
        }));
        let output = flatten(&parent, &fields(&["details_list"]));
        let first = json!({
            "no": "OUT20210001", "customer": "CK0001",
            "details_list_goods": "FOO0001", "details_list_num": 12
        });
        let second = json!({
            "no": "OUT20210001", "customer": "CK0001",
            "details_list_goods": "FOO0002", "details_list_num": 50
        });
        assert_eq!(output, vec![record(first), record(second)]);
    }

    #[test]
    fn nested_objects_stay_nested() {
        let parent = record(json!({"o_id": 1, "items": [{"oi_id": 7, "sku": {"no": "A"}}]}));
        let output = flatten(&parent, &fields(&["items"]));
        assert_eq!(
            output,
            vec![record(
                json!({"o_id": 1, "items_oi_id": 7, "items_sku": {"no": "A"}})
            )]
        );
    }

    #[test]
    fn several_fields_give_the_cartesian_product() {
        let parent = record(
            json!({"id": 1, "a": [{"x": 1}, {"x": 2}], "b": [{"y": "p"}, {"y": "q"}, {"y": "r"}]}),
        );
        let output = flatten(&parent, &fields(&["a", "b", "a"]));
        let pairs: Vec<(Value, Value)> = output
            .iter()
            .map(|r| (r["a_x"].clone(), r["b_y"].clone()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (json!(1), json!("p")),
                (json!(1), json!("q")),
                (json!(1), json!("r")),
                (json!(2), json!("p")),
                (json!(2), json!("q")),
                (json!(2), json!("r")),
            ]
        );
        assert!(
            output
                .iter()
                .all(|r| r["id"] == json!(1) && !r.contains_key("a") && !r.contains_key("b"))
        );
    }

    #[test]
    fn empty_missing_and_null_keep_the_parent() {
        let parent = record(json!({"id": 1, "items": [], "gifts": null}));
        assert_eq!(
            flatten(&parent, &fields(&["items", "gifts", "absent"])),
            vec![record(json!({"id": 1}))]
        );
        let mixed = record(json!({"id": 1, "items": [], "b": [{"y": 1}, {"y": 2}]}));
        let output = flatten(&mixed, &fields(&["items", "b"]));
        assert_eq!(
            output,
            vec![
                record(json!({"id": 1, "b_y": 1})),
                record(json!({"id": 1, "b_y": 2}))
            ]
        );
    }

    #[test]
    fn scalars_elements_and_single_objects() {
        let parent = record(json!({"id": 1, "tags": ["a", "b"], "one": {"k": 2}, "n": 5}));
        let output = flatten(&parent, &fields(&["tags", "one", "n"]));
        assert_eq!(
            output,
            vec![
                record(json!({"id": 1, "tags": "a", "n": 5, "one_k": 2})),
                record(json!({"id": 1, "tags": "b", "n": 5, "one_k": 2})),
            ]
        );
    }

    #[test]
    fn child_fields_win_over_parent_fields() {
        let parent = record(json!({"items_x": "parent", "items": [{"x": "child"}]}));
        assert_eq!(
            flatten(&parent, &fields(&["items"])),
            vec![record(json!({"items_x": "child"}))]
        );
    }

    #[test]
    fn iterator_knows_its_length() {
        let parent =
            record(json!({"a": [{"x": 1}, {"x": 2}], "b": [{"y": 1}, {"y": 2}, {"y": 3}]}));
        let mut iter = flatten_iter(&parent, &fields(&["a", "b"]));
        assert_eq!(iter.len(), 6);
        iter.next();
        assert_eq!(iter.len(), 5);
        assert_eq!(iter.count(), 5);
        assert_eq!(
            flatten_iter(&parent, &[]).collect::<Vec<_>>(),
            vec![parent.clone()]
        );
    }
}
