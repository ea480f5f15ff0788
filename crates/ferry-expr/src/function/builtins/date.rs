//! Date and time functions other than formatting and interval arithmetic: `NOW`, `CURDATE`,
//! `CURTIME`, `UNIX_TIMESTAMP`, `FROM_UNIXTIME`, `DATE`, `TIME`, the field extractors,
//! `DATEDIFF`, `LAST_DAY`, `TO_DAYS`, `WEEK`.
//!
//! Contract: "now" is the scope's `now()` and every conversion between unix seconds and local
//! time uses the scope's time zone; unix timestamps outside MariaDB 10.11's TIMESTAMP range
//! (0 to 2^31-1) give NULL, as do invalid dates.

use rust_decimal::Decimal;

use super::arg;
use super::date_format::{DAYS, MONTHS, calc_week, format, week_mode, weekday};
use crate::ExprError;
use crate::function::convert::{Num, text, to_datetime, to_int, to_num};
use crate::function::eval::{Ctx, Val};
use crate::function::expr::Func;
use crate::function::temporal::{SqlDateTime, SqlTime, days_in_month, parse_time};
use crate::function::value::SqlValue;

/// Largest unix timestamp MariaDB 10.11's TIMESTAMP holds.
const MAX_UNIX: i64 = 2_147_483_647;

/// Local datetime of a unix instant in the scope's time zone.
pub(crate) fn local_from_unix(cx: &Ctx<'_>, secs: i64, micro: u32) -> Option<SqlDateTime> {
    let ts = jiff::Timestamp::new(secs, i32::try_from(micro).ok()? * 1000).ok()?;
    SqlDateTime::from_jiff(ts.to_zoned(cx.scope.timezone().clone()).datetime())
}

/// Unix seconds of a local datetime in the scope's time zone; `None` when out of range.
pub(crate) fn unix_from_local(cx: &Ctx<'_>, d: &SqlDateTime) -> Option<i64> {
    let zoned = d.to_jiff()?.to_zoned(cx.scope.timezone().clone()).ok()?;
    Some(zoned.timestamp().as_second()).filter(|s| (0..=MAX_UNIX).contains(s))
}

/// The scope's current local datetime.
pub(crate) fn now(cx: &Ctx<'_>) -> SqlDateTime {
    local_from_unix(cx, cx.scope.now(), 0).unwrap_or_default()
}

fn fsp_arg(args: &[Val<'_>]) -> u8 {
    to_int(arg(args, 0)).unwrap_or(0).clamp(0, 6) as u8
}

/// The TIME a value stands for (`HOUR`, `MINUTE`, `SECOND`, `TIME`).
pub(crate) fn to_time(v: &SqlValue) -> Option<(SqlTime, u8)> {
    let of = |d: &SqlDateTime| SqlTime {
        negative: false,
        hours: u32::from(d.hour),
        minute: d.minute,
        second: d.second,
        micro: d.micro,
    };
    match v {
        SqlValue::Time(t, fsp) => Some((*t, *fsp)),
        SqlValue::DateTime(d, fsp) => Some((of(d), *fsp)),
        SqlValue::Date(_) => Some((SqlTime::default(), 0)),
        SqlValue::Null | SqlValue::List(_) => None,
        other => parse_time(&other.text()?),
    }
}

fn from_unixtime(v: &SqlValue, cx: &Ctx<'_>) -> Option<SqlValue> {
    let (secs, micro, fsp) = match (to_num(v)?, v) {
        (Num::Int(i), _) => (i, 0, 0),
        (Num::UInt(u), _) => (i64::try_from(u).ok()?, 0, 0),
        (Num::Dec(d, scale), _) => {
            let whole = d.trunc();
            let micro = ((d - whole) * Decimal::from(1_000_000)).trunc();
            (
                i64::try_from(whole).ok()?,
                u32::try_from(micro).ok()?,
                scale.min(6),
            )
        }
        (Num::Dbl(f), _) => {
            let whole = f.trunc();
            let micro = ((f - whole) * 1e6).round().clamp(0.0, 999_999.0) as u32;
            // MariaDB shows a string's fraction only when it has one.
            let fsp = if matches!(v, SqlValue::Str(_)) && micro == 0 {
                0
            } else {
                6
            };
            (whole as i64, micro, fsp)
        }
    };
    if !(0..=MAX_UNIX).contains(&secs) {
        return None;
    }
    Some(SqlValue::DateTime(local_from_unix(cx, secs, micro)?, fsp))
}

fn unix_timestamp(v: &SqlValue, cx: &Ctx<'_>) -> Option<SqlValue> {
    let p = to_datetime(v)?;
    let secs = unix_from_local(cx, &p.value)?;
    if p.fsp == 0 {
        return Some(SqlValue::Int(secs));
    }
    let scaled = i128::from(secs) * 1_000_000 + i128::from(p.value.micro);
    let mut d = Decimal::from_i128_with_scale(scaled, 6);
    d.rescale(u32::from(p.fsp));
    Some(SqlValue::Decimal(d, p.fsp))
}

/// A date field of a value (`YEAR`, `MONTH`, …); `None` for NULL or invalid dates.
fn date_field(func: Func, v: &SqlValue, args: &[Val<'_>]) -> Option<i64> {
    let d = to_datetime(v)?.value;
    let dnr = || d.day_number();
    Some(match func {
        Func::Year => i64::from(d.year),
        Func::Month => i64::from(d.month),
        Func::Day => i64::from(d.day),
        Func::Quarter => (i64::from(d.month) + 2) / 3,
        Func::DayOfWeek => weekday(dnr()?, true) + 1,
        Func::WeekDay => weekday(dnr()?, false),
        Func::DayOfYear => {
            let jan1 = SqlDateTime {
                month: 1,
                day: 1,
                ..d.date_part()
            };
            dnr()? - jan1.day_number()? + 1
        }
        Func::DateDiff => {
            let other = to_datetime(arg(args, 1))?.value;
            dnr()? - other.day_number()?
        }
        Func::ToDays => dnr()?,
        Func::Week => {
            d.day_number()?;
            let mode = if args.len() > 1 {
                to_int(arg(args, 1))?
            } else {
                0
            };
            calc_week(&d, week_mode(mode)).0
        }
        _ => return None,
    })
}

/// Calls a date function.
pub(super) fn call(func: Func, args: &[Val<'_>], cx: &Ctx<'_>) -> Result<SqlValue, ExprError> {
    use Func as F;
    let x = arg(args, 0);
    let int = |n: Option<i64>| n.map_or(SqlValue::Null, SqlValue::Int);
    Ok(match func {
        F::Now => SqlValue::DateTime(now(cx), fsp_arg(args)),
        F::CurDate => SqlValue::Date(now(cx).date_part()),
        F::CurTime => {
            let d = now(cx);
            let t = SqlTime {
                negative: false,
                hours: u32::from(d.hour),
                minute: d.minute,
                second: d.second,
                micro: 0,
            };
            SqlValue::Time(t, fsp_arg(args))
        }
        F::UnixTimestamp if args.is_empty() => SqlValue::Int(cx.scope.now()),
        F::UnixTimestamp => unix_timestamp(x, cx).unwrap_or(SqlValue::Null),
        F::FromUnixtime => {
            let Some(value) = from_unixtime(x, cx) else {
                return Ok(SqlValue::Null);
            };
            if args.len() < 2 {
                return Ok(value);
            }
            let Some(fmt) = text(arg(args, 1))? else {
                return Ok(SqlValue::Null);
            };
            match value {
                SqlValue::DateTime(d, _) => format(&d, &fmt).map_or(SqlValue::Null, SqlValue::Str),
                _ => SqlValue::Null,
            }
        }
        F::Date => to_datetime(x).map_or(SqlValue::Null, |p| SqlValue::Date(p.value.date_part())),
        F::Time => to_time(x).map_or(SqlValue::Null, |(t, fsp)| SqlValue::Time(t, fsp)),
        F::Hour => int(to_time(x).map(|(t, _)| i64::from(t.hours))),
        F::Minute => int(to_time(x).map(|(t, _)| i64::from(t.minute))),
        F::Second => int(to_time(x).map(|(t, _)| i64::from(t.second))),
        F::DayName => match to_datetime(x).and_then(|p| p.value.day_number()) {
            Some(n) => SqlValue::Str(DAYS[weekday(n, false) as usize].to_owned()),
            None => SqlValue::Null,
        },
        F::MonthName => {
            let month = to_datetime(x).map(|p| usize::from(p.value.month));
            match month
                .and_then(|m| m.checked_sub(1))
                .and_then(|m| MONTHS.get(m))
            {
                Some(name) => SqlValue::Str((*name).to_owned()),
                None => SqlValue::Null,
            }
        }
        F::LastDay => match to_datetime(x).map(|p| p.value.date_part()) {
            Some(d) if d.is_real_date() => SqlValue::Date(SqlDateTime {
                day: days_in_month(d.year, d.month),
                ..d
            }),
            _ => SqlValue::Null,
        },
        _ => int(date_field(func, x, args)),
    })
}
