//! The scheduler driving the real engine (Jushuitan simulator → SQLite target): the retry
//! path rewrites failed records, and a shutdown mid-run loses nothing.

mod support;

use std::sync::Arc;
use std::time::Duration;

use ferry_engine::RunOutcome;
use ferry_engine::run::RunReport;
use ferry_engine::schedule::{Control, EngineRunner, ManualClock, RunEvent, Scheduler, Triggered};
use ferry_model::Scheme;
use ferry_sim::{FaultConfig, Platform, SimBuilder};
use ferry_store::RunKind;
use support::{Harness, RANGE_END, assert_same, failed_records, ledger_counts};
use tokio::sync::broadcast;

fn sim(orders: u32) -> SimBuilder {
    SimBuilder::new(Platform::Jushuitan).seed(21).orders(orders)
}

/// A scheduler over `scheme` with the real engine; its clock one lag after the data's end.
async fn scheduler(harness: &Harness, scheme: Arc<Scheme>) -> Scheduler {
    let store = ferry_store::connect(harness.config.store.url.expose())
        .await
        .unwrap();
    let runner = EngineRunner::new(Arc::new(harness.config.clone()), store, Arc::default());
    let clock = Arc::new(ManualClock::new(RANGE_END + 60));
    Scheduler::start_with(vec![scheme], clock, Arc::new(runner))
}

async fn finished(events: &mut broadcast::Receiver<RunEvent>) -> Arc<RunReport> {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(120), events.recv())
            .await
            .expect("the run ends within two minutes")
            .unwrap();
        match event {
            RunEvent::Finished { report, .. } => return report,
            RunEvent::NotStarted { error, .. } => panic!("run did not start: {error}"),
            _ => {}
        }
    }
}

async fn execute(harness: &Harness, sql: &str) {
    let pool = sqlx::SqlitePool::connect(&harness.target_url)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_retry_rewrites_failed_records() {
    let harness = Harness::start(sim(80), None).await;
    // The target refuses the rows of orders whose id ends in 7.
    execute(
        &harness,
        "CREATE TRIGGER refuse_sevens BEFORE INSERT ON order_list_query \
         WHEN NEW.id LIKE '%7-%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
    )
    .await;
    let scheduler = scheduler(&harness, Arc::clone(&harness.scheme)).await;
    let mut events = scheduler.subscribe();
    let name = harness.scheme.name.clone();

    assert_eq!(
        scheduler.trigger(&name, RunKind::Manual),
        Ok(Triggered::Started)
    );
    let first = finished(&mut events).await;
    let failed = failed_records(&harness.config, &name).await;
    assert!(!failed.is_empty(), "some rows were refused");
    assert_eq!(first.stats.failed, failed.len() as u64);
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("refused by the test")
    );

    execute(&harness, "DROP TRIGGER refuse_sevens;").await;
    assert_eq!(
        scheduler.trigger(&name, RunKind::Retry),
        Ok(Triggered::Started)
    );
    let retry = finished(&mut events).await;
    assert_eq!(retry.outcome, RunOutcome::Succeeded);
    assert_eq!(retry.stats.written, failed.len() as u64);
    assert_eq!(retry.stats.fetched, 0, "a retry only writes");
    assert_eq!(ledger_counts(&harness.config, &name).await.failed, 0);
    assert_same(&harness.actual().await, &harness.expected());
    scheduler.shutdown(Duration::from_secs(30)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_shutdown_mid_run_loses_nothing() {
    let mut faults = FaultConfig::default();
    faults.apply_spec("latency=40").unwrap();
    let harness = Harness::start(sim(600).faults(faults), None).await;
    // Small pages: many slow calls, so the shutdown lands mid-run.
    let mut scheme = Scheme::clone(&harness.scheme);
    scheme.sync.page_size = Some(20);
    let name = scheme.name.clone();
    let scheduler = scheduler(&harness, Arc::new(scheme)).await;
    let mut events = scheduler.subscribe();
    assert_eq!(
        scheduler.trigger(&name, RunKind::Manual),
        Ok(Triggered::Started)
    );
    // Wait until records are in the ledger, then shut down.
    loop {
        let counts = ledger_counts(&harness.config, &name).await;
        if counts.pending + counts.written > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    scheduler.shutdown(Duration::from_secs(60)).await;
    let cancelled = finished(&mut events).await;
    assert_eq!(cancelled.outcome, RunOutcome::Cancelled);
    assert!(cancelled.checkpoint_after.unwrap_or(0) < RANGE_END);
    assert!(scheduler.trigger(&name, RunKind::Manual).is_err());

    // A later run continues from the checkpoint and the ledger: the target is complete.
    harness
        .sim
        .simulator()
        .set_faults(FaultConfig::default())
        .unwrap();
    let later = harness.run().await;
    assert_eq!(later.outcome, RunOutcome::Succeeded);
    assert_same(&harness.actual().await, &harness.expected());
}
