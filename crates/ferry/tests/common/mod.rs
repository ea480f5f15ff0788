//! Shared by the tests that run `ferry run` for real: a workspace directory with ferry.toml
//! pointing at an in-process simulator and a target database (MariaDB or SQLite) holding the
//! seed 002 table, and the comparison of that table with the simulator's ground truth.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;

use ferry_engine::reconcile;
use ferry_expr::RunVars;
use ferry_model::scheme::SchemeContext;
use ferry_model::{Scheme, SourceFile};
use sqlx::Row as _;

pub mod serve;

/// 2024-02-01 00:00:00 Beijing time, after all simulated data.
pub const RANGE_END: &str = "2024-02-01 00:00:00";
/// Seed 002's scheme inside a workspace.
pub const SCHEME: &str = "schemes/002_jst_orders_to_mysql.json";

/// Which example scheme a workspace runs, against which source connection.
pub struct Seed {
    /// File name in examples/schemes.
    pub file: &'static str,
    /// The target table (DDL in examples/sql/<table>.mysql.sql and <table>.sql).
    pub table: &'static str,
    /// The scheme's source connection, a `[connections.NAME]` TOML block.
    pub source: String,
}

impl Seed {
    /// Seed 002 against the Jushuitan simulator at `base_url`, signing with `secret`.
    pub fn jushuitan(base_url: &str, secret: &str) -> Seed {
        Seed {
            file: "002_jst_orders_to_mysql.json",
            table: "order_list_query",
            source: format!(
                r#"[connections.jst]
platform = "jushuitan-qimen"
base_url = "{base_url}/router/qm"
app_key = "12345678"
secret = "{secret}"
customer_id = "cust-1"
max_retries = 10
"#
            ),
        }
    }

    /// Seed 004 against the WDT flagship simulator at `base_url`, with `wdt_secret` as the
    /// WDT `secret:salt` (the simulator's is `testsecret:testsalt`).
    pub fn wdt_flagship(base_url: &str, wdt_secret: &str) -> Seed {
        Seed {
            file: "004_wdt_refunds_to_mysql.json",
            table: "aftersales_refund_refund_search",
            source: format!(
                r#"[connections.wdt_flagship]
platform = "wdt-flagship-qimen"
base_url = "{base_url}/router/qm"
app_key = "12345678"
secret = "qimensecret"
target_app_key = "87654321"
sid = "mysid"
wdt_appkey = "mykey"
wdt_secret = "{wdt_secret}"
max_retries = 10
"#
            ),
        }
    }

    /// The scheme's path inside a workspace.
    pub fn path(&self) -> String {
        format!("schemes/{}", self.file)
    }
}

/// A simulator of `platform` with `orders` records generated from `seed`, serving on a free
/// loopback port.
pub async fn simulator(
    platform: ferry_sim::Platform,
    seed: u64,
    orders: u32,
) -> ferry_sim::SimHandle {
    ferry_sim::SimBuilder::new(platform)
        .seed(seed)
        .orders(orders)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn mysql_server() -> String {
    std::env::var("FERRY_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned())
}

pub fn postgres_server() -> String {
    std::env::var("FERRY_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// Where the seed 002 rows go.
pub enum TargetDb {
    /// A fresh MariaDB database of this name.
    Mysql(String),
    /// A SQLite file in the workspace.
    Sqlite,
}

pub struct Workspace {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub seed: Seed,
    pub target_url: String,
    mysql_database: Option<String>,
}

impl Workspace {
    /// A seed 002 workspace for the simulator at `base_url` with `secret` as the Qimen secret.
    pub async fn new(base_url: &str, target: TargetDb, secret: &str) -> Workspace {
        Workspace::for_seed(Seed::jushuitan(base_url, secret), target).await
    }

    /// A workspace running `seed` into `target`.
    pub async fn for_seed(seed: Seed, target: TargetDb) -> Workspace {
        Workspace::for_seed_on(seed, target, &mysql_server()).await
    }

    /// A workspace running `seed` into `target`, a MariaDB database being on `server`
    /// (`mysql://user@host:port`).
    pub async fn for_seed_on(seed: Seed, target: TargetDb, server: &str) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let (platform, target_url, mysql_database) = match target {
            TargetDb::Mysql(database) => {
                mysql_admin_on(
                    server,
                    format!(
                        "DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database} CHARACTER SET utf8mb4"
                    ),
                )
                .await;
                let url = format!("{server}/{database}");
                let pool = sqlx::MySqlPool::connect(&url).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(ddl(seed.table, "mysql")))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                ("mysql", url, Some(database))
            }
            TargetDb::Sqlite => {
                let url = format!("sqlite://{}", root.join("target.db").display());
                let pool = sqlx::SqlitePool::connect(&format!("{url}?mode=rwc"))
                    .await
                    .unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(ddl(seed.table, "sqlite")))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                ("sqlite", url, None)
            }
        };
        std::fs::create_dir_all(root.join("schemes")).unwrap();
        std::fs::copy(
            repo().join("examples/schemes").join(seed.file),
            root.join(seed.path()),
        )
        .unwrap();
        std::fs::write(
            root.join("ferry.toml"),
            format!(
                r#"schemes = "schemes"

[store]
url = "sqlite://ferry.db"

{source}
[connections.dw]
platform = "{platform}"
url = "{target_url}"
"#,
                source = seed.source
            ),
        )
        .unwrap();
        Workspace {
            _dir: dir,
            root,
            seed,
            target_url,
            mysql_database,
        }
    }

    /// `ferry ARGS` in the workspace.
    pub fn ferry(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ferry"));
        command
            .args(args)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// `ferry run` of the seed up to the end of the simulated data.
    pub fn run(&self, extra: &[&str]) -> tokio::process::Command {
        let scheme = self.seed.path();
        let mut args = vec!["run", scheme.as_str(), "--to", RANGE_END];
        args.extend_from_slice(extra);
        self.ferry(&args)
    }

    pub fn scheme(&self) -> Scheme {
        let path = self.root.join("ferry.toml");
        let env = |_: &str| None;
        let config = ferry_model::load_config(
            &SourceFile::new(&path, std::fs::read_to_string(&path).unwrap()),
            &env,
        )
        .unwrap();
        let scheme_path = self.root.join(self.seed.path());
        ferry_model::load_scheme(
            &SourceFile::new(&scheme_path, std::fs::read_to_string(&scheme_path).unwrap()),
            &SchemeContext {
                config: Some(&config),
                collections: None,
            },
        )
        .unwrap()
    }

    /// The target table keyed by its first column (seed 002: the primary key `id`), values as
    /// text in main_sql column order.
    pub async fn actual(&self) -> Table {
        self.actual_rows()
            .await
            .into_iter()
            .map(|row| (row[0].clone().unwrap(), row))
            .collect()
    }

    /// Every row of the target table, values as text in main_sql column order.
    pub async fn actual_rows(&self) -> Vec<Vec<Option<String>>> {
        let columns = columns(&self.scheme());
        let select = |cast: bool| -> String {
            columns
                .iter()
                .map(|c| {
                    if cast {
                        format!("CAST({c} AS CHAR)")
                    } else {
                        c.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        if self.mysql_database.is_some() {
            let pool = sqlx::MySqlPool::connect(&self.target_url).await.unwrap();
            let sql = format!("SELECT {} FROM {}", select(true), self.seed.table);
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&pool)
                .await
                .unwrap();
            pool.close().await;
            rows.iter()
                .map(|row| (0..columns.len()).map(|i| row.get(i)).collect())
                .collect()
        } else {
            let pool = sqlx::SqlitePool::connect(&self.target_url).await.unwrap();
            let sql = format!("SELECT {} FROM {}", select(false), self.seed.table);
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&pool)
                .await
                .unwrap();
            pool.close().await;
            rows.iter()
                .map(|row| (0..columns.len()).map(|i| row.get(i)).collect())
                .collect()
        }
    }

    /// Drops the MariaDB database, if the workspace made one.
    pub async fn cleanup(&self) {
        if let Some(database) = &self.mysql_database {
            mysql_admin(format!("DROP DATABASE IF EXISTS {database}")).await;
        }
    }
}

pub use ferry_engine::reconcile::Table;

/// A table's DDL: `mysql` or the standard one (SQLite, PostgreSQL).
fn ddl(table: &str, dialect: &str) -> String {
    let file = match dialect {
        "mysql" => format!("{table}.mysql.sql"),
        _ => format!("{table}.sql"),
    };
    std::fs::read_to_string(repo().join("examples/sql").join(file)).unwrap()
}

/// Runs administrative SQL on the MariaDB server's `test` database.
async fn mysql_admin(sql: String) {
    mysql_admin_on(&mysql_server(), sql).await;
}

/// Runs administrative SQL on `server`'s `test` database.
pub async fn mysql_admin_on(server: &str, sql: String) {
    let admin = sqlx::MySqlPool::connect(&format!("{server}/test"))
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
}

fn columns(scheme: &Scheme) -> Vec<String> {
    let main_sql = scheme.target.adapter.other("main_sql").unwrap();
    ferry_model::scheme::sql::parse_main_sql(main_sql.raw_value.as_str().unwrap())
        .unwrap()
        .columns
}

/// What the table must hold: seed 002 applied to the simulator's ground truth.
pub fn expected(scheme: &Scheme, truth: &[serde_json::Value]) -> Table {
    let vars = RunVars::new(0, 0, 0).with_timezone(scheme.sync.timezone.clone());
    reconcile::expected_table(scheme, truth, &vars, &columns(scheme)).unwrap()
}

/// What the table must hold as a sorted list of rows (for tables keyed by a generated column).
pub fn expected_rows(table: &Table) -> Vec<Vec<Option<String>>> {
    let mut rows: Vec<_> = table.values().cloned().collect();
    rows.sort();
    rows
}

/// Asserts equality, with an account of the first differences.
pub fn assert_same(actual: &Table, expected: &Table, context: &str) {
    if let Some(difference) = reconcile::difference(actual, expected) {
        panic!("{context}: target differs from ground truth: {difference}");
    }
}
