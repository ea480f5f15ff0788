//! Platform time: `yyyy-MM-dd HH:mm:ss` wall-clock text in Asia/Shanghai.
//!
//! Contract: simulators keep instants as Unix seconds (`u32` inside compact records, `i64` or
//! [`jiff::Timestamp`] at the edges) and convert to and from the platforms' text form only here.
//! All these platforms speak Beijing time (PROTOCOLS.md §0).

use std::fmt::Write as _;
use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// The text form every platform in PROTOCOLS.md uses for instants.
pub const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// The Asia/Shanghai time zone (from the bundled tz database).
pub fn shanghai() -> &'static TimeZone {
    static ZONE: OnceLock<TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| {
        // The bundled database always has it; a fixed +08:00 is the same for every date after
        // 1991, so it is a faithful fallback rather than a silent change of meaning.
        TimeZone::get("Asia/Shanghai").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8)))
    })
}

/// Parses `yyyy-MM-dd HH:mm:ss` (Beijing time) into Unix seconds.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let civil = DateTime::strptime(DATETIME_FORMAT, text.trim()).ok()?;
    shanghai()
        .to_timestamp(civil)
        .ok()
        .map(|instant| instant.as_second())
}

/// Parses `yyyy-MM-dd HH:mm:ss` or a bare `yyyy-MM-dd` (midnight) into Unix seconds.
pub fn parse_date_or_datetime(text: &str) -> Option<i64> {
    if let Some(seconds) = parse_datetime(text) {
        return Some(seconds);
    }
    let date = jiff::civil::Date::strptime("%Y-%m-%d", text.trim()).ok()?;
    shanghai()
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .ok()
        .map(|t| t.as_second())
}

/// Appends `seconds` as `yyyy-MM-dd HH:mm:ss` (Beijing time) to `out`.
pub fn write_datetime(out: &mut String, seconds: i64) {
    let instant = Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH);
    let civil = shanghai().to_datetime(instant);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        civil.year(),
        civil.month(),
        civil.day(),
        civil.hour(),
        civil.minute(),
        civil.second()
    );
}

/// `seconds` as `yyyy-MM-dd HH:mm:ss` (Beijing time).
pub fn format_datetime(seconds: i64) -> String {
    let mut out = String::with_capacity(19);
    write_datetime(&mut out, seconds);
    out
}

/// Whether a request's `sent` time (Unix seconds; `None` = missing or unparsable) is within
/// `tolerance_s` seconds of the simulator clock `now`, either way.
pub fn is_fresh(sent: Option<i64>, now: i64, tolerance_s: u64) -> bool {
    sent.is_some_and(|sent| sent.abs_diff(now) <= tolerance_s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_beijing_time() {
        let seconds = parse_datetime("2024-01-02 10:00:00").unwrap();
        assert_eq!(seconds, 1_704_160_800);
        assert_eq!(format_datetime(seconds), "2024-01-02 10:00:00");
        assert_eq!(parse_date_or_datetime("2024-01-01"), Some(1_704_038_400));
        assert_eq!(parse_datetime("2024-01-01T00:00:00"), None);
        assert_eq!(parse_datetime("yesterday"), None);
    }
}
