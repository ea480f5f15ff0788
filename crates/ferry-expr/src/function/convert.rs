//! Implicit conversions between SQL values, and binding JSON values into slots.
//!
//! Contract: numeric context reads strings by prefix (DOUBLE), temporal values as
//! `YYYYMMDD[hhmmss]`; boolean context is "non-zero"; temporal context parses strings and
//! numbers MariaDB's way. JSON binds as: bare slot → number (integer, else DECIMAL, DOUBLE
//! when written with an exponent), string, 1/0 for booleans, NULL, array → list; quoted slot →
//! the value's text (NULL stays NULL).

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde_json::Value as Json;

use super::num::{str_to_decimal, str_to_double, str_to_i128};
use super::parse::number_literal;
use super::temporal::{Parsed, number_to_datetime, parse_datetime};
use super::value::{NOT_FIXED, SqlValue};
use crate::{ErrorKind, ExprError};

/// A value in numeric context.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    UInt(u64),
    /// The exact value and the shown scale.
    Dec(Decimal, u8),
    Dbl(f64),
}

/// The value in numeric context; `None` for NULL.
pub(crate) fn to_num(v: &SqlValue) -> Option<Num> {
    Some(match v {
        SqlValue::Null | SqlValue::List(_) => return None,
        SqlValue::Int(i) => Num::Int(*i),
        SqlValue::UInt(u) => Num::UInt(*u),
        SqlValue::Decimal(d, scale) => Num::Dec(*d, *scale),
        SqlValue::Double(f, _) => Num::Dbl(*f),
        SqlValue::Str(s) => Num::Dbl(str_to_double(s)),
        SqlValue::Date(d) => Num::Int(d.as_number(false)),
        SqlValue::DateTime(d, fsp) => with_fraction(d.as_number(true), d.micro, *fsp),
        SqlValue::Time(t, fsp) => {
            let hms = i64::from(t.hours) * 10000 + i64::from(t.minute) * 100 + i64::from(t.second);
            let n = with_fraction(hms, t.micro, *fsp);
            if t.negative { negate(n) } else { n }
        }
    })
}

fn with_fraction(whole: i64, micro: u32, fsp: u8) -> Num {
    if fsp == 0 {
        return Num::Int(whole);
    }
    let scaled = i128::from(whole) * 1_000_000 + i128::from(micro);
    let mut d = Decimal::from_i128_with_scale(scaled, 6);
    d.rescale(u32::from(fsp));
    Num::Dec(d, fsp)
}

fn negate(n: Num) -> Num {
    match n {
        Num::Int(i) => Num::Int(i.saturating_neg()),
        Num::Dec(d, scale) => Num::Dec(-d, scale),
        other => other,
    }
}

/// The value as DECIMAL (strings by prefix); `None` for NULL or out of range.
pub(crate) fn to_decimal(v: &SqlValue) -> Option<Decimal> {
    match v {
        SqlValue::Str(s) => str_to_decimal(s),
        other => match to_num(other)? {
            Num::Int(i) => Some(Decimal::from(i)),
            Num::UInt(u) => Some(Decimal::from(u)),
            Num::Dec(d, _) => Some(d),
            Num::Dbl(f) => super::num::double_to_decimal(f),
        },
    }
}

/// The value as DOUBLE; `None` for NULL.
pub(crate) fn to_f64(v: &SqlValue) -> Option<f64> {
    Some(match to_num(v)? {
        Num::Int(i) => i as f64,
        Num::UInt(u) => u as f64,
        Num::Dec(d, _) => super::num::decimal_to_double(&d),
        Num::Dbl(f) => f,
    })
}

/// The value as an integer argument (positions, lengths, counts): decimals round half away
/// from zero, doubles to nearest even, strings by integer prefix; saturated to `i64`.
pub(crate) fn to_int(v: &SqlValue) -> Option<i64> {
    let wide: i128 = match v {
        SqlValue::Str(s) => str_to_i128(s),
        other => match to_num(other)? {
            Num::Int(i) => i128::from(i),
            Num::UInt(u) => i128::from(u),
            Num::Dec(d, _) => {
                let r = d.round_dp_with_strategy(
                    0,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                );
                r.mantissa() / 10i128.pow(r.scale())
            }
            Num::Dbl(f) => {
                let r = f.round_ties_even();
                if r >= 9.2e18 {
                    i128::from(i64::MAX)
                } else if r <= -9.2e18 {
                    i128::from(i64::MIN)
                } else {
                    r as i128
                }
            }
        },
    };
    Some(wide.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

/// The value in boolean context; `None` for NULL.
pub(crate) fn truth(v: &SqlValue) -> Option<bool> {
    Some(match v {
        SqlValue::List(items) => !items.is_empty(),
        other => match to_num(other)? {
            Num::Int(i) => i != 0,
            Num::UInt(u) => u != 0,
            Num::Dec(d, _) => !d.is_zero(),
            Num::Dbl(f) => f != 0.0,
        },
    })
}

/// The value as a date or datetime; `None` for NULL or an invalid value.
pub(crate) fn to_datetime(v: &SqlValue) -> Option<Parsed> {
    match v {
        SqlValue::Date(d) => Some(Parsed {
            value: *d,
            has_time: false,
            fsp: 0,
        }),
        SqlValue::DateTime(d, fsp) => Some(Parsed {
            value: *d,
            has_time: true,
            fsp: *fsp,
        }),
        SqlValue::Str(s) => parse_datetime(s),
        SqlValue::Int(i) => number_to_datetime(*i, 0, 0),
        SqlValue::UInt(u) => number_to_datetime(i64::try_from(*u).ok()?, 0, 0),
        SqlValue::Decimal(d, scale) => {
            let whole = d.trunc();
            let micro = ((d - whole).abs() * Decimal::from(1_000_000)).trunc();
            let whole = i64::try_from(whole).ok()?;
            let fsp = (*scale).min(6);
            number_to_datetime(whole, u32::try_from(micro).ok()?, fsp)
        }
        SqlValue::Double(f, _) => {
            if !f.is_finite() || *f < 0.0 || *f > 1e15 {
                return None;
            }
            let whole = f.trunc();
            let micro = ((f - whole) * 1e6).round() as u32;
            number_to_datetime(whole as i64, micro.min(999_999), 6)
        }
        SqlValue::Null | SqlValue::Time(..) | SqlValue::List(_) => None,
    }
}

/// The error for an array used where a single value is needed.
pub(crate) fn list_error() -> ExprError {
    ExprError::new(
        ErrorKind::Type,
        "an array value can only be used inside `sum`, `avg`, `max`, `min` or `count`",
    )
}

/// The text of a value in string context, `None` for NULL; an array is a type error.
pub(crate) fn text(v: &SqlValue) -> Result<Option<Cow<'_, str>>, ExprError> {
    match v {
        SqlValue::List(_) => Err(list_error()),
        other => Ok(other.text()),
    }
}

/// Binds one JSON value into a slot.
pub(crate) fn bind(value: &Json, quoted: bool) -> SqlValue {
    if quoted {
        return match value {
            Json::Null => SqlValue::Null,
            Json::String(s) => SqlValue::Str(s.clone()),
            other => SqlValue::Str(other.to_string()),
        };
    }
    match value {
        Json::Null => SqlValue::Null,
        Json::Bool(b) => SqlValue::Int(i64::from(*b)),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                SqlValue::Int(i)
            } else if let Some(u) = n.as_u64() {
                SqlValue::UInt(u)
            } else {
                let text = n.to_string();
                number_literal(&text)
                    .unwrap_or_else(|| SqlValue::Double(n.as_f64().unwrap_or(0.0), NOT_FIXED))
            }
        }
        Json::String(s) => SqlValue::Str(s.clone()),
        Json::Array(items) => SqlValue::List(items.iter().map(|v| bind(v, false)).collect()),
        Json::Object(_) => SqlValue::Str(value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_binds_by_slot_kind() {
        assert_eq!(bind(&json!(5), false), SqlValue::Int(5));
        let d = SqlValue::Decimal("2.35".parse().expect("decimal"), 2);
        assert_eq!(bind(&json!(2.35), false), d);
        assert_eq!(
            bind(&json!(1.5e300), false),
            SqlValue::Double(1.5e300, NOT_FIXED)
        );
        assert_eq!(bind(&json!(true), false), SqlValue::Int(1));
        assert_eq!(bind(&json!(true), true), SqlValue::Str("true".into()));
        assert_eq!(bind(&json!(7), true), SqlValue::Str("7".into()));
        assert_eq!(bind(&json!(null), true), SqlValue::Null);
        assert_eq!(
            bind(&json!([1, "a"]), false),
            SqlValue::List(vec![SqlValue::Int(1), SqlValue::Str("a".into())])
        );
    }

    #[test]
    fn contexts_convert_like_mariadb() {
        assert_eq!(truth(&SqlValue::Str("1abc".into())), Some(true));
        assert_eq!(truth(&SqlValue::Str("abc".into())), Some(false));
        assert_eq!(
            to_int(&SqlValue::Decimal("2.5".parse().expect("decimal"), 1)),
            Some(3)
        );
        assert_eq!(to_int(&SqlValue::Double(2.5, NOT_FIXED)), Some(2));
        let p = to_datetime(&SqlValue::Int(20240131)).map(|p| p.value.date_text());
        assert_eq!(p.as_deref(), Some("2024-01-31"));
    }
}
