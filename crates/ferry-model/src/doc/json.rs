//! Scheme files: JSON (comments and trailing commas allowed, as in JSONC) into a [`Node`] tree.

use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};

use super::{Entry, Node, NodeValue, Span};

/// Why a document could not be parsed at all: a message and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// Parses JSON text. Comments (`//`, `/* */`) and trailing commas are accepted; anything else
/// that is not JSON is a [`SyntaxError`].
pub fn parse_json(text: &str) -> Result<Node, SyntaxError> {
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let options = ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: false,
        allow_trailing_commas: true,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        ..ParseOptions::default()
    };
    let parsed = parse_to_ast(text, &collect, &options).map_err(|error| {
        let range = error.range();
        SyntaxError {
            message: format!(
                "invalid JSON: {}",
                lowercase_first(&error.kind().to_string())
            ),
            span: Span::new(range.start, range.end),
        }
    })?;
    match parsed.value {
        Some(value) => convert(value),
        None => Err(SyntaxError {
            message: "the file is empty".to_owned(),
            span: Span::default(),
        }),
    }
}

fn convert(value: ast::Value<'_>) -> Result<Node, SyntaxError> {
    let node = match value {
        ast::Value::StringLit(lit) => node(NodeValue::String(lit.value.into_owned()), lit.range),
        ast::Value::NumberLit(lit) => {
            let number =
                serde_json::from_str::<serde_json::Number>(lit.value).map_err(|_| SyntaxError {
                    message: format!("invalid JSON: `{}` is not a number", lit.value),
                    span: Span::new(lit.range.start, lit.range.end),
                })?;
            node(NodeValue::Number(number), lit.range)
        }
        ast::Value::BooleanLit(lit) => node(NodeValue::Bool(lit.value), lit.range),
        ast::Value::NullKeyword(keyword) => node(NodeValue::Null, keyword.range),
        ast::Value::Array(array) => {
            let mut items = Vec::with_capacity(array.elements.len());
            for element in array.elements {
                items.push(convert(element)?);
            }
            node(NodeValue::Array(items), array.range)
        }
        ast::Value::Object(object) => {
            let mut entries = Vec::with_capacity(object.properties.len());
            for property in object.properties {
                let (key, key_range) = match property.name {
                    ast::ObjectPropName::String(lit) => (lit.value.into_owned(), lit.range),
                    ast::ObjectPropName::Word(word) => (word.value.to_owned(), word.range),
                };
                entries.push(Entry {
                    key,
                    key_span: Span::new(key_range.start, key_range.end),
                    value: convert(property.value)?,
                });
            }
            node(NodeValue::Object(entries), object.range)
        }
    };
    Ok(node)
}

fn node(value: NodeValue, range: jsonc_parser::common::Range) -> Node {
    Node {
        value,
        span: Span::new(range.start, range.end),
    }
}

pub(crate) fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first
            .to_lowercase()
            .chain(chars)
            .collect::<String>()
            .trim_end_matches('.')
            .to_owned(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_and_value_spans() {
        let text = r#"{"a": [1, "x"], // comment
  "b": null,}"#;
        let root = parse_json(text).unwrap();
        let entries = root.as_object().unwrap();
        assert_eq!(entries[0].key, "a");
        assert_eq!(
            &text[entries[0].key_span.start..entries[0].key_span.end],
            "\"a\""
        );
        assert_eq!(
            &text[entries[1].value.span.start..entries[1].value.span.end],
            "null"
        );
        assert_eq!(
            root.to_json(),
            serde_json::json!({"a": [1, "x"], "b": null})
        );
    }

    #[test]
    fn reports_syntax_errors_with_a_span() {
        let error = parse_json("{\"a\": 1,\n \"b\" 2}").unwrap_err();
        assert!(
            error.message.starts_with("invalid JSON"),
            "{}",
            error.message
        );
        assert_eq!(error.span.start, 14);
    }
}
