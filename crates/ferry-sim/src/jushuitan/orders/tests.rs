//! Unit tests of order rendering: determinism, consistency of amounts and ids, hostile values.

use super::*;
use crate::framework::data::DataRange;
use crate::framework::hostile::HOSTILE;
use crate::jushuitan::store::OrderStore;

const SETTINGS: RenderSettings = RenderSettings {
    seed: 11,
    co_id: 10_000_001,
    max_string_len: 255,
};

fn store() -> OrderStore {
    OrderStore::generate(
        11,
        3_000,
        DataRange {
            start: 1_704_038_400,
            end: 1_706_630_400,
        },
    )
}

fn cents(text: &str) -> i64 {
    let (units, fraction) = text.split_once('.').unwrap();
    assert_eq!(fraction.len(), 2, "{text}");
    let value = units.trim_start_matches('-').parse::<i64>().unwrap() * 100
        + fraction.parse::<i64>().unwrap();
    if text.starts_with('-') { -value } else { value }
}

#[test]
fn money_has_two_places() {
    assert_eq!(money(0), "0.00");
    assert_eq!(money(19_900), "199.00");
    assert_eq!(money(5), "0.05");
    assert_eq!(money(-1_234), "-12.34");
}

#[test]
fn rendering_is_deterministic_and_consistent() {
    let store = store();
    for record in 0..3_000u32 {
        let core = store.core(record);
        let order = render(&SETTINGS, record, &core);
        assert_eq!(order, render(&SETTINGS, record, &core));
        assert_eq!(order.o_id, u64::from(core.o_id));
        assert_eq!(order.items.len(), usize::from(core.item_count));
        let item_total: i64 = order.items.iter().map(|item| cents(&item.amount)).sum();
        assert_eq!(
            cents(&order.pay_amount),
            item_total + cents(&order.freight) - cents(&order.free_amount)
        );
        for (line, item) in order.items.iter().enumerate() {
            assert_eq!(item.oi_id, u64::from(core.first_oi_id) + line as u64);
            assert_eq!(
                cents(&item.amount),
                cents(&item.price) * i64::from(item.qty)
            );
            assert_eq!(item.raw_so_id, order.so_id);
        }
        assert_eq!(order.pays.is_empty(), core.pay_date == 0);
        for text in [&order.buyer_message, &order.remark, &order.invoice_title]
            .into_iter()
            .flatten()
        {
            assert!(text.chars().count() <= 255);
        }
    }
}

#[test]
fn a_move_changes_only_modified_and_ts() {
    let store = store();
    let core = store.core(42);
    let before = render(&SETTINGS, 42, &core);
    let moved = OrderCore {
        modified: core.modified + 3_600,
        version: 1,
        ..core
    };
    let after = render(&SETTINGS, 42, &moved);
    assert_ne!(before.modified, after.modified);
    assert_eq!(after.ts, u64::from(moved.modified) * 1_000 + 1);
    let mut before_json = serde_json::to_value(&before).unwrap();
    let mut after_json = serde_json::to_value(&after).unwrap();
    for json in [&mut before_json, &mut after_json] {
        let object = json.as_object_mut().unwrap();
        object.remove("modified");
        object.remove("ts");
        object.remove("end_time");
    }
    assert_eq!(before_json, after_json);
}

#[test]
fn data_carries_hostile_values_and_the_seed_002_filters() {
    let store = store();
    let lines: Vec<String> = (0..3_000u32)
        .map(|record| {
            serde_json::to_string(&render(&SETTINGS, record, &store.core(record))).unwrap()
        })
        .collect();
    let all = lines.join("\n");
    assert!(all.contains("线上发货"));
    assert!(all.contains("头条放心购"));
    assert!(all.contains(r#""buyer_message":null"#));
    assert!(all.contains(r#""remark":"""#));
    assert!(all.contains("DROP TABLE"));
    assert!(all.contains("🎉"));
    for hostile in [
        "O'Brien'); DROP TABLE x; --",
        "emoji 🎉🚀 支付宝",
        "{o_id}-{{LAST_SYNC_TIME}}",
    ] {
        assert!(HOSTILE.contains(&hostile));
        let encoded = serde_json::to_string(hostile).unwrap();
        assert!(all.contains(&encoded), "{hostile} never generated");
    }
    let longest = lines
        .iter()
        .flat_map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["remark"]
                .as_str()
                .map(|s| s.chars().count())
        })
        .max()
        .unwrap();
    assert_eq!(longest, 255);
}
