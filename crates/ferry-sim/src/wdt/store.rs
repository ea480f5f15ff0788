//! The compact WDT enterprise stockout store: a few bytes per stockout plus a `modified` index.
//!
//! Contract: only what queries filter on or what can change is stored ([`StockoutCore`]); every
//! other field is regenerated from the seed when a record is rendered (`records.rs`). Records
//! are generated in `created` order, so record index order = `stockout_id` order (ids grow by
//! 1..=3). The store answers three questions: which records a query sees
//! ([`StockoutStore::view`], in `modified` then `stockout_id` order), what moves while a client
//! pages ([`StockoutStore::move_later`]) and the ground truth (`snapshot`, from the shared [`TimedStore`] it derefs to).

use std::ops::Deref;

use rand::Rng;

use crate::framework::data::DataRange;
pub use crate::framework::records::pick_weighted;
use crate::framework::records::{
    LateIndexing, TimedStore, pick_candidate, sorted_times, timed_core,
};
use crate::framework::rng::stream;
use crate::wdt::text::{SHOP_WEIGHTS, STATUS_WEIGHTS, STATUSES, WAREHOUSES};

/// First `stockout_id` minus one.
const STOCKOUT_ID_BASE: u32 = 412_000;
/// First `rec_id` of the detail lines.
const REC_ID_BASE: u32 = 7_600_000;

/// What is stored per stockout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockoutCore {
    /// `stockout_id`.
    pub stockout_id: u32,
    /// `rec_id` of the first detail line; the others follow.
    pub first_rec_id: u32,
    /// `created` (Unix seconds).
    pub created: u32,
    /// `modified` (Unix seconds); the only time that changes.
    pub modified: u32,
    /// How often the record changed since generation.
    pub version: u16,
    /// Index into [`STATUSES`].
    pub status: u8,
    /// Index into the shop table.
    pub shop: u8,
    /// Index into [`WAREHOUSES`].
    pub warehouse: u8,
    /// Number of detail lines, 1..=3.
    pub detail_count: u8,
}

/// What a query selects (before visibility).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StockoutFilter {
    /// `[from, to_exclusive)` on `modified`.
    pub window: (u32, u32),
    /// Status bytes; `None` = any.
    pub statuses: Option<Vec<u8>>,
    /// Shop indexes; `None` = any.
    pub shops: Option<Vec<u8>>,
    /// Warehouse index; `None` = any.
    pub warehouse: Option<u8>,
    /// One stockout (from `stockout_no`, `src_order_no` or `src_tid`); `Some(None)` = an
    /// unknown number, which matches nothing.
    pub stockout_id: Option<Option<u32>>,
}

/// Whether each record is visible to a query at a given moment (late indexing).
pub type Visibility = LateIndexing;

/// The domain of the per-record late-indexing coin.
const LATE: &str = "wdt.late";

timed_core!(StockoutCore, modified, status);

/// The records a query sees, in platform order, and how many exist but are not indexed yet.
#[derive(Debug, Default)]
pub struct View {
    /// Record indexes.
    pub records: Vec<u32>,
    /// Matching records that exist but are hidden (late).
    pub hidden: usize,
}

/// All stockouts and their `modified` index.
#[derive(Debug)]
pub struct StockoutStore {
    records: TimedStore<StockoutCore>,
}

/// The shared store API: `len`, `is_empty`, `core`, `snapshot` (in key order), ….
impl Deref for StockoutStore {
    type Target = TimedStore<StockoutCore>;

    fn deref(&self) -> &Self::Target {
        &self.records
    }
}

impl StockoutStore {
    /// Generates `count` stockouts over `range` from `seed`.
    pub fn generate(seed: u64, count: u32, range: DataRange) -> Self {
        let mut rng = stream(seed, "wdt.layout", 0);
        let last = range.end - 1;
        let created = sorted_times(&mut rng, count, range);
        let mut cores = Vec::with_capacity(created.len());
        let mut stockout_id = STOCKOUT_ID_BASE;
        let mut next_rec_id = REC_ID_BASE;
        for created in created {
            stockout_id += rng.random_range(1..=3);
            let detail_count: u8 = rng.random_range(1..=3);
            let modified = created
                .saturating_add(rng.random_range(0..=8 * 3_600))
                .min(last);
            cores.push(StockoutCore {
                stockout_id,
                first_rec_id: next_rec_id,
                created,
                modified,
                version: 0,
                status: pick_weighted(&mut rng, &STATUS_WEIGHTS) as u8,
                shop: pick_weighted(&mut rng, &SHOP_WEIGHTS) as u8,
                warehouse: rng.random_range(0..WAREHOUSES.len()) as u8,
                detail_count,
            });
            next_rec_id += u32::from(detail_count);
        }
        Self {
            records: TimedStore::new(cores, STATUSES.len(), range),
        }
    }

    fn matches(core: &StockoutCore, filter: &StockoutFilter) -> bool {
        let listed = |list: &Option<Vec<u8>>, value: u8| {
            list.as_ref().is_none_or(|list| list.contains(&value))
        };
        listed(&filter.statuses, core.status)
            && listed(&filter.shops, core.shop)
            && filter.warehouse.is_none_or(|w| w == core.warehouse)
            && filter
                .stockout_id
                .is_none_or(|id| id == Some(core.stockout_id))
    }

    /// The records `filter` selects that are visible under `visibility`.
    pub fn view(&self, filter: &StockoutFilter, visibility: &Visibility) -> View {
        let (from, to_exclusive) = filter.window;
        let mut view = View::default();
        for entry in self.records.by_modified().slice(None, from, to_exclusive) {
            let core = self.core(entry.record);
            if !Self::matches(&core, filter) {
                continue;
            }
            if visibility.is_visible(LATE, entry.record, &core) {
                view.records.push(entry.record);
            } else if visibility.exists(&core) {
                view.hidden += 1;
            }
        }
        view
    }

    /// Moves up to `count` records at view positions `first_candidate..` to a later
    /// `modified` (past the window's end when possible, never past the data range or the
    /// clock). `choose(low, high)` is the fault RNG. Returns how many records moved.
    pub fn move_later(
        &mut self,
        filter: &StockoutFilter,
        visibility: &Visibility,
        first_candidate: usize,
        count: u32,
        mut choose: impl FnMut(u64, u64) -> u64,
    ) -> u32 {
        let mut moved = 0;
        for _ in 0..count {
            let view = self.view(filter, visibility);
            let Some(position) = pick_candidate(view.records.len(), first_candidate, &mut choose)
            else {
                break;
            };
            let record = view.records[position];
            let (now, window_end) = (visibility.now, Some(filter.window.1));
            moved +=
                u32::from(
                    self.records
                        .move_record_later(record, window_end, now, &mut choose),
                );
        }
        moved
    }

    /// The record index of a `stockout_id`.
    pub fn find(&self, stockout_id: u32) -> Option<u32> {
        self.records.find(stockout_id, |core| core.stockout_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::control::ModifiedRange;

    fn store() -> StockoutStore {
        let range = DataRange {
            start: 1_704_038_400,
            end: 1_704_038_400 + 2 * 86_400,
        };
        StockoutStore::generate(3, 200, range)
    }

    #[test]
    fn generation_is_deterministic_with_increasing_ids() {
        let first = store();
        let again = store();
        assert_eq!(first.len(), 200);
        assert_eq!(
            first.snapshot(ModifiedRange::default()),
            again.snapshot(ModifiedRange::default())
        );
        for pair in first.records.cores().windows(2) {
            assert!(pair[0].stockout_id < pair[1].stockout_id);
            assert!(pair[0].created <= pair[1].created);
        }
        assert_eq!(first.find(first.core(17).stockout_id), Some(17));
    }

    #[test]
    fn view_filters_and_orders_by_modified() {
        let store = store();
        let visible = Visibility {
            now: i64::MAX,
            seed: 3,
            late_probability: 0.0,
            late_delay: 0,
        };
        let filter = StockoutFilter {
            window: (0, u32::MAX),
            statuses: Some(vec![2, 4]),
            shops: None,
            warehouse: None,
            stockout_id: None,
        };
        let view = store.view(&filter, &visible);
        let expected = store
            .records
            .cores()
            .iter()
            .filter(|core| core.status == 2 || core.status == 4)
            .count();
        assert_eq!(view.records.len(), expected);
        let times: Vec<u32> = view
            .records
            .iter()
            .map(|r| store.core(*r).modified)
            .collect();
        assert!(times.windows(2).all(|pair| pair[0] <= pair[1]));
    }
}
