//! Reads the `source` and `target` halves of a scheme.

use super::field::{FieldSide, read_fields};
use super::read::check_cron;
use super::{Adapter, Remedy, SourceAdapter, TargetAdapter};
use crate::catalog::Effect;
use crate::diag::{Diagnostics, choice_hint};
use crate::doc::Node;
use crate::reader::{ObjectReader, UnknownKeys, index_path};

const ADAPTER_KEYS: &[&str] = &[
    "connection",
    "api",
    "effect",
    "method",
    "number",
    "id",
    "name",
    "idCheck",
    "request",
    "otherRequest",
];
const SOURCE_KEYS: &[&str] = &["condition", "beatFlat", "omissionRemedy"];
const TARGET_KEYS: &[&str] = &["distributionOrg"];
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "SQL"];

/// Reads `source`.
pub(super) fn read_source(node: &Node, diagnostics: &mut Diagnostics<'_>) -> Option<SourceAdapter> {
    let mut table = ObjectReader::open(node, "source", diagnostics)?;
    let adapter = read_common(&mut table, Effect::Query, FieldSide::Source, diagnostics);
    let condition_node = table.take("condition");
    // A bad condition is reported and read as empty, so the checks after it still run and
    // `validate` lists every problem at once (the error keeps the scheme from loading).
    let condition = condition_node
        .and_then(|node| super::field::read_condition(node, diagnostics))
        .unwrap_or_default();
    let condition_json = condition_node
        .map(Node::to_json)
        .unwrap_or(serde_json::Value::Null);
    let beat_flat = read_beat_flat(&mut table, diagnostics);
    let omission_remedy = table
        .take("omissionRemedy")
        .and_then(|node| read_remedy(node, diagnostics));
    let known: Vec<&str> = ADAPTER_KEYS.iter().chain(SOURCE_KEYS).copied().collect();
    let extras = table.finish(&known, UnknownKeys::Keep, diagnostics);
    let mut adapter = adapter?;
    adapter.extras = extras;
    Some(SourceAdapter {
        adapter,
        condition,
        condition_json,
        beat_flat,
        omission_remedy,
    })
}

/// Reads `target`.
pub(super) fn read_target(node: &Node, diagnostics: &mut Diagnostics<'_>) -> Option<TargetAdapter> {
    let mut table = ObjectReader::open(node, "target", diagnostics)?;
    let adapter = read_common(&mut table, Effect::Execute, FieldSide::Target, diagnostics);
    let known: Vec<&str> = ADAPTER_KEYS.iter().chain(TARGET_KEYS).copied().collect();
    let extras = table.finish(&known, UnknownKeys::Keep, diagnostics);
    let mut adapter = adapter?;
    adapter.extras = extras;
    Some(TargetAdapter { adapter })
}

fn read_common(
    table: &mut ObjectReader<'_>,
    effect: Effect,
    side: FieldSide,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<Adapter> {
    let path = table.path().to_owned();
    let connection = table.required_string("connection", diagnostics);
    let api = table.required_string("api", diagnostics);
    if let Some(written) = table.string("effect", diagnostics) {
        let expected = effect.as_str();
        if written.value != expected {
            let other = if effect == Effect::Query {
                "target"
            } else {
                "source"
            };
            diagnostics
                .error_at(written.span, &format!("{path}.effect"), format!("`{path}.effect` must be `{expected}`, found `{}`", written.value))
                .hint(format!("`source` reads with `QUERY` and `target` writes with `EXECUTE`; is this half meant to be the {other}?"));
        }
    }
    let method = table.string("method", diagnostics).map(|method| {
        let upper = method.value.to_ascii_uppercase();
        if !METHODS.contains(&upper.as_str()) {
            diagnostics
                .error_at(
                    method.span,
                    &format!("{path}.method"),
                    format!("unknown method `{}`", method.value),
                )
                .hint(choice_hint(&method.value, METHODS));
        }
        upper
    });
    let number = table.string("number", diagnostics).map(|text| text.value);
    let id = table.string("id", diagnostics).map(|text| text.value);
    let name = table.string("name", diagnostics).map(|text| text.value);
    let id_check = table.boolean("idCheck", diagnostics).unwrap_or(false);
    let request = match table.array("request", diagnostics) {
        Some(items) => read_fields(items, &format!("{path}.request"), side, diagnostics),
        None => Vec::new(),
    };
    let other_request = match table.array("otherRequest", diagnostics) {
        Some(items) => read_fields(
            items,
            &format!("{path}.otherRequest"),
            FieldSide::Settings,
            diagnostics,
        ),
        None => Vec::new(),
    };
    Some(Adapter {
        connection: connection?,
        api: api?,
        effect,
        method,
        number,
        id,
        name,
        id_check,
        request,
        other_request,
        extras: serde_json::Map::new(),
        span: table.span(),
    })
}

fn read_beat_flat(table: &mut ObjectReader<'_>, diagnostics: &mut Diagnostics<'_>) -> Vec<String> {
    let Some(node) = table.take("beatFlat") else {
        return Vec::new();
    };
    // Qeasy accepts a single field name as well as a list.
    if let Some(field) = node.as_str() {
        return vec![field.to_owned()];
    }
    let Some(items) = node.as_array() else {
        diagnostics
            .error_at(
                node.span,
                "source.beatFlat",
                format!(
                    "`beatFlat` must be an array of field names, found {}",
                    node.type_name()
                ),
            )
            .hint("e.g. `\"beatFlat\": [\"items\"]`");
        return Vec::new();
    };
    let mut fields = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(field) if !field.is_empty() => fields.push(field.to_owned()),
            _ => {
                diagnostics.error_at(
                    item.span,
                    &index_path("source.beatFlat", index),
                    "`beatFlat` entries must be non-empty field names",
                );
            }
        }
    }
    fields
}

fn read_remedy(node: &Node, diagnostics: &mut Diagnostics<'_>) -> Option<Remedy> {
    let path = "source.omissionRemedy";
    let mut table = ObjectReader::open(node, path, diagnostics)?;
    let crontab = table.required_string("crontab", diagnostics);
    if let Some(crontab) = &crontab {
        check_cron(crontab, &format!("{path}.crontab"), diagnostics);
    }
    let take_over_request = match table.array("takeOverRequest", diagnostics) {
        Some(items) => read_fields(
            items,
            &format!("{path}.takeOverRequest"),
            FieldSide::Source,
            diagnostics,
        ),
        None => Vec::new(),
    };
    table.finish(
        &["crontab", "takeOverRequest"],
        UnknownKeys::Keep,
        diagnostics,
    );
    Some(Remedy {
        crontab: crontab?,
        take_over_request,
    })
}
