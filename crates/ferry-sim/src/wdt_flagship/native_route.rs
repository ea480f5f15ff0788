//! `POST /openapi?sid=…&key=…&salt=…&method=…&v=1.0&timestamp=…&page_size=…&page_no=…
//! &calc_total=1&sign=…` with a JSON array body (PROTOCOLS.md §5.1–5.3).
//!
//! Contract, in order, every reply HTTP 200 JSON, failures `{"status":N,"message":"…"}`:
//!
//! | check | status | message |
//! |---|---|---|
//! | rate limit | 100 | 超过每分钟最大调用频率限制,请稍后重试 |
//! | `sid` unknown | 1 | sid is not exists |
//! | `key`/`salt` wrong | 1 | app auth fail |
//! | `timestamp` not an integer | 1 | 参数错误: timestamp 类型错误 |
//! | `timestamp` (seconds since 2012-01-01) off by more than the tolerance | 7 | 时间戳错误 |
//! | `v` not `1.0` | 8 | 版本错误 |
//! | `sign` missing or wrong ([`native_sign`]) | 1 | 验证失败 |
//! | `method` not the refund search | 99 | 接口不存在: … \[I\] |
//! | body not `[{…}]` | 1 | 参数错误: body … \[I\] |
//! | business checks | see [`RefundQuery::parse`] (page_no from 0) |
//!
//! Success: `{"status":0,"data":{"total_count":N,"order":[…]}}`; `total_count` only when
//! `calc_total=1`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::framework::stats::Counter;
use crate::qimen::json_reply;
use crate::wdt_flagship::query::{RATE_LIMIT_MESSAGE, RefundQuery, WdtError, serve_page};
use crate::wdt_flagship::refunds::Route;
use crate::wdt_flagship::sign::native_sign;
use crate::wdt_flagship::{NATIVE_METHOD, WdtFlagshipState};

/// Unix seconds of 2012-01-01 00:00:00 UTC, the native timestamp's epoch.
pub const WDT_EPOCH: i64 = 1_325_347_200;

fn reply(body: Value) -> Response {
    json_reply(body.to_string())
}

fn check_auth(
    query: &BTreeMap<String, String>,
    body: &str,
    state: &WdtFlagshipState,
) -> Result<(), WdtError> {
    let wdt = &state.config.wdt;
    let get = |name: &str| query.get(name).map(String::as_str).unwrap_or_default();
    if get("sid") != wdt.sid {
        return Err(WdtError::new(1, "sid is not exists"));
    }
    if get("key") != wdt.appkey || get("salt") != wdt.salt {
        return Err(WdtError::new(1, "app auth fail"));
    }
    let Ok(timestamp) = get("timestamp").parse::<i64>() else {
        return Err(WdtError::new(1, "参数错误: timestamp 类型错误"));
    };
    let now = state.core.clock.now_seconds() - WDT_EPOCH;
    if timestamp.abs_diff(now) > wdt.timestamp_tolerance_s {
        return Err(WdtError::new(7, "时间戳错误"));
    }
    if get("v") != "1.0" {
        return Err(WdtError::new(8, "版本错误"));
    }
    let expected = native_sign(query, body, &wdt.secret);
    if !get("sign").eq_ignore_ascii_case(&expected) {
        return Err(WdtError::new(1, "验证失败"));
    }
    Ok(())
}

fn business(body: &str) -> Result<Map<String, Value>, WdtError> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Array(mut items)) if !items.is_empty() => match items.swap_remove(0) {
            Value::Object(map) => Ok(map),
            _ => Err(WdtError::new(1, "参数错误: body 第一个参数必须是对象")),
        },
        _ => Err(WdtError::new(1, "参数错误: body 必须是JSON数组")),
    }
}

/// The route handler.
pub async fn handle(State(state): State<Arc<WdtFlagshipState>>, uri: Uri, body: Bytes) -> Response {
    let query: BTreeMap<String, String> = uri
        .query()
        .map(|text| {
            form_urlencoded::parse(text.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&body).into_owned();
    let stats = &state.core.stats;
    if state.core.rate.try_acquire().is_err() {
        stats.incr(Counter::RateLimited);
        return reply(WdtError::new(100, RATE_LIMIT_MESSAGE).body());
    }
    if let Err(error) = check_auth(&query, &body, &state) {
        stats.incr(Counter::RejectedSign);
        return reply(error.body());
    }
    let method = query.get("method").map(String::as_str).unwrap_or_default();
    if method != NATIVE_METHOD {
        stats.incr(Counter::RejectedRequest);
        return reply(WdtError::new(99, format!("接口不存在: {method}")).body());
    }
    let pager: Map<String, Value> = ["page_no", "page_size"]
        .into_iter()
        .filter_map(|name| Some((name.to_owned(), json!(query.get(name)?))))
        .collect();
    let has_pager = !pager.is_empty();
    let parsed = business(&body)
        .and_then(|params| RefundQuery::parse(&params, has_pager.then_some(&pager), 0, &state));
    let request = match parsed {
        Ok(request) => request,
        Err(error) => {
            stats.incr(Counter::RejectedRequest);
            return reply(error.body());
        }
    };
    let page = serve_page(&state, &request, Route::Native);
    stats.incr(Counter::Served);
    let mut data = Map::new();
    if query.get("calc_total").map(String::as_str) == Some("1") {
        data.insert("total_count".to_owned(), json!(page.total_count));
    }
    data.insert("order".to_owned(), Value::Array(page.order));
    reply(json!({"status": 0, "data": data}))
}
