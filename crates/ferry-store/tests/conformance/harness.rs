//! Opens an isolated store per test: a SQLite file in a fresh temporary directory, or a
//! PostgreSQL schema of its own (`ferry_t_<test>`, dropped before and after the test).
//!
//! PostgreSQL: `FERRY_TEST_POSTGRES_URL`, else `postgres://postgres@127.0.0.1:5432/test`. An
//! unreachable server fails the test with a message saying so; it is never skipped.

use std::sync::Arc;

use ferry_store::{LeaseHolder, ManualClock, Store, StoreOptions};
use jiff::Timestamp;
use sqlx::Connection;

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The moment every test's clock starts at: 2024-05-01T00:00:00Z.
pub const START_SECOND: i64 = 1_714_521_600;

pub struct Harness {
    pub url: String,
    pub clock: Arc<ManualClock>,
    pub store: Arc<dyn Store>,
    /// Keeps the SQLite file's directory alive for the test's duration.
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl Harness {
    pub async fn sqlite() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("ferry.db").display());
        let clock = Arc::new(ManualClock::new(
            Timestamp::from_second(START_SECOND).unwrap(),
        ));
        let store = open(&url, &clock, LeaseHolder::current()).await;
        Harness {
            url,
            clock,
            store,
            _dir: Some(dir),
            postgres: None,
        }
    }

    pub async fn postgres(test_name: &str) -> Harness {
        let base_url = std::env::var("FERRY_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let schema = format!("ferry_t_{test_name}");
        let mut connection = sqlx::PgConnection::connect(&base_url).await.unwrap_or_else(|error| {
            panic!(
                "PostgreSQL is unreachable at `{base_url}` ({error}); start it (CI does) or point \
                 FERRY_TEST_POSTGRES_URL at one"
            )
        });
        recreate_schema(&mut connection, &schema, true).await;
        connection.close().await.unwrap();
        let separator = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{separator}options[search_path]={schema}");
        let clock = Arc::new(ManualClock::new(
            Timestamp::from_second(START_SECOND).unwrap(),
        ));
        let store = open(&url, &clock, LeaseHolder::current()).await;
        Harness {
            url,
            clock,
            store,
            _dir: None,
            postgres: Some((base_url, schema)),
        }
    }

    /// Another store on the same database and clock, leasing as `holder`.
    pub async fn open_as(&self, holder: LeaseHolder) -> Arc<dyn Store> {
        open(&self.url, &self.clock, holder).await
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.clock.advance(jiff::SignedDuration::from_secs(seconds));
    }

    pub fn now(&self) -> Timestamp {
        use ferry_store::Clock;
        self.clock.now()
    }

    /// Closes the store and drops the test's PostgreSQL schema.
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((base_url, schema)) = &self.postgres {
            let mut connection = sqlx::PgConnection::connect(base_url).await.unwrap();
            recreate_schema(&mut connection, schema, false).await;
            connection.close().await.unwrap();
        }
    }
}

/// The lease length every test store uses.
pub const LEASE_TTL_SECONDS: i64 = 60;

async fn open(url: &str, clock: &Arc<ManualClock>, holder: LeaseHolder) -> Arc<dyn Store> {
    let options = StoreOptions {
        lease_ttl: std::time::Duration::from_secs(LEASE_TTL_SECONDS as u64),
        holder,
        clock: clock.clone(),
        max_connections: 4,
    };
    ferry_store::connect_with(url, options).await.unwrap()
}

async fn recreate_schema(connection: &mut sqlx::PgConnection, schema: &str, create: bool) {
    let drop = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
    sqlx::query(sqlx::AssertSqlSafe(drop))
        .execute(&mut *connection)
        .await
        .unwrap();
    if create {
        let create = format!("CREATE SCHEMA \"{schema}\"");
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&mut *connection)
            .await
            .unwrap();
    }
}
