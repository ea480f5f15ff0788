//! Checks of a `batchexecute` target: `main_sql` is `INSERT`/`REPLACE INTO table(columns…)
//! VALUES`, its columns match the target's `request` fields one to one, and `limit` is a
//! sensible batch size. The statement itself is built by the SQL target at run time, with
//! every value bound as a parameter.

use sqlparser::ast::Statement;
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;

use super::Adapter;
use crate::diag::{Diagnostics, list_choices};

/// Largest batch size accepted for `limit`.
pub const MAX_LIMIT: u64 = 10_000;

/// The table and columns of a `main_sql`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MainSql {
    /// `INSERT` or `REPLACE`.
    pub replace: bool,
    /// Table name as written (may be qualified).
    pub table: String,
    /// Column names in order.
    pub columns: Vec<String>,
}

/// Parses `main_sql` (ending in `VALUES`) into its table and columns.
pub fn parse_main_sql(main_sql: &str) -> Result<MainSql, String> {
    let trimmed = main_sql.trim().trim_end_matches(';').trim_end();
    let upper = trimmed.to_ascii_uppercase();
    if !upper.ends_with("VALUES") {
        return Err(
            "`main_sql` must end with `VALUES`; ferry appends one row per record".to_owned(),
        );
    }
    let probe = format!("{trimmed} (NULL)");
    let statements = Parser::parse_sql(&MySqlDialect {}, &probe)
        .map_err(|error| format!("`main_sql` does not parse: {error}"))?;
    let [Statement::Insert(insert)] = statements.as_slice() else {
        return Err("`main_sql` must be one `INSERT INTO` or `REPLACE INTO` statement".to_owned());
    };
    if insert.columns.is_empty() {
        return Err(
            "`main_sql` must list its columns: `REPLACE INTO table(col1, col2, …) VALUES`"
                .to_owned(),
        );
    }
    Ok(MainSql {
        replace: insert.replace_into,
        table: insert.table.to_string(),
        columns: insert
            .columns
            .iter()
            .map(|column| column.to_string().trim_matches('`').to_owned())
            .collect(),
    })
}

pub(super) fn check_batchexecute(adapter: &Adapter, diagnostics: &mut Diagnostics<'_>) {
    let Some(main_sql) = adapter.other("main_sql") else {
        diagnostics
            .error_at(
                adapter.span,
                "target.otherRequest",
                "a `batchexecute` target needs an `otherRequest` entry `main_sql`",
            )
            .hint(
                "e.g. `{\"field\": \"main_sql\", \"value\": \"REPLACE INTO t(id, name) VALUES\"}`",
            );
        return;
    };
    let Some(text) = main_sql.raw_value.as_str() else {
        diagnostics.error_at(
            main_sql.span,
            "target.otherRequest.main_sql",
            "`main_sql` must be a string",
        );
        return;
    };
    match parse_main_sql(text) {
        Err(message) => {
            diagnostics.error_at(main_sql.span, "target.otherRequest.main_sql", message);
        }
        Ok(parsed) => check_columns(adapter, &parsed, diagnostics),
    }
    if let Some(limit) = adapter.other("limit") {
        let parsed = match &limit.raw_value {
            serde_json::Value::String(text) => text.trim().parse::<u64>().ok(),
            serde_json::Value::Number(number) => number.as_u64(),
            _ => None,
        };
        if !parsed.is_some_and(|limit| (1..=MAX_LIMIT).contains(&limit)) {
            diagnostics
                .error_at(
                    limit.span,
                    "target.otherRequest.limit",
                    format!(
                        "`limit` must be a whole number from 1 to {MAX_LIMIT}, found {}",
                        limit.raw_value
                    ),
                )
                .hint("it is the number of records per statement; 1000 is a good start");
        }
    }
}

fn check_columns(adapter: &Adapter, main_sql: &MainSql, diagnostics: &mut Diagnostics<'_>) {
    let fields: Vec<&str> = adapter
        .request
        .iter()
        .map(|field| field.field.as_str())
        .collect();
    if fields.len() != main_sql.columns.len() {
        let missing: Vec<&str> = main_sql
            .columns
            .iter()
            .map(String::as_str)
            .filter(|column| !fields.contains(column))
            .collect();
        let extra: Vec<&str> = fields
            .iter()
            .copied()
            .filter(|field| !main_sql.columns.iter().any(|column| column == field))
            .collect();
        let mut hint =
            String::from("each column takes the value of the request field at the same position");
        if !missing.is_empty() {
            hint.push_str(&format!(
                "; columns without a field: {}",
                list_choices(missing.iter().copied())
            ));
        }
        if !extra.is_empty() {
            hint.push_str(&format!(
                "; fields without a column: {}",
                list_choices(extra.iter().copied())
            ));
        }
        diagnostics
            .error_at(
                adapter.span,
                "target.request",
                format!(
                    "`main_sql` inserts {} columns into `{}` but `target.request` has {} fields",
                    main_sql.columns.len(),
                    main_sql.table,
                    fields.len()
                ),
            )
            .hint(hint);
        return;
    }
    for (index, (field, column)) in adapter.request.iter().zip(&main_sql.columns).enumerate() {
        if !field.field.eq_ignore_ascii_case(column) {
            diagnostics
                .warning(field.span.start, &format!("target.request[{index}]"), format!("field `{}` is written to column `{column}` (same position in `main_sql`)", field.field))
                .hint("values go to columns by position; rename the field or reorder if this is not intended");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_replace_into_with_columns() {
        let parsed =
            parse_main_sql("REPLACE INTO order_list_query(id, `order_date`,shop_status) VALUES")
                .unwrap();
        assert_eq!(
            parsed,
            MainSql {
                replace: true,
                table: "order_list_query".to_owned(),
                columns: vec!["id".into(), "order_date".into(), "shop_status".into()]
            }
        );
        assert!(!parse_main_sql("insert into t(a) values;").unwrap().replace);
    }

    #[test]
    fn rejects_other_shapes() {
        assert!(
            parse_main_sql("REPLACE INTO t VALUES")
                .unwrap_err()
                .contains("must list its columns")
        );
        assert!(
            parse_main_sql("DELETE FROM t")
                .unwrap_err()
                .contains("must end with `VALUES`")
        );
        assert!(
            parse_main_sql("REPLACE INTO t(a VALUES")
                .unwrap_err()
                .contains("does not parse")
        );
    }
}
