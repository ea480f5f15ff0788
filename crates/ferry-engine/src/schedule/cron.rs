//! Cron expressions of `schedule` and `omissionRemedy.crontab`, evaluated in a time zone.
//!
//! Contract: expressions are parsed exactly as `ferry_model` validates them (croner's default
//! parser: five fields, or six with seconds first); ticks are computed in the scheme's
//! `sync.timezone`, so `2 2 * * *` means 02:02 local time there, whatever the server's zone.

use croner::Cron;
use croner::parser::CronParser;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// A parsed cron expression and the zone it is read in.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    text: String,
    cron: Cron,
    timezone: TimeZone,
}

impl CronSchedule {
    /// Parses `text`; the error says what is wrong with it.
    pub fn parse(text: &str, timezone: TimeZone) -> Result<CronSchedule, String> {
        let cron = CronParser::new()
            .parse(text)
            .map_err(|error| format!("`{text}` is not a valid cron expression: {error}"))?;
        Ok(CronSchedule {
            text: text.to_owned(),
            cron,
            timezone,
        })
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The first tick strictly after `after` (unix seconds), `None` if there is none.
    pub fn next_after(&self, after: i64) -> Option<i64> {
        let start = Timestamp::from_second(after)
            .ok()?
            .to_zoned(self.timezone.clone());
        self.cron
            .find_next_occurrence(&start, false)
            .ok()
            .map(|tick| tick.timestamp().as_second())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    #[test]
    fn five_fields_tick_on_minutes_in_the_schemes_zone() {
        // 2024-01-15 00:00:00 +08:00.
        let midnight = 1_705_248_000;
        let remedy = CronSchedule::parse("2 2 * * *", shanghai()).unwrap();
        assert_eq!(
            remedy.next_after(midnight),
            Some(midnight + 2 * 3_600 + 120)
        );
        assert_eq!(
            remedy.next_after(midnight + 2 * 3_600 + 120),
            Some(midnight + 86_400 + 2 * 3_600 + 120)
        );
        let utc = CronSchedule::parse("2 2 * * *", TimeZone::UTC).unwrap();
        assert_eq!(
            utc.next_after(midnight),
            Some(midnight + 8 * 3_600 + 2 * 3_600 + 120)
        );
    }

    #[test]
    fn six_fields_have_seconds_first() {
        let every_five_minutes = CronSchedule::parse("0 */5 * * * *", shanghai()).unwrap();
        assert_eq!(
            every_five_minutes.next_after(1_705_248_001),
            Some(1_705_248_300)
        );
        assert_eq!(
            every_five_minutes.next_after(1_705_248_300),
            Some(1_705_248_600)
        );
        let every_ten_seconds = CronSchedule::parse("*/10 * * * * *", shanghai()).unwrap();
        assert_eq!(
            every_ten_seconds.next_after(1_705_248_003),
            Some(1_705_248_010)
        );
    }

    #[test]
    fn bad_expressions_say_so() {
        let error = CronSchedule::parse("every day", shanghai()).unwrap_err();
        assert!(
            error.contains("`every day` is not a valid cron expression"),
            "{error}"
        );
    }
}
