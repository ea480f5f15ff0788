//! Shared by the server's integration tests: a fake scheduler that records what it is asked,
//! a SQLite ledger with one finished run filled through the Store API, and request helpers.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use ferry_engine::schedule::{Control, ControlError, RunEvent, SchemeState, Triggered};
use ferry_model::scheme::SchemeContext;
use ferry_model::{Config, Scheme, SourceFile};
use ferry_server::metrics::Metrics;
use ferry_server::{AppState, Auth};
use ferry_store::{
    ContentHash, FetchedRecord, Outcome, RecordOutcome, RunCounts, RunEnd, RunKind, Store,
    TimeRange, WindowStats, WindowStatus,
};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tower::ServiceExt as _;

pub const SCHEME: &str = "jst-orders-to-mysql";
pub const QIMEN_SECRET: &str = "qimen-secret-never-shown";

/// A scheduler that records what it was asked.
pub struct FakeControl {
    pub states: Mutex<Vec<SchemeState>>,
    pub triggered: Mutex<Vec<(String, RunKind)>>,
    pub events: broadcast::Sender<RunEvent>,
}

impl Control for FakeControl {
    fn schemes(&self) -> Vec<SchemeState> {
        self.states.lock().unwrap().clone()
    }

    fn trigger(&self, scheme: &str, kind: RunKind) -> Result<Triggered, ControlError> {
        let mut triggered = self.triggered.lock().unwrap();
        if triggered.iter().any(|(name, _)| name == scheme) {
            return Ok(Triggered::AlreadyRunning);
        }
        triggered.push((scheme.to_owned(), kind));
        Ok(Triggered::Started)
    }

    fn set_paused(&self, scheme: &str, paused: bool) -> Result<(), ControlError> {
        let mut states = self.states.lock().unwrap();
        let state = states
            .iter_mut()
            .find(|state| state.name == scheme)
            .ok_or_else(|| ControlError::UnknownScheme(scheme.to_owned()))?;
        state.paused = paused;
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<RunEvent> {
        self.events.subscribe()
    }
}

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub store: Arc<dyn Store>,
    pub control: Arc<FakeControl>,
    pub config: Arc<Config>,
    pub schemes: Arc<Vec<Arc<Scheme>>>,
    pub run_id: i64,
}

pub fn repo_file(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

pub fn config() -> Config {
    let text = format!(
        "[connections.jst]\nplatform = \"jushuitan-qimen\"\napp_key = \"k\"\nsecret = \"{QIMEN_SECRET}\"\ncustomer_id = \"c\"\n\
         [connections.dw]\nplatform = \"mysql\"\nurl = \"mysql://root:dbpass@127.0.0.1/x\"\n"
    );
    ferry_model::load_config(&SourceFile::new("ferry.toml", text), &|_: &str| None).unwrap()
}

pub fn record(key: &str) -> FetchedRecord {
    let mut hash = [0u8; 16];
    hash[..key.len()].copy_from_slice(key.as_bytes());
    FetchedRecord {
        key: key.to_owned(),
        hash: ContentHash(hash),
        payload: json!({"o_id": key}),
        payload_json: None,
        source_modified: Some(1_704_067_300),
    }
}

/// A ledger with one finished run of the scheme: keys a..d fetched, a and b written, c
/// failed, d pending; checkpoint 1_704_153_600.
pub async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
    let store = ferry_store::connect(&url).await.unwrap();
    let config = config();
    let scheme = ferry_model::load_scheme(
        &SourceFile::new(
            "002.json",
            repo_file("examples/schemes/002_jst_orders_to_mysql.json"),
        ),
        &SchemeContext {
            config: Some(&config),
            collections: None,
        },
    )
    .unwrap();
    let range = TimeRange {
        from: 1_704_067_200,
        to: 1_704_153_600,
    };
    let run = store
        .start_run(SCHEME, RunKind::Scheduled, Some(range))
        .await
        .unwrap();
    let records: Vec<_> = ["a", "b", "c", "d"].into_iter().map(record).collect();
    store.record_fetched(SCHEME, &records, true).await.unwrap();
    let outcome = |key: &str, outcome: Outcome| RecordOutcome {
        key: key.to_owned(),
        hash: record(key).hash,
        outcome,
    };
    store
        .record_outcomes(
            SCHEME,
            &[
                outcome("a", Outcome::Written),
                outcome("b", Outcome::Written),
                outcome(
                    "c",
                    Outcome::Failed {
                        error: "row too long".to_owned(),
                    },
                ),
            ],
        )
        .await
        .unwrap();
    let counts = RunCounts {
        fetched: 4,
        pending: 4,
        skipped: 0,
        written: 2,
        failed: 1,
    };
    store
        .record_window(
            run,
            &WindowStats {
                range,
                pages: 2,
                counts,
                reported_total: Some(4),
                status: WindowStatus::Complete,
                error: None,
            },
        )
        .await
        .unwrap();
    store
        .advance_checkpoint(SCHEME, None, range.to)
        .await
        .unwrap();
    store
        .finish_run(run, RunEnd::Succeeded, &counts, None)
        .await
        .unwrap();
    let (events, _) = broadcast::channel(16);
    let control = Arc::new(FakeControl {
        states: Mutex::new(vec![SchemeState {
            name: SCHEME.to_owned(),
            schedule: Some("0 */5 * * * *".to_owned()),
            remedy: Some("2 2 * * *".to_owned()),
            paused: false,
            running: None,
            next_run: Some(1_800_000_000),
            next_remedy: Some(1_800_000_100),
            overlaps_skipped: 3,
        }]),
        triggered: Mutex::new(Vec::new()),
        events,
    });
    Fixture {
        _dir: dir,
        store,
        control,
        config: Arc::new(config),
        schemes: Arc::new(vec![Arc::new(scheme)]),
        run_id: run.0,
    }
}

impl Fixture {
    pub fn state(&self, auth: Auth, metrics: Metrics) -> AppState {
        AppState {
            store: Arc::clone(&self.store),
            control: self.control.clone(),
            config: Arc::clone(&self.config),
            schemes: Arc::clone(&self.schemes),
            auth,
            metrics,
        }
    }

    pub fn app(&self) -> axum::Router {
        ferry_server::app(self.state(Auth::open(), Metrics::new()))
    }
}

/// Sends one request; returns the status and the body as text.
pub async fn send(
    app: &axum::Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: &str,
) -> (StatusCode, String) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

pub async fn get_json(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
    let (status, body) = send(app, Method::GET, uri, None, "").await;
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

pub async fn post_json(app: &axum::Router, uri: &str, body: &str) -> (StatusCode, Value) {
    let (status, body) = send(app, Method::POST, uri, None, body).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}
