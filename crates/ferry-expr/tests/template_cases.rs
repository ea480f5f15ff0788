//! Golden cases for templates: `tests/cases/template_cases.json`.
//!
//! Each case gives a record (default `{}`), run variables (defaults below), a `template` text
//! or a `constant` value, optionally a `ledger` (collection → stored records) for lookups, and
//! either the `expect`ed rendered value or the expected `error` (`kind`, and optionally
//! `message`, `offset`, `hint`). Every failing case is reported, not only the first.

use ferry_expr::lookup::{LookupResolver, ResolvedLookup};
use ferry_expr::template::Template;
use ferry_expr::{ErrorKind, ExprError, Record, RecordScope, RunVars};
use serde::Deserialize;
use serde_json::{Map, Value};

const CASES: &str = include_str!("cases/template_cases.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    record: Record,
    #[serde(default)]
    vars: Vars,
    template: Option<String>,
    constant: Option<Value>,
    ledger: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "present")]
    expect: Option<Value>,
    error: Option<ExpectedError>,
}

/// Distinguishes `"expect": null` (expect null) from a missing `expect`.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Vars {
    last_sync_time: i64,
    current_time: i64,
    now: i64,
    timezone: String,
    start_page: i64,
    page_size: i64,
    page: Option<i64>,
}

impl Default for Vars {
    fn default() -> Self {
        Vars {
            last_sync_time: 1_710_403_200, // 2024-03-14 16:00:00 Asia/Shanghai
            current_time: 1_710_406_800,   // 2024-03-14 17:00:00
            now: 1_710_410_000,            // 2024-03-14 17:53:20
            timezone: "Asia/Shanghai".to_owned(),
            start_page: 1,
            page_size: 100,
            page: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedError {
    kind: String,
    message: Option<String>,
    offset: Option<usize>,
    hint: Option<String>,
}

/// A ledger in memory: the first stored record that matches wins.
struct Ledger<'a>(&'a Map<String, Value>);

impl LookupResolver for Ledger<'_> {
    fn resolve(&self, query: &ResolvedLookup) -> Result<Value, ExprError> {
        let documents = self.0.get(&query.collection).and_then(Value::as_array);
        let found = documents
            .into_iter()
            .flatten()
            .find(|document| query.filter.matches(document))
            .and_then(|document| query.project(document));
        found.map(|value| value.into_owned()).ok_or_else(|| {
            ExprError::new(
                ErrorKind::Lookup,
                format!("no record in `{}` matches", query.collection),
            )
        })
    }
}

fn run(case: &Case) -> Result<Value, ExprError> {
    let timezone =
        jiff::tz::TimeZone::get(&case.vars.timezone).expect("case time zone should exist");
    let vars = RunVars::new(
        case.vars.last_sync_time,
        case.vars.current_time,
        case.vars.now,
    )
    .with_timezone(timezone)
    .with_pagination(case.vars.start_page, case.vars.page_size);
    let vars = match case.vars.page {
        Some(page) => vars.with_page(page),
        None => vars,
    };
    let template = match (&case.template, &case.constant) {
        (Some(text), None) => Template::parse(text)?,
        (None, Some(value)) => Template::constant(value.clone()),
        _ => panic!(
            "case `{}` needs exactly one of `template` and `constant`",
            case.name
        ),
    };
    let scope = RecordScope::new(&case.record, &vars);
    match &case.ledger {
        Some(ledger) => template.render_with(&scope, &Ledger(ledger)),
        None => template.render(&scope),
    }
}

fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Syntax => "syntax",
        ErrorKind::Unknown => "unknown",
        ErrorKind::Type => "type",
        ErrorKind::Missing => "missing",
        ErrorKind::Lookup => "lookup",
    }
}

fn check(case: &Case) -> Result<(), String> {
    let outcome = run(case);
    match (&case.expect, &case.error, outcome) {
        (Some(expected), None, Ok(actual)) if *expected == actual => Ok(()),
        (Some(expected), None, actual) => Err(format!("expected {expected}, got {actual:?}")),
        (None, Some(expected), Err(error)) => {
            let mut problems = Vec::new();
            if expected.kind != kind_name(error.kind) {
                problems.push(format!("kind {:?}", error.kind));
            }
            if expected
                .message
                .as_ref()
                .is_some_and(|message| *message != error.message)
            {
                problems.push(format!("message {:?}", error.message));
            }
            if expected
                .offset
                .is_some_and(|offset| Some(offset) != error.offset)
            {
                problems.push(format!("offset {:?}", error.offset));
            }
            if expected.hint.is_some() && expected.hint != error.hint {
                problems.push(format!("hint {:?}", error.hint));
            }
            match problems.is_empty() {
                true => Ok(()),
                false => Err(format!(
                    "expected {expected:?}, got {}",
                    problems.join(", ")
                )),
            }
        }
        (None, Some(expected), Ok(actual)) => {
            Err(format!("expected error {expected:?}, got {actual}"))
        }
        _ => Err("a case needs exactly one of `expect` and `error`".to_owned()),
    }
}

#[test]
fn template_golden_cases() {
    let cases: Vec<Case> = serde_json::from_str(CASES).expect("template_cases.json should parse");
    assert!(cases.len() >= 50, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            check(case)
                .err()
                .map(|problem| format!("{}: {problem}", case.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
