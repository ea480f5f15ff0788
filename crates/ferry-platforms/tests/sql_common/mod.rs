//! Shared helpers for the SQL target tests: the live MariaDB and PostgreSQL on this machine and
//! a temp-file SQLite, uniquely named tables created with per-dialect column types, hostile
//! values, and reading rows back as text.
//!
//! Contract: every table a test creates has a name no other test (or run) uses; tests drop
//! their tables at the end, and SQLite files are removed when the [`TestDb`] is dropped.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use ferry_model::scheme::sql::{MainSql, parse_main_sql};
use ferry_model::scheme::{SchemeContext, load_scheme};
use ferry_model::{Connection, Scheme, SourceFile, load_config};
use ferry_platforms::sql::{SqlOptions, SqlTarget};
use ferry_platforms::{Row, RowOutcome};
use serde_json::{Map, Value};
use sqlx::{AssertSqlSafe, Row as _};

pub const MYSQL_URL: &str = "mysql://root@127.0.0.1:3306/test";
pub const POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The three databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    MySql,
    Postgres,
    Sqlite,
}

/// A column type, spelled per backend by [`TestDb::create_table`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `VARCHAR(64)` primary key.
    Key,
    /// `VARCHAR(255)`.
    Name,
    /// `TEXT`.
    Text,
    /// At most 10 characters: `VARCHAR(10)`, SQLite `CHECK(length(c) <= 10)`.
    Short,
    /// `DECIMAL(12,2)`; SQLite `TEXT` (its NUMERIC affinity would turn "199.00" into 199).
    Money,
    /// `INTEGER`.
    Int,
    /// `INTEGER NOT NULL`.
    RequiredInt,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A table or file name no other test uses.
pub fn unique_name(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("ferry_{prefix}_{}_{count}_{nanos}", std::process::id())
}

/// One database to test against.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    file: Option<PathBuf>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
    }
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::MySql => TestDb {
                backend,
                url: MYSQL_URL.to_owned(),
                file: None,
            },
            Backend::Postgres => TestDb {
                backend,
                url: POSTGRES_URL.to_owned(),
                file: None,
            },
            Backend::Sqlite => {
                let file = std::env::temp_dir().join(format!("{}.db", unique_name("sqlite")));
                std::fs::File::create(&file).unwrap();
                TestDb {
                    backend,
                    url: format!("sqlite://{}", file.display()),
                    file: Some(file),
                }
            }
        }
    }

    /// Runs statements without parameters.
    pub async fn exec(&self, sql: &str) {
        let sql = AssertSqlSafe(sql.to_owned());
        match self.backend {
            Backend::MySql => {
                let pool = sqlx::MySqlPool::connect(&self.url).await.unwrap();
                sqlx::raw_sql(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
                sqlx::raw_sql(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
                sqlx::raw_sql(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
    }

    /// Creates `table` with `columns`; the first `Kind::Key` column is the primary key.
    pub async fn create_table(&self, table: &str, columns: &[(&str, Kind)]) {
        let definitions: Vec<String> = columns
            .iter()
            .map(|(name, kind)| format!("{name} {}", self.spell(name, *kind)))
            .collect();
        let options = match self.backend {
            Backend::MySql => " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
            Backend::Postgres | Backend::Sqlite => "",
        };
        self.exec(&format!(
            "CREATE TABLE {table} ({}){options}",
            definitions.join(", ")
        ))
        .await;
    }

    fn spell(&self, name: &str, kind: Kind) -> String {
        let text = match (self.backend, kind) {
            (_, Kind::Key) => "VARCHAR(64) NOT NULL PRIMARY KEY",
            (_, Kind::Name) => "VARCHAR(255)",
            (_, Kind::Text) => "TEXT",
            (Backend::Sqlite, Kind::Short) => return format!("TEXT CHECK(length({name}) <= 10)"),
            (_, Kind::Short) => "VARCHAR(10)",
            (Backend::Sqlite, Kind::Money) => "TEXT",
            (_, Kind::Money) => "DECIMAL(12,2)",
            (_, Kind::Int) => "INTEGER",
            (_, Kind::RequiredInt) => "INTEGER NOT NULL",
        };
        text.to_owned()
    }

    pub async fn drop_table(&self, table: &str) {
        self.exec(&format!("DROP TABLE IF EXISTS {table}")).await;
    }

    /// Every row of `table` ordered by `order_by`, each column read as text.
    pub async fn read(
        &self,
        table: &str,
        columns: &[&str],
        order_by: &str,
    ) -> Vec<Vec<Option<String>>> {
        let casts: Vec<String> = columns
            .iter()
            .map(|column| match self.backend {
                Backend::MySql => format!("CAST({column} AS CHAR)"),
                Backend::Postgres => format!("{column}::text"),
                Backend::Sqlite => format!("CAST({column} AS TEXT)"),
            })
            .collect();
        let sql = format!(
            "SELECT {} FROM {table} ORDER BY {order_by}",
            casts.join(", ")
        );
        macro_rules! fetch {
            ($pool:ty) => {{
                let pool = <$pool>::connect(&self.url).await.unwrap();
                let rows = sqlx::query(AssertSqlSafe(sql))
                    .fetch_all(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                rows.iter()
                    .map(|row| {
                        (0..columns.len())
                            .map(|index| row.try_get::<Option<String>, _>(index).unwrap())
                            .collect()
                    })
                    .collect()
            }};
        }
        match self.backend {
            Backend::MySql => fetch!(sqlx::MySqlPool),
            Backend::Postgres => fetch!(sqlx::PgPool),
            Backend::Sqlite => fetch!(sqlx::SqlitePool),
        }
    }

    /// Connects a target for `main_sql` with the default options.
    pub async fn target(&self, main_sql: &str, key: Option<&str>) -> SqlTarget {
        SqlTarget::connect(
            &self.url,
            main_sql_of(main_sql),
            key.map(str::to_owned),
            SqlOptions::default(),
        )
        .await
        .unwrap()
    }
}

pub fn main_sql_of(text: &str) -> MainSql {
    parse_main_sql(text).unwrap()
}

/// A row from `(column, value)` pairs.
pub fn row(key: &str, values: Vec<(&str, Value)>) -> Row {
    let mut map = Map::new();
    for (column, value) in values {
        map.insert(column.to_owned(), value);
    }
    Row::from_object(key, map)
}

/// Strings that break naive quoting, encodings or placeholder parsing.
pub const HOSTILE: &[&str] = &[
    "it's",
    "say \"hi\"",
    "back\\slash\\",
    "'; DROP TABLE x; --",
    "\"; DROP TABLE x; --",
    "😀 emoji 👍🏽",
    "保温杯 不锈钢 500ml",
    "line\nbreak\ttab\rreturn",
    "? and $1 and :name and %s",
    "NULL",
    "",
    "trailing space ",
    "\\'; \\\" mixed '' \"\" `tick`",
    "😀'\"\\保温杯",
];

/// About 60 000 bytes of mixed text (MySQL `TEXT` holds 65 535).
pub fn long_text(seed: usize) -> String {
    let mut text = format!("long-{seed}:");
    let mut index = 0;
    while text.len() < 60_000 {
        text.push_str(HOSTILE[(seed + index) % HOSTILE.len()]);
        text.push('|');
        index += 1;
    }
    text
}

/// Asserts that every outcome is `Written`.
pub fn assert_all_written(outcomes: &[RowOutcome], rows: usize) {
    assert_eq!(outcomes.len(), rows);
    for (index, outcome) in outcomes.iter().enumerate() {
        assert_eq!(outcome, &RowOutcome::Written, "row {index}");
    }
}

/// Compares read rows with expected ones row by row, naming the first difference briefly.
pub fn assert_rows_eq(actual: &[Vec<Option<String>>], expected: &[Vec<Option<String>>]) {
    assert_eq!(actual.len(), expected.len(), "row count");
    for (index, (got, want)) in actual.iter().zip(expected).enumerate() {
        if got != want {
            let column = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
            let shorten = |value: &Option<String>| {
                value.as_ref().map(|text| {
                    let head: String = text.chars().take(80).collect();
                    format!("{head}… ({} bytes)", text.len())
                })
            };
            panic!(
                "row {index} column {column}: got {:?}, want {:?}",
                shorten(&got[column]),
                shorten(&want[column])
            );
        }
    }
}

/// `value` as the text a `TEXT` column reads back (bound text per the binding rules).
pub fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(if *flag { "1" } else { "0" }.to_owned()),
        other => Some(other.to_string()),
    }
}

/// `examples/schemes/002_jst_orders_to_mysql.json` (62-column `main_sql`, target `id` = `id`)
/// with its table renamed to `table`.
pub fn example_scheme(table: &str) -> Scheme {
    let text = include_str!("../../../../examples/schemes/002_jst_orders_to_mysql.json").replace(
        "REPLACE INTO order_list_query(",
        &format!("REPLACE INTO {table}("),
    );
    load_scheme(
        &SourceFile::new("002_jst_orders_to_mysql.json", text),
        &SchemeContext::default(),
    )
    .unwrap()
}

/// `examples/sql/order_list_query[.mysql].sql` with its table renamed to `table`.
pub fn example_table_sql(backend: Backend, table: &str) -> String {
    let text = match backend {
        Backend::MySql => include_str!("../../../../examples/sql/order_list_query.mysql.sql"),
        Backend::Postgres => include_str!("../../../../examples/sql/order_list_query.sql"),
        Backend::Sqlite => include_str!("../../../../examples/sql/order_list_query.sql"),
    };
    text.replace(
        "CREATE TABLE IF NOT EXISTS order_list_query (",
        &format!("CREATE TABLE {table} ("),
    )
}

/// Connection `dw` of `platform` at `url`, read from `ferry.toml` text.
pub fn connection(platform: &str, url: &str) -> Connection {
    let text = format!("[connections.dw]\nplatform = \"{platform}\"\nurl = \"{url}\"\n");
    let config = load_config(&SourceFile::new("ferry.toml", text), &|_| None).unwrap();
    config.connections["dw"].clone()
}

impl Backend {
    pub fn platform(self) -> &'static str {
        match self {
            Backend::MySql => "mysql",
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}
