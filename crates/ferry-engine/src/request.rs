//! Rendering a list of request fields (`request`, `otherRequest`, `takeOverRequest`) into the
//! JSON object that is sent or written.
//!
//! Each field's template is rendered against the scope, its `parser` applied, and the result
//! coerced to the field's declared `type` (`"int"` turns `"100"` into `100`). Fields with
//! `children` become nested objects. A field without a value is left out.

use ferry_expr::lookup::LookupResolver;
use ferry_expr::{ExprError, Scope};
use ferry_model::scheme::{FieldType, RequestField};
use serde_json::{Map, Value};

/// A rendering failure, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {error}")]
pub struct RenderError {
    /// Dotted path of the field (`pager.page_no`).
    pub field: String,
    /// What went wrong.
    #[source]
    pub error: ExprError,
}

/// Renders `fields` into an object.
pub fn render_fields(
    fields: &[RequestField],
    scope: &dyn Scope,
) -> Result<Map<String, Value>, RenderError> {
    render_into(fields, scope, None, "")
}

/// Renders `fields` into an object, answering `_mongoQuery`/`_findCollection` with `lookups`.
pub fn render_fields_with(
    fields: &[RequestField],
    scope: &dyn Scope,
    lookups: &dyn LookupResolver,
) -> Result<Map<String, Value>, RenderError> {
    render_into(fields, scope, Some(lookups), "")
}

fn render_into(
    fields: &[RequestField],
    scope: &dyn Scope,
    lookups: Option<&dyn LookupResolver>,
    prefix: &str,
) -> Result<Map<String, Value>, RenderError> {
    let mut object = Map::with_capacity(fields.len());
    for field in fields {
        let path = if prefix.is_empty() {
            field.field.clone()
        } else {
            format!("{prefix}.{}", field.field)
        };
        if !field.children.is_empty() {
            let children = render_into(&field.children, scope, lookups, &path)?;
            object.insert(field.field.clone(), Value::Object(children));
            continue;
        }
        let Some(template) = &field.value else {
            continue;
        };
        let fail = |error: ExprError| RenderError {
            field: path.clone(),
            error,
        };
        let rendered = match lookups {
            Some(lookups) => template.render_with(scope, lookups),
            None => template.render(scope),
        };
        let mut value = rendered.map_err(fail)?;
        if let Some(parser) = &field.parser {
            value = parser.apply(value).map_err(fail)?;
        }
        object.insert(field.field.clone(), coerce(value, field.field_type));
    }
    Ok(object)
}

/// Converts a rendered value to the declared type where that is lossless; otherwise keeps it.
pub fn coerce(value: Value, field_type: Option<FieldType>) -> Value {
    match (field_type, value) {
        (Some(FieldType::Int), Value::String(text)) => match text.trim().parse::<i64>() {
            Ok(number) => Value::from(number),
            Err(_) => Value::String(text),
        },
        (Some(FieldType::Float), Value::String(text)) => match text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            Some(number) if !text.trim().is_empty() => Value::Number(number),
            _ => Value::String(text),
        },
        (Some(FieldType::Bool), Value::String(text)) => match text.trim() {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => Value::String(text),
        },
        (Some(FieldType::String), Value::Number(number)) => Value::String(number.to_string()),
        (Some(FieldType::String), Value::Bool(flag)) => Value::String(flag.to_string()),
        (_, value) => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn coerces_declared_types() {
        assert_eq!(coerce(json!("100"), Some(FieldType::Int)), json!(100));
        assert_eq!(coerce(json!("abc"), Some(FieldType::Int)), json!("abc"));
        assert_eq!(coerce(json!("2.5"), Some(FieldType::Float)), json!(2.5));
        assert_eq!(coerce(json!("true"), Some(FieldType::Bool)), json!(true));
        assert_eq!(coerce(json!(7), Some(FieldType::String)), json!("7"));
        assert_eq!(coerce(json!(null), Some(FieldType::Int)), json!(null));
        assert_eq!(coerce(json!("x"), None), json!("x"));
    }
}
