//! The three target databases, the seed 002 table in each, and the run directory ferry runs in.
//!
//! Contract: [`Db::reset`] drops and recreates `order_list_query` from `examples/sql` (an empty
//! table, as "from scratch" means); [`Db::read_rows`] reads every row back as text (column
//! order of `main_sql`), the pre-rendered rows the ceilings write. [`prepare_run_dir`] writes a
//! `ferry.toml` pointing at the simulator's native route (no client rate limit unless given)
//! and the target, and the seed 002 scheme switched to the native API
//! (`/open/orders/single/query`, `modified_begin`/`modified_end`); nothing else changes.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Connection, Row};

use crate::sim;

/// The seed 002 table.
pub const TABLE: &str = "order_list_query";
/// The scheme file written into each run directory.
pub const SCHEME_FILE: &str = "schemes/002_jst_orders_native.json";

/// A target database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Db {
    Maria(String),
    Postgres(String),
    Sqlite(PathBuf),
}

impl Db {
    pub fn name(&self) -> &'static str {
        match self {
            Db::Maria(_) => "mariadb",
            Db::Postgres(_) => "postgres",
            Db::Sqlite(_) => "sqlite",
        }
    }

    pub fn url(&self) -> String {
        match self {
            Db::Maria(url) | Db::Postgres(url) => url.clone(),
            Db::Sqlite(path) => format!("sqlite://{}?mode=rwc", path.display()),
        }
    }

    /// The connection block of `ferry.toml`.
    fn connection(&self) -> String {
        let platform = match self {
            Db::Maria(_) => "mysql",
            Db::Postgres(_) => "postgres",
            Db::Sqlite(_) => "sqlite",
        };
        format!(
            "[connections.dw]\nplatform = \"{platform}\"\nurl = \"{}\"\n",
            self.url()
        )
    }

    /// Drops and recreates the table, empty.
    pub async fn reset(&self, root: &Path) -> Result<()> {
        let ddl_file = match self {
            Db::Maria(_) => "examples/sql/order_list_query.mysql.sql",
            Db::Postgres(_) | Db::Sqlite(_) => "examples/sql/order_list_query.sql",
        };
        let ddl = std::fs::read_to_string(root.join(ddl_file))
            .with_context(|| format!("cannot read {ddl_file}"))?;
        let drop = format!("DROP TABLE IF EXISTS {TABLE}");
        match self {
            Db::Maria(url) => {
                let mut connection = sqlx::MySqlConnection::connect(url).await?;
                sqlx::raw_sql(AssertSqlSafe(drop))
                    .execute(&mut connection)
                    .await?;
                sqlx::raw_sql(AssertSqlSafe(ddl))
                    .execute(&mut connection)
                    .await?;
            }
            Db::Postgres(url) => {
                let mut connection = sqlx::PgConnection::connect(url).await?;
                sqlx::raw_sql(AssertSqlSafe(drop))
                    .execute(&mut connection)
                    .await?;
                sqlx::raw_sql(AssertSqlSafe(ddl))
                    .execute(&mut connection)
                    .await?;
            }
            Db::Sqlite(path) => {
                let _ = std::fs::remove_file(path);
                let mut connection = sqlx::SqliteConnection::connect(&self.url()).await?;
                sqlx::raw_sql(AssertSqlSafe(ddl))
                    .execute(&mut connection)
                    .await?;
            }
        }
        Ok(())
    }

    /// Rows in the table.
    pub async fn count(&self) -> Result<u64> {
        let sql = format!("SELECT COUNT(*) FROM {TABLE}");
        let count: i64 = match self {
            Db::Maria(url) => {
                let mut connection = sqlx::MySqlConnection::connect(url).await?;
                sqlx::query_scalar(AssertSqlSafe(sql))
                    .fetch_one(&mut connection)
                    .await?
            }
            Db::Postgres(url) => {
                let mut connection = sqlx::PgConnection::connect(url).await?;
                sqlx::query_scalar(AssertSqlSafe(sql))
                    .fetch_one(&mut connection)
                    .await?
            }
            Db::Sqlite(_) => {
                let mut connection = sqlx::SqliteConnection::connect(&self.url()).await?;
                sqlx::query_scalar(AssertSqlSafe(sql))
                    .fetch_one(&mut connection)
                    .await?
            }
        };
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// Every row as text, columns in `columns` order.
    pub async fn read_rows(&self, columns: &[String]) -> Result<Vec<Vec<Option<String>>>> {
        let list = |template: &str| -> String {
            let cast: Vec<String> = columns.iter().map(|c| template.replace("{}", c)).collect();
            format!("SELECT {} FROM {TABLE}", cast.join(","))
        };
        let width = columns.len();
        let rows = match self {
            Db::Maria(url) => {
                let mut connection = sqlx::MySqlConnection::connect(url).await?;
                let rows = sqlx::query(AssertSqlSafe(list("CAST({} AS CHAR)")))
                    .fetch_all(&mut connection)
                    .await?;
                rows.iter()
                    .map(|row| (0..width).map(|i| row.get(i)).collect())
                    .collect()
            }
            Db::Postgres(url) => {
                let mut connection = sqlx::PgConnection::connect(url).await?;
                let rows = sqlx::query(AssertSqlSafe(list("{}::text")))
                    .fetch_all(&mut connection)
                    .await?;
                rows.iter()
                    .map(|row| (0..width).map(|i| row.get(i)).collect())
                    .collect()
            }
            Db::Sqlite(_) => {
                let mut connection = sqlx::SqliteConnection::connect(&self.url()).await?;
                let rows = sqlx::query(AssertSqlSafe(list("CAST({} AS TEXT)")))
                    .fetch_all(&mut connection)
                    .await?;
                rows.iter()
                    .map(|row| (0..width).map(|i| row.get(i)).collect())
                    .collect()
            }
        };
        Ok(rows)
    }
}

/// The seed 002 scheme, switched to the native route.
pub fn native_scheme(root: &Path) -> Result<Value> {
    let path = root.join("examples/schemes/002_jst_orders_to_mysql.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path:?}"))?;
    let mut scheme: Value = serde_json::from_str(&text)?;
    let source = &mut scheme["source"];
    source["api"] = Value::from("/open/orders/single/query");
    let Some(request) = source["request"].as_array_mut() else {
        bail!("{path:?}: source.request is not a list");
    };
    for field in request {
        let renamed = match field["field"].as_str() {
            Some("start_time") => "modified_begin",
            Some("end_time") => "modified_end",
            _ => continue,
        };
        field["field"] = Value::from(renamed);
    }
    if let Some(source) = source.as_object_mut() {
        source.remove("omissionRemedy");
    }
    Ok(scheme)
}

/// Writes `ferry.toml` and the scheme into a fresh `dir`; removes an earlier ledger.
pub fn prepare_run_dir(
    dir: &Path,
    scheme: &Value,
    sim_url: &str,
    client_rate: &str,
    db: &Db,
) -> Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("schemes"))
        .with_context(|| format!("cannot create {dir:?}"))?;
    let toml = format!(
        "schemes = \"schemes\"\n\n[store]\nurl = \"sqlite://ferry.db\"\n\n\
         [connections.jst]\nplatform = \"jushuitan\"\nbase_url = \"{sim_url}\"\n\
         app_key = \"{}\"\napp_secret = \"{}\"\naccess_token = \"{}\"\nrate = \"{client_rate}\"\n\n{}",
        sim::APP_KEY,
        sim::APP_SECRET,
        sim::ACCESS_TOKEN,
        db.connection()
    );
    std::fs::write(dir.join("ferry.toml"), toml)?;
    std::fs::write(dir.join(SCHEME_FILE), serde_json::to_string_pretty(scheme)?)?;
    Ok(())
}
