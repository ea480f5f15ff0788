//! Rendering one WDT flagship refund (退换单, PROTOCOLS.md §5.2 field names) from its core.
//!
//! Contract: [`render`] is a pure function of `(settings, record index, core, route)`: every
//! field not in [`RefundCore`] is regenerated from the record's own ChaCha stream, so a refund
//! renders byte-identically every time and a move changes only `modified`/`modified_date`
//! (and each detail's `modified`). Amounts are decimal strings with two places and add up:
//! `actual_refund_amount = Σ detail_list.refund_amount`. Free-text fields carry hostile values
//! now and then ([`crate::framework::hostile`]); optional fields may be JSON null. `created` and
//! `modified` follow [`TimeFormat`]; other times are always text, `""` when unset (as the doc).
//! The Qimen route renders `wms_code` as null (not returned there), the native route as text.

use std::borrow::Cow;

use rand::Rng;
use serde_json::{Map, Value, json};

use crate::framework::hostile::TextPicker;
use crate::framework::rng::{SimRng, stream};
use crate::framework::time::format_datetime;
use crate::wdt_flagship::TimeFormat;
use crate::wdt_flagship::store::RefundCore;

/// Settings that shape rendering but are not per refund.
#[derive(Debug, Clone, Copy)]
pub struct RenderSettings {
    /// Run seed.
    pub seed: u64,
    /// Longest generated string, in characters.
    pub max_string_len: usize,
    /// How `created`/`modified` are rendered.
    pub time_format: TimeFormat,
}

/// Which gateway renders the refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Qimen custom API (no `wms_code`).
    Qimen,
    /// Native `/openapi`.
    Native,
}

const SHOPS: &[(&str, u32, u32)] = &[("ZY01", 12, 127), ("TM02", 15, 1), ("JD03", 21, 3)];
const REASONS: &[&str] = &[
    "七天无理由",
    "质量问题",
    "尺码不合适",
    "少件/漏发",
    "与描述不符",
];
const BUYERS: &[&str] = &["小明", "tb_buyer_01", "王五🎉", "李四", "o'neil"];
const RECEIVERS: &[&str] = &["张三", "李雷", "韩梅梅", "Zoë"];
const REMARKS: &[&str] = &[
    "客户要求尽快处理",
    "已联系快递",
    "部分退款",
    "备注\\含反斜杠",
];
const OPERATORS: &[&str] = &["客服A", "客服B", "系统"];
const LOGISTICS: &[(&str, &str)] = &[("顺丰速运", "SF"), ("中通快递", "ZTO"), ("圆通速递", "YTO")];
const GOODS: &[(&str, &str)] = &[
    ("纯棉T恤", "白色 L"),
    ("牛仔裤 \"修身\"", "蓝色 32"),
    ("保温杯", "500ml"),
    ("蓝牙耳机", "黑色"),
];
/// `type`: 1 售前退款, 2 退货, 3 换货, 4 退款不退货, 6 保价退款.
const TYPES: &[u8] = &[1, 2, 2, 2, 3, 4, 6];
/// `status`: 10 已取消 … 90 已完成.
const STATUSES: &[u8] = &[10, 20, 30, 40, 80, 90, 90, 90];

/// Cents as a decimal string with two places.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

fn time_value(format: TimeFormat, seconds: u32) -> Value {
    match format {
        TimeFormat::EpochMs => json!(u64::from(seconds) * 1_000),
        TimeFormat::Text => json!(format_datetime(i64::from(seconds))),
    }
}

fn text(value: Option<Cow<'static, str>>) -> Value {
    value.map_or(Value::Null, |text| Value::String(text.into_owned()))
}

fn details(
    rng: &mut SimRng,
    picker: &TextPicker,
    settings: &RenderSettings,
    core: &RefundCore,
    ids: (&str, &str, u32),
) -> (Vec<Value>, i64) {
    let (tid, trade_no, platform_id) = ids;
    let mut lines = Vec::with_capacity(usize::from(core.detail_count));
    let mut total = 0i64;
    for line in 0..u32::from(core.detail_count) {
        let sku = rng.random_range(0..400u32);
        let (goods, spec) = GOODS[(sku as usize) % GOODS.len()];
        let price_cents = 990 + i64::from(sku * 7_919 % 49_000);
        let num = rng.random_range(1..=3u32);
        let refund_num = rng.random_range(1..=num);
        let refund_cents = price_cents * i64::from(refund_num);
        total += refund_cents;
        lines.push(json!({
            "rec_id": core.first_rec_id + line,
            "refund_id": core.refund_id,
            "platform_id": platform_id,
            "oid": format!("{tid}-{line}"),
            "tid": tid,
            "trade_no": trade_no,
            "num": num,
            "price": money(price_cents),
            "original_price": money(price_cents + 500),
            "checked_cost_price": money(price_cents / 2),
            "refund_num": refund_num,
            "total_amount": money(price_cents * i64::from(num)),
            "refund_amount": money(refund_cents),
            "is_guarantee": rng.random_bool(0.1),
            "goods_no": format!("G{:04}", sku / 4),
            "goods_name": picker.pick_text(rng, &[goods]),
            "spec_name": spec,
            "spec_no": format!("G{:04}-{:02}", sku / 4, sku % 4),
            "spec_code": format!("C{sku:04}"),
            "barcode": format!("69{:011}", u64::from(sku) * 7_919),
            "stockin_num": 0,
            "sales_trade_id": 2_740_000 + core.refund_id % 100_000,
            "trade_order_id": 5_271_000 + (core.first_rec_id + line) % 1_000_000,
            "sys_goods_id": 105_000 + sku / 4,
            "sys_spec_id": 273_000 + sku,
            "modified": time_value(settings.time_format, core.modified),
            "created": format_datetime(i64::from(core.created)),
            "gift_type": 0,
            "remark": text(picker.pick(rng, REMARKS)),
        }));
    }
    (lines, total)
}

fn optional_time(rng: &mut SimRng, seconds: u32) -> String {
    if rng.random_bool(0.5) {
        format_datetime(i64::from(seconds))
    } else {
        String::new()
    }
}

/// Renders refund `record` in its current state, as `route` returns it.
pub fn render(settings: &RenderSettings, record: u32, core: &RefundCore, route: Route) -> Value {
    let mut rng = stream(settings.seed, "wdt_flagship.refund", u64::from(record));
    let picker = TextPicker {
        max_len: settings.max_string_len,
    };
    let (shop_no, shop_id, platform_id) = SHOPS[rng.random_range(0..SHOPS.len())];
    let tid = format!(
        "lj{}",
        8_234_232_389_000u64 + u64::from(core.refund_id) * 13
    );
    let trade_no = format!("A{}", 18_000 + core.refund_id % 100_000);
    let refund_type = TYPES[rng.random_range(0..TYPES.len())];
    let status = STATUSES[rng.random_range(0..STATUSES.len())];
    let (lines, total) = details(
        &mut rng,
        &picker,
        settings,
        core,
        (&tid, &trade_no, platform_id),
    );
    let guarantee = if rng.random_bool(0.1) { total / 10 } else { 0 };
    let (carrier, carrier_prefix) = LOGISTICS[rng.random_range(0..LOGISTICS.len())];
    let returns_goods = matches!(refund_type, 2 | 3);
    let return_goods_count: u32 = if returns_goods {
        lines
            .iter()
            .filter_map(|line| line["refund_num"].as_u64())
            .sum::<u64>() as u32
    } else {
        0
    };
    let fenxiao = rng.random_bool(0.1);
    let mut object = Map::new();
    let mut put = |key: &str, value: Value| {
        object.insert(key.to_owned(), value);
    };
    put("refund_id", json!(core.refund_id));
    put(
        "refund_no",
        json!(format!(
            "TK{}",
            2_306_140_000u64 + u64::from(core.refund_id)
        )),
    );
    put("src_tids", json!(tid));
    put("tid_list", json!(tid));
    put("type", json!(refund_type));
    put("status", json!(status));
    put("process_status", json!(rng.random_range(0..=3u8)));
    put(
        "stockin_status",
        json!(if returns_goods {
            rng.random_range(0..=4u8)
        } else {
            0
        }),
    );
    put("shop_no", json!(shop_no));
    put("shop_id", json!(shop_id));
    put("platform_id", json!(platform_id));
    put("shop_platform_id", json!(platform_id));
    put("sub_platform_id", json!(0));
    put("trade_id", json!(2_740_000 + core.refund_id % 100_000));
    put("trade_no_list", json!(trade_no));
    put(
        "raw_refund_nos",
        json!(format!("{}", 9_000_000_000u64 + u64::from(core.refund_id))),
    );
    put("provider_refund_no", Value::Null);
    put(
        "pay_id",
        text(
            rng.random_bool(0.7)
                .then(|| Cow::Owned(format!("PAY{}", core.refund_id))),
        ),
    );
    put("refund_reason", text(picker.pick(&mut rng, REASONS)));
    put(
        "reason_name",
        json!(REASONS[rng.random_range(0..REASONS.len())]),
    );
    put("reason_id", json!(rng.random_range(1..=20u32)));
    put("remark", text(picker.pick(&mut rng, REMARKS)));
    put(
        "flag_name",
        json!(if rng.random_bool(0.2) { "加急" } else { "" }),
    );
    put("note_count", json!(rng.random_range(0..=2u8)));
    put("buyer_nick", json!(picker.pick_text(&mut rng, BUYERS)));
    put("customer_id", json!(600_000 + core.refund_id % 50_000));
    put("customer_name", json!(picker.pick_text(&mut rng, BUYERS)));
    put("receiver_name", text(picker.pick(&mut rng, RECEIVERS)));
    put(
        "receiver_telno",
        json!(format!("138****{:04}", core.refund_id % 10_000)),
    );
    put("return_mask_info", Value::Null);
    put(
        "operator_name",
        json!(OPERATORS[rng.random_range(0..OPERATORS.len())]),
    );
    put("actual_refund_amount", json!(money(total)));
    put("guarantee_refund_amount", json!(money(guarantee)));
    put(
        "direct_refund_amount",
        json!(money(if returns_goods { 0 } else { total })),
    );
    put("receive_amount", json!(money(total)));
    put(
        "return_goods_amount",
        json!(money(if returns_goods { total } else { 0 })),
    );
    put("return_goods_count", json!(return_goods_count));
    put(
        "return_logistics_no",
        json!(if returns_goods {
            format!(
                "{carrier_prefix}{}",
                100_000_000u64 + u64::from(core.refund_id)
            )
        } else {
            String::new()
        }),
    );
    put(
        "return_logistics_name",
        json!(if returns_goods { carrier } else { "" }),
    );
    put("return_warehouse_no", json!("WH01"));
    put("return_warehouse_id", json!(1));
    put("warehouse_type", json!(1));
    put("wms_owner_no", Value::Null);
    put("from_type", json!(rng.random_range(0..=1u8)));
    put("consign_mode", json!(0));
    put("rr_status", json!(rng.random_range(0..=5u8)));
    put("bad_reason", json!(0));
    put("revert_reason", json!(0));
    put("revert_reason_name", json!(""));
    put(
        "fenxiao_tid",
        json!(if fenxiao {
            format!("FX{}", core.refund_id)
        } else {
            String::new()
        }),
    );
    put("fenxiao_nick_no", json!(if fenxiao { "FX001" } else { "" }));
    put(
        "fenxiao_nick_name",
        json!(if fenxiao { "某某分销商" } else { "" }),
    );
    put("created", time_value(settings.time_format, core.created));
    put("modified", time_value(settings.time_format, core.modified));
    put(
        "modified_date",
        json!(format_datetime(i64::from(core.modified))),
    );
    put("check_time", json!(optional_time(&mut rng, core.created)));
    put(
        "settle_time",
        json!(if status == 90 {
            format_datetime(i64::from(core.modified))
        } else {
            String::new()
        }),
    );
    put(
        "refund_time",
        json!(format_datetime(i64::from(core.created))),
    );
    put(
        "wms_code",
        match route {
            Route::Qimen => Value::Null,
            Route::Native => json!("WMS01"),
        },
    );
    put("detail_list", Value::Array(lines));
    put(
        "amount_detail_list",
        json!([{
            "rec_id": core.refund_id, "refund_id": core.refund_id, "refund_type": 1, "is_return": 0,
            "refund_amount": money(total), "receive_amount": "0.00", "is_guarantee": guarantee > 0,
            "is_auto": true
        }]),
    );
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(time_format: TimeFormat) -> RenderSettings {
        RenderSettings {
            seed: 5,
            max_string_len: 255,
            time_format,
        }
    }

    fn core(detail_count: u8) -> RefundCore {
        RefundCore {
            refund_id: 1_130_899,
            first_rec_id: 1_137_182,
            created: 1_704_067_200,
            modified: 1_704_070_800,
            version: 0,
            detail_count,
        }
    }

    #[test]
    fn renders_deterministically_with_consistent_amounts() {
        let first = render(&settings(TimeFormat::EpochMs), 7, &core(3), Route::Qimen);
        let again = render(&settings(TimeFormat::EpochMs), 7, &core(3), Route::Qimen);
        assert_eq!(first, again);
        assert_eq!(first["modified"], json!(1_704_070_800_000u64));
        assert_eq!(first["modified_date"], json!("2024-01-01 09:00:00"));
        assert_eq!(first["wms_code"], Value::Null);
        let lines = first["detail_list"].as_array().unwrap();
        let rec_ids: Vec<u64> = lines
            .iter()
            .map(|l| l["rec_id"].as_u64().unwrap())
            .collect();
        assert_eq!(rec_ids, vec![1_137_182, 1_137_183, 1_137_184]);
        let cents: i64 = lines
            .iter()
            .map(|l| {
                let text = l["refund_amount"].as_str().unwrap().replace('.', "");
                text.parse::<i64>().unwrap()
            })
            .sum();
        assert_eq!(first["actual_refund_amount"], json!(money(cents)));
    }

    #[test]
    fn text_times_and_native_wms_code() {
        let refund = render(&settings(TimeFormat::Text), 7, &core(0), Route::Native);
        assert_eq!(refund["created"], json!("2024-01-01 08:00:00"));
        assert_eq!(refund["modified"], json!("2024-01-01 09:00:00"));
        assert_eq!(refund["wms_code"], json!("WMS01"));
        assert_eq!(refund["detail_list"], json!([]));
        assert_eq!(money(-5), "-0.05");
    }
}
