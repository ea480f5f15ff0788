//! Text parameters land in typed columns: MySQL and SQLite convert them on assignment, and on
//! PostgreSQL (which refuses text for non-text columns) each goes through
//! `CAST($n AS type)` with the type read at connect. A value the type cannot take fails only
//! its row, with the database's message (SQLite's dynamic typing stores it as text).

mod sql_common;

use ferry_platforms::{RowOutcome, Target};
use serde_json::{Value, json};
use sql_common::{Backend, TestDb, row, unique_name};

const COLUMNS: [&str; 8] = ["id", "flag", "meta", "at", "day", "amount", "big", "uid"];

fn ddl(backend: Backend, table: &str) -> String {
    let types = match backend {
        Backend::MySql => [
            "VARCHAR(64) PRIMARY KEY",
            "TINYINT(1)",
            "JSON",
            "DATETIME",
            "DATE",
            "DECIMAL(10,2)",
            "BIGINT",
            "CHAR(36)",
        ],
        Backend::Postgres => [
            "TEXT PRIMARY KEY",
            "BOOLEAN",
            "JSONB",
            "TIMESTAMP",
            "DATE",
            "NUMERIC(10,2)",
            "BIGINT",
            "UUID",
        ],
        Backend::Sqlite => [
            "TEXT PRIMARY KEY",
            "BOOLEAN",
            "TEXT",
            "DATETIME",
            "DATE",
            "TEXT",
            "BIGINT",
            "TEXT",
        ],
    };
    let columns: Vec<String> = COLUMNS
        .iter()
        .zip(types)
        .map(|(name, kind)| format!("{name} {kind}"))
        .collect();
    format!("CREATE TABLE {table} ({})", columns.join(", "))
}

fn values(id: &str, big: Value) -> Vec<(&'static str, Value)> {
    vec![
        ("id", json!(id)),
        ("flag", json!(true)),
        ("meta", json!({"a": 1, "名": "保温杯"})),
        ("at", json!("2024-01-02 03:04:05")),
        ("day", json!("2024-01-02")),
        ("amount", json!("1.50")),
        ("big", big),
        ("uid", json!("0b6f2d0e-8c4a-4d8e-9a57-3d5c1f0e2a11")),
    ]
}

async fn typed_columns_take_text_parameters(backend: Backend) {
    let db = TestDb::new(backend).await;
    let table = unique_name("types");
    db.exec(&ddl(backend, &table)).await;
    let main_sql = format!("REPLACE INTO {table}({}) VALUES", COLUMNS.join(", "));
    let target = db.target(&main_sql, Some("id")).await;
    let rows = [
        row("good", values("a", json!(9_007_199_254_740_993_u64))),
        row("bad", values("b", json!("abc"))),
        row("null", values("c", Value::Null)),
    ];

    let outcomes = target.write(&rows).await.unwrap();

    let bad = match backend {
        Backend::MySql => RowOutcome::Failed {
            error: format!(
                "MySQL error 1366: Incorrect integer value: 'abc' for column \
                 `test`.`{table}`.`big` at row 1"
            ),
        },
        Backend::Postgres => RowOutcome::Failed {
            error: "PostgreSQL error 22P02: invalid input syntax for type bigint: \"abc\""
                .to_owned(),
        },
        Backend::Sqlite => RowOutcome::Written,
    };
    assert_eq!(
        outcomes,
        vec![RowOutcome::Written, bad.clone(), RowOutcome::Written]
    );
    let text = |value: &str| Some(value.to_owned());
    let (flag, meta) = match backend {
        Backend::Postgres => ("true", r#"{"a": 1, "名": "保温杯"}"#),
        Backend::MySql | Backend::Sqlite => ("1", r#"{"a":1,"名":"保温杯"}"#),
    };
    let common = |id: &str, big: Option<String>| {
        vec![
            text(id),
            text(flag),
            text(meta),
            text("2024-01-02 03:04:05"),
            text("2024-01-02"),
            text("1.50"),
            big,
            text("0b6f2d0e-8c4a-4d8e-9a57-3d5c1f0e2a11"),
        ]
    };
    let mut expected = vec![common("a", text("9007199254740993"))];
    if bad == RowOutcome::Written {
        expected.push(common("b", text("abc")));
    }
    expected.push(common("c", None));
    sql_common::assert_rows_eq(&db.read(&table, &COLUMNS, "id").await, &expected);
    target.close().await;
    db.drop_table(&table).await;
}

#[tokio::test]
async fn mysql_typed_columns_take_text_parameters() {
    typed_columns_take_text_parameters(Backend::MySql).await;
}

#[tokio::test]
async fn postgresql_typed_columns_take_text_parameters() {
    typed_columns_take_text_parameters(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_typed_columns_take_text_parameters() {
    typed_columns_take_text_parameters(Backend::Sqlite).await;
}
