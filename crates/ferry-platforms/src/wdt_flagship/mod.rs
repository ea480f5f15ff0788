//! WDT flagship 旺店通·旗舰版 refund sources (退换单查询), one per route (PROTOCOLS.md §5):
//!
//! - [`WdtFlagshipQimenSource`]: `wdt.aftersales.refund.refund.search` through the Qimen
//!   gateway (platform `wdt-flagship-qimen`), pages from 1;
//! - [`WdtFlagshipNativeSource`]: `aftersales.refund.Refund.search` on the native `/openapi`
//!   gateway (platform `wdt-flagship`), pages from 0.
//!
//! Contract: both send one request per `fetch_page` with the page pair set from the
//! [`crate::PageRequest`] (whatever the scheme rendered for `pager` is replaced), put the rest
//! of the rendered request into the `params` object (a rendered `params` object is used as
//! is, other top-level fields are merged into it), and report `data.total_count` as the total;
//! `has_next` is never reported (the engine ends on a short page or the total). Records are
//! `data.order[]` as sent (`modified` may be epoch ms or text; the engine reads both). The
//! credential `secret:salt` is split on the first `:`.

pub(crate) mod decode;
pub mod native;
pub mod qimen;
pub mod sign;

pub use native::{NATIVE_REFUNDS, WdtFlagshipNativeSource};
pub use qimen::{QIMEN_REFUNDS, WdtFlagshipQimenSource};
pub use sign::{native_sign, wdt_sign};

use ferry_model::{Connection, Secret};
use serde_json::{Map, Value};

use crate::error::CallError;
use crate::open::secret_setting;

/// The page-number parameter of both routes.
pub const PAGE_PARAM: &str = "page_no";
/// The page-size parameter of both routes.
pub const SIZE_PARAM: &str = "page_size";
/// Largest page size (the doc advises below 200 for large sellers).
pub const MAX_PAGE_SIZE: u32 = 200;

/// `secret:salt` from the setting `name`, split on the first `:`.
pub(crate) fn secret_and_salt(
    connection: &Connection,
    name: &str,
) -> Result<(Secret, String), CallError> {
    let value = secret_setting(connection, name)?;
    match value.split_once(':') {
        Some((secret, salt)) if !secret.is_empty() && !salt.is_empty() => {
            Ok((Secret::new(secret), salt.to_owned()))
        }
        _ => Err(CallError::Invalid {
            message: format!(
                "connection `{}`: `{name}` must have the form `secret:salt`",
                connection.name
            ),
        }),
    }
}

/// The `params` object of a rendered request: its `params` object (or JSON object text) if it
/// has one, plus every other top-level field except the paging ones.
pub(crate) fn business_object(rendered: &Map<String, Value>) -> Map<String, Value> {
    let mut object = match rendered.get("params") {
        Some(Value::Object(inner)) => inner.clone(),
        Some(Value::String(text)) => match serde_json::from_str(text) {
            Ok(Value::Object(inner)) => inner,
            _ => Map::new(),
        },
        _ => Map::new(),
    };
    for (key, value) in rendered {
        let paging = matches!(key.as_str(), "params" | "pager" | PAGE_PARAM | SIZE_PARAM);
        if !paging && !value.is_null() {
            object.entry(key.clone()).or_insert_with(|| value.clone());
        }
    }
    object
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn business_object_drops_paging_and_merges_flat_fields() {
        let rendered = json!({
            "pager": {"page_size": "50", "page_no": "1"},
            "params": {"modified_from": "2024-01-01 00:00:00"},
            "page_no": 3,
            "shop_nos": "ZY01",
            "tid": null
        });
        let object = business_object(rendered.as_object().unwrap());
        assert_eq!(
            Value::Object(object),
            json!({"modified_from": "2024-01-01 00:00:00", "shop_nos": "ZY01"})
        );
        let text = json!({"params": "{\"tid\":\"x\"}"});
        assert_eq!(
            Value::Object(business_object(text.as_object().unwrap())),
            json!({"tid": "x"})
        );
    }
}
