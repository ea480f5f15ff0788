//! Arithmetic with MariaDB's typing: BIGINT (signed or unsigned, overflow is an error),
//! DECIMAL (exact, scale rules of `+ - * / %`), DOUBLE (strings count as DOUBLE).
//!
//! Contract: NULL in → NULL out; division and modulo by zero → NULL; `/` on exact operands is
//! DECIMAL with the dividend's scale + 4 (`div_precision_increment`), rounded half up;
//! `DIV` truncates to an integer; a result outside BIGINT or DOUBLE range is an
//! [`ErrorKind::Type`] error as MariaDB raises one.

use rust_decimal::{Decimal, RoundingStrategy};

use super::convert::{Num, to_num};
use super::expr::BinOp;
use super::num::{MAX_SCALE, decimal_to_double, double_to_decimal};
use super::value::{NOT_FIXED, SqlValue};
use crate::{ErrorKind, ExprError};

/// `div_precision_increment`.
const DIV_INCREMENT: u32 = 4;

fn out_of_range(what: &str) -> ExprError {
    ExprError::new(ErrorKind::Type, format!("`{what}` value is out of range"))
}

fn as_f64(n: Num) -> f64 {
    match n {
        Num::Int(i) => i as f64,
        Num::UInt(u) => u as f64,
        Num::Dec(d, _) => decimal_to_double(&d),
        Num::Dbl(f) => f,
    }
}

/// The exact value and shown scale of an operand in DECIMAL context.
fn as_dec(n: Num) -> Option<(Decimal, u32)> {
    match n {
        Num::Int(i) => Some((Decimal::from(i), 0)),
        Num::UInt(u) => Some((Decimal::from(u), 0)),
        Num::Dec(d, scale) => Some((d, u32::from(scale))),
        Num::Dbl(f) => double_to_decimal(f).map(|d| (d, d.scale())),
    }
}

/// MariaDB's `decimal_div`: the quotient truncated to whole 9-digit groups of fraction
/// (`frac1 + frac2 + div_precision_increment`, less the padding of the operands' groups).
fn mysql_div(p: Decimal, q: Decimal) -> Option<Decimal> {
    let group = |digits: u32| digits.div_ceil(9) * 9;
    let (f1, f2) = (p.scale(), q.scale());
    let (g1, g2) = (group(f1), group(f2));
    let padding = (g1 - f1) + (g2 - f2);
    let increment = DIV_INCREMENT.saturating_sub(padding);
    let frac = group(g1 + g2 + increment).min(MAX_SCALE);
    let mut r = p
        .checked_div(q)?
        .round_dp_with_strategy(frac, RoundingStrategy::ToZero);
    r.rescale(frac);
    Some(r)
}

fn as_int(n: Num) -> Option<i128> {
    match n {
        Num::Int(i) => Some(i128::from(i)),
        Num::UInt(u) => Some(i128::from(u)),
        _ => None,
    }
}

fn double(f: f64) -> Result<SqlValue, ExprError> {
    if f.is_finite() {
        Ok(SqlValue::Double(f, NOT_FIXED))
    } else {
        Err(out_of_range("DOUBLE"))
    }
}

/// An integer result: unsigned when an operand was, range-checked.
fn integer(v: i128, unsigned: bool) -> Result<SqlValue, ExprError> {
    if unsigned {
        u64::try_from(v)
            .map(SqlValue::UInt)
            .map_err(|_| out_of_range("BIGINT UNSIGNED"))
    } else {
        i64::try_from(v)
            .map(SqlValue::Int)
            .map_err(|_| out_of_range("BIGINT"))
    }
}

/// A DECIMAL result with its shown scale.
fn decimal(d: Option<Decimal>, scale: u32) -> Result<SqlValue, ExprError> {
    let d = d.ok_or_else(|| out_of_range("DECIMAL"))?;
    Ok(SqlValue::Decimal(d, scale.min(MAX_SCALE) as u8))
}

/// `a op b` for `+ - * / DIV %`.
pub(crate) fn binary(op: BinOp, a: &SqlValue, b: &SqlValue) -> Result<SqlValue, ExprError> {
    let (Some(x), Some(y)) = (to_num(a), to_num(b)) else {
        return Ok(SqlValue::Null);
    };
    let unsigned = matches!(x, Num::UInt(_)) || matches!(y, Num::UInt(_));
    let is_dbl = matches!(x, Num::Dbl(_)) || matches!(y, Num::Dbl(_));
    let is_dec = matches!(x, Num::Dec(..)) || matches!(y, Num::Dec(..));
    match op {
        BinOp::Div => {
            if is_dbl {
                let d = as_f64(y);
                return if d == 0.0 {
                    Ok(SqlValue::Null)
                } else {
                    double(as_f64(x) / d)
                };
            }
            let (Some((p, ps)), Some((q, _))) = (as_dec(x), as_dec(y)) else {
                return Ok(SqlValue::Null);
            };
            if q.is_zero() {
                return Ok(SqlValue::Null);
            }
            decimal(mysql_div(p, q), ps + DIV_INCREMENT)
        }
        BinOp::IntDiv => {
            if let (Some(p), Some(q)) = (as_int(x), as_int(y)) {
                return if q == 0 {
                    Ok(SqlValue::Null)
                } else {
                    integer(p / q, unsigned)
                };
            }
            let (Some((p, _)), Some((q, _))) = (as_dec(x), as_dec(y)) else {
                return Ok(SqlValue::Null);
            };
            if q.is_zero() {
                return Ok(SqlValue::Null);
            }
            let quotient = p
                .checked_div(q)
                .ok_or_else(|| out_of_range("DECIMAL"))?
                .trunc();
            let wide = quotient.mantissa() / 10i128.pow(quotient.scale());
            integer(wide, unsigned)
        }
        BinOp::Mod => {
            if is_dbl {
                let d = as_f64(y);
                return if d == 0.0 {
                    Ok(SqlValue::Null)
                } else {
                    double(as_f64(x) % d)
                };
            }
            if let (Some(p), Some(q)) = (as_int(x), as_int(y)) {
                return if q == 0 {
                    Ok(SqlValue::Null)
                } else {
                    integer(p % q, unsigned && p >= 0)
                };
            }
            let (Some((p, ps)), Some((q, qs))) = (as_dec(x), as_dec(y)) else {
                return Ok(SqlValue::Null);
            };
            if q.is_zero() {
                return Ok(SqlValue::Null);
            }
            decimal(p.checked_rem(q), ps.max(qs))
        }
        BinOp::Add | BinOp::Sub | BinOp::Mul => {
            if is_dbl {
                let (p, q) = (as_f64(x), as_f64(y));
                return double(match op {
                    BinOp::Add => p + q,
                    BinOp::Sub => p - q,
                    _ => p * q,
                });
            }
            if !is_dec && let (Some(p), Some(q)) = (as_int(x), as_int(y)) {
                let r = match op {
                    BinOp::Add => p.checked_add(q),
                    BinOp::Sub => p.checked_sub(q),
                    _ => p.checked_mul(q),
                };
                return integer(r.ok_or_else(|| out_of_range("BIGINT"))?, unsigned);
            }
            let (Some((p, ps)), Some((q, qs))) = (as_dec(x), as_dec(y)) else {
                return Ok(SqlValue::Null);
            };
            let (r, scale) = match op {
                BinOp::Add => (p.checked_add(q), ps.max(qs)),
                BinOp::Sub => (p.checked_sub(q), ps.max(qs)),
                _ => (p.checked_mul(q), ps + qs),
            };
            decimal(r, scale)
        }
        _ => Ok(SqlValue::Null),
    }
}

/// Unary minus.
pub(crate) fn negate(v: &SqlValue) -> Result<SqlValue, ExprError> {
    Ok(match to_num(v) {
        None => SqlValue::Null,
        Some(Num::Int(i)) => match i.checked_neg() {
            Some(n) => SqlValue::Int(n),
            None => SqlValue::Decimal(-Decimal::from(i), 0),
        },
        Some(Num::UInt(u)) => match i64::try_from(-i128::from(u)) {
            Ok(n) => SqlValue::Int(n),
            Err(_) => SqlValue::Decimal(-Decimal::from(u), 0),
        },
        Some(Num::Dec(d, scale)) => SqlValue::Decimal(-d, scale),
        Some(Num::Dbl(f)) => SqlValue::Double(
            -f,
            match v {
                SqlValue::Double(_, dec) => *dec,
                _ => NOT_FIXED,
            },
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> SqlValue {
        crate::function::value::decimal(s.parse().expect("test decimal should parse"))
    }

    fn text(r: Result<SqlValue, ExprError>) -> String {
        r.map(|v| v.to_mysql_text().unwrap_or_else(|| "NULL".into()))
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn division_has_scale_plus_four() {
        assert_eq!(
            text(binary(BinOp::Div, &SqlValue::Int(1), &SqlValue::Int(3))),
            "0.3333"
        );
        assert_eq!(
            text(binary(BinOp::Div, &SqlValue::Int(2), &SqlValue::Int(3))),
            "0.6667"
        );
        assert_eq!(
            text(binary(BinOp::Div, &dec("1.00"), &SqlValue::Int(3))),
            "0.333333"
        );
        assert_eq!(
            text(binary(BinOp::Div, &SqlValue::Int(1), &SqlValue::Int(0))),
            "NULL"
        );
        let third = binary(BinOp::Div, &SqlValue::Int(1), &SqlValue::Int(3)).expect("divides");
        assert_eq!(
            text(binary(BinOp::Mul, &third, &SqlValue::Int(3))),
            "1.0000"
        );
        let r = binary(BinOp::Div, &dec("1.5"), &SqlValue::Int(7)).expect("divides");
        assert_eq!(
            r,
            SqlValue::Decimal("0.214285714".parse().expect("decimal"), 5)
        );
        assert_eq!(text(binary(BinOp::Mul, &r, &SqlValue::Int(7))), "1.50000");
    }

    #[test]
    fn integer_overflow_is_an_error() {
        let r = binary(BinOp::Add, &SqlValue::Int(i64::MAX), &SqlValue::Int(1));
        assert_eq!(text(r), "error: `BIGINT` value is out of range");
        let r = binary(BinOp::Sub, &SqlValue::Int(1), &SqlValue::UInt(2));
        assert_eq!(text(r), "error: `BIGINT UNSIGNED` value is out of range");
    }

    #[test]
    fn mixed_types_follow_mariadb() {
        let s = |x: &str| SqlValue::Str(x.into());
        assert_eq!(
            text(binary(BinOp::Add, &s("12abc"), &SqlValue::Int(1))),
            "13"
        );
        assert_eq!(text(binary(BinOp::Mul, &dec("1.5"), &dec("1.25"))), "1.875");
        assert_eq!(
            text(binary(BinOp::Mod, &SqlValue::Int(-7), &SqlValue::Int(3))),
            "-1"
        );
        assert_eq!(
            text(binary(BinOp::IntDiv, &dec("7.5"), &SqlValue::Int(2))),
            "3"
        );
        assert_eq!(
            text(negate(&SqlValue::UInt(9223372036854775808))),
            "-9223372036854775808"
        );
    }
}
