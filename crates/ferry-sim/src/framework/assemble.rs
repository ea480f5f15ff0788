//! Shared parts of a platform's `build`: ground truth rendered from the platform's state,
//! assembling the [`Simulator`], and the configuration checks every platform repeats.
//!
//! Contract: a platform implements [`TruthSource`] on its route state: `snapshot` copies
//! (under the state's lock) the records whose modified time is in a range, in key order, and
//! `render` renders one as the platform's API would. [`assemble`] attaches the state to the
//! routes and wraps the state as the simulator's [`GroundTruth`], whose records are
//! `serde_json::to_vec` of each rendering (empty on a serialisation error). The `check_*`
//! functions return [`SimError::config`] with the exact field names and messages the
//! platforms have always used.

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

use axum::Router;
use serde::Serialize;

use crate::error::SimError;
use crate::framework::control::{GroundTruth, ModifiedRange};
use crate::framework::core::SimCore;
use crate::framework::simulator::Simulator;

/// A platform state that can produce its ground truth.
pub trait TruthSource: Send + Sync + 'static {
    /// What `snapshot` copies per record.
    type Core: Send + 'static;
    /// The rendered record.
    type Json: Serialize;

    /// The records whose modified time is in `range`, in key order, with their indexes.
    fn snapshot(&self, range: ModifiedRange) -> Vec<(u32, Self::Core)>;

    /// Renders record `record` as the platform's API would.
    fn render(&self, record: u32, core: &Self::Core) -> Self::Json;
}

struct Truth<S>(Arc<S>);

impl<S: TruthSource> GroundTruth for Truth<S> {
    fn records(&self, range: ModifiedRange) -> Box<dyn Iterator<Item = Vec<u8>> + Send> {
        let snapshot = self.0.snapshot(range);
        let state = Arc::clone(&self.0);
        Box::new(snapshot.into_iter().map(move |(record, core)| {
            serde_json::to_vec(&state.render(record, &core)).unwrap_or_default()
        }))
    }
}

/// The simulator named `platform`: `routes` served with `state`, whose ground truth it is.
pub fn assemble<S: TruthSource>(
    platform: &'static str,
    core: Arc<SimCore>,
    state: Arc<S>,
    routes: Router<Arc<S>>,
) -> Simulator {
    let routes = routes.with_state(Arc::clone(&state));
    Simulator::new(platform, core, Arc::new(Truth(state)), routes)
}

/// Reads `lock`, also after a panic elsewhere poisoned it (the data stays consistent).
pub fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

/// `field` must be at least `min`.
pub fn check_at_least(value: impl Into<u64>, min: u64, field: &str) -> Result<(), SimError> {
    if value.into() < min {
        return Err(SimError::config(field, format!("must be at least {min}")));
    }
    Ok(())
}

/// `field` must be within `1..=max`, where `max` is the value of the field `max_name`.
pub fn check_within(
    value: impl Into<u64>,
    max: impl Into<u64>,
    field: &str,
    max_name: &str,
) -> Result<(), SimError> {
    if !(1..=max.into()).contains(&value.into()) {
        return Err(SimError::config(
            field,
            format!("must be within 1..={max_name}"),
        ));
    }
    Ok(())
}

/// The paging rules most platforms share: `rules.max_page_size` at least 1 and
/// `rules.default_page_size` within `1..=max_page_size`.
pub fn check_page_sizes(max_page_size: u32, default_page_size: u32) -> Result<(), SimError> {
    check_at_least(max_page_size, 1, "rules.max_page_size")?;
    check_within(
        default_page_size,
        max_page_size,
        "rules.default_page_size",
        "max_page_size",
    )
}

/// `field` (a secret) must not be empty.
pub fn check_not_empty(value: &str, field: &str) -> Result<(), SimError> {
    if value.is_empty() {
        return Err(SimError::config(field, "must not be empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: Result<(), SimError>) -> String {
        result.map_or_else(|error| error.to_string(), |()| "ok".to_owned())
    }

    #[test]
    fn checks_name_the_field_and_the_rule() {
        assert_eq!(message(check_at_least(1u32, 1, "rules.a")), "ok");
        assert_eq!(
            message(check_at_least(0u32, 1, "rules.a")),
            SimError::config("rules.a", "must be at least 1").to_string()
        );
        assert_eq!(
            message(check_at_least(3_599u64, 3_600, "rules.s")),
            SimError::config("rules.s", "must be at least 3600").to_string()
        );
        assert_eq!(message(check_within(5u32, 5u32, "rules.d", "max")), "ok");
        assert_eq!(
            message(check_within(0u32, 5u32, "rules.d", "max")),
            SimError::config("rules.d", "must be within 1..=max").to_string()
        );
        assert_eq!(
            message(check_within(6u32, 5u32, "rules.d", "max")),
            SimError::config("rules.d", "must be within 1..=max").to_string()
        );
        assert_eq!(
            message(check_not_empty("", "app.secret")),
            SimError::config("app.secret", "must not be empty").to_string()
        );
    }
}
