//! The JSON API under `/api` and `/metrics`, with its OpenAPI 3.1 document.
//!
//! Contract (`/work/notes/api.md`): reads come from the ledger ([`ferry_store::Store`]) and the
//! scheduler's state ([`ferry_engine::schedule::Control`]); writes (run, retry, pause, resume)
//! only ask the scheduler. Errors are `{"error": "..."}` with 404 for an unknown scheme or run
//! and 400 for bad input. Every route is declared with `#[utoipa::path]` and registered through
//! [`utoipa_axum::routes!`], so the router and `GET /api/openapi.json` cannot disagree.

mod views;

use std::sync::{Arc, OnceLock};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ferry_engine::schedule::ControlError;
use ferry_model::scheme::SchemeContext;
use ferry_model::{Scheme, SourceFile};
use ferry_store::{RecordFilter, RecordStatus, RunId, RunKind, StoreError};
use serde::Deserialize;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use views::*;

use crate::state::AppState;

/// Runs listed when `limit` is not given, and the most one request returns.
const RUNS_LIMIT: (u32, u32) = (20, 500);
/// Records listed when `limit` is not given, and the most one request returns.
const RECORDS_LIMIT: (u32, u32) = (50, 1000);

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ferry",
        description = "The HTTP API of `ferry serve`: schemes, runs, ledger records, \
                       validation and Prometheus metrics. When the server has a token, every \
                       request needs `Authorization: Bearer <token>`."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn documented_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(list_schemes))
        .routes(routes!(get_scheme))
        .routes(routes!(scheme_runs))
        .routes(routes!(get_run))
        .routes(routes!(scheme_records))
        .routes(routes!(run_scheme))
        .routes(routes!(retry_scheme))
        .routes(routes!(pause_scheme))
        .routes(routes!(resume_scheme))
        .routes(routes!(validate))
        .routes(routes!(metrics))
        .routes(routes!(openapi_json))
}

/// The API routes, `/metrics` included (state not yet supplied).
pub fn router() -> axum::Router<AppState> {
    documented_router().split_for_parts().0
}

/// The OpenAPI 3.1 document of [`router`]'s routes.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(|| documented_router().split_for_parts().1)
}

/// An API failure as `{"error": "..."}` with its status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "ledger query failed");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!("ledger query failed: {error}"),
        }
    }
}

impl From<ControlError> for ApiError {
    fn from(error: ControlError) -> Self {
        let status = match error {
            ControlError::UnknownScheme(_) => StatusCode::NOT_FOUND,
            ControlError::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self {
            status,
            message: error.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: self.message,
            }),
        )
            .into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn find_scheme<'a>(state: &'a AppState, name: &str) -> ApiResult<&'a Arc<Scheme>> {
    state
        .scheme(name)
        .ok_or_else(|| ApiError::not_found(format!("no scheme named `{name}`")))
}

fn parse_limit(text: Option<&str>, (default, max): (u32, u32)) -> ApiResult<u32> {
    match text {
        None => Ok(default),
        Some(text) => match text.parse::<u32>() {
            Ok(limit) if (1..=max).contains(&limit) => Ok(limit),
            _ => Err(ApiError::bad_request(format!(
                "`limit` must be a whole number from 1 to {max}, not `{text}`"
            ))),
        },
    }
}

async fn scheme_view(state: &AppState, scheme: &Scheme) -> ApiResult<SchemeView> {
    let control_state = state
        .control
        .schemes()
        .into_iter()
        .find(|candidate| candidate.name == scheme.name);
    let store = &state.store;
    Ok(SchemeView::build(SchemeParts {
        scheme,
        config: &state.config,
        state: control_state,
        counts: store.counts(&scheme.name).await?,
        checkpoint: store
            .checkpoint(&scheme.name)
            .await?
            .map(|checkpoint| checkpoint.position),
        runs: store.runs(&scheme.name, 10).await?,
        now: now(),
    }))
}

/// Liveness.
#[utoipa::path(get, path = "/api/health", tag = "server",
    responses((status = 200, body = Health), (status = 401, body = ErrorBody)))]
async fn health() -> Json<Health> {
    Json(Health { ok: true })
}

/// Every scheme, sorted by name.
#[utoipa::path(get, path = "/api/schemes", tag = "schemes",
    responses((status = 200, body = Vec<SchemeView>), (status = 401, body = ErrorBody)))]
async fn list_schemes(State(state): State<AppState>) -> ApiResult<Json<Vec<SchemeView>>> {
    let mut views = Vec::with_capacity(state.schemes.len());
    for scheme in state.schemes.iter() {
        views.push(scheme_view(&state, scheme).await?);
    }
    views.sort_by(|left, right| left.name.cmp(&right.name));
    Ok(Json(views))
}

/// One scheme.
#[utoipa::path(get, path = "/api/schemes/{name}", tag = "schemes",
    params(("name" = String, Path, description = "Scheme name")),
    responses((status = 200, body = SchemeView), (status = 404, body = ErrorBody)))]
async fn get_scheme(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<SchemeView>> {
    let scheme = find_scheme(&state, &name)?;
    Ok(Json(scheme_view(&state, scheme).await?))
}

/// `?limit=`.
#[derive(Debug, Deserialize)]
struct LimitQuery {
    limit: Option<String>,
}

/// The scheme's latest runs, newest first.
#[utoipa::path(get, path = "/api/schemes/{name}/runs", tag = "runs",
    params(("name" = String, Path, description = "Scheme name"),
           ("limit" = Option<u32>, Query, description = "How many (default 20, at most 500)")),
    responses((status = 200, body = Vec<RunSummary>), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn scheme_runs(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<LimitQuery>,
) -> ApiResult<Json<Vec<RunSummary>>> {
    let scheme = find_scheme(&state, &name)?;
    let limit = parse_limit(query.limit.as_deref(), RUNS_LIMIT)?;
    let runs = state.store.runs(&scheme.name, limit).await?;
    Ok(Json(runs.iter().map(RunSummary::from).collect()))
}

/// One run with its windows.
#[utoipa::path(get, path = "/api/runs/{id}", tag = "runs",
    params(("id" = i64, Path, description = "Run id")),
    responses((status = 200, body = RunDetail), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn get_run(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<RunDetail>> {
    let run_id = id
        .parse::<i64>()
        .map(RunId)
        .map_err(|_| ApiError::bad_request(format!("run id must be a number, not `{id}`")))?;
    let run = state
        .store
        .run(run_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no run with id {id}")))?;
    let windows = state.store.windows(run_id).await?;
    Ok(Json(RunDetail {
        run: RunSummary::from(&run),
        windows: windows.iter().map(WindowView::from).collect(),
    }))
}

/// `?status=&key=&after=&limit=`.
#[derive(Debug, Deserialize)]
struct RecordsQuery {
    status: Option<String>,
    key: Option<String>,
    after: Option<String>,
    limit: Option<String>,
}

/// Ledger records in key order; page with `after` = the last key of the previous page.
#[utoipa::path(get, path = "/api/schemes/{name}/records", tag = "records",
    params(("name" = String, Path, description = "Scheme name"),
           ("status" = Option<String>, Query, description = "pending, written, failed or skipped"),
           ("key" = Option<String>, Query, description = "Exact key"),
           ("after" = Option<String>, Query, description = "Only keys after this one"),
           ("limit" = Option<u32>, Query, description = "How many (default 50, at most 1000)")),
    responses((status = 200, body = Vec<RecordView>), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn scheme_records(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<RecordsQuery>,
) -> ApiResult<Json<Vec<RecordView>>> {
    let scheme = find_scheme(&state, &name)?;
    let limit = parse_limit(query.limit.as_deref(), RECORDS_LIMIT)?;
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(RecordStatus::parse(text).ok_or_else(|| {
            ApiError::bad_request(format!(
                "`status` must be pending, written, failed or skipped, not `{text}`"
            ))
        })?),
    };
    let filter = RecordFilter {
        status,
        key: query.key.filter(|key| !key.is_empty()),
    };
    let records = state
        .store
        .records(&scheme.name, &filter, query.after.as_deref(), limit)
        .await?;
    Ok(Json(records.into_iter().map(RecordView::from).collect()))
}

fn trigger(state: &AppState, name: &str, kind: RunKind) -> ApiResult<Response> {
    let scheme = find_scheme(state, name)?;
    let triggered = state.control.trigger(&scheme.name, kind)?;
    Ok((StatusCode::ACCEPTED, Json(TriggerView::from(triggered))).into_response())
}

/// Starts a run (fetch and write) now.
#[utoipa::path(post, path = "/api/schemes/{name}/run", tag = "schemes",
    params(("name" = String, Path, description = "Scheme name")),
    responses((status = 202, body = TriggerView), (status = 404, body = ErrorBody)))]
async fn run_scheme(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    trigger(&state, &name, RunKind::Manual)
}

/// Makes failed records pending again and writes them.
#[utoipa::path(post, path = "/api/schemes/{name}/retry", tag = "schemes",
    params(("name" = String, Path, description = "Scheme name")),
    responses((status = 202, body = TriggerView), (status = 404, body = ErrorBody)))]
async fn retry_scheme(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    trigger(&state, &name, RunKind::Retry)
}

async fn set_paused(state: &AppState, name: &str, paused: bool) -> ApiResult<Json<SchemeView>> {
    let scheme = find_scheme(state, name)?;
    state.control.set_paused(&scheme.name, paused)?;
    Ok(Json(scheme_view(state, scheme).await?))
}

/// Stops scheduled and remedy runs of the scheme (manual runs still work).
#[utoipa::path(post, path = "/api/schemes/{name}/pause", tag = "schemes",
    params(("name" = String, Path, description = "Scheme name")),
    responses((status = 200, body = SchemeView), (status = 404, body = ErrorBody)))]
async fn pause_scheme(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<SchemeView>> {
    set_paused(&state, &name, true).await
}

/// Resumes scheduled and remedy runs of the scheme.
#[utoipa::path(post, path = "/api/schemes/{name}/resume", tag = "schemes",
    params(("name" = String, Path, description = "Scheme name")),
    responses((status = 200, body = SchemeView), (status = 404, body = ErrorBody)))]
async fn resume_scheme(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<SchemeView>> {
    set_paused(&state, &name, false).await
}

/// Checks a scheme (the body is its JSON text) against ferry.toml and the loaded schemes.
#[utoipa::path(post, path = "/api/validate", tag = "schemes",
    request_body(content = String, content_type = "application/json",
                 description = "The scheme file's text"),
    responses((status = 200, body = Validation)))]
async fn validate(State(state): State<AppState>, body: String) -> Json<Validation> {
    let file = SourceFile::new("scheme.json", body);
    let collections: Vec<String> = state
        .schemes
        .iter()
        .flat_map(|scheme| std::iter::once(scheme.name.clone()).chain(scheme.id.clone()))
        .collect();
    let context = SchemeContext {
        config: Some(&state.config),
        collections: Some(&collections),
    };
    let issues = match ferry_model::load_scheme(&file, &context) {
        Ok(scheme) => scheme.warnings,
        Err(issues) => issues,
    };
    let valid = !issues
        .iter()
        .any(|issue| issue.severity == ferry_model::Severity::Error);
    Json(Validation {
        valid,
        errors: issues.into_iter().map(Diagnostic::from).collect(),
    })
}

/// Prometheus metrics (OpenMetrics text).
#[utoipa::path(get, path = "/metrics", tag = "server",
    responses((status = 200, content_type = "application/openmetrics-text", body = String,
               description = "Counters from runs, gauges from the ledger"),
              (status = 401, body = ErrorBody)))]
async fn metrics(State(state): State<AppState>) -> ApiResult<Response> {
    let names: Vec<String> = state
        .schemes
        .iter()
        .map(|scheme| scheme.name.clone())
        .collect();
    let text = state
        .metrics
        .render(state.store.as_ref(), state.control.as_ref(), &names, now())
        .await?;
    Ok(([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text).into_response())
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "server",
    responses((status = 200, content_type = "application/json", body = Object,
               description = "OpenAPI 3.1")))]
async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(openapi())
}
