//! Rendering one WDT enterprise stockout (PROTOCOLS.md §4.2 field names) from its stored core.
//!
//! Contract: [`render`] is a pure function of `(seed, record index, core, settings)`: every
//! field not in [`StockoutCore`] is regenerated from the record's own ChaCha stream, so a
//! record renders byte-identically every time and a move changes only `modified` (of the
//! stockout and its details). Amounts are decimal strings with four places (`"199.0000"`) that
//! add up: `receivable = Σ details.total_amount + post_amount − discount`. Free-text fields
//! (`invoice_title`, `invoice_content`, remarks, goods names) carry hostile values now and then
//! (quotes, backslashes, emoji, NULL, very long), see [`crate::framework::hostile`].

use std::borrow::Cow;

use rand::Rng;
use serde::Serialize;

use crate::framework::hostile::TextPicker;
use crate::framework::rng::{SimRng, stream};
use crate::framework::time::format_datetime;
use crate::wdt::store::StockoutCore;
use crate::wdt::text::{
    CS_REMARKS, GOODS, INVOICE_CONTENTS, INVOICE_TITLES, REMARKS, SHOPS, STATUSES, WAREHOUSES,
};

type Text = Cow<'static, str>;

/// First online trade id minus the `stockout_id` (`src_tid = SRC_TID_BASE + stockout_id`).
pub const SRC_TID_BASE: u64 = 3_891_000_000_000_000;

/// Settings that shape rendering but are not per record.
#[derive(Debug, Clone, Copy)]
pub struct RenderSettings {
    /// Run seed.
    pub seed: u64,
    /// Longest generated string, in characters.
    pub max_string_len: usize,
}

/// One stockout as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockoutJson {
    stockout_id: u64,
    order_no: String,
    stockout_no: String,
    src_order_no: String,
    src_tids: String,
    trade_no: String,
    trade_id: u64,
    status: u16,
    trade_status: u16,
    trade_type: u8,
    order_type: u8,
    order_type_name: &'static str,
    shop_no: &'static str,
    shop_name: &'static str,
    platform_id: u32,
    warehouse_no: &'static str,
    warehouse_name: &'static str,
    warehouse_id: u32,
    goods_count: String,
    goods_total_amount: String,
    receivable: String,
    paid: String,
    post_amount: String,
    discount: String,
    currency: &'static str,
    invoice_type: u8,
    invoice_title: Option<Text>,
    invoice_content: Option<Text>,
    remark: Option<Text>,
    cs_remark: Text,
    trade_time: String,
    pay_time: String,
    consign_time: Option<String>,
    created: String,
    modified: String,
    details_list: Vec<DetailJson>,
}

/// One detail line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetailJson {
    rec_id: u64,
    stockout_id: u64,
    spec_no: String,
    goods_no: &'static str,
    goods_name: Text,
    spec_name: &'static str,
    barcode: String,
    sell_price: String,
    goods_count: String,
    total_amount: String,
    gift_type: u8,
    src_tid: String,
    modified: String,
}

/// Cents as a decimal string with four places, e.g. `199.0000`.
pub fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}00", cents / 100, cents % 100)
}

fn details(
    rng: &mut SimRng,
    picker: &TextPicker,
    core: &StockoutCore,
    src_tid: &str,
    modified: &str,
) -> (Vec<DetailJson>, i64, u32) {
    let mut lines = Vec::with_capacity(usize::from(core.detail_count));
    let (mut total, mut count) = (0i64, 0u32);
    for line in 0..u32::from(core.detail_count) {
        let goods = rng.random_range(0..GOODS.len());
        let (goods_no, name, spec, price) = GOODS[goods];
        let is_gift = line > 0 && rng.random_bool(0.1);
        let quantity = rng.random_range(1..=3u32);
        let price = if is_gift { 0 } else { price };
        let line_total = price * i64::from(quantity);
        total += line_total;
        count += quantity;
        lines.push(DetailJson {
            rec_id: u64::from(core.first_rec_id + line),
            stockout_id: u64::from(core.stockout_id),
            spec_no: format!("{goods_no}-{}", goods + 1),
            goods_no,
            goods_name: match picker.pick(rng, &[name]) {
                Some(text) if !text.is_empty() => text,
                _ => Cow::Borrowed(name),
            },
            spec_name: spec,
            barcode: format!("69012345{:05}", goods * 7 + 11),
            sell_price: amount(price),
            goods_count: format!("{quantity}.0000"),
            total_amount: amount(line_total),
            gift_type: u8::from(is_gift),
            src_tid: src_tid.to_owned(),
            modified: modified.to_owned(),
        });
    }
    (lines, total, count)
}

/// Renders record `record` in its current state.
pub fn render(settings: &RenderSettings, record: u32, core: &StockoutCore) -> StockoutJson {
    let mut rng = stream(settings.seed, "wdt.stockout", u64::from(record));
    let picker = TextPicker {
        max_len: settings.max_string_len,
    };
    let shop = &SHOPS[usize::from(core.shop)];
    let (warehouse_no, warehouse_name, warehouse_id) = WAREHOUSES[usize::from(core.warehouse)];
    let id = core.stockout_id;
    let src_tid = (SRC_TID_BASE + u64::from(id)).to_string();
    let modified = format_datetime(i64::from(core.modified));
    let (details_list, goods_total, goods_count) =
        details(&mut rng, &picker, core, &src_tid, &modified);
    let post = if rng.random_bool(0.3) { 800 } else { 0 };
    let discount = if rng.random_bool(0.3) {
        goods_total * rng.random_range(1..=15) / 100
    } else {
        0
    };
    let receivable = goods_total + post - discount;
    let trade_time = i64::from(core.created) - rng.random_range(600..=86_400);
    let status = STATUSES[usize::from(core.status)];
    let shipped = status >= 95;
    let invoice_title = picker.pick(&mut rng, INVOICE_TITLES);
    let has_invoice = invoice_title
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty());
    let invoice_content = if has_invoice {
        picker.pick(&mut rng, INVOICE_CONTENTS)
    } else {
        Some(Cow::Borrowed(""))
    };
    StockoutJson {
        stockout_id: u64::from(id),
        order_no: format!("CK{id}"),
        stockout_no: format!("CK{id}"),
        src_order_no: format!("JY{id}"),
        src_tids: src_tid,
        trade_no: format!("JY{id}"),
        trade_id: 998_000 + u64::from(id),
        status,
        trade_status: status,
        trade_type: 1,
        order_type: 1,
        order_type_name: "销售订单",
        shop_no: shop.no,
        shop_name: shop.name,
        platform_id: shop.platform_id,
        warehouse_no,
        warehouse_name,
        warehouse_id,
        goods_count: format!("{goods_count}.0000"),
        goods_total_amount: amount(goods_total),
        receivable: amount(receivable),
        paid: amount(receivable),
        post_amount: amount(post),
        discount: amount(discount),
        currency: "",
        invoice_type: u8::from(has_invoice),
        invoice_title,
        invoice_content,
        remark: picker.pick(&mut rng, REMARKS),
        cs_remark: picker.pick_text(&mut rng, CS_REMARKS),
        trade_time: format_datetime(trade_time),
        pay_time: format_datetime(trade_time + 20),
        consign_time: shipped.then(|| format_datetime(i64::from(core.created) + 1_800)),
        created: format_datetime(i64::from(core.created)),
        modified,
        details_list,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core() -> StockoutCore {
        StockoutCore {
            stockout_id: 412_345,
            first_rec_id: 7_654_321,
            created: 1_704_099_600,
            modified: 1_704_102_005,
            version: 0,
            status: 2,
            shop: 1,
            warehouse: 0,
            detail_count: 2,
        }
    }

    #[test]
    fn renders_deterministically_with_consistent_amounts() {
        let settings = RenderSettings {
            seed: 9,
            max_string_len: 255,
        };
        let first = serde_json::to_value(render(&settings, 4, &core())).unwrap();
        let again = serde_json::to_value(render(&settings, 4, &core())).unwrap();
        assert_eq!(first, again);
        assert_eq!(first["stockout_no"], "CK412345");
        assert_eq!(first["src_tids"], "3891000000412345");
        assert_eq!(first["shop_no"], "002");
        assert_eq!(first["status"], 95);
        assert_eq!(first["modified"], "2024-01-01 17:40:05");
        let details = first["details_list"].as_array().unwrap();
        assert_eq!(details.len(), 2);
        assert_eq!(details[0]["rec_id"], 7_654_321);
        let cents = |value: &serde_json::Value| {
            let text = value.as_str().unwrap().replace('.', "");
            text.parse::<i64>().unwrap() / 100
        };
        let lines: i64 = details.iter().map(|d| cents(&d["total_amount"])).sum();
        assert_eq!(cents(&first["goods_total_amount"]), lines);
        assert_eq!(
            cents(&first["receivable"]),
            lines + cents(&first["post_amount"]) - cents(&first["discount"])
        );
    }

    #[test]
    fn amounts_have_four_places() {
        assert_eq!(amount(19_900), "199.0000");
        assert_eq!(amount(5), "0.0500");
        assert_eq!(amount(-120), "-1.2000");
    }
}
