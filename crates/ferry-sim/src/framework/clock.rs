//! The simulator's clock: the wall clock, or a fixed instant that tests and demos move by hand.
//!
//! Contract: a simulator asks this clock, never the system, for "now". It drives both the
//! request `timestamp` check (±tolerance) and data visibility (a record exists for queries
//! only once the clock has passed its `modified` time, plus the late-index delay if it is
//! late-indexed). A fixed clock makes every test independent of when it runs.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::framework::time::{format_datetime, parse_date_or_datetime};

/// Marker stored in the atomic when the clock follows the wall clock.
const WALL: i64 = i64::MIN;

/// How a clock is set: the wall clock, or a fixed Beijing-time instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum ClockSetting {
    /// Follow the system clock.
    Wall,
    /// Stand still at `yyyy-MM-dd HH:mm:ss` (or `yyyy-MM-dd`), Beijing time.
    Fixed(String),
    /// Move a fixed clock forward (or backward, if negative) by this many seconds.
    AdvanceSeconds(i64),
}

/// A clock shared by one simulator's handlers; cheap to read from many tasks.
#[derive(Debug)]
pub struct SimClock {
    fixed_seconds: AtomicI64,
}

impl SimClock {
    /// A clock that follows the system clock.
    pub fn wall() -> Self {
        Self {
            fixed_seconds: AtomicI64::new(WALL),
        }
    }

    /// A clock standing still at `seconds` (Unix seconds).
    pub fn fixed(seconds: i64) -> Self {
        Self {
            fixed_seconds: AtomicI64::new(seconds),
        }
    }

    /// Builds a clock from its textual setting: `None` or `"wall"` is the wall clock, anything
    /// else must be a Beijing-time instant.
    pub fn from_text(text: Option<&str>) -> Option<Self> {
        match text {
            None | Some("wall") => Some(Self::wall()),
            Some(instant) => parse_date_or_datetime(instant).map(Self::fixed),
        }
    }

    /// Now, in Unix seconds.
    pub fn now_seconds(&self) -> i64 {
        let fixed = self.fixed_seconds.load(Ordering::Relaxed);
        if fixed != WALL {
            return fixed;
        }
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    /// Whether the clock stands still.
    pub fn is_fixed(&self) -> bool {
        self.fixed_seconds.load(Ordering::Relaxed) != WALL
    }

    /// Applies a setting; returns `false` (and changes nothing) for an unparsable instant or
    /// for advancing the wall clock.
    pub fn apply(&self, setting: &ClockSetting) -> bool {
        match setting {
            ClockSetting::Wall => {
                self.fixed_seconds.store(WALL, Ordering::Relaxed);
                true
            }
            ClockSetting::Fixed(text) => match parse_date_or_datetime(text) {
                Some(seconds) => {
                    self.fixed_seconds.store(seconds, Ordering::Relaxed);
                    true
                }
                None => false,
            },
            ClockSetting::AdvanceSeconds(delta) => {
                let current = self.fixed_seconds.load(Ordering::Relaxed);
                if current == WALL {
                    return false;
                }
                self.fixed_seconds
                    .store(current.saturating_add(*delta), Ordering::Relaxed);
                true
            }
        }
    }

    /// The current setting, for `GET /_sim/clock`.
    pub fn setting(&self) -> ClockSetting {
        let fixed = self.fixed_seconds.load(Ordering::Relaxed);
        if fixed == WALL {
            ClockSetting::Wall
        } else {
            ClockSetting::Fixed(format_datetime(fixed))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_by_hand() {
        let clock = SimClock::from_text(Some("2024-01-02 10:00:00")).unwrap();
        assert_eq!(clock.now_seconds(), 1_704_160_800);
        assert!(clock.apply(&ClockSetting::AdvanceSeconds(60)));
        assert_eq!(
            clock.setting(),
            ClockSetting::Fixed("2024-01-02 10:01:00".to_owned())
        );
        assert!(!clock.apply(&ClockSetting::Fixed("soon".to_owned())));
        assert!(clock.apply(&ClockSetting::Wall));
        assert!(!clock.is_fixed());
        assert!(!clock.apply(&ClockSetting::AdvanceSeconds(1)));
        assert!(SimClock::from_text(Some("not a date")).is_none());
    }
}
