//! One authenticated call to a Kingdee site: transport, login, session reuse and re-login.
//!
//! Contract:
//! - [`Caller::call`] POSTs `{base}Kingdee.BOS.WebApi.ServicesStub.<service>.common.kdsvc`
//!   with a JSON body. Transport: connect errors and timeouts, HTTP 5xx and invalid JSON are
//!   `Transient`; HTTP 429 is `RateLimited` (with `Retry-After`); 401/403 `Rejected`; other
//!   non-2xx `Invalid`.
//! - Session modes log in lazily (ValidateUser, LoginByAppSecret or LoginBySign), keep the
//!   `KDSVCSessionId` and send it as cookie `kdservice-sessionid`. A reply with MsgCode 1 (in
//!   `Result.ResponseStatus`, at the top level, or inside a query's `[[…]]`) drops that
//!   session, logs in again and repeats the call once; a second MsgCode 1 is `Rejected`. A
//!   login answering `LoginResultType` other than 1 (or -5) is `Rejected` with Kingdee's
//!   message. Signature mode sends the `X-Api-*`/`X-Kd-*` headers on every call and has
//!   nothing to renew: MsgCode 1 is `Rejected` (bad credentials).
//! - Messages never contain a password, app secret, signature or session id.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{CONTENT_TYPE, COOKIE, RETRY_AFTER};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::error::CallError;
use crate::http::{Reply, display_url, expect_success, parse_json};
use crate::kingdee::config::{Login, Settings};
use crate::kingdee::sign::{api_signature, base64, kd_signature, login_sign};

const STUB: &str = "Kingdee.BOS.WebApi.ServicesStub.";

/// Authenticated access to one Kingdee site; `Debug` shows no session id.
pub struct Caller {
    client: reqwest::Client,
    settings: Settings,
    session: Mutex<Option<String>>,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Caller")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn reason(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    }
}

fn msg_code(value: &Value) -> Option<i64> {
    let code = |value: &Value| match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    };
    let status = value.pointer("/Result/ResponseStatus/MsgCode");
    let query = value.pointer("/0/0/Result/ResponseStatus/MsgCode");
    status.or(value.get("MsgCode")).or(query).and_then(code)
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

impl Caller {
    /// A caller for `settings` over `client`.
    pub fn new(client: reqwest::Client, settings: Settings) -> Self {
        Self {
            client,
            settings,
            session: Mutex::new(None),
        }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn url(&self, service: &str) -> String {
        format!("{}{STUB}{service}.common.kdsvc", self.settings.base_url)
    }

    fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in self.settings.login.secrets() {
            if !secret.is_empty() {
                text = text.replace(secret, "***");
            }
        }
        text
    }

    async fn post(
        &self,
        url: &str,
        headers: Vec<(String, String)>,
        body: &Value,
    ) -> Result<Value, CallError> {
        let mut request = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .body(serde_json::to_vec(body).unwrap_or_default());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let shown = display_url(url);
        let response = request.send().await.map_err(|error| {
            CallError::transient(format!("cannot reach {shown}: {}", reason(&error)))
        })?;
        let status = response.status().as_u16();
        if status == 429 {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|text| text.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(CallError::RateLimited {
                message: format!("HTTP 429 Too Many Requests from {shown}"),
                retry_after,
            });
        }
        if (500..600).contains(&status) {
            return Err(CallError::transient(format!("HTTP {status} from {shown}")));
        }
        let bytes = response.bytes().await.map_err(|error| {
            CallError::transient(format!("cannot reach {shown}: {}", reason(&error)))
        })?;
        let reply = Reply {
            status,
            body: bytes.to_vec(),
        };
        expect_success(&reply, url)?;
        parse_json("kingdee", &reply.body)
    }

    async fn login(&self) -> Result<String, CallError> {
        let settings = &self.settings;
        let (service, body) = match &settings.login {
            Login::ValidateUser { password } => (
                "AuthService.ValidateUser",
                json!({"acctID": settings.acct_id, "username": settings.username, "password": password, "lcid": settings.lcid}),
            ),
            Login::AppSecret { app_id, app_secret } => (
                "AuthService.LoginByAppSecret",
                json!({"acctid": settings.acct_id, "username": settings.username, "appid": app_id, "appsecret": app_secret, "lcid": settings.lcid}),
            ),
            Login::Sign { app_id, app_secret } => {
                let timestamp = now_seconds().to_string();
                let sign = login_sign(
                    &settings.acct_id,
                    &settings.username,
                    app_id,
                    app_secret,
                    &timestamp,
                );
                (
                    "AuthService.LoginBySign",
                    json!({"acctID": settings.acct_id, "username": settings.username, "appId": app_id, "timestamp": timestamp, "sign": sign, "lcid": settings.lcid}),
                )
            }
            Login::Signature { .. } => {
                return Err(CallError::Invalid {
                    message: "signature mode has no login".to_owned(),
                });
            }
        };
        let reply = self.post(&self.url(service), Vec::new(), &body).await?;
        let result_type = reply.get("LoginResultType").and_then(Value::as_i64);
        let session = reply
            .get("KDSVCSessionId")
            .and_then(Value::as_str)
            .or_else(|| reply.pointer("/Context/SessionId").and_then(Value::as_str))
            .filter(|session| !session.is_empty());
        match (result_type, session) {
            (Some(1 | -5), Some(session)) => Ok(session.to_owned()),
            (Some(code), _) => {
                let message = reply
                    .get("Message")
                    .and_then(Value::as_str)
                    .unwrap_or("no message");
                Err(CallError::Rejected {
                    message: self.scrub(&format!(
                        "Kingdee login `{}` of user `{}` to data centre `{}` failed (LoginResultType {code}): {message}",
                        settings.login.name(),
                        settings.username,
                        settings.acct_id
                    )),
                })
            }
            (None, _) => Err(CallError::transient(format!(
                "unexpected login reply from {}: no `LoginResultType`",
                display_url(&self.url(service))
            ))),
        }
    }

    fn signature_headers(&self, url: &str) -> Vec<(String, String)> {
        let settings = &self.settings;
        let Login::Signature {
            app_id,
            app_secret,
            org_number,
        } = &settings.login
        else {
            return Vec::new();
        };
        let timestamp = now_seconds().to_string();
        let path_start = url.find("://").map_or(0, |scheme| scheme + 3);
        let path = url[path_start..]
            .find('/')
            .map_or("/", |slash| &url[path_start + slash..]);
        let appdata = format!(
            "{},{},{},{org_number}",
            settings.acct_id, settings.username, settings.lcid
        );
        let client_id = app_id.split('_').next().unwrap_or(app_id);
        vec![
            ("X-Api-ClientID".to_owned(), client_id.to_owned()),
            ("X-Api-Auth-Version".to_owned(), "2.0".to_owned()),
            ("x-api-timestamp".to_owned(), timestamp.clone()),
            ("x-api-nonce".to_owned(), timestamp.clone()),
            (
                "x-api-signheaders".to_owned(),
                "x-api-timestamp,x-api-nonce".to_owned(),
            ),
            (
                "X-Api-Signature".to_owned(),
                api_signature(app_secret, path, &timestamp, &timestamp),
            ),
            ("X-Kd-Appkey".to_owned(), app_id.clone()),
            ("X-Kd-Appdata".to_owned(), base64(appdata.as_bytes())),
            (
                "X-Kd-Signature".to_owned(),
                kd_signature(app_id, app_secret, &appdata),
            ),
        ]
    }

    async fn current_session(&self) -> Result<String, CallError> {
        let mut session = self.session.lock().await;
        if let Some(current) = session.as_ref() {
            return Ok(current.clone());
        }
        let fresh = self.login().await?;
        *session = Some(fresh.clone());
        Ok(fresh)
    }

    async fn drop_session(&self, used: &str) {
        let mut session = self.session.lock().await;
        if session.as_deref() == Some(used) {
            *session = None;
        }
    }

    /// Calls `DynamicFormService.<method>` with `body`, renewing the session once if needed.
    pub async fn call(&self, method: &str, body: &Value) -> Result<Value, CallError> {
        let url = self.url(&format!("DynamicFormService.{method}"));
        if matches!(self.settings.login, Login::Signature { .. }) {
            let reply = self.post(&url, self.signature_headers(&url), body).await?;
            if msg_code(&reply) == Some(1) {
                return Err(CallError::Rejected {
                    message: format!(
                        "Kingdee refused the signature headers of user `{}` (MsgCode 1: 会话信息已丢失，请重新登录; with signatures this means wrong app id, secret, data centre or user)",
                        self.settings.username
                    ),
                });
            }
            return Ok(reply);
        }
        for attempt in 0..2 {
            let session = self.current_session().await?;
            let cookie = vec![(
                COOKIE.as_str().to_owned(),
                format!("kdservice-sessionid={session}"),
            )];
            let reply = self.post(&url, cookie, body).await?;
            if msg_code(&reply) != Some(1) {
                return Ok(reply);
            }
            self.drop_session(&session).await;
            if attempt == 1 {
                break;
            }
        }
        Err(CallError::Rejected {
            message: format!(
                "Kingdee lost the session right after a fresh login of user `{}` (MsgCode 1: 会话信息已丢失，请重新登录)",
                self.settings.username
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msg_code_is_found_in_every_envelope() {
        assert_eq!(
            msg_code(&json!({"Result": {"ResponseStatus": {"MsgCode": 1}}})),
            Some(1)
        );
        assert_eq!(
            msg_code(&json!({"ErrorCode": 500, "MsgCode": "1"})),
            Some(1)
        );
        assert_eq!(
            msg_code(&json!([[{"Result": {"ResponseStatus": {"MsgCode": 1}}}]])),
            Some(1)
        );
        assert_eq!(msg_code(&json!([["C1", "a"]])), None);
    }
}
