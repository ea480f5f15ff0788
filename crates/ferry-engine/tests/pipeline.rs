//! Seed 002 end to end in-process: Jushuitan simulator → engine → SQLite target, compared
//! with the simulator's ground truth row by row, under faults.

mod support;

use ferry_engine::RunOutcome;
use ferry_engine::reconcile::Table;
use ferry_sim::{ClockSetting, FaultConfig, ModifiedRange, Platform, SimBuilder};
use support::{Harness, assert_same};

fn sim(orders: u32) -> SimBuilder {
    SimBuilder::new(Platform::Jushuitan).seed(11).orders(orders)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_run_equals_ground_truth_and_a_rerun_skips_everything() {
    let harness = Harness::start(sim(600), None).await;
    let report = harness.run().await;
    assert_eq!(report.outcome, RunOutcome::Succeeded);
    let expected = harness.expected();
    assert!(
        expected.len() > 600,
        "orders flatten into item rows: {}",
        expected.len()
    );
    assert_same(&harness.actual().await, &expected);
    assert_eq!(report.stats.written, expected.len() as u64);
    assert_eq!(report.stats.failed, 0);
    assert_eq!(report.checkpoint_after, Some(support::RANGE_END));
    // 31 days in windows of at most 7: 5 windows.
    assert_eq!(report.windows.len(), 5);

    let again = harness.run_with(Some(support::RANGE_START)).await;
    assert_eq!(again.outcome, RunOutcome::Succeeded);
    assert_eq!(
        again.stats.written, 0,
        "idCheck: nothing changed, nothing rewritten"
    );
    assert_eq!(again.stats.skipped, expected.len() as u64);
    assert_same(&harness.actual().await, &expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_end_with_target_equal_to_ground_truth() {
    let mut faults = FaultConfig::default();
    for spec in ["5xx=0.15", "truncate=0.1", "move=0.3"] {
        faults.apply_spec(spec).unwrap();
    }
    let harness = Harness::start(sim(800).faults(faults), None).await;
    let report = harness.run().await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");
    assert!(report.stats.retries > 0, "faults were injected and retried");
    assert_same(&harness.actual().await, &harness.expected());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_replies_slow_down_without_losing_a_page() {
    let sim = sim(300).rate(Some("5/s,burst=1".parse().unwrap()));
    // Ask for eight times what the simulator allows.
    let harness = Harness::start(sim, Some("40/s")).await;
    let report = harness.run().await;
    assert_eq!(report.outcome, RunOutcome::Succeeded);
    assert!(
        report.stats.rate_limited > 0,
        "the simulator must have said code 7"
    );
    assert_same(&harness.actual().await, &harness.expected());
}

/// 2024-01-15 12:00:00 Beijing time.
const NOON: i64 = 1_705_291_200;
const SIX_HOURS_BEFORE: i64 = NOON - 6 * 3_600;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_indexed_records_are_caught_by_the_next_runs_overlap() {
    // The simulator's clock stands at noon on 2024-01-15; ferry stamps requests with the wall
    // clock, so the gateway's timestamp check is widened. Every order becomes visible only
    // 500 s after its `modified` time (less than the scheme's 10 min overlap).
    let sim = support::late_indexed_jushuitan(13, 40_000, 500);
    let harness = Harness::start(sim, None).await;
    let before = |table: Table, cutoff: &str| harness.modified_before(table, cutoff);

    // Run 1 at noon covers 06:00 to 11:59 (lag 1 min); orders of 11:51:40..11:59 are not
    // visible yet.
    let first = harness.run_at(Some(SIX_HOURS_BEFORE), None, NOON).await;
    assert_eq!(first.outcome, RunOutcome::Succeeded);
    assert_eq!(first.checkpoint_after, Some(NOON - 60));
    let due = harness.expected_in(ModifiedRange {
        from: Some(SIX_HOURS_BEFORE),
        to: Some(NOON - 60),
    });
    let missed = due.len() - before(harness.actual().await, "2024-01-15 11:59:00").len();
    assert!(
        missed > 0,
        "late orders must have been missed by the first run"
    );

    // An hour later the next run reaches back 10 minutes (overlap) and finds them.
    harness
        .sim
        .simulator()
        .clock()
        .apply(&ClockSetting::AdvanceSeconds(3_600));
    let second = harness.run_at(None, None, NOON + 3_600).await;
    assert_eq!(second.outcome, RunOutcome::Succeeded);
    assert_eq!(second.range.from, NOON - 60 - 600);
    let settled = harness.expected_in(ModifiedRange {
        from: Some(SIX_HOURS_BEFORE),
        to: Some(NOON + 3_600 - 60 - 500),
    });
    assert_same(
        &before(harness.actual().await, "2024-01-15 12:50:40"),
        &settled,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heavy_moving_windows_are_split_until_they_reconcile() {
    // Most pages move an already-served record, which makes the next page skip one that never
    // left the window: whole 7-day windows rarely pass, their halves and quarters do.
    let mut faults = FaultConfig::default();
    faults.apply_spec("move_any=0.7").unwrap();
    let harness = Harness::start(sim(2_000).faults(faults), None).await;
    let report = harness.run().await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");
    let pages = report.stats.pages;
    assert!(
        pages > 2_000 / 100 + 5,
        "short passes were fetched again: {pages} pages"
    );
    assert_same(&harness.actual().await, &harness.expected());
}
