//! Logging of the `ferry` binary: `tracing` events to stderr, as text or JSON lines.
//!
//! Contract: the level comes from `FERRY_LOG` (an `EnvFilter`: `debug`, `ferry_engine=trace`,
//! ...); without it `ferry serve` logs at `info` and every other command at `warn`, so command
//! output stays clean. `--log-format json` (or `FERRY_LOG_FORMAT=json`) writes one JSON object
//! per event, for log shippers. Text is colored only on a terminal (and not with `NO_COLOR`).
//! An invalid `FERRY_LOG` is reported once and the default used.
//! What is logged never includes secrets: the engine logs no settings or payloads, and
//! [`ferry_model::Secret`] prints as `***`.

use std::io::IsTerminal as _;

use clap::ValueEnum;
use tracing_subscriber::EnvFilter;

/// How log events are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Installs the global subscriber; `default_level` applies when `FERRY_LOG` is unset.
pub fn init(format: LogFormat, default_level: &str) {
    let (filter, invalid) = match std::env::var("FERRY_LOG") {
        Ok(text) if !text.trim().is_empty() => match EnvFilter::try_new(&text) {
            Ok(filter) => (filter, None),
            Err(error) => (EnvFilter::new(default_level), Some((text, error))),
        },
        _ => (EnvFilter::new(default_level), None),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none());
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    if installed.is_ok()
        && let Some((text, error)) = invalid
    {
        tracing::warn!(
            "FERRY_LOG=`{text}` is not a valid filter ({error}); logging at `{default_level}`"
        );
    }
}
