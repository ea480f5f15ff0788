//! Jushuitan orders through the Qimen gateway: `jushuitan.order.list.query` (PROTOCOLS.md §3.1).
//!
//! Contract of [`JushuitanQimenSource::fetch_page`]: the scheme's rendered parameters are sent
//! as flat form fields ([`crate::qimen::page_params`]) with `page_index` / `page_size` set
//! from the [`PageRequest`] (overriding rendered values), routed by `customer_id`. The inner
//! `response` object is decoded with its fields accepted at the top level or nested in a `data`
//! object: a nonzero `code` or `issuccess: false` fails — `RateLimited` when `msg` mentions
//! 频率 or 限流, otherwise `Invalid` with the code and message; `orders` (missing = empty),
//! `data_count` → `total`, `has_next`. Gateway failures are classified by [`QimenClient`].

use async_trait::async_trait;
use ferry_model::Connection;
use serde_json::{Map, Value};

use super::page::{SHAPE, Status, read_page};
use crate::error::CallError;
use crate::qimen::{QimenClient, QimenConfig};
use crate::source::{Page, PageRequest, Source, SourceShape};

/// The Qimen method (and scheme `api`) this source serves.
pub const QIMEN_ORDERS: &str = "jushuitan.order.list.query";

/// The platform name used in messages.
const PLATFORM: &str = "jushuitan-qimen";

/// `jushuitan.order.list.query` over one Qimen connection.
#[derive(Debug, Clone)]
pub struct JushuitanQimenSource {
    client: QimenClient,
}

impl JushuitanQimenSource {
    /// A source over an existing client (its routing parameter should be `customer_id`).
    pub fn new(client: QimenClient) -> Self {
        Self { client }
    }

    /// Reads `base_url`, `app_key`, `secret`, `target_app_key`, `customer_id` and
    /// `sign_method` from a `jushuitan-qimen` connection.
    pub fn from_connection(connection: &Connection) -> Result<Self, CallError> {
        let config =
            QimenConfig::from_connection(connection, PLATFORM, "customer_id", "customer_id")?;
        Ok(Self::new(QimenClient::new(config)?))
    }
}

/// Decodes the inner `response` object of a successful gateway call.
pub(crate) fn decode(response: &Map<String, Value>) -> Result<Page, CallError> {
    let empty = Map::new();
    let data = match response.get("data") {
        Some(Value::Object(data)) => data,
        _ => &empty,
    };
    let objects = [response, data];
    let status = Status::read(&objects);
    if status.failed() {
        let details = status.describe();
        if status.is_rate_limit() {
            return Err(CallError::RateLimited {
                message: format!("{QIMEN_ORDERS} throttled by Jushuitan ({details})"),
                retry_after: None,
            });
        }
        return Err(CallError::Invalid {
            message: format!("{QIMEN_ORDERS} failed ({details})"),
        });
    }
    read_page(PLATFORM, &objects)
}

#[async_trait]
impl Source for JushuitanQimenSource {
    fn shape(&self) -> SourceShape {
        SHAPE
    }

    async fn fetch_page(&self, request: PageRequest<'_>) -> Result<Page, CallError> {
        let response = self.client.call_page(QIMEN_ORDERS, &request, SHAPE).await?;
        decode(&response)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn paging_fields_override_rendered_ones() {
        let params = object(json!({
            "page_index": 9, "start_time": "2024-01-01 00:00:00", "page_size": "5",
            "status": "Sent", "shop_id": null
        }));
        let request = PageRequest {
            params: &params,
            page: 2,
            page_size: 100,
        };
        let expected: Vec<(String, String)> = [
            ("start_time", "2024-01-01 00:00:00"),
            ("status", "Sent"),
            ("page_index", "2"),
            ("page_size", "100"),
        ]
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
        assert_eq!(crate::qimen::page_params(&request, SHAPE), expected);
    }

    #[test]
    fn decodes_top_level_and_nested_payloads() {
        let top = object(json!({"code": 0, "issuccess": true, "msg": "执行成功",
            "data_count": 3, "has_next": true, "orders": [{"o_id": 1}, {"o_id": 2}]}));
        let nested = object(json!({"code": 0, "issuccess": true,
            "data": {"data_count": 3, "has_next": true, "orders": [{"o_id": 1}, {"o_id": 2}]}}));
        let expected = Page {
            records: vec![json!({"o_id": 1}), json!({"o_id": 2})],
            total: Some(3),
            has_next: Some(true),
        };
        assert_eq!(decode(&top).unwrap(), expected);
        assert_eq!(decode(&nested).unwrap(), expected);
        let no_orders = object(json!({"code": 0, "data_count": 0, "has_next": false}));
        assert_eq!(
            decode(&no_orders).unwrap(),
            Page {
                records: Vec::new(),
                total: Some(0),
                has_next: Some(false),
            }
        );
    }

    #[test]
    fn business_failures_are_classified() {
        let window = object(json!({"code": 20, "issuccess": false, "msg": "时间间隔不能超过七天"}));
        assert_eq!(
            decode(&window),
            Err(CallError::Invalid {
                message: "jushuitan.order.list.query failed (code 20: 时间间隔不能超过七天)"
                    .to_owned()
            })
        );
        let nested = object(json!({"data": {"code": "10004", "msg": "接口限流,请稍后重试"}}));
        assert_eq!(
            decode(&nested),
            Err(CallError::RateLimited {
                message: "jushuitan.order.list.query throttled by Jushuitan (code 10004: \
                          接口限流,请稍后重试)"
                    .to_owned(),
                retry_after: None,
            })
        );
        let legacy = object(json!({"issuccess": false, "msg": "调用频率过高"}));
        assert!(matches!(
            decode(&legacy),
            Err(CallError::RateLimited { .. })
        ));
    }
}
