//! `POST /openapi2/stockout_order_query_trade.php`, the native API (PROTOCOLS.md §4.1–4.2).
//!
//! Contract: form fields `sid`, `appkey`, `timestamp` (Unix seconds), the business parameters
//! and `sign` ([`crate::wdt::sign`]). Checks in order, each answered with HTTP 200
//! `{"code":N,"message":"…"}` (codes and wording \[I\]; PROTOCOLS.md only has a protocol
//! server that uses code 100 for these):
//!
//! | check | code | message |
//! |---|---|---|
//! | rate limit | 1012 | 调用频繁,请稍后重试 (code \[C\]) |
//! | `sid` missing or unknown | 100 | 无效sid |
//! | `appkey` missing or unknown | 100 | 无效appkey |
//! | `timestamp` missing, not a number or off by more than 300 s | 100 | 无效timestamp |
//! | `sign` missing or wrong | 100 | 无效sign |
//! | business parameters | 40 | see [`crate::wdt::query`] |
//!
//! Success: `{"code":0,"message":"","total_count":N,"stockout_list":[…]}`. Any other
//! `/openapi2/...` path: code 1090 接口不存在 \[I\].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::Serialize;

use crate::framework::stats::Counter;
use crate::framework::time::is_fresh;
use crate::qimen::{json_reply, parse_params, present};
use crate::wdt::query::StockoutQuery;
use crate::wdt::records::StockoutJson;
use crate::wdt::service::serve_page;
use crate::wdt::sign::verify;
use crate::wdt::{RATE_LIMIT_CODE, RATE_LIMIT_MESSAGE, WdtState};

#[derive(Serialize)]
struct Failure<'a> {
    code: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct Success<'a> {
    code: u32,
    message: &'static str,
    total_count: u64,
    stockout_list: &'a [StockoutJson],
}

fn error(code: u32, message: &str) -> Response {
    json_reply(serde_json::to_vec(&Failure { code, message }).unwrap_or_default())
}

/// Any other `/openapi2/...` path.
pub async fn unknown_path() -> Response {
    error(1090, "接口不存在")
}

/// The route handler.
pub async fn handle(State(state): State<Arc<WdtState>>, uri: Uri, body: Bytes) -> Response {
    let stats = &state.core.stats;
    if state.core.rate.try_acquire().is_err() {
        stats.incr(Counter::RateLimited);
        return error(RATE_LIMIT_CODE, RATE_LIMIT_MESSAGE);
    }
    let params = parse_params(uri.query(), &body);
    let field = |name: &str| present(&params, name);
    let native = &state.config.native;
    let rejected = |code: u32, message: &str| {
        stats.incr(if message == "无效sign" {
            Counter::RejectedSign
        } else {
            Counter::RejectedRequest
        });
        error(code, message)
    };
    if field("sid") != Some(native.sid.as_str()) {
        return rejected(100, "无效sid");
    }
    if field("appkey") != Some(native.appkey.as_str()) {
        return rejected(100, "无效appkey");
    }
    let now = state.core.clock.now_seconds();
    let sent = field("timestamp").and_then(|text| text.parse::<i64>().ok());
    let timestamp_ok = is_fresh(sent, now, native.timestamp_tolerance_s);
    if !timestamp_ok {
        return rejected(100, "无效timestamp");
    }
    let signed = field("sign").is_some_and(|sign| verify(&params, &native.appsecret, sign));
    if !signed {
        return rejected(100, "无效sign");
    }
    let query = match StockoutQuery::parse(&params, &state.config.rules) {
        Ok(query) => query,
        Err(biz) => return rejected(biz.code, &biz.message),
    };
    let page = serve_page(&state, &query);
    stats.incr(Counter::Served);
    let body = Success {
        code: 0,
        message: "",
        total_count: page.total_count,
        stockout_list: &page.records,
    };
    json_reply(serde_json::to_vec(&body).unwrap_or_default())
}
