//! WDT flagship refunds through the Qimen gateway: `wdt.aftersales.refund.refund.search`
//! (PROTOCOLS.md §5.4, §6).
//!
//! Contract of [`WdtFlagshipQimenSource::fetch_page`]: the form carries the TOP system
//! parameters, `wdt3_customer_id` (= `sid`, the routing id), `params` (JSON text of the
//! business object, see [`super::business_object`]), `pager` (`{"page_no":N,"page_size":M}`
//! from the [`PageRequest`]), `datetime` (= `timestamp`), `wdt_appkey`, `wdt_salt`, `wdt_sign`
//! ([`super::sign::wdt_sign`]) and the TOP `sign` over all of them. Gateway failures are
//! classified by [`QimenClient`]; the inner `response` by [`super::decode`].

use async_trait::async_trait;
use ferry_model::{Connection, Secret};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::decode::decode;
use super::sign::wdt_sign;
use super::{MAX_PAGE_SIZE, PAGE_PARAM, SIZE_PARAM, business_object, secret_and_salt};
use crate::error::CallError;
use crate::open::setting;
use crate::qimen::{QimenClient, QimenConfig, beijing_timestamp};
use crate::source::{Page, PageRequest, Source, SourceShape};

/// The Qimen method (and scheme `api`) this source serves.
pub const QIMEN_REFUNDS: &str = "wdt.aftersales.refund.refund.search";

const PLATFORM: &str = "wdt-flagship-qimen";
const SETTINGS: &str = "`sid`, `wdt_appkey` and `wdt_secret`";

/// Paging facts of the Qimen route (pages from 1, observed in both public clients).
pub const QIMEN_SHAPE: SourceShape = SourceShape {
    first_page: 1,
    max_page_size: MAX_PAGE_SIZE,
    page_param: PAGE_PARAM,
    size_param: SIZE_PARAM,
    modified_field: Some("modified"),
};

/// `wdt.aftersales.refund.refund.search` over one Qimen connection.
#[derive(Clone)]
pub struct WdtFlagshipQimenSource {
    client: QimenClient,
    wdt_appkey: String,
    wdt_secret: Secret,
    wdt_salt: String,
}

impl std::fmt::Debug for WdtFlagshipQimenSource {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("WdtFlagshipQimenSource")
            .field("client", &self.client)
            .field("wdt_appkey", &self.wdt_appkey)
            .field("wdt_secret", &self.wdt_secret)
            .finish_non_exhaustive()
    }
}

impl WdtFlagshipQimenSource {
    /// A source over `client` (routing `wdt3_customer_id`) and the WDT credentials.
    pub fn new(
        client: QimenClient,
        wdt_appkey: String,
        wdt_secret: Secret,
        wdt_salt: String,
    ) -> Result<Self, CallError> {
        Ok(Self {
            client,
            wdt_appkey,
            wdt_secret,
            wdt_salt,
        })
    }

    /// Reads `base_url`, `app_key`, `secret`, `target_app_key`, `sid`, `wdt_appkey`,
    /// `wdt_secret` (`secret:salt`) and `sign_method` from a `wdt-flagship-qimen` connection.
    pub fn from_connection(connection: &Connection) -> Result<Self, CallError> {
        let config = QimenConfig::from_connection(connection, PLATFORM, "wdt3_customer_id", "sid")?;
        let wdt_appkey = setting(connection, "wdt_appkey")?.to_owned();
        let (wdt_secret, wdt_salt) = secret_and_salt(connection, "wdt_secret")?;
        Self::new(QimenClient::new(config)?, wdt_appkey, wdt_secret, wdt_salt)
    }

    /// The business fields of one page stamped `timestamp`, `wdt_sign` last.
    pub(crate) fn wdt_fields(
        &self,
        request: &PageRequest<'_>,
        timestamp: &str,
    ) -> Vec<(String, String)> {
        let params = Value::Object(business_object(request.params)).to_string();
        // Size first, as both public clients send it (`{"page_size":50,"page_no":1}`).
        let pager = json!({SIZE_PARAM: request.page_size, PAGE_PARAM: request.page}).to_string();
        let mut fields: Vec<(String, String)> = [
            ("params", params.as_str()),
            ("pager", pager.as_str()),
            ("datetime", timestamp),
            ("wdt_appkey", self.wdt_appkey.as_str()),
            ("wdt_salt", self.wdt_salt.as_str()),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
        let signature = wdt_sign(QIMEN_REFUNDS, &fields, self.wdt_secret.expose());
        fields.push(("wdt_sign".to_owned(), signature));
        fields
    }
}

#[async_trait]
impl Source for WdtFlagshipQimenSource {
    fn shape(&self) -> SourceShape {
        QIMEN_SHAPE
    }

    async fn fetch_page(&self, request: PageRequest<'_>) -> Result<Page, CallError> {
        let timestamp = beijing_timestamp(Timestamp::now());
        let business = self.wdt_fields(&request, &timestamp);
        let response = self
            .client
            .call_at(QIMEN_REFUNDS, &business, &timestamp)
            .await?;
        decode(QIMEN_REFUNDS, &response, SETTINGS)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;
    use crate::qimen::SignMethod;

    fn source() -> WdtFlagshipQimenSource {
        let config = QimenConfig {
            platform: PLATFORM,
            base_url: "http://127.0.0.1:1/router/qm".to_owned(),
            app_key: "12345678".to_owned(),
            secret: Secret::new("qimensecret"),
            target_app_key: "87654321".to_owned(),
            sign_method: SignMethod::Md5,
            routing: Some(("wdt3_customer_id".to_owned(), "mysid".to_owned())),
            timeout_secs: 5,
        };
        let client = QimenClient::new(config).unwrap();
        WdtFlagshipQimenSource::new(
            client,
            "mykey".to_owned(),
            Secret::new("testsecret"),
            "testsalt".to_owned(),
        )
        .unwrap()
    }

    /// PROTOCOLS.md §5.4 worked example: both `wdt_sign` and the TOP `sign`.
    #[test]
    fn worked_example_signatures() {
        let source = source();
        let rendered = json!({
            "pager": {"page_size": "50", "page_no": "{PAGINATION_START_PAGE}"},
            "params": {"modified_from": "2024-01-01 00:00:00", "modified_to": "2024-01-02 00:00:00"}
        });
        let params: &Map<String, Value> = rendered.as_object().unwrap();
        let request = PageRequest {
            params,
            page: 1,
            page_size: 50,
        };
        let timestamp = "2024-01-02 10:00:00";
        let business = source.wdt_fields(&request, timestamp);
        let wdt_sign = &business.last().unwrap().1;
        assert_eq!(wdt_sign, "3c4bd5162f72537b22414628e49948b8");
        let form = source
            .client
            .signed_form(QIMEN_REFUNDS, &business, timestamp);
        let (name, sign) = form.last().unwrap();
        assert_eq!(name, "sign");
        assert_eq!(sign, "FB5BF229759501E7DBDC9D5D6F989896");
        let debug = format!("{source:?}");
        assert!(!debug.contains("testsecret") && !debug.contains("qimensecret"));
    }
}
