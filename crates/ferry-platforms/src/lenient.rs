//! Reading a platform reply whose JSON is well formed but holds a value ferry's JSON model
//! cannot: a number outside the range of `f64` (`1e999`) or nesting deeper than serde_json's
//! limit of 128 levels.
//!
//! Contract: [`parse`] returns exactly what `serde_json::from_slice` returns for every reply
//! it accepts, and the same error for every reply that is not well-formed JSON. Only when the
//! strict read fails for one of those two reasons is the reply read again, value by value:
//! every value that can be read is kept as it is, and each smallest value that cannot is
//! replaced by a marker object `{"$ferry_invalid": "<reason>"}` ([`INVALID_KEY`]). The engine
//! fails the record holding a marker, alone, with the reason ([`find_invalid`]); the other
//! records of the page go on. Cost: the second read only happens for such replies, and
//! re-reads only the containers on the path to each bad value.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The key of the marker object that stands for a value that could not be read.
pub const INVALID_KEY: &str = "$ferry_invalid";

/// How a marker starts in compact JSON text: a cheap test for "may hold a marker" over a
/// serialised record, before [`find_invalid`] walks it.
pub const INVALID_NEEDLE: &str = "\"$ferry_invalid\":";

/// Nested containers serde_json reads (its limit of 128 refuses the 128th); the lenient read
/// keeps every value within it, so what it returns can be written and read back (the ledger).
const MAX_NESTING: usize = 127;

/// Parses a reply body; see the module contract.
pub fn parse(body: &[u8]) -> Result<Value, serde_json::Error> {
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        Err(error) if recoverable(&error) => match std::str::from_utf8(body) {
            Ok(text) => Ok(lenient(text, 0)),
            Err(_) => Err(error),
        },
        Err(error) => Err(error),
    }
}

/// Parses JSON text (a field holding JSON as a string); see [`parse`].
pub fn parse_str(text: &str) -> Result<Value, serde_json::Error> {
    parse(text.as_bytes())
}

/// Whether serde_json refused well-formed JSON for what it holds rather than for its syntax.
fn recoverable(error: &serde_json::Error) -> bool {
    let message = error.to_string();
    message.starts_with("number out of range") || message.starts_with("recursion limit exceeded")
}

/// The value of `raw` (well-formed JSON), with markers for what cannot be read.
fn lenient(raw: &str, depth: usize) -> Value {
    match serde_json::from_str::<Value>(raw) {
        Ok(value) if depth + nesting(&value) <= MAX_NESTING => return value,
        Err(error) if !recoverable(&error) => return marker(error.to_string()),
        // Too deep where it sits, or holding a value that cannot be read: look inside.
        Ok(_) | Err(_) => {}
    }
    let text = raw.trim_start();
    let container = text.starts_with('{') || text.starts_with('[');
    if !container {
        return marker(format!(
            "number out of range ({})",
            snippet(text.trim_end())
        ));
    }
    // A container kept here has a container inside (else it would have been read), so it
    // needs two more levels; the marker that replaces it needs one.
    if depth + 2 > MAX_NESTING {
        return marker(format!("nested more than {MAX_NESTING} levels deep"));
    }
    if text.starts_with('[') {
        match serde_json::from_str::<Vec<&RawValue>>(raw) {
            Ok(items) => Value::Array(
                items
                    .into_iter()
                    .map(|item| lenient(item.get(), depth + 1))
                    .collect(),
            ),
            Err(error) => marker(error.to_string()),
        }
    } else {
        match serde_json::from_str::<Entries<'_>>(raw) {
            Ok(Entries(entries)) => Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, lenient(value.get(), depth + 1)))
                    .collect::<Map<String, Value>>(),
            ),
            Err(error) => marker(error.to_string()),
        }
    }
}

/// Containers nested in `value`, itself included.
fn nesting(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(nesting).max().unwrap_or(0),
        Value::Object(object) => 1 + object.values().map(nesting).max().unwrap_or(0),
        _ => 0,
    }
}

fn marker(reason: String) -> Value {
    let mut object = Map::new();
    object.insert(INVALID_KEY.to_owned(), Value::String(reason));
    Value::Object(object)
}

/// At most 40 characters of a value, for a reason.
fn snippet(text: &str) -> String {
    let mut cut: String = text.chars().take(40).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

/// An object's entries in order, each value left unread.
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries<'de>;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// The first marker in `value` (depth first, in order): its path (`items[0].amount`) and
/// reason.
pub fn find_invalid(value: &Value) -> Option<(String, String)> {
    match value {
        Value::Object(object) => {
            if let (1, Some(Value::String(reason))) = (object.len(), object.get(INVALID_KEY)) {
                return Some((String::new(), reason.clone()));
            }
            object.iter().find_map(|(key, inner)| {
                find_invalid(inner).map(|(path, reason)| (join(key, &path), reason))
            })
        }
        Value::Array(items) => items.iter().enumerate().find_map(|(index, inner)| {
            find_invalid(inner)
                .map(|(path, reason)| (format!("[{index}]{}", dotted(&path)), reason))
        }),
        _ => None,
    }
}

fn join(key: &str, rest: &str) -> String {
    format!("{key}{}", dotted(rest))
}

/// `rest` as a continuation of a path: `.name` or `[0]…`.
fn dotted(rest: &str) -> String {
    if rest.is_empty() || rest.starts_with('[') {
        rest.to_owned()
    } else {
        format!(".{rest}")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deep(levels: usize) -> String {
        format!("{}{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[test]
    fn readable_replies_and_syntax_errors_are_unchanged() {
        let body = br#"{"a":[1,2.5,"x",null,{"b":true}],"z":1}"#;
        assert_eq!(
            parse(body).unwrap(),
            serde_json::from_slice::<Value>(body).unwrap()
        );
        let truncated = br#"{"a":[1,"#;
        assert_eq!(
            parse(truncated).unwrap_err().to_string(),
            serde_json::from_slice::<Value>(truncated)
                .unwrap_err()
                .to_string()
        );
    }

    #[test]
    fn a_huge_number_becomes_a_marker_and_its_neighbours_stay() {
        let body =
            br#"{"code":0,"orders":[{"o_id":1,"pay":1e999,"tags":["a"]},{"o_id":2,"pay":3.5}]}"#;
        let value = parse(body).unwrap();
        assert_eq!(
            value,
            json!({"code": 0, "orders": [
                {"o_id": 1, "pay": {INVALID_KEY: "number out of range (1e999)"}, "tags": ["a"]},
                {"o_id": 2, "pay": 3.5},
            ]})
        );
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["code", "orders"], "order is kept");
        assert_eq!(
            find_invalid(&value["orders"][0]),
            Some(("pay".to_owned(), "number out of range (1e999)".to_owned()))
        );
        assert_eq!(find_invalid(&value["orders"][1]), None);
    }

    #[test]
    fn deep_nesting_is_read_down_to_the_limit_and_marked_below() {
        let body = format!(
            r#"{{"orders":[{{"o_id":1,"extra":{{"x":{}}}}},{{"o_id":2}}]}}"#,
            deep(200)
        );
        let value = parse(body.as_bytes()).unwrap();
        assert_eq!(value["orders"][1], json!({"o_id": 2}));
        let (path, reason) = find_invalid(&value["orders"][0]).unwrap();
        assert_eq!(reason, "nested more than 127 levels deep");
        // Root, `orders`, the order, `extra`, 122 arrays in `x` and the marker: 127 levels.
        assert_eq!(path, format!("extra.x{}", "[0]".repeat(122)));
        assert_eq!(nesting(&value), MAX_NESTING);
        // What it returns can be written and read back.
        let text = serde_json::to_string(&value).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
        // Nesting serde_json reads is untouched.
        let shallow = deep(100);
        assert_eq!(
            parse(shallow.as_bytes()).unwrap(),
            serde_json::from_str::<Value>(&shallow).unwrap()
        );
    }

    #[test]
    fn the_needle_is_how_a_marker_serialises() {
        let text = serde_json::to_string(&marker("r".to_owned())).unwrap();
        assert!(text.starts_with(&format!("{{{INVALID_NEEDLE}")), "{text}");
    }

    #[test]
    fn paths_name_fields_and_positions() {
        let value = json!({"a": [{"b": 1}, {"c": {INVALID_KEY: "r"}}]});
        assert_eq!(
            find_invalid(&value),
            Some(("a[1].c".to_owned(), "r".to_owned()))
        );
        let top = json!([[{INVALID_KEY: "r"}]]);
        assert_eq!(
            find_invalid(&top),
            Some(("[0][0]".to_owned(), "r".to_owned()))
        );
        // An object that merely has the key among others is data.
        assert_eq!(find_invalid(&json!({INVALID_KEY: "r", "other": 1})), None);
    }
}
