//! Splits template text into literal text and placeholders.
//!
//! A placeholder is `{name}` or `{{name}}`, optionally with a filter: `{{name|filter}}`
//! (spaces are allowed inside the double-brace form: `{{ name | filter }}`). A name is one or
//! more dot-separated segments of letters (any script), digits and `_`: `o_id`, `a.b`,
//! `items_oi_id`, `77213`, `仓库`. Anything else between braces is literal text, so
//! `{"a":1}` stays JSON and `{}` stays `{}`; no escape is needed. The double-brace form is
//! tried first; `{{x}` is the literal `{` followed by `{x}`.
//!
//! Once `{{name|` has been read, the filter is meant: a malformed or unknown filter is an
//! error rather than literal text, so `{{LAST_SYNC_TIME|datetme}}` is never sent verbatim.

use super::time::{FILTER_NAMES, TimeFilter};
use crate::error::unknown_name;
use crate::{ErrorKind, ExprError};

/// One placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slot {
    /// The name between the braces.
    pub name: String,
    /// Byte offset of the opening brace.
    pub offset: usize,
    /// The filter, if any.
    pub filter: Option<TimeFilter>,
}

/// A piece of template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(String),
    Slot(Slot),
}

/// Splits `text` into segments; literal runs are merged, empty ones omitted.
pub(crate) fn scan(text: &str) -> Result<Vec<Segment>, ExprError> {
    let bytes = text.as_bytes();
    let mut segments = Vec::new();
    let mut literal_start = 0;
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] != b'{' {
            index += 1;
            continue;
        }
        let double = bytes.get(index + 1) == Some(&b'{');
        let found = match double {
            true => placeholder(text, index, true)?,
            false => None,
        };
        let found = match found {
            Some(found) => Some(found),
            None if !double => placeholder(text, index, false)?,
            None => None,
        };
        let Some((slot, end)) = found else {
            index += 1;
            continue;
        };
        if literal_start < index {
            segments.push(Segment::Literal(text[literal_start..index].to_owned()));
        }
        segments.push(Segment::Slot(slot));
        index = end;
        literal_start = end;
    }
    if literal_start < text.len() {
        segments.push(Segment::Literal(text[literal_start..].to_owned()));
    }
    Ok(segments)
}

/// Whether `c` may appear in a name segment.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Reads a placeholder whose opening brace is at `start`; returns it and the offset after its
/// closing brace, `Ok(None)` when the text there is not a placeholder.
fn placeholder(text: &str, start: usize, double: bool) -> Result<Option<(Slot, usize)>, ExprError> {
    let braces = if double { 2 } else { 1 };
    let mut cursor = Cursor {
        text,
        position: start + braces,
    };
    if double {
        cursor.skip_spaces();
    }
    let name = cursor.take_while(|c| is_name_char(c) || c == '.');
    if name.is_empty() || name.split('.').any(str::is_empty) {
        return Ok(None);
    }
    if double {
        cursor.skip_spaces();
    }
    let mut filter = None;
    if cursor.eat('|') {
        if double {
            cursor.skip_spaces();
        }
        let filter_offset = cursor.position;
        let filter_name = cursor.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
        if double {
            cursor.skip_spaces();
        }
        let closed = cursor.at_closing(braces);
        if filter_name.is_empty() || !closed {
            if !double {
                return Ok(None);
            }
            return Err(ExprError::new(
                ErrorKind::Syntax,
                format!(
                    "malformed filter in placeholder `{name}`: expected `{{{{{name}|filter}}}}`"
                ),
            )
            .at(filter_offset)
            .with_hint(format!(
                "filters take no arguments; available: {}",
                quoted_filters()
            )));
        }
        match TimeFilter::from_name(filter_name) {
            Some(known) => filter = Some(known),
            None => return Err(unknown_name("filter", filter_name, FILTER_NAMES).at(filter_offset)),
        }
    }
    if !cursor.at_closing(braces) {
        return Ok(None);
    }
    let slot = Slot {
        name: name.to_owned(),
        offset: start,
        filter,
    };
    Ok(Some((slot, cursor.position + braces)))
}

fn quoted_filters() -> String {
    crate::error::list_choices(FILTER_NAMES)
}

struct Cursor<'t> {
    text: &'t str,
    position: usize,
}

impl<'t> Cursor<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.position..]
    }

    fn take_while(&mut self, accept: impl Fn(char) -> bool) -> &'t str {
        let rest = self.rest();
        let length = rest.find(|c: char| !accept(c)).unwrap_or(rest.len());
        self.position += length;
        &rest[..length]
    }

    fn skip_spaces(&mut self) {
        self.take_while(|c| c == ' ');
    }

    fn eat(&mut self, expected: char) -> bool {
        if self.rest().starts_with(expected) {
            self.position += expected.len_utf8();
            return true;
        }
        false
    }

    fn at_closing(&self, braces: usize) -> bool {
        self.rest()
            .starts_with(if braces == 2 { "}}" } else { "}" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(name: &str, offset: usize, filter: Option<TimeFilter>) -> Segment {
        Segment::Slot(Slot {
            name: name.to_owned(),
            offset,
            filter,
        })
    }

    fn literal(text: &str) -> Segment {
        Segment::Literal(text.to_owned())
    }

    #[test]
    fn finds_single_and_double_placeholders() {
        assert_eq!(
            scan("{o_id}-{items_oi_id}").unwrap(),
            vec![
                slot("o_id", 0, None),
                literal("-"),
                slot("items_oi_id", 7, None)
            ]
        );
        assert_eq!(
            scan("from {{LAST_SYNC_TIME|datetime}}!").unwrap(),
            vec![
                literal("from "),
                slot("LAST_SYNC_TIME", 5, Some(TimeFilter::Datetime)),
                literal("!")
            ]
        );
        assert_eq!(
            scan("{{ a.b | date }}").unwrap(),
            vec![slot("a.b", 0, Some(TimeFilter::Date))]
        );
        assert_eq!(scan("{仓库}").unwrap(), vec![slot("仓库", 0, None)]);
        assert_eq!(scan("{77213}").unwrap(), vec![slot("77213", 0, None)]);
    }

    #[test]
    fn non_names_are_literal() {
        for text in [
            "{\"a\":1}",
            "{}",
            "{ a }",
            "{a b}",
            "{.a}",
            "{a.}",
            "{a..b}",
            "{a",
            "a}",
            "{{}}",
        ] {
            assert_eq!(scan(text).unwrap(), vec![literal(text)], "{text}");
        }
        assert_eq!(scan("").unwrap(), vec![]);
        assert_eq!(
            scan("{a|datetime x}").unwrap(),
            vec![literal("{a|datetime x}")]
        );
        assert_eq!(scan("{a|}").unwrap(), vec![literal("{a|}")]);
    }

    #[test]
    fn unbalanced_double_braces_fall_back_to_single() {
        assert_eq!(
            scan("{{a}").unwrap(),
            vec![literal("{"), slot("a", 1, None)]
        );
        assert_eq!(
            scan("{a}}").unwrap(),
            vec![slot("a", 0, None), literal("}")]
        );
        assert_eq!(
            scan("{{{a}}}").unwrap(),
            vec![literal("{"), slot("a", 1, None), literal("}")]
        );
    }

    #[test]
    fn single_brace_filters_are_accepted() {
        assert_eq!(
            scan("{LAST_SYNC_TIME|timestamp_ms}").unwrap(),
            vec![slot("LAST_SYNC_TIME", 0, Some(TimeFilter::TimestampMs))]
        );
    }

    #[test]
    fn unknown_filters_are_errors_with_offsets() {
        let error = scan("x {{LAST_SYNC_TIME|datetme}}").unwrap_err();
        assert_eq!(error.kind, ErrorKind::Unknown);
        assert_eq!(
            error.message,
            "unknown filter `datetme` (available: `datetime`, `date`, `timestamp`, `timestamp_ms`)"
        );
        assert_eq!(error.offset, Some(19));
        assert_eq!(error.hint.as_deref(), Some("did you mean `datetime`?"));
        assert_eq!(scan("{a|bogus}").unwrap_err().offset, Some(3));
    }

    #[test]
    fn filter_arguments_are_syntax_errors() {
        let error = scan("{{lastSyncTime|date('yyyy-MM-dd')}}").unwrap_err();
        assert_eq!(error.kind, ErrorKind::Syntax);
        assert_eq!(error.offset, Some(15));
        let error = scan("{{a|}}").unwrap_err();
        assert_eq!(error.kind, ErrorKind::Syntax);
    }
}
