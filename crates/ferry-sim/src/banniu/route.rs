//! `GET|POST /gateway/api/miniAPI`: Banniu's mini-app gateway (PROTOCOLS.md §8.1–8.5).
//!
//! Contract: the rate limit is checked first ([`wire::rate_limited`]), then the system
//! parameters of the query string ([`wire::check_system`]), then `method`:
//!
//! | method | input | success `response.map` |
//! |---|---|---|
//! | `task.list` | query ([`TaskQuery`]) | `{"result":[row…]}` in creation order, then id |
//! | `column.list` | query `project_id` | `{"result":[{column_id,name,type,options}…]}` |
//! | `task.update` | JSON body `{project_id, app_id, task_id, contents, header}` | `{"result":{"task_id":"…"}}` |
//! | `task.batchUpdate` | JSON body `{"data":[…]}`, at most `max_batch` items | `{"result":[{"task_id","code","error_msg"}…]}` |
//!
//! An unknown method is 40005 `method不存在: <m>`. Body ids may be numbers or numeric text;
//! `app_id` must equal the configured app. A batch applies each item on its own and reports
//! one result per item, in order, with code 0 overall \[I: per-item results\]. `task.list`
//! reports `total_results` only when `rules.report_totals` is set (default: null, as the
//! captured envelope shows), so clients stop on a short page.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::banniu::BanniuState;
use crate::banniu::query::TaskQuery;
use crate::banniu::tasks::{BizError, COLUMNS, render_row};
use crate::banniu::wire::{SIGN_ERROR, check_system, envelope, error_reply, json_reply};
use crate::framework::stats::Counter;
use crate::qimen::parse_params;

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    Some(value.strip_prefix("Bearer ").unwrap_or(value).trim())
}

fn ok(map: Value, paging: [Value; 3]) -> Response {
    json_reply(StatusCode::OK, &envelope(0, None, map, paging))
}

/// The route handler.
pub async fn handle(
    State(state): State<Arc<BanniuState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let stats = &state.core.stats;
    if let Err(wait) = state.core.rate.try_acquire() {
        stats.incr(Counter::RateLimited);
        return crate::banniu::wire::rate_limited(wait);
    }
    let params = parse_params(uri.query(), b"");
    let now = state.core.clock.now_seconds();
    if let Err(error) = check_system(&params, bearer(&headers), &state.config.auth, now) {
        stats.incr(if error.code == SIGN_ERROR {
            Counter::RejectedSign
        } else {
            Counter::RejectedRequest
        });
        return error_reply(&error);
    }
    let method = params.get("method").map(String::as_str).unwrap_or("");
    let result = match method {
        "task.list" => task_list(&state, &params),
        "column.list" => column_list(&state, &params),
        "task.update" => parse_body(&body).and_then(|body| task_update(&state, &body, now)),
        "task.batchUpdate" => parse_body(&body).and_then(|body| batch_update(&state, &body, now)),
        other => Err(BizError {
            code: 40005,
            msg: format!("method不存在: {other}"),
        }),
    };
    match result {
        Ok(response) => {
            stats.incr(Counter::Served);
            response
        }
        Err(error) => {
            stats.incr(Counter::RejectedRequest);
            error_reply(&error)
        }
    }
}

fn task_list(state: &BanniuState, params: &BTreeMap<String, String>) -> Result<Response, BizError> {
    let rules = &state.config.rules;
    let query = TaskQuery::parse(params, rules.project_id, rules)?;
    let (rows, total) = {
        let store = state.store.read().unwrap_or_else(PoisonError::into_inner);
        let mut matching: Vec<_> = store.all().filter(|task| query.matches(task)).collect();
        matching.sort_by_key(|task| (task.created_at, task.id));
        let offset = (query.page_num as usize - 1).saturating_mul(query.page_size as usize);
        let rows: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(query.page_size as usize)
            .map(|task| Value::Object(render_row(task)))
            .collect();
        (rows, matching.len())
    };
    let stats = &state.core.stats;
    stats.incr(Counter::PagesServed);
    stats.add(Counter::RecordsServed, rows.len() as u64);
    let total = if rules.report_totals {
        Value::from(total)
    } else {
        Value::Null
    };
    Ok(ok(
        json!({"result": rows}),
        [total, query.page_num.into(), query.page_size.into()],
    ))
}

fn column_list(
    state: &BanniuState,
    params: &BTreeMap<String, String>,
) -> Result<Response, BizError> {
    let project = params.get("project_id").map(String::as_str).unwrap_or("");
    if project != state.config.rules.project_id.to_string() {
        return Err(BizError::param(format!("群组不存在: {project}")));
    }
    let columns: Vec<Value> = COLUMNS
        .iter()
        .map(|column| {
            let options: Vec<Value> = column
                .options
                .iter()
                .map(|(id, title)| json!({"id": id, "title": title}))
                .collect();
            json!({"column_id": column.id, "name": column.name, "type": column.behavior,
                   "options": options})
        })
        .collect();
    Ok(ok(json!({"result": columns}), Default::default()))
}

fn parse_body(body: &[u8]) -> Result<Map<String, Value>, BizError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(BizError::param("请求体不是合法的JSON对象")),
    }
}

fn id_of(item: &Map<String, Value>, name: &str) -> Result<u64, BizError> {
    let parsed = match item.get(name) {
        Some(Value::Number(number)) => number.as_u64(),
        Some(Value::String(text)) => text.trim().parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| BizError::param(format!("{name}不能为空")))
}

/// Applies one update item; the task id text for the reply.
fn apply(state: &BanniuState, item: &Map<String, Value>, now: i64) -> Result<u64, BizError> {
    let rules = &state.config.rules;
    let project_id = id_of(item, "project_id")?;
    let app_id = id_of(item, "app_id")?;
    if app_id != rules.app_id {
        return Err(BizError::param(format!("应用不存在: {app_id}")));
    }
    let task_id = id_of(item, "task_id")?;
    let Some(Value::Object(contents)) = item.get("contents") else {
        return Err(BizError::param("contents不能为空"));
    };
    state
        .store
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .update(project_id, task_id, contents, now)?;
    Ok(task_id)
}

fn task_update(
    state: &BanniuState,
    body: &Map<String, Value>,
    now: i64,
) -> Result<Response, BizError> {
    let task_id = apply(state, body, now)?;
    Ok(ok(
        json!({"result": {"task_id": task_id.to_string()}}),
        Default::default(),
    ))
}

fn batch_update(
    state: &BanniuState,
    body: &Map<String, Value>,
    now: i64,
) -> Result<Response, BizError> {
    let Some(Value::Array(items)) = body.get("data") else {
        return Err(BizError::param("data不能为空"));
    };
    let max = state.config.rules.max_batch as usize;
    if items.is_empty() || items.len() > max {
        return Err(BizError::param(format!("批量更新数量必须在1到{max}之间")));
    }
    let results: Vec<Value> = items
        .iter()
        .map(|item| {
            let task_text = item.get("task_id").map(|id| match id {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            });
            let outcome = match item {
                Value::Object(item) => apply(state, item, now),
                _ => Err(BizError::param("data的元素必须是对象")),
            };
            match outcome {
                Ok(task_id) => json!({"task_id": task_id.to_string(), "code": 0,
                                      "error_msg": null}),
                Err(error) => json!({"task_id": task_text, "code": error.code,
                                     "error_msg": error.msg}),
            }
        })
        .collect();
    Ok(ok(json!({"result": results}), Default::default()))
}
