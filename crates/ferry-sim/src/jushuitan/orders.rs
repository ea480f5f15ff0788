//! Rendering one Jushuitan order (PROTOCOLS.md §3.3 field names) from its stored core.
//!
//! Contract: [`render`] is a pure function of `(seed, record index, core, settings)`: every
//! field not in [`OrderCore`] is regenerated from the record's own ChaCha stream, so the same
//! order renders byte-identically every time, and a move (new `modified`, new `version`)
//! changes only `modified` and `ts`. Amounts are decimal strings with two places and add up:
//! `pay_amount = Σ items.amount + freight − free_amount`. Free-text fields carry hostile
//! values now and then (see [`crate::framework::hostile`]).

use std::borrow::Cow;

use rand::Rng;
use serde::Serialize;

use crate::framework::hostile::TextPicker;
use crate::framework::rng::{SimRng, stream};
use crate::framework::time::format_datetime;
use crate::jushuitan::query::SO_ID_BASE;
use crate::jushuitan::store::{OrderCore, pick_weighted};
use crate::jushuitan::text::{
    ADDRESSES, BUYER_MESSAGES, BUYER_NICKS, CARRIERS, CREATORS, INVOICE_TITLES, ITEM_EXT, LABELS,
    NODES, ORDER_TYPE_WEIGHTS, ORDER_TYPES, PAYMENTS, PRODUCTS, QUESTION_DESCS, QUESTION_TYPES,
    REMARKS, SHOP_WEIGHTS, SHOPS, SKU_COUNT, STATUS_QUESTION, STATUS_SENT, STATUSES, shop_status,
};

type Text = Cow<'static, str>;

/// Settings that shape rendering but are not per order.
#[derive(Debug, Clone, Copy)]
pub struct RenderSettings {
    /// Run seed.
    pub seed: u64,
    /// `co_id` of every order.
    pub co_id: u64,
    /// Longest generated string, in characters.
    pub max_string_len: usize,
}

/// One order as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderJson {
    co_id: u64,
    shop_id: u64,
    shop_name: &'static str,
    o_id: u64,
    so_id: String,
    order_date: String,
    created: String,
    pay_date: Option<String>,
    send_date: Option<String>,
    modified: String,
    plan_delivery_date: String,
    end_time: Option<String>,
    status: &'static str,
    shop_status: &'static str,
    question_type: Option<Text>,
    question_desc: Option<Text>,
    #[serde(rename = "type")]
    order_type: &'static str,
    order_from: &'static str,
    is_cod: bool,
    pay_amount: String,
    paid_amount: String,
    freight: String,
    free_amount: String,
    invoice_amount: String,
    invoice_title: Option<Text>,
    invoice_type: Option<&'static str>,
    invoice_data: Option<String>,
    buyer_tax_no: Option<String>,
    buyer_message: Option<Text>,
    remark: Option<Text>,
    seller_flag: u8,
    labels: String,
    l_id: Option<String>,
    logistics_company: Option<&'static str>,
    lc_id: Option<&'static str>,
    wms_co_id: u64,
    drp_co_id_to: Option<u64>,
    drp_info: Option<String>,
    referrer_id: Option<String>,
    receiver_state: &'static str,
    receiver_city: &'static str,
    receiver_district: &'static str,
    shop_buyer_id: Text,
    open_id: Option<String>,
    oaid: Option<String>,
    node: Option<Text>,
    creator_name: Text,
    ts: u64,
    items: Vec<ItemJson>,
    pays: Vec<PayJson>,
}

/// One order line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemJson {
    oi_id: u64,
    outer_oi_id: String,
    sku_id: String,
    shop_sku_id: String,
    i_id: String,
    name: Text,
    properties_value: Text,
    qty: u32,
    price: String,
    base_price: String,
    amount: String,
    item_status: &'static str,
    is_gift: &'static str,
    raw_so_id: String,
    item_ext_data: Option<Text>,
    refund_status: &'static str,
    refund_qty: u32,
}

/// One payment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayJson {
    pay_id: String,
    outer_pay_id: String,
    pay_date: String,
    amount: String,
    payment: &'static str,
    status: &'static str,
    is_order_pay: bool,
    buyer_account: Text,
}

/// Cents as a decimal string with two places (`-` for negatives).
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

fn hex_id(rng: &mut SimRng, len: usize) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    (0..len)
        .map(|_| char::from(DIGITS[rng.random_range(0..16)]))
        .collect()
}

fn opt_time(seconds: u32) -> Option<String> {
    (seconds != 0).then(|| format_datetime(i64::from(seconds)))
}

fn items(
    rng: &mut SimRng,
    picker: &TextPicker,
    core: &OrderCore,
    so_id: &str,
) -> (Vec<ItemJson>, i64) {
    let status = STATUSES[usize::from(core.status)];
    let mut lines = Vec::with_capacity(usize::from(core.item_count));
    let mut total = 0i64;
    for line in 0..u32::from(core.item_count) {
        let sku = rng.random_range(0..SKU_COUNT);
        let (product, properties) = PRODUCTS[(sku as usize) % PRODUCTS.len()];
        let base_cents = 990 + i64::from(sku * 7_919 % 49_000);
        let is_gift = line > 0 && rng.random_bool(0.08);
        let qty = rng.random_range(1..=3u32);
        let price_cents = if is_gift {
            0
        } else {
            base_cents - base_cents * rng.random_range(0..=30) / 100
        };
        let amount_cents = price_cents * i64::from(qty);
        total += amount_cents;
        let name = match picker.pick(rng, &[product]) {
            Some(name) if !name.is_empty() => name,
            _ => Cow::Borrowed(product),
        };
        lines.push(ItemJson {
            oi_id: u64::from(core.first_oi_id + line),
            outer_oi_id: format!("{so_id}{line:02}"),
            sku_id: format!("SKU-{sku:05}"),
            shop_sku_id: (1_000_000_000u64 + u64::from(sku) * 7_919).to_string(),
            i_id: format!("STYLE-{:03}", sku / 3),
            name,
            properties_value: picker.pick_text(rng, &[properties]),
            qty,
            price: money(price_cents),
            base_price: money(base_cents),
            amount: money(amount_cents),
            item_status: status,
            is_gift: if is_gift { "true" } else { "false" },
            raw_so_id: so_id.to_owned(),
            item_ext_data: picker.pick(rng, ITEM_EXT),
            refund_status: "none",
            refund_qty: 0,
        });
    }
    (lines, total)
}

fn labels(rng: &mut SimRng) -> String {
    let mut chosen: Vec<&str> = Vec::new();
    if rng.random_bool(0.10) {
        chosen.push(LABELS[0]);
    }
    for label in &LABELS[1..] {
        if rng.random_bool(0.05) {
            chosen.push(label);
        }
    }
    chosen.join(",")
}

/// Renders order `record` in its current state.
pub fn render(settings: &RenderSettings, record: u32, core: &OrderCore) -> OrderJson {
    let mut rng = stream(settings.seed, "jushuitan.order", u64::from(record));
    let picker = TextPicker {
        max_len: settings.max_string_len,
    };
    let shop = &SHOPS[pick_weighted(&mut rng, &SHOP_WEIGHTS)];
    let order_type = ORDER_TYPES[pick_weighted(&mut rng, &ORDER_TYPE_WEIGHTS)];
    let (state, city, district) = ADDRESSES[rng.random_range(0..ADDRESSES.len())];
    let so_id = (SO_ID_BASE + u64::from(core.o_id)).to_string();
    let (items, items_total) = items(&mut rng, &picker, core, &so_id);
    let freight = if rng.random_bool(0.3) {
        [600, 800, 1_000][rng.random_range(0..3)]
    } else {
        0
    };
    let free = if rng.random_bool(0.4) {
        items_total * rng.random_range(1..=20) / 100
    } else {
        0
    };
    let pay_cents = items_total + freight - free;
    let paid = core.pay_date != 0;
    let invoice_title = picker.pick(&mut rng, INVOICE_TITLES);
    let has_invoice = invoice_title
        .as_deref()
        .is_some_and(|title| !title.is_empty());
    let carrier = CARRIERS[rng.random_range(0..CARRIERS.len())];
    let sent = core.status == STATUS_SENT;
    let question = core.status == STATUS_QUESTION;
    let is_distribution = order_type == "分销订单";
    let mut pays = Vec::new();
    if paid {
        let pay_time = format_datetime(i64::from(core.pay_date));
        let compact: String = pay_time
            .chars()
            .filter(char::is_ascii_digit)
            .take(8)
            .collect();
        pays.push(PayJson {
            pay_id: format!("{}01", core.o_id),
            outer_pay_id: format!("{compact}{}", 22_000_000_000u64 + u64::from(core.o_id)),
            pay_date: pay_time,
            amount: money(pay_cents),
            payment: PAYMENTS[rng.random_range(0..PAYMENTS.len())],
            status: "Confirmed",
            is_order_pay: true,
            buyer_account: picker.pick_text(&mut rng, BUYER_NICKS),
        });
    }
    OrderJson {
        co_id: settings.co_id,
        shop_id: shop.id,
        shop_name: shop.name,
        o_id: u64::from(core.o_id),
        so_id: so_id.clone(),
        order_date: format_datetime(i64::from(core.order_date)),
        created: format_datetime(i64::from(core.order_date)),
        pay_date: opt_time(core.pay_date),
        send_date: opt_time(core.send_date),
        modified: format_datetime(i64::from(core.modified)),
        plan_delivery_date: format_datetime(i64::from(core.order_date) + 48 * 3_600),
        end_time: (sent && rng.random_bool(0.5)).then(|| format_datetime(i64::from(core.modified))),
        status: STATUSES[usize::from(core.status)],
        shop_status: shop_status(core.status),
        question_type: if question {
            picker.pick(&mut rng, QUESTION_TYPES)
        } else {
            None
        },
        question_desc: if question {
            picker.pick(&mut rng, QUESTION_DESCS)
        } else {
            None
        },
        order_type,
        order_from: shop.order_from,
        is_cod: rng.random_bool(0.02),
        pay_amount: money(pay_cents),
        paid_amount: money(if paid { pay_cents } else { 0 }),
        freight: money(freight),
        free_amount: money(free),
        invoice_amount: money(if has_invoice { pay_cents } else { 0 }),
        invoice_type: has_invoice.then_some("电子普通发票"),
        invoice_data: has_invoice.then(|| {
            format!(
                "{{\"title_type\":\"{}\"}}",
                if rng.random_bool(0.5) {
                    "个人"
                } else {
                    "企业"
                }
            )
        }),
        buyer_tax_no: has_invoice
            .then(|| format!("91310000MA1{}", hex_id(&mut rng, 7).to_uppercase())),
        invoice_title,
        buyer_message: picker.pick(&mut rng, BUYER_MESSAGES),
        remark: picker.pick(&mut rng, REMARKS),
        seller_flag: rng.random_range(0..=5),
        labels: labels(&mut rng),
        l_id: sent.then(|| {
            format!(
                "{}{}",
                carrier.1,
                1_000_000_000_000u64 + u64::from(core.o_id) * 97
            )
        }),
        logistics_company: sent.then_some(carrier.0),
        lc_id: sent.then_some(carrier.2),
        wms_co_id: 10_005_678,
        drp_co_id_to: is_distribution.then_some(10_009_999),
        drp_info: is_distribution.then(|| "{\"drp_co_name\":\"某某分销商\"}".to_owned()),
        referrer_id: rng
            .random_bool(0.05)
            .then(|| format!("R{}", rng.random_range(1_000..10_000))),
        receiver_state: state,
        receiver_city: city,
        receiver_district: district,
        shop_buyer_id: picker.pick_text(&mut rng, BUYER_NICKS),
        open_id: rng.random_bool(0.5).then(|| hex_id(&mut rng, 24)),
        oaid: rng.random_bool(0.5).then(|| hex_id(&mut rng, 32)),
        node: picker.pick(&mut rng, NODES),
        creator_name: picker.pick_text(&mut rng, CREATORS),
        ts: u64::from(core.modified) * 1_000 + u64::from(core.version % 1_000),
        items,
        pays,
    }
}

#[cfg(test)]
mod tests;
