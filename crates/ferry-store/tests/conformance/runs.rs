//! Checkpoint and run-history conformance: compare-and-set, leases (exclusion, heartbeat,
//! expiry, dead holders), windows and history.

use ferry_store::{
    Checkpoint, ErrorClass, LeaseHolder, RunCounts, RunEnd, RunId, RunKind, RunStatus, StoreError,
    TimeRange, WindowStats, WindowStatus,
};

use crate::harness::{Harness, LEASE_TTL_SECONDS, START_SECOND};

pub async fn checkpoint_compare_and_set(h: &Harness) {
    let store = h.store.as_ref();
    assert_eq!(store.checkpoint("orders").await.unwrap(), None);
    store
        .advance_checkpoint("orders", None, 1_000)
        .await
        .unwrap();
    let conflict = store
        .advance_checkpoint("orders", None, 2_000)
        .await
        .unwrap_err();
    assert!(
        matches!(
            conflict,
            StoreError::CheckpointConflict {
                expected: None,
                actual: Some(1_000),
                ..
            }
        ),
        "{conflict:?}"
    );
    assert_eq!(conflict.class(), ErrorClass::Internal);
    let conflict = store
        .advance_checkpoint("orders", Some(900), 2_000)
        .await
        .unwrap_err();
    assert!(
        matches!(
            conflict,
            StoreError::CheckpointConflict {
                expected: Some(900),
                actual: Some(1_000),
                ..
            }
        ),
        "{conflict:?}"
    );
    let conflict = store
        .advance_checkpoint("refunds", Some(1_000), 2_000)
        .await
        .unwrap_err();
    assert!(
        matches!(
            conflict,
            StoreError::CheckpointConflict { actual: None, .. }
        ),
        "{conflict:?}"
    );
    let backwards = store
        .advance_checkpoint("orders", Some(1_000), 999)
        .await
        .unwrap_err();
    assert!(matches!(
        backwards,
        StoreError::CheckpointBackwards {
            current: 1_000,
            to: 999,
            ..
        }
    ));
    h.advance(30);
    store
        .advance_checkpoint("orders", Some(1_000), 2_000)
        .await
        .unwrap();
    store
        .advance_checkpoint("orders", Some(2_000), 2_000)
        .await
        .unwrap();
    let expected = Checkpoint {
        position: 2_000,
        updated_at: h.now(),
    };
    assert_eq!(store.checkpoint("orders").await.unwrap(), Some(expected));
    assert_eq!(store.checkpoint("refunds").await.unwrap(), None);

    // `--from`: explicit, may move back.
    store.reset_checkpoint("orders", Some(500)).await.unwrap();
    assert_eq!(
        store
            .checkpoint("orders")
            .await
            .unwrap()
            .map(|c| c.position),
        Some(500)
    );
    store.reset_checkpoint("refunds", Some(7)).await.unwrap();
    assert_eq!(
        store
            .checkpoint("refunds")
            .await
            .unwrap()
            .map(|c| c.position),
        Some(7)
    );
    store.reset_checkpoint("orders", None).await.unwrap();
    assert_eq!(store.checkpoint("orders").await.unwrap(), None);
    store.advance_checkpoint("orders", None, 10).await.unwrap();
}

fn window(from: i64, to: i64, status: WindowStatus) -> WindowStats {
    WindowStats {
        range: TimeRange { from, to },
        pages: 3,
        counts: RunCounts {
            fetched: 250,
            pending: 200,
            skipped: 50,
            written: 190,
            failed: 10,
        },
        reported_total: Some(250),
        status,
        error: None,
    }
}

pub async fn run_lifecycle_and_history(h: &Harness) {
    let store = h.store.as_ref();
    let range = TimeRange {
        from: 1_000,
        to: 90_000,
    };
    let run = store
        .start_run("orders", RunKind::Scheduled, Some(range))
        .await
        .unwrap();
    let started = store.run(run).await.unwrap().unwrap();
    assert_eq!(started.scheme, "orders");
    assert_eq!(
        (started.kind, started.status, started.range),
        (RunKind::Scheduled, RunStatus::Running, Some(range))
    );
    assert_eq!(started.holder, LeaseHolder::current().to_string());
    assert_eq!(started.started_at.as_second(), START_SECOND);
    assert_eq!(
        started.lease_expires_at.map(|at| at.as_second()),
        Some(START_SECOND + LEASE_TTL_SECONDS)
    );
    assert_eq!((started.finished_at, started.error.clone()), (None, None));
    assert_eq!(started.counts, RunCounts::default());

    let first = window(1_000, 45_000, WindowStatus::Complete);
    let mut second = window(45_000, 90_000, WindowStatus::Incomplete);
    second.reported_total = None;
    second.error = Some("fetched 240 distinct keys, platform reported 250".to_owned());
    assert_eq!(store.record_window(run, &first).await.unwrap(), 1);
    h.advance(5);
    assert_eq!(store.record_window(run, &second).await.unwrap(), 2);
    let windows = store.windows(run).await.unwrap();
    assert_eq!(windows.len(), 2);
    assert_eq!(
        (windows[0].run_id, windows[0].seq, &windows[0].stats),
        (run, 1, &first)
    );
    assert_eq!((windows[1].seq, &windows[1].stats), (2, &second));
    assert_eq!(windows[1].recorded_at.as_second(), START_SECOND + 5);

    let counts = RunCounts {
        fetched: 500,
        pending: 400,
        skipped: 100,
        written: 380,
        failed: 20,
    };
    store
        .finish_run(run, RunEnd::Failed, &counts, Some("window 2 incomplete"))
        .await
        .unwrap();
    let finished = store.run(run).await.unwrap().unwrap();
    assert_eq!(finished.status, RunStatus::Failed);
    assert_eq!(finished.counts, counts);
    assert_eq!(finished.error.as_deref(), Some("window 2 incomplete"));
    assert_eq!(
        finished.finished_at.map(|at| at.as_second()),
        Some(START_SECOND + 5)
    );
    assert_eq!(finished.lease_expires_at, None);
    // Finishing again changes nothing.
    store
        .finish_run(run, RunEnd::Succeeded, &RunCounts::default(), None)
        .await
        .unwrap();
    assert_eq!(store.run(run).await.unwrap().unwrap(), finished);

    let retry = store
        .start_run("orders", RunKind::Retry, None)
        .await
        .unwrap();
    assert!(retry > run);
    store
        .finish_run(retry, RunEnd::Succeeded, &RunCounts::default(), None)
        .await
        .unwrap();
    let other = store
        .start_run("refunds", RunKind::Manual, None)
        .await
        .unwrap();
    let history = store.runs("orders", 10).await.unwrap();
    let ids: Vec<RunId> = history.iter().map(|run| run.id).collect();
    assert_eq!(ids, vec![retry, run]);
    assert_eq!(history[0].range, None);
    assert_eq!(store.runs("orders", 1).await.unwrap().len(), 1);
    assert_eq!(store.runs("refunds", 10).await.unwrap()[0].id, other);
    assert_eq!(store.windows(retry).await.unwrap(), vec![]);
    assert_eq!(store.run(RunId(987_654)).await.unwrap(), None);
}

pub async fn lease_excludes_a_second_run(h: &Harness) {
    let store = h.store.as_ref();
    let first = store
        .start_run("orders", RunKind::Scheduled, None)
        .await
        .unwrap();
    let error = store
        .start_run("orders", RunKind::Manual, None)
        .await
        .unwrap_err();
    match &error {
        StoreError::RunInProgress {
            scheme,
            run_id,
            holder,
            expires_at,
        } => {
            assert_eq!((scheme.as_str(), *run_id), ("orders", first.0));
            assert_eq!(holder, &LeaseHolder::current().to_string());
            assert_eq!(expires_at.as_second(), START_SECOND + LEASE_TTL_SECONDS);
        }
        other => panic!("expected RunInProgress, got {other:?}"),
    }
    assert_eq!(error.class(), ErrorClass::Transient);
    // Another process on another host is excluded the same way.
    let elsewhere = h
        .open_as(LeaseHolder {
            host: "other-host".to_owned(),
            pid: 1,
        })
        .await;
    let error = elsewhere
        .start_run("orders", RunKind::Manual, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::RunInProgress { .. }),
        "{error:?}"
    );
    // Other schemes are not affected; a finished run frees the scheme.
    elsewhere
        .start_run("refunds", RunKind::Manual, None)
        .await
        .unwrap();
    store
        .finish_run(first, RunEnd::Succeeded, &RunCounts::default(), None)
        .await
        .unwrap();
    let second = elsewhere
        .start_run("orders", RunKind::Manual, None)
        .await
        .unwrap();
    assert_eq!(
        store.run(second).await.unwrap().unwrap().holder,
        "other-host:1"
    );
    elsewhere.close().await;
}

pub async fn heartbeat_extends_and_expiry_frees_the_lease(h: &Harness) {
    let store = h.store.as_ref();
    let elsewhere = h
        .open_as(LeaseHolder {
            host: "other-host".to_owned(),
            pid: 1,
        })
        .await;
    let first = store
        .start_run("orders", RunKind::Scheduled, None)
        .await
        .unwrap();
    h.advance(LEASE_TTL_SECONDS - 1);
    store.heartbeat(first).await.unwrap();
    h.advance(2);
    // Past the first expiry, but the heartbeat renewed the lease.
    let error = elsewhere
        .start_run("orders", RunKind::Manual, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::RunInProgress { .. }),
        "{error:?}"
    );
    let running = store.run(first).await.unwrap().unwrap();
    assert_eq!(
        running.heartbeat_at.as_second(),
        START_SECOND + LEASE_TTL_SECONDS - 1
    );

    // The holder stops heartbeating (killed): once the lease expires, the next run takes over.
    h.advance(LEASE_TTL_SECONDS);
    let second = elsewhere
        .start_run("orders", RunKind::Manual, None)
        .await
        .unwrap();
    let abandoned = store.run(first).await.unwrap().unwrap();
    assert_eq!(abandoned.status, RunStatus::Abandoned);
    assert_eq!(abandoned.lease_expires_at, None);
    assert!(
        abandoned.error.as_deref().unwrap().contains("other-host:1"),
        "{abandoned:?}"
    );
    let error = store.heartbeat(first).await.unwrap_err();
    assert!(
        matches!(error, StoreError::LeaseLost { run_id, .. } if run_id == first.0),
        "{error:?}"
    );
    let counts = RunCounts {
        fetched: 3,
        ..RunCounts::default()
    };
    let error = store
        .finish_run(first, RunEnd::Succeeded, &counts, None)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::LeaseLost { .. }), "{error:?}");
    let after = store.run(first).await.unwrap().unwrap();
    assert_eq!((after.status, after.counts), (RunStatus::Abandoned, counts));
    // The new run's lease is intact.
    elsewhere.heartbeat(second).await.unwrap();
    let current = store.run(second).await.unwrap().unwrap();
    assert_eq!(current.status, RunStatus::Running);
    assert!(current.lease_expires_at.is_some());
    elsewhere.close().await;
}

pub async fn dead_local_holder_frees_the_lease(h: &Harness) {
    let store = h.store.as_ref();
    let host = LeaseHolder::current().host;
    // Above the kernel's maximum pid: a process of this host that is certainly gone.
    let killed = h
        .open_as(LeaseHolder {
            host: host.clone(),
            pid: 4_194_305,
        })
        .await;
    let dead_run = killed
        .start_run("orders", RunKind::Scheduled, None)
        .await
        .unwrap();
    let taken_over = store
        .start_run("orders", RunKind::Manual, None)
        .await
        .unwrap();
    assert_eq!(
        store.run(dead_run).await.unwrap().unwrap().status,
        RunStatus::Abandoned
    );
    store
        .finish_run(taken_over, RunEnd::Succeeded, &RunCounts::default(), None)
        .await
        .unwrap();
    // The same pid on another host may be alive: only expiry frees its lease.
    let remote = h
        .open_as(LeaseHolder {
            host: format!("{host}-remote"),
            pid: 4_194_305,
        })
        .await;
    remote
        .start_run("orders", RunKind::Scheduled, None)
        .await
        .unwrap();
    let error = store
        .start_run("orders", RunKind::Manual, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::RunInProgress { .. }),
        "{error:?}"
    );
    killed.close().await;
    remote.close().await;
}

pub async fn concurrent_starts_admit_exactly_one(h: &Harness) {
    let mut stores = Vec::new();
    for pid in 1..=6 {
        stores.push(
            h.open_as(LeaseHolder {
                host: "other-host".to_owned(),
                pid,
            })
            .await,
        );
    }
    let starts = stores
        .iter()
        .map(|store| store.start_run("orders", RunKind::Scheduled, None));
    let results = futures_util::future::join_all(starts).await;
    let winners: Vec<RunId> = results
        .iter()
        .filter_map(|result| result.as_ref().ok().copied())
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for result in &results {
        match result {
            Ok(_) => {}
            Err(StoreError::RunInProgress { run_id, .. }) => assert_eq!(*run_id, winners[0].0),
            Err(other) => panic!("expected RunInProgress, got {other:?}"),
        }
    }
    let history = h.store.runs("orders", 10).await.unwrap();
    let ids: Vec<RunId> = history.iter().map(|run| run.id).collect();
    assert_eq!(ids, winners, "losing starts must leave no run behind");
    for store in stores {
        store.close().await;
    }
}

pub async fn unknown_runs_are_reported(h: &Harness) {
    let store = h.store.as_ref();
    let ghost = RunId(424_242);
    let error = store.heartbeat(ghost).await.unwrap_err();
    assert!(
        matches!(error, StoreError::UnknownRun { run_id: 424_242 }),
        "{error:?}"
    );
    let error = store
        .finish_run(ghost, RunEnd::Succeeded, &RunCounts::default(), None)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::UnknownRun { .. }), "{error:?}");
    let error = store
        .record_window(ghost, &window(0, 1, WindowStatus::Failed))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::UnknownRun { .. }), "{error:?}");
    assert_eq!(store.windows(ghost).await.unwrap(), vec![]);
}
