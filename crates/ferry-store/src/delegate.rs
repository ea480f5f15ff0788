//! The `Store` impl shared by both backends: every method delegates to the backend's
//! generic ledger, history and lookup code, so SQLite and PostgreSQL cannot drift apart.

/// Implements [`crate::Store`] for a backend type whose inherent helpers (`*_impl`, `pool`)
/// have the same names in every backend.
macro_rules! impl_store {
    ($ty:ty, $backend:expr) => {
        #[async_trait::async_trait]
        impl $crate::Store for $ty {
            fn backend(&self) -> Backend {
                $backend
            }

            async fn record_fetched(
                &self,
                scheme: &str,
                records: &[FetchedRecord],
                id_check: bool,
            ) -> Result<Vec<Disposition>, StoreError> {
                self.record_fetched_impl(scheme, records, id_check).await
            }

            async fn pending(
                &self,
                scheme: &str,
                after_key: Option<&str>,
                limit: u32,
            ) -> Result<Vec<LedgerRecord>, StoreError> {
                let filter = RecordFilter {
                    status: Some(crate::model::RecordStatus::Pending),
                    key: None,
                };
                self.records_impl(scheme, &filter, after_key, limit).await
            }

            async fn record_outcomes(
                &self,
                scheme: &str,
                outcomes: &[RecordOutcome],
            ) -> Result<Vec<OutcomeEffect>, StoreError> {
                self.record_outcomes_impl(scheme, outcomes).await
            }

            async fn retry_failed(&self, scheme: &str) -> Result<u64, StoreError> {
                self.retry_failed_impl(scheme).await
            }

            async fn records(
                &self,
                scheme: &str,
                filter: &RecordFilter,
                after_key: Option<&str>,
                limit: u32,
            ) -> Result<Vec<LedgerRecord>, StoreError> {
                self.records_impl(scheme, filter, after_key, limit).await
            }

            async fn counts(&self, scheme: &str) -> Result<StatusCounts, StoreError> {
                self.counts_impl(scheme).await
            }

            async fn find_record(
                &self,
                scheme: &str,
                conditions: &[LookupCondition],
            ) -> Result<Option<Value>, StoreError> {
                self.find_record_impl(scheme, conditions).await
            }

            async fn checkpoint(&self, scheme: &str) -> Result<Option<Checkpoint>, StoreError> {
                history::read_checkpoint(&mut self.pool.clone(), scheme).await
            }

            async fn advance_checkpoint(
                &self,
                scheme: &str,
                expected: Option<i64>,
                to: i64,
            ) -> Result<(), StoreError> {
                let mut pool = self.pool.clone();
                history::advance_checkpoint(&mut pool, &self.options, scheme, expected, to).await
            }

            async fn reset_checkpoint(
                &self,
                scheme: &str,
                to: Option<i64>,
            ) -> Result<(), StoreError> {
                history::reset_checkpoint(&mut self.pool.clone(), &self.options, scheme, to).await
            }

            async fn start_run(
                &self,
                scheme: &str,
                kind: RunKind,
                range: Option<TimeRange>,
            ) -> Result<RunId, StoreError> {
                let operation = format!("start run of scheme `{scheme}`");
                let mut tx = self.begin_write(&operation).await?;
                let run = history::start_run(&mut tx, &self.options, scheme, kind, range).await?;
                tx.commit().await.map_err(StoreError::database(operation))?;
                Ok(run)
            }

            async fn heartbeat(&self, run: RunId) -> Result<(), StoreError> {
                let operation = format!("heartbeat of run {run}");
                let mut tx = self.begin_write(&operation).await?;
                history::heartbeat(&mut tx, &self.options, run).await?;
                tx.commit().await.map_err(StoreError::database(operation))
            }

            async fn finish_run(
                &self,
                run: RunId,
                end: RunEnd,
                counts: &RunCounts,
                error: Option<&str>,
            ) -> Result<(), StoreError> {
                let operation = format!("finish run {run}");
                let mut tx = self.begin_write(&operation).await?;
                let finished =
                    history::finish_run(&mut tx, &self.options, run, end, counts, error).await?;
                tx.commit().await.map_err(StoreError::database(operation))?;
                match finished {
                    RunFinish::Recorded | RunFinish::AlreadyFinished => Ok(()),
                    RunFinish::Abandoned { scheme } => Err(StoreError::LeaseLost {
                        scheme,
                        run_id: run.0,
                    }),
                }
            }

            async fn record_window(
                &self,
                run: RunId,
                window: &WindowStats,
            ) -> Result<u32, StoreError> {
                let operation = format!("record window of run {run}");
                let mut tx = self.begin_write(&operation).await?;
                let seq = history::record_window(&mut tx, &self.options, run, window).await?;
                tx.commit().await.map_err(StoreError::database(operation))?;
                Ok(seq)
            }

            async fn run(&self, run: RunId) -> Result<Option<RunRecord>, StoreError> {
                history::run(&mut self.pool.clone(), run).await
            }

            async fn runs(&self, scheme: &str, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
                history::runs(&mut self.pool.clone(), scheme, limit).await
            }

            async fn windows(&self, run: RunId) -> Result<Vec<WindowRecord>, StoreError> {
                history::windows(&mut self.pool.clone(), run).await
            }

            async fn close(&self) {
                self.pool.close().await;
            }
        }
    };
}

pub(crate) use impl_store;
