//! Reading a DynamicFormService request body (PROTOCOLS.md §7.1).
//!
//! Contract: both body styles are accepted: named `{"formid": F, "data": D}` (keys matched
//! ignoring ASCII case) and positional `{"parameters": [F, D]}`; `D` may be an object or a
//! JSON string holding one. ExecuteBillQuery may send only `data` (or `parameters: [D]`) with
//! `FormId` inside it. Data-option booleans accept `true`/`false` and their strings in any
//! case.

use serde_json::{Map, Value};

/// A parsed business call.
#[derive(Debug, Clone, PartialEq)]
pub struct FormCall {
    /// FormId (outer `formid`, else `data.FormId`); empty when neither is given.
    pub form_id: String,
    /// The `data` object.
    pub data: Map<String, Value>,
}

fn key<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

fn as_object(value: &Value) -> Option<Map<String, Value>> {
    match value {
        Value::Object(object) => Some(object.clone()),
        Value::String(text) => match serde_json::from_str(text) {
            Ok(Value::Object(object)) => Some(object),
            _ => None,
        },
        _ => None,
    }
}

/// Parses `body`; `Err` is the message for a malformed request.
pub fn parse(body: &Value) -> Result<FormCall, String> {
    let malformed = || "请求参数格式不正确，无法解析 data".to_owned();
    let Value::Object(object) = body else {
        return Err(malformed());
    };
    let (outer_form, data) = if let Some(Value::Array(parameters)) = key(object, "parameters") {
        match parameters.as_slice() {
            [data] => (None, as_object(data)),
            [form, data, ..] => (form.as_str().map(str::to_owned), as_object(data)),
            [] => (None, None),
        }
    } else {
        let form = key(object, "formid")
            .and_then(Value::as_str)
            .map(str::to_owned);
        (form, key(object, "data").and_then(as_object))
    };
    let data = data.ok_or_else(malformed)?;
    let form_id = outer_form
        .or_else(|| {
            key(&data, "FormId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    Ok(FormCall { form_id, data })
}

impl FormCall {
    /// A data option by name (ASCII case ignored).
    pub fn option(&self, name: &str) -> Option<&Value> {
        key(&self.data, name)
    }

    /// A boolean data option (`true`, `"true"`, `"True"`); `default` when absent.
    pub fn flag(&self, name: &str, default: bool) -> bool {
        match self.option(name) {
            Some(Value::Bool(flag)) => *flag,
            Some(Value::String(text)) => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => default,
            },
            Some(Value::Number(number)) => number.as_i64() == Some(1),
            _ => default,
        }
    }

    /// A list option given as an array or a comma-separated string (`"1,2"`, `[1, 2]`, `7`).
    pub fn list(&self, name: &str) -> Vec<String> {
        let item = |value: &Value| match value {
            Value::String(text) => Some(text.trim().to_owned()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        };
        match self.option(name) {
            Some(Value::Array(values)) => values.iter().filter_map(item).collect(),
            Some(Value::String(text)) => text
                .split(',')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(str::to_owned)
                .collect(),
            Some(other) => item(other).into_iter().collect(),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn named_positional_and_string_data_agree() {
        let named = parse(&json!({"formid": "BD_Customer", "data": {"Model": []}})).unwrap();
        let positional = parse(&json!({"parameters": ["BD_Customer", "{\"Model\":[]}"]})).unwrap();
        assert_eq!(named, positional);
        let query =
            parse(&json!({"data": {"FormId": "BD_Customer", "FieldKeys": "FNumber"}})).unwrap();
        assert_eq!(query.form_id, "BD_Customer");
        let call =
            parse(&json!({"FormId": "X", "Data": {"A": "True", "P": "1, 2", "Q": 7}})).unwrap();
        assert!(call.flag("a", false));
        assert_eq!(call.list("P"), vec!["1", "2"]);
        assert_eq!(call.list("Q"), vec!["7"]);
        assert!(parse(&json!({"formid": "X", "data": 3})).is_err());
    }
}
