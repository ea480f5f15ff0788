//! The scheduler's clock: what time it is (unix seconds) and waiting until a given time.
//!
//! Contract: `now` never goes backwards for [`ManualClock`]; [`SystemClock`] follows the wall
//! clock and `sleep_until` re-reads it at least once a minute, so a wall-clock jump (NTP, a
//! suspended VM) delays a tick by at most a minute. Tests drive [`ManualClock`] by hand: a
//! sleeper wakes as soon as the clock is set at or past its time, with no real waiting.

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::watch;

/// Longest single real sleep of [`SystemClock::sleep_until`] before it looks at the clock again.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// A source of "now" that can be waited on.
#[async_trait]
pub trait Clock: Send + Sync + Debug {
    /// Now, unix seconds.
    fn now(&self) -> i64;
    /// Returns once `now() >= at`.
    async fn sleep_until(&self, at: i64);
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[async_trait]
impl Clock for SystemClock {
    fn now(&self) -> i64 {
        jiff::Timestamp::now().as_second()
    }

    async fn sleep_until(&self, at: i64) {
        loop {
            let now = jiff::Timestamp::now();
            let left = at.saturating_sub(now.as_second());
            if left <= 0 {
                return;
            }
            // Wake on the second boundary, not a fraction before it.
            let wait = Duration::from_secs(u64::try_from(left).unwrap_or(u64::MAX)).saturating_sub(
                Duration::from_nanos(u64::try_from(now.subsec_nanosecond()).unwrap_or(0)),
            );
            tokio::time::sleep(wait.min(MAX_SLEEP)).await;
        }
    }
}

/// A clock that moves only when told to (tests).
#[derive(Debug)]
pub struct ManualClock {
    now: watch::Sender<i64>,
}

impl ManualClock {
    /// A clock standing at `now` (unix seconds).
    pub fn new(now: i64) -> ManualClock {
        ManualClock {
            now: watch::Sender::new(now),
        }
    }

    /// Moves the clock to `to` (never backwards) and wakes the sleepers that are due.
    pub fn set(&self, to: i64) {
        self.now.send_modify(|now| *now = (*now).max(to));
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.now.send_modify(|now| *now += seconds.max(0));
    }
}

#[async_trait]
impl Clock for ManualClock {
    fn now(&self) -> i64 {
        *self.now.borrow()
    }

    async fn sleep_until(&self, at: i64) {
        let mut receiver = self.now.subscribe();
        // The sender lives as long as `self`, so this only ends when the time has come.
        let _ = receiver.wait_for(|now| *now >= at).await;
    }
}
