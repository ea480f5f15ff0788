//! The Jushuitan open API v2 signature (PROTOCOLS.md §3.2), written independently of any client.
//!
//! Contract: `sign = lower_hex(MD5(app_secret + k1v1k2v2…))` over every parameter except
//! `sign`, keys in ASCII order, secret as a prefix only. Clients disagree on whether empty
//! values are part of the string (one skips them), so [`verify`] accepts either form.

use std::collections::BTreeMap;

use md5::{Digest, Md5};

fn sign_with(params: &BTreeMap<String, String>, secret: &str, skip_empty: bool) -> String {
    let mut digest = Md5::new();
    digest.update(secret.as_bytes());
    for (key, value) in params {
        if key == "sign" || (skip_empty && value.is_empty()) {
            continue;
        }
        digest.update(key.as_bytes());
        digest.update(value.as_bytes());
    }
    hex::encode(digest.finalize())
}

/// The signature with empty values skipped (lower-case hex).
pub fn native_sign(params: &BTreeMap<String, String>, secret: &str) -> String {
    sign_with(params, secret, true)
}

/// Whether `sign` (any case) is the signature of `params`, with or without empty values.
pub fn verify(params: &BTreeMap<String, String>, secret: &str, sign: &str) -> bool {
    sign.eq_ignore_ascii_case(&sign_with(params, secret, true))
        || sign.eq_ignore_ascii_case(&sign_with(params, secret, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worked_example() -> BTreeMap<String, String> {
        let biz = r#"{"page_index":1,"page_size":50,"modified_begin":"2024-01-01 00:00:00","modified_end":"2024-01-02 00:00:00"}"#;
        [
            ("app_key", "jstappkey"),
            ("access_token", "jsttoken"),
            ("timestamp", "1704160800"),
            ("version", "2"),
            ("charset", "utf-8"),
            ("biz", biz),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
    }

    #[test]
    fn worked_example_of_protocols_3_2() {
        let params = worked_example();
        assert_eq!(
            native_sign(&params, "jstsecret"),
            "af3e366447feb1089d429afbf87f623b"
        );
        assert!(verify(
            &params,
            "jstsecret",
            "AF3E366447FEB1089D429AFBF87F623B"
        ));
        assert!(!verify(
            &params,
            "othersecret",
            "af3e366447feb1089d429afbf87f623b"
        ));
    }

    #[test]
    fn empty_values_may_be_signed_or_not() {
        let mut params = worked_example();
        params.insert("shop_id".to_owned(), String::new());
        assert!(verify(
            &params,
            "jstsecret",
            "af3e366447feb1089d429afbf87f623b"
        ));
        let with_empty = sign_with(&params, "jstsecret", false);
        assert_ne!(with_empty, "af3e366447feb1089d429afbf87f623b");
        assert!(verify(&params, "jstsecret", &with_empty));
    }
}
