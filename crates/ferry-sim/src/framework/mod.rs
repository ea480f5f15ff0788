//! The platform-independent simulator framework.
//!
//! Contract: a platform module generates its data from [`data::DataConfig`] with streams from
//! [`rng`], builds its axum routes, implements [`control::GroundTruth`], and hands all of it to
//! [`simulator::Simulator::new`]. The framework supplies the rest: the socket
//! ([`server`]), per-request faults ([`inject`]), the token bucket ([`rate`], whose over-limit
//! reply the platform shapes), the clock ([`clock`]), counters ([`stats`]) and the `/_sim/`
//! routes ([`control`]).

pub mod clock;
pub mod control;
pub mod core;
pub mod data;
pub mod faults;
pub mod hostile;
pub mod index;
pub mod inject;
pub mod rate;
pub mod rng;
pub mod server;
pub mod simulator;
pub mod stats;
pub mod time;
