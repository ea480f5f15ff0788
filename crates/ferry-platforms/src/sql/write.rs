//! One `write`: parameter text for every row, statements under the dialect's placeholder and
//! byte limits, and failing-row isolation by bisection inside the caller's transaction.
//!
//! Contract: each statement runs between `SAVEPOINT ferry_rows` and its release. A statement
//! refused for its data ([`ErrorClass::Row`]) is rolled back to the savepoint and its rows are
//! split in halves, first half first (so a later row with the same key still wins), until each
//! refused row stands alone: those rows are `Failed` with the database's message, every other
//! row is `Written` once the caller commits. A row too large for one statement (MySQL
//! `max_allowed_packet`) is `Failed` without being sent. Any other error ends the write with
//! nothing decided; the caller drops the transaction, which rolls it back.

use std::borrow::Cow;
use std::ops::Range;

use super::classify::{Classified, ErrorClass, classify};
use super::pool::DbTx;
use super::statement::{StatementShape, column_position, parameter_text};
use crate::target::{Row, RowOutcome};

/// Bytes counted per parameter besides its text (MySQL's binary protocol spends up to 9 on
/// the length, 2 on the type and a bit on NULL).
const PARAMETER_OVERHEAD: usize = 12;

/// How much one statement may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Rows per statement, from the placeholder limit.
    pub rows_per_statement: usize,
    /// Estimated parameter bytes per statement.
    pub bytes_per_statement: usize,
    /// Estimated bytes above which a single row is refused unsent (MySQL packet size).
    pub max_row_bytes: usize,
}

/// Every row's parameter texts, column by column.
pub(crate) struct Prepared<'a> {
    params: Vec<Option<Cow<'a, str>>>,
    columns: usize,
    row_bytes: Vec<usize>,
}

/// Looks up each column of each row and renders its parameter text. Columns are resolved to
/// field positions once per distinct field list (all rows of one scheme share one).
pub(crate) fn prepare<'a>(rows: &'a [Row], columns: &[String]) -> Prepared<'a> {
    let mut params = Vec::with_capacity(rows.len() * columns.len());
    let mut row_bytes = Vec::with_capacity(rows.len());
    let mut known: &[String] = &[];
    let mut positions: Vec<Option<usize>> = vec![None; columns.len()];
    for row in rows {
        let fields: &[String] = &row.fields;
        if !std::ptr::eq(known, fields) {
            known = fields;
            positions = columns
                .iter()
                .map(|column| column_position(fields, column))
                .collect();
        }
        let mut bytes = 0;
        for position in &positions {
            let text = position
                .map(|position| &row.values[position])
                .and_then(parameter_text);
            bytes += text.as_deref().map_or(0, str::len) + PARAMETER_OVERHEAD;
            params.push(text);
        }
        row_bytes.push(bytes);
    }
    Prepared {
        params,
        columns: columns.len(),
        row_bytes,
    }
}

impl Prepared<'_> {
    /// The parameters of `rows` (row indexes), in order.
    fn params_for(&self, rows: &[usize]) -> Vec<Option<&str>> {
        let mut params = Vec::with_capacity(rows.len() * self.columns);
        for row in rows {
            let start = row * self.columns;
            params.extend(
                self.params[start..start + self.columns]
                    .iter()
                    .map(|param| param.as_deref()),
            );
        }
        params
    }
}

/// The rows to send, in order; rows over `max_row_bytes` get their `Failed` outcome here.
pub(crate) fn admit(
    prepared: &Prepared<'_>,
    limits: &Limits,
    outcomes: &mut [Option<RowOutcome>],
) -> Vec<usize> {
    let mut order = Vec::with_capacity(outcomes.len());
    for (row, bytes) in prepared.row_bytes.iter().enumerate() {
        if *bytes > limits.max_row_bytes {
            outcomes[row] = Some(RowOutcome::Failed {
                error: format!(
                    "row needs about {bytes} bytes, more than the server accepts in one \
                     statement (about {} bytes; MySQL `max_allowed_packet`)",
                    limits.max_row_bytes
                ),
            });
        } else {
            order.push(row);
        }
    }
    order
}

/// Splits `order` into consecutive statements within the limits; each is non-empty.
pub(crate) fn plan(prepared: &Prepared<'_>, order: &[usize], limits: &Limits) -> Vec<Range<usize>> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (position, row) in order.iter().enumerate() {
        let row_bytes = prepared.row_bytes[*row];
        let full = position - start >= limits.rows_per_statement
            || bytes + row_bytes > limits.bytes_per_statement;
        if position > start && full {
            chunks.push(start..position);
            start = position;
            bytes = 0;
        }
        bytes += row_bytes;
    }
    if start < order.len() {
        chunks.push(start..order.len());
    }
    chunks
}

/// What one run did, for logs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stats {
    pub statements: usize,
    pub failed: usize,
}

/// Writes the `chunks` of `order`, isolating refused rows; fills `outcomes` for every row in
/// `order`. Returns the first error that is not about a row's data.
pub(crate) async fn run(
    tx: &mut DbTx,
    shape: &StatementShape,
    prepared: &Prepared<'_>,
    order: &[usize],
    chunks: Vec<Range<usize>>,
    outcomes: &mut [Option<RowOutcome>],
) -> Result<Stats, Classified> {
    debug_assert_eq!(shape.columns(), prepared.columns);
    let mut stats = Stats::default();
    // A stack: the next range to write is the last one.
    let mut pending: Vec<Range<usize>> = chunks.into_iter().rev().collect();
    while let Some(range) = pending.pop() {
        let rows = &order[range.clone()];
        control(tx, "SAVEPOINT ferry_rows").await?;
        stats.statements += 1;
        let result = tx
            .execute(shape.text(rows.len()), prepared.params_for(rows))
            .await;
        let refused = match result {
            Ok(_) => {
                control(tx, "RELEASE SAVEPOINT ferry_rows").await?;
                for row in rows {
                    outcomes[*row] = Some(RowOutcome::Written);
                }
                continue;
            }
            Err(error) => classify(&error),
        };
        if refused.class != ErrorClass::Row {
            return Err(refused);
        }
        control(tx, "ROLLBACK TO SAVEPOINT ferry_rows").await?;
        control(tx, "RELEASE SAVEPOINT ferry_rows").await?;
        if let [row] = rows {
            outcomes[*row] = Some(RowOutcome::Failed {
                error: refused.message,
            });
            stats.failed += 1;
            continue;
        }
        let middle = range.start + range.len() / 2;
        pending.push(middle..range.end);
        pending.push(range.start..middle);
    }
    Ok(stats)
}

async fn control(tx: &mut DbTx, sql: &'static str) -> Result<(), Classified> {
    tx.control(sql).await.map_err(|error| classify(&error))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn row(key: &str, values: Value) -> Row {
        let Value::Object(values) = values else {
            unreachable!()
        };
        Row::from_object(key, values)
    }

    fn limits(rows: usize, bytes: usize, row_bytes: usize) -> Limits {
        Limits {
            rows_per_statement: rows,
            bytes_per_statement: bytes,
            max_row_bytes: row_bytes,
        }
    }

    #[test]
    fn prepare_orders_by_column_and_binds_missing_as_null() {
        let rows = [
            row("1", json!({"b": 2, "a": "x"})),
            row("2", json!({"a": true})),
        ];
        let prepared = prepare(&rows, &["a".to_owned(), "b".to_owned()]);
        assert_eq!(
            prepared.params_for(&[0, 1]),
            vec![Some("x"), Some("2"), Some("1"), None]
        );
        assert_eq!(prepared.params_for(&[1]), vec![Some("1"), None]);
        assert_eq!(
            prepared.row_bytes,
            vec![2 + 2 * PARAMETER_OVERHEAD, 1 + 2 * PARAMETER_OVERHEAD]
        );
    }

    #[test]
    fn plan_respects_row_and_byte_limits() {
        let rows: Vec<Row> = (0..7)
            .map(|index| row(&index.to_string(), json!({"a": "x".repeat(8)})))
            .collect();
        let prepared = prepare(&rows, &["a".to_owned()]);
        let order: Vec<usize> = (0..7).collect();
        // 20 bytes per row.
        assert_eq!(
            plan(&prepared, &order, &limits(3, usize::MAX, usize::MAX)),
            vec![0..3, 3..6, 6..7]
        );
        assert_eq!(
            plan(&prepared, &order, &limits(100, 45, usize::MAX)),
            vec![0..2, 2..4, 4..6, 6..7]
        );
        // A row larger than the byte budget still goes, alone.
        assert_eq!(
            plan(&prepared, &order[..2], &limits(100, 5, usize::MAX)),
            vec![0..1, 1..2]
        );
        assert!(plan(&prepared, &[], &limits(3, 10, 10)).is_empty());
    }

    #[test]
    fn admit_fails_rows_over_the_packet_size() {
        let rows = [
            row("1", json!({"a": "short"})),
            row("2", json!({"a": "x".repeat(100)})),
        ];
        let prepared = prepare(&rows, &["a".to_owned()]);
        let mut outcomes = vec![None, None];
        let order = admit(&prepared, &limits(10, 1000, 50), &mut outcomes);
        assert_eq!(order, vec![0]);
        assert_eq!(outcomes[0], None);
        assert!(matches!(
            &outcomes[1],
            Some(RowOutcome::Failed { error }) if error.starts_with("row needs about 112 bytes")
        ));
    }
}
