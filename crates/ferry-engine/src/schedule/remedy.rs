//! Remedy runs (`source.omissionRemedy`): a second schedule that re-pulls an older range, to
//! catch records the platform indexed too late for the normal runs (and their `overlap`).
//!
//! Semantics:
//! - The `takeOverRequest` fields are rendered once, with the variables a normal run at the
//!   same moment would see (`LAST_SYNC_TIME` = checkpoint − overlap, `CURRENT_TIME` = now −
//!   lag, `now()` = the run's now), in the scheme's `sync.timezone`.
//! - A field named like a source `request` field whose template uses `LAST_SYNC_TIME` gives
//!   the run's start (`from`); one named like a field using `CURRENT_TIME` gives its end
//!   (`to`, default now − lag). A rendered number is unix seconds; text is a time in the
//!   scheme's zone (`YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD`, or RFC 3339). Without a `from`
//!   field the run starts where a normal run would.
//! - The range is then cut into windows no wider than `sync.max_span`, as for any run, and
//!   each window's request renders the source's own time fields for that window.
//! - Every other `takeOverRequest` field replaces the source request field of the same name
//!   (or is added) in every window's request.
//! - A remedy run stores and writes like any run: with `idCheck`, records that did not change
//!   are skipped. It moves the checkpoint only forward and only when its windows reach past
//!   it without a gap (the engine's rule), never backwards.

use std::sync::Arc;

use ferry_expr::{RecordScope, RunVars};
use ferry_model::Scheme;
use ferry_model::scheme::RequestField;
use serde_json::Value;

use crate::request::render_fields;
use crate::windows::{RangeStart, run_range};

/// What a remedy run fetches.
#[derive(Debug, Clone)]
pub struct RemedyPlan {
    /// The scheme with the non-time overrides applied to its source request.
    pub scheme: Arc<Scheme>,
    /// The run's start (`--from`), when `takeOverRequest` overrides the start field.
    pub from: Option<i64>,
    /// The run's end (`--to`), when it overrides the end field.
    pub to: Option<i64>,
}

/// Plans a remedy run of `scheme` at `now` with the scheme's current `checkpoint`. Fails when
/// the scheme has no `omissionRemedy`, or a time field does not render to a time.
pub fn plan(scheme: &Arc<Scheme>, checkpoint: Option<i64>, now: i64) -> Result<RemedyPlan, String> {
    let remedy = scheme
        .source
        .omission_remedy
        .as_ref()
        .ok_or_else(|| format!("scheme `{}` has no `omissionRemedy`", scheme.name))?;
    let sync = &scheme.sync;
    let start = match checkpoint {
        Some(checkpoint) => RangeStart::Checkpoint(checkpoint),
        None => RangeStart::First(sync.start.unwrap_or(now - 86_400)),
    };
    let normal = run_range(start, None, now, sync.lag_secs, sync.overlap_secs);
    let vars = RunVars::new(normal.from, normal.to, now).with_timezone(sync.timezone.clone());
    let rendered = render_fields(
        &remedy.take_over_request,
        &RecordScope::without_record(&vars),
    )
    .map_err(|error| format!("source.omissionRemedy.takeOverRequest: {error}"))?;
    let request = &scheme.source.adapter.request;
    let from_field = field_using(request, "LAST_SYNC_TIME");
    let to_field = field_using(request, "CURRENT_TIME");
    let mut from = None;
    let mut to = None;
    let mut overrides = Vec::new();
    for field in &remedy.take_over_request {
        let name = field.field.as_str();
        let slot = if Some(name) == from_field {
            &mut from
        } else if Some(name) == to_field {
            &mut to
        } else {
            overrides.push(field.clone());
            continue;
        };
        let value = rendered.get(name).unwrap_or(&Value::Null);
        *slot = Some(time_value(value, &sync.timezone).map_err(|message| {
            format!("source.omissionRemedy.takeOverRequest field `{name}`: {message}")
        })?);
    }
    let scheme = if overrides.is_empty() {
        Arc::clone(scheme)
    } else {
        let mut changed = Scheme::clone(scheme);
        let request = &mut changed.source.adapter.request;
        for field in overrides {
            match request.iter_mut().find(|entry| entry.field == field.field) {
                Some(entry) => *entry = field,
                None => request.push(field),
            }
        }
        Arc::new(changed)
    };
    Ok(RemedyPlan { scheme, from, to })
}

/// The name of the first top-level request field whose template uses `variable`.
fn field_using<'r>(request: &'r [RequestField], variable: &str) -> Option<&'r str> {
    request
        .iter()
        .find(|field| {
            field.value.as_ref().is_some_and(|template| {
                template
                    .references()
                    .iter()
                    .any(|reference| reference.name == variable)
            })
        })
        .map(|field| field.field.as_str())
}

/// A rendered time: a number is unix seconds, text a time in `timezone`.
fn time_value(value: &Value, timezone: &jiff::tz::TimeZone) -> Result<i64, String> {
    match value {
        Value::Number(number) => number
            .as_i64()
            .ok_or_else(|| format!("`{number}` is not whole unix seconds")),
        Value::String(text) => match text.trim().parse::<i64>() {
            Ok(seconds) => Ok(seconds),
            Err(_) => ferry_model::units::parse_time(text, timezone),
        },
        other => Err(format!(
            "rendered `{other}`, which is not a time; render `YYYY-MM-DD HH:MM:SS` or unix seconds"
        )),
    }
}
