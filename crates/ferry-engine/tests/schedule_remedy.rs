//! Remedy runs: planning from `takeOverRequest`, and late-indexed records that normal runs
//! miss (they become visible after the overlap) caught by a remedy run.

mod support;

use std::sync::Arc;

use ferry_engine::RunOutcome;
use ferry_engine::reconcile::Table;
use ferry_engine::schedule::remedy::plan;
use ferry_engine::schedule::{EngineRunner, Runner};
use ferry_sim::{ClockSetting, ModifiedRange, SimBuilder};
use ferry_store::RunKind;
use serde_json::json;
use support::{Harness, assert_same};
use tokio_util::sync::CancellationToken;

/// 2024-01-15 12:00:00 Beijing time.
const NOON: i64 = 1_705_291_200;
const DAY: i64 = 86_400;

#[tokio::test]
async fn schedule_remedy_plan_takes_over_the_time_fields_and_replaces_the_others() {
    let harness = Harness::start(
        SimBuilder::new(ferry_sim::Platform::Jushuitan).orders(1),
        None,
    )
    .await;
    let scheme = Arc::new(support::example_scheme(
        &harness.config,
        "002_jst_orders_to_mysql.json",
        |json| {
            let fields = json["source"]["omissionRemedy"]["takeOverRequest"]
                .as_array_mut()
                .unwrap();
            fields.push(json!({"field": "end_time", "type": "string", "value": "1705290000"}));
            fields.push(json!({"field": "date_type", "type": "string", "value": "1"}));
        },
    ));
    let checkpoint = NOON - 600;
    let remedy = plan(&scheme, Some(checkpoint), NOON).unwrap();
    // start_time = NOW() - 24 hours, in Beijing time.
    assert_eq!(remedy.from, Some(NOON - DAY));
    assert_eq!(remedy.to, Some(1_705_290_000));
    let request = &remedy.scheme.source.adapter;
    assert_eq!(
        request.request_field("date_type").unwrap().raw_value,
        json!("1")
    );
    // The time fields still render per window.
    assert_eq!(
        request.request_field("start_time").unwrap().raw_value,
        json!("{{LAST_SYNC_TIME|datetime}}")
    );

    let broken = Arc::new(support::example_scheme(
        &harness.config,
        "002_jst_orders_to_mysql.json",
        |json| {
            json["source"]["omissionRemedy"]["takeOverRequest"][0]["value"] = json!("yesterday");
        },
    ));
    let error = plan(&broken, Some(checkpoint), NOON).unwrap_err();
    assert!(
        error.contains("takeOverRequest field `start_time`") && error.contains("`yesterday`"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_remedy_catches_records_indexed_after_the_overlap() {
    // Every order becomes visible 50 minutes after its `modified` time: far beyond the
    // scheme's 10 minute overlap, so normal runs miss the last 50 minutes of each range.
    let sim = support::late_indexed_jushuitan(17, 20_000, 3000);
    let harness = Harness::start(sim, None).await;
    let before = |table: Table, cutoff: &str| harness.modified_before(table, cutoff);

    // Two normal runs, at noon and an hour later.
    let first = harness.run_at(Some(NOON - 6 * 3_600), None, NOON).await;
    assert_eq!(first.outcome, RunOutcome::Succeeded);
    let clock = harness.sim.simulator().clock();
    clock.apply(&ClockSetting::AdvanceSeconds(3_600));
    let now = NOON + 3_600;
    let second = harness.run_at(None, None, now).await;
    assert_eq!(second.outcome, RunOutcome::Succeeded);
    assert_eq!(second.checkpoint_after, Some(now - 60));
    // Visible now: modified before now - 3000 = 12:10; compare up to 12:09.
    let cutoff = "2024-01-15 12:09:00";
    let settled = |from: i64| {
        harness.expected_in(ModifiedRange {
            from: Some(from),
            to: Some(NOON + 540),
        })
    };
    let missed = settled(NOON - 6 * 3_600).len() - before(harness.actual().await, cutoff).len();
    assert!(missed > 0, "normal runs must have missed late orders");

    // The remedy re-pulls the last 24 hours (seed 002: start_time = NOW() - 24 h).
    let store = ferry_store::connect(harness.config.store.url.expose())
        .await
        .unwrap();
    let runner = EngineRunner::new(Arc::new(harness.config.clone()), store, Arc::default());
    let remedy = runner
        .run(
            &harness.scheme,
            RunKind::Remedy,
            now,
            CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(remedy.outcome, RunOutcome::Succeeded);
    assert_eq!((remedy.range.from, remedy.range.to), (now - DAY, now - 60));
    assert_eq!(remedy.checkpoint_after, Some(now - 60), "never backwards");
    assert!(
        remedy.stats.skipped > 0,
        "idCheck skips what the normal runs wrote"
    );
    assert_same(&before(harness.actual().await, cutoff), &settled(now - DAY));
}
