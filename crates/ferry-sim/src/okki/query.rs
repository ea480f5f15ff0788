//! Query parameters of `GET /v1/invoices/order/list` (PROTOCOLS.md §2.2), checked.
//!
//! Contract: [`OrderQuery::parse`] turns the query string's parameters into a validated query
//! or an [`ApiError`] with code 400 and a Chinese message naming the parameter. Rules (\[I\]
//! unless noted; every limit is in [`QueryRules`]):
//!
//! * `start_index` is a **page number** from 1 (default 1) \[C\]; `count` is the page size,
//!   1..=`max_count` (default 10 \[C\], max 500 \[I: one client verified 500 works\]).
//! * `start_time`/`end_time` come together or not at all, as `YYYY-MM-DD` or
//!   `YYYY-MM-DD HH:MM:SS` \[C\]; a bare date as `end_time` means the end of that day;
//!   `end_time >= start_time`; the span is at most `max_span_days` (default 30, the catalog's
//!   window cap). The window is `[start, end]`, both ends inclusive (`end_inclusive`).
//! * `time_type` 1 update time (default), 2 create time, 3 order date, 4 delete time \[C\].
//! * `removed`, `approval`, `approval_with_draft`: `0` or `1` (empty = 0) \[C names\].
//! * `status`: empty, or half-width-comma-separated status codes from `orderEnums`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::framework::time::{parse_date_or_datetime, parse_datetime};
use crate::okki::store::{OrderFilter, TimeType};
use crate::okki::text::is_status;

/// The business code of a rejected parameter \[I\].
pub const PARAM_ERROR_CODE: u32 = 400;

/// Limits of the order list query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueryRules {
    /// Largest accepted `count`.
    pub max_count: u32,
    /// `count` when absent.
    pub default_count: u32,
    /// Longest accepted window, in days.
    pub max_span_days: u32,
    /// Whether `end_time` itself is inside the window; `false` = half-open.
    pub end_inclusive: bool,
}

impl Default for QueryRules {
    fn default() -> Self {
        Self {
            max_count: 500,
            default_count: 10,
            max_span_days: 30,
            end_inclusive: true,
        }
    }
}

/// A refused request: the platform's `code` and `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Business code.
    pub code: u32,
    /// Message as the platform words it.
    pub message: String,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError {
        code: PARAM_ERROR_CODE,
        message: message.into(),
    }
}

/// A validated order list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderQuery {
    /// Page number, from 1.
    pub page: u32,
    /// Page size.
    pub count: u32,
    /// What it selects.
    pub filter: OrderFilter,
}

fn value<'a>(params: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(|text| text.trim())
        .filter(|text| !text.is_empty())
}

fn flag(params: &BTreeMap<String, String>, name: &str) -> Result<bool, ApiError> {
    match value(params, name) {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(_) => Err(bad(format!("{name}取值错误，只能为0或1"))),
    }
}

/// Parses `text` as a start (`end = false`) or end instant; a bare date as an end means the
/// day's last second.
fn instant(text: &str, end: bool) -> Option<i64> {
    if let Some(seconds) = parse_datetime(text) {
        return Some(seconds);
    }
    let midnight = parse_date_or_datetime(text)?;
    Some(if end { midnight + 86_399 } else { midnight })
}

impl OrderQuery {
    /// Checks `params` against `rules`.
    pub fn parse(params: &BTreeMap<String, String>, rules: &QueryRules) -> Result<Self, ApiError> {
        let page = match value(params, "start_index") {
            None => 1,
            Some(text) => match text.parse::<u32>() {
                Ok(page) if page >= 1 => page,
                _ => return Err(bad("start_index必须为大于0的整数")),
            },
        };
        let count = match value(params, "count") {
            None => rules.default_count,
            Some(text) => match text.parse::<u32>() {
                Ok(count) if (1..=rules.max_count).contains(&count) => count,
                _ => {
                    return Err(bad(format!("count必须在1到{}之间", rules.max_count)));
                }
            },
        };
        let time_type = match value(params, "time_type") {
            None | Some("1") => TimeType::Update,
            Some("2") => TimeType::Create,
            Some("3") => TimeType::Account,
            Some("4") => TimeType::Delete,
            Some(_) => return Err(bad("time_type取值错误，只能为1、2、3或4")),
        };
        let window = Self::window(params, rules)?;
        let statuses = match value(params, "status") {
            None => None,
            Some(text) => {
                let mut codes = Vec::new();
                for part in text.split(',') {
                    match part.trim().parse::<u8>() {
                        Ok(code) if is_status(code) => codes.push(code),
                        _ => return Err(bad(format!("status取值错误: {}", part.trim()))),
                    }
                }
                Some(codes)
            }
        };
        Ok(Self {
            page,
            count,
            filter: OrderFilter {
                time_type,
                window,
                statuses,
                approval: flag(params, "approval")?,
                with_draft: flag(params, "approval_with_draft")?,
                removed: flag(params, "removed")?,
            },
        })
    }

    fn window(
        params: &BTreeMap<String, String>,
        rules: &QueryRules,
    ) -> Result<Option<(u32, u32)>, ApiError> {
        let (start_text, end_text) = match (value(params, "start_time"), value(params, "end_time"))
        {
            (None, None) => return Ok(None),
            (Some(start), Some(end)) => (start, end),
            _ => return Err(bad("start_time和end_time必须同时传入")),
        };
        let format_error = |name: &str| {
            bad(format!(
                "{name}格式错误，应为YYYY-MM-DD或YYYY-MM-DD HH:MM:SS"
            ))
        };
        let start = instant(start_text, false).ok_or_else(|| format_error("start_time"))?;
        let end = instant(end_text, true).ok_or_else(|| format_error("end_time"))?;
        if end < start {
            return Err(bad("end_time不能早于start_time"));
        }
        if end - start > i64::from(rules.max_span_days) * 86_400 {
            return Err(bad(format!(
                "查询时间跨度不能超过{}天",
                rules.max_span_days
            )));
        }
        let to_exclusive = if rules.end_inclusive { end + 1 } else { end };
        let clamp = |seconds: i64| seconds.clamp(0, i64::from(u32::MAX)) as u32;
        Ok(Some((clamp(start), clamp(to_exclusive))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        OrderQuery::parse(&params(pairs), &QueryRules::default())
            .unwrap_err()
            .message
    }

    #[test]
    fn defaults_and_the_seed_request() {
        let query = OrderQuery::parse(&params(&[]), &QueryRules::default()).unwrap();
        assert_eq!(
            (query.page, query.count, query.filter.window),
            (1, 10, None)
        );
        let seed = params(&[
            ("start_time", "2024-01-01 00:00:00"),
            ("end_time", "2024-01-31 00:00:00"),
            ("start_index", "3"),
            ("count", "100"),
            ("removed", "0"),
            ("approval", "1"),
            ("status", ""),
        ]);
        let query = OrderQuery::parse(&seed, &QueryRules::default()).unwrap();
        assert_eq!((query.page, query.count), (3, 100));
        assert_eq!(
            query.filter.window,
            Some((1_704_038_400, 1_704_038_400 + 30 * 86_400 + 1))
        );
        assert!(query.filter.approval && !query.filter.removed);
        assert_eq!(query.filter.statuses, None);
    }

    #[test]
    fn bare_dates_cover_whole_days() {
        let query = OrderQuery::parse(
            &params(&[("start_time", "2024-01-01"), ("end_time", "2024-01-01")]),
            &QueryRules::default(),
        )
        .unwrap();
        assert_eq!(query.filter.window, Some((1_704_038_400, 1_704_124_800)));
    }

    #[test]
    fn bad_parameters_get_the_platform_messages() {
        assert_eq!(
            error(&[
                ("start_time", "2024-01-01"),
                ("end_time", "2024-02-01 00:00:01")
            ]),
            "查询时间跨度不能超过30天"
        );
        assert_eq!(
            error(&[("start_time", "2024-01-01")]),
            "start_time和end_time必须同时传入"
        );
        assert_eq!(
            error(&[("start_time", "01/01/2024"), ("end_time", "2024-01-02")]),
            "start_time格式错误，应为YYYY-MM-DD或YYYY-MM-DD HH:MM:SS"
        );
        assert_eq!(
            error(&[
                ("start_time", "2024-01-02"),
                ("end_time", "2024-01-01 00:00:00")
            ]),
            "end_time不能早于start_time"
        );
        assert_eq!(error(&[("count", "501")]), "count必须在1到500之间");
        assert_eq!(
            error(&[("start_index", "0")]),
            "start_index必须为大于0的整数"
        );
        assert_eq!(
            error(&[("time_type", "9")]),
            "time_type取值错误，只能为1、2、3或4"
        );
        assert_eq!(
            error(&[("approval", "yes")]),
            "approval取值错误，只能为0或1"
        );
        assert_eq!(error(&[("status", "3,x")]), "status取值错误: x");
    }
}
