//! WDT flagship signatures, written from PROTOCOLS.md §5.1 and §5.4 alone.
//!
//! Contract:
//! * [`native_sign`]: every query parameter except `sign`, plus `body` = the exact JSON body,
//!   sorted by key, `S = k1v1k2v2…`, `lower_hex(MD5(secret + S + secret))`.
//! * [`qimen_wdt_sign`]: the WDT parameters of a Qimen form (everything except the TOP system
//!   parameters, `wdt3_customer_id` and `wdt_sign`) plus `method`, serialized recursively in
//!   sorted key order — a value that is JSON object/array text is parsed and contributes its
//!   own sorted keys and values, arrays concatenate their elements, booleans are
//!   `true`/`false`, nulls are skipped — then `lower_hex(MD5(secret + str + secret))`.

use std::collections::BTreeMap;

use md5::{Digest, Md5};
use serde_json::Value;

/// TOP system parameters, never part of the WDT string.
const TOP_PARAMS: &[&str] = &[
    "app_key",
    "target_app_key",
    "timestamp",
    "format",
    "v",
    "sign_method",
    "sign",
    "session",
    "partner_id",
    "method",
];

fn md5_wrapped(secret: &str, text: &str) -> String {
    let mut digest = Md5::new();
    digest.update(secret.as_bytes());
    digest.update(text.as_bytes());
    digest.update(secret.as_bytes());
    hex::encode(digest.finalize())
}

/// The native gateway signature of `query` (without `sign`) and `body`.
pub fn native_sign(query: &BTreeMap<String, String>, body: &str, secret: &str) -> String {
    let mut all: BTreeMap<&str, &str> = query
        .iter()
        .filter(|(key, _)| key.as_str() != "sign")
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    all.insert("body", body);
    let text: String = all
        .into_iter()
        .map(|(key, value)| format!("{key}{value}"))
        .collect();
    md5_wrapped(secret, &text)
}

fn serialize_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => {}
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(number) => out.push_str(&number.to_string()),
        Value::String(text) => out.push_str(text),
        Value::Array(items) => items.iter().for_each(|item| serialize_value(item, out)),
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            for (key, value) in sorted {
                if value.is_null() {
                    continue;
                }
                out.push_str(key);
                serialize_value(value, out);
            }
        }
    }
}

/// The string the Qimen `wdt_sign` covers (without the secret wrapping).
pub fn qimen_wdt_string(form: &BTreeMap<String, String>, method: &str) -> String {
    let mut out = String::new();
    let mut entries: BTreeMap<&str, &str> = form
        .iter()
        .filter(|(key, _)| {
            !TOP_PARAMS.contains(&key.as_str()) && key.as_str() != "wdt3_customer_id"
        })
        .filter(|(key, _)| key.as_str() != "wdt_sign")
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    entries.insert("method", method);
    for (key, text) in entries {
        out.push_str(key);
        let structured = text.starts_with('{') || text.starts_with('[');
        match serde_json::from_str::<Value>(text) {
            Ok(value) if structured => serialize_value(&value, &mut out),
            _ => out.push_str(text),
        }
    }
    out
}

/// `wdt_sign` of a Qimen form.
pub fn qimen_wdt_sign(form: &BTreeMap<String, String>, method: &str, secret: &str) -> String {
    md5_wrapped(secret, &qimen_wdt_string(form, method))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn native_worked_example() {
        let query = map(&[
            ("sid", "mysid"),
            ("key", "mykey"),
            ("salt", "testsalt"),
            ("method", "aftersales.refund.Refund.search"),
            ("v", "1.0"),
            ("timestamp", "378813600"),
            ("page_size", "50"),
            ("page_no", "0"),
            ("calc_total", "1"),
        ]);
        let body =
            r#"[{"modified_from":"2024-01-01 00:00:00","modified_to":"2024-01-02 00:00:00"}]"#;
        assert_eq!(
            native_sign(&query, body, "testsecret"),
            "219c81737b5ac908cef9ff9d4aabe4d9"
        );
    }

    #[test]
    fn qimen_worked_example() {
        let form = map(&[
            ("app_key", "12345678"),
            ("method", "wdt.aftersales.refund.refund.search"),
            ("datetime", "2024-01-02 10:00:00"),
            ("pager", r#"{"page_size":50,"page_no":1}"#),
            (
                "params",
                r#"{"modified_from":"2024-01-01 00:00:00","modified_to":"2024-01-02 00:00:00"}"#,
            ),
            ("wdt_appkey", "mykey"),
            ("wdt_salt", "testsalt"),
            ("wdt3_customer_id", "mysid"),
        ]);
        let method = "wdt.aftersales.refund.refund.search";
        assert_eq!(
            qimen_wdt_string(&form, method),
            "datetime2024-01-02 10:00:00methodwdt.aftersales.refund.refund.searchpagerpage_no1\
             page_size50paramsmodified_from2024-01-01 00:00:00modified_to2024-01-02 00:00:00\
             wdt_appkeymykeywdt_salttestsalt"
        );
        assert_eq!(
            qimen_wdt_sign(&form, method, "testsecret"),
            "3c4bd5162f72537b22414628e49948b8"
        );
    }
}
