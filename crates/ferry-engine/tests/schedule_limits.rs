//! One limiter per connection, shared by every scheme the scheduler runs on it.

mod support;

use std::sync::Arc;
use std::time::Duration;

use ferry_engine::RunOutcome;
use ferry_engine::schedule::{Control, EngineRunner, ManualClock, RunEvent, Scheduler};
use ferry_sim::{Platform, SimBuilder};
use ferry_store::RunKind;
use support::{RANGE_END, SimSetup, example_scheme, ledger_target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_two_schemes_on_one_connection_share_its_limiter_and_its_rate() {
    // The platform allows 12 calls a second; the connection is configured for 8. Two schemes
    // with a limiter each would send 16 a second and be answered "rate limited".
    let sim = SimBuilder::new(Platform::Jushuitan)
        .seed(5)
        .orders(300)
        .rate(Some("12/s,burst=12".parse().unwrap()));
    let connections = |base: &str| {
        format!(
            r#"
[connections.jst]
platform = "jushuitan-qimen"
base_url = "{base}/router/qm"
app_key = "12345678"
secret = "qimensecret"
customer_id = "cust-1"
rate = "8/s"
[connections.keep]
platform = "ledger"
"#
        )
    };
    let named = |name: &'static str| {
        move |json: &mut serde_json::Value| {
            json["name"] = name.into();
            json["sync"]["page_size"] = 25.into();
            ledger_target(json, "keep");
        }
    };
    let setup = SimSetup::serve(sim, connections, "002_jst_orders_to_mysql.json", named("a")).await;
    let other = Arc::new(example_scheme(
        &setup.config,
        "002_jst_orders_to_mysql.json",
        named("b"),
    ));
    let store = ferry_store::connect(setup.config.store.url.expose())
        .await
        .unwrap();
    let runner = Arc::new(EngineRunner::new(
        Arc::new(setup.config.clone()),
        store,
        Arc::default(),
    ));
    let jst = &setup.config.connections["jst"];
    assert!(Arc::ptr_eq(
        &runner.limiters().caller(jst).limiter,
        &runner.limiters().caller(jst).limiter
    ));

    let clock = Arc::new(ManualClock::new(RANGE_END + 60));
    let scheduler = Scheduler::start_with(vec![Arc::clone(&setup.scheme), other], clock, runner);
    let mut events = scheduler.subscribe();
    scheduler.trigger("a", RunKind::Manual).unwrap();
    scheduler.trigger("b", RunKind::Manual).unwrap();
    let mut reports = Vec::new();
    while reports.len() < 2 {
        let event = tokio::time::timeout(Duration::from_secs(120), events.recv())
            .await
            .unwrap()
            .unwrap();
        if let RunEvent::Finished { report, .. } = event {
            reports.push(report);
        }
    }
    for report in &reports {
        assert_eq!(report.outcome, RunOutcome::Succeeded);
        assert!(
            report.stats.pages > 10,
            "enough calls to exceed a second's burst"
        );
        assert_eq!(
            report.stats.rate_limited, 0,
            "the shared limiter kept under 12/s"
        );
    }
    assert_eq!(reports[0].stats.fetched, reports[1].stats.fetched);
    scheduler.shutdown(Duration::from_secs(10)).await;
}
