//! The store conformance suite: every test is a generic async function over a `Harness` (an
//! `Arc<dyn Store>` plus its clock), instantiated once for SQLite and once for PostgreSQL.
//! Backend-specific checks (reopening a SQLite file) follow the instantiations.
//!
//! PostgreSQL tests need a server (`FERRY_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`); without one they fail, saying so.

mod fixtures;
mod harness;
mod ledger;
mod lookup;
mod reading;
mod runs;
mod state_machine;

/// One `#[tokio::test]` per listed conformance function, on a fresh harness from `$open`.
macro_rules! instantiate {
    ($open:path; $($module:ident :: $test:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $test() {
                let harness = $open(stringify!($test)).await;
                crate::$module::$test(&harness).await;
                harness.finish().await;
            }
        )+
    };
}

/// The whole suite, for the backend `$open` opens.
macro_rules! conformance_suite {
    ($open:path) => {
        instantiate!($open;
            ledger::new_records_are_pending,
            ledger::written_then_id_check_skips,
            ledger::changed_content_after_write_is_pending,
            ledger::pending_stays_pending_with_newest_payload,
            ledger::failed_retry_cycle,
            ledger::outcome_for_an_older_version_is_superseded,
            ledger::skipped_outcome_keeps_its_reason,
            ledger::unknown_outcome_key_changes_nothing,
            ledger::duplicate_keys_in_a_batch_keep_the_last,
            reading::pending_pages_by_key_across_2500_records,
            reading::unicode_keys_and_payloads_round_trip,
            reading::records_filter_and_page,
            ledger::schemes_are_isolated,
            lookup::find_by_nested_path,
            lookup::find_with_operators_and_latest_version,
            runs::checkpoint_compare_and_set,
            runs::run_lifecycle_and_history,
            runs::lease_excludes_a_second_run,
            runs::heartbeat_extends_and_expiry_frees_the_lease,
            runs::dead_local_holder_frees_the_lease,
            runs::concurrent_starts_admit_exactly_one,
            runs::unknown_runs_are_reported,
        );
    };
}

mod sqlite {
    use ferry_store::{Backend, RecordStatus, RunCounts, RunEnd, RunKind, RunStatus};

    use crate::fixtures::{fetched, record, written};
    use crate::harness::Harness;

    async fn open(_test: &str) -> Harness {
        Harness::sqlite().await
    }

    conformance_suite!(open);

    #[test]
    fn state_machine_matches_model() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let harness = runtime.block_on(Harness::sqlite());
        crate::state_machine::check(&runtime, &harness, 96);
        runtime.block_on(harness.finish());
    }

    /// Simulated crash: every handle to the pool is dropped without closing it, then the file
    /// is opened again.
    #[tokio::test]
    async fn reopened_file_holds_every_committed_change() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("ferry.db").display());
        let store = ferry_store::connect(&url).await.unwrap();
        assert_eq!(store.backend(), Backend::Sqlite);
        store
            .record_fetched("orders", &[fetched("a", 1), fetched("b", 1)], true)
            .await
            .unwrap();
        store
            .record_outcomes("orders", &[written("a", 1)])
            .await
            .unwrap();
        store
            .advance_checkpoint("orders", None, 1_000)
            .await
            .unwrap();
        let run = store
            .start_run("orders", RunKind::Scheduled, None)
            .await
            .unwrap();
        drop(store);

        let reopened = ferry_store::connect(&url).await.unwrap();
        assert_eq!(
            record(reopened.as_ref(), "orders", "a").await.status,
            RecordStatus::Written
        );
        assert_eq!(
            record(reopened.as_ref(), "orders", "b").await.status,
            RecordStatus::Pending
        );
        assert_eq!(
            reopened
                .checkpoint("orders")
                .await
                .unwrap()
                .map(|c| c.position),
            Some(1_000)
        );
        // The run's lease survived too: its holder (this process) is alive, so it still excludes.
        assert!(
            reopened
                .start_run("orders", RunKind::Manual, None)
                .await
                .is_err()
        );
        reopened
            .finish_run(run, RunEnd::Cancelled, &RunCounts::default(), None)
            .await
            .unwrap();
        assert_eq!(
            reopened.run(run).await.unwrap().unwrap().status,
            RunStatus::Cancelled
        );
        reopened.close().await;
    }

    #[tokio::test]
    async fn creates_the_file_and_migrates_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested.db");
        let url = format!("sqlite://{}", path.display());
        let first = ferry_store::connect(&url).await.unwrap();
        assert!(path.exists());
        first.close().await;
        // Opening an up-to-date database again applies nothing and succeeds.
        let second = ferry_store::connect(&url).await.unwrap();
        second.close().await;
        let mut connection = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        let version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&mut connection)
            .await
            .unwrap();
        assert_eq!(version, ferry_store::SQLITE_SCHEMA_VERSION);
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut connection)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }
}

mod postgres {
    use crate::harness::Harness;

    async fn open(test: &str) -> Harness {
        Harness::postgres(test).await
    }

    conformance_suite!(open);

    #[test]
    fn state_machine_matches_model() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let harness = runtime.block_on(Harness::postgres("state_machine"));
        assert_eq!(harness.store.backend(), ferry_store::Backend::Postgres);
        crate::state_machine::check(&runtime, &harness, 96);
        runtime.block_on(harness.finish());
    }
}
