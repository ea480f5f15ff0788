//! The shape of generated data: seed, record count, time range, string length cap.
//!
//! Contract: a [`DataConfig`] fully determines a simulator's initial data. Record times fall in
//! the half-open range [`DataRange`] `[start, start + days)`, Beijing time; a record's
//! `modified` never leaves that range, not even when a fault moves it.

use serde::{Deserialize, Serialize};

use crate::error::SimError;
use crate::framework::time::parse_date_or_datetime;

/// Largest record count a simulator generates (keeps ids within `u32`).
pub const MAX_RECORDS: u32 = 20_000_000;

/// How much data to generate and where in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    /// The seed of every random choice (data and faults).
    pub seed: u64,
    /// How many top-level records (orders) to generate.
    pub orders: u32,
    /// First instant of the data range: `yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss`, Beijing time.
    pub start: String,
    /// Length of the data range in days.
    pub days: u32,
    /// Longest generated string, in characters (platform columns are often `varchar(255)`).
    pub max_string_len: u32,
}

impl Default for DataConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            orders: 10_000,
            start: "2024-01-01 00:00:00".to_owned(),
            days: 30,
            max_string_len: 255,
        }
    }
}

/// The data time range `[start, end)` in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataRange {
    /// First second of the range.
    pub start: u32,
    /// First second after the range.
    pub end: u32,
}

impl DataRange {
    /// Length in seconds.
    pub fn len_seconds(&self) -> u32 {
        self.end - self.start
    }
}

impl DataConfig {
    /// Validates the config and returns its time range.
    pub fn range(&self) -> Result<DataRange, SimError> {
        let start = parse_date_or_datetime(&self.start).ok_or_else(|| {
            SimError::config(
                "data.start",
                "expected `yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss`",
            )
        })?;
        if self.days == 0 || self.days > 3650 {
            return Err(SimError::config("data.days", "must be within 1..=3650"));
        }
        if self.orders > MAX_RECORDS {
            return Err(SimError::config(
                "data.orders",
                format!("must be at most {MAX_RECORDS}"),
            ));
        }
        if self.max_string_len < 64 {
            return Err(SimError::config(
                "data.max_string_len",
                "must be at least 64",
            ));
        }
        let end = start + i64::from(self.days) * 86_400;
        let start = u32::try_from(start)
            .map_err(|_| SimError::config("data.start", "must be within 1970..2106"))?;
        let end = u32::try_from(end)
            .map_err(|_| SimError::config("data.days", "range must end before 2106"))?;
        Ok(DataRange { start, end })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_range_is_january_2024() {
        let range = DataConfig::default().range().unwrap();
        assert_eq!(range.start, 1_704_038_400);
        assert_eq!(range.len_seconds(), 30 * 86_400);
    }

    #[test]
    fn rejects_bad_values() {
        let bad_start = DataConfig {
            start: "01/01/2024".to_owned(),
            ..DataConfig::default()
        };
        assert!(
            bad_start
                .range()
                .unwrap_err()
                .to_string()
                .contains("`data.start`")
        );
        let no_days = DataConfig {
            days: 0,
            ..DataConfig::default()
        };
        assert!(no_days.range().is_err());
    }
}
