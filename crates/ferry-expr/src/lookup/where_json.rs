//! The `where=` JSON of `_mongoQuery`, with placeholders inside its string values.
//!
//! The JSON is parsed once; every string value that contains a placeholder becomes a
//! [`Template`] rendered *as text*, because in the JSON it is written between quotes:
//! `{"content.77213": {"$eq": "{onlineTradeNo}"}}` compares `content.77213` with the string
//! form of `onlineTradeNo`. To compare with a number, write the number literally. Keys are
//! field paths and are never rendered; a placeholder in a key is an error.
//!
//! Offsets: serde_json reports no positions, so the string literals are located in the raw
//! text by a small scanner, and a value's placeholders are reported at the offset of its
//! literal plus their offset in the decoded string (exact unless an escape precedes them in
//! the same string).

use serde_json::Value;

use crate::template::{Reference, Template};
use crate::{ErrorKind, ExprError, Scope};

/// A JSON value whose string leaves may be templates.
#[derive(Debug, Clone)]
pub(crate) enum JsonTemplate {
    Literal(Value),
    Text {
        template: Box<Template>,
        base: usize,
    },
    Array(Vec<JsonTemplate>),
    Object(Vec<(String, JsonTemplate)>),
}

/// A string literal of the raw JSON: where its content starts and whether it is a key.
struct Literal {
    content_start: usize,
    is_key: bool,
}

impl JsonTemplate {
    /// Compiles `value`, parsed from `raw`, which starts at `raw_offset` in the template text.
    pub(crate) fn compile(
        value: &Value,
        raw: &str,
        raw_offset: usize,
    ) -> Result<JsonTemplate, ExprError> {
        let literals = string_literals(raw);
        let mut value_starts = literals
            .iter()
            .filter(|literal| !literal.is_key)
            .map(|literal| raw_offset + literal.content_start);
        let mut key_starts = literals
            .iter()
            .filter(|literal| literal.is_key)
            .map(|literal| raw_offset + literal.content_start);
        build(value, &mut value_starts, &mut key_starts, raw_offset)
    }

    /// Every placeholder, with offsets into the template text.
    pub(crate) fn references(&self, out: &mut Vec<Reference>) {
        match self {
            JsonTemplate::Literal(_) => {}
            JsonTemplate::Text { template, base } => {
                out.extend(template.references().into_iter().map(|mut reference| {
                    reference.offset += base;
                    reference
                }));
            }
            JsonTemplate::Array(items) => items.iter().for_each(|item| item.references(out)),
            JsonTemplate::Object(entries) => {
                entries.iter().for_each(|(_, item)| item.references(out))
            }
        }
    }

    /// The JSON with every template rendered as text.
    pub(crate) fn render(&self, scope: &dyn Scope) -> Result<Value, ExprError> {
        match self {
            JsonTemplate::Literal(value) => Ok(value.clone()),
            JsonTemplate::Text { template, base } => template
                .render_text(scope)
                .map(Value::String)
                .map_err(|error| error.shifted(*base)),
            JsonTemplate::Array(items) => items
                .iter()
                .map(|item| item.render(scope))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            JsonTemplate::Object(entries) => {
                let mut map = serde_json::Map::with_capacity(entries.len());
                for (key, item) in entries {
                    map.insert(key.clone(), item.render(scope)?);
                }
                Ok(Value::Object(map))
            }
        }
    }
}

fn build(
    value: &Value,
    value_starts: &mut impl Iterator<Item = usize>,
    key_starts: &mut impl Iterator<Item = usize>,
    fallback: usize,
) -> Result<JsonTemplate, ExprError> {
    let compiled = match value {
        Value::String(text) => {
            let base = value_starts.next().unwrap_or(fallback);
            let template = Template::parse(text).map_err(|error| error.shifted(base))?;
            if template.references().is_empty() {
                JsonTemplate::Literal(value.clone())
            } else {
                JsonTemplate::Text {
                    template: Box::new(template),
                    base,
                }
            }
        }
        Value::Array(items) => {
            let mut compiled = Vec::with_capacity(items.len());
            for item in items {
                compiled.push(build(item, value_starts, key_starts, fallback)?);
            }
            JsonTemplate::Array(compiled)
        }
        Value::Object(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (key, item) in map {
                let key_start = key_starts.next().unwrap_or(fallback);
                let key_template =
                    Template::parse(key).map_err(|error| error.shifted(key_start))?;
                if let Some(reference) = key_template.references().first() {
                    let message = format!("placeholder `{}` in a `where` key", reference.name);
                    return Err(ExprError::new(ErrorKind::Syntax, message)
                        .at(key_start + reference.offset)
                        .with_hint("only values may hold placeholders"));
                }
                entries.push((
                    key.clone(),
                    build(item, value_starts, key_starts, fallback)?,
                ));
            }
            JsonTemplate::Object(entries)
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => JsonTemplate::Literal(value.clone()),
    };
    Ok(compiled)
}

/// The string literals of valid JSON text, in order.
fn string_literals(raw: &str) -> Vec<Literal> {
    let bytes = raw.as_bytes();
    let mut literals = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] != b'"' {
            index += 1;
            continue;
        }
        let content_start = index + 1;
        index = content_start;
        while index < bytes.len() && bytes[index] != b'"' {
            index += if bytes[index] == b'\\' { 2 } else { 1 };
        }
        index += 1;
        let next = bytes[index.min(bytes.len())..]
            .iter()
            .find(|byte| !byte.is_ascii_whitespace());
        literals.push(Literal {
            content_start,
            is_key: next == Some(&b':'),
        });
    }
    literals
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scope::{RecordScope, RunVars};

    fn compile(raw: &str) -> Result<JsonTemplate, ExprError> {
        let value: Value = serde_json::from_str(raw).unwrap();
        JsonTemplate::compile(&value, raw, 100)
    }

    #[test]
    fn locates_keys_and_values() {
        let literals = string_literals(r#"{"a\"b": ["x", "y\\"], "c" : "d"}"#);
        let kinds: Vec<(usize, bool)> = literals
            .iter()
            .map(|l| (l.content_start, l.is_key))
            .collect();
        assert_eq!(
            kinds,
            vec![(2, true), (11, false), (16, false), (24, true), (30, false)]
        );
    }

    #[test]
    fn renders_placeholders_as_text_with_offsets() {
        let raw = r#"{"content.77213":{"$eq":"{onlineTradeNo}"},"n":{"$in":[1,"{a}-{b}"]}}"#;
        let compiled = compile(raw).unwrap();
        let mut references = Vec::new();
        compiled.references(&mut references);
        let found: Vec<(&str, usize)> = references
            .iter()
            .map(|r| (r.name.as_str(), r.offset))
            .collect();
        assert_eq!(found, vec![("onlineTradeNo", 125), ("a", 158), ("b", 162)]);
        assert_eq!(&raw[25..26], "{");

        let Value::Object(record) = json!({"onlineTradeNo": 42, "a": "x", "b": null}) else {
            unreachable!("literal object")
        };
        let vars = RunVars::default();
        let rendered = compiled.render(&RecordScope::new(&record, &vars)).unwrap();
        assert_eq!(
            rendered,
            json!({"content.77213": {"$eq": "42"}, "n": {"$in": [1, "x-"]}})
        );

        let empty = serde_json::Map::new();
        let error = compiled
            .render(&RecordScope::new(&empty, &vars))
            .unwrap_err();
        assert_eq!((error.kind, error.offset), (ErrorKind::Missing, Some(125)));
    }

    #[test]
    fn placeholders_in_keys_are_rejected() {
        let error = compile(r#"{"{field}": 1}"#).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Syntax);
        assert_eq!(error.offset, Some(102));
    }
}
