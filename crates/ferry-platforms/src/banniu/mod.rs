//! Banniu 班牛 (bytenew) tasks (工单) on the mini-app gateway (PROTOCOLS.md §8), platform
//! `banniu`:
//!
//! - [`BanniuTaskSource`]: `task.list` as a source, tasks returned as `{"id", "content":{…}}`
//!   records (the Banniu task feed scheme);
//! - [`BanniuTarget`] (opened by [`open`]): `task.update` / `task.batchUpdate` as a target
//!   (seed 000, Jackyun order status written back to tasks).
//!
//! Contract: every call is one signed request ([`call`]); the signature is upper-case MD5 of
//! `app_secret + sorted k1v1… + app_secret` over the query only.

pub mod call;
pub mod source;
pub mod target;

pub use call::{BanniuClient, sign};
pub use source::{BanniuTaskSource, SHAPE, TASK_LIST};
pub use target::{BanniuTarget, MAX_BATCH_ITEMS, TASK_BATCH_UPDATE, TASK_UPDATE, open};
