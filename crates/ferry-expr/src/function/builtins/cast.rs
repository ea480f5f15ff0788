//! `CAST(x AS type)` and `CONVERT(x, type)`.
//!
//! Contract: as MariaDB 10.11: `SIGNED` rounds DECIMAL half away from zero and DOUBLE half to
//! even, reads strings by integer prefix and wraps unsigned overflow; `UNSIGNED` wraps negative
//! integers and clamps negative DECIMAL/DOUBLE to 0; `DECIMAL(p,s)` rounds half up and clamps
//! to the largest value of the type; temporal casts give NULL for invalid input; `CHAR(n)`
//! keeps the first `n` characters.

use rust_decimal::{Decimal, RoundingStrategy};

use super::date::to_time;
use crate::ExprError;
use crate::function::convert::{Num, text, to_datetime, to_decimal, to_f64, to_num};
use crate::function::eval::Ctx;
use crate::function::expr::CastTo;
use crate::function::num::{MAX_SCALE, str_to_i128};
use crate::function::value::{NOT_FIXED, SqlValue};

fn to_signed(v: &SqlValue) -> Option<i64> {
    Some(match v {
        SqlValue::Str(s) => {
            let n = str_to_i128(s);
            if n > i128::from(u64::MAX) {
                -1
            } else if n > i128::from(i64::MAX) {
                n as u64 as i64
            } else {
                n.max(i128::from(i64::MIN)) as i64
            }
        }
        other => match to_num(other)? {
            Num::Int(i) => i,
            Num::UInt(u) => u as i64,
            Num::Dec(d, _) => {
                let r = d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
                i64::try_from(r).unwrap_or(if r.is_sign_negative() {
                    i64::MIN
                } else {
                    i64::MAX
                })
            }
            Num::Dbl(f) => {
                let r = f.round_ties_even();
                if r >= i64::MAX as f64 {
                    i64::MAX
                } else if r <= i64::MIN as f64 {
                    i64::MIN
                } else {
                    r as i64
                }
            }
        },
    })
}

fn to_unsigned(v: &SqlValue) -> Option<u64> {
    Some(match v {
        SqlValue::Str(s) => {
            let n = str_to_i128(s);
            if n > i128::from(u64::MAX) {
                u64::MAX
            } else if n < 0 {
                n.max(i128::from(i64::MIN)) as i64 as u64
            } else {
                n as u64
            }
        }
        other => match to_num(other)? {
            Num::Int(i) => i as u64,
            Num::UInt(u) => u,
            Num::Dec(d, _) => {
                let r = d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
                if r.is_sign_negative() {
                    0
                } else {
                    u64::try_from(r).unwrap_or(u64::MAX)
                }
            }
            Num::Dbl(f) => {
                let r = f.round_ties_even();
                if r <= 0.0 {
                    0
                } else if r >= u64::MAX as f64 {
                    u64::MAX
                } else {
                    r as u64
                }
            }
        },
    })
}

fn to_fixed_decimal(v: &SqlValue, precision: u8, scale: u8) -> Option<Decimal> {
    let scale_u32 = u32::from(scale).min(MAX_SCALE);
    let int_digits = u32::from(precision.saturating_sub(scale));
    let max = if int_digits + scale_u32 <= 28 {
        let nines = 10i128.pow(int_digits + scale_u32) - 1;
        Some(Decimal::from_i128_with_scale(nines, scale_u32))
    } else {
        None
    };
    let clamp = |positive: bool| max.map(|m| if positive { m } else { -m });
    let Some(d) = to_decimal(v) else {
        to_num(v)?;
        return clamp(to_f64(v).unwrap_or(0.0) >= 0.0);
    };
    let mut r = d.round_dp_with_strategy(scale_u32, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(scale_u32);
    if let Some(m) = max
        && r.abs() > m
    {
        return clamp(r.is_sign_positive());
    }
    if r.is_zero() {
        r.set_sign_positive(true);
    }
    Some(r)
}

/// Casts a value.
pub(crate) fn cast(v: &SqlValue, to: CastTo, _cx: &Ctx<'_>) -> Result<SqlValue, ExprError> {
    if v.is_null() {
        return Ok(SqlValue::Null);
    }
    Ok(match to {
        CastTo::Char(len) => match text(v)? {
            Some(t) => SqlValue::Str(match len {
                Some(n) => t.chars().take(n as usize).collect(),
                None => t.into_owned(),
            }),
            None => SqlValue::Null,
        },
        CastTo::Signed => to_signed(v).map_or(SqlValue::Null, SqlValue::Int),
        CastTo::Unsigned => to_unsigned(v).map_or(SqlValue::Null, SqlValue::UInt),
        CastTo::Decimal(p, s) => {
            to_fixed_decimal(v, p, s).map_or(SqlValue::Null, |d| SqlValue::Decimal(d, s))
        }
        CastTo::Double => to_f64(v).map_or(SqlValue::Null, |f| SqlValue::Double(f, NOT_FIXED)),
        CastTo::Date => match to_datetime(v) {
            Some(p) => SqlValue::Date(p.value.date_part()),
            None => SqlValue::Null,
        },
        CastTo::DateTime(fsp) => match to_datetime(v) {
            Some(p) => {
                let mut d = p.value;
                let keep = 10u32.pow(u32::from(6 - fsp.min(6)));
                d.micro = d.micro / keep * keep;
                SqlValue::DateTime(d, fsp)
            }
            None => SqlValue::Null,
        },
        CastTo::Time(fsp) => match to_time(v) {
            Some((mut t, _)) => {
                let keep = 10u32.pow(u32::from(6 - fsp.min(6)));
                t.micro = t.micro / keep * keep;
                SqlValue::Time(t, fsp)
            }
            None => SqlValue::Null,
        },
    })
}
