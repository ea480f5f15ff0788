//! `POST /router/qm` with `method=wdt.stockout.order.query.trade` (PROTOCOLS.md §4.3, §6).
//!
//! Contract, in order: rate limit → gateway checks ([`crate::qimen::check_request`], routing
//! id `sid`) → `sid` known → business parameters → page. Every reply is HTTP 200 JSON:
//!
//! * success: `{"response":{"errorcode":0,"message":"","total_count":N,"stockout_list":[…],
//!   "request_id":"…"}}` (the key is `errorcode`, not `code`, on this route \[C\]);
//! * business error: `{"response":{"errorcode":40,"message":"时间跨度不能超过24小时",
//!   "request_id":"…"}}`; unknown `sid`: errorcode 100 `sid不存在` \[I\];
//! * rate limit: the gateway's code-7 `error_response` (default), or with
//!   [`QimenThrottle::Wdt`] WDT's own `{"response":{"errorcode":1012,"message":"调用频繁,请稍后重试"}}`
//!   (which one the real scene sends is \[I\]);
//! * gateway error: `{"response":{"flag":"failure","code":25,"message":"Invalid signature",…}}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::framework::stats::Counter;
use crate::qimen::{GatewayRules, admit, json_reply, parse_params, rate_limited_body};
use crate::wdt::query::StockoutQuery;
use crate::wdt::records::StockoutJson;
use crate::wdt::service::serve_page;
use crate::wdt::{RATE_LIMIT_CODE, RATE_LIMIT_MESSAGE, STOCKOUT_METHOD, WdtState};

const RULES: GatewayRules<'static> = GatewayRules {
    methods: &[STOCKOUT_METHOD],
    routing_param: "sid",
};

/// Who answers a request over the rate limit on the Qimen route.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QimenThrottle {
    /// The gateway: TOP code 7 `error_response`.
    #[default]
    Gateway,
    /// WDT behind the gateway: `errorcode` 1012.
    Wdt,
}

#[derive(Serialize)]
struct Envelope<T> {
    response: T,
}

#[derive(Serialize)]
struct Success<'a> {
    errorcode: u32,
    message: &'static str,
    total_count: u64,
    stockout_list: &'a [StockoutJson],
    request_id: &'a str,
}

#[derive(Serialize)]
struct Failure<'a> {
    errorcode: u32,
    message: &'a str,
    request_id: &'a str,
}

fn failure(errorcode: u32, message: &str, request_id: &str) -> Response {
    let body = Envelope {
        response: Failure {
            errorcode,
            message,
            request_id,
        },
    };
    json_reply(serde_json::to_vec(&body).unwrap_or_default())
}

/// The route handler.
pub async fn handle(State(state): State<Arc<WdtState>>, uri: Uri, body: Bytes) -> Response {
    let params = parse_params(uri.query(), &body);
    let request_id = state.core.next_request_id();
    let stats = &state.core.stats;
    if let Err(wait) = state.core.rate.try_acquire() {
        stats.incr(Counter::RateLimited);
        return match state.config.qimen_throttle {
            QimenThrottle::Gateway => json_reply(rate_limited_body(wait, &request_id)),
            QimenThrottle::Wdt => failure(RATE_LIMIT_CODE, RATE_LIMIT_MESSAGE, &request_id),
        };
    }
    if let Err(reply) = admit(
        &state.core,
        &params,
        &state.config.qimen,
        RULES,
        &request_id,
    ) {
        return *reply;
    }
    if params.get("sid") != Some(&state.config.native.sid) {
        stats.incr(Counter::RejectedRequest);
        return failure(100, "sid不存在", &request_id);
    }
    let query = match StockoutQuery::parse(&params, &state.config.rules) {
        Ok(query) => query,
        Err(error) => {
            stats.incr(Counter::RejectedRequest);
            return failure(error.code, &error.message, &request_id);
        }
    };
    let page = serve_page(&state, &query);
    stats.incr(Counter::Served);
    let body = Envelope {
        response: Success {
            errorcode: 0,
            message: "",
            total_count: page.total_count,
            stockout_list: &page.records,
            request_id: &request_id,
        },
    };
    json_reply(serde_json::to_vec(&body).unwrap_or_default())
}
