//! Business parameters of `stockout_order_query_trade`, shared by the Qimen and the native
//! route (both send flat form fields).
//!
//! Contract: [`StockoutQuery::parse`] turns the parameters into a validated query or a
//! [`BizError`] with the platform's Chinese message. Rules (PROTOCOLS.md §4.2; \[I\] unless
//! noted):
//!
//! * `page_no` from 0 (\[C\]), default 0; `page_size` 1..=`max_page_size` (default 40, max 100).
//! * `start_time` and `end_time` are required, `yyyy-MM-dd HH:mm:ss`, `end >= start`, span at
//!   most `max_span_seconds` (default one day, as clients slice; the doc may allow 30 days).
//!   The window is `[start, end]` on `modified` (`end_inclusive`, like a SQL `BETWEEN`);
//!   `is_by_modified` is accepted and the window always applies to `modified`.
//! * `status`: comma-separated integers (`95,105,110,113`); unknown values match nothing.
//! * `shop_no` and `shop_nos` (comma-separated) are united; `warehouse_no`; `stockout_no`
//!   (`CK…`), `src_order_no` (`JY…`) and `src_tid` select one stockout. Unknown numbers match
//!   nothing; empty values are ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::framework::time::parse_datetime;
use crate::wdt::records::SRC_TID_BASE;
use crate::wdt::store::StockoutFilter;
use crate::wdt::text::{WAREHOUSES, shop_index, status_index};

/// Business error code for a bad parameter \[I\].
pub const PARAM_ERROR_CODE: u32 = 40;

/// Limits of the stockout query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueryRules {
    /// Largest accepted `page_size`.
    pub max_page_size: u32,
    /// `page_size` when absent.
    pub default_page_size: u32,
    /// Longest accepted window, in seconds (a multiple of 3600).
    pub max_span_seconds: u32,
    /// Whether `end_time` itself is inside the window; `false` = half-open.
    pub end_inclusive: bool,
}

impl Default for QueryRules {
    fn default() -> Self {
        Self {
            max_page_size: 100,
            default_page_size: 40,
            max_span_seconds: 86_400,
            end_inclusive: true,
        }
    }
}

/// A validated query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockoutQuery {
    /// Page number from 0.
    pub page_no: u32,
    /// Records per page.
    pub page_size: u32,
    /// Selection.
    pub filter: StockoutFilter,
}

/// A business error: code and the platform's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BizError {
    /// Non-zero code.
    pub code: u32,
    /// Message as the platform words it.
    pub message: String,
}

fn param_error(message: impl Into<String>) -> BizError {
    BizError {
        code: PARAM_ERROR_CODE,
        message: message.into(),
    }
}

fn text<'a>(params: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
}

fn list<'a>(params: &'a BTreeMap<String, String>, name: &str) -> Vec<&'a str> {
    text(params, name)
        .map(|value| {
            value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn number(params: &BTreeMap<String, String>, name: &str) -> Result<Option<u32>, BizError> {
    match text(params, name) {
        None => Ok(None),
        Some(value) => value
            .parse::<u32>()
            .map(Some)
            .map_err(|_| param_error(format!("{name}必须为非负整数"))),
    }
}

fn window(params: &BTreeMap<String, String>, rules: &QueryRules) -> Result<(u32, u32), BizError> {
    let (Some(start), Some(end)) = (text(params, "start_time"), text(params, "end_time")) else {
        return Err(param_error("start_time和end_time不能为空"));
    };
    let parse = |name: &str, value: &str| {
        parse_datetime(value)
            .ok_or_else(|| param_error(format!("{name}格式错误,应为yyyy-MM-dd HH:mm:ss")))
    };
    let from = parse("start_time", start)?;
    let to = parse("end_time", end)?;
    if to < from {
        return Err(param_error("end_time不能早于start_time"));
    }
    if to - from > i64::from(rules.max_span_seconds) {
        return Err(param_error(format!(
            "时间跨度不能超过{}小时",
            rules.max_span_seconds / 3_600
        )));
    }
    let to_exclusive = if rules.end_inclusive { to + 1 } else { to };
    let clamp = |seconds: i64| u32::try_from(seconds.max(0)).unwrap_or(u32::MAX);
    Ok((clamp(from), clamp(to_exclusive)))
}

fn one_stockout(params: &BTreeMap<String, String>) -> Option<Option<u32>> {
    let by_prefix = |name: &str, prefix: &str| {
        text(params, name).map(|value| value.strip_prefix(prefix).and_then(|id| id.parse().ok()))
    };
    let by_tid = text(params, "src_tid").map(|value| {
        value
            .parse::<u64>()
            .ok()
            .and_then(|tid| tid.checked_sub(SRC_TID_BASE))
            .and_then(|id| u32::try_from(id).ok())
    });
    by_prefix("stockout_no", "CK")
        .or_else(|| by_prefix("src_order_no", "JY"))
        .or(by_tid)
}

impl StockoutQuery {
    /// Validates the parameters.
    pub fn parse(params: &BTreeMap<String, String>, rules: &QueryRules) -> Result<Self, BizError> {
        let page_no = number(params, "page_no")?.unwrap_or(0);
        let page_size = match text(params, "page_size") {
            None => rules.default_page_size,
            Some(value) => value
                .parse::<u32>()
                .ok()
                .filter(|size| (1..=rules.max_page_size).contains(size))
                .ok_or_else(|| {
                    param_error(format!("page_size必须在1到{}之间", rules.max_page_size))
                })?,
        };
        let window = window(params, rules)?;
        let statuses = match list(params, "status") {
            items if items.is_empty() => None,
            items => {
                let mut codes = Vec::with_capacity(items.len());
                for item in items {
                    let value: u16 = item
                        .parse()
                        .map_err(|_| param_error(format!("status参数错误: {item}")))?;
                    codes.extend(status_index(value));
                }
                Some(codes)
            }
        };
        let mut shop_names = list(params, "shop_nos");
        shop_names.extend(text(params, "shop_no"));
        let shops = (!shop_names.is_empty())
            .then(|| shop_names.into_iter().filter_map(shop_index).collect());
        let warehouse = text(params, "warehouse_no").map(|no| {
            WAREHOUSES
                .iter()
                .position(|(known, _, _)| *known == no)
                .and_then(|index| u8::try_from(index).ok())
                .unwrap_or(u8::MAX)
        });
        Ok(Self {
            page_no,
            page_size,
            filter: StockoutFilter {
                window,
                statuses,
                shops,
                warehouse,
                stockout_id: one_stockout(params),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut map: BTreeMap<String, String> = [
            ("start_time", "2024-01-01 00:00:00"),
            ("end_time", "2024-01-02 00:00:00"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        for (key, value) in pairs {
            map.insert((*key).to_owned(), (*value).to_owned());
        }
        map
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        StockoutQuery::parse(&params(pairs), &QueryRules::default())
            .unwrap_err()
            .message
    }

    #[test]
    fn seed_003_parameters_parse() {
        let query = StockoutQuery::parse(
            &params(&[
                ("status", "95,105,110,113"),
                ("shop_nos", "002,003,004,0071"),
                ("is_by_modified", "1"),
                ("src_tid", ""),
                ("page_no", "2"),
                ("page_size", "100"),
            ]),
            &QueryRules::default(),
        )
        .unwrap();
        assert_eq!((query.page_no, query.page_size), (2, 100));
        assert_eq!(query.filter.statuses, Some(vec![2, 3, 4, 5]));
        assert_eq!(query.filter.shops, Some(vec![1, 2, 3, 7]));
        assert_eq!(query.filter.window, (1_704_038_400, 1_704_124_801));
        assert_eq!(query.filter.stockout_id, None);
        let defaults = StockoutQuery::parse(&params(&[]), &QueryRules::default()).unwrap();
        assert_eq!((defaults.page_no, defaults.page_size), (0, 40));
    }

    #[test]
    fn bad_parameters_have_platform_messages() {
        assert_eq!(
            error(&[("end_time", "2024-01-02 00:00:01")]),
            "时间跨度不能超过24小时"
        );
        assert_eq!(
            error(&[("end_time", "2023-12-31 00:00:00")]),
            "end_time不能早于start_time"
        );
        assert_eq!(error(&[("end_time", "")]), "start_time和end_time不能为空");
        assert_eq!(error(&[("page_size", "101")]), "page_size必须在1到100之间");
        assert_eq!(error(&[("page_no", "-1")]), "page_no必须为非负整数");
        assert_eq!(error(&[("status", "95,x")]), "status参数错误: x");
        assert_eq!(
            error(&[("start_time", "2024/01/01")]),
            "start_time格式错误,应为yyyy-MM-dd HH:mm:ss"
        );
    }

    #[test]
    fn numbers_select_one_stockout() {
        let rules = QueryRules::default();
        let by_no = StockoutQuery::parse(&params(&[("stockout_no", "CK412345")]), &rules);
        assert_eq!(by_no.unwrap().filter.stockout_id, Some(Some(412_345)));
        let by_tid = StockoutQuery::parse(&params(&[("src_tid", "3891000000412345")]), &rules);
        assert_eq!(by_tid.unwrap().filter.stockout_id, Some(Some(412_345)));
        let unknown = StockoutQuery::parse(&params(&[("src_order_no", "XX1")]), &rules);
        assert_eq!(unknown.unwrap().filter.stockout_id, Some(None));
    }
}
