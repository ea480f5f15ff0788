//! The WDT enterprise "length-prefixed" signature (PROTOCOLS.md §4.1), written independently of
//! any client.
//!
//! Contract: every parameter except `sign`, keys in ASCII order, each packed as
//! `{len(key):02}-{key}:{len(value):04}-{value}` where lengths count Unicode characters (PHP
//! `iconv_strlen`), joined with `;`; `sign = lower_hex(MD5(packed + appsecret))`. [`verify`]
//! accepts either hex case.

use std::collections::BTreeMap;

use md5::{Digest, Md5};

/// The packed string of `params` (without `sign`).
pub fn pack(params: &BTreeMap<String, String>) -> String {
    let mut items = Vec::with_capacity(params.len());
    for (key, value) in params {
        if key == "sign" {
            continue;
        }
        items.push(format!(
            "{:02}-{key}:{:04}-{value}",
            key.chars().count(),
            value.chars().count()
        ));
    }
    items.join(";")
}

/// The signature of `params` (lower-case hex).
pub fn wdt_sign(params: &BTreeMap<String, String>, appsecret: &str) -> String {
    let mut digest = Md5::new();
    digest.update(pack(params).as_bytes());
    digest.update(appsecret.as_bytes());
    hex::encode(digest.finalize())
}

/// Whether `sign` (any case) is the signature of `params`.
pub fn verify(params: &BTreeMap<String, String>, appsecret: &str, sign: &str) -> bool {
    sign.eq_ignore_ascii_case(&wdt_sign(params, appsecret))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn worked_example_of_protocols_4_1() {
        let params = owned(&[
            ("sid", "mysid"),
            ("appkey", "myappkey"),
            ("timestamp", "1704160800"),
            ("start_time", "2024-01-01 00:00:00"),
            ("end_time", "2024-01-02 00:00:00"),
            ("status", "95"),
            ("page_no", "0"),
            ("page_size", "40"),
        ]);
        assert_eq!(
            pack(&params),
            "06-appkey:0008-myappkey;08-end_time:0019-2024-01-02 00:00:00;07-page_no:0001-0;\
             09-page_size:0002-40;03-sid:0005-mysid;10-start_time:0019-2024-01-01 00:00:00;\
             06-status:0002-95;09-timestamp:0010-1704160800"
        );
        assert_eq!(
            wdt_sign(&params, "wdtsecret"),
            "e4593977a0492aca8e3ed268824b4b70"
        );
        assert!(verify(
            &params,
            "wdtsecret",
            "E4593977A0492ACA8E3ED268824B4B70"
        ));
        assert!(!verify(
            &params,
            "othersecret",
            "e4593977a0492aca8e3ed268824b4b70"
        ));
    }

    #[test]
    fn unicode_lengths_count_characters() {
        let params = owned(&[("shop_name", "旗舰店"), ("sign", "ignored")]);
        assert_eq!(pack(&params), "09-shop_name:0003-旗舰店");
    }
}
