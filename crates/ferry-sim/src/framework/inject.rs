//! Rolling faults with the seeded RNG, and the axum middleware that applies per-request faults.
//!
//! Contract: [`fault_layer`] wraps only platform routes (never `/_sim/`). Per request it rolls,
//! in this fixed order, latency, timeout, 5xx and truncation, so a sequential client meets the
//! same faults on every run with the same seed and config. Holds (latency, timeout) end early
//! when the simulator shuts down. Record-level faults (moves, late indexing) are rolled by the
//! platform through [`FaultInjector`].

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;

use crate::error::SimError;
use crate::framework::core::SimCore;
use crate::framework::faults::{FaultConfig, LateIndexFault};
use crate::framework::rng::{SimRng, stream};
use crate::framework::stats::Counter;

/// The faults rolled for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFaults {
    /// Delay before handling.
    pub latency: Option<Duration>,
    /// Hold this long, then answer 504 without handling.
    pub timeout: Option<Duration>,
    /// Answer with this status without handling.
    pub error_status: Option<StatusCode>,
    /// Cut the reply body short.
    pub truncate: bool,
}

/// The live fault configuration and the RNG that rolls it.
#[derive(Debug)]
pub struct FaultInjector {
    config: RwLock<FaultConfig>,
    rng: Mutex<SimRng>,
}

fn roll(rng: &mut SimRng, probability: f64) -> bool {
    if probability <= 0.0 {
        return false;
    }
    if probability >= 1.0 {
        return true;
    }
    rng.random_bool(probability)
}

impl FaultInjector {
    /// An injector with `config`, rolling from the seed's `faults` stream.
    pub fn new(seed: u64, config: FaultConfig) -> Self {
        Self {
            config: RwLock::new(config),
            rng: Mutex::new(stream(seed, "faults", 0)),
        }
    }

    /// The current configuration.
    pub fn config(&self) -> FaultConfig {
        self.config
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the configuration after validating it.
    pub fn replace(&self, config: FaultConfig) -> Result<(), SimError> {
        config.validate()?;
        *self.config.write().unwrap_or_else(PoisonError::into_inner) = config;
        Ok(())
    }

    /// Rolls the per-request faults.
    pub fn plan_request(&self) -> RequestFaults {
        let config = self.config();
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        let mut faults = RequestFaults::default();
        if config.latency.ms > 0 && roll(&mut rng, config.latency.probability) {
            faults.latency = Some(Duration::from_millis(config.latency.ms));
        }
        if roll(&mut rng, config.timeout.probability) {
            faults.timeout = Some(Duration::from_millis(config.timeout.hold_ms));
        }
        if roll(&mut rng, config.error_5xx.probability) {
            faults.error_status = StatusCode::from_u16(config.error_5xx.status).ok();
        }
        faults.truncate = roll(&mut rng, config.truncate.probability);
        faults
    }

    /// After a page: how many records to move (0 when the roll fails), and whether records
    /// already served may be among them.
    pub fn roll_moves(&self) -> (u32, bool) {
        let config = self.config().move_records;
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        if roll(&mut rng, config.probability) {
            (config.max_per_page, config.include_served)
        } else {
            (0, false)
        }
    }

    /// A uniform choice in `low..=high` from the fault RNG (`low` if the range is empty).
    pub fn choose(&self, low: u64, high: u64) -> u64 {
        if high <= low {
            return low;
        }
        self.rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .random_range(low..=high)
    }

    /// The late-index setting.
    pub fn late_index(&self) -> LateIndexFault {
        self.config
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .late_index
            .clone()
    }
}

/// Sleeps for `duration` unless the simulator shuts down first.
async fn hold(core: &SimCore, duration: Duration) {
    tokio::select! {
        () = tokio::time::sleep(duration) => {}
        () = core.shutdown_token().cancelled() => {}
    }
}

/// An nginx-style HTML error page, which is what a client meets when a gateway fails.
fn gateway_page(status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let body = format!(
        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n\
         <center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// Cuts a reply body in the middle; headers stay valid (Content-Length matches what is sent).
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let cut = bytes.len() / 2;
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes.slice(..cut)))
}

/// Middleware applying per-request faults to platform routes; counts every request.
pub async fn fault_layer(
    State(core): State<Arc<SimCore>>,
    request: Request,
    next: Next,
) -> Response {
    core.stats.incr(Counter::Requests);
    let faults = core.faults.plan_request();
    if let Some(latency) = faults.latency {
        core.stats.incr(Counter::FaultLatency);
        hold(&core, latency).await;
    }
    if let Some(hold_for) = faults.timeout {
        core.stats.incr(Counter::FaultTimeout);
        tracing::debug!(hold_ms = hold_for.as_millis() as u64, "sim holding request");
        hold(&core, hold_for).await;
        return gateway_page(StatusCode::GATEWAY_TIMEOUT);
    }
    if let Some(status) = faults.error_status {
        core.stats.incr(Counter::FaultError5xx);
        return gateway_page(status);
    }
    let response = next.run(request).await;
    if faults.truncate {
        core.stats.incr(Counter::FaultTruncate);
        return truncate(response).await;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::faults::{Error5xxFault, TruncateFault};

    #[test]
    fn certain_and_impossible_faults_do_not_depend_on_the_rng() {
        let config = FaultConfig {
            error_5xx: Error5xxFault {
                probability: 1.0,
                status: 502,
            },
            truncate: TruncateFault { probability: 0.0 },
            ..FaultConfig::default()
        };
        let injector = FaultInjector::new(1, config);
        for _ in 0..10 {
            let faults = injector.plan_request();
            assert_eq!(faults.error_status, Some(StatusCode::BAD_GATEWAY));
            assert!(!faults.truncate);
            assert_eq!(faults.latency, None);
        }
    }

    #[test]
    fn rolls_repeat_for_the_same_seed() {
        let mut config = FaultConfig::default();
        config.truncate.probability = 0.5;
        let first = FaultInjector::new(9, config.clone());
        let second = FaultInjector::new(9, config);
        let a: Vec<bool> = (0..32).map(|_| first.plan_request().truncate).collect();
        let b: Vec<bool> = (0..32).map(|_| second.plan_request().truncate).collect();
        assert_eq!(a, b);
        assert!(a.contains(&true) && a.contains(&false));
    }

    #[test]
    fn replace_validates() {
        let injector = FaultInjector::new(1, FaultConfig::default());
        let mut bad = FaultConfig::default();
        bad.truncate.probability = 2.0;
        assert!(injector.replace(bad).is_err());
        assert_eq!(injector.config(), FaultConfig::default());
    }
}
