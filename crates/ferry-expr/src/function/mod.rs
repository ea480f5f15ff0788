//! `_function`: MySQL-dialect scalar expressions, parsed once and evaluated many times.
//!
//! CONTRACT (the public API below is fixed; items may be added):
//! - [`Function::parse`] takes the text after `_function ` (e.g.
//!   `case when '{shop_no}' in ('005','006') then 'DZ' end`). Placeholders `{name}` and
//!   `{{name}}` become parameter slots *before* SQL parsing; a placeholder written inside
//!   quotes (`'{name}'`, `"{name}"`) is a string-typed slot, a bare one is typed by the value.
//!   Record values are therefore bound, never spliced into the text.
//! - [`Function::placeholders`] lists the names used, for validation.
//! - [`Function::eval`] evaluates against a [`Scope`]; a missing name is an
//!   [`ErrorKind::Missing`] error naming the placeholder.
//!
//! Semantics follow MariaDB 10.11 with `div_precision_increment = 4`, the default SQL mode
//! (`||` is OR) and `utf8mb4_general_ci` string comparison; `now()` (and its aliases, including
//! `sysdate()`), `from_unixtime` and `unix_timestamp` use the scope's fixed clock and time
//! zone. [`SqlValue::to_mysql_text`] gives exactly what MariaDB's text protocol returns for the
//! same expression; `tests/function_mariadb.rs` checks that against a server. Every
//! placeholder is looked up before evaluation, so one in an untaken branch must still exist.
//!
//! | file | role |
//! |---|---|
//! | `placeholders` | `{name}` scanning, rewriting to `?N` slots |
//! | `parse`, `parse_call` | sqlparser AST → the compiled `expr` tree |
//! | `value`, `temporal`, `num` | values, dates, number text and rounding |
//! | `convert`, `compare`, `arith`, `types` | implicit conversion, comparison, arithmetic, hybrid types |
//! | `eval`, `builtins` | evaluation and the function library |

mod arith;
mod builtins;
mod case_table;
mod collation_table;
mod compare;
mod convert;
mod eval;
mod expr;
mod num;
mod parse;
mod parse_call;
mod placeholders;
mod temporal;
mod types;
mod value;

#[cfg(test)]
mod test_scope;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_dates;

pub use temporal::{SqlDateTime, SqlTime};
pub use value::{NOT_FIXED, SqlValue};

use crate::{ErrorKind, ExprError, Scope};

/// One placeholder inside a `_function` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// The name as written between the braces, e.g. `shop_no`, `LAST_SYNC_TIME`, `details_list.qty`.
    pub name: String,
    /// Byte offset of the opening brace in the expression text.
    pub offset: usize,
    /// Whether the placeholder was written inside quotes (bound as a string).
    pub quoted: bool,
}

/// A compiled `_function` expression.
#[derive(Debug, Clone)]
pub struct Function {
    text: String,
    placeholders: Vec<Placeholder>,
    mysql_sql: String,
    expr: expr::Expr,
}

impl Function {
    /// Parses an expression (the text after `_function `).
    pub fn parse(text: &str) -> Result<Function, ExprError> {
        let rewritten = placeholders::rewrite(text);
        let expr = parse::compile(&rewritten)?;
        Ok(Function {
            text: text.to_owned(),
            placeholders: rewritten.placeholders,
            mysql_sql: rewritten.mysql_sql,
            expr,
        })
    }

    /// The placeholders in order of appearance.
    pub fn placeholders(&self) -> &[Placeholder] {
        &self.placeholders
    }

    /// The source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The expression as MariaDB text with one `?` per placeholder, in the order of
    /// [`Function::placeholders`]; bind [`Function::bind`]'s values to run it on a server.
    pub fn mysql_sql(&self) -> &str {
        &self.mysql_sql
    }

    /// The typed values the placeholders bind to, one per placeholder, in order.
    pub fn bind(&self, scope: &dyn Scope) -> Result<Vec<SqlValue>, ExprError> {
        self.placeholders
            .iter()
            .map(|p| match scope.get(&p.name) {
                Some(value) => Ok(convert::bind(&value, p.quoted)),
                None => Err(ExprError::new(
                    ErrorKind::Missing,
                    format!("placeholder `{}` names no field or variable", p.name),
                )
                .at(p.offset)),
            })
            .collect()
    }

    /// Evaluates the expression to a typed SQL value.
    pub fn eval_sql(&self, scope: &dyn Scope) -> Result<SqlValue, ExprError> {
        let cx = eval::Ctx {
            scope,
            slots: self.bind(scope)?,
        };
        let value = eval::eval(&self.expr, &cx)?.into_owned();
        Ok(value)
    }

    /// Evaluates the expression; the result is JSON (`null`, number, string): DECIMAL and
    /// temporal values as their MariaDB text, integers and doubles as numbers.
    pub fn eval(&self, scope: &dyn Scope) -> Result<serde_json::Value, ExprError> {
        self.eval_sql(scope).map(|v| v.to_json())
    }
}
