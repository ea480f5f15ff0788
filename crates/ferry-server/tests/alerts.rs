//! Alert robots against a local webhook receiver: exact bodies, DingTalk's signature, and
//! de-duplication (a broken scheme alerts once; after a recovery it alerts again).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::routing::post;
use axum::{Json, Router};
use ferry_engine::StatsSnapshot;
use ferry_engine::run::{RunOutcome, RunReport};
use ferry_engine::schedule::{Control, ControlError, RunEvent, SchemeState, Triggered};
use ferry_engine::windows::Window;
use ferry_model::config::{AlertConfig, AlertEvent, AlertKind};
use ferry_model::secret::Secret;
use ferry_server::alerts::{self, Alert};
use ferry_store::RunKind;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

/// A scheduler stand-in: the test sends the events.
struct FakeControl {
    events: broadcast::Sender<RunEvent>,
}

impl Control for FakeControl {
    fn schemes(&self) -> Vec<SchemeState> {
        Vec::new()
    }
    fn trigger(&self, scheme: &str, _: RunKind) -> Result<Triggered, ControlError> {
        Err(ControlError::UnknownScheme(scheme.to_owned()))
    }
    fn set_paused(&self, _: &str, _: bool) -> Result<(), ControlError> {
        Ok(())
    }
    fn subscribe(&self) -> broadcast::Receiver<RunEvent> {
        self.events.subscribe()
    }
}

/// What the receiver got: the query string and the JSON body of each POST.
type Received = mpsc::UnboundedReceiver<(Option<String>, Value)>;
/// Where the receiver puts what it got.
type Inbox = Arc<Mutex<mpsc::UnboundedSender<(Option<String>, Value)>>>;

/// A robot on a free local port answering `{"errcode":0}`; returns its URL.
async fn receiver() -> (String, Received) {
    let (sender, received) = mpsc::unbounded_channel();
    let sender = Arc::new(Mutex::new(sender));
    let app = Router::new()
        .route(
            "/robot/send",
            post(
                |State(sender): State<Inbox>,
                 RawQuery(query): RawQuery,
                 Json(body): Json<Value>| async move {
                    sender.lock().unwrap().send((query, body)).unwrap();
                    Json(json!({"errcode": 0, "errmsg": "ok"}))
                },
            ),
        )
        .with_state(sender);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (
        format!("http://{address}/robot/send?access_token=robot-token"),
        received,
    )
}

fn config(kind: AlertKind, url: &str, secret: Option<&str>) -> AlertConfig {
    AlertConfig {
        kind,
        url: Secret::new(url),
        secret: secret.map(Secret::new),
        on: vec![
            AlertEvent::RunFailed,
            AlertEvent::RecordFailed,
            AlertEvent::CheckpointLag,
        ],
        checkpoint_lag_secs: 3_600,
        repeat_after_secs: 3_600,
    }
}

fn alert() -> Alert {
    Alert {
        event: "run_failed",
        scheme: "jst-orders".to_owned(),
        message: "scheduled run 7 of `jst-orders` failed".to_owned(),
        run_id: Some(7),
        kind: Some("scheduled"),
        error: Some("source `jst`: timed out".to_owned()),
        action: "fix it".to_owned(),
        at: 1_700_000_000,
    }
}

const TEXT: &str = "### ferry: scheduled run 7 of `jst-orders` failed\n\n\
    - **Scheme:** jst-orders\n\
    - **What happened:** scheduled run 7 of `jst-orders` failed\n\
    - **Run:** 7\n\
    - **First error:** source `jst`: timed out\n\
    - **What to do:** fix it\n\
    - **At:** 2023-11-14 22:13:20 UTC\n";

#[test]
fn robot_bodies_are_exact() {
    assert_eq!(
        alerts::body(AlertKind::DingTalk, &alert()),
        json!({"msgtype": "markdown", "markdown": {
            "title": "ferry: scheduled run 7 of `jst-orders` failed", "text": TEXT}})
    );
    assert_eq!(
        alerts::body(AlertKind::WeCom, &alert()),
        json!({"msgtype": "markdown", "markdown": {"content": TEXT}})
    );
    assert_eq!(
        alerts::body(AlertKind::Webhook, &alert()),
        json!({"event": "run_failed", "scheme": "jst-orders",
               "message": "scheduled run 7 of `jst-orders` failed", "run_id": 7,
               "kind": "scheduled", "error": "source `jst`: timed out", "action": "fix it",
               "at": 1_700_000_000})
    );
}

#[test]
fn dingtalk_signature_matches_the_documented_algorithm() {
    // Computed independently: base64(HmacSHA256(secret, "1700000000000\nSECtest0123456789")).
    let sign = "yBKp5IlG6qCzcQWmgyRK%2FziJBdVNJmHfFE2ST%2FCzT%2Fg%3D";
    assert_eq!(
        alerts::dingtalk_sign(1_700_000_000_000, "SECtest0123456789"),
        sign
    );
    let signed = config(
        AlertKind::DingTalk,
        "https://oapi.dingtalk.com/robot/send?access_token=T",
        Some("SECtest0123456789"),
    );
    assert_eq!(
        alerts::signed_url(&signed, 1_700_000_000_000),
        format!(
            "https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000&sign={sign}"
        )
    );
    let unsigned = config(
        AlertKind::WeCom,
        "https://qyapi.weixin.qq.com/x?key=K",
        Some("S"),
    );
    assert_eq!(
        alerts::signed_url(&unsigned, 1),
        "https://qyapi.weixin.qq.com/x?key=K"
    );
    assert_eq!(
        alerts::display_url("https://oapi.dingtalk.com/robot/send?access_token=T"),
        "https://oapi.dingtalk.com/robot/send"
    );
}

fn not_started(scheme: &str) -> RunEvent {
    RunEvent::NotStarted {
        scheme: scheme.to_owned(),
        kind: RunKind::Scheduled,
        at: jiff::Timestamp::now().as_second(),
        error: "connection `jst`: cannot connect".to_owned(),
    }
}

fn succeeded(scheme: &str) -> RunEvent {
    RunEvent::Finished {
        scheme: scheme.to_owned(),
        kind: RunKind::Scheduled,
        at: jiff::Timestamp::now().as_second(),
        report: Arc::new(RunReport {
            run_id: 3,
            range: Window { from: 0, to: 10 },
            windows: Vec::new(),
            windows_planned: 1,
            checkpoint_before: None,
            checkpoint_after: Some(10),
            stats: StatsSnapshot::default(),
            outcome: RunOutcome::Succeeded,
        }),
    }
}

async fn next(received: &mut Received) -> (Option<String>, Value) {
    tokio::time::timeout(Duration::from_secs(30), received.recv())
        .await
        .expect("an alert within 30 s")
        .unwrap()
}

#[tokio::test]
async fn a_broken_scheme_alerts_once_until_it_recovers() {
    let (url, mut received) = receiver().await;
    let (events, _) = broadcast::channel(64);
    let control = Arc::new(FakeControl {
        events: events.clone(),
    });
    let store = ferry_store::connect("sqlite::memory:").await.unwrap();
    let shutdown = CancellationToken::new();
    let task = alerts::spawn(
        vec![config(AlertKind::DingTalk, &url, Some("SECtest0123456789"))],
        control,
        store,
        Arc::new(Vec::new()),
        shutdown.clone(),
    );
    for _ in 0..3 {
        events.send(not_started("broken")).unwrap();
    }
    // Events are handled in order: once the sentinel's alert arrives, the three failures
    // have been handled.
    events.send(not_started("sentinel-1")).unwrap();
    let (query, first) = next(&mut received).await;
    let query = query.unwrap();
    assert!(
        query.starts_with("access_token=robot-token&timestamp="),
        "{query}"
    );
    assert!(query.contains("&sign="), "{query}");
    assert_eq!(first["msgtype"], "markdown");
    assert_eq!(
        first["markdown"]["title"],
        "ferry: a scheduled run of `broken` could not start"
    );
    let text = first["markdown"]["text"].as_str().unwrap();
    assert!(
        text.contains("- **First error:** connection `jst`: cannot connect\n"),
        "{text}"
    );
    assert!(
        !text.contains("robot-token") && !text.contains("SECtest"),
        "{text}"
    );
    let (_, second) = next(&mut received).await;
    assert_eq!(
        second["markdown"]["title"],
        "ferry: a scheduled run of `sentinel-1` could not start"
    );

    // Recovery, then a new failure: alerted again.
    events.send(succeeded("broken")).unwrap();
    events.send(not_started("broken")).unwrap();
    events.send(not_started("sentinel-2")).unwrap();
    let (_, third) = next(&mut received).await;
    assert_eq!(
        third["markdown"]["title"],
        "ferry: a scheduled run of `broken` could not start"
    );
    let (_, fourth) = next(&mut received).await;
    assert_eq!(
        fourth["markdown"]["title"],
        "ferry: a scheduled run of `sentinel-2` could not start"
    );
    shutdown.cancel();
    task.await.unwrap();
    assert!(received.try_recv().is_err(), "no other alert was sent");
}

#[tokio::test]
async fn failed_records_alert_names_the_command_to_see_them() {
    let (url, mut received) = receiver().await;
    let (events, _) = broadcast::channel(64);
    let control = Arc::new(FakeControl {
        events: events.clone(),
    });
    let store = ferry_store::connect("sqlite::memory:").await.unwrap();
    let shutdown = CancellationToken::new();
    let task = alerts::spawn(
        vec![config(AlertKind::Webhook, &url, None)],
        control,
        store,
        Arc::new(Vec::new()),
        shutdown.clone(),
    );
    let RunEvent::Finished { report, at, .. } = succeeded("orders") else {
        unreachable!()
    };
    let mut report = RunReport::clone(&report);
    report.stats.failed = 2;
    events
        .send(RunEvent::Finished {
            scheme: "orders".to_owned(),
            kind: RunKind::Manual,
            at,
            report: Arc::new(report),
        })
        .unwrap();
    let (_, body) = next(&mut received).await;
    assert_eq!(body["event"], "record_failed");
    assert_eq!(body["scheme"], "orders");
    assert_eq!(body["run_id"], 3);
    assert_eq!(body["kind"], "manual");
    assert_eq!(
        body["message"],
        "manual run 3 of `orders` left 2 records failed"
    );
    assert!(
        body["action"]
            .as_str()
            .unwrap()
            .contains("`ferry records orders --status failed`")
    );
    assert_eq!(body["at"], at);
    shutdown.cancel();
    task.await.unwrap();
}

#[tokio::test]
async fn checkpoint_lag_above_the_threshold_alerts_once() {
    let (url, mut received) = receiver().await;
    let (events, _) = broadcast::channel(64);
    let control = Arc::new(FakeControl {
        events: events.clone(),
    });
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join("examples/schemes/002_jst_orders_to_mysql.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let scheme = ferry_model::load_scheme(
        &ferry_model::SourceFile::new(&path, text),
        &ferry_model::scheme::SchemeContext {
            config: None,
            collections: None,
        },
    )
    .unwrap();
    let store = ferry_store::connect("sqlite::memory:").await.unwrap();
    let two_hours_ago = jiff::Timestamp::now().as_second() - 7_200;
    store
        .reset_checkpoint(&scheme.name, Some(two_hours_ago))
        .await
        .unwrap();
    let shutdown = CancellationToken::new();
    // The first lag check runs at start.
    let task = alerts::spawn(
        vec![config(AlertKind::Webhook, &url, None)],
        control,
        store,
        Arc::new(vec![Arc::new(scheme)]),
        shutdown.clone(),
    );
    let (_, body) = next(&mut received).await;
    assert_eq!(body["event"], "checkpoint_lag");
    assert_eq!(body["scheme"], "jst-orders-to-mysql");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("`jst-orders-to-mysql` is 2h behind: its checkpoint is at "),
        "{message}"
    );
    shutdown.cancel();
    task.await.unwrap();
    assert!(received.try_recv().is_err());
}
