//! Kingdee signatures (PROTOCOLS.md §7.2): the LoginBySign `sign` and the stateless
//! signature headers.
//!
//! Contract:
//! - [`login_sign`] = `lower_hex(SHA256(concat(sort([acctID, username, appId, appSecret,
//!   timestamp]))))`, plain byte-wise sort.
//! - [`kd_signature`] = `base64(lower_hex(HMAC-SHA256(appSecret, appId + appdata)))` over the
//!   plain `acctID,username,lcid,orgNum` text; `X-Kd-Appdata` is its base64.
//! - [`api_signature`] = `base64(lower_hex(HMAC-SHA256(key, "POST\n" + escaped path + "\n\n" +
//!   "x-api-nonce:" + nonce + "\n" + "x-api-timestamp:" + ts + "\n")))` where the path is
//!   percent-encoded with `/` as `%2F` and upper-case escapes. The SDKs derive `key`
//!   (`clientSec`) from the app id with an XOR key that differs between versions \[C\]; ferry
//!   uses the app secret \[I\]. The simulator does not verify this header.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The LoginBySign `sign`.
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

fn hmac_hex(key: &str, parts: &[&str]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
        .expect("HMAC should accept a key of any length");
    for part in parts {
        mac.update(part.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

/// `X-Kd-Signature` for the plain app data `acctID,username,lcid,orgNum`.
pub fn kd_signature(app_id: &str, app_secret: &str, appdata: &str) -> String {
    base64(hmac_hex(app_secret, &[app_id, appdata]).as_bytes())
}

/// `X-Api-Signature` for a POST to `path`.
pub fn api_signature(key: &str, path: &str, nonce: &str, timestamp: &str) -> String {
    let mut escaped = String::with_capacity(path.len() * 2);
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            escaped.push(char::from(byte));
        } else {
            escaped.push_str(&format!("%{byte:02X}"));
        }
    }
    let text = format!("POST\n{escaped}\n\nx-api-nonce:{nonce}\nx-api-timestamp:{timestamp}\n");
    base64(hmac_hex(key, &[&text]).as_bytes())
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let mut triple = [0u8; 3];
        triple[..chunk.len()].copy_from_slice(chunk);
        let value =
            (u32::from(triple[0]) << 16) | (u32::from(triple[1]) << 8) | u32::from(triple[2]);
        for position in 0..4 {
            if position <= chunk.len() {
                out.push(char::from(
                    ALPHABET[((value >> (18 - 6 * position)) & 0x3f) as usize],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_ID: &str = "123456_AbCdEfGhIjKlMnOpQrStUvWxYz012345";
    const APP_SECRET: &str = "appsecret0123456789abcdef01234567";

    #[test]
    fn login_sign_matches_protocols_7_2() {
        assert_eq!(
            login_sign(
                "5f1234567890ab",
                "apiuser",
                APP_ID,
                APP_SECRET,
                "1704160800"
            ),
            "4067e4c21a4feef57465bfdaebd6d906afb0640a4749c898387344e3ff593508"
        );
    }

    #[test]
    fn kd_headers_match_protocols_7_2() {
        let appdata = "5f1234567890ab,apiuser,2052,100";
        assert_eq!(
            base64(appdata.as_bytes()),
            "NWYxMjM0NTY3ODkwYWIsYXBpdXNlciwyMDUyLDEwMA=="
        );
        assert_eq!(
            kd_signature(APP_ID, APP_SECRET, appdata),
            "ZGUzZTNlYWJlZjExYWFiNzFlNTg0ODMzMzQ0MTIzOGZiNGI2ZjM2YTk0M2ZiNjljZGQ1NDliYmRlYTQyZmY5Ng=="
        );
    }

    #[test]
    fn api_signature_escapes_slashes_upper_case() {
        let one = api_signature("k", "/k3cloud/a.b", "1", "1");
        let same = base64(
            hmac_hex(
                "k",
                &["POST\n%2Fk3cloud%2Fa.b\n\nx-api-nonce:1\nx-api-timestamp:1\n"],
            )
            .as_bytes(),
        );
        assert_eq!(one, same);
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
    }
}
