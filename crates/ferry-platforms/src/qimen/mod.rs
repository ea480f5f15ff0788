//! The Qimen 奇门 (Taobao TOP) gateway that Jushuitan, Jackyun and WDT expose their custom APIs
//! through (PROTOCOLS.md §6).
//!
//! Contract: [`mod@sign`] implements the TOP signature, [`envelope`] classifies the gateway's
//! replies, and [`QimenClient`] combines them into one signed call that returns the ISV's
//! inner `response` object; [`settings`] reads a connection's Qimen settings and [`page`]
//! calls with one page's rendered parameters. Nothing here is specific to one ERP: each
//! platform module picks its method, routing parameter and inner decoding.

pub mod client;
pub mod envelope;
pub mod page;
pub mod settings;
pub mod sign;

pub use client::{QimenClient, QimenConfig, beijing_timestamp, business_params, business_value};
pub use envelope::open_envelope;
pub use page::page_params;
pub use sign::{SignMethod, sign};
