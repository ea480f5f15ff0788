//! WDT enterprise stockouts through the Qimen gateway: `wdt.stockout.order.query.trade`
//! (PROTOCOLS.md §4.3, §6).
//!
//! Contract of [`WdtQimenSource::fetch_page`]: the scheme's rendered parameters are sent as
//! flat form fields ([`crate::qimen::page_params`]) with `page_no` / `page_size` set from
//! the [`PageRequest`] (overriding rendered values), routed by `sid`, signed with the TOP
//! signature only (no WDT signature on this route). Gateway failures (code 7 rate limit, code
//! 25 signature, …) are classified by [`QimenClient`]; the inner `response` object, whose
//! status key is `errorcode`, by [`super::page`].

use async_trait::async_trait;
use ferry_model::Connection;

use super::page::{IDENTITY_FIELD, SHAPE, decode};
use crate::error::CallError;
use crate::qimen::{QimenClient, QimenConfig};
use crate::source::{Page, PageRequest, Source, SourceShape};

/// The Qimen method (and scheme `api`) this source serves.
pub const QIMEN_STOCKOUTS: &str = "wdt.stockout.order.query.trade";

/// The platform name used in messages.
const PLATFORM: &str = "wdt-qimen";

/// `wdt.stockout.order.query.trade` over one Qimen connection.
#[derive(Debug, Clone)]
pub struct WdtQimenSource {
    client: QimenClient,
}

impl WdtQimenSource {
    /// A source over an existing client (its routing parameter should be `sid`).
    pub fn new(client: QimenClient) -> Self {
        Self { client }
    }

    /// Reads `base_url`, `app_key`, `secret`, `target_app_key`, `sid` and `sign_method` from a
    /// `wdt-qimen` connection.
    pub fn from_connection(connection: &Connection) -> Result<Self, CallError> {
        let config = QimenConfig::from_connection(connection, PLATFORM, "sid", "sid")?;
        Ok(Self::new(QimenClient::new(config)?))
    }
}

#[async_trait]
impl Source for WdtQimenSource {
    fn shape(&self) -> SourceShape {
        SHAPE
    }

    fn identity_field(&self) -> Option<&'static str> {
        Some(IDENTITY_FIELD)
    }

    async fn fetch_page(&self, request: PageRequest<'_>) -> Result<Page, CallError> {
        let response = self
            .client
            .call_page(QIMEN_STOCKOUTS, &request, SHAPE)
            .await?;
        decode(QIMEN_STOCKOUTS, PLATFORM, &response)
    }
}
