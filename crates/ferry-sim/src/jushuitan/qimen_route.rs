//! `POST /router/qm` with `method=jushuitan.order.list.query` (PROTOCOLS.md §3.1, §6).
//!
//! Contract, in order: rate limit (TOP code 7 `error_response`, HTTP 200) → gateway checks
//! ([`crate::qimen::check_request`], routing id `customer_id`) → business parameters →
//! page. Every reply is HTTP 200 JSON. Shapes (\[I\] where PROTOCOLS.md infers them):
//!
//! * success: `{"response":{"code":0,"issuccess":true,"msg":"执行成功","page_size":…,
//!   "page_index":…,"data_count":…,"page_count":…,"has_next":…,"orders":[…],"request_id":"…"}}`
//! * business error \[I\]: `{"response":{"code":20,"issuccess":false,"msg":"时间间隔不能超过七天",
//!   "request_id":"…"}}`
//! * gateway error: `{"response":{"flag":"failure","code":25,"message":"Invalid signature",
//!   "request_id":"…"}}`

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::Serialize;

use crate::framework::stats::Counter;
use crate::jushuitan::orders::OrderJson;
use crate::jushuitan::query::{BizError, OrderQuery, Params, QIMEN_WINDOW};
use crate::jushuitan::service::serve_page;
use crate::jushuitan::{JushuitanState, ORDER_LIST_METHOD};
use crate::qimen::{GatewayRules, admit, json_reply, parse_params, rate_limited_body};

const RULES: GatewayRules<'static> = GatewayRules {
    methods: &[ORDER_LIST_METHOD],
    routing_param: "customer_id",
};

#[derive(Serialize)]
struct Envelope<T> {
    response: T,
}

#[derive(Serialize)]
struct Success<'a> {
    code: u32,
    issuccess: bool,
    msg: &'static str,
    page_size: u32,
    page_index: u32,
    data_count: u64,
    page_count: u64,
    has_next: bool,
    orders: &'a [OrderJson],
    request_id: &'a str,
}

#[derive(Serialize)]
struct Failure<'a> {
    code: u32,
    issuccess: bool,
    msg: &'a str,
    request_id: &'a str,
}

fn business_error(error: &BizError, request_id: &str) -> Response {
    let body = Envelope {
        response: Failure {
            code: error.code,
            issuccess: false,
            msg: &error.msg,
            request_id,
        },
    };
    json_reply(serde_json::to_vec(&body).unwrap_or_default())
}

/// The route handler.
pub async fn handle(State(state): State<Arc<JushuitanState>>, uri: Uri, body: Bytes) -> Response {
    let params = parse_params(uri.query(), &body);
    let request_id = state.core.next_request_id();
    let stats = &state.core.stats;
    if let Err(wait) = state.core.rate.try_acquire() {
        stats.incr(Counter::RateLimited);
        return json_reply(rate_limited_body(wait, &request_id));
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
    let parsed = {
        let store = state
            .store
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        OrderQuery::parse(
            &Params::Form(&params),
            QIMEN_WINDOW,
            &state.config.rules,
            &store,
        )
    };
    let query = match parsed {
        Ok(query) => query,
        Err(error) => {
            stats.incr(Counter::RejectedRequest);
            return business_error(&error, &request_id);
        }
    };
    let page = serve_page(&state, &query);
    stats.incr(Counter::Served);
    let body = Envelope {
        response: Success {
            code: 0,
            issuccess: true,
            msg: "执行成功",
            page_size: page.page_size,
            page_index: page.page_index,
            data_count: page.data_count,
            page_count: page.page_count,
            has_next: page.has_next,
            orders: &page.orders,
            request_id: &request_id,
        },
    };
    json_reply(serde_json::to_vec(&body).unwrap_or_default())
}
