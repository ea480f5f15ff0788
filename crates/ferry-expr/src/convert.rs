//! Value parsers: named conversions applied to a rendered value (a request field's `parser`).
//!
//! | name | params | input → output |
//! |---|---|---|
//! | `ConvertObjectParser` | `params`: key | `"DZ"` → `{"FNumber": "DZ"}` |
//! | `ConvertTwoStageObjectParser` | `params1`, `params2` (or `params`: `"a.b"`) | `"138"` → `{"a": {"b": "138"}}` |
//! | `StringToArray` | `params`: separator, default `,` | `"a,b"` → `["a", "b"]`; empty or blank → `[]` |
//! | `ArrayToString` | `params`: separator, default `,` | `["a", 1]` → `"a,1"` |
//! | `ArrayUnique` | — | `["a", "b", "a"]` → `["a", "b"]` |
//! | `ConvertJson` | — | `"{\"1033\":\"x\"}"` → `[{"Key": 1033, "Value": "x"}]` |
//!
//! These follow Qeasy's `docs/advanced/parser.md`. `ConvertObjectParser` wraps every input,
//! `null` included (`{"FNumber": null}`), as Qeasy does: the target still receives the shape
//! it expects. `ConvertJson` is Qeasy's key/value conversion: a JSON text (line breaks
//! removed) or an object becomes an array of `{"Key", "Value"}`, a key that is an integer
//! becoming a number; a JSON text holding anything but an object yields that value.
//! `StringToArray` does not trim the parts. `ArrayToString` writes strings as they are, `null`
//! as empty text and other values as JSON. An array input to `StringToArray` and a string
//! input to `ArrayToString` pass unchanged; `null` becomes `[]` and `""` respectively.
//!
//! A parser is compiled from the scheme's JSON: an object `{"name", "params", …}`, a name
//! string, an array of parsers (a chain, applied in order), or, as in Qeasy's docs, comma-
//! separated names sharing one `params` (`{"name": "StringToArray,ArrayUnique", "params": ","}`).

use serde_json::{Map, Value};

use crate::error::unknown_name;
use crate::template::to_text;
use crate::{ErrorKind, ExprError};

/// The parser names, for hints.
pub const PARSER_NAMES: &[&str] = &[
    "ConvertObjectParser",
    "ConvertTwoStageObjectParser",
    "StringToArray",
    "ArrayToString",
    "ArrayUnique",
    "ConvertJson",
];

/// A compiled value parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parser {
    /// `ConvertObjectParser`: `v` → `{key: v}`.
    ConvertObject {
        /// The key.
        key: String,
    },
    /// `ConvertTwoStageObjectParser`: `v` → `{outer: {inner: v}}`.
    ConvertTwoStageObject {
        /// The outer key (`params1`).
        outer: String,
        /// The inner key (`params2`).
        inner: String,
    },
    /// `StringToArray`: split on a separator.
    StringToArray {
        /// The separator.
        separator: String,
    },
    /// `ArrayToString`: join with a separator.
    ArrayToString {
        /// The separator.
        separator: String,
    },
    /// `ArrayUnique`: drop repeated elements, keeping the first.
    ArrayUnique,
    /// `ConvertJson`: an object (or its JSON text) → `[{"Key", "Value"}]`.
    ConvertJson,
    /// Parsers applied in order.
    Chain(Vec<Parser>),
}

impl Parser {
    /// Compiles a scheme's `parser` value.
    pub fn compile(spec: &Value) -> Result<Parser, ExprError> {
        match spec {
            Value::String(names) => compile_names(names, &Map::new()),
            Value::Object(map) => {
                let Some(Value::String(names)) = map.get("name") else {
                    return Err(ExprError::new(
                        ErrorKind::Syntax,
                        "a parser needs a `name` string",
                    )
                    .with_hint(format!(
                        "available: {}",
                        crate::error::list_choices(PARSER_NAMES)
                    )));
                };
                compile_names(names, map)
            }
            Value::Array(items) => {
                let parsers = items
                    .iter()
                    .map(Parser::compile)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Parser::Chain(parsers))
            }
            _ => Err(ExprError::new(
                ErrorKind::Syntax,
                "a parser is an object with `name`, a name, or an array of parsers",
            )),
        }
    }

    /// Applies the parser to `value`.
    pub fn apply(&self, value: Value) -> Result<Value, ExprError> {
        match self {
            Parser::ConvertObject { key } => Ok(wrap(key, value)),
            Parser::ConvertTwoStageObject { outer, inner } => Ok(wrap(outer, wrap(inner, value))),
            Parser::StringToArray { separator } => string_to_array(value, separator),
            Parser::ArrayToString { separator } => array_to_string(value, separator),
            Parser::ArrayUnique => array_unique(value),
            Parser::ConvertJson => convert_json(value),
            Parser::Chain(parsers) => parsers
                .iter()
                .try_fold(value, |value, parser| parser.apply(value)),
        }
    }
}

fn compile_names(names: &str, spec: &Map<String, Value>) -> Result<Parser, ExprError> {
    let mut parsers = Vec::new();
    for name in names.split(',').map(str::trim) {
        parsers.push(compile_one(name, spec)?);
    }
    Ok(match parsers.len() {
        1 => parsers.remove(0),
        _ => Parser::Chain(parsers),
    })
}

fn compile_one(name: &str, spec: &Map<String, Value>) -> Result<Parser, ExprError> {
    let param = |key: &str| -> Result<Option<String>, ExprError> {
        match spec.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err(ExprError::new(
                ErrorKind::Type,
                format!("`{key}` of parser `{name}` must be a string, got {other}"),
            )),
        }
    };
    let required = |key: &str| -> Result<String, ExprError> {
        match param(key)? {
            Some(text) if !text.is_empty() => Ok(text),
            _ => Err(ExprError::new(
                ErrorKind::Syntax,
                format!("parser `{name}` needs `{key}`"),
            )),
        }
    };
    let parser = match name {
        "ConvertObjectParser" => Parser::ConvertObject {
            key: required("params")?,
        },
        "ConvertTwoStageObjectParser" => {
            match (param("params1")?, param("params2")?, param("params")?) {
                (Some(outer), Some(inner), _) if !outer.is_empty() && !inner.is_empty() => {
                    Parser::ConvertTwoStageObject { outer, inner }
                }
                (None, None, Some(path)) => match path.split_once('.') {
                    Some((outer, inner)) if !outer.is_empty() && !inner.is_empty() => {
                        Parser::ConvertTwoStageObject {
                            outer: outer.to_owned(),
                            inner: inner.to_owned(),
                        }
                    }
                    _ => return Err(two_stage_usage()),
                },
                _ => return Err(two_stage_usage()),
            }
        }
        "StringToArray" => Parser::StringToArray {
            separator: separator(param("params")?),
        },
        "ArrayToString" => Parser::ArrayToString {
            separator: separator(param("params")?),
        },
        "ArrayUnique" => Parser::ArrayUnique,
        "ConvertJson" => Parser::ConvertJson,
        unknown => return Err(unknown_name("parser", unknown, PARSER_NAMES)),
    };
    Ok(parser)
}

fn two_stage_usage() -> ExprError {
    ExprError::new(
        ErrorKind::Syntax,
        "parser `ConvertTwoStageObjectParser` needs `params1` and `params2`",
    )
    .with_hint("or write `params` as `outer.inner`")
}

fn separator(param: Option<String>) -> String {
    param
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| ",".to_owned())
}

fn wrap(key: &str, value: Value) -> Value {
    let mut map = Map::with_capacity(1);
    map.insert(key.to_owned(), value);
    Value::Object(map)
}

fn type_error(parser: &str, expected: &str, value: &Value) -> ExprError {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    ExprError::new(
        ErrorKind::Type,
        format!("parser `{parser}` needs {expected}, got {kind}"),
    )
}

fn string_to_array(value: Value, separator: &str) -> Result<Value, ExprError> {
    let text = match value {
        Value::Array(_) => return Ok(value),
        Value::Null => return Ok(Value::Array(Vec::new())),
        Value::String(text) => text,
        Value::Number(number) => number.to_string(),
        other => return Err(type_error("StringToArray", "a string", &other)),
    };
    if text.trim().is_empty() {
        return Ok(Value::Array(Vec::new()));
    }
    Ok(Value::Array(
        text.split(separator)
            .map(|part| Value::String(part.to_owned()))
            .collect(),
    ))
}

fn array_to_string(value: Value, separator: &str) -> Result<Value, ExprError> {
    match value {
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|item| to_text(item).into_owned())
                .collect();
            Ok(Value::String(parts.join(separator)))
        }
        Value::String(_) => Ok(value),
        Value::Null => Ok(Value::String(String::new())),
        other => Err(type_error("ArrayToString", "an array", &other)),
    }
}

fn array_unique(value: Value) -> Result<Value, ExprError> {
    let Value::Array(items) = value else {
        return Err(type_error("ArrayUnique", "an array", &value));
    };
    let mut unique: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    Ok(Value::Array(unique))
}

fn convert_json(value: Value) -> Result<Value, ExprError> {
    let object = match value {
        Value::Null => return Ok(Value::Null),
        Value::Object(map) => map,
        Value::String(text) => {
            let single_line: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
            match serde_json::from_str::<Value>(&single_line) {
                Ok(Value::Object(map)) => map,
                Ok(other) => return Ok(other),
                Err(error) => {
                    return Err(ExprError::new(
                        ErrorKind::Type,
                        format!("parser `ConvertJson` needs JSON text: {error}"),
                    ));
                }
            }
        }
        other => {
            return Err(type_error(
                "ConvertJson",
                "an object or its JSON text",
                &other,
            ));
        }
    };
    let pairs = object
        .into_iter()
        .map(|(key, value)| {
            let key = match key.parse::<i64>() {
                Ok(number) if number.to_string() == key => Value::from(number),
                _ => Value::String(key),
            };
            let mut pair = Map::with_capacity(2);
            pair.insert("Key".to_owned(), key);
            pair.insert("Value".to_owned(), value);
            Value::Object(pair)
        })
        .collect();
    Ok(Value::Array(pairs))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn apply(spec: Value, input: Value) -> Result<Value, ExprError> {
        Parser::compile(&spec)?.apply(input)
    }

    #[test]
    fn convert_object_parser() {
        let spec = json!({"name": "ConvertObjectParser", "params": "FNumber"});
        assert_eq!(
            apply(spec.clone(), json!("DZ")).unwrap(),
            json!({"FNumber": "DZ"})
        );
        assert_eq!(
            apply(spec.clone(), json!(100)).unwrap(),
            json!({"FNumber": 100})
        );
        assert_eq!(apply(spec, Value::Null).unwrap(), json!({"FNumber": null}));
    }

    #[test]
    fn two_stage_object_parser() {
        let spec =
            json!({"name": "ConvertTwoStageObjectParser", "params1": "value", "params2": "phone"});
        assert_eq!(
            apply(spec, json!("13800000000")).unwrap(),
            json!({"value": {"phone": "13800000000"}})
        );
        let dotted =
            json!({"name": "ConvertTwoStageObjectParser", "params": "FStockOrgId.FNumber"});
        assert_eq!(
            apply(dotted, json!("100")).unwrap(),
            json!({"FStockOrgId": {"FNumber": "100"}})
        );
    }

    #[test]
    fn string_and_array_parsers() {
        let split = json!({"name": "StringToArray", "params": ","});
        assert_eq!(
            apply(split.clone(), json!("a,b, c")).unwrap(),
            json!(["a", "b", " c"])
        );
        assert_eq!(apply(split.clone(), json!("  ")).unwrap(), json!([]));
        assert_eq!(apply(split.clone(), Value::Null).unwrap(), json!([]));
        assert_eq!(apply(split.clone(), json!(["x"])).unwrap(), json!(["x"]));
        assert_eq!(apply(split, json!(12)).unwrap(), json!(["12"]));
        assert_eq!(
            apply(
                json!({"name": "StringToArray", "params": "|"}),
                json!("A|B|C")
            )
            .unwrap(),
            json!(["A", "B", "C"])
        );
        assert_eq!(
            apply(json!("StringToArray"), json!("a,b")).unwrap(),
            json!(["a", "b"])
        );

        let join = json!({"name": "ArrayToString", "params": "|"});
        assert_eq!(
            apply(join.clone(), json!(["P001", 2, null, true])).unwrap(),
            json!("P001|2||true")
        );
        assert_eq!(apply(join.clone(), json!("kept")).unwrap(), json!("kept"));
        assert_eq!(apply(join, Value::Null).unwrap(), json!(""));
        assert_eq!(
            apply(json!({"name": "ArrayUnique"}), json!([1, 2, 1, "1"])).unwrap(),
            json!([1, 2, "1"])
        );
    }

    #[test]
    fn convert_json() {
        let spec = json!({"name": "ConvertJson"});
        assert_eq!(
            apply(
                spec.clone(),
                json!("{\"1033\": \"2037\",\n \"2052\": \"2037\"}")
            )
            .unwrap(),
            json!([{"Key": 1033, "Value": "2037"}, {"Key": 2052, "Value": "2037"}])
        );
        assert_eq!(
            apply(spec.clone(), json!({"en": 1, "007": 2})).unwrap(),
            json!([{"Key": "en", "Value": 1}, {"Key": "007", "Value": 2}])
        );
        assert_eq!(apply(spec.clone(), json!("[1,2]")).unwrap(), json!([1, 2]));
        assert_eq!(apply(spec.clone(), Value::Null).unwrap(), Value::Null);
        let error = apply(spec, json!("{oops")).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Type);
        assert!(
            error
                .message
                .starts_with("parser `ConvertJson` needs JSON text: ")
        );
    }

    #[test]
    fn chains() {
        let array = json!([
            {"name": "StringToArray", "params": ","},
            {"name": "ArrayUnique"},
            {"name": "ArrayToString", "params": ";"}
        ]);
        assert_eq!(apply(array, json!("a,b,a")).unwrap(), json!("a;b"));
        let names = json!({"name": "StringToArray, ArrayUnique", "params": ","});
        assert_eq!(apply(names, json!("x,x")).unwrap(), json!(["x"]));
        assert_eq!(
            Parser::compile(&json!("StringToArray,ArrayToString")).unwrap(),
            Parser::Chain(vec![
                Parser::StringToArray {
                    separator: ",".into()
                },
                Parser::ArrayToString {
                    separator: ",".into()
                }
            ])
        );
    }

    #[test]
    fn compile_errors() {
        let unknown =
            Parser::compile(&json!({"name": "ConvertObjectParse", "params": "F"})).unwrap_err();
        assert_eq!(unknown.kind, ErrorKind::Unknown);
        assert!(unknown.message.starts_with(
            "unknown parser `ConvertObjectParse` (available: `ConvertObjectParser`, "
        ));
        assert_eq!(
            unknown.hint.as_deref(),
            Some("did you mean `ConvertObjectParser`?")
        );
        let missing = Parser::compile(&json!({"name": "ConvertObjectParser"})).unwrap_err();
        assert_eq!(
            missing.message,
            "parser `ConvertObjectParser` needs `params`"
        );
        let typed =
            Parser::compile(&json!({"name": "ConvertObjectParser", "params": 1})).unwrap_err();
        assert_eq!(
            typed.message,
            "`params` of parser `ConvertObjectParser` must be a string, got 1"
        );
        let two = Parser::compile(&json!({"name": "ConvertTwoStageObjectParser", "params": "x"}))
            .unwrap_err();
        assert!(
            two.message
                .starts_with("parser `ConvertTwoStageObjectParser` needs `params1`")
        );
        assert_eq!(
            Parser::compile(&json!({"params": "x"}))
                .unwrap_err()
                .message,
            "a parser needs a `name` string"
        );
        assert_eq!(
            Parser::compile(&json!(3)).unwrap_err().kind,
            ErrorKind::Syntax
        );
        assert!(Parser::compile(&json!([{"name": "Nope"}])).is_err());
    }

    #[test]
    fn apply_type_errors() {
        let error = apply(json!({"name": "ArrayToString"}), json!({"a": 1})).unwrap_err();
        assert_eq!(
            error.message,
            "parser `ArrayToString` needs an array, got an object"
        );
        let error = apply(json!({"name": "StringToArray"}), json!(true)).unwrap_err();
        assert_eq!(
            error.message,
            "parser `StringToArray` needs a string, got a boolean"
        );
        assert!(apply(json!({"name": "ArrayUnique"}), json!("x")).is_err());
        assert!(apply(json!({"name": "ConvertJson"}), json!(1)).is_err());
    }
}
