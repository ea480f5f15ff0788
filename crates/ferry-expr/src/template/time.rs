//! The time filters of `{{NAME|filter}}`.
//!
//! | filter | output |
//! |---|---|
//! | `datetime` | `"YYYY-MM-DD HH:MM:SS"` in the scope's time zone |
//! | `date` | `"YYYY-MM-DD"` in the scope's time zone |
//! | `timestamp` | unix seconds (number) |
//! | `timestamp_ms` | unix milliseconds (number) |
//!
//! Input: a number is unix seconds, except that a magnitude of at least 10^11 is read as
//! milliseconds (10^11 seconds is beyond the year 5000, 10^11 milliseconds is 1973); a string
//! holding a number is read the same way; any other string is parsed as an RFC 3339 instant
//! (`2024-03-14T08:00:00Z`, `…+08:00`), a civil date-time (`2024-03-14 16:00:00`,
//! `2024-03-14T16:00:00.5`, `2024/03/14 16:00:00`) or a date (`2024-03-14`, midnight) in the
//! scope's time zone. `null` and the empty string stay `null`.

use jiff::{Timestamp, civil, tz::TimeZone};
use serde_json::Value;

use crate::{ErrorKind, ExprError};

/// The names of the filters, in documentation order.
pub const FILTER_NAMES: &[&str] = &["datetime", "date", "timestamp", "timestamp_ms"];

/// Unix-time magnitudes from here on are read as milliseconds.
const MILLISECONDS_THRESHOLD: f64 = 1e11;

/// A filter applied to a placeholder's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFilter {
    /// `YYYY-MM-DD HH:MM:SS`.
    Datetime,
    /// `YYYY-MM-DD`.
    Date,
    /// Unix seconds.
    Timestamp,
    /// Unix milliseconds.
    TimestampMs,
}

impl TimeFilter {
    /// The filter called `name`, or `None`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "datetime" => Some(Self::Datetime),
            "date" => Some(Self::Date),
            "timestamp" => Some(Self::Timestamp),
            "timestamp_ms" => Some(Self::TimestampMs),
            _ => None,
        }
    }

    /// The filter's name as written in templates.
    pub fn name(self) -> &'static str {
        match self {
            Self::Datetime => "datetime",
            Self::Date => "date",
            Self::Timestamp => "timestamp",
            Self::TimestampMs => "timestamp_ms",
        }
    }

    /// Applies the filter to `value`, reading and writing civil times in `timezone`.
    pub fn apply(self, value: &Value, timezone: &TimeZone) -> Result<Value, ExprError> {
        let Some(instant) = to_timestamp(value, timezone).map_err(|()| self.not_a_time(value))?
        else {
            return Ok(Value::Null);
        };
        let output = match self {
            Self::Datetime => Value::String(
                timezone
                    .to_datetime(instant)
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string(),
            ),
            Self::Date => Value::String(
                timezone
                    .to_datetime(instant)
                    .strftime("%Y-%m-%d")
                    .to_string(),
            ),
            Self::Timestamp => Value::from(instant.as_second()),
            Self::TimestampMs => Value::from(instant.as_millisecond()),
        };
        Ok(output)
    }

    fn not_a_time(self, value: &Value) -> ExprError {
        let mut shown = value.to_string();
        if shown.chars().count() > 40 {
            shown = shown.chars().take(40).collect::<String>() + "…";
        }
        ExprError::new(
            ErrorKind::Type,
            format!(
                "filter `{}` needs a unix time or a date-time, got {shown}",
                self.name()
            ),
        )
    }
}

/// The instant `value` denotes: `Ok(None)` for null/empty, `Err(())` when it is not a time.
pub fn to_timestamp(value: &Value, timezone: &TimeZone) -> Result<Option<Timestamp>, ()> {
    match value {
        Value::Null => Ok(None),
        Value::Number(number) => number.as_f64().ok_or(()).and_then(from_unix).map(Some),
        Value::String(text) => {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            parse_time(text, timezone).map(Some)
        }
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => Err(()),
    }
}

/// Unix seconds, or milliseconds from [`MILLISECONDS_THRESHOLD`] on.
fn from_unix(number: f64) -> Result<Timestamp, ()> {
    if !number.is_finite() {
        return Err(());
    }
    let milliseconds = if number.abs() >= MILLISECONDS_THRESHOLD {
        number
    } else {
        number * 1000.0
    };
    let milliseconds = milliseconds.round();
    if milliseconds.abs() > i64::MAX as f64 {
        return Err(());
    }
    Timestamp::from_millisecond(milliseconds as i64).map_err(|_| ())
}

fn parse_time(text: &str, timezone: &TimeZone) -> Result<Timestamp, ()> {
    if let Ok(number) = text.parse::<f64>() {
        return from_unix(number);
    }
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Ok(instant);
    }
    let normalized = text.replace('/', "-");
    if let Ok(datetime) = normalized.parse::<civil::DateTime>() {
        return timezone
            .to_ambiguous_timestamp(datetime)
            .compatible()
            .map_err(|_| ());
    }
    if let Ok(date) = normalized.parse::<civil::Date>() {
        return timezone
            .to_ambiguous_timestamp(date.to_datetime(civil::Time::midnight()))
            .compatible()
            .map_err(|_| ());
    }
    Err(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    fn apply(filter: &str, value: Value) -> Result<Value, ExprError> {
        TimeFilter::from_name(filter)
            .unwrap()
            .apply(&value, &shanghai())
    }

    #[test]
    fn formats_unix_seconds_in_the_time_zone() {
        assert_eq!(
            apply("datetime", json!(1_710_403_200)).unwrap(),
            json!("2024-03-14 16:00:00")
        );
        assert_eq!(
            apply("date", json!(1_710_403_200)).unwrap(),
            json!("2024-03-14")
        );
        assert_eq!(
            apply("timestamp", json!(1_710_403_200)).unwrap(),
            json!(1_710_403_200)
        );
        assert_eq!(
            apply("timestamp_ms", json!(1_710_403_200)).unwrap(),
            json!(1_710_403_200_000_i64)
        );
        let utc = TimeFilter::Datetime
            .apply(&json!(0), &TimeZone::UTC)
            .unwrap();
        assert_eq!(utc, json!("1970-01-01 00:00:00"));
    }

    #[test]
    fn reads_milliseconds_and_strings() {
        assert_eq!(
            apply("timestamp", json!(1_710_403_200_123_i64)).unwrap(),
            json!(1_710_403_200)
        );
        assert_eq!(
            apply("datetime", json!("1710403200")).unwrap(),
            json!("2024-03-14 16:00:00")
        );
        assert_eq!(
            apply("timestamp", json!("2024-03-14 16:00:00")).unwrap(),
            json!(1_710_403_200)
        );
        assert_eq!(
            apply("timestamp", json!("2024/03/14 16:00:00")).unwrap(),
            json!(1_710_403_200)
        );
        assert_eq!(
            apply("timestamp", json!("2024-03-14T08:00:00Z")).unwrap(),
            json!(1_710_403_200)
        );
        assert_eq!(
            apply("timestamp", json!("2024-03-14")).unwrap(),
            json!(1_710_345_600)
        );
        assert_eq!(
            apply("date", json!("2024-03-14 23:59:59")).unwrap(),
            json!("2024-03-14")
        );
        assert_eq!(apply("timestamp_ms", json!(1.5)).unwrap(), json!(1500));
    }

    #[test]
    fn null_and_empty_stay_null() {
        assert_eq!(apply("datetime", Value::Null).unwrap(), Value::Null);
        assert_eq!(apply("datetime", json!("  ")).unwrap(), Value::Null);
    }

    #[test]
    fn rejects_non_times() {
        let error = apply("datetime", json!("yesterday")).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Type);
        assert_eq!(
            error.message,
            "filter `datetime` needs a unix time or a date-time, got \"yesterday\""
        );
        assert!(apply("date", json!(true)).is_err());
        assert!(apply("date", json!({"a": 1})).is_err());
        assert!(apply("date", json!(1e300)).is_err());
    }

    #[test]
    fn names_round_trip() {
        for name in FILTER_NAMES {
            assert_eq!(TimeFilter::from_name(name).unwrap().name(), *name);
        }
        assert_eq!(TimeFilter::from_name("Datetime"), None);
    }
}
