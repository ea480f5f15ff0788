//! Comparison with MariaDB's rules: the comparison type chosen from both operands, strings
//! under `utf8mb4_general_ci`, and `LIKE`.
//!
//! Contract: [`compare`] returns `None` when either side is NULL. Strings compare by collation
//! weight (case- and accent-insensitive for Latin, trailing spaces ignored, every character
//! outside the BMP equal to every other); numbers compare as integers, DECIMAL or DOUBLE as
//! MariaDB picks; a string against a number compares as DOUBLE; a temporal value against a
//! string or number converts the other side to a datetime.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::collation_table::EXCEPTIONS;
use super::convert::{Num, to_datetime, to_num};
use super::num::str_to_double;
use super::temporal::{SqlDateTime, parse_time};
use super::value::SqlValue;

/// The `utf8mb4_general_ci` weight of one character.
pub(crate) fn weight(c: char) -> u32 {
    let code = c as u32;
    if code > 0xFFFF {
        return 0xFFFD;
    }
    let index = EXCEPTIONS.partition_point(|&(first, _, _)| u32::from(first) <= code);
    if let Some(&(_, last, w)) = index.checked_sub(1).and_then(|i| EXCEPTIONS.get(i))
        && code <= u32::from(last)
    {
        return u32::from(w);
    }
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) if (u as u32) <= 0xFFFF => u as u32,
        _ => code,
    }
}

/// Compares two strings under `utf8mb4_general_ci` (PAD SPACE).
pub(crate) fn collate(a: &str, b: &str) -> Ordering {
    let a = a.trim_end_matches(' ').chars().map(weight);
    let b = b.trim_end_matches(' ').chars().map(weight);
    a.cmp(b)
}

fn cmp_f64(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
}

fn num_to_f64(n: &Num) -> f64 {
    match n {
        Num::Int(i) => *i as f64,
        Num::UInt(u) => *u as f64,
        Num::Dec(d, _) => super::num::decimal_to_double(d),
        Num::Dbl(f) => *f,
    }
}

/// Compares numbers; DECIMALs at their shown scale when `shown` (MariaDB's `=`, `<`, …), else
/// exactly (MariaDB's `BETWEEN`).
fn cmp_nums(a: &Num, b: &Num, shown: bool) -> Ordering {
    let int = |n: &Num| match n {
        Num::Int(i) => Some(i128::from(*i)),
        Num::UInt(u) => Some(i128::from(*u)),
        _ => None,
    };
    if let (Some(x), Some(y)) = (int(a), int(b)) {
        return x.cmp(&y);
    }
    if matches!(a, Num::Dbl(_)) || matches!(b, Num::Dbl(_)) {
        return cmp_f64(num_to_f64(a), num_to_f64(b));
    }
    let dec = |n: &Num| match n {
        Num::Int(i) => Some(Decimal::from(*i)),
        Num::UInt(u) => Some(Decimal::from(*u)),
        Num::Dec(d, scale) if shown => Some(super::value::shown(*d, *scale)),
        Num::Dec(d, _) => Some(*d),
        Num::Dbl(_) => None,
    };
    match (dec(a), dec(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => cmp_f64(num_to_f64(a), num_to_f64(b)),
    }
}

fn is_temporal(v: &SqlValue) -> bool {
    matches!(
        v,
        SqlValue::Date(_) | SqlValue::DateTime(..) | SqlValue::Time(..)
    )
}

/// The datetime a temporal value stands for (a TIME counts from day zero).
fn temporal_key(v: &SqlValue) -> Option<(SqlDateTime, i64)> {
    match v {
        SqlValue::Date(d) | SqlValue::DateTime(d, _) => Some((*d, 0)),
        SqlValue::Time(t, _) => Some((SqlDateTime::default(), t.micros())),
        _ => None,
    }
}

/// Compares a temporal value with any other non-NULL value.
fn cmp_temporal(a: &SqlValue, b: &SqlValue) -> Ordering {
    if let (SqlValue::Time(x, _), SqlValue::Time(y, _)) = (a, b) {
        return x.micros().cmp(&y.micros());
    }
    if let (SqlValue::Time(x, _), SqlValue::Str(s)) = (a, b)
        && let Some((y, _)) = parse_time(s)
    {
        return x.micros().cmp(&y.micros());
    }
    let other = if is_temporal(b) {
        temporal_key(b)
    } else {
        to_datetime(b).map(|p| (p.value, 0))
    };
    match (temporal_key(a), other) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => match b {
            SqlValue::Str(s) => {
                let text = a.to_mysql_text().unwrap_or_default();
                collate(&text, s)
            }
            _ => {
                let x = to_num(a).map_or(0.0, |n| num_to_f64(&n));
                let y = to_num(b).map_or(0.0, |n| num_to_f64(&n));
                cmp_f64(x, y)
            }
        },
    }
}

/// Compares two values; `None` when either is NULL.
pub(crate) fn compare(a: &SqlValue, b: &SqlValue) -> Option<Ordering> {
    compare_as(a, b, true)
}

/// Compares two values as `BETWEEN` does (DECIMALs exactly); `None` when either is NULL.
pub(crate) fn compare_exact(a: &SqlValue, b: &SqlValue) -> Option<Ordering> {
    compare_as(a, b, false)
}

fn compare_as(a: &SqlValue, b: &SqlValue, shown: bool) -> Option<Ordering> {
    use SqlValue as V;
    Some(match (a, b) {
        (V::Null, _) | (_, V::Null) => return None,
        (V::Str(x), V::Str(y)) => collate(x, y),
        _ if is_temporal(a) => cmp_temporal(a, b),
        _ if is_temporal(b) => cmp_temporal(b, a).reverse(),
        (V::Str(x), _) => cmp_f64(str_to_double(x), to_num(b).map_or(0.0, |n| num_to_f64(&n))),
        (_, V::Str(y)) => cmp_f64(to_num(a).map_or(0.0, |n| num_to_f64(&n)), str_to_double(y)),
        _ => match (to_num(a), to_num(b)) {
            (Some(x), Some(y)) => cmp_nums(&x, &y, shown),
            _ => return None,
        },
    })
}

/// `a = b` with SQL three-valued logic.
pub(crate) fn equal(a: &SqlValue, b: &SqlValue) -> Option<bool> {
    compare(a, b).map(|o| o == Ordering::Equal)
}

/// `text LIKE pattern ESCAPE escape` under the collation (no PAD SPACE).
pub(crate) fn like(text: &str, pattern: &str, escape: char) -> bool {
    let t: Vec<u32> = text.chars().map(weight).collect();
    // Pattern tokens: Some(weight) for a literal, None for `_`, and a marker for `%`.
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        Lit(u32),
        One,
        Many,
    }
    let mut p = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        p.push(if c == escape {
            match chars.next() {
                Some(next) => P::Lit(weight(next)),
                None => P::Lit(weight(c)),
            }
        } else if c == '%' {
            P::Many
        } else if c == '_' {
            P::One
        } else {
            P::Lit(weight(c))
        });
    }
    // Classic wildcard matching with backtracking to the last `%`.
    let (mut ti, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(P::Many) => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(P::One) => {
                ti += 1;
                pi += 1;
            }
            Some(P::Lit(w)) if *w == t[ti] => {
                ti += 1;
                pi += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|x| *x == P::Many)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_ci_ignores_case_accents_and_trailing_spaces() {
        assert!(collate("a", "A ").is_eq());
        assert!(collate("é", "E").is_eq());
        assert!(collate("😀", "😃").is_eq());
        assert_eq!(collate("a", "B"), Ordering::Less);
        assert!(!collate("a", " a").is_eq());
    }

    #[test]
    fn like_matches_wildcards_and_escapes() {
        assert!(like("abc", "A%", '\\'));
        assert!(like("a_c", "a\\_c", '\\'));
        assert!(!like("abc", "a\\_c", '\\'));
        assert!(like("a_c", "a|_c", '|'));
        assert!(like("中文测试", "%文_试", '\\'));
        assert!(!like("abc", "ab", '\\'));
        assert!(like("", "%", '\\'));
        assert!(like("aXbXc", "%b%c", '\\'));
    }

    #[test]
    fn mixed_types_compare_like_mariadb() {
        let s = |x: &str| SqlValue::Str(x.into());
        assert_eq!(equal(&s("1.0"), &SqlValue::Int(1)), Some(true));
        assert_eq!(equal(&s("abc"), &SqlValue::Int(0)), Some(true));
        assert_eq!(equal(&SqlValue::Null, &SqlValue::Int(0)), None);
        let d = SqlValue::Date(SqlDateTime {
            year: 2024,
            month: 1,
            day: 5,
            ..Default::default()
        });
        assert_eq!(equal(&d, &s("2024-01-05")), Some(true));
        assert_eq!(equal(&d, &SqlValue::Int(20240105)), Some(true));
        assert_eq!(compare(&d, &s("2024-1-6")), Some(Ordering::Less));
    }
}
