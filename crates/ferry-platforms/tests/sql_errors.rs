//! How connecting and writing fail: unreachable servers are `Transient` and never show the
//! password, bad credentials are `Rejected`, and a `main_sql` that does not fit the database
//! (PostgreSQL `REPLACE` without a key column, unknown table or column, no unique key) is
//! `Invalid` before any row is sent.

mod sql_common;

use std::time::Duration;

use ferry_platforms::sql::{SqlOptions, SqlTarget};
use ferry_platforms::{CallError, Target};
use serde_json::json;
use sql_common::{Backend, Kind, MYSQL_URL, POSTGRES_URL, TestDb, main_sql_of, row, unique_name};

const PASSWORD: &str = "Sup3r-Secret_pw";

fn quick() -> SqlOptions {
    SqlOptions {
        connections: 1,
        timeout: Duration::from_secs(5),
    }
}

async fn connect(url: &str, main_sql: &str, key: Option<&str>) -> Result<SqlTarget, CallError> {
    SqlTarget::connect(url, main_sql_of(main_sql), key.map(str::to_owned), quick()).await
}

fn transient_message(result: Result<SqlTarget, CallError>) -> String {
    match result {
        Err(CallError::Transient { message }) => message,
        other => panic!("expected Transient, got {other:?}"),
    }
}

fn invalid_message(result: Result<SqlTarget, CallError>) -> String {
    match result {
        Err(CallError::Invalid { message }) => message,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn sql_wrong_ports_are_transient_and_hide_the_password() {
    for (url, masked) in [
        (
            format!("mysql://root:{PASSWORD}@127.0.0.1:1/test"),
            "cannot connect to MySQL at `mysql://root:***@127.0.0.1:1/test`: ",
        ),
        (
            format!("postgres://postgres:{PASSWORD}@127.0.0.1:1/test"),
            "cannot connect to PostgreSQL at `postgres://postgres:***@127.0.0.1:1/test`: ",
        ),
    ] {
        let message =
            transient_message(connect(&url, "REPLACE INTO t(id) VALUES", Some("id")).await);
        assert!(message.starts_with(masked), "{message}");
        assert!(
            message.ends_with("Connection refused (os error 111)"),
            "{message}"
        );
        assert!(!message.contains(PASSWORD), "{message}");
    }
}

#[tokio::test]
async fn sql_wrong_hosts_are_transient_and_hide_the_password() {
    let url = format!("mysql://root:{PASSWORD}@no-such-host.invalid:3306/test");
    let message = transient_message(connect(&url, "REPLACE INTO t(id) VALUES", None).await);
    assert!(
        message.starts_with(
            "cannot connect to MySQL at `mysql://root:***@no-such-host.invalid:3306/test`: "
        ),
        "{message}"
    );
    assert!(!message.contains(PASSWORD), "{message}");
}

#[tokio::test]
async fn mysql_access_denied_is_rejected_and_hides_the_password() {
    let url = format!("mysql://ferry_nobody:{PASSWORD}@127.0.0.1:3306/test");
    let result = connect(&url, "REPLACE INTO t(id) VALUES", None).await;
    let Err(CallError::Rejected { message }) = result else {
        panic!("expected Rejected, got {result:?}");
    };
    assert!(
        message.starts_with(
            "cannot connect to MySQL at `mysql://ferry_nobody:***@127.0.0.1:3306/test`: \
             MySQL error 1045: Access denied for user 'ferry_nobody'@"
        ),
        "{message}"
    );
    assert!(!message.contains(PASSWORD), "{message}");
}

#[tokio::test]
async fn sql_unsupported_url_schemes_are_rejected() {
    let result = connect(
        &format!("mssql://sa:{PASSWORD}@h/db"),
        "REPLACE INTO t(id) VALUES",
        None,
    )
    .await;
    let Err(CallError::Rejected { message }) = result else {
        panic!("expected Rejected, got {result:?}");
    };
    assert_eq!(
        message,
        "unsupported database url `mssql://sa:***@h/db` (expected `mysql://`, `mariadb://`, \
         `postgres://`, `postgresql://` or `sqlite:`)"
    );
}

#[tokio::test]
async fn postgresql_replace_without_a_key_column_uses_the_tables_only_unique_key() {
    let db = TestDb::new(Backend::Postgres).await;
    let table = unique_name("tablekey");
    db.exec(&format!(
        "CREATE TABLE {table} (a TEXT, b TEXT, note TEXT, \
         row_key TEXT GENERATED ALWAYS AS (a || '#' || b) STORED UNIQUE)"
    ))
    .await;
    let replace = format!("REPLACE INTO {table}(a, b, note) VALUES");
    let target = connect(POSTGRES_URL, &replace, None).await.unwrap();
    let first = [row(
        "k",
        vec![("a", json!("1")), ("b", json!("x")), ("note", json!("old"))],
    )];
    let second = [row(
        "k",
        vec![("a", json!("1")), ("b", json!("x")), ("note", json!("新"))],
    )];
    sql_common::assert_all_written(&target.write(&first).await.unwrap(), 1);
    sql_common::assert_all_written(&target.write(&second).await.unwrap(), 1);
    let rows = db.read(&table, &["a", "b", "note", "row_key"], "a").await;
    let text = |value: &str| Some(value.to_owned());
    assert_eq!(rows, [[text("1"), text("x"), text("新"), text("1#x")]]);
    target.close().await;

    db.exec(&format!(
        "CREATE UNIQUE INDEX {table}_note ON {table} (note)"
    ))
    .await;
    let message = invalid_message(connect(POSTGRES_URL, &replace, None).await);
    assert_eq!(
        message,
        format!(
            "table `{table}` in `{POSTGRES_URL}` has 2 unique keys: (row_key), (note). \
             PostgreSQL has no `REPLACE INTO`: ferry writes `INSERT … ON CONFLICT (key) DO \
             UPDATE`, so the table needs exactly one primary key or unique index, or the target \
             `id` must name a uniquely indexed column of `main_sql`"
        )
    );
    db.drop_table(&table).await;

    let bare = unique_name("bare");
    db.exec(&format!("CREATE TABLE {bare} (id TEXT, name TEXT)"))
        .await;
    let replace = format!("REPLACE INTO {bare}(id, name) VALUES");
    let message = invalid_message(connect(POSTGRES_URL, &replace, None).await);
    assert!(
        message.starts_with(&format!(
            "table `{bare}` in `{POSTGRES_URL}` has no primary key or unique index. PostgreSQL"
        )),
        "{message}"
    );
    let message = invalid_message(connect(POSTGRES_URL, &replace, Some("nope")).await);
    assert_eq!(
        message,
        "key column `nope` is not one of `main_sql`'s columns"
    );
    db.drop_table(&bare).await;
}

#[tokio::test]
async fn postgresql_key_without_a_unique_index_is_invalid_and_insert_needs_none() {
    let db = TestDb::new(Backend::Postgres).await;
    let table = unique_name("nokey");
    db.exec(&format!("CREATE TABLE {table} (id TEXT, name TEXT)"))
        .await;
    let replace = format!("REPLACE INTO {table}(id, name) VALUES");

    let message = invalid_message(connect(POSTGRES_URL, &replace, Some("id")).await);
    assert_eq!(
        message,
        format!(
            "key column `id` of table `{table}` in `{POSTGRES_URL}` has no primary key or unique \
             index of its own; PostgreSQL's `ON CONFLICT (id)` needs one"
        )
    );
    let insert = format!("INSERT INTO {table}(id, name) VALUES");
    let target = connect(POSTGRES_URL, &insert, None).await.unwrap();
    let outcomes = target
        .write(&[row("a", vec![("id", json!("1")), ("name", json!("x"))])])
        .await
        .unwrap();
    sql_common::assert_all_written(&outcomes, 1);
    target.close().await;
    db.drop_table(&table).await;
}

#[tokio::test]
async fn sql_unknown_tables_are_invalid() {
    let missing = unique_name("missing");
    for backend in [Backend::MySql, Backend::Postgres, Backend::Sqlite] {
        let db = TestDb::new(backend).await;
        let main_sql = format!("REPLACE INTO {missing}(id, name) VALUES");
        let message = invalid_message(connect(&db.url, &main_sql, Some("id")).await);
        assert_eq!(
            message,
            format!("table `{missing}` does not exist in `{}`", db.url),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn sql_unknown_columns_are_invalid() {
    for backend in [Backend::MySql, Backend::Postgres, Backend::Sqlite] {
        let db = TestDb::new(backend).await;
        let table = unique_name("cols");
        db.create_table(&table, &[("id", Kind::Key), ("name", Kind::Name)])
            .await;
        let main_sql = format!("REPLACE INTO {table}(id, nope) VALUES");
        let message = invalid_message(connect(&db.url, &main_sql, Some("id")).await);
        let expected = match backend {
            Backend::MySql => format!(
                "`main_sql` does not fit table `{table}` in `{MYSQL_URL}`: MySQL error 1054: \
                 Unknown column 'nope' in 'SELECT'"
            ),
            Backend::Postgres => format!(
                "column `nope` of `main_sql` does not exist in table `{table}` in \
                 `{POSTGRES_URL}` (its columns: `id`, `name`)"
            ),
            Backend::Sqlite => format!(
                "`main_sql` does not fit table `{table}` in `{}`: SQLite error 1: no such \
                 column: nope",
                db.url
            ),
        };
        assert_eq!(message, expected, "{backend:?}");
        db.drop_table(&table).await;
    }
}

#[tokio::test]
async fn sql_writes_after_close_are_transient_and_to_a_dropped_table_invalid() {
    for backend in [Backend::MySql, Backend::Postgres, Backend::Sqlite] {
        let db = TestDb::new(backend).await;
        let table = unique_name("gone");
        db.create_table(&table, &[("id", Kind::Key), ("name", Kind::Name)])
            .await;
        let main_sql = format!("REPLACE INTO {table}(id, name) VALUES");
        let rows = [row("a", vec![("id", json!("1")), ("name", json!("x"))])];
        let target = connect(&db.url, &main_sql, Some("id")).await.unwrap();
        db.drop_table(&table).await;

        let result = target.write(&rows).await;
        let Err(CallError::Invalid { message }) = result else {
            panic!("{backend:?}: expected Invalid, got {result:?}");
        };
        assert!(
            message.starts_with(&format!("cannot write 1 row to `{table}`: ")),
            "{message}"
        );

        target.close().await;
        let result = target.write(&rows).await;
        assert_eq!(
            result,
            Err(CallError::Transient {
                message: format!(
                    "cannot write 1 row to `{table}`: attempted to acquire a connection on a \
                     closed pool"
                )
            }),
            "{backend:?}"
        );
    }
}
