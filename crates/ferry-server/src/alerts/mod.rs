//! Alert robots (`[[alerts]]` in ferry.toml): DingTalk, WeCom and generic webhooks, told when
//! a scheme needs a person.
//!
//! Fires on:
//! - `run_failed`: a run ended `failed`, or could not start ([`RunEvent::NotStarted`]);
//! - `record_failed`: a run left records `failed` (the first one's error is quoted);
//! - `checkpoint_lag`: a scheduled, unpaused scheme's checkpoint is more than
//!   `checkpoint_lag` behind now (checked every minute from the ledger).
//!
//! De-duplication: one alert per (robot, scheme, event) while the condition lasts. It is
//! sent again only after it resolved (`run_failed` and `record_failed`: a later run of the
//! scheme succeeded without failed records; `checkpoint_lag`: the lag is back under the
//! threshold) or after `repeat_after` passed since it was last sent. A delivery that fails is
//! logged (without the URL's token) and tried again at the next occurrence.
//!
//! Messages are English, name the scheme, what happened, the first error and what to do; they
//! carry no settings, so no secrets.

mod robots;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use ferry_engine::RunOutcome;
use ferry_engine::schedule::{Control, RunEvent};
use ferry_model::Scheme;
use ferry_model::config::{AlertConfig, AlertEvent};
use ferry_store::{RecordFilter, RecordStatus, RunKind, Store};
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

pub use robots::{Alert, Sender, body, dingtalk_sign, display_url, signed_url};

/// How often checkpoint lag is checked.
pub const LAG_CHECK: Duration = Duration::from_secs(60);

/// Starts the alert task: it listens to `control`'s events and checks lag every minute until
/// `shutdown` fires. With no `alerts` configured it only waits for `shutdown`.
pub fn spawn(
    alerts: Vec<AlertConfig>,
    control: Arc<dyn Control>,
    store: Arc<dyn Store>,
    schemes: Arc<Vec<Arc<Scheme>>>,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let mut events = control.subscribe();
    tokio::spawn(async move {
        if alerts.is_empty() {
            shutdown.cancelled().await;
            return;
        }
        let sender = match Sender::new() {
            Ok(sender) => sender,
            Err(error) => {
                tracing::error!(%error, "alerts are off");
                shutdown.cancelled().await;
                return;
            }
        };
        let mut alerter = Alerter {
            configs: alerts,
            sender,
            store,
            control,
            schemes,
            sent: HashMap::new(),
        };
        let mut lag_check = tokio::time::interval(LAG_CHECK);
        lag_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                event = events.recv() => match event {
                    Ok(event) => alerter.on_event(event).await,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "alerts fell behind the scheduler's events");
                    }
                    Err(RecvError::Closed) => {
                        shutdown.cancelled().await;
                        return;
                    }
                },
                _ = lag_check.tick() => alerter.check_lag().await,
            }
        }
    })
}

/// De-duplication state of one (robot, scheme, event).
#[derive(Debug, Clone, Copy)]
struct Sent {
    /// The condition still holds (not resolved since it was sent).
    active: bool,
    at: i64,
}

struct Alerter {
    configs: Vec<AlertConfig>,
    sender: Sender,
    store: Arc<dyn Store>,
    control: Arc<dyn Control>,
    schemes: Arc<Vec<Arc<Scheme>>>,
    sent: HashMap<(usize, String, AlertEvent), Sent>,
}

impl Alerter {
    async fn on_event(&mut self, event: RunEvent) {
        match event {
            RunEvent::NotStarted {
                scheme,
                kind,
                at,
                error,
            } => {
                let alert = Alert {
                    event: "run_failed",
                    message: format!("a {kind} run of `{scheme}` could not start"),
                    run_id: None,
                    kind: Some(kind.as_str()),
                    error: Some(error),
                    action: "fix the cause above (the connection in ferry.toml, the ledger); \
                             the next scheduled run tries again"
                        .to_owned(),
                    at,
                    scheme,
                };
                self.fire(AlertEvent::RunFailed, alert).await;
            }
            RunEvent::Finished {
                scheme,
                kind,
                at,
                report,
            } => {
                match &report.outcome {
                    RunOutcome::Failed(error) => {
                        let alert = Alert {
                            event: "run_failed",
                            message: format!("{kind} run {} of `{scheme}` failed", report.run_id),
                            run_id: Some(report.run_id),
                            kind: Some(kind.as_str()),
                            error: Some(error.clone()),
                            action: format!(
                                "fix the cause above; what was fetched is kept and the next \
                                 run continues from the checkpoint (`ferry status {scheme}`)"
                            ),
                            at,
                            scheme: scheme.clone(),
                        };
                        self.fire(AlertEvent::RunFailed, alert).await;
                    }
                    RunOutcome::Succeeded => self.resolve(AlertEvent::RunFailed, &scheme),
                    RunOutcome::Cancelled => {}
                }
                if report.stats.failed > 0 {
                    let alert = self
                        .records_alert(&scheme, kind, report.run_id, report.stats.failed, at)
                        .await;
                    self.fire(AlertEvent::RecordFailed, alert).await;
                } else if report.outcome == RunOutcome::Succeeded {
                    self.resolve(AlertEvent::RecordFailed, &scheme);
                }
            }
            RunEvent::Started { .. } | RunEvent::Skipped { .. } => {}
        }
    }

    async fn records_alert(
        &self,
        scheme: &str,
        kind: RunKind,
        run_id: i64,
        failed: u64,
        at: i64,
    ) -> Alert {
        let filter = RecordFilter {
            status: Some(RecordStatus::Failed),
            key: None,
        };
        let error = match self.store.records(scheme, &filter, None, 1).await {
            Ok(records) => records.into_iter().next().map(|record| {
                format!(
                    "record `{}`: {}",
                    record.key,
                    record.last_error.unwrap_or_else(|| "no message".to_owned())
                )
            }),
            Err(error) => Some(format!("(the ledger could not be read: {error})")),
        };
        Alert {
            event: "record_failed",
            scheme: scheme.to_owned(),
            message: format!("{kind} run {run_id} of `{scheme}` left {failed} records failed"),
            run_id: Some(run_id),
            kind: Some(kind.as_str()),
            error,
            action: format!(
                "see them with `ferry records {scheme} --status failed`, fix the cause, then \
                 write them again with `ferry retry {scheme}` or the console's retry button"
            ),
            at,
        }
    }

    async fn check_lag(&mut self) {
        let now = jiff::Timestamp::now().as_second();
        let paused: Vec<String> = self
            .control
            .schemes()
            .into_iter()
            .filter(|state| state.paused)
            .map(|state| state.name)
            .collect();
        let schemes = Arc::clone(&self.schemes);
        for scheme in schemes.iter() {
            if scheme.schedule.is_none() || paused.contains(&scheme.name) {
                continue;
            }
            let checkpoint = match self.store.checkpoint(&scheme.name).await {
                Ok(Some(checkpoint)) => checkpoint.position,
                Ok(None) => continue,
                Err(error) => {
                    tracing::warn!(scheme = %scheme.name, %error, "cannot read the checkpoint");
                    continue;
                }
            };
            let lag = now - checkpoint;
            let over: Vec<usize> = (0..self.configs.len())
                .filter(|index| lag > self.configs[*index].checkpoint_lag_secs)
                .collect();
            if over.is_empty() {
                self.resolve(AlertEvent::CheckpointLag, &scheme.name);
                continue;
            }
            let since = ferry_model::units::format_time(checkpoint, &scheme.sync.timezone);
            let alert = Alert {
                event: "checkpoint_lag",
                scheme: scheme.name.clone(),
                message: format!(
                    "`{}` is {} behind: its checkpoint is at {since}",
                    scheme.name,
                    human(lag)
                ),
                run_id: None,
                kind: None,
                error: None,
                action: format!(
                    "check that the scheme runs and succeeds (`ferry status {}`); a long \
                     backlog catches up window by window",
                    scheme.name
                ),
                at: now,
            };
            for index in over {
                self.fire_one(index, AlertEvent::CheckpointLag, &alert)
                    .await;
            }
        }
    }

    /// Sends `alert` to every robot listening for `event`, unless de-duplicated.
    async fn fire(&mut self, event: AlertEvent, alert: Alert) {
        for index in 0..self.configs.len() {
            self.fire_one(index, event, &alert).await;
        }
    }

    async fn fire_one(&mut self, index: usize, event: AlertEvent, alert: &Alert) {
        let config = &self.configs[index];
        if !config.on.contains(&event) {
            return;
        }
        let key = (index, alert.scheme.clone(), event);
        if let Some(sent) = self.sent.get(&key)
            && sent.active
            && alert.at - sent.at < config.repeat_after_secs
        {
            tracing::debug!(scheme = %alert.scheme, event = alert.event, "alert already sent");
            return;
        }
        match self.sender.send(config, alert).await {
            Ok(()) => {
                tracing::info!(scheme = %alert.scheme, event = alert.event, "alert sent");
                self.sent.insert(
                    key,
                    Sent {
                        active: true,
                        at: alert.at,
                    },
                );
            }
            Err(error) => tracing::warn!(scheme = %alert.scheme, %error, "alert not delivered"),
        }
    }

    fn resolve(&mut self, event: AlertEvent, scheme: &str) {
        for ((_, name, kind), sent) in &mut self.sent {
            if *kind == event && name == scheme {
                sent.active = false;
            }
        }
    }
}

/// `5400` → `1h 30m`.
fn human(seconds: i64) -> String {
    let (hours, minutes) = (seconds / 3_600, seconds % 3_600 / 60);
    match (hours, minutes) {
        (0, minutes) => format!("{minutes}m"),
        (hours, 0) => format!("{hours}h"),
        (hours, minutes) => format!("{hours}h {minutes}m"),
    }
}
