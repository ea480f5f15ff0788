//! The crash test: seed 002 against the Jushuitan simulator into MariaDB, with `ferry run`
//! killed by SIGKILL at random moments, re-run until it succeeds; the target table must then
//! equal the simulator's ground truth exactly (same keys, same values, no extra rows).
//!
//! `FERRY_CRASH_KILLS` sets how many kills must land while a run is working (default 10; the
//! long local mode is 50), `FERRY_CRASH_SEED` the seed of the kill delays (printed on
//! failure), `FERRY_TEST_MYSQL_URL` the server (default `mysql://root@127.0.0.1:3306`).

mod common;

use std::time::Duration;

use common::{TargetDb, Workspace, assert_same, expected};
use ferry_sim::{FaultConfig, ModifiedRange, Platform, SimBuilder};

/// A small deterministic generator for kill delays (xorshift64*).
struct Delays(u64);

impl Delays {
    fn next_ms(&mut self, low: u64, high: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        low + self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % (high - low)
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_resume_and_the_target_equals_ground_truth() {
    let kills_wanted = env_number("FERRY_CRASH_KILLS").unwrap_or(10);
    let seed = env_number("FERRY_CRASH_SEED")
        .unwrap_or_else(|| jiff::Timestamp::now().as_nanosecond() as u64 | 1);
    let mut delays = Delays(seed);
    // Latency so a run lasts long enough to be killed in every phase; moving records so
    // re-fetches and completeness checks are among what gets killed.
    let mut faults = FaultConfig::default();
    faults.apply_spec("latency=3").unwrap();
    faults.apply_spec("move=0.05").unwrap();
    let sim = SimBuilder::new(Platform::Jushuitan)
        .seed(5)
        .orders(3_000)
        .faults(faults)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let database = format!("ferry_crash_{}", std::process::id());
    let ws = Workspace::new(&sim.base_url(), TargetDb::Mysql(database), "qimensecret").await;

    let mut landed = 0;
    let mut finished_early = 0;
    let mut attempts = 0;
    while landed < kills_wanted && attempts < kills_wanted * 4 {
        attempts += 1;
        let mut child = ws.run(&[]).spawn().unwrap();
        let delay = delays.next_ms(20, 1_500);
        match tokio::time::timeout(Duration::from_millis(delay), child.wait()).await {
            Ok(status) => {
                let status = status.unwrap();
                let output = child.wait_with_output().await.unwrap();
                assert!(
                    status.success(),
                    "an unkilled run failed (seed {seed}): {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                // The run ended before its kill: it does not count. Forget the ledger so the
                // next run has the whole range to do again.
                finished_early += 1;
                std::fs::remove_file(ws.root.join("ferry.db")).ok();
            }
            Err(_elapsed) => {
                child.kill().await.unwrap();
                landed += 1;
            }
        }
    }
    assert!(
        landed >= kills_wanted,
        "only {landed} kills landed mid-run (seed {seed})"
    );

    let mut succeeded = false;
    for _ in 0..3 {
        let output = ws.run(&[]).output().await.unwrap();
        if output.status.success() {
            succeeded = true;
            break;
        }
        eprintln!("re-run failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    assert!(succeeded, "no re-run succeeded (seed {seed})");

    let truth = sim.simulator().ground_truth(ModifiedRange::default());
    let expected = expected(&ws.scheme(), &truth);
    assert_same(&ws.actual().await, &expected, &format!("seed {seed}"));
    eprintln!(
        "crash test: {landed} kills mid-run, {finished_early} runs finished before their kill, \
         {} rows equal to ground truth (seed {seed})",
        expected.len()
    );
    ws.cleanup().await;
}
