//! How a store is opened: its clock, its run-lease length and the identity it leases under.
//!
//! Run leases (`Store::start_run`): a run holds its scheme's lease until `finish_run`, renewing it
//! with `heartbeat` at least every `lease_ttl`. A later `start_run` of the same scheme fails with
//! `RunInProgress` while the lease is live. A lease is dead, and the next run takes the scheme
//! over (marking the old run `abandoned`), when either
//! - it expired: its holder stopped heartbeating (killed, hung, or the host went away), or
//! - its holder is a process on this host that no longer exists (checked through `/proc`, so a
//!   `kill -9`ed run does not block a manual re-run for a whole `lease_ttl`). This check assumes
//!   hosts sharing one store have distinct host names, as hosts and containers normally do.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

/// Where the store reads "now" from; tests pass a `ManualClock`.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that only moves when told to; for deterministic tests of leases and timestamps.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
}

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        ManualClock {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock forward (or back, for a negative duration).
    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.saturating_add(by).unwrap_or(*now);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The process a run lease is held by, stored as `host:pid`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LeaseHolder {
    pub host: String,
    pub pid: u32,
}

impl LeaseHolder {
    /// This process on this host (host name from the kernel, else `$HOSTNAME`, else `localhost`).
    pub fn current() -> Self {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty())
            .or_else(|| {
                std::env::var("HOSTNAME")
                    .ok()
                    .filter(|text| !text.is_empty())
            })
            .unwrap_or_else(|| "localhost".to_owned());
        LeaseHolder {
            host,
            pid: std::process::id(),
        }
    }

    /// Parses the stored `host:pid` form; `None` if it is not of that form.
    pub fn parse(text: &str) -> Option<Self> {
        let (host, pid) = text.rsplit_once(':')?;
        Some(LeaseHolder {
            host: host.to_owned(),
            pid: pid.parse().ok()?,
        })
    }

    /// Whether `other` is known to be dead: it ran on this host and its process is gone.
    /// Unknown (another host, or no `/proc`) counts as alive; only expiry frees such a lease.
    pub(crate) fn sees_dead(&self, other: &LeaseHolder) -> bool {
        if other.host != self.host || !Path::new("/proc/self").exists() {
            return false;
        }
        !Path::new(&format!("/proc/{}", other.pid)).exists()
    }
}

impl fmt::Display for LeaseHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.pid)
    }
}

/// Settings of an opened store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long a run's lease lasts without a heartbeat.
    pub lease_ttl: Duration,
    /// Who this process is, for leases.
    pub holder: LeaseHolder,
    /// Source of "now" for every timestamp the store writes.
    pub clock: Arc<dyn Clock>,
    /// Connection pool size.
    pub max_connections: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            lease_ttl: Duration::from_secs(120),
            holder: LeaseHolder::current(),
            clock: Arc::new(SystemClock),
            max_connections: 8,
        }
    }
}

impl StoreOptions {
    /// Now, in the unix milliseconds the tables store.
    pub(crate) fn now_millis(&self) -> i64 {
        self.clock.now().as_millisecond()
    }

    /// When a lease taken or renewed now expires, in unix milliseconds.
    pub(crate) fn lease_expiry_millis(&self) -> i64 {
        let ttl_millis = i64::try_from(self.lease_ttl.as_millis()).unwrap_or(i64::MAX);
        self.now_millis().saturating_add(ttl_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_round_trips_and_detects_dead_local_processes() {
        let me = LeaseHolder::current();
        assert_eq!(LeaseHolder::parse(&me.to_string()), Some(me.clone()));
        assert_eq!(LeaseHolder::parse("no-pid"), None);
        assert!(!me.sees_dead(&me));
        // Above the kernel's maximum pid (2^22), so never a live process.
        let dead = LeaseHolder {
            host: me.host.clone(),
            pid: 4_194_305,
        };
        assert!(me.sees_dead(&dead));
        let elsewhere = LeaseHolder {
            host: format!("{}-other", me.host),
            pid: 4_194_305,
        };
        assert!(!me.sees_dead(&elsewhere));
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = Timestamp::from_second(1_700_000_000).unwrap();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(SignedDuration::from_secs(90));
        assert_eq!(clock.now().as_second(), 1_700_000_090);
    }
}
