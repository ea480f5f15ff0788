//! A parsed document (scheme JSON or `ferry.toml`) as a tree of nodes that remember where they
//! came from.
//!
//! Both input formats are converted into the same [`Node`] tree so that one set of readers can
//! check them and report every problem at `file:line:col`. A [`Span`] is a byte range into the
//! file text; [`SourceFile::position`] turns an offset into a 1-based line and column
//! (counted in characters, as editors do).

mod json;
mod source;
mod toml;

pub(crate) use json::lowercase_first;

pub use json::parse_json;
pub use source::{Position, SourceFile};
pub use toml::parse_toml;

/// A byte range into a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
}

/// A value in a parsed document, with the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: NodeValue,
    /// Where the value's text is.
    pub span: Span,
}

/// One key of an object, with the span of the key itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key's text is.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// The kinds of values a document holds.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, kept as JSON.
    Number(serde_json::Number),
    /// A string (escapes resolved).
    String(String),
    /// A TOML date-time, as its text.
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, keys in document order.
    Object(Vec<Entry>),
}

impl Node {
    /// The name of the node's type as the user sees it in messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Number(_) => "a number",
            NodeValue::String(_) => "a string",
            NodeValue::Datetime(_) => "a date-time",
            NodeValue::Array(_) => "an array",
            NodeValue::Object(_) => "an object",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(text) | NodeValue::Datetime(text) => Some(text),
            _ => None,
        }
    }

    /// The entries, if this is an object.
    pub fn as_object(&self) -> Option<&[Entry]> {
        match &self.value {
            NodeValue::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Array(items) => Some(items),
            _ => None,
        }
    }

    /// Looks a key up, if this is an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_object()?
            .iter()
            .find(|entry| entry.key == key)
            .map(|entry| &entry.value)
    }

    /// The value as plain JSON (spans dropped).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(flag) => Value::Bool(*flag),
            NodeValue::Number(number) => Value::Number(number.clone()),
            NodeValue::String(text) | NodeValue::Datetime(text) => Value::String(text.clone()),
            NodeValue::Array(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|entry| (entry.key.clone(), entry.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// Where the first character of a string's content is (after the opening quote), so that
    /// an offset into the string maps back to the file. Equal to `span.start` for non-strings.
    pub fn content_start(&self, file: &SourceFile) -> usize {
        let text = file.text();
        match text.as_bytes().get(self.span.start) {
            Some(b'"') | Some(b'\'') => {
                // TOML multi-line strings open with three quotes
                if text[self.span.start..].starts_with("\"\"\"")
                    || text[self.span.start..].starts_with("'''")
                {
                    self.span.start + 3
                } else {
                    self.span.start + 1
                }
            }
            _ => self.span.start,
        }
    }
}
