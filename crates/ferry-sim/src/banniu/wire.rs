//! Banniu's signature, system-parameter checks and reply envelope (PROTOCOLS.md §8.1, §8.2,
//! §8.5).
//!
//! Contract:
//! - [`sign`]: `UPPER(HEX(MD5(app_secret + k1v1k2v2… + app_secret)))` over every query
//!   parameter except `sign`, keys in byte order; [`check_system`] accepts either hex case.
//! - [`check_system`] runs the checks in this order, each refusal a [`BizError`] (codes \[I\]):
//!   `app_key` unknown 40001 `app_key不存在`; `access_token` (and a `Bearer` Authorization
//!   header, when sent) wrong 40002 `access_token无效或已过期`; `timestamp` missing, not
//!   `yyyy-MM-dd HH:mm:ss` or off the clock by more than the tolerance 40003
//!   `timestamp无效`; `v` not `1.0`/`1` 40007 `v参数错误`; `sign` missing or wrong 40004
//!   `签名错误`. Unknown extra parameters (the Python client's `app_secret`) are signed like
//!   any other and otherwise ignored.
//! - [`envelope`] is the `{"response":{…}}` body of every reply, HTTP 200; the rate-limit
//!   reply is HTTP 429 with `Retry-After` and code 429 `请求过于频繁,请稍后再试` \[I\].

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use md5::{Digest, Md5};
use serde_json::{Value, json};

use crate::banniu::AuthConfig;
use crate::banniu::tasks::BizError;
use crate::framework::time::{is_fresh, parse_datetime};

/// Code of the rate-limit reply \[I\].
pub const RATE_LIMIT_CODE: i64 = 429;
/// Message of the rate-limit reply \[I\].
pub const RATE_LIMIT_MSG: &str = "请求过于频繁,请稍后再试";
/// Code of a wrong signature \[I\].
pub const SIGN_ERROR: i64 = 40004;

/// The signature of `params` under `app_secret` (upper-case hex).
pub fn sign(params: &BTreeMap<String, String>, app_secret: &str) -> String {
    let mut digest = Md5::new();
    digest.update(app_secret.as_bytes());
    for (key, value) in params {
        if key != "sign" {
            digest.update(key.as_bytes());
            digest.update(value.as_bytes());
        }
    }
    digest.update(app_secret.as_bytes());
    hex::encode_upper(digest.finalize())
}

fn refuse(code: i64, msg: &str) -> BizError {
    BizError {
        code,
        msg: msg.to_owned(),
    }
}

/// Checks the system parameters of one call (see the module contract).
pub fn check_system(
    params: &BTreeMap<String, String>,
    bearer: Option<&str>,
    auth: &AuthConfig,
    now: i64,
) -> Result<(), BizError> {
    let field = |name: &str| params.get(name).map(String::as_str);
    if field("app_key") != Some(auth.app_key.as_str()) {
        return Err(refuse(40001, "app_key不存在"));
    }
    let token_ok = field("access_token") == Some(auth.access_token.as_str())
        && bearer.is_none_or(|token| token == auth.access_token);
    if !token_ok {
        return Err(refuse(40002, "access_token无效或已过期"));
    }
    let sent = field("timestamp").and_then(parse_datetime);
    let timestamp_ok = is_fresh(sent, now, auth.timestamp_tolerance_s);
    if !timestamp_ok {
        return Err(refuse(40003, "timestamp无效"));
    }
    if !matches!(field("v"), Some("1.0" | "1")) {
        return Err(refuse(40007, "v参数错误"));
    }
    let expected = sign(params, &auth.app_secret);
    if !field("sign").is_some_and(|sent| sent.eq_ignore_ascii_case(&expected)) {
        return Err(refuse(SIGN_ERROR, "签名错误"));
    }
    Ok(())
}

/// The `response` object with `code`, `error_msg`, `map` and paging fields.
pub fn envelope(code: i64, error_msg: Option<&str>, map: Value, paging: [Value; 3]) -> Value {
    let [total_results, page_no, page_size] = paging;
    json!({"response": {
        "total_results": total_results,
        "page_no": page_no,
        "page_size": page_size,
        "code": code,
        "has_next": null,
        "error_msg": error_msg,
        "map": map,
        "isSuccess": code == 0,
    }})
}

/// An HTTP reply with a JSON body.
pub fn json_reply(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, Body::from(body.to_string())).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
}

/// The reply of a refused call.
pub fn error_reply(error: &BizError) -> Response {
    let body = envelope(
        error.code,
        Some(&error.msg),
        Value::Null,
        Default::default(),
    );
    json_reply(StatusCode::OK, &body)
}

/// The rate-limit reply, `wait` rounded up to whole seconds (at least 1).
pub fn rate_limited(wait: Duration) -> Response {
    let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let body = envelope(
        RATE_LIMIT_CODE,
        Some(RATE_LIMIT_MSG),
        Value::Null,
        Default::default(),
    );
    let mut response = json_reply(StatusCode::TOO_MANY_REQUESTS, &body);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_of_protocols_8_2() {
        let params: BTreeMap<String, String> = [
            ("app_key", "bnappkey"),
            ("access_token", "bntoken"),
            ("v", "1.0"),
            ("timestamp", "2024-01-02 10:00:00"),
            ("method", "task.update"),
        ]
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
        assert_eq!(
            sign(&params, "banniusecret"),
            "EDC622923BC575CD144F218130510F0B"
        );
        let auth = AuthConfig::default();
        let now = parse_datetime("2024-01-02 10:03:00").unwrap();
        let mut signed = params.clone();
        signed.insert(
            "sign".to_owned(),
            "edc622923bc575cd144f218130510f0b".to_owned(),
        );
        assert_eq!(check_system(&signed, Some("bntoken"), &auth, now), Ok(()));
        signed.insert(
            "sign".to_owned(),
            "EDC622923BC575CD144F218130510F0C".to_owned(),
        );
        let error = check_system(&signed, None, &auth, now).unwrap_err();
        assert_eq!((error.code, error.msg.as_str()), (40004, "签名错误"));
        let error = check_system(&signed, Some("other"), &auth, now).unwrap_err();
        assert_eq!(error.code, 40002);
    }
}
