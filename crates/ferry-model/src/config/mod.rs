//! `ferry.toml`: where the ledger lives, the connections (credentials per platform account),
//! the HTTP server and the alert robots.
//!
//! ```toml
//! schemes = "schemes"                  # directory of scheme JSON files (default)
//! [store]
//! url = "sqlite://ferry.db"            # or postgres://...
//! [connections.jst]
//! platform = "jushuitan-qimen"
//! app_key = "..."
//! secret = "${JST_QIMEN_SECRET}"       # ${NAME} or ${NAME:-default} from the environment
//! rate = "5/s"
//! [server]
//! listen = "127.0.0.1:8080"
//! token = "${FERRY_TOKEN}"             # required unless listening on loopback
//! [[alerts]]
//! kind = "dingtalk"                    # dingtalk | wecom | webhook
//! url = "${DINGTALK_WEBHOOK}"
//! ```
//!
//! [`load_config`] reads the text (no other IO), checks everything, and returns either a
//! [`Config`] or every [`Issue`] found. Secret settings become [`Secret`]s.

mod read;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

pub use read::load_config;

use crate::catalog::PlatformInfo;
use crate::doc::Span;
use crate::secret::{Secret, mask_url};
use crate::units::Rate;

/// The whole `ferry.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// Directory holding scheme files, relative paths resolved against the config's directory.
    pub schemes_dir: PathBuf,
    /// The ledger.
    pub store: StoreConfig,
    /// Connections by name.
    pub connections: BTreeMap<String, Connection>,
    /// `ferry serve` settings.
    pub server: ServerConfig,
    /// Alert robots.
    pub alerts: Vec<AlertConfig>,
}

/// `[store]`.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `sqlite://ferry.db` (default) or `postgres://...`; may hold a password.
    pub url: Secret,
}

impl StoreConfig {
    /// The URL with its password masked, for display.
    pub fn display_url(&self) -> String {
        mask_url(self.url.expose())
    }
}

/// One `[connections.NAME]`.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Its name.
    pub name: String,
    /// Its platform.
    pub platform: &'static PlatformInfo,
    /// Settings after `${ENV}` interpolation and defaults.
    pub settings: BTreeMap<String, SettingValue>,
    /// `rate`, or the platform's default.
    pub rate: Option<Rate>,
    /// `timeout` in seconds (default 30).
    pub timeout_secs: u64,
    /// `max_retries` for transient failures (default 5).
    pub max_retries: u32,
    /// Where the table starts in the file.
    pub span: Span,
}

/// A connection setting's value.
#[derive(Debug, Clone)]
pub enum SettingValue {
    /// An ordinary value.
    Plain(String),
    /// A credential.
    Secret(Secret),
}

impl SettingValue {
    /// The value for use on the wire.
    pub fn expose(&self) -> &str {
        match self {
            SettingValue::Plain(text) => text,
            SettingValue::Secret(secret) => secret.expose(),
        }
    }

    /// The value for display: secrets masked (URLs keep everything but the password).
    pub fn display(&self) -> String {
        match self {
            SettingValue::Plain(text) => text.clone(),
            SettingValue::Secret(secret) if secret.expose().contains("://") => {
                mask_url(secret.expose())
            }
            SettingValue::Secret(_) => "***".to_owned(),
        }
    }
}

impl Connection {
    /// A setting's value for use on the wire.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(SettingValue::expose)
    }
}

/// `[server]`.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on (default `127.0.0.1:8080`).
    pub listen: SocketAddr,
    /// Bearer token required by the API and console; mandatory unless `listen` is loopback.
    pub token: Option<Secret>,
}

/// Which robot format an alert uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// DingTalk custom robot (optionally signed with `secret`).
    DingTalk,
    /// WeCom (企业微信) group robot.
    WeCom,
    /// A generic JSON webhook.
    Webhook,
}

/// An event that can fire an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertEvent {
    /// A run failed.
    RunFailed,
    /// Records were marked failed.
    RecordFailed,
    /// A scheme's checkpoint is further behind than `checkpoint_lag`.
    CheckpointLag,
}

/// One `[[alerts]]`.
#[derive(Debug, Clone)]
pub struct AlertConfig {
    /// Robot format.
    pub kind: AlertKind,
    /// Webhook URL (contains the robot's token, hence secret).
    pub url: Secret,
    /// DingTalk signing secret.
    pub secret: Option<Secret>,
    /// Events that fire it (default: all).
    pub on: Vec<AlertEvent>,
    /// Lag threshold in seconds for `checkpoint_lag` (default 1 hour).
    pub checkpoint_lag_secs: i64,
    /// The same alert for the same scheme is not repeated within this many seconds (default 1 hour).
    pub repeat_after_secs: i64,
}
