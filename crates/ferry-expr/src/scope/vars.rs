//! Run variables: the values a run gives every template besides the record (the table is in
//! the [`scope`](super) module doc).

use jiff::tz::TimeZone;

/// The name of the default time zone of a scheme.
pub const DEFAULT_TIMEZONE: &str = "Asia/Shanghai";

/// The largest `N` accepted in `DAYS_AGO_N` (about 270 years).
const MAX_DAYS_AGO: i64 = 100_000;

const SECONDS_PER_DAY: i64 = 86_400;

/// The run variables, in the form hints show them (`DAYS_AGO_N` stands for the whole family).
const VARIABLE_NAMES: &[&str] = &[
    "LAST_SYNC_TIME",
    "CURRENT_TIME",
    "DAYS_AGO_N",
    "PAGINATION_START_PAGE",
    "PAGINATION_PAGE_SIZE",
    "PAGINATION_PAGE",
];

/// The values of the run variables for one request or record.
#[derive(Debug, Clone, PartialEq)]
pub struct RunVars {
    /// Start of the window being fetched, unix seconds (`LAST_SYNC_TIME`).
    pub last_sync_time: i64,
    /// End of the window being fetched, unix seconds (`CURRENT_TIME`).
    pub current_time: i64,
    /// The run's fixed "now", unix seconds (`now()`, `DAYS_AGO_N`).
    pub now: i64,
    /// The scheme's time zone, in which dates are formatted and parsed.
    pub timezone: TimeZone,
    /// The platform's first page number (`PAGINATION_START_PAGE`).
    pub start_page: i64,
    /// Records per page (`PAGINATION_PAGE_SIZE`).
    pub page_size: i64,
    /// The page number of the current request (`PAGINATION_PAGE`).
    pub page: i64,
}

impl RunVars {
    /// Variables for the window `[last_sync_time, current_time)` of a run started at `now`, in
    /// `Asia/Shanghai`, on page 1 of pages of 100.
    pub fn new(last_sync_time: i64, current_time: i64, now: i64) -> Self {
        Self {
            last_sync_time,
            current_time,
            now,
            timezone: default_timezone(),
            start_page: 1,
            page_size: 100,
            page: 1,
        }
    }

    /// Replaces the time zone.
    pub fn with_timezone(mut self, timezone: TimeZone) -> Self {
        self.timezone = timezone;
        self
    }

    /// Sets the first page number and the page size, and moves to the first page.
    pub fn with_pagination(mut self, start_page: i64, page_size: i64) -> Self {
        self.start_page = start_page;
        self.page_size = page_size;
        self.page = start_page;
        self
    }

    /// Sets the page number of the current request.
    pub fn with_page(mut self, page: i64) -> Self {
        self.page = page;
        self
    }

    /// The value of a run variable, or `None` when `name` is not one.
    pub fn get(&self, name: &str) -> Option<i64> {
        match name {
            "LAST_SYNC_TIME" => Some(self.last_sync_time),
            "CURRENT_TIME" => Some(self.current_time),
            "PAGINATION_START_PAGE" => Some(self.start_page),
            "PAGINATION_PAGE_SIZE" => Some(self.page_size),
            "PAGINATION_PAGE" => Some(self.page),
            _ => {
                let days = days_ago(name)?;
                self.now.checked_sub(days * SECONDS_PER_DAY)
            }
        }
    }
}

impl Default for RunVars {
    /// All times at the unix epoch, `Asia/Shanghai`, page 1 of 100.
    fn default() -> Self {
        Self::new(0, 0, 0)
    }
}

/// The default time zone, `Asia/Shanghai` (a fixed UTC+8 should the bundled database lack it).
pub fn default_timezone() -> TimeZone {
    TimeZone::get(DEFAULT_TIMEZONE).unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8)))
}

/// The known run variables, for hints; `DAYS_AGO_N` stands for `DAYS_AGO_1`, `DAYS_AGO_2`, ….
pub fn variable_names() -> &'static [&'static str] {
    VARIABLE_NAMES
}

/// Whether `name` is a run variable (`DAYS_AGO_7` is, `DAYS_AGO_N` is not).
pub fn is_variable(name: &str) -> bool {
    matches!(
        name,
        "LAST_SYNC_TIME"
            | "CURRENT_TIME"
            | "PAGINATION_START_PAGE"
            | "PAGINATION_PAGE_SIZE"
            | "PAGINATION_PAGE"
    ) || days_ago(name).is_some()
}

/// `N` of `DAYS_AGO_N`: decimal digits only, at most [`MAX_DAYS_AGO`].
fn days_ago(name: &str) -> Option<i64> {
    let digits = name.strip_prefix("DAYS_AGO_")?;
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let days: i64 = digits.parse().ok()?;
    (days <= MAX_DAYS_AGO).then_some(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> RunVars {
        RunVars::new(1_710_403_200, 1_710_406_800, 1_710_410_000).with_pagination(0, 50)
    }

    #[test]
    fn resolves_every_variable() {
        let vars = vars().with_page(3);
        assert_eq!(vars.get("LAST_SYNC_TIME"), Some(1_710_403_200));
        assert_eq!(vars.get("CURRENT_TIME"), Some(1_710_406_800));
        assert_eq!(vars.get("PAGINATION_START_PAGE"), Some(0));
        assert_eq!(vars.get("PAGINATION_PAGE_SIZE"), Some(50));
        assert_eq!(vars.get("PAGINATION_PAGE"), Some(3));
        assert_eq!(vars.get("DAYS_AGO_1"), Some(1_710_410_000 - 86_400));
        assert_eq!(vars.get("DAYS_AGO_0"), Some(1_710_410_000));
        assert_eq!(vars.get("DAYS_AGO_30"), Some(1_710_410_000 - 30 * 86_400));
    }

    #[test]
    fn rejects_malformed_days_ago() {
        for name in [
            "DAYS_AGO_",
            "DAYS_AGO_N",
            "DAYS_AGO_-1",
            "DAYS_AGO_+1",
            "DAYS_AGO_1x",
        ] {
            assert_eq!(vars().get(name), None, "{name}");
            assert!(!is_variable(name), "{name}");
        }
        assert_eq!(vars().get("DAYS_AGO_100001"), None);
        assert_eq!(vars().get("DAYS_AGO_99999999999999999999"), None);
    }

    #[test]
    fn pagination_starts_on_the_start_page() {
        let vars = RunVars::default().with_pagination(0, 40);
        assert_eq!((vars.start_page, vars.page_size, vars.page), (0, 40, 0));
    }

    #[test]
    fn names_and_predicate_agree() {
        for name in variable_names()
            .iter()
            .filter(|name| **name != "DAYS_AGO_N")
        {
            assert!(is_variable(name), "{name}");
        }
        assert!(is_variable("DAYS_AGO_2"));
        assert!(!is_variable("last_sync_time"));
        assert!(!is_variable("o_id"));
    }

    #[test]
    fn default_timezone_is_shanghai() {
        assert_eq!(default_timezone().iana_name(), Some(DEFAULT_TIMEZONE));
    }
}
