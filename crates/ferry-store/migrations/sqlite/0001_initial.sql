-- ferry store schema v1 (SQLite). Times are unix milliseconds; positions are unix seconds.

-- One row per (scheme, key): the latest fetched version and where it stands.
CREATE TABLE ledger_records (
    scheme          TEXT    NOT NULL,
    record_key      TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'written', 'failed', 'skipped')),
    hash            BLOB    NOT NULL CHECK (length(hash) = 16),
    written_hash    BLOB    CHECK (written_hash IS NULL OR length(written_hash) = 16),
    payload         TEXT    NOT NULL,
    source_modified INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    first_seen_at   INTEGER NOT NULL,
    fetched_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (scheme, record_key)
);

-- Paging pending (or failed) records by key.
CREATE INDEX ledger_records_by_status ON ledger_records (scheme, status, record_key);

-- Per scheme, the end of the last complete window.
CREATE TABLE checkpoints (
    scheme     TEXT    NOT NULL PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme       TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('manual', 'scheduled', 'remedy', 'retry')),
    range_from   INTEGER,
    range_to     INTEGER,
    status       TEXT    NOT NULL
                 CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'abandoned')),
    holder       TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    finished_at  INTEGER,
    fetched      INTEGER NOT NULL DEFAULT 0,
    pending      INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    written      INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    error        TEXT
);

CREATE INDEX runs_by_scheme ON runs (scheme, id);

-- At most one live run per scheme.
CREATE TABLE run_leases (
    scheme     TEXT    NOT NULL PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs (id),
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE INDEX run_leases_by_run ON run_leases (run_id);

CREATE TABLE run_windows (
    run_id         INTEGER NOT NULL REFERENCES runs (id),
    seq            INTEGER NOT NULL,
    window_from    INTEGER NOT NULL,
    window_to      INTEGER NOT NULL,
    pages          INTEGER NOT NULL,
    fetched        INTEGER NOT NULL,
    pending        INTEGER NOT NULL,
    skipped        INTEGER NOT NULL,
    written        INTEGER NOT NULL,
    failed         INTEGER NOT NULL,
    reported_total INTEGER,
    status         TEXT    NOT NULL CHECK (status IN ('complete', 'incomplete', 'failed')),
    error          TEXT,
    recorded_at    INTEGER NOT NULL,
    PRIMARY KEY (run_id, seq)
);
