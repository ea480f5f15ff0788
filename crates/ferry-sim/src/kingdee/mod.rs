//! The Kingdee K3Cloud 金蝶云星空 WebAPI simulator (PROTOCOLS.md §7): a *target* platform.
//!
//! Contract: [`build`] returns a [`Simulator`] serving `POST /k3cloud/<ServiceName>.common.kdsvc`
//! (also `/K3Cloud/`):
//!
//! * `AuthService.ValidateUser` / `LoginByAppSecret` / `LoginBySign`: session logins, and the
//!   stateless signature headers on business calls ([`auth`]);
//! * `DynamicFormService.Save` / `BatchSave` / `Submit` / `Audit` / `Allocate` ([`write`]) and
//!   `ExecuteBillQuery` ([`query`]), with per-entity validation against [`forms`];
//!
//! plus the framework's `/_sim/` routes and `GET /_sim/kingdee/records?formid=F`,
//! `POST /_sim/kingdee/expire-sessions` ([`route`]). The store starts empty (nothing is
//! generated; `data.orders` is ignored); ground truth is every saved record (all forms, by
//! form then number) whose last change (`modified`, simulator clock) is in range, as
//! [`store::SavedRecord`] JSON. [`build_with_control`] also returns a [`KingdeeControl`] for
//! in-process reads (saved records per FormId) and session expiry. Faults: latency, 5xx,
//! timeouts and truncation apply to every route; moving records and late indexing do not
//! apply to a write API.

pub mod auth;
pub mod body;
pub mod forms;
pub mod query;
pub mod reply;
pub mod route;
pub mod sign;
pub mod store;
pub mod write;

use std::sync::{Arc, PoisonError, RwLock};

use axum::Router;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use crate::error::SimError;
use crate::framework::control::{GroundTruth, ModifiedRange};
use crate::framework::core::{CommonConfig, SimCore};
use crate::framework::simulator::Simulator;
use crate::kingdee::auth::{AuthConfig, SessionBook};
use crate::kingdee::forms::{BaseData, FormRule, default_forms};
use crate::kingdee::store::{RecordStore, SavedRecord};

/// Everything that configures a Kingdee simulator; every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KingdeeConfig {
    /// Clock, rate limit and faults (`data` only seeds session ids).
    pub common: CommonConfig,
    /// Credentials and session lifetime.
    pub auth: AuthConfig,
    /// Organisations, currencies and groups references resolve to.
    pub base_data: BaseData,
    /// Business objects (FormIds) and their required fields.
    pub forms: Vec<FormRule>,
}

impl Default for KingdeeConfig {
    fn default() -> Self {
        Self {
            common: CommonConfig::default(),
            auth: AuthConfig::default(),
            base_data: BaseData::default(),
            forms: default_forms(),
        }
    }
}

/// Shared state of the routes.
#[derive(Debug)]
pub struct KingdeeState {
    /// Framework core.
    pub core: Arc<SimCore>,
    /// The configuration (validated).
    pub config: KingdeeConfig,
    /// Saved records.
    pub store: RwLock<RecordStore>,
    /// Live sessions.
    pub sessions: SessionBook,
}

/// In-process access to a running Kingdee simulator; clones share it.
#[derive(Debug, Clone)]
pub struct KingdeeControl(Arc<KingdeeState>);

impl KingdeeControl {
    /// Saved records of `form_id`, in number order.
    pub fn records(&self, form_id: &str) -> Vec<SavedRecord> {
        self.0
            .store
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .list(form_id)
    }

    /// Ends every session: the next business call with one gets MsgCode 1.
    pub fn expire_sessions(&self) {
        self.0.sessions.expire_all();
    }

    /// How many sessions were issued (successful logins).
    pub fn logins(&self) -> u64 {
        self.0.sessions.issued()
    }
}

struct Truth(Arc<KingdeeState>);

impl GroundTruth for Truth {
    fn records(&self, range: ModifiedRange) -> Box<dyn Iterator<Item = Vec<u8>> + Send> {
        let all = self
            .0
            .store
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .all();
        Box::new(
            all.into_iter()
                .filter(move |record| range.contains(record.modified))
                .map(|record| serde_json::to_vec(&record).unwrap_or_default()),
        )
    }
}

fn validate(config: &KingdeeConfig) -> Result<(), SimError> {
    if config.auth.session_ttl_s < 1 {
        return Err(SimError::config("auth.session_ttl_s", "must be at least 1"));
    }
    if config.auth.sign_max_skew_s < 0 {
        return Err(SimError::config(
            "auth.sign_max_skew_s",
            "must not be negative",
        ));
    }
    if config.forms.is_empty() {
        return Err(SimError::config("forms", "must name at least one FormId"));
    }
    Ok(())
}

/// Assembles the simulator (no socket yet).
pub fn build(config: KingdeeConfig) -> Result<Simulator, SimError> {
    build_with_control(config).map(|(simulator, _)| simulator)
}

/// Assembles the simulator and its in-process control handle.
pub fn build_with_control(config: KingdeeConfig) -> Result<(Simulator, KingdeeControl), SimError> {
    validate(&config)?;
    let core = Arc::new(SimCore::new(&config.common)?);
    let state = Arc::new(KingdeeState {
        core: Arc::clone(&core),
        config,
        store: RwLock::new(RecordStore::default()),
        sessions: SessionBook::default(),
    });
    let routes = Router::new()
        .route("/k3cloud/{service}", post(route::service))
        .route("/K3Cloud/{service}", post(route::service))
        .route("/_sim/kingdee/records", get(route::records))
        .route(
            "/_sim/kingdee/expire-sessions",
            post(route::expire_sessions),
        )
        .with_state(Arc::clone(&state));
    let simulator = Simulator::new("kingdee", core, Arc::new(Truth(Arc::clone(&state))), routes);
    Ok((simulator, KingdeeControl(state)))
}
