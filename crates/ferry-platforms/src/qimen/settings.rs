//! The Qimen settings every Qimen-route connection shares, read into a [`QimenConfig`].
//!
//! Contract of [`QimenConfig::from_connection`]: reads, in this order, `sign_method` (optional,
//! default `md5`; an unknown value is `Invalid` naming the connection), `base_url` (an http(s)
//! URL), `app_key`, `secret` (untrimmed), `target_app_key` and the routing setting, whose value
//! is sent as the given routing parameter. The first missing or empty setting is `Invalid`
//! naming it; the timeout is the connection's.

use ferry_model::{Connection, Secret};

use super::client::QimenConfig;
use super::sign::SignMethod;
use crate::error::CallError;
use crate::open::{base_url, optional_setting, secret_setting, setting};

impl QimenConfig {
    /// The config of a Qimen connection for `platform`, routed by `routing_param` whose value
    /// is the setting `routing_setting` (e.g. `wdt3_customer_id` from `sid`).
    pub fn from_connection(
        connection: &Connection,
        platform: &'static str,
        routing_param: &str,
        routing_setting: &str,
    ) -> Result<Self, CallError> {
        let sign_method = match optional_setting(connection, "sign_method") {
            None => SignMethod::Md5,
            Some(text) => text.parse().map_err(|message| CallError::Invalid {
                message: format!("connection `{}`: {message}", connection.name),
            })?,
        };
        Ok(Self {
            platform,
            base_url: base_url(connection)?,
            app_key: setting(connection, "app_key")?.to_owned(),
            secret: Secret::new(secret_setting(connection, "secret")?),
            target_app_key: setting(connection, "target_app_key")?.to_owned(),
            sign_method,
            routing: Some((
                routing_param.to_owned(),
                setting(connection, routing_setting)?.to_owned(),
            )),
            timeout_secs: connection.timeout_secs,
        })
    }
}
