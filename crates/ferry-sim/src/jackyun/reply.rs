//! Jackyun reply bodies shared by both routes (PROTOCOLS.md §1.6; \[I\] where it infers).
//!
//! Contract: every body is Jackyun's own object `{"code","msg","subCode",...}`; the native
//! route sends it as is, the Qimen route wraps it in `{"response":{...,"request_id"}}` (no
//! `flag`: that is reserved for gateway failures). Success:
//! `{"code":200,"msg":"成功","subCode":null,"result":{"scrollId":S,"data":D}}` with
//! `D = {"Trades":[…],"ScrollId":S,"total":N}` — sent as a JSON *string* for a configurable
//! share of pages. `S` is `"jky-<next offset>"`, or `""` on the last page. `total` is present
//! when `hasTotal` is `1`.

use std::sync::atomic::Ordering;

use serde_json::{Map, Value, json};

use crate::framework::rng::unit;
use crate::framework::stats::Counter;
use crate::jackyun::JackyunState;
use crate::jackyun::query::{BizError, TradeQuery};
use crate::jackyun::trades::render;

/// The Jackyun error object.
pub fn error_object(error: &BizError) -> Value {
    json!({"code": error.code, "msg": error.msg, "subCode": error.sub_code})
}

/// The native route's rate-limit error \[I\].
pub fn rate_limited() -> BizError {
    BizError {
        code: 429,
        sub_code: "GSE.API_CALL_LIMITED",
        msg: "接口调用频率超限，请稍后再试".to_owned(),
    }
}

/// Wraps a Jackyun object for the Qimen route.
pub fn qimen_wrap(mut inner: Value, request_id: &str) -> Vec<u8> {
    if let Value::Object(object) = &mut inner {
        object.insert("request_id".to_owned(), Value::from(request_id));
    }
    serde_json::to_vec(&json!({ "response": inner })).unwrap_or_default()
}

/// Parses the business JSON, or the parameter error naming `name`.
pub fn parse_biz(name: &str, text: Option<&String>) -> Result<Map<String, Value>, BizError> {
    let missing = || BizError {
        code: 400,
        sub_code: "GSE.PARAM_ERROR",
        msg: format!("{name}参数缺失或不是JSON对象"),
    };
    let text = text.filter(|text| !text.is_empty()).ok_or_else(missing)?;
    match serde_json::from_str(text) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(missing()),
    }
}

/// Parses the query, selects and renders its page: the success object.
pub fn serve(state: &JackyunState, biz: &Map<String, Value>) -> Result<Value, BizError> {
    let query = TradeQuery::parse(biz, &state.config.rules)?;
    let matching: Vec<usize> = state
        .trades
        .iter()
        .enumerate()
        .filter(|(_, trade)| query.matches(trade))
        .map(|(position, _)| position)
        .collect();
    let end = query
        .offset
        .saturating_add(query.page_size as usize)
        .min(matching.len());
    let start = query.offset.min(end);
    let case = state.config.reply.key_case;
    let records: Vec<Value> = matching[start..end]
        .iter()
        .map(|&position| render(&state.trades[position], case))
        .collect();
    let stats = &state.core.stats;
    stats.incr(Counter::PagesServed);
    stats.add(Counter::RecordsServed, records.len() as u64);
    let scroll_id = if end < matching.len() {
        format!("jky-{end}")
    } else {
        String::new()
    };
    let mut data = json!({"Trades": records, "ScrollId": scroll_id});
    let wants_total = biz
        .get("hasTotal")
        .is_some_and(|value| value == &json!(1) || value == &json!("1"));
    if wants_total {
        data["total"] = Value::from(matching.len() as u64);
    }
    let page_number = state.pages.fetch_add(1, Ordering::Relaxed);
    let as_string = unit(state.core.seed, "jackyun.data_string", page_number)
        < state.config.reply.data_as_string;
    let data = if as_string {
        Value::String(data.to_string())
    } else {
        data
    };
    Ok(json!({
        "code": 200,
        "msg": "成功",
        "subCode": null,
        "result": {"scrollId": scroll_id, "data": data},
    }))
}
