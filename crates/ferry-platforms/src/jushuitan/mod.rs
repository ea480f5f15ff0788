//! Jushuitan 聚水潭 order sources, one per route (PROTOCOLS.md §3):
//!
//! - [`JushuitanQimenSource`]: `jushuitan.order.list.query` through the Qimen gateway
//!   (platform `jushuitan-qimen`);
//! - [`JushuitanNativeSource`]: `/open/orders/single/query` on the open API v2 (platform
//!   `jushuitan`).
//!
//! Contract: both page from 1 with at most 100 orders per page ([`page::SHAPE`]), send one
//! request per `fetch_page`, and report `data_count` as the total and `has_next` as sent.

pub mod native;
mod page;
pub mod qimen;

pub use native::{JushuitanNativeSource, NATIVE_ORDERS, native_sign};
pub use page::SHAPE;
pub use qimen::{JushuitanQimenSource, QIMEN_ORDERS};
