//! The Jackyun signature `jkysign` (PROTOCOLS.md §1.3, §1.4), written from the protocol text.
//!
//! Contract: [`jky_sign`] = lower-hex MD5 of the UTF-8 bytes of
//! `lower(secret + k1v1k2v2… + secret)` over every parameter except `sign`, `contextid` and
//! `token`, keys in ASCII order (the map is sorted), values raw. [`qimen_jky_params`] rebuilds
//! the parameter set the Qimen route's `jkysign` covers.

use std::collections::BTreeMap;

use md5::{Digest, Md5};

/// Parameters never signed.
const UNSIGNED: &[&str] = &["sign", "contextid", "token"];

/// The native signature of `params` with `secret`.
pub fn jky_sign(params: &BTreeMap<String, String>, secret: &str) -> String {
    let mut raw = String::from(secret);
    for (key, value) in params {
        if UNSIGNED.contains(&key.as_str()) {
            continue;
        }
        raw.push_str(key);
        raw.push_str(value);
    }
    raw.push_str(secret);
    hex::encode(Md5::digest(raw.to_lowercase().as_bytes()))
}

/// The parameters `jkysign` covers on the Qimen route: `appkey`, `bizcontent` (= `content`),
/// `contenttype=JSON`, `method` (= `jkymethod`), `timestamp` (= `jkytimestamp`), `version`
/// (= `jkyversion`).
pub fn qimen_jky_params(form: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let get = |name: &str| form.get(name).cloned().unwrap_or_default();
    [
        ("appkey", get("jkyappkey")),
        ("bizcontent", get("content")),
        ("contenttype", "JSON".to_owned()),
        ("method", get("jkymethod")),
        ("timestamp", get("jkytimestamp")),
        ("version", get("jkyversion")),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value))
    .collect()
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
    fn minimal_vector() {
        let params = map(&[("a", "1"), ("b", "2"), ("token", "t"), ("sign", "x")]);
        assert_eq!(jky_sign(&params, "abc"), "e77954332c159b0debe418aa512025d0");
    }

    #[test]
    fn synthetic_vector_of_section_1_3() {
        let biz = r#"{"pageIndex":0,"pageSize":50,"startModified":"2024-01-01 00:00:00","endModified":"2024-01-02 00:00:00","hasTotal":1,"fields":"tradeNo,tradeStatus,goodsDetail.goodsNo"}"#;
        let params = map(&[
            ("appkey", "12345678"),
            ("bizcontent", biz),
            ("contenttype", "json"),
            ("method", "jackyun.tradenotsensitiveinfos.list.get"),
            ("timestamp", "2024-01-02 10:00:00"),
            ("version", "v1.0"),
        ]);
        assert_eq!(
            jky_sign(&params, "testsecret0123456789abcdef012345"),
            "226c6347b2256e8fe064cd4752bb1e02"
        );
    }
}
