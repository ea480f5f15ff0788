//! A scheme (集成方案): one sync from a source API to a target, in Qeasy's JSON shape plus a
//! name, connection names, an optional schedule and ferry's own `sync` block.
//!
//! ```json
//! {"name": "jst-orders-to-mysql", "schedule": "*/5 * * * *",
//!  "sync": {"start": "2024-01-01 00:00:00", "max_span": "7d", "overlap": "10m", "lag": "1m"},
//!  "source": {"connection": "jst", "api": "jushuitan.order.list.query", "effect": "QUERY", ...},
//!  "target": {"connection": "dw", "api": "batchexecute", "effect": "EXECUTE", ...}}
//! ```
//!
//! [`load_scheme`] parses and checks a file and compiles every template once; the result is
//! ready to run. Keys the seeds carry for Qeasy's UI (`label`, `describe`, `type`, `isRequired`,
//! …) are kept in `extras` and in each field, and are never an error unless they look like a
//! misspelt known key.

mod adapter;
mod check;
mod field;
mod read;
pub mod sql;
mod sync;

use ferry_expr::condition::CompiledConditions;
use ferry_expr::convert::Parser;
use ferry_expr::template::Template;
use serde_json::Map;

pub use read::{SchemeContext, load_scheme};

use crate::catalog::Effect;
use crate::diag::Issue;
use crate::doc::Span;
use crate::reader::Spanned;

/// The current scheme format version.
pub const SCHEME_VERSION: u32 = 1;

/// A checked, compiled scheme.
#[derive(Debug, Clone)]
pub struct Scheme {
    /// Format version (`version`, default 1).
    pub version: u32,
    /// Unique name; also the ledger collection `_mongoQuery` looks up.
    pub name: String,
    /// Optional id (Qeasy uses a UUID); `_mongoQuery` may name a scheme by it.
    pub id: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Cron expression (seconds optional) for `ferry serve`.
    pub schedule: Option<Spanned<String>>,
    /// Windowing settings.
    pub sync: SyncSettings,
    /// Where records come from.
    pub source: SourceAdapter,
    /// Where records go.
    pub target: TargetAdapter,
    /// Unknown top-level keys, kept.
    pub extras: Map<String, serde_json::Value>,
    /// Warnings found while loading (the scheme is usable).
    pub warnings: Vec<Issue>,
}

/// ferry's `sync` block: how a run splits time into windows.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// First-run start (unix seconds); default: one day before the first run.
    pub start: Option<i64>,
    /// Widest window; default and maximum: the API's cap.
    pub max_span_secs: i64,
    /// How far each run reaches back before the checkpoint, to catch late-indexed records.
    pub overlap_secs: i64,
    /// How far behind "now" a run stops, so records still being written are not missed.
    pub lag_secs: i64,
    /// Time zone of `start`, of `{{…|datetime}}` and of `_function` dates.
    pub timezone: jiff::tz::TimeZone,
    /// Its IANA name.
    pub timezone_name: String,
    /// Page size override (else the scheme's request or the platform default).
    pub page_size: Option<u32>,
}

/// What both halves of a scheme share.
#[derive(Debug, Clone)]
pub struct Adapter {
    /// Connection name in `ferry.toml`.
    pub connection: Spanned<String>,
    /// API name (`jushuitan.order.list.query`, `batchexecute`, `batchSave`, …).
    pub api: Spanned<String>,
    /// `QUERY` or `EXECUTE`.
    pub effect: Effect,
    /// HTTP method or `SQL`, as written.
    pub method: Option<String>,
    /// Field holding the record's business number.
    pub number: Option<String>,
    /// Field holding the record's unique id (the ledger key).
    pub id: Option<String>,
    /// Field holding a display name.
    pub name: Option<String>,
    /// Skip records whose content hash equals the last one written.
    pub id_check: bool,
    /// Request fields (templates).
    pub request: Vec<RequestField>,
    /// Settings (`main_sql`, `limit`, `FormId`, …).
    pub other_request: Vec<RequestField>,
    /// Unknown keys, kept.
    pub extras: Map<String, serde_json::Value>,
    /// Where the adapter object is.
    pub span: Span,
}

impl Adapter {
    /// An `otherRequest` entry by field name.
    pub fn other(&self, field: &str) -> Option<&RequestField> {
        self.other_request.iter().find(|entry| entry.field == field)
    }

    /// A `request` entry by field name.
    pub fn request_field(&self, field: &str) -> Option<&RequestField> {
        self.request.iter().find(|entry| entry.field == field)
    }
}

/// The source half.
#[derive(Debug, Clone)]
pub struct SourceAdapter {
    /// Shared keys.
    pub adapter: Adapter,
    /// `condition`: records must match (OR of AND groups) to be kept.
    pub condition: CompiledConditions,
    /// The condition as written.
    pub condition_json: serde_json::Value,
    /// `beatFlat`: array fields whose elements become records of their own.
    pub beat_flat: Vec<String>,
    /// `omissionRemedy`: a second schedule re-pulling an older range.
    pub omission_remedy: Option<Remedy>,
}

/// The target half.
#[derive(Debug, Clone)]
pub struct TargetAdapter {
    /// Shared keys.
    pub adapter: Adapter,
}

/// `omissionRemedy`.
#[derive(Debug, Clone)]
pub struct Remedy {
    /// When to run it (cron, seconds optional).
    pub crontab: Spanned<String>,
    /// Request fields overriding the source's for remedy runs.
    pub take_over_request: Vec<RequestField>,
}

/// One entry of `request`, `otherRequest` or `takeOverRequest`.
#[derive(Debug, Clone)]
pub struct RequestField {
    /// The field name sent or written.
    pub field: String,
    /// Qeasy's label (Chinese), kept as written.
    pub label: Option<String>,
    /// Declared type (`string`, `int`, `object`, …).
    pub field_type: Option<FieldType>,
    /// The value as written (string, number, …) or `null` when absent.
    pub raw_value: serde_json::Value,
    /// The compiled value, if the entry has one.
    pub value: Option<Template>,
    /// `parser` applied after rendering.
    pub parser: Option<Parser>,
    /// Nested fields (`type: object` with `children`).
    pub children: Vec<RequestField>,
    /// Other keys (`describe`, UI flags), kept.
    pub extras: Map<String, serde_json::Value>,
    /// Where the entry is.
    pub span: Span,
}

/// A request field's declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Text.
    String,
    /// Whole number.
    Int,
    /// Number with a fraction.
    Float,
    /// true/false.
    Bool,
    /// Nested object (`children`).
    Object,
    /// Array.
    Array,
    /// A date `YYYY-MM-DD`.
    Date,
    /// A date-time `YYYY-MM-DD HH:MM:SS`.
    Datetime,
}

impl FieldType {
    /// The names accepted in schemes, with the type each means.
    pub const NAMES: &'static [(&'static str, FieldType)] = &[
        ("string", FieldType::String),
        ("text", FieldType::String),
        ("int", FieldType::Int),
        ("integer", FieldType::Int),
        ("long", FieldType::Int),
        ("float", FieldType::Float),
        ("double", FieldType::Float),
        ("decimal", FieldType::Float),
        ("number", FieldType::Float),
        ("bool", FieldType::Bool),
        ("boolean", FieldType::Bool),
        ("object", FieldType::Object),
        ("array", FieldType::Array),
        ("date", FieldType::Date),
        ("datetime", FieldType::Datetime),
    ];

    /// Parses a type name (case-insensitive).
    pub fn parse(name: &str) -> Option<FieldType> {
        let lowered = name.to_ascii_lowercase();
        Self::NAMES
            .iter()
            .find(|(known, _)| *known == lowered)
            .map(|(_, field_type)| *field_type)
    }
}
