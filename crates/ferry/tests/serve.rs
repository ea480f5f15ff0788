//! `ferry serve` end to end: seeds 002 (Jushuitan) and 004 (WDT flagship) on simulators into
//! SQLite, both scheduled every 2 seconds. Their runs happen on schedule and show in the API;
//! `/metrics` counts equal the ledger's; a record the target refuses is failed, and after the
//! cause is gone `POST /retry` writes it; SIGTERM stops the server with exit 0.

mod common;

use std::time::Duration;

use common::serve::{self, sample, scheme_view as scheme, target_sql};
use common::{Seed, TargetDb, Workspace, expected};
use ferry_sim::{ModifiedRange, Platform};
use serde_json::Value;

const TOKEN: &str = "e2e-token";
const JST: &str = "jst-orders-to-mysql";
const EVERY_2S: &str = "*/2 * * * * *";

async fn http(addr: &str, method: &str, path: &str) -> (u16, String) {
    serve::http(addr, TOKEN, method, path).await
}

async fn json(addr: &str, method: &str, path: &str) -> (u16, Value) {
    serve::json(addr, TOKEN, method, path).await
}

async fn wait_for(addr: &str, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    serve::wait_for(addr, TOKEN, path, done).await
}

/// Sets the scheme file's `schedule`.
fn schedule(path: &std::path::Path, cron: &str) {
    serve::edit_scheme(path, |scheme| {
        scheme["schedule"] = Value::String(cron.to_owned());
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_runs_schemes_on_schedule_and_answers_the_api() {
    let jst = common::simulator(Platform::Jushuitan, 5, 60).await;
    let wdt = common::simulator(Platform::WdtFlagship, 6, 30).await;
    let (ws, wdt_seed) = serve::two_seed_workspace(&jst.base_url(), &wdt.base_url()).await;
    let config = std::fs::read_to_string(ws.root.join("ferry.toml")).unwrap();
    std::fs::write(
        ws.root.join("ferry.toml"),
        format!(
            "{config}\n{}rate = \"1000/s\"\n\n[server]\ntoken = \"{TOKEN}\"\n",
            wdt_seed.source
        ),
    )
    .unwrap();
    schedule(&ws.root.join(ws.seed.path()), EVERY_2S);
    schedule(&ws.root.join(wdt_seed.path()), EVERY_2S);

    let truth = jst.simulator().ground_truth(ModifiedRange::default());
    let expected = expected(&ws.scheme(), &truth);
    let refused = expected.keys().next().unwrap().clone();
    serve::refuse_order(&ws, &refused).await;

    let server = serve::Server::start(&ws).await;
    let addr = server.addr.clone();
    assert!(
        server.banner.starts_with("ferry serve: 2 scheme(s)"),
        "{}",
        server.banner
    );

    // Both run on schedule; the refused record is failed, everything else written.
    let list = wait_for(&addr, "/api/schemes", |list| {
        list.as_array().is_some_and(|views| {
            views.len() == 2
                && views.iter().all(|view| {
                    view["last_run"]["status"] == "succeeded" && view["counts"]["pending"] == 0
                })
        })
    })
    .await;
    let jst_view = scheme(&list, JST);
    assert_eq!(jst_view["counts"]["failed"], 1, "{jst_view:#}");
    assert_eq!(jst_view["schedule"], EVERY_2S);
    assert!(jst_view["next_run"].as_i64().is_some(), "{jst_view:#}");
    let (status, runs) = json(&addr, "GET", &format!("/api/schemes/{JST}/runs")).await;
    assert_eq!(status, 200);
    assert!(
        runs.as_array()
            .unwrap()
            .iter()
            .all(|run| run["kind"] == "scheduled"),
        "{runs:#}"
    );
    let (_, failed) = json(
        &addr,
        "GET",
        &format!("/api/schemes/{JST}/records?status=failed"),
    )
    .await;
    assert_eq!(failed.as_array().unwrap().len(), 1, "{failed:#}");
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .contains("refused by the test"),
        "{failed:#}"
    );

    // /metrics reports exactly what the ledger holds.
    let store = ferry_store::connect(&format!("sqlite://{}", ws.root.join("ferry.db").display()))
        .await
        .unwrap();
    let (status, metrics) = http(&addr, "GET", "/metrics").await;
    assert_eq!(status, 200);
    for view in list.as_array().unwrap() {
        let name = view["name"].as_str().unwrap();
        let counts = store.counts(name).await.unwrap();
        for (status, count) in [
            ("pending", counts.pending),
            ("written", counts.written),
            ("failed", counts.failed),
            ("skipped", counts.skipped),
        ] {
            let labels = format!("scheme=\"{name}\",status=\"{status}\"");
            assert_eq!(
                sample(&metrics, "ferry_ledger_records", &labels),
                Some(count as f64),
                "{labels}\n{metrics}"
            );
        }
        let succeeded = format!("scheme=\"{name}\",kind=\"scheduled\",status=\"succeeded\"");
        assert!(
            sample(&metrics, "ferry_runs_total", &succeeded).unwrap_or(0.0) >= 1.0,
            "{metrics}"
        );
    }

    // Once the target accepts the record again, a retry writes it.
    target_sql(&ws, "DROP TRIGGER refuse_one".to_owned()).await;
    let (status, view) = json(&addr, "POST", &format!("/api/schemes/{JST}/pause")).await;
    assert_eq!((status, &view["paused"]), (200, &Value::Bool(true)));
    let mut triggered = Value::Null;
    for _ in 0..300 {
        let (status, body) = json(&addr, "POST", &format!("/api/schemes/{JST}/retry")).await;
        assert_eq!(status, 202, "{body}");
        triggered = body;
        if triggered["triggered"] == "started" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(triggered["triggered"], "started");
    let view = wait_for(&addr, &format!("/api/schemes/{JST}"), |view| {
        view["last_run"]["kind"] == "retry" && view["last_run"]["status"] == "succeeded"
    })
    .await;
    assert_eq!(view["counts"]["failed"], 0, "{view:#}");
    assert_eq!(view["counts"]["pending"], 0, "{view:#}");
    assert_eq!(ws.actual().await.len(), expected.len());
    assert!(ws.actual().await.contains_key(&refused));
    store.close().await;

    // SIGTERM: graceful stop, exit 0.
    let stderr = server.terminate().await;
    assert!(
        !stderr.contains(TOKEN) && !stderr.contains("qimensecret"),
        "{stderr}"
    );
}

#[tokio::test]
async fn serve_refuses_a_public_address_without_a_token() {
    let ws =
        Workspace::for_seed(Seed::jushuitan("http://127.0.0.1:1", "s"), TargetDb::Sqlite).await;
    let output = ws
        .ferry(&["serve", "--listen", "0.0.0.0:0"])
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`0.0.0.0:0`") && stderr.contains("token"),
        "{stderr}"
    );
}
