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

fn conditions(value: Value) -> CompiledConditions {
    let groups: Vec<Vec<Condition>> = serde_json::from_value(value).unwrap();
    Condition::compile(&groups).unwrap()
}

fn keeps(compiled: &CompiledConditions, fields: Value) -> bool {
    let record = record(fields);
    let vars = RunVars::default();
    compiled.matches(&RecordScope::new(&record, &vars))
}

#[test]
fn seed_notlike_filters_labels() {
    let compiled = conditions(json!([[
        {"field": "labels", "logic": "notlike", "value": "线上发货"},
        {"field": "shop_name", "logic": "neq", "value": "头条放心购"}
    ]]));
    assert!(keeps(
        &compiled,
        json!({"labels": "加急", "shop_name": "天猫"})
    ));
    assert!(!keeps(
        &compiled,
        json!({"labels": "加急,线上发货", "shop_name": "天猫"})
    ));
    assert!(!keeps(
        &compiled,
        json!({"labels": "", "shop_name": "头条放心购"})
    ));
    assert!(keeps(&compiled, json!({"shop_name": "天猫"})));
    assert!(keeps(
        &compiled,
        json!({"labels": ["加急"], "shop_name": "天猫"})
    ));
    assert!(!keeps(
        &compiled,
        json!({"labels": ["加急", "线上发货"], "shop_name": "天猫"})
    ));
}

#[test]
fn groups_are_or_of_and() {
    let compiled = conditions(json!([
        [
            {"field": "io_id", "logic": "eq", "value": "816403"},
            {"field": "items.name", "logic": "like", "value": "活动"}
        ],
        [{"field": "io_id", "logic": "like", "value": "512"}]
    ]));
    assert!(keeps(
        &compiled,
        json!({"io_id": 816403, "items": [{"name": "双11活动"}]})
    ));
    assert!(!keeps(
        &compiled,
        json!({"io_id": 816403, "items": [{"name": "常规"}]})
    ));
    assert!(keeps(&compiled, json!({"io_id": 5120, "items": []})));
    assert!(!keeps(&compiled, json!({"io_id": 1})));
}

#[test]
fn empty_conditions_keep_everything() {
    let none = Condition::compile(&[]).unwrap();
    assert!(none.is_empty());
    assert!(keeps(&none, json!({})));
    let empty_group = Condition::compile(&[vec![]]).unwrap();
    assert!(!empty_group.is_empty());
    assert!(keeps(&empty_group, json!({})));
}

#[test]
fn in_and_notin_take_lists_or_comma_text() {
    let compiled =
        conditions(json!([[{"field": "shop_no", "logic": "in", "value": "005, 006,007"}]]));
    assert!(keeps(&compiled, json!({"shop_no": "006"})));
    assert!(!keeps(&compiled, json!({"shop_no": "008"})));
    let compiled = conditions(json!([[{"field": "status", "logic": "notin", "value": [1, 2]}]]));
    assert!(keeps(&compiled, json!({"status": 3})));
    assert!(!keeps(&compiled, json!({"status": "2"})));
    assert!(keeps(&compiled, json!({})));
}

#[test]
fn comparisons_and_between() {
    let compiled = conditions(json!([[
        {"field": "amount", "logic": "between", "value": "1000,50000"},
        {"field": "modified", "logic": "egt", "value": "2024-03-01 00:00:00"},
        {"field": "modified", "logic": "lt", "value": "timestamp:1711900800"}
    ]]));
    assert!(keeps(
        &compiled,
        json!({"amount": "1000.00", "modified": "2024-03-14 16:00:00"})
    ));
    assert!(!keeps(
        &compiled,
        json!({"amount": 999, "modified": "2024-03-14 16:00:00"})
    ));
    assert!(!keeps(
        &compiled,
        json!({"amount": 2000, "modified": "2024-02-29 23:59:59"})
    ));
    assert!(!keeps(
        &compiled,
        json!({"amount": 2000, "modified": "2024-04-01 00:00:00"})
    ));
}

#[test]
fn timestamps_use_the_scope_time_zone() {
    let compiled =
        conditions(json!([[{"field": "t", "logic": "gte", "value": "timestamp:1710403200"}]]));
    // 2024-03-14 16:00:00 in Shanghai is 1710403200.
    assert!(keeps(&compiled, json!({"t": "2024-03-14 16:00:00"})));
    assert!(!keeps(&compiled, json!({"t": "2024-03-14 15:59:59"})));
}

#[test]
fn null_and_notnull() {
    let compiled = conditions(json!([[{"field": "remark", "logic": "notnull"}]]));
    assert!(keeps(&compiled, json!({"remark": "x"})));
    assert!(!keeps(&compiled, json!({"remark": ""})));
    assert!(!keeps(&compiled, json!({"remark": null})));
    assert!(!keeps(&compiled, json!({})));
    let compiled = conditions(json!([[{"field": "remark", "logic": "isnull"}]]));
    assert!(keeps(&compiled, json!({})));
    assert!(keeps(&compiled, json!({"remark": []})));
    assert!(!keeps(&compiled, json!({"remark": 0})));
}

#[test]
fn strict_mode_needs_every_element() {
    let lenient =
        conditions(json!([[{"field": "items.warehouse", "logic": "like", "value": "MT"}]]));
    let strict = conditions(
        json!([[{"field": "items.warehouse", "logic": "like", "value": "MT", "strictMode": true}]]),
    );
    let mixed = json!({"items": [{"warehouse": "CK0001"}, {"warehouse": "MT0003"}]});
    let all = json!({"items": [{"warehouse": "MT0001"}, {"warehouse": "MT0003"}]});
    assert!(keeps(&lenient, mixed.clone()));
    assert!(!keeps(&strict, mixed));
    assert!(keeps(&strict, all));
}

#[test]
fn fields_resolve_like_placeholders() {
    let compiled = conditions(json!([[{"field": "items.name", "logic": "eq", "value": "A"}]]));
    assert!(keeps(&compiled, json!({"items_name": "A"})));
    let compiled =
        conditions(json!([[{"field": "receiver.city", "logic": "eq", "value": "杭州"}]]));
    assert!(keeps(&compiled, json!({"Receiver": {"city": "杭州"}})));
}

#[test]
fn compile_errors_name_the_entry() {
    let groups = vec![
        vec![Condition::new("a", "eq", json!(1))],
        vec![Condition::new("a", "lik", json!("x"))],
    ];
    let error = Condition::compile(&groups).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Unknown);
    assert!(
        error
            .message
            .starts_with("unknown logic `lik` (available: `eq`, `neq`, `in`,")
    );
    assert!(
        error.message.ends_with("`notnull`) in `condition[1][0]`"),
        "{}",
        error.message
    );
    assert_eq!(error.hint.as_deref(), Some("did you mean `like`?"));

    let between = Condition::new("a", "between", json!("1"))
        .compile_one()
        .unwrap_err();
    assert_eq!(
        between.message,
        "`between` needs two values, as `\"100,500\"` or `[100, 500]`, got \"1\""
    );
    let eq_list = Condition::new("a", "eq", json!([1]))
        .compile_one()
        .unwrap_err();
    assert_eq!(eq_list.message, "`eq` needs a single value, got [1]");
    assert_eq!(
        Condition::new(" ", "eq", json!(1))
            .compile_one()
            .unwrap_err()
            .message,
        "empty `field`"
    );
}

#[test]
fn serde_round_trip_keeps_strict_mode() {
    let condition: Condition = serde_json::from_value(
        json!({"field": "f", "logic": "like", "value": "x", "strictMode": true}),
    )
    .unwrap();
    assert!(condition.strict_mode);
    assert_eq!(
        serde_json::to_value(&condition).unwrap()["strictMode"],
        json!(true)
    );
    let plain: Condition =
        serde_json::from_value(json!({"field": "f", "logic": "notnull"})).unwrap();
    assert_eq!(plain, Condition::new("f", "notnull", Value::Null));
    assert_eq!(
        serde_json::to_value(&plain).unwrap(),
        json!({"field": "f", "logic": "notnull"})
    );
}

#[test]
fn accessors() {
    let compiled = Condition::new("f", "elt", json!(3)).compile_one().unwrap();
    assert_eq!((compiled.field(), compiled.logic()), ("f", Logic::Lte));
}
