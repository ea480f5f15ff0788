//! `REPLACE INTO` (MySQL, SQLite) and its PostgreSQL upsert are idempotent per key: writing the
//! same rows twice leaves the same rows, a changed value replaces the old one, and a key that
//! appears twice in one batch ends with the later row's values.

mod sql_common;

use ferry_platforms::{RowOutcome, Target};
use serde_json::{Value, json};
use sql_common::{Backend, Kind, TestDb, as_text, row, unique_name};

const COLUMNS: [&str; 4] = ["id", "name", "price", "qty"];

fn values(index: usize) -> Vec<(&'static str, Value)> {
    vec![
        ("id", json!(format!("k{index:04}"))),
        ("name", json!(format!("商品 {index} it's"))),
        ("price", json!(format!("{}.{:02}", index, index % 100))),
        ("qty", json!(index)),
    ]
}

fn texts(values: &[(&str, Value)]) -> Vec<Option<String>> {
    values.iter().map(|(_, value)| as_text(value)).collect()
}

async fn setup(backend: Backend) -> (TestDb, String) {
    let db = TestDb::new(backend).await;
    let table = unique_name("idem");
    db.create_table(
        &table,
        &[
            ("id", Kind::Key),
            ("name", Kind::Name),
            ("price", Kind::Money),
            ("qty", Kind::Int),
        ],
    )
    .await;
    (db, table)
}

async fn writing_twice_changes_nothing_and_changes_replace(backend: Backend) {
    let (db, table) = setup(backend).await;
    let target = db
        .target(
            &format!("REPLACE INTO {table}(id, name, price, qty) VALUES"),
            Some("id"),
        )
        .await;
    let rows: Vec<_> = (0..300).map(|index| row("r", values(index))).collect();
    let mut expected: Vec<_> = (0..300).map(|index| texts(&values(index))).collect();

    sql_common::assert_all_written(&target.write(&rows).await.unwrap(), 300);
    sql_common::assert_rows_eq(&db.read(&table, &COLUMNS, "id").await, &expected);
    sql_common::assert_all_written(&target.write(&rows).await.unwrap(), 300);
    sql_common::assert_rows_eq(&db.read(&table, &COLUMNS, "id").await, &expected);

    let changed = vec![
        ("id", json!("k0010")),
        ("name", json!("changed 保温杯")),
        ("price", Value::Null),
        ("qty", json!(99)),
    ];
    let added = values(300);
    let outcomes = target
        .write(&[row("c", changed.clone()), row("n", added.clone())])
        .await
        .unwrap();

    sql_common::assert_all_written(&outcomes, 2);
    expected[10] = texts(&changed);
    expected.push(texts(&added));
    sql_common::assert_rows_eq(&db.read(&table, &COLUMNS, "id").await, &expected);
    target.close().await;
    db.drop_table(&table).await;
}

async fn a_key_twice_in_one_batch_keeps_the_later_row(backend: Backend) {
    let (db, table) = setup(backend).await;
    let target = db
        .target(
            &format!("REPLACE INTO {table}(id, name, price, qty) VALUES"),
            Some("id"),
        )
        .await;
    let first = vec![("id", json!("dup")), ("name", json!("first"))];
    let middle = values(1);
    let last = vec![
        ("id", json!("dup")),
        ("name", json!("last")),
        ("qty", json!(2)),
    ];

    let outcomes = target
        .write(&[
            row("a", first),
            row("b", middle.clone()),
            row("c", last.clone()),
        ])
        .await
        .unwrap();

    assert_eq!(outcomes, vec![RowOutcome::Written; 3]);
    let text = |value: &str| Some(value.to_owned());
    // `price` is missing from `last`, so it is NULL: REPLACE overwrites the whole row.
    let expected = vec![
        vec![text("dup"), text("last"), None, text("2")],
        texts(&middle),
    ];
    sql_common::assert_rows_eq(&db.read(&table, &COLUMNS, "id").await, &expected);
    target.close().await;
    db.drop_table(&table).await;
}

#[tokio::test]
async fn mysql_writing_twice_changes_nothing_and_changes_replace() {
    writing_twice_changes_nothing_and_changes_replace(Backend::MySql).await;
}

#[tokio::test]
async fn postgresql_writing_twice_changes_nothing_and_changes_replace() {
    writing_twice_changes_nothing_and_changes_replace(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_writing_twice_changes_nothing_and_changes_replace() {
    writing_twice_changes_nothing_and_changes_replace(Backend::Sqlite).await;
}

#[tokio::test]
async fn mysql_a_key_twice_in_one_batch_keeps_the_later_row() {
    a_key_twice_in_one_batch_keeps_the_later_row(Backend::MySql).await;
}

#[tokio::test]
async fn postgresql_a_key_twice_in_one_batch_keeps_the_later_row() {
    a_key_twice_in_one_batch_keeps_the_later_row(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_a_key_twice_in_one_batch_keeps_the_later_row() {
    a_key_twice_in_one_batch_keeps_the_later_row(Backend::Sqlite).await;
}
