//! The text of one multi-row statement, and the parameter text of each value.
//!
//! Contract: values never appear in statement text. A statement for `n` rows is a head
//! (`main_sql`'s `REPLACE`/`INSERT INTO table (columns) VALUES` for MySQL and SQLite;
//! `INSERT INTO table (columns) VALUES` for PostgreSQL), `n` tuples of placeholders (`?`, or
//! PostgreSQL's `$k`, wrapped in `CAST($k AS type)` for non-text columns) and a tail
//! (PostgreSQL's `ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c, …` for `REPLACE INTO`).
//! Parameter text: a string as it is, a number as its JSON text, a bool as `1`/`0`, null as
//! SQL NULL, an object or array as compact JSON.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::Value;

use crate::target::field_position;

/// One PostgreSQL column of a rewritten statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PgColumn {
    /// Quoted column name as the table spells it.
    pub quoted: String,
    /// Type to cast the text parameter to; `None` for text-like columns.
    pub cast: Option<String>,
}

/// Everything about a statement except the number of rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatementShape {
    head: String,
    casts: Vec<Option<String>>,
    numbered: bool,
    tail: String,
}

impl StatementShape {
    /// A head ending in `VALUES` (MySQL, SQLite): `?` placeholders, no tail.
    pub(crate) fn plain(head: String, columns: usize) -> Self {
        StatementShape {
            head,
            casts: vec![None; columns],
            numbered: false,
            tail: String::new(),
        }
    }

    /// PostgreSQL: `INSERT INTO table(columns) VALUES`, numbered placeholders with casts, and
    /// with a non-empty `conflict` target (quoted column names) an `ON CONFLICT` tail that
    /// overwrites every other column.
    pub(crate) fn postgres(table: &str, columns: &[PgColumn], conflict: &[String]) -> Self {
        let names: Vec<&str> = columns
            .iter()
            .map(|column| column.quoted.as_str())
            .collect();
        let head = format!("INSERT INTO {table} ({}) VALUES", names.join(", "));
        let tail = if conflict.is_empty() {
            String::new()
        } else {
            let target = conflict.join(", ");
            let updates: Vec<String> = names
                .iter()
                .filter(|name| !conflict.iter().any(|key| key == *name))
                .map(|name| format!("{name} = EXCLUDED.{name}"))
                .collect();
            if updates.is_empty() {
                format!(" ON CONFLICT ({target}) DO NOTHING")
            } else {
                format!(
                    " ON CONFLICT ({target}) DO UPDATE SET {}",
                    updates.join(", ")
                )
            }
        };
        StatementShape {
            head,
            casts: columns.iter().map(|column| column.cast.clone()).collect(),
            numbered: true,
            tail,
        }
    }

    /// Number of parameters per row.
    pub(crate) fn columns(&self) -> usize {
        self.casts.len()
    }

    /// The statement for `rows` rows.
    pub(crate) fn text(&self, rows: usize) -> String {
        let per_row = if self.numbered { 8 } else { 2 } * self.casts.len() + 3;
        let mut sql = String::with_capacity(self.head.len() + self.tail.len() + rows * per_row);
        sql.push_str(&self.head);
        sql.push(' ');
        let mut number = 0_usize;
        for row in 0..rows {
            if row > 0 {
                sql.push(',');
            }
            sql.push('(');
            for (index, cast) in self.casts.iter().enumerate() {
                if index > 0 {
                    sql.push(',');
                }
                if !self.numbered {
                    sql.push('?');
                    continue;
                }
                number += 1;
                // Writing to a `String` cannot fail.
                let _ = match cast {
                    Some(type_name) => write!(sql, "CAST(${number} AS {type_name})"),
                    None => write!(sql, "${number}"),
                };
            }
            sql.push(')');
        }
        sql.push_str(&self.tail);
        sql
    }
}

/// The position of the field that gives `column` its value: by exact name, else by name
/// ignoring ASCII case; `None` binds NULL.
pub(crate) fn column_position(fields: &[String], column: &str) -> Option<usize> {
    field_position(fields, column).or_else(|| {
        fields
            .iter()
            .position(|name| name.eq_ignore_ascii_case(column))
    })
}

/// The text bound for a value; `None` binds SQL NULL.
pub(crate) fn parameter_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(Cow::Borrowed(text.as_str())),
        Value::Number(number) => Some(Cow::Owned(number.to_string())),
        Value::Bool(flag) => Some(Cow::Borrowed(if *flag { "1" } else { "0" })),
        Value::Array(_) | Value::Object(_) => Some(Cow::Owned(value.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn plain_appends_question_marks() {
        let shape = StatementShape::plain("REPLACE INTO t(a,b) VALUES".to_owned(), 2);
        assert_eq!(shape.text(1), "REPLACE INTO t(a,b) VALUES (?,?)");
        assert_eq!(
            shape.text(3),
            "REPLACE INTO t(a,b) VALUES (?,?),(?,?),(?,?)"
        );
        assert_eq!(shape.columns(), 2);
    }

    #[test]
    fn postgres_numbers_casts_and_upserts() {
        let columns = [
            PgColumn {
                quoted: "\"id\"".into(),
                cast: None,
            },
            PgColumn {
                quoted: "\"qty\"".into(),
                cast: Some("integer".into()),
            },
            PgColumn {
                quoted: "\"note\"".into(),
                cast: None,
            },
        ];
        let shape = StatementShape::postgres("t", &columns, &["\"id\"".to_owned()]);
        assert_eq!(
            shape.text(2),
            "INSERT INTO t (\"id\", \"qty\", \"note\") VALUES ($1,CAST($2 AS integer),$3),\
             ($4,CAST($5 AS integer),$6) ON CONFLICT (\"id\") DO UPDATE SET \
             \"qty\" = EXCLUDED.\"qty\", \"note\" = EXCLUDED.\"note\""
        );
        let plain = StatementShape::postgres("s.t", &columns[..1], &[]);
        assert_eq!(plain.text(1), "INSERT INTO s.t (\"id\") VALUES ($1)");
        let key_only = StatementShape::postgres("t", &columns[..1], &["\"id\"".to_owned()]);
        assert_eq!(
            key_only.text(1),
            "INSERT INTO t (\"id\") VALUES ($1) ON CONFLICT (\"id\") DO NOTHING"
        );
    }

    #[test]
    fn parameter_text_follows_the_binding_rules() {
        let text = |value: Value| parameter_text(&value).map(Cow::into_owned);
        assert_eq!(text(json!("it's")), Some("it's".to_owned()));
        assert_eq!(text(json!("199.00")), Some("199.00".to_owned()));
        assert_eq!(text(json!(199.5)), Some("199.5".to_owned()));
        assert_eq!(text(json!(-3)), Some("-3".to_owned()));
        assert_eq!(text(json!(true)), Some("1".to_owned()));
        assert_eq!(text(json!(false)), Some("0".to_owned()));
        assert_eq!(text(Value::Null), None);
        assert_eq!(
            text(json!({"b": [1, "x"], "a": null})),
            Some(r#"{"b":[1,"x"],"a":null}"#.to_owned())
        );
    }

    #[test]
    fn column_positions_match_by_name_then_ignoring_case() {
        let fields = ["id".to_owned(), "Order_Date".to_owned(), "ID".to_owned()];
        assert_eq!(column_position(&fields, "id"), Some(0));
        assert_eq!(column_position(&fields, "ID"), Some(2));
        assert_eq!(column_position(&fields, "order_date"), Some(1));
        assert_eq!(column_position(&fields, "missing"), None);
    }
}
