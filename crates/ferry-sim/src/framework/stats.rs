//! Counters of what a simulator did, for `GET /_sim/stats` and in-process assertions.
//!
//! Contract: counters only grow; a snapshot is a consistent-enough copy (each counter is read
//! atomically, not all of them at once). Platforms count with [`Counter`]; the fault layer
//! counts injected faults itself.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// One thing a simulator counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// A request reached a platform route (before any check or fault).
    Requests,
    /// A request got a successful business reply.
    Served,
    /// A request was rejected because its signature did not verify.
    RejectedSign,
    /// A request was rejected for another reason (missing or bad parameter, auth, window).
    RejectedRequest,
    /// A request got the platform's rate-limit reply.
    RateLimited,
    /// A page of records was served.
    PagesServed,
    /// Records served across all pages.
    RecordsServed,
    /// Records withheld from a query because they were not yet indexed.
    LateHidden,
    /// Records whose `modified` time moved while a client paged.
    RecordsMoved,
    /// Latency was added to a request.
    FaultLatency,
    /// A request got an injected 5xx reply.
    FaultError5xx,
    /// A request was held past any sensible client timeout.
    FaultTimeout,
    /// A reply body was cut short.
    FaultTruncate,
    /// A move-records roll succeeded after a page (each moves up to `max_per_page` records).
    FaultMoveRecords,
}

const COUNTER_COUNT: usize = 14;

impl Counter {
    fn slot(self) -> usize {
        self as usize
    }
}

/// The live counters of one simulator.
#[derive(Debug, Default)]
pub struct Stats {
    slots: [AtomicU64; COUNTER_COUNT],
}

/// Injected faults by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultCounts {
    /// Requests that got added latency.
    pub latency: u64,
    /// Requests answered with an injected 5xx.
    pub error_5xx: u64,
    /// Requests held as a timeout.
    pub timeout: u64,
    /// Replies whose body was truncated.
    pub truncate: u64,
    /// Pages after which records were moved.
    pub move_records: u64,
}

/// A copy of the counters, as served by `GET /_sim/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsSnapshot {
    /// Requests that reached a platform route.
    pub requests: u64,
    /// Successful business replies.
    pub served: u64,
    /// Requests rejected by the signature check.
    pub rejected_sign: u64,
    /// Requests rejected for any other reason.
    pub rejected_request: u64,
    /// Rate-limit replies.
    pub rate_limited: u64,
    /// Pages served.
    pub pages_served: u64,
    /// Records served across all pages.
    pub records_served: u64,
    /// Records withheld because they were not yet indexed (summed over queries).
    pub late_hidden: u64,
    /// Records whose `modified` time moved while being paged.
    pub records_moved: u64,
    /// Faults injected, by kind.
    pub faults: FaultCounts,
}

impl Stats {
    /// Adds `amount` to `counter`.
    pub fn add(&self, counter: Counter, amount: u64) {
        self.slots[counter.slot()].fetch_add(amount, Ordering::Relaxed);
    }

    /// Adds one to `counter`.
    pub fn incr(&self, counter: Counter) {
        self.add(counter, 1);
    }

    /// The current value of `counter`.
    pub fn get(&self, counter: Counter) -> u64 {
        self.slots[counter.slot()].load(Ordering::Relaxed)
    }

    /// A copy of all counters.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            requests: self.get(Counter::Requests),
            served: self.get(Counter::Served),
            rejected_sign: self.get(Counter::RejectedSign),
            rejected_request: self.get(Counter::RejectedRequest),
            rate_limited: self.get(Counter::RateLimited),
            pages_served: self.get(Counter::PagesServed),
            records_served: self.get(Counter::RecordsServed),
            late_hidden: self.get(Counter::LateHidden),
            records_moved: self.get(Counter::RecordsMoved),
            faults: FaultCounts {
                latency: self.get(Counter::FaultLatency),
                error_5xx: self.get(Counter::FaultError5xx),
                timeout: self.get(Counter::FaultTimeout),
                truncate: self.get(Counter::FaultTruncate),
                move_records: self.get(Counter::FaultMoveRecords),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_reflects_counts() {
        let stats = Stats::default();
        stats.incr(Counter::Requests);
        stats.add(Counter::RecordsServed, 100);
        stats.incr(Counter::FaultMoveRecords);
        let snapshot = stats.snapshot();
        assert_eq!(snapshot.requests, 1);
        assert_eq!(snapshot.records_served, 100);
        assert_eq!(snapshot.faults.move_records, 1);
        assert_eq!(snapshot.served, 0);
    }
}
