//! A source's `condition`: which fetched records to keep.
//!
//! `[[A, B], [C]]` keeps a record when `(A and B) or C`: the outer list is an OR of groups,
//! each group an AND of `{field, logic, value}`. An empty list keeps everything; so does an
//! empty group. Logics and how values compare: [`logic`](self); Qeasy's aliases `egt`, `elt`,
//! `isnull` and its `between` (two values, `"100,500"` or `[100, 500]`) are accepted.
//! `in`/`notin` take an array or a comma-separated string.
//!
//! `field` is resolved through the [`Scope`] like a placeholder, so `a.b`, flattened names
//! (`items_name`) and first-letter case work; a missing field is `null`. A field whose value is
//! an array — an array field, or a path through one such as `items.name` — holds when *any*
//! element does (for `neq`, `notin`, `notlike`, `null`: when no element satisfies the positive
//! logic; so an empty array is `null`). With Qeasy's `"strictMode": true` a positive logic
//! must hold for *every* element (vacuously for an empty array).
//! Evaluated after `beatFlat`, `items.name` resolves to the flattened row's `items_name`, which
//! is Qeasy's non-strict behaviour of dropping the detail rows that do not match.

pub mod logic;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use self::logic::{LOGIC_NAMES, Logic};
use self::logic::{Operand, Scalar, test_value};
use crate::error::unknown_name;
use crate::{ErrorKind, ExprError, Scope};

/// One `{field, logic, value}` test as written in a scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// The field, resolved like a placeholder name.
    pub field: String,
    /// The logic's name, e.g. `eq`, `notlike`.
    pub logic: String,
    /// The value to compare with; absent for `null`/`notnull`.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub value: Value,
    /// Qeasy's `strictMode`: on an array field, every element must satisfy the logic.
    #[serde(
        default,
        rename = "strictMode",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub strict_mode: bool,
}

/// Conditions compiled once: an OR of AND groups.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompiledConditions {
    groups: Vec<Vec<CompiledCondition>>,
}

/// One compiled test.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledCondition {
    field: String,
    logic: Logic,
    operand: Operand,
    strict: bool,
}

impl Condition {
    /// A condition without `strictMode`.
    pub fn new(field: impl Into<String>, logic: impl Into<String>, value: Value) -> Condition {
        Condition {
            field: field.into(),
            logic: logic.into(),
            value,
            strict_mode: false,
        }
    }

    /// Compiles a scheme's `condition`; an error names the failing entry as
    /// `condition[group][index]` in its message.
    pub fn compile(groups: &[Vec<Condition>]) -> Result<CompiledConditions, ExprError> {
        let mut compiled_groups = Vec::with_capacity(groups.len());
        for (group_index, group) in groups.iter().enumerate() {
            let mut compiled = Vec::with_capacity(group.len());
            for (index, condition) in group.iter().enumerate() {
                let one = condition.compile_one().map_err(|mut error| {
                    error.message =
                        format!("{} in `condition[{group_index}][{index}]`", error.message);
                    error
                })?;
                compiled.push(one);
            }
            compiled_groups.push(compiled);
        }
        Ok(CompiledConditions {
            groups: compiled_groups,
        })
    }

    /// Compiles this one test.
    pub fn compile_one(&self) -> Result<CompiledCondition, ExprError> {
        let Some(logic) = Logic::from_name(&self.logic) else {
            return Err(unknown_name("logic", &self.logic, LOGIC_NAMES));
        };
        if self.field.trim().is_empty() {
            return Err(ExprError::new(ErrorKind::Syntax, "empty `field`"));
        }
        let operand = match logic {
            Logic::Null | Logic::NotNull => Operand::None,
            Logic::In | Logic::NotIn => Operand::List(list(&self.value)),
            Logic::Between => {
                let bounds = list(&self.value);
                if bounds.len() != 2 {
                    return Err(ExprError::new(
                        ErrorKind::Syntax,
                        format!(
                            "`between` needs two values, as `\"100,500\"` or `[100, 500]`, got {}",
                            self.value
                        ),
                    ));
                }
                Operand::List(bounds)
            }
            _ => {
                if matches!(self.value, Value::Array(_) | Value::Object(_)) {
                    return Err(ExprError::new(
                        ErrorKind::Type,
                        format!("`{}` needs a single value, got {}", self.logic, self.value),
                    ));
                }
                Operand::One(Scalar::new(&self.value))
            }
        };
        Ok(CompiledCondition {
            field: self.field.clone(),
            logic,
            operand,
            strict: self.strict_mode,
        })
    }
}

/// The items of an `in`/`between` value: an array's elements or a comma-separated string's
/// parts (trimmed).
fn list(value: &Value) -> Vec<Scalar> {
    match value {
        Value::Array(items) => items.iter().map(Scalar::new).collect(),
        Value::String(text) => text
            .split(',')
            .map(|part| Scalar::new(&Value::String(part.trim().to_owned())))
            .collect(),
        Value::Null => Vec::new(),
        other => vec![Scalar::new(other)],
    }
}

impl CompiledConditions {
    /// Whether there are no groups (every record matches).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Whether the record in `scope` is kept.
    pub fn matches(&self, scope: &dyn Scope) -> bool {
        if self.groups.is_empty() {
            return true;
        }
        self.groups
            .iter()
            .any(|group| group.iter().all(|condition| condition.matches(scope)))
    }
}

impl CompiledCondition {
    /// The field tested.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The logic.
    pub fn logic(&self) -> Logic {
        self.logic
    }

    /// Whether the record in `scope` passes this test.
    pub fn matches(&self, scope: &dyn Scope) -> bool {
        let value = scope.get(&self.field);
        let value = value.as_deref().unwrap_or(&Value::Null);
        let timezone = scope.timezone();
        let (positive, negate) = match self.logic.negated() {
            Some(positive) => (positive, true),
            None => (self.logic, false),
        };
        let holds = match value {
            Value::Array(items) => {
                let test = |item: &Value| test_value(positive, item, &self.operand, timezone);
                if self.strict && !negate {
                    items.iter().all(test)
                } else {
                    items.iter().any(test)
                }
            }
            scalar => test_value(positive, scalar, &self.operand, timezone),
        };
        holds != negate
    }
}

#[cfg(test)]
mod tests;
