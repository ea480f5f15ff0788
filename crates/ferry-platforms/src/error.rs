//! How a call to a platform failed, classified for the engine's retry policy.
//!
//! Contract: messages say what the platform answered (its code and text) but never contain a
//! secret or a signature; the engine prefixes the connection name.

use std::time::Duration;

/// A failed call to a source or target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The platform asked us to slow down (Qimen code 7, HTTP 429, WDT 1012, …). The engine
    /// waits (`retry_after` if the platform said how long), slows the connection's limiter and
    /// retries; it never counts as data.
    #[error("rate limited: {message}")]
    RateLimited {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Worth retrying with backoff: connection errors, timeouts, 5xx, truncated or invalid
    /// bodies, the platform's own "remote service error".
    #[error("{message}")]
    Transient { message: String },
    /// Credentials, signature or permission rejected: retrying cannot help; the user must fix
    /// the connection in ferry.toml.
    #[error("{message}")]
    Rejected { message: String },
    /// The platform refused the request itself (bad parameter, window too wide, unknown
    /// method): retrying cannot help; the user must fix the scheme.
    #[error("{message}")]
    Invalid { message: String },
}

impl CallError {
    /// Whether the engine should retry the call.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            CallError::RateLimited { .. } | CallError::Transient { .. }
        )
    }

    /// Shorthand for a transient error.
    pub fn transient(message: impl Into<String>) -> Self {
        CallError::Transient {
            message: message.into(),
        }
    }
}
