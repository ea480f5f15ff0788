//! The Banniu 班牛 simulator: tasks (工单) of one project behind the mini-app gateway
//! (PROTOCOLS.md §8).
//!
//! Contract: [`build`] seeds `data.orders` tasks in project `rules.project_id` (77206) over the
//! data range and returns a [`Simulator`] serving
//!
//! * `GET|POST /gateway/api/miniAPI` ([`route`]): `task.list`, `column.list`, `task.update`,
//!   `task.batchUpdate`, signed per §8.2 ([`wire`]);
//! * `GET|POST /_sim/banniu/tasks` ([`control`]): read every task / add tasks;
//!
//! plus the framework's `/_sim/` routes. Ground truth is every task rendered as its
//! `task.list` row, in creation order, filtered by creation time (the field `task.list`
//! windows on) rather than `modified`. [`BanniuTasks`] is the in-process handle to the same
//! tasks ([`build_parts`] or [`BanniuTasks::of`]).
//!
//! Not simulated: the rate limit and faults of the framework apply to `/_sim/banniu/tasks`
//! too (the framework wraps every platform route); moving/late records (tasks are windowed by
//! creation time, which never changes).

pub mod control;
pub mod query;
pub mod route;
pub mod tasks;
pub mod wire;

use std::sync::{Arc, PoisonError, RwLock};

use axum::Router;
use axum::routing::get;
use serde::{Deserialize, Serialize};

pub use control::{BanniuTasks, NewTask};

use crate::banniu::tasks::{TaskStore, render_row};
use crate::error::SimError;
use crate::framework::control::{GroundTruth, ModifiedRange};
use crate::framework::core::{CommonConfig, SimCore};
use crate::framework::simulator::Simulator;

/// The gateway path of the mini-app API.
pub const GATEWAY_PATH: &str = "/gateway/api/miniAPI";

/// Credentials the gateway accepts (the defaults are `examples/ferry.toml`'s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// The known `app_key`.
    pub app_key: String,
    /// Its `app_secret` (signing key).
    pub app_secret: String,
    /// The valid `access_token`.
    pub access_token: String,
    /// Accepted distance between `timestamp` and the clock, in seconds \[I\].
    pub timestamp_tolerance_s: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            app_key: "bnappkey".to_owned(),
            app_secret: "banniusecret".to_owned(),
            access_token: "bntoken".to_owned(),
            timestamp_tolerance_s: 600,
        }
    }
}

/// The project and the limits of its API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaskRules {
    /// The one project (群组) the simulator holds.
    pub project_id: u64,
    /// The mini-app id writes must name (`app_id`).
    pub app_id: u64,
    /// Largest `page_size` of `task.list` \[I\].
    pub max_page_size: u32,
    /// Widest `star_created`..`end_created` span, seconds (1 day, PROTOCOLS.md §8.4).
    pub max_span_seconds: i64,
    /// Most items of one `task.batchUpdate` \[I\].
    pub max_batch: u32,
    /// Whether `task.list` reports `total_results` (default false \[I\]).
    pub report_totals: bool,
}

impl Default for TaskRules {
    fn default() -> Self {
        Self {
            project_id: 77206,
            app_id: 21151,
            max_page_size: 100,
            max_span_seconds: 86_400,
            max_batch: 50,
            report_totals: false,
        }
    }
}

/// Everything that configures a Banniu simulator; every field has a default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BanniuConfig {
    /// Data (`orders` = seeded tasks), clock, rate limit and faults.
    pub common: CommonConfig,
    /// Credentials.
    pub auth: AuthConfig,
    /// Project and limits.
    pub rules: TaskRules,
}

/// Shared state of the routes.
#[derive(Debug)]
pub struct BanniuState {
    /// Framework core.
    pub core: Arc<SimCore>,
    /// The configuration (validated).
    pub config: BanniuConfig,
    /// The tasks.
    pub store: RwLock<TaskStore>,
}

struct Truth(Arc<BanniuState>);

impl GroundTruth for Truth {
    fn records(&self, range: ModifiedRange) -> Box<dyn Iterator<Item = Vec<u8>> + Send> {
        let store = self.0.store.read().unwrap_or_else(PoisonError::into_inner);
        let mut tasks: Vec<_> = store
            .all()
            .filter(|task| range.contains(task.created_at))
            .collect();
        tasks.sort_by_key(|task| (task.created_at, task.id));
        let rows: Vec<Vec<u8>> = tasks
            .into_iter()
            .map(|task| serde_json::to_vec(&render_row(task)).unwrap_or_default())
            .collect();
        Box::new(rows.into_iter())
    }
}

fn validate(config: &BanniuConfig) -> Result<(), SimError> {
    let rules = &config.rules;
    if rules.max_page_size == 0 {
        return Err(SimError::config(
            "rules.max_page_size",
            "must be at least 1",
        ));
    }
    if rules.max_batch == 0 {
        return Err(SimError::config("rules.max_batch", "must be at least 1"));
    }
    if rules.max_span_seconds <= 0 {
        return Err(SimError::config(
            "rules.max_span_seconds",
            "must be at least 1",
        ));
    }
    if config.auth.app_secret.is_empty() {
        return Err(SimError::config("auth.app_secret", "must not be empty"));
    }
    Ok(())
}

/// Generates the tasks and assembles the simulator and its task handle (no socket yet).
pub fn build_parts(config: BanniuConfig) -> Result<(Simulator, BanniuTasks), SimError> {
    validate(&config)?;
    let core = Arc::new(SimCore::new(&config.common)?);
    let data = &config.common.data;
    let store = TaskStore::generate(
        data.seed,
        config.rules.project_id,
        data.orders,
        data.range()?,
        data.max_string_len as usize,
    );
    let state = Arc::new(BanniuState {
        core: Arc::clone(&core),
        config,
        store: RwLock::new(store),
    });
    let routes = Router::new()
        .route(GATEWAY_PATH, get(route::handle).post(route::handle))
        .route(
            control::TASKS_PATH,
            get(control::list_tasks).post(control::add_tasks),
        )
        .with_state(Arc::clone(&state));
    let simulator = Simulator::new("banniu", core, Arc::new(Truth(Arc::clone(&state))), routes);
    let handle = BanniuTasks::register(state);
    Ok((simulator, handle))
}

/// Generates the tasks and assembles the simulator (no socket yet).
pub fn build(config: BanniuConfig) -> Result<Simulator, SimError> {
    build_parts(config).map(|(simulator, _)| simulator)
}
