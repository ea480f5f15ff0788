//! The compact Jushuitan order store: 28 bytes per order plus time indexes.
//!
//! Contract: only what queries filter on or what can change is stored ([`OrderCore`]); every
//! other field is regenerated from the seed when an order is rendered (`orders.rs`). Orders
//! are generated in `order_date` order, so record index order = `o_id` order. `o_id`s and
//! `oi_id`s are unique and increasing. The store answers three questions: which orders a query
//! sees ([`OrderStore::view`]), what moves while a client pages ([`OrderStore::move_later`]),
//! and the ground truth (`snapshot`, from the shared [`TimedStore`] it derefs to).

use std::ops::Deref;

use rand::Rng;

use crate::framework::data::DataRange;
use crate::framework::index::{Entry, TimeIndex};
pub use crate::framework::records::pick_weighted;
use crate::framework::records::{
    LateIndexing, TimedStore, pick_candidate, sorted_times, timed_core,
};
use crate::framework::rng::stream;
use crate::jushuitan::query::{DateType, OrderFilter};
use crate::jushuitan::text::{STATUS_SENT, STATUS_WAIT_PAY, STATUS_WEIGHTS, STATUSES};

/// First `o_id` minus one; ids grow by 1..=3 per order.
const O_ID_BASE: u32 = 30_000_000;
/// First `oi_id`.
const OI_ID_BASE: u32 = 50_000_000;

/// What is stored per order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderCore {
    /// `o_id`, the ERP's internal order id.
    pub o_id: u32,
    /// `oi_id` of the first item; the others follow consecutively.
    pub first_oi_id: u32,
    /// `order_date` (Unix seconds).
    pub order_date: u32,
    /// `pay_date`, 0 = not paid.
    pub pay_date: u32,
    /// `send_date`, 0 = not sent.
    pub send_date: u32,
    /// `modified` (Unix seconds); the only time that changes.
    pub modified: u32,
    /// How often the order changed since generation.
    pub version: u16,
    /// Index into [`STATUSES`].
    pub status: u8,
    /// Number of items, 1..=5.
    pub item_count: u8,
}

/// Whether each order is visible to a query at a given moment (late indexing).
pub type Visibility = LateIndexing;

/// The domain of the per-order late-indexing coin.
const LATE: &str = "jushuitan.late";

timed_core!(OrderCore, modified, status);

/// The orders a query sees, in platform order (time, then `o_id`).
#[derive(Debug)]
pub struct View<'a> {
    head: &'a [Entry],
    tail: Vec<u32>,
    /// Orders that match the filter and exist but are not indexed yet (late).
    pub hidden: usize,
}

impl View<'_> {
    /// Number of visible matching orders.
    pub fn len(&self) -> usize {
        self.head.len() + self.tail.len()
    }

    /// Whether no order is visible.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Record index at `position` (`position < len()`).
    pub fn record_at(&self, position: usize) -> u32 {
        match self.head.get(position) {
            Some(entry) => entry.record,
            None => self.tail[position - self.head.len()],
        }
    }
}

/// All orders and their indexes.
#[derive(Debug)]
pub struct OrderStore {
    records: TimedStore<OrderCore>,
    by_order_date: TimeIndex,
    by_send_date: TimeIndex,
}

/// The shared store API: `len`, `is_empty`, `core`, `snapshot` (in key order), ….
impl Deref for OrderStore {
    type Target = TimedStore<OrderCore>;

    fn deref(&self) -> &Self::Target {
        &self.records
    }
}

impl OrderStore {
    /// Generates `count` orders over `range` from `seed`.
    pub fn generate(seed: u64, count: u32, range: DataRange) -> Self {
        let mut rng = stream(seed, "jushuitan.layout", 0);
        let last = range.end - 1;
        let order_dates = sorted_times(&mut rng, count, range);
        let mut cores = Vec::with_capacity(order_dates.len());
        let mut o_id = O_ID_BASE;
        let mut next_oi_id = OI_ID_BASE;
        for order_date in order_dates {
            o_id += rng.random_range(1..=3);
            let status = pick_weighted(&mut rng, &STATUS_WEIGHTS) as u8;
            let item_count: u8 = rng.random_range(1..=5);
            let pay_date = if status == STATUS_WAIT_PAY {
                0
            } else {
                order_date
                    .saturating_add(rng.random_range(5..=3_600))
                    .min(last)
            };
            let send_date = if status == STATUS_SENT {
                pay_date
                    .saturating_add(rng.random_range(1_800..=3 * 86_400))
                    .min(last)
            } else {
                0
            };
            let settled = order_date.max(pay_date).max(send_date);
            let modified = settled
                .saturating_add(rng.random_range(0..=6 * 3_600))
                .min(last);
            cores.push(OrderCore {
                o_id,
                first_oi_id: next_oi_id,
                order_date,
                pay_date,
                send_date,
                modified,
                version: 0,
                status,
                item_count,
            });
            next_oi_id += u32::from(item_count);
        }
        let groups = STATUSES.len();
        let by_order_date = TimeIndex::build(cores.len(), groups, |i| {
            Some((cores[i].order_date, cores[i].status))
        });
        let by_send_date = TimeIndex::build(cores.len(), groups, |i| {
            (cores[i].send_date != 0).then_some((cores[i].send_date, cores[i].status))
        });
        Self {
            records: TimedStore::new(cores, groups, range),
            by_order_date,
            by_send_date,
        }
    }

    /// The record index of an `o_id`.
    pub fn find_o_id(&self, o_id: u32) -> Option<u32> {
        self.records.find(o_id, |core| core.o_id)
    }

    fn index(&self, date_type: DateType) -> &TimeIndex {
        match date_type {
            DateType::Modified => self.records.by_modified(),
            DateType::OrderDate => &self.by_order_date,
            DateType::SendDate => &self.by_send_date,
        }
    }

    fn time_of(core: &OrderCore, date_type: DateType) -> Option<u32> {
        match date_type {
            DateType::Modified => Some(core.modified),
            DateType::OrderDate => Some(core.order_date),
            DateType::SendDate => (core.send_date != 0).then_some(core.send_date),
        }
    }

    fn matches(core: &OrderCore, filter: &OrderFilter) -> bool {
        if filter.status.is_some_and(|status| status != core.status) {
            return false;
        }
        let Some(window) = filter.window else {
            return true;
        };
        Self::time_of(core, filter.date_type)
            .is_some_and(|time| time >= window.from && time < window.to_exclusive)
    }

    /// The orders `filter` selects that are visible under `visibility`.
    pub fn view(&self, filter: &OrderFilter, visibility: &Visibility) -> View<'_> {
        if let Some(records) = &filter.records {
            let mut matching: Vec<(u32, u32)> = Vec::with_capacity(records.len());
            let mut hidden = 0;
            for &record in records {
                let core = self.core(record);
                if !Self::matches(&core, filter) {
                    continue;
                }
                if !visibility.is_visible(LATE, record, &core) {
                    hidden += usize::from(visibility.exists(&core));
                    continue;
                }
                let time = Self::time_of(&core, filter.date_type).unwrap_or(core.modified);
                matching.push((time, record));
            }
            matching.sort_unstable();
            matching.dedup();
            let tail = matching.into_iter().map(|(_, record)| record).collect();
            return View {
                head: &[],
                tail,
                hidden,
            };
        }
        let (from, to_exclusive) = match filter.window {
            Some(window) => (window.from, window.to_exclusive),
            None => (0, u32::MAX),
        };
        let slice = self
            .index(filter.date_type)
            .slice(filter.status, from, to_exclusive);
        let certain = visibility.certain_bound();
        let split = if i64::from(self.records.max_modified()) <= certain {
            slice.len()
        } else if filter.date_type == DateType::Modified {
            slice.partition_point(|entry| i64::from(entry.time) <= certain)
        } else {
            0
        };
        let (head, rest) = slice.split_at(split);
        let mut tail = Vec::new();
        let mut hidden = 0;
        for entry in rest {
            let core = self.core(entry.record);
            if visibility.is_visible(LATE, entry.record, &core) {
                tail.push(entry.record);
            } else if visibility.exists(&core) {
                hidden += 1;
            }
        }
        View { head, tail, hidden }
    }

    /// Moves up to `count` orders at view positions `first_candidate..` to a later
    /// `modified` (past the window's end when possible, never past the data range or the
    /// clock). `choose(low, high)` is the fault RNG. Returns how many orders moved.
    pub fn move_later(
        &mut self,
        filter: &OrderFilter,
        visibility: &Visibility,
        first_candidate: usize,
        count: u32,
        mut choose: impl FnMut(u64, u64) -> u64,
    ) -> u32 {
        let window_end = match (filter.date_type, filter.window) {
            (DateType::Modified, Some(window)) => Some(window.to_exclusive),
            _ => None,
        };
        let mut moved = 0;
        for _ in 0..count {
            let record = {
                let view = self.view(filter, visibility);
                let Some(position) = pick_candidate(view.len(), first_candidate, &mut choose)
                else {
                    break;
                };
                view.record_at(position)
            };
            let now = visibility.now;
            moved +=
                u32::from(
                    self.records
                        .move_record_later(record, window_end, now, &mut choose),
                );
        }
        moved
    }
}

#[cfg(test)]
mod tests;
