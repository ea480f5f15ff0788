//! The compact WDT flagship refund store: what queries filter on or what can change.
//!
//! Contract: refunds are generated in `created` order, so record index order = `refund_id`
//! order; `refund_id`s and detail `rec_id`s are unique and increasing. Every other field is
//! regenerated from the seed when a refund is rendered (`refunds.rs`). The store answers which
//! refunds a window sees ([`RefundStore::window`], ordered by `modified` then `refund_id`),
//! what moves while a client pages ([`RefundStore::move_later`]) and the ground truth
//! (`snapshot`, from the shared [`TimedStore`] it derefs to).

use std::ops::Deref;

use rand::Rng;

use crate::framework::data::DataRange;
use crate::framework::records::{TimedStore, pick_candidate, sorted_times, timed_core};
use crate::framework::rng::stream;

/// First `refund_id` minus one; ids grow by 1..=3 per refund.
const REFUND_ID_BASE: u32 = 1_130_000;
/// First detail `rec_id`.
const REC_ID_BASE: u32 = 1_137_000;

/// What is stored per refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundCore {
    /// `refund_id`.
    pub refund_id: u32,
    /// `rec_id` of the first detail; the others follow consecutively.
    pub first_rec_id: u32,
    /// `created` (Unix seconds).
    pub created: u32,
    /// `modified` (Unix seconds); the only time that changes.
    pub modified: u32,
    /// How often the refund changed since generation.
    pub version: u16,
    /// Number of `detail_list` entries, 0..=4 (售前退款 may have none).
    pub detail_count: u8,
}

/// All refunds and their `modified` index.
#[derive(Debug)]
pub struct RefundStore {
    records: TimedStore<RefundCore>,
}

timed_core!(RefundCore, modified);

/// The shared store API: `len`, `is_empty`, `core`, `snapshot` (in key order), ….
impl Deref for RefundStore {
    type Target = TimedStore<RefundCore>;

    fn deref(&self) -> &Self::Target {
        &self.records
    }
}

impl RefundStore {
    /// Generates `count` refunds over `range` from `seed`.
    pub fn generate(seed: u64, count: u32, range: DataRange) -> Self {
        let mut rng = stream(seed, "wdt_flagship.layout", 0);
        let last = range.end - 1;
        let created = sorted_times(&mut rng, count, range);
        let mut cores = Vec::with_capacity(created.len());
        let mut refund_id = REFUND_ID_BASE;
        let mut next_rec_id = REC_ID_BASE;
        for created in created {
            refund_id += rng.random_range(1..=3);
            let detail_count: u8 = if rng.random_bool(0.1) {
                0
            } else {
                rng.random_range(1..=4)
            };
            let modified = created
                .saturating_add(rng.random_range(0..=2 * 86_400))
                .min(last);
            cores.push(RefundCore {
                refund_id,
                first_rec_id: next_rec_id,
                created,
                modified,
                version: 0,
                detail_count,
            });
            next_rec_id += u32::from(detail_count);
        }
        Self {
            records: TimedStore::new(cores, 1, range),
        }
    }

    /// Record indexes of the refunds with `from <= modified < to_exclusive` and `modified <=
    /// now` (a refund modified in the simulator's future does not exist yet).
    pub fn window(&self, from: u32, to_exclusive: u32, now: i64) -> Vec<u32> {
        let clock_end = u32::try_from(now.saturating_add(1).max(0)).unwrap_or(u32::MAX);
        self.records
            .by_modified()
            .slice(None, from, to_exclusive.min(clock_end))
            .iter()
            .map(|entry| entry.record)
            .collect()
    }

    /// Moves up to `count` refunds of the window `[from, to_exclusive)` at positions
    /// `first_candidate..` to a later `modified` (past the window's end when possible, never
    /// past the data range or `now`). `choose(low, high)` is the fault RNG. Returns how many
    /// refunds moved.
    pub fn move_later(
        &mut self,
        (from, to_exclusive, now): (u32, u32, i64),
        first_candidate: usize,
        count: u32,
        mut choose: impl FnMut(u64, u64) -> u64,
    ) -> u32 {
        let mut moved = 0;
        for _ in 0..count {
            let window = self.window(from, to_exclusive, now);
            let Some(position) = pick_candidate(window.len(), first_candidate, &mut choose) else {
                break;
            };
            moved += u32::from(self.records.move_record_later(
                window[position],
                Some(to_exclusive),
                now,
                &mut choose,
            ));
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::control::ModifiedRange;

    fn store() -> RefundStore {
        let range = DataRange {
            start: 1_704_038_400,
            end: 1_704_038_400 + 10 * 86_400,
        };
        RefundStore::generate(3, 500, range)
    }

    #[test]
    fn ids_increase_and_windows_are_half_open() {
        let store = store();
        assert_eq!(store.len(), 500);
        for pair in store.records.cores().windows(2) {
            assert!(pair[0].refund_id < pair[1].refund_id);
            let rec_end = pair[0].first_rec_id + u32::from(pair[0].detail_count);
            assert_eq!(rec_end, pair[1].first_rec_id);
        }
        let probe = store.core(250).modified;
        let inside = store.window(probe, probe + 1, i64::MAX);
        assert!(inside.contains(&250));
        assert!(!store.window(probe + 1, u32::MAX, i64::MAX).contains(&250));
        assert!(!store.window(0, probe, i64::MAX).contains(&250));
        let all = store.window(0, u32::MAX, i64::MAX);
        assert_eq!(all.len(), 500);
    }

    #[test]
    fn moved_refunds_leave_the_window() {
        let mut store = store();
        let from = store.records.range().start;
        let to = from + 86_400;
        let before = store.window(from, to, i64::MAX);
        let moved = store.move_later((from, to, i64::MAX), 0, 5, |low, _| low);
        assert_eq!(moved, 5);
        let after = store.window(from, to, i64::MAX);
        assert_eq!(after.len(), before.len() - 5);
        assert_eq!(store.snapshot(ModifiedRange::default()).len(), 500);
    }
}
