//! ferry's platform clients: everything that knows a platform's wire format.
//!
//! The engine sees two seams and nothing else:
//! - [`source::Source`]: fetch one page of a window given the scheme's rendered request, and say
//!   what the platform reported about totals and further pages;
//! - [`target::Target`]: write one batch of mapped rows and return one outcome per row.
//!
//! Both report failures as [`error::CallError`], classified so the engine knows whether to slow
//! down (rate limit), retry (transient) or stop (rejected credentials, invalid request).
//! Rate limiting, retries and paging loops live in the engine; a client makes exactly one
//! request per call.

pub mod banniu;
pub mod decoders;
pub mod error;
mod http;
pub mod jackyun;
pub mod jushuitan;
pub mod kingdee;
pub mod lenient;
pub mod okki;
pub mod open;
pub mod qimen;
pub mod source;
pub mod sql;
pub mod surrogates;
pub mod target;
#[cfg(test)]
mod test_support;
pub mod wdt;
pub mod wdt_flagship;

pub use error::CallError;
pub use open::open_source;
pub use source::{Page, PageRequest, Source, SourceShape};
pub use target::{Row, RowOutcome, Target};
