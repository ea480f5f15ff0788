//! What every handler shares: the ledger, the scheduler's [`Control`], the loaded config and
//! schemes, the auth rule and the metrics registry.
//!
//! Contract: [`AppState`] is cheap to clone (all `Arc`s) and immutable after start; schemes are
//! sorted by name. [`Auth`] decides whether a request may pass: with no token every request
//! passes (only allowed on loopback, enforced when the config is loaded and again by
//! [`Auth::for_listen`]), with a token the request must carry `Authorization: Bearer <token>`,
//! compared in constant time. The token is a [`Secret`]: never logged, never returned.

use std::net::SocketAddr;
use std::sync::Arc;

use ferry_engine::schedule::Control;
use ferry_model::secret::Secret;
use ferry_model::{Config, Scheme};
use ferry_store::Store;

use crate::metrics::Metrics;

/// Shared state of the HTTP server.
#[derive(Clone)]
pub struct AppState {
    /// The ledger and run history.
    pub store: Arc<dyn Store>,
    /// The scheduler.
    pub control: Arc<dyn Control>,
    /// `ferry.toml`.
    pub config: Arc<Config>,
    /// Every loaded scheme, sorted by name.
    pub schemes: Arc<Vec<Arc<Scheme>>>,
    /// Who may call.
    pub auth: Auth,
    /// The Prometheus registry and the run-event counters.
    pub metrics: Metrics,
}

impl AppState {
    /// The scheme named `name`, if loaded.
    pub fn scheme(&self, name: &str) -> Option<&Arc<Scheme>> {
        self.schemes.iter().find(|scheme| scheme.name == name)
    }
}

/// The bearer-token rule.
#[derive(Clone, Debug, Default)]
pub struct Auth {
    token: Option<Secret>,
}

/// Why the server refuses to start with the given listen address and token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refusing to listen on `{listen}` without a token: it is not a loopback address; set \
     `token = \"${{FERRY_TOKEN}}\"` under `[server]` in ferry.toml (and export FERRY_TOKEN), or \
     listen on 127.0.0.1"
)]
pub struct MissingToken {
    /// The refused address.
    pub listen: SocketAddr,
}

impl Auth {
    /// No token: every request passes. Only for loopback listeners and tests.
    pub fn open() -> Self {
        Self { token: None }
    }

    /// Requests must carry `Authorization: Bearer <token>`. An empty token counts as none.
    pub fn token(token: Secret) -> Self {
        Self {
            token: (!token.is_empty()).then_some(token),
        }
    }

    /// The rule for a server listening on `listen` with the configured `token`; refuses a
    /// non-loopback address without a token.
    pub fn for_listen(listen: SocketAddr, token: Option<Secret>) -> Result<Self, MissingToken> {
        let auth = token.map(Self::token).unwrap_or_default();
        if auth.token.is_none() && !listen.ip().is_loopback() {
            return Err(MissingToken { listen });
        }
        Ok(auth)
    }

    /// Whether a token is required.
    pub fn required(&self) -> bool {
        self.token.is_some()
    }

    /// Whether a request with this `Authorization` header value may pass.
    pub fn allows(&self, authorization: Option<&[u8]>) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        let Some(presented) = authorization.and_then(|value| value.strip_prefix(b"Bearer ")) else {
            return false;
        };
        constant_time_eq(presented, token.expose().as_bytes())
    }
}

/// Compares two byte strings in time that depends only on their lengths.
fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    if left.len() != right.len() {
        return false;
    }
    left.iter()
        .zip(right)
        .fold(0u8, |diff, (a, b)| diff | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked() {
        let auth = Auth::token(Secret::new("s3cret"));
        assert!(auth.allows(Some(b"Bearer s3cret")));
        assert!(!auth.allows(Some(b"Bearer s3cres")));
        assert!(!auth.allows(Some(b"Bearer s3cret2")));
        assert!(!auth.allows(Some(b"s3cret")));
        assert!(!auth.allows(None));
        assert!(Auth::open().allows(None));
        assert!(Auth::token(Secret::new("")).allows(None));
    }

    #[test]
    fn non_loopback_needs_a_token() {
        let public: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let error = Auth::for_listen(public, None).unwrap_err();
        assert!(error.to_string().contains("FERRY_TOKEN"), "{error}");
        assert!(
            Auth::for_listen(public, Some(Secret::new("t")))
                .unwrap()
                .required()
        );
        assert!(!Auth::for_listen(local, None).unwrap().required());
    }
}
