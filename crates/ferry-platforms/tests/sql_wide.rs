//! The seed scheme's real target (`examples/schemes/002`: `REPLACE INTO` with 62 columns,
//! target `id` = `id`) opened through `sql::open` and fed 1000 rows in one `write`: 62 000
//! placeholders, so SQLite (limit 32 766) splits the batch into two statements in one
//! transaction while MariaDB and PostgreSQL (65 535) send one. Every value reads back exact.

mod sql_common;

use ferry_platforms::Target;
use ferry_platforms::sql::{self, Dialect};
use serde_json::{Value, json};
use sql_common::{Backend, HOSTILE, TestDb, as_text, example_scheme, example_table_sql};

const ROWS: usize = 1000;

fn value(row: usize, column: usize, name: &str) -> Value {
    if name == "id" {
        return json!(format!("{row:04}-{}", row * 7));
    }
    match (row + column) % 9 {
        0 => Value::Null,
        1 => json!(row * 100 + column),
        2 => json!(format!("{}.{:02}", row, column)),
        3 => json!({"col": name, "row": row}),
        _ => json!(format!(
            "{name} {}",
            HOSTILE[(row * 3 + column) % HOSTILE.len()]
        )),
    }
}

async fn sixty_two_columns_times_a_thousand_rows(backend: Backend) {
    let db = TestDb::new(backend).await;
    let table = sql_common::unique_name("wide");
    db.exec(&example_table_sql(backend, &table)).await;
    let scheme = example_scheme(&table);
    let columns: Vec<String> = scheme
        .target
        .adapter
        .request
        .iter()
        .map(|field| field.field.clone())
        .collect();
    assert_eq!(columns.len(), 62);
    let connection = sql_common::connection(backend.platform(), &db.url);

    let target = sql::open(&connection, &scheme.target).await.unwrap();

    assert_eq!(target.key_column(), Some("id"));
    let (dialect, per_statement) = match backend {
        Backend::MySql => (Dialect::MySql, 65_535 / 62),
        Backend::Postgres => (Dialect::Postgres, 65_535 / 62),
        Backend::Sqlite => (Dialect::Sqlite, 32_766 / 62),
    };
    assert_eq!(target.dialect(), dialect);
    assert_eq!(target.rows_per_statement(), per_statement);
    assert_eq!(target.max_batch(), 10_000);
    let rows: Vec<_> = (0..ROWS)
        .map(|row| {
            let values = columns
                .iter()
                .enumerate()
                .map(|(index, name)| (name.as_str(), value(row, index, name)))
                .collect();
            sql_common::row(&format!("r{row}"), values)
        })
        .collect();

    let outcomes = target.write(&rows).await.unwrap();

    sql_common::assert_all_written(&outcomes, ROWS);
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let expected: Vec<Vec<Option<String>>> = (0..ROWS)
        .map(|row| {
            columns
                .iter()
                .enumerate()
                .map(|(index, name)| as_text(&value(row, index, name)))
                .collect()
        })
        .collect();
    sql_common::assert_rows_eq(&db.read(&table, &names, "id").await, &expected);
    target.close().await;
    db.drop_table(&table).await;
}

#[tokio::test]
async fn mysql_sixty_two_columns_times_a_thousand_rows() {
    sixty_two_columns_times_a_thousand_rows(Backend::MySql).await;
}

#[tokio::test]
async fn postgresql_sixty_two_columns_times_a_thousand_rows() {
    sixty_two_columns_times_a_thousand_rows(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_sixty_two_columns_times_a_thousand_rows() {
    sixty_two_columns_times_a_thousand_rows(Backend::Sqlite).await;
}
