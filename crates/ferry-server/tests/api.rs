//! The HTTP API against a fake scheduler and a SQLite ledger filled through the Store API:
//! every endpoint's JSON, auth, validation and the OpenAPI document.

mod support;

use axum::http::{Method, StatusCode};
use ferry_model::Secret;
use ferry_server::Auth;
use ferry_server::metrics::Metrics;
use ferry_store::RunKind;
use serde_json::{Value, json};
use support::{QIMEN_SECRET, SCHEME, fixture, get_json, post_json, repo_file, send};

#[tokio::test]
async fn the_token_is_required_when_set() {
    let fixture = fixture().await;
    let app = ferry_server::app(fixture.state(Auth::token(Secret::new("t0ken")), Metrics::new()));
    for uri in [
        "/api/health",
        "/api/schemes",
        "/metrics",
        "/api/openapi.json",
    ] {
        let (status, body) = send(&app, Method::GET, uri, None, "").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert!(body["error"].as_str().unwrap().contains("token"), "{body}");
        let (status, _) = send(&app, Method::GET, uri, Some("t0ke"), "").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
        let (status, _) = send(&app, Method::GET, uri, Some("t0ken"), "").await;
        assert_eq!(status, StatusCode::OK, "{uri}");
    }
    let (status, _) = send(&app, Method::POST, "/api/schemes/x/run", None, "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(fixture.control.triggered.lock().unwrap().is_empty());
    // The console page loads without the token (it asks for it).
    let (status, _) = send(&app, Method::GET, "/", None, "").await;
    assert_ne!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = get_json(&fixture.app(), "/api/health").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"ok": true})));
}

#[tokio::test]
async fn schemes_show_state_counts_and_last_run_without_secrets() {
    let fixture = fixture().await;
    let app = fixture.app();
    let (status, body) = send(&app, Method::GET, "/api/schemes", None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !body.contains(QIMEN_SECRET) && !body.contains("dbpass"),
        "{body}"
    );
    let mut list: Value = serde_json::from_str(&body).unwrap();
    let view = list[0].take();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, one) = get_json(&app, &format!("/api/schemes/{SCHEME}")).await;
    assert_eq!(one, view);
    let now = jiff::Timestamp::now().as_second();
    let lag = view["checkpoint_lag_secs"].as_i64().unwrap();
    assert!((now - 1_704_153_600 - lag).abs() <= 5, "{lag}");
    let last_run = &view["last_run"];
    assert_eq!(last_run["id"], fixture.run_id);
    assert_eq!(last_run["kind"], "scheduled");
    assert_eq!(last_run["status"], "succeeded");
    assert_eq!(
        last_run["counts"],
        json!({"fetched": 4, "pending": 4, "skipped": 0, "written": 2, "failed": 1})
    );
    assert_eq!(
        last_run["range"],
        json!({"from": 1_704_067_200, "to": 1_704_153_600})
    );
    assert!(last_run["duration_secs"].as_f64().unwrap() >= 0.0);
    let mut fixed = view.clone();
    for field in ["checkpoint_lag_secs", "last_run", "throughput"] {
        fixed.as_object_mut().unwrap().remove(field);
    }
    assert_eq!(
        fixed,
        json!({
            "name": SCHEME,
            "source": {"connection": "jst", "platform": "jushuitan-qimen", "api": "jushuitan.order.list.query"},
            "target": {"connection": "dw", "platform": "mysql", "api": "batchexecute"},
            "schedule": "0 */5 * * * *",
            "remedy": "2 2 * * *",
            "paused": false,
            "running": null,
            "next_run": 1_800_000_000,
            "next_remedy": 1_800_000_100,
            "overlaps_skipped": 3,
            "checkpoint": 1_704_153_600,
            "counts": {"pending": 1, "written": 2, "failed": 1, "skipped": 0},
        })
    );
    let (status, body) = get_json(&app, "/api/schemes/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"error": "no scheme named `nope`"}));
}

#[tokio::test]
async fn runs_and_windows() {
    let fixture = fixture().await;
    let app = fixture.app();
    let (status, runs) = get_json(&app, &format!("/api/schemes/{SCHEME}/runs?limit=5")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(runs.as_array().unwrap().len(), 1);
    assert_eq!(runs[0]["id"], fixture.run_id);
    let (status, run) = get_json(&app, &format!("/api/runs/{}", fixture.run_id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(run["scheme"], SCHEME);
    assert_eq!(run["error"], Value::Null);
    assert_eq!(
        run["windows"],
        json!([{"from": 1_704_067_200, "to": 1_704_153_600, "pages": 2, "fetched": 4,
                "pending": 4, "skipped": 0, "reported_total": 4, "status": "complete",
                "error": null}])
    );
    let (status, body) = get_json(&app, "/api/runs/999").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"error": "no run with id 999"})
        )
    );
    let (status, _) = get_json(&app, "/api/runs/x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = get_json(&app, &format!("/api/schemes/{SCHEME}/runs?limit=0")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn records_filter_and_page() {
    let fixture = fixture().await;
    let app = fixture.app();
    let uri = |query: &str| format!("/api/schemes/{SCHEME}/records{query}");
    let (status, failed) = get_json(&app, &uri("?status=failed")).await;
    assert_eq!(status, StatusCode::OK);
    let updated_at = failed[0]["updated_at"].as_i64().unwrap();
    assert_eq!(
        failed,
        json!([{"key": "c", "status": "failed", "attempts": 1, "error": "row too long",
                "updated_at": updated_at, "payload": {"o_id": "c"}}])
    );
    let keys = |records: &Value| -> Vec<String> {
        records
            .as_array()
            .unwrap()
            .iter()
            .map(|record| record["key"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, page) = get_json(&app, &uri("?limit=2")).await;
    assert_eq!(keys(&page), ["a", "b"]);
    let (_, page) = get_json(&app, &uri("?limit=2&after=b")).await;
    assert_eq!(keys(&page), ["c", "d"]);
    let (_, page) = get_json(&app, &uri("?key=d")).await;
    assert_eq!(keys(&page), ["d"]);
    let (status, body) = get_json(&app, &uri("?status=lost")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("`lost`"), "{body}");
}

#[tokio::test]
async fn run_retry_pause_and_resume_ask_the_scheduler() {
    let fixture = fixture().await;
    let app = fixture.app();
    let (status, body) = post_json(&app, &format!("/api/schemes/{SCHEME}/retry"), "").await;
    assert_eq!(
        (status, body),
        (StatusCode::ACCEPTED, json!({"triggered": "started"}))
    );
    let (status, body) = post_json(&app, &format!("/api/schemes/{SCHEME}/run"), "").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::ACCEPTED,
            json!({"triggered": "already_running"})
        )
    );
    assert_eq!(
        *fixture.control.triggered.lock().unwrap(),
        [(SCHEME.to_owned(), RunKind::Retry)]
    );
    let (status, view) = post_json(&app, &format!("/api/schemes/{SCHEME}/pause"), "").await;
    assert_eq!((status, &view["paused"]), (StatusCode::OK, &json!(true)));
    let (_, view) = post_json(&app, &format!("/api/schemes/{SCHEME}/resume"), "").await;
    assert_eq!(view["paused"], false);
    let (status, _) = post_json(&app, "/api/schemes/nope/run", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn validate_reports_every_problem_with_its_place() {
    let fixture = fixture().await;
    let app = fixture.app();
    let text = repo_file("examples/schemes/002_jst_orders_to_mysql.json");
    let (status, body) = post_json(&app, "/api/validate", &text).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["valid"], true, "{body:#}");
    let broken = text.replacen("\"connection\": \"jst\"", "\"connection\": \"nowhere\"", 1);
    assert_ne!(broken, text);
    let (_, body) = post_json(&app, "/api/validate", &broken).await;
    assert_eq!(body["valid"], false);
    let line = 1 + text[..text.find("\"connection\": \"jst\"").unwrap()]
        .matches('\n')
        .count();
    let error = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|error| error["message"].as_str().unwrap().contains("nowhere"))
        .unwrap_or_else(|| panic!("{body:#}"));
    assert_eq!(error["line"], line);
    assert!(error["column"].as_u64().unwrap() > 0);
    assert_eq!(error["severity"], "error");
    let (_, body) = post_json(&app, "/api/validate", "{ not json").await;
    assert_eq!(body["valid"], false);
    assert_eq!(body["errors"][0]["line"], 1);
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let fixture = fixture().await;
    let (status, document) = get_json(&fixture.app(), "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut routes: Vec<String> = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    routes.sort();
    let mut expected = vec![
        "GET /api/health",
        "GET /api/schemes",
        "GET /api/schemes/{name}",
        "GET /api/schemes/{name}/runs",
        "GET /api/runs/{id}",
        "GET /api/schemes/{name}/records",
        "POST /api/schemes/{name}/run",
        "POST /api/schemes/{name}/retry",
        "POST /api/schemes/{name}/pause",
        "POST /api/schemes/{name}/resume",
        "POST /api/validate",
        "GET /api/openapi.json",
        "GET /metrics",
    ];
    expected.sort();
    assert_eq!(routes, expected);
    for schema in [
        "SchemeView",
        "RunSummary",
        "RunDetail",
        "RecordView",
        "Validation",
    ] {
        assert!(
            document["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
    // Every documented route answers (not 404/405) on the real router.
    let app = fixture.app();
    for route in &routes {
        let (method, path) = route.split_once(' ').unwrap();
        let uri = path
            .replace("{name}", SCHEME)
            .replace("{id}", &fixture.run_id.to_string());
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let (status, body) = send(&app, method, &uri, None, "{}").await;
        assert!(
            status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
            "{route}: {status} {body}"
        );
    }
}
