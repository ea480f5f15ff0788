//! The source seam: one page of one window per call.
//!
//! Contract: the engine renders the scheme's `request` for a window (time fields, filters) and
//! passes it with the page number and size; the client sets its platform's paging parameters
//! (overriding whatever the scheme rendered for them), adds system parameters and the
//! signature, sends exactly one HTTP request, and decodes the records and the paging facts the
//! platform reported. It does not retry, sleep or loop over pages.

use std::fmt::Debug;

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::error::CallError;

/// What the engine needs to know about a source's paging and records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceShape {
    /// Number of the first page (0 or 1).
    pub first_page: u32,
    /// Largest page size the platform accepts.
    pub max_page_size: u32,
    /// Name of the request parameter carrying the page number (`page_index`).
    pub page_param: &'static str,
    /// Name of the request parameter carrying the page size (`page_size`).
    pub size_param: &'static str,
    /// Record field holding the record's modified time (`modified`), if any.
    pub modified_field: Option<&'static str>,
}

/// One page to fetch.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<'a> {
    /// The scheme's rendered business parameters for this window.
    pub params: &'a Map<String, Value>,
    /// Page number, counted the platform's way (from `SourceShape::first_page`).
    pub page: u32,
    /// Records per page.
    pub page_size: u32,
}

/// One decoded page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// The records, as the platform sent them.
    pub records: Vec<Value>,
    /// Total records in the window, if the platform reported it (`data_count`).
    pub total: Option<u64>,
    /// Whether the platform says more pages follow (`has_next`), if it said.
    pub has_next: Option<bool>,
}

/// A platform API that lists records by time window, page by page.
#[async_trait]
pub trait Source: Send + Sync + Debug {
    /// Paging facts for the engine.
    fn shape(&self) -> SourceShape;

    /// Fetches one page: one request, no retries.
    async fn fetch_page(&self, request: PageRequest<'_>) -> Result<Page, CallError>;

    /// The record field that identifies one source record on this platform (`stockout_id`),
    /// for the engine's completeness check; `None`: the scheme's source `id` does. Needed
    /// where schemes key by something coarser than a record (seed 003 keys stockouts by
    /// invoice title, one customer per title).
    fn identity_field(&self) -> Option<&'static str> {
        None
    }
}
