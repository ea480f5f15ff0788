//! `DATE_ADD`/`DATE_SUB`/`ADDDATE`/`SUBDATE`/`d ± INTERVAL n unit`, `TIMESTAMPDIFF`,
//! `EXTRACT`.
//!
//! Contract: month-based units clamp the day to the end of the target month
//! (`2024-01-31 + 1 MONTH = 2024-02-29`); the amount of a non-second unit is rounded to an
//! integer (DECIMAL half away from zero, strings by integer prefix); the result is a DATE when
//! a DATE (or a date-only string) moves by whole days or more, else a DATETIME, and a string
//! argument gives a string result, as in MariaDB. Invalid dates and results outside years
//! 0–9999 give NULL. `TIMESTAMPDIFF` counts whole units, months by MariaDB's calendar rule.

use jiff::{SignedDuration, Span};
use rust_decimal::Decimal;

use super::date::to_time;
use crate::ExprError;
use crate::function::convert::{Num, to_datetime, to_int, to_num};
use crate::function::eval::Ctx;
use crate::function::expr::Unit;
use crate::function::num::str_to_decimal;
use crate::function::temporal::{SqlDateTime, SqlTime};
use crate::function::value::SqlValue;

fn unit_micros(unit: Unit) -> i64 {
    match unit {
        Unit::Microsecond => 1,
        Unit::Second => 1_000_000,
        Unit::Minute => 60_000_000,
        Unit::Hour => 3_600_000_000,
        Unit::Day => 86_400_000_000,
        Unit::Week => 604_800_000_000,
        Unit::Month | Unit::Quarter | Unit::Year => 0,
    }
}

/// The interval amount: whole units, or microseconds for SECOND, plus its fraction digits.
fn amount(n: &SqlValue, unit: Unit) -> Option<(i64, u8)> {
    if unit == Unit::Second {
        let d = match (to_num(n)?, n) {
            (_, SqlValue::Str(s)) => str_to_decimal(s)?,
            (Num::Int(i), _) => Decimal::from(i),
            (Num::UInt(u), _) => Decimal::from(u),
            (Num::Dec(d, _), _) => d,
            (Num::Dbl(f), _) => crate::function::num::double_to_decimal(f)?,
        };
        let fsp = d.scale().min(6) as u8;
        let micros = d.checked_mul(Decimal::from(1_000_000))?.trunc();
        return Some((i64::try_from(micros).ok()?, fsp));
    }
    let fsp = if unit == Unit::Microsecond { 6 } else { 0 };
    Some((to_int(n)?, fsp))
}

/// Adds `n` units to a datetime; `None` when invalid or out of range.
fn shift(base: SqlDateTime, n: i64, unit: Unit) -> Option<SqlDateTime> {
    let dt = base.to_jiff()?;
    let moved = match unit {
        Unit::Month | Unit::Quarter | Unit::Year => {
            let factor = match unit {
                Unit::Month => 1,
                Unit::Quarter => 3,
                _ => 12,
            };
            let months = n.checked_mul(factor)?;
            if months.unsigned_abs() > 120_000 {
                return None;
            }
            dt.checked_add(Span::new().try_months(months).ok()?).ok()?
        }
        _ => {
            let micros = n.checked_mul(unit_micros(unit))?;
            let moved = dt.checked_add(SignedDuration::from_micros(micros)).ok()?;
            // MariaDB's day numbers below 366 (year 0) are not dates.
            if moved.year() < 1 {
                return None;
            }
            moved
        }
    };
    SqlDateTime::from_jiff(moved)
}

/// `date ± INTERVAL n unit`.
pub(crate) fn date_add(
    date: &SqlValue,
    n: &SqlValue,
    unit: Unit,
    sub: bool,
    _cx: &Ctx<'_>,
) -> Result<SqlValue, ExprError> {
    let Some((amount, interval_fsp)) = amount(n, unit) else {
        return Ok(SqlValue::Null);
    };
    let Some(amount) = (if sub {
        amount.checked_neg()
    } else {
        Some(amount)
    }) else {
        return Ok(SqlValue::Null);
    };
    // `amount` of SECOND is already in microseconds.
    let step = if unit == Unit::Second {
        Unit::Microsecond
    } else {
        unit
    };
    if let SqlValue::Time(t, fsp) = date {
        if unit_micros(step) == 0 {
            return Ok(SqlValue::Null);
        }
        let Some(delta) = amount.checked_mul(unit_micros(step)) else {
            return Ok(SqlValue::Null);
        };
        let micros = t.micros().checked_add(delta).unwrap_or(i64::MAX);
        return Ok(SqlValue::Time(
            SqlTime::from_micros(micros),
            (*fsp).max(interval_fsp),
        ));
    }
    let Some(parsed) = to_datetime(date) else {
        return Ok(SqlValue::Null);
    };
    let Some(result) = shift(parsed.value, amount, step) else {
        return Ok(SqlValue::Null);
    };
    let fsp = parsed.fsp.max(interval_fsp);
    let date_only = !parsed.has_time && unit.is_date_unit();
    Ok(match date {
        SqlValue::Date(_) | SqlValue::DateTime(..) => {
            if date_only {
                SqlValue::Date(result.date_part())
            } else {
                SqlValue::DateTime(result, fsp)
            }
        }
        _ if date_only => SqlValue::Str(result.date_text()),
        _ => SqlValue::Str(result.datetime_text(fsp)),
    })
}

fn time_of_day(d: &SqlDateTime) -> i64 {
    ((i64::from(d.hour) * 60 + i64::from(d.minute)) * 60 + i64::from(d.second)) * 1_000_000
        + i64::from(d.micro)
}

/// `TIMESTAMPDIFF(unit, a, b)`: whole units from `a` to `b`.
pub(crate) fn timestamp_diff(unit: Unit, a: &SqlValue, b: &SqlValue, _cx: &Ctx<'_>) -> SqlValue {
    let (Some(x), Some(y)) = (to_datetime(a), to_datetime(b)) else {
        return SqlValue::Null;
    };
    let (x, y) = (x.value, y.value);
    let (Some(dx), Some(dy)) = (x.day_number(), y.day_number()) else {
        return SqlValue::Null;
    };
    let months_unit = match unit {
        Unit::Month => 1,
        Unit::Quarter => 3,
        Unit::Year => 12,
        _ => 0,
    };
    if months_unit == 0 {
        let total =
            |d: i64, t: &SqlDateTime| i128::from(d) * 86_400_000_000 + i128::from(time_of_day(t));
        let diff = total(dy, &y) - total(dx, &x);
        let r = diff / i128::from(unit_micros(unit));
        return i64::try_from(r).map_or(SqlValue::Null, SqlValue::Int);
    }
    let (beg, end, negative) = if (dx, time_of_day(&x)) <= (dy, time_of_day(&y)) {
        (x, y, false)
    } else {
        (y, x, true)
    };
    let mut months = 12 * (i64::from(end.year) - i64::from(beg.year)) + i64::from(end.month)
        - i64::from(beg.month);
    if end.day < beg.day || (end.day == beg.day && time_of_day(&end) < time_of_day(&beg)) {
        months -= 1;
    }
    let r = months / months_unit;
    SqlValue::Int(if negative { -r } else { r })
}

/// `EXTRACT(unit FROM x)`.
pub(crate) fn extract(unit: Unit, x: &SqlValue, _cx: &Ctx<'_>) -> SqlValue {
    let time_unit = matches!(
        unit,
        Unit::Hour | Unit::Minute | Unit::Second | Unit::Microsecond
    );
    if time_unit {
        return match to_time(x) {
            Some((t, _)) => SqlValue::Int(match unit {
                Unit::Hour => i64::from(t.hours),
                Unit::Minute => i64::from(t.minute),
                Unit::Second => i64::from(t.second),
                _ => i64::from(t.micro),
            }),
            None => SqlValue::Null,
        };
    }
    let Some(p) = to_datetime(x) else {
        return SqlValue::Null;
    };
    let d = p.value;
    SqlValue::Int(match unit {
        Unit::Year => i64::from(d.year),
        Unit::Quarter => (i64::from(d.month) + 2) / 3,
        Unit::Month => i64::from(d.month),
        Unit::Week => {
            if !d.is_real_date() {
                return SqlValue::Null;
            }
            super::date_format::calc_week(&d, super::date_format::week_mode(0)).0
        }
        _ => i64::from(d.day),
    })
}
