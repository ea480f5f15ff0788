//! The alert robots' wire formats and the HTTP calls that deliver them.
//!
//! - DingTalk custom robot: `{"msgtype":"markdown","markdown":{"title":..,"text":..}}`; with a
//!   signing secret the URL gets `&timestamp=<ms>&sign=<s>`, where `s` is
//!   urlencode(base64(HmacSHA256(key = secret, message = "<ms>\n<secret>"))).
//! - WeCom group robot: `{"msgtype":"markdown","markdown":{"content":..}}`.
//! - Both answer `{"errcode":0,...}` on success; another errcode is a failure.
//! - Generic webhook: the [`Alert`] as JSON (`event`, `scheme`, `message`, `run_id`, `kind`,
//!   `error`, `at`); any 2xx reply is success.
//!
//! Contract: the webhook URL holds the robot's token, and the signing secret is secret: neither
//! appears in an error message or log (URLs are shown without their query).

use std::sync::Once;
use std::time::Duration;

use base64::Engine as _;
use ferry_model::config::{AlertConfig, AlertKind};
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::Sha256;

/// Whole-request timeout of a robot call.
const TIMEOUT: Duration = Duration::from_secs(10);

/// One alert, ready to format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// `run_failed`, `record_failed` or `checkpoint_lag`.
    pub event: &'static str,
    pub scheme: String,
    /// A one-line English summary.
    pub message: String,
    pub run_id: Option<i64>,
    /// The run's kind (`scheduled`, `remedy`, `manual`, `retry`).
    pub kind: Option<&'static str>,
    /// The first error's text.
    pub error: Option<String>,
    /// What to do about it.
    pub action: String,
    /// When it was noticed, unix seconds.
    pub at: i64,
}

impl Alert {
    /// The markdown title (DingTalk's `title`, the heading of the text).
    pub fn title(&self) -> String {
        format!("ferry: {}", self.message)
    }

    /// The markdown text of the robots.
    pub fn markdown(&self) -> String {
        let at = jiff::Timestamp::from_second(self.at)
            .map(|at| at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|_| self.at.to_string());
        let mut text = format!(
            "### {}\n\n- **Scheme:** {}\n- **What happened:** {}\n",
            self.title(),
            self.scheme,
            self.message
        );
        if let Some(run_id) = self.run_id {
            text.push_str(&format!("- **Run:** {run_id}\n"));
        }
        if let Some(error) = &self.error {
            text.push_str(&format!("- **First error:** {error}\n"));
        }
        text.push_str(&format!(
            "- **What to do:** {}\n- **At:** {at}\n",
            self.action
        ));
        text
    }
}

/// The JSON body `config`'s robot gets for `alert`.
pub fn body(kind: AlertKind, alert: &Alert) -> Value {
    match kind {
        AlertKind::DingTalk => json!({
            "msgtype": "markdown",
            "markdown": {"title": alert.title(), "text": alert.markdown()},
        }),
        AlertKind::WeCom => json!({
            "msgtype": "markdown",
            "markdown": {"content": alert.markdown()},
        }),
        AlertKind::Webhook => json!({
            "event": alert.event,
            "scheme": alert.scheme,
            "message": alert.message,
            "run_id": alert.run_id,
            "kind": alert.kind,
            "error": alert.error,
            "action": alert.action,
            "at": alert.at,
        }),
    }
}

/// DingTalk's signature of `timestamp_ms` with `secret`, URL-encoded.
pub fn dingtalk_sign(timestamp_ms: i64, secret: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    let encoded = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    form_urlencoded::byte_serialize(encoded.as_bytes()).collect()
}

/// The URL to POST to: DingTalk's signed mode appends the timestamp and signature.
pub fn signed_url(config: &AlertConfig, timestamp_ms: i64) -> String {
    let url = config.url.expose();
    match (config.kind, &config.secret) {
        (AlertKind::DingTalk, Some(secret)) if !secret.is_empty() => {
            let separator = if url.contains('?') { '&' } else { '?' };
            format!(
                "{url}{separator}timestamp={timestamp_ms}&sign={}",
                dingtalk_sign(timestamp_ms, secret.expose())
            )
        }
        _ => url.to_owned(),
    }
}

/// `url` without its query (where robots keep their token), for messages.
pub fn display_url(url: &str) -> &str {
    &url[..url.find(['?', '#']).unwrap_or(url.len())]
}

/// Delivers alerts to robots over HTTP.
#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
}

impl Sender {
    /// A sender with a 10 s timeout per call.
    pub fn new() -> Result<Sender, String> {
        static INSTALL: Once = Once::new();
        INSTALL.call_once(|| {
            // `Err` means a provider is already the process default, which is fine.
            let _already = rustls::crypto::ring::default_provider().install_default();
        });
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .tls_backend_rustls()
            .build()
            .map_err(|error| format!("cannot build the alerts' HTTP client: {error}"))?;
        Ok(Sender { client })
    }

    /// Posts `alert` to `config`'s robot; `Err` says why it was not accepted (no secrets).
    pub async fn send(&self, config: &AlertConfig, alert: &Alert) -> Result<(), String> {
        let url = signed_url(config, jiff::Timestamp::now().as_millisecond());
        let shown = display_url(config.url.expose());
        let reply = self
            .client
            .post(&url)
            .json(&body(config.kind, alert))
            .send()
            .await
            .map_err(|error| {
                let reason = if error.is_timeout() {
                    "timed out".to_owned()
                } else if error.is_connect() {
                    "cannot connect".to_owned()
                } else {
                    "request failed".to_owned()
                };
                format!("alert robot {shown}: {reason}")
            })?;
        let status = reply.status();
        let text = reply.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!(
                "alert robot {shown} answered HTTP {status}: {}",
                clip(&text)
            ));
        }
        if config.kind == AlertKind::Webhook {
            return Ok(());
        }
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        match answer.get("errcode").and_then(Value::as_i64) {
            Some(0) => Ok(()),
            Some(code) => Err(format!(
                "alert robot {shown} refused the message: errcode {code}, {}",
                answer
                    .get("errmsg")
                    .and_then(Value::as_str)
                    .unwrap_or("no errmsg")
            )),
            None => Err(format!(
                "alert robot {shown} answered without an errcode: {}",
                clip(&text)
            )),
        }
    }
}

fn clip(text: &str) -> &str {
    let end = text
        .char_indices()
        .nth(200)
        .map_or(text.len(), |(index, _)| index);
    &text[..end]
}
