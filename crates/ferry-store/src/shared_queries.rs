//! Ledger queries whose SQL and decoding are the same on both backends (retry, listing,
//! counts), written once and expanded into each backend's `impl` block, so they cannot drift
//! apart. The invoking module provides `LEDGER_COLUMNS` (its payload column differs: SQLite
//! stores text, PostgreSQL casts `json` to text), `LEDGER_FROM` (SQLite keeps payloads in their
//! own table), `ledger_record`, `status_counts` and `sql`.

/// Implements `retry_failed_impl`, `records_impl` and `counts_impl` for a backend store type
/// (with a `pool` and `options`) on the sqlx database `$db`.
macro_rules! impl_shared_queries {
    ($ty:ty, $db:ty) => {
        impl $ty {
            pub(super) async fn retry_failed_impl(&self, scheme: &str) -> Result<u64, StoreError> {
                let result = sqlx::query(sql::RETRY_FAILED)
                    .bind(scheme)
                    .bind(self.options.now_millis())
                    .execute(&self.pool)
                    .await
                    .map_err(StoreError::database(format!(
                        "retry_failed on scheme `{scheme}`"
                    )))?;
                Ok(result.rows_affected())
            }

            pub(super) async fn records_impl(
                &self,
                scheme: &str,
                filter: &RecordFilter,
                after_key: Option<&str>,
                limit: u32,
            ) -> Result<Vec<LedgerRecord>, StoreError> {
                let mut builder = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT {LEDGER_COLUMNS} FROM {LEDGER_FROM} WHERE scheme = "
                ));
                builder.push_bind(scheme.to_owned());
                if let Some(status) = filter.status {
                    builder.push(" AND status = ").push_bind(status.as_str());
                }
                if let Some(key) = &filter.key {
                    builder.push(" AND record_key = ").push_bind(key.clone());
                }
                if let Some(after_key) = after_key {
                    builder
                        .push(" AND record_key > ")
                        .push_bind(after_key.to_owned());
                }
                builder
                    .push(" ORDER BY record_key LIMIT ")
                    .push_bind(i64::from(limit));
                let rows =
                    builder
                        .build()
                        .fetch_all(&self.pool)
                        .await
                        .map_err(StoreError::database(format!(
                            "list records of scheme `{scheme}`"
                        )))?;
                rows.iter().map(ledger_record).collect()
            }

            pub(super) async fn counts_impl(
                &self,
                scheme: &str,
            ) -> Result<StatusCounts, StoreError> {
                let rows = sqlx::query(sql::COUNTS)
                    .bind(scheme)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(StoreError::database(format!(
                        "count records of scheme `{scheme}`"
                    )))?;
                status_counts(&rows)
            }
        }
    };
}

pub(crate) use impl_shared_queries;
