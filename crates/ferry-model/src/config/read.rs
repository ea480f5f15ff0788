//! Reads and checks `ferry.toml` (see the module docs of [`crate::config`]).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use super::{
    AlertConfig, AlertEvent, AlertKind, Config, Connection, ServerConfig, SettingValue, StoreConfig,
};
use crate::catalog::{self, PlatformInfo};
use crate::diag::{Diagnostics, Issue, choice_hint};
use crate::doc::{Node, NodeValue, SourceFile, parse_toml};
use crate::reader::{ObjectReader, Spanned, UnknownKeys};
use crate::secret::{Secret, interpolate};
use crate::units::{Rate, parse_duration};

const TOP_KEYS: &[&str] = &["schemes", "store", "connections", "server", "alerts"];
const CONNECTION_COMMON: &[&str] = &["platform", "rate", "timeout", "max_retries"];
const ALERT_EVENTS: &[&str] = &["run_failed", "record_failed", "checkpoint_lag"];

/// Reads a config file's text. `env` resolves `${NAME}` (normally `std::env::var`).
pub fn load_config(
    file: &SourceFile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, Vec<Issue>> {
    let mut diagnostics = Diagnostics::new(file);
    let config = read(file, env, &mut diagnostics);
    match config {
        Some(config) if !diagnostics.has_errors() => Ok(config),
        _ => Err(diagnostics.into_issues()),
    }
}

struct Ctx<'a, 'f> {
    diagnostics: &'a mut Diagnostics<'f>,
    env: &'a dyn Fn(&str) -> Option<String>,
}

fn read(
    file: &SourceFile,
    env: &dyn Fn(&str) -> Option<String>,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<Config> {
    let root = match parse_toml(file.text()) {
        Ok(root) => root,
        Err(error) => {
            diagnostics.error(error.span.start, "", error.message);
            return None;
        }
    };
    let mut cx = Ctx { diagnostics, env };
    let mut top = ObjectReader::open(&root, "", cx.diagnostics)?;
    let base = file
        .path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let schemes_dir = top
        .string("schemes", cx.diagnostics)
        .map(|dir| base.join(dir.value))
        .unwrap_or_else(|| base.join("schemes"));
    let store = read_store(top.take("store"), &mut cx);
    let connections = read_connections(top.take("connections"), &mut cx);
    let server = read_server(top.take("server"), &mut cx);
    let alerts = read_alerts(top.take("alerts"), &mut cx);
    top.finish(TOP_KEYS, UnknownKeys::Reject, cx.diagnostics);
    Some(Config {
        path: file.path().to_path_buf(),
        schemes_dir,
        store: store?,
        connections,
        server: server?,
        alerts,
    })
}

/// Interpolates `${ENV}` in a string node; reports where a reference fails.
fn resolve(
    cx: &mut Ctx<'_, '_>,
    node: &Spanned<String>,
    path: &str,
    content_start: usize,
) -> Option<String> {
    match interpolate(&node.value, cx.env) {
        Ok(value) => Some(value),
        Err(error) => {
            cx.diagnostics
                .error(content_start + error.offset, path, error.message)
                .hint(error.hint);
            None
        }
    }
}

fn string_setting(cx: &mut Ctx<'_, '_>, node: &Node, path: &str) -> Option<String> {
    let text = match &node.value {
        NodeValue::String(text) => text.clone(),
        NodeValue::Number(number) => return Some(number.to_string()),
        NodeValue::Bool(flag) => return Some(flag.to_string()),
        _ => {
            let key = path.rsplit('.').next().unwrap_or(path);
            cx.diagnostics.error_at(
                node.span,
                path,
                format!("`{key}` must be a string, found {}", node.type_name()),
            );
            return None;
        }
    };
    let content_start = node.content_start(cx.diagnostics.file());
    resolve(cx, &Spanned::new(text, node.span), path, content_start)
}

fn read_store(node: Option<&Node>, cx: &mut Ctx<'_, '_>) -> Option<StoreConfig> {
    let Some(node) = node else {
        return Some(StoreConfig {
            url: Secret::new("sqlite://ferry.db"),
        });
    };
    let mut table = ObjectReader::open(node, "store", cx.diagnostics)?;
    let url = match table.take("url") {
        Some(url_node) => {
            let url = string_setting(cx, url_node, "store.url")?;
            if !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
            {
                cx.diagnostics
                    .error_at(url_node.span, "store.url", format!("unsupported store URL `{}`", crate::secret::mask_url(&url)))
                    .hint("use `sqlite://PATH` (default `sqlite://ferry.db`) or `postgres://user@host/db`");
            }
            url
        }
        None => "sqlite://ferry.db".to_owned(),
    };
    table.finish(&["url"], UnknownKeys::Reject, cx.diagnostics);
    Some(StoreConfig {
        url: Secret::new(url),
    })
}

fn read_connections(node: Option<&Node>, cx: &mut Ctx<'_, '_>) -> BTreeMap<String, Connection> {
    let mut connections = BTreeMap::new();
    let Some(node) = node else { return connections };
    let Some(entries) = node.as_object() else {
        cx.diagnostics.error_at(
            node.span,
            "connections",
            format!("`connections` must be a table, found {}", node.type_name()),
        );
        return connections;
    };
    for entry in entries {
        if let Some(connection) = read_connection(&entry.key, &entry.value, cx) {
            connections.insert(entry.key.clone(), connection);
        }
    }
    connections
}

fn read_connection(name: &str, node: &Node, cx: &mut Ctx<'_, '_>) -> Option<Connection> {
    let path = format!("connections.{name}");
    let mut table = ObjectReader::open(node, &path, cx.diagnostics)?;
    let platform_name = table.required_string("platform", cx.diagnostics)?;
    let Some(platform) = catalog::platform(&platform_name.value) else {
        cx.diagnostics
            .error_at(
                platform_name.span,
                &format!("{path}.platform"),
                format!("unknown platform `{}`", platform_name.value),
            )
            .hint(choice_hint(
                &platform_name.value,
                &catalog::platform_names(),
            ));
        return None;
    };
    let rate = read_rate(&mut table, platform, &path, cx);
    let timeout_secs = read_seconds(&mut table, "timeout", 30, &path, cx);
    let max_retries = match table.take("max_retries") {
        Some(node) => match &node.value {
            NodeValue::Number(number) if number.as_u64().is_some_and(|n| n <= 100) => {
                number.as_u64().unwrap_or(5) as u32
            }
            _ => {
                cx.diagnostics.error_at(
                    node.span,
                    &format!("{path}.max_retries"),
                    "`max_retries` must be a whole number from 0 to 100",
                );
                5
            }
        },
        None => 5,
    };
    let settings = read_settings(&mut table, platform, &path, cx);
    let known: Vec<&str> = CONNECTION_COMMON
        .iter()
        .copied()
        .chain(platform.settings.iter().map(|s| s.name))
        .collect();
    table.finish(&known, UnknownKeys::Reject, cx.diagnostics);
    Some(Connection {
        name: name.to_owned(),
        platform,
        settings,
        rate,
        timeout_secs,
        max_retries,
        span: node.span,
    })
}

fn read_settings(
    table: &mut ObjectReader<'_>,
    platform: &PlatformInfo,
    path: &str,
    cx: &mut Ctx<'_, '_>,
) -> BTreeMap<String, SettingValue> {
    let mut settings = BTreeMap::new();
    for info in platform.settings {
        let key_path = format!("{path}.{}", info.name);
        let value = match table.take(info.name) {
            Some(node) => string_setting(cx, node, &key_path),
            None => {
                if info.required {
                    cx.diagnostics
                        .error_at(
                            table.span(),
                            &key_path,
                            format!(
                                "connection `{}` is missing `{}`",
                                path.trim_start_matches("connections."),
                                info.name
                            ),
                        )
                        .hint(format!(
                            "platform `{}` needs: {}",
                            platform.name,
                            crate::diag::list_choices(
                                platform
                                    .settings
                                    .iter()
                                    .filter(|s| s.required)
                                    .map(|s| s.name)
                            )
                        ));
                }
                info.default.map(str::to_owned)
            }
        };
        if let Some(value) = value {
            let value = if info.secret {
                SettingValue::Secret(Secret::new(value))
            } else {
                SettingValue::Plain(value)
            };
            settings.insert(info.name.to_owned(), value);
        }
    }
    settings
}

fn read_rate(
    table: &mut ObjectReader<'_>,
    platform: &PlatformInfo,
    path: &str,
    cx: &mut Ctx<'_, '_>,
) -> Option<Rate> {
    match table.string("rate", cx.diagnostics) {
        Some(text) => match Rate::parse(&text.value) {
            Ok(rate) => Some(rate),
            Err(message) => {
                cx.diagnostics
                    .error_at(text.span, &format!("{path}.rate"), message)
                    .hint("write e.g. `5/s`, `300/min` or `1000/h`");
                None
            }
        },
        None => platform
            .default_rate
            .and_then(|rate| Rate::parse(rate).ok()),
    }
}

fn read_seconds(
    table: &mut ObjectReader<'_>,
    key: &str,
    default: i64,
    path: &str,
    cx: &mut Ctx<'_, '_>,
) -> u64 {
    let Some(text) = table.string(key, cx.diagnostics) else {
        return default as u64;
    };
    match parse_duration(&text.value) {
        Ok(seconds) if seconds > 0 => seconds as u64,
        Ok(_) => {
            cx.diagnostics.error_at(
                text.span,
                &format!("{path}.{key}"),
                format!("`{key}` must be longer than zero"),
            );
            default as u64
        }
        Err(message) => {
            cx.diagnostics
                .error_at(text.span, &format!("{path}.{key}"), message)
                .hint("write e.g. `30s`, `10m`, `1h 30m`, `7d`");
            default as u64
        }
    }
}

fn read_server(node: Option<&Node>, cx: &mut Ctx<'_, '_>) -> Option<ServerConfig> {
    let default_listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080));
    let Some(node) = node else {
        return Some(ServerConfig {
            listen: default_listen,
            token: None,
        });
    };
    let mut table = ObjectReader::open(node, "server", cx.diagnostics)?;
    let listen = match table.string("listen", cx.diagnostics) {
        Some(text) => match text.value.parse::<SocketAddr>() {
            Ok(addr) => addr,
            Err(_) => {
                cx.diagnostics
                    .error_at(
                        text.span,
                        "server.listen",
                        format!("`{}` is not an address", text.value),
                    )
                    .hint("write `IP:PORT`, e.g. `127.0.0.1:8080` or `0.0.0.0:8080`");
                default_listen
            }
        },
        None => default_listen,
    };
    let token = table
        .take("token")
        .and_then(|node| string_setting(cx, node, "server.token"))
        .map(Secret::new);
    if !listen.ip().is_loopback() && token.as_ref().is_none_or(Secret::is_empty) {
        cx.diagnostics
            .error_at(
                table.span(),
                "server.token",
                format!(
                    "`server.listen` is `{listen}`, which is not loopback, but no `token` is set"
                ),
            )
            .hint("set `token = \"${FERRY_TOKEN}\"`: the API and console require it off loopback");
    }
    table.finish(&["listen", "token"], UnknownKeys::Reject, cx.diagnostics);
    Some(ServerConfig { listen, token })
}

fn read_alerts(node: Option<&Node>, cx: &mut Ctx<'_, '_>) -> Vec<AlertConfig> {
    let Some(node) = node else { return Vec::new() };
    let Some(items) = node.as_array() else {
        cx.diagnostics.error_at(
            node.span,
            "alerts",
            format!(
                "`alerts` must be an array of tables (`[[alerts]]`), found {}",
                node.type_name()
            ),
        );
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| read_alert(item, &format!("alerts[{index}]"), cx))
        .collect()
}

fn read_alert(node: &Node, path: &str, cx: &mut Ctx<'_, '_>) -> Option<AlertConfig> {
    let mut table = ObjectReader::open(node, path, cx.diagnostics)?;
    let kind_text = table.required_string("kind", cx.diagnostics)?;
    let kind = match kind_text.value.as_str() {
        "dingtalk" => AlertKind::DingTalk,
        "wecom" => AlertKind::WeCom,
        "webhook" => AlertKind::Webhook,
        other => {
            cx.diagnostics
                .error_at(
                    kind_text.span,
                    &format!("{path}.kind"),
                    format!("unknown alert kind `{other}`"),
                )
                .hint(choice_hint(other, &["dingtalk", "wecom", "webhook"]));
            return None;
        }
    };
    let url = table
        .require("url", cx.diagnostics)
        .and_then(|node| string_setting(cx, node, &format!("{path}.url")));
    let secret = table
        .take("secret")
        .and_then(|node| string_setting(cx, node, &format!("{path}.secret")))
        .map(Secret::new);
    let mut on = Vec::new();
    if let Some(events) = table.array("on", cx.diagnostics) {
        for (index, event) in events.iter().enumerate() {
            let event_path = format!("{path}.on[{index}]");
            match event.as_str() {
                Some("run_failed") => on.push(AlertEvent::RunFailed),
                Some("record_failed") => on.push(AlertEvent::RecordFailed),
                Some("checkpoint_lag") => on.push(AlertEvent::CheckpointLag),
                Some(other) => {
                    cx.diagnostics
                        .error_at(
                            event.span,
                            &event_path,
                            format!("unknown alert event `{other}`"),
                        )
                        .hint(choice_hint(other, ALERT_EVENTS));
                }
                None => {
                    cx.diagnostics.error_at(
                        event.span,
                        &event_path,
                        format!("alert events are strings, found {}", event.type_name()),
                    );
                }
            }
        }
    } else {
        on = vec![
            AlertEvent::RunFailed,
            AlertEvent::RecordFailed,
            AlertEvent::CheckpointLag,
        ];
    }
    let checkpoint_lag_secs = read_seconds(&mut table, "checkpoint_lag", 3_600, path, cx) as i64;
    let repeat_after_secs = read_seconds(&mut table, "repeat_after", 3_600, path, cx) as i64;
    table.finish(
        &[
            "kind",
            "url",
            "secret",
            "on",
            "checkpoint_lag",
            "repeat_after",
        ],
        UnknownKeys::Reject,
        cx.diagnostics,
    );
    Some(AlertConfig {
        kind,
        url: Secret::new(url?),
        secret,
        on,
        checkpoint_lag_secs,
        repeat_after_secs,
    })
}
