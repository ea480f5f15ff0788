//! The Qimen / TOP request signature (PROTOCOLS.md §6.3, `signTopRequest`).
//!
//! Contract: [`sign`] takes every request parameter except `sign`, drops pairs whose key or
//! value is empty, sorts by key bytes (ASCII order), concatenates `k1v1k2v2…` and signs the
//! UTF-8 text: `md5` = `MD5(secret + S + secret)`, `hmac` = `HMAC-MD5(secret, S)`,
//! `hmac-sha256` = `HMAC-SHA256(secret, S)`, always as upper-case hex. [`SignMethod`] parses
//! the `sign_method` setting and names the value sent on the wire.

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

/// The TOP signature algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignMethod {
    /// `UPPER(HEX(MD5(secret + S + secret)))` (the default).
    #[default]
    Md5,
    /// `UPPER(HEX(HMAC-MD5(key = secret, S)))`.
    Hmac,
    /// `UPPER(HEX(HMAC-SHA256(key = secret, S)))`.
    HmacSha256,
}

/// The accepted spellings, for error messages.
const CHOICES: &str = "`md5`, `hmac`, `hmac-sha256`";

impl SignMethod {
    /// The `sign_method` value sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            SignMethod::Md5 => "md5",
            SignMethod::Hmac => "hmac",
            SignMethod::HmacSha256 => "hmac-sha256",
        }
    }
}

impl fmt::Display for SignMethod {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for SignMethod {
    type Err = String;

    /// Parses the `sign_method` setting (case-insensitive, surrounding spaces ignored).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "md5" => Ok(SignMethod::Md5),
            "hmac" => Ok(SignMethod::Hmac),
            "hmac-sha256" => Ok(SignMethod::HmacSha256),
            _ => Err(format!(
                "unknown `sign_method` `{}` (valid: {CHOICES})",
                text.trim()
            )),
        }
    }
}

/// The string to sign: `k1v1k2v2…` over the non-empty pairs except `sign`, in key-byte order.
pub fn string_to_sign<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(key, value)| *key != "sign" && !key.is_empty() && !value.is_empty())
        .collect();
    pairs.sort_by(|left, right| left.0.as_bytes().cmp(right.0.as_bytes()));
    let mut text = String::new();
    for (key, value) in pairs {
        text.push_str(key);
        text.push_str(value);
    }
    text
}

/// The signature of `params` with `secret` (upper-case hex).
pub fn sign<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    secret: &str,
    method: SignMethod,
) -> String {
    let text = string_to_sign(params);
    match method {
        SignMethod::Md5 => {
            let mut digest = Md5::new();
            digest.update(secret.as_bytes());
            digest.update(text.as_bytes());
            digest.update(secret.as_bytes());
            hex::encode_upper(digest.finalize())
        }
        SignMethod::Hmac => {
            let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(secret.as_bytes())
                .expect("HMAC should accept a key of any length");
            mac.update(text.as_bytes());
            hex::encode_upper(mac.finalize().into_bytes())
        }
        SignMethod::HmacSha256 => {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
                .expect("HMAC should accept a key of any length");
            mac.update(text.as_bytes());
            hex::encode_upper(mac.finalize().into_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parameters of the worked example in PROTOCOLS.md §6.3, deliberately unsorted.
    const WORKED: &[(&str, &str)] = &[
        ("app_key", "12345678"),
        ("method", "jushuitan.order.list.query"),
        ("timestamp", "2024-01-02 10:00:00"),
        ("format", "json"),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("target_app_key", "23060081"),
        ("customer_id", "cust-1"),
        ("page_index", "1"),
        ("page_size", "50"),
        ("start_time", "2024-01-01 00:00:00"),
        ("end_time", "2024-01-02 00:00:00"),
    ];

    fn worked() -> impl Iterator<Item = (&'static str, &'static str)> {
        WORKED.iter().copied()
    }

    #[test]
    fn string_to_sign_of_the_worked_example() {
        assert_eq!(
            string_to_sign(worked()),
            "app_key12345678customer_idcust-1end_time2024-01-02 00:00:00formatjson\
             methodjushuitan.order.list.querypage_index1page_size50sign_methodmd5\
             start_time2024-01-01 00:00:00target_app_key23060081timestamp2024-01-02 10:00:00v2.0"
        );
    }

    #[test]
    fn md5_and_hmac_of_the_worked_example() {
        assert_eq!(
            sign(worked(), "qimensecret", SignMethod::Md5),
            "C0EA9CA4962D796D5D1F96509C82158F"
        );
        assert_eq!(
            sign(worked(), "qimensecret", SignMethod::Hmac),
            "93A1A97723F8CD9DD22DFE0150DCE4AE"
        );
    }

    #[test]
    fn hmac_sha256_is_upper_hex_of_64_digits() {
        let signature = sign(worked(), "qimensecret", SignMethod::HmacSha256);
        assert_eq!(signature.len(), 64);
        assert_eq!(signature, signature.to_ascii_uppercase());
        assert_ne!(signature, sign(worked(), "other", SignMethod::HmacSha256));
    }

    #[test]
    fn sign_empty_values_and_empty_keys_are_left_out() {
        let with_extras = worked().chain([("sign", "OLD"), ("session", ""), ("", "orphan")]);
        assert_eq!(
            sign(with_extras, "qimensecret", SignMethod::Md5),
            "C0EA9CA4962D796D5D1F96509C82158F"
        );
    }

    #[test]
    fn keys_sort_by_bytes_not_by_locale() {
        let text = string_to_sign([("b", "1"), ("B", "2"), ("a_c", "3"), ("aC", "4")]);
        assert_eq!(text, "B2aC4a_c3b1");
    }

    #[test]
    fn sign_method_parses_and_lists_choices() {
        assert_eq!("md5".parse(), Ok(SignMethod::Md5));
        assert_eq!(" HMAC ".parse(), Ok(SignMethod::Hmac));
        assert_eq!("hmac-sha256".parse(), Ok(SignMethod::HmacSha256));
        assert_eq!(SignMethod::HmacSha256.to_string(), "hmac-sha256");
        assert_eq!(
            "sha1".parse::<SignMethod>(),
            Err("unknown `sign_method` `sha1` (valid: `md5`, `hmac`, `hmac-sha256`)".to_owned())
        );
    }
}
