//! A minimal [`Scope`] for unit tests: a map of names to JSON, a fixed clock, Asia/Shanghai.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use crate::Scope;

/// 2023-11-15 06:13:20 in Asia/Shanghai.
pub(crate) const FIXED_NOW: i64 = 1_700_000_000;

/// Names to values, with a fixed `now` and time zone.
pub(crate) struct TestScope {
    values: HashMap<String, Value>,
    tz: jiff::tz::TimeZone,
}

impl TestScope {
    /// A scope holding the entries of a JSON object.
    pub(crate) fn new(values: Value) -> TestScope {
        let values = match values {
            Value::Object(map) => map.into_iter().collect(),
            _ => HashMap::new(),
        };
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai")
            .expect("bundled tzdb should have Asia/Shanghai");
        TestScope { values, tz }
    }
}

impl Scope for TestScope {
    fn get(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.values.get(name).map(Cow::Borrowed)
    }

    fn now(&self) -> i64 {
        FIXED_NOW
    }

    fn timezone(&self) -> &jiff::tz::TimeZone {
        &self.tz
    }
}

/// Parses and evaluates `expr` with `values`, as MariaDB text (`NULL` for NULL, `error: …`).
pub(crate) fn run(expr: &str, values: Value) -> String {
    let scope = TestScope::new(values);
    match super::Function::parse(expr).and_then(|f| f.eval_sql(&scope)) {
        Ok(v) => v.to_mysql_text().unwrap_or_else(|| "NULL".into()),
        Err(e) => format!("error: {e}"),
    }
}
