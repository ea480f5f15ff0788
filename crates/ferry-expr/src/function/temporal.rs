//! DATE, DATETIME and TIME values: MariaDB's lenient parsing of strings and numbers, text
//! forms, and conversion to and from jiff for arithmetic and time zones.
//!
//! Contract: parsing accepts what MariaDB's `str_to_datetime` accepts in practice (delimited
//! `2024-1-5`, `2024/01/05 12:00`, `2024-01-05T10:00:00.5`, packed `20240105`, two-digit years,
//! trailing garbage after a complete value); zero months and days are kept as values (MariaDB
//! allows them without `NO_ZERO_IN_DATE`) but days beyond the month's end are invalid (`None`).
//! Arithmetic goes through [`SqlDateTime::to_jiff`], which refuses zero parts.

use jiff::civil;

/// A DATE or DATETIME as MariaDB keeps it: fields that may be zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SqlDateTime {
    /// 0–9999.
    pub year: u16,
    /// 0–12 (0 in zero dates).
    pub month: u8,
    /// 0–31 (0 in zero dates).
    pub day: u8,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–59.
    pub second: u8,
    /// Microseconds, 0–999999.
    pub micro: u32,
}

/// A TIME: a signed duration of up to 838:59:59.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SqlTime {
    /// Whether the value is negative.
    pub negative: bool,
    /// 0–838.
    pub hours: u32,
    /// 0–59.
    pub minute: u8,
    /// 0–59.
    pub second: u8,
    /// Microseconds, 0–999999.
    pub micro: u32,
}

/// The days of `month` in `year` (Gregorian).
pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn fraction_text(micro: u32, fsp: u8) -> String {
    if fsp == 0 {
        return String::new();
    }
    let digits = format!("{micro:06}");
    format!(".{}", &digits[..usize::from(fsp.min(6))])
}

impl SqlDateTime {
    /// The date part only.
    pub fn date_part(self) -> SqlDateTime {
        SqlDateTime {
            year: self.year,
            month: self.month,
            day: self.day,
            ..Default::default()
        }
    }

    /// `YYYY-MM-DD`.
    pub fn date_text(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `YYYY-MM-DD HH:MM:SS` plus `fsp` fraction digits.
    pub fn datetime_text(&self, fsp: u8) -> String {
        format!(
            "{} {:02}:{:02}:{:02}{}",
            self.date_text(),
            self.hour,
            self.minute,
            self.second,
            fraction_text(self.micro, fsp)
        )
    }

    /// Whether the date fields are a real calendar date (no zero parts).
    pub(crate) fn is_real_date(&self) -> bool {
        (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
    }

    /// The value as a jiff datetime; `None` for zero or invalid dates.
    pub(crate) fn to_jiff(self) -> Option<civil::DateTime> {
        if !self.is_real_date() {
            return None;
        }
        civil::DateTime::new(
            i16::try_from(self.year).ok()?,
            i8::try_from(self.month).ok()?,
            i8::try_from(self.day).ok()?,
            i8::try_from(self.hour).ok()?,
            i8::try_from(self.minute).ok()?,
            i8::try_from(self.second).ok()?,
            i32::try_from(self.micro).ok()? * 1000,
        )
        .ok()
    }

    /// A jiff datetime as a value; `None` outside years 0–9999.
    pub(crate) fn from_jiff(dt: civil::DateTime) -> Option<SqlDateTime> {
        Some(SqlDateTime {
            year: u16::try_from(dt.year()).ok().filter(|y| *y <= 9999)?,
            month: dt.month().unsigned_abs(),
            day: dt.day().unsigned_abs(),
            hour: dt.hour().unsigned_abs(),
            minute: dt.minute().unsigned_abs(),
            second: dt.second().unsigned_abs(),
            micro: u32::try_from(dt.subsec_nanosecond() / 1000).ok()?,
        })
    }

    /// MariaDB's day number (`TO_DAYS`); `None` for invalid dates.
    pub(crate) fn day_number(&self) -> Option<i64> {
        if !self.is_real_date() {
            return None;
        }
        let (year, month, day) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let mut sum = 365 * year + 31 * (month - 1) + day;
        let y = if month <= 2 {
            year - 1
        } else {
            sum -= (month * 4 + 23) / 10;
            year
        };
        Some(sum + y / 4 - ((y / 100 + 1) * 3) / 4)
    }

    /// The value as the number MariaDB uses in numeric context (`YYYYMMDD[hhmmss]`).
    pub(crate) fn as_number(&self, with_time: bool) -> i64 {
        let date = i64::from(self.year) * 10000 + i64::from(self.month) * 100 + i64::from(self.day);
        if with_time {
            date * 1_000_000
                + i64::from(self.hour) * 10000
                + i64::from(self.minute) * 100
                + i64::from(self.second)
        } else {
            date
        }
    }
}

impl SqlTime {
    /// `[-]HH:MM:SS` plus `fsp` fraction digits.
    pub fn text(&self, fsp: u8) -> String {
        format!(
            "{}{:02}:{:02}:{:02}{}",
            if self.negative { "-" } else { "" },
            self.hours,
            self.minute,
            self.second,
            fraction_text(self.micro, fsp)
        )
    }

    /// The value in microseconds.
    pub(crate) fn micros(&self) -> i64 {
        let abs = ((i64::from(self.hours) * 60 + i64::from(self.minute)) * 60
            + i64::from(self.second))
            * 1_000_000
            + i64::from(self.micro);
        if self.negative { -abs } else { abs }
    }

    /// A time from microseconds, clamped to MariaDB's range of ±838:59:59.999999.
    pub(crate) fn from_micros(micros: i64) -> SqlTime {
        let max = ((838 * 60 + 59) * 60 + 59) * 1_000_000 + 999_999;
        let abs = micros.unsigned_abs().min(max);
        SqlTime {
            negative: micros < 0 && abs > 0,
            hours: u32::try_from(abs / 3_600_000_000).unwrap_or(838),
            minute: ((abs / 60_000_000) % 60) as u8,
            second: ((abs / 1_000_000) % 60) as u8,
            micro: (abs % 1_000_000) as u32,
        }
    }
}

/// What a string or number parsed into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub value: SqlDateTime,
    /// Whether the text had a time part.
    pub has_time: bool,
    /// Fraction digits written (0–6).
    pub fsp: u8,
}

fn two_digit_year(year: u32, digits: usize) -> u32 {
    if digits <= 2 {
        if year < 70 { year + 2000 } else { year + 1900 }
    } else {
        year
    }
}

fn checked(fields: [u32; 6], micro: u32, has_time: bool, fsp: u8) -> Option<Parsed> {
    let [year, month, day, hour, minute, second] = fields;
    if year > 9999 || month > 12 || day > 31 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let value = SqlDateTime {
        year: year as u16,
        month: month as u8,
        day: day as u8,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        micro,
    };
    if month > 0 && day > u32::from(days_in_month(value.year, value.month)) {
        return None;
    }
    Some(Parsed {
        value,
        has_time,
        fsp,
    })
}

/// Reads up to 6 fraction digits starting at `b[i]` (after the dot).
fn fraction(b: &[u8], mut i: usize) -> (u32, u8) {
    let mut micro = 0u32;
    let mut fsp = 0u8;
    while i < b.len() && b[i].is_ascii_digit() {
        if fsp < 6 {
            micro = micro * 10 + u32::from(b[i] - b'0');
            fsp += 1;
        }
        i += 1;
    }
    (micro * 10u32.pow(u32::from(6 - fsp)), fsp)
}

/// Parses a string as a date or datetime, MariaDB style.
pub(crate) fn parse_datetime(s: &str) -> Option<Parsed> {
    let b = s.trim_start().as_bytes();
    let run = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let packed = run == b.len() || b.get(run) == Some(&b'.');
    if packed && matches!(run, 6 | 8 | 12 | 14) {
        let text = std::str::from_utf8(&b[..run]).ok()?;
        let (micro, fsp) = if run < b.len() {
            fraction(b, run + 1)
        } else {
            (0, 0)
        };
        let year_digits = if run == 8 || run == 14 { 4 } else { 2 };
        let mut fields = [0u32; 6];
        let mut at = 0;
        for (k, field) in fields
            .iter_mut()
            .enumerate()
            .take(if run > 8 { 6 } else { 3 })
        {
            let width = if k == 0 { year_digits } else { 2 };
            *field = text.get(at..at + width)?.parse().ok()?;
            at += width;
        }
        fields[0] = two_digit_year(fields[0], year_digits);
        return checked(fields, micro, run > 8, if run > 8 { fsp } else { 0 });
    }
    let mut fields = [0u32; 6];
    let mut count = 0;
    let mut year_digits = 0;
    let mut i = 0;
    let (mut micro, mut fsp) = (0, 0);
    while count < 6 && i < b.len() {
        let start = i;
        let mut value = 0u32;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 9 {
            value = value * 10 + u32::from(b[i] - b'0');
            i += 1;
        }
        if i == start {
            break;
        }
        if count == 0 {
            year_digits = i - start;
        }
        fields[count] = value;
        count += 1;
        if count == 6 {
            if b.get(i) == Some(&b'.') {
                (micro, fsp) = fraction(b, i + 1);
            }
            break;
        }
        // Separators: punctuation inside a part, spaces or `T` between date and time.
        let sep_start = i;
        while i < b.len() && !b[i].is_ascii_digit() {
            let c = b[i];
            let between = count == 3 && (c == b' ' || c == b'T' || c == b'\t');
            if !(c.is_ascii_punctuation() || between) || i - sep_start > 0 && count != 3 {
                break;
            }
            i += 1;
        }
        if i == sep_start {
            break;
        }
    }
    if count < 3 {
        return None;
    }
    fields[0] = two_digit_year(fields[0], year_digits);
    checked(fields, micro, count > 3, fsp)
}

/// A number (`YYYYMMDD`, `YYMMDD`, `YYYYMMDDhhmmss`, `YYMMDDhhmmss`) as a date or datetime.
pub(crate) fn number_to_datetime(n: i64, micro: u32, fsp: u8) -> Option<Parsed> {
    if n == 0 {
        return Some(Parsed {
            value: SqlDateTime::default(),
            has_time: false,
            fsp: 0,
        });
    }
    let n = u64::try_from(n).ok()?;
    let (date, time, year_digits) = match n {
        101..=991_231 => (n, None, 2),
        10_000_101..=99_991_231 => (n, None, 4),
        101_000_000..=991_231_235_959 => (n / 1_000_000, Some(n % 1_000_000), 2),
        10_000_101_000_000..=99_991_231_235_959 => (n / 1_000_000, Some(n % 1_000_000), 4),
        _ => return None,
    };
    let t = time.unwrap_or(0);
    let fields = [
        two_digit_year((date / 10000) as u32, year_digits),
        ((date / 100) % 100) as u32,
        (date % 100) as u32,
        (t / 10000) as u32,
        ((t / 100) % 100) as u32,
        (t % 100) as u32,
    ];
    checked(
        fields,
        micro,
        time.is_some(),
        if time.is_some() { fsp } else { 0 },
    )
}

/// Parses a string as TIME: `[-][D ]HH:MM[:SS[.f]]`, `HHMMSS`, or the time part of a datetime.
pub(crate) fn parse_time(s: &str) -> Option<(SqlTime, u8)> {
    let t = s.trim();
    if let Some(p) = parse_datetime(t).filter(|p| p.has_time) {
        let v = p.value;
        let time = SqlTime {
            negative: false,
            hours: u32::from(v.hour),
            minute: v.minute,
            second: v.second,
            micro: v.micro,
        };
        return Some((time, p.fsp));
    }
    let (negative, t) = t.strip_prefix('-').map_or((false, t), |rest| (true, rest));
    let (days, t) = match t.split_once(' ') {
        Some((d, rest)) if d.bytes().all(|c| c.is_ascii_digit()) => (d.parse::<i64>().ok()?, rest),
        _ => (0, t),
    };
    let (main, frac) = t.split_once('.').unwrap_or((t, ""));
    let (micro, fsp) = fraction(frac.as_bytes(), 0);
    let parts: Vec<&str> = main.split(':').collect();
    let nums: Option<Vec<i64>> = parts.iter().map(|p| p.trim().parse::<i64>().ok()).collect();
    let nums = nums?;
    let (h, m, sec) = match nums.as_slice() {
        [packed] => (packed / 10000, (packed / 100) % 100, packed % 100),
        [h, m] => (*h, *m, 0),
        [h, m, sec] => (*h, *m, *sec),
        _ => return None,
    };
    if m > 59 || sec > 59 || h < 0 || m < 0 || sec < 0 {
        return None;
    }
    let wide = (((i128::from(days) * 24 + i128::from(h)) * 60 + i128::from(m)) * 60
        + i128::from(sec))
        * 1_000_000
        + i128::from(micro);
    let micros = i64::try_from(wide).unwrap_or(i64::MAX);
    Some((
        SqlTime::from_micros(if negative { -micros } else { micros }),
        fsp,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Option<String> {
        parse_datetime(s).map(|p| {
            if p.has_time {
                p.value.datetime_text(p.fsp)
            } else {
                p.value.date_text()
            }
        })
    }

    #[test]
    fn strings_parse_like_mariadb() {
        assert_eq!(text("2024-1-5").as_deref(), Some("2024-01-05"));
        assert_eq!(
            text(" 2024/01/05 12:00").as_deref(),
            Some("2024-01-05 12:00:00")
        );
        assert_eq!(text("20240105").as_deref(), Some("2024-01-05"));
        assert_eq!(
            text("2024-01-05T10:00:00.5").as_deref(),
            Some("2024-01-05 10:00:00.5")
        );
        assert_eq!(text("24-01-05").as_deref(), Some("2024-01-05"));
        assert_eq!(text("2024-01-05abc").as_deref(), Some("2024-01-05"));
        assert_eq!(text("2024-00-05").as_deref(), Some("2024-00-05"));
        assert_eq!(text("2024-02-30"), None);
        assert_eq!(text("abc"), None);
        assert_eq!(text("2024-01"), None);
    }

    #[test]
    fn numbers_and_times_parse() {
        let n = number_to_datetime(20240131, 0, 0).map(|p| p.value.date_text());
        assert_eq!(n.as_deref(), Some("2024-01-31"));
        assert_eq!(
            parse_time("-1 02:03:04.5")
                .map(|(t, f)| t.text(f))
                .as_deref(),
            Some("-26:03:04.5")
        );
        let d = SqlDateTime {
            year: 2024,
            month: 3,
            day: 1,
            ..Default::default()
        };
        let e = SqlDateTime {
            year: 2024,
            month: 2,
            day: 1,
            ..Default::default()
        };
        assert_eq!(
            d.day_number().zip(e.day_number()).map(|(a, b)| a - b),
            Some(29)
        );
    }
}
