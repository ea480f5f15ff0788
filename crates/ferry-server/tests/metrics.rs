//! `/metrics`: counters from run events, gauges equal to the ledger's counts.

mod support;

use std::sync::Arc;

use axum::http::Method;
use ferry_engine::run::{RunOutcome, RunReport};
use ferry_engine::schedule::{Control as _, RunEvent};
use ferry_engine::stats::StatsSnapshot;
use ferry_engine::windows::Window;
use ferry_server::Auth;
use ferry_server::metrics::Metrics;
use ferry_store::RunKind;
use support::{SCHEME, fixture, send};

fn finished(stats: StatsSnapshot, outcome: RunOutcome) -> RunEvent {
    RunEvent::Finished {
        scheme: SCHEME.to_owned(),
        kind: RunKind::Scheduled,
        at: 1_704_153_700,
        report: Arc::new(RunReport {
            run_id: 1,
            range: Window {
                from: 1_704_067_200,
                to: 1_704_153_600,
            },
            windows: Vec::new(),
            windows_planned: 1,
            checkpoint_before: None,
            checkpoint_after: Some(1_704_153_600),
            stats,
            outcome,
        }),
    }
}

/// The value of the sample named `name` with exactly these labels.
fn sample(text: &str, name: &str, labels: &str) -> Option<f64> {
    let prefix = format!("{name}{{{labels}}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(|value| value.parse().unwrap())
}

#[tokio::test]
async fn metrics_count_runs_and_match_the_ledger() {
    let fixture = fixture().await;
    let metrics = Metrics::new();
    let watcher = metrics.watch(fixture.control.subscribe());
    let app = ferry_server::app(fixture.state(Auth::open(), metrics));
    let events = &fixture.control.events;
    let started = |kind| RunEvent::Started {
        scheme: SCHEME.to_owned(),
        kind,
        at: 1_704_153_600,
    };
    let stats = StatsSnapshot {
        pages: 2,
        fetched: 4,
        written: 2,
        failed: 1,
        skipped: 0,
        rate_limited: 1,
        retries: 3,
        ..StatsSnapshot::default()
    };
    events.send(started(RunKind::Scheduled)).unwrap();
    events.send(finished(stats, RunOutcome::Succeeded)).unwrap();
    events.send(started(RunKind::Scheduled)).unwrap();
    events
        .send(finished(stats, RunOutcome::Failed("boom".to_owned())))
        .unwrap();
    events
        .send(RunEvent::NotStarted {
            scheme: SCHEME.to_owned(),
            kind: RunKind::Manual,
            at: 1,
            error: "lease held".to_owned(),
        })
        .unwrap();
    // The watcher counts events in order: once the last one shows, all have.
    let counts = fixture.store.counts(SCHEME).await.unwrap();
    let mut text = String::new();
    for _ in 0..1000 {
        let (_, body) = send(&app, Method::GET, "/metrics", None, "").await;
        text = body;
        if sample(
            &text,
            "ferry_runs_total",
            &format!("scheme=\"{SCHEME}\",kind=\"manual\",status=\"not_started\""),
        )
        .is_some()
        {
            break;
        }
        tokio::task::yield_now().await;
    }
    for (status, expected) in [
        ("pending", counts.pending),
        ("written", counts.written),
        ("failed", counts.failed),
        ("skipped", counts.skipped),
    ] {
        let labels = format!("scheme=\"{SCHEME}\",status=\"{status}\"");
        assert_eq!(
            sample(&text, "ferry_ledger_records", &labels),
            Some(expected as f64),
            "{status}\n{text}"
        );
    }
    let labels = |status: &str| format!("scheme=\"{SCHEME}\",status=\"{status}\"");
    assert_eq!(
        sample(&text, "ferry_records_total", &labels("written")),
        Some(4.0)
    );
    assert_eq!(
        sample(&text, "ferry_records_total", &labels("fetched")),
        Some(8.0)
    );
    assert_eq!(
        sample(&text, "ferry_records_total", &labels("failed")),
        Some(2.0)
    );
    let scheme = format!("scheme=\"{SCHEME}\"");
    assert_eq!(sample(&text, "ferry_pages_total", &scheme), Some(4.0));
    assert_eq!(
        sample(&text, "ferry_rate_limited_total", &scheme),
        Some(2.0)
    );
    assert_eq!(sample(&text, "ferry_retries_total", &scheme), Some(6.0));
    let run = |kind: &str, status: &str| {
        format!("scheme=\"{SCHEME}\",kind=\"{kind}\",status=\"{status}\"")
    };
    assert_eq!(
        sample(&text, "ferry_runs_total", &run("scheduled", "succeeded")),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "ferry_runs_total", &run("scheduled", "failed")),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "ferry_runs_total", &run("manual", "not_started")),
        Some(1.0)
    );
    let kind = format!("scheme=\"{SCHEME}\",kind=\"scheduled\"");
    assert_eq!(
        sample(&text, "ferry_run_duration_seconds_count", &kind),
        Some(2.0)
    );
    assert!(sample(&text, "ferry_checkpoint_lag_seconds", &scheme).unwrap() > 0.0);
    assert_eq!(sample(&text, "ferry_overlaps_skipped", &scheme), Some(3.0));
    watcher.abort();
}
