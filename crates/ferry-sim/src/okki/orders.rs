//! Rendering one OKKI 小满 sales order (PROTOCOLS.md §2.3 field names) from its stored core.
//!
//! Contract: [`render`] is a pure function of `(seed, record index, core, max_string_len)`:
//! every field not in [`OrderCore`] is regenerated from the record's own ChaCha stream, so the
//! same order renders byte-identically every time, and a move changes only `update_time`.
//! `amount` is a JSON number with at most two decimals (as in the §2.3 sample) and equals
//! `product_total_amount` (a decimal string) + freight; `exchange_rate` is a decimal string.
//! Free-text fields carry hostile values now and then (quotes, backslashes, emoji, Chinese,
//! empty strings and `null`s; see [`crate::framework::hostile`]).

use std::borrow::Cow;

use rand::Rng;
use serde::Serialize;

use crate::framework::hostile::TextPicker;
use crate::framework::rng::stream;
use crate::framework::time::format_datetime;
use crate::okki::store::OrderCore;
use crate::okki::text::{
    COMPANIES, CURRENCIES, EXCHANGE_RATES, HANDLERS, ORDER_NAMES, REMARKS, TRADE_TERMS,
};

type Text = Cow<'static, str>;

/// First customer `company_id`.
const COMPANY_ID_BASE: u64 = 7_123_000;

/// The customer company, nested as in §2.3.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompanyJson {
    company_id: u64,
    name: Text,
}

/// One order as `/v1/invoices/order/list` returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderJson {
    order_id: u64,
    order_no: String,
    name: Option<Text>,
    company_id: u64,
    company: CompanyJson,
    company_name: Text,
    account_date: String,
    currency: &'static str,
    exchange_rate: &'static str,
    amount: f64,
    product_total_amount: String,
    freight: String,
    status: u8,
    handler_name: Text,
    price_contract: Option<&'static str>,
    remark: Option<Text>,
    create_time: String,
    update_time: String,
}

fn cents(value: u64) -> String {
    format!("{}.{:02}", value / 100, value % 100)
}

/// Renders order `record`.
pub fn render(seed: u64, max_string_len: usize, record: u32, core: &OrderCore) -> OrderJson {
    let mut rng = stream(seed, "okki.order", u64::from(record));
    let picker = TextPicker {
        max_len: max_string_len,
    };
    let company_index = rng.random_range(0..COMPANIES.len());
    let company_name = picker.pick_text(&mut rng, &COMPANIES[company_index..=company_index]);
    let company_id = COMPANY_ID_BASE + company_index as u64 * 37;
    let name = picker.pick(&mut rng, ORDER_NAMES);
    let currency_index = rng.random_range(0..CURRENCIES.len());
    let product_cents: u64 = rng.random_range(1_000..=50_000_000);
    let freight_cents: u64 = if rng.random_bool(0.4) {
        rng.random_range(0..=200_000)
    } else {
        0
    };
    let total_cents = product_cents + freight_cents;
    let handler_name = picker.pick_text(&mut rng, HANDLERS);
    let price_contract = if rng.random_bool(0.8) {
        Some(TRADE_TERMS[rng.random_range(0..TRADE_TERMS.len())])
    } else {
        None
    };
    let remark = picker.pick(&mut rng, REMARKS);
    let created = format_datetime(i64::from(core.create_time));
    let account_date = format_datetime(i64::from(core.account_date))[..10].to_owned();
    let order_no = format!(
        "PO{}{:05}",
        account_date.replace('-', ""),
        core.order_id % 100_000
    );
    OrderJson {
        order_id: u64::from(core.order_id),
        order_no,
        name,
        company_id,
        company: CompanyJson {
            company_id,
            name: company_name.clone(),
        },
        company_name,
        account_date,
        currency: CURRENCIES[currency_index],
        exchange_rate: EXCHANGE_RATES[currency_index],
        amount: total_cents as f64 / 100.0,
        product_total_amount: cents(product_cents),
        freight: cents(freight_cents),
        status: core.status,
        handler_name,
        price_contract,
        remark,
        create_time: created,
        update_time: format_datetime(i64::from(core.update_time)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core() -> OrderCore {
        OrderCore {
            order_id: 31_234_567,
            create_time: 1_704_158_000,
            account_date: 1_704_124_800,
            update_time: 1_704_247_200,
            version: 0,
            status: 3,
        }
    }

    #[test]
    fn renders_the_documented_fields_deterministically() {
        let order = render(1, 255, 4, &core());
        let json = serde_json::to_value(&order).unwrap();
        assert_eq!(json["order_id"], 31_234_567);
        assert_eq!(json["order_no"], "PO2024010234567");
        assert_eq!(json["account_date"], "2024-01-02");
        assert_eq!(json["create_time"], "2024-01-02 09:13:20");
        assert_eq!(json["update_time"], "2024-01-03 10:00:00");
        assert_eq!(json["status"], 3);
        assert_eq!(json["company"]["company_id"], json["company_id"]);
        assert_eq!(json["company"]["name"], json["company_name"]);
        let product: f64 = json["product_total_amount"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let freight: f64 = json["freight"].as_str().unwrap().parse().unwrap();
        let amount = json["amount"].as_f64().unwrap();
        assert!((product + freight - amount).abs() < 0.001);
        assert_eq!(order, render(1, 255, 4, &core()));
        assert_ne!(order, render(2, 255, 4, &core()));
    }

    #[test]
    fn a_move_changes_only_update_time() {
        let before = serde_json::to_value(render(1, 255, 9, &core())).unwrap();
        let moved = OrderCore {
            update_time: core().update_time + 60,
            version: 1,
            ..core()
        };
        let mut after = serde_json::to_value(render(1, 255, 9, &moved)).unwrap();
        assert_eq!(after["update_time"], "2024-01-03 10:01:00");
        after["update_time"] = before["update_time"].clone();
        assert_eq!(after, before);
    }

    #[test]
    fn hostile_values_show_up_across_many_orders() {
        let texts: Vec<String> = (0..3_000)
            .map(|record| serde_json::to_string(&render(5, 80, record, &core())).unwrap())
            .collect();
        assert!(texts.iter().any(|t| t.contains("\"remark\":null")));
        assert!(texts.iter().any(|t| t.contains("\"name\":null")));
        assert!(texts.iter().any(|t| t.contains("🎉")));
        assert!(texts.iter().any(|t| t.contains("\\\\")));
    }
}
