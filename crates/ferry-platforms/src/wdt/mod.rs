//! WDT enterprise 旺店通·企业版 sales-stockout sources (销售出库单), one per route
//! (PROTOCOLS.md §4):
//!
//! - [`WdtQimenSource`]: `wdt.stockout.order.query.trade` through the Qimen gateway (platform
//!   `wdt-qimen`, routing parameter `sid`);
//! - [`WdtNativeSource`]: `stockout_order_query_trade.php` on the native open API (platform
//!   `wdt`, length-prefixed MD5 signature, [`wdt_sign`]).
//!
//! Contract: both page from 0 (`page_no`) with at most 100 records per page ([`page::SHAPE`]),
//! send one request per `fetch_page`, report `total_count` as the total and no `has_next`
//! (the engine ends a window on a short page or the total).

pub mod native;
pub(crate) mod page;
pub mod qimen;

pub use native::{NATIVE_STOCKOUTS, WdtNativeSource, pack, wdt_sign};
pub use page::SHAPE;
pub use qimen::{QIMEN_STOCKOUTS, WdtQimenSource};
