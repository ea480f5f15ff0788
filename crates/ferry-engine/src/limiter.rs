//! One rate limiter per connection: every request to a platform waits here first.
//!
//! Contract: `acquire` returns when a request may be sent. The configured rate (`rate` in
//! ferry.toml, or the platform's default) is a token bucket (governor) with a burst of one
//! request: requests are spaced evenly over the period, so no window of the platform's sees
//! more than the rate (a full bucket at the start would let twice the rate through in the
//! first second, which a platform counting per second answers with rate-limit replies).
//! When the platform answers with a rate-limit reply, `throttled` closes the gate for every
//! caller of the connection: for as long as the platform said, or else for a pause that
//! doubles with each consecutive rate-limit reply (250 ms … 30 s) and resets with the next
//! success. Rate-limit replies are therefore retried, never lost, and the
//! connection slows down instead of hammering the platform.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use ferry_model::units::Rate;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

/// Shortest pause after a rate-limit reply that did not say how long to wait.
const FIRST_PAUSE: Duration = Duration::from_millis(250);
/// Longest such pause.
const MAX_PAUSE: Duration = Duration::from_secs(30);

/// A connection's limiter; share it (`Arc`) between everything calling that connection.
#[derive(Debug)]
pub struct Limiter {
    bucket: Option<DefaultDirectRateLimiter>,
    closed_until: Mutex<Option<Instant>>,
    consecutive_limits: AtomicU32,
}

impl Limiter {
    /// A limiter allowing `rate`, or unlimited with `None`.
    pub fn new(rate: Option<Rate>) -> Self {
        let bucket = rate.and_then(quota).map(RateLimiter::direct);
        Limiter {
            bucket,
            closed_until: Mutex::new(None),
            consecutive_limits: AtomicU32::new(0),
        }
    }

    /// Waits until a request may be sent.
    pub async fn acquire(&self) {
        loop {
            self.wait_for_gate().await;
            if let Some(bucket) = &self.bucket {
                bucket.until_ready().await;
            }
            // The gate may have closed while we waited for a token.
            if self.gate().is_none_or(|until| until <= Instant::now()) {
                return;
            }
        }
    }

    /// The platform answered with a rate-limit reply: close the gate.
    pub fn throttled(&self, retry_after: Option<Duration>) {
        let consecutive = self.consecutive_limits.fetch_add(1, Ordering::Relaxed);
        let pause = retry_after.unwrap_or_else(|| backoff_pause(consecutive));
        let until = Instant::now() + pause;
        let mut gate = self.closed_until.lock().unwrap_or_else(|e| e.into_inner());
        if gate.is_none_or(|current| current < until) {
            *gate = Some(until);
        }
    }

    /// A request succeeded: the next rate-limit reply starts with the shortest pause again.
    pub fn succeeded(&self) {
        self.consecutive_limits.store(0, Ordering::Relaxed);
    }

    fn gate(&self) -> Option<Instant> {
        *self.closed_until.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn wait_for_gate(&self) {
        while let Some(until) = self.gate() {
            if until <= Instant::now() {
                return;
            }
            tokio::time::sleep_until(until).await;
        }
    }
}

/// The pause after the `consecutive`-th rate-limit reply in a row (from 0).
fn backoff_pause(consecutive: u32) -> Duration {
    FIRST_PAUSE
        .saturating_mul(1u32 << consecutive.min(10))
        .min(MAX_PAUSE)
}

fn quota(rate: Rate) -> Option<Quota> {
    let count = NonZeroU32::new(rate.count)?;
    let per = Duration::from_secs(u64::from(rate.per_secs.max(1)));
    Quota::with_period(per / count.get()).map(|quota| quota.allow_burst(NonZeroU32::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_a_cap() {
        assert_eq!(backoff_pause(0), Duration::from_millis(250));
        assert_eq!(backoff_pause(1), Duration::from_millis(500));
        assert_eq!(backoff_pause(3), Duration::from_secs(2));
        assert_eq!(backoff_pause(30), MAX_PAUSE);
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_closes_the_gate_for_the_given_time() {
        let limiter = Limiter::new(None);
        let start = Instant::now();
        limiter.throttled(Some(Duration::from_secs(3)));
        limiter.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_secs(3));
        limiter.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn consecutive_limits_back_off_and_success_resets() {
        let limiter = Limiter::new(None);
        limiter.throttled(None);
        limiter.throttled(None);
        let start = Instant::now();
        limiter.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_millis(500));
        limiter.succeeded();
        limiter.throttled(None);
        let start = Instant::now();
        limiter.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_millis(250));
    }

    #[test]
    fn quota_spreads_requests_over_the_period() {
        let quota = quota(Rate {
            count: 20,
            per_secs: 1,
        })
        .unwrap();
        assert_eq!(quota.replenish_interval(), Duration::from_millis(50));
        assert_eq!(quota.burst_size().get(), 1);
        let per_minute = quota_of(300, 60);
        assert_eq!(per_minute.replenish_interval(), Duration::from_millis(200));
        assert_eq!(per_minute.burst_size().get(), 1);
    }

    #[tokio::test]
    async fn a_fresh_limiter_lets_one_request_through_not_a_burst() {
        let limiter = Limiter::new(Some(Rate {
            count: 10,
            per_secs: 1,
        }));
        limiter.acquire().await;
        // The next token comes 100 ms later, not from a bucket that started full.
        let bucket = limiter.bucket.as_ref().unwrap();
        assert!(bucket.check().is_err());
    }

    fn quota_of(count: u32, per_secs: u32) -> Quota {
        quota(Rate { count, per_secs }).unwrap()
    }
}
