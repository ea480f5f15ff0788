//! `DATE_FORMAT` and `STR_TO_DATE` with MariaDB's `%` specifiers (English names), plus the
//! week and weekday arithmetic they share with the other date functions.
//!
//! Contract: `DATE_FORMAT` knows `%a %b %c %D %d %e %f %H %h %I %i %j %k %l %M %m %p %r %S %s
//! %T %U %u %V %v %W %w %X %x %Y %y %%` (any other `%c` prints `c`); a weekday-dependent
//! specifier on a zero date gives NULL. `STR_TO_DATE` reads the same specifiers as MariaDB's
//! `extract_date_time` (spaces skipped before each element, digits up to the field width,
//! trailing text ignored) and returns DATE, DATETIME or TIME by the specifiers used.

use super::arg;
use crate::ExprError;
use crate::function::convert::{text, to_datetime};
use crate::function::eval::{Ctx, Val};
use crate::function::expr::Func;
use crate::function::temporal::{SqlDateTime, SqlTime};
use crate::function::value::SqlValue;

pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(crate) const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const MONDAY_FIRST: u8 = 1;
const WEEK_YEAR: u8 = 2;
const FIRST_WEEKDAY: u8 = 4;

/// MariaDB's `calc_weekday`: 0 = Monday (or Sunday when `sunday_first`).
pub(crate) fn weekday(daynr: i64, sunday_first: bool) -> i64 {
    (daynr + 5 + i64::from(sunday_first)).rem_euclid(7)
}

fn days_in_year(year: i64) -> i64 {
    if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) {
        366
    } else {
        365
    }
}

fn daynr(year: i64, month: u8, day: u8) -> i64 {
    let d = SqlDateTime {
        year: year.clamp(0, 9999) as u16,
        month,
        day,
        ..Default::default()
    };
    d.day_number().unwrap_or(0)
}

/// MariaDB's `calc_week`: the week number and the year it belongs to.
pub(crate) fn calc_week(d: &SqlDateTime, behaviour: u8) -> (i64, i64) {
    let dnr = daynr(i64::from(d.year), d.month, d.day);
    let mut first = daynr(i64::from(d.year), 1, 1);
    let monday_first = behaviour & MONDAY_FIRST != 0;
    let mut week_year = behaviour & WEEK_YEAR != 0;
    let first_weekday = behaviour & FIRST_WEEKDAY != 0;
    let mut wd = weekday(first, !monday_first);
    let mut year = i64::from(d.year);
    if d.month == 1 && i64::from(d.day) <= 7 - wd {
        if !week_year && ((first_weekday && wd != 0) || (!first_weekday && wd >= 4)) {
            return (0, year);
        }
        week_year = true;
        year -= 1;
        let days = days_in_year(year);
        first -= days;
        wd = (wd + 53 * 7 - days).rem_euclid(7);
    }
    let days = if (first_weekday && wd != 0) || (!first_weekday && wd >= 4) {
        dnr - (first + (7 - wd))
    } else {
        dnr - (first - wd)
    };
    if week_year && days >= 52 * 7 {
        let wd2 = (wd + days_in_year(year)) % 7;
        if (!first_weekday && wd2 < 4) || (first_weekday && wd2 == 0) {
            return (1, year + 1);
        }
    }
    (days / 7 + 1, year)
}

/// `WEEK(d, mode)`'s behaviour bits for a mode.
pub(crate) fn week_mode(mode: i64) -> u8 {
    let mut m = (mode & 7) as u8;
    if m & MONDAY_FIRST == 0 {
        m ^= FIRST_WEEKDAY;
    }
    m
}

fn ordinal_suffix(day: u8) -> &'static str {
    match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// Formats a date or datetime; `None` when a specifier needs a real calendar date.
pub(crate) fn format(d: &SqlDateTime, fmt: &str) -> Option<String> {
    let mut out = String::with_capacity(fmt.len() + 8);
    let mut chars = fmt.chars();
    let real = d.is_real_date();
    let hour12 = |h: u8| if h.is_multiple_of(12) { 12 } else { h % 12 };
    let ampm = |h: u8| if h < 12 { "AM" } else { "PM" };
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(spec) = chars.next() else { break };
        let dnr = || d.day_number();
        match spec {
            'Y' => out.push_str(&format!("{:04}", d.year)),
            'y' => out.push_str(&format!("{:02}", d.year % 100)),
            'm' => out.push_str(&format!("{:02}", d.month)),
            'c' => out.push_str(&d.month.to_string()),
            'M' => out.push_str(MONTHS.get(usize::from(d.month).checked_sub(1)?)?),
            'b' => out.push_str(&MONTHS.get(usize::from(d.month).checked_sub(1)?)?[..3]),
            'd' => out.push_str(&format!("{:02}", d.day)),
            'e' => out.push_str(&d.day.to_string()),
            'D' => out.push_str(&format!("{}{}", d.day, ordinal_suffix(d.day))),
            'H' => out.push_str(&format!("{:02}", d.hour)),
            'k' => out.push_str(&d.hour.to_string()),
            'h' | 'I' => out.push_str(&format!("{:02}", hour12(d.hour))),
            'l' => out.push_str(&hour12(d.hour).to_string()),
            'i' => out.push_str(&format!("{:02}", d.minute)),
            's' | 'S' => out.push_str(&format!("{:02}", d.second)),
            'f' => out.push_str(&format!("{:06}", d.micro)),
            'p' => out.push_str(ampm(d.hour)),
            'r' => out.push_str(&format!(
                "{:02}:{:02}:{:02} {}",
                hour12(d.hour),
                d.minute,
                d.second,
                ampm(d.hour)
            )),
            'T' => out.push_str(&format!("{:02}:{:02}:{:02}", d.hour, d.minute, d.second)),
            'j' => {
                let n = dnr()? - daynr(i64::from(d.year), 1, 1) + 1;
                out.push_str(&format!("{n:03}"));
            }
            'W' => out.push_str(DAYS[weekday(dnr()?, false) as usize]),
            'a' => out.push_str(&DAYS[weekday(dnr()?, false) as usize][..3]),
            'w' => out.push_str(&weekday(dnr()?, true).to_string()),
            'U' | 'u' | 'V' | 'v' | 'X' | 'x' => {
                if !real {
                    return None;
                }
                let behaviour = match spec {
                    'U' => FIRST_WEEKDAY,
                    'u' => MONDAY_FIRST,
                    'V' | 'X' => WEEK_YEAR | FIRST_WEEKDAY,
                    _ => MONDAY_FIRST | WEEK_YEAR,
                };
                let (week, year) = calc_week(d, behaviour);
                if matches!(spec, 'X' | 'x') {
                    out.push_str(&format!("{year:04}"));
                } else {
                    out.push_str(&format!("{week:02}"));
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// Fields read by `STR_TO_DATE`.
#[derive(Default)]
struct Fields {
    d: SqlDateTime,
    yearday: Option<i64>,
    pm: Option<bool>,
    hour12: bool,
}

/// Reads 1 to `width` digits; returns the value and the count read (`None` for no digit).
fn digits(v: &[u8], at: &mut usize, width: usize) -> Option<(u32, usize)> {
    let start = *at;
    let mut n = 0u32;
    while *at < v.len() && *at - start < width && v[*at].is_ascii_digit() {
        n = n * 10 + u32::from(v[*at] - b'0');
        *at += 1;
    }
    (*at > start).then_some((n, *at - start))
}

fn word(v: &[u8], at: &mut usize) -> String {
    let start = *at;
    while *at < v.len() && v[*at].is_ascii_alphabetic() {
        *at += 1;
    }
    String::from_utf8_lossy(&v[start..*at]).to_ascii_lowercase()
}

/// MariaDB's `extract_date_time`; `None` on a mismatch.
fn extract(v: &[u8], at: &mut usize, fmt: &[u8], f: &mut Fields) -> Option<()> {
    let mut p = 0;
    while p < fmt.len() {
        while *at < v.len() && v[*at].is_ascii_whitespace() {
            *at += 1;
        }
        if *at >= v.len() {
            break;
        }
        if fmt[p] == b'%' && p + 1 < fmt.len() {
            p += 1;
            let two = |at: &mut usize| digits(v, at, 2).map(|(n, _)| n);
            match fmt[p] {
                b'Y' => {
                    let (y, n) = digits(v, at, 4)?;
                    f.d.year = if n <= 2 {
                        if y < 70 { y + 2000 } else { y + 1900 }
                    } else {
                        y
                    } as u16;
                }
                b'y' => {
                    let y = two(at)?;
                    f.d.year = (if y < 70 { y + 2000 } else { y + 1900 }) as u16;
                }
                b'm' | b'c' => f.d.month = u8::try_from(two(at)?).ok()?,
                b'd' | b'e' => f.d.day = u8::try_from(two(at)?).ok()?,
                b'D' => {
                    f.d.day = u8::try_from(two(at)?).ok()?;
                    *at = (*at + 2).min(v.len());
                }
                b'H' | b'k' => f.d.hour = u8::try_from(two(at)?).ok()?,
                b'h' | b'I' | b'l' => {
                    f.d.hour = u8::try_from(two(at)?).ok()?;
                    f.hour12 = true;
                }
                b'i' => f.d.minute = u8::try_from(two(at)?).ok()?,
                b's' | b'S' => f.d.second = u8::try_from(two(at)?).ok()?,
                b'f' => {
                    let (n, count) = digits(v, at, 6)?;
                    f.d.micro = n * 10u32.pow(6 - count as u32);
                }
                b'p' => {
                    let w = v.get(*at..*at + 2)?.to_ascii_uppercase();
                    f.pm = Some(match w.as_slice() {
                        b"AM" => false,
                        b"PM" => true,
                        _ => return None,
                    });
                    *at += 2;
                }
                b'M' | b'b' => {
                    let w = word(v, at);
                    let m = MONTHS.iter().position(|m| {
                        let m = m.to_ascii_lowercase();
                        if fmt[p] == b'b' { m[..3] == w } else { m == w }
                    })?;
                    f.d.month = m as u8 + 1;
                }
                b'W' | b'a' => {
                    word(v, at);
                }
                b'j' => f.yearday = Some(i64::from(digits(v, at, 3)?.0)),
                b'w' => {
                    digits(v, at, 1)?;
                }
                b'U' | b'u' | b'V' | b'v' => {
                    digits(v, at, 2)?;
                }
                b'X' | b'x' => {
                    digits(v, at, 4)?;
                }
                b'T' => extract(v, at, b"%H:%i:%S", f)?,
                b'r' => extract(v, at, b"%I:%i:%S %p", f)?,
                b'%' => {
                    if v[*at] != b'%' {
                        return None;
                    }
                    *at += 1;
                }
                _ => return None,
            }
        } else if !fmt[p].is_ascii_whitespace() {
            if v[*at] != fmt[p] {
                return None;
            }
            *at += 1;
        }
        p += 1;
    }
    Some(())
}

fn str_to_date(value: &str, fmt: &str) -> SqlValue {
    let specs: Vec<char> = fmt
        .split('%')
        .skip(1)
        .filter_map(|s| s.chars().next())
        .collect();
    let has_date = specs.iter().any(|c| "YymcdeDjMbWaUuVvXxw".contains(*c));
    let has_time = specs.iter().any(|c| "HkhIlisSfprT".contains(*c));
    let fsp = if specs.contains(&'f') { 6 } else { 0 };
    let mut f = Fields::default();
    let mut at = 0;
    if extract(value.as_bytes(), &mut at, fmt.as_bytes(), &mut f).is_none() {
        return SqlValue::Null;
    }
    if let Some(yearday) = f.yearday.filter(|n| *n > 0)
        && f.d.month == 0
    {
        let Some(jan1) = jiff::civil::Date::new(f.d.year as i16, 1, 1).ok() else {
            return SqlValue::Null;
        };
        let Ok(date) = jan1.checked_add(jiff::Span::new().days(yearday - 1)) else {
            return SqlValue::Null;
        };
        f.d.month = date.month() as u8;
        f.d.day = date.day() as u8;
    }
    if f.hour12 {
        if f.d.hour > 12 || f.d.hour < 1 {
            return SqlValue::Null;
        }
        f.d.hour = f.d.hour % 12 + if f.pm == Some(true) { 12 } else { 0 };
    }
    let d = f.d;
    if d.month > 12 || d.day > 31 || d.hour > 23 || d.minute > 59 || d.second > 59 {
        return SqlValue::Null;
    }
    match (has_date, has_time) {
        (true, true) => SqlValue::DateTime(d, fsp),
        (true, false) => SqlValue::Date(d.date_part()),
        (false, _) => SqlValue::Time(
            SqlTime {
                negative: false,
                hours: u32::from(d.hour),
                minute: d.minute,
                second: d.second,
                micro: d.micro,
            },
            fsp,
        ),
    }
}

/// Calls `DATE_FORMAT` or `STR_TO_DATE`.
pub(super) fn call(func: Func, args: &[Val<'_>], _cx: &Ctx<'_>) -> Result<SqlValue, ExprError> {
    let Some(fmt) = text(arg(args, 1))? else {
        return Ok(SqlValue::Null);
    };
    Ok(match func {
        Func::DateFormat => match to_datetime(arg(args, 0)) {
            Some(p) => format(&p.value, &fmt).map_or(SqlValue::Null, SqlValue::Str),
            None => SqlValue::Null,
        },
        _ => match text(arg(args, 0))? {
            Some(value) => str_to_date(&value, &fmt),
            None => SqlValue::Null,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_format_knows_every_specifier() {
        let d = SqlDateTime {
            year: 2024,
            month: 1,
            day: 5,
            hour: 13,
            minute: 4,
            second: 5,
            micro: 0,
        };
        let all = "%Y %y %m %c %d %e %H %k %h %I %l %i %s %S %p %W %a %M %b %j %T %f %% %D %r %U %u %V %v %X %x %w %q";
        let expected = "2024 24 01 1 05 5 13 13 01 01 1 04 05 05 PM Friday Fri January Jan 005 13:04:05 000000 % 5th 01:04:05 PM 00 01 53 01 2023 2024 5 q";
        assert_eq!(format(&d, all).as_deref(), Some(expected));
    }

    #[test]
    fn str_to_date_returns_the_type_of_its_format() {
        let t = |v: &str, f: &str| str_to_date(v, f).to_mysql_text();
        assert_eq!(t("2024-01-05", "%Y-%m-%d").as_deref(), Some("2024-01-05"));
        assert_eq!(
            t("2024-01-05 10:11", "%Y-%m-%d %H:%i").as_deref(),
            Some("2024-01-05 10:11:00")
        );
        assert_eq!(t("10:11", "%H:%i").as_deref(), Some("10:11:00"));
        assert_eq!(
            t("2024-01-05 10:11", "%Y-%m-%d").as_deref(),
            Some("2024-01-05")
        );
        assert_eq!(t("5/1/2024", "%d/%m/%Y").as_deref(), Some("2024-01-05"));
        assert_eq!(
            t("Jan 5 2024 1:02 PM", "%b %e %Y %l:%i %p").as_deref(),
            Some("2024-01-05 13:02:00")
        );
        assert_eq!(t("2024-13-05", "%Y-%m-%d"), None);
        assert_eq!(t("abc", "%Y"), None);
    }
}
