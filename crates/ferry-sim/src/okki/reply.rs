//! The OKKI 小满 reply envelope: `{"code":…,"message":…,"data":…}` (PROTOCOLS.md §2.3).
//!
//! Contract: success is `code` 200 with `message` `success`; every failure carries another
//! `code` and a `message`, with the HTTP status listed below (\[I\]: only the JSON shape and
//! "success iff code 200" are confirmed):
//!
//! | failure | HTTP | code | message |
//! |---|---|---|---|
//! | rate limit (with `Retry-After`) | 429 | 429 | 请求过于频繁，请稍后再试 |
//! | missing, unknown or expired token | 401 | 401 | access_token无效或已过期 |
//! | token of another scope | 403 | 403 | access_token无权访问该接口 |
//! | bad parameter | 200 | 400 | see [`crate::okki::query`] |
//! | unknown path | 404 | 404 | 接口不存在 |

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::framework::core::SimCore;
use crate::framework::stats::Counter;

/// The rate-limit message.
pub const RATE_LIMIT_MESSAGE: &str = "请求过于频繁，请稍后再试";

#[derive(Serialize)]
struct Envelope<'a, T> {
    code: u32,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<T>,
}

/// A JSON reply with `status`.
pub fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// `{"code":200,"message":"success","data":…}`.
pub fn success<T: Serialize>(data: T) -> Response {
    let body = Envelope {
        code: 200,
        message: "success",
        data: Some(data),
    };
    json(
        StatusCode::OK,
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}

/// `{"code":code,"message":message}` with HTTP `status`.
pub fn failure(status: StatusCode, code: u32, message: &str) -> Response {
    let body = Envelope::<()> {
        code,
        message,
        data: None,
    };
    json(status, serde_json::to_vec(&body).unwrap_or_default())
}

/// Takes a token from the bucket (`None`), or returns the 429 reply with `Retry-After`
/// (whole seconds, ≥ 1).
pub fn check_rate(core: &SimCore) -> Option<Response> {
    let Err(wait) = core.rate.try_acquire() else {
        return None;
    };
    core.stats.incr(Counter::RateLimited);
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = failure(StatusCode::TOO_MANY_REQUESTS, 429, RATE_LIMIT_MESSAGE);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    Some(response)
}

/// Any other path.
pub async fn unknown_path() -> Response {
    failure(StatusCode::NOT_FOUND, 404, "接口不存在")
}
