//! `ferry run`, `status`, `records`, `retry` as a user runs them: seed 002 against the
//! Jushuitan simulator into SQLite (the same engine path as MariaDB; the MariaDB path is the
//! crash test's), and a MariaDB run's debug logs.

mod common;

use common::{TargetDb, Workspace, assert_same, expected};
use ferry_sim::{ModifiedRange, Platform, SimBuilder};
use serde_json::Value;

async fn json_of(command: &mut tokio::process::Command) -> (Option<i32>, Value, String) {
    let output = command.output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{error}: {}\n{stderr}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (output.status.code(), value, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_then_rerun_then_status() {
    let sim = common::simulator(Platform::Jushuitan, 3, 400).await;
    let ws = Workspace::new(&sim.base_url(), TargetDb::Sqlite, "qimensecret").await;
    let truth = sim.simulator().ground_truth(ModifiedRange::default());
    let expected = expected(&ws.scheme(), &truth);

    let (code, report, stderr) = json_of(&mut ws.run(&["--json"])).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(report["outcome"]["status"], "succeeded");
    assert_eq!(report["stats"]["written"], expected.len() as u64);
    assert_eq!(report["stats"]["failed"], 0);
    assert_eq!(report["windows"].as_array().unwrap().len(), 5);
    assert_eq!(report["windows"][0]["from"], "2024-01-01 00:00:00");
    assert_same(&ws.actual().await, &expected, "first run");

    // Re-run over the whole range: idCheck finds every record unchanged.
    let (code, report, stderr) = json_of(&mut ws.run(&["--json", "--from", "2024-01-01"])).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(report["stats"]["written"], 0, "{report:#}");
    assert_eq!(report["stats"]["skipped"], expected.len() as u64);

    let (code, status, _) = json_of(&mut ws.ferry(&["status", common::SCHEME, "--json"])).await;
    assert_eq!(code, Some(0));
    assert_eq!(status[0]["counts"]["written"], expected.len() as u64);
    assert_eq!(status[0]["counts"]["failed"], 0);
    assert_eq!(status[0]["checkpoint"], 1_706_716_800);
    assert_eq!(status[0]["runs"].as_array().unwrap().len(), 2);

    let (code, failed, _) = json_of(&mut ws.ferry(&[
        "records",
        "jst-orders-to-mysql",
        "--status",
        "failed",
        "--json",
    ]))
    .await;
    assert_eq!(code, Some(0));
    assert_eq!(failed, Value::Array(Vec::new()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_fails_the_run_naming_the_connection() {
    let sim = SimBuilder::new(Platform::Jushuitan)
        .orders(50)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let ws = Workspace::new(&sim.base_url(), TargetDb::Sqlite, "not-the-secret").await;
    let output = ws.run(&[]).output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("source `jst`"), "{stderr}");
    assert!(stderr.contains("signature rejected"), "{stderr}");
    assert!(
        !stderr.contains("not-the-secret"),
        "the secret leaked: {stderr}"
    );
    assert_eq!(ws.actual().await.len(), 0);
}

/// sqlx logs every statement's whole text by default (debug level; slow ones at warn): a
/// 1000-row `REPLACE` is over 100 KB, written synchronously to stderr by the task holding the
/// target transaction, so a slow stderr reader stalled runs with their transactions open (the
/// chaos test's old hang). ferry logs one bounded line per batch instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_logs_carry_no_statement_text_and_stay_line_sized() {
    let sim = common::simulator(Platform::Jushuitan, 3, 600).await;
    let database = format!("ferry_logs_{}", std::process::id());
    let ws = Workspace::new(&sim.base_url(), TargetDb::Mysql(database), "qimensecret").await;
    let output = ws
        .run(&[])
        .env("FERRY_LOG", "debug")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("sql batch written"), "{stderr}");
    let longest = stderr.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 2_000, "a log line of {longest} bytes");
    // sqlx's events (target `sqlx::query`) carry statement text; ferry's own never do.
    for statement in ["sqlx::query", "INSERT INTO ledger_records", "SAVEPOINT"] {
        let line = stderr.lines().find(|line| line.contains(statement));
        assert!(line.is_none(), "`{statement}` in the logs: {line:?}");
    }
    let truth = sim.simulator().ground_truth(ModifiedRange::default());
    assert_same(
        &ws.actual().await,
        &expected(&ws.scheme(), &truth),
        "debug run",
    );
    ws.cleanup().await;
}
