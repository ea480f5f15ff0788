//! ferry-sim: local simulators of the platforms ferry talks to, faithful on the points that
//! matter to a sync client (signatures, parameter checks, paging, envelopes, error and
//! rate-limit replies), with seeded data, fault injection and a ground-truth endpoint.
//!
//! Contract:
//!
//! * Data is a pure function of the configuration: the same seed and settings give
//!   byte-identical records; a different seed gives different records.
//! * The wire formats and signature checks here are written from PROTOCOLS.md alone and share
//!   no code or types with ferry's platform clients, so a client bug cannot hide behind a
//!   shared one.
//! * Every simulator also serves `/_sim/` control routes
//!   ([`framework::control`]) and exposes the same controls in-process ([`Simulator`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), ferry_sim::SimError> {
//! use ferry_sim::{Platform, SimBuilder};
//! let handle = SimBuilder::new(Platform::Jushuitan)
//!     .seed(7)
//!     .orders(1_000)
//!     .serve("127.0.0.1:0".parse().expect("valid address"))
//!     .await?;
//! println!("jushuitan simulator at {}/router/qm", handle.base_url());
//! let truth = handle.simulator().ground_truth(ferry_sim::ModifiedRange::default());
//! assert_eq!(truth.len(), 1_000);
//! handle.shutdown().await
//! # }
//! ```

pub mod banniu;
mod error;
pub mod framework;
pub mod jackyun;
pub mod jushuitan;
pub mod kingdee;
pub mod okki;
mod platform;
pub mod qimen;
pub mod wdt;
pub mod wdt_flagship;

pub use banniu::{BanniuConfig, BanniuTasks};
pub use error::SimError;
pub use framework::clock::{ClockSetting, SimClock};
pub use framework::control::{GroundTruth, ModifiedRange};
pub use framework::core::{CommonConfig, SimCore};
pub use framework::data::DataConfig;
pub use framework::faults::{
    Error5xxFault, FaultConfig, LateIndexFault, LatencyFault, MoveRecordsFault, TimeoutFault,
    TruncateFault,
};
pub use framework::rate::RateConfig;
pub use framework::server::{SimHandle, SimServer};
pub use framework::simulator::Simulator;
pub use framework::stats::{FaultCounts, StatsSnapshot};
pub use jackyun::JackyunConfig;
pub use jushuitan::JushuitanConfig;
pub use kingdee::{KingdeeConfig, KingdeeControl};
pub use okki::OkkiConfig;
pub use platform::{Platform, SimBuilder, SimConfig, serve};
pub use wdt::WdtConfig;
pub use wdt_flagship::WdtFlagshipConfig;
