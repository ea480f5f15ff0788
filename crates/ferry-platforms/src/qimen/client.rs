//! A reusable Qimen (奇门) custom-API client: system parameters, signature, one form POST and
//! the gateway envelope. It knows nothing about the ERP behind the gateway (Jushuitan,
//! Jackyun, WDT): those decode the inner `response` object themselves.
//!
//! Contract of [`QimenClient::call`]:
//! - sends the system parameters of PROTOCOLS.md §6.2 (`method`, `app_key`, `target_app_key`,
//!   `timestamp` as `yyyy-MM-dd HH:mm:ss` in GMT+8, `format=json`, `v=2.0`, `sign_method`),
//!   the merchant routing parameter if configured (e.g. `customer_id`), the business
//!   parameters, and `sign` (§6.3) as one `application/x-www-form-urlencoded` POST;
//! - business parameters never override system or routing parameters (a clash is dropped);
//!   empty values are not sent;
//! - returns the inner `response` object, or a classified [`CallError`] (see
//!   [`super::envelope`] and the crate's HTTP layer). One request per call, no retries.
//!
//! [`business_params`] flattens a rendered JSON request into form pairs: strings as they are,
//! numbers and booleans as JSON text, `null` and `""` dropped, objects and arrays JSON-encoded.
//! `Debug` never shows the secret.

use std::fmt;

use ferry_model::Secret;
use jiff::Timestamp;
use jiff::tz::{self, TimeZone};
use serde_json::{Map, Value};

use super::envelope::open_envelope;
use super::sign::{SignMethod, sign};
use crate::error::CallError;
use crate::http;

/// System parameter names a business parameter may not override.
const SYSTEM_PARAMS: &[&str] = &[
    "method",
    "app_key",
    "target_app_key",
    "timestamp",
    "format",
    "v",
    "sign_method",
    "sign",
    "session",
    "partner_id",
];

/// Everything a Qimen client needs; built from a connection's settings by the platform code.
#[derive(Clone)]
pub struct QimenConfig {
    /// Platform name for messages, e.g. `jushuitan-qimen`.
    pub platform: &'static str,
    /// The gateway URL, e.g. `http://a1q40taq0j.api.taobao.com/router/qm`.
    pub base_url: String,
    /// The caller's Qimen app key.
    pub app_key: String,
    /// The caller's Qimen secret.
    pub secret: Secret,
    /// The ERP's Qimen app key (routing and anti-spoofing).
    pub target_app_key: String,
    /// How requests are signed.
    pub sign_method: SignMethod,
    /// The merchant routing parameter: name and value, e.g. (`customer_id`, `cust-1`).
    pub routing: Option<(String, String)>,
    /// Whole-request timeout in seconds.
    pub timeout_secs: u64,
}

impl fmt::Debug for QimenConfig {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("QimenConfig")
            .field("platform", &self.platform)
            .field("base_url", &http::display_url(&self.base_url))
            .field("app_key", &self.app_key)
            .field("secret", &self.secret)
            .field("target_app_key", &self.target_app_key)
            .field("sign_method", &self.sign_method)
            .field("routing", &self.routing)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

/// A Qimen gateway client for one connection; cheap to clone (the HTTP pool is shared).
#[derive(Debug, Clone)]
pub struct QimenClient {
    config: QimenConfig,
    http: reqwest::Client,
}

/// Now as `yyyy-MM-dd HH:mm:ss` in GMT+8, the gateway's `timestamp` format.
pub fn beijing_timestamp(now: Timestamp) -> String {
    now.to_zoned(TimeZone::fixed(tz::offset(8)))
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// One rendered value as a form field value; `None` for `null` and `""`.
pub fn business_value(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) if text.is_empty() => None,
        Value::String(text) => Some(text.clone()),
        Value::Bool(_) | Value::Number(_) | Value::Array(_) | Value::Object(_) => {
            Some(value.to_string())
        }
    }
}

/// A rendered request as flat form pairs, in the request's key order (see the module docs).
pub fn business_params(params: &Map<String, Value>) -> Vec<(String, String)> {
    let mut pairs = Vec::with_capacity(params.len());
    for (key, value) in params {
        if let Some(text) = business_value(value) {
            pairs.push((key.clone(), text));
        }
    }
    pairs
}

impl QimenClient {
    /// A client with its own pooled HTTP client (timeout from the config).
    pub fn new(config: QimenConfig) -> Result<Self, CallError> {
        let http = http::build_client(config.timeout_secs)?;
        Ok(Self { config, http })
    }

    /// The configuration (the secret stays wrapped).
    pub fn config(&self) -> &QimenConfig {
        &self.config
    }

    /// Calls `method` with `business` parameters: one signed POST, the inner `response`
    /// object back.
    pub async fn call(
        &self,
        method: &str,
        business: &[(String, String)],
    ) -> Result<Map<String, Value>, CallError> {
        let timestamp = beijing_timestamp(Timestamp::now());
        self.call_at(method, business, &timestamp).await
    }

    /// [`Self::call`] stamped `timestamp` (for business fields that sign the same timestamp).
    pub async fn call_at(
        &self,
        method: &str,
        business: &[(String, String)],
        timestamp: &str,
    ) -> Result<Map<String, Value>, CallError> {
        let form = self.signed_form(method, business, timestamp);
        let url = &self.config.base_url;
        tracing::debug!(
            platform = self.config.platform,
            method,
            url = http::display_url(url),
            "qimen call"
        );
        let reply = http::post_form(&self.http, url, &form).await?;
        http::expect_success(&reply, url)?;
        let body = http::parse_json(self.config.platform, &reply.body)?;
        open_envelope(self.config.platform, body)
    }

    /// The complete form of a call stamped `timestamp`, `sign` last.
    pub(crate) fn signed_form(
        &self,
        method: &str,
        business: &[(String, String)],
        timestamp: &str,
    ) -> Vec<(String, String)> {
        let config = &self.config;
        let mut form: Vec<(String, String)> = [
            ("method", method),
            ("app_key", config.app_key.as_str()),
            ("target_app_key", config.target_app_key.as_str()),
            ("timestamp", timestamp),
            ("format", "json"),
            ("v", "2.0"),
            ("sign_method", config.sign_method.as_str()),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
        let routing_name = config.routing.as_ref().map(|(name, _)| name.as_str());
        if let Some((name, value)) = &config.routing {
            form.push((name.clone(), value.clone()));
        }
        for (key, value) in business {
            let reserved =
                SYSTEM_PARAMS.contains(&key.as_str()) || Some(key.as_str()) == routing_name;
            if reserved || key.is_empty() || value.is_empty() {
                continue;
            }
            form.push((key.clone(), value.clone()));
        }
        let signature = sign(
            form.iter()
                .map(|(key, value)| (key.as_str(), value.as_str())),
            config.secret.expose(),
            config.sign_method,
        );
        form.push(("sign".to_owned(), signature));
        form
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::pairs;

    fn client(method: SignMethod) -> QimenClient {
        QimenClient::new(QimenConfig {
            platform: "jushuitan-qimen",
            base_url: "http://127.0.0.1:9/router/qm".to_owned(),
            app_key: "12345678".to_owned(),
            secret: Secret::new("qimensecret"),
            target_app_key: "23060081".to_owned(),
            sign_method: method,
            routing: Some(("customer_id".to_owned(), "cust-1".to_owned())),
            timeout_secs: 5,
        })
        .unwrap()
    }

    #[test]
    fn form_of_the_worked_example_of_protocols_6_3() {
        let business = pairs(&[
            ("page_index", "1"),
            ("page_size", "50"),
            ("start_time", "2024-01-01 00:00:00"),
            ("end_time", "2024-01-02 00:00:00"),
        ]);
        let form = client(SignMethod::Md5).signed_form(
            "jushuitan.order.list.query",
            &business,
            "2024-01-02 10:00:00",
        );
        let expected = pairs(&[
            ("method", "jushuitan.order.list.query"),
            ("app_key", "12345678"),
            ("target_app_key", "23060081"),
            ("timestamp", "2024-01-02 10:00:00"),
            ("format", "json"),
            ("v", "2.0"),
            ("sign_method", "md5"),
            ("customer_id", "cust-1"),
            ("page_index", "1"),
            ("page_size", "50"),
            ("start_time", "2024-01-01 00:00:00"),
            ("end_time", "2024-01-02 00:00:00"),
            ("sign", "C0EA9CA4962D796D5D1F96509C82158F"),
        ]);
        assert_eq!(form, expected);
    }

    #[test]
    fn business_params_cannot_override_system_or_routing_params() {
        let business = pairs(&[
            ("app_key", "evil"),
            ("customer_id", "other"),
            ("sign", "X"),
            ("empty", ""),
            ("status", "Sent"),
        ]);
        let form = client(SignMethod::Hmac).signed_form("m", &business, "2024-01-02 10:00:00");
        let keys: Vec<&str> = form.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "method",
                "app_key",
                "target_app_key",
                "timestamp",
                "format",
                "v",
                "sign_method",
                "customer_id",
                "status",
                "sign"
            ]
        );
        assert_eq!(form[1].1, "12345678");
        assert_eq!(form[6].1, "hmac");
    }

    #[test]
    fn timestamps_are_beijing_time() {
        let instant: Timestamp = "2024-01-02T02:00:00Z".parse().unwrap();
        assert_eq!(beijing_timestamp(instant), "2024-01-02 10:00:00");
    }

    #[test]
    fn rendered_values_flatten_to_form_text() {
        let params = json!({
            "start_time": "2024-01-01 00:00:00",
            "page_size": 50,
            "is_paid": true,
            "skip": null,
            "blank": "",
            "so_ids": ["a", "b"],
            "extra": {"k": 1},
            "ratio": 1.5
        });
        assert_eq!(
            business_params(params.as_object().unwrap()),
            pairs(&[
                ("start_time", "2024-01-01 00:00:00"),
                ("page_size", "50"),
                ("is_paid", "true"),
                ("so_ids", r#"["a","b"]"#),
                ("extra", r#"{"k":1}"#),
                ("ratio", "1.5"),
            ])
        );
    }

    #[test]
    fn debug_hides_the_secret() {
        let text = format!("{:?}", client(SignMethod::Md5));
        assert!(!text.contains("qimensecret"), "{text}");
        assert!(text.contains("secret: ***"), "{text}");
    }
}
