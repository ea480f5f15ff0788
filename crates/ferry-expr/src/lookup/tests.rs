use serde_json::json;

use super::*;
use crate::Record;
use crate::scope::{RecordScope, RunVars};
use crate::template::ReferenceKind;

const SEED_000: &str = r#"_mongoQuery 73f95f22-03a2-3f8a-aa21-4c08c541daf4 findField=id where={"content.77213":{"$eq":"{onlineTradeNo}"}}"#;

fn record(value: Value) -> Record {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("test records are objects"),
    }
}

fn resolve(lookup: &Lookup, fields: Value) -> Result<ResolvedLookup, ExprError> {
    let record = record(fields);
    let vars = RunVars::default();
    lookup.resolve(&RecordScope::new(&record, &vars))
}

#[test]
fn parses_and_resolves_the_seed_lookup() {
    let lookup = Lookup::parse(SEED_000).unwrap();
    assert_eq!(lookup.form(), LookupForm::MongoQuery);
    assert_eq!(lookup.collection(), "73f95f22-03a2-3f8a-aa21-4c08c541daf4");
    assert_eq!(lookup.find_field(), "id");
    let references = lookup.references();
    assert_eq!(references.len(), 1);
    assert_eq!(references[0].name, "onlineTradeNo");
    assert_eq!(references[0].kind, ReferenceKind::Field);
    assert_eq!(
        &SEED_000[references[0].offset..references[0].offset + 15],
        "{onlineTradeNo}"
    );

    let resolved = resolve(&lookup, json!({"OnlineTradeNo": "JY2024"})).unwrap();
    assert_eq!(resolved.collection, "73f95f22-03a2-3f8a-aa21-4c08c541daf4");
    assert_eq!(resolved.find_field, "id");
    assert_eq!(
        resolved.filter.equalities(),
        vec![("content.77213", &json!("JY2024"))]
    );
    let task = json!({"id": 901, "content": {"77213": "JY2024"}});
    assert!(resolved.filter.matches(&task));
    assert_eq!(resolved.project(&task).unwrap().into_owned(), json!(901));
    assert!(
        !resolved
            .filter
            .matches(&json!({"id": 902, "content": {"77213": "JY2025"}}))
    );
}

#[test]
fn mongo_options_come_in_any_order() {
    let lookup = Lookup::parse(
        r#"_mongoQuery orders where={"a": {"$in": ["{x}", "y"]}}  findField=content.b"#,
    )
    .unwrap();
    assert_eq!(lookup.find_field(), "content.b");
    let resolved = resolve(&lookup, json!({"x": 5})).unwrap();
    assert!(resolved.filter.matches(&json!({"a": "5"})));
    assert!(resolved.filter.matches(&json!({"a": "y"})));
    assert!(!resolved.filter.matches(&json!({"a": 5})));
    assert_eq!(
        resolved
            .project(&json!({"content": {"b": [1]}}))
            .unwrap()
            .into_owned(),
        json!([1])
    );
}

#[test]
fn mongo_syntax_errors_have_offsets() {
    let cases: &[(&str, &str, usize)] = &[
        (
            "_mongoQuery",
            "missing collection: write `_mongoQuery <collection> findField=<path> where=<json>`",
            11,
        ),
        (
            "_mongoQuery c where={}",
            "missing `findField=`: write `_mongoQuery <collection> findField=<path> where=<json>`",
            22,
        ),
        (
            "_mongoQuery c findField=id",
            "missing `where=`: write `_mongoQuery <collection> findField=<path> where=<json>`",
            26,
        ),
        (
            "_mongoQuery c findField= where={}",
            "`findField=` needs a field path",
            14,
        ),
        (
            "_mongoQuery c findField=id findField=x where={}",
            "`findField=` given twice",
            27,
        ),
        (
            "_mongoQuery c findField=id limit=1",
            "unexpected `limit=1`: expected `findField=` or `where=`",
            27,
        ),
        (
            "_mongoQuery c findField=id where=",
            "`where=` needs a JSON object",
            33,
        ),
    ];
    for (text, message, offset) in cases {
        let error = Lookup::parse(text).unwrap_err();
        assert_eq!(
            (error.message.as_str(), error.offset),
            (*message, Some(*offset)),
            "{text}"
        );
        assert_eq!(error.kind, ErrorKind::Syntax);
    }
}

#[test]
fn invalid_where_json_points_into_it() {
    let text = r#"_mongoQuery c findField=id where={"a": {"$eq": 1,}}"#;
    let error = Lookup::parse(text).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Syntax);
    assert!(
        error
            .message
            .starts_with("invalid `where` JSON: trailing comma"),
        "{}",
        error.message
    );
    assert_eq!(error.offset, Some(text.find(",}").unwrap() + 1));

    let unknown =
        Lookup::parse(r#"_mongoQuery c findField=id where={"a": {"$regx": 1}}"#).unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::Unknown);
    assert_eq!(unknown.offset, Some(33));
    assert!(
        unknown
            .message
            .starts_with("unknown operator `$regx` (available: `$eq`, ")
    );
}

#[test]
fn parses_find_collection() {
    let text = concat!(
        "_findCollection find FPOOrderEntry_FEntryId from 8e620793-bebb-3167-95a4-9030368e5262",
        " where FBillNo={{outer_no}} FMaterialId_FNumber={{details_list.goods_no}} FSeq=1"
    );
    let lookup = Lookup::parse(text).unwrap();
    assert_eq!(lookup.form(), LookupForm::FindCollection);
    assert_eq!(lookup.collection(), "8e620793-bebb-3167-95a4-9030368e5262");
    assert_eq!(lookup.find_field(), "FPOOrderEntry_FEntryId");
    let names: Vec<(String, usize)> = lookup
        .references()
        .into_iter()
        .map(|r| (r.name, r.offset))
        .collect();
    assert_eq!(
        names,
        vec![
            ("outer_no".to_owned(), text.find("{{outer_no}}").unwrap()),
            (
                "details_list.goods_no".to_owned(),
                text.find("{{details_list").unwrap()
            ),
        ]
    );
    let resolved = resolve(
        &lookup,
        json!({"outer_no": "PO-1", "details_list_goods_no": "G1"}),
    )
    .unwrap();
    assert_eq!(
        resolved.filter.equalities(),
        vec![
            ("FBillNo", &json!("PO-1")),
            ("FMaterialId_FNumber", &json!("G1")),
            ("FSeq", &json!("1"))
        ]
    );

    let missing = resolve(&lookup, json!({"outer_no": "PO-1"})).unwrap_err();
    assert_eq!(missing.kind, ErrorKind::Missing);
    assert_eq!(missing.offset, Some(text.find("{{details_list").unwrap()));
}

#[test]
fn find_collection_keeps_types_and_accepts_end_marker() {
    let lookup =
        Lookup::parse("_findCollection find FID from s where FBillNo={{no}} _endFind").unwrap();
    let resolved = resolve(&lookup, json!({"no": 17})).unwrap();
    assert_eq!(resolved.filter.equalities(), vec![("FBillNo", &json!(17))]);
}

#[test]
fn find_collection_syntax_errors() {
    let cases: &[(&str, &str, usize)] = &[
        (
            "_findCollection get FID from s where a=1",
            "expected `find`, found `get`",
            16,
        ),
        ("_findCollection find", "missing the field to find", 20),
        (
            "_findCollection find FID in s where a=1",
            "expected `from`, found `in`",
            25,
        ),
        ("_findCollection find FID from s", "missing `where`", 31),
        (
            "_findCollection find FID from s where",
            "missing conditions after `where`",
            37,
        ),
        (
            "_findCollection find FID from s where a",
            "expected `field=value`, found `a`",
            38,
        ),
        (
            "_findCollection find FID from s where =1",
            "missing field name before `=` in `=1`",
            38,
        ),
    ];
    for (text, message, offset) in cases {
        let error = Lookup::parse(text).unwrap_err();
        assert!(
            error.message.starts_with(message),
            "{text}: {}",
            error.message
        );
        assert_eq!(error.offset, Some(*offset), "{text}");
    }
    let filter_error =
        Lookup::parse("_findCollection find F from s where a={{x|dat}}").unwrap_err();
    assert_eq!(
        (filter_error.kind, filter_error.offset),
        (ErrorKind::Unknown, Some(42))
    );
}
