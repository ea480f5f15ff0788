//! Kingdee reply shapes (PROTOCOLS.md §7.2, §7.4).
//!
//! Contract: every business reply is HTTP 200 JSON. Write operations answer
//! `{"Result":{"ResponseStatus":{"ErrorCode","IsSuccess","Errors":[{"FieldName","Message",
//! "DIndex"}],"SuccessEntitys":[{"Id","Number","DIndex"}],"SuccessMessages":[],"MsgCode"}, …}}`
//! with `IsSuccess` true iff `Errors` is empty; `MsgCode` is 0 on success, 9 for business
//! validation, 1 for a lost session. The rate-limit reply is \[I\] (Kingdee documents none):
//! HTTP 429 with `Retry-After` and a write-style failure envelope.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::framework::core::SimCore;
use crate::framework::stats::Counter;

/// The lost-session message (MsgCode 1).
pub const SESSION_LOST: &str = "会话信息已丢失，请重新登录";
/// The rate-limit message \[I\].
pub const RATE_LIMITED: &str = "请求过于频繁，请稍后再试";

/// One entry of `Errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityError {
    /// `FieldName` (`None` = null).
    pub field: Option<String>,
    /// `Message`.
    pub message: String,
    /// `DIndex`: index into the request's list.
    pub index: usize,
}

/// One entry of `SuccessEntitys`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySuccess {
    /// Internal id.
    pub id: u64,
    /// Number (编码).
    pub number: String,
    /// `DIndex`.
    pub index: usize,
}

/// A JSON reply with `status`.
pub fn json_reply(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, Body::from(bytes)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// The `ResponseStatus` object.
pub fn response_status(
    errors: &[EntityError],
    successes: &[EntitySuccess],
    msg_code: u32,
) -> Value {
    let is_success = errors.is_empty();
    let errors: Vec<Value> = errors
        .iter()
        .map(|error| json!({"FieldName": error.field, "Message": error.message, "DIndex": error.index}))
        .collect();
    let successes: Vec<Value> = successes
        .iter()
        .map(|success| json!({"Id": success.id, "Number": success.number, "DIndex": success.index}))
        .collect();
    let mut status = json!({
        "IsSuccess": is_success,
        "Errors": errors,
        "SuccessEntitys": successes,
        "SuccessMessages": [],
        "MsgCode": if is_success { 0 } else { msg_code },
    });
    if !is_success {
        status["ErrorCode"] = json!(500);
    }
    status
}

/// A write reply: `Result.ResponseStatus` plus `extra` keys of `Result` (`Id`, `Number`,
/// `NeedReturnData`).
pub fn write_reply(errors: &[EntityError], successes: &[EntitySuccess], extra: Value) -> Value {
    let mut result = json!({"ResponseStatus": response_status(errors, successes, 9)});
    if let (Some(result), Value::Object(extra)) = (result.as_object_mut(), extra) {
        result.extend(extra);
    }
    json!({ "Result": result })
}

/// A whole-request failure with one message (no `DIndex` meaning) and `msg_code`.
pub fn failure(message: &str, msg_code: u32) -> Value {
    let error = EntityError {
        field: None,
        message: message.to_owned(),
        index: 0,
    };
    json!({"Result": {"ResponseStatus": response_status(&[error], &[], msg_code)}})
}

/// The lost-session envelope (MsgCode 1).
pub fn session_lost() -> Value {
    failure(SESSION_LOST, 1)
}

/// Takes a token from the bucket (`None`), or answers HTTP 429 with `Retry-After` (whole
/// seconds ≥ 1).
pub fn check_rate(core: &SimCore) -> Option<Response> {
    let Err(wait) = core.rate.try_acquire() else {
        return None;
    };
    core.stats.incr(Counter::RateLimited);
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = json_reply(StatusCode::TOO_MANY_REQUESTS, &failure(RATE_LIMITED, 0));
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    Some(response)
}
