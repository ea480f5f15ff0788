//! Scheduling schemes (`ferry serve`): cron ticks, remedy runs, one run per scheme at a time.
//!
//! Contract:
//! - Each scheme has up to two cron jobs: `schedule` (kind `scheduled`) and
//!   `omissionRemedy.crontab` (kind `remedy`, see [`remedy`] for what it fetches). Cron text
//!   is read as `ferry_model` validates it (seconds optional) in the scheme's `sync.timezone`.
//! - A scheme has one run slot shared by every kind (scheduled, remedy, manual, retry): never
//!   two runs of one scheme at once in this process (the ledger's lease covers other
//!   processes). A tick that finds the slot busy is skipped, counted in `overlaps_skipped` and
//!   reported as [`RunEvent::Skipped`]; a trigger answers [`Triggered::AlreadyRunning`].
//! - A paused scheme's jobs start nothing; ticks that fall in the pause are not caught up
//!   after `resume`. Triggers still run a paused scheme.
//! - Every connection has one limiter for the scheduler's lifetime, shared by all schemes
//!   calling it ([`crate::open::Limiters`]).
//! - [`Scheduler::shutdown`] starts nothing more, cancels running runs (fetching stops, what
//!   was fetched is written, the run ends `cancelled`) and waits up to the grace period.
//!   Nothing is lost either way: records are in the ledger before they are written and the
//!   checkpoint moves only past complete windows.
//! - Time comes from a [`Clock`]; [`ManualClock`] makes tests fast and deterministic.
//!
//! [`Control`] is the interface the server side uses; the scheduler implements it.

mod clock;
mod control;
mod cron;
pub mod remedy;
mod runner;
mod scheduler;

pub use clock::{Clock, ManualClock, SystemClock};
pub use control::{Control, ControlError, RunEvent, SchemeState, Triggered};
pub use cron::CronSchedule;
pub use runner::{EngineRunner, HEARTBEAT, Runner};
pub use scheduler::{Scheduler, SchedulerSetup};
