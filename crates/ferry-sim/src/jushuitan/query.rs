//! Business parameters of the order list query, shared by the Qimen and the native route.
//!
//! Contract: [`OrderQuery::parse`] turns the route's parameters (flat form strings for Qimen,
//! a `biz` JSON object for the native API) into a validated query or a [`BizError`] with the
//! platform's Chinese message. Rules (\[I\] unless noted; PROTOCOLS.md §3.1, §3.3, seed 002):
//!
//! * `page_index` from 1 (default 1); `page_size` 1..=`max_page_size` (default 25, max 100).
//! * `start_time`/`end_time` (native: `modified_begin`/`modified_end`) must come together, as
//!   `yyyy-MM-dd HH:mm:ss`, `end >= start`, span ≤ 7 days (\[C\] "时间间隔不能超过七天").
//!   Without them, `so_ids` or `o_ids` must be given.
//! * The window is `[start, end]`, both ends inclusive, like a SQL `BETWEEN` (configurable
//!   with `end_inclusive`).
//! * `date_type`: 2 = `order_date`, 3 = `send_date`, anything else = `modified` (\[C\] Go
//!   client comment; unknown values as 0 per PROTOCOLS.md).
//! * `status`: one of the ten status names, else rejected.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::framework::time::parse_datetime;
use crate::jushuitan::store::OrderStore;
use crate::jushuitan::text::{STATUSES, status_code};

/// Business-level error code for a bad parameter \[I\].
pub const PARAM_ERROR_CODE: u32 = 20;

/// Limits of the order query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueryRules {
    /// Largest accepted `page_size`.
    pub max_page_size: u32,
    /// `page_size` when absent.
    pub default_page_size: u32,
    /// Longest accepted window, in days.
    pub max_span_days: u32,
    /// Whether `end_time` itself is inside the window (`BETWEEN`); `false` = half-open.
    pub end_inclusive: bool,
    /// The merchant's company id (`co_id` on every order).
    pub co_id: u64,
}

impl Default for QueryRules {
    fn default() -> Self {
        Self {
            max_page_size: 100,
            default_page_size: 25,
            max_span_days: 7,
            end_inclusive: true,
            co_id: 10_000_001,
        }
    }
}

/// Which time the window applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateType {
    /// `modified` (0, the default).
    Modified,
    /// `order_date` (2).
    OrderDate,
    /// `send_date` (3).
    SendDate,
}

/// A window as Unix seconds, half-open internally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First second inside.
    pub from: u32,
    /// First second outside.
    pub to_exclusive: u32,
}

/// What a query selects (before visibility).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFilter {
    /// Time the window applies to.
    pub date_type: DateType,
    /// Status byte filter.
    pub status: Option<u8>,
    /// Time window.
    pub window: Option<Window>,
    /// Explicit orders (from `o_ids` / `so_ids`), as record indexes.
    pub records: Option<Vec<u32>>,
}

/// A validated order query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderQuery {
    /// Page number from 1.
    pub page_index: u32,
    /// Orders per page.
    pub page_size: u32,
    /// Selection.
    pub filter: OrderFilter,
}

/// A business error: code and the platform's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BizError {
    /// Non-zero code.
    pub code: u32,
    /// Message as the platform words it.
    pub msg: String,
}

fn param_error(msg: impl Into<String>) -> BizError {
    BizError {
        code: PARAM_ERROR_CODE,
        msg: msg.into(),
    }
}

/// Where the parameters come from.
#[derive(Debug, Clone, Copy)]
pub enum Params<'a> {
    /// Flat form fields (Qimen): lists are comma-separated.
    Form(&'a BTreeMap<String, String>),
    /// The native `biz` JSON object: numbers or strings; lists are arrays or comma strings.
    Json(&'a serde_json::Map<String, serde_json::Value>),
}

impl Params<'_> {
    fn text(&self, name: &str) -> Option<String> {
        let value = match self {
            Params::Form(map) => map.get(name).cloned(),
            Params::Json(map) => match map.get(name)? {
                serde_json::Value::Null => None,
                serde_json::Value::String(text) => Some(text.clone()),
                other => Some(other.to_string()),
            },
        };
        value.filter(|text| !text.trim().is_empty())
    }

    fn list(&self, name: &str) -> Option<Vec<String>> {
        if let Params::Json(map) = self
            && let Some(serde_json::Value::Array(values)) = map.get(name)
        {
            let items: Vec<String> = values
                .iter()
                .map(|value| match value {
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect();
            return (!items.is_empty()).then_some(items);
        }
        let text = self.text(name)?;
        Some(
            text.split(',')
                .map(|item| item.trim().to_owned())
                .filter(|i| !i.is_empty())
                .collect(),
        )
    }
}

/// Names of the window parameters on a route.
#[derive(Debug, Clone, Copy)]
pub struct WindowNames {
    /// Window start parameter.
    pub begin: &'static str,
    /// Window end parameter.
    pub end: &'static str,
}

/// Qimen `jushuitan.order.list.query`.
pub const QIMEN_WINDOW: WindowNames = WindowNames {
    begin: "start_time",
    end: "end_time",
};
/// Native `/open/orders/single/query`.
pub const NATIVE_WINDOW: WindowNames = WindowNames {
    begin: "modified_begin",
    end: "modified_end",
};

/// First online order number minus the `o_id` (so `so_id` = `SO_ID_BASE + o_id`).
pub const SO_ID_BASE: u64 = 3_891_000_000_000_000;

fn positive(params: &Params<'_>, name: &str, default: u32) -> Result<u32, BizError> {
    match params.text(name) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|value| *value >= 1)
            .ok_or_else(|| param_error(format!("{name}必须为大于0的整数"))),
    }
}

impl OrderQuery {
    /// Validates the parameters; `store` resolves `o_ids` / `so_ids`.
    pub fn parse(
        params: &Params<'_>,
        names: WindowNames,
        rules: &QueryRules,
        store: &OrderStore,
    ) -> Result<Self, BizError> {
        let page_index = positive(params, "page_index", 1)?;
        let page_size = match params.text("page_size") {
            None => rules.default_page_size,
            Some(text) => text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|size| (1..=rules.max_page_size).contains(size))
                .ok_or_else(|| {
                    param_error(format!("page_size必须在1到{}之间", rules.max_page_size))
                })?,
        };
        let date_type = match params.text("date_type").as_deref().map(str::trim) {
            Some("2") => DateType::OrderDate,
            Some("3") => DateType::SendDate,
            _ => DateType::Modified,
        };
        let status = match params.text("status") {
            None => None,
            Some(name) => Some(status_code(name.trim()).ok_or_else(|| {
                param_error(format!(
                    "status参数错误: {name}, 可选值: {}",
                    STATUSES.join(",")
                ))
            })?),
        };
        let window = parse_window(params, names, rules)?;
        let records = resolve_ids(params, store);
        if window.is_none() && records.is_none() {
            return Err(param_error("修改起始时间和结束时间与线上单号不能同时为空"));
        }
        Ok(Self {
            page_index,
            page_size,
            filter: OrderFilter {
                date_type,
                status,
                window,
                records,
            },
        })
    }
}

fn parse_window(
    params: &Params<'_>,
    names: WindowNames,
    rules: &QueryRules,
) -> Result<Option<Window>, BizError> {
    let (begin, end) = match (params.text(names.begin), params.text(names.end)) {
        (None, None) => return Ok(None),
        (Some(begin), Some(end)) => (begin, end),
        _ => return Err(param_error("修改起始时间和结束时间必须同时存在")),
    };
    let parse = |name: &str, text: &str| {
        parse_datetime(text)
            .ok_or_else(|| param_error(format!("{name}格式错误,应为yyyy-MM-dd HH:mm:ss")))
    };
    let from = parse(names.begin, &begin)?;
    let to = parse(names.end, &end)?;
    if to < from {
        return Err(param_error("结束时间不能小于起始时间"));
    }
    if to - from > i64::from(rules.max_span_days) * 86_400 {
        return Err(param_error("时间间隔不能超过七天"));
    }
    let to_exclusive = if rules.end_inclusive { to + 1 } else { to };
    let clamp = |seconds: i64| u32::try_from(seconds.max(0)).unwrap_or(u32::MAX);
    Ok(Some(Window {
        from: clamp(from),
        to_exclusive: clamp(to_exclusive),
    }))
}

fn resolve_ids(params: &Params<'_>, store: &OrderStore) -> Option<Vec<u32>> {
    let o_ids = params.list("o_ids");
    let so_ids = params.list("so_ids");
    if o_ids.is_none() && so_ids.is_none() {
        return None;
    }
    let mut records = Vec::new();
    for o_id in o_ids.unwrap_or_default() {
        if let Some(record) = o_id.parse::<u32>().ok().and_then(|id| store.find_o_id(id)) {
            records.push(record);
        }
    }
    for so_id in so_ids.unwrap_or_default() {
        let o_id = so_id
            .parse::<u64>()
            .ok()
            .and_then(|so| so.checked_sub(SO_ID_BASE));
        if let Some(record) = o_id
            .and_then(|id| u32::try_from(id).ok())
            .and_then(|id| store.find_o_id(id))
        {
            records.push(record);
        }
    }
    Some(records)
}
