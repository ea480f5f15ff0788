//! Jackyun 吉客云 sales-order sources, one per route (PROTOCOLS.md §1):
//!
//! - [`JackyunQimenSource`]: `jackyun.tradenotsensitiveinfos.list.get` through the Qimen
//!   gateway with the double signature (platform `jackyun-qimen`);
//! - [`JackyunNativeSource`]: the same method on the native gateway `open/openapi/do`
//!   (platform `jackyun`).
//!
//! Contract: both page from 0 (`pageIndex`) with at most 1000 trades per page ([`SHAPE`]),
//! send the scheme's rendered parameters as the compact `bizcontent` JSON ([`bizcontent`]),
//! send one request per `fetch_page`, accept `result.data` as an object or a JSON string, and
//! report `total` when the platform sent one (`has_next` is never reported: the engine ends a
//! window on a short page or the total).

pub mod native;
pub(crate) mod page;
pub mod qimen;
pub mod sign;

pub use native::JackyunNativeSource;
pub use page::SHAPE;
pub use qimen::JackyunQimenSource;
pub use sign::{bizcontent, jky_sign};

/// The method (and scheme `api`) both sources serve.
pub const TRADE_LIST: &str = "jackyun.tradenotsensitiveinfos.list.get";
