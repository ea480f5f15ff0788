//! `POST /router/qm` with `method=jackyun.tradenotsensitiveinfos.list.get` (PROTOCOLS.md §1.4,
//! §6).
//!
//! Contract, in order, every reply HTTP 200 JSON:
//!
//! 1. rate limit → TOP code 7 `error_response` ([`crate::qimen::rate_limited_body`]);
//! 2. gateway checks ([`crate::qimen::check_request`], routing id `jkycustomerid`) →
//!    `{"response":{"flag":"failure","code":25,...}}` and friends;
//! 3. Jackyun checks, each `{"response":{"code":N,"msg":…,"subCode":…,"request_id":…}}` \[I\]:
//!    `jkycustomerid` unknown → 401 `GSE.CUSTOMER_INVALID`; `jkymethod` not the method → 404
//!    `GSE.METHOD_NOT_FOUND`; `jkyappkey` unknown → 401 `GSE.APPKEY_INVALID`; `jkysign`
//!    missing or wrong → 401 `GSE.SIGN_INVALID` 签名验证失败; `content` not a JSON object → 400;
//! 4. business parameters ([`crate::jackyun::query`]) → 400 `GSE.PARAM_ERROR`;
//! 5. the page ([`crate::jackyun::reply::serve`]) wrapped in `response`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;

use crate::framework::stats::Counter;
use crate::jackyun::query::BizError;
use crate::jackyun::reply::{error_object, parse_biz, qimen_wrap, serve};
use crate::jackyun::sign::{jky_sign, qimen_jky_params};
use crate::jackyun::{JackyunState, TRADE_LIST_METHOD};
use crate::qimen::{GatewayRules, admit, json_reply, parse_params, rate_limited_body};

const RULES: GatewayRules<'static> = GatewayRules {
    methods: &[TRADE_LIST_METHOD],
    routing_param: "jkycustomerid",
};

fn rejected(code: u32, sub_code: &'static str, msg: &str) -> BizError {
    BizError {
        code,
        sub_code,
        msg: msg.to_owned(),
    }
}

fn jackyun_checks(
    state: &JackyunState,
    params: &std::collections::BTreeMap<String, String>,
) -> Result<(), BizError> {
    let app = &state.config.app;
    let get = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    if get("jkycustomerid") != app.customer_id {
        return Err(rejected(401, "GSE.CUSTOMER_INVALID", "jkycustomerid无效"));
    }
    if get("jkymethod") != TRADE_LIST_METHOD {
        return Err(rejected(404, "GSE.METHOD_NOT_FOUND", "jkymethod不存在"));
    }
    if get("jkyappkey") != app.appkey {
        return Err(rejected(401, "GSE.APPKEY_INVALID", "jkyappkey无效"));
    }
    let expected = jky_sign(&qimen_jky_params(params), &app.secret);
    if !expected.eq_ignore_ascii_case(get("jkysign")) {
        return Err(rejected(401, "GSE.SIGN_INVALID", "签名验证失败"));
    }
    Ok(())
}

/// The route handler.
pub async fn handle(State(state): State<Arc<JackyunState>>, uri: Uri, body: Bytes) -> Response {
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
    if let Err(error) = jackyun_checks(&state, &params) {
        let counter = if error.sub_code == "GSE.SIGN_INVALID" {
            Counter::RejectedSign
        } else {
            Counter::RejectedRequest
        };
        stats.incr(counter);
        return json_reply(qimen_wrap(error_object(&error), &request_id));
    }
    let outcome = parse_biz("content", params.get("content")).and_then(|biz| serve(&state, &biz));
    match outcome {
        Ok(page) => {
            stats.incr(Counter::Served);
            json_reply(qimen_wrap(page, &request_id))
        }
        Err(error) => {
            stats.incr(Counter::RejectedRequest);
            json_reply(qimen_wrap(error_object(&error), &request_id))
        }
    }
}
