//! Unit tests of the order store: generation invariants, views, visibility and moves.

use super::*;
use crate::jushuitan::query::Window;

fn range() -> DataRange {
    DataRange {
        start: 1_704_038_400,
        end: 1_704_038_400 + 10 * 86_400,
    }
}

fn all_visible() -> Visibility {
    Visibility {
        now: i64::MAX / 2,
        seed: 1,
        late_probability: 0.0,
        late_delay: 0,
    }
}

fn window_filter(from: u32, to_exclusive: u32) -> OrderFilter {
    OrderFilter {
        date_type: DateType::Modified,
        status: None,
        window: Some(Window { from, to_exclusive }),
        records: None,
    }
}

fn view_records(store: &OrderStore, filter: &OrderFilter, visibility: &Visibility) -> Vec<u32> {
    let view = store.view(filter, visibility);
    (0..view.len())
        .map(|position| view.record_at(position))
        .collect()
}

#[test]
fn generated_orders_are_consistent() {
    let store = OrderStore::generate(3, 2_000, range());
    assert_eq!(store.len(), 2_000);
    let mut previous: Option<OrderCore> = None;
    for record in 0..2_000u32 {
        let core = store.core(record);
        assert!((range().start..range().end).contains(&core.order_date));
        assert!(core.modified >= core.order_date && core.modified < range().end);
        assert!(core.pay_date == 0 || core.pay_date >= core.order_date);
        assert!(core.send_date == 0 || core.send_date >= core.pay_date);
        assert!(core.modified >= core.pay_date.max(core.send_date));
        assert!((1..=5).contains(&core.item_count));
        assert_eq!(
            core.send_date != 0,
            core.status == crate::jushuitan::text::STATUS_SENT
        );
        if let Some(previous) = previous {
            assert!(core.o_id > previous.o_id);
            assert_eq!(
                core.first_oi_id,
                previous.first_oi_id + u32::from(previous.item_count)
            );
            assert!(core.order_date >= previous.order_date);
        }
        assert_eq!(store.find_o_id(core.o_id), Some(record));
        previous = Some(core);
    }
    assert_eq!(store.find_o_id(1), None);
}

#[test]
fn view_is_the_window_in_time_then_key_order() {
    let store = OrderStore::generate(3, 2_000, range());
    let from = range().start + 86_400;
    let filter = window_filter(from, from + 2 * 86_400);
    let records = view_records(&store, &filter, &all_visible());
    let mut expected: Vec<(u32, u32)> = (0..2_000u32)
        .map(|record| (store.core(record).modified, record))
        .filter(|(modified, _)| (from..from + 2 * 86_400).contains(modified))
        .collect();
    expected.sort_unstable();
    let expected: Vec<u32> = expected.into_iter().map(|(_, record)| record).collect();
    assert!(!expected.is_empty());
    assert_eq!(records, expected);
}

#[test]
fn records_are_invisible_before_modified_and_late_ones_later() {
    let store = OrderStore::generate(3, 500, range());
    let filter = window_filter(range().start, range().end);
    let everything = view_records(&store, &filter, &all_visible()).len();
    assert_eq!(everything, 500);
    let middle = i64::from(range().start) + 5 * 86_400;
    let at_middle = Visibility {
        now: middle,
        ..all_visible()
    };
    let existing = (0..500u32)
        .filter(|&r| i64::from(store.core(r).modified) <= middle)
        .count();
    assert_eq!(store.view(&filter, &at_middle).len(), existing);
    let late = Visibility {
        now: middle,
        late_probability: 0.5,
        late_delay: 86_400,
        ..all_visible()
    };
    let view = store.view(&filter, &late);
    let recent = (0..500u32)
        .filter(|&r| (middle - 86_400..=middle).contains(&i64::from(store.core(r).modified)))
        .count();
    assert!(
        view.hidden > 0 && view.hidden < recent,
        "hidden {} of {recent}",
        view.hidden
    );
    assert_eq!(view.len() + view.hidden, existing);
}

#[test]
fn moves_push_unserved_records_past_the_window() {
    let mut store = OrderStore::generate(3, 1_000, range());
    let from = range().start;
    let filter = window_filter(from, from + 3 * 86_400);
    let visibility = all_visible();
    let before = view_records(&store, &filter, &visibility);
    let mut calls = 0;
    let moved = store.move_later(&filter, &visibility, 10, 1, |low, high| {
        calls += 1;
        if calls == 1 { low } else { high }
    });
    assert_eq!(moved, 1);
    let moved_record = before[10];
    let core = store.core(moved_record);
    assert_eq!(core.modified, range().end - 1);
    assert_eq!(core.version, 1);
    let after = view_records(&store, &filter, &visibility);
    let mut expected = before.clone();
    expected.remove(10);
    assert_eq!(after, expected);
    // The whole-range view still holds every order exactly once.
    let whole = view_records(&store, &window_filter(0, u32::MAX), &visibility);
    assert_eq!(whole.len(), 1_000);
    assert!(whole.contains(&moved_record));
    // Nothing to move once everything is served.
    assert_eq!(
        store.move_later(&filter, &visibility, after.len(), 1, |low, _| low),
        0
    );
}
