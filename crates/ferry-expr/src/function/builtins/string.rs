//! String functions: positions and lengths in characters (utf8mb4), `LENGTH` in bytes;
//! searches (`LOCATE`, `INSTR`, `FIND_IN_SET`, `FIELD`, `STRCMP`) under the collation,
//! `REPLACE` and `SUBSTRING_INDEX` byte-exact, as in MariaDB.

use std::borrow::Cow;

use super::arg;
use crate::ExprError;
use crate::function::case_table::{LOWER, UPPER};
use crate::function::compare::{collate, equal, weight};
use crate::function::convert::{text, to_int};
use crate::function::eval::Val;
use crate::function::expr::Func;
use crate::function::value::SqlValue;

/// Longest string a function builds (MariaDB's `max_allowed_packet` default); longer → NULL.
const MAX_RESULT_BYTES: usize = 16 * 1024 * 1024;

fn s(v: String) -> SqlValue {
    SqlValue::Str(v)
}

/// Character-based substring starting at 0-based char `start`, at most `len` chars.
fn chars_slice(t: &str, start: usize, len: usize) -> String {
    t.chars().skip(start).take(len).collect()
}

/// Position (1-based chars) of `needle` in `hay` at or after char `from` (0-based), under the
/// collation; 0 when absent.
fn find_ci(hay: &str, needle: &str, from: usize) -> i64 {
    let h: Vec<u32> = hay.chars().map(weight).collect();
    let n: Vec<u32> = needle.chars().map(weight).collect();
    if from > h.len() {
        return 0;
    }
    if n.is_empty() {
        return from as i64 + 1;
    }
    (from..=h.len().saturating_sub(n.len()))
        .find(|&i| h.get(i..i + n.len()) == Some(n.as_slice()))
        .map_or(0, |i| i as i64 + 1)
}

fn pad(t: &str, len: i64, fill: &str, left: bool) -> SqlValue {
    let Ok(len) = usize::try_from(len) else {
        return SqlValue::Null;
    };
    let count = t.chars().count();
    if count >= len {
        return s(chars_slice(t, 0, len));
    }
    if fill.is_empty() || len.saturating_mul(4) > MAX_RESULT_BYTES {
        return SqlValue::Null;
    }
    let padding: String = fill.chars().cycle().take(len - count).collect();
    s(if left {
        padding + t
    } else {
        t.to_owned() + &padding
    })
}

fn trim(t: &str, what: &str, leading: bool, trailing: bool) -> String {
    let mut t = t;
    if what.is_empty() {
        return t.to_owned();
    }
    if leading {
        while let Some(rest) = t.strip_prefix(what) {
            t = rest;
        }
    }
    if trailing {
        while let Some(rest) = t.strip_suffix(what) {
            t = rest;
        }
    }
    t.to_owned()
}

/// MariaDB's case mapping of one character, from its table of differences.
fn table_case(c: char, upper: bool) -> Option<char> {
    let table = if upper { UPPER } else { LOWER };
    let code = c as u32;
    if code > 0xFFFF {
        return None;
    }
    let index = table.partition_point(|&(first, _, _)| u32::from(first) <= code);
    let &(_, last, offset) = table.get(index.checked_sub(1)?)?;
    if code > u32::from(last) {
        return None;
    }
    char::from_u32(code.checked_add_signed(offset)?)
}

fn map_chars(t: &str, upper: bool) -> String {
    t.chars()
        .map(|c| {
            if let Some(mapped) = table_case(c, upper) {
                return mapped;
            }
            let mut mapped: Box<dyn Iterator<Item = char>> = if upper {
                Box::new(c.to_uppercase())
            } else {
                Box::new(c.to_lowercase())
            };
            match (mapped.next(), mapped.next()) {
                (Some(m), None) => m,
                _ => c,
            }
        })
        .collect()
}

fn substring_index(t: &str, delim: &str, count: i64) -> String {
    if delim.is_empty() || count == 0 {
        return String::new();
    }
    let positions: Vec<usize> = t.match_indices(delim).map(|(i, _)| i).collect();
    let n = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    if n > positions.len() {
        return t.to_owned();
    }
    if count > 0 {
        t[..positions[n - 1]].to_owned()
    } else {
        t[positions[positions.len() - n] + delim.len()..].to_owned()
    }
}

/// Calls a string function.
pub(super) fn call(func: Func, args: &[Val<'_>]) -> Result<SqlValue, ExprError> {
    use Func as F;
    // Functions with their own NULL rules first.
    match func {
        F::Concat => {
            let mut out = String::new();
            for a in args {
                let Some(t) = text(a)? else {
                    return Ok(SqlValue::Null);
                };
                out.push_str(&t);
            }
            return Ok(s(out));
        }
        F::ConcatWs => {
            let Some(sep) = text(arg(args, 0))? else {
                return Ok(SqlValue::Null);
            };
            let mut parts = Vec::new();
            for a in &args[1..] {
                if let Some(t) = text(a)? {
                    parts.push(t);
                }
            }
            return Ok(s(parts.join(sep.as_ref())));
        }
        F::Field => {
            let x = arg(args, 0);
            if x.is_null() {
                return Ok(SqlValue::Int(0));
            }
            let pos = args[1..].iter().position(|a| equal(x, a) == Some(true));
            return Ok(SqlValue::Int(pos.map_or(0, |p| p as i64 + 1)));
        }
        F::Elt => {
            let n = to_int(arg(args, 0));
            let chosen = n.and_then(|n| usize::try_from(n).ok()).filter(|n| *n >= 1);
            return Ok(match chosen.and_then(|n| args.get(n)) {
                Some(v) => text(v)?.map_or(SqlValue::Null, |t| s(t.into_owned())),
                None => SqlValue::Null,
            });
        }
        _ => {}
    }
    let mut texts: Vec<Cow<'_, str>> = Vec::with_capacity(args.len());
    for a in args {
        match text(a)? {
            Some(t) => texts.push(t),
            None => return Ok(SqlValue::Null),
        }
    }
    let t = |i: usize| texts.get(i).map_or("", |c| c.as_ref());
    let n = |i: usize| to_int(arg(args, i)).unwrap_or(0);
    Ok(match func {
        F::Substring => {
            let len = if args.len() > 2 { n(2) } else { i64::MAX };
            let pos = n(1);
            let count = t(0).chars().count() as i64;
            let start = if pos > 0 { pos - 1 } else { count + pos };
            if pos == 0 || start < 0 || len <= 0 {
                s(String::new())
            } else {
                s(chars_slice(
                    t(0),
                    start as usize,
                    usize::try_from(len).unwrap_or(usize::MAX),
                ))
            }
        }
        F::SubstringIndex => s(substring_index(t(0), t(1), n(2))),
        F::Left => s(chars_slice(t(0), 0, usize::try_from(n(1)).unwrap_or(0))),
        F::Right => {
            let count = t(0).chars().count();
            let take = usize::try_from(n(1)).unwrap_or(0).min(count);
            s(chars_slice(t(0), count - take, take))
        }
        F::Length => SqlValue::Int(t(0).len() as i64),
        F::CharLength => SqlValue::Int(t(0).chars().count() as i64),
        F::Upper => s(map_chars(t(0), true)),
        F::Lower => s(map_chars(t(0), false)),
        F::Trim => s(trim(
            t(0),
            if args.len() > 1 { t(1) } else { " " },
            true,
            true,
        )),
        F::Ltrim => s(trim(
            t(0),
            if args.len() > 1 { t(1) } else { " " },
            true,
            false,
        )),
        F::Rtrim => s(trim(
            t(0),
            if args.len() > 1 { t(1) } else { " " },
            false,
            true,
        )),
        F::Replace => s(if t(1).is_empty() {
            t(0).to_owned()
        } else {
            t(0).replace(t(1), t(2))
        }),
        F::Locate => {
            let from = if args.len() > 2 { n(2) } else { 1 };
            if from < 1 {
                SqlValue::Int(0)
            } else {
                SqlValue::Int(find_ci(
                    t(1),
                    t(0),
                    usize::try_from(from - 1).unwrap_or(usize::MAX),
                ))
            }
        }
        F::Instr => SqlValue::Int(find_ci(t(0), t(1), 0)),
        F::Lpad => pad(t(0), n(1), t(2), true),
        F::Rpad => pad(t(0), n(1), t(2), false),
        F::Reverse => s(t(0).chars().rev().collect()),
        F::Repeat => {
            let times = usize::try_from(n(1)).unwrap_or(0);
            if t(0).len().saturating_mul(times) > MAX_RESULT_BYTES {
                SqlValue::Null
            } else {
                s(t(0).repeat(times))
            }
        }
        F::Space => {
            let times = usize::try_from(n(0)).unwrap_or(0);
            if times > MAX_RESULT_BYTES {
                SqlValue::Null
            } else {
                s(" ".repeat(times))
            }
        }
        F::FindInSet => {
            let (needle, list) = (t(0), t(1));
            if needle.contains(',') || list.is_empty() {
                SqlValue::Int(0)
            } else {
                let pos = list
                    .split(',')
                    .position(|item| collate(item, needle).is_eq());
                SqlValue::Int(pos.map_or(0, |p| p as i64 + 1))
            }
        }
        F::Strcmp => SqlValue::Int(collate(t(0), t(1)) as i64),
        _ => SqlValue::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(func: Func, args: &[SqlValue]) -> String {
        let vals: Vec<Val<'_>> = args.iter().map(Cow::Borrowed).collect();
        call(func, &vals)
            .map(|v| v.to_mysql_text().unwrap_or_else(|| "NULL".into()))
            .unwrap_or_else(|e| e.to_string())
    }

    fn st(x: &str) -> SqlValue {
        SqlValue::Str(x.into())
    }

    #[test]
    fn character_semantics_on_chinese_and_emoji() {
        assert_eq!(
            run(
                Func::Substring,
                &[st("中文😀abc"), SqlValue::Int(2), SqlValue::Int(2)]
            ),
            "文😀"
        );
        assert_eq!(
            run(Func::Substring, &[st("abcdef"), SqlValue::Int(-2)]),
            "ef"
        );
        assert_eq!(run(Func::Substring, &[st("abc"), SqlValue::Int(0)]), "");
        assert_eq!(run(Func::Length, &[st("中文")]), "6");
        assert_eq!(run(Func::CharLength, &[st("中文😀")]), "3");
        assert_eq!(run(Func::Reverse, &[st("中文😀")]), "😀文中");
        assert_eq!(
            run(Func::Lpad, &[st("中文"), SqlValue::Int(5), st("好")]),
            "好好好中文"
        );
        assert_eq!(run(Func::Right, &[st("abc"), SqlValue::Int(5)]), "abc");
    }

    #[test]
    fn searches_follow_the_collation() {
        assert_eq!(run(Func::Locate, &[st("B"), st("abc")]), "2");
        assert_eq!(
            run(Func::Locate, &[st(""), st("abc"), SqlValue::Int(5)]),
            "0"
        );
        assert_eq!(run(Func::Instr, &[st("foobar"), st("BAR")]), "4");
        assert_eq!(run(Func::FindInSet, &[st("B"), st("a,b,c")]), "2");
        assert_eq!(run(Func::Replace, &[st("aAa"), st("a"), st("x")]), "xAx");
        assert_eq!(
            run(
                Func::SubstringIndex,
                &[st("a.b.c"), st("."), SqlValue::Int(-2)]
            ),
            "b.c"
        );
    }

    #[test]
    fn null_rules() {
        assert_eq!(run(Func::Concat, &[SqlValue::Null, st("a")]), "NULL");
        assert_eq!(
            run(Func::ConcatWs, &[st(","), st("a"), SqlValue::Null, st("b")]),
            "a,b"
        );
        assert_eq!(
            run(Func::Lpad, &[st("a"), SqlValue::Int(5), st("")]),
            "NULL"
        );
        assert_eq!(run(Func::Field, &[SqlValue::Null, st("a")]), "0");
    }
}
