//! `ferry.toml`: TOML into a [`Node`] tree with spans.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::json::{SyntaxError, lowercase_first};
use super::{Entry, Node, NodeValue, Span};

/// Parses TOML text into a node tree (the root is an object).
pub fn parse_toml(text: &str) -> Result<Node, SyntaxError> {
    let table = DeTable::parse(text).map_err(|error| {
        let range = error.span().unwrap_or(0..0);
        SyntaxError {
            message: format!("invalid TOML: {}", lowercase_first(error.message().trim())),
            span: Span::new(range.start, range.end),
        }
    })?;
    let span = table.span();
    Ok(Node {
        value: convert_table(table.get_ref()),
        span: Span::new(span.start, span.end),
    })
}

fn convert_table(table: &DeTable<'_>) -> NodeValue {
    let entries = table
        .iter()
        .map(|(key, value)| {
            let key_span = key.span();
            Entry {
                key: key.get_ref().to_string(),
                key_span: Span::new(key_span.start, key_span.end),
                value: convert(value),
            }
        })
        .collect();
    NodeValue::Object(entries)
}

fn convert(value: &Spanned<DeValue<'_>>) -> Node {
    let range = value.span();
    let span = Span::new(range.start, range.end);
    let value = match value.get_ref() {
        DeValue::String(text) => NodeValue::String(text.to_string()),
        DeValue::Integer(integer) => match i64::from_str_radix(integer.as_str(), integer.radix()) {
            Ok(number) => NodeValue::Number(number.into()),
            Err(_) => NodeValue::String(integer.as_str().to_owned()),
        },
        DeValue::Float(float) => match float.as_str().parse::<f64>() {
            Ok(number) => serde_json::Number::from_f64(number)
                .map(NodeValue::Number)
                .unwrap_or_else(|| NodeValue::String(float.as_str().to_owned())),
            Err(_) => NodeValue::String(float.as_str().to_owned()),
        },
        DeValue::Boolean(flag) => NodeValue::Bool(*flag),
        DeValue::Datetime(datetime) => NodeValue::Datetime(datetime.to_string()),
        DeValue::Array(items) => NodeValue::Array(items.iter().map(convert).collect()),
        DeValue::Table(table) => convert_table(table),
    };
    Node { value, span }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_tables_with_spans() {
        let text =
            "[store]\nurl = \"sqlite://ferry.db\"\n\n[connections.jst]\nrate = \"5/s\"\nport = 7\n";
        let root = parse_toml(text).unwrap();
        let url = root.get("store").unwrap().get("url").unwrap();
        assert_eq!(url.as_str(), Some("sqlite://ferry.db"));
        assert_eq!(&text[url.span.start..url.span.end], "\"sqlite://ferry.db\"");
        let jst = root.get("connections").unwrap().get("jst").unwrap();
        assert_eq!(jst.to_json(), serde_json::json!({"rate": "5/s", "port": 7}));
    }

    #[test]
    fn reports_syntax_errors() {
        let error = parse_toml("[store]\nurl = \n").unwrap_err();
        assert!(
            error.message.starts_with("invalid TOML"),
            "{}",
            error.message
        );
    }
}
