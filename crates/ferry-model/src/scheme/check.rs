//! Checks that need more than one key: connections against `ferry.toml`, the API against the
//! connection's platform, the window span against the API's cap, template references,
//! `main_sql` against the target's fields, lookups against the other schemes.

use ferry_expr::template::Template;

use super::field::FieldSide;
use super::read::SchemeContext;
use super::{Adapter, SourceAdapter, SyncSettings, TargetAdapter};
use crate::catalog::Effect;
use crate::diag::{Diagnostics, choice_hint, did_you_mean, list_choices};
use crate::units::format_duration;

/// Default window span when an API declares no cap.
const FALLBACK_SPAN_SECS: i64 = 86_400;

pub(super) fn check(
    source: &SourceAdapter,
    target: &TargetAdapter,
    sync: &mut SyncSettings,
    context: &SchemeContext<'_>,
    diagnostics: &mut Diagnostics<'_>,
) {
    let cap = check_connection(&source.adapter, "source", context, diagnostics);
    check_connection(&target.adapter, "target", context, diagnostics);
    let cap = cap.unwrap_or(FALLBACK_SPAN_SECS);
    if sync.max_span_secs == 0 {
        sync.max_span_secs = cap;
    } else if sync.max_span_secs > cap {
        diagnostics
            .error_at(
                source.adapter.api.span,
                "sync.max_span",
                format!(
                    "`sync.max_span` is {} but `{}` allows at most {}",
                    format_duration(sync.max_span_secs),
                    source.adapter.api.value,
                    format_duration(cap)
                ),
            )
            .hint(format!(
                "remove `max_span` to use {} or pick a shorter one",
                format_duration(cap)
            ));
    }
    if target.adapter.api.value == "batchexecute" {
        super::sql::check_batchexecute(&target.adapter, diagnostics);
    }
    if let Some(collections) = context.collections {
        check_lookups(&target.adapter, collections, diagnostics);
    }
}

/// Checks the connection and API of one half; returns the API's window cap.
fn check_connection(
    adapter: &Adapter,
    half: &str,
    context: &SchemeContext<'_>,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<i64> {
    let config = context.config?;
    let name = &adapter.connection;
    let Some(connection) = config.connections.get(&name.value) else {
        let names: Vec<&str> = config.connections.keys().map(String::as_str).collect();
        let hint = if names.is_empty() {
            format!(
                "`{}` defines no connections; add `[connections.{}]`",
                config.path.display(),
                name.value
            )
        } else {
            choice_hint(&name.value, &names)
        };
        diagnostics
            .error_at(
                name.span,
                &format!("{half}.connection"),
                format!(
                    "no connection named `{}` in `{}`",
                    name.value,
                    config.path.display()
                ),
            )
            .hint(hint);
        return None;
    };
    let platform = connection.platform;
    let Some(api) = platform.api(&adapter.api.value) else {
        let apis: Vec<&str> = platform.apis.iter().map(|api| api.name).collect();
        diagnostics
            .error_at(
                adapter.api.span,
                &format!("{half}.api"),
                format!(
                    "platform `{}` (connection `{}`) has no API `{}`",
                    platform.name, name.value, adapter.api.value
                ),
            )
            .hint(choice_hint(&adapter.api.value, &apis));
        return None;
    };
    if api.effect != adapter.effect {
        let role = if adapter.effect == Effect::Query {
            "read from (QUERY)"
        } else {
            "written to (EXECUTE)"
        };
        diagnostics
            .error_at(
                adapter.api.span,
                &format!("{half}.api"),
                format!("`{}` cannot be {role}", api.name),
            )
            .hint(format!(
                "APIs of `{}` for the {half}: {}",
                platform.name,
                list_choices(
                    platform
                        .apis
                        .iter()
                        .filter(|other| other.effect == adapter.effect)
                        .map(|other| other.name)
                )
            ));
    }
    api.max_span_secs
}

/// Checks the names a template references for the side it is used on.
pub(super) fn check_references(
    template: &Template,
    content_start: usize,
    path: &str,
    side: FieldSide,
    diagnostics: &mut Diagnostics<'_>,
) {
    let variables = ferry_expr::scope::variable_names();
    for reference in template.references() {
        let name = reference.name.as_str();
        if ferry_expr::scope::is_variable(name) {
            continue;
        }
        let looks_like_variable = name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && name.len() > 2;
        let offset = content_start + reference.offset;
        match side {
            FieldSide::Source | FieldSide::Settings => {
                let hint = match did_you_mean(name, variables.iter().copied()) {
                    Some(close) => format!(
                        "did you mean `{close}`? (variables: {})",
                        list_choices(variables.iter().copied())
                    ),
                    None => format!(
                        "a {} has no record; it can use the run variables {}",
                        describe(side),
                        list_choices(variables.iter().copied())
                    ),
                };
                diagnostics
                    .error(offset, path, format!("`{name}` is not a run variable"))
                    .hint(hint);
            }
            FieldSide::Target if looks_like_variable => {
                if let Some(close) = did_you_mean(name, variables.iter().copied()) {
                    diagnostics
                        .warning(
                            offset,
                            path,
                            format!(
                                "`{name}` is not a run variable, so it is read from the record"
                            ),
                        )
                        .hint(format!("did you mean `{close}`?"));
                }
            }
            FieldSide::Target => {}
        }
    }
}

fn describe(side: FieldSide) -> &'static str {
    match side {
        FieldSide::Source => "source request",
        FieldSide::Settings => "`otherRequest` setting",
        FieldSide::Target => "target request",
    }
}

fn check_lookups(adapter: &Adapter, collections: &[String], diagnostics: &mut Diagnostics<'_>) {
    for (index, field) in adapter.request.iter().enumerate() {
        let Some(template) = &field.value else {
            continue;
        };
        if let Some(lookup) = template.lookup() {
            let collection = lookup.collection();
            if !collections.iter().any(|known| known == collection) {
                let known: Vec<&str> = collections.iter().map(String::as_str).collect();
                diagnostics
                    .error_at(field.span, &format!("target.request[{index}].value"), format!("lookup names the collection `{collection}`, which is no scheme's name or id"))
                    .hint(format!("a lookup reads the ledger of another scheme; known: {}", list_choices(known.iter().copied())));
            }
        }
    }
}
