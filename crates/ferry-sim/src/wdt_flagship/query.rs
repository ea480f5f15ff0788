//! Business parameters of the refund search and serving one page (PROTOCOLS.md §5.2, §5.3).
//!
//! Contract: [`RefundQuery::parse`] checks the `params` object and the paging pair and returns
//! the first failure as a [`WdtError`] (`{"status":N,"message":"…"}`):
//!
//! | check | status | message |
//! |---|---|---|
//! | no paging (`pager` / `page_no`+`page_size`) | 100 | 此方法仅支持分页查询 |
//! | `page_no`/`page_size` not integers, `page_size` 0 or above the cap, `page_no` below the first page | 1 | 参数错误: … \[I\] |
//! | a `params` key outside the documented list | 2 | 未知的参数名: … \[I\] |
//! | `modified_from`/`modified_to` missing or not `yyyy-MM-dd HH:mm:ss` | 1 | 参数错误: … \[I\] |
//! | `modified_to` before `modified_from` | 1 | 参数错误: … \[I\] |
//! | window wider than `max_span_days` | 100 | 您的查询时间过宽,查询时间不能大于30天 |
//!
//! The window is half-open `[modified_from, modified_to)` \[I\]. [`serve_page`] renders the page
//! from the state before any move, then rolls the move-records fault over refunds after the
//! page (or anywhere in the window when `include_served`).

use std::sync::PoisonError;

use serde_json::{Map, Value, json};

use crate::framework::paging::{move_fault, page_bounds};
use crate::framework::stats::Counter;
use crate::framework::time::parse_datetime;
use crate::wdt_flagship::WdtFlagshipState;
use crate::wdt_flagship::refunds::{Route, render};

/// The rate-limit message (status 100).
pub const RATE_LIMIT_MESSAGE: &str = "超过每分钟最大调用频率限制,请稍后重试";

/// Documented keys of the `params` object.
const KNOWN_PARAMS: &[&str] = &[
    "shop_nos",
    "tid",
    "buyer_nick",
    "trade_no",
    "refund_no",
    "return_logistics_no",
    "modified_from",
    "modified_to",
    "settle_from",
    "settle_to",
    "agree_from",
    "agree_to",
    "status",
    "stockin_status",
    "return_warehouse_nos",
    "type",
    "fuzzy_query",
    "order_type",
    "rr_status",
    "current_phase_timeout_from",
    "current_phase_timeout_to",
    "need_gov_subsidy_info",
    "raw_refund_nos",
];

/// A WDT application-level failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WdtError {
    /// `status`.
    pub status: u32,
    /// `message`.
    pub message: String,
}

impl WdtError {
    /// A failure with `status` and `message`.
    pub fn new(status: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// `{"status":N,"message":"…"}`.
    pub fn body(&self) -> Value {
        json!({"status": self.status, "message": self.message})
    }
}

/// One validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundQuery {
    /// Window start (Unix seconds, inclusive).
    pub from: u32,
    /// Window end (Unix seconds, exclusive).
    pub to_exclusive: u32,
    /// Position of the page counted from 0.
    pub page_offset: u32,
    /// Records per page.
    pub page_size: u32,
}

fn integer(value: Option<&Value>, name: &str) -> Result<Option<u32>, WdtError> {
    let parsed = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(number)) => number.as_u64().and_then(|n| u32::try_from(n).ok()),
        Some(Value::String(text)) => text.trim().parse().ok(),
        Some(_) => None,
    };
    parsed
        .map(Some)
        .ok_or_else(|| WdtError::new(1, format!("参数错误: {name} 必须是非负整数")))
}

fn time(params: &Map<String, Value>, name: &str) -> Result<u32, WdtError> {
    let text = params.get(name).and_then(Value::as_str).unwrap_or_default();
    parse_datetime(text)
        .and_then(|seconds| u32::try_from(seconds).ok())
        .ok_or_else(|| WdtError::new(1, format!("参数错误: {name} 格式应为 yyyy-MM-dd HH:mm:ss")))
}

impl RefundQuery {
    /// Checks `params` and the paging pair (`pager` object or native query fields).
    pub fn parse(
        params: &Map<String, Value>,
        pager: Option<&Map<String, Value>>,
        first_page: u32,
        state: &WdtFlagshipState,
    ) -> Result<Self, WdtError> {
        let rules = &state.config.rules;
        let Some(pager) = pager else {
            return Err(WdtError::new(100, "此方法仅支持分页查询"));
        };
        let page_no = integer(pager.get("page_no"), "page_no")?;
        let page_size = integer(pager.get("page_size"), "page_size")?;
        let (Some(page_no), Some(page_size)) = (page_no, page_size) else {
            return Err(WdtError::new(100, "此方法仅支持分页查询"));
        };
        if page_size == 0 || page_size > rules.max_page_size {
            return Err(WdtError::new(
                1,
                format!(
                    "参数错误: page_size 必须在 1 到 {} 之间",
                    rules.max_page_size
                ),
            ));
        }
        if page_no < first_page {
            return Err(WdtError::new(
                1,
                format!("参数错误: page_no 从 {first_page} 开始"),
            ));
        }
        if let Some(unknown) = params
            .keys()
            .find(|key| !KNOWN_PARAMS.contains(&key.as_str()))
        {
            return Err(WdtError::new(2, format!("未知的参数名: {unknown}")));
        }
        let from = time(params, "modified_from")?;
        let to = time(params, "modified_to")?;
        if to < from {
            return Err(WdtError::new(1, "参数错误: modified_to 早于 modified_from"));
        }
        if u64::from(to - from) > u64::from(rules.max_span_days) * 86_400 {
            return Err(WdtError::new(
                100,
                format!("您的查询时间过宽,查询时间不能大于{}天", rules.max_span_days),
            ));
        }
        Ok(Self {
            from,
            to_exclusive: to,
            page_offset: page_no - first_page,
            page_size,
        })
    }
}

/// One served page: the window's total and the page's refunds.
#[derive(Debug)]
pub struct PageOutcome {
    /// Refunds in the window (`total_count`).
    pub total_count: u64,
    /// The refunds of this page.
    pub order: Vec<Value>,
}

/// Serves `query`'s page as `route` renders it.
pub fn serve_page(state: &WdtFlagshipState, query: &RefundQuery, route: Route) -> PageOutcome {
    let now = state.core.clock.now_seconds();
    let offset = (query.page_offset as usize).saturating_mul(query.page_size as usize);
    let (total, cores, served_end) = {
        let store = state.store.read().unwrap_or_else(PoisonError::into_inner);
        let window = store.window(query.from, query.to_exclusive, now);
        let page = page_bounds(window.len(), offset, query.page_size as usize);
        let end = page.end;
        let cores: Vec<_> = window[page]
            .iter()
            .map(|record| (*record, store.core(*record)))
            .collect();
        (window.len(), cores, end)
    };
    let order: Vec<Value> = cores
        .iter()
        .map(|(record, core)| render(&state.render, *record, core, route))
        .collect();
    let stats = &state.core.stats;
    stats.incr(Counter::PagesServed);
    stats.add(Counter::RecordsServed, order.len() as u64);
    move_fault(&state.core, served_end, |first_candidate, moves, choose| {
        let mut store = state.store.write().unwrap_or_else(PoisonError::into_inner);
        let window = (query.from, query.to_exclusive, now);
        store.move_later(window, first_candidate, moves, choose)
    });
    PageOutcome {
        total_count: total as u64,
        order,
    }
}
