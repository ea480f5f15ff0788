//! The HTTP side of `ferry serve`: the JSON API ([`api`]), the web console ([`console`]),
//! Prometheus metrics ([`metrics`]) and the alert robots ([`alerts`]).
//!
//! Everything here reads the ledger ([`ferry_store::Store`]) and talks to the scheduler through
//! [`ferry_engine::schedule::Control`]; nothing here runs a scheme itself.

pub mod alerts;
pub mod api;
mod auth;
pub mod console;
pub mod metrics;
pub mod state;

pub use state::{AppState, Auth};

/// The whole HTTP surface: the API and `/metrics` ([`api::router`]), the console
/// ([`console::router`]), all behind the bearer-token check ([`auth::require_token`]).
pub fn app(state: AppState) -> axum::Router {
    axum::Router::new()
        .merge(api::router())
        .merge(console::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ))
        .with_state(state)
}
