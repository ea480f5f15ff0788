//! The platform-independent state every simulator shares: seed, clock, faults, rate limiter,
//! counters, request ids, shutdown signal; plus the common part of every platform's config.
//!
//! Contract: one [`SimCore`] per simulator instance, shared by `Arc` between the platform's
//! handlers, the fault layer and the `/_sim/` control routes. Nothing in it blocks.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::error::SimError;
use crate::framework::clock::SimClock;
use crate::framework::data::DataConfig;
use crate::framework::faults::FaultConfig;
use crate::framework::inject::FaultInjector;
use crate::framework::rate::{RateConfig, RateLimiter};
use crate::framework::rng::mix64;
use crate::framework::stats::Stats;

/// Settings every platform simulator has: data shape, clock, rate limit, faults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommonConfig {
    /// How much data to generate, from which seed, over which time range.
    pub data: DataConfig,
    /// `None` or `"wall"`: follow the system clock; otherwise a fixed Beijing-time instant
    /// (`yyyy-MM-dd HH:mm:ss`) that only `POST /_sim/clock` moves.
    pub clock: Option<String>,
    /// Token bucket for all platform routes; `None` = unlimited.
    pub rate: Option<RateConfig>,
    /// Faults to inject from the start.
    pub faults: FaultConfig,
}

impl CommonConfig {
    /// Checks everything that can be checked without generating data.
    pub fn validate(&self) -> Result<(), SimError> {
        self.data.range()?;
        if SimClock::from_text(self.clock.as_deref()).is_none() {
            return Err(SimError::config(
                "clock",
                "expected `wall` or a `yyyy-MM-dd HH:mm:ss` instant",
            ));
        }
        if let Some(rate) = &self.rate {
            rate.validate()?;
        }
        self.faults.validate()
    }
}

/// Shared runtime state of one simulator.
#[derive(Debug)]
pub struct SimCore {
    /// The run seed; platforms derive their streams from it.
    pub seed: u64,
    /// "Now" for timestamp checks and data visibility.
    pub clock: SimClock,
    /// Fault configuration and the seeded RNG that rolls it.
    pub faults: FaultInjector,
    /// The token bucket.
    pub rate: RateLimiter,
    /// Counters.
    pub stats: Stats,
    request_counter: AtomicU64,
    shutdown: CancellationToken,
}

impl SimCore {
    /// Builds the core from a validated common config.
    pub fn new(config: &CommonConfig) -> Result<Self, SimError> {
        config.validate()?;
        let clock = SimClock::from_text(config.clock.as_deref())
            .ok_or_else(|| SimError::config("clock", "expected `wall` or an instant"))?;
        Ok(Self {
            seed: config.data.seed,
            clock,
            faults: FaultInjector::new(config.data.seed, config.faults.clone()),
            rate: RateLimiter::new(config.rate),
            stats: Stats::default(),
            request_counter: AtomicU64::new(0),
            shutdown: CancellationToken::new(),
        })
    }

    /// A fresh request id in TOP's style (13 lowercase base-36 characters, e.g.
    /// `16kp0025x5z0p`); deterministic for a given seed and request order.
    pub fn next_request_id(&self) -> String {
        let counter = self.request_counter.fetch_add(1, Ordering::Relaxed);
        let mut value = mix64(self.seed ^ mix64(counter.wrapping_add(0x5EED)));
        let mut id = [b'0'; 13];
        for slot in id.iter_mut().rev() {
            let digit = (value % 36) as u8;
            *slot = if digit < 10 {
                b'0' + digit
            } else {
                b'a' + digit - 10
            };
            value /= 36;
        }
        id.iter().map(|&byte| char::from(byte)).collect()
    }

    /// Cancelled when the server shuts down; long holds (timeouts, latency) watch it.
    pub fn shutdown_token(&self) -> &CancellationToken {
        &self.shutdown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_top_shaped_and_deterministic() {
        let core = SimCore::new(&CommonConfig::default()).unwrap();
        let again = SimCore::new(&CommonConfig::default()).unwrap();
        let first = core.next_request_id();
        assert_eq!(first.len(), 13);
        assert!(
            first
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        );
        assert_eq!(first, again.next_request_id());
        assert_ne!(first, core.next_request_id());
    }

    #[test]
    fn bad_clock_is_rejected() {
        let config = CommonConfig {
            clock: Some("noon".to_owned()),
            ..CommonConfig::default()
        };
        let error = SimCore::new(&config).unwrap_err().to_string();
        assert!(error.contains("`clock`"), "{error}");
    }
}
