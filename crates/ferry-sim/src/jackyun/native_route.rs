//! `POST /open/openapi/do`, the native Jackyun gateway (PROTOCOLS.md §1.2, §1.3).
//!
//! Contract: form fields `method`, `appkey`, `version` (`v1.0` or `1.0`), `contenttype=json`,
//! `timestamp` (`yyyy-MM-dd HH:mm:ss`), `bizcontent` (JSON object text), `sign`
//! ([`crate::jackyun::sign::jky_sign`]); `token` and `contextid` are optional and unsigned.
//! Checks in order, each HTTP 200 `{"code":N,"msg":…,"subCode":…}` (codes \[I\]):
//!
//! | check | code | subCode |
//! |---|---|---|
//! | rate limit | 429 | `GSE.API_CALL_LIMITED` |
//! | `method` missing / not served | 404 | `GSE.METHOD_NOT_FOUND` |
//! | `appkey` missing or unknown | 401 | `GSE.APPKEY_INVALID` |
//! | `timestamp` missing, unparsable or off by more than the tolerance | 400 | `GSE.TIMESTAMP_INVALID` |
//! | `sign` missing or wrong | 401 | `GSE.SIGN_INVALID` |
//! | `bizcontent` / business parameters | 400 | `GSE.PARAM_ERROR` |
//!
//! Success: the object of [`crate::jackyun::reply::serve`].

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;

use crate::framework::stats::Counter;
use crate::framework::time::{is_fresh, parse_datetime};
use crate::jackyun::query::BizError;
use crate::jackyun::reply::{error_object, parse_biz, rate_limited, serve};
use crate::jackyun::sign::jky_sign;
use crate::jackyun::{JackyunState, TRADE_LIST_METHOD};
use crate::qimen::{json_reply, parse_params};

fn error(code: u32, sub_code: &'static str, msg: &str) -> BizError {
    BizError {
        code,
        sub_code,
        msg: msg.to_owned(),
    }
}

fn check(state: &JackyunState, params: &BTreeMap<String, String>) -> Result<(), BizError> {
    let get = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    if get("method") != TRADE_LIST_METHOD {
        return Err(error(404, "GSE.METHOD_NOT_FOUND", "method不存在"));
    }
    let app = &state.config.app;
    if get("appkey") != app.appkey {
        return Err(error(401, "GSE.APPKEY_INVALID", "appkey无效"));
    }
    let now = state.core.clock.now_seconds();
    let fresh = is_fresh(
        parse_datetime(get("timestamp")),
        now,
        app.timestamp_tolerance_s,
    );
    if !fresh {
        return Err(error(400, "GSE.TIMESTAMP_INVALID", "timestamp无效"));
    }
    let expected = jky_sign(params, &app.secret);
    if !expected.eq_ignore_ascii_case(get("sign")) {
        return Err(error(401, "GSE.SIGN_INVALID", "签名验证失败"));
    }
    Ok(())
}

fn reply(body: &serde_json::Value) -> Response {
    json_reply(serde_json::to_vec(body).unwrap_or_default())
}

/// The route handler.
pub async fn handle(State(state): State<Arc<JackyunState>>, uri: Uri, body: Bytes) -> Response {
    let params = parse_params(uri.query(), &body);
    let stats = &state.core.stats;
    if state.core.rate.try_acquire().is_err() {
        stats.incr(Counter::RateLimited);
        return reply(&error_object(&rate_limited()));
    }
    if let Err(failure) = check(&state, &params) {
        let counter = if failure.sub_code == "GSE.SIGN_INVALID" {
            Counter::RejectedSign
        } else {
            Counter::RejectedRequest
        };
        stats.incr(counter);
        return reply(&error_object(&failure));
    }
    match parse_biz("bizcontent", params.get("bizcontent")).and_then(|biz| serve(&state, &biz)) {
        Ok(page) => {
            stats.incr(Counter::Served);
            reply(&page)
        }
        Err(failure) => {
            stats.incr(Counter::RejectedRequest);
            reply(&error_object(&failure))
        }
    }
}
