//! Checks of the expression-language blocks: `ferry-eval` (a template rendered against a
//! record and the run variables), `ferry-condition` (records kept or dropped), `ferry-parser`
//! (value in, value out), `ferry-flatten` (`beatFlat`) and `ferry-map` (a target `request`
//! rendered by the engine's own field renderer).
//!
//! Run variables default to the window `[2024-01-01 00:00:00, 2024-01-02 00:00:00)` in
//! `Asia/Shanghai`, "now" `2024-01-02 00:30:00`, page 1 of 100 counting from 1; a `vars:`
//! section overrides any of `LAST_SYNC_TIME`, `CURRENT_TIME`, `now`, `timezone`,
//! `PAGINATION_START_PAGE`, `PAGINATION_PAGE_SIZE`, `PAGINATION_PAGE`.

use ferry_engine::request::render_fields_with;
use ferry_expr::condition::Condition;
use ferry_expr::convert::Parser;
use ferry_expr::flatten::flatten;
use ferry_expr::lookup::{LookupResolver, ResolvedLookup};
use ferry_expr::template::Template;
use ferry_expr::{ErrorKind, ExprError, Record, RecordScope, RunVars};
use ferry_model::Config;
use serde_json::{Value, json};

use super::{Block, json, load_scheme};

/// 2024-01-01 00:00:00 in Asia/Shanghai.
pub const WINDOW_START: i64 = 1_704_038_400;
/// 2024-01-02 00:00:00 in Asia/Shanghai.
pub const WINDOW_END: i64 = 1_704_124_800;
/// 2024-01-02 00:30:00 in Asia/Shanghai.
pub const NOW: i64 = 1_704_126_600;

/// The run variables of a block: the defaults, overridden by its `vars:` section.
fn run_vars(block: &Block, sections: &[(String, String)]) -> RunVars {
    let mut vars = RunVars::new(WINDOW_START, WINDOW_END, NOW).with_pagination(1, 100);
    let Some((_, text)) = sections.iter().find(|(key, _)| key == "vars") else {
        return vars;
    };
    let Value::Object(map) = json(block, text) else {
        panic!("{}: `vars:` must be a JSON object", block.at());
    };
    for (name, value) in map {
        let number = value.as_i64();
        match (name.as_str(), number) {
            ("LAST_SYNC_TIME", Some(n)) => vars.last_sync_time = n,
            ("CURRENT_TIME", Some(n)) => vars.current_time = n,
            ("now", Some(n)) => vars.now = n,
            ("PAGINATION_START_PAGE", Some(n)) => vars.start_page = n,
            ("PAGINATION_PAGE_SIZE", Some(n)) => vars.page_size = n,
            ("PAGINATION_PAGE", Some(n)) => vars.page = n,
            ("timezone", _) => {
                let zone = value.as_str().unwrap_or_default();
                vars.timezone = jiff::tz::TimeZone::get(zone)
                    .unwrap_or_else(|_| panic!("{}: unknown time zone `{zone}`", block.at()));
            }
            _ => panic!("{}: unknown or non-integer var `{name}`", block.at()),
        }
    }
    vars
}

fn record_of(block: &Block, text: &str) -> Record {
    match json(block, text) {
        Value::Object(map) => map,
        other => panic!(
            "{}: a record must be a JSON object, found {other}",
            block.at()
        ),
    }
}

/// The ledger of a block's `ledger:` section: collection name → stored records.
struct Ledger(serde_json::Map<String, Value>);

impl LookupResolver for Ledger {
    fn resolve(&self, query: &ResolvedLookup) -> Result<Value, ExprError> {
        let records = self
            .0
            .get(&query.collection)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        records
            .iter()
            .filter(|record| query.filter.matches(record))
            .find_map(|record| query.project(record).map(|value| value.into_owned()))
            .ok_or_else(|| {
                ExprError::new(
                    ErrorKind::Lookup,
                    format!("no record of `{}` matches", query.collection),
                )
            })
    }
}

fn ledger(block: &Block, sections: &[(String, String)]) -> Ledger {
    match sections.iter().find(|(key, _)| key == "ledger") {
        Some((_, text)) => match json(block, text) {
            Value::Object(map) => Ledger(map),
            _ => panic!("{}: `ledger:` must map collections to arrays", block.at()),
        },
        None => Ledger(serde_json::Map::new()),
    }
}

/// Compares a result with the block's `=` or `error:` section.
fn expect(block: &Block, sections: &[(String, String)], result: Result<Value, String>) {
    let expected = sections
        .iter()
        .rev()
        .find(|(key, _)| key == "=" || key == "error")
        .unwrap_or_else(|| panic!("{}: no `=` or `error:` line: nothing to check", block.at()));
    match (expected.0.as_str(), result) {
        ("=", Ok(actual)) => assert_eq!(
            actual,
            json(block, &expected.1),
            "{}: got `= {actual}`",
            block.at()
        ),
        ("error", Err(actual)) => assert_eq!(actual, expected.1, "{}", block.at()),
        (_, Ok(actual)) => panic!("{}: expected an error, got `= {actual}`", block.at()),
        (_, Err(actual)) => panic!("{}: got `error: {actual}`", block.at()),
    }
}

/// `ferry-eval`: head = template text (lines joined by a space).
pub fn check_eval(block: &Block) {
    let (head, sections) = block.sections();
    let text = head.replace('\n', " ");
    let vars = run_vars(block, &sections);
    let ledger = ledger(block, &sections);
    let record = sections
        .iter()
        .find(|(key, _)| key == "record")
        .map(|(_, text)| record_of(block, text));
    let result = Template::parse(&text).and_then(|template| match &record {
        Some(record) => {
            template.render_with(&RecordScope::new(record, &vars).absent_as_null(), &ledger)
        }
        None => template.render_with(&RecordScope::without_record(&vars), &ledger),
    });
    expect(block, &sections, result.map_err(|error| error.message));
}

/// `ferry-condition`: head = the `condition` JSON; `kept:` / `dropped:` records.
pub fn check_condition(block: &Block) {
    let (head, sections) = block.sections();
    let groups: Vec<Vec<Condition>> = serde_json::from_value(json(block, &head))
        .unwrap_or_else(|error| panic!("{}: not a condition: {error}", block.at()));
    let compiled = Condition::compile(&groups)
        .unwrap_or_else(|error| panic!("{}: {}", block.at(), error.message));
    let vars = run_vars(block, &sections);
    let mut checked = 0;
    for (key, text) in &sections {
        let kept = match key.as_str() {
            "kept" => true,
            "dropped" => false,
            _ => continue,
        };
        let record = record_of(block, text);
        let actual = compiled.matches(&RecordScope::new(&record, &vars));
        assert_eq!(actual, kept, "{}: record {text}", block.at());
        checked += 1;
    }
    assert!(checked > 0, "{}: no `kept:`/`dropped:` record", block.at());
}

/// `ferry-parser`: head = the `parser` JSON; pairs of `in:` and `=` / `error:`.
pub fn check_parser(block: &Block) {
    let (head, sections) = block.sections();
    let parser = Parser::compile(&json(block, &head))
        .unwrap_or_else(|error| panic!("{}: {}", block.at(), error.message));
    let mut pairs = 0;
    for pair in sections.windows(2) {
        if pair[0].0 != "in" {
            continue;
        }
        let result = parser
            .apply(json(block, &pair[0].1))
            .map_err(|error| error.message);
        expect(block, &pair[1..], result);
        pairs += 1;
    }
    assert!(pairs > 0, "{}: no `in:` value", block.at());
}

/// `ferry-flatten`: head = the `beatFlat` JSON; `record:`; `=` the records.
pub fn check_flatten(block: &Block) {
    let (head, sections) = block.sections();
    let fields: Vec<String> = serde_json::from_value(json(block, &head))
        .unwrap_or_else(|error| panic!("{}: `beatFlat` list: {error}", block.at()));
    let (_, text) = sections
        .iter()
        .find(|(key, _)| key == "record")
        .unwrap_or_else(|| panic!("{}: no `record:`", block.at()));
    let records: Vec<Value> = flatten(&record_of(block, text), &fields)
        .into_iter()
        .map(Value::Object)
        .collect();
    expect(block, &sections, Ok(Value::Array(records)));
}

/// `ferry-map`: head = a target `request` list, loaded inside a scheme writing to the ledger
/// (so it is validated like any scheme) and rendered per record by the engine.
pub fn check_map(block: &Block, config: &Config, collections: &[String]) {
    let (head, sections) = block.sections();
    let request = json(block, &head);
    let scheme = json!({
        "name": "docs-map",
        "source": {"connection": "jst", "api": "jushuitan.order.list.query", "effect": "QUERY"},
        "target": {"connection": "ledger", "api": "写入空操作", "effect": "EXECUTE",
                   "request": request},
    });
    let scheme = load_scheme(block, &scheme.to_string(), config, collections);
    let vars = run_vars(block, &sections);
    let ledger = ledger(block, &sections);
    let record = sections
        .iter()
        .find(|(key, _)| key == "record")
        .map(|(_, text)| record_of(block, text))
        .unwrap_or_default();
    let scope = RecordScope::new(&record, &vars).absent_as_null();
    let result = render_fields_with(&scheme.target.adapter.request, &scope, &ledger)
        .map(Value::Object)
        .map_err(|error| error.to_string());
    expect(block, &sections, result);
}
