use serde_json::json;

use super::*;
use crate::Record;
use crate::scope::{RecordScope, RunVars};

fn record(value: Value) -> Record {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("test records are objects"),
    }
}

fn vars() -> RunVars {
    RunVars::new(1_710_403_200, 1_710_406_800, 1_710_410_000)
        .with_pagination(0, 40)
        .with_page(2)
}

fn render(text: &str, fields: Value) -> Result<Value, ExprError> {
    let record = record(fields);
    let vars = vars();
    Template::parse(text)?.render(&RecordScope::new(&record, &vars))
}

#[test]
fn lone_placeholders_keep_their_type() {
    let fields = json!({"n": 7, "z": null, "o": {"a": 1}, "s": "x", "f": 1.5});
    assert_eq!(render("{n}", fields.clone()).unwrap(), json!(7));
    assert_eq!(render("{{n}}", fields.clone()).unwrap(), json!(7));
    assert_eq!(render("{z}", fields.clone()).unwrap(), Value::Null);
    assert_eq!(render("{o}", fields.clone()).unwrap(), json!({"a": 1}));
    assert_eq!(render("{f}", fields.clone()).unwrap(), json!(1.5));
    assert_eq!(
        render("{PAGINATION_START_PAGE}", fields.clone()).unwrap(),
        json!(0)
    );
    assert_eq!(
        render("{PAGINATION_PAGE_SIZE}", fields.clone()).unwrap(),
        json!(40)
    );
    assert_eq!(render("{PAGINATION_PAGE}", fields).unwrap(), json!(2));
}

#[test]
fn mixed_text_renders_strings() {
    let fields = json!({"o_id": 12, "items_oi_id": 3, "z": null, "b": true, "o": {"a": [1]}});
    assert_eq!(
        render("{o_id}-{items_oi_id}", fields.clone()).unwrap(),
        json!("12-3")
    );
    assert_eq!(render("[{z}]", fields.clone()).unwrap(), json!("[]"));
    assert_eq!(
        render("{b}/{o}", fields.clone()).unwrap(),
        json!("true/{\"a\":[1]}")
    );
    assert_eq!(
        render("{\"k\": {o_id}}", fields).unwrap(),
        json!("{\"k\": 12}")
    );
}

#[test]
fn variables_and_filters() {
    let empty = json!({});
    assert_eq!(
        render("{{LAST_SYNC_TIME|datetime}}", empty.clone()).unwrap(),
        json!("2024-03-14 16:00:00")
    );
    assert_eq!(
        render("{{CURRENT_TIME|date}}", empty.clone()).unwrap(),
        json!("2024-03-14")
    );
    assert_eq!(
        render("{{CURRENT_TIME}}", empty.clone()).unwrap(),
        json!(1_710_406_800)
    );
    assert_eq!(
        render("{{CURRENT_TIME|timestamp_ms}}", empty.clone()).unwrap(),
        json!(1_710_406_800_000_i64)
    );
    assert_eq!(
        render("{{DAYS_AGO_1|datetime}}", empty.clone()).unwrap(),
        json!("2024-03-13 17:53:20")
    );
    assert_eq!(
        render(
            "{{LAST_SYNC_TIME|datetime}}~{{CURRENT_TIME|datetime}}",
            empty
        )
        .unwrap(),
        json!("2024-03-14 16:00:00~2024-03-14 17:00:00")
    );
    let fields = json!({"created": "2024-03-14 16:00:00"});
    assert_eq!(
        render("{{created|timestamp}}", fields).unwrap(),
        json!(1_710_403_200)
    );
}

#[test]
fn time_zone_comes_from_the_scope() {
    let record = Record::new();
    let vars = vars().with_timezone(jiff::tz::TimeZone::UTC);
    let template = Template::parse("{{LAST_SYNC_TIME|datetime}}").unwrap();
    let rendered = template.render(&RecordScope::new(&record, &vars)).unwrap();
    assert_eq!(rendered, json!("2024-03-14 08:00:00"));
}

#[test]
fn missing_names_are_errors_at_their_offset() {
    let error = render("id-{o_id}", json!({})).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Missing);
    assert_eq!(error.message, "no field or variable `o_id`");
    assert_eq!(error.offset, Some(3));
    let typo = render("{{LAST_SYNC_TIM}}", json!({})).unwrap_err();
    assert_eq!(
        typo.hint.as_deref(),
        Some("did you mean the run variable `LAST_SYNC_TIME`?")
    );
    let days = render("{{DAYS_AGO_X}}", json!({})).unwrap_err();
    assert!(days.hint.unwrap().starts_with("write `DAYS_AGO_<days>`"));
}

#[test]
fn filter_errors_carry_the_placeholder_offset() {
    let error = render("at {{s|datetime}}", json!({"s": "soon"})).unwrap_err();
    assert_eq!((error.kind, error.offset), (ErrorKind::Type, Some(3)));
}

#[test]
fn constants() {
    let number = Template::constant(json!(78534));
    assert!(number.is_constant());
    assert_eq!(number.text(), "78534");
    let vars = vars();
    let scope = RecordScope::without_record(&vars);
    assert_eq!(number.render(&scope).unwrap(), json!(78534));
    let text = Template::parse("REPLACE INTO t(a) VALUES").unwrap();
    assert!(text.is_constant());
    assert!(text.references().is_empty());
    assert_eq!(
        text.render(&scope).unwrap(),
        json!("REPLACE INTO t(a) VALUES")
    );
    let literal_json = Template::parse("{\"a\":1}").unwrap();
    assert!(literal_json.is_constant());
    assert_eq!(
        Template::parse("").unwrap().render(&scope).unwrap(),
        json!("")
    );
    assert_eq!(
        Template::constant(json!("{x}")).render(&scope).unwrap(),
        json!("{x}")
    );
}

#[test]
fn references_report_kind_offset_and_filter() {
    let template = Template::parse("{o_id}:{{LAST_SYNC_TIME|datetime}}:{{a.b}}").unwrap();
    assert!(!template.is_constant());
    assert_eq!(
        template.references(),
        vec![
            Reference {
                name: "o_id".into(),
                offset: 0,
                kind: ReferenceKind::Field,
                filter: None
            },
            Reference {
                name: "LAST_SYNC_TIME".into(),
                offset: 7,
                kind: ReferenceKind::Variable,
                filter: Some("datetime"),
            },
            Reference {
                name: "a.b".into(),
                offset: 35,
                kind: ReferenceKind::Field,
                filter: None
            },
        ]
    );
}

#[test]
fn render_text_always_gives_text() {
    let record = record(json!({"n": 7, "z": null}));
    let vars = vars();
    let scope = RecordScope::new(&record, &vars);
    assert_eq!(
        Template::parse("{n}").unwrap().render_text(&scope).unwrap(),
        "7"
    );
    assert_eq!(
        Template::parse("{z}").unwrap().render_text(&scope).unwrap(),
        ""
    );
    assert_eq!(
        Template::constant(json!(1.5)).render_text(&scope).unwrap(),
        "1.5"
    );
}

#[test]
fn keyword_prefixes_need_whitespace() {
    assert_eq!(keyword_end("_function now()", "_function"), Some(10));
    assert_eq!(keyword_end("_function\t now()", "_function"), Some(11));
    assert_eq!(keyword_end("_functionx", "_function"), None);
    assert_eq!(keyword_end("_function", "_function"), None);
    let literal = Template::parse("_functional text").unwrap();
    assert!(literal.is_constant());
}

struct Ledger;

impl LookupResolver for Ledger {
    fn resolve(&self, query: &ResolvedLookup) -> Result<Value, ExprError> {
        let tasks = [
            json!({"id": 901, "content": {"77213": "JY1"}}),
            json!({"id": 902, "content": {"77213": "JY2"}}),
        ];
        let found = tasks.iter().find(|task| query.filter.matches(task));
        match found.and_then(|task| query.project(task)) {
            Some(value) => Ok(value.into_owned()),
            None => Err(ExprError::new(
                ErrorKind::Lookup,
                format!("no record in `{}` matches", query.collection),
            )),
        }
    }
}

#[test]
fn lookups_render_through_a_resolver() {
    let template = Template::parse(
        r#"_mongoQuery tasks findField=id where={"content.77213":{"$eq":"{onlineTradeNo}"}}"#,
    )
    .unwrap();
    assert!(template.is_lookup());
    assert_eq!(template.lookup().unwrap().collection(), "tasks");
    assert_eq!(template.references()[0].name, "onlineTradeNo");
    let record = record(json!({"OnlineTradeNo": "JY2"}));
    let vars = vars();
    let scope = RecordScope::new(&record, &vars);
    assert_eq!(template.render_with(&scope, &Ledger).unwrap(), json!(902));

    let error = template.render(&scope).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Lookup);
    assert_eq!(error.message, "lookups need the ledger");

    let miss = record_lookup(&template, json!({"onlineTradeNo": "JY9"})).unwrap_err();
    assert_eq!(miss.message, "no record in `tasks` matches");
}

fn record_lookup(template: &Template, fields: Value) -> Result<Value, ExprError> {
    let record = record(fields);
    let vars = vars();
    template.render_with(&RecordScope::new(&record, &vars), &Ledger)
}

#[test]
fn non_lookup_templates_ignore_the_resolver() {
    assert_eq!(
        record_lookup(&Template::parse("{a}").unwrap(), json!({"a": 1})).unwrap(),
        json!(1)
    );
}

#[test]
fn function_placeholders_are_shifted_into_the_template() {
    let text = "_function concat('{a}','-',{{LAST_SYNC_TIME}})";
    let template = Template::parse(text).unwrap();
    assert!(!template.is_constant());
    let found: Vec<(String, usize, ReferenceKind)> = template
        .references()
        .into_iter()
        .map(|reference| (reference.name, reference.offset, reference.kind))
        .collect();
    assert_eq!(
        found,
        vec![
            ("a".to_owned(), 18, ReferenceKind::Field),
            ("LAST_SYNC_TIME".to_owned(), 27, ReferenceKind::Variable),
        ]
    );
    assert_eq!(&text[18..21], "{a}");
}

#[test]
fn function_errors_point_into_the_template() {
    let text = "_function concat('{a}', {nope})";
    let error = render(text, json!({"a": "x"})).unwrap_err();
    assert_eq!((error.kind, error.offset), (ErrorKind::Missing, Some(24)));
    assert_eq!(
        render("_function concat('{a}','-')", json!({"a": "x"})).unwrap(),
        json!("x-")
    );
}
