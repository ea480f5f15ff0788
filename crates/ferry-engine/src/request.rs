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

/// The names of the values [`render_values`] produces for `fields`, in order: every field
/// with a value or children.
pub fn rendered_names(fields: &[RequestField]) -> Vec<String> {
    fields
        .iter()
        .filter(|field| renders(field))
        .map(|field| field.field.clone())
        .collect()
}

/// Renders `fields` into values positioned as [`rendered_names`] lists them (a mapped row);
/// `lookups` answers `_mongoQuery`/`_findCollection`.
pub fn render_values(
    fields: &[RequestField],
    scope: &dyn Scope,
    lookups: Option<&dyn LookupResolver>,
) -> Result<Vec<Value>, RenderError> {
    let mut values = Vec::with_capacity(fields.len());
    for field in fields.iter().filter(|field| renders(field)) {
        values.push(render_field(field, scope, lookups, "")?);
    }
    Ok(values)
}

fn renders(field: &RequestField) -> bool {
    field.value.is_some() || !field.children.is_empty()
}

fn render_into(
    fields: &[RequestField],
    scope: &dyn Scope,
    lookups: Option<&dyn LookupResolver>,
    prefix: &str,
) -> Result<Map<String, Value>, RenderError> {
    let mut object = Map::with_capacity(fields.len());
    for field in fields.iter().filter(|field| renders(field)) {
        let value = render_field(field, scope, lookups, prefix)?;
        object.insert(field.field.clone(), value);
    }
    Ok(object)
}

/// Renders one field that [`renders`] (null for one that does not); `prefix` is the dotted path
/// of its parent, for errors.
fn render_field(
    field: &RequestField,
    scope: &dyn Scope,
    lookups: Option<&dyn LookupResolver>,
    prefix: &str,
) -> Result<Value, RenderError> {
    let path = || {
        if prefix.is_empty() {
            field.field.clone()
        } else {
            format!("{prefix}.{}", field.field)
        }
    };
    if !field.children.is_empty() {
        let children = render_into(&field.children, scope, lookups, &path())?;
        return Ok(Value::Object(children));
    }
    let Some(template) = &field.value else {
        return Ok(Value::Null);
    };
    let fail = |error: ExprError| RenderError {
        field: path(),
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
    Ok(coerce(value, field.field_type))
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
    use ferry_expr::convert::Parser;
    use ferry_expr::template::Template;
    use ferry_expr::{RecordScope, RunVars};

    use super::*;
    use serde_json::json;

    fn field(name: &str, value: Option<&str>, children: Vec<RequestField>) -> RequestField {
        RequestField {
            field: name.to_owned(),
            label: None,
            field_type: None,
            raw_value: value.map_or(Value::Null, |value| Value::String(value.to_owned())),
            value: value.map(|value| Template::parse(value).unwrap()),
            parser: None,
            children,
            extras: Map::new(),
            span: Default::default(),
        }
    }

    #[test]
    fn positional_values_line_up_with_their_names_and_equal_the_object_form() {
        let mut typed = field("qty", Some("{qty}"), Vec::new());
        typed.field_type = Some(FieldType::Int);
        let fields = vec![
            field("id", Some("{o_id}-{n}"), Vec::new()),
            field("unset", None, Vec::new()),
            field(
                "model",
                None,
                vec![field("FNumber", Some("{code}"), Vec::new())],
            ),
            typed,
        ];
        let record = json!({"o_id": 7, "n": 2, "code": "DZ", "qty": "3"});
        let vars = RunVars::new(0, 0, 0);
        let scope = RecordScope::new(record.as_object().unwrap(), &vars);
        assert_eq!(rendered_names(&fields), ["id", "model", "qty"]);
        let values = render_values(&fields, &scope, None).unwrap();
        assert_eq!(values, [json!("7-2"), json!({"FNumber": "DZ"}), json!(3)]);
        let object = render_fields(&fields, &scope).unwrap();
        let zipped: Map<String, Value> = rendered_names(&fields).into_iter().zip(values).collect();
        assert_eq!(object, zipped);
    }

    #[test]
    fn a_failing_child_names_its_dotted_path() {
        let mut child = field("FNumber", Some("{code}"), Vec::new());
        child.parser = Some(Parser::compile(&json!("ConvertJson")).unwrap());
        let fields = vec![field("model", None, vec![child])];
        let record = json!({"code": "not json"});
        let vars = RunVars::new(0, 0, 0);
        let scope = RecordScope::new(record.as_object().unwrap(), &vars);
        let error = render_values(&fields, &scope, None).unwrap_err();
        assert_eq!(error.field, "model.FNumber");
    }

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
