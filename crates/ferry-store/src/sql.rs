//! SQL text that both backends run unchanged (`$N` placeholders work in SQLite too).
//!
//! Contract: every statement here means the same on both databases; dialect-specific
//! statements (transactions, JSON access, arrays) stay in `sqlite/` and `postgres/`.

/// Ledger columns decoded by `rows::record_state`.
pub(crate) const STATE_COLUMNS: &str =
    "record_key, status, hash, written_hash, attempts, last_error";

pub(crate) const COUNTS: &str =
    "SELECT status, COUNT(*) AS n FROM ledger_records WHERE scheme = $1 GROUP BY status";

pub(crate) const RETRY_FAILED: &str = "UPDATE ledger_records SET status = 'pending', updated_at = $2 \
     WHERE scheme = $1 AND status = 'failed'";

pub(crate) const CHECKPOINT: &str =
    "SELECT position, updated_at FROM checkpoints WHERE scheme = $1";

/// Creates the first checkpoint; affects no row if one exists.
pub(crate) const CHECKPOINT_CREATE: &str = "INSERT INTO checkpoints (scheme, position, updated_at) \
     VALUES ($1, $2, $3) ON CONFLICT (scheme) DO NOTHING";

/// Moves the checkpoint; affects no row unless it is at `$3`.
pub(crate) const CHECKPOINT_MOVE: &str = "UPDATE checkpoints SET position = $2, updated_at = $4 \
     WHERE scheme = $1 AND position = $3";

pub(crate) const CHECKPOINT_SET: &str = "INSERT INTO checkpoints (scheme, position, updated_at) \
     VALUES ($1, $2, $3) \
     ON CONFLICT (scheme) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at";

pub(crate) const CHECKPOINT_DELETE: &str = "DELETE FROM checkpoints WHERE scheme = $1";

pub(crate) const LEASE_OF_SCHEME: &str =
    "SELECT run_id, holder, expires_at FROM run_leases WHERE scheme = $1";

pub(crate) const RUN_INSERT: &str = "INSERT INTO runs \
     (scheme, kind, range_from, range_to, status, holder, started_at, heartbeat_at) \
     VALUES ($1, $2, $3, $4, 'running', $5, $6, $6) RETURNING id";

/// Marks the run of a dead lease abandoned.
pub(crate) const RUN_ABANDON: &str = "UPDATE runs SET status = 'abandoned', finished_at = $2, \
     error = $3 WHERE id = $1 AND status = 'running'";

/// Takes a lease that does not exist yet; affects no row if it does.
pub(crate) const LEASE_CREATE: &str = "INSERT INTO run_leases (scheme, run_id, holder, expires_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (scheme) DO NOTHING";

/// Takes over the lease held by run `$5`; affects no row if another run took it first.
pub(crate) const LEASE_TAKE_OVER: &str = "UPDATE run_leases SET run_id = $2, holder = $3, \
     expires_at = $4 WHERE scheme = $1 AND run_id = $5";

pub(crate) const LEASE_RENEW: &str = "UPDATE run_leases SET expires_at = $2 WHERE run_id = $1";

pub(crate) const RUN_HEARTBEAT: &str = "UPDATE runs SET heartbeat_at = $2 WHERE id = $1";

pub(crate) const LEASE_RELEASE: &str = "DELETE FROM run_leases WHERE run_id = $1";

pub(crate) const RUN_STATUS: &str = "SELECT scheme, status FROM runs WHERE id = $1";

/// Records a run's end; `$2` is its final status (kept `abandoned` for an abandoned run).
pub(crate) const RUN_FINISH: &str = "UPDATE runs SET status = $2, finished_at = $3, fetched = $4, \
     pending = $5, skipped = $6, written = $7, failed = $8, error = COALESCE($9, error) \
     WHERE id = $1";

const RUN_SELECT: &str = "SELECT r.id, r.scheme, r.kind, r.range_from, r.range_to, r.status, \
     r.holder, r.started_at, r.heartbeat_at, r.finished_at, l.expires_at AS lease_expires_at, \
     r.fetched, r.pending, r.skipped, r.written, r.failed, r.error \
     FROM runs r LEFT JOIN run_leases l ON l.run_id = r.id";

pub(crate) fn run_by_id() -> String {
    format!("{RUN_SELECT} WHERE r.id = $1")
}

pub(crate) fn runs_of_scheme() -> String {
    format!("{RUN_SELECT} WHERE r.scheme = $1 ORDER BY r.id DESC LIMIT $2")
}

pub(crate) const WINDOW_INSERT: &str = "INSERT INTO run_windows \
     (run_id, seq, window_from, window_to, pages, fetched, pending, skipped, written, failed, \
     reported_total, status, error, recorded_at) \
     SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 \
     FROM run_windows WHERE run_id = $1 RETURNING seq";

pub(crate) const WINDOWS_OF_RUN: &str = "SELECT run_id, seq, window_from, window_to, pages, \
     fetched, pending, skipped, written, failed, reported_total, status, error, recorded_at \
     FROM run_windows WHERE run_id = $1 ORDER BY seq";

/// The error an abandoned run gets.
pub(crate) fn abandoned_error(new_run: i64, holder: &str) -> String {
    format!("lease expired or holder died; run {new_run} of `{holder}` took over")
}
