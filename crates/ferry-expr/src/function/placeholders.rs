//! Placeholder scanning: turns `_function` text into SQL with numbered parameter slots.
//!
//! Contract:
//! - `{name}` and `{{name}}` (name = Unicode letters/digits, `_`, `.`, `$`, `-`) outside string
//!   literals become a *typed* slot, bound from the JSON value.
//! - A placeholder that is a whole string literal (`'{name}'`, `"{name}"`) becomes a *string*
//!   slot. A placeholder inside a longer literal (`'abc{x}def'`) becomes
//!   `concat('abc', slot, 'def')`, so the value is still bound, never spliced.
//! - Slot `i` (0-based) is written `?{i+1}` in the text given to sqlparser and `?` in the
//!   MariaDB text; slot `i` is bound from placeholder `i`.
//! - [`Rewritten::original_offset`] maps a byte offset of the rewritten text back to the
//!   original text, for syntax error positions.

use super::Placeholder;

/// The result of scanning one expression text.
#[derive(Debug, Clone)]
pub(crate) struct Rewritten {
    /// Text for sqlparser, with `?1`, `?2`, … for the slots.
    pub sql: String,
    /// Text for MariaDB, with a plain `?` per slot in the same order.
    pub mysql_sql: String,
    /// One entry per slot, in slot order.
    pub placeholders: Vec<Placeholder>,
    /// `(rewritten_start, original_start, verbatim)` for each piece of `sql`, in order.
    segments: Vec<(usize, usize, bool)>,
}

impl Rewritten {
    /// Maps a byte offset of [`Rewritten::sql`] to a byte offset of the original text.
    pub fn original_offset(&self, offset: usize) -> usize {
        let index = self
            .segments
            .partition_point(|&(start, _, _)| start <= offset);
        match index.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(start, original, true)) => original + (offset - start),
            Some(&(_, original, false)) => original,
            None => offset,
        }
    }
}

/// Output under construction: both texts plus the offset map.
struct Writer {
    sql: String,
    mysql_sql: String,
    segments: Vec<(usize, usize, bool)>,
}

impl Writer {
    fn verbatim(&mut self, text: &str, original: usize) {
        if text.is_empty() {
            return;
        }
        self.segments.push((self.sql.len(), original, true));
        self.sql.push_str(text);
        self.mysql_sql.push_str(text);
    }

    fn synthetic(&mut self, sql: &str, mysql_sql: &str, original: usize) {
        self.segments.push((self.sql.len(), original, false));
        self.sql.push_str(sql);
        self.mysql_sql.push_str(mysql_sql);
    }

    fn slot(&mut self, index: usize, original: usize, next: Option<char>) {
        // A following digit or identifier character would merge with `?N`.
        let pad = next.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        let sql = format!("?{}{}", index + 1, if pad { " " } else { "" });
        let mysql_sql = if pad { "? " } else { "?" };
        self.synthetic(&sql, mysql_sql, original);
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '$' | '-')
}

/// If `text[at..]` starts a placeholder, returns `(name, length in bytes)`.
pub(crate) fn placeholder_at(text: &str, at: usize) -> Option<(&str, usize)> {
    let rest = text.get(at..)?;
    for braces in [2, 1] {
        let open = &"{{"[..braces];
        let close = &"}}"[..braces];
        let Some(inner) = rest.strip_prefix(open) else {
            continue;
        };
        let name_len = inner
            .find(|c: char| !is_name_char(c))
            .unwrap_or(inner.len());
        if name_len > 0 && inner[name_len..].starts_with(close) {
            return Some((&inner[..name_len], braces * 2 + name_len));
        }
    }
    None
}

/// Scans `text` and produces the rewritten SQL and the slot table.
pub(crate) fn rewrite(text: &str) -> Rewritten {
    let mut out = Writer {
        sql: String::new(),
        mysql_sql: String::new(),
        segments: Vec::new(),
    };
    let mut placeholders = Vec::new();
    let mut plain_start = 0;
    let mut i = 0;
    while i < text.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if c == '\'' || c == '"' {
            let end = literal_end(text, i, c);
            let literal = &text[i..end];
            if literal_has_placeholder(literal) {
                out.verbatim(&text[plain_start..i], plain_start);
                rewrite_literal(text, i, end, c, &mut out, &mut placeholders);
                plain_start = end;
            }
            i = end;
        } else if c == '`' {
            i = text[i + 1..]
                .find('`')
                .map_or(text.len(), |p| i + 1 + p + 1);
        } else if let Some((name, len)) = placeholder_at(text, i) {
            out.verbatim(&text[plain_start..i], plain_start);
            let next = text[i + len..].chars().next();
            out.slot(placeholders.len(), i, next);
            placeholders.push(Placeholder {
                name: name.to_owned(),
                offset: i,
                quoted: false,
            });
            i += len;
            plain_start = i;
        } else {
            i += c.len_utf8();
        }
    }
    out.verbatim(&text[plain_start..], plain_start);
    Rewritten {
        sql: out.sql,
        mysql_sql: out.mysql_sql,
        placeholders,
        segments: out.segments,
    }
}

/// The end (exclusive) of the string literal opened by `quote` at `start`: MySQL escapes are
/// a backslash before any character and a doubled quote. An unterminated literal runs to the
/// end of the text (sqlparser reports it).
fn literal_end(text: &str, start: usize, quote: char) -> usize {
    let bytes = text.as_bytes();
    let q = quote as u8;
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == q => {
                if bytes.get(i + 1) == Some(&q) {
                    i += 2;
                } else {
                    return i + 1;
                }
            }
            _ => i += 1,
        }
    }
    text.len()
}

fn literal_has_placeholder(literal: &str) -> bool {
    literal
        .char_indices()
        .any(|(i, c)| c == '{' && placeholder_at(literal, i).is_some())
}

/// Rewrites one string literal `text[start..end]` that contains placeholders.
fn rewrite_literal(
    text: &str,
    start: usize,
    end: usize,
    quote: char,
    out: &mut Writer,
    placeholders: &mut Vec<Placeholder>,
) {
    let closed = end > start + 1 && text[..end].ends_with(quote);
    let body_end = if closed { end - 1 } else { end };
    let body_start = start + 1;
    // A literal that is exactly one placeholder is a string slot.
    if let Some((name, len)) = placeholder_at(text, body_start)
        && body_start + len == body_end
        && closed
    {
        let next = text[end..].chars().next();
        out.slot(placeholders.len(), start, next);
        placeholders.push(Placeholder {
            name: name.to_owned(),
            offset: body_start,
            quoted: true,
        });
        return;
    }
    out.synthetic("concat(", "concat(", start);
    let mut pieces = 0;
    let mut piece_start = body_start;
    let mut i = body_start;
    while i < body_end {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if c == '\\' {
            i += 1 + text[i + 1..].chars().next().map_or(0, char::len_utf8);
            continue;
        }
        let Some((name, len)) = placeholder_at(text, i) else {
            i += c.len_utf8();
            continue;
        };
        literal_piece(text, piece_start, i, quote, out, &mut pieces);
        separate(out, i, &mut pieces);
        out.slot(placeholders.len(), i, None);
        placeholders.push(Placeholder {
            name: name.to_owned(),
            offset: i,
            quoted: true,
        });
        i += len;
        piece_start = i;
    }
    literal_piece(text, piece_start, body_end, quote, out, &mut pieces);
    out.synthetic(")", ")", end.saturating_sub(1));
}

/// Writes `, ` before every concat argument but the first.
fn separate(out: &mut Writer, at: usize, pieces: &mut usize) {
    if *pieces > 0 {
        out.synthetic(", ", ", ", at);
    }
    *pieces += 1;
}

/// Writes the literal text `text[start..end]` (still escaped) as its own quoted literal.
fn literal_piece(
    text: &str,
    start: usize,
    end: usize,
    quote: char,
    out: &mut Writer,
    pieces: &mut usize,
) {
    if start >= end {
        return;
    }
    separate(out, start, pieces);
    let quote_text = quote.to_string();
    out.synthetic(&quote_text, &quote_text, start);
    out.verbatim(&text[start..end], start);
    out.synthetic(&quote_text, &quote_text, end);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(r: &Rewritten) -> Vec<(&str, usize, bool)> {
        r.placeholders
            .iter()
            .map(|p| (p.name.as_str(), p.offset, p.quoted))
            .collect()
    }

    #[test]
    fn bare_and_double_braced_placeholders_become_typed_slots() {
        let r = rewrite("from_unixtime(({LAST_SYNC_TIME}-86400)) + {{a.b}}");
        assert_eq!(r.sql, "from_unixtime((?1-86400)) + ?2");
        assert_eq!(r.mysql_sql, "from_unixtime((?-86400)) + ?");
        assert_eq!(
            names(&r),
            vec![("LAST_SYNC_TIME", 15, false), ("a.b", 42, false)]
        );
    }

    #[test]
    fn quoted_placeholder_is_a_string_slot() {
        let r = rewrite("case when '{shop_no}' in ('005') then \"{x}\" end");
        assert_eq!(r.sql, "case when ?1 in ('005') then ?2 end");
        assert_eq!(names(&r), vec![("shop_no", 11, true), ("x", 39, true)]);
    }

    #[test]
    fn placeholder_inside_a_longer_literal_is_concatenated() {
        let r = rewrite("'abc{x}d\\'ef{{y}}'");
        assert_eq!(r.sql, "concat('abc', ?1, 'd\\'ef', ?2)");
        assert_eq!(r.mysql_sql, "concat('abc', ?, 'd\\'ef', ?)");
        assert_eq!(names(&r), vec![("x", 4, true), ("y", 12, true)]);
    }

    #[test]
    fn text_that_is_not_a_placeholder_stays() {
        let r = rewrite("'{not a name}' + {} + `{x}` + {a b}");
        assert_eq!(r.sql, "'{not a name}' + {} + `{x}` + {a b}");
        assert!(r.placeholders.is_empty());
    }

    #[test]
    fn unicode_names_and_following_identifiers() {
        let r = rewrite("{店铺-编号}div{x}");
        assert_eq!(r.sql, "?1 div?2");
        assert_eq!(names(&r), vec![("店铺-编号", 0, false), ("x", 18, false)]);
    }

    #[test]
    fn offsets_map_back_to_the_original_text() {
        let r = rewrite("'{x}' = 'a{y}' +");
        let plus = r
            .sql
            .rfind('+')
            .expect("rewritten text should keep the plus");
        assert_eq!(r.original_offset(plus), 15);
        assert_eq!(r.original_offset(1), 0);
    }
}
