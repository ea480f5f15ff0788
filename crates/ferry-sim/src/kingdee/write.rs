//! The write operations of `DynamicFormService` (PROTOCOLS.md §7.3–7.5): Save, BatchSave,
//! Submit, Audit, Allocate.
//!
//! Contract:
//! - An unknown FormId fails the whole call with `业务对象不存在` (MsgCode 9, no entity saved).
//! - Save takes `Model` as an object, BatchSave as an array (`Model 参数格式不正确` otherwise);
//!   each entity is checked ([`crate::kingdee::forms`]) and saved on its own, so one bad
//!   entity fails only itself: it is listed in `Errors` with its `DIndex`, the others in
//!   `SuccessEntitys` (and their `NeedReturnFields` in `NeedReturnData`). `IsAutoSubmitAndAudit`
//!   true leaves saved records audited; `IsVerifyBaseDataField` makes optional references
//!   strict. Save also answers `Result.Id`/`Result.Number`.
//! - Submit/Audit take `Numbers` (array) or `Ids` (comma string or array); `DIndex` indexes
//!   that list. Unknown numbers/ids fail with `编码为“n”的数据不存在` / `内码为“n”的数据不存在`.
//! - Allocate takes `PkIds` and `TOrgIds` (comma strings, numbers or arrays). Unknown
//!   organisation ids fail every entity; unknown record ids fail themselves; allocating
//!   again is a success without change. `IsAutoSubmitAndAudit` audits the allocated records.

use std::sync::PoisonError;

use serde_json::{Map, Value, json};

use crate::kingdee::KingdeeState;
use crate::kingdee::body::FormCall;
use crate::kingdee::forms::FormRule;
use crate::kingdee::reply::{EntityError, EntitySuccess, failure, write_reply};
use crate::kingdee::store::{RecordStore, SavedRecord, advance};

/// The unknown-FormId message.
pub const UNKNOWN_FORM: &str = "业务对象不存在";

fn rule<'a>(state: &'a KingdeeState, form_id: &str) -> Option<&'a FormRule> {
    state
        .config
        .forms
        .iter()
        .find(|rule| rule.form_id.eq_ignore_ascii_case(form_id))
}

fn error(index: usize, message: String) -> EntityError {
    EntityError {
        field: None,
        message,
        index,
    }
}

/// Save (`batch` false) or BatchSave (`batch` true).
pub fn save(state: &KingdeeState, call: &FormCall, batch: bool) -> Value {
    let Some(rule) = rule(state, &call.form_id) else {
        return failure(UNKNOWN_FORM, 9);
    };
    let entities: Vec<Value> = match (call.option("Model"), batch) {
        (Some(Value::Array(models)), true) => models.clone(),
        (Some(model @ Value::Object(_)), false) => vec![model.clone()],
        _ => return failure("Model 参数格式不正确", 9),
    };
    let verify = call.flag("IsVerifyBaseDataField", false);
    let audit = call.flag("IsAutoSubmitAndAudit", false);
    let return_fields = call.list("NeedReturnFields");
    let now = state.core.clock.now_seconds();
    let mut errors = Vec::new();
    let mut successes = Vec::new();
    let mut returned = Vec::new();
    let mut store = state.store.write().unwrap_or_else(PoisonError::into_inner);
    for (index, entity) in entities.iter().enumerate() {
        let checked = match rule.check(&state.config.base_data, entity, index, verify) {
            Ok(checked) => checked,
            Err(mut found) => {
                errors.append(&mut found);
                continue;
            }
        };
        match store.upsert(rule, checked, audit, now) {
            Ok((id, number)) => {
                if !return_fields.is_empty()
                    && let Some(record) = store.by_number(&rule.form_id, &number)
                {
                    returned.push(pick(&record.fields, &return_fields));
                }
                successes.push(EntitySuccess { id, number, index });
            }
            Err(message) => errors.push(error(index, message)),
        }
    }
    let mut extra = json!({"NeedReturnData": returned});
    if !batch {
        let (id, number) = successes
            .first()
            .map(|success| (json!(success.id), json!(success.number)))
            .unwrap_or((json!(""), json!("")));
        extra["Id"] = id;
        extra["Number"] = number;
    }
    write_reply(&errors, &successes, extra)
}

fn pick(fields: &Map<String, Value>, names: &[String]) -> Value {
    let mut picked = Map::new();
    for name in names {
        if let Some((key, value)) = fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
        {
            picked.insert(key.clone(), value.clone());
        }
    }
    Value::Object(picked)
}

fn find<'s>(
    store: &'s mut RecordStore,
    form_id: &str,
    by_id: bool,
    key: &str,
) -> Result<&'s mut SavedRecord, String> {
    let found = if by_id {
        key.parse::<u64>()
            .ok()
            .and_then(|id| store.by_id(form_id, id))
    } else {
        store.by_number(form_id, key)
    };
    found.ok_or_else(|| {
        if by_id {
            format!("内码为“{key}”的数据不存在")
        } else {
            format!("编码为“{key}”的数据不存在")
        }
    })
}

/// Submit (`target` `B`) or Audit (`target` `C`).
pub fn change_status(state: &KingdeeState, call: &FormCall, target: &str) -> Value {
    let Some(rule) = rule(state, &call.form_id) else {
        return failure(UNKNOWN_FORM, 9);
    };
    let numbers = call.list("Numbers");
    let (by_id, keys) = if numbers.is_empty() {
        (true, call.list("Ids"))
    } else {
        (false, numbers)
    };
    if keys.is_empty() {
        return failure("Numbers 和 Ids 不能同时为空", 9);
    }
    let now = state.core.clock.now_seconds();
    let mut errors = Vec::new();
    let mut successes = Vec::new();
    let mut store = state.store.write().unwrap_or_else(PoisonError::into_inner);
    for (index, key) in keys.iter().enumerate() {
        let outcome = find(&mut store, &rule.form_id, by_id, key).and_then(|record| {
            advance(record, target, now)?;
            Ok((record.id, record.number.clone()))
        });
        match outcome {
            Ok((id, number)) => successes.push(EntitySuccess { id, number, index }),
            Err(message) => errors.push(error(index, message)),
        }
    }
    write_reply(&errors, &successes, json!({}))
}

/// Allocate.
pub fn allocate(state: &KingdeeState, call: &FormCall) -> Value {
    let Some(rule) = rule(state, &call.form_id) else {
        return failure(UNKNOWN_FORM, 9);
    };
    let pk_ids = call.list("PkIds");
    if pk_ids.is_empty() {
        return failure("使用被分配的基础资料内码集合必录", 9);
    }
    let org_texts = call.list("TOrgIds");
    if org_texts.is_empty() {
        return failure("分配的目标组织内码集合必录", 9);
    }
    let mut org_ids = Vec::new();
    for text in &org_texts {
        let known = state
            .config
            .base_data
            .orgs
            .iter()
            .find(|org| org.id.to_string() == *text);
        match known {
            Some(org) => org_ids.push(org.id),
            None => return failure(&format!("组织内码“{text}”不存在"), 9),
        }
    }
    let audit = call.flag("IsAutoSubmitAndAudit", false);
    let now = state.core.clock.now_seconds();
    let mut errors = Vec::new();
    let mut successes = Vec::new();
    let mut store = state.store.write().unwrap_or_else(PoisonError::into_inner);
    for (index, key) in pk_ids.iter().enumerate() {
        match find(&mut store, &rule.form_id, true, key) {
            Ok(record) => {
                let before = record.allocated_org_ids.len();
                record.allocated_org_ids.extend(org_ids.iter().copied());
                if record.allocated_org_ids.len() != before {
                    record.modified = now;
                }
                if audit && record.document_status != "C" {
                    record.document_status = "C".to_owned();
                    record.modified = now;
                }
                successes.push(EntitySuccess {
                    id: record.id,
                    number: record.number.clone(),
                    index,
                });
            }
            Err(message) => errors.push(error(index, message)),
        }
    }
    write_reply(&errors, &successes, json!({}))
}
