//! The compact Jushuitan order store: 28 bytes per order plus time indexes.
//!
//! Contract: only what queries filter on or what can change is stored ([`OrderCore`]); every
//! other field is regenerated from the seed when an order is rendered (`orders.rs`). Orders
//! are generated in `order_date` order, so record index order = `o_id` order. `o_id`s and
//! `oi_id`s are unique and increasing. The store answers three questions: which orders a query
//! sees ([`OrderStore::view`]), what moves while a client pages ([`OrderStore::move_later`]),
//! and the ground truth ([`OrderStore::snapshot`]).

use rand::Rng;

use crate::framework::control::ModifiedRange;
use crate::framework::data::DataRange;
use crate::framework::index::{Entry, TimeIndex};
use crate::framework::rng::{stream, unit};
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

/// Whether each order is visible to a query at a given moment.
#[derive(Debug, Clone, Copy)]
pub struct Visibility {
    /// The simulator clock (Unix seconds).
    pub now: i64,
    /// Run seed (the late flag is a deterministic coin per order and version).
    pub seed: u64,
    /// Share of orders that are late-indexed.
    pub late_probability: f64,
    /// How long after `modified` a late order becomes visible (seconds).
    pub late_delay: i64,
}

impl Visibility {
    fn delay_of(&self, record: u32, core: &OrderCore) -> i64 {
        if self.late_probability <= 0.0 {
            return 0;
        }
        let coin_index = (u64::from(record) << 16) | u64::from(core.version);
        if unit(self.seed, "jushuitan.late", coin_index) < self.late_probability {
            self.late_delay
        } else {
            0
        }
    }

    /// Whether `core` exists and is indexed at `now`.
    pub fn is_visible(&self, record: u32, core: &OrderCore) -> bool {
        i64::from(core.modified) + self.delay_of(record, core) <= self.now
    }

    /// Whether `core` has happened by `now` (indexed or not).
    pub fn exists(&self, core: &OrderCore) -> bool {
        i64::from(core.modified) <= self.now
    }

    /// The latest `modified` for which every order is certainly visible.
    fn certain_bound(&self) -> i64 {
        let delay = if self.late_probability > 0.0 {
            self.late_delay
        } else {
            0
        };
        self.now - delay
    }
}

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
    cores: Vec<OrderCore>,
    by_modified: TimeIndex,
    by_order_date: TimeIndex,
    by_send_date: TimeIndex,
    range: DataRange,
    max_modified: u32,
}

/// Picks an index from a weighted table; shared with the renderer.
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

impl OrderStore {
    /// Generates `count` orders over `range` from `seed`.
    pub fn generate(seed: u64, count: u32, range: DataRange) -> Self {
        let mut rng = stream(seed, "jushuitan.layout", 0);
        let span = range.len_seconds();
        let last = range.end - 1;
        let mut order_dates: Vec<u32> = (0..count)
            .map(|_| range.start + rng.random_range(0..span))
            .collect();
        order_dates.sort_unstable();
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
        let by_modified = TimeIndex::build(cores.len(), groups, |i| {
            Some((cores[i].modified, cores[i].status))
        });
        let by_order_date = TimeIndex::build(cores.len(), groups, |i| {
            Some((cores[i].order_date, cores[i].status))
        });
        let by_send_date = TimeIndex::build(cores.len(), groups, |i| {
            (cores[i].send_date != 0).then_some((cores[i].send_date, cores[i].status))
        });
        let max_modified = cores
            .iter()
            .map(|core| core.modified)
            .max()
            .unwrap_or(range.start);
        Self {
            cores,
            by_modified,
            by_order_date,
            by_send_date,
            range,
            max_modified,
        }
    }

    /// Number of orders.
    pub fn len(&self) -> usize {
        self.cores.len()
    }

    /// Whether there are no orders.
    pub fn is_empty(&self) -> bool {
        self.cores.is_empty()
    }

    /// The stored part of order `record`.
    pub fn core(&self, record: u32) -> OrderCore {
        self.cores[record as usize]
    }

    /// The record index of an `o_id`.
    pub fn find_o_id(&self, o_id: u32) -> Option<u32> {
        let position = self
            .cores
            .binary_search_by_key(&o_id, |core| core.o_id)
            .ok()?;
        u32::try_from(position).ok()
    }

    fn index(&self, date_type: DateType) -> &TimeIndex {
        match date_type {
            DateType::Modified => &self.by_modified,
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
                if !visibility.is_visible(record, &core) {
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
        let split = if i64::from(self.max_modified) <= certain {
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
            if visibility.is_visible(entry.record, &core) {
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
        let mut moved = 0;
        for _ in 0..count {
            let record = {
                let view = self.view(filter, visibility);
                if first_candidate >= view.len() {
                    break;
                }
                let position = choose(first_candidate as u64, (view.len() - 1) as u64);
                view.record_at(usize::try_from(position).unwrap_or(first_candidate))
            };
            let core = self.core(record);
            let ceiling = i64::from(self.range.end - 1).min(visibility.now);
            let mut low = i64::from(core.modified) + 1;
            if let (DateType::Modified, Some(window)) = (filter.date_type, filter.window) {
                low = low.max(i64::from(window.to_exclusive));
                if low > ceiling {
                    low = i64::from(core.modified) + 1;
                }
            }
            if low > ceiling {
                continue;
            }
            let new_modified = choose(low as u64, ceiling as u64) as u32;
            self.by_modified
                .reposition(record, core.status, core.modified, new_modified);
            let stored = &mut self.cores[record as usize];
            stored.modified = new_modified;
            stored.version = stored.version.wrapping_add(1);
            self.max_modified = self.max_modified.max(new_modified);
            moved += 1;
        }
        moved
    }

    /// A copy of every order whose `modified` is in `range`, in `o_id` order.
    pub fn snapshot(&self, range: ModifiedRange) -> Vec<(u32, OrderCore)> {
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
mod tests;
