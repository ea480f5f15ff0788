//! WDT flagship signatures (PROTOCOLS.md §5.1, §5.4).
//!
//! Contract:
//! - [`native_sign`]: the query parameters (without `sign`) plus `body` = the exact JSON body
//!   string, sorted by key, `S = k1v1k2v2…`, `lower_hex(MD5(secret + S + secret))`.
//! - [`wdt_sign`]: the Qimen route's `wdt_sign` over the WDT parameters (`params`, `pager`,
//!   `datetime`, `wdt_appkey`, `wdt_salt`, … — never `wdt3_customer_id` or `wdt_sign`) plus
//!   `method`: keys in sorted order, each followed by its value serialized recursively (JSON
//!   object/array text is parsed: objects contribute sorted keys and values, arrays their
//!   elements, booleans `true`/`false`, nulls nothing), wrapped as
//!   `lower_hex(MD5(secret + str + secret))`.
//!
//! `secret` is the part of `secret:salt` before the `:`.

use std::collections::BTreeMap;

use md5::{Digest, Md5};
use serde_json::Value;

fn wrapped_md5(secret: &str, text: &str) -> String {
    let mut hasher = Md5::new();
    hasher.update(secret.as_bytes());
    hasher.update(text.as_bytes());
    hasher.update(secret.as_bytes());
    hex::encode(hasher.finalize())
}

/// The native gateway `sign` of `query` (any `sign` pair ignored) and `body`.
pub fn native_sign(query: &[(String, String)], body: &str, secret: &str) -> String {
    let mut sorted: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, value) in query {
        if key != "sign" {
            sorted.insert(key, value);
        }
    }
    sorted.insert("body", body);
    let mut text = String::new();
    for (key, value) in sorted {
        text.push_str(key);
        text.push_str(value);
    }
    wrapped_md5(secret, &text)
}

fn append_value(value: &Value, text: &mut String) {
    match value {
        Value::Null => {}
        Value::Bool(true) => text.push_str("true"),
        Value::Bool(false) => text.push_str("false"),
        Value::Number(number) => text.push_str(&number.to_string()),
        Value::String(inner) => text.push_str(inner),
        Value::Array(items) => {
            for item in items {
                append_value(item, text);
            }
        }
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            for key in keys {
                let inner = &object[key];
                if inner.is_null() {
                    continue;
                }
                text.push_str(key);
                append_value(inner, text);
            }
        }
    }
}

/// The string `wdt_sign` hashes (before the secret wrapping).
pub fn wdt_sign_string(method: &str, wdt_params: &[(String, String)]) -> String {
    let mut sorted: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, value) in wdt_params {
        if key != "wdt3_customer_id" && key != "wdt_sign" {
            sorted.insert(key, value);
        }
    }
    sorted.insert("method", method);
    let mut text = String::new();
    for (key, value) in sorted {
        text.push_str(key);
        let looks_structured = value.starts_with('{') || value.starts_with('[');
        match serde_json::from_str::<Value>(value) {
            Ok(parsed) if looks_structured => append_value(&parsed, &mut text),
            _ => text.push_str(value),
        }
    }
    text
}

/// The Qimen route's `wdt_sign`.
pub fn wdt_sign(method: &str, wdt_params: &[(String, String)], secret: &str) -> String {
    wrapped_md5(secret, &wdt_sign_string(method, wdt_params))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::pairs;

    /// PROTOCOLS.md §5.1 worked example.
    #[test]
    fn native_worked_example() {
        let query = pairs(&[
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

    /// PROTOCOLS.md §5.4 worked example (`wdt_sign` half).
    #[test]
    fn qimen_wdt_sign_worked_example() {
        let params = pairs(&[
            (
                "params",
                r#"{"modified_from":"2024-01-01 00:00:00","modified_to":"2024-01-02 00:00:00"}"#,
            ),
            ("pager", r#"{"page_size":50,"page_no":1}"#),
            ("datetime", "2024-01-02 10:00:00"),
            ("wdt_appkey", "mykey"),
            ("wdt_salt", "testsalt"),
            ("wdt3_customer_id", "mysid"),
        ]);
        let method = "wdt.aftersales.refund.refund.search";
        assert_eq!(
            wdt_sign_string(method, &params),
            "datetime2024-01-02 10:00:00methodwdt.aftersales.refund.refund.searchpagerpage_no1\
             page_size50paramsmodified_from2024-01-01 00:00:00modified_to2024-01-02 00:00:00\
             wdt_appkeymykeywdt_salttestsalt"
        );
        assert_eq!(
            wdt_sign(method, &params, "testsecret"),
            "3c4bd5162f72537b22414628e49948b8"
        );
    }

    #[test]
    fn nested_values_serialize_recursively() {
        let params = pairs(&[("params", r#"{"b":[1,true,null],"a":{"y":null,"x":"1"}}"#)]);
        assert_eq!(wdt_sign_string("m", &params), "methodmparamsax1b1true");
    }
}
