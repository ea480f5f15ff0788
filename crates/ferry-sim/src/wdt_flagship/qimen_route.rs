//! `POST /router/qm` with `method=wdt.aftersales.refund.refund.search` (PROTOCOLS.md §5.4, §6).
//!
//! Contract, in order, every reply HTTP 200 JSON inside `{"response":{…}}`:
//!
//! 1. rate limit → `{"response":{"status":100,"message":"超过每分钟最大调用频率限制,请稍后重试"}}`
//!    (WDT's own reply, passed through by the gateway);
//! 2. gateway checks ([`crate::qimen::check_request`], routing id `wdt3_customer_id`) →
//!    `{"response":{"flag":"failure","code":25,…}}` etc.;
//! 3. WDT credentials: `wdt3_customer_id` ≠ sid → status 1 `sid is not exists`; `wdt_appkey`
//!    or `wdt_salt` wrong → status 1 `app auth fail`; `datetime` missing or off by more than the
//!    tolerance → status 7 `时间戳错误`; `wdt_sign` missing or wrong → status 1 `验证失败`
//!    (\[I\] mapping of the §5.3 table to the Qimen route);
//! 4. `params`/`pager` JSON objects → [`RefundQuery::parse`] (page_no from
//!    `rules.qimen_first_page`);
//! 5. success `{"response":{"status":0,"message":"ok","data":{"total_count":N,"order":[…]}}}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::framework::stats::Counter;
use crate::framework::time::parse_datetime;
use crate::qimen::{GatewayRules, admit, json_reply, parse_params};
use crate::wdt_flagship::query::{RATE_LIMIT_MESSAGE, RefundQuery, WdtError, serve_page};
use crate::wdt_flagship::refunds::Route;
use crate::wdt_flagship::sign::qimen_wdt_sign;
use crate::wdt_flagship::{QIMEN_METHOD, WdtFlagshipState};

const RULES: GatewayRules<'static> = GatewayRules {
    methods: &[QIMEN_METHOD],
    routing_param: "wdt3_customer_id",
};

fn wrapped(inner: Value) -> Response {
    json_reply(json!({ "response": inner }).to_string())
}

fn object_param(
    params: &std::collections::BTreeMap<String, String>,
    name: &str,
) -> Result<Option<Map<String, Value>>, WdtError> {
    let Some(text) = params.get(name).filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        _ => Err(WdtError::new(1, format!("参数错误: {name} 必须是JSON对象"))),
    }
}

fn check_wdt(
    params: &std::collections::BTreeMap<String, String>,
    state: &WdtFlagshipState,
    now: i64,
) -> Result<(), WdtError> {
    let wdt = &state.config.wdt;
    let get = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    if get("wdt3_customer_id") != wdt.sid {
        return Err(WdtError::new(1, "sid is not exists"));
    }
    if get("wdt_appkey") != wdt.appkey || get("wdt_salt") != wdt.salt {
        return Err(WdtError::new(1, "app auth fail"));
    }
    let sent = parse_datetime(get("datetime"));
    if sent.is_none_or(|sent| sent.abs_diff(now) > wdt.timestamp_tolerance_s) {
        return Err(WdtError::new(7, "时间戳错误"));
    }
    let expected = qimen_wdt_sign(params, QIMEN_METHOD, &wdt.secret);
    if !get("wdt_sign").eq_ignore_ascii_case(&expected) {
        return Err(WdtError::new(1, "验证失败"));
    }
    Ok(())
}

/// The route handler.
pub async fn handle(State(state): State<Arc<WdtFlagshipState>>, uri: Uri, body: Bytes) -> Response {
    let params = parse_params(uri.query(), &body);
    let request_id = state.core.next_request_id();
    let stats = &state.core.stats;
    if state.core.rate.try_acquire().is_err() {
        stats.incr(Counter::RateLimited);
        return wrapped(WdtError::new(100, RATE_LIMIT_MESSAGE).body());
    }
    let now = match admit(
        &state.core,
        &params,
        &state.config.qimen,
        RULES,
        &request_id,
    ) {
        Ok(now) => now,
        Err(reply) => return *reply,
    };
    if let Err(error) = check_wdt(&params, &state, now) {
        stats.incr(Counter::RejectedSign);
        return wrapped(error.body());
    }
    let parsed = object_param(&params, "params").and_then(|business| {
        let pager = object_param(&params, "pager")?;
        RefundQuery::parse(
            &business.unwrap_or_default(),
            pager.as_ref(),
            state.config.rules.qimen_first_page,
            &state,
        )
    });
    let query = match parsed {
        Ok(query) => query,
        Err(error) => {
            stats.incr(Counter::RejectedRequest);
            return wrapped(error.body());
        }
    };
    let page = serve_page(&state, &query, Route::Qimen);
    stats.incr(Counter::Served);
    wrapped(json!({
        "status": 0,
        "message": "ok",
        "data": {"total_count": page.total_count, "order": page.order},
        "request_id": request_id,
    }))
}
