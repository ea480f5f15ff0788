//! Decoding of stored rows into model types, shared by both backends.
//!
//! Contract: both backends select the same column names with the same meanings (text, bytes,
//! 64-bit integers; times as unix milliseconds; payloads as JSON text); everything that does not
//! decode is a `StoreError::CorruptRow` naming the table and, where known, the key.

use jiff::Timestamp;
use sqlx::Row;

use crate::error::StoreError;
use crate::ledger::RecordState;
use crate::model::{
    Checkpoint, ContentHash, LedgerRecord, RecordStatus, RunCounts, RunId, RunKind, RunRecord,
    RunStatus, StatusCounts, TimeRange, WindowRecord, WindowStats, WindowStatus,
};

/// Typed column access over either backend's rows.
pub(crate) trait DecodeRow: Row {
    fn text(&self, column: &str) -> Result<Option<String>, sqlx::Error>;
    fn bytes(&self, column: &str) -> Result<Option<Vec<u8>>, sqlx::Error>;
    fn int(&self, column: &str) -> Result<Option<i64>, sqlx::Error>;
}

macro_rules! impl_decode_row {
    ($row:ty) => {
        impl DecodeRow for $row {
            fn text(&self, column: &str) -> Result<Option<String>, sqlx::Error> {
                self.try_get(column)
            }
            fn bytes(&self, column: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
                self.try_get(column)
            }
            fn int(&self, column: &str) -> Result<Option<i64>, sqlx::Error> {
                self.try_get(column)
            }
        }
    };
}

impl_decode_row!(sqlx::sqlite::SqliteRow);
impl_decode_row!(sqlx::postgres::PgRow);

/// Reads one row of one table, turning every failure into `CorruptRow`.
pub(crate) struct RowReader<'r, R> {
    row: &'r R,
    table: &'static str,
    key: String,
}

impl<'r, R: DecodeRow> RowReader<'r, R> {
    pub(crate) fn new(row: &'r R, table: &'static str) -> Self {
        RowReader {
            row,
            table,
            key: String::new(),
        }
    }

    /// Names the row in later errors.
    pub(crate) fn with_key(mut self, key: &str) -> Self {
        self.key = key.to_owned();
        self
    }

    fn corrupt(&self, reason: String) -> StoreError {
        StoreError::CorruptRow {
            table: self.table,
            key: self.key.clone(),
            reason,
        }
    }

    fn present<T>(&self, column: &str, value: Option<T>) -> Result<T, StoreError> {
        value.ok_or_else(|| self.corrupt(format!("`{column}` is null")))
    }

    pub(crate) fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.row
            .text(column)
            .map_err(|error| self.corrupt(format!("`{column}`: {error}")))
    }

    pub(crate) fn text(&self, column: &str) -> Result<String, StoreError> {
        self.present(column, self.opt_text(column)?)
    }

    pub(crate) fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.row
            .int(column)
            .map_err(|error| self.corrupt(format!("`{column}`: {error}")))
    }

    pub(crate) fn int(&self, column: &str) -> Result<i64, StoreError> {
        self.present(column, self.opt_int(column)?)
    }

    pub(crate) fn count(&self, column: &str) -> Result<u64, StoreError> {
        let value = self.int(column)?;
        u64::try_from(value).map_err(|_| self.corrupt(format!("`{column}` is negative: {value}")))
    }

    pub(crate) fn opt_hash(&self, column: &str) -> Result<Option<ContentHash>, StoreError> {
        let bytes = self
            .row
            .bytes(column)
            .map_err(|error| self.corrupt(format!("`{column}`: {error}")))?;
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        ContentHash::from_slice(&bytes).map(Some).ok_or_else(|| {
            self.corrupt(format!("`{column}` has {} bytes, expected 16", bytes.len()))
        })
    }

    pub(crate) fn hash(&self, column: &str) -> Result<ContentHash, StoreError> {
        self.present(column, self.opt_hash(column)?)
    }

    pub(crate) fn opt_time(&self, column: &str) -> Result<Option<Timestamp>, StoreError> {
        let Some(millis) = self.opt_int(column)? else {
            return Ok(None);
        };
        Timestamp::from_millisecond(millis)
            .map(Some)
            .map_err(|error| self.corrupt(format!("`{column}`: {error}")))
    }

    pub(crate) fn time(&self, column: &str) -> Result<Timestamp, StoreError> {
        self.present(column, self.opt_time(column)?)
    }

    pub(crate) fn parsed<T>(
        &self,
        column: &str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        let text = self.text(column)?;
        parse(&text).ok_or_else(|| self.corrupt(format!("`{column}` has unknown value `{text}`")))
    }

    fn counts(&self) -> Result<RunCounts, StoreError> {
        Ok(RunCounts {
            fetched: self.count("fetched")?,
            pending: self.count("pending")?,
            skipped: self.count("skipped")?,
            written: self.count("written")?,
            failed: self.count("failed")?,
        })
    }

    fn opt_range(&self, from: &str, to: &str) -> Result<Option<TimeRange>, StoreError> {
        match (self.opt_int(from)?, self.opt_int(to)?) {
            (Some(from), Some(to)) => Ok(Some(TimeRange { from, to })),
            _ => Ok(None),
        }
    }
}

/// Columns: `record_key, status, hash, written_hash, attempts, last_error`.
pub(crate) fn record_state<R: DecodeRow>(row: &R) -> Result<(String, RecordState), StoreError> {
    let key = RowReader::new(row, "ledger_records").text("record_key")?;
    let reader = RowReader::new(row, "ledger_records").with_key(&key);
    let attempts = reader.count("attempts")?;
    let state = RecordState {
        status: reader.parsed("status", RecordStatus::parse)?,
        hash: reader.hash("hash")?,
        written_hash: reader.opt_hash("written_hash")?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        last_error: reader.opt_text("last_error")?,
    };
    Ok((key, state))
}

/// Columns: those of `record_state` plus `payload, source_modified, first_seen_at, fetched_at,
/// updated_at`.
pub(crate) fn ledger_record<R: DecodeRow>(row: &R) -> Result<LedgerRecord, StoreError> {
    let (key, state) = record_state(row)?;
    let reader = RowReader::new(row, "ledger_records").with_key(&key);
    let payload = lookup_payload(row)?;
    Ok(LedgerRecord {
        status: state.status,
        hash: state.hash,
        written_hash: state.written_hash,
        payload,
        source_modified: reader.opt_int("source_modified")?,
        attempts: state.attempts,
        last_error: state.last_error,
        first_seen_at: reader.time("first_seen_at")?,
        fetched_at: reader.time("fetched_at")?,
        updated_at: reader.time("updated_at")?,
        key,
    })
}

/// Columns: `record_key, payload`; the payload of a lookup candidate.
pub(crate) fn lookup_payload<R: DecodeRow>(row: &R) -> Result<serde_json::Value, StoreError> {
    let key = RowReader::new(row, "ledger_records").text("record_key")?;
    let reader = RowReader::new(row, "ledger_records").with_key(&key);
    let text = reader.text("payload")?;
    serde_json::from_str(&text)
        .map_err(|error| reader.corrupt(format!("`payload` is not JSON: {error}")))
}

/// Columns: `position, updated_at`.
pub(crate) fn checkpoint<R: DecodeRow>(row: &R, scheme: &str) -> Result<Checkpoint, StoreError> {
    let reader = RowReader::new(row, "checkpoints").with_key(scheme);
    Ok(Checkpoint {
        position: reader.int("position")?,
        updated_at: reader.time("updated_at")?,
    })
}

/// Columns: `id, scheme, kind, range_from, range_to, status, holder, started_at, heartbeat_at,
/// finished_at, lease_expires_at, fetched, pending, skipped, written, failed, error`.
pub(crate) fn run_record<R: DecodeRow>(row: &R) -> Result<RunRecord, StoreError> {
    let id = RowReader::new(row, "runs").int("id")?;
    let reader = RowReader::new(row, "runs").with_key(&id.to_string());
    Ok(RunRecord {
        id: RunId(id),
        scheme: reader.text("scheme")?,
        kind: reader.parsed("kind", RunKind::parse)?,
        range: reader.opt_range("range_from", "range_to")?,
        status: reader.parsed("status", RunStatus::parse)?,
        holder: reader.text("holder")?,
        started_at: reader.time("started_at")?,
        heartbeat_at: reader.time("heartbeat_at")?,
        finished_at: reader.opt_time("finished_at")?,
        lease_expires_at: reader.opt_time("lease_expires_at")?,
        counts: reader.counts()?,
        error: reader.opt_text("error")?,
    })
}

/// Columns: `run_id, seq, window_from, window_to, pages, fetched, pending, skipped, written,
/// failed, reported_total, status, error, recorded_at`.
pub(crate) fn window_record<R: DecodeRow>(row: &R) -> Result<WindowRecord, StoreError> {
    let run_id = RowReader::new(row, "run_windows").int("run_id")?;
    let seq = RowReader::new(row, "run_windows").int("seq")?;
    let reader = RowReader::new(row, "run_windows").with_key(&format!("{run_id}/{seq}"));
    let reported_total = match reader.opt_int("reported_total")? {
        Some(total) => Some(
            u64::try_from(total)
                .map_err(|_| reader.corrupt(format!("`reported_total` is negative: {total}")))?,
        ),
        None => None,
    };
    let stats = WindowStats {
        range: TimeRange {
            from: reader.int("window_from")?,
            to: reader.int("window_to")?,
        },
        pages: u32::try_from(reader.count("pages")?).unwrap_or(u32::MAX),
        counts: reader.counts()?,
        reported_total,
        status: reader.parsed("status", WindowStatus::parse)?,
        error: reader.opt_text("error")?,
    };
    Ok(WindowRecord {
        run_id: RunId(run_id),
        seq: u32::try_from(seq)
            .map_err(|_| reader.corrupt(format!("`seq` out of range: {seq}")))?,
        stats,
        recorded_at: reader.time("recorded_at")?,
    })
}

/// Decodes `sql::COUNTS` rows.
pub(crate) fn status_counts<R: DecodeRow>(rows: &[R]) -> Result<StatusCounts, StoreError> {
    let mut counts = StatusCounts::default();
    for row in rows {
        let reader = RowReader::new(row, "ledger_records");
        counts.add(
            reader.parsed("status", RecordStatus::parse)?,
            reader.count("n")?,
        );
    }
    Ok(counts)
}

/// Converts a count for storage; counts beyond `i64::MAX` cannot occur in practice and saturate.
pub(crate) fn stored_count(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}
