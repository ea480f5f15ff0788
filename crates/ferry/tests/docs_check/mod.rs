//! The checks behind `tests/docs.rs`: every fenced block of `docs/schemes.md` and
//! `docs/platforms.md` carries an info string naming its check, and each check runs the block
//! through the real code (the expression language, the scheme and config loaders, the engine's
//! field rendering, the catalog, the `ferry validate` binary).
//!
//! Block layout (shared by the expression checks): the *head* is every line before the first
//! line that starts with a key (`record:`, `vars:`, `ledger:`, `in:`, `kept:`, `dropped:`,
//! `= `, `error:`); each key's value runs to the next key line. [`Block::sections`] splits
//! them; a check reports the block's file and line on failure.

#![allow(dead_code)]

pub mod expr;
pub mod platform;

use std::path::{Path, PathBuf};

use ferry_model::scheme::SchemeContext;
use ferry_model::{Config, Scheme, SourceFile};

/// The keys that start a section of a block.
const KEYS: &[&str] = &[
    "record:", "vars:", "ledger:", "in:", "kept:", "dropped:", "=", "error:",
];

/// One fenced block of a Markdown file.
#[derive(Debug, Clone)]
pub struct Block {
    /// The document it is in.
    pub file: String,
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The info string (`ferry-eval`, `json scheme`, …).
    pub info: String,
    /// The lines between the fences.
    pub body: Vec<String>,
}

impl Block {
    /// `file:line` of the opening fence, for messages.
    pub fn at(&self) -> String {
        format!("{}:{} ({})", self.file, self.line, self.info)
    }

    /// The body as one text.
    pub fn text(&self) -> String {
        self.body.join("\n")
    }

    /// The head (lines before the first key) and the `(key, value)` sections in order.
    pub fn sections(&self) -> (String, Vec<(String, String)>) {
        let mut head = Vec::new();
        let mut sections: Vec<(String, String)> = Vec::new();
        for line in &self.body {
            let key = KEYS.iter().find(|key| {
                line.strip_prefix(**key)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
            });
            match (key, sections.last_mut()) {
                (Some(key), _) => {
                    let value = line[key.len()..].trim().to_owned();
                    sections.push((key.trim_end_matches(':').to_owned(), value));
                }
                (None, Some((_, value))) => {
                    value.push('\n');
                    value.push_str(line);
                }
                (None, None) => head.push(line.trim().to_owned()),
            }
        }
        (head.join("\n").trim().to_owned(), sections)
    }
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every fenced block of `docs/<name>`.
pub fn blocks(name: &str) -> Vec<Block> {
    let path = repo().join("docs").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in text.lines().enumerate() {
        match open.take() {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    open = Some(Block {
                        file: format!("docs/{name}"),
                        line: index + 1,
                        info: info.trim().to_owned(),
                        body: Vec::new(),
                    });
                }
            }
            Some(mut block) => {
                if line.trim_end() == "```" {
                    blocks.push(block);
                } else {
                    block.body.push(line.to_owned());
                    open = Some(block);
                }
            }
        }
    }
    assert!(open.is_none(), "docs/{name}: a fenced block is not closed");
    blocks
}

/// Parses JSON text, naming the block on failure.
pub fn json(block: &Block, text: &str) -> serde_json::Value {
    serde_json::from_str(text)
        .unwrap_or_else(|error| panic!("{}: `{text}` is not JSON: {error}", block.at()))
}

/// `examples/ferry.toml`, loaded with every `${NAME}` at its default: the config the scheme
/// examples are checked against.
pub fn example_config() -> Config {
    let path = repo().join("examples/ferry.toml");
    let text = std::fs::read_to_string(&path).expect("examples/ferry.toml");
    ferry_model::load_config(&SourceFile::new("examples/ferry.toml", text), &|_| None)
        .unwrap_or_else(|issues| panic!("examples/ferry.toml: {issues:?}"))
}

/// The names and ids of the example schemes, for lookup collections.
pub fn example_collections() -> Vec<String> {
    let mut names = Vec::new();
    let dir = repo().join("examples/schemes");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/schemes")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("scheme");
        let value: serde_json::Value = serde_json::from_str(&text).expect("scheme JSON");
        for key in ["name", "id"] {
            if let Some(name) = value.get(key).and_then(serde_json::Value::as_str) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// Loads scheme text against the example config; panics with every issue on failure.
pub fn load_scheme(block: &Block, text: &str, config: &Config, collections: &[String]) -> Scheme {
    let file = SourceFile::new(format!("{}:{}", block.file, block.line), text);
    let context = SchemeContext {
        config: Some(config),
        collections: Some(collections),
    };
    match ferry_model::load_scheme(&file, &context) {
        Ok(scheme) => scheme,
        Err(issues) => {
            let shown: Vec<String> = issues.iter().map(ToString::to_string).collect();
            panic!(
                "{}: the scheme does not validate:\n{}",
                block.at(),
                shown.join("\n")
            )
        }
    }
}
