-- ferry store schema v1 (PostgreSQL). Times are unix milliseconds; positions are unix seconds.
-- Keys use the "C" collation so that they order by UTF-8 bytes, as in SQLite.

-- One row per (scheme, key): the latest fetched version and where it stands.
-- `payload` is `json` (not `jsonb`) so that it comes back with its keys in their original order.
CREATE TABLE ledger_records (
    scheme          TEXT   NOT NULL,
    record_key      TEXT   COLLATE "C" NOT NULL,
    status          TEXT   NOT NULL CHECK (status IN ('pending', 'written', 'failed', 'skipped')),
    hash            BYTEA  NOT NULL CHECK (octet_length(hash) = 16),
    written_hash    BYTEA  CHECK (written_hash IS NULL OR octet_length(written_hash) = 16),
    payload         JSON   NOT NULL,
    source_modified BIGINT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    first_seen_at   BIGINT NOT NULL,
    fetched_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (scheme, record_key)
);

-- Paging pending (or failed) records by key.
CREATE INDEX ledger_records_by_status ON ledger_records (scheme, status, record_key);

-- Per scheme, the end of the last complete window.
CREATE TABLE checkpoints (
    scheme     TEXT   NOT NULL PRIMARY KEY,
    position   BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE runs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scheme       TEXT   NOT NULL,
    kind         TEXT   NOT NULL CHECK (kind IN ('manual', 'scheduled', 'remedy', 'retry')),
    range_from   BIGINT,
    range_to     BIGINT,
    status       TEXT   NOT NULL
                 CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'abandoned')),
    holder       TEXT   NOT NULL,
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    finished_at  BIGINT,
    fetched      BIGINT NOT NULL DEFAULT 0,
    pending      BIGINT NOT NULL DEFAULT 0,
    skipped      BIGINT NOT NULL DEFAULT 0,
    written      BIGINT NOT NULL DEFAULT 0,
    failed       BIGINT NOT NULL DEFAULT 0,
    error        TEXT
);

CREATE INDEX runs_by_scheme ON runs (scheme, id);

-- At most one live run per scheme.
CREATE TABLE run_leases (
    scheme     TEXT   NOT NULL PRIMARY KEY,
    run_id     BIGINT NOT NULL REFERENCES runs (id),
    holder     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX run_leases_by_run ON run_leases (run_id);

CREATE TABLE run_windows (
    run_id         BIGINT NOT NULL REFERENCES runs (id),
    seq            BIGINT NOT NULL,
    window_from    BIGINT NOT NULL,
    window_to      BIGINT NOT NULL,
    pages          BIGINT NOT NULL,
    fetched        BIGINT NOT NULL,
    pending        BIGINT NOT NULL,
    skipped        BIGINT NOT NULL,
    written        BIGINT NOT NULL,
    failed         BIGINT NOT NULL,
    reported_total BIGINT,
    status         TEXT   NOT NULL CHECK (status IN ('complete', 'incomplete', 'failed')),
    error          TEXT,
    recorded_at    BIGINT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
