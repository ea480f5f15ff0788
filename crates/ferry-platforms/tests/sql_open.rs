//! `sql::open` takes the URL from the connection, `main_sql` from the target's `otherRequest`
//! and the key column from the target's `id`; a bad `main_sql` is `Invalid` with the parser's
//! message, a connection without `url` or of another platform is `Rejected`.

mod sql_common;

use std::collections::BTreeMap;

use ferry_model::Connection;
use ferry_model::doc::Span;
use ferry_model::scheme::TargetAdapter;
use ferry_platforms::CallError;
use ferry_platforms::sql::{self, SqlTarget};
use serde_json::{Value, json};
use sql_common::{Backend, MYSQL_URL, POSTGRES_URL, TestDb, connection, example_scheme};

fn with_main_sql(target: &TargetAdapter, value: Option<Value>) -> TargetAdapter {
    let mut target = target.clone();
    let entries = &mut target.adapter.other_request;
    match value {
        Some(value) => {
            for entry in entries.iter_mut().filter(|entry| entry.field == "main_sql") {
                entry.raw_value = value.clone();
            }
        }
        None => entries.retain(|entry| entry.field != "main_sql"),
    }
    target
}

fn invalid(result: Result<SqlTarget, CallError>) -> String {
    match result {
        Err(CallError::Invalid { message }) => message,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn rejected(result: Result<SqlTarget, CallError>) -> String {
    match result {
        Err(CallError::Rejected { message }) => message,
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_main_sql_is_invalid_with_the_parse_message() {
    let scheme = example_scheme("t");
    let mysql = connection("mysql", MYSQL_URL);
    let cases = [
        (
            Some(json!("DELETE FROM t")),
            "`main_sql` must end with `VALUES`; ferry appends one row per record",
        ),
        (
            Some(json!("REPLACE INTO t VALUES")),
            "`main_sql` must list its columns: `REPLACE INTO table(col1, col2, …) VALUES`",
        ),
        (Some(json!(42)), "`main_sql` must be a string"),
        (
            None,
            "a `batchexecute` target needs an `otherRequest` entry `main_sql`",
        ),
    ];
    for (value, expected) in cases {
        let target = with_main_sql(&scheme.target, value);
        assert_eq!(invalid(sql::open(&mysql, &target).await), expected);
    }
}

#[tokio::test]
async fn sql_the_target_id_names_the_key_column() {
    let db = TestDb::new(Backend::MySql).await;
    let table = sql_common::unique_name("open");
    db.exec(&sql_common::example_table_sql(Backend::MySql, &table))
        .await;
    let mut scheme = example_scheme(&table);
    let mysql = connection("mysql", MYSQL_URL);

    scheme.target.adapter.id = Some("ID".to_owned());
    let target = sql::open(&mysql, &scheme.target).await.unwrap();
    assert_eq!(target.key_column(), Some("id"));
    target.close().await;

    scheme.target.adapter.id = Some("not_a_column".to_owned());
    let target = sql::open(&mysql, &scheme.target).await.unwrap();
    assert_eq!(target.key_column(), None);
    target.close().await;
    db.drop_table(&table).await;

    // PostgreSQL has no `REPLACE INTO`: with no key column among `main_sql`'s, the table's
    // only unique key is the conflict target (sql_errors.rs checks the tables without one).
    let pg = TestDb::new(Backend::Postgres).await;
    pg.exec(&sql_common::example_table_sql(Backend::Postgres, &table))
        .await;
    let postgres = connection("postgres", POSTGRES_URL);
    let target = sql::open(&postgres, &scheme.target).await.unwrap();
    assert_eq!(target.key_column(), None);
    target.close().await;
    pg.drop_table(&table).await;
}

#[tokio::test]
async fn sql_connections_without_a_url_or_of_another_platform_are_rejected() {
    let scheme = example_scheme("t");
    let mismatched = connection("postgres", "mysql://root:pw@127.0.0.1:3306/test");
    assert_eq!(
        rejected(sql::open(&mismatched, &scheme.target).await),
        "connection `dw` is `platform = \"postgres\"` but its url \
         `mysql://root:***@127.0.0.1:3306/test` is for MySQL"
    );
    let without_url = Connection {
        name: "dw".to_owned(),
        platform: ferry_model::catalog::platform("sqlite").unwrap(),
        settings: BTreeMap::new(),
        rate: None,
        timeout_secs: 30,
        max_retries: 5,
        span: Span::default(),
    };
    assert_eq!(
        rejected(sql::open(&without_url, &scheme.target).await),
        "connection `dw` has no `url`"
    );
}
