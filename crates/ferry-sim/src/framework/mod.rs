//! The platform-independent simulator framework.
//!
//! Contract: a platform module generates its data from [`data::DataConfig`] with streams from
//! [`rng`], builds its axum routes, implements [`assemble::TruthSource`] on its route state,
//! and hands all of it to [`assemble::assemble`] (which calls [`simulator::Simulator::new`]).
//! The framework supplies the rest: the socket ([`server`]), per-request faults ([`inject`]),
//! the token bucket ([`rate`], whose over-limit reply the platform shapes), the clock
//! ([`clock`]), counters ([`stats`]) and the `/_sim/` routes ([`control`]). Time-windowed
//! platforms keep their records in a [`records::TimedStore`] (modified-time index, late
//! indexing, moving records while a client pages) and serve pages with [`paging`].

pub mod assemble;
pub mod clock;
pub mod control;
pub mod core;
pub mod data;
pub mod faults;
pub mod hostile;
pub mod index;
pub mod inject;
pub mod paging;
pub mod rate;
pub mod records;
pub mod rng;
pub mod server;
pub mod simulator;
pub mod stats;
pub mod time;
