//! Checkpoints, run leases and run history, written once over `SqlExec` for both backends.
//! Lease rules: `crate::options`.
//!
//! Contract: functions taking a transaction leave committing to the caller; an `Err` means the
//! caller must drop (roll back) the transaction. Concurrency: on SQLite the transaction is
//! exclusive (`BEGIN IMMEDIATE`); on PostgreSQL the lease and run rows are read `FOR UPDATE`,
//! and the first lease of a scheme is created with `ON CONFLICT DO NOTHING`, so of two racing
//! `start_run`s exactly one wins.

use jiff::Timestamp;

use crate::error::StoreError;
use crate::exec::{Param, SqlExec};
use crate::model::{
    Checkpoint, RunCounts, RunEnd, RunId, RunKind, RunRecord, RunStatus, TimeRange, WindowRecord,
    WindowStats,
};
use crate::options::{LeaseHolder, StoreOptions};
use crate::rows::{RowReader, checkpoint, run_record, stored_count, window_record};
use crate::sql;

/// What `finish_run` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RunFinish {
    /// The run's end is recorded and its lease released.
    Recorded,
    /// The run had finished before; nothing changed.
    AlreadyFinished,
    /// The run had been abandoned (its lease taken over); its counts are recorded, and the
    /// caller must report `LeaseLost` after committing.
    Abandoned { scheme: String },
}

/// A lease as stored.
struct StoredLease {
    run_id: i64,
    holder: String,
    expires_at: i64,
}

pub(crate) async fn read_checkpoint<E: SqlExec>(
    exec: &mut E,
    scheme: &str,
) -> Result<Option<Checkpoint>, StoreError> {
    let row = exec
        .fetch_optional(sql::CHECKPOINT, &[scheme.into()])
        .await
        .map_err(StoreError::database(format!(
            "read checkpoint of scheme `{scheme}`"
        )))?;
    row.map(|row| checkpoint(&row, scheme)).transpose()
}

/// Compare-and-set in a single statement, so it needs no transaction.
pub(crate) async fn advance_checkpoint<E: SqlExec>(
    exec: &mut E,
    options: &StoreOptions,
    scheme: &str,
    expected: Option<i64>,
    to: i64,
) -> Result<(), StoreError> {
    if let Some(current) = expected
        && to < current
    {
        return Err(StoreError::CheckpointBackwards {
            scheme: scheme.to_owned(),
            current,
            to,
        });
    }
    let now = options.now_millis();
    let (statement, params): (&str, Vec<Param<'_>>) = match expected {
        None => (
            sql::CHECKPOINT_CREATE,
            vec![scheme.into(), to.into(), now.into()],
        ),
        Some(current) => (
            sql::CHECKPOINT_MOVE,
            vec![scheme.into(), to.into(), current.into(), now.into()],
        ),
    };
    let affected = exec
        .execute(statement, &params)
        .await
        .map_err(StoreError::database(format!(
            "advance checkpoint of scheme `{scheme}`"
        )))?;
    if affected == 1 {
        return Ok(());
    }
    let actual = read_checkpoint(exec, scheme)
        .await?
        .map(|checkpoint| checkpoint.position);
    Err(StoreError::CheckpointConflict {
        scheme: scheme.to_owned(),
        expected,
        actual,
    })
}

pub(crate) async fn reset_checkpoint<E: SqlExec>(
    exec: &mut E,
    options: &StoreOptions,
    scheme: &str,
    to: Option<i64>,
) -> Result<(), StoreError> {
    let result = match to {
        Some(position) => {
            let params = [scheme.into(), position.into(), options.now_millis().into()];
            exec.execute(sql::CHECKPOINT_SET, &params).await
        }
        None => exec.execute(sql::CHECKPOINT_DELETE, &[scheme.into()]).await,
    };
    result.map_err(StoreError::database(format!(
        "reset checkpoint of scheme `{scheme}`"
    )))?;
    Ok(())
}

/// Inserts the run and takes the scheme's lease, inside the caller's write transaction.
pub(crate) async fn start_run<E: SqlExec>(
    tx: &mut E,
    options: &StoreOptions,
    scheme: &str,
    kind: RunKind,
    range: Option<TimeRange>,
) -> Result<RunId, StoreError> {
    let operation = format!("start run of scheme `{scheme}`");
    let database = || StoreError::database(operation.as_str());
    let now = options.now_millis();
    let holder = options.holder.to_string();
    let lease = read_lease(tx, scheme, &operation).await?;
    if let Some(lease) = &lease
        && lease_is_live(options, lease, now)
    {
        return Err(run_in_progress(scheme, lease));
    }
    let insert = [
        scheme.into(),
        kind.as_str().into(),
        range.map(|range| range.from).into(),
        range.map(|range| range.to).into(),
        holder.as_str().into(),
        now.into(),
    ];
    let row = tx
        .fetch_optional(sql::RUN_INSERT, &insert)
        .await
        .map_err(database())?;
    let run_id = match &row {
        Some(row) => RowReader::new(row, "runs").int("id")?,
        None => {
            let reason = "insert returned no id".to_owned();
            return Err(StoreError::CorruptRow {
                table: "runs",
                key: scheme.to_owned(),
                reason,
            });
        }
    };
    let expires_at = options.lease_expiry_millis();
    let taken = match &lease {
        None => {
            let params = [
                scheme.into(),
                run_id.into(),
                holder.as_str().into(),
                expires_at.into(),
            ];
            tx.execute(sql::LEASE_CREATE, &params)
                .await
                .map_err(database())?
        }
        Some(dead) => {
            let error = sql::abandoned_error(run_id, &holder);
            let abandon = [dead.run_id.into(), now.into(), error.as_str().into()];
            tx.execute(sql::RUN_ABANDON, &abandon)
                .await
                .map_err(database())?;
            let take_over = [
                scheme.into(),
                run_id.into(),
                holder.as_str().into(),
                expires_at.into(),
                dead.run_id.into(),
            ];
            tx.execute(sql::LEASE_TAKE_OVER, &take_over)
                .await
                .map_err(database())?
        }
    };
    if taken != 1 {
        // Another process took the lease between our read and our write.
        let current = read_lease(tx, scheme, &operation).await?;
        let lease = current.unwrap_or(StoredLease {
            run_id: 0,
            holder: String::new(),
            expires_at: now,
        });
        return Err(run_in_progress(scheme, &lease));
    }
    Ok(RunId(run_id))
}

fn lease_is_live(options: &StoreOptions, lease: &StoredLease, now: i64) -> bool {
    if lease.expires_at <= now {
        return false;
    }
    match LeaseHolder::parse(&lease.holder) {
        Some(holder) => !options.holder.sees_dead(&holder),
        None => true,
    }
}

/// Renews the run's lease, inside the caller's write transaction.
pub(crate) async fn heartbeat<E: SqlExec>(
    tx: &mut E,
    options: &StoreOptions,
    run: RunId,
) -> Result<(), StoreError> {
    let operation = format!("heartbeat of run {run}");
    let (scheme, _) = read_run_status(tx, run, &operation).await?;
    let renew = [run.0.into(), options.lease_expiry_millis().into()];
    let renewed = tx
        .execute(sql::LEASE_RENEW, &renew)
        .await
        .map_err(StoreError::database(&operation))?;
    if renewed != 1 {
        return Err(StoreError::LeaseLost {
            scheme,
            run_id: run.0,
        });
    }
    let beat = [run.0.into(), options.now_millis().into()];
    tx.execute(sql::RUN_HEARTBEAT, &beat)
        .await
        .map_err(StoreError::database(&operation))?;
    Ok(())
}

/// Records the run's end and releases its lease, inside the caller's write transaction.
pub(crate) async fn finish_run<E: SqlExec>(
    tx: &mut E,
    options: &StoreOptions,
    run: RunId,
    end: RunEnd,
    counts: &RunCounts,
    error: Option<&str>,
) -> Result<RunFinish, StoreError> {
    let operation = format!("finish run {run}");
    let database = || StoreError::database(operation.as_str());
    let (scheme, status) = read_run_status(tx, run, &operation).await?;
    let final_status = match status {
        RunStatus::Running => end.status(),
        RunStatus::Abandoned => RunStatus::Abandoned,
        RunStatus::Succeeded | RunStatus::Failed | RunStatus::Cancelled => {
            return Ok(RunFinish::AlreadyFinished);
        }
    };
    let finish = [
        run.0.into(),
        final_status.as_str().into(),
        options.now_millis().into(),
        stored_count(counts.fetched).into(),
        stored_count(counts.pending).into(),
        stored_count(counts.skipped).into(),
        stored_count(counts.written).into(),
        stored_count(counts.failed).into(),
        error.into(),
    ];
    tx.execute(sql::RUN_FINISH, &finish)
        .await
        .map_err(database())?;
    tx.execute(sql::LEASE_RELEASE, &[run.0.into()])
        .await
        .map_err(database())?;
    if final_status == RunStatus::Abandoned {
        return Ok(RunFinish::Abandoned { scheme });
    }
    Ok(RunFinish::Recorded)
}

/// Appends a window to the run, inside the caller's write transaction; returns its `seq`.
pub(crate) async fn record_window<E: SqlExec>(
    tx: &mut E,
    options: &StoreOptions,
    run: RunId,
    window: &WindowStats,
) -> Result<u32, StoreError> {
    let operation = format!("record window of run {run}");
    read_run_status(tx, run, &operation).await?;
    let params = [
        run.0.into(),
        window.range.from.into(),
        window.range.to.into(),
        i64::from(window.pages).into(),
        stored_count(window.counts.fetched).into(),
        stored_count(window.counts.pending).into(),
        stored_count(window.counts.skipped).into(),
        stored_count(window.counts.written).into(),
        stored_count(window.counts.failed).into(),
        window.reported_total.map(stored_count).into(),
        window.status.as_str().into(),
        window.error.as_deref().into(),
        options.now_millis().into(),
    ];
    let row = tx
        .fetch_optional(sql::WINDOW_INSERT, &params)
        .await
        .map_err(StoreError::database(&operation))?;
    let seq = match &row {
        Some(row) => RowReader::new(row, "run_windows").count("seq")?,
        None => 0,
    };
    Ok(u32::try_from(seq).unwrap_or(u32::MAX))
}

pub(crate) async fn run<E: SqlExec>(
    exec: &mut E,
    run: RunId,
) -> Result<Option<RunRecord>, StoreError> {
    let row = exec
        .fetch_optional(&sql::run_by_id(), &[run.0.into()])
        .await
        .map_err(StoreError::database(format!("read run {run}")))?;
    row.as_ref().map(run_record).transpose()
}

pub(crate) async fn runs<E: SqlExec>(
    exec: &mut E,
    scheme: &str,
    limit: u32,
) -> Result<Vec<RunRecord>, StoreError> {
    let rows = exec
        .fetch_all(
            &sql::runs_of_scheme(),
            &[scheme.into(), i64::from(limit).into()],
        )
        .await
        .map_err(StoreError::database(format!(
            "list runs of scheme `{scheme}`"
        )))?;
    rows.iter().map(run_record).collect()
}

pub(crate) async fn windows<E: SqlExec>(
    exec: &mut E,
    run: RunId,
) -> Result<Vec<WindowRecord>, StoreError> {
    let rows = exec
        .fetch_all(sql::WINDOWS_OF_RUN, &[run.0.into()])
        .await
        .map_err(StoreError::database(format!("list windows of run {run}")))?;
    rows.iter().map(window_record).collect()
}

async fn read_lease<E: SqlExec>(
    tx: &mut E,
    scheme: &str,
    operation: &str,
) -> Result<Option<StoredLease>, StoreError> {
    let statement = format!("{}{}", sql::LEASE_OF_SCHEME, E::ROW_LOCK);
    let row = tx
        .fetch_optional(&statement, &[scheme.into()])
        .await
        .map_err(StoreError::database(operation))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let reader = RowReader::new(&row, "run_leases").with_key(scheme);
    Ok(Some(StoredLease {
        run_id: reader.int("run_id")?,
        holder: reader.text("holder")?,
        expires_at: reader.int("expires_at")?,
    }))
}

async fn read_run_status<E: SqlExec>(
    tx: &mut E,
    run: RunId,
    operation: &str,
) -> Result<(String, RunStatus), StoreError> {
    let statement = format!("{}{}", sql::RUN_STATUS, E::ROW_LOCK);
    let row = tx
        .fetch_optional(&statement, &[run.0.into()])
        .await
        .map_err(StoreError::database(operation))?;
    let Some(row) = row else {
        return Err(StoreError::UnknownRun { run_id: run.0 });
    };
    let reader = RowReader::new(&row, "runs").with_key(&run.to_string());
    Ok((
        reader.text("scheme")?,
        reader.parsed("status", RunStatus::parse)?,
    ))
}

fn run_in_progress(scheme: &str, lease: &StoredLease) -> StoreError {
    StoreError::RunInProgress {
        scheme: scheme.to_owned(),
        run_id: lease.run_id,
        holder: lease.holder.clone(),
        expires_at: Timestamp::from_millisecond(lease.expires_at).unwrap_or(Timestamp::UNIX_EPOCH),
    }
}
