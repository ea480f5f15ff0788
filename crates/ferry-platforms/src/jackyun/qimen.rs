//! Jackyun sales orders through the Qimen gateway with the double signature (PROTOCOLS.md
//! §1.4, §6).
//!
//! Contract of [`JackyunQimenSource::fetch_page`]: one [`QimenClient`] call of
//! `jackyun.tradenotsensitiveinfos.list.get` routed by `jkycustomerid`, whose business fields
//! are `jkymethod`, `jkytimestamp` (GMT+8 now), `jkyversion=1.0`, `jkyappkey`, `content` (the
//! page's [`bizcontent`]) and `jkysign` = [`jky_sign`] over `appkey`, `bizcontent=content`,
//! `contenttype=JSON`, `method`, `timestamp`, `version=1.0` with `jky_secret`. The TOP `sign`
//! covers all of them. Gateway failures are classified by the Qimen client (code 7 →
//! `RateLimited` with `retry_after`); the inner object is decoded by [`super::page`].

use async_trait::async_trait;
use ferry_model::{Connection, Secret};
use jiff::Timestamp;

use super::TRADE_LIST;
use super::page::{SHAPE, decode};
use super::sign::{bizcontent, jky_sign};
use crate::error::CallError;
use crate::open::{secret_setting, setting};
use crate::qimen::{QimenClient, QimenConfig, beijing_timestamp};
use crate::source::{Page, PageRequest, Source, SourceShape};

/// The platform name used in messages.
const PLATFORM: &str = "jackyun-qimen";

/// `jackyun.tradenotsensitiveinfos.list.get` over one Qimen connection; `Debug` hides secrets.
#[derive(Debug, Clone)]
pub struct JackyunQimenSource {
    client: QimenClient,
    jky_appkey: String,
    jky_secret: Secret,
}

impl JackyunQimenSource {
    /// A source over an existing client (its routing parameter should be `jkycustomerid`).
    pub fn new(client: QimenClient, jky_appkey: String, jky_secret: Secret) -> Self {
        Self {
            client,
            jky_appkey,
            jky_secret,
        }
    }

    /// Reads `base_url`, `app_key`, `secret`, `target_app_key`, `sign_method`, `jky_appkey`,
    /// `jky_secret` and `jky_customer_id` from a `jackyun-qimen` connection.
    pub fn from_connection(connection: &Connection) -> Result<Self, CallError> {
        let config =
            QimenConfig::from_connection(connection, PLATFORM, "jkycustomerid", "jky_customer_id")?;
        Ok(Self::new(
            QimenClient::new(config)?,
            setting(connection, "jky_appkey")?.to_owned(),
            Secret::new(secret_setting(connection, "jky_secret")?),
        ))
    }

    /// The business fields of one page stamped `timestamp`, `jkysign` last.
    fn business(&self, request: &PageRequest<'_>, timestamp: &str) -> Vec<(String, String)> {
        let content = bizcontent(request);
        let signed: Vec<(String, String)> = [
            ("appkey", self.jky_appkey.as_str()),
            ("bizcontent", content.as_str()),
            ("contenttype", "JSON"),
            ("method", TRADE_LIST),
            ("timestamp", timestamp),
            ("version", "1.0"),
        ]
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
        let jkysign = jky_sign(&signed, self.jky_secret.expose());
        [
            ("jkymethod", TRADE_LIST),
            ("jkytimestamp", timestamp),
            ("jkyversion", "1.0"),
            ("jkyappkey", self.jky_appkey.as_str()),
            ("content", content.as_str()),
            ("jkysign", jkysign.as_str()),
        ]
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
    }
}

#[async_trait]
impl Source for JackyunQimenSource {
    fn shape(&self) -> SourceShape {
        SHAPE
    }

    async fn fetch_page(&self, request: PageRequest<'_>) -> Result<Page, CallError> {
        let timestamp = beijing_timestamp(Timestamp::now());
        let business = self.business(&request, &timestamp);
        let response = self.client.call(TRADE_LIST, &business).await?;
        decode(PLATFORM, TRADE_LIST, &response)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::qimen::SignMethod;

    #[test]
    fn double_signature_fields_follow_section_1_4() {
        let config = QimenConfig {
            platform: PLATFORM,
            base_url: "http://127.0.0.1:1/router/qm".to_owned(),
            app_key: "12345678".to_owned(),
            secret: Secret::new("qimensecret".to_owned()),
            target_app_key: "21363512".to_owned(),
            sign_method: SignMethod::Md5,
            routing: Some(("jkycustomerid".to_owned(), "c".to_owned())),
            timeout_secs: 5,
        };
        let source = JackyunQimenSource::new(
            QimenClient::new(config).unwrap(),
            "jkyappkey".to_owned(),
            Secret::new("jkysecret".to_owned()),
        );
        let params = json!({"startModified": "2024-01-01 00:00:00"});
        let request = PageRequest {
            params: params.as_object().unwrap(),
            page: 0,
            page_size: 200,
        };
        let fields = source.business(&request, "2024-01-02 10:00:00");
        let content = r#"{"startModified":"2024-01-01 00:00:00","pageIndex":0,"pageSize":200}"#;
        let names: Vec<&str> = fields.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(
            names,
            [
                "jkymethod",
                "jkytimestamp",
                "jkyversion",
                "jkyappkey",
                "content",
                "jkysign"
            ]
        );
        let decoded: serde_json::Value = serde_json::from_str(&fields[4].1).unwrap();
        assert_eq!(
            decoded,
            serde_json::from_str::<serde_json::Value>(content).unwrap()
        );
        let raw = format!(
            "jkysecretappkeyjkyappkeybizcontent{}contenttypeJSONmethod{TRADE_LIST}\
             timestamp2024-01-02 10:00:00version1.0jkysecret",
            fields[4].1
        );
        let expected = hex::encode(<md5::Md5 as md5::Digest>::digest(raw.to_lowercase()));
        assert_eq!(fields[5].1, expected);
        assert!(!format!("{source:?}").contains("jkysecret"));
    }
}
