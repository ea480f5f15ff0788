//! The compact OKKI order store: what queries filter on or what can change, plus an
//! `update_time` index.
//!
//! Contract: orders are generated in `create_time` order, so record index order = `order_id`
//! order (ids unique and increasing). Only [`OrderCore`] is stored; every other field is
//! regenerated from the seed when an order is rendered (`orders.rs`). The store answers which
//! orders a query sees ([`OrderStore::view`], in `(time, order_id)` order), what moves while a
//! client pages ([`OrderStore::move_later`]) and the ground truth (`snapshot`, from the shared [`TimedStore`] it derefs to).
//! An order exists for a query only once the simulator clock has reached its `update_time`.

use std::ops::Deref;

use rand::Rng;

use crate::framework::data::DataRange;
use crate::framework::records::{
    TimedStore, pick_candidate, pick_weighted, sorted_times, timed_core,
};
use crate::framework::rng::stream;
use crate::okki::text::{APPROVED_STATUSES, STATUS_DRAFT, STATUS_WEIGHTS, STATUSES};

/// First `order_id` minus one; ids grow by 1..=7 per order.
const ORDER_ID_BASE: u32 = 31_200_000;

/// What is stored per order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderCore {
    /// `order_id`.
    pub order_id: u32,
    /// `create_time` (Unix seconds).
    pub create_time: u32,
    /// `account_date` (Unix seconds of its midnight, Beijing time) .
    pub account_date: u32,
    /// `update_time` (Unix seconds); the only time that changes.
    pub update_time: u32,
    /// How often the order changed since generation.
    pub version: u16,
    /// Status code (see [`STATUSES`]).
    pub status: u8,
}

/// Which time a query's window applies to (`time_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeType {
    /// 1: `update_time` (default).
    Update,
    /// 2: `create_time`.
    Create,
    /// 3: `account_date` (order date).
    Account,
    /// 4: delete time; the simulator generates no deleted orders, so nothing matches.
    Delete,
}

/// What a query selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFilter {
    /// The time the window applies to.
    pub time_type: TimeType,
    /// `[from, to_exclusive)` in Unix seconds; `None` = no time filter.
    pub window: Option<(u32, u32)>,
    /// Accepted status codes; `None` = any.
    pub statuses: Option<Vec<u8>>,
    /// `approval=1`: approved orders only.
    pub approval: bool,
    /// `approval_with_draft=1`: drafts count as approved.
    pub with_draft: bool,
    /// `removed=1`: deleted orders only (there are none).
    pub removed: bool,
}

impl OrderFilter {
    fn accepts_status(&self, status: u8) -> bool {
        if let Some(statuses) = &self.statuses
            && !statuses.contains(&status)
        {
            return false;
        }
        if self.approval {
            let approved = APPROVED_STATUSES.contains(&status);
            return approved || (self.with_draft && status == STATUS_DRAFT);
        }
        true
    }
}

/// All orders and the `update_time` index.
#[derive(Debug)]
pub struct OrderStore {
    records: TimedStore<OrderCore>,
}

timed_core!(OrderCore, update_time);

/// Midnight (Beijing, UTC+8) of the day holding `seconds`.
fn beijing_midnight(seconds: u32) -> u32 {
    let shifted = seconds + 8 * 3_600;
    shifted - shifted % 86_400 - 8 * 3_600
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
        let mut rng = stream(seed, "okki.layout", 0);
        let last = range.end - 1;
        let create_times = sorted_times(&mut rng, count, range);
        let mut cores = Vec::with_capacity(create_times.len());
        let mut order_id = ORDER_ID_BASE;
        for create_time in create_times {
            order_id += rng.random_range(1..=7);
            let status = STATUSES[pick_weighted(&mut rng, &STATUS_WEIGHTS)].0;
            let account_date = beijing_midnight(create_time).max(range.start);
            let update_time = create_time
                .saturating_add(rng.random_range(0..=2 * 86_400))
                .min(last);
            cores.push(OrderCore {
                order_id,
                create_time,
                account_date,
                update_time,
                version: 0,
                status,
            });
        }
        Self {
            records: TimedStore::new(cores, 1, range),
        }
    }

    fn time_of(core: &OrderCore, time_type: TimeType) -> Option<u32> {
        match time_type {
            TimeType::Update => Some(core.update_time),
            TimeType::Create => Some(core.create_time),
            TimeType::Account => Some(core.account_date),
            TimeType::Delete => None,
        }
    }

    /// The records `filter` selects that exist at `now`, in `(time, order_id)` order.
    pub fn view(&self, filter: &OrderFilter, now: i64) -> Vec<u32> {
        if filter.removed || filter.time_type == TimeType::Delete {
            return Vec::new();
        }
        let exists = |core: &OrderCore| i64::from(core.update_time) <= now;
        let (from, to_exclusive) = filter.window.unwrap_or((0, u32::MAX));
        if filter.time_type == TimeType::Update {
            return self
                .records
                .by_modified()
                .slice(None, from, to_exclusive)
                .iter()
                .filter(|entry| {
                    let core = self.core(entry.record);
                    exists(&core) && filter.accepts_status(core.status)
                })
                .map(|entry| entry.record)
                .collect();
        }
        let mut matching: Vec<(u32, u32)> = Vec::new();
        for (record, core) in self.records.cores().iter().enumerate() {
            let Some(time) = Self::time_of(core, filter.time_type) else {
                continue;
            };
            if time >= from
                && time < to_exclusive
                && exists(core)
                && filter.accepts_status(core.status)
            {
                matching.push((time, record as u32));
            }
        }
        matching.sort_unstable();
        matching.into_iter().map(|(_, record)| record).collect()
    }

    /// Moves up to `count` orders at view positions `first_candidate..` to a later
    /// `update_time` (past the window's end when possible, never past the data range or
    /// `now`). `choose(low, high)` is the fault RNG. Returns how many orders moved.
    pub fn move_later(
        &mut self,
        filter: &OrderFilter,
        now: i64,
        first_candidate: usize,
        count: u32,
        mut choose: impl FnMut(u64, u64) -> u64,
    ) -> u32 {
        let window_end = match (filter.time_type, filter.window) {
            (TimeType::Update, Some((_, to_exclusive))) => Some(to_exclusive),
            _ => None,
        };
        let mut moved = 0;
        for _ in 0..count {
            let view = self.view(filter, now);
            let Some(position) = pick_candidate(view.len(), first_candidate, &mut choose) else {
                break;
            };
            moved += u32::from(self.records.move_record_later(
                view[position],
                window_end,
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

    fn store() -> OrderStore {
        let range = DataRange {
            start: 1_704_038_400,
            end: 1_704_038_400 + 10 * 86_400,
        };
        OrderStore::generate(3, 500, range)
    }

    fn all() -> OrderFilter {
        OrderFilter {
            time_type: TimeType::Update,
            window: None,
            statuses: None,
            approval: false,
            with_draft: false,
            removed: false,
        }
    }

    #[test]
    fn ids_increase_and_times_stay_in_range() {
        let store = store();
        assert_eq!(store.len(), 500);
        for record in 1..500 {
            assert!(store.core(record).order_id > store.core(record - 1).order_id);
        }
        for record in 0..500 {
            let core = store.core(record);
            assert!(core.update_time >= core.create_time);
            assert!(core.update_time < 1_704_038_400 + 10 * 86_400);
            assert_eq!((core.account_date + 8 * 3_600) % 86_400, 0);
        }
    }

    #[test]
    fn filters_by_window_approval_and_status() {
        let store = store();
        let everything = store.view(&all(), i64::MAX);
        assert_eq!(everything.len(), 500);
        let approved = store.view(
            &OrderFilter {
                approval: true,
                ..all()
            },
            i64::MAX,
        );
        let expected = (0..500)
            .filter(|&r| APPROVED_STATUSES.contains(&store.core(r).status))
            .count();
        assert_eq!(approved.len(), expected);
        let drafts = store.view(
            &OrderFilter {
                statuses: Some(vec![STATUS_DRAFT]),
                ..all()
            },
            i64::MAX,
        );
        assert!(drafts.iter().all(|&r| store.core(r).status == STATUS_DRAFT));
        let with_draft = store.view(
            &OrderFilter {
                approval: true,
                with_draft: true,
                ..all()
            },
            i64::MAX,
        );
        assert_eq!(with_draft.len(), approved.len() + drafts.len());
        let window = (1_704_038_400 + 86_400, 1_704_038_400 + 2 * 86_400);
        let day = store.view(
            &OrderFilter {
                window: Some(window),
                ..all()
            },
            i64::MAX,
        );
        assert!(day.iter().all(|&r| {
            let time = store.core(r).update_time;
            time >= window.0 && time < window.1
        }));
        let removed = OrderFilter {
            removed: true,
            ..all()
        };
        assert!(store.view(&removed, i64::MAX).is_empty());
    }

    #[test]
    fn moves_go_past_the_window_and_keep_the_index_sorted() {
        let mut store = store();
        let window = (1_704_038_400, 1_704_038_400 + 86_400);
        let filter = OrderFilter {
            window: Some(window),
            ..all()
        };
        let before = store.view(&filter, i64::MAX);
        let mut next = 0;
        let moved = store.move_later(&filter, i64::MAX, 0, 3, |low, high| {
            next += 1;
            if next % 2 == 1 { low } else { high }
        });
        assert_eq!(moved, 3);
        let after = store.view(&filter, i64::MAX);
        assert_eq!(after.len(), before.len() - 3);
        let times: Vec<u32> = store
            .view(&all(), i64::MAX)
            .iter()
            .map(|&r| store.core(r).update_time)
            .collect();
        assert!(times.windows(2).all(|pair| pair[0] <= pair[1]));
    }
}
