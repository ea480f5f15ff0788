//! The comparison logics of a `condition` and how one value is tested.
//!
//! Values are compared the way a user reading the scheme expects, not the way JSON types them
//! (a platform may send `816403` where the scheme writes `"816403"`):
//! - equality: numerically when both sides read as numbers and at least one of them is a JSON
//!   number (`816403` equals `"816403"`, `"005"` does not equal `"5"`); otherwise their texts
//!   are equal (`null` reads as the empty text);
//! - order (`gt gte lt lte between`): numerically when both read as numbers, otherwise by
//!   text, which orders `YYYY-MM-DD HH:MM:SS` date-times correctly; a value written
//!   `timestamp:<unix seconds>` (Qeasy's form for dates) compares the field as a point in time,
//!   parsing date-time text in the scope's time zone;
//! - `like`: the field's text contains the value; when the value holds `%`, it is a SQL
//!   pattern instead, `%` matching any run of characters (`_` stays literal, since field
//!   values such as `FKDLX04_SYS` use it);
//! - `null`: missing, `null` or empty text; `notnull` is its negation.

use std::cmp::Ordering;

use jiff::tz::TimeZone;
use serde_json::Value;

use crate::template::{time::to_timestamp, to_text};

/// Every logic name accepted, Qeasy's aliases included.
pub const LOGIC_NAMES: &[&str] = &[
    "eq", "neq", "in", "notin", "like", "notlike", "gt", "gte", "egt", "lt", "lte", "elt",
    "between", "null", "isnull", "notnull",
];

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logic {
    /// `eq`.
    Eq,
    /// `neq`.
    Neq,
    /// `in`: equal to one of a list.
    In,
    /// `notin`.
    NotIn,
    /// `like`: contains, or a `%` pattern.
    Like,
    /// `notlike`.
    NotLike,
    /// `gt`.
    Gt,
    /// `gte` (Qeasy: `egt`).
    Gte,
    /// `lt`.
    Lt,
    /// `lte` (Qeasy: `elt`).
    Lte,
    /// `between`: within two bounds, both included.
    Between,
    /// `null` (Qeasy: `isnull`).
    Null,
    /// `notnull`.
    NotNull,
}

impl Logic {
    /// The logic called `name`, or `None`.
    pub fn from_name(name: &str) -> Option<Logic> {
        let logic = match name {
            "eq" => Logic::Eq,
            "neq" => Logic::Neq,
            "in" => Logic::In,
            "notin" => Logic::NotIn,
            "like" => Logic::Like,
            "notlike" => Logic::NotLike,
            "gt" => Logic::Gt,
            "gte" | "egt" => Logic::Gte,
            "lt" => Logic::Lt,
            "lte" | "elt" => Logic::Lte,
            "between" => Logic::Between,
            "null" | "isnull" => Logic::Null,
            "notnull" => Logic::NotNull,
            _ => return None,
        };
        Some(logic)
    }

    /// For a negative logic, the positive one it negates (`neq` → `eq`).
    pub fn negated(self) -> Option<Logic> {
        match self {
            Logic::Neq => Some(Logic::Eq),
            Logic::NotIn => Some(Logic::In),
            Logic::NotLike => Some(Logic::Like),
            Logic::Null => Some(Logic::NotNull),
            _ => None,
        }
    }
}

/// A condition's value, prepared once.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    /// No value (`null`, `notnull`).
    None,
    /// One value.
    One(Scalar),
    /// A list (`in`, `notin`) or the two bounds of `between`.
    List(Vec<Scalar>),
}

/// One comparable value: its text, its number when it reads as one, or a point in time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scalar {
    pub text: String,
    pub number: Option<f64>,
    /// Whether the scheme wrote a JSON number.
    pub is_json_number: bool,
    /// `timestamp:<seconds>`: compare the field as a time.
    pub timestamp: Option<i64>,
}

impl Scalar {
    pub(crate) fn new(value: &Value) -> Scalar {
        let text = to_text(value).into_owned();
        let timestamp = text
            .strip_prefix("timestamp:")
            .and_then(|seconds| seconds.trim().parse::<i64>().ok());
        let number = read_number(&text);
        Scalar {
            text,
            number,
            is_json_number: value.is_number(),
            timestamp,
        }
    }
}

/// The number a text reads as (`"12"`, `" 1.5 "`, `"-3"`), if any.
fn read_number(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    if trimmed.is_empty()
        || !trimmed
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return None;
    }
    trimmed
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
}

/// Whether one (non-array) field value satisfies a positive logic.
pub(crate) fn test_value(
    logic: Logic,
    field: &Value,
    operand: &Operand,
    timezone: &TimeZone,
) -> bool {
    match (logic, operand) {
        (Logic::NotNull, _) => !is_empty(field),
        (Logic::Eq, Operand::One(expected)) => equal(field, expected),
        (Logic::In, Operand::List(options)) => options.iter().any(|option| equal(field, option)),
        (Logic::Like, Operand::One(pattern)) => like(&to_text(field), &pattern.text),
        (Logic::Gt, Operand::One(bound)) => {
            order(field, bound, timezone) == Some(Ordering::Greater)
        }
        (Logic::Gte, Operand::One(bound)) => {
            matches!(
                order(field, bound, timezone),
                Some(Ordering::Greater | Ordering::Equal)
            )
        }
        (Logic::Lt, Operand::One(bound)) => order(field, bound, timezone) == Some(Ordering::Less),
        (Logic::Lte, Operand::One(bound)) => {
            matches!(
                order(field, bound, timezone),
                Some(Ordering::Less | Ordering::Equal)
            )
        }
        (Logic::Between, Operand::List(bounds)) => match bounds.as_slice() {
            [low, high] => {
                matches!(
                    order(field, low, timezone),
                    Some(Ordering::Greater | Ordering::Equal)
                ) && matches!(
                    order(field, high, timezone),
                    Some(Ordering::Less | Ordering::Equal)
                )
            }
            _ => false,
        },
        _ => false,
    }
}

/// Missing, `null`, or empty (or blank) text.
pub(crate) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        _ => false,
    }
}

fn equal(field: &Value, expected: &Scalar) -> bool {
    let text = to_text(field);
    let numeric = field.is_number() || expected.is_json_number;
    if numeric && let (Some(left), Some(right)) = (read_number(&text), expected.number) {
        return left == right;
    }
    text == expected.text
}

fn order(field: &Value, bound: &Scalar, timezone: &TimeZone) -> Option<Ordering> {
    if let Some(bound_seconds) = bound.timestamp {
        let instant = to_timestamp(field, timezone).ok()??;
        return Some(instant.as_second().cmp(&bound_seconds));
    }
    if is_empty(field) {
        return None;
    }
    let text = to_text(field);
    match (read_number(&text), bound.number) {
        (Some(left), Some(right)) => left.partial_cmp(&right),
        _ => Some(text.as_ref().cmp(bound.text.as_str())),
    }
}

/// Containment, or a SQL `%` pattern when `pattern` holds `%`.
fn like(text: &str, pattern: &str) -> bool {
    if !pattern.contains('%') {
        return text.contains(pattern);
    }
    let parts: Vec<&str> = pattern.split('%').collect();
    let (first, rest) = parts.split_first().expect("split yields at least one part");
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return true;
    };
    for part in middle {
        match remaining.find(part) {
            Some(position) => remaining = &remaining[position + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn one(value: Value) -> Operand {
        Operand::One(Scalar::new(&value))
    }

    fn test(logic: &str, field: Value, operand: Operand) -> bool {
        test_value(
            Logic::from_name(logic).unwrap(),
            &field,
            &operand,
            &TimeZone::UTC,
        )
    }

    #[test]
    fn equality_is_numeric_when_both_read_as_numbers() {
        assert!(test("eq", json!(816403), one(json!("816403"))));
        assert!(test("eq", json!("1.50"), one(json!(1.5))));
        assert!(test("eq", json!("abc"), one(json!("abc"))));
        assert!(!test("eq", json!("005"), one(json!("5"))));
        assert!(test("eq", json!(5), one(json!("005"))));
        assert!(!test("eq", json!("abc"), one(json!("ABC"))));
        assert!(test("eq", Value::Null, one(json!(""))));
        assert!(test("eq", json!(true), one(json!("true"))));
    }

    #[test]
    fn ordering_numbers_texts_and_timestamps() {
        assert!(test("gt", json!("10"), one(json!("9"))));
        assert!(test("lt", json!("abc"), one(json!("abd"))));
        assert!(test(
            "gte",
            json!("2024-03-14 16:00:00"),
            one(json!("2024-03-14 16:00:00"))
        ));
        assert!(test(
            "lt",
            json!("2024-03-14 09:00:00"),
            one(json!("2024-03-14 10:00:00"))
        ));
        assert!(test(
            "gt",
            json!("2024-01-01 00:00:01"),
            one(json!("timestamp:1704067200"))
        ));
        assert!(!test(
            "gt",
            json!("2024-01-01 00:00:00"),
            one(json!("timestamp:1704067200"))
        ));
        assert!(test(
            "lte",
            json!(1_704_067_200),
            one(json!("timestamp:1704067200"))
        ));
        assert!(!test("gt", json!("not a time"), one(json!("timestamp:0"))));
        assert!(!test("gt", Value::Null, one(json!("-1"))));
    }

    #[test]
    fn like_contains_or_matches_percent_patterns() {
        assert!(like("线上发货,加急", "线上发货"));
        assert!(!like("虚拟发货", "线上发货"));
        assert!(like("SO-2024-001", "SO%001"));
        assert!(like("SO-2024-001", "SO%"));
        assert!(like("SO-2024-001", "%2024%"));
        assert!(!like("SO-2024-001", "%2025%"));
        assert!(!like("SO-001", "SO%2024%001"));
        assert!(like("a_b", "a_b"));
        assert!(!like("axb", "a_b"));
        assert!(like("aa", "a%a"));
        assert!(!like("a", "a%a"));
        assert!(like("", "%"));
    }

    #[test]
    fn between_and_lists() {
        let bounds = Operand::List(vec![Scalar::new(&json!("100")), Scalar::new(&json!(500))]);
        assert!(test("between", json!(100), bounds.clone()));
        assert!(test("between", json!("500"), bounds.clone()));
        assert!(!test("between", json!(500.5), bounds));
        let options = Operand::List(vec![Scalar::new(&json!("005")), Scalar::new(&json!("006"))]);
        assert!(test("in", json!("006"), options.clone()));
        assert!(test("in", json!(5), options));
    }

    #[test]
    fn emptiness() {
        assert!(is_empty(&Value::Null));
        assert!(is_empty(&json!(" ")));
        assert!(!is_empty(&json!(0)));
        assert!(!is_empty(&json!([])));
        assert!(test("notnull", json!("x"), Operand::None));
    }

    #[test]
    fn names_and_aliases() {
        for name in LOGIC_NAMES {
            assert!(Logic::from_name(name).is_some(), "{name}");
        }
        assert_eq!(Logic::from_name("egt"), Some(Logic::Gte));
        assert_eq!(Logic::from_name("isnull"), Some(Logic::Null));
        assert_eq!(Logic::from_name("EQ"), None);
        assert_eq!(Logic::Null.negated(), Some(Logic::NotNull));
        assert_eq!(Logic::Eq.negated(), None);
    }
}
