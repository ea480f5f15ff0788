//! The error type of the simulator crate.
//!
//! Contract: configuration problems are reported before any data is generated or any socket is
//! bound; every message is lowercase, names the offending field in backticks and, where there
//! is a closed set, lists the valid choices.

use std::net::SocketAddr;

/// Why a simulator could not be configured, started or stopped.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A configuration value is out of range or malformed.
    #[error("invalid simulator config `{field}`: {message}")]
    Config {
        /// Dotted path of the field, e.g. `faults.truncate.probability`.
        field: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// A textual spec (a `--fault` or `--rate` value) does not parse.
    #[error("invalid spec `{spec}`: {message}")]
    Spec {
        /// The text as given.
        spec: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// An unknown platform name.
    #[error("unknown simulator platform `{name}` (available: {available})")]
    UnknownPlatform {
        /// The name as given.
        name: String,
        /// The valid names, backticked and comma-separated.
        available: String,
    },
    /// The listening socket could not be bound.
    #[error("cannot bind simulator to `{addr}`")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The server task failed or panicked.
    #[error("simulator server on `{addr}` failed: {message}")]
    Serve {
        /// The bound address.
        addr: SocketAddr,
        /// What went wrong.
        message: String,
    },
}

impl SimError {
    /// A [`SimError::Config`] for `field`.
    pub fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Config {
            field: field.into(),
            message: message.into(),
        }
    }
}
