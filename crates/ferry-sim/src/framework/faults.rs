//! Fault configuration: what can go wrong, how often, set at start and replaced at runtime.
//!
//! Contract: every fault is off by default. Probabilities are in `[0, 1]` and are rolled with
//! the simulator's seeded fault RNG ([`crate::framework::inject`]), so a sequential client sees
//! the same faults on every run. `POST /_sim/faults` replaces the whole configuration with a
//! JSON body of this shape; `--fault` specs ([`FaultConfig::apply_spec`]) change one kind.

use serde::{Deserialize, Serialize};

use crate::error::SimError;

/// Extra latency before a request is handled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LatencyFault {
    /// Chance that a request is delayed (default 1: every request, once `ms` is set).
    pub probability: f64,
    /// Delay in milliseconds (0 = off).
    pub ms: u64,
}

impl Default for LatencyFault {
    fn default() -> Self {
        Self {
            probability: 1.0,
            ms: 0,
        }
    }
}

/// An injected 5xx reply instead of the platform's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Error5xxFault {
    /// Chance per request.
    pub probability: f64,
    /// The status to answer with (500..=599, default 503).
    pub status: u16,
}

impl Default for Error5xxFault {
    fn default() -> Self {
        Self {
            probability: 0.0,
            status: 503,
        }
    }
}

/// A request held longer than any sensible client timeout, then answered with 504.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimeoutFault {
    /// Chance per request.
    pub probability: f64,
    /// How long to hold, in milliseconds (default 30 000). Shutdown cuts the hold short.
    pub hold_ms: u64,
}

impl Default for TimeoutFault {
    fn default() -> Self {
        Self {
            probability: 0.0,
            hold_ms: 30_000,
        }
    }
}

/// A reply whose headers are valid but whose body stops mid-JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TruncateFault {
    /// Chance per reply.
    pub probability: f64,
}

/// Records of the window being paged get a later `modified` time after a page is served
/// (by default only records not yet served, as the brief of the simulator asks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MoveRecordsFault {
    /// Chance per served page.
    pub probability: f64,
    /// Records moved when the roll succeeds (default 1).
    pub max_per_page: u32,
    /// Also move records already served in this window (default false). Moving a served
    /// record shifts every later record one place back, so a naive client skips one record
    /// that never left the window: the nastiest case, and invisible to count checks.
    pub include_served: bool,
}

impl Default for MoveRecordsFault {
    fn default() -> Self {
        Self {
            probability: 0.0,
            max_per_page: 1,
            include_served: false,
        }
    }
}

/// Records that queries see only some time after their `modified` time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LateIndexFault {
    /// Share of records (decided per record and version, deterministically) that are late.
    pub probability: f64,
    /// How long after `modified` a late record becomes visible, in seconds (default 120).
    pub delay_s: u64,
}

impl Default for LateIndexFault {
    fn default() -> Self {
        Self {
            probability: 0.0,
            delay_s: 120,
        }
    }
}

/// Every fault kind a simulator can inject; the body of `POST /_sim/faults`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Added latency.
    pub latency: LatencyFault,
    /// Injected 5xx replies.
    pub error_5xx: Error5xxFault,
    /// Held requests.
    pub timeout: TimeoutFault,
    /// Truncated bodies.
    pub truncate: TruncateFault,
    /// Records moving while a window is paged.
    pub move_records: MoveRecordsFault,
    /// Late-indexed records.
    pub late_index: LateIndexFault,
}

const SPEC_KINDS: &str = "`latency`, `5xx`, `timeout`, `truncate`, `move`, `move_any`, `late`";

fn check_probability(field: &str, value: f64) -> Result<(), SimError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(SimError::config(
            field,
            format!("probability {value} is not within 0..=1"),
        ))
    }
}

impl FaultConfig {
    /// Checks every probability and status.
    pub fn validate(&self) -> Result<(), SimError> {
        check_probability("faults.latency.probability", self.latency.probability)?;
        check_probability("faults.error_5xx.probability", self.error_5xx.probability)?;
        check_probability("faults.timeout.probability", self.timeout.probability)?;
        check_probability("faults.truncate.probability", self.truncate.probability)?;
        check_probability(
            "faults.move_records.probability",
            self.move_records.probability,
        )?;
        check_probability("faults.late_index.probability", self.late_index.probability)?;
        if !(500..=599).contains(&self.error_5xx.status) {
            let message = format!("status {} is not within 500..=599", self.error_5xx.status);
            return Err(SimError::config("faults.error_5xx.status", message));
        }
        Ok(())
    }

    /// Applies comma-separated `kind=value[@extra]` specs, e.g. `5xx=0.1,latency=200@0.5`:
    ///
    /// | spec | meaning |
    /// |---|---|
    /// | `latency=MS` / `latency=MS@P` | delay every request (or with chance `P`) by `MS` ms |
    /// | `5xx=P` / `5xx=P@STATUS` | answer with 503 (or `STATUS`) with chance `P` |
    /// | `timeout=P` / `timeout=P@MS` | hold the request 30 s (or `MS` ms) with chance `P` |
    /// | `truncate=P` | cut the body mid-JSON with chance `P` |
    /// | `move=P` / `move=P@N` | after a page, move 1 (or `N`) unserved records with chance `P` |
    /// | `move_any=P` / `move_any=P@N` | the same, but served records may move too |
    /// | `late=P` / `late=P@S` | share `P` of records visible only 120 s (or `S` s) after `modified` |
    pub fn apply_spec(&mut self, specs: &str) -> Result<(), SimError> {
        for spec in specs
            .split(',')
            .map(str::trim)
            .filter(|spec| !spec.is_empty())
        {
            self.apply_one(spec)?;
        }
        self.validate()
    }

    fn apply_one(&mut self, spec: &str) -> Result<(), SimError> {
        let invalid = |message: String| SimError::Spec {
            spec: spec.to_owned(),
            message,
        };
        let (kind, value) = spec.split_once('=').ok_or_else(|| {
            invalid(format!(
                "expected `kind=value` with kind one of {SPEC_KINDS}"
            ))
        })?;
        let (main, extra) = match value.split_once('@') {
            Some((main, extra)) => (main.trim(), Some(extra.trim())),
            None => (value.trim(), None),
        };
        let number = |text: &str| -> Result<f64, SimError> {
            text.parse::<f64>()
                .map_err(|_| invalid(format!("`{text}` is not a number")))
        };
        let integer = |text: &str| -> Result<u64, SimError> {
            text.parse::<u64>()
                .map_err(|_| invalid(format!("`{text}` is not a whole number")))
        };
        match kind.trim() {
            "latency" => {
                self.latency.ms = integer(main)?;
                self.latency.probability = extra.map(number).transpose()?.unwrap_or(1.0);
            }
            "5xx" | "error_5xx" => {
                self.error_5xx.probability = number(main)?;
                if let Some(status) = extra {
                    let status = integer(status)?;
                    self.error_5xx.status = u16::try_from(status).unwrap_or(u16::MAX);
                }
            }
            "timeout" => {
                self.timeout.probability = number(main)?;
                if let Some(hold) = extra {
                    self.timeout.hold_ms = integer(hold)?;
                }
            }
            "truncate" => self.truncate.probability = number(main)?,
            "move" | "move_records" | "move_any" => {
                self.move_records.probability = number(main)?;
                self.move_records.include_served = kind.trim() == "move_any";
                if let Some(count) = extra {
                    self.move_records.max_per_page = u32::try_from(integer(count)?)
                        .map_err(|_| invalid("record count too large".to_owned()))?;
                }
            }
            "late" | "late_index" => {
                self.late_index.probability = number(main)?;
                if let Some(delay) = extra {
                    self.late_index.delay_s = integer(delay)?;
                }
            }
            other => {
                return Err(invalid(format!(
                    "unknown fault kind `{other}` (available: {SPEC_KINDS})"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_set_each_kind() {
        let mut config = FaultConfig::default();
        config
            .apply_spec("latency=200@0.5, 5xx=0.1@502,timeout=0.05@1000,truncate=0.2,move=0.3@2,late=0.1@60")
            .unwrap();
        assert_eq!(
            config.latency,
            LatencyFault {
                probability: 0.5,
                ms: 200
            }
        );
        assert_eq!(
            config.error_5xx,
            Error5xxFault {
                probability: 0.1,
                status: 502
            }
        );
        assert_eq!(
            config.timeout,
            TimeoutFault {
                probability: 0.05,
                hold_ms: 1000
            }
        );
        assert_eq!(config.truncate.probability, 0.2);
        let moves = MoveRecordsFault {
            probability: 0.3,
            max_per_page: 2,
            include_served: false,
        };
        assert_eq!(config.move_records, moves);
        assert_eq!(
            config.late_index,
            LateIndexFault {
                probability: 0.1,
                delay_s: 60
            }
        );
        config.apply_spec("move_any=1").unwrap();
        assert!(config.move_records.include_served);
        assert_eq!(config.move_records.probability, 1.0);
    }

    #[test]
    fn bad_specs_are_rejected_with_choices() {
        let mut config = FaultConfig::default();
        let error = config.apply_spec("jitter=1").unwrap_err().to_string();
        assert!(error.contains("unknown fault kind `jitter`"), "{error}");
        assert!(error.contains("`truncate`"), "{error}");
        assert!(config.apply_spec("5xx=1.5").is_err());
        assert!(config.apply_spec("5xx=0.5@404").is_err());
        assert!(config.apply_spec("latency=fast").is_err());
    }

    #[test]
    fn json_defaults_fill_missing_fields() {
        let config: FaultConfig = serde_json::from_str(r#"{"latency":{"ms":5}}"#).unwrap();
        assert_eq!(
            config.latency,
            LatencyFault {
                probability: 1.0,
                ms: 5
            }
        );
        assert_eq!(config.error_5xx.status, 503);
        assert!(serde_json::from_str::<FaultConfig>(r#"{"latncy":{}}"#).is_err());
    }
}
