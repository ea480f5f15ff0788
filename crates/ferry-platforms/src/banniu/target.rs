//! `task.update` / `task.batchUpdate`: mapped rows written to existing Banniu tasks
//! (PROTOCOLS.md §8.3).
//!
//! Contract:
//! - A row's `project_id`, `app_id` and `task_id` (numbers or numeric text) and `contents`
//!   (an object, column id → value) become one item `{"project_id","app_id","task_id",
//!   "contents","header":null}`, ids as text; content values as text (numbers as their JSON
//!   text, booleans `true`/`false`, arrays and objects JSON-encoded), null kept. A row without
//!   one of these fails alone without a call.
//! - Single mode (api `task.update`): one `task.update` per row, in order. Batch mode (api
//!   `task.batchUpdate`, or `otherRequest` `batch_update` = true / "true" / 1): rows go in
//!   chunks of at most [`MAX_BATCH_ITEMS`] as `task.batchUpdate {"data":[…]}`, a chunk of one
//!   item as `task.update`; the reply's `map.result` must hold one `{code, error_msg}` per item
//!   (absent = all written), in order.
//! - Outcomes: success → `Written`; a business refusal (unknown task, unknown column or
//!   option, …) → that row `Failed` with Banniu's code and message; a call-level failure
//!   (credentials → `Rejected`, rate limit → `RateLimited`, transport → `Transient`) ends the
//!   write with `Err`. Updates set values, so re-sending rows is idempotent.
//! - `max_batch` is 1 in single mode (one call per engine batch, so the connection's limiter
//!   paces calls) and [`MAX_BATCH_ITEMS`] in batch mode; `concurrency` is 1.

use async_trait::async_trait;
use ferry_model::Connection;
use ferry_model::scheme::TargetAdapter;
use serde_json::{Map, Value, json};

use super::call::{BanniuClient, PLATFORM, Reply, describe};
use crate::error::CallError;
use crate::target::{Row, RowOutcome, Target};

/// The single-update method.
pub const TASK_UPDATE: &str = "task.update";
/// The batch-update method.
pub const TASK_BATCH_UPDATE: &str = "task.batchUpdate";
/// Most items of one `task.batchUpdate` \[I\].
pub const MAX_BATCH_ITEMS: usize = 50;

/// Existing Banniu tasks that rows update.
#[derive(Debug, Clone)]
pub struct BanniuTarget {
    client: BanniuClient,
    batch: bool,
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(flag) => *flag,
        Value::Number(number) => number.as_i64().is_some_and(|n| n != 0),
        Value::String(text) => matches!(text.trim(), "true" | "1" | "yes"),
        _ => false,
    }
}

/// Opens the target of a scheme whose target connection is a `banniu` one.
pub async fn open(
    connection: &Connection,
    target: &TargetAdapter,
) -> Result<BanniuTarget, CallError> {
    let api = target.adapter.api.value.as_str();
    let batch = match api {
        TASK_BATCH_UPDATE => true,
        TASK_UPDATE => target
            .adapter
            .other("batch_update")
            .is_some_and(|field| truthy(&field.raw_value)),
        other => {
            return Err(CallError::Invalid {
                message: format!(
                    "connection `{}`: platform `banniu` has no target API `{other}` (supported: \
                     `{TASK_UPDATE}`, `{TASK_BATCH_UPDATE}`)",
                    connection.name
                ),
            });
        }
    };
    Ok(BanniuTarget {
        client: BanniuClient::from_connection(connection)?,
        batch,
    })
}

fn id_text(row: &Row, name: &str) -> Result<String, String> {
    match row.get(name) {
        Some(Value::Number(number)) if number.as_u64().is_some() => Ok(number.to_string()),
        Some(Value::String(text)) if text.trim().parse::<u64>().is_ok() => {
            Ok(text.trim().to_owned())
        }
        Some(other) if !other.is_null() => Err(format!("`{name}` is not a numeric id: {other}")),
        _ => Err(format!("the row has no `{name}`")),
    }
}

fn content_value(value: &Value) -> Value {
    match value {
        Value::Null => Value::Null,
        Value::String(text) => Value::String(text.clone()),
        other => Value::String(other.to_string()),
    }
}

/// The update item of one row, or why the row cannot be sent.
pub fn item(row: &Row) -> Result<Value, String> {
    let project_id = id_text(row, "project_id")?;
    let app_id = id_text(row, "app_id")?;
    let task_id = id_text(row, "task_id")?;
    let Some(Value::Object(contents)) = row.get("contents") else {
        return Err("the row has no `contents` object".to_owned());
    };
    let contents: Map<String, Value> = contents
        .iter()
        .map(|(key, value)| (key.clone(), content_value(value)))
        .collect();
    Ok(
        json!({"project_id": project_id, "app_id": app_id, "task_id": task_id,
              "contents": contents, "header": null}),
    )
}

fn refused(item: &Value, code: i64, msg: &str) -> RowOutcome {
    let task = item.get("task_id").and_then(Value::as_str).unwrap_or("?");
    RowOutcome::Failed {
        error: format!("Banniu refused task {task} ({})", describe(code, msg)),
    }
}

impl BanniuTarget {
    /// Whether rows go through `task.batchUpdate`.
    pub fn is_batch(&self) -> bool {
        self.batch
    }

    async fn update_one(&self, item: &Value) -> Result<RowOutcome, CallError> {
        let reply = self.client.call(TASK_UPDATE, &[], Some(item)).await?;
        if reply.is_success() {
            return Ok(RowOutcome::Written);
        }
        match reply.call_error(TASK_UPDATE) {
            Some(error) => Err(error),
            None => Ok(refused(item, reply.code, &reply.msg)),
        }
    }

    async fn update_many(&self, items: &[Value]) -> Result<Vec<RowOutcome>, CallError> {
        let body = json!({ "data": items });
        let reply = self
            .client
            .call(TASK_BATCH_UPDATE, &[], Some(&body))
            .await?;
        if !reply.is_success() {
            return Err(reply.call_error(TASK_BATCH_UPDATE).unwrap_or_else(|| {
                CallError::Invalid {
                    message: format!(
                        "{TASK_BATCH_UPDATE} refused by Banniu ({})",
                        reply.describe()
                    ),
                }
            }));
        }
        batch_outcomes(&reply, items)
    }
}

/// One outcome per item from a successful `task.batchUpdate` reply.
fn batch_outcomes(reply: &Reply, items: &[Value]) -> Result<Vec<RowOutcome>, CallError> {
    let results = match &reply.result {
        None => return Ok(vec![RowOutcome::Written; items.len()]),
        Some(Value::Array(results)) if results.len() == items.len() => results,
        Some(_) => {
            return Err(CallError::transient(format!(
                "unexpected reply of `{PLATFORM}`: `{TASK_BATCH_UPDATE}` did not return one \
                 result per item"
            )));
        }
    };
    Ok(results
        .iter()
        .zip(items)
        .map(|(result, item)| {
            let code = match result.get("code") {
                Some(Value::Number(code)) => code.as_i64().unwrap_or(-1),
                Some(Value::String(text)) => text.trim().parse().unwrap_or(-1),
                _ => 0,
            };
            if code == 0 {
                RowOutcome::Written
            } else {
                let msg = result
                    .get("error_msg")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                refused(item, code, msg)
            }
        })
        .collect())
}

#[async_trait]
impl Target for BanniuTarget {
    fn max_batch(&self) -> usize {
        if self.batch { MAX_BATCH_ITEMS } else { 1 }
    }

    fn concurrency(&self) -> usize {
        1
    }

    async fn write(&self, rows: &[Row]) -> Result<Vec<RowOutcome>, CallError> {
        let mut outcomes: Vec<Option<RowOutcome>> = vec![None; rows.len()];
        let mut ready: Vec<(usize, Value)> = Vec::with_capacity(rows.len());
        for (index, row) in rows.iter().enumerate() {
            match item(row) {
                Ok(item) => ready.push((index, item)),
                Err(error) => outcomes[index] = Some(RowOutcome::Failed { error }),
            }
        }
        let chunk = if self.batch { MAX_BATCH_ITEMS } else { 1 };
        for group in ready.chunks(chunk) {
            if let [(index, item)] = group {
                outcomes[*index] = Some(self.update_one(item).await?);
                continue;
            }
            let items: Vec<Value> = group.iter().map(|(_, item)| item.clone()).collect();
            let results = self.update_many(&items).await?;
            for ((index, _), outcome) in group.iter().zip(results) {
                outcomes[*index] = Some(outcome);
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|outcome| {
                outcome.unwrap_or(RowOutcome::Failed {
                    error: "not sent".to_owned(),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn row(values: Value) -> Row {
        Row::from_object("k", values.as_object().unwrap().clone())
    }

    #[test]
    fn rows_become_text_items() {
        let mapped = row(
            json!({"app_id": 21151, "project_id": 77206, "task_id": "6690538",
                                "contents": {"78538": 78534, "77207": "曹\"付", "x": [1]}}),
        );
        assert_eq!(
            item(&mapped).unwrap(),
            json!({"project_id": "77206", "app_id": "21151", "task_id": "6690538",
                   "contents": {"78538": "78534", "77207": "曹\"付", "x": "[1]"},
                   "header": null})
        );
        let missing = row(json!({"app_id": 1, "project_id": 2, "contents": {}}));
        assert_eq!(item(&missing).unwrap_err(), "the row has no `task_id`");
    }

    #[test]
    fn batch_results_map_to_rows_in_order() {
        let items = vec![json!({"task_id": "1"}), json!({"task_id": "2"})];
        let reply = Reply::decode(&json!({"response": {"code": 0, "map": {"result": [
            {"task_id": "1", "code": 0, "error_msg": null},
            {"task_id": "2", "code": 50001, "error_msg": "工单不存在: 2"}]}}}))
        .unwrap();
        assert_eq!(
            batch_outcomes(&reply, &items).unwrap(),
            vec![
                RowOutcome::Written,
                RowOutcome::Failed {
                    error: "Banniu refused task 2 (code 50001: 工单不存在: 2)".to_owned()
                }
            ]
        );
        let short =
            Reply::decode(&json!({"response": {"code": 0, "map": {"result": []}}})).unwrap();
        assert!(batch_outcomes(&short, &items).is_err());
    }
}
