//! The compact WDT flagship refund store: what queries filter on or what can change.
//!
//! Contract: refunds are generated in `created` order, so record index order = `refund_id`
//! order; `refund_id`s and detail `rec_id`s are unique and increasing. Every other field is
//! regenerated from the seed when a refund is rendered (`refunds.rs`). The store answers which
//! refunds a window sees ([`RefundStore::window`], ordered by `modified` then `refund_id`),
//! what moves while a client pages ([`RefundStore::move_later`]) and the ground truth
//! ([`RefundStore::snapshot`]).

use rand::Rng;

use crate::framework::control::ModifiedRange;
use crate::framework::data::DataRange;
use crate::framework::index::TimeIndex;
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
    cores: Vec<RefundCore>,
    by_modified: TimeIndex,
    range: DataRange,
}

impl RefundStore {
    /// Generates `count` refunds over `range` from `seed`.
    pub fn generate(seed: u64, count: u32, range: DataRange) -> Self {
        let mut rng = stream(seed, "wdt_flagship.layout", 0);
        let span = range.len_seconds();
        let last = range.end - 1;
        let mut created: Vec<u32> = (0..count)
            .map(|_| range.start + rng.random_range(0..span))
            .collect();
        created.sort_unstable();
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
        let by_modified = TimeIndex::build(cores.len(), 1, |i| Some((cores[i].modified, 0)));
        Self {
            cores,
            by_modified,
            range,
        }
    }

    /// Number of refunds.
    pub fn len(&self) -> usize {
        self.cores.len()
    }

    /// Whether there are no refunds.
    pub fn is_empty(&self) -> bool {
        self.cores.is_empty()
    }

    /// The stored part of refund `record`.
    pub fn core(&self, record: u32) -> RefundCore {
        self.cores[record as usize]
    }

    /// Record indexes of the refunds with `from <= modified < to_exclusive` and `modified <=
    /// now` (a refund modified in the simulator's future does not exist yet).
    pub fn window(&self, from: u32, to_exclusive: u32, now: i64) -> Vec<u32> {
        let clock_end = u32::try_from(now.saturating_add(1).max(0)).unwrap_or(u32::MAX);
        self.by_modified
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
            if first_candidate >= window.len() {
                break;
            }
            let position = choose(first_candidate as u64, (window.len() - 1) as u64);
            let record = window[usize::try_from(position).unwrap_or(first_candidate)];
            let core = self.core(record);
            let ceiling = i64::from(self.range.end - 1).min(now);
            let mut low = i64::from(core.modified + 1).max(i64::from(to_exclusive));
            if low > ceiling {
                low = i64::from(core.modified) + 1;
            }
            if low > ceiling {
                continue;
            }
            let new_modified = choose(low as u64, ceiling as u64) as u32;
            self.by_modified
                .reposition(record, 0, core.modified, new_modified);
            let stored = &mut self.cores[record as usize];
            stored.modified = new_modified;
            stored.version = stored.version.wrapping_add(1);
            moved += 1;
        }
        moved
    }

    /// A copy of every refund whose `modified` is in `range`, in `refund_id` order.
    pub fn snapshot(&self, range: ModifiedRange) -> Vec<(u32, RefundCore)> {
        let mut records = Vec::new();
        for (record, core) in self.cores.iter().enumerate() {
            if range.contains(i64::from(core.modified)) {
                records.push((record as u32, *core));
            }
        }
        records
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for pair in store.cores.windows(2) {
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
        let from = store.range.start;
        let to = from + 86_400;
        let before = store.window(from, to, i64::MAX);
        let moved = store.move_later((from, to, i64::MAX), 0, 5, |low, _| low);
        assert_eq!(moved, 5);
        let after = store.window(from, to, i64::MAX);
        assert_eq!(after.len(), before.len() - 5);
        assert_eq!(store.snapshot(ModifiedRange::default()).len(), 500);
    }
}
