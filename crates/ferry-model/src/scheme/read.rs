//! Reads a scheme file into a [`Scheme`]: top-level keys, then each half, then the checks
//! that need the config or other schemes ([`super::check`]).

use std::path::Path;

use super::adapter::{read_source, read_target};
use super::sync::read_sync;
use super::{SCHEME_VERSION, Scheme};
use crate::config::Config;
use crate::diag::{Diagnostics, Issue, Severity};
use crate::doc::{NodeValue, SourceFile, parse_json};
use crate::reader::{ObjectReader, Spanned, UnknownKeys};

const TOP_KEYS: &[&str] = &[
    "version",
    "name",
    "id",
    "description",
    "schedule",
    "sync",
    "source",
    "target",
];

/// What a scheme is checked against besides its own text.
#[derive(Debug, Clone, Copy, Default)]
pub struct SchemeContext<'a> {
    /// The loaded `ferry.toml`: connections must exist there and match the API's platform.
    /// Without it, connection checks are skipped.
    pub config: Option<&'a Config>,
    /// Names and ids of all schemes, for `_mongoQuery` / `_findCollection` collections.
    /// Without it, collection checks are skipped.
    pub collections: Option<&'a [String]>,
}

/// Parses and checks a scheme file. Returns the scheme (with warnings inside) or every issue
/// found, errors and warnings in file order.
pub fn load_scheme(file: &SourceFile, context: &SchemeContext<'_>) -> Result<Scheme, Vec<Issue>> {
    let mut diagnostics = Diagnostics::new(file);
    let scheme = read(file, context, &mut diagnostics);
    match scheme {
        Some(mut scheme) if !diagnostics.has_errors() => {
            scheme.warnings = diagnostics.into_issues();
            Ok(scheme)
        }
        _ => {
            let mut issues = diagnostics.into_issues();
            issues
                .sort_by_key(|issue| (issue.line, issue.col, issue.severity == Severity::Warning));
            Err(issues)
        }
    }
}

fn read(
    file: &SourceFile,
    context: &SchemeContext<'_>,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<Scheme> {
    let root = match parse_json(file.text()) {
        Ok(root) => root,
        Err(error) => {
            diagnostics
                .error(error.span.start, "", error.message)
                .hint("fix the JSON syntax first; nothing else was checked");
            return None;
        }
    };
    let mut top = ObjectReader::open(&root, "", diagnostics)?;
    let version = match top.take("version") {
        None => SCHEME_VERSION,
        Some(node) => match &node.value {
            NodeValue::Number(number) if number.as_u64() == Some(u64::from(SCHEME_VERSION)) => {
                SCHEME_VERSION
            }
            _ => {
                diagnostics
                    .error_at(
                        node.span,
                        "version",
                        format!("unsupported scheme version {}", node.to_json()),
                    )
                    .hint(format!("this ferry reads version {SCHEME_VERSION}"));
                SCHEME_VERSION
            }
        },
    };
    let name = match top.string("name", diagnostics) {
        Some(name) if name.value.trim().is_empty() => {
            diagnostics.error_at(name.span, "name", "`name` is empty");
            None
        }
        Some(name) => Some(name.value),
        None => file_stem(file.path()),
    };
    let id = top.string("id", diagnostics).map(|id| id.value);
    let description = top
        .string("description", diagnostics)
        .map(|text| text.value);
    let schedule = top.string("schedule", diagnostics);
    if let Some(schedule) = &schedule {
        check_cron(schedule, "schedule", diagnostics);
    }
    let sync_node = top.take("sync");
    let source_node = top.require("source", diagnostics);
    let target_node = top.require("target", diagnostics);
    let extras = top.finish(TOP_KEYS, UnknownKeys::Keep, diagnostics);

    let source = source_node.and_then(|node| read_source(node, diagnostics));
    let target = target_node.and_then(|node| read_target(node, diagnostics));
    let sync = read_sync(sync_node, diagnostics);
    let (source, target, mut sync) = (source?, target?, sync?);
    super::check::check(&source, &target, &mut sync, context, diagnostics);
    Some(Scheme {
        version,
        name: name?,
        id,
        description,
        schedule,
        sync,
        source,
        target,
        extras,
        warnings: Vec::new(),
    })
}

fn file_stem(path: &Path) -> Option<String> {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
}

/// Reports a cron expression that does not parse.
pub(super) fn check_cron(cron: &Spanned<String>, path: &str, diagnostics: &mut Diagnostics<'_>) {
    if let Err(error) = croner::parser::CronParser::new().parse(&cron.value) {
        diagnostics
            .error_at(cron.span, path, format!("`{}` is not a valid cron expression: {}", cron.value, crate::doc::lowercase_first(&error.to_string())))
            .hint("five fields `min hour day month weekday` or six with seconds first, e.g. `*/5 * * * *` or `0 */5 * * * *`");
    }
}
