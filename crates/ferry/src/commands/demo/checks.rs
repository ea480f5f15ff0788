//! Reconciliation: after the demo's runs, does each target hold exactly what a perfect sync of
//! the simulator's ground truth produces?
//!
//! Contract: each check applies the scheme's own record path (`ferry_engine::reconcile`) to the
//! ground-truth records the scheme's request selects (the request filters are the platform's
//! business, so they are restated here per seed) and compares with what the target holds: the
//! SQL table row by row, Kingdee's saved customers, Banniu's tasks, or the ledger for the
//! ledger-only target. `Err` says what differs.

use std::collections::{BTreeMap, BTreeSet};

use ferry_engine::reconcile::{difference, expected_rows, expected_table};
use ferry_expr::RunVars;
use ferry_model::Scheme;
use ferry_sim::{ModifiedRange, SimHandle};
use ferry_store::{RecordFilter, RecordStatus, Store};
use serde_json::Value;
use sqlx::Row as _;

use super::sims::{Sims, selected_trades};

/// Checks the scheme from `file` against its simulator.
pub async fn check(
    file: &str,
    scheme: &Scheme,
    sims: &Sims,
    store: &dyn Store,
    target_url: &str,
) -> Result<(), String> {
    let vars = RunVars::new(0, 0, 0).with_timezone(scheme.sync.timezone.clone());
    match file {
        "000_banniu_tasks.json" => {
            let expected = sims.created_tasks.iter().map(u64::to_string).collect();
            same_keys(
                ledger(store, &scheme.name, RecordStatus::Written).await?,
                expected,
            )
        }
        "000_jky_to_banniu.json" => banniu_updates(scheme, sims, store).await,
        "001_okki_orders.json" => {
            let approved = truth(&sims.okki, |order| {
                [3, 4, 5].contains(&order["status"].as_u64().unwrap_or_default())
            });
            let expected = expected_rows(scheme, &approved, &vars, None)?;
            same_keys(
                ledger(store, &scheme.name, RecordStatus::Written).await?,
                expected.into_keys().collect(),
            )
        }
        "002_jst_orders_to_mysql.json" => {
            let columns = columns(scheme)?;
            let expected =
                expected_table(scheme, &truth(&sims.jushuitan, |_| true), &vars, &columns)?;
            let rows = read_rows(target_url, "order_list_query", &columns).await?;
            let actual = rows
                .into_iter()
                .map(|row| (row[0].clone().unwrap_or_default(), row));
            difference(&actual.collect(), &expected).map_or(Ok(()), Err)
        }
        "003_wdt_customers_to_kingdee.json" => kingdee_customers(scheme, sims, &vars),
        "004_wdt_refunds_to_mysql.json" => {
            let columns = columns(scheme)?;
            let expected = expected_table(
                scheme,
                &truth(&sims.wdt_flagship, |_| true),
                &vars,
                &columns,
            )?;
            let mut expected: Vec<_> = expected.into_values().collect();
            let mut actual =
                read_rows(target_url, "aftersales_refund_refund_search", &columns).await?;
            expected.sort();
            actual.sort();
            if actual == expected {
                Ok(())
            } else {
                Err(format!(
                    "{} rows expected, {} present or different",
                    expected.len(),
                    actual.len()
                ))
            }
        }
        other => Err(format!("no check for {other}")),
    }
}

fn truth(sim: &SimHandle, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
    let records = sim.simulator().ground_truth(ModifiedRange::default());
    records.into_iter().filter(|record| keep(record)).collect()
}

fn columns(scheme: &Scheme) -> Result<Vec<String>, String> {
    let main_sql = scheme
        .target
        .adapter
        .other("main_sql")
        .and_then(|field| field.raw_value.as_str())
        .ok_or("the target has no main_sql")?;
    Ok(ferry_model::scheme::sql::parse_main_sql(main_sql)?.columns)
}

/// Keys of the scheme's ledger records with `status`.
async fn ledger(
    store: &dyn Store,
    scheme: &str,
    status: RecordStatus,
) -> Result<BTreeSet<String>, String> {
    let filter = RecordFilter {
        status: Some(status),
        key: None,
    };
    let mut keys = BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .records(scheme, &filter, after.as_deref(), 1000)
            .await
            .map_err(|error| error.to_string())?;
        let Some(last) = page.last() else {
            return Ok(keys);
        };
        after = Some(last.key.clone());
        keys.extend(page.into_iter().map(|record| record.key));
    }
}

fn same_keys(actual: BTreeSet<String>, expected: BTreeSet<String>) -> Result<(), String> {
    if actual == expected {
        return Ok(());
    }
    let missing = expected.difference(&actual).count();
    let extra = actual.difference(&expected).count();
    Err(format!("{missing} records missing, {extra} unexpected"))
}

/// Seed 000: every selected trade with a 线上单号 set 销售出库 (78538 = 78534) on its task;
/// the trades without one failed with the lookup's reason.
async fn banniu_updates(scheme: &Scheme, sims: &Sims, store: &dyn Store) -> Result<(), String> {
    let tasks: BTreeMap<String, BTreeMap<String, Value>> = sims
        .banniu_tasks
        .tasks()
        .into_iter()
        .filter_map(|task| {
            Some((
                task.content.get("77213")?.as_str()?.to_owned(),
                task.content,
            ))
        })
        .collect();
    let mut without_number = BTreeSet::new();
    for trade in selected_trades(&sims.jackyun) {
        let number = trade["onlineTradeNo"].as_str().unwrap_or_default();
        if number.is_empty() {
            without_number.insert(trade["tradeNo"].as_str().unwrap_or_default().to_owned());
            continue;
        }
        let updated = tasks
            .get(number)
            .and_then(|content| content.get("78538"))
            .is_some_and(|value| value == "78534" || value == 78534);
        if !updated {
            return Err(format!("the task of 线上单号 {number} was not updated"));
        }
    }
    same_keys(
        ledger(store, &scheme.name, RecordStatus::Failed).await?,
        without_number,
    )
}

/// Seed 003: one Kingdee customer per invoice title the seed selects, with the mapped fields.
fn kingdee_customers(scheme: &Scheme, sims: &Sims, vars: &RunVars) -> Result<(), String> {
    let selected = truth(&sims.wdt, |stockout| {
        [95, 105, 110, 113].contains(&stockout["status"].as_u64().unwrap_or_default())
            && ["002", "003", "004", "0071"]
                .contains(&stockout["shop_no"].as_str().unwrap_or_default())
    });
    let expected = expected_rows(scheme, &selected, vars, Some("modified"))?;
    let saved: BTreeMap<String, serde_json::Map<String, Value>> = sims
        .kingdee_control
        .records("BD_Customer")
        .into_iter()
        .filter_map(|record| {
            Some((
                record.fields.get("FName")?.as_str()?.to_owned(),
                record.fields,
            ))
        })
        .collect();
    same_keys(
        saved.keys().cloned().collect(),
        expected.keys().cloned().collect(),
    )?;
    for (name, fields) in &expected {
        for field in ["FGroup", "FCreateOrgId", "FUseOrgId", "FTRADINGCURRID"] {
            if saved[name].get(field) != fields.get(field) {
                return Err(format!("customer {name}: {field} differs"));
            }
        }
    }
    Ok(())
}

/// Every row of `table`, values as text in `columns` order.
async fn read_rows(
    url: &str,
    table: &str,
    columns: &[String],
) -> Result<Vec<Vec<Option<String>>>, String> {
    let error = |error: sqlx::Error| format!("cannot read {table}: {error}");
    let scheme = url.split(':').next().unwrap_or_default();
    let cast = |template: &str| -> String {
        let list: Vec<String> = columns.iter().map(|c| template.replace("{}", c)).collect();
        format!("SELECT {} FROM {table}", list.join(","))
    };
    let rows: Vec<Vec<Option<String>>> = match scheme {
        "mysql" | "mariadb" => {
            let pool = sqlx::MySqlPool::connect(url).await.map_err(error)?;
            let sql = sqlx::AssertSqlSafe(cast("CAST({} AS CHAR)"));
            let rows = sqlx::query(sql).fetch_all(&pool).await.map_err(error)?;
            pool.close().await;
            rows.iter()
                .map(|row| (0..columns.len()).map(|i| row.get(i)).collect())
                .collect()
        }
        "postgres" | "postgresql" => {
            let pool = sqlx::PgPool::connect(url).await.map_err(error)?;
            let sql = sqlx::AssertSqlSafe(cast("{}::text"));
            let rows = sqlx::query(sql).fetch_all(&pool).await.map_err(error)?;
            pool.close().await;
            rows.iter()
                .map(|row| (0..columns.len()).map(|i| row.get(i)).collect())
                .collect()
        }
        _ => {
            let pool = sqlx::SqlitePool::connect(url).await.map_err(error)?;
            let sql = sqlx::AssertSqlSafe(cast("{}"));
            let rows = sqlx::query(sql).fetch_all(&pool).await.map_err(error)?;
            pool.close().await;
            rows.iter()
                .map(|row| (0..columns.len()).map(|i| row.get(i)).collect())
                .collect()
        }
    };
    Ok(rows)
}
