//! Calling a platform: through the connection's limiter, retrying what is worth retrying.
//!
//! Contract: `call` sends through `Limiter::acquire`, then classifies the result.
//! - `RateLimited`: the limiter is throttled and the call repeated; this never uses up a retry,
//!   but more than `MAX_RATE_LIMITED` replies in a row fail the call (the platform's quota is
//!   exhausted, e.g. the daily app quota).
//! - `Transient`: retried after an exponential backoff with jitter (backon), at most
//!   `max_retries` times; then the last error is returned.
//! - `Rejected` / `Invalid`: returned at once.
//!
//! Every retry and rate-limit reply is counted in the run's [`RunStats`].

use std::future::Future;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use ferry_platforms::CallError;

use crate::limiter::Limiter;
use crate::stats::RunStats;

/// Rate-limit replies in a row after which a call gives up.
pub const MAX_RATE_LIMITED: u32 = 200;

/// How a connection is called.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries of transient failures per call.
    pub max_retries: u32,
    /// First backoff delay.
    pub min_delay: Duration,
    /// Longest backoff delay.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// The default backoff (200 ms doubling to 10 s) with `max_retries` retries.
    pub fn new(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }

    fn backoff(&self) -> impl Iterator<Item = Duration> + use<> {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries as usize)
            .with_jitter()
            .build()
    }
}

/// Runs `attempt` until it succeeds or fails for good; see the module docs.
pub async fn call<T, F, Fut>(
    limiter: &Limiter,
    policy: RetryPolicy,
    stats: &RunStats,
    mut attempt: F,
) -> Result<T, CallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CallError>>,
{
    let mut backoff = policy.backoff();
    let mut rate_limited_in_a_row = 0;
    loop {
        limiter.acquire().await;
        let error = match attempt().await {
            Ok(value) => {
                limiter.succeeded();
                return Ok(value);
            }
            Err(error) => error,
        };
        match &error {
            CallError::RateLimited { retry_after, .. } => {
                stats.rate_limited.add(1);
                rate_limited_in_a_row += 1;
                if rate_limited_in_a_row > MAX_RATE_LIMITED {
                    return Err(error);
                }
                limiter.throttled(*retry_after);
            }
            CallError::Transient { message } => {
                rate_limited_in_a_row = 0;
                let Some(delay) = backoff.next() else {
                    return Err(error);
                };
                stats.retries.add(1);
                tracing::debug!(%message, ?delay, "transient failure, retrying");
                tokio::time::sleep(delay).await;
            }
            CallError::Rejected { .. } | CallError::Invalid { .. } => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn transient() -> CallError {
        CallError::transient("503")
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_are_retried_up_to_the_limit() {
        let stats = RunStats::default();
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = call(&Limiter::new(None), RetryPolicy::new(3), &stats, || {
            calls.fetch_add(1, Ordering::Relaxed);
            async { Err(transient()) }
        })
        .await;
        assert_eq!(result, Err(transient()));
        assert_eq!(calls.load(Ordering::Relaxed), 4);
        assert_eq!(stats.retries.get(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn rate_limits_do_not_use_up_retries() {
        let stats = RunStats::default();
        let calls = AtomicU32::new(0);
        let result = call(&Limiter::new(None), RetryPolicy::new(0), &stats, || {
            let n = calls.fetch_add(1, Ordering::Relaxed);
            async move {
                if n < 5 {
                    Err(CallError::RateLimited {
                        message: "code 7".to_owned(),
                        retry_after: Some(Duration::from_secs(2)),
                    })
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(result, Ok(5));
        assert_eq!(stats.rate_limited.get(), 5);
        assert_eq!(stats.retries.get(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn rejections_are_not_retried() {
        let stats = RunStats::default();
        let calls = AtomicU32::new(0);
        let rejected = CallError::Rejected {
            message: "bad sign".to_owned(),
        };
        let result: Result<(), _> = call(&Limiter::new(None), RetryPolicy::new(5), &stats, || {
            calls.fetch_add(1, Ordering::Relaxed);
            let rejected = rejected.clone();
            async move { Err(rejected) }
        })
        .await;
        assert_eq!(result, Err(rejected));
        assert_eq!(calls.load(Ordering::Relaxed), 1);
    }
}
