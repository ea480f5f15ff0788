//! The one error type of the expression language.
//!
//! Every error says what is wrong (`message`), optionally where inside the template text
//! (`offset`, a byte offset into the text that was parsed) and what to do (`hint`). The model
//! crate turns `offset` into a file line and column.

/// What kind of problem an [`ExprError`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text does not parse.
    Syntax,
    /// A function, variable, filter, parser or logic name that does not exist.
    Unknown,
    /// A value of the wrong type for an operation (evaluation time).
    Type,
    /// A placeholder names a field the record does not have (evaluation time).
    Missing,
    /// A lookup (`_mongoQuery`, `_findCollection`) failed or found nothing.
    Lookup,
}

/// An error from parsing or evaluating a template or expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// What kind of problem this is.
    pub kind: ErrorKind,
    /// Lowercase, no trailing punctuation, identifiers in backticks.
    pub message: String,
    /// Byte offset into the parsed text where the problem is, when known.
    pub offset: Option<usize>,
    /// What to do about it: the valid choices, a did-you-mean.
    pub hint: Option<String>,
}

impl ExprError {
    /// A new error without offset or hint.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            offset: None,
            hint: None,
        }
    }

    /// Sets the byte offset into the parsed text.
    pub fn at(mut self, offset: usize) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Shifts the offset by `by` bytes (used when an expression is embedded in a larger text).
    pub fn shifted(mut self, by: usize) -> Self {
        self.offset = self.offset.map(|offset| offset + by);
        self
    }
}

/// The most similar of `choices` to a rejected `name`, when one is close enough to be a likely
/// typo (edit distance at most a third of the name's length, and at least 2 allowed).
pub(crate) fn did_you_mean<'c>(name: &str, choices: &[&'c str]) -> Option<&'c str> {
    let lowered = name.to_lowercase();
    let allowed = (name.chars().count() / 3).max(2);
    choices
        .iter()
        .map(|choice| {
            (
                strsim::levenshtein(&lowered, &choice.to_lowercase()),
                *choice,
            )
        })
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, choice)| choice)
}

/// The choices as backticked, comma-separated text: `` `a`, `b` ``.
pub(crate) fn list_choices(choices: &[&str]) -> String {
    let quoted: Vec<String> = choices.iter().map(|choice| format!("`{choice}`")).collect();
    quoted.join(", ")
}

/// An [`ErrorKind::Unknown`] error for a name that is not one of `choices`: the message lists
/// the valid choices, the hint names the closest one.
pub(crate) fn unknown_name(what: &str, name: &str, choices: &[&str]) -> ExprError {
    let error = ExprError::new(
        ErrorKind::Unknown,
        format!(
            "unknown {what} `{name}` (available: {})",
            list_choices(choices)
        ),
    );
    match did_you_mean(name, choices) {
        Some(closest) => error.with_hint(format!("did you mean `{closest}`?")),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_close_names_only() {
        let filters = ["datetime", "date", "timestamp", "timestamp_ms"];
        assert_eq!(did_you_mean("datetme", &filters), Some("datetime"));
        assert_eq!(did_you_mean("DATE", &filters), Some("date"));
        assert_eq!(did_you_mean("timestamp_s", &filters), Some("timestamp_ms"));
        assert_eq!(did_you_mean("timestmp", &filters), Some("timestamp"));
        assert_eq!(did_you_mean("uppercase", &filters), None);
    }

    #[test]
    fn unknown_name_lists_choices_and_hints() {
        let error = unknown_name("filter", "dat", &["datetime", "date"]);
        assert_eq!(error.kind, ErrorKind::Unknown);
        assert_eq!(
            error.message,
            "unknown filter `dat` (available: `datetime`, `date`)"
        );
        assert_eq!(error.hint.as_deref(), Some("did you mean `date`?"));
    }
}
