//! `ferry plan SCHEME [--from T] [--to T]`: the windows a run would fetch and the first
//! request of each, rendered exactly as the run would render it, with secrets masked.

use ferry_engine::request::render_fields;
use ferry_engine::windows::{RangeStart, Window, run_range, split};
use ferry_expr::{RecordScope, RunVars};
use ferry_model::config::Connection;
use ferry_model::units::{format_duration, format_time, parse_time};
use serde_json::{Value, json};

use crate::cli::{GlobalArgs, PlanArgs};
use crate::exit::{CommandResult, Exit};
use crate::{load, output};

/// First-run start when the scheme sets no `sync.start`: one day back.
const DEFAULT_FIRST_RUN_SECS: i64 = 86_400;

pub fn run(global: &GlobalArgs, args: &PlanArgs) -> CommandResult {
    let (config, scheme) = load::config_and_scheme(global.config.as_deref(), &args.scheme)?;
    let timezone = scheme.sync.timezone.clone();
    let parse = |flag: &str, text: &str| {
        parse_time(text, &timezone)
            .map_err(|message| Exit::BadInput(format!("error: --{flag}: {message}")))
    };
    let explicit_from = args
        .from
        .as_deref()
        .map(|text| parse("from", text))
        .transpose()?;
    let explicit_to = args
        .to
        .as_deref()
        .map(|text| parse("to", text))
        .transpose()?;
    let now = jiff::Timestamp::now().as_second();
    let checkpoint = match explicit_from {
        Some(_) => None,
        None => crate::session::read_checkpoint(&config, &scheme.name)?,
    };
    let start = match (explicit_from, checkpoint) {
        (Some(from), _) => RangeStart::Explicit(from),
        (None, Some(position)) => RangeStart::Checkpoint(position),
        (None, None) => {
            RangeStart::First(scheme.sync.start.unwrap_or(now - DEFAULT_FIRST_RUN_SECS))
        }
    };
    let range = run_range(
        start,
        explicit_to,
        now,
        scheme.sync.lag_secs,
        scheme.sync.overlap_secs,
    );
    let source = &config.connections[&scheme.source.adapter.connection.value];
    let target = &config.connections[&scheme.target.adapter.connection.value];
    let api = source.platform.api(&scheme.source.adapter.api.value);
    let first_page = api.map_or(1, |api| api.first_page);
    let page_size = scheme
        .sync
        .page_size
        .unwrap_or_else(|| api.map_or(100, |api| api.page_size.0));

    let total = split(range, scheme.sync.max_span_secs).count();
    let mut windows = Vec::new();
    for window in split(range, scheme.sync.max_span_secs).take(args.limit) {
        let vars = RunVars::new(window.from, window.to, now)
            .with_timezone(timezone.clone())
            .with_pagination(first_page, i64::from(page_size))
            .with_page(first_page);
        let scope = RecordScope::without_record(&vars);
        let request = render_fields(&scheme.source.adapter.request, &scope).map_err(|error| {
            Exit::BadInput(format!(
                "error: {}: source.request: {error}",
                args.scheme.display()
            ))
        })?;
        windows.push((window, request));
    }

    if global.json {
        let report = json!({
            "scheme": scheme.name,
            "file": args.scheme.display().to_string(),
            "source": connection_json(source, &scheme.source.adapter.api.value),
            "target": connection_json(target, &scheme.target.adapter.api.value),
            "timezone": scheme.sync.timezone_name,
            "range": window_json(&range, &timezone),
            "checkpoint": checkpoint.map(|position| format_time(position, &timezone)),
            "max_span": format_duration(scheme.sync.max_span_secs),
            "windows_total": total,
            "windows": windows.iter().map(|(window, request)| {
                let mut entry = window_json(window, &timezone);
                entry["request"] = Value::Object(request.clone());
                entry
            }).collect::<Vec<_>>(),
        });
        output::line(serde_json::to_string_pretty(&report).unwrap_or_default());
        return Ok(());
    }
    output::line(format!(
        "scheme    {} ({})",
        scheme.name,
        args.scheme.display()
    ));
    output::line(format!(
        "source    {}",
        describe_connection(source, &scheme.source.adapter.api.value)
    ));
    output::line(format!(
        "target    {}",
        describe_connection(target, &scheme.target.adapter.api.value)
    ));
    output::line(format!(
        "range     {} .. {} ({}), windows of at most {}",
        format_time(range.from, &timezone),
        format_time(range.to, &timezone),
        scheme.sync.timezone_name,
        format_duration(scheme.sync.max_span_secs)
    ));
    if let Some(position) = checkpoint {
        output::line(format!(
            "checkpoint {} (the range starts {} before it)",
            format_time(position, &timezone),
            format_duration(scheme.sync.overlap_secs)
        ));
    }
    output::line(format!("windows   {total}"));
    for (index, (window, request)) in windows.iter().enumerate() {
        output::line(format!(
            "  {:>3}  {} .. {}  ({})",
            index + 1,
            format_time(window.from, &timezone),
            format_time(window.to, &timezone),
            format_duration(window.span())
        ));
        output::line(format!(
            "       {}",
            serde_json::to_string(request).unwrap_or_default()
        ));
    }
    if total > windows.len() {
        output::line(format!(
            "  … {} more (raise --limit to see them)",
            total - windows.len()
        ));
    }
    Ok(())
}

fn window_json(window: &Window, timezone: &jiff::tz::TimeZone) -> Value {
    json!({
        "from": format_time(window.from, timezone),
        "to": format_time(window.to, timezone),
        "from_unix": window.from,
        "to_unix": window.to,
    })
}

fn connection_json(connection: &Connection, api: &str) -> Value {
    let settings: serde_json::Map<String, Value> = connection
        .settings
        .iter()
        .map(|(key, value)| (key.clone(), Value::String(value.display())))
        .collect();
    json!({"connection": connection.name, "platform": connection.platform.name, "api": api, "settings": settings})
}

fn describe_connection(connection: &Connection, api: &str) -> String {
    let settings: Vec<String> = connection
        .settings
        .iter()
        .map(|(key, value)| format!("{key}={}", value.display()))
        .collect();
    format!(
        "{} ({}) {api}  {}",
        connection.name,
        connection.platform.name,
        settings.join(" ")
    )
}
