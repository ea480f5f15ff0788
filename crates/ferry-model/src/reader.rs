//! Reading typed values out of a [`Node`] tree while collecting every problem.
//!
//! An [`ObjectReader`] hands out the keys a reader asks for and, at [`ObjectReader::finish`],
//! reports the keys nobody asked for. A key close to a known one is a misspelling and an error
//! with a did-you-mean; other unknown keys are either errors (strict sections such as `sync`
//! or `[store]`) or kept as extras (scheme adapters and fields carry Qeasy's UI keys such as
//! `label`, `describe`, `isRequired`, which ferry keeps but does not interpret).

use serde_json::Map;

use crate::diag::{Diagnostics, did_you_mean, list_choices};
use crate::doc::{Entry, Node, NodeValue, Span};

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where its text is.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `value` written at `span`.
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

/// What to do with keys that no reader asked for and that are not close to a known key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownKeys {
    /// Report an error listing the valid keys.
    Reject,
    /// Keep them as extras.
    Keep,
}

/// Reads the keys of one object node.
pub struct ObjectReader<'n> {
    path: String,
    span: Span,
    entries: &'n [Entry],
    used: Vec<bool>,
}

impl<'n> ObjectReader<'n> {
    /// Opens `node` as an object; reports an error and returns `None` if it is not one.
    pub fn open(node: &'n Node, path: &str, diagnostics: &mut Diagnostics<'_>) -> Option<Self> {
        let Some(entries) = node.as_object() else {
            let what = if path.is_empty() {
                "the document".to_owned()
            } else {
                format!("`{path}`")
            };
            diagnostics.error_at(
                node.span,
                path,
                format!("{what} must be an object, found {}", node.type_name()),
            );
            return None;
        };
        let mut reader = Self {
            path: path.to_owned(),
            span: node.span,
            entries,
            used: vec![false; entries.len()],
        };
        reader.report_duplicates(diagnostics);
        Some(reader)
    }

    fn report_duplicates(&mut self, diagnostics: &mut Diagnostics<'_>) {
        for (index, entry) in self.entries.iter().enumerate() {
            let earlier = self.entries[..index]
                .iter()
                .any(|other| other.key == entry.key);
            if earlier {
                self.used[index] = true;
                diagnostics
                    .error_at(
                        entry.key_span,
                        &self.child_path(&entry.key),
                        format!("duplicate key `{}`", entry.key),
                    )
                    .hint("each key may appear once; the first one is used");
            }
        }
    }

    /// The document path of this object.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Where the object is.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The path of one of its keys.
    pub fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Takes a key (first occurrence), marking it used.
    pub fn take(&mut self, key: &str) -> Option<&'n Node> {
        let index = self.entries.iter().position(|entry| entry.key == key)?;
        self.used[index] = true;
        Some(&self.entries[index].value)
    }

    /// Takes a key that must be present; reports an error naming it if missing.
    pub fn require(&mut self, key: &str, diagnostics: &mut Diagnostics<'_>) -> Option<&'n Node> {
        let node = self.take(key);
        if node.is_none() {
            let what = if self.path.is_empty() {
                "the document".to_owned()
            } else {
                format!("`{}`", self.path)
            };
            diagnostics.error_at(
                self.span,
                &self.child_path(key),
                format!("{what} is missing the required key `{key}`"),
            );
        }
        node
    }

    /// Takes a string key; reports a type error if it is not a string.
    pub fn string(
        &mut self,
        key: &str,
        diagnostics: &mut Diagnostics<'_>,
    ) -> Option<Spanned<String>> {
        let node = self.take(key)?;
        expect_string(node, &self.child_path(key), diagnostics)
    }

    /// Takes a string key that must be present.
    pub fn required_string(
        &mut self,
        key: &str,
        diagnostics: &mut Diagnostics<'_>,
    ) -> Option<Spanned<String>> {
        let node = self.require(key, diagnostics)?;
        expect_string(node, &self.child_path(key), diagnostics)
    }

    /// Takes a boolean key. Qeasy writes booleans as strings too (`"true"`), so those are
    /// accepted.
    pub fn boolean(&mut self, key: &str, diagnostics: &mut Diagnostics<'_>) -> Option<bool> {
        let node = self.take(key)?;
        match &node.value {
            NodeValue::Bool(flag) => Some(*flag),
            NodeValue::String(text) if text == "true" || text == "false" => Some(text == "true"),
            _ => {
                diagnostics.error_at(
                    node.span,
                    &self.child_path(key),
                    format!("`{key}` must be true or false, found {}", node.type_name()),
                );
                None
            }
        }
    }

    /// Takes an array key; reports a type error if it is not an array.
    pub fn array(&mut self, key: &str, diagnostics: &mut Diagnostics<'_>) -> Option<&'n [Node]> {
        let node = self.take(key)?;
        match node.as_array() {
            Some(items) => Some(items),
            None => {
                diagnostics.error_at(
                    node.span,
                    &self.child_path(key),
                    format!("`{key}` must be an array, found {}", node.type_name()),
                );
                None
            }
        }
    }

    /// Reports unused keys and returns the kept extras.
    ///
    /// `known` are all keys this object may have (for did-you-mean). Unknown keys close to a
    /// known one are always errors; others follow `unknown`.
    pub fn finish(
        self,
        known: &[&str],
        unknown: UnknownKeys,
        diagnostics: &mut Diagnostics<'_>,
    ) -> Map<String, serde_json::Value> {
        let mut extras = Map::new();
        for (entry, used) in self.entries.iter().zip(&self.used) {
            if *used {
                continue;
            }
            if known.contains(&entry.key.as_str()) {
                // a known key that this reader keeps without interpreting (`describe`, …)
                extras.insert(entry.key.clone(), entry.value.to_json());
                continue;
            }
            let path = self.child_path(&entry.key);
            if let Some(close) = did_you_mean(&entry.key, known.iter().copied()) {
                diagnostics
                    .error_at(
                        entry.key_span,
                        &path,
                        format!("unknown key `{}`", entry.key),
                    )
                    .hint(format!("did you mean `{close}`?"));
                continue;
            }
            match unknown {
                UnknownKeys::Keep => {
                    extras.insert(entry.key.clone(), entry.value.to_json());
                }
                UnknownKeys::Reject => {
                    diagnostics
                        .error_at(
                            entry.key_span,
                            &path,
                            format!("unknown key `{}`", entry.key),
                        )
                        .hint(format!(
                            "valid keys: {}",
                            list_choices(known.iter().copied())
                        ));
                }
            }
        }
        extras
    }
}

/// The node as a string, or a type error.
pub fn expect_string(
    node: &Node,
    path: &str,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<Spanned<String>> {
    match node.as_str() {
        Some(text) => Some(Spanned::new(text.to_owned(), node.span)),
        None => {
            let key = path.rsplit('.').next().unwrap_or(path);
            diagnostics.error_at(
                node.span,
                path,
                format!("`{key}` must be a string, found {}", node.type_name()),
            );
            None
        }
    }
}

/// `path[index]`.
pub fn index_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}
