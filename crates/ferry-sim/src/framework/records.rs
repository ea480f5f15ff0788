//! [`TimedStore`]: the compact record vector with a modified-time index that every
//! time-windowed platform store is built on, plus the late-indexing model ([`LateIndexing`]).
//!
//! Contract: records are generated in primary-key order, so record index order = key order.
//! Only the modified time ([`TimedCore::modified`]) changes after generation; moving a record
//! ([`TimedStore::move_record_later`]) bumps its version and keeps the index sorted. The
//! platform decides which records a query sees; the store supplies the shared mechanics: the
//! ground-truth snapshot in key order, key lookup, the choice of a record to move while a
//! client pages ([`pick_candidate`]) and the later time it moves to (past the window's end
//! when possible, never past the data range or the clock). Randomness comes only from the
//! caller's `choose(low, high)`, called in the same order as before the extraction, so the
//! simulators' replies are unchanged.

use rand::Rng;

use crate::framework::control::ModifiedRange;
use crate::framework::data::DataRange;
use crate::framework::index::TimeIndex;
use crate::framework::rng::unit;

/// What a platform stores per record, as far as the shared store needs it.
pub trait TimedCore: Copy {
    /// The modified time (Unix seconds), the time that changes.
    fn modified(&self) -> u32;
    /// How often the record changed since generation.
    fn version(&self) -> u16;
    /// The index group (a status byte, or 0 for an ungrouped index).
    fn group(&self) -> u8;
    /// Sets the modified time and counts one more version.
    fn touch(&mut self, modified: u32);
}

/// Implements [`TimedCore`] for a core struct with a `version: u16` field:
/// `timed_core!(Core, modified_field, group_field)`, or without a group field for an
/// ungrouped index (group 0).
macro_rules! timed_core {
    ($core:ty, $modified:ident $(, $group:ident)?) => {
        impl $crate::framework::records::TimedCore for $core {
            fn modified(&self) -> u32 {
                self.$modified
            }

            fn version(&self) -> u16 {
                self.version
            }

            fn group(&self) -> u8 {
                0 $(+ self.$group)?
            }

            fn touch(&mut self, modified: u32) {
                self.$modified = modified;
                self.version = self.version.wrapping_add(1);
            }
        }
    };
}
pub(crate) use timed_core;

/// All records of one kind and their modified-time index.
#[derive(Debug)]
pub struct TimedStore<C> {
    cores: Vec<C>,
    by_modified: TimeIndex,
    range: DataRange,
    max_modified: u32,
}

impl<C: TimedCore> TimedStore<C> {
    /// Indexes `cores` (in key order) by modified time, partitioned into `groups` groups.
    pub fn new(cores: Vec<C>, groups: usize, range: DataRange) -> Self {
        let by_modified = TimeIndex::build(cores.len(), groups, |i| {
            Some((cores[i].modified(), cores[i].group()))
        });
        let max_modified = cores
            .iter()
            .map(TimedCore::modified)
            .max()
            .unwrap_or(range.start);
        Self {
            cores,
            by_modified,
            range,
            max_modified,
        }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.cores.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.cores.is_empty()
    }

    /// The stored part of record `record` (panics when out of range).
    pub fn core(&self, record: u32) -> C {
        self.cores[record as usize]
    }

    /// Every stored record, in key order.
    pub fn cores(&self) -> &[C] {
        &self.cores
    }

    /// The data range the records were generated over.
    pub fn range(&self) -> DataRange {
        self.range
    }

    /// The modified-time index.
    pub fn by_modified(&self) -> &TimeIndex {
        &self.by_modified
    }

    /// The latest modified time of any record (the range start when there are none).
    pub fn max_modified(&self) -> u32 {
        self.max_modified
    }

    /// The record index whose key (increasing with the record index) is `key`.
    pub fn find(&self, key: u32, key_of: impl FnMut(&C) -> u32) -> Option<u32> {
        let position = self.cores.binary_search_by_key(&key, key_of).ok()?;
        u32::try_from(position).ok()
    }

    /// A copy of every record whose modified time is in `range`, in key order.
    pub fn snapshot(&self, range: ModifiedRange) -> Vec<(u32, C)> {
        self.cores
            .iter()
            .enumerate()
            .filter(|(_, core)| range.contains(i64::from(core.modified())))
            .map(|(record, core)| (record as u32, *core))
            .collect()
    }

    /// Moves `record` to a later modified time chosen by `choose(low, high)`: past
    /// `window_end` when that is at or before the ceiling (the data range's last second or
    /// `now`, whichever is earlier), otherwise anywhere after its current time. Returns
    /// `false` (and leaves `choose` uncalled) when no later time fits under the ceiling.
    pub fn move_record_later(
        &mut self,
        record: u32,
        window_end: Option<u32>,
        now: i64,
        choose: &mut impl FnMut(u64, u64) -> u64,
    ) -> bool {
        let core = self.core(record);
        let ceiling = i64::from(self.range.end - 1).min(now);
        let mut low = i64::from(core.modified()) + 1;
        if let Some(end) = window_end
            && i64::from(end) <= ceiling
        {
            low = low.max(i64::from(end));
        }
        if low > ceiling {
            return false;
        }
        let new_modified = choose(low as u64, ceiling as u64) as u32;
        self.by_modified
            .reposition(record, core.group(), core.modified(), new_modified);
        self.cores[record as usize].touch(new_modified);
        self.max_modified = self.max_modified.max(new_modified);
        true
    }
}

/// The view position of the next record to move: `choose(first_candidate, len - 1)`, or
/// `None` when the view has no candidate at or after `first_candidate`.
pub fn pick_candidate(
    len: usize,
    first_candidate: usize,
    choose: &mut impl FnMut(u64, u64) -> u64,
) -> Option<usize> {
    if first_candidate >= len {
        return None;
    }
    let position = choose(first_candidate as u64, (len - 1) as u64);
    Some(usize::try_from(position).unwrap_or(first_candidate))
}

/// `count` times drawn uniformly from `range`, sorted: the creation times of generated
/// records, so that record index order is creation order.
pub fn sorted_times(rng: &mut impl Rng, count: u32, range: DataRange) -> Vec<u32> {
    let span = range.len_seconds();
    let mut times: Vec<u32> = (0..count)
        .map(|_| range.start + rng.random_range(0..span))
        .collect();
    times.sort_unstable();
    times
}

/// Picks an index from a weighted table.
pub fn pick_weighted(rng: &mut impl Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total);
    for (position, weight) in weights.iter().enumerate() {
        if roll < *weight {
            return position;
        }
        roll -= weight;
    }
    weights.len() - 1
}

/// Whether each record is visible to a query at a given moment (late indexing).
#[derive(Debug, Clone, Copy)]
pub struct LateIndexing {
    /// The simulator clock (Unix seconds).
    pub now: i64,
    /// Run seed (the late flag is a deterministic coin per record and version).
    pub seed: u64,
    /// Share of records that are late-indexed.
    pub late_probability: f64,
    /// How long after `modified` a late record becomes visible (seconds).
    pub late_delay: i64,
}

impl LateIndexing {
    /// The indexing delay of `record` at `version`; `domain` names the platform's coin.
    fn delay_of(&self, domain: &str, record: u32, version: u16) -> i64 {
        if self.late_probability <= 0.0 {
            return 0;
        }
        let coin_index = (u64::from(record) << 16) | u64::from(version);
        if unit(self.seed, domain, coin_index) < self.late_probability {
            self.late_delay
        } else {
            0
        }
    }

    /// Whether `core` exists and is indexed at `now`.
    pub fn is_visible(&self, domain: &str, record: u32, core: &impl TimedCore) -> bool {
        i64::from(core.modified()) + self.delay_of(domain, record, core.version()) <= self.now
    }

    /// Whether `core` has happened by `now` (indexed or not).
    pub fn exists(&self, core: &impl TimedCore) -> bool {
        i64::from(core.modified()) <= self.now
    }

    /// The latest modified time for which every record is certainly visible.
    pub fn certain_bound(&self) -> i64 {
        let delay = if self.late_probability > 0.0 {
            self.late_delay
        } else {
            0
        };
        self.now - delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Core {
        key: u32,
        modified: u32,
        version: u16,
        status: u8,
    }

    timed_core!(Core, modified, status);

    fn store() -> TimedStore<Core> {
        let cores = [(10, 0), (40, 1), (20, 1), (30, 0)]
            .iter()
            .enumerate()
            .map(|(i, &(modified, status))| Core {
                key: 100 + i as u32,
                modified,
                version: 0,
                status,
            })
            .collect();
        TimedStore::new(cores, 2, DataRange { start: 0, end: 100 })
    }

    fn records(store: &TimedStore<Core>, group: Option<u8>) -> Vec<u32> {
        let slice = store.by_modified().slice(group, 0, u32::MAX);
        slice.iter().map(|entry| entry.record).collect()
    }

    #[test]
    fn index_snapshot_and_lookup() {
        let store = store();
        assert_eq!(records(&store, None), vec![0, 2, 3, 1]);
        assert_eq!(records(&store, Some(1)), vec![2, 1]);
        assert_eq!(store.max_modified(), 40);
        assert_eq!(store.find(102, |core| core.key), Some(2));
        assert_eq!(store.find(104, |core| core.key), None);
        let range = ModifiedRange {
            from: Some(20),
            to: Some(40),
        };
        let keys: Vec<u32> = store.snapshot(range).iter().map(|(r, _)| *r).collect();
        assert_eq!(keys, vec![2, 3]);
    }

    #[test]
    fn moves_go_past_the_window_end_when_it_fits() {
        let mut store = store();
        let mut calls = Vec::new();
        let mut choose = |low, high| {
            calls.push((low, high));
            low
        };
        assert!(store.move_record_later(0, Some(35), 60, &mut choose));
        assert_eq!(store.core(0).modified, 35);
        assert_eq!(store.core(0).version, 1);
        assert!(store.move_record_later(2, Some(90), 60, &mut choose));
        assert_eq!(store.core(2).modified, 21);
        assert!(!store.move_record_later(1, None, 40, &mut choose));
        assert_eq!(calls, vec![(35, 60), (21, 60)]);
        assert_eq!(records(&store, None), vec![2, 3, 0, 1]);
        assert_eq!(records(&store, Some(1)), vec![2, 1]);
    }

    #[test]
    fn candidates_start_at_the_first_unserved_position() {
        let mut choose = |low: u64, high: u64| {
            assert_eq!((low, high), (3, 9));
            7
        };
        assert_eq!(pick_candidate(10, 3, &mut choose), Some(7));
        assert_eq!(pick_candidate(3, 3, &mut choose), None);
    }
}
