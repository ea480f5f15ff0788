//! Parsing: rewritten `_function` text → sqlparser AST (MySQL dialect) → compiled [`Expr`].
//!
//! Contract: [`compile`] parses exactly one expression; syntax errors are
//! [`ErrorKind::Syntax`] with the offset mapped back into the original text; names that are
//! not functions or placeholders are [`ErrorKind::Unknown`] with a hint. Operators, literals
//! and special forms are lowered here; function calls in `parse_call`.

use sqlparser::ast::{self, BinaryOperator, Spanned, UnaryOperator, Value};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token};

use super::expr::{BinOp, Expr};
use super::placeholders::Rewritten;
use super::types;
use super::value::{NOT_FIXED, SqlValue};
use crate::{ErrorKind, ExprError};

/// Deepest nesting the parser accepts (keeps evaluation recursion bounded).
const RECURSION_LIMIT: usize = 64;

/// Lowering state: the rewritten text, for mapping positions back.
pub(crate) struct Lower<'a> {
    pub rewritten: &'a Rewritten,
}

/// Parses and compiles the rewritten text.
pub(crate) fn compile(rewritten: &Rewritten) -> Result<Expr, ExprError> {
    let lower = Lower { rewritten };
    let dialect = MySqlDialect {};
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .try_with_sql(&rewritten.sql)
        .map_err(|e| lower.parser_error(e))?;
    let ast = parser.parse_expr().map_err(|e| lower.parser_error(e))?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        let err = ExprError::new(
            ErrorKind::Syntax,
            format!(
                "unexpected `{}` after the end of the expression",
                next.token
            ),
        );
        return Err(lower.located(err, next.span.start));
    }
    lower.expr(&ast)
}

impl Lower<'_> {
    /// Adds the original-text offset of `at` to `err`, when `at` is a real position.
    pub(crate) fn located(&self, err: ExprError, at: Location) -> ExprError {
        match self.byte_offset(at) {
            Some(offset) => err.at(self.rewritten.original_offset(offset)),
            None => err,
        }
    }

    fn byte_offset(&self, at: Location) -> Option<usize> {
        if at.line == 0 {
            return None;
        }
        let sql = &self.rewritten.sql;
        let mut line_start = 0;
        for _ in 1..at.line {
            line_start += sql[line_start..].find('\n')? + 1;
        }
        let column = usize::try_from(at.column.saturating_sub(1)).ok()?;
        let within = sql[line_start..]
            .char_indices()
            .nth(column)
            .map_or(sql.len() - line_start, |(i, _)| i);
        Some(line_start + within)
    }

    fn parser_error(&self, err: ParserError) -> ExprError {
        let text = match err {
            ParserError::RecursionLimitExceeded => {
                return ExprError::new(ErrorKind::Syntax, "the expression is nested too deeply");
            }
            ParserError::TokenizerError(s) | ParserError::ParserError(s) => s,
        };
        let (message, location) = match text.rsplit_once(" at Line: ") {
            Some((message, position)) => {
                let mut parts = position.split(", Column: ");
                let line = parts.next().and_then(|l| l.trim().parse().ok());
                let column = parts.next().and_then(|c| c.trim().parse().ok());
                (message.to_owned(), line.zip(column))
            }
            None => (text, None),
        };
        let message = lowercase_first(&message);
        let err = ExprError::new(ErrorKind::Syntax, message);
        match location {
            Some((line, column)) => self.located(err, Location { line, column }),
            None => err,
        }
    }

    /// An error located at the start of `node`.
    pub(crate) fn error_at(&self, kind: ErrorKind, message: String, node: &ast::Expr) -> ExprError {
        self.located(ExprError::new(kind, message), node.span().start)
    }

    pub(crate) fn boxed(&self, e: &ast::Expr) -> Result<Box<Expr>, ExprError> {
        self.expr(e).map(Box::new)
    }

    /// Lowers one expression.
    pub(crate) fn expr(&self, e: &ast::Expr) -> Result<Expr, ExprError> {
        use ast::Expr as A;
        Ok(match e {
            A::Value(v) => self.literal(&v.value, e)?,
            A::Nested(inner) => self.expr(inner)?,
            A::UnaryOp { op, expr } => match op {
                UnaryOperator::Minus => Expr::Neg(self.boxed(expr)?),
                UnaryOperator::Plus => self.expr(expr)?,
                UnaryOperator::Not | UnaryOperator::BangNot => Expr::Not(self.boxed(expr)?),
                other => return Err(self.unsupported(&format!("operator `{other}`"), e)),
            },
            A::BinaryOp { left, op, right } => self.binary(left, op, right, e)?,
            A::IsNull(x) => Expr::IsNull(self.boxed(x)?, false),
            A::IsNotNull(x) => Expr::IsNull(self.boxed(x)?, true),
            A::IsTrue(x) => Expr::IsBool(self.boxed(x)?, true, false),
            A::IsNotTrue(x) => Expr::IsBool(self.boxed(x)?, true, true),
            A::IsFalse(x) => Expr::IsBool(self.boxed(x)?, false, false),
            A::IsNotFalse(x) => Expr::IsBool(self.boxed(x)?, false, true),
            A::IsUnknown(x) => Expr::IsNull(self.boxed(x)?, false),
            A::IsNotUnknown(x) => Expr::IsNull(self.boxed(x)?, true),
            A::IsDistinctFrom(a, b) => Expr::Not(Box::new(Expr::Binary(
                BinOp::NullSafeEq,
                self.boxed(a)?,
                self.boxed(b)?,
            ))),
            A::IsNotDistinctFrom(a, b) => {
                Expr::Binary(BinOp::NullSafeEq, self.boxed(a)?, self.boxed(b)?)
            }
            A::InList {
                expr,
                list,
                negated,
            } => {
                let list = list
                    .iter()
                    .map(|x| self.expr(x))
                    .collect::<Result<_, _>>()?;
                Expr::In(self.boxed(expr)?, list, *negated)
            }
            A::Between {
                expr,
                negated,
                low,
                high,
            } => Expr::Between(
                self.boxed(expr)?,
                self.boxed(low)?,
                self.boxed(high)?,
                *negated,
            ),
            A::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char,
            } => {
                let escape = escape_char.as_ref().map(|x| self.boxed(x)).transpose()?;
                Expr::Like(self.boxed(expr)?, self.boxed(pattern)?, escape, *negated)
            }
            A::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                let operand = operand.as_ref().map(|x| self.boxed(x)).transpose()?;
                let whens = conditions
                    .iter()
                    .map(|w| Ok((self.expr(&w.condition)?, self.expr(&w.result)?)))
                    .collect::<Result<Vec<_>, ExprError>>()?;
                let otherwise = else_result.as_ref().map(|x| self.boxed(x)).transpose()?;
                let mut results: Vec<&Expr> = whens.iter().map(|(_, r)| r).collect();
                results.extend(otherwise.as_deref());
                let ty = types::static_union(&results);
                Expr::Case(operand, whens, otherwise, ty)
            }
            A::Identifier(ident) => {
                let message = format!("unknown name `{}`", ident.value);
                return Err(self.error_at(ErrorKind::Unknown, message, e).with_hint(
                    "write record fields as placeholders such as `{field}` and text in quotes",
                ));
            }
            _ => self.special(e)?,
        })
    }

    fn binary(
        &self,
        left: &ast::Expr,
        op: &BinaryOperator,
        right: &ast::Expr,
        whole: &ast::Expr,
    ) -> Result<Expr, ExprError> {
        use BinaryOperator as B;
        let op = match op {
            B::Plus | B::Minus => {
                let sub = matches!(op, B::Minus);
                if let ast::Expr::Interval(interval) = right {
                    return self.date_add(left, interval, sub);
                }
                if let (ast::Expr::Interval(interval), false) = (left, sub) {
                    return self.date_add(right, interval, false);
                }
                if sub { BinOp::Sub } else { BinOp::Add }
            }
            B::Multiply => BinOp::Mul,
            B::Divide => BinOp::Div,
            B::MyIntegerDivide => BinOp::IntDiv,
            B::Modulo => BinOp::Mod,
            B::Eq => BinOp::Eq,
            B::NotEq => BinOp::Ne,
            B::Lt => BinOp::Lt,
            B::LtEq => BinOp::Le,
            B::Gt => BinOp::Gt,
            B::GtEq => BinOp::Ge,
            B::Spaceship => BinOp::NullSafeEq,
            B::And => BinOp::And,
            // `||` is OR in MariaDB's default SQL mode (no PIPES_AS_CONCAT).
            B::Or | B::StringConcat => BinOp::Or,
            B::Xor => BinOp::Xor,
            other => return Err(self.unsupported(&format!("operator `{other}`"), whole)),
        };
        Ok(Expr::Binary(op, self.boxed(left)?, self.boxed(right)?))
    }

    fn literal(&self, v: &Value, node: &ast::Expr) -> Result<Expr, ExprError> {
        Ok(Expr::Lit(match v {
            Value::Null => SqlValue::Null,
            Value::Boolean(b) => SqlValue::Int(i64::from(*b)),
            Value::Number(text, _) => number_literal(text).ok_or_else(|| {
                self.error_at(
                    ErrorKind::Syntax,
                    format!("number `{text}` is out of range"),
                    node,
                )
            })?,
            Value::SingleQuotedString(s)
            | Value::DoubleQuotedString(s)
            | Value::NationalStringLiteral(s)
            | Value::EscapedStringLiteral(s) => SqlValue::Str(s.clone()),
            Value::HexStringLiteral(hex) => SqlValue::Str(hex_text(hex).ok_or_else(|| {
                let message = format!("hex literal `{hex}` is not valid utf-8 text");
                self.error_at(ErrorKind::Syntax, message, node)
            })?),
            Value::Placeholder(p) => {
                let slot = p.strip_prefix('?').and_then(|n| n.parse::<usize>().ok());
                match slot.and_then(|n| n.checked_sub(1)) {
                    Some(index) if index < self.rewritten.placeholders.len() => {
                        return Ok(Expr::Slot(index));
                    }
                    _ => {
                        let message = format!("parameter marker `{p}` is not allowed");
                        return Err(self
                            .error_at(ErrorKind::Syntax, message, node)
                            .with_hint("write placeholders as `{field}` or `{{field}}`"));
                    }
                }
            }
            other => return Err(self.unsupported(&format!("literal `{other}`"), node)),
        }))
    }

    pub(crate) fn unsupported(&self, what: &str, node: &ast::Expr) -> ExprError {
        self.error_at(
            ErrorKind::Syntax,
            format!("{what} is not supported in `_function`"),
            node,
        )
    }
}

/// A numeric literal with MariaDB's typing: integer, then unsigned, then DECIMAL; a literal
/// with an exponent is DOUBLE.
pub(crate) fn number_literal(text: &str) -> Option<SqlValue> {
    if text.contains(['e', 'E']) {
        let f: f64 = text.parse().ok()?;
        return f.is_finite().then_some(SqlValue::Double(f, NOT_FIXED));
    }
    if !text.contains('.') {
        if let Ok(i) = text.parse::<i64>() {
            return Some(SqlValue::Int(i));
        }
        if let Ok(u) = text.parse::<u64>() {
            return Some(SqlValue::UInt(u));
        }
    }
    let trimmed = text.strip_suffix('.').unwrap_or(text);
    match trimmed.parse::<rust_decimal::Decimal>() {
        Ok(d) => Some(super::value::decimal(d)),
        Err(_) => text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| SqlValue::Double(f, NOT_FIXED)),
    }
}

fn hex_text(hex: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    String::from_utf8(bytes?).ok()
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
