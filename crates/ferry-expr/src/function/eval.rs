//! Evaluation of a compiled [`Expr`] against bound slot values.
//!
//! Contract: evaluation is a recursive walk that borrows literals and slot values instead of
//! copying them; SQL three-valued logic throughout (`AND`/`OR` short-circuit as MariaDB
//! does); hybrid expressions (`CASE`, `IF`, `IFNULL`, `NULLIF`, `COALESCE`, `GREATEST`,
//! `LEAST`) convert their result to the type aggregated over all branches. An array value
//! outside an aggregate is an [`ErrorKind::Type`](crate::ErrorKind::Type) error.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::builtins;
use super::compare::{compare, compare_exact, equal, like};
use super::convert::{list_error, text, truth};
use super::expr::{BinOp, Expr, Func};
use super::types::{coerce, unify};
use super::value::{SqlType, SqlValue};
use super::{arith, builtins::agg};
use crate::{ExprError, Scope};

/// What evaluation reads: the scope (for `now()` and the time zone) and the bound slots.
pub(crate) struct Ctx<'s> {
    pub scope: &'s dyn Scope,
    pub slots: Vec<SqlValue>,
}

/// An evaluated value, borrowed from the tree or the slots where possible.
pub(crate) type Val<'a> = Cow<'a, SqlValue>;

fn int(b: Option<bool>) -> SqlValue {
    b.map_or(SqlValue::Null, |b| SqlValue::Int(i64::from(b)))
}

/// Evaluates `e` to a single (non-array) value.
pub(crate) fn scalar<'a>(e: &'a Expr, cx: &'a Ctx<'_>) -> Result<Val<'a>, ExprError> {
    let v = eval(e, cx)?;
    if matches!(*v, SqlValue::List(_)) {
        return Err(list_error());
    }
    Ok(v)
}

/// Evaluates `e`; an array placeholder evaluates to [`SqlValue::List`].
pub(crate) fn eval<'a>(e: &'a Expr, cx: &'a Ctx<'_>) -> Result<Val<'a>, ExprError> {
    Ok(Cow::Owned(match e {
        Expr::Lit(v) => return Ok(Cow::Borrowed(v)),
        Expr::Slot(i) => {
            return cx.slots.get(*i).map(Cow::Borrowed).ok_or_else(|| {
                ExprError::new(crate::ErrorKind::Missing, format!("slot {i} was not bound"))
            });
        }
        Expr::Neg(x) => arith::negate(&*scalar(x, cx)?)?,
        Expr::Not(x) => int(truth(&*scalar(x, cx)?).map(|b| !b)),
        Expr::Binary(op, a, b) => binary(*op, a, b, cx)?,
        Expr::IsNull(x, negated) => SqlValue::Int(i64::from(scalar(x, cx)?.is_null() != *negated)),
        Expr::IsBool(x, value, negated) => {
            let t = truth(&*scalar(x, cx)?);
            SqlValue::Int(i64::from((t == Some(*value)) != *negated))
        }
        Expr::In(x, list, negated) => {
            let v = scalar(x, cx)?;
            if v.is_null() {
                return Ok(Cow::Owned(SqlValue::Null));
            }
            let mut saw_null = false;
            let mut found = false;
            for item in list {
                match equal(&v, &*scalar(item, cx)?) {
                    Some(true) => {
                        found = true;
                        break;
                    }
                    Some(false) => {}
                    None => saw_null = true,
                }
            }
            let r = if found {
                Some(true)
            } else if saw_null {
                None
            } else {
                Some(false)
            };
            int(r.map(|b| b != *negated))
        }
        Expr::Between(x, low, high, negated) => {
            let v = scalar(x, cx)?;
            let ge = compare_exact(&v, &*scalar(low, cx)?).map(|o| o != Ordering::Less);
            let le = compare_exact(&v, &*scalar(high, cx)?).map(|o| o != Ordering::Greater);
            int(and3(ge, le).map(|b| b != *negated))
        }
        Expr::Like(x, pattern, escape, negated) => {
            let v = scalar(x, cx)?;
            let p = scalar(pattern, cx)?;
            let esc = match escape {
                Some(e) => scalar(e, cx)?,
                None => Cow::Owned(SqlValue::Str("\\".into())),
            };
            match (text(&v)?, text(&p)?, text(&esc)?) {
                (Some(t), Some(p), Some(esc)) => {
                    let esc = esc.chars().next().unwrap_or('\\');
                    SqlValue::Int(i64::from(like(&t, &p, esc) != *negated))
                }
                _ => SqlValue::Null,
            }
        }
        Expr::Case(operand, whens, otherwise, ty) => {
            let operand = operand.as_ref().map(|o| scalar(o, cx)).transpose()?;
            let mut chosen = otherwise.as_deref();
            for (when, then) in whens {
                let w = scalar(when, cx)?;
                let hit = match &operand {
                    Some(o) => equal(o, &w) == Some(true),
                    None => truth(&w) == Some(true),
                };
                if hit {
                    chosen = Some(then);
                    break;
                }
            }
            let mut branches: Vec<&Expr> = whens.iter().map(|(_, t)| t).collect();
            branches.extend(otherwise.as_deref());
            return hybrid(chosen, *ty, &branches, cx);
        }
        Expr::Call(func, args, ty) if func.is_hybrid() => return call_hybrid(*func, args, *ty, cx),
        Expr::Call(func, args, _) => {
            let values = args
                .iter()
                .map(|a| scalar(a, cx))
                .collect::<Result<Vec<_>, _>>()?;
            builtins::call(*func, &values, cx)?
        }
        Expr::Cast(x, to) => builtins::cast::cast(&*scalar(x, cx)?, *to, cx)?,
        Expr::DateAdd(d, n, unit, sub) => {
            builtins::interval::date_add(&*scalar(d, cx)?, &*scalar(n, cx)?, *unit, *sub, cx)?
        }
        Expr::TimestampDiff(unit, a, b) => {
            builtins::interval::timestamp_diff(*unit, &*scalar(a, cx)?, &*scalar(b, cx)?, cx)
        }
        Expr::Extract(unit, x) => builtins::interval::extract(*unit, &*scalar(x, cx)?, cx),
        Expr::Agg(kind, x, distinct) => agg::aggregate(*kind, &*eval(x, cx)?, *distinct)?,
    }))
}

fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn binary(op: BinOp, a: &Expr, b: &Expr, cx: &Ctx<'_>) -> Result<SqlValue, ExprError> {
    match op {
        BinOp::And => {
            let x = truth(&*scalar(a, cx)?);
            if x == Some(false) {
                return Ok(SqlValue::Int(0));
            }
            Ok(int(and3(x, truth(&*scalar(b, cx)?))))
        }
        BinOp::Or => {
            let x = truth(&*scalar(a, cx)?);
            if x == Some(true) {
                return Ok(SqlValue::Int(1));
            }
            let y = truth(&*scalar(b, cx)?);
            Ok(int(match (x, y) {
                (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            }))
        }
        BinOp::Xor => {
            let (x, y) = (truth(&*scalar(a, cx)?), truth(&*scalar(b, cx)?));
            Ok(int(x.zip(y).map(|(x, y)| x != y)))
        }
        _ => {
            let (x, y) = (scalar(a, cx)?, scalar(b, cx)?);
            let ord = || compare(&x, &y);
            Ok(match op {
                BinOp::Eq => int(ord().map(|o| o == Ordering::Equal)),
                BinOp::Ne => int(ord().map(|o| o != Ordering::Equal)),
                BinOp::Lt => int(ord().map(|o| o == Ordering::Less)),
                BinOp::Le => int(ord().map(|o| o != Ordering::Greater)),
                BinOp::Gt => int(ord().map(|o| o == Ordering::Greater)),
                BinOp::Ge => int(ord().map(|o| o != Ordering::Less)),
                BinOp::NullSafeEq => SqlValue::Int(i64::from(match (x.is_null(), y.is_null()) {
                    (true, true) => true,
                    (false, false) => ord() == Some(Ordering::Equal),
                    _ => false,
                })),
                _ => arith::binary(op, &x, &y)?,
            })
        }
    }
}

/// The chosen branch converted to the aggregated type of all branches.
fn hybrid<'a>(
    chosen: Option<&'a Expr>,
    ty: Option<SqlType>,
    branches: &[&'a Expr],
    cx: &'a Ctx<'_>,
) -> Result<Val<'a>, ExprError> {
    let Some(chosen) = chosen else {
        return Ok(Cow::Owned(SqlValue::Null));
    };
    let value = scalar(chosen, cx)?;
    let ty = match ty {
        Some(ty) => ty,
        None => {
            let mut types = Vec::with_capacity(branches.len());
            for b in branches {
                types.push(scalar(b, cx)?.sql_type());
            }
            unify(&types)
        }
    };
    if value.sql_type() == ty || value.is_null() {
        return Ok(value);
    }
    Ok(Cow::Owned(coerce(value.into_owned(), ty)))
}

fn call_hybrid<'a>(
    func: Func,
    args: &'a [Expr],
    ty: Option<SqlType>,
    cx: &'a Ctx<'_>,
) -> Result<Val<'a>, ExprError> {
    let all: Vec<&Expr> = args.iter().collect();
    match func {
        Func::If => {
            let cond = truth(&*scalar(&args[0], cx)?) == Some(true);
            let chosen = if cond { &args[1] } else { &args[2] };
            hybrid(Some(chosen), ty, &all[1..], cx)
        }
        Func::IfNull => {
            let first = scalar(&args[0], cx)?;
            let chosen = if first.is_null() { &args[1] } else { &args[0] };
            hybrid(Some(chosen), ty, &all, cx)
        }
        Func::NullIf => {
            let (a, b) = (scalar(&args[0], cx)?, scalar(&args[1], cx)?);
            if equal(&a, &b) == Some(true) {
                return Ok(Cow::Owned(SqlValue::Null));
            }
            Ok(a)
        }
        Func::Coalesce => {
            let mut chosen = None;
            for a in args {
                if !scalar(a, cx)?.is_null() {
                    chosen = Some(a);
                    break;
                }
            }
            hybrid(chosen, ty, &all, cx)
        }
        _ => {
            // GREATEST / LEAST: NULL if any argument is NULL.
            let want = if func == Func::Greatest {
                Ordering::Greater
            } else {
                Ordering::Less
            };
            let mut best: Option<(usize, Val<'a>)> = None;
            for (i, a) in args.iter().enumerate() {
                let v = scalar(a, cx)?;
                if v.is_null() {
                    return Ok(Cow::Owned(SqlValue::Null));
                }
                let better = match &best {
                    None => true,
                    Some((_, b)) => compare(&v, b) == Some(want),
                };
                if better {
                    best = Some((i, v));
                }
            }
            let chosen = best.map(|(i, _)| &args[i]);
            hybrid(chosen, ty, &all, cx)
        }
    }
}
