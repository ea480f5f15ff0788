-- ferry store schema v2 (SQLite): payloads in their own table.
--
-- A record's state row is written at every step (fetched, then its outcome; again at each
-- re-fetch). With the 2–3 KB payload in the same row, each of those writes copied the payload
-- too; now an outcome, or a re-fetch that finds the record unchanged, writes only the small
-- state row, and a payload is written only when its content changes.
CREATE TABLE ledger_payloads (
    scheme     TEXT NOT NULL,
    record_key TEXT NOT NULL,
    payload    TEXT NOT NULL,
    PRIMARY KEY (scheme, record_key)
);

INSERT INTO ledger_payloads (scheme, record_key, payload)
    SELECT scheme, record_key, payload FROM ledger_records;

ALTER TABLE ledger_records DROP COLUMN payload;
