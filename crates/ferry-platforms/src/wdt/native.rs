//! WDT enterprise stockouts through the native open API:
//! `POST {base_url}/stockout_order_query_trade.php` (PROTOCOLS.md §4.1–4.2).
//!
//! Contract of [`WdtNativeSource::fetch_page`]: one form POST of `sid`, `appkey`, `timestamp`
//! (Unix seconds), the scheme's rendered parameters as flat fields (their own paging values
//! and any clash with the system fields dropped, empty values not sent), `page_no` /
//! `page_size` from the [`PageRequest`], and `sign`. The signature ([`wdt_sign`]) packs every
//! other field, keys in byte order, as `{len(key):02}-{key}:{len(value):04}-{value}` with
//! lengths in Unicode characters, joins them with `;` and takes
//! `lower_hex(MD5(packed + appsecret))`. The reply `{code, message, total_count,
//! stockout_list}` is decoded by [`super::page`].

use async_trait::async_trait;
use ferry_model::{Connection, Secret};
use jiff::Timestamp;
use md5::{Digest, Md5};

use super::page::{IDENTITY_FIELD, SHAPE, decode, page_params};
use crate::error::CallError;
use crate::http;
use crate::open::{base_url, secret_setting, setting};
use crate::source::{Page, PageRequest, Source, SourceShape};

/// The interface (and scheme `api`) this source serves.
pub const NATIVE_STOCKOUTS: &str = "stockout_order_query_trade.php";

/// The platform name used in messages.
const PLATFORM: &str = "wdt";

/// Fields the client sets itself.
const SYSTEM_FIELDS: &[&str] = &["sid", "appkey", "timestamp", "sign"];

/// `stockout_order_query_trade.php` over one native connection. `Debug` hides the secret.
#[derive(Clone)]
pub struct WdtNativeSource {
    url: String,
    sid: String,
    appkey: String,
    appsecret: Secret,
    http: reqwest::Client,
}

impl std::fmt::Debug for WdtNativeSource {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("WdtNativeSource")
            .field("url", &http::display_url(&self.url))
            .field("sid", &self.sid)
            .field("appkey", &self.appkey)
            .field("appsecret", &self.appsecret)
            .finish_non_exhaustive()
    }
}

/// The packed string of `fields` except `sign`, keys in byte order.
pub fn pack(fields: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> =
        fields.iter().filter(|(key, _)| key != "sign").collect();
    sorted.sort_by(|left, right| left.0.as_bytes().cmp(right.0.as_bytes()));
    let items: Vec<String> = sorted
        .into_iter()
        .map(|(key, value)| {
            format!(
                "{:02}-{key}:{:04}-{value}",
                key.chars().count(),
                value.chars().count()
            )
        })
        .collect();
    items.join(";")
}

/// `lower_hex(MD5(pack(fields) + appsecret))`.
pub fn wdt_sign(fields: &[(String, String)], appsecret: &str) -> String {
    let mut digest = Md5::new();
    digest.update(pack(fields).as_bytes());
    digest.update(appsecret.as_bytes());
    hex::encode(digest.finalize())
}

impl WdtNativeSource {
    /// Reads `base_url`, `sid`, `appkey` and `appsecret` from a `wdt` connection.
    pub fn from_connection(connection: &Connection) -> Result<Self, CallError> {
        let base = base_url(connection)?;
        Ok(Self {
            url: format!("{}/{NATIVE_STOCKOUTS}", base.trim_end_matches('/')),
            sid: setting(connection, "sid")?.to_owned(),
            appkey: setting(connection, "appkey")?.to_owned(),
            appsecret: Secret::new(secret_setting(connection, "appsecret")?),
            http: http::client_for(connection)?,
        })
    }

    /// The signed form of one page stamped `timestamp` (Unix seconds), `sign` last.
    fn signed_form(&self, request: &PageRequest<'_>, timestamp: i64) -> Vec<(String, String)> {
        let mut form: Vec<(String, String)> = vec![
            ("sid".to_owned(), self.sid.clone()),
            ("appkey".to_owned(), self.appkey.clone()),
            ("timestamp".to_owned(), timestamp.to_string()),
        ];
        for (key, value) in page_params(request) {
            if !SYSTEM_FIELDS.contains(&key.as_str()) && !key.is_empty() {
                form.push((key, value));
            }
        }
        let signature = wdt_sign(&form, self.appsecret.expose());
        form.push(("sign".to_owned(), signature));
        form
    }
}

#[async_trait]
impl Source for WdtNativeSource {
    fn shape(&self) -> SourceShape {
        SHAPE
    }

    fn identity_field(&self) -> Option<&'static str> {
        Some(IDENTITY_FIELD)
    }

    async fn fetch_page(&self, request: PageRequest<'_>) -> Result<Page, CallError> {
        let form = self.signed_form(&request, Timestamp::now().as_second());
        tracing::debug!(
            platform = PLATFORM,
            page = request.page,
            url = http::display_url(&self.url),
            "wdt call"
        );
        let reply = http::post_form(&self.http, &self.url, &form).await?;
        http::expect_success(&reply, &self.url)?;
        match http::parse_json(PLATFORM, &reply.body)? {
            serde_json::Value::Object(body) => decode(NATIVE_STOCKOUTS, PLATFORM, &body),
            _ => Err(CallError::transient(format!(
                "unexpected reply of `{PLATFORM}`: not a JSON object"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::pairs;

    fn source() -> WdtNativeSource {
        WdtNativeSource {
            url: format!("http://127.0.0.1:9/openapi2/{NATIVE_STOCKOUTS}"),
            sid: "mysid".to_owned(),
            appkey: "myappkey".to_owned(),
            appsecret: Secret::new("wdtsecret"),
            http: http::build_client(5).unwrap(),
        }
    }

    #[test]
    fn packed_string_and_sign_of_the_worked_example_of_protocols_4_1() {
        let fields = pairs(&[
            ("sid", "mysid"),
            ("appkey", "myappkey"),
            ("timestamp", "1704160800"),
            ("start_time", "2024-01-01 00:00:00"),
            ("end_time", "2024-01-02 00:00:00"),
            ("status", "95"),
            ("page_no", "0"),
            ("page_size", "40"),
        ]);
        assert_eq!(
            pack(&fields),
            "06-appkey:0008-myappkey;08-end_time:0019-2024-01-02 00:00:00;07-page_no:0001-0;\
             09-page_size:0002-40;03-sid:0005-mysid;10-start_time:0019-2024-01-01 00:00:00;\
             06-status:0002-95;09-timestamp:0010-1704160800"
        );
        assert_eq!(
            wdt_sign(&fields, "wdtsecret"),
            "e4593977a0492aca8e3ed268824b4b70"
        );
    }

    #[test]
    fn unicode_example_of_protocols_4_1_counts_characters() {
        assert_eq!(
            pack(&pairs(&[("shop_name", "旗舰店"), ("sign", "x")])),
            "09-shop_name:0003-旗舰店"
        );
    }

    #[test]
    fn form_of_the_worked_example_of_protocols_4_1() {
        let params = json!({"start_time": "2024-01-01 00:00:00", "end_time": "2024-01-02 00:00:00",
            "status": "95", "sid": "other", "page_no": 7, "shop_no": ""});
        let request = PageRequest {
            params: params.as_object().unwrap(),
            page: 0,
            page_size: 40,
        };
        let form = source().signed_form(&request, 1_704_160_800);
        assert_eq!(
            form,
            pairs(&[
                ("sid", "mysid"),
                ("appkey", "myappkey"),
                ("timestamp", "1704160800"),
                ("start_time", "2024-01-01 00:00:00"),
                ("end_time", "2024-01-02 00:00:00"),
                ("status", "95"),
                ("page_no", "0"),
                ("page_size", "40"),
                ("sign", "e4593977a0492aca8e3ed268824b4b70"),
            ])
        );
    }

    #[test]
    fn debug_hides_the_secret() {
        let text = format!("{:?}", source());
        assert!(!text.contains("wdtsecret"), "{text}");
    }
}
