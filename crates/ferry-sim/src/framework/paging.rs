//! Shared steps of serving one page of a time-windowed query: the late-indexing rule at this
//! moment, the page's bounds in a view, and the move-records fault after the page.
//!
//! Contract: [`late_indexing`] reads the clock, the seed and the late-index fault once per
//! request. [`page_bounds`] clamps `offset..offset + size` to a view of `len` records (empty
//! past the end). [`move_fault`] rolls the move-records fault after a page was rendered; when
//! it fires it counts [`Counter::FaultMoveRecords`], lets the platform move up to the rolled
//! number of records at view positions from `served_end` (from 0 when already served records
//! may move) with the fault RNG, and counts [`Counter::RecordsMoved`].

use std::ops::Range;

use crate::framework::core::SimCore;
use crate::framework::records::LateIndexing;
use crate::framework::stats::Counter;

/// The fault RNG's uniform choice in `low..=high`, as a platform store's mover takes it.
pub type Choose<'a> = &'a mut dyn FnMut(u64, u64) -> u64;

/// The visibility rule at this moment.
pub fn late_indexing(core: &SimCore) -> LateIndexing {
    let late = core.faults.late_index();
    LateIndexing {
        now: core.clock.now_seconds(),
        seed: core.seed,
        late_probability: late.probability,
        late_delay: i64::try_from(late.delay_s).unwrap_or(i64::MAX),
    }
}

/// The view positions of the page starting at `offset` with `size` records.
pub fn page_bounds(len: usize, offset: usize, size: usize) -> Range<usize> {
    let end = offset.saturating_add(size).min(len);
    offset.min(end)..end
}

/// Rolls the move-records fault after a page ending at view position `served_end`;
/// `move_later(first_candidate, count, choose)` moves records and returns how many moved.
pub fn move_fault(
    core: &SimCore,
    served_end: usize,
    move_later: impl FnOnce(usize, u32, Choose<'_>) -> u32,
) {
    let (moves, include_served) = core.faults.roll_moves();
    if moves > 0 {
        core.stats.incr(Counter::FaultMoveRecords);
        let first_candidate = if include_served { 0 } else { served_end };
        let mut choose = |low, high| core.faults.choose(low, high);
        let moved = move_later(first_candidate, moves, &mut choose);
        core.stats.add(Counter::RecordsMoved, u64::from(moved));
    }
}

#[cfg(test)]
mod tests {
    use super::page_bounds;

    #[test]
    fn pages_are_clamped_to_the_view() {
        assert_eq!(page_bounds(10, 0, 4), 0..4);
        assert_eq!(page_bounds(10, 8, 4), 8..10);
        assert_eq!(page_bounds(10, 12, 4), 10..10);
        assert_eq!(page_bounds(10, usize::MAX, 4), 10..10);
    }
}
