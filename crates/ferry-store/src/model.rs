//! The values the store takes and returns: ledger records and their statuses, outcomes,
//! checkpoints, runs and windows.
//!
//! Contract: these types carry no behaviour beyond conversion to and from their stored text
//! form; what a status change means is decided in `ledger.rs`, how it is stored in the backends.
//! Positions (checkpoints, windows, run ranges) are unix seconds of the source's modified time;
//! bookkeeping times (`*_at`) are `jiff::Timestamp`s stored with millisecond precision.

use std::fmt;

use jiff::Timestamp;
use serde_json::Value;

/// A 128-bit content hash of a record, computed by the engine (the store only compares them).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(pub [u8; 16]);

impl ContentHash {
    /// Builds a hash from stored bytes; `None` unless there are exactly 16 of them.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 16]>::try_from(bytes).ok().map(ContentHash)
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({self})")
    }
}

/// Defines a fieldless enum stored as lowercase text, with `as_str`, `parse` and `Display`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$variant_meta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and displayed) text of this value.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the stored text; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum! {
    /// Where a ledger record stands.
    RecordStatus {
        /// Stored, not yet known to be in the target: it must be (re)written.
        Pending => "pending",
        /// The target acknowledged the current version.
        Written => "written",
        /// The target rejected the current version; `ferry retry` makes it pending again.
        Failed => "failed",
        /// Not written on purpose: the engine decided the record needs no write (reason in
        /// `last_error`). Records `idCheck` finds unchanged keep their status instead.
        Skipped => "skipped",
    }
}

/// One record as fetched from the source, before anything is written.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedRecord {
    /// The record's natural key (the scheme's `number`/`id` field), unique within the scheme.
    pub key: String,
    /// Hash of the record's content, used by `idCheck`.
    pub hash: ContentHash,
    /// The record as decoded and flattened; kept for writing and for lookups.
    pub payload: Value,
    /// `payload`'s compact JSON text, when the producer already has it (the engine serialises
    /// the record once, for its hash); `None` makes the store serialise `payload`.
    pub payload_json: Option<String>,
    /// The source's modified time of the record, in unix seconds, if it has one.
    pub source_modified: Option<i64>,
}

impl FetchedRecord {
    /// The payload's compact JSON text, as stored.
    pub fn payload_text(&self) -> std::borrow::Cow<'_, str> {
        match &self.payload_json {
            Some(text) => std::borrow::Cow::Borrowed(text),
            // `Value`'s `Display` is its compact JSON text (and cannot fail).
            None => std::borrow::Cow::Owned(self.payload.to_string()),
        }
    }
}

/// What `record_fetched` did with one fetched record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// First time the key is seen; now pending.
    New,
    /// Known key, now pending: its content changed, or `idCheck` is off, or a failed record came
    /// back with another hash.
    Changed,
    /// Was pending already (its write may or may not have reached the target); stays pending
    /// with the newer payload.
    StillPending,
    /// `idCheck` is on and the hash equals the one last written: no write needed.
    Skipped,
    /// Failed with the same hash before; stays failed until `ferry retry`.
    StillFailed,
    /// A later record of the same batch has the same key; that one counts, this one is ignored.
    Superseded,
}

impl Disposition {
    /// Whether the engine must write this record now.
    pub fn needs_write(self) -> bool {
        matches!(
            self,
            Disposition::New | Disposition::Changed | Disposition::StillPending
        )
    }
}

/// A record as the ledger holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRecord {
    pub key: String,
    pub status: RecordStatus,
    /// Hash of the latest fetched version.
    pub hash: ContentHash,
    /// Hash of the version last acknowledged by the target, if any.
    pub written_hash: Option<ContentHash>,
    /// The latest fetched version.
    pub payload: Value,
    pub source_modified: Option<i64>,
    /// Failed write attempts of the current version.
    pub attempts: u32,
    /// Error of the last failed attempt, or the reason of a skip.
    pub last_error: Option<String>,
    pub first_seen_at: Timestamp,
    pub fetched_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The target's answer for one record version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOutcome {
    pub key: String,
    /// The hash of the version that was written (the engine's copy may be older than the
    /// ledger's, when the record was re-fetched meanwhile).
    pub hash: ContentHash,
    pub outcome: Outcome,
}

/// What the target did with a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Written (or already identical in the target).
    Written,
    /// Rejected by the target or failed after retries.
    Failed { error: String },
    /// Not written on purpose, e.g. mapped to nothing.
    Skipped { reason: String },
}

/// What `record_outcomes` did with one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutcomeEffect {
    /// The outcome concerned the ledger's current version and set its status.
    Applied,
    /// A newer version was fetched since; the record stays pending (a `Written` outcome still
    /// records the written hash).
    Superseded,
}

/// Which ledger records `records` lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFilter {
    pub status: Option<RecordStatus>,
    /// Exact key.
    pub key: Option<String>,
}

/// Number of ledger records of a scheme per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct StatusCounts {
    pub pending: u64,
    pub written: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl StatusCounts {
    pub fn total(&self) -> u64 {
        self.pending + self.written + self.failed + self.skipped
    }

    pub fn get(&self, status: RecordStatus) -> u64 {
        match status {
            RecordStatus::Pending => self.pending,
            RecordStatus::Written => self.written,
            RecordStatus::Failed => self.failed,
            RecordStatus::Skipped => self.skipped,
        }
    }

    pub(crate) fn add(&mut self, status: RecordStatus, count: u64) {
        match status {
            RecordStatus::Pending => self.pending += count,
            RecordStatus::Written => self.written += count,
            RecordStatus::Failed => self.failed += count,
            RecordStatus::Skipped => self.skipped += count,
        }
    }
}

/// Per scheme, the end of the last window whose records are all in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// Unix seconds.
    pub position: i64,
    pub updated_at: Timestamp,
}

/// A half-open range `[from, to)` of unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeRange {
    pub from: i64,
    pub to: i64,
}

/// Identifies a run; increasing in start order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(pub i64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

text_enum! {
    /// Why a run was started.
    RunKind {
        Manual => "manual",
        Scheduled => "scheduled",
        /// `omissionRemedy`: re-pulls an older range.
        Remedy => "remedy",
        /// `ferry retry`: writes failed records again.
        Retry => "retry",
    }
}

text_enum! {
    /// Where a run stands.
    RunStatus {
        Running => "running",
        Succeeded => "succeeded",
        Failed => "failed",
        Cancelled => "cancelled",
        /// Its lease expired (the process died) and a later run took the scheme over.
        Abandoned => "abandoned",
    }
}

/// How a run ended, as its engine reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunEnd {
    Succeeded,
    Failed,
    Cancelled,
}

impl RunEnd {
    pub fn status(self) -> RunStatus {
        match self {
            RunEnd::Succeeded => RunStatus::Succeeded,
            RunEnd::Failed => RunStatus::Failed,
            RunEnd::Cancelled => RunStatus::Cancelled,
        }
    }
}

/// Record counts of a run or a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RunCounts {
    pub fetched: u64,
    /// Records that became pending (`Disposition::needs_write`).
    pub pending: u64,
    pub skipped: u64,
    pub written: u64,
    pub failed: u64,
}

/// A run as the history holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub id: RunId,
    pub scheme: String,
    pub kind: RunKind,
    pub range: Option<TimeRange>,
    pub status: RunStatus,
    /// `host:pid` of the process that ran it.
    pub holder: String,
    pub started_at: Timestamp,
    pub heartbeat_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// Until when the run holds the scheme's lease; `None` once released or taken over.
    pub lease_expires_at: Option<Timestamp>,
    pub counts: RunCounts,
    pub error: Option<String>,
}

text_enum! {
    /// How a window ended.
    WindowStatus {
        /// Every record is in the ledger and the counts matched.
        Complete => "complete",
        /// Paged to the end, but fetched distinct keys differ from the reported total.
        Incomplete => "incomplete",
        /// A page kept failing; the checkpoint did not move past this window.
        Failed => "failed",
    }
}

/// Statistics of one window of a run, as the engine reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowStats {
    pub range: TimeRange,
    pub pages: u32,
    pub counts: RunCounts,
    /// The total the platform reported, where it reports one.
    pub reported_total: Option<u64>,
    pub status: WindowStatus,
    pub error: Option<String>,
}

/// A recorded window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowRecord {
    pub run_id: RunId,
    /// 1 for the first window recorded in the run, then 2, 3, …
    pub seq: u32,
    pub stats: WindowStats,
    pub recorded_at: Timestamp,
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_displays_as_hex() {
        let mut bytes = [0u8; 16];
        bytes[0] = 0xab;
        bytes[15] = 0x01;
        let hash = ContentHash(bytes);
        assert_eq!(hash.to_string(), "ab000000000000000000000000000001");
        assert_eq!(ContentHash::from_slice(&bytes), Some(hash));
        assert_eq!(ContentHash::from_slice(&bytes[..15]), None);
    }

    #[test]
    fn text_enums_round_trip() {
        for status in RecordStatus::ALL {
            assert_eq!(RecordStatus::parse(status.as_str()), Some(*status));
        }
        for kind in RunKind::ALL {
            assert_eq!(RunKind::parse(&kind.to_string()), Some(*kind));
        }
        assert_eq!(RunStatus::parse("Running"), None);
        assert_eq!(
            WindowStatus::parse("incomplete"),
            Some(WindowStatus::Incomplete)
        );
    }
}
