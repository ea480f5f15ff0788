//! Bad input through the CLI, as a user meets it.
//!
//! 1. Every malformed scheme and config of the model corpus (crates/ferry-model/tests/corpus)
//!    goes through `ferry validate`: exit 2, and stderr names the file with `file:line:col`.
//! 2. Hostile record values go through a full `ferry run` into MariaDB, served by a stand-in
//!    Jushuitan gateway that replies with exactly the bytes the test wrote: SQL
//!    metacharacters, a 60 000-byte string, a 64 KiB string (longer than the TEXT column),
//!    "NaN"/"1e999"/"-Infinity" strings, a lone UTF-16 surrogate escape (`\udc80`), a number
//!    out of range (`1e999`) and 200 levels of nesting. Each value either lands byte for byte
//!    or fails its own record with a reason (the last two: the field's path and why), and the
//!    rest of the page lands.

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::{Seed, TargetDb, Workspace, assert_same, expected};
use ferry_sim::{ModifiedRange, Platform, SimBuilder};
use serde_json::{Value, json};
use sqlx::Row as _;

fn corpus() -> PathBuf {
    common::repo().join("crates/ferry-model/tests/corpus")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Runs `ferry validate ARGS` the way the corpus test loads files (FERRY_CORPUS_SET is the
/// one variable the corpus config may use).
fn validate(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .env("FERRY_CORPUS_SET", "set")
        .env_remove("FERRY_CORPUS_UNSET")
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Whether `stderr` has `NAME:LINE:COL: error` for the file named `name`.
fn has_position(stderr: &str, name: &str) -> bool {
    stderr.lines().any(|line| {
        let Some(rest) = line.split_once(name).map(|(_, rest)| rest) else {
            return false;
        };
        let mut parts = rest.splitn(4, ':');
        parts.next() == Some("")
            && parts
                .next()
                .is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n > 0))
            && parts
                .next()
                .is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n > 0))
            && parts.next().is_some_and(|m| m.starts_with(" error"))
    })
}

#[test]
fn every_malformed_scheme_and_config_is_rejected_with_exit_2_and_a_position() {
    let config = corpus().join("ferry.toml");
    let config = config.to_str().unwrap();
    let mut checked = 0;
    for scheme in files(&corpus().join("schemes")) {
        let path = scheme.to_str().unwrap();
        let (code, stderr) = validate(&["--config", config, "validate", path]);
        assert_eq!(code, Some(2), "{path}: {stderr}");
        let name = scheme.file_name().unwrap().to_str().unwrap();
        assert!(has_position(&stderr, name), "{path}: {stderr}");
        checked += 1;
    }
    for config in files(&corpus().join("configs")) {
        let path = config.to_str().unwrap();
        let (code, stderr) = validate(&["--config", path, "validate"]);
        assert_eq!(code, Some(2), "{path}: {stderr}");
        let name = config.file_name().unwrap().to_str().unwrap();
        assert!(has_position(&stderr, name), "{path}: {stderr}");
        checked += 1;
    }
    assert!(checked >= 50, "the corpus holds {checked} files");
    eprintln!("bad input: {checked} malformed schemes and configs rejected with positions");
}

/// One day's orders as the raw text of a JSON array.
struct Page {
    day: String,
    orders: String,
    count: usize,
}

/// A stand-in for the Qimen gateway of Jushuitan: every order list request gets the page of
/// the day its `start_time` names, as raw JSON text, on one page.
fn serve_pages(pages: Vec<Page>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let pages = Arc::new(pages);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let pages = Arc::clone(&pages);
            std::thread::spawn(move || answer(stream, &pages));
        }
    });
    format!("http://{address}")
}

fn answer(mut stream: std::net::TcpStream, pages: &[Page]) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        if header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let query = request_line
        .split_whitespace()
        .nth(1)
        .and_then(|target| target.split_once('?'))
        .map(|(_, query)| query.to_owned())
        .unwrap_or_default();
    let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .chain(form_urlencoded::parse(&body))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let day = param("start_time").chars().take(10).collect::<String>();
    let first_page = param("page_index") == "1";
    let (orders, count) = pages
        .iter()
        .find(|page| page.day == day && first_page)
        .map_or(("[]", 0), |page| (page.orders.as_str(), page.count));
    let body = format!(
        r#"{{"response":{{"code":0,"issuccess":true,"msg":"执行成功","page_size":100,"page_index":1,"data_count":{count},"page_count":1,"has_next":false,"orders":{orders},"request_id":"r1"}}}}"#
    );
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// 2024-01-10 00:00:00 Beijing time.
const DAY_10: i64 = 1_704_816_000;
const DAY: i64 = 86_400;

/// Orders of the simulator modified on the day starting at `from` that seed 002 keeps (its
/// conditions filter some out).
fn orders_of_day(scheme: &ferry_model::Scheme, from: i64) -> Vec<Value> {
    let simulator = SimBuilder::new(Platform::Jushuitan)
        .seed(31)
        .orders(900)
        .build()
        .unwrap();
    simulator
        .ground_truth(ModifiedRange {
            from: Some(from),
            to: Some(from + DAY),
        })
        .into_iter()
        .filter(|order| !expected(scheme, std::slice::from_ref(order)).is_empty())
        .collect()
}

/// `orders` as JSON text with each `"@@NAME@@"` placeholder (inside a string or as a whole
/// string) replaced by raw text.
fn raw_text(orders: &[Value], raw: &[(&str, &str)]) -> String {
    let mut text = serde_json::to_string(orders).unwrap();
    for (name, replacement) in raw {
        text = text.replace(name, replacement);
    }
    text
}

/// `ferry run` of the workspace's scheme over `[from, to)`.
fn run_between(ws: &Workspace, from: &str, to: &str) -> tokio::process::Command {
    let scheme = ws.seed.path();
    ws.ferry(&["run", &scheme, "--from", from, "--to", to])
}

/// `ferry run` of the workspace's scheme over `[from, to)`, which must exit 0.
async fn run_succeeds(ws: &Workspace, from: &str, to: &str) {
    let output = run_between(ws, from, to).output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

async fn ledger(ws: &Workspace, sql: &str) -> Vec<(String, Option<String>)> {
    let url = format!("sqlite://{}?mode=ro", ws.root.join("ferry.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows.iter().map(|row| (row.get(0), row.get(1))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_values_land_byte_for_byte_or_fail_alone_with_a_reason() {
    // The workspace first points at a placeholder; its scheme is what selects the orders.
    let database = format!("ferry_hostile_{}", std::process::id());
    let probe = Workspace::new("http://127.0.0.1:9", TargetDb::Sqlite, "s").await;
    let scheme = probe.scheme();
    let mut day_10 = orders_of_day(&scheme, DAY_10);
    let mut day_11 = orders_of_day(&scheme, DAY_10 + DAY);
    assert!(day_10.len() >= 7 && day_11.len() >= 3);
    day_10.truncate(7);
    day_11.truncate(3);

    // Day 10: values ferry must carry byte for byte, or fail alone.
    day_10[0]["buyer_message"] = json!("O'Brien'); DROP TABLE order_list_query; -- \\ \" ` %_ \0");
    day_10[0]["remark"] = json!("Robert\"); DELETE FROM order_list_query; --");
    day_10[1]["remark"] = json!("长".repeat(20_000));
    day_10[2]["remark"] = json!("x".repeat(65_536));
    day_10[3]["buyer_message"] = json!("lone @@LONE@@ surrogate, pair @@PAIR@@");
    day_10[4]["pay_amount"] = json!("NaN");
    day_10[4]["freight"] = json!("1e999");
    day_10[4]["paid_amount"] = json!("-Infinity");
    let too_long = format!("{}-", day_10[2]["o_id"].to_string().trim_matches('"'));
    let too_long_rows = expected(&scheme, std::slice::from_ref(&day_10[2])).len();
    let day_10_text = raw_text(
        &day_10,
        &[("@@LONE@@", "\\udc80"), ("@@PAIR@@", "\\ud83d\\ude00")],
    );
    // What the target must hold: the surrogate pair decoded, the lone half replaced by
    // U+FFFD, the over-long remark nowhere.
    day_10[3]["buyer_message"] = json!("lone \u{fffd} surrogate, pair \u{1f600}");
    let landing: Vec<Value> = day_10
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != 2)
        .map(|(_, order)| order.clone())
        .collect();

    // Day 11: well-formed JSON holding values no JSON model of ferry can carry.
    day_11[0]["pay_amount"] = json!("@@HUGE@@");
    day_11[1]["extra"] = json!("@@DEEP@@");
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let day_11_text = raw_text(
        &day_11,
        &[("\"@@HUGE@@\"", "1e999"), ("\"@@DEEP@@\"", &deep)],
    );
    let day_11_failing = expected(&scheme, &day_11[..2]).len();
    let base = serve_pages(vec![
        Page {
            day: "2024-01-10".to_owned(),
            orders: day_10_text,
            count: 7,
        },
        Page {
            day: "2024-01-11".to_owned(),
            orders: day_11_text,
            count: 3,
        },
    ]);
    let mut seed = Seed::jushuitan(&base, "qimensecret");
    seed.source = seed.source.replace("max_retries = 10", "max_retries = 1");
    let ws = Workspace::for_seed(seed, TargetDb::Mysql(database)).await;

    run_succeeds(&ws, "2024-01-10", "2024-01-11").await;
    let expected_rows = expected(&ws.scheme(), &landing);
    assert_same(&ws.actual().await, &expected_rows, "hostile values");
    let failed = ledger(
        &ws,
        "SELECT record_key, last_error FROM ledger_records WHERE status = 'failed'",
    )
    .await;
    // The rows of the order with the over-long remark, and only they, failed.
    assert_eq!(failed.len(), too_long_rows, "{failed:?}");
    for (key, reason) in &failed {
        assert!(key.starts_with(&too_long), "{key}");
        let reason = reason.clone().unwrap_or_default();
        assert!(
            reason.contains("remark"),
            "the reason names the column: {reason}"
        );
    }

    // Day 11: the two orders with unreadable values fail alone, naming the field and why;
    // the third lands.
    run_succeeds(&ws, "2024-01-11", "2024-01-12").await;
    let mut landed = landing.clone();
    landed.push(day_11[2].clone());
    assert_same(
        &ws.actual().await,
        &expected(&ws.scheme(), &landed),
        "after the day with unreadable values",
    );
    let failed = ledger(
        &ws,
        "SELECT record_key, last_error FROM ledger_records WHERE status = 'failed'",
    )
    .await;
    let unreadable: Vec<_> = failed
        .iter()
        .filter(|(key, _)| !key.starts_with(&too_long))
        .collect();
    assert_eq!(unreadable.len(), day_11_failing, "{failed:?}");
    let huge_key = day_11[0]["o_id"].to_string().trim_matches('"').to_owned();
    for (key, reason) in unreadable {
        let reason = reason.clone().unwrap_or_default();
        if key.starts_with(&format!("{huge_key}-")) {
            assert!(
                reason.starts_with(
                    "field `pay_amount`: number out of range (1e999) in the platform's reply; \
                     ferry cannot carry this value"
                ),
                "{key}: {reason}"
            );
        } else {
            // The path goes down the arrays to where the reply passes 127 levels.
            let path = reason
                .strip_prefix("field `extra")
                .and_then(|rest| rest.split_once("`: "))
                .map(|(path, why)| (path.replace("[0]", ""), why));
            assert_eq!(
                path.as_ref()
                    .map(|(rest, why)| (rest.as_str(), why.split(';').next())),
                Some((
                    "",
                    Some("nested more than 127 levels deep in the platform's reply")
                )),
                "{key}: {reason}"
            );
        }
    }
    let pending = ledger(
        &ws,
        "SELECT record_key, last_error FROM ledger_records WHERE status = 'pending'",
    )
    .await;
    assert!(pending.is_empty(), "{pending:?}");
    ws.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_far_larger_than_asked_for_lands_whole() {
    // ferry asks for 100 orders a page; this platform answers with 2 500 on the first page.
    let probe = Workspace::new("http://127.0.0.1:9", TargetDb::Sqlite, "s").await;
    let template = orders_of_day(&probe.scheme(), DAY_10);
    let orders: Vec<Value> = (0..2_500)
        .map(|index| {
            let mut order = template[index % template.len()].clone();
            order["o_id"] = json!(9_000_000 + index);
            order
        })
        .collect();
    let base = serve_pages(vec![Page {
        day: "2024-01-10".to_owned(),
        orders: serde_json::to_string(&orders).unwrap(),
        count: orders.len(),
    }]);
    let ws = Workspace::for_seed(Seed::jushuitan(&base, "qimensecret"), TargetDb::Sqlite).await;
    run_succeeds(&ws, "2024-01-10", "2024-01-11").await;
    let expected_rows = expected(&ws.scheme(), &orders);
    assert!(expected_rows.len() >= 2_500);
    assert_same(&ws.actual().await, &expected_rows, "one huge page");
}
