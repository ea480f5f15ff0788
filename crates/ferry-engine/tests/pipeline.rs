//! Seed 002 end to end in-process: Jushuitan simulator → engine → SQLite target, compared
//! with the simulator's ground truth row by row, under faults.

mod support;

use ferry_engine::RunOutcome;
use ferry_sim::{FaultConfig, Platform, SimBuilder};
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
