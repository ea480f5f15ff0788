//! ferry's own `sync` block: first-run start, window span, overlap, lag, time zone.

use super::SyncSettings;
use crate::diag::Diagnostics;
use crate::doc::{Node, NodeValue};
use crate::reader::{ObjectReader, Spanned, UnknownKeys};
use crate::units::{parse_duration, parse_time};

const SYNC_KEYS: &[&str] = &[
    "start",
    "max_span",
    "overlap",
    "lag",
    "timezone",
    "page_size",
];

/// Default overlap: re-read the last 10 minutes of the previous run, for late-indexed records.
pub const DEFAULT_OVERLAP_SECS: i64 = 600;
/// Default lag: stop 1 minute before now.
pub const DEFAULT_LAG_SECS: i64 = 60;
/// Default time zone.
pub const DEFAULT_TIMEZONE: &str = "Asia/Shanghai";

/// Reads `sync` (all keys optional). `max_span_secs` is 0 here when not given; the check
/// against the API's cap fills it in.
pub(super) fn read_sync(
    node: Option<&Node>,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<SyncSettings> {
    let mut settings = SyncSettings {
        start: None,
        max_span_secs: 0,
        overlap_secs: DEFAULT_OVERLAP_SECS,
        lag_secs: DEFAULT_LAG_SECS,
        timezone: jiff::tz::TimeZone::get(DEFAULT_TIMEZONE).ok()?,
        timezone_name: DEFAULT_TIMEZONE.to_owned(),
        page_size: None,
    };
    let Some(node) = node else {
        return Some(settings);
    };
    let mut table = ObjectReader::open(node, "sync", diagnostics)?;
    if let Some(name) = table.string("timezone", diagnostics) {
        match jiff::tz::TimeZone::get(&name.value) {
            Ok(timezone) => {
                settings.timezone = timezone;
                settings.timezone_name = name.value;
            }
            Err(_) => {
                diagnostics
                    .error_at(
                        name.span,
                        "sync.timezone",
                        format!("unknown time zone `{}`", name.value),
                    )
                    .hint("use an IANA name such as `Asia/Shanghai`, `Asia/Hong_Kong` or `UTC`");
            }
        }
    }
    if let Some(start) = table.string("start", diagnostics) {
        match parse_time(&start.value, &settings.timezone) {
            Ok(seconds) => settings.start = Some(seconds),
            Err(message) => {
                diagnostics
                    .error_at(start.span, "sync.start", message)
                    .hint("e.g. `2024-01-01 00:00:00`");
            }
        }
    }
    if let Some(span) = duration(&mut table, "max_span", diagnostics) {
        if span == 0 {
            diagnostics.error_at(
                table.span(),
                "sync.max_span",
                "`max_span` must be longer than zero",
            );
        }
        settings.max_span_secs = span;
    }
    if let Some(overlap) = duration(&mut table, "overlap", diagnostics) {
        settings.overlap_secs = overlap;
    }
    if let Some(lag) = duration(&mut table, "lag", diagnostics) {
        settings.lag_secs = lag;
    }
    if let Some(page_size) = table.take("page_size") {
        match &page_size.value {
            NodeValue::Number(number)
                if number.as_u64().is_some_and(|n| (1..=10_000).contains(&n)) =>
            {
                settings.page_size = number.as_u64().map(|n| n as u32);
            }
            _ => {
                diagnostics.error_at(
                    page_size.span,
                    "sync.page_size",
                    "`page_size` must be a whole number from 1 to 10000",
                );
            }
        }
    }
    table.finish(SYNC_KEYS, UnknownKeys::Reject, diagnostics);
    Some(settings)
}

fn duration(
    table: &mut ObjectReader<'_>,
    key: &str,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<i64> {
    let text: Spanned<String> = table.string(key, diagnostics)?;
    match parse_duration(&text.value) {
        Ok(seconds) => Some(seconds),
        Err(message) => {
            diagnostics
                .error_at(text.span, &format!("sync.{key}"), message)
                .hint("write e.g. `7d`, `10m`, `1h 30m` or `0`");
            None
        }
    }
}
