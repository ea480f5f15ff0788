//! The [`Scope`] of one request or record: run variables first, then the record's fields.
//!
//! A [`RecordScope`] answers a placeholder name from the [`RunVars`] when the name is a run
//! variable ([`is_variable`]), otherwise from the record by the rules of [`resolve_field`]:
//! exact key, dotted path, path through an array, the `beatFlat` name of a dotted path,
//! first-letter case. A run variable therefore shadows a record field of the same name.
//! Source-side requests have no record: [`RecordScope::without_record`].
//!
//! | variable | value |
//! |---|---|
//! | `LAST_SYNC_TIME` | start of the window being fetched, unix seconds |
//! | `CURRENT_TIME` | end of the window being fetched, unix seconds |
//! | `DAYS_AGO_N` (`DAYS_AGO_1`, `DAYS_AGO_2`, …) | the run's `now` minus N × 86400 seconds |
//! | `PAGINATION_START_PAGE` | the platform's first page number (0 or 1) |
//! | `PAGINATION_PAGE_SIZE` | records per page |
//! | `PAGINATION_PAGE` | the page number of the request being built |
//!
//! `PAGINATION_START_PAGE` and `PAGINATION_PAGE_SIZE` are Qeasy's names; Qeasy documents no
//! name for the running page counter, so ferry calls it `PAGINATION_PAGE`. All values are
//! integers; the `datetime`/`date` filters format the time variables in [`RunVars::timezone`].

mod fields;
mod vars;

use std::borrow::Cow;

use serde_json::Value;

pub use fields::{FieldBinding, bind_field, resolve_field};
pub use vars::{DEFAULT_TIMEZONE, RunVars, default_timezone, is_variable, variable_names};

use crate::{Record, Scope};

/// A scope over one record (optional) and the run variables.
#[derive(Debug, Clone, Copy)]
pub struct RecordScope<'a> {
    record: Option<&'a Record>,
    vars: &'a RunVars,
    absent_as_null: bool,
}

impl<'a> RecordScope<'a> {
    /// A scope over `record` with the run variables `vars`.
    pub fn new(record: &'a Record, vars: &'a RunVars) -> Self {
        Self {
            record: Some(record),
            vars,
            absent_as_null: false,
        }
    }

    /// The same scope, but a field the record does not have is `null` instead of unknown, as
    /// Qeasy renders it: records of one API often leave optional fields out (a refund without
    /// details flattens to a record without any `detail_list_*` field). Names that look like
    /// run variables (`UPPER_CASE`) stay unknown, so a misspelt variable is still an error.
    pub fn absent_as_null(mut self) -> Self {
        self.absent_as_null = true;
        self
    }

    /// A scope with run variables only (building a source request).
    pub fn without_record(vars: &'a RunVars) -> Self {
        Self {
            record: None,
            vars,
            absent_as_null: false,
        }
    }

    /// The record, if any.
    pub fn record(&self) -> Option<&'a Record> {
        self.record
    }

    /// The run variables.
    pub fn vars(&self) -> &'a RunVars {
        self.vars
    }

    /// Which record key `name` binds to; `None` for run variables and for names that bind to
    /// nothing.
    pub fn binding(&self, name: &str) -> Option<FieldBinding> {
        if is_variable(name) {
            return None;
        }
        bind_field(self.record?, name)
    }
}

impl Scope for RecordScope<'_> {
    fn get(&self, name: &str) -> Option<Cow<'_, Value>> {
        if let Some(number) = self.vars.get(name) {
            return Some(Cow::Owned(Value::from(number)));
        }
        let record = self.record?;
        match resolve_field(record, name) {
            None if self.absent_as_null && !looks_like_variable(name) => {
                Some(Cow::Owned(Value::Null))
            }
            found => found,
        }
    }

    fn now(&self) -> i64 {
        self.vars.now
    }

    fn timezone(&self) -> &jiff::tz::TimeZone {
        &self.vars.timezone
    }
}

/// `UPPER_CASE_1` names are run variables or misspellings of one.
fn looks_like_variable(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn variables_shadow_fields() {
        let Value::Object(record) = json!({"CURRENT_TIME": "field", "o_id": 1}) else {
            unreachable!("literal object")
        };
        let vars = RunVars::new(10, 20, 30);
        let scope = RecordScope::new(&record, &vars);
        assert_eq!(scope.get("CURRENT_TIME").unwrap().into_owned(), json!(20));
        assert_eq!(scope.get("o_id").unwrap().into_owned(), json!(1));
        assert_eq!(
            scope.get("DAYS_AGO_1").unwrap().into_owned(),
            json!(30 - 86_400)
        );
        assert_eq!(scope.binding("CURRENT_TIME"), None);
        assert_eq!(scope.binding("o_id").unwrap().bound, "o_id");
        assert_eq!(scope.now(), 30);
        assert_eq!(scope.timezone().iana_name(), Some("Asia/Shanghai"));
    }

    #[test]
    fn absent_fields_can_be_null_but_variables_stay_unknown() {
        let Value::Object(record) = json!({"o_id": 1}) else {
            unreachable!("literal object")
        };
        let vars = RunVars::new(10, 20, 30);
        let strict = RecordScope::new(&record, &vars);
        assert_eq!(strict.get("detail_list_rec_id"), None);
        let lenient = strict.absent_as_null();
        assert_eq!(
            lenient.get("detail_list_rec_id").unwrap().into_owned(),
            Value::Null
        );
        assert_eq!(lenient.get("LAST_SYNC_TIMES"), None);
        assert_eq!(lenient.get("o_id").unwrap().into_owned(), json!(1));
    }

    #[test]
    fn without_record_only_variables_resolve() {
        let vars = RunVars::default().with_pagination(0, 40);
        let scope = RecordScope::without_record(&vars);
        assert_eq!(
            scope.get("PAGINATION_PAGE_SIZE").unwrap().into_owned(),
            json!(40)
        );
        assert!(scope.get("o_id").is_none());
        assert_eq!(scope.binding("o_id"), None);
    }
}
