//! `ExecuteBillQuery` reads (PROTOCOLS.md §7.4), used to find records that already exist.
//!
//! Contract: [`query_in`] returns, for every record of `form_id` whose `field` is one of
//! `values`, its values for `keys` (one row each, `keys` order). Values are sent as quoted
//! literals with `'` doubled, 200 per `FilterString` (`field IN ('a','b')`); each filter is
//! paged with `StartRow`/`Limit` 10000 until a short page. A reply of the form
//! `[[{"Result":{"ResponseStatus":…}}]]` is `Invalid` with Kingdee's message; anything but
//! a 2-D array is `Transient`. `field` must be a plain key (letters, digits, `_`, `.`).

use serde_json::{Value, json};

use crate::error::CallError;
use crate::kingdee::session::Caller;

const VALUES_PER_FILTER: usize = 200;
const LIMIT: usize = 10_000;

/// `'text'` with `'` doubled.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The text of a cell or field value (`null` = empty).
pub fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.trim().is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn rows_of(reply: Value) -> Result<Vec<Vec<Value>>, CallError> {
    let Value::Array(rows) = reply else {
        return Err(CallError::transient(
            "unexpected ExecuteBillQuery reply: not an array",
        ));
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Value::Array(cells) = row else {
            return Err(CallError::transient(
                "unexpected ExecuteBillQuery reply: a row is not an array",
            ));
        };
        if let Some(status) = cells
            .first()
            .and_then(|cell| cell.pointer("/Result/ResponseStatus"))
        {
            let message = status
                .pointer("/Errors/0/Message")
                .and_then(Value::as_str)
                .unwrap_or("no message");
            return Err(CallError::Invalid {
                message: format!("Kingdee refused ExecuteBillQuery: {message}"),
            });
        }
        out.push(cells);
    }
    Ok(out)
}

/// Rows of `keys` for the records of `form_id` whose `field` is one of `values`.
pub async fn query_in(
    caller: &Caller,
    form_id: &str,
    keys: &[&str],
    field: &str,
    values: &[String],
) -> Result<Vec<Vec<Value>>, CallError> {
    let plain = !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if !plain {
        return Err(CallError::Invalid {
            message: format!("cannot look Kingdee records up by `{field}`: not a plain field key"),
        });
    }
    let mut found = Vec::new();
    for chunk in values.chunks(VALUES_PER_FILTER) {
        let literals: Vec<String> = chunk.iter().map(|value| quote(value)).collect();
        let filter = format!("{field} IN ({})", literals.join(","));
        let mut start = 0;
        loop {
            let body = json!({"data": {
                "FormId": form_id, "FieldKeys": keys.join(","), "FilterString": filter,
                "OrderString": "", "TopRowCount": 0, "StartRow": start, "Limit": LIMIT
            }});
            let rows = rows_of(caller.call("ExecuteBillQuery", &body).await?)?;
            let short = rows.len() < LIMIT;
            found.extend(rows);
            if short {
                break;
            }
            start += LIMIT;
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_double_and_errors_surface() {
        assert_eq!(quote("O'Brien's \\ 商行"), "'O''Brien''s \\ 商行'");
        let error = json!([[{"Result": {"ResponseStatus": {"IsSuccess": false,
            "Errors": [{"Message": "业务对象不存在"}]}}}]]);
        assert_eq!(
            rows_of(error),
            Err(CallError::Invalid {
                message: "Kingdee refused ExecuteBillQuery: 业务对象不存在".to_owned()
            })
        );
        assert_eq!(
            rows_of(json!([["C1", 1]])).unwrap(),
            vec![vec![json!("C1"), json!(1)]]
        );
    }
}
