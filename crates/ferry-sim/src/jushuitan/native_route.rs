//! `POST /open/orders/single/query`, the native open API v2 (PROTOCOLS.md §3.2–3.4).
//!
//! Contract: form fields `app_key`, `access_token`, `timestamp` (Unix seconds), `version=2`,
//! `charset=utf-8`, `biz` (JSON object text), `sign` ([`crate::jushuitan::sign`]). Checks in
//! order, each with `{"code":N,"msg":"…","data":null}` and HTTP 200 (\[I\] codes except 100
//! and 190, which PROTOCOLS.md confirms):
//!
//! | check | code | msg |
//! |---|---|---|
//! | rate limit | 10004, HTTP 429 + `Retry-After` | 接口调用频率超限,请稍后重试 |
//! | `app_key` missing or unknown | 11 | app_key无效 |
//! | `access_token` missing or wrong | 100 | access_token已过期或无效 |
//! | `timestamp` missing, not a number or off by more than the tolerance | 12 | timestamp无效 |
//! | `version` not 2 / `charset` not utf-8 | 13 | version或charset参数错误 |
//! | `sign` missing or wrong | 10 | 签名错误 |
//! | `biz` not a JSON object | 20 | biz参数格式错误 |
//! | business parameters | 20 | see [`crate::jushuitan::query`] |
//!
//! Success: `{"code":0,"msg":"执行成功","data":{"page_index":…,"page_size":…,"data_count":…,
//! "page_count":…,"has_next":…,"orders":[…]}}`. Unknown `/open/...` paths: code 190 接口不存在.

use std::sync::{Arc, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::framework::stats::Counter;
use crate::framework::time::is_fresh;
use crate::jushuitan::JushuitanState;
use crate::jushuitan::orders::OrderJson;
use crate::jushuitan::query::{NATIVE_WINDOW, OrderQuery, PARAM_ERROR_CODE, Params};
use crate::jushuitan::service::serve_page;
use crate::jushuitan::sign::verify;
use crate::qimen::{parse_params, present};

#[derive(Serialize)]
struct Reply<'a, T> {
    code: u32,
    msg: &'a str,
    data: Option<T>,
}

#[derive(Serialize)]
struct PageData<'a> {
    page_index: u32,
    page_size: u32,
    data_count: u64,
    page_count: u64,
    has_next: bool,
    orders: &'a [OrderJson],
}

fn reply(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    response
}

fn error(code: u32, msg: &str) -> Response {
    let body = Reply::<()> {
        code,
        msg,
        data: None,
    };
    reply(
        StatusCode::OK,
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}

/// Any other `/open/...` path.
pub async fn unknown_path() -> Response {
    error(190, "接口不存在")
}

/// The route handler.
pub async fn handle(State(state): State<Arc<JushuitanState>>, uri: Uri, body: Bytes) -> Response {
    let stats = &state.core.stats;
    if let Err(wait) = state.core.rate.try_acquire() {
        stats.incr(Counter::RateLimited);
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let body = Reply::<()> {
            code: 10004,
            msg: "接口调用频率超限,请稍后重试",
            data: None,
        };
        let mut response = reply(
            StatusCode::TOO_MANY_REQUESTS,
            serde_json::to_vec(&body).unwrap_or_default(),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        return response;
    }
    let params = parse_params(uri.query(), &body);
    let field = |name: &str| present(&params, name);
    let native = &state.config.native;
    let rejected = |code: u32, msg: &str| {
        stats.incr(if code == 10 {
            Counter::RejectedSign
        } else {
            Counter::RejectedRequest
        });
        error(code, msg)
    };
    if field("app_key") != Some(native.app_key.as_str()) {
        return rejected(11, "app_key无效");
    }
    if field("access_token") != Some(native.access_token.as_str()) {
        return rejected(100, "access_token已过期或无效");
    }
    let now = state.core.clock.now_seconds();
    let sent = field("timestamp").and_then(|text| text.parse::<i64>().ok());
    let timestamp_ok = is_fresh(sent, now, native.timestamp_tolerance_s);
    if !timestamp_ok {
        return rejected(12, "timestamp无效");
    }
    let charset_ok = field("charset").is_some_and(|charset| charset.eq_ignore_ascii_case("utf-8"));
    if field("version") != Some("2") || !charset_ok {
        return rejected(13, "version或charset参数错误");
    }
    let signed = field("sign").is_some_and(|sign| verify(&params, &native.app_secret, sign));
    if !signed {
        return rejected(10, "签名错误");
    }
    let biz = match serde_json::from_str::<serde_json::Value>(field("biz").unwrap_or("{}")) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return rejected(PARAM_ERROR_CODE, "biz参数格式错误"),
    };
    let parsed = {
        let store = state.store.read().unwrap_or_else(PoisonError::into_inner);
        OrderQuery::parse(
            &Params::Json(&biz),
            NATIVE_WINDOW,
            &state.config.rules,
            &store,
        )
    };
    let query = match parsed {
        Ok(query) => query,
        Err(biz_error) => return rejected(biz_error.code, &biz_error.msg),
    };
    let page = serve_page(&state, &query);
    stats.incr(Counter::Served);
    let body = Reply {
        code: 0,
        msg: "执行成功",
        data: Some(PageData {
            page_index: page.page_index,
            page_size: page.page_size,
            data_count: page.data_count,
            page_count: page.page_count,
            has_next: page.has_next,
            orders: &page.orders,
        }),
    };
    reply(
        StatusCode::OK,
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}
