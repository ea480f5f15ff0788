//! Differential test: ferry's `_function` evaluator against a real MariaDB.
//!
//! Every case of `tests/cases/function_mariadb.json` is evaluated by ferry
//! ([`SqlValue::to_mysql_text`]) and by MariaDB as `SELECT <expr>`, where the placeholders are
//! the `?` of [`Function::mysql_sql`] bound (through user variables, so the result comes back
//! in the text protocol) to the same typed values ferry binds. A case may instead give the
//! exact SQL MariaDB runs (`"mariadb"`), for aggregates over arrays. MariaDB's session gets a
//! fixed clock (`SET timestamp`), `time_zone = '+08:00'` and `utf8mb4_general_ci`, and
//! ferry's scope the same clock in Asia/Shanghai.
//!
//! Connects to `mysql://root@127.0.0.1:3306/test` or `FERRY_TEST_MYSQL_URL`; an unreachable
//! server fails the test.

use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;

use ferry_expr::Scope;
use ferry_expr::function::{Function, SqlValue};
use serde::Deserialize;
use serde_json::Value;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::{AssertSqlSafe, ConnectOptions, Row};

/// 2023-11-15 06:13:20 in UTC+8.
const FIXED_NOW: i64 = 1_700_000_000;
const DEFAULT_URL: &str = "mysql://root@127.0.0.1:3306/test";

#[derive(Debug, Deserialize)]
struct Case {
    expr: String,
    #[serde(default)]
    bindings: serde_json::Map<String, Value>,
    /// SQL for MariaDB when the expression cannot run there as written (array placeholders).
    #[serde(default)]
    mariadb: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Cases {
    cases: Vec<Case>,
}

struct CaseScope {
    values: HashMap<String, Value>,
    tz: jiff::tz::TimeZone,
}

impl Scope for CaseScope {
    fn get(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.values.get(name).map(Cow::Borrowed)
    }

    fn now(&self) -> i64 {
        FIXED_NOW
    }

    fn timezone(&self) -> &jiff::tz::TimeZone {
        &self.tz
    }
}

fn ferry_text(f: &Result<Function, ferry_expr::ExprError>, scope: &CaseScope) -> String {
    match f
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|f| f.eval_sql(scope))
    {
        Ok(v) => v.to_mysql_text().unwrap_or_else(|| "NULL".into()),
        Err(e) => format!("ERROR: {e}"),
    }
}

async fn set_session(conn: &mut MySqlConnection) -> Result<(), sqlx::Error> {
    let setup = "SET NAMES utf8mb4 COLLATE utf8mb4_general_ci, time_zone = '+08:00', \
                 timestamp = 1700000000, div_precision_increment = 4, \
                 sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,\
                 NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION'";
    sqlx::raw_sql(setup).execute(conn).await.map(|_| ())
}

async fn run_select(conn: &mut MySqlConnection, sql: String) -> Result<String, sqlx::Error> {
    let row = sqlx::raw_sql(AssertSqlSafe(sql)).fetch_one(conn).await?;
    let value: Option<String> = row.try_get_unchecked(0)?;
    Ok(value.unwrap_or_else(|| "NULL".into()))
}

/// MariaDB's text result of `SELECT <sql>` with `values` bound to its `?`s.
async fn mariadb_text(
    conn: &mut MySqlConnection,
    sql: &str,
    values: &[SqlValue],
) -> Result<String, sqlx::Error> {
    for (i, v) in values.iter().enumerate() {
        let target = match v {
            SqlValue::Null => "NULL".to_owned(),
            SqlValue::Decimal(_, scale) => format!("CAST(? AS DECIMAL(65,{scale}))"),
            _ => "?".to_owned(),
        };
        let query = sqlx::query(AssertSqlSafe(format!("SET @p{i} = {target}")));
        let query = match v {
            SqlValue::Null => query,
            SqlValue::Int(n) => query.bind(*n),
            SqlValue::UInt(n) => query.bind(*n),
            SqlValue::Double(f, _) => query.bind(*f),
            SqlValue::Str(s) => query.bind(s.clone()),
            other => query.bind(other.to_mysql_text().unwrap_or_default()),
        };
        query.execute(&mut *conn).await?;
    }
    sqlx::query("SET @ferry_sql = ?")
        .bind(format!("SELECT {sql}"))
        .execute(&mut *conn)
        .await?;
    sqlx::raw_sql("PREPARE ferry_stmt FROM @ferry_sql")
        .execute(&mut *conn)
        .await?;
    let using: Vec<String> = (0..values.len()).map(|i| format!("@p{i}")).collect();
    let execute = if using.is_empty() {
        "EXECUTE ferry_stmt".to_owned()
    } else {
        format!("EXECUTE ferry_stmt USING {}", using.join(", "))
    };
    run_select(conn, execute).await
}

fn outcome(r: Result<String, sqlx::Error>) -> String {
    r.unwrap_or_else(|e| format!("ERROR: {e}"))
}

fn same(ferry: &str, mariadb: &str) -> bool {
    ferry == mariadb || (ferry.starts_with("ERROR") && mariadb.starts_with("ERROR"))
}

#[tokio::test]
async fn ferry_matches_mariadb() {
    let url = std::env::var("FERRY_TEST_MYSQL_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
    let options = MySqlConnectOptions::from_str(&url)
        .unwrap_or_else(|e| panic!("FERRY_TEST_MYSQL_URL `{url}` is not a MySQL URL: {e}"))
        .pipes_as_concat(false);
    let mut conn = options.connect().await.unwrap_or_else(|e| {
        panic!(
            "cannot reach MariaDB at `{url}` ({e}); start MariaDB 10.11 there or point \
             FERRY_TEST_MYSQL_URL at one"
        )
    });
    set_session(&mut conn)
        .await
        .expect("session settings should apply");

    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/cases/function_mariadb.json"
    );
    let text = std::fs::read_to_string(path).expect("case file should be readable");
    let cases: Cases = serde_json::from_str(&text).expect("case file should be valid");
    assert!(
        cases.cases.len() >= 120,
        "the case file should hold at least 120 cases"
    );
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").expect("bundled tzdb has Asia/Shanghai");

    let mut mismatches = Vec::new();
    let mut agreed_errors = 0;
    for case in &cases.cases {
        let scope = CaseScope {
            values: case.bindings.clone().into_iter().collect(),
            tz: tz.clone(),
        };
        let parsed = Function::parse(&case.expr);
        let ferry = ferry_text(&parsed, &scope);
        let mariadb = match (&case.mariadb, &parsed) {
            (Some(sql), _) => outcome(run_select(&mut conn, sql.clone()).await),
            (None, Ok(f)) => match f.bind(&scope) {
                Ok(values) => outcome(mariadb_text(&mut conn, f.mysql_sql(), &values).await),
                Err(e) => format!("ERROR: ferry could not bind: {e}"),
            },
            (None, Err(e)) => format!("(not run: ferry could not parse: {e})"),
        };
        if ferry.starts_with("ERROR") && mariadb.starts_with("ERROR") {
            agreed_errors += 1;
        }
        if std::env::var_os("FERRY_TEST_VERBOSE").is_some() {
            println!(
                "{} | {} | ferry {ferry} | mariadb {mariadb}",
                case.expr,
                Value::Object(case.bindings.clone())
            );
        }
        if !same(&ferry, &mariadb) {
            mismatches.push(format!(
                "expr:    {}\nbinding: {}\nferry:   {ferry}\nmariadb: {mariadb}\n",
                case.expr,
                Value::Object(case.bindings.clone())
            ));
        }
    }
    for m in &mismatches {
        println!("{m}");
    }
    println!(
        "{} cases, {} mismatches, {agreed_errors} where both report an error",
        cases.cases.len(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} cases differ from MariaDB",
        mismatches.len(),
        cases.cases.len()
    );
}
