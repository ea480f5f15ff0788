//! A token-bucket rate limiter whose over-limit reply each platform shapes itself.
//!
//! Contract: [`RateLimiter::try_acquire`] either takes one token or says how long until the
//! next token exists; it never sleeps. The bucket starts full (`burst` tokens) and refills at
//! `per_second`. `None` means unlimited. The configuration can be replaced at runtime, which
//! refills the bucket.

use std::str::FromStr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::error::SimError;

/// Requests per second and burst size of a token bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateConfig {
    /// Tokens added per second (may be fractional, e.g. `0.001` for a test).
    pub per_second: f64,
    /// Bucket capacity: how many requests may arrive at once.
    pub burst: u32,
}

impl RateConfig {
    /// Checks the values: `per_second` finite and positive, `burst` at least 1.
    pub fn validate(&self) -> Result<(), SimError> {
        if !(self.per_second.is_finite() && self.per_second > 0.0) {
            return Err(SimError::config(
                "rate.per_second",
                "must be a positive number",
            ));
        }
        if self.burst == 0 {
            return Err(SimError::config("rate.burst", "must be at least 1"));
        }
        Ok(())
    }
}

impl FromStr for RateConfig {
    type Err = SimError;

    /// Parses `5/s`, `300/min` or `5/s,burst=10`; the burst defaults to the per-second rate
    /// rounded up (at least 1).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |message: &str| SimError::Spec {
            spec: text.to_owned(),
            message: format!("{message} (expected `<n>/s`, `<n>/min` or `<n>/s,burst=<b>`)"),
        };
        let (rate_part, burst_part) = match text.split_once(',') {
            Some((rate, burst)) => (rate.trim(), Some(burst.trim())),
            None => (text.trim(), None),
        };
        let (amount, unit) = rate_part
            .split_once('/')
            .ok_or_else(|| invalid("missing `/`"))?;
        let amount: f64 = amount.trim().parse().map_err(|_| invalid("bad number"))?;
        let per_second = match unit.trim() {
            "s" | "sec" | "second" => amount,
            "min" | "minute" | "m" => amount / 60.0,
            _ => return Err(invalid("unknown unit")),
        };
        let burst = match burst_part {
            None => per_second.ceil().max(1.0) as u32,
            Some(burst) => burst
                .strip_prefix("burst=")
                .and_then(|value| value.trim().parse().ok())
                .ok_or_else(|| invalid("bad burst"))?,
        };
        let config = RateConfig { per_second, burst };
        config.validate()?;
        Ok(config)
    }
}

#[derive(Debug)]
struct Bucket {
    config: RateConfig,
    tokens: f64,
    refilled_at: Instant,
}

/// The limiter of one simulator (one bucket for all its platform routes).
#[derive(Debug, Default)]
pub struct RateLimiter {
    bucket: Mutex<Option<Bucket>>,
}

impl RateLimiter {
    /// A limiter with `config` (`None` = unlimited).
    pub fn new(config: Option<RateConfig>) -> Self {
        let limiter = Self::default();
        limiter.replace(config);
        limiter
    }

    /// Replaces the configuration; the bucket starts full again.
    pub fn replace(&self, config: Option<RateConfig>) {
        let bucket = config.map(|config| Bucket {
            config,
            tokens: f64::from(config.burst),
            refilled_at: Instant::now(),
        });
        *self.bucket.lock().unwrap_or_else(PoisonError::into_inner) = bucket;
    }

    /// The current configuration.
    pub fn config(&self) -> Option<RateConfig> {
        self.bucket
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|b| b.config)
    }

    /// Takes a token, or returns how long until one is available.
    pub fn try_acquire(&self) -> Result<(), Duration> {
        let mut guard = self.bucket.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(bucket) = guard.as_mut() else {
            return Ok(());
        };
        let now = Instant::now();
        let elapsed = now
            .saturating_duration_since(bucket.refilled_at)
            .as_secs_f64();
        let capacity = f64::from(bucket.config.burst);
        bucket.tokens = (bucket.tokens + elapsed * bucket.config.per_second).min(capacity);
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let missing = 1.0 - bucket.tokens;
        Err(Duration::from_secs_f64(missing / bucket.config.per_second))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!(
            "5/s".parse::<RateConfig>().unwrap(),
            RateConfig {
                per_second: 5.0,
                burst: 5
            }
        );
        let per_minute: RateConfig = "120/min".parse().unwrap();
        assert_eq!(
            per_minute,
            RateConfig {
                per_second: 2.0,
                burst: 2
            }
        );
        let with_burst: RateConfig = "0.5/s,burst=3".parse().unwrap();
        assert_eq!(
            with_burst,
            RateConfig {
                per_second: 0.5,
                burst: 3
            }
        );
        assert!("5".parse::<RateConfig>().is_err());
        assert!("5/h".parse::<RateConfig>().is_err());
        assert!("0/s".parse::<RateConfig>().is_err());
        assert!("5/s,burst=0".parse::<RateConfig>().is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn bucket_refills_at_the_configured_rate() {
        let limiter = RateLimiter::new(Some(RateConfig {
            per_second: 2.0,
            burst: 2,
        }));
        assert!(limiter.try_acquire().is_ok());
        assert!(limiter.try_acquire().is_ok());
        let wait = limiter.try_acquire().unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        tokio::time::advance(Duration::from_millis(500)).await;
        assert!(limiter.try_acquire().is_ok());
        assert!(limiter.try_acquire().is_err());
        limiter.replace(None);
        assert!((0..100).all(|_| limiter.try_acquire().is_ok()));
    }
}
