//! The `/_sim/` control and inspection routes every simulator serves.
//!
//! Contract (all JSON unless noted; never subject to faults or the rate limit):
//!
//! | route | meaning |
//! |---|---|
//! | `GET /_sim/ground-truth?from=&to=&format=` | final state of every record with `from <= modified < to` (`yyyy-MM-dd HH:mm:ss`, both optional), in key order; `format=jsonl` (default, one object per line) or `json` (one array); streamed |
//! | `GET /_sim/stats` | [`StatsSnapshot`](crate::StatsSnapshot) |
//! | `GET` / `POST /_sim/faults` | read / replace the whole [`FaultConfig`] |
//! | `GET` / `POST /_sim/rate` | read / replace the [`RateConfig`] (`null` = unlimited) |
//! | `GET` / `POST /_sim/clock` | read / set the clock: `"wall"`, `{"fixed":"..."}`, `{"advance_seconds":N}` |
//!
//! Bad input gets `400 {"error": "..."}`.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::framework::clock::ClockSetting;
use crate::framework::core::SimCore;
use crate::framework::faults::FaultConfig;
use crate::framework::rate::RateConfig;
use crate::framework::time::parse_datetime;

/// A filter on records' `modified` time, half-open: `from <= modified < to` (Unix seconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModifiedRange {
    /// Inclusive lower bound; `None` = unbounded.
    pub from: Option<i64>,
    /// Exclusive upper bound; `None` = unbounded.
    pub to: Option<i64>,
}

impl ModifiedRange {
    /// Whether `modified` (Unix seconds) is inside the range.
    pub fn contains(&self, modified: i64) -> bool {
        self.from.is_none_or(|from| modified >= from) && self.to.is_none_or(|to| modified < to)
    }
}

/// What a platform provides so the framework can serve its ground truth.
pub trait GroundTruth: Send + Sync + 'static {
    /// The final state of every record whose `modified` is in `range`, each serialised as one
    /// compact JSON object exactly as the platform's API would render it, in key order. The
    /// iterator owns a snapshot taken when this is called.
    fn records(&self, range: ModifiedRange) -> Box<dyn Iterator<Item = Vec<u8>> + Send>;
}

#[derive(Clone)]
struct ControlState {
    core: Arc<SimCore>,
    truth: Arc<dyn GroundTruth>,
}

/// The `/_sim/` routes for one simulator.
pub fn router(core: Arc<SimCore>, truth: Arc<dyn GroundTruth>) -> Router {
    Router::new()
        .route("/_sim/ground-truth", get(ground_truth))
        .route("/_sim/stats", get(stats))
        .route("/_sim/faults", get(get_faults).post(set_faults))
        .route("/_sim/rate", get(get_rate).post(set_rate))
        .route("/_sim/clock", get(get_clock).post(set_clock))
        .with_state(ControlState { core, truth })
}

fn bad_request(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": message })),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct TruthParams {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

fn parse_bound(name: &str, text: Option<&str>) -> Result<Option<i64>, String> {
    match text {
        None | Some("") => Ok(None),
        Some(text) => parse_datetime(text)
            .map(Some)
            .ok_or_else(|| format!("`{name}` must be `yyyy-MM-dd HH:mm:ss`, got `{text}`")),
    }
}

const CHUNK_BYTES: usize = 64 * 1024;

async fn ground_truth(
    State(state): State<ControlState>,
    Query(params): Query<TruthParams>,
) -> Response {
    let from = parse_bound("from", params.from.as_deref());
    let to = parse_bound("to", params.to.as_deref());
    let range = match (from, to) {
        (Ok(from), Ok(to)) => ModifiedRange { from, to },
        (Err(message), _) | (_, Err(message)) => return bad_request(message),
    };
    let as_array = match params.format.as_deref() {
        None | Some("jsonl") => false,
        Some("json") => true,
        Some(other) => {
            return bad_request(format!(
                "unknown `format` `{other}` (available: `jsonl`, `json`)"
            ));
        }
    };
    let (sender, receiver) = mpsc::channel::<Bytes>(4);
    let truth = Arc::clone(&state.truth);
    // Rendering a million records is CPU work: keep it off the async workers, and stop as soon
    // as the client goes away (the send fails).
    tokio::task::spawn_blocking(move || {
        let mut chunk = Vec::with_capacity(CHUNK_BYTES + 4096);
        if as_array {
            chunk.push(b'[');
        }
        for (position, record) in truth.records(range).enumerate() {
            if as_array && position > 0 {
                chunk.push(b',');
            }
            chunk.extend_from_slice(&record);
            if !as_array {
                chunk.push(b'\n');
            }
            if chunk.len() >= CHUNK_BYTES {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_BYTES + 4096));
                if sender.blocking_send(Bytes::from(full)).is_err() {
                    return;
                }
            }
        }
        if as_array {
            chunk.push(b']');
        }
        if !chunk.is_empty() {
            // The client may be gone; nothing left to do either way.
            let _ = sender.blocking_send(Bytes::from(chunk));
        }
    });
    let body_stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|bytes| (Ok::<Bytes, Infallible>(bytes), receiver))
    });
    let content_type = if as_array {
        "application/json"
    } else {
        "application/x-ndjson"
    };
    let mut response = Body::from_stream(body_stream).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

async fn stats(State(state): State<ControlState>) -> Response {
    Json(state.core.stats.snapshot()).into_response()
}

async fn get_faults(State(state): State<ControlState>) -> Response {
    Json(state.core.faults.config()).into_response()
}

async fn set_faults(State(state): State<ControlState>, body: Bytes) -> Response {
    let config: FaultConfig = match serde_json::from_slice(&body) {
        Ok(config) => config,
        Err(error) => return bad_request(format!("invalid fault config: {error}")),
    };
    match state.core.faults.replace(config) {
        Ok(()) => Json(state.core.faults.config()).into_response(),
        Err(error) => bad_request(error.to_string()),
    }
}

async fn get_rate(State(state): State<ControlState>) -> Response {
    Json(state.core.rate.config()).into_response()
}

async fn set_rate(State(state): State<ControlState>, body: Bytes) -> Response {
    let config: Option<RateConfig> = match serde_json::from_slice(&body) {
        Ok(config) => config,
        Err(error) => return bad_request(format!("invalid rate config: {error}")),
    };
    if let Some(Err(error)) = config.as_ref().map(RateConfig::validate) {
        return bad_request(error.to_string());
    }
    state.core.rate.replace(config);
    Json(state.core.rate.config()).into_response()
}

async fn get_clock(State(state): State<ControlState>) -> Response {
    Json(state.core.clock.setting()).into_response()
}

async fn set_clock(State(state): State<ControlState>, body: Bytes) -> Response {
    let setting: ClockSetting = match serde_json::from_slice(&body) {
        Ok(setting) => setting,
        Err(error) => return bad_request(format!("invalid clock setting: {error}")),
    };
    if !state.core.clock.apply(&setting) {
        return bad_request(
            "clock setting rejected: `fixed` needs `yyyy-MM-dd HH:mm:ss`, `advance_seconds` needs a fixed clock"
                .to_owned(),
        );
    }
    Json(state.core.clock.setting()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_is_half_open() {
        let range = ModifiedRange {
            from: Some(10),
            to: Some(20),
        };
        assert!(range.contains(10));
        assert!(range.contains(19));
        assert!(!range.contains(20));
        assert!(!range.contains(9));
        assert!(ModifiedRange::default().contains(i64::MIN));
    }
}
