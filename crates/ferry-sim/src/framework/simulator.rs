//! [`Simulator`]: one platform simulator as an in-process object.
//!
//! Contract: a `Simulator` bundles the shared [`SimCore`], the platform's routes and its ground
//! truth. It can be served on a socket ([`Simulator::serve`]), mounted into another router
//! ([`Simulator::router`]) or driven directly from tests (stats, faults, clock, ground truth)
//! without HTTP. Cloning is cheap and every clone controls the same simulator.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

use crate::error::SimError;
use crate::framework::clock::SimClock;
use crate::framework::control::{self, GroundTruth, ModifiedRange};
use crate::framework::core::SimCore;
use crate::framework::faults::FaultConfig;
use crate::framework::inject::fault_layer;
use crate::framework::rate::RateConfig;
use crate::framework::server::{SimHandle, SimServer};
use crate::framework::stats::StatsSnapshot;

/// A ready-to-serve platform simulator.
#[derive(Clone)]
pub struct Simulator {
    platform: &'static str,
    core: Arc<SimCore>,
    truth: Arc<dyn GroundTruth>,
    platform_routes: Router,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Simulator")
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Assembles a simulator from its parts; used by platform modules.
    pub fn new(
        platform: &'static str,
        core: Arc<SimCore>,
        truth: Arc<dyn GroundTruth>,
        platform_routes: Router,
    ) -> Self {
        Self {
            platform,
            core,
            truth,
            platform_routes,
        }
    }

    /// The platform's name, e.g. `jushuitan`.
    pub fn platform(&self) -> &'static str {
        self.platform
    }

    /// The full router: platform routes behind the fault layer, plus the `/_sim/` routes.
    pub fn router(&self) -> Router {
        let faulty = axum::middleware::from_fn_with_state(Arc::clone(&self.core), fault_layer);
        self.platform_routes
            .clone()
            .layer(faulty)
            .merge(control::router(
                Arc::clone(&self.core),
                Arc::clone(&self.truth),
            ))
    }

    /// Binds `addr` (port 0 picks a free port) and serves until [`SimHandle::shutdown`].
    pub async fn serve(self, addr: SocketAddr) -> Result<SimHandle, SimError> {
        let server = SimServer::bind(addr).await?;
        Ok(server.serve(self))
    }

    /// The shared core (clock, faults, rate limiter, counters).
    pub fn core(&self) -> &Arc<SimCore> {
        &self.core
    }

    /// Counters so far.
    pub fn stats(&self) -> StatsSnapshot {
        self.core.stats.snapshot()
    }

    /// The current fault configuration.
    pub fn faults(&self) -> FaultConfig {
        self.core.faults.config()
    }

    /// Replaces the fault configuration (as `POST /_sim/faults` does).
    pub fn set_faults(&self, config: FaultConfig) -> Result<(), SimError> {
        self.core.faults.replace(config)
    }

    /// Replaces the rate limit (`None` = unlimited); the bucket starts full.
    pub fn set_rate(&self, config: Option<RateConfig>) -> Result<(), SimError> {
        if let Some(config) = &config {
            config.validate()?;
        }
        self.core.rate.replace(config);
        Ok(())
    }

    /// The simulator's clock.
    pub fn clock(&self) -> &SimClock {
        &self.core.clock
    }

    /// Ground truth as JSON values: the final state of every record with `modified` in
    /// `range`, in key order (the same content as `GET /_sim/ground-truth`).
    pub fn ground_truth(&self, range: ModifiedRange) -> Vec<serde_json::Value> {
        self.truth
            .records(range)
            .filter_map(|record| serde_json::from_slice(&record).ok())
            .collect()
    }

    /// Ground truth as JSON lines, byte for byte what `GET /_sim/ground-truth` streams.
    pub fn ground_truth_jsonl(&self, range: ModifiedRange) -> Vec<u8> {
        let mut out = Vec::new();
        for record in self.truth.records(range) {
            out.extend_from_slice(&record);
            out.push(b'\n');
        }
        out
    }
}
