//! The Jushuitan simulator as its own process (`ferry sim jushuitan`), as a user would run it.
//!
//! Contract: [`Sim::start`] spawns `ferry sim jushuitan --orders N --listen 127.0.0.1:PORT`
//! (with `--rate` when given), waits until `GET /_sim/stats` answers, and kills the process
//! when the [`Sim`] is dropped. [`Sim::sample_requests`] polls the request counter while a run
//! goes on, so the request rate is measured where the limit is enforced.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::Value;

/// The simulator's test credentials for the native route (`ferry-sim` defaults).
pub const APP_KEY: &str = "jstappkey";
pub const APP_SECRET: &str = "jstsecret";
pub const ACCESS_TOKEN: &str = "jsttoken";

/// The counters of `GET /_sim/stats` the benchmark reads.
#[derive(Debug, Clone, Copy, Default, Deserialize, serde::Serialize)]
pub struct SimStats {
    pub requests: u64,
    pub served: u64,
    pub rate_limited: u64,
    pub pages_served: u64,
    pub records_served: u64,
}

/// A running simulator process.
pub struct Sim {
    child: Child,
    pub base_url: String,
    http: reqwest::Client,
}

impl Sim {
    /// Starts the simulator with `orders` orders on `port`, rate-limited to `rate` if given.
    pub async fn start(ferry: &Path, orders: u32, port: u16, rate: Option<&str>) -> Result<Sim> {
        // Another server on the port (a simulator left running) would answer in this one's
        // place, with other data.
        if let Err(error) = std::net::TcpListener::bind(("127.0.0.1", port)) {
            bail!("port {port} is in use ({error}); stop what listens there or pass --port");
        }
        let mut command = Command::new(ferry);
        command
            .args(["sim", "jushuitan", "--orders", &orders.to_string()])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .stdin(Stdio::null());
        if let Some(rate) = rate {
            command.args(["--rate", rate]);
        }
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {ferry:?} sim"))?;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .context("cannot build an HTTP client")?;
        let mut sim = Sim {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            http,
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        while sim.stats().await.is_err() {
            if let Some(status) = sim.child.try_wait()? {
                bail!("the simulator exited ({status}); is port {port} free?");
            }
            if Instant::now() > deadline {
                bail!("the simulator did not answer on port {port} within 120 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(sim)
    }

    /// `GET /_sim/stats`.
    pub async fn stats(&self) -> Result<SimStats> {
        let url = format!("{}/_sim/stats", self.base_url);
        Ok(self.http.get(&url).send().await?.json().await?)
    }

    /// Every record's final state (`GET /_sim/ground-truth?format=json`).
    pub async fn ground_truth(&self) -> Result<Vec<Value>> {
        let url = format!("{}/_sim/ground-truth?format=json", self.base_url);
        let response = self.http.get(&url).send().await?;
        response
            .json()
            .await
            .context("cannot read the simulator's ground truth")
    }

    /// Polls the request counter until `stop` is set; returns the achieved request rate
    /// between the first and the last request seen (requests per second).
    pub fn sample_requests(&self, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<RateSample> {
        let http = self.http.clone();
        let url = format!("{}/_sim/stats", self.base_url);
        tokio::spawn(async move {
            let mut sample = RateSample::default();
            let mut first: Option<(Instant, u64)> = None;
            let mut last: Option<(Instant, u64)> = None;
            while !stop.load(Ordering::Relaxed) {
                let stats: Option<SimStats> = match http.get(&url).send().await {
                    Ok(response) => response.json().await.ok(),
                    Err(_) => None,
                };
                if let Some(stats) = stats {
                    let now = Instant::now();
                    if first.is_none() && stats.requests > 0 {
                        first = Some((now, stats.requests));
                    }
                    if last.is_none_or(|(_, requests)| requests != stats.requests) {
                        last = Some((now, stats.requests));
                    }
                    sample.rate_limited = stats.rate_limited;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            if let (Some((start, from)), Some((end, to))) = (first, last) {
                let secs = end.duration_since(start).as_secs_f64();
                if secs > 0.0 {
                    sample.requests_per_sec = (to - from) as f64 / secs;
                }
                sample.requests = to;
            }
            sample
        })
    }
}

/// What [`Sim::sample_requests`] saw.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct RateSample {
    pub requests: u64,
    pub requests_per_sec: f64,
    pub rate_limited: u64,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
