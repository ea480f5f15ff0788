//! Aggregates over an array placeholder: `SUM`, `AVG`, `MAX`, `MIN`, `COUNT` (optionally
//! `DISTINCT`), e.g. `sum({{details_list.qty}})`.
//!
//! Contract: the array's elements are the rows; NULL elements are skipped; an empty (or
//! all-NULL) array gives NULL, except `COUNT` which gives 0. As in MariaDB, `SUM` of exact
//! numbers is DECIMAL, `AVG` of exact numbers is DECIMAL with 4 more digits of scale, and
//! anything read as DOUBLE (strings, doubles) makes the result DOUBLE. A scalar argument counts
//! as a one-element array.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::function::arith;
use crate::function::compare::{compare, equal};
use crate::function::convert::{Num, list_error, to_num};
use crate::function::expr::{Agg, BinOp};
use crate::function::types::{coerce, unify};
use crate::function::value::{NOT_FIXED, SqlValue};
use crate::{ErrorKind, ExprError};

/// Runs an aggregate over `value`'s elements.
pub(crate) fn aggregate(
    kind: Agg,
    value: &SqlValue,
    distinct: bool,
) -> Result<SqlValue, ExprError> {
    let items: &[SqlValue] = match value {
        SqlValue::List(items) => items,
        other => std::slice::from_ref(other),
    };
    let mut rows: Vec<&SqlValue> = Vec::with_capacity(items.len());
    for item in items {
        if matches!(item, SqlValue::List(_)) {
            return Err(list_error());
        }
        if item.is_null() || (distinct && rows.iter().any(|r| equal(r, item) == Some(true))) {
            continue;
        }
        rows.push(item);
    }
    if kind == Agg::Count {
        return Ok(SqlValue::Int(rows.len() as i64));
    }
    if rows.is_empty() {
        return Ok(SqlValue::Null);
    }
    match kind {
        Agg::Max | Agg::Min => {
            let want = if kind == Agg::Max {
                Ordering::Greater
            } else {
                Ordering::Less
            };
            let mut best = rows[0];
            for r in &rows[1..] {
                if compare(r, best) == Some(want) {
                    best = r;
                }
            }
            let ty = unify(&rows.iter().map(|r| r.sql_type()).collect::<Vec<_>>());
            Ok(coerce(best.clone(), ty))
        }
        _ => {
            let nums: Vec<Num> = rows.iter().filter_map(|r| to_num(r)).collect();
            let is_double = rows
                .iter()
                .any(|r| matches!(r, SqlValue::Str(_) | SqlValue::Double(..)));
            let sum = if is_double {
                let total: f64 = nums.iter().map(|n| as_f64(*n)).sum();
                if !total.is_finite() {
                    return Err(ExprError::new(
                        ErrorKind::Type,
                        "`DOUBLE` value is out of range",
                    ));
                }
                SqlValue::Double(total, NOT_FIXED)
            } else {
                let mut total = SqlValue::Decimal(Decimal::ZERO, 0);
                for n in &nums {
                    let v = match n {
                        Num::Int(i) => SqlValue::Decimal(Decimal::from(*i), 0),
                        Num::UInt(u) => SqlValue::Decimal(Decimal::from(*u), 0),
                        Num::Dec(d, scale) => SqlValue::Decimal(*d, *scale),
                        Num::Dbl(f) => SqlValue::Double(*f, NOT_FIXED),
                    };
                    total = arith::binary(BinOp::Add, &total, &v)?;
                }
                total
            };
            if kind == Agg::Sum {
                return Ok(sum);
            }
            arith::binary(BinOp::Div, &sum, &SqlValue::Int(nums.len() as i64))
        }
    }
}

fn as_f64(n: Num) -> f64 {
    match n {
        Num::Int(i) => i as f64,
        Num::UInt(u) => u as f64,
        Num::Dec(d, _) => crate::function::num::decimal_to_double(&d),
        Num::Dbl(f) => f,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[SqlValue]) -> SqlValue {
        SqlValue::List(items.to_vec())
    }

    fn text(r: Result<SqlValue, ExprError>) -> String {
        r.map(|v| v.to_mysql_text().unwrap_or_else(|| "NULL".into()))
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn aggregates_follow_mariadb_types() {
        let dec = |s: &str| SqlValue::Decimal(s.parse().expect("test decimal should parse"), 1);
        let ints = list(&[
            SqlValue::Int(1),
            SqlValue::Int(2),
            SqlValue::Null,
            SqlValue::Int(2),
        ]);
        assert_eq!(text(aggregate(Agg::Sum, &ints, false)), "5");
        assert_eq!(text(aggregate(Agg::Avg, &ints, false)), "1.6667");
        assert_eq!(text(aggregate(Agg::Count, &ints, false)), "3");
        assert_eq!(text(aggregate(Agg::Count, &ints, true)), "2");
        assert_eq!(text(aggregate(Agg::Max, &ints, false)), "2");
        assert_eq!(
            text(aggregate(
                Agg::Sum,
                &list(&[dec("1.5"), SqlValue::Int(2)]),
                false
            )),
            "3.5"
        );
        assert_eq!(text(aggregate(Agg::Sum, &list(&[]), false)), "NULL");
        assert_eq!(text(aggregate(Agg::Count, &list(&[]), false)), "0");
        let strs = list(&[SqlValue::Str("b".into()), SqlValue::Str("A".into())]);
        assert_eq!(text(aggregate(Agg::Min, &strs, false)), "A");
    }
}
