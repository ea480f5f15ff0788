//! A MongoDB-style filter over JSON documents, the `where` of a lookup.
//!
//! `{"path": <condition>, ...}`: every key must hold (AND). A key is a dotted path into the
//! document (`content.77213`); where a path meets an array it continues into every element
//! (a numeric segment indexes the array instead), and a leaf array is compared both as a whole
//! and element by element, as MongoDB does. A condition is either a value (implicit `$eq`) or
//! an object of operators: `$eq $ne $in $nin $gt $gte $lt $lte $exists`.
//!
//! Comparison follows MongoDB: numbers compare numerically (`1` equals `1.0`), strings by code
//! point, and values of different types are never equal nor ordered (`"1"` does not equal `1`).
//! `{"a": null}` also matches documents without `a`; `$ne`/`$nin` match what `$eq`/`$in` do not.

use std::cmp::Ordering;

use serde_json::Value;

use crate::error::unknown_name;
use crate::{ErrorKind, ExprError};

/// The operator names, for hints.
pub const OPERATORS: &[&str] = &[
    "$eq", "$ne", "$in", "$nin", "$gt", "$gte", "$lt", "$lte", "$exists",
];

/// One operator of a filter with its operand (MongoDB's `$eq $ne $in $nin $gt $gte $lt $lte
/// $exists`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FilterOp<'a> {
    Eq(&'a Value),
    Ne(&'a Value),
    In(&'a [Value]),
    Nin(&'a [Value]),
    Gt(&'a Value),
    Gte(&'a Value),
    Lt(&'a Value),
    Lte(&'a Value),
    Exists(bool),
}

/// A compiled filter: an AND of conditions on paths.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    clauses: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq)]
struct Clause {
    path: String,
    operations: Vec<Operation>,
}

#[derive(Debug, Clone, PartialEq)]
enum Operation {
    Eq(Value),
    Ne(Value),
    In(Vec<Value>),
    Nin(Vec<Value>),
    Compare(Ordering, bool, Value),
    Exists(bool),
}

impl Filter {
    /// Compiles a filter document such as `{"content.77213": {"$eq": "T-1"}}`.
    pub fn compile(document: &Value) -> Result<Filter, ExprError> {
        let Value::Object(map) = document else {
            return Err(ExprError::new(
                ErrorKind::Syntax,
                "a filter must be a JSON object",
            ));
        };
        let mut clauses = Vec::with_capacity(map.len());
        for (path, condition) in map {
            if path.starts_with('$') {
                return Err(ExprError::new(
                    ErrorKind::Unknown,
                    format!("unsupported top-level operator `{path}`"),
                )
                .with_hint("list field paths instead; they must all hold"));
            }
            if path.is_empty() || path.split('.').any(str::is_empty) {
                return Err(ExprError::new(
                    ErrorKind::Syntax,
                    format!("invalid field path `{path}`"),
                ));
            }
            let operations = compile_condition(path, condition)?;
            clauses.push(Clause {
                path: path.clone(),
                operations,
            });
        }
        Ok(Filter { clauses })
    }

    /// A filter of plain equalities, all of which must hold.
    pub fn equal_to(pairs: impl IntoIterator<Item = (String, Value)>) -> Filter {
        let clauses = pairs
            .into_iter()
            .map(|(path, value)| Clause {
                path,
                operations: vec![Operation::Eq(value)],
            })
            .collect();
        Filter { clauses }
    }

    /// Whether `document` satisfies every condition.
    pub fn matches(&self, document: &Value) -> bool {
        let mut candidates = Vec::new();
        self.clauses.iter().all(|clause| {
            candidates.clear();
            let found = collect(document, &clause.path, &mut candidates);
            clause
                .operations
                .iter()
                .all(|operation| operation.holds(&candidates, found))
        })
    }

    /// Every condition as `(path, operator)`, for backends that evaluate filters themselves
    /// (the ledger answers lookups with an index and its own matcher).
    pub fn conditions(&self) -> Vec<(&str, FilterOp<'_>)> {
        let mut conditions = Vec::new();
        for clause in &self.clauses {
            for operation in &clause.operations {
                let op = match operation {
                    Operation::Eq(value) => FilterOp::Eq(value),
                    Operation::Ne(value) => FilterOp::Ne(value),
                    Operation::In(values) => FilterOp::In(values),
                    Operation::Nin(values) => FilterOp::Nin(values),
                    Operation::Compare(Ordering::Greater, false, value) => FilterOp::Gt(value),
                    Operation::Compare(Ordering::Greater, true, value) => FilterOp::Gte(value),
                    Operation::Compare(_, false, value) => FilterOp::Lt(value),
                    Operation::Compare(_, true, value) => FilterOp::Lte(value),
                    Operation::Exists(flag) => FilterOp::Exists(*flag),
                };
                conditions.push((clause.path.as_str(), op));
            }
        }
        conditions
    }

    /// The `(path, value)` pairs of top-level equality conditions (implicit or `$eq`), which an
    /// index can answer before [`Filter::matches`] checks the rest.
    pub fn equalities(&self) -> Vec<(&str, &Value)> {
        let mut pairs = Vec::new();
        for clause in &self.clauses {
            for operation in &clause.operations {
                if let Operation::Eq(value) = operation {
                    pairs.push((clause.path.as_str(), value));
                }
            }
        }
        pairs
    }
}

fn compile_condition(path: &str, condition: &Value) -> Result<Vec<Operation>, ExprError> {
    let Value::Object(map) = condition else {
        return Ok(vec![Operation::Eq(condition.clone())]);
    };
    let operators = map.keys().filter(|key| key.starts_with('$')).count();
    if operators == 0 {
        return Ok(vec![Operation::Eq(condition.clone())]);
    }
    if operators != map.len() {
        return Err(ExprError::new(
            ErrorKind::Syntax,
            format!("the condition on `{path}` mixes operators and fields"),
        ));
    }
    let mut operations = Vec::with_capacity(map.len());
    for (operator, operand) in map {
        let operation = match operator.as_str() {
            "$eq" => Operation::Eq(operand.clone()),
            "$ne" => Operation::Ne(operand.clone()),
            "$in" => Operation::In(array_operand(path, operator, operand)?),
            "$nin" => Operation::Nin(array_operand(path, operator, operand)?),
            "$gt" => Operation::Compare(Ordering::Greater, false, operand.clone()),
            "$gte" => Operation::Compare(Ordering::Greater, true, operand.clone()),
            "$lt" => Operation::Compare(Ordering::Less, false, operand.clone()),
            "$lte" => Operation::Compare(Ordering::Less, true, operand.clone()),
            "$exists" => Operation::Exists(match operand {
                Value::Bool(flag) => *flag,
                Value::Number(number) => number.as_f64() != Some(0.0),
                _ => {
                    return Err(ExprError::new(
                        ErrorKind::Type,
                        format!("`$exists` on `{path}` needs `true` or `false`"),
                    ));
                }
            }),
            unknown => return Err(unknown_name("operator", unknown, OPERATORS)),
        };
        operations.push(operation);
    }
    Ok(operations)
}

fn array_operand(path: &str, operator: &str, operand: &Value) -> Result<Vec<Value>, ExprError> {
    match operand {
        Value::Array(items) => Ok(items.clone()),
        _ => Err(ExprError::new(
            ErrorKind::Type,
            format!("`{operator}` on `{path}` needs an array"),
        )),
    }
}

impl Operation {
    /// Whether the operation holds for the values found at the path (`found`: the path exists).
    fn holds(&self, candidates: &[&Value], found: bool) -> bool {
        match self {
            Operation::Eq(expected) => equals_any(candidates, expected),
            Operation::Ne(expected) => !equals_any(candidates, expected),
            Operation::In(options) => options.iter().any(|option| equals_any(candidates, option)),
            Operation::Nin(options) => !options.iter().any(|option| equals_any(candidates, option)),
            Operation::Compare(direction, or_equal, bound) => {
                candidates
                    .iter()
                    .any(|candidate| match compare(candidate, bound) {
                        Some(Ordering::Equal) => *or_equal,
                        Some(ordering) => ordering == *direction,
                        None => false,
                    })
            }
            Operation::Exists(expected) => found == *expected,
        }
    }
}

fn equals_any(candidates: &[&Value], expected: &Value) -> bool {
    if candidates.is_empty() {
        return expected.is_null();
    }
    candidates
        .iter()
        .any(|candidate| json_equal(candidate, expected))
}

/// The values at `path` in `document` (a leaf array and each of its elements); returns whether
/// the path exists at all.
fn collect<'d>(document: &'d Value, path: &str, out: &mut Vec<&'d Value>) -> bool {
    let (segment, rest) = match path.split_once('.') {
        Some((segment, rest)) => (segment, Some(rest)),
        None => (path, None),
    };
    let mut found = false;
    match document {
        Value::Object(map) => {
            if let Some(child) = map.get(segment) {
                found = descend(child, rest, out);
            }
        }
        Value::Array(items) => {
            if let Ok(index) = segment.parse::<usize>()
                && let Some(child) = items.get(index)
            {
                found |= descend(child, rest, out);
            }
            for item in items.iter().filter(|item| item.is_object()) {
                found |= collect(item, path, out);
            }
        }
        _ => {}
    }
    found
}

fn descend<'d>(value: &'d Value, rest: Option<&str>, out: &mut Vec<&'d Value>) -> bool {
    let Some(rest) = rest else {
        out.push(value);
        if let Value::Array(items) = value {
            out.extend(items.iter());
        }
        return true;
    };
    collect(value, rest, out)
}

/// MongoDB-style equality: numbers numerically, containers element-wise, types must agree.
pub fn json_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(_), Value::Number(_)) => compare(left, right) == Some(Ordering::Equal),
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(l, r)| json_equal(l, r))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .all(|(key, l)| right.get(key).is_some_and(|r| json_equal(l, r)))
        }
        _ => left == right,
    }
}

/// Orders two values of the same type (numbers, strings, booleans, nulls); `None` otherwise.
pub fn compare(left: &Value, right: &Value) -> Option<Ordering> {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => {
            let exact = |number: &serde_json::Number| {
                number
                    .as_i64()
                    .map(i128::from)
                    .or_else(|| number.as_u64().map(i128::from))
            };
            match (exact(left), exact(right)) {
                (Some(left), Some(right)) => Some(left.cmp(&right)),
                _ => left.as_f64()?.partial_cmp(&right.as_f64()?),
            }
        }
        (Value::String(left), Value::String(right)) => Some(left.cmp(right)),
        (Value::Bool(left), Value::Bool(right)) => Some(left.cmp(right)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn filter(document: Value) -> Filter {
        Filter::compile(&document).unwrap()
    }

    fn task() -> Value {
        json!({
            "id": 901,
            "content": {"77213": "T-1", "77214": 5, "tags": ["a", "b"]},
            "lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 3}],
            "gone": null
        })
    }

    #[test]
    fn seed_lookup_matches() {
        assert!(filter(json!({"content.77213": {"$eq": "T-1"}})).matches(&task()));
        assert!(!filter(json!({"content.77213": {"$eq": "T-2"}})).matches(&task()));
        assert!(filter(json!({"content.77213": "T-1", "id": 901})).matches(&task()));
        assert!(!filter(json!({"content.77213": "T-1", "id": 902})).matches(&task()));
    }

    #[test]
    fn numbers_and_strings_never_mix() {
        assert!(filter(json!({"id": 901.0})).matches(&task()));
        assert!(!filter(json!({"id": "901"})).matches(&task()));
        assert!(!filter(json!({"id": {"$gt": "900"}})).matches(&task()));
        assert!(filter(json!({"id": {"$gt": 900, "$lte": 901}})).matches(&task()));
        assert!(!filter(json!({"id": {"$lt": 901}})).matches(&task()));
        assert!(filter(json!({"content.77213": {"$gte": "T-1", "$lt": "T-2"}})).matches(&task()));
        assert!(filter(json!({"id": {"$ne": "901"}})).matches(&task()));
    }

    #[test]
    fn arrays_match_elementwise_and_whole() {
        assert!(filter(json!({"content.tags": "a"})).matches(&task()));
        assert!(filter(json!({"content.tags": ["a", "b"]})).matches(&task()));
        assert!(!filter(json!({"content.tags": ["b", "a"]})).matches(&task()));
        assert!(filter(json!({"lines.sku": "B"})).matches(&task()));
        assert!(filter(json!({"lines.qty": {"$gt": 2}})).matches(&task()));
        assert!(filter(json!({"lines.1.sku": "B"})).matches(&task()));
        assert!(!filter(json!({"lines.0.sku": "B"})).matches(&task()));
        assert!(filter(json!({"lines.sku": {"$in": ["X", "A"]}})).matches(&task()));
        assert!(filter(json!({"lines.sku": {"$nin": ["X", "Y"]}})).matches(&task()));
        assert!(!filter(json!({"lines.sku": {"$nin": ["A"]}})).matches(&task()));
    }

    #[test]
    fn null_and_exists() {
        assert!(filter(json!({"missing": null})).matches(&task()));
        assert!(filter(json!({"gone": null})).matches(&task()));
        assert!(filter(json!({"gone": {"$exists": true}})).matches(&task()));
        assert!(filter(json!({"missing": {"$exists": false}})).matches(&task()));
        assert!(!filter(json!({"missing": {"$exists": 1}})).matches(&task()));
        assert!(!filter(json!({"missing": {"$ne": null}})).matches(&task()));
        assert!(
            filter(json!({"content": {"77213": "T-1", "77214": 5, "tags": ["a", "b"]}}))
                .matches(&task())
        );
        assert!(filter(json!({})).matches(&task()));
    }

    #[test]
    fn equalities_list_top_level_equality_conditions() {
        let compiled = filter(json!({"a": 1, "b": {"$eq": "x", "$ne": "y"}, "c": {"$gt": 1}}));
        assert_eq!(
            compiled.equalities(),
            vec![("a", &json!(1)), ("b", &json!("x"))]
        );
        let built = Filter::equal_to([("FBillNo".to_owned(), json!("PO-1"))]);
        assert_eq!(built.equalities(), vec![("FBillNo", &json!("PO-1"))]);
    }

    #[test]
    fn rejects_malformed_filters() {
        let unknown = Filter::compile(&json!({"a": {"$regex": "x"}})).unwrap_err();
        assert_eq!(unknown.kind, ErrorKind::Unknown);
        assert!(
            unknown
                .message
                .starts_with("unknown operator `$regex` (available: `$eq`")
        );
        let typo = Filter::compile(&json!({"a": {"$eqq": 1}})).unwrap_err();
        assert_eq!(typo.hint.as_deref(), Some("did you mean `$eq`?"));
        let mixed = Filter::compile(&json!({"a": {"$eq": 1, "b": 2}})).unwrap_err();
        assert_eq!(
            mixed.message,
            "the condition on `a` mixes operators and fields"
        );
        assert_eq!(
            Filter::compile(&json!({"a": {"$in": "x"}}))
                .unwrap_err()
                .message,
            "`$in` on `a` needs an array"
        );
        assert_eq!(
            Filter::compile(&json!({"$or": []})).unwrap_err().kind,
            ErrorKind::Unknown
        );
        assert_eq!(
            Filter::compile(&json!([1])).unwrap_err().kind,
            ErrorKind::Syntax
        );
        assert_eq!(
            Filter::compile(&json!({"a..b": 1})).unwrap_err().message,
            "invalid field path `a..b`"
        );
    }
}
