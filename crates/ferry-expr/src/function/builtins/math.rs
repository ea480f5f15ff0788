//! Numeric functions: `ABS`, `CEIL`, `FLOOR`, `ROUND`, `TRUNCATE`, `MOD`, `SIGN`, `POW`,
//! `SQRT`, `FORMAT`.
//!
//! Contract: the result type follows the argument as in MariaDB: integers stay integers,
//! DECIMAL rounds half away from zero and takes the requested scale, DOUBLE (and strings, read
//! as DOUBLE) round half to even with the requested display decimals.

use rust_decimal::{Decimal, RoundingStrategy};

use super::arg;
use crate::function::arith;
use crate::function::convert::{Num, to_f64, to_int, to_num};
use crate::function::eval::Val;
use crate::function::expr::{BinOp, Func};
use crate::function::num::{MAX_SCALE, round_decimal, round_double};
use crate::function::value::{NOT_FIXED, SqlValue};
use crate::{ErrorKind, ExprError};

fn out_of_range() -> ExprError {
    ExprError::new(ErrorKind::Type, "`BIGINT` value is out of range")
}

fn double(f: f64, dec: u8) -> Result<SqlValue, ExprError> {
    if f.is_finite() {
        Ok(SqlValue::Double(f, dec))
    } else {
        Err(ExprError::new(
            ErrorKind::Type,
            "`DOUBLE` value is out of range",
        ))
    }
}

/// An integral DECIMAL as BIGINT when it fits, else as DECIMAL.
fn integral(d: Decimal) -> SqlValue {
    let mut d = d;
    d.rescale(0);
    i64::try_from(d).map_or(SqlValue::Decimal(d, 0), SqlValue::Int)
}

/// Rounds an integer to `digits` (< 0) half away from zero, or truncates.
fn round_int(i: i128, digits: i64, truncate: bool) -> Option<i128> {
    if digits >= 0 {
        return Some(i);
    }
    let shift = u32::try_from(digits.unsigned_abs()).ok()?;
    if shift > 38 {
        return Some(0);
    }
    let factor = 10i128.checked_pow(shift)?;
    let q = i / factor;
    let r = i % factor;
    let adjust = if !truncate && r.abs() * 2 >= factor {
        r.signum()
    } else {
        0
    };
    (q + adjust).checked_mul(factor)
}

fn round(v: &SqlValue, digits: i64, truncate: bool) -> Result<SqlValue, ExprError> {
    let Some(n) = to_num(v) else {
        return Ok(SqlValue::Null);
    };
    let fixed = |d: i64| {
        if d >= 0 {
            d.min(i64::from(NOT_FIXED) - 1) as u8
        } else {
            0
        }
    };
    match (n, v) {
        (_, SqlValue::Str(_)) | (Num::Dbl(_), _) => {
            let f = to_f64(v).unwrap_or(0.0);
            double(round_double(f, digits, truncate), fixed(digits))
        }
        (Num::Int(i), _) => {
            let r = round_int(i128::from(i), digits, truncate).ok_or_else(out_of_range)?;
            i64::try_from(r)
                .map(SqlValue::Int)
                .map_err(|_| out_of_range())
        }
        (Num::UInt(u), _) => {
            let r = round_int(i128::from(u), digits, truncate).ok_or_else(out_of_range)?;
            u64::try_from(r)
                .map(SqlValue::UInt)
                .map_err(|_| out_of_range())
        }
        (Num::Dec(d, _), _) => round_decimal(d, digits.min(i64::from(MAX_SCALE)), truncate)
            .map(|r| SqlValue::Decimal(r, digits.clamp(0, i64::from(MAX_SCALE)) as u8))
            .ok_or_else(|| ExprError::new(ErrorKind::Type, "`DECIMAL` value is out of range")),
    }
}

/// `FORMAT(x, d)`: rounded to `d` decimals with `,` thousands separators.
fn format(v: &SqlValue, digits: i64) -> SqlValue {
    let digits = digits.clamp(0, 38);
    let text = match to_num(v) {
        None => return SqlValue::Null,
        Some(Num::Dbl(f)) => format!("{:.*}", digits as usize, round_double(f, digits, false)),
        Some(_) if matches!(v, SqlValue::Str(_)) => {
            let f = to_f64(v).unwrap_or(0.0);
            format!("{:.*}", digits as usize, round_double(f, digits, false))
        }
        Some(Num::Int(i)) => format!("{i}.{}", "0".repeat(digits as usize)),
        Some(Num::UInt(u)) => format!("{u}.{}", "0".repeat(digits as usize)),
        Some(Num::Dec(d, _)) => {
            let mut r = d.round_dp_with_strategy(
                digits.min(28) as u32,
                RoundingStrategy::MidpointAwayFromZero,
            );
            r.rescale(digits.min(28) as u32);
            if r.is_zero() {
                r.set_sign_positive(true);
            }
            r.to_string()
        }
    };
    let (sign, body) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |b| ("-", b));
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let frac = if digits == 0 {
        String::new()
    } else {
        format!(".{frac}")
    };
    SqlValue::Str(format!("{sign}{grouped}{frac}"))
}

/// Calls a numeric function.
pub(super) fn call(func: Func, args: &[Val<'_>]) -> Result<SqlValue, ExprError> {
    let x = arg(args, 0);
    if x.is_null() || (args.len() > 1 && arg(args, 1).is_null()) {
        return Ok(SqlValue::Null);
    }
    let digits = || to_int(arg(args, 1)).unwrap_or(0);
    match func {
        Func::Round => round(x, if args.len() > 1 { digits() } else { 0 }, false),
        Func::Truncate => round(x, digits(), true),
        Func::Mod => arith::binary(BinOp::Mod, x, arg(args, 1)),
        Func::Format => Ok(format(x, digits())),
        Func::Abs => Ok(match (to_num(x), x) {
            (_, SqlValue::Str(_)) => SqlValue::Double(to_f64(x).unwrap_or(0.0).abs(), NOT_FIXED),
            (Some(Num::Int(i)), _) => SqlValue::Int(i.checked_abs().ok_or_else(out_of_range)?),
            (Some(Num::UInt(u)), _) => SqlValue::UInt(u),
            (Some(Num::Dec(d, scale)), _) => SqlValue::Decimal(d.abs(), scale),
            (Some(Num::Dbl(f)), SqlValue::Double(_, dec)) => SqlValue::Double(f.abs(), *dec),
            (Some(Num::Dbl(f)), _) => SqlValue::Double(f.abs(), NOT_FIXED),
            (None, _) => SqlValue::Null,
        }),
        Func::Ceil | Func::Floor => {
            let up = func == Func::Ceil;
            Ok(match (to_num(x), x) {
                (_, SqlValue::Str(_)) | (Some(Num::Dbl(_)), _) => {
                    let f = to_f64(x).unwrap_or(0.0);
                    SqlValue::Double(if up { f.ceil() } else { f.floor() }, NOT_FIXED)
                }
                (Some(Num::Int(i)), _) => SqlValue::Int(i),
                (Some(Num::UInt(u)), _) => SqlValue::UInt(u),
                (Some(Num::Dec(d, _)), _) => integral(if up { d.ceil() } else { d.floor() }),
                (None, _) => SqlValue::Null,
            })
        }
        Func::Sign => Ok(SqlValue::Int(match to_num(x) {
            Some(Num::Int(i)) => i.signum(),
            Some(Num::UInt(u)) => i64::from(u > 0),
            Some(Num::Dec(d, _)) if d.is_zero() => 0,
            Some(Num::Dec(d, _)) => {
                if d.is_sign_negative() {
                    -1
                } else {
                    1
                }
            }
            Some(Num::Dbl(f)) => {
                if f > 0.0 {
                    1
                } else if f < 0.0 {
                    -1
                } else {
                    0
                }
            }
            None => return Ok(SqlValue::Null),
        })),
        Func::Pow => {
            let (b, e) = (
                to_f64(x).unwrap_or(0.0),
                to_f64(arg(args, 1)).unwrap_or(0.0),
            );
            double(b.powf(e), NOT_FIXED)
        }
        Func::Sqrt => {
            let f = to_f64(x).unwrap_or(0.0);
            if f < 0.0 {
                Ok(SqlValue::Null)
            } else {
                double(f.sqrt(), NOT_FIXED)
            }
        }
        _ => Ok(SqlValue::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn run(func: Func, args: &[SqlValue]) -> String {
        let vals: Vec<Val<'_>> = args.iter().map(Cow::Borrowed).collect();
        call(func, &vals)
            .map(|v| v.to_mysql_text().unwrap_or_else(|| "NULL".into()))
            .unwrap_or_else(|e| e.to_string())
    }

    fn dec(s: &str) -> SqlValue {
        crate::function::value::decimal(s.parse().expect("test decimal should parse"))
    }

    #[test]
    fn round_and_truncate_by_type() {
        assert_eq!(run(Func::Round, &[dec("2.5")]), "3");
        assert_eq!(run(Func::Round, &[dec("-2.5")]), "-3");
        assert_eq!(run(Func::Round, &[dec("1.005"), SqlValue::Int(2)]), "1.01");
        assert_eq!(
            run(Func::Round, &[dec("123.456"), SqlValue::Int(-1)]),
            "120"
        );
        assert_eq!(run(Func::Round, &[dec("1.5"), SqlValue::Int(3)]), "1.500");
        assert_eq!(
            run(Func::Round, &[SqlValue::Int(15), SqlValue::Int(-1)]),
            "20"
        );
        assert_eq!(run(Func::Round, &[SqlValue::Double(2.5, NOT_FIXED)]), "2");
        assert_eq!(
            run(
                Func::Round,
                &[SqlValue::Double(2.0, NOT_FIXED), SqlValue::Int(1)]
            ),
            "2.0"
        );
        assert_eq!(run(Func::Round, &[SqlValue::Str("2.5".into())]), "2");
        assert_eq!(
            run(Func::Truncate, &[dec("-1.99"), SqlValue::Int(1)]),
            "-1.9"
        );
        assert_eq!(run(Func::Ceil, &[dec("1.5")]), "2");
        assert_eq!(run(Func::Floor, &[dec("-1.5")]), "-2");
    }

    #[test]
    fn format_groups_thousands() {
        assert_eq!(
            run(Func::Format, &[dec("1234567.891"), SqlValue::Int(2)]),
            "1,234,567.89"
        );
        assert_eq!(
            run(Func::Format, &[dec("-1234.5"), SqlValue::Int(0)]),
            "-1,235"
        );
        assert_eq!(
            run(
                Func::Format,
                &[SqlValue::Double(1234.5, NOT_FIXED), SqlValue::Int(0)]
            ),
            "1,234"
        );
        assert_eq!(
            run(Func::Format, &[SqlValue::Int(12), SqlValue::Int(2)]),
            "12.00"
        );
    }
}
