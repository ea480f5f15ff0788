//! Lookup conformance: `find_record` over the latest payloads of a scheme.

use ferry_store::{LookupCondition, LookupOp};
use serde_json::{Value, json};

use crate::fixtures::fetched_with;
use crate::harness::Harness;

/// Banniu tasks as seed 000 expects them: `{"id": <task id>, "content": {"<column id>": value}}`.
fn task(id: i64, order_no: &str, amount: Value) -> Value {
    json!({ "id": id, "content": { "77213": order_no, "amount": amount, "店铺": "天猫旗舰店" } })
}

pub async fn find_by_nested_path(h: &Harness) {
    let store = h.store.as_ref();
    let tasks = vec![
        fetched_with("t1", 1, task(1, "XS-001", json!(10))),
        fetched_with("t2", 1, task(2, "XS-002-🚚", json!(20.5))),
        fetched_with("t3", 1, task(3, "XS-003", json!("30"))),
    ];
    store
        .record_fetched("banniu_tasks", &tasks, true)
        .await
        .unwrap();
    let found = store
        .find_record(
            "banniu_tasks",
            &[LookupCondition::eq("content.77213", json!("XS-002-🚚"))],
        )
        .await
        .unwrap();
    assert_eq!(found, Some(task(2, "XS-002-🚚", json!(20.5))));
    // Numbers compare by value; a string "30" is not the number 30.
    let by_amount = |value: Value| vec![LookupCondition::eq("content.amount", value)];
    let found = store
        .find_record("banniu_tasks", &by_amount(json!(10.0)))
        .await
        .unwrap();
    assert_eq!(found.map(|payload| payload["id"].clone()), Some(json!(1)));
    assert_eq!(
        store
            .find_record("banniu_tasks", &by_amount(json!(30)))
            .await
            .unwrap(),
        None
    );
    // All conditions must hold.
    let both = vec![
        LookupCondition::eq("content.店铺", json!("天猫旗舰店")),
        LookupCondition::eq("id", json!(3)),
    ];
    let found = store.find_record("banniu_tasks", &both).await.unwrap();
    assert_eq!(
        found.map(|payload| payload["content"]["77213"].clone()),
        Some(json!("XS-003"))
    );
    // Misses: no such value, no such path, no such scheme.
    let miss = vec![LookupCondition::eq("content.77213", json!("XS-404"))];
    assert_eq!(
        store.find_record("banniu_tasks", &miss).await.unwrap(),
        None
    );
    let no_path = vec![LookupCondition::eq("content.99999", json!("XS-001"))];
    assert_eq!(
        store.find_record("banniu_tasks", &no_path).await.unwrap(),
        None
    );
    let in_other = vec![LookupCondition::eq("content.77213", json!("XS-001"))];
    assert_eq!(
        store.find_record("jst_orders", &in_other).await.unwrap(),
        None
    );
}

pub async fn find_with_operators_and_latest_version(h: &Harness) {
    let store = h.store.as_ref();
    store
        .record_fetched(
            "tasks",
            &[fetched_with("t1", 1, task(1, "A", json!(5)))],
            true,
        )
        .await
        .unwrap();
    h.advance(1);
    store
        .record_fetched(
            "tasks",
            &[fetched_with("t2", 1, task(2, "A", json!(50)))],
            true,
        )
        .await
        .unwrap();
    // Several match: the most recently fetched wins.
    let by_order = vec![LookupCondition::eq("content.77213", json!("A"))];
    let found = store.find_record("tasks", &by_order).await.unwrap();
    assert_eq!(found.map(|payload| payload["id"].clone()), Some(json!(2)));
    // The lookup sees the latest payload of a key, not the first.
    h.advance(1);
    store
        .record_fetched(
            "tasks",
            &[fetched_with("t1", 2, task(1, "B", json!(5)))],
            true,
        )
        .await
        .unwrap();
    let found = store
        .find_record("tasks", &[LookupCondition::eq("content.77213", json!("B"))])
        .await
        .unwrap();
    assert_eq!(found.map(|payload| payload["id"].clone()), Some(json!(1)));
    let ops = |op: LookupOp| vec![LookupCondition::new("content.amount", op)];
    let id_of = |found: Option<Value>| found.map(|payload| payload["id"].clone());
    assert_eq!(
        id_of(
            store
                .find_record("tasks", &ops(LookupOp::Lt(json!(10))))
                .await
                .unwrap()
        ),
        Some(json!(1))
    );
    assert_eq!(
        id_of(
            store
                .find_record("tasks", &ops(LookupOp::Gte(json!(50))))
                .await
                .unwrap()
        ),
        Some(json!(2))
    );
    assert_eq!(
        store
            .find_record("tasks", &ops(LookupOp::Gt(json!(50))))
            .await
            .unwrap(),
        None
    );
    let in_set = ops(LookupOp::In(vec![json!(5), json!(7)]));
    assert_eq!(
        id_of(store.find_record("tasks", &in_set).await.unwrap()),
        Some(json!(1))
    );
    let not_in = ops(LookupOp::Nin(vec![json!(50)]));
    assert_eq!(
        id_of(store.find_record("tasks", &not_in).await.unwrap()),
        Some(json!(1))
    );
    let missing = vec![LookupCondition::new(
        "content.note",
        LookupOp::Exists(false),
    )];
    assert_eq!(
        id_of(store.find_record("tasks", &missing).await.unwrap()),
        Some(json!(1))
    );
    assert_eq!(
        id_of(store.find_record("tasks", &[]).await.unwrap()),
        Some(json!(1))
    );
}
