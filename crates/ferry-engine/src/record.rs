//! From a source record to ledger records: flatten (`beatFlat`), filter (`condition`), key,
//! content hash and modified time.
//!
//! Contract (the ledger key rule, also in docs/ARCHITECTURE.md):
//! 1. If the target's `id` names one of the target's request fields, the key is that field
//!    rendered for the (flattened) record: seed 002's `"{o_id}-{items_oi_id}"` keys one row per
//!    order item, exactly like the target table's primary key.
//! 2. Otherwise the key is the source's `id` field; when `beatFlat` splits a record, the
//!    element's position is appended (`12345#0`, `12345#1`, …).
//!
//! A record without a key value is not dropped: it is stored under `!nokey:<hash>` and failed
//! with a message naming the key field, so it shows in `ferry records --status failed`.
//! A record holding a value the platform client could not read (`1e999`, nesting past 127
//! levels: [`ferry_platforms::lenient`]) is stored under its key and failed with the field's
//! path and the reason; the rest of its page goes on.
//! The content hash is the 128-bit xxh3 of the flattened record's JSON bytes.

use ferry_expr::flatten::flatten_iter;
use ferry_expr::scope::resolve_field;
use ferry_expr::template::Template;
use ferry_expr::{Record, RecordScope, RunVars};
use ferry_model::scheme::Scheme;
use ferry_model::units::parse_time;
use ferry_store::{ContentHash, FetchedRecord};
use serde_json::Value;

/// How a scheme's records are keyed; built once per run.
#[derive(Debug, Clone)]
pub struct Keying {
    rule: KeyRule,
    beat_flat: Vec<String>,
    modified_field: Option<&'static str>,
    identity_field: Option<String>,
    timezone: jiff::tz::TimeZone,
}

#[derive(Debug, Clone)]
enum KeyRule {
    /// Rule 1: a target field's template.
    Target { field: String, template: Template },
    /// Rule 2: a source field.
    Source { field: String },
}

/// A ledger record ready to store, or one stored and failed at once.
#[derive(Debug)]
pub enum Prepared {
    Keyed(FetchedRecord),
    /// Stored (under a synthetic key when it has none) and failed with `error`.
    Rejected {
        record: FetchedRecord,
        error: String,
    },
}

impl Keying {
    /// The key rule of `scheme`; `Err` names what is missing when it has neither key.
    pub fn new(scheme: &Scheme, modified_field: Option<&'static str>) -> Result<Self, String> {
        let target = &scheme.target.adapter;
        let from_target = target.id.as_ref().and_then(|id| {
            let field = target.request_field(id)?;
            let template = field.value.clone()?;
            Some(KeyRule::Target {
                field: id.clone(),
                template,
            })
        });
        let rule = match (from_target, &scheme.source.adapter.id) {
            (Some(rule), _) => rule,
            (None, Some(field)) => KeyRule::Source {
                field: field.clone(),
            },
            (None, None) => {
                return Err(format!(
                    "scheme `{}` has no record key: set the source's `id` to the field that \
                     identifies a record (e.g. \"id\": \"o_id\")",
                    scheme.name
                ));
            }
        };
        Ok(Keying {
            rule,
            beat_flat: scheme.source.beat_flat.clone(),
            modified_field,
            identity_field: scheme.source.adapter.id.clone(),
            timezone: scheme.sync.timezone.clone(),
        })
    }

    /// Identifies source records by `field` (the platform's record id) in the completeness
    /// check, instead of the scheme's source `id`.
    pub fn with_identity_field(mut self, field: Option<&str>) -> Self {
        if let Some(field) = field {
            self.identity_field = Some(field.to_owned());
        }
        self
    }

    /// The identity of an unflattened source record, for the completeness check: the
    /// platform's record id or else the scheme's source `id`, if the record has it; else its
    /// content.
    pub fn source_identity(&self, record: &Record) -> u64 {
        let id = self
            .identity_field
            .as_deref()
            .and_then(|field| resolve_field(record, field));
        match id {
            Some(value) => xxhash_rust::xxh3::xxh3_64(key_text(&value).as_bytes()),
            None => xxhash_rust::xxh3::xxh3_64(&serde_json::to_vec(record).unwrap_or_default()),
        }
    }

    /// Flattens, filters and keys one source record, appending the results to `out`; returns
    /// how many flattened records the filter dropped.
    pub fn prepare(
        &self,
        scheme: &Scheme,
        record: &Record,
        vars: &RunVars,
        out: &mut Vec<Prepared>,
    ) -> u64 {
        let mut filtered = 0;
        for (index, flat) in flatten_iter(record, &self.beat_flat).enumerate() {
            let scope = RecordScope::new(&flat, vars);
            if !scheme.source.condition.matches(&scope) {
                filtered += 1;
                continue;
            }
            let key = self.key(&flat, vars, index);
            let payload = Value::Object(flat);
            // Serialised once: hashed here, stored as is by the ledger.
            let text = serde_json::to_string(&payload).unwrap_or_default();
            let hash = ContentHash(xxhash_rust::xxh3::xxh3_128(text.as_bytes()).to_be_bytes());
            let source_modified = self.modified(&payload);
            let unreadable = unreadable_value(text.as_bytes(), &payload);
            let record = |key| FetchedRecord {
                key,
                hash,
                payload,
                payload_json: Some(text),
                source_modified,
            };
            out.push(match (key, unreadable) {
                (Ok(key), None) => Prepared::Keyed(record(key)),
                (Ok(key), Some(error)) => Prepared::Rejected {
                    record: record(key),
                    error,
                },
                (Err(error), _) => Prepared::Rejected {
                    record: record(format!("!nokey:{hash}")),
                    error,
                },
            });
        }
        filtered
    }

    fn key(&self, record: &Record, vars: &RunVars, index: usize) -> Result<String, String> {
        match &self.rule {
            KeyRule::Target { field, template } => {
                let value = template
                    .render(&RecordScope::new(record, vars).absent_as_null())
                    .map_err(|error| format!("key field `{field}`: {error}"))?;
                non_empty(key_text(&value), field)
            }
            KeyRule::Source { field } => {
                let value = resolve_field(record, field).map(|value| key_text(&value));
                let key = non_empty(value.unwrap_or_default(), field)?;
                Ok(if self.beat_flat.is_empty() {
                    key
                } else {
                    format!("{key}#{index}")
                })
            }
        }
    }

    fn modified(&self, payload: &Value) -> Option<i64> {
        let value = payload.get(self.modified_field?)?;
        match value {
            Value::String(text) => parse_time(text, &self.timezone).ok(),
            Value::Number(number) => number.as_i64().map(|n| {
                // Epoch milliseconds (WDT flagship) or seconds.
                if n > 100_000_000_000 { n / 1000 } else { n }
            }),
            _ => None,
        }
    }
}

/// Why a record cannot be written, when it holds a value its platform client could not read:
/// a quick search of its JSON bytes for the marker key, then the marker's path.
fn unreadable_value(bytes: &[u8], payload: &Value) -> Option<String> {
    memchr::memmem::find(bytes, ferry_platforms::lenient::INVALID_NEEDLE.as_bytes())?;
    let (path, reason) = ferry_platforms::lenient::find_invalid(payload)?;
    Some(format!(
        "field `{path}`: {reason} in the platform's reply; ferry cannot carry this value, so \
         the record is not written (fix it at the source, or leave it out of the reply)"
    ))
}

fn key_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn non_empty(key: String, field: &str) -> Result<String, String> {
    if key.is_empty() {
        Err(format!("record has no value for its key field `{field}`"))
    } else {
        Ok(key)
    }
}
