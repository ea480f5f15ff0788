//! The scheduler with a fake runner and a manual clock: cron ticks, overlaps, pause, triggers,
//! remedy ticks and shutdown, without any real waiting.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ferry_engine::StatsSnapshot;
use ferry_engine::run::{RunOutcome, RunReport};
use ferry_engine::schedule::{
    Control, ControlError, ManualClock, RunEvent, Runner, Scheduler, Triggered,
};
use ferry_engine::windows::Window;
use ferry_model::Scheme;
use ferry_store::RunKind;
use tokio::sync::{Semaphore, broadcast};
use tokio_util::sync::CancellationToken;

/// 2024-01-15 00:00:00 Beijing time.
const T0: i64 = 1_705_248_000;

/// Records every call; when `hold`, each run waits for a permit (or its cancellation).
struct FakeRunner {
    calls: Mutex<Vec<(String, RunKind, i64)>>,
    hold: bool,
    permits: Semaphore,
}

impl FakeRunner {
    fn new(hold: bool) -> Arc<FakeRunner> {
        Arc::new(FakeRunner {
            calls: Mutex::new(Vec::new()),
            hold,
            permits: Semaphore::new(0),
        })
    }

    fn calls(&self) -> Vec<(String, RunKind, i64)> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait]
impl Runner for FakeRunner {
    async fn run(
        &self,
        scheme: &Arc<Scheme>,
        kind: RunKind,
        now: i64,
        cancel: CancellationToken,
    ) -> Result<RunReport, String> {
        self.calls
            .lock()
            .unwrap()
            .push((scheme.name.clone(), kind, now));
        let mut outcome = RunOutcome::Succeeded;
        if self.hold {
            tokio::select! {
                permit = self.permits.acquire() => permit.unwrap().forget(),
                _ = cancel.cancelled() => outcome = RunOutcome::Cancelled,
            }
        }
        Ok(RunReport {
            run_id: 1,
            range: Window { from: now, to: now },
            windows: Vec::new(),
            windows_planned: 0,
            checkpoint_before: None,
            checkpoint_after: None,
            stats: StatsSnapshot::default(),
            outcome,
        })
    }
}

/// Seed 002 named `name`, with `schedule` and the remedy crontab `remedy`.
fn scheme(dir: &std::path::Path, name: &str, schedule: &str, remedy: &str) -> Arc<Scheme> {
    let config = support::store_config(
        dir,
        r#"
[connections.jst]
platform = "jushuitan-qimen"
base_url = "http://127.0.0.1:9/router/qm"
app_key = "12345678"
secret = "qimensecret"
customer_id = "cust-1"
[connections.dw]
platform = "sqlite"
url = "sqlite://unused.db"
"#,
    );
    Arc::new(support::example_scheme(
        &config,
        "002_jst_orders_to_mysql.json",
        |json| {
            json["name"] = name.into();
            json["schedule"] = schedule.into();
            json["source"]["omissionRemedy"]["crontab"] = remedy.into();
        },
    ))
}

async fn next(events: &mut broadcast::Receiver<RunEvent>) -> RunEvent {
    tokio::time::timeout(Duration::from_secs(60), events.recv())
        .await
        .expect("an event within a minute")
        .expect("the scheduler is alive")
}

/// The next event as (kind of event, run kind, at).
async fn next_summary(events: &mut broadcast::Receiver<RunEvent>) -> (&'static str, RunKind, i64) {
    match next(events).await {
        RunEvent::Started { kind, at, .. } => ("started", kind, at),
        RunEvent::Finished { kind, at, .. } => ("finished", kind, at),
        RunEvent::NotStarted { kind, at, .. } => ("not_started", kind, at),
        RunEvent::Skipped { kind, at, .. } => ("skipped", kind, at),
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    runner: Arc<FakeRunner>,
    scheduler: Scheduler,
    events: broadcast::Receiver<RunEvent>,
}

/// A scheduler of one scheme `s` ticking every 10 s, remedy daily at 00:05 local time.
fn start(hold: bool) -> Setup {
    start_with("*/10 * * * * *", hold)
}

fn start_with(schedule: &str, hold: bool) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let scheme = scheme(dir.path(), "s", schedule, "5 0 * * *");
    let clock = Arc::new(ManualClock::new(T0));
    let runner = FakeRunner::new(hold);
    let scheduler = Scheduler::start_with(vec![scheme], clock.clone(), runner.clone());
    let events = scheduler.subscribe();
    Setup {
        _dir: dir,
        clock,
        runner,
        scheduler,
        events,
    }
}

#[tokio::test]
async fn schedule_cron_ticks_run_the_scheme() {
    let mut setup = start(false);
    for tick in [T0 + 10, T0 + 20] {
        setup.clock.set(tick);
        assert_eq!(
            next_summary(&mut setup.events).await,
            ("started", RunKind::Scheduled, tick)
        );
        assert_eq!(
            next_summary(&mut setup.events).await,
            ("finished", RunKind::Scheduled, tick)
        );
    }
    let s = || "s".to_owned();
    assert_eq!(
        setup.runner.calls(),
        vec![
            (s(), RunKind::Scheduled, T0 + 10),
            (s(), RunKind::Scheduled, T0 + 20)
        ]
    );
    let state = &setup.scheduler.schemes()[0];
    assert_eq!(state.schedule.as_deref(), Some("*/10 * * * * *"));
    assert_eq!(state.remedy.as_deref(), Some("5 0 * * *"));
    assert_eq!(state.running, None);
    assert_eq!(state.overlaps_skipped, 0);
}

#[tokio::test]
async fn schedule_remedy_ticks_run_remedies_in_the_schemes_zone() {
    // Hourly runs; the remedy at 00:05 Beijing time (16:05 UTC the day before).
    let mut setup = start_with("0 0 * * * *", false);
    let state = &setup.scheduler.schemes()[0];
    assert_eq!(
        (state.next_run, state.next_remedy),
        (Some(T0 + 3_600), Some(T0 + 300))
    );
    setup.clock.set(T0 + 300);
    assert_eq!(
        next_summary(&mut setup.events).await,
        ("started", RunKind::Remedy, T0 + 300)
    );
    assert_eq!(
        next_summary(&mut setup.events).await,
        ("finished", RunKind::Remedy, T0 + 300)
    );
    assert_eq!(
        setup.runner.calls(),
        vec![("s".to_owned(), RunKind::Remedy, T0 + 300)]
    );
}

#[tokio::test]
async fn schedule_overlapping_ticks_are_skipped_and_counted() {
    let mut setup = start(true);
    setup.clock.set(T0 + 10);
    assert_eq!(
        next_summary(&mut setup.events).await,
        ("started", RunKind::Scheduled, T0 + 10)
    );
    setup.clock.set(T0 + 20);
    assert_eq!(
        next_summary(&mut setup.events).await,
        ("skipped", RunKind::Scheduled, T0 + 20)
    );
    let state = &setup.scheduler.schemes()[0];
    assert_eq!(state.overlaps_skipped, 1);
    assert_eq!(state.running, Some(RunKind::Scheduled));
    assert_eq!(state.next_run, Some(T0 + 30));

    // Triggers share the slot.
    for kind in [RunKind::Manual, RunKind::Retry] {
        assert_eq!(
            setup.scheduler.trigger("s", kind),
            Ok(Triggered::AlreadyRunning)
        );
    }
    assert_eq!(
        setup.scheduler.trigger("nope", RunKind::Manual),
        Err(ControlError::UnknownScheme("nope".to_owned()))
    );
    setup.runner.permits.add_permits(1);
    assert_eq!(
        next_summary(&mut setup.events).await,
        ("finished", RunKind::Scheduled, T0 + 20)
    );
    assert_eq!(
        setup.scheduler.trigger("s", RunKind::Manual),
        Ok(Triggered::Started)
    );
    assert_eq!(
        next_summary(&mut setup.events).await,
        ("started", RunKind::Manual, T0 + 20)
    );
    setup.runner.permits.add_permits(1);
    assert_eq!(
        next_summary(&mut setup.events).await,
        ("finished", RunKind::Manual, T0 + 20)
    );
    assert_eq!(setup.runner.calls().len(), 2);
}

#[tokio::test]
async fn schedule_pause_stops_ticks_until_resumed() {
    let mut setup = start(false);
    setup.scheduler.set_paused("s", true).unwrap();
    let state = &setup.scheduler.schemes()[0];
    assert!(state.paused);
    assert_eq!((state.next_run, state.next_remedy), (None, None));
    for tick in [T0 + 10, T0 + 20, T0 + 25] {
        setup.clock.set(tick);
    }
    setup.scheduler.set_paused("s", false).unwrap();
    setup.clock.set(T0 + 30);
    // The first event is the first tick after the resume: nothing ran while paused.
    assert_eq!(
        next_summary(&mut setup.events).await,
        ("started", RunKind::Scheduled, T0 + 30)
    );
    assert_eq!(
        next_summary(&mut setup.events).await,
        ("finished", RunKind::Scheduled, T0 + 30)
    );
    assert_eq!(
        setup.runner.calls(),
        vec![("s".to_owned(), RunKind::Scheduled, T0 + 30)]
    );
    assert!(!setup.scheduler.schemes()[0].paused);
}

#[tokio::test]
async fn schedule_shutdown_cancels_the_running_run_and_refuses_new_ones() {
    let mut setup = start(true);
    assert_eq!(
        setup.scheduler.trigger("s", RunKind::Manual),
        Ok(Triggered::Started)
    );
    assert_eq!(
        next_summary(&mut setup.events).await,
        ("started", RunKind::Manual, T0)
    );
    setup.scheduler.shutdown(Duration::from_secs(60)).await;
    match next(&mut setup.events).await {
        RunEvent::Finished { report, .. } => assert_eq!(report.outcome, RunOutcome::Cancelled),
        other => panic!("expected the run to finish cancelled, got {other:?}"),
    }
    assert!(matches!(
        setup.scheduler.trigger("s", RunKind::Manual),
        Err(ControlError::Failed(message)) if message.contains("shutting down")
    ));
}
