//! The source registry: which client serves a connection's platform and API.
//!
//! Contract: [`open_source`] is the one explicit list of source clients (one line each). An
//! unknown platform or API is [`CallError::Invalid`] naming the connection and listing what is
//! supported; a missing or empty setting is `Invalid` naming the connection and the setting.
//! Settings absent from a hand-built [`Connection`] fall back to the catalog's default.
//! Messages never contain setting values.

use std::sync::Arc;

use ferry_model::Connection;

use crate::error::CallError;
use crate::jushuitan::{JushuitanNativeSource, JushuitanQimenSource, NATIVE_ORDERS, QIMEN_ORDERS};
use crate::source::Source;

/// Every (platform, API) pair with a source client, in display order.
const SOURCES: &[(&str, &str)] = &[
    ("jushuitan-qimen", QIMEN_ORDERS),
    ("jushuitan", NATIVE_ORDERS),
    ("wdt-qimen", crate::wdt::QIMEN_STOCKOUTS),
    ("wdt", crate::wdt::NATIVE_STOCKOUTS),
    ("jackyun-qimen", crate::jackyun::TRADE_LIST),
    ("jackyun", crate::jackyun::TRADE_LIST),
    ("okki", crate::okki::ORDER_LIST),
    ("wdt-flagship-qimen", crate::wdt_flagship::QIMEN_REFUNDS),
    ("wdt-flagship", crate::wdt_flagship::NATIVE_REFUNDS),
    ("banniu", crate::banniu::TASK_LIST),
];

/// The source client for `api` on `connection`'s platform.
pub fn open_source(connection: &Connection, api: &str) -> Result<Arc<dyn Source>, CallError> {
    let platform = connection.platform.name;
    match (platform, api) {
        ("jushuitan-qimen", QIMEN_ORDERS) => {
            Ok(Arc::new(JushuitanQimenSource::from_connection(connection)?))
        }
        ("jushuitan", NATIVE_ORDERS) => Ok(Arc::new(JushuitanNativeSource::from_connection(
            connection,
        )?)),
        ("wdt-flagship-qimen", crate::wdt_flagship::QIMEN_REFUNDS) => Ok(Arc::new(
            crate::wdt_flagship::WdtFlagshipQimenSource::from_connection(connection)?,
        )),
        ("wdt-flagship", crate::wdt_flagship::NATIVE_REFUNDS) => Ok(Arc::new(
            crate::wdt_flagship::WdtFlagshipNativeSource::from_connection(connection)?,
        )),
        ("wdt-qimen", crate::wdt::QIMEN_STOCKOUTS) => Ok(Arc::new(
            crate::wdt::WdtQimenSource::from_connection(connection)?,
        )),
        ("wdt", crate::wdt::NATIVE_STOCKOUTS) => Ok(Arc::new(
            crate::wdt::WdtNativeSource::from_connection(connection)?,
        )),
        ("jackyun-qimen", crate::jackyun::TRADE_LIST) => Ok(Arc::new(
            crate::jackyun::JackyunQimenSource::from_connection(connection)?,
        )),
        ("jackyun", crate::jackyun::TRADE_LIST) => Ok(Arc::new(
            crate::jackyun::JackyunNativeSource::from_connection(connection)?,
        )),
        ("okki", crate::okki::ORDER_LIST) => Ok(Arc::new(
            crate::okki::OkkiOrdersSource::from_connection(connection)?,
        )),
        ("banniu", crate::banniu::TASK_LIST) => Ok(Arc::new(
            crate::banniu::BanniuTaskSource::from_connection(connection)?,
        )),
        _ => Err(unsupported(connection, api)),
    }
}

fn quoted(names: impl Iterator<Item = &'static str>) -> String {
    names
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn unsupported(connection: &Connection, api: &str) -> CallError {
    let platform = connection.platform.name;
    let apis: Vec<&str> = SOURCES
        .iter()
        .filter(|(known, _)| *known == platform)
        .map(|(_, known_api)| *known_api)
        .collect();
    let message = if apis.is_empty() {
        let platforms = quoted(SOURCES.iter().map(|(known, _)| *known));
        format!(
            "connection `{}`: platform `{platform}` has no source client (supported platforms: \
             {platforms})",
            connection.name
        )
    } else {
        format!(
            "connection `{}`: platform `{platform}` has no source API `{api}` (supported: {})",
            connection.name,
            quoted(apis.into_iter())
        )
    };
    CallError::Invalid { message }
}

/// A setting's value, or the catalog default; `None` when neither is set or it is empty.
pub(crate) fn optional_setting<'a>(connection: &'a Connection, name: &str) -> Option<&'a str> {
    let value = connection.get(name).or_else(|| {
        connection
            .platform
            .setting(name)
            .and_then(|setting| setting.default)
    });
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// A setting's value (or catalog default); missing or empty is `Invalid` naming the setting.
pub(crate) fn setting<'a>(connection: &'a Connection, name: &str) -> Result<&'a str, CallError> {
    optional_setting(connection, name).ok_or_else(|| CallError::Invalid {
        message: format!(
            "connection `{}` is missing the setting `{name}` (platform `{}`)",
            connection.name, connection.platform.name
        ),
    })
}

/// A secret setting's value, untrimmed (whitespace may be part of a secret).
pub(crate) fn secret_setting(connection: &Connection, name: &str) -> Result<String, CallError> {
    match connection.get(name) {
        Some(value) if !value.is_empty() => Ok(value.to_owned()),
        _ => Err(CallError::Invalid {
            message: format!(
                "connection `{}` is missing the setting `{name}` (platform `{}`)",
                connection.name, connection.platform.name
            ),
        }),
    }
}

/// `base_url` (or its default), checked to be an http(s) URL.
pub(crate) fn base_url(connection: &Connection) -> Result<String, CallError> {
    let text = setting(connection, "base_url")?;
    match reqwest::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(text.to_owned()),
        _ => Err(CallError::Invalid {
            message: format!(
                "connection `{}`: `base_url` is not an http(s) URL",
                connection.name
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use ferry_model::config::SettingValue;
    use ferry_model::doc::Span;

    use super::*;

    fn connection(platform: &str, settings: &[(&str, &str)]) -> Connection {
        Connection {
            name: "shop".to_owned(),
            platform: ferry_model::catalog::platform(platform).unwrap(),
            settings: settings
                .iter()
                .map(|(key, value)| ((*key).to_owned(), SettingValue::Plain((*value).to_owned())))
                .collect::<BTreeMap<_, _>>(),
            rate: None,
            timeout_secs: 5,
            max_retries: 0,
            span: Span::new(0, 0),
        }
    }

    fn message(result: Result<Arc<dyn Source>, CallError>) -> String {
        match result {
            Err(CallError::Invalid { message }) => message,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn unknown_platform_lists_the_supported_ones() {
        let ledger = connection("ledger", &[]);
        assert_eq!(
            message(open_source(&ledger, "/v1/invoices/order/list")),
            "connection `shop`: platform `ledger` has no source client (supported platforms: \
             `jushuitan-qimen`, `jushuitan`, `wdt-qimen`, `wdt`, `jackyun-qimen`, `jackyun`, `okki`, \
             `wdt-flagship-qimen`, `wdt-flagship`, `banniu`)"
        );
    }

    #[test]
    fn unknown_api_lists_the_platforms_apis() {
        let jst = connection("jushuitan", &[]);
        assert_eq!(
            message(open_source(&jst, "jushuitan.order.list.query")),
            "connection `shop`: platform `jushuitan` has no source API \
             `jushuitan.order.list.query` (supported: `/open/orders/single/query`)"
        );
    }

    #[test]
    fn missing_settings_are_named_without_values() {
        let jst = connection(
            "jushuitan-qimen",
            &[("app_key", "k"), ("secret", "topsecret")],
        );
        let text = message(open_source(&jst, QIMEN_ORDERS));
        assert_eq!(
            text,
            "connection `shop` is missing the setting `customer_id` (platform `jushuitan-qimen`)"
        );
        let native = connection("jushuitan", &[("app_key", "k"), ("app_secret", "s")]);
        assert_eq!(
            message(open_source(&native, NATIVE_ORDERS)),
            "connection `shop` is missing the setting `access_token` (platform `jushuitan`)"
        );
    }

    #[test]
    fn bad_sign_method_and_base_url_are_invalid() {
        let settings = [
            ("app_key", "k"),
            ("secret", "topsecret"),
            ("customer_id", "c"),
            ("sign_method", "sha1"),
        ];
        let jst = connection("jushuitan-qimen", &settings);
        assert_eq!(
            message(open_source(&jst, QIMEN_ORDERS)),
            "connection `shop`: unknown `sign_method` `sha1` (valid: `md5`, `hmac`, \
             `hmac-sha256`)"
        );
        let mut with_url = settings.to_vec();
        with_url[3] = ("base_url", "ftp://x?secret=topsecret");
        let jst = connection("jushuitan-qimen", &with_url);
        let text = message(open_source(&jst, QIMEN_ORDERS));
        assert_eq!(text, "connection `shop`: `base_url` is not an http(s) URL");
    }

    #[test]
    fn catalog_defaults_fill_absent_settings() {
        let jst = connection(
            "jushuitan-qimen",
            &[("app_key", "k"), ("secret", "s"), ("customer_id", "c")],
        );
        assert_eq!(optional_setting(&jst, "target_app_key"), Some("23060081"));
        assert_eq!(
            base_url(&jst).unwrap(),
            "http://a1q40taq0j.api.taobao.com/router/qm"
        );
        let source = open_source(&jst, QIMEN_ORDERS).unwrap();
        assert_eq!(source.shape().first_page, 1);
    }
}
