//! Small value types written as text in config and schemes: durations (`7d`, `10m`,
//! `1h 30m`), rates (`5/s`, `100/min`) and wall-clock times (`2024-01-01 00:00:00`).

use jiff::{SignedDuration, Span, SpanRelativeTo, Unit};

/// Parses a duration such as `7d`, `10m`, `90s`, `1h 30m` or `0` into whole seconds.
/// Days are 24 hours. Negative durations are rejected.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    if trimmed == "0" {
        return Ok(0);
    }
    let span: Span = trimmed
        .parse()
        .map_err(|_| format!("`{text}` is not a duration"))?;
    let seconds = span
        .total((Unit::Second, SpanRelativeTo::days_are_24_hours()))
        .map_err(|_| format!("`{text}` is not a duration"))?;
    if seconds < 0.0 {
        return Err(format!("`{text}` is negative"));
    }
    Ok(seconds.round() as i64)
}

/// Formats seconds as the shortest friendly duration (`7d`, `1h 30m`, `45s`).
pub fn format_duration(seconds: i64) -> String {
    if seconds == 0 {
        return "0s".to_owned();
    }
    let duration = SignedDuration::from_secs(seconds);
    let mut parts = Vec::new();
    let mut rest = duration.as_secs();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size {
            parts.push(format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    parts.join(" ")
}

/// A request rate: `count` requests per `per_secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Requests allowed...
    pub count: u32,
    /// ...per this many seconds.
    pub per_secs: u32,
}

impl Rate {
    /// Parses `5/s`, `300/min`, `10/m`, `1000/h`.
    pub fn parse(text: &str) -> Result<Rate, String> {
        let Some((count, unit)) = text.trim().split_once('/') else {
            return Err(format!("`{text}` is not a rate"));
        };
        let count: u32 = count.trim().parse().map_err(|_| {
            format!(
                "`{text}` is not a rate: `{}` is not a whole number",
                count.trim()
            )
        })?;
        if count == 0 {
            return Err(format!("`{text}` allows no requests at all"));
        }
        let per_secs = match unit.trim() {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hour" => 3_600,
            other => return Err(format!("`{other}` is not a rate unit")),
        };
        Ok(Rate { count, per_secs })
    }

    /// Requests per second.
    pub fn per_second(&self) -> f64 {
        f64::from(self.count) / f64::from(self.per_secs)
    }
}

/// Parses a wall-clock time `YYYY-MM-DD HH:MM:SS` (or `YYYY-MM-DD`, or RFC 3339 with an
/// offset) in `timezone` into unix seconds.
pub fn parse_time(text: &str, timezone: &jiff::tz::TimeZone) -> Result<i64, String> {
    let trimmed = text.trim();
    if let Ok(timestamp) = trimmed.parse::<jiff::Timestamp>() {
        return Ok(timestamp.as_second());
    }
    let civil = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", trimmed)
        .or_else(|_| {
            jiff::civil::Date::strptime("%Y-%m-%d", trimmed)
                .map(|date| date.to_datetime(jiff::civil::Time::midnight()))
        })
        .map_err(|_| format!("`{text}` is not a time; write `YYYY-MM-DD HH:MM:SS`"))?;
    let zoned = civil
        .to_zoned(timezone.clone())
        .map_err(|error| format!("`{text}` does not exist in the time zone: {error}"))?;
    Ok(zoned.timestamp().as_second())
}

/// Formats unix seconds as `YYYY-MM-DD HH:MM:SS` in `timezone`.
pub fn format_time(seconds: i64, timezone: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::from_second(seconds) {
        Ok(timestamp) => timestamp
            .to_zoned(timezone.clone())
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string(),
        Err(_) => seconds.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7d"), Ok(7 * 86_400));
        assert_eq!(parse_duration("10m"), Ok(600));
        assert_eq!(parse_duration("1h 30m"), Ok(5_400));
        assert_eq!(parse_duration("0"), Ok(0));
        assert!(parse_duration("7 parsecs").is_err());
        assert_eq!(format_duration(7 * 86_400), "7d");
        assert_eq!(format_duration(5_430), "1h 30m 30s");
    }

    #[test]
    fn rates() {
        assert_eq!(
            Rate::parse("5/s"),
            Ok(Rate {
                count: 5,
                per_secs: 1
            })
        );
        assert_eq!(Rate::parse("300/min").unwrap().per_second(), 5.0);
        assert!(Rate::parse("5").is_err());
        assert!(Rate::parse("0/s").is_err());
        assert!(Rate::parse("5/fortnight").is_err());
    }

    #[test]
    fn times_in_shanghai() {
        let shanghai = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        let seconds = parse_time("2024-01-02 10:00:00", &shanghai).unwrap();
        assert_eq!(seconds, 1_704_160_800);
        assert_eq!(format_time(seconds, &shanghai), "2024-01-02 10:00:00");
        assert_eq!(parse_time("2024-01-02", &shanghai).unwrap(), 1_704_124_800);
        assert!(parse_time("2024-13-02 10:00:00", &shanghai).is_err());
    }
}
