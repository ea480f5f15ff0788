//! Reading and adding Banniu tasks from outside the API: in-process ([`BanniuTasks`]) and over
//! HTTP (`/_sim/banniu/tasks`).
//!
//! Contract:
//! - [`BanniuTasks::tasks`] / `GET /_sim/banniu/tasks` return every task in id order as
//!   [`Task`] (`{"id","project_id","task_status","created","modified","content":{…}}`),
//!   content exactly as stored (strings or null).
//! - [`BanniuTasks::add`] / `POST /_sim/banniu/tasks` (body: an array of [`NewTask`], or
//!   `{"tasks":[…]}`) add tasks to the project, all or none: every column id must exist and
//!   every value pass the same checks as `task.update`; `created` defaults to the simulator's
//!   clock. They return the new ids in order (`{"ids":[…]}`); bad input is
//!   `400 {"error":"…"}`.
//! - [`BanniuTasks::of`] finds the handle of a simulator built by [`super::build`] (for
//!   callers that only hold a [`Simulator`], such as `ferry demo`).

use std::sync::{Arc, Mutex, PoisonError, Weak};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::banniu::BanniuState;
use crate::banniu::tasks::{Task, normalize};
use crate::framework::simulator::Simulator;
use crate::framework::time::parse_datetime;

/// The control route.
pub const TASKS_PATH: &str = "/_sim/banniu/tasks";

/// A task to add.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewTask {
    /// Column id → value (text or null; option columns take the option id).
    pub content: Map<String, Value>,
    /// Creation time `yyyy-MM-dd HH:mm:ss` (Beijing); `None` = the simulator's clock.
    pub created: Option<String>,
    /// Status 0..=4 (default 0 待处理).
    pub task_status: u8,
}

impl NewTask {
    /// A task with these `(column id, text)` cells, created now.
    pub fn with(cells: &[(&str, &str)]) -> Self {
        Self {
            content: cells
                .iter()
                .map(|(key, value)| ((*key).to_owned(), Value::from(*value)))
                .collect(),
            ..Self::default()
        }
    }
}

/// In-process access to a Banniu simulator's tasks. Clones share the simulator.
#[derive(Debug, Clone)]
pub struct BanniuTasks(Arc<BanniuState>);

type Registry = Mutex<Vec<Weak<BanniuState>>>;

fn registry() -> &'static Registry {
    static REGISTRY: Registry = Mutex::new(Vec::new());
    &REGISTRY
}

impl BanniuTasks {
    pub(crate) fn register(state: Arc<BanniuState>) -> Self {
        let mut entries = registry().lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|entry| entry.strong_count() > 0);
        entries.push(Arc::downgrade(&state));
        Self(state)
    }

    /// The task handle of `simulator`, if it is a live Banniu simulator.
    pub fn of(simulator: &Simulator) -> Option<Self> {
        let entries = registry().lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .iter()
            .filter_map(Weak::upgrade)
            .find(|state| Arc::ptr_eq(&state.core, simulator.core()))
            .map(Self)
    }

    /// The project the tasks belong to.
    pub fn project_id(&self) -> u64 {
        self.0.config.rules.project_id
    }

    /// Every task, in id order.
    pub fn tasks(&self) -> Vec<Task> {
        let store = self.0.store.read().unwrap_or_else(PoisonError::into_inner);
        store.all().cloned().collect()
    }

    /// One task.
    pub fn task(&self, id: u64) -> Option<Task> {
        let store = self.0.store.read().unwrap_or_else(PoisonError::into_inner);
        store.get(id).cloned()
    }

    /// Adds `tasks` (all or none) and returns their ids in order.
    pub fn add(&self, tasks: &[NewTask]) -> Result<Vec<u64>, String> {
        let now = self.0.core.clock.now_seconds();
        let mut prepared = Vec::with_capacity(tasks.len());
        for (index, task) in tasks.iter().enumerate() {
            let created = match &task.created {
                None => now,
                Some(text) => parse_datetime(text).ok_or_else(|| {
                    format!("task {index}: `created` must be `yyyy-MM-dd HH:mm:ss`, got `{text}`")
                })?,
            };
            if task.task_status > 4 {
                return Err(format!("task {index}: `task_status` must be within 0..=4"));
            }
            for (key, value) in &task.content {
                normalize(key, value).map_err(|error| format!("task {index}: {}", error.msg))?;
            }
            prepared.push((task, created));
        }
        let mut store = self.0.store.write().unwrap_or_else(PoisonError::into_inner);
        prepared
            .into_iter()
            .map(|(task, created)| {
                store
                    .create(&task.content, created, task.task_status)
                    .map_err(|error| error.msg)
            })
            .collect()
    }
}

/// `GET /_sim/banniu/tasks`.
pub async fn list_tasks(State(state): State<Arc<BanniuState>>) -> Response {
    Json(BanniuTasks(state).tasks()).into_response()
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AddBody {
    List(Vec<NewTask>),
    Wrapped { tasks: Vec<NewTask> },
}

/// `POST /_sim/banniu/tasks`.
pub async fn add_tasks(State(state): State<Arc<BanniuState>>, body: Bytes) -> Response {
    let bad = |message: String| {
        (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
    };
    let tasks = match serde_json::from_slice::<AddBody>(&body) {
        Ok(AddBody::List(tasks) | AddBody::Wrapped { tasks }) => tasks,
        Err(error) => {
            return bad(format!(
                "expected an array of tasks or {{\"tasks\":[…]}} ({error})"
            ));
        }
    };
    match BanniuTasks(state).add(&tasks) {
        Ok(ids) => Json(json!({ "ids": ids })).into_response(),
        Err(message) => bad(message),
    }
}
