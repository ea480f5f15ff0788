//! Reads `request`, `otherRequest` and `takeOverRequest` entries (`{field, label, type,
//! describe, value, parser, children}`) and compiles their values into templates; reads
//! `condition`.

use ferry_expr::ExprError;
use ferry_expr::condition::{CompiledConditions, Condition};
use ferry_expr::convert::Parser;
use ferry_expr::template::Template;

use super::{FieldType, RequestField};
use crate::diag::{Diagnostics, choice_hint};
use crate::doc::{Node, NodeValue};
use crate::reader::{ObjectReader, UnknownKeys, index_path};

const FIELD_KEYS: &[&str] = &[
    "field",
    "label",
    "type",
    "describe",
    "value",
    "parser",
    "children",
    "defaultValue",
];

/// Which part of a scheme a field list belongs to; decides what its templates may reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldSide {
    /// Source request: rendered per request, run variables only.
    Source,
    /// Target request: rendered per record, record fields and run variables.
    Target,
    /// `otherRequest`: settings, rendered per batch.
    Settings,
}

pub(super) fn read_fields(
    items: &[Node],
    path: &str,
    side: FieldSide,
    diagnostics: &mut Diagnostics<'_>,
) -> Vec<RequestField> {
    let mut fields = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        if let Some(field) = read_field(item, &index_path(path, index), side, diagnostics) {
            if fields
                .iter()
                .any(|other: &RequestField| other.field == field.field)
            {
                diagnostics
                    .error_at(
                        field.span,
                        &index_path(path, index),
                        format!("field `{}` appears twice in `{path}`", field.field),
                    )
                    .hint("each field may be listed once");
            }
            fields.push(field);
        }
    }
    fields
}

fn read_field(
    node: &Node,
    path: &str,
    side: FieldSide,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<RequestField> {
    let mut table = ObjectReader::open(node, path, diagnostics)?;
    let field = table.required_string("field", diagnostics);
    let label = table.string("label", diagnostics).map(|label| label.value);
    let field_type = table.string("type", diagnostics).and_then(|name| {
        let parsed = FieldType::parse(&name.value);
        if parsed.is_none() {
            let names: Vec<&str> = FieldType::NAMES.iter().map(|(name, _)| *name).collect();
            diagnostics
                .error_at(
                    name.span,
                    &format!("{path}.type"),
                    format!("unknown field type `{}`", name.value),
                )
                .hint(choice_hint(&name.value, &names));
        }
        parsed
    });
    let value_node = table.take("value");
    let raw_value = value_node
        .map(Node::to_json)
        .unwrap_or(serde_json::Value::Null);
    let value = value_node
        .and_then(|node| compile_value(node, &format!("{path}.value"), side, diagnostics));
    let parser = table
        .take("parser")
        .and_then(|node| match Parser::compile(&node.to_json()) {
            Ok(parser) => Some(parser),
            Err(error) => {
                report_expr_error(
                    &error,
                    node.span.start,
                    &format!("{path}.parser"),
                    diagnostics,
                );
                None
            }
        });
    let children = match table.array("children", diagnostics) {
        Some(items) => read_fields(items, &format!("{path}.children"), side, diagnostics),
        None => Vec::new(),
    };
    let extras = table.finish(FIELD_KEYS, UnknownKeys::Keep, diagnostics);
    Some(RequestField {
        field: field?.value,
        label,
        field_type,
        raw_value,
        value,
        parser,
        children,
        extras,
        span: node.span,
    })
}

fn compile_value(
    node: &Node,
    path: &str,
    side: FieldSide,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<Template> {
    let NodeValue::String(text) = &node.value else {
        return Some(Template::constant(node.to_json()));
    };
    let content_start = node.content_start(diagnostics.file());
    let template = match Template::parse(text) {
        Ok(template) => template,
        Err(error) => {
            report_expr_error(&error, content_start, path, diagnostics);
            return None;
        }
    };
    super::check::check_references(&template, content_start, path, side, diagnostics);
    Some(template)
}

/// Reports an expression-language error at its offset inside a string that starts at
/// `content_start` in the file.
pub(super) fn report_expr_error(
    error: &ExprError,
    content_start: usize,
    path: &str,
    diagnostics: &mut Diagnostics<'_>,
) {
    let offset = content_start + error.offset.unwrap_or(0);
    diagnostics
        .error(offset, path, error.message.clone())
        .maybe_hint(error.hint.clone());
}

/// Reads and compiles `condition` (OR of AND groups of `{field, logic, value}`).
pub(super) fn read_condition(
    node: &Node,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<CompiledConditions> {
    let path = "source.condition";
    let Some(groups) = node.as_array() else {
        diagnostics
            .error_at(node.span, path, format!("`condition` must be an array of arrays, found {}", node.type_name()))
            .hint("e.g. `[[{\"field\": \"labels\", \"logic\": \"notlike\", \"value\": \"线上发货\"}]]`: groups are ORed, entries in a group ANDed");
        return None;
    };
    let mut ok = true;
    for (group_index, group) in groups.iter().enumerate() {
        let group_path = index_path(path, group_index);
        let Some(entries) = group.as_array() else {
            diagnostics.error_at(
                group.span,
                &group_path,
                format!(
                    "each `condition` group must be an array, found {}",
                    group.type_name()
                ),
            );
            ok = false;
            continue;
        };
        for (index, entry) in entries.iter().enumerate() {
            let entry_path = index_path(&group_path, index);
            let Some(mut table) = ObjectReader::open(entry, &entry_path, diagnostics) else {
                ok = false;
                continue;
            };
            table.required_string("field", diagnostics);
            table.required_string("logic", diagnostics);
            table.take("value");
            table.finish(
                &["field", "logic", "value", "strictMode"],
                UnknownKeys::Keep,
                diagnostics,
            );
            let Ok(condition) = serde_json::from_value::<Condition>(entry.to_json()) else {
                ok = false;
                continue;
            };
            if let Err(error) = condition.compile_one() {
                let logic_start = entry
                    .get("logic")
                    .map(|logic| logic.span.start)
                    .unwrap_or(entry.span.start);
                diagnostics
                    .error(
                        logic_start,
                        &format!("{entry_path}.logic"),
                        error.message.clone(),
                    )
                    .maybe_hint(error.hint.clone());
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    let groups: Vec<Vec<Condition>> = match serde_json::from_value(node.to_json()) {
        Ok(groups) => groups,
        Err(error) => {
            diagnostics.error_at(
                node.span,
                path,
                format!("`condition` is malformed: {error}"),
            );
            return None;
        }
    };
    match Condition::compile(&groups) {
        Ok(compiled) => Some(compiled),
        Err(error) => {
            diagnostics
                .error_at(node.span, path, error.message.clone())
                .maybe_hint(error.hint.clone());
            None
        }
    }
}
