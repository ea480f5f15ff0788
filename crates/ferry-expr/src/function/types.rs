//! Result types of hybrid expressions (`IF`, `CASE`, `IFNULL`, `COALESCE`, `GREATEST`, …).
//!
//! Contract: MariaDB gives such an expression one type aggregated from all its branches, so
//! `IF(c, 1, 2.5)` is DECIMAL(…,1) and prints `1.0` even when the integer branch is taken.
//! [`static_type`] infers a branch type at parse time where it can; where it cannot (a
//! placeholder inside), evaluation aggregates the types of the evaluated branch values.
//! [`unify`] aggregates, [`coerce`] converts the chosen value to the aggregated type.

use rust_decimal::Decimal;

use super::convert::{Num, to_f64, to_num};
use super::expr::{BinOp, CastTo, Expr, Func};
use super::value::{NOT_FIXED, SqlType, SqlValue};

/// The type of an expression when it is known without values.
pub(crate) fn static_type(e: &Expr) -> Option<SqlType> {
    use SqlType as T;
    Some(match e {
        Expr::Lit(v) => v.sql_type(),
        Expr::Slot(_) | Expr::Agg(..) | Expr::DateAdd(..) | Expr::Neg(_) => return None,
        Expr::Not(_)
        | Expr::IsNull(..)
        | Expr::IsBool(..)
        | Expr::In(..)
        | Expr::Between(..)
        | Expr::Like(..)
        | Expr::TimestampDiff(..)
        | Expr::Extract(..) => T::Int,
        Expr::Binary(op, a, b) => match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Mod => {
                let (a, b) = (static_type(a)?, static_type(b)?);
                arith_type(a, b, *op)
            }
            BinOp::Div => match (static_type(a)?, static_type(b)?) {
                (T::Null, _) | (_, T::Null) => T::Null,
                (a, b) if is_double_like(a) || is_double_like(b) => T::Double(NOT_FIXED),
                (T::Decimal(s), _) => T::Decimal(s.saturating_add(4).min(28)),
                _ => T::Decimal(4),
            },
            _ => T::Int,
        },
        Expr::Case(_, _, _, ty) | Expr::Call(_, _, ty) if ty.is_some() => return *ty,
        Expr::Case(..) => return None,
        Expr::Call(func, args, _) => return call_type(*func, args),
        Expr::Cast(_, to) => match to {
            CastTo::Char(_) => T::Str,
            CastTo::Signed => T::Int,
            CastTo::Unsigned => T::UInt,
            CastTo::Decimal(_, s) => T::Decimal(*s),
            CastTo::Double => T::Double(NOT_FIXED),
            CastTo::Date => T::Date,
            CastTo::DateTime(fsp) => T::DateTime(*fsp),
            CastTo::Time(fsp) => T::Time(*fsp),
        },
    })
}

fn is_double_like(t: SqlType) -> bool {
    matches!(t, SqlType::Double(_) | SqlType::Str)
}

/// The type of `a op b` for `+ - * %`.
fn arith_type(a: SqlType, b: SqlType, op: BinOp) -> SqlType {
    use SqlType as T;
    let scale = |t: SqlType| match t {
        T::Decimal(s) => Some(s),
        T::DateTime(fsp) | T::Time(fsp) if fsp > 0 => Some(fsp),
        _ => None,
    };
    match (a, b) {
        (T::Null, _) | (_, T::Null) => T::Null,
        _ if is_double_like(a) || is_double_like(b) => T::Double(NOT_FIXED),
        _ => match (scale(a), scale(b)) {
            (None, None) if a == T::UInt || b == T::UInt => T::UInt,
            (None, None) => T::Int,
            (x, y) => {
                let (x, y) = (x.unwrap_or(0), y.unwrap_or(0));
                T::Decimal(if op == BinOp::Mul {
                    x.saturating_add(y).min(28)
                } else {
                    x.max(y)
                })
            }
        },
    }
}

/// The static result type of a call, for the functions whose type does not depend on values.
fn call_type(func: Func, args: &[Expr]) -> Option<SqlType> {
    use Func as F;
    use SqlType as T;
    Some(match func {
        F::Concat
        | F::ConcatWs
        | F::Substring
        | F::SubstringIndex
        | F::Left
        | F::Right
        | F::Upper
        | F::Lower
        | F::Trim
        | F::Ltrim
        | F::Rtrim
        | F::Replace
        | F::Lpad
        | F::Rpad
        | F::Reverse
        | F::Repeat
        | F::Space
        | F::Elt
        | F::Format
        | F::DateFormat
        | F::DayName
        | F::MonthName => T::Str,
        F::FromUnixtime if args.len() == 2 => T::Str,
        F::Length
        | F::CharLength
        | F::Locate
        | F::Instr
        | F::FindInSet
        | F::Strcmp
        | F::Field
        | F::Sign
        | F::IsNullFn
        | F::Year
        | F::Month
        | F::Day
        | F::Hour
        | F::Minute
        | F::Second
        | F::DayOfWeek
        | F::WeekDay
        | F::DayOfYear
        | F::Quarter
        | F::Week
        | F::DateDiff
        | F::ToDays => T::Int,
        F::Pow | F::Sqrt => T::Double(NOT_FIXED),
        F::CurDate | F::LastDay | F::Date => T::Date,
        F::Now => match args.first() {
            None => T::DateTime(0),
            Some(Expr::Lit(SqlValue::Int(fsp))) => T::DateTime((*fsp).clamp(0, 6) as u8),
            Some(_) => return None,
        },
        F::UnixTimestamp if args.is_empty() => T::Int,
        _ if func.is_hybrid() => {
            let branches: Vec<&Expr> = match func {
                F::If => args.iter().skip(1).collect(),
                F::NullIf => args.iter().take(1).collect(),
                _ => args.iter().collect(),
            };
            return static_union(&branches);
        }
        _ => return None,
    })
}

/// The hybrid type of a call, when all its branches have static types.
pub(crate) fn static_call_type(func: Func, args: &[Expr]) -> Option<SqlType> {
    call_type(func, args)
}

/// The aggregated type of branches, when all are static.
pub(crate) fn static_union(branches: &[&Expr]) -> Option<SqlType> {
    let types: Option<Vec<SqlType>> = branches.iter().map(|e| static_type(e)).collect();
    types.map(|t| unify(&t))
}

/// MariaDB's type aggregation for results (NULL branches do not count).
pub(crate) fn unify(types: &[SqlType]) -> SqlType {
    use SqlType as T;
    let mut it = types.iter().copied().filter(|t| *t != T::Null);
    let Some(first) = it.next() else {
        return T::Null;
    };
    it.fold(first, |acc, t| match (acc, t) {
        (a, b) if a == b => a,
        (T::Str, _) | (_, T::Str) | (T::List, _) | (_, T::List) => T::Str,
        (T::Decimal(x), T::Decimal(y)) => T::Decimal(x.max(y)),
        (T::Double(x), T::Double(y)) => T::Double(if x == NOT_FIXED || y == NOT_FIXED {
            NOT_FIXED
        } else {
            x.max(y)
        }),
        (T::Double(x), n) | (n, T::Double(x)) if n.is_numeric() => T::Double(if x == NOT_FIXED {
            NOT_FIXED
        } else {
            x.max(decimals(n))
        }),
        (T::Decimal(s), T::Int | T::UInt) | (T::Int | T::UInt, T::Decimal(s)) => T::Decimal(s),
        (T::Int, T::UInt) | (T::UInt, T::Int) => T::Decimal(0),
        (a, b) if a.is_temporal() && b.is_temporal() => match (a, b) {
            (T::Date, T::Date) => T::Date,
            (T::Time(x), T::Time(y)) => T::Time(x.max(y)),
            _ => T::DateTime(decimals(a).max(decimals(b))),
        },
        _ => T::Str,
    })
}

fn decimals(t: SqlType) -> u8 {
    match t {
        SqlType::Decimal(s) | SqlType::Double(s) | SqlType::DateTime(s) | SqlType::Time(s) => s,
        _ => 0,
    }
}

/// Converts a branch value to the aggregated type.
pub(crate) fn coerce(v: SqlValue, ty: SqlType) -> SqlValue {
    use SqlType as T;
    if v.is_null() || v.sql_type() == ty {
        return v;
    }
    match ty {
        T::Str => v
            .text()
            .map_or(SqlValue::Null, |t| SqlValue::Str(t.into_owned())),
        T::Decimal(s) => {
            let d = match to_num(&v) {
                Some(Num::Int(i)) => Decimal::from(i),
                Some(Num::UInt(u)) => Decimal::from(u),
                Some(Num::Dec(d, _)) => d,
                _ => return v,
            };
            SqlValue::Decimal(d, s)
        }
        T::Double(dec) => to_f64(&v).map_or(SqlValue::Null, |f| SqlValue::Double(f, dec)),
        T::DateTime(fsp) => match v {
            SqlValue::Date(d) | SqlValue::DateTime(d, _) => SqlValue::DateTime(d, fsp),
            other => other,
        },
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unify_follows_mariadb() {
        use SqlType as T;
        assert_eq!(unify(&[T::Int, T::Decimal(1)]), T::Decimal(1));
        assert_eq!(unify(&[T::Int, T::Str]), T::Str);
        assert_eq!(unify(&[T::Null, T::Int]), T::Int);
        assert_eq!(unify(&[T::Date, T::DateTime(0)]), T::DateTime(0));
        assert_eq!(unify(&[T::Int, T::Double(NOT_FIXED)]), T::Double(NOT_FIXED));
        assert_eq!(
            coerce(SqlValue::Int(1), T::Decimal(1))
                .to_mysql_text()
                .as_deref(),
            Some("1.0")
        );
    }
}
