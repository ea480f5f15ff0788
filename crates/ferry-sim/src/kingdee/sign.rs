//! Kingdee's login and header signatures (PROTOCOLS.md §7.2), written from the protocol text
//! alone (nothing shared with the client).
//!
//! Contract:
//! - [`login_sign`]: `lower_hex(SHA256(concat(sort([acctID, username, appId, appSecret,
//!   timestamp]))))`, plain byte-wise string sort.
//! - [`kd_signature`]: `base64(lower_hex(HMAC-SHA256(key = appSecret, appId + appdata)))`
//!   where `appdata` is the *decoded* `acctID,username,lcid,orgNum` text.
//! - [`base64_encode`] / [`base64_decode`]: standard alphabet with `=` padding.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The LoginBySign signature.
pub fn login_sign(
    acct_id: &str,
    username: &str,
    app_id: &str,
    app_secret: &str,
    timestamp: &str,
) -> String {
    let mut parts = [acct_id, username, app_id, app_secret, timestamp];
    parts.sort_unstable();
    hex::encode(Sha256::digest(parts.concat().as_bytes()))
}

/// The `X-Kd-Signature` header value for `app_id` and the decoded app data.
pub fn kd_signature(app_id: &str, app_secret: &str, appdata: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes())
        .expect("HMAC should accept a key of any length");
    mac.update(app_id.as_bytes());
    mac.update(appdata.as_bytes());
    base64_encode(hex::encode(mac.finalize().into_bytes()).as_bytes())
}

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = u32::from(chunk[0]);
        let b1 = chunk.get(1).copied().map_or(0, u32::from);
        let b2 = chunk.get(2).copied().map_or(0, u32::from);
        let triple = (b0 << 16) | (b1 << 8) | b2;
        for position in 0..4 {
            if position <= chunk.len() {
                let index = (triple >> (18 - 6 * position)) & 0x3f;
                out.push(char::from(ALPHABET[index as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (padding optional); `None` on any invalid character.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for byte in trimmed.bytes() {
        let value = ALPHABET.iter().position(|&symbol| symbol == byte)? as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_ID: &str = "123456_AbCdEfGhIjKlMnOpQrStUvWxYz012345";
    const APP_SECRET: &str = "appsecret0123456789abcdef01234567";

    #[test]
    fn login_sign_matches_the_protocol_example() {
        let sign = login_sign(
            "5f1234567890ab",
            "apiuser",
            APP_ID,
            APP_SECRET,
            "1704160800",
        );
        assert_eq!(
            sign,
            "4067e4c21a4feef57465bfdaebd6d906afb0640a4749c898387344e3ff593508"
        );
    }

    #[test]
    fn kd_headers_match_the_protocol_example() {
        let appdata = "5f1234567890ab,apiuser,2052,100";
        assert_eq!(
            base64_encode(appdata.as_bytes()),
            "NWYxMjM0NTY3ODkwYWIsYXBpdXNlciwyMDUyLDEwMA=="
        );
        assert_eq!(
            kd_signature(APP_ID, APP_SECRET, appdata),
            "ZGUzZTNlYWJlZjExYWFiNzFlNTg0ODMzMzQ0MTIzOGZiNGI2ZjM2YTk0M2ZiNjljZGQ1NDliYmRlYTQyZmY5Ng=="
        );
    }

    #[test]
    fn base64_round_trips_every_length() {
        let data = "金蝶,a\"b\\c😀".as_bytes();
        for end in 0..=data.len() {
            let encoded = base64_encode(&data[..end]);
            assert_eq!(base64_decode(&encoded).unwrap(), &data[..end]);
        }
        assert_eq!(base64_decode("a*b"), None);
    }
}
