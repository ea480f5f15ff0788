//! A 2500-row batch of hostile values (quotes, backslashes, SQL injection text, emoji, Chinese,
//! NULL, decimals as strings, 60 kB texts, JSON objects) is written in one `write` and reads
//! back byte-exact from MariaDB, PostgreSQL and SQLite.

mod sql_common;

use ferry_platforms::Target;
use serde_json::{Value, json};
use sql_common::{Backend, HOSTILE, Kind, TestDb, as_text, long_text, row, unique_name};

const COLUMNS: [&str; 6] = ["id", "name", "price", "qty", "note", "extra"];
const ROWS: usize = 2500;

fn values(index: usize) -> Vec<(&'static str, Value)> {
    let hostile = |offset: usize| json!(HOSTILE[(index * 7 + offset) % HOSTILE.len()]);
    let name = if index % 13 == 5 {
        Value::Null
    } else {
        json!(HOSTILE[index % HOSTILE.len()])
    };
    let price = if index % 11 == 3 {
        Value::Null
    } else {
        json!(["199.00", "0.10", "-3.50", "12345.67"][index % 4])
    };
    let qty = match index % 3 {
        0 => json!(index),
        1 => json!(index.is_multiple_of(2)),
        _ => Value::Null,
    };
    let note = if index % 100 == 7 {
        json!(long_text(index))
    } else {
        hostile(3)
    };
    let extra = match index % 5 {
        0 => json!({"名": HOSTILE[index % HOSTILE.len()], "n": index, "a": [1, "x", null]}),
        1 => json!([index, "😀", {"k": "it's"}]),
        _ => Value::Null,
    };
    vec![
        ("id", json!(format!("k{index:05}"))),
        ("name", name),
        ("price", price),
        ("qty", qty),
        ("note", note),
        ("extra", extra),
    ]
}

async fn hostile_values_round_trip(backend: Backend) {
    let db = TestDb::new(backend).await;
    let table = unique_name("roundtrip");
    db.create_table(
        &table,
        &[
            ("id", Kind::Key),
            ("name", Kind::Name),
            ("price", Kind::Money),
            ("qty", Kind::Int),
            ("note", Kind::Text),
            ("extra", Kind::Text),
        ],
    )
    .await;
    let target = db
        .target(
            &format!("REPLACE INTO {table}({}) VALUES", COLUMNS.join(",")),
            Some("id"),
        )
        .await;
    let rows: Vec<_> = (0..ROWS)
        .map(|index| row(&format!("r{index}"), values(index)))
        .collect();

    let outcomes = target.write(&rows).await.unwrap();

    sql_common::assert_all_written(&outcomes, ROWS);
    let expected: Vec<Vec<Option<String>>> = (0..ROWS)
        .map(|index| {
            values(index)
                .iter()
                .map(|(_, value)| as_text(value))
                .collect()
        })
        .collect();
    let actual = db.read(&table, &COLUMNS, "id").await;
    sql_common::assert_rows_eq(&actual, &expected);
    // The injection text is data: the table it names is untouched and ours is still there.
    assert_eq!(actual.len(), ROWS);
    target.close().await;
    db.drop_table(&table).await;
}

#[tokio::test]
async fn mysql_hostile_values_round_trip() {
    hostile_values_round_trip(Backend::MySql).await;
}

#[tokio::test]
async fn postgresql_hostile_values_round_trip() {
    hostile_values_round_trip(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_hostile_values_round_trip() {
    hostile_values_round_trip(Backend::Sqlite).await;
}
