//! The Qimen (Taobao TOP) gateway checks shared by every Qimen-routed simulator (Jushuitan,
//! Jackyun, WDT enterprise, WDT flagship), written from PROTOCOLS.md §6 independently of any
//! client code.
//!
//! Contract: [`parse_params`] merges query-string and form-body parameters (the body wins on a
//! clash). [`check_request`] applies the gateway checks in TOP's order and returns the
//! `{"response":{"flag":"failure",...}}` error of the first that fails. Codes (§6.5; the TOP
//! public error table, marked \[I\] where PROTOCOLS.md only infers them):
//!
//! | check | code | message |
//! |---|---|---|
//! | `method` missing / unknown | 21 / 22 | Missing method / Invalid method |
//! | `app_key` missing / unknown | 28 / 29 | Missing app key / Invalid app key |
//! | `timestamp` missing / unparsable or off by more than the tolerance (±10 min) | 30 / 31 | Missing timestamp / Invalid timestamp \[I\] |
//! | `format` not `json` (`xml` is not simulated) | 23 | Invalid format \[I\] |
//! | `v` missing / not `2.0` | 32 / 33 | Missing version / Invalid version \[I\] |
//! | `sign` missing | 24 | Missing signature \[I\] |
//! | `sign_method` unknown or `sign` mismatch | 25 | Invalid signature |
//! | `target_app_key` missing or not the scene's | 41 | Invalid arguments, sub_code `isv.invalid-parameter:target_app_key` \[I\] |
//! | routing id (e.g. `customer_id`) missing | 40 | Missing required arguments, sub_code `isv.missing-parameter:<name>` \[I\] |
//!
//! The rate-limit reply is the classic `error_response` envelope with code 7 and HTTP 200, as
//! TOP sends it.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::framework::core::SimCore;
use crate::framework::stats::Counter;
use crate::framework::time::parse_datetime;

/// The Qimen custom-API route path.
pub const QIMEN_PATH: &str = "/router/qm";

/// Credentials and tolerances of one Qimen scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QimenGatewayConfig {
    /// The caller's Qimen app key that the simulator knows.
    pub app_key: String,
    /// The caller's secret (signing key).
    pub secret: String,
    /// The ERP's Qimen app key that requests must target.
    pub target_app_key: String,
    /// Accepted distance between `timestamp` and the simulator's clock, in seconds.
    pub timestamp_tolerance_s: u64,
}

impl Default for QimenGatewayConfig {
    fn default() -> Self {
        Self {
            app_key: "12345678".to_owned(),
            secret: "qimensecret".to_owned(),
            target_app_key: "23060081".to_owned(),
            timestamp_tolerance_s: 600,
        }
    }
}

/// The TOP signature algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignMethod {
    /// `UPPER(HEX(MD5(secret + S + secret)))`.
    Md5,
    /// `UPPER(HEX(HMAC-MD5(secret, S)))`.
    Hmac,
    /// `UPPER(HEX(HMAC-SHA256(secret, S)))`.
    HmacSha256,
}

impl SignMethod {
    /// Parses `sign_method`; absent means md5.
    pub fn from_param(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("") | Some("md5") => Some(Self::Md5),
            Some("hmac") => Some(Self::Hmac),
            Some("hmac-sha256") => Some(Self::HmacSha256),
            Some(_) => None,
        }
    }
}

/// Merges the query string and a form-urlencoded body into one parameter map.
pub fn parse_params(query: Option<&str>, body: &[u8]) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    if let Some(query) = query {
        params.extend(form_urlencoded::parse(query.as_bytes()).into_owned());
    }
    params.extend(form_urlencoded::parse(body).into_owned());
    params
}

/// `k1v1k2v2…` over every parameter except `sign`, skipping empty keys and values, in ASCII
/// key order (the map is sorted).
pub fn string_to_sign(params: &BTreeMap<String, String>) -> String {
    let mut text = String::new();
    for (key, value) in params {
        if key == "sign" || key.is_empty() || value.is_empty() {
            continue;
        }
        text.push_str(key);
        text.push_str(value);
    }
    text
}

/// The TOP signature of `params` (upper-case hex).
pub fn top_sign(params: &BTreeMap<String, String>, secret: &str, method: SignMethod) -> String {
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
                .expect("hmac should accept keys of any length");
            mac.update(text.as_bytes());
            hex::encode_upper(mac.finalize().into_bytes())
        }
        SignMethod::HmacSha256 => {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
                .expect("hmac should accept keys of any length");
            mac.update(text.as_bytes());
            hex::encode_upper(mac.finalize().into_bytes())
        }
    }
}

/// A gateway-level failure, rendered as `{"response":{"flag":"failure",...}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayError {
    /// TOP error code.
    pub code: u32,
    /// TOP error message.
    pub message: &'static str,
    /// Optional finer code, e.g. `isv.missing-parameter:customer_id`.
    pub sub_code: Option<String>,
    /// Optional human detail.
    pub sub_message: Option<String>,
}

#[derive(Serialize)]
struct FailureBody<'a> {
    flag: &'static str,
    code: u32,
    message: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_message: Option<&'a str>,
    request_id: &'a str,
}

#[derive(Serialize)]
struct Wrapped<T> {
    response: T,
}

impl GatewayError {
    fn plain(code: u32, message: &'static str) -> Self {
        Self {
            code,
            message,
            sub_code: None,
            sub_message: None,
        }
    }

    fn detailed(code: u32, message: &'static str, sub_code: String, sub_message: String) -> Self {
        Self {
            code,
            message,
            sub_code: Some(sub_code),
            sub_message: Some(sub_message),
        }
    }

    /// Whether this is the signature failure (code 25).
    pub fn is_signature(&self) -> bool {
        self.code == 25
    }

    /// The JSON body, e.g.
    /// `{"response":{"flag":"failure","code":25,"message":"Invalid signature","request_id":"…"}}`.
    pub fn body(&self, request_id: &str) -> String {
        let body = Wrapped {
            response: FailureBody {
                flag: "failure",
                code: self.code,
                message: self.message,
                sub_code: self.sub_code.as_deref(),
                sub_message: self.sub_message.as_deref(),
                request_id,
            },
        };
        serde_json::to_string(&body).unwrap_or_default()
    }
}

/// What the platform tells the gateway about itself.
#[derive(Debug, Clone, Copy)]
pub struct GatewayRules<'a> {
    /// Methods the scene serves.
    pub methods: &'a [&'a str],
    /// The merchant routing parameter (`customer_id`, `jkycustomerid`, `sid`, …).
    pub routing_param: &'a str,
}

/// The value of parameter `name`, unless it is missing or empty.
pub fn present<'a>(params: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
}

/// Applies the gateway checks (see the module table) against `now_seconds`.
pub fn check_request(
    params: &BTreeMap<String, String>,
    config: &QimenGatewayConfig,
    rules: GatewayRules<'_>,
    now_seconds: i64,
) -> Result<(), GatewayError> {
    let method = present(params, "method").ok_or(GatewayError::plain(21, "Missing method"))?;
    if !rules.methods.contains(&method) {
        return Err(GatewayError::plain(22, "Invalid method"));
    }
    let app_key = present(params, "app_key").ok_or(GatewayError::plain(28, "Missing app key"))?;
    if app_key != config.app_key {
        return Err(GatewayError::plain(29, "Invalid app key"));
    }
    let timestamp =
        present(params, "timestamp").ok_or(GatewayError::plain(30, "Missing timestamp"))?;
    let sent = parse_datetime(timestamp).ok_or(GatewayError::plain(31, "Invalid timestamp"))?;
    if sent.abs_diff(now_seconds) > config.timestamp_tolerance_s {
        return Err(GatewayError::plain(31, "Invalid timestamp"));
    }
    if present(params, "format") != Some("json") {
        return Err(GatewayError::plain(23, "Invalid format"));
    }
    match present(params, "v") {
        None => return Err(GatewayError::plain(32, "Missing version")),
        Some("2.0") => {}
        Some(_) => return Err(GatewayError::plain(33, "Invalid version")),
    }
    let sign = present(params, "sign").ok_or(GatewayError::plain(24, "Missing signature"))?;
    let invalid_signature = GatewayError::plain(25, "Invalid signature");
    let sign_method = SignMethod::from_param(params.get("sign_method").map(String::as_str))
        .ok_or(invalid_signature.clone())?;
    if !top_sign(params, &config.secret, sign_method).eq_ignore_ascii_case(sign) {
        return Err(invalid_signature);
    }
    if present(params, "target_app_key") != Some(config.target_app_key.as_str()) {
        return Err(GatewayError::detailed(
            41,
            "Invalid arguments",
            "isv.invalid-parameter:target_app_key".to_owned(),
            "target_app_key is missing or does not match the scene".to_owned(),
        ));
    }
    if present(params, rules.routing_param).is_none() {
        return Err(GatewayError::detailed(
            40,
            "Missing required arguments",
            format!("isv.missing-parameter:{}", rules.routing_param),
            format!("{} is required", rules.routing_param),
        ));
    }
    Ok(())
}

/// Applies [`check_request`] at the simulator clock and returns that clock. On failure it
/// counts the rejection (a bad signature as [`Counter::RejectedSign`], anything else as
/// [`Counter::RejectedRequest`]) and returns the gateway's error reply (boxed: it is large).
pub fn admit(
    core: &SimCore,
    params: &BTreeMap<String, String>,
    config: &QimenGatewayConfig,
    rules: GatewayRules<'_>,
    request_id: &str,
) -> Result<i64, Box<Response>> {
    let now = core.clock.now_seconds();
    if let Err(error) = check_request(params, config, rules, now) {
        let counter = if error.is_signature() {
            Counter::RejectedSign
        } else {
            Counter::RejectedRequest
        };
        core.stats.incr(counter);
        return Err(Box::new(json_reply(error.body(request_id))));
    }
    Ok(now)
}

/// The TOP rate-limit envelope (code 7), `wait` rounded up to whole seconds (at least 1).
pub fn rate_limited_body(wait: Duration, request_id: &str) -> String {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    serde_json::json!({
        "error_response": {
            "code": 7,
            "msg": "App Call Limited",
            "sub_code": "accesscontrol.limited-by-app-access-count",
            "sub_msg": format!("This ban will last for {} more seconds", seconds.max(1)),
            "request_id": request_id,
        }
    })
    .to_string()
}

/// A `200 application/json;charset=UTF-8` reply, as the TOP gateway sends every answer.
pub fn json_reply(body: impl Into<axum::body::Body>) -> Response {
    let mut response = (StatusCode::OK, body.into()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
}

#[cfg(test)]
mod tests;
