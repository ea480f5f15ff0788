//! Seeded Jackyun 吉客云 sales orders (销售单) and their rendering (PROTOCOLS.md §1.6).
//!
//! Contract: [`generate`] is a pure function of `(seed, count, range, max_string_len)`: trades
//! come in `gmtCreate` order with unique increasing `tradeId`/`tradeNo`. Each [`Trade`] keeps
//! the times and codes queries filter on plus its full record as a camelCase JSON object (the
//! keys the seed scheme reads: `tradeNo`, `onlineTradeNo`, `tradeStatus`, `tradeType`,
//! `shopName`, `consignTime`, `gmtModified`, …). [`render`] applies the configured key case:
//! camelCase as stored, or PascalCase (`TradeNo`, `GoodsDetail[].GoodsNo`) as the Go clients of
//! §1.6 read them. Amounts are decimal strings with two places; free text carries hostile values
//! now and then ([`crate::framework::hostile`]); unconsigned trades have `consignTime: null`.

use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::framework::data::DataRange;
use crate::framework::hostile::TextPicker;
use crate::framework::rng::stream;
use crate::framework::time::format_datetime;

/// `(tradeStatus, tradeStatusExplain, weight, consigned)` \[I: codes beyond 9090\].
const STATUSES: &[(u32, &str, u32, bool)] = &[
    (1010, "待审核", 10, false),
    (2020, "待发货", 15, false),
    (6000, "已发货", 30, true),
    (9090, "已完成", 40, true),
    (5010, "已取消", 5, false),
];
/// `(tradeType, weight)`; 92 is what seed 000 asks for \[I: type labels unknown\].
const TRADE_TYPES: &[(u32, u32)] = &[(1, 55), (92, 35), (8, 10)];
const SHOPS: &[(&str, &str)] = &[
    ("71234", "天猫旗舰店"),
    ("71235", "京东自营店"),
    ("71236", "抖音小店"),
    ("71237", "拼多多专营店"),
];
const WAREHOUSES: &[&str] = &["杭州仓", "广州仓", "北京仓"];
const GOODS: &[(&str, &str, &str)] = &[
    ("SKU-001", "保温杯", "500ml 白"),
    ("SKU-002", "马克杯", "350ml 蓝"),
    ("SKU-003", "帆布包", "大号 米色"),
    ("SKU-004", "数据线", "1m Type-C"),
    ("SKU-005", "T恤", "L 黑"),
];
const MEMOS: &[&str] = &["请尽快发货", "送礼物，不要放发票", "周末配送", "包装好一点"];
const CITIES: &[(&str, &str)] = &[
    ("浙江省", "杭州市"),
    ("广东省", "深圳市"),
    ("北京", "北京市"),
];

/// How record keys are spelled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyCase {
    /// `tradeNo`, as requested in `fields` and read by the seed scheme (default).
    #[default]
    Camel,
    /// `TradeNo`, as PROTOCOLS.md §1.6's Go clients read them.
    Pascal,
}

/// One trade: what queries filter on, and its record.
#[derive(Debug, Clone, PartialEq)]
pub struct Trade {
    /// `tradeNo`.
    pub trade_no: String,
    /// `onlineTradeNo` (also `sourceTradeNo`).
    pub online_trade_no: String,
    /// `gmtCreate` (Unix seconds).
    pub created: i64,
    /// `auditTime`, if audited.
    pub audited: Option<i64>,
    /// `consignTime`, if consigned.
    pub consigned: Option<i64>,
    /// `gmtModified`.
    pub modified: i64,
    /// `tradeStatus`.
    pub status: u32,
    /// `tradeType`.
    pub trade_type: u32,
    /// The record, camelCase keys.
    pub record: Map<String, Value>,
}

fn pick<T: Copy>(rng: &mut impl Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, weight)| weight).sum();
    let mut roll = rng.random_range(0..total);
    for (value, weight) in table {
        if roll < *weight {
            return *value;
        }
        roll -= weight;
    }
    table[table.len() - 1].0
}

/// Cents as a decimal string with two places.
pub fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn time(seconds: Option<i64>) -> Value {
    seconds.map_or(Value::Null, |seconds| {
        Value::String(format_datetime(seconds))
    })
}

/// Generates `count` trades created within `range`.
pub fn generate(seed: u64, count: u32, range: DataRange, max_string_len: usize) -> Vec<Trade> {
    let mut layout = stream(seed, "jackyun.layout", 0);
    let start = i64::from(range.start);
    let last = i64::from(range.end) - 1;
    let mut created: Vec<i64> = (0..count)
        .map(|_| start + i64::from(layout.random_range(0..range.len_seconds())))
        .collect();
    created.sort_unstable();
    let picker = TextPicker {
        max_len: max_string_len,
    };
    let status_table: Vec<(usize, u32)> = STATUSES
        .iter()
        .enumerate()
        .map(|(position, status)| (position, status.2))
        .collect();
    let mut trades = Vec::with_capacity(created.len());
    for (index, created) in created.into_iter().enumerate() {
        let mut rng = stream(seed, "jackyun.trade", index as u64);
        let (status, explain, _, consigned_status) = STATUSES[pick(&mut rng, &status_table)];
        let trade_type = pick(&mut rng, TRADE_TYPES);
        let audited = (status != 1010).then(|| (created + rng.random_range(60..=7_200)).min(last));
        let consigned = if consigned_status {
            audited.map(|audit| (audit + rng.random_range(600..=2 * 86_400)).min(last))
        } else {
            None
        };
        let settled = consigned.or(audited).unwrap_or(created);
        let modified = (settled + rng.random_range(0..=3 * 3_600)).min(last);
        let trade_id = 2_148_601_000_000_000u64 + index as u64 * 7 + 3;
        let trade_no = format!(
            "JY{}{:06}",
            format_datetime(created)[..10].replace('-', ""),
            index + 1
        );
        let online_trade_no = (3_891_000_000_000_000u64 + index as u64 * 13).to_string();
        let (shop_id, shop_name) = SHOPS[rng.random_range(0..SHOPS.len())];
        let (state, city) = CITIES[rng.random_range(0..CITIES.len())];
        let mut goods = Vec::new();
        let mut total = 0i64;
        for line in 0..rng.random_range(1..=3u32) {
            let (goods_no, goods_name, spec) = GOODS[rng.random_range(0..GOODS.len())];
            let count = rng.random_range(1..=3i64);
            let price = rng.random_range(990..=49_900i64);
            total += price * count;
            goods.push(json!({
                "subTradeId": (line + 1).to_string(),
                "goodsNo": goods_no,
                "goodsName": picker.pick_text(&mut rng, &[goods_name]),
                "specName": spec,
                "barcode": format!("69012345{:05}", rng.random_range(0..100_000)),
                "sellCount": count,
                "sellPrice": money(price),
                "sellTotal": money(price * count),
                "isGift": 0,
            }));
        }
        let post_fee = [0, 600, 1_000][rng.random_range(0..3)];
        let record = json!({
            "tradeId": trade_id.to_string(),
            "tradeNo": trade_no,
            "onlineTradeNo": online_trade_no,
            "sourceTradeNo": online_trade_no,
            "tradeStatus": status,
            "tradeStatusExplain": explain,
            "tradeType": trade_type,
            "shopId": shop_id,
            "shopName": picker.pick_text(&mut rng, &[shop_name]),
            "warehouseName": WAREHOUSES[rng.random_range(0..WAREHOUSES.len())],
            "checkTotal": money(total + post_fee),
            "payment": money(total + post_fee),
            "postFee": money(post_fee),
            "sellerMemo": picker.pick(&mut rng, MEMOS),
            "buyerMemo": picker.pick(&mut rng, MEMOS),
            "customerName": picker.pick_text(&mut rng, &["张三", "李四", "王五"]),
            "state": state,
            "city": city,
            "tradeTime": format_datetime(created),
            "gmtCreate": format_datetime(created),
            "auditTime": time(audited),
            "consignTime": time(consigned),
            "gmtModified": format_datetime(modified),
            "isDelete": 0,
            "goodsDetail": goods,
        });
        let Value::Object(record) = record else {
            unreachable!("json! of an object literal is an object");
        };
        trades.push(Trade {
            trade_no,
            online_trade_no,
            created,
            audited,
            consigned,
            modified,
            status,
            trade_type,
            record,
        });
    }
    trades
}

fn pascal(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn recase(value: &Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, value)| (pascal(key), recase(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(recase).collect()),
        other => other.clone(),
    }
}

/// The trade as the API returns it.
pub fn render(trade: &Trade, case: KeyCase) -> Value {
    let record = Value::Object(trade.record.clone());
    match case {
        KeyCase::Camel => record,
        KeyCase::Pascal => recase(&record),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range() -> DataRange {
        DataRange {
            start: 1_704_038_400,
            end: 1_704_038_400 + 10 * 86_400,
        }
    }

    #[test]
    fn generation_is_deterministic_and_ordered() {
        let first = generate(3, 200, range(), 255);
        assert_eq!(first, generate(3, 200, range(), 255));
        assert_ne!(first, generate(4, 200, range(), 255));
        assert!(
            first
                .windows(2)
                .all(|pair| pair[0].created <= pair[1].created)
        );
        assert!(first.iter().all(|trade| trade.modified >= trade.created));
        assert!(first.iter().any(|trade| trade.trade_type == 92));
        assert!(first.iter().any(|trade| trade.consigned.is_none()));
        let consigned = first
            .iter()
            .find(|trade| trade.consigned.is_some())
            .unwrap();
        assert!(consigned.record["consignTime"].is_string());
    }

    #[test]
    fn pascal_case_renames_nested_keys() {
        let trade = &generate(3, 1, range(), 255)[0];
        let pascal = render(trade, KeyCase::Pascal);
        assert_eq!(pascal["TradeNo"], trade.record["tradeNo"]);
        assert_eq!(
            pascal["GoodsDetail"][0]["GoodsNo"],
            trade.record["goodsDetail"][0]["goodsNo"]
        );
        assert_eq!(money(19_905), "199.05");
    }
}
