//! Reading a write reply (PROTOCOLS.md §7.4) into one outcome per entity.
//!
//! Contract: [`entity_outcomes`] takes the reply of a call that sent `count` entities and
//! returns one [`EntityOutcome`] per entity, by `DIndex`:
//! - an entity with entries in `Errors` is `Failed` with their `Message`s joined by `; `;
//! - an entity in `SuccessEntitys` (and not in `Errors`) is `Saved` with its `Id`/`Number`;
//! - an entity in neither is `Saved` (no id) when `IsSuccess` is true (bool or string, any
//!   case), else `Failed` (`Kingdee reported no outcome for this record (IsSuccess false)`).
//!
//! A reply that cannot concern single entities is an `Err`: no `Result.ResponseStatus` →
//! `Invalid` with its top-level `Message` (e.g. `元数据中标识为F的字段不存在`) or `Transient`
//! when there is none; nothing in `SuccessEntitys` and exactly one error with no `FieldName`
//! in a call of several entities (`业务对象不存在`, a malformed request) → `Invalid`.

use serde_json::Value;

use crate::error::CallError;

/// What happened to one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityOutcome {
    /// Saved (or submitted, audited, allocated); `id` when the reply named it.
    Saved {
        id: Option<u64>,
        number: Option<String>,
    },
    /// Refused, with Kingdee's message.
    Failed { error: String },
}

fn index_of(entry: &Value) -> Option<usize> {
    match entry.get("DIndex")? {
        Value::Number(number) => number.as_u64().map(|index| index as usize),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::String(text)) => text.trim().eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn message(entry: &Value) -> String {
    entry
        .get("Message")
        .and_then(Value::as_str)
        .unwrap_or("no message")
        .to_owned()
}

/// One outcome per entity of a call that sent `count` entities.
pub fn entity_outcomes(reply: &Value, count: usize) -> Result<Vec<EntityOutcome>, CallError> {
    let Some(status) = reply.pointer("/Result/ResponseStatus") else {
        return Err(match reply.get("Message").and_then(Value::as_str) {
            Some(text) => CallError::Invalid {
                message: format!("Kingdee refused the request: {text}"),
            },
            None => CallError::transient("unexpected Kingdee reply: no `Result.ResponseStatus`"),
        });
    };
    let empty = Vec::new();
    let errors = status
        .get("Errors")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let successes = status
        .get("SuccessEntitys")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let is_success = truthy(status.get("IsSuccess"));
    let whole_request = successes.is_empty()
        && errors.len() == 1
        && count > 1
        && errors[0].get("FieldName").is_none_or(Value::is_null);
    if whole_request {
        return Err(CallError::Invalid {
            message: format!("Kingdee refused the request: {}", message(&errors[0])),
        });
    }
    let mut failures: Vec<Vec<String>> = vec![Vec::new(); count];
    for error in errors {
        if let Some(slot) = index_of(error).and_then(|index| failures.get_mut(index)) {
            slot.push(message(error));
        }
    }
    let mut saved: Vec<Option<(Option<u64>, Option<String>)>> = vec![None; count];
    for success in successes {
        if let Some(slot) = index_of(success).and_then(|index| saved.get_mut(index)) {
            let id = success.get("Id").and_then(|id| match id {
                Value::Number(number) => number.as_u64(),
                Value::String(text) => text.trim().parse().ok(),
                _ => None,
            });
            let number = success
                .get("Number")
                .and_then(Value::as_str)
                .map(str::to_owned);
            *slot = Some((id, number));
        }
    }
    let fallback = "Kingdee reported no outcome for this record (IsSuccess false)";
    let outcomes = failures
        .into_iter()
        .zip(saved)
        .map(|(messages, saved)| match (messages.is_empty(), saved) {
            (false, _) => EntityOutcome::Failed {
                error: messages.join("; "),
            },
            (true, Some((id, number))) => EntityOutcome::Saved { id, number },
            (true, None) if is_success => EntityOutcome::Saved {
                id: None,
                number: None,
            },
            (true, None) => EntityOutcome::Failed {
                error: fallback.to_owned(),
            },
        })
        .collect();
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_documented_partial_reply_splits_by_dindex() {
        let reply = json!({"Result":{"ResponseStatus":{"ErrorCode":500,"IsSuccess":false,
            "Errors":[{"FieldName":"FGroup","Message":"字段“客户分组”的值“99”在基础资料中不存在","DIndex":1}],
            "SuccessEntitys":[{"Id":100235,"Number":"C0001","DIndex":0}],
            "SuccessMessages":[],"MsgCode":9}}});
        assert_eq!(
            entity_outcomes(&reply, 3).unwrap(),
            vec![
                EntityOutcome::Saved {
                    id: Some(100_235),
                    number: Some("C0001".to_owned())
                },
                EntityOutcome::Failed {
                    error: "字段“客户分组”的值“99”在基础资料中不存在".to_owned()
                },
                EntityOutcome::Failed {
                    error: "Kingdee reported no outcome for this record (IsSuccess false)"
                        .to_owned()
                },
            ]
        );
    }

    #[test]
    fn request_level_failures_are_errors() {
        let unknown_form = json!({"Result":{"ResponseStatus":{"IsSuccess":"False",
            "Errors":[{"FieldName":null,"Message":"业务对象不存在","DIndex":0}],"MsgCode":9}}});
        assert_eq!(
            entity_outcomes(&unknown_form, 2),
            Err(CallError::Invalid {
                message: "Kingdee refused the request: 业务对象不存在".to_owned()
            })
        );
        let metadata = json!({"ErrorCode":500,"Message":"元数据中标识为FCustomerID的字段不存在"});
        assert_eq!(
            entity_outcomes(&metadata, 1),
            Err(CallError::Invalid {
                message: "Kingdee refused the request: 元数据中标识为FCustomerID的字段不存在"
                    .to_owned()
            })
        );
        let ok = json!({"Result":{"ResponseStatus":{"IsSuccess":"true"}}});
        assert_eq!(
            entity_outcomes(&ok, 1).unwrap(),
            vec![EntityOutcome::Saved {
                id: None,
                number: None
            }]
        );
    }
}
