//! The Kingdee K3Cloud 金蝶云星空 target (PROTOCOLS.md §7): rows written with the WebAPI's
//! `DynamicFormService` (`batchSave`, `save`, `submit`, `audit`, `allocate`).
//!
//! Contract:
//! - **Open.** [`open`] reads the connection and the target's `otherRequest` once
//!   ([`config`]); no call is made until the first write (the session login is lazy).
//! - **batchSave / save.** Each row's values are one `Model` entity (`{"FNumber": …}`
//!   references already shaped by `ConvertObjectParser`); `data` carries the `otherRequest`
//!   options (`IsAutoSubmitAndAudit`, `IsVerifyBaseDataField`, …). batchSave sends the whole
//!   batch as `Model[]` in one call; save sends one call per row. Outcomes come per entity
//!   from `SuccessEntitys`/`Errors[].DIndex` ([`outcome`]): one bad record fails only itself
//!   with Kingdee's message.
//! - **Idempotence.** Kingdee saves by number: an entity whose `FNumber` exists updates it.
//!   When a row has no `FNumber` and the target's `id` names another field (seed 003:
//!   `FName`), the existing records with those values are read first with ExecuteBillQuery
//!   ([`lookup`]) and their numbers filled in, so a re-sent batch updates instead of
//!   duplicating. Rows with neither are created each time they are sent.
//! - **Allocation.** When the target names `distributionOrg` (organisation internal ids),
//!   records saved in this call are then allocated to them (`PkIds` from `SuccessEntitys[].Id`,
//!   `IsAutoSubmitAndAudit` as for the save, sent as a bool); a record whose allocation fails is `Failed`
//!   (`saved but allocation failed: …`) and is re-saved and re-allocated on the next attempt.
//! - **submit / audit.** `Numbers` from each row's `FNumber`; **allocate**: `PkIds` from
//!   each row's `PkIds` (or `PkId`, `Id`) to `distributionOrg`. A row lacking the key fails.
//! - **Errors.** Sessions are renewed on MsgCode 1 ([`session`]); transport and whole-request
//!   failures are `Err` as [`crate::target::Target::write`] requires. Batches: batchSave,
//!   submit, audit, allocate take 100 rows \[I\], save 20; one write at a time. A
//!   request-level refusal of the Allocate that follows a save (e.g. an unknown organisation
//!   for several records) is `Err(Invalid)` although the records were saved: re-sending them
//!   is harmless (saves by number).

pub mod config;
pub mod lookup;
pub mod outcome;
pub mod session;
pub mod sign;

use std::collections::HashMap;

use async_trait::async_trait;
use ferry_model::Connection;
use ferry_model::scheme::TargetAdapter;
use serde_json::{Map, Value, json};

use self::config::{Operation, Settings};
use self::lookup::{query_in, text_of};
use self::outcome::{EntityOutcome, entity_outcomes};
use self::session::Caller;
use crate::error::CallError;
use crate::http::client_for;
use crate::target::{Row, RowOutcome, Target};

/// A Kingdee site that rows are written to.
#[derive(Debug)]
pub struct KingdeeTarget {
    caller: Caller,
}

/// Opens the target of a Kingdee scheme (no network call).
pub async fn open(
    connection: &Connection,
    target: &TargetAdapter,
) -> Result<KingdeeTarget, CallError> {
    let settings = config::read(connection, target)?;
    let client = client_for(connection)?;
    Ok(KingdeeTarget {
        caller: Caller::new(client, settings),
    })
}

fn failed(error: impl Into<String>) -> EntityOutcome {
    EntityOutcome::Failed {
        error: error.into(),
    }
}

impl KingdeeTarget {
    fn settings(&self) -> &Settings {
        self.caller.settings()
    }

    fn data(&self, extra: &[(&str, Value)]) -> Map<String, Value> {
        let mut data = self.settings().options.clone();
        for (key, value) in extra {
            data.insert((*key).to_owned(), value.clone());
        }
        data
    }

    async fn send(
        &self,
        method: &str,
        data: Map<String, Value>,
        count: usize,
    ) -> Result<Vec<EntityOutcome>, CallError> {
        let body = json!({"formid": self.settings().form_id, "data": data});
        let reply = self.caller.call(method, &body).await?;
        entity_outcomes(&reply, count)
    }

    /// Fills `FNumber` of models that lack one from existing records with the same match field.
    async fn fill_numbers(&self, models: &mut [Map<String, Value>]) -> Result<(), CallError> {
        let Some(field) = self.settings().match_field.as_deref() else {
            return Ok(());
        };
        let lacks_number =
            |model: &Map<String, Value>| model.get("FNumber").and_then(text_of).is_none();
        let mut wanted: Vec<String> = models
            .iter()
            .filter(|model| lacks_number(model))
            .filter_map(|model| model.get(field).and_then(text_of))
            .collect();
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(());
        }
        let rows = query_in(
            &self.caller,
            &self.settings().form_id,
            &["FNumber", field],
            field,
            &wanted,
        )
        .await?;
        let mut numbers: HashMap<String, String> = HashMap::new();
        for row in rows {
            if let (Some(number), Some(key)) =
                (row.first().and_then(text_of), row.get(1).and_then(text_of))
            {
                numbers.entry(key).or_insert(number);
            }
        }
        for model in models.iter_mut().filter(|model| lacks_number(model)) {
            let number = model
                .get(field)
                .and_then(text_of)
                .and_then(|key| numbers.get(&key).cloned());
            if let Some(number) = number {
                model.insert("FNumber".to_owned(), Value::String(number));
            }
        }
        Ok(())
    }

    async fn save(&self, rows: &[Row]) -> Result<Vec<EntityOutcome>, CallError> {
        let mut models: Vec<Map<String, Value>> = rows.iter().map(Row::to_object).collect();
        self.fill_numbers(&mut models).await?;
        let mut outcomes = if self.settings().operation == Operation::BatchSave {
            let count = models.len();
            let model = Value::Array(models.into_iter().map(Value::Object).collect());
            self.send("BatchSave", self.data(&[("Model", model)]), count)
                .await?
        } else {
            let mut outcomes = Vec::with_capacity(models.len());
            for model in models {
                let data = self.data(&[("Model", Value::Object(model))]);
                let mut one = self.send("Save", data, 1).await?;
                outcomes.push(
                    one.pop()
                        .unwrap_or_else(|| failed("Kingdee reported no outcome")),
                );
            }
            outcomes
        };
        self.allocate_saved(&mut outcomes).await?;
        Ok(outcomes)
    }

    async fn allocate_saved(&self, outcomes: &mut [EntityOutcome]) -> Result<(), CallError> {
        let orgs = &self.settings().distribution_orgs;
        if orgs.is_empty() {
            return Ok(());
        }
        let mut positions = Vec::new();
        let mut ids = Vec::new();
        for (position, outcome) in outcomes.iter_mut().enumerate() {
            match outcome {
                EntityOutcome::Saved { id: Some(id), .. } => {
                    positions.push(position);
                    ids.push(id.to_string());
                }
                EntityOutcome::Saved { id: None, .. } => {
                    *outcome = failed("saved but Kingdee returned no internal id to allocate");
                }
                EntityOutcome::Failed { .. } => {}
            }
        }
        if ids.is_empty() {
            return Ok(());
        }
        let allocated = self.allocate(&ids, orgs).await?;
        for (position, result) in positions.into_iter().zip(allocated) {
            if let EntityOutcome::Failed { error } = result {
                outcomes[position] = failed(format!(
                    "saved but allocation to organisation(s) {} failed: {error}",
                    orgs.join(",")
                ));
            }
        }
        Ok(())
    }

    async fn allocate(
        &self,
        ids: &[String],
        orgs: &[String],
    ) -> Result<Vec<EntityOutcome>, CallError> {
        let audit = self
            .settings()
            .options
            .get("IsAutoSubmitAndAudit")
            .is_some_and(|flag| match flag {
                Value::Bool(flag) => *flag,
                Value::String(text) => text.trim().eq_ignore_ascii_case("true"),
                _ => false,
            });
        let mut data = Map::new();
        data.insert("PkIds".to_owned(), json!(ids.join(",")));
        data.insert("TOrgIds".to_owned(), json!(orgs.join(",")));
        data.insert("IsAutoSubmitAndAudit".to_owned(), Value::Bool(audit));
        self.send("Allocate", data, ids.len()).await
    }

    /// Submit, Audit or Allocate: one key per row (`keys`), rows without one fail.
    async fn by_key(
        &self,
        rows: &[Row],
        names: &[&str],
        missing: &str,
    ) -> Result<Vec<EntityOutcome>, CallError> {
        let mut outcomes: Vec<EntityOutcome> = Vec::with_capacity(rows.len());
        let mut positions = Vec::new();
        let mut keys = Vec::new();
        for (position, row) in rows.iter().enumerate() {
            let key = names
                .iter()
                .find_map(|name| row.get(name).and_then(text_of));
            match key {
                Some(key) => {
                    positions.push(position);
                    keys.push(key);
                    outcomes.push(failed(""));
                }
                None => outcomes.push(failed(missing)),
            }
        }
        if keys.is_empty() {
            return Ok(outcomes);
        }
        let results = match self.settings().operation {
            Operation::Allocate => {
                let orgs = &self.settings().distribution_orgs;
                if orgs.is_empty() {
                    return Err(CallError::Invalid {
                        message:
                            "api `allocate` needs `distributionOrg` (organisation internal ids)"
                                .to_owned(),
                    });
                }
                self.allocate(&keys, orgs).await?
            }
            operation => {
                let count = keys.len();
                let mut data = Map::new();
                data.insert("Numbers".to_owned(), json!(keys));
                self.send(operation.service(), data, count).await?
            }
        };
        for (position, result) in positions.into_iter().zip(results) {
            outcomes[position] = result;
        }
        Ok(outcomes)
    }
}

#[async_trait]
impl Target for KingdeeTarget {
    fn max_batch(&self) -> usize {
        match self.settings().operation {
            Operation::Save => 20,
            _ => 100,
        }
    }

    fn concurrency(&self) -> usize {
        1
    }

    async fn write(&self, rows: &[Row]) -> Result<Vec<RowOutcome>, CallError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let outcomes = match self.settings().operation {
            Operation::BatchSave | Operation::Save => self.save(rows).await?,
            Operation::Submit | Operation::Audit => {
                self.by_key(
                    rows,
                    &["FNumber"],
                    "the row has no `FNumber` to submit or audit",
                )
                .await?
            }
            Operation::Allocate => {
                self.by_key(
                    rows,
                    &["PkIds", "PkId", "Id"],
                    "the row has no `PkIds` (internal id) to allocate",
                )
                .await?
            }
        };
        Ok(outcomes
            .into_iter()
            .map(|outcome| match outcome {
                EntityOutcome::Saved { .. } => RowOutcome::Written,
                EntityOutcome::Failed { error } => RowOutcome::Failed { error },
            })
            .collect())
    }
}
