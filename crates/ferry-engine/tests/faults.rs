//! Faults from the platform and the environment that pipeline.rs does not cover, each ending
//! with the target equal to the simulator's ground truth, or with a clear failure that loses
//! nothing: request timeouts, clock skew between ferry and the platform (the gateway's
//! timestamp check, and ferry's "now" ahead of or behind the platform's), pages of huge
//! records, and two runs of one scheme at once over mostly empty windows.

mod support;

use std::sync::Arc;

use ferry_engine::{RunMode, RunOptions, RunOutcome, open_context};
use ferry_sim::{
    ClockSetting, FaultConfig, JushuitanConfig, ModifiedRange, Platform, SimBuilder, SimConfig,
};
use ferry_store::RunKind;
use support::{Harness, RANGE_END, assert_same};

fn sim(orders: u32) -> SimBuilder {
    SimBuilder::new(Platform::Jushuitan).seed(17).orders(orders)
}

fn faults(specs: &[&str]) -> FaultConfig {
    let mut faults = FaultConfig::default();
    for spec in specs {
        faults.apply_spec(spec).unwrap();
    }
    faults
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_time_out_are_retried_until_every_page_arrives() {
    // One request in five is held 1.5 s; ferry gives up on it after 1 s and asks again.
    let sim = sim(400).faults(faults(&["timeout=0.2@1500"]));
    let harness = Harness::start_with(sim, "timeout = \"1s\"\n", |_| {}).await;
    let report = harness.run().await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");
    assert!(harness.sim.simulator().stats().faults.timeout > 0);
    assert!(report.stats.retries > 0, "timed-out requests were retried");
    assert_same(&harness.actual().await, &harness.expected());
}

/// `yyyy-MM-dd HH:mm:ss` Beijing time, `offset` seconds from the wall clock.
fn beijing_wall_clock(offset: i64) -> String {
    let instant = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(offset);
    instant
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_clock_beyond_the_timestamp_tolerance_fails_clearly_and_loses_nothing() {
    // The gateway accepts timestamps within 10 minutes of its own clock; its clock runs 20
    // minutes ahead of ferry's.
    let sim = sim(300).clock(&beijing_wall_clock(1_200));
    let harness = Harness::start(sim, None).await;
    let report = harness.run().await;
    let RunOutcome::Failed(error) = &report.outcome else {
        panic!("a rejected timestamp must fail the run: {report:?}");
    };
    assert!(error.contains("timestamp"), "{error}");
    assert_eq!(report.checkpoint_after, None, "the checkpoint did not move");
    assert_eq!(report.stats.written, 0);

    // Skew within the tolerance (5 minutes behind): the next run does everything.
    let clock = ClockSetting::Fixed(beijing_wall_clock(-300));
    assert!(harness.sim.simulator().clock().apply(&clock));
    let report = harness.run().await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");
    assert_same(&harness.actual().await, &harness.expected());
}

/// 2024-01-15 12:00:00 Beijing time.
const NOON: i64 = 1_705_291_200;
const SIX_HOURS_BEFORE: i64 = NOON - 6 * 3_600;
/// Less than the scheme's 10 minute overlap.
const SKEW: i64 = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferry_running_ahead_of_or_behind_the_platform_within_the_overlap_loses_nothing() {
    // The platform's clock stands at noon: orders modified after it do not exist yet.
    let mut config = JushuitanConfig::default();
    config.qimen.timestamp_tolerance_s = 400_000_000;
    let sim = SimBuilder::from_config(SimConfig::Jushuitan(config))
        .seed(19)
        .orders(20_000)
        .clock("2024-01-15 12:00:00");
    let harness = Harness::start(sim, None).await;

    // ferry's clock is 5 minutes ahead: the run reaches past the platform's present, and its
    // checkpoint lands in what is still the platform's future.
    let first = harness
        .run_at(Some(SIX_HOURS_BEFORE), None, NOON + SKEW)
        .await;
    assert_eq!(first.outcome, RunOutcome::Succeeded);
    assert_eq!(first.checkpoint_after, Some(NOON + SKEW - 60));

    // An hour later on the platform, ferry's clock is 5 minutes behind: the overlap reaches
    // back before the platform's noon, so the orders of 12:00..12:04 are fetched now.
    let clock = ClockSetting::AdvanceSeconds(3_600);
    assert!(harness.sim.simulator().clock().apply(&clock));
    let second = harness.run_at(None, None, NOON + 3_600 - SKEW).await;
    assert_eq!(second.outcome, RunOutcome::Succeeded);
    assert_eq!(second.range.from, NOON + SKEW - 60 - 600);
    let expected = harness.expected_in(ModifiedRange {
        from: Some(SIX_HOURS_BEFORE),
        to: Some(NOON + 3_600 - SKEW - 60),
    });
    assert!(expected.len() > 100, "{}", expected.len());
    assert_same(&harness.actual().await, &expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_huge_records_land_whole_and_page_size_stays_within_the_platforms_limit() {
    // The scheme asks for 5 000 records a page; the platform allows 100 (PROTOCOLS.md), so
    // ferry asks for 100. Hostile long strings are 50 000 characters, so some pages are
    // megabytes.
    let mut config = JushuitanConfig::default();
    config.common.data.max_string_len = 50_000;
    let sim = SimBuilder::from_config(SimConfig::Jushuitan(config))
        .seed(23)
        .orders(1_500);
    let harness = Harness::start_with(sim, "", |scheme| {
        for entry in scheme["source"]["request"].as_array_mut().unwrap() {
            if entry["field"] == "page_size" {
                entry["value"] = "5000".into();
            }
        }
    })
    .await;
    let report = harness.run().await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");
    assert!(
        report.stats.pages >= 1_500 / 100,
        "pages of at most 100: {} pages",
        report.stats.pages
    );
    let expected = harness.expected();
    let longest = expected
        .values()
        .flat_map(|row| row.iter().flatten().map(String::len))
        .max();
    assert!(longest > Some(40_000), "huge values: {longest:?}");
    assert_same(&harness.actual().await, &expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_at_once_over_mostly_empty_windows_end_with_one_copy_of_each_record() {
    // 12 orders over January: most windows are one empty page. Two runs of the scheme start
    // together on one ledger; the lease lets one of them work at a time.
    let sim = sim(12).faults(faults(&["latency=20"]));
    let harness = Harness::start(sim, None).await;
    let run = || async {
        let store = ferry_store::connect(harness.config.store.url.expose())
            .await
            .unwrap();
        let context = open_context(&harness.config, Arc::clone(&harness.scheme), store)
            .await
            .unwrap();
        let options = RunOptions {
            mode: RunMode::Sync,
            kind: RunKind::Manual,
            from: None,
            to: Some(RANGE_END),
            now: RANGE_END + 86_400,
            heartbeat: std::time::Duration::from_secs(30),
        };
        ferry_engine::run(&context, &options).await
    };
    let (first, second) = tokio::join!(run(), run());
    let outcomes: Vec<String> = [first, second]
        .into_iter()
        .map(|result| match result {
            Ok(report) => format!("{:?}", report.outcome),
            Err(error) => format!("refused: {error}"),
        })
        .collect();
    assert!(
        outcomes.iter().any(|o| o == "Succeeded"),
        "one run did the work: {outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .all(|o| o == "Succeeded" || o.contains("refused")),
        "the other finished too or was refused at the start: {outcomes:?}"
    );
    let expected = harness.expected();
    assert_eq!(expected.len(), harness.actual().await.len());
    assert_same(&harness.actual().await, &expected);
    let counts = support::ledger_counts(&harness.config, &harness.scheme.name).await;
    assert_eq!(counts.pending, 0, "{counts:?}");
}
