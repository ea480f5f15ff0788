//! Business objects (FormId) the simulator knows and the base data their references resolve to
//! (PROTOCOLS.md §7.3).
//!
//! Contract: [`FormRule::check`] validates one `Model` entity the way Save/BatchSave does, in
//! this order, returning every problem found:
//! - the entity must be a JSON object (`Model 数据格式不正确` \[I\]);
//! - each required plain field must be present and non-empty: `字段“<label>”是必填项` \[I\];
//! - each reference `{"FNumber": n}` (`FNUMBER` too) is resolved against its base-data table.
//!   A missing or empty required reference is `字段“<label>”是必填项`; a number not in the table
//!   is `字段“<label>”的值“<n>”在基础资料中不存在` \[C\] when the reference is required or
//!   `IsVerifyBaseDataField` is true, and is otherwise dropped from the saved record \[I\].
//!
//! Defaults: `BD_Customer` (id key `FCUSTID`, numbers `CUST000001…`; required `FName`,
//! `FCreateOrgId`, `FTRADINGCURRID` \[C\]; references `FUseOrgId`, `FGroup`) and `BD_Supplier`
//! (`FSUPPLIERID`, `VEN…`; required `FName`, `FCreateOrgId`). Base data: organisations `100`
//! (id 1), `BZ` (100040), `DZ` (100041); currencies `PRE001`–`PRE003`; customer groups `01`,
//! `B11`, `D11`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::kingdee::reply::EntityError;

/// One base-data entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseEntry {
    /// Number (编码).
    pub number: String,
    /// Internal id.
    pub id: u64,
}

/// Base-data tables references resolve against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BaseData {
    /// Organisations (`FCreateOrgId`, `FUseOrgId`; Allocate `TOrgIds` are their ids).
    pub orgs: Vec<BaseEntry>,
    /// Currencies (`FTRADINGCURRID`).
    pub currencies: Vec<BaseEntry>,
    /// Customer groups (`FGroup`).
    pub customer_groups: Vec<BaseEntry>,
}

fn entries(pairs: &[(&str, u64)]) -> Vec<BaseEntry> {
    pairs
        .iter()
        .map(|&(number, id)| BaseEntry {
            number: number.to_owned(),
            id,
        })
        .collect()
}

impl Default for BaseData {
    fn default() -> Self {
        Self {
            orgs: entries(&[("100", 1), ("BZ", 100_040), ("DZ", 100_041)]),
            currencies: entries(&[("PRE001", 1), ("PRE002", 7), ("PRE003", 3)]),
            customer_groups: entries(&[("01", 101_001), ("B11", 101_011), ("D11", 101_021)]),
        }
    }
}

/// Which base-data table a reference uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseTable {
    /// Organisations.
    Org,
    /// Currencies.
    Currency,
    /// Customer groups.
    CustomerGroup,
}

impl BaseData {
    /// The table `table`.
    pub fn table(&self, table: BaseTable) -> &[BaseEntry] {
        match table {
            BaseTable::Org => &self.orgs,
            BaseTable::Currency => &self.currencies,
            BaseTable::CustomerGroup => &self.customer_groups,
        }
    }

    /// The id of `number` in `table`.
    pub fn id_of(&self, table: BaseTable, number: &str) -> Option<u64> {
        self.table(table)
            .iter()
            .find(|entry| entry.number == number)
            .map(|entry| entry.id)
    }
}

/// A plain field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRule {
    /// Field key.
    pub field: String,
    /// Chinese label used in messages.
    pub label: String,
}

/// A base-data reference field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefRule {
    /// Field key.
    pub field: String,
    /// Chinese label used in messages.
    pub label: String,
    /// Table it resolves against.
    pub table: BaseTable,
    /// Whether it must be given.
    pub required: bool,
}

/// One business object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormRule {
    /// FormId.
    pub form_id: String,
    /// Internal id key of the Model (`FCUSTID`).
    pub id_key: String,
    /// Prefix of numbers assigned when `FNumber` is empty.
    pub number_prefix: String,
    /// Required plain fields.
    pub required: Vec<FieldRule>,
    /// Reference fields.
    pub references: Vec<RefRule>,
}

fn plain(field: &str, label: &str) -> FieldRule {
    FieldRule {
        field: field.to_owned(),
        label: label.to_owned(),
    }
}

fn reference(field: &str, label: &str, table: BaseTable, required: bool) -> RefRule {
    RefRule {
        field: field.to_owned(),
        label: label.to_owned(),
        table,
        required,
    }
}

/// The default business objects.
pub fn default_forms() -> Vec<FormRule> {
    vec![
        FormRule {
            form_id: "BD_Customer".to_owned(),
            id_key: "FCUSTID".to_owned(),
            number_prefix: "CUST".to_owned(),
            required: vec![plain("FName", "客户名称")],
            references: vec![
                reference("FCreateOrgId", "创建组织", BaseTable::Org, true),
                reference("FUseOrgId", "使用组织", BaseTable::Org, false),
                reference("FTRADINGCURRID", "结算币别", BaseTable::Currency, true),
                reference("FGroup", "客户分组", BaseTable::CustomerGroup, false),
            ],
        },
        FormRule {
            form_id: "BD_Supplier".to_owned(),
            id_key: "FSUPPLIERID".to_owned(),
            number_prefix: "VEN".to_owned(),
            required: vec![plain("FName", "供应商名称")],
            references: vec![
                reference("FCreateOrgId", "创建组织", BaseTable::Org, true),
                reference("FUseOrgId", "使用组织", BaseTable::Org, false),
            ],
        },
    ]
}

/// The number inside a reference value `{"FNumber": n}` (also `FNUMBER`, or a bare string).
pub fn reference_number(value: &Value) -> Option<String> {
    let number = match value {
        Value::Object(object) => object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("FNumber"))
            .map(|(_, value)| value)?,
        other => other,
    };
    match number {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(text)) => text.trim().is_empty(),
        Some(_) => false,
    }
}

impl FormRule {
    /// Checks entity `index`; `Ok` is the entity to save (unknown optional references dropped).
    pub fn check(
        &self,
        base: &BaseData,
        entity: &Value,
        index: usize,
        verify_base_data: bool,
    ) -> Result<Map<String, Value>, Vec<EntityError>> {
        let error = |field: Option<&str>, message: String| EntityError {
            field: field.map(str::to_owned),
            message,
            index,
        };
        let Value::Object(entity) = entity else {
            return Err(vec![error(None, "Model 数据格式不正确".to_owned())]);
        };
        let mut entity = entity.clone();
        let mut errors = Vec::new();
        for rule in &self.required {
            if is_blank(entity.get(&rule.field)) {
                errors.push(error(
                    Some(&rule.field),
                    format!("字段“{}”是必填项", rule.label),
                ));
            }
        }
        for rule in &self.references {
            let number = entity.get(&rule.field).and_then(reference_number);
            let Some(number) = number else {
                if rule.required {
                    errors.push(error(
                        Some(&rule.field),
                        format!("字段“{}”是必填项", rule.label),
                    ));
                }
                continue;
            };
            if base.id_of(rule.table, &number).is_some() {
                continue;
            }
            if rule.required || verify_base_data {
                let message = format!("字段“{}”的值“{}”在基础资料中不存在", rule.label, number);
                errors.push(error(Some(&rule.field), message));
            } else {
                entity.remove(&rule.field);
            }
        }
        if errors.is_empty() {
            Ok(entity)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn customer_checks_report_every_problem_with_kingdee_messages() {
        let forms = default_forms();
        let base = BaseData::default();
        let entity = json!({"FName": "", "FCreateOrgId": {"FNumber": "100"},
            "FTRADINGCURRID": {"FNUMBER": "USD9"}, "FGroup": {"FNumber": "99"}});
        let errors = forms[0].check(&base, &entity, 3, true).unwrap_err();
        let messages: Vec<(Option<String>, String, usize)> = errors
            .into_iter()
            .map(|e| (e.field, e.message, e.index))
            .collect();
        assert_eq!(
            messages,
            vec![
                (
                    Some("FName".to_owned()),
                    "字段“客户名称”是必填项".to_owned(),
                    3
                ),
                (
                    Some("FTRADINGCURRID".to_owned()),
                    "字段“结算币别”的值“USD9”在基础资料中不存在".to_owned(),
                    3
                ),
                (
                    Some("FGroup".to_owned()),
                    "字段“客户分组”的值“99”在基础资料中不存在".to_owned(),
                    3
                ),
            ]
        );
        let lenient = json!({"FName": "A", "FCreateOrgId": {"FNumber": "100"},
            "FTRADINGCURRID": {"FNumber": "PRE001"}, "FGroup": {"FNumber": "99"}});
        let saved = forms[0].check(&base, &lenient, 0, false).unwrap();
        assert_eq!(saved.get("FGroup"), None);
        assert_eq!(saved.get("FName"), Some(&json!("A")));
    }
}
