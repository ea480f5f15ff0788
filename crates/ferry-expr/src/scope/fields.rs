//! How a placeholder name finds a value in a record.
//!
//! In order, the first that succeeds wins:
//! 1. the exact key (`o_id`, `items_oi_id`, even a key that contains a dot);
//! 2. a dotted path into nested objects (`receiver.city`); where the path meets an array, the
//!    rest of the path is applied to every element and the result is a JSON array of the
//!    elements' values (`details_list.qty` → `[2, 5]`, for aggregates); elements without the
//!    field are skipped, and a path through a non-empty array that no element satisfies is a
//!    miss;
//! 3. for a dotted path, the same name with `_` for `.` (`items.name` → `items_name`), so a
//!    name written against the nested record still finds the field after `beatFlat`;
//! 4. at every step, when no key matches exactly, the key whose first letter differs only in
//!    case (`onlineTradeNo` finds `OnlineTradeNo`, and the other way round).
//!
//! Values are borrowed from the record except where a path crosses an array.
//! [`bind_field`] reports which key was bound, for `validate` and `plan`.

use std::borrow::Cow;

use serde_json::Value;

use crate::Record;

/// Which key a placeholder name was bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldBinding {
    /// The keys actually read, joined by `.` (`OnlineTradeNo`, `receiver.City`, `items_name`).
    pub bound: String,
    /// Whether some key matched only after changing the case of its first letter.
    pub case_adjusted: bool,
    /// Whether the path crosses an array, so the value is an array of the elements' values.
    pub through_array: bool,
}

/// The value of field `name` in `record`, following the rules of the module doc.
pub fn resolve_field<'r>(record: &'r Record, name: &str) -> Option<Cow<'r, Value>> {
    resolve_with(record, name, &mut NoTrace)
}

/// Which key `name` binds to in `record`, or `None` when it binds to nothing.
pub fn bind_field(record: &Record, name: &str) -> Option<FieldBinding> {
    let mut trace = Trace::default();
    resolve_with(record, name, &mut trace)?;
    Some(FieldBinding {
        bound: trace.keys.join("."),
        case_adjusted: trace.case_adjusted,
        through_array: trace.through_array,
    })
}

/// Observes the keys a resolution reads; a no-op on the hot path.
trait Tracer {
    /// Key `key` was read at path depth `depth`.
    fn key(&mut self, depth: usize, key: &str, case_adjusted: bool);
    /// The path crossed an array.
    fn through_array(&mut self);
    /// Forgets everything recorded so far.
    fn reset(&mut self);
}

struct NoTrace;

impl Tracer for NoTrace {
    fn key(&mut self, _depth: usize, _key: &str, _case_adjusted: bool) {}
    fn through_array(&mut self) {}
    fn reset(&mut self) {}
}

#[derive(Default)]
struct Trace {
    keys: Vec<String>,
    case_adjusted: bool,
    through_array: bool,
}

impl Tracer for Trace {
    fn key(&mut self, depth: usize, key: &str, case_adjusted: bool) {
        // Across array elements the first element to reach a depth names it.
        if self.keys.len() == depth {
            self.keys.push(key.to_owned());
            self.case_adjusted |= case_adjusted;
        }
    }

    fn through_array(&mut self) {
        self.through_array = true;
    }

    fn reset(&mut self) {
        *self = Trace::default();
    }
}

fn resolve_with<'r, T: Tracer>(
    record: &'r Record,
    name: &str,
    tracer: &mut T,
) -> Option<Cow<'r, Value>> {
    if let Some(value) = record.get(name) {
        tracer.key(0, name, false);
        return Some(Cow::Borrowed(value));
    }
    if name.contains('.') {
        if let Some(value) = resolve_path(record, name, tracer) {
            return Some(value);
        }
        tracer.reset();
        let underscored = name.replace('.', "_");
        let (key, value, case_adjusted) = find_key(record, &underscored)?;
        tracer.key(0, key, case_adjusted);
        return Some(Cow::Borrowed(value));
    }
    let (key, value, case_adjusted) = find_key(record, name)?;
    tracer.key(0, key, case_adjusted);
    Some(Cow::Borrowed(value))
}

/// The entry for `segment`: exact key first, then the key with its first letter's case swapped.
fn find_key<'v>(map: &'v Record, segment: &str) -> Option<(&'v str, &'v Value, bool)> {
    if let Some((key, value)) = map.get_key_value(segment) {
        return Some((key.as_str(), value, false));
    }
    let swapped = swap_first_letter_case(segment)?;
    let (key, value) = map.get_key_value(swapped.as_str())?;
    Some((key.as_str(), value, true))
}

fn swap_first_letter_case(text: &str) -> Option<String> {
    let mut chars = text.chars();
    let first = chars.next()?;
    let swapped: String = if first.is_lowercase() {
        first.to_uppercase().collect()
    } else if first.is_uppercase() {
        first.to_lowercase().collect()
    } else {
        return None;
    };
    Some(swapped + chars.as_str())
}

/// Splits `a.b.c` into `a` and the rest `b.c`.
fn split_first(path: &str) -> (&str, Option<&str>) {
    match path.split_once('.') {
        Some((first, rest)) => (first, Some(rest)),
        None => (path, None),
    }
}

fn resolve_path<'r, T: Tracer>(
    record: &'r Record,
    path: &str,
    tracer: &mut T,
) -> Option<Cow<'r, Value>> {
    if path.split('.').any(str::is_empty) {
        return None;
    }
    let (first, mut rest) = split_first(path);
    let (key, mut current, case_adjusted) = find_key(record, first)?;
    tracer.key(0, key, case_adjusted);
    let mut depth = 1;
    while let Some(remaining) = rest {
        match current {
            Value::Object(map) => {
                let (segment, next) = split_first(remaining);
                let (key, value, case_adjusted) = find_key(map, segment)?;
                tracer.key(depth, key, case_adjusted);
                current = value;
                rest = next;
                depth += 1;
            }
            Value::Array(items) => {
                tracer.through_array();
                let mut collected = Vec::new();
                for item in items {
                    collect(item, remaining, depth, tracer, &mut collected);
                }
                if collected.is_empty() && !items.is_empty() {
                    return None;
                }
                return Some(Cow::Owned(Value::Array(collected)));
            }
            _ => return None,
        }
    }
    Some(Cow::Borrowed(current))
}

/// Appends the values at `path` below `value` to `out`, fanning out over nested arrays.
fn collect<T: Tracer>(
    value: &Value,
    path: &str,
    depth: usize,
    tracer: &mut T,
    out: &mut Vec<Value>,
) {
    match value {
        Value::Object(map) => {
            let (segment, rest) = split_first(path);
            let Some((key, child, case_adjusted)) = find_key(map, segment) else {
                return;
            };
            tracer.key(depth, key, case_adjusted);
            match rest {
                None => out.push(child.clone()),
                Some(rest) => collect(child, rest, depth + 1, tracer, out),
            }
        }
        Value::Array(items) => {
            for item in items {
                collect(item, path, depth, tracer, out);
            }
        }
        _ => {}
    }
}

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

    fn sample() -> Record {
        record(json!({
            "o_id": 7,
            "a.b": "dotted key",
            "receiver": {"city": "杭州", "Geo": {"lat": 30.2}},
            "OnlineTradeNo": "T-1",
            "details_list": [{"qty": 2, "sku": {"no": "A"}}, {"qty": 5}, {"other": 1}],
            "empty": [],
            "items_name": "flat",
            "matrix": [[{"v": 1}], [{"v": 2}, {"v": 3}]]
        }))
    }

    fn get(name: &str) -> Option<Value> {
        resolve_field(&sample(), name).map(Cow::into_owned)
    }

    #[test]
    fn exact_keys_win() {
        assert_eq!(get("o_id"), Some(json!(7)));
        assert_eq!(get("a.b"), Some(json!("dotted key")));
        assert!(matches!(
            resolve_field(&sample(), "o_id"),
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn dotted_paths_reach_nested_objects() {
        assert_eq!(get("receiver.city"), Some(json!("杭州")));
        assert_eq!(get("receiver.Geo.lat"), Some(json!(30.2)));
        assert_eq!(get("receiver.geo.lat"), Some(json!(30.2)));
        assert_eq!(get("receiver.zip"), None);
        assert_eq!(get("receiver..city"), None);
        assert_eq!(get("o_id.x"), None);
        assert!(matches!(
            resolve_field(&sample(), "receiver.city"),
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn paths_through_arrays_collect_element_values() {
        assert_eq!(get("details_list.qty"), Some(json!([2, 5])));
        assert_eq!(get("details_list.sku.no"), Some(json!(["A"])));
        assert_eq!(get("empty.qty"), Some(json!([])));
        assert_eq!(get("details_list.missing"), None);
        assert_eq!(get("matrix.v"), Some(json!([1, 2, 3])));
        assert_eq!(get("details_list"), Some(sample()["details_list"].clone()));
    }

    #[test]
    fn dotted_names_fall_back_to_flattened_keys() {
        assert_eq!(get("items.name"), Some(json!("flat")));
        let binding = bind_field(&sample(), "items.name").unwrap();
        assert_eq!(binding.bound, "items_name");
    }

    #[test]
    fn first_letter_case_is_adjusted_both_ways() {
        assert_eq!(get("onlineTradeNo"), Some(json!("T-1")));
        assert_eq!(get("O_id"), Some(json!(7)));
        assert_eq!(get("onlinetradeno"), None);
        let binding = bind_field(&sample(), "onlineTradeNo").unwrap();
        assert_eq!(
            binding,
            FieldBinding {
                bound: "OnlineTradeNo".into(),
                case_adjusted: true,
                through_array: false
            }
        );
    }

    #[test]
    fn bindings_report_paths() {
        let exact = bind_field(&sample(), "o_id").unwrap();
        assert_eq!((exact.bound.as_str(), exact.case_adjusted), ("o_id", false));
        let nested = bind_field(&sample(), "receiver.geo.lat").unwrap();
        assert_eq!(nested.bound, "receiver.Geo.lat");
        assert!(nested.case_adjusted);
        let through = bind_field(&sample(), "details_list.qty").unwrap();
        assert_eq!(through.bound, "details_list.qty");
        assert!(through.through_array);
        assert_eq!(bind_field(&sample(), "nope"), None);
    }

    #[test]
    fn non_letters_have_no_case_variant() {
        assert_eq!(swap_first_letter_case("77213"), None);
        assert_eq!(swap_first_letter_case("中文"), None);
        assert_eq!(swap_first_letter_case("ab").as_deref(), Some("Ab"));
        assert_eq!(get(""), None);
    }
}
