//! `GET /v1/invoices/order/list` (PROTOCOLS.md §2.2–2.5) and the token route.
//!
//! Contract: checks run in this order: rate limit, Bearer token of scope `invoices`
//! ([`crate::okki::auth`]), query parameters ([`crate::okki::query`]). Success is
//! `{"code":200,"message":"success","data":{"count":total,"list":[…]}}` where `count` is the
//! total matching orders across pages \[C\] and `list` holds page `start_index` (from 1) of
//! `count` orders in `(time, order_id)` order; a page past the end has an empty `list`. The
//! page is rendered from the state *before* the move-records fault is rolled; moved orders are
//! ones not served yet in this window unless `include_served` is set.

use std::sync::{Arc, PoisonError};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;

use crate::framework::paging::{move_fault, page_bounds};
use crate::framework::stats::Counter;
use crate::okki::OkkiState;
use crate::okki::orders::{OrderJson, render};
use crate::okki::query::OrderQuery;
use crate::okki::reply::{check_rate, failure, success};
use crate::qimen::parse_params;

/// The scope the order APIs need.
pub const INVOICES_SCOPE: &str = "invoices";

#[derive(Serialize)]
struct ListData {
    count: u64,
    list: Vec<OrderJson>,
}

/// `POST /v1/oauth2/access_token`.
pub async fn token(State(state): State<Arc<OkkiState>>, body: Bytes) -> Response {
    if let Some(limited) = check_rate(&state.core) {
        return limited;
    }
    state.tokens.grant(&state.core, &state.config.auth, &body)
}

/// `GET /v1/invoices/order/list`.
pub async fn order_list(
    State(state): State<Arc<OkkiState>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let core = &state.core;
    if let Some(limited) = check_rate(core) {
        return limited;
    }
    let auth = &state.config.auth;
    if let Some(rejected) = state.tokens.authorize(core, auth, &headers, INVOICES_SCOPE) {
        return rejected;
    }
    let params = parse_params(uri.query(), &[]);
    let query = match OrderQuery::parse(&params, &state.config.rules) {
        Ok(query) => query,
        Err(error) => {
            core.stats.incr(Counter::RejectedRequest);
            return failure(StatusCode::OK, error.code, &error.message);
        }
    };
    let now = core.clock.now_seconds();
    let offset = (query.page as usize - 1).saturating_mul(query.count as usize);
    let (total, cores, served_end) = {
        let store = state.store.read().unwrap_or_else(PoisonError::into_inner);
        let view = store.view(&query.filter, now);
        let page = page_bounds(view.len(), offset, query.count as usize);
        let end = page.end;
        let cores: Vec<_> = view[page]
            .iter()
            .map(|&record| (record, store.core(record)))
            .collect();
        (view.len(), cores, end)
    };
    let max_len = state.config.common.data.max_string_len as usize;
    let list: Vec<OrderJson> = cores
        .iter()
        .map(|(record, order)| render(core.seed, max_len, *record, order))
        .collect();
    core.stats.incr(Counter::PagesServed);
    core.stats.add(Counter::RecordsServed, list.len() as u64);

    move_fault(core, served_end, |first_candidate, moves, choose| {
        let mut store = state.store.write().unwrap_or_else(PoisonError::into_inner);
        store.move_later(&query.filter, now, first_candidate, moves, choose)
    });
    core.stats.incr(Counter::Served);
    success(ListData {
        count: total as u64,
        list,
    })
}
