//! HTTP routes: `POST {base}<ServiceName>.common.kdsvc` (PROTOCOLS.md §7.1) and the
//! simulator's own `/_sim/kingdee/…` routes.
//!
//! Contract: checks run in this order: rate limit (HTTP 429, [`crate::kingdee::reply`]),
//! service name (case ignored; must end in `.common.kdsvc`, else HTTP 404), JSON body
//! (invalid → HTTP 200 failure envelope), then for `DynamicFormService.*` the session or
//! signature headers (MsgCode 1 envelope when missing, unknown or expired). Unsupported
//! operations get `不支持的操作“<name>”` \[I\].
//! `GET /_sim/kingdee/records?formid=F` lists saved records of `F` (every form without it);
//! `POST /_sim/kingdee/expire-sessions` ends every session.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::framework::stats::Counter;
use crate::kingdee::KingdeeState;
use crate::kingdee::auth::LoginKind;
use crate::kingdee::body;
use crate::kingdee::query::execute_bill_query;
use crate::kingdee::reply::{check_rate, failure, json_reply, session_lost};
use crate::kingdee::write::{allocate, change_status, save};

const SUFFIX: &str = ".common.kdsvc";

/// `POST /k3cloud/{service}`.
pub async fn service(
    State(state): State<Arc<KingdeeState>>,
    Path(service): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let core = &state.core;
    core.stats.incr(Counter::Requests);
    if let Some(limited) = check_rate(core) {
        return limited;
    }
    let lower = service.to_ascii_lowercase();
    let Some(name) = lower.strip_suffix(SUFFIX) else {
        return json_reply(StatusCode::NOT_FOUND, &json!({"Message": "服务不存在"}));
    };
    let mut segments = name.rsplit('.');
    let operation = segments.next().unwrap_or_default();
    let class = segments.next().unwrap_or_default();
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        core.stats.incr(Counter::RejectedRequest);
        return json_reply(StatusCode::OK, &failure("请求数据不是有效的 JSON", 9));
    };
    let auth = &state.config.auth;
    if class == "authservice" {
        let kind = match operation {
            "validateuser" => LoginKind::ValidateUser,
            "loginbyappsecret" => LoginKind::AppSecret,
            "loginbysign" => LoginKind::Sign,
            other => return unsupported(other),
        };
        let reply = state.sessions.login(core, auth, kind, &request);
        let mut response = json_reply(StatusCode::OK, &reply.body);
        match reply.session {
            Some(session) => {
                core.stats.incr(Counter::Served);
                let cookie = format!("kdservice-sessionid={session}; path=/");
                if let Ok(value) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().insert(header::SET_COOKIE, value);
                }
            }
            None => core.stats.incr(Counter::RejectedSign),
        }
        return response;
    }
    if class != "dynamicformservice" {
        return json_reply(StatusCode::NOT_FOUND, &json!({"Message": "服务不存在"}));
    }
    if !state.sessions.authorize(core, auth, &headers) {
        core.stats.incr(Counter::RejectedSign);
        return json_reply(StatusCode::OK, &session_lost());
    }
    let call = match body::parse(&request) {
        Ok(call) => call,
        Err(message) => {
            core.stats.incr(Counter::RejectedRequest);
            return json_reply(StatusCode::OK, &failure(&message, 9));
        }
    };
    let reply = match operation {
        "save" => save(&state, &call, false),
        "batchsave" => save(&state, &call, true),
        "submit" => change_status(&state, &call, "B"),
        "audit" => change_status(&state, &call, "C"),
        "allocate" => allocate(&state, &call),
        "executebillquery" => execute_bill_query(&state, &call),
        other => return unsupported(other),
    };
    core.stats.incr(Counter::Served);
    json_reply(StatusCode::OK, &reply)
}

fn unsupported(operation: &str) -> Response {
    json_reply(
        StatusCode::OK,
        &failure(&format!("不支持的操作“{operation}”"), 9),
    )
}

/// `GET /_sim/kingdee/records`.
pub async fn records(
    State(state): State<Arc<KingdeeState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let store = state.store.read().unwrap_or_else(PoisonError::into_inner);
    let records = match params.get("formid") {
        Some(form_id) => store.list(form_id),
        None => store.all(),
    };
    json_reply(
        StatusCode::OK,
        &serde_json::to_value(records).unwrap_or_default(),
    )
}

/// `POST /_sim/kingdee/expire-sessions`.
pub async fn expire_sessions(State(state): State<Arc<KingdeeState>>) -> Response {
    state.sessions.expire_all();
    json_reply(StatusCode::OK, &json!({"expired": true}))
}
