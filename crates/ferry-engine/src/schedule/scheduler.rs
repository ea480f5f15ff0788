//! The scheduler: cron jobs per scheme, one run per scheme at a time, pause/resume, triggers,
//! events and graceful shutdown. See the module doc of [`super`] for the contract.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use ferry_model::Scheme;
use ferry_store::RunKind;
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::clock::{Clock, SystemClock};
use super::control::{Control, ControlError, RunEvent, SchemeState, Triggered};
use super::cron::CronSchedule;
use super::runner::{EngineRunner, Runner};

/// Events kept for slow subscribers before the oldest are dropped.
const EVENT_BUFFER: usize = 1024;

/// What the scheduler is started with (`ferry serve`).
pub struct SchedulerSetup {
    pub config: Arc<ferry_model::Config>,
    pub schemes: Vec<Arc<ferry_model::Scheme>>,
    pub store: Arc<dyn ferry_store::Store>,
    pub collections: Arc<crate::lookup::Collections>,
}

/// Runs schemes on their schedules; implements [`Control`]. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Scheduler {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Arc<dyn Clock>,
    runner: Arc<dyn Runner>,
    slots: Vec<Slot>,
    events: broadcast::Sender<RunEvent>,
    /// Cancelled by `shutdown`: stops the cron jobs and cancels running runs.
    stop: CancellationToken,
    runs: TaskTracker,
}

/// One scheme: its jobs and what it is doing.
struct Slot {
    scheme: Arc<Scheme>,
    schedule: Option<CronSchedule>,
    remedy: Option<CronSchedule>,
    /// Paused flag and the time it last changed (resumed jobs tick only after it).
    pause: watch::Sender<Pause>,
    state: Mutex<SlotState>,
}

#[derive(Debug, Clone, Copy)]
struct Pause {
    paused: bool,
    since: i64,
}

#[derive(Debug, Default)]
struct SlotState {
    running: Option<RunKind>,
    next_run: Option<i64>,
    next_remedy: Option<i64>,
    overlaps_skipped: u64,
}

impl Scheduler {
    /// Starts the scheduler on the current tokio runtime: the real engine, the wall clock.
    pub fn start(setup: SchedulerSetup) -> Scheduler {
        let runner = EngineRunner::new(setup.config, setup.store, setup.collections);
        Scheduler::start_with(setup.schemes, Arc::new(SystemClock), Arc::new(runner))
    }

    /// Starts the scheduler with another clock or runner (tests).
    pub fn start_with(
        schemes: Vec<Arc<Scheme>>,
        clock: Arc<dyn Clock>,
        runner: Arc<dyn Runner>,
    ) -> Scheduler {
        let started = clock.now();
        let mut schemes = schemes;
        schemes.sort_by(|a, b| a.name.cmp(&b.name));
        let slots = schemes
            .into_iter()
            .map(|scheme| Slot::new(scheme, started))
            .collect();
        let inner = Arc::new(Inner {
            clock,
            runner,
            slots,
            events: broadcast::channel(EVENT_BUFFER).0,
            stop: CancellationToken::new(),
            runs: TaskTracker::new(),
        });
        for (index, slot) in inner.slots.iter().enumerate() {
            for (kind, cron) in [
                (RunKind::Scheduled, &slot.schedule),
                (RunKind::Remedy, &slot.remedy),
            ] {
                if let Some(cron) = cron {
                    let job = job(Arc::clone(&inner), index, kind, cron.clone(), started);
                    tokio::spawn(job);
                }
            }
        }
        Scheduler { inner }
    }

    /// Stops starting runs, cancels the running ones (they write what they fetched and end
    /// `cancelled`) and waits up to `grace` for them to end. Later triggers are refused.
    pub async fn shutdown(&self, grace: Duration) {
        let inner = &self.inner;
        inner.stop.cancel();
        inner.runs.close();
        let running = inner.runs.len();
        if running > 0 {
            tracing::info!(running, "waiting for running runs to stop");
        }
        if tokio::time::timeout(grace, inner.runs.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                still_running = inner.runs.len(),
                grace_secs = grace.as_secs(),
                "runs did not stop within the grace period; their records stay in the ledger \
                 and the next run continues them"
            );
        }
    }
}

impl Slot {
    fn new(scheme: Arc<Scheme>, started: i64) -> Slot {
        let timezone = scheme.sync.timezone.clone();
        let parse = |text: &str, what: &str| match CronSchedule::parse(text, timezone.clone()) {
            Ok(cron) => Some(cron),
            Err(error) => {
                tracing::error!(scheme = %scheme.name, "{what}: {error}; not scheduled");
                None
            }
        };
        let schedule = scheme
            .schedule
            .as_ref()
            .and_then(|text| parse(&text.value, "schedule"));
        let remedy = scheme
            .source
            .omission_remedy
            .as_ref()
            .and_then(|remedy| parse(&remedy.crontab.value, "source.omissionRemedy.crontab"));
        let state = SlotState {
            next_run: schedule.as_ref().and_then(|cron| cron.next_after(started)),
            next_remedy: remedy.as_ref().and_then(|cron| cron.next_after(started)),
            ..SlotState::default()
        };
        Slot {
            schedule,
            remedy,
            pause: watch::Sender::new(Pause {
                paused: false,
                since: started,
            }),
            state: Mutex::new(state),
            scheme,
        }
    }

    fn state(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn paused(&self) -> bool {
        self.pause.borrow().paused
    }

    fn set_next(&self, kind: RunKind, at: Option<i64>) {
        let mut state = self.state();
        match kind {
            RunKind::Remedy => state.next_remedy = at,
            _ => state.next_run = at,
        }
    }
}

/// One cron job: waits for each tick (not while paused) and starts a run, or counts the tick
/// as skipped when the scheme is busy.
async fn job(inner: Arc<Inner>, index: usize, kind: RunKind, cron: CronSchedule, started: i64) {
    let slot = &inner.slots[index];
    let mut pause = slot.pause.subscribe();
    let mut after = started;
    loop {
        let current = *pause.borrow_and_update();
        if current.paused {
            slot.set_next(kind, None);
            tokio::select! {
                _ = inner.stop.cancelled() => return,
                _ = pause.changed() => continue,
            }
        }
        after = after.max(current.since);
        let Some(next) = cron.next_after(after) else {
            slot.set_next(kind, None);
            return;
        };
        slot.set_next(kind, Some(next));
        tokio::select! {
            biased;
            _ = inner.stop.cancelled() => return,
            _ = pause.changed() => continue,
            _ = inner.clock.sleep_until(next) => {}
        }
        after = next;
        if slot.paused() {
            continue;
        }
        if let Ok(Triggered::AlreadyRunning) = inner.start(index, kind) {
            slot.state().overlaps_skipped += 1;
            tracing::info!(scheme = %slot.scheme.name, kind = kind.as_str(), "tick skipped: the previous run is still going");
            inner.emit(RunEvent::Skipped {
                scheme: slot.scheme.name.clone(),
                kind,
                at: inner.clock.now(),
            });
        }
    }
}

impl Inner {
    /// Starts a run of scheme `index` unless one is running (then `AlreadyRunning`).
    fn start(self: &Arc<Self>, index: usize, kind: RunKind) -> Result<Triggered, ControlError> {
        let slot = &self.slots[index];
        {
            let mut state = slot.state();
            if self.stop.is_cancelled() {
                return Err(ControlError::Failed(
                    "ferry is shutting down; no new runs are started".to_owned(),
                ));
            }
            if state.running.is_some() {
                return Ok(Triggered::AlreadyRunning);
            }
            state.running = Some(kind);
        }
        let inner = Arc::clone(self);
        let cancel = self.stop.child_token();
        self.runs.spawn(async move {
            let slot = &inner.slots[index];
            let scheme = slot.scheme.name.clone();
            let now = inner.clock.now();
            inner.emit(RunEvent::Started {
                scheme: scheme.clone(),
                kind,
                at: now,
            });
            let result = inner.runner.run(&slot.scheme, kind, now, cancel).await;
            slot.state().running = None;
            let at = inner.clock.now();
            let event = match result {
                Ok(report) => RunEvent::Finished {
                    scheme,
                    kind,
                    at,
                    report: Arc::new(report),
                },
                Err(error) => {
                    tracing::error!(scheme = %scheme, kind = kind.as_str(), %error, "run could not start");
                    RunEvent::NotStarted {
                        scheme,
                        kind,
                        at,
                        error,
                    }
                }
            };
            inner.emit(event);
        });
        Ok(Triggered::Started)
    }

    fn emit(&self, event: RunEvent) {
        // No subscriber is fine: nobody is listening.
        let _ = self.events.send(event);
    }

    fn slot(&self, scheme: &str) -> Result<usize, ControlError> {
        self.slots
            .binary_search_by(|slot| slot.scheme.name.as_str().cmp(scheme))
            .map_err(|_| ControlError::UnknownScheme(scheme.to_owned()))
    }
}

impl Control for Scheduler {
    fn schemes(&self) -> Vec<SchemeState> {
        self.inner
            .slots
            .iter()
            .map(|slot| {
                let paused = slot.paused();
                let state = slot.state();
                SchemeState {
                    name: slot.scheme.name.clone(),
                    schedule: slot.schedule.as_ref().map(|cron| cron.text().to_owned()),
                    remedy: slot.remedy.as_ref().map(|cron| cron.text().to_owned()),
                    paused,
                    running: state.running,
                    next_run: state.next_run.filter(|_| !paused),
                    next_remedy: state.next_remedy.filter(|_| !paused),
                    overlaps_skipped: state.overlaps_skipped,
                }
            })
            .collect()
    }

    fn trigger(&self, scheme: &str, kind: RunKind) -> Result<Triggered, ControlError> {
        let index = self.inner.slot(scheme)?;
        self.inner.start(index, kind)
    }

    fn set_paused(&self, scheme: &str, paused: bool) -> Result<(), ControlError> {
        let index = self.inner.slot(scheme)?;
        let since = self.inner.clock.now();
        self.inner.slots[index].pause.send_if_modified(|pause| {
            if pause.paused == paused {
                return false;
            }
            *pause = Pause { paused, since };
            true
        });
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<RunEvent> {
        self.inner.events.subscribe()
    }
}
