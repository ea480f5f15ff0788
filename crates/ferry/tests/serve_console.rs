//! Issue 8's acceptance as one end-to-end test: the real `ferry serve` binary on three schemes
//! scheduled every 2 seconds into SQLite — seed 002 (Jushuitan) and seed 004 (WDT flagship) on
//! simulators, plus a copy of seed 002 whose connection points at a closed port — with a
//! signed DingTalk robot on a local receiver. Both good schemes run on schedule; headless
//! Chromium opens the console with `?token=` and shows the schemes and the record the target
//! refused (exact text); once the cause is gone the console's Retry button writes it, the target
//! equals the ground truth, `/metrics` ledger counts equal the ledger's, and the receiver got
//! exactly one DingTalk message, naming the broken scheme, although it failed at least 3 times.
//! The screenshot goes to `<target dir>/serve-console-screenshot.png`.

mod browser;
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::routing::post;
use browser::{ChromeDriver, WAIT, save_screenshot, texts, wait_texts};
use common::serve::{
    self, assert_metrics_match_ledger, edit_scheme, json, scheme_view, target_sql, wait_for,
};
use common::{Seed, assert_same, expected};
use fantoccini::Locator;
use ferry_sim::{ModifiedRange, Platform};
use serde_json::{Value, json};

const TOKEN: &str = "e2e-console-token";
const JST: &str = "jst-orders-to-mysql";
const WDT: &str = "wdt-refunds-to-mysql";
const BROKEN: &str = "jst-orders-broken";
const EVERY_2S: &str = "*/2 * * * * *";
/// What the ledger and the console say about the record the SQLite trigger refuses.
const REFUSED: &str = "SQLite error 1811: refused by the test";
/// A run within this long of its schedule; the first runs reach from 2024 to now.
const RUN_WAIT: Duration = Duration::from_secs(30);

/// What the robot receiver got: each POST's query string and JSON body.
type Received = Arc<Mutex<Vec<(Option<String>, Value)>>>;

/// A DingTalk robot on a free local port answering `{"errcode":0}`; returns its URL.
async fn robot() -> (String, Received) {
    let received = Received::default();
    let app = Router::new()
        .route(
            "/robot/send",
            post(
                |State(received): State<Received>,
                 RawQuery(query): RawQuery,
                 Json(body): Json<Value>| async move {
                    received.lock().unwrap().push((query, body));
                    Json(json!({"errcode": 0, "errmsg": "ok"}))
                },
            ),
        )
        .with_state(Arc::clone(&received));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (
        format!("http://{address}/robot/send?access_token=robot-token"),
        received,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_console_retries_in_chromium_and_a_broken_scheme_alerts_once() {
    browser::require_chromium();
    let jst = common::simulator(Platform::Jushuitan, 5, 60).await;
    let wdt = common::simulator(Platform::WdtFlagship, 6, 30).await;
    let (robot_url, received) = robot().await;

    let (ws, wdt_seed) = serve::two_seed_workspace(&jst.base_url(), &wdt.base_url()).await;
    // ... plus a copy of seed 002 on a connection nobody listens at (no retries), and the robot.
    let broken_path = ws.root.join("schemes/002_jst_orders_broken.json");
    std::fs::copy(ws.root.join(ws.seed.path()), &broken_path).unwrap();
    edit_scheme(&broken_path, |scheme| {
        scheme["name"] = json!(BROKEN);
        scheme["source"]["connection"] = json!("jst_broken");
    });
    let broken_connection = Seed::jushuitan("http://127.0.0.1:1", "qimensecret")
        .source
        .replace("[connections.jst]", "[connections.jst_broken]")
        .replace("max_retries = 10", "max_retries = 0");
    let config = std::fs::read_to_string(ws.root.join("ferry.toml")).unwrap();
    std::fs::write(
        ws.root.join("ferry.toml"),
        format!(
            "{config}\n{}rate = \"1000/s\"\n\n{broken_connection}\n[server]\ntoken = \"{TOKEN}\"\n\n\
             [[alerts]]\nkind = \"dingtalk\"\nurl = \"{robot_url}\"\nsecret = \"SECrobot\"\n\
             on = [\"run_failed\"]\n",
            wdt_seed.source
        ),
    )
    .unwrap();
    for path in [ws.seed.path(), wdt_seed.path()] {
        edit_scheme(&ws.root.join(path), |scheme| {
            scheme["schedule"] = json!(EVERY_2S);
        });
    }
    edit_scheme(&broken_path, |scheme| scheme["schedule"] = json!(EVERY_2S));

    let truth = jst.simulator().ground_truth(ModifiedRange::default());
    let expected = expected(&ws.scheme(), &truth);
    let refused = expected.keys().next().unwrap().clone();
    serve::refuse_order(&ws, &refused).await;

    let server = serve::Server::start(&ws).await;
    let addr = server.addr.clone();
    assert!(
        server.banner.starts_with("ferry serve: 3 scheme(s)"),
        "{}",
        server.banner
    );

    // Both good schemes run on schedule; the refused record is failed, everything else written.
    let list = wait_for(&addr, TOKEN, "/api/schemes", |list| {
        list.as_array().is_some_and(|views| views.len() == 3)
            && [JST, WDT].iter().all(|name| {
                let view = scheme_view(list, name);
                view["last_run"]["status"] == "succeeded" && view["counts"]["pending"] == 0
            })
    })
    .await;
    for name in [JST, WDT] {
        let (status, runs) = json(&addr, TOKEN, "GET", &format!("/api/schemes/{name}/runs")).await;
        assert_eq!(status, 200);
        let runs = runs.as_array().unwrap();
        assert!(
            !runs.is_empty() && runs.iter().all(|run| run["kind"] == "scheduled"),
            "{runs:#?}"
        );
    }
    assert_eq!(scheme_view(&list, JST)["counts"]["failed"], 1, "{list:#}");
    let (_, failed) = json(
        &addr,
        TOKEN,
        "GET",
        &format!("/api/schemes/{JST}/records?status=failed"),
    )
    .await;
    let failed = failed.as_array().unwrap().clone();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0]["key"], json!(refused));
    let error = failed[0]["error"].as_str().unwrap().to_owned();
    assert_eq!(error, REFUSED);

    // The console, signed in by `?token=`, lists the three schemes with their failed counts.
    let driver = ChromeDriver::start();
    let user_data = tempfile::tempdir().unwrap();
    let client = driver.connect(user_data.path()).await;
    client
        .goto(&format!("http://{addr}/?token={TOKEN}"))
        .await
        .unwrap();
    let rows = "#schemes tr[data-scheme]";
    let names = wait_texts(&client, &format!("{rows} td.name"), WAIT, |texts| {
        texts.len() == 3
    })
    .await;
    let counts = texts(&client, &format!("{rows} td.failed-count")).await;
    let mut shown: Vec<(String, String)> = names.into_iter().zip(counts).collect();
    shown.sort();
    let expected_rows = [(BROKEN, "0"), (JST, "1"), (WDT, "0")]
        .map(|(name, count)| (name.to_owned(), count.to_owned()));
    assert_eq!(shown, expected_rows);

    // The scheme page shows the refused record with the target's message, exactly.
    client
        .goto(&format!("http://{addr}/#/schemes/{JST}"))
        .await
        .unwrap();
    let failed_rows = "#failed tbody tr[data-key]";
    let keys = wait_texts(&client, &format!("{failed_rows} td.key"), WAIT, |texts| {
        !texts.is_empty()
    })
    .await;
    assert_eq!(keys, [refused.as_str()]);
    let messages = texts(&client, &format!("{failed_rows} td.error-text")).await;
    assert_eq!(messages, [REFUSED]);
    assert_eq!(
        texts(&client, "#failed-section h2").await,
        ["Failed records (1)"]
    );
    save_screenshot(&client, "serve-console-screenshot.png").await;

    // The cause goes; the console pauses the schedule (so no scheduled run holds the scheme)
    // and its Retry button writes the record.
    target_sql(&ws, "DROP TRIGGER refuse_one".to_owned()).await;
    click(&client, "#pause").await;
    wait_for(&addr, TOKEN, &format!("/api/schemes/{JST}"), |view| {
        view["paused"] == true && view["running"].is_null()
    })
    .await;
    wait_texts(&client, "#resume", WAIT, |texts| texts == ["Resume"]).await;
    click(&client, "#retry").await;
    // The pause's flash shows until the retry's answer replaces it.
    let flash = wait_texts(&client, "#flash", WAIT, |texts| {
        texts.iter().any(|text| text.starts_with("retry: "))
    })
    .await;
    assert_eq!(flash, ["retry: started"]);
    wait_texts(&client, "#failed-section h2", RUN_WAIT, |texts| {
        texts == ["Failed records (0)"]
    })
    .await;
    assert_eq!(
        texts(&client, "#failed tbody tr td").await,
        ["No failed records."]
    );
    let view = wait_for(&addr, TOKEN, &format!("/api/schemes/{JST}"), |view| {
        view["last_run"]["kind"] == "retry" && view["last_run"]["status"] == "succeeded"
    })
    .await;
    assert_eq!(
        (&view["counts"]["failed"], &view["counts"]["pending"]),
        (&json!(0), &json!(0)),
        "{view:#}"
    );
    assert_same(&ws.actual().await, &expected, "after the console's retry");
    client.close().await.unwrap();

    // The broken scheme fails on every schedule; wait for three failed runs.
    let runs = wait_for(
        &addr,
        TOKEN,
        &format!("/api/schemes/{BROKEN}/runs"),
        |runs| {
            runs.as_array().is_some_and(|runs| {
                runs.iter().filter(|run| run["status"] == "failed").count() >= 3
            })
        },
    )
    .await;
    assert!(
        runs.as_array()
            .unwrap()
            .iter()
            .all(|run| run["status"] != "succeeded"),
        "{runs:#}"
    );

    // /metrics reports exactly what the ledger holds.
    let store = ferry_store::connect(&format!("sqlite://{}", ws.root.join("ferry.db").display()))
        .await
        .unwrap();
    assert_metrics_match_ledger(&addr, TOKEN, store.as_ref(), &[JST, WDT, BROKEN]).await;
    let jst_counts = store.counts(JST).await.unwrap();
    assert_eq!(
        (jst_counts.written, jst_counts.failed),
        (expected.len() as u64, 0)
    );
    store.close().await;

    // Exactly one alert: DingTalk's signed markdown, naming the broken scheme.
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "{received:#?}");
    let (query, body) = &received[0];
    let query = query.as_deref().unwrap_or_default();
    let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let keys: Vec<&str> = params.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(keys, ["access_token", "timestamp", "sign"], "{query}");
    assert!(params.iter().all(|(_, value)| !value.is_empty()), "{query}");
    assert_eq!(body["msgtype"], "markdown", "{body:#}");
    let title = body["markdown"]["title"].as_str().unwrap();
    let text = body["markdown"]["text"].as_str().unwrap();
    assert!(title.contains(BROKEN), "{body:#}");
    assert!(
        text.contains(&format!("- **Scheme:** {BROKEN}\n")),
        "{body:#}"
    );

    // SIGTERM: graceful stop, exit 0, no secret in the logs.
    let stderr = server.terminate().await;
    for secret in [TOKEN, "qimensecret", "SECrobot", "robot-token"] {
        assert!(!stderr.contains(secret), "{secret} logged:\n{stderr}");
    }
}

/// Clicks the element `selector` once it is on the page and enabled; tries again while the
/// auto-refresh replaces it between finding and clicking.
async fn click(client: &fantoccini::Client, selector: &str) {
    let enabled = format!("{selector}:not([disabled])");
    let started = std::time::Instant::now();
    loop {
        let button = client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(&enabled))
            .await
            .unwrap_or_else(|error| panic!("no enabled `{selector}`: {error}"));
        match button.click().await {
            Ok(_) => return,
            Err(error) if started.elapsed() > WAIT => panic!("cannot click `{selector}`: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}
