//! Problems found in input files: what is wrong, where, and what to do.
//!
//! Readers never stop at the first problem: they push [`Issue`]s into a [`Diagnostics`] and go
//! on, so `ferry validate` shows everything wrong with a file at once. Every issue carries the
//! file, a 1-based line and column, the document path (`source.request[2].value`) for tools
//! that highlight by path, a lowercase message and an optional hint.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::doc::{Position, SourceFile, Span};

/// How bad an issue is. Errors stop a run; warnings are shown and the run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used as it is.
    Error,
    /// Probably a mistake, but the file can be used.
    Warning,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as given on the command line.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub col: usize,
    /// Where in the document, e.g. `source.request[2].value`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl fmt::Display for Issue {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            formatter,
            "{}:{}:{}: {severity}: {}",
            self.file.display(),
            self.line,
            self.col,
            self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(formatter, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The issues found in one file, in the order found.
#[derive(Debug)]
pub struct Diagnostics<'f> {
    file: &'f SourceFile,
    issues: Vec<Issue>,
}

impl<'f> Diagnostics<'f> {
    /// An empty list for `file`.
    pub fn new(file: &'f SourceFile) -> Self {
        Self {
            file,
            issues: Vec::new(),
        }
    }

    /// The file being checked.
    pub fn file(&self) -> &'f SourceFile {
        self.file
    }

    /// Records an error at byte `offset`.
    pub fn error(&mut self, offset: usize, path: &str, message: impl Into<String>) -> &mut Issue {
        self.push(Severity::Error, offset, path, message.into())
    }

    /// Records a warning at byte `offset`.
    pub fn warning(&mut self, offset: usize, path: &str, message: impl Into<String>) -> &mut Issue {
        self.push(Severity::Warning, offset, path, message.into())
    }

    /// Records an error at the start of `span`.
    pub fn error_at(&mut self, span: Span, path: &str, message: impl Into<String>) -> &mut Issue {
        self.error(span.start, path, message)
    }

    fn push(
        &mut self,
        severity: Severity,
        offset: usize,
        path: &str,
        message: String,
    ) -> &mut Issue {
        let Position { line, col } = self.file.position(offset);
        self.issues.push(Issue {
            severity,
            file: self.file.path().to_path_buf(),
            line,
            col,
            path: path.to_owned(),
            message,
            hint: None,
        });
        let last = self.issues.len() - 1;
        &mut self.issues[last]
    }

    /// Whether any error (not warning) was recorded.
    pub fn has_errors(&self) -> bool {
        self.issues
            .iter()
            .any(|issue| issue.severity == Severity::Error)
    }

    /// The issues, in the order found.
    pub fn into_issues(self) -> Vec<Issue> {
        self.issues
    }
}

impl Issue {
    /// Adds a hint.
    pub fn hint(&mut self, hint: impl Into<String>) -> &mut Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint if there is one.
    pub fn maybe_hint(&mut self, hint: Option<String>) -> &mut Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }
}

/// A did-you-mean hint: the closest of `choices` to `input`, if close enough.
pub fn did_you_mean<'a>(
    input: &str,
    choices: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lowered = input.to_lowercase();
    choices
        .into_iter()
        .map(|choice| {
            let distance = strsim::damerau_levenshtein(&lowered, &choice.to_lowercase());
            (distance, choice)
        })
        .filter(|(distance, choice)| {
            let longest = input.chars().count().max(choice.chars().count());
            *distance <= (longest / 3).max(1)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, choice)| choice)
}

/// `` `a`, `b`, `c` `` for hints that list the valid choices.
pub fn list_choices<'a>(choices: impl IntoIterator<Item = &'a str>) -> String {
    choices
        .into_iter()
        .map(|choice| format!("`{choice}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A hint for a rejected name: did-you-mean if one is close, else the list of valid names.
pub fn choice_hint(input: &str, choices: &[&str]) -> String {
    match did_you_mean(input, choices.iter().copied()) {
        Some(close) => format!(
            "did you mean `{close}`? (valid: {})",
            list_choices(choices.iter().copied())
        ),
        None => format!("valid: {}", list_choices(choices.iter().copied())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["request", "otherRequest", "condition", "beatFlat"];
        assert_eq!(did_you_mean("reqest", keys), Some("request"));
        assert_eq!(did_you_mean("beatflat", keys), Some("beatFlat"));
        assert_eq!(did_you_mean("otherrequests", keys), Some("otherRequest"));
        assert_eq!(did_you_mean("describe", keys), None);
    }

    #[test]
    fn renders_file_line_col() {
        let file = SourceFile::new("a.json", "{\n  \"x\": 1\n}");
        let mut diagnostics = Diagnostics::new(&file);
        diagnostics
            .error(4, "x", "unknown key `x`")
            .hint("did you mean `y`?");
        let issues = diagnostics.into_issues();
        assert_eq!(
            issues[0].to_string(),
            "a.json:2:3: error: unknown key `x`\n  hint: did you mean `y`?"
        );
    }
}
