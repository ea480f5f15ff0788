//! Lookups over the latest payloads of a scheme's ledger (`_mongoQuery`, `_findCollection`).
//!
//! Contract: `matches` is the one definition of what a condition means; the backends only use
//! `pushdown_equality` to narrow the rows they read (a superset of the matches) and then call
//! `matches` on each candidate. Semantics, a subset of MongoDB's:
//! - A path is dot-separated object keys (`content.77213`); every segment is an object key, also
//!   when it looks like a number. Array indexing and implicit array traversal are not supported.
//! - Numbers compare by value across integer and float (`1` equals `1.0`); strings compare by
//!   bytes; other types are equal only when identical.
//! - `Eq(null)` matches an explicit `null` and a missing path; `Ne` is the negation of `Eq`.
//! - `Gt`/`Gte`/`Lt`/`Lte` compare numbers with numbers and strings with strings; any other pair
//!   does not match. `Exists(true)` matches a present path (even `null`).

use std::cmp::Ordering;

use serde_json::Value;

/// One condition on a payload path; a lookup ANDs its conditions.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupCondition {
    /// Dot-separated object keys, e.g. `content.77213`.
    pub path: String,
    pub op: LookupOp,
}

impl LookupCondition {
    pub fn new(path: impl Into<String>, op: LookupOp) -> Self {
        LookupCondition {
            path: path.into(),
            op,
        }
    }

    /// The most common condition: `path` equals `value`.
    pub fn eq(path: impl Into<String>, value: Value) -> Self {
        LookupCondition::new(path, LookupOp::Eq(value))
    }

    pub(crate) fn segments(&self) -> impl Iterator<Item = &str> {
        self.path.split('.')
    }
}

/// The operator of a condition (MongoDB's `$eq $ne $in $nin $gt $gte $lt $lte $exists`).
#[derive(Debug, Clone, PartialEq)]
pub enum LookupOp {
    Eq(Value),
    Ne(Value),
    In(Vec<Value>),
    Nin(Vec<Value>),
    Gt(Value),
    Gte(Value),
    Lt(Value),
    Lte(Value),
    Exists(bool),
}

/// Whether `payload` satisfies every condition.
pub fn matches(payload: &Value, conditions: &[LookupCondition]) -> bool {
    conditions
        .iter()
        .all(|condition| condition_matches(payload, condition))
}

fn condition_matches(payload: &Value, condition: &LookupCondition) -> bool {
    let found = resolve(payload, condition);
    match &condition.op {
        LookupOp::Eq(expected) => equals(found, expected),
        LookupOp::Ne(expected) => !equals(found, expected),
        LookupOp::In(choices) => choices.iter().any(|choice| equals(found, choice)),
        LookupOp::Nin(choices) => !choices.iter().any(|choice| equals(found, choice)),
        LookupOp::Gt(bound) => compare(found, bound) == Some(Ordering::Greater),
        LookupOp::Gte(bound) => matches!(
            compare(found, bound),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        LookupOp::Lt(bound) => compare(found, bound) == Some(Ordering::Less),
        LookupOp::Lte(bound) => matches!(
            compare(found, bound),
            Some(Ordering::Less | Ordering::Equal)
        ),
        LookupOp::Exists(wanted) => found.is_some() == *wanted,
    }
}

fn resolve<'v>(payload: &'v Value, condition: &LookupCondition) -> Option<&'v Value> {
    let mut node = payload;
    for segment in condition.segments() {
        node = node.as_object()?.get(segment)?;
    }
    Some(node)
}

fn equals(found: Option<&Value>, expected: &Value) -> bool {
    match (found, expected) {
        (None, Value::Null) => true,
        (None, _) => false,
        (Some(Value::Number(left)), Value::Number(right)) => {
            compare_numbers(left, right) == Some(Ordering::Equal)
        }
        (Some(value), expected) => value == expected,
    }
}

fn compare(found: Option<&Value>, bound: &Value) -> Option<Ordering> {
    match (found?, bound) {
        (Value::Number(left), Value::Number(right)) => compare_numbers(left, right),
        (Value::String(left), Value::String(right)) => Some(left.as_bytes().cmp(right.as_bytes())),
        _ => None,
    }
}

fn compare_numbers(left: &serde_json::Number, right: &serde_json::Number) -> Option<Ordering> {
    if let (Some(left), Some(right)) = (left.as_i64(), right.as_i64()) {
        return Some(left.cmp(&right));
    }
    if let (Some(left), Some(right)) = (left.as_u64(), right.as_u64()) {
        return Some(left.cmp(&right));
    }
    left.as_f64()?.partial_cmp(&right.as_f64()?)
}

/// A scalar an equality condition can be narrowed by in SQL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PushdownValue {
    Text(String),
    Integer(i64),
    Real(f64),
    Bool(bool),
}

impl PushdownValue {
    /// The value as JSON text, for PostgreSQL's `jsonb` equality.
    pub(crate) fn to_json_text(&self) -> String {
        match self {
            PushdownValue::Text(text) => Value::String(text.clone()).to_string(),
            PushdownValue::Integer(number) => number.to_string(),
            PushdownValue::Real(number) => Value::from(*number).to_string(),
            PushdownValue::Bool(flag) => flag.to_string(),
        }
    }
}

/// The `Eq` conditions on scalars, which SQL can use to narrow candidates: every match of the
/// full condition list satisfies these (numeric equality is by value in both databases).
pub(crate) fn pushdown_equalities(
    conditions: &[LookupCondition],
) -> Vec<(Vec<&str>, PushdownValue)> {
    let mut pushdowns = Vec::new();
    for condition in conditions {
        let LookupOp::Eq(expected) = &condition.op else {
            continue;
        };
        let value = match expected {
            Value::String(text) => PushdownValue::Text(text.clone()),
            Value::Bool(flag) => PushdownValue::Bool(*flag),
            Value::Number(number) => match number.as_i64() {
                Some(integer) => PushdownValue::Integer(integer),
                // Beyond i64 or fractional: compared as floats in SQL, exactly in `matches`.
                None => match number.as_f64() {
                    Some(real) if number.as_u64().is_none() => PushdownValue::Real(real),
                    _ => continue,
                },
            },
            // `null` also matches a missing path; objects and arrays compare structurally.
            Value::Null | Value::Array(_) | Value::Object(_) => continue,
        };
        pushdowns.push((condition.segments().collect(), value));
    }
    pushdowns
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn payload() -> Value {
        json!({
            "id": 42,
            "content": { "77213": "订单-🚚-1", "qty": 2.0, "note": null, "tags": ["a"] },
            "店铺": "旗舰店"
        })
    }

    fn check(path: &str, op: LookupOp) -> bool {
        matches(&payload(), &[LookupCondition::new(path, op)])
    }

    #[test]
    fn equality_by_nested_path_and_numeric_value() {
        assert!(check("content.77213", LookupOp::Eq(json!("订单-🚚-1"))));
        assert!(check("店铺", LookupOp::Eq(json!("旗舰店"))));
        assert!(check("content.qty", LookupOp::Eq(json!(2))));
        assert!(check("id", LookupOp::Eq(json!(42.0))));
        assert!(!check("id", LookupOp::Eq(json!("42"))));
        assert!(check("content.tags", LookupOp::Eq(json!(["a"]))));
        assert!(!check("content.tags.0", LookupOp::Eq(json!("a"))));
    }

    #[test]
    fn null_missing_and_exists() {
        assert!(check("content.note", LookupOp::Eq(Value::Null)));
        assert!(check("content.absent", LookupOp::Eq(Value::Null)));
        assert!(!check("content.absent", LookupOp::Ne(Value::Null)));
        assert!(check("content.note", LookupOp::Exists(true)));
        assert!(check("content.absent", LookupOp::Exists(false)));
        assert!(!check("id.deeper", LookupOp::Exists(true)));
    }

    #[test]
    fn sets_and_ranges() {
        assert!(check("id", LookupOp::In(vec![json!(1), json!(42)])));
        assert!(check("id", LookupOp::Nin(vec![json!(1), json!("42")])));
        assert!(check("id", LookupOp::Gt(json!(41.5))));
        assert!(check("id", LookupOp::Gte(json!(42))));
        assert!(!check("id", LookupOp::Lt(json!(42))));
        assert!(check("id", LookupOp::Lte(json!(42))));
        assert!(check("店铺", LookupOp::Gt(json!("旗"))));
        assert!(!check("id", LookupOp::Gt(json!("1"))));
    }

    #[test]
    fn pushdown_keeps_only_scalar_equalities() {
        let conditions = vec![
            LookupCondition::eq("content.77213", json!("x")),
            LookupCondition::eq("id", json!(42)),
            LookupCondition::eq("ratio", json!(0.5)),
            LookupCondition::eq("gone", Value::Null),
            LookupCondition::eq("huge", json!(u64::MAX)),
            LookupCondition::new("id", LookupOp::Gt(json!(1))),
        ];
        let pushdowns = pushdown_equalities(&conditions);
        assert_eq!(
            pushdowns,
            vec![
                (
                    vec!["content", "77213"],
                    PushdownValue::Text("x".to_owned())
                ),
                (vec!["id"], PushdownValue::Integer(42)),
                (vec!["ratio"], PushdownValue::Real(0.5)),
            ]
        );
        assert_eq!(
            PushdownValue::Text("订单".to_owned()).to_json_text(),
            "\"订单\""
        );
    }
}
