//! Kingdee authentication (PROTOCOLS.md §7.2): the three session logins and the stateless
//! signature-header mode.
//!
//! Contract:
//! - Logins take the named body (`acctID`/`acctid`, `username`/`userName`, `password`,
//!   `appid`/`appId`, `appsecret`, `timestamp`, `sign`, `lcid`; keys matched ignoring ASCII
//!   case) or the positional `parameters` array (ValidateUser `[acct, user, pwd, lcid]`,
//!   LoginByAppSecret `[acct, user, appId, appSecret, lcid]`, LoginBySign `[acct, user, appId,
//!   timestamp, sign, lcid]` \[I\] order).
//! - Success: `LoginResultType` 1, `KDSVCSessionId` and `Context.SessionId` set, and a
//!   `Set-Cookie: kdservice-sessionid=…`. Failure: `LoginResultType` 0 with a message that
//!   never echoes a credential \[I\]: `数据中心不存在`, `用户名或密码错误！`, `应用ID或应用密钥错误`,
//!   `签名验证失败`, `时间戳已过期` (LoginBySign timestamps must be within
//!   `sign_max_skew_s` of the simulator clock).
//! - Sessions idle out after `session_ttl_s` seconds without a call (each call renews) and
//!   can be expired at once from the control handle. A business call is authorised by a live
//!   session in cookie `kdservice-sessionid` (or header `kdservice-sessionid`), or by the
//!   signature headers `X-Kd-Appkey` = app id, `X-Kd-Appdata` = base64(`acct,user,lcid,org`)
//!   naming the configured data centre and user, `X-Kd-Signature` (see [`super::sign`]) and
//!   `x-api-timestamp` within the skew. `X-Api-Signature` is required but not verified: its
//!   key derivation differs between SDK versions \[C: §7.2\]. Anything else gets MsgCode 1.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::framework::core::SimCore;
use crate::framework::rng::mix64;
use crate::kingdee::sign::{base64_decode, kd_signature, login_sign};

/// Credentials the simulator accepts and session behaviour; defaults match
/// `examples/ferry.toml` and the synthetic values of PROTOCOLS.md §7.2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Data centre id (`acctID`).
    pub acct_id: String,
    /// User name.
    pub username: String,
    /// Password for ValidateUser.
    pub password: String,
    /// App id for LoginByAppSecret, LoginBySign and the signature headers.
    pub app_id: String,
    /// App secret.
    pub app_secret: String,
    /// Idle lifetime of a session in seconds \[C: ~20 min, single source\].
    pub session_ttl_s: i64,
    /// Largest accepted distance between a signed timestamp and the clock \[I\].
    pub sign_max_skew_s: i64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            acct_id: "5f1234567890ab".to_owned(),
            username: "apiuser".to_owned(),
            password: "apipassword".to_owned(),
            app_id: "123456_AbCdEfGhIjKlMnOpQrStUvWxYz012345".to_owned(),
            app_secret: "appsecret0123456789abcdef01234567".to_owned(),
            session_ttl_s: 1200,
            sign_max_skew_s: 600,
        }
    }
}

/// Which login service was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginKind {
    /// `AuthService.ValidateUser`.
    ValidateUser,
    /// `AuthService.LoginByAppSecret`.
    AppSecret,
    /// `AuthService.LoginBySign`.
    Sign,
}

/// Live sessions: id → expiry (simulator seconds).
#[derive(Debug, Default)]
pub struct SessionBook {
    sessions: Mutex<HashMap<String, i64>>,
    issued: AtomicU64,
}

/// The outcome of a login: the reply body and, on success, the session id for the cookie.
#[derive(Debug)]
pub struct LoginReply {
    /// Reply JSON.
    pub body: Value,
    /// Issued session.
    pub session: Option<String>,
}

fn field(body: &Value, names: &[&str], position: usize) -> Option<String> {
    if let Some(parameters) = body.get("parameters").and_then(Value::as_array) {
        return parameters.get(position).and_then(text);
    }
    let object = body.as_object()?;
    object
        .iter()
        .find(|(key, _)| names.iter().any(|name| key.eq_ignore_ascii_case(name)))
        .and_then(|(_, value)| text(value))
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn failed(message: &str) -> LoginReply {
    LoginReply {
        body: json!({
            "Message": message, "MessageCode": "CheckPasswordPolicy", "LoginResultType": 0,
            "Context": null, "KDSVCSessionId": null, "FormId": null, "RedirectFormParam": null,
            "FormInputObject": null, "ErrorStackTrace": null, "Lcid": 0, "AccessToken": null,
            "KdAccessResult": null, "IsSuccessByAPI": false
        }),
        session: None,
    }
}

impl SessionBook {
    /// How many sessions were issued so far.
    pub fn issued(&self) -> u64 {
        self.issued.load(Ordering::Relaxed)
    }

    /// Forgets every session (the next call with one gets MsgCode 1).
    pub fn expire_all(&self) {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Answers a login call.
    pub fn login(
        &self,
        core: &SimCore,
        config: &AuthConfig,
        kind: LoginKind,
        body: &Value,
    ) -> LoginReply {
        let acct = field(body, &["acctID", "acctid", "dbId"], 0).unwrap_or_default();
        let user = field(body, &["username", "userName"], 1).unwrap_or_default();
        if acct != config.acct_id {
            return failed("数据中心不存在");
        }
        match kind {
            LoginKind::ValidateUser => {
                let password = field(body, &["password"], 2).unwrap_or_default();
                if user != config.username || password != config.password {
                    return failed("用户名或密码错误！");
                }
            }
            LoginKind::AppSecret => {
                let app_id = field(body, &["appid"], 2).unwrap_or_default();
                let secret = field(body, &["appsecret"], 3).unwrap_or_default();
                if user != config.username || app_id != config.app_id || secret != config.app_secret
                {
                    return failed("应用ID或应用密钥错误");
                }
            }
            LoginKind::Sign => {
                let app_id = field(body, &["appid"], 2).unwrap_or_default();
                let timestamp = field(body, &["timestamp"], 3).unwrap_or_default();
                let sign = field(body, &["sign"], 4).unwrap_or_default();
                let expected = login_sign(&acct, &user, &app_id, &config.app_secret, &timestamp);
                if user != config.username
                    || app_id != config.app_id
                    || !sign.eq_ignore_ascii_case(&expected)
                {
                    return failed("签名验证失败");
                }
                if !within_skew(core, config, &timestamp) {
                    return failed("时间戳已过期");
                }
            }
        }
        let count = self.issued.fetch_add(1, Ordering::Relaxed);
        let high = mix64(core.seed ^ mix64(count.wrapping_add(0x4B44)));
        let low = mix64(high ^ count);
        let session = format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            high >> 32,
            (high >> 16) & 0xffff,
            high & 0xffff,
            low >> 48,
            low & 0xffff_ffff_ffff
        );
        let expires = core.clock.now_seconds() + config.session_ttl_s;
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(session.clone(), expires);
        let body = json!({
            "Message": null, "MessageCode": "CheckPasswordPolicy", "LoginResultType": 1,
            "Context": {
                "UserLocale": "zh-CN", "LogId": "", "UserId": 100008, "UserName": config.username,
                "SessionId": session, "DBid": config.acct_id, "DataCenterName": "ferry 模拟数据中心",
                "UserToken": session
            },
            "KDSVCSessionId": session, "FormId": null, "RedirectFormParam": null,
            "FormInputObject": null, "ErrorStackTrace": null, "Lcid": 0, "AccessToken": null,
            "KdAccessResult": null, "IsSuccessByAPI": true
        });
        LoginReply {
            body,
            session: Some(session),
        }
    }

    /// Whether `headers` carry a live session or valid signature headers; renews the session.
    pub fn authorize(&self, core: &SimCore, config: &AuthConfig, headers: &HeaderMap) -> bool {
        if headers.contains_key("x-kd-signature") {
            return signature_headers_valid(core, config, headers);
        }
        let Some(session) = session_id(headers) else {
            return false;
        };
        let now = core.clock.now_seconds();
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        match sessions.get_mut(&session) {
            Some(expires) if *expires > now => {
                *expires = now + config.session_ttl_s;
                true
            }
            Some(_) => {
                sessions.remove(&session);
                false
            }
            None => false,
        }
    }
}

fn within_skew(core: &SimCore, config: &AuthConfig, timestamp: &str) -> bool {
    timestamp
        .trim()
        .parse::<i64>()
        .is_ok_and(|seconds| (seconds - core.clock.now_seconds()).abs() <= config.sign_max_skew_s)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    if let Some(value) = header(headers, "kdservice-sessionid") {
        return Some(value.trim().to_owned());
    }
    for cookies in headers.get_all("cookie") {
        let Ok(cookies) = cookies.to_str() else {
            continue;
        };
        for pair in cookies.split(';') {
            if let Some((name, value)) = pair.trim().split_once('=')
                && name.trim().eq_ignore_ascii_case("kdservice-sessionid")
            {
                return Some(value.trim().to_owned());
            }
        }
    }
    None
}

fn signature_headers_valid(core: &SimCore, config: &AuthConfig, headers: &HeaderMap) -> bool {
    let (Some(app_key), Some(appdata), Some(signature), Some(timestamp), Some(_)) = (
        header(headers, "x-kd-appkey"),
        header(headers, "x-kd-appdata"),
        header(headers, "x-kd-signature"),
        header(headers, "x-api-timestamp"),
        header(headers, "x-api-signature"),
    ) else {
        return false;
    };
    let Some(decoded) = base64_decode(appdata).and_then(|bytes| String::from_utf8(bytes).ok())
    else {
        return false;
    };
    let mut parts = decoded.split(',');
    let (Some(acct), Some(user)) = (parts.next(), parts.next()) else {
        return false;
    };
    app_key == config.app_id
        && acct == config.acct_id
        && user == config.username
        && signature == kd_signature(&config.app_id, &config.app_secret, &decoded)
        && within_skew(core, config, timestamp)
}
