//! The scheduler's face to the outside (HTTP API, console, alerts, metrics): what it reports
//! about each scheme, what it can be asked to do, and the events it emits.
//!
//! Contract: every method is cheap and never blocks on a run; a run started through
//! [`Control::trigger`] happens in the background and is reported through [`RunEvent`]s.
//! Times are unix seconds.

use std::sync::Arc;

use ferry_store::RunKind;
use serde::Serialize;
use tokio::sync::broadcast;

use crate::run::RunReport;

/// One scheme as the scheduler sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemeState {
    /// The scheme's name.
    pub name: String,
    /// Its `schedule` (cron), if any.
    pub schedule: Option<String>,
    /// Its `omissionRemedy.crontab`, if any.
    pub remedy: Option<String>,
    /// Paused schemes start no scheduled or remedy runs (a manual trigger still runs).
    pub paused: bool,
    /// The kind of the run in progress, if one is.
    #[serde(with = "optional_kind")]
    pub running: Option<RunKind>,
    /// When the next scheduled run is due (none when paused or unscheduled).
    pub next_run: Option<i64>,
    /// When the next remedy run is due.
    pub next_remedy: Option<i64>,
    /// Ticks skipped because the previous run of the scheme was still going.
    pub overlaps_skipped: u64,
}

/// What [`Control::trigger`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Triggered {
    /// A run started in the background.
    Started,
    /// The scheme already has a run in progress; nothing was started.
    AlreadyRunning,
}

/// Why a request to the scheduler was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("no scheme named `{0}`")]
    UnknownScheme(String),
    #[error("{0}")]
    Failed(String),
}

/// Something that happened to a scheme's runs.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// A run started.
    Started {
        scheme: String,
        kind: RunKind,
        at: i64,
    },
    /// A run ended (succeeded, failed or cancelled: see `report.outcome`).
    Finished {
        scheme: String,
        kind: RunKind,
        at: i64,
        report: Arc<RunReport>,
    },
    /// A run could not start (bad connection, store unreachable, lease held elsewhere).
    NotStarted {
        scheme: String,
        kind: RunKind,
        at: i64,
        error: String,
    },
    /// A tick was skipped because the previous run was still going.
    Skipped {
        scheme: String,
        kind: RunKind,
        at: i64,
    },
}

impl RunEvent {
    /// The scheme the event is about.
    pub fn scheme(&self) -> &str {
        match self {
            RunEvent::Started { scheme, .. }
            | RunEvent::Finished { scheme, .. }
            | RunEvent::NotStarted { scheme, .. }
            | RunEvent::Skipped { scheme, .. } => scheme,
        }
    }
}

/// What the API, console, metrics and alerts may ask of the scheduler.
pub trait Control: Send + Sync {
    /// Every scheme, sorted by name.
    fn schemes(&self) -> Vec<SchemeState>;
    /// Starts a run of `scheme` now. `kind` is `Manual` (fetch and write) or `Retry` (failed
    /// records become pending again, then only pending records are written).
    fn trigger(&self, scheme: &str, kind: RunKind) -> Result<Triggered, ControlError>;
    /// Pauses (`true`) or resumes (`false`) a scheme's scheduled and remedy runs.
    fn set_paused(&self, scheme: &str, paused: bool) -> Result<(), ControlError>;
    /// Events from now on.
    fn subscribe(&self) -> broadcast::Receiver<RunEvent>;
}

mod optional_kind {
    use ferry_store::RunKind;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(kind: &Option<RunKind>, out: S) -> Result<S::Ok, S::Error> {
        match kind {
            Some(kind) => out.serialize_some(kind.as_str()),
            None => out.serialize_none(),
        }
    }
}
