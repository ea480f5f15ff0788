//! Failing-row isolation: rows the database refuses for their data are `Failed` with the
//! database's own message while every other row of the batch lands, on MariaDB (strict mode),
//! PostgreSQL and SQLite (a CHECK constraint stands in for `VARCHAR(10)`).

mod sql_common;

use ferry_platforms::{RowOutcome, Target};
use serde_json::{Value, json};
use sql_common::{Backend, Kind, TestDb, as_text, row, unique_name};

const COLUMNS: [&str; 4] = ["id", "name", "code", "qty"];

fn values(index: usize) -> Vec<(&'static str, Value)> {
    vec![
        ("id", json!(format!("k{index:04}"))),
        ("name", json!(format!("名 {index}"))),
        ("code", json!(format!("c{index}"))),
        ("qty", json!(index)),
    ]
}

fn with(index: usize, column: &str, value: Value) -> Vec<(&'static str, Value)> {
    let mut values = values(index);
    for entry in &mut values {
        if entry.0 == column {
            entry.1 = value.clone();
        }
    }
    values
}

async fn setup(backend: Backend, verb: &str) -> (TestDb, String, ferry_platforms::sql::SqlTarget) {
    let db = TestDb::new(backend).await;
    let table = unique_name("iso");
    db.create_table(
        &table,
        &[
            ("id", Kind::Key),
            ("name", Kind::Name),
            ("code", Kind::Short),
            ("qty", Kind::RequiredInt),
        ],
    )
    .await;
    let main_sql = format!("{verb} INTO {table}(id, name, code, qty) VALUES");
    let target = db.target(&main_sql, Some("id")).await;
    (db, table, target)
}

fn too_long_message(backend: Backend) -> String {
    match backend {
        Backend::MySql => "MySQL error 1406: Data too long for column 'code' at row 1".to_owned(),
        Backend::Postgres => {
            "PostgreSQL error 22001: value too long for type character varying(10)".to_owned()
        }
        Backend::Sqlite => {
            "SQLite error 275: CHECK constraint failed: length(code) <= 10".to_owned()
        }
    }
}

fn failed(error: String) -> RowOutcome {
    RowOutcome::Failed { error }
}

async fn one_value_too_long_fails_only_its_row(backend: Backend) {
    let (db, table, target) = setup(backend, "REPLACE").await;
    let rows: Vec<_> = (0..100)
        .map(|index| match index {
            37 => row("bad", with(index, "code", json!("12345678901"))),
            _ => row("good", values(index)),
        })
        .collect();

    let outcomes = target.write(&rows).await.unwrap();

    let mut expected = vec![RowOutcome::Written; 100];
    expected[37] = failed(too_long_message(backend));
    assert_eq!(outcomes, expected);
    let written: Vec<_> = (0..100)
        .filter(|index| *index != 37)
        .map(|index| {
            values(index)
                .iter()
                .map(|(_, value)| as_text(value))
                .collect()
        })
        .collect();
    sql_common::assert_rows_eq(&db.read(&table, &COLUMNS, "id").await, &written);
    target.close().await;
    db.drop_table(&table).await;
}

async fn scattered_failures_are_each_isolated(backend: Backend) {
    let (db, table, target) = setup(backend, "REPLACE").await;
    let bad = [0, 500, 999];
    let rows: Vec<_> = (0..1000)
        .map(|index| match index {
            0 => row("long", with(index, "code", json!("0123456789A"))),
            500 => row("null", with(index, "qty", Value::Null)),
            999 => row("emoji", with(index, "code", json!("😀".repeat(11)))),
            _ => row("good", values(index)),
        })
        .collect();

    let outcomes = target.write(&rows).await.unwrap();

    let null_message = match backend {
        Backend::MySql => "MySQL error 1048: Column 'qty' cannot be null".to_owned(),
        Backend::Postgres => format!(
            "PostgreSQL error 23502: null value in column \"qty\" of relation \"{table}\" \
             violates not-null constraint (Failing row contains (k0500, 名 500, c500, null).)"
        ),
        Backend::Sqlite => format!("SQLite error 1299: NOT NULL constraint failed: {table}.qty"),
    };
    let mut expected = vec![RowOutcome::Written; 1000];
    expected[0] = failed(too_long_message(backend));
    expected[500] = failed(null_message);
    expected[999] = failed(too_long_message(backend));
    assert_eq!(outcomes, expected);
    let ids: Vec<_> = db
        .read(&table, &["id"], "id")
        .await
        .into_iter()
        .map(|mut row| row.remove(0).unwrap())
        .collect();
    let want: Vec<_> = (0..1000)
        .filter(|index| !bad.contains(index))
        .map(|index| format!("k{index:04}"))
        .collect();
    assert_eq!(ids, want);
    target.close().await;
    db.drop_table(&table).await;
}

async fn insert_into_fails_existing_keys(backend: Backend) {
    let (db, table, target) = setup(backend, "INSERT").await;
    let first: Vec<_> = (0..5).map(|index| row("a", values(index))).collect();
    sql_common::assert_all_written(&target.write(&first).await.unwrap(), 5);

    let second: Vec<_> = (3..8)
        .map(|index| row("b", with(index, "name", json!("again"))))
        .collect();
    let outcomes = target.write(&second).await.unwrap();

    let duplicate = |key: &str| match backend {
        Backend::MySql => format!("MySQL error 1062: Duplicate entry '{key}' for key 'PRIMARY'"),
        Backend::Postgres => format!(
            "PostgreSQL error 23505: duplicate key value violates unique constraint \
             \"{table}_pkey\" (Key (id)=({key}) already exists.)"
        ),
        Backend::Sqlite => format!("SQLite error 1555: UNIQUE constraint failed: {table}.id"),
    };
    assert_eq!(
        outcomes,
        vec![
            failed(duplicate("k0003")),
            failed(duplicate("k0004")),
            RowOutcome::Written,
            RowOutcome::Written,
            RowOutcome::Written,
        ]
    );
    let names: Vec<_> = db
        .read(&table, &["name"], "id")
        .await
        .into_iter()
        .map(|mut row| row.remove(0).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "名 0", "名 1", "名 2", "名 3", "名 4", "again", "again", "again"
        ]
    );
    target.close().await;
    db.drop_table(&table).await;
}

#[tokio::test]
async fn mysql_one_value_too_long_fails_only_its_row() {
    one_value_too_long_fails_only_its_row(Backend::MySql).await;
}

#[tokio::test]
async fn postgresql_one_value_too_long_fails_only_its_row() {
    one_value_too_long_fails_only_its_row(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_one_value_too_long_fails_only_its_row() {
    one_value_too_long_fails_only_its_row(Backend::Sqlite).await;
}

#[tokio::test]
async fn mysql_scattered_failures_are_each_isolated() {
    scattered_failures_are_each_isolated(Backend::MySql).await;
}

#[tokio::test]
async fn postgresql_scattered_failures_are_each_isolated() {
    scattered_failures_are_each_isolated(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_scattered_failures_are_each_isolated() {
    scattered_failures_are_each_isolated(Backend::Sqlite).await;
}

#[tokio::test]
async fn mysql_insert_into_fails_existing_keys() {
    insert_into_fails_existing_keys(Backend::MySql).await;
}

#[tokio::test]
async fn postgresql_insert_into_fails_existing_keys() {
    insert_into_fails_existing_keys(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_insert_into_fails_existing_keys() {
    insert_into_fails_existing_keys(Backend::Sqlite).await;
}

#[tokio::test]
async fn mysql_a_row_over_max_allowed_packet_fails_unsent() {
    let db = TestDb::new(Backend::MySql).await;
    let table = unique_name("packet");
    db.exec(&format!(
        "CREATE TABLE {table} (id VARCHAR(64) PRIMARY KEY, body LONGTEXT) DEFAULT CHARSET=utf8mb4"
    ))
    .await;
    let packet: usize = db
        .read("(SELECT @@max_allowed_packet AS p) AS s", &["p"], "p")
        .await[0][0]
        .as_ref()
        .unwrap()
        .parse()
        .unwrap();
    let target = db
        .target(
            &format!("REPLACE INTO {table}(id, body) VALUES"),
            Some("id"),
        )
        .await;
    let huge = "x".repeat(packet);
    let rows = [
        row("a", vec![("id", json!("a")), ("body", json!("small"))]),
        row("b", vec![("id", json!("b")), ("body", json!(huge))]),
        row("c", vec![("id", json!("c")), ("body", json!("保温杯"))]),
    ];

    let outcomes = target.write(&rows).await.unwrap();

    assert_eq!(outcomes[0], RowOutcome::Written);
    assert_eq!(
        outcomes[1],
        failed(format!(
            "row needs about {} bytes, more than the server accepts in one statement (about {} \
             bytes; MySQL `max_allowed_packet`)",
            packet + 1 + 24,
            packet - 4096
        ))
    );
    assert_eq!(outcomes[2], RowOutcome::Written);
    assert_eq!(
        db.read(&table, &["id", "body"], "id").await,
        vec![
            vec![Some("a".to_owned()), Some("small".to_owned())],
            vec![Some("c".to_owned()), Some("保温杯".to_owned())],
        ]
    );
    target.close().await;
    db.drop_table(&table).await;
}
