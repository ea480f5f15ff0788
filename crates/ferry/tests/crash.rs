//! The crash test: seed 002 against the Jushuitan simulator into MariaDB, with `ferry run`
//! killed by SIGKILL at random moments, re-run until it succeeds; the target table must then
//! equal the simulator's ground truth exactly (same keys, same values, no extra rows).
//!
//! Kills are aimed without any hook in ferry: after a random delay the test waits, polling
//! from outside, for the moment it aims at (any moment, an open transaction on the target,
//! a checkpoint just moved in the ledger, nothing pending in the ledger) and kills then. After each kill the phase it hit is
//! read from the ledger and the target: `startup` (no run recorded yet), `fetch` (the target
//! holds everything the ledger holds), `ledger-ahead` (records in the ledger, not yet in the
//! target), `mid-transaction` (a target transaction was open), `checkpoint` (the checkpoint
//! moved in the last few milliseconds). The counts are printed.
//!
//! The SIGTERM test stops a run gracefully: exit 1, "interrupted", nothing fetched left
//! unwritten, and the next run completes the target.
//!
//! `FERRY_CHAOS_KILLS` (or `FERRY_CRASH_KILLS`) sets how many kills must land while a run is
//! working (default 10; the long local mode is 50), `FERRY_CRASH_SEED` the seed of the kill
//! delays (printed on failure), `FERRY_TEST_MYSQL_URL` the server (default
//! `mysql://root@127.0.0.1:3306`).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use common::{TargetDb, Workspace, assert_same, expected};
use ferry_sim::{FaultConfig, ModifiedRange, Platform, SimBuilder};
use sqlx::Row as _;

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

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// What a kill waits for once its delay is over.
#[derive(Debug, Clone, Copy)]
enum Aim {
    /// Kill at once.
    Anytime,
    /// Kill while a transaction on the target database is open.
    Transaction,
    /// Kill as soon as the checkpoint has moved.
    Checkpoint,
    /// Kill while the target holds everything the ledger holds (ferry waits on the platform).
    Settled,
}

const AIMS: [Aim; 4] = [
    Aim::Anytime,
    Aim::Transaction,
    Aim::Checkpoint,
    Aim::Settled,
];

/// How long a run may go on before the test calls it hung (a whole run takes seconds).
const HUNG_AFTER: Duration = Duration::from_secs(180);

/// A kill landing this soon after the checkpoint moved counts as `checkpoint`.
const CHECKPOINT_SLACK_MS: i64 = 25;

/// What the ledger says, read while ferry runs or after it died.
#[derive(Debug, Default)]
struct LedgerState {
    last_run: i64,
    records: i64,
    pending: i64,
    checkpoint: Option<(i64, i64)>,
}

/// Reads the ledger of the workspace at `root` (WAL: readers never block ferry).
async fn ledger_state(root: &Path) -> LedgerState {
    let path = root.join("ferry.db");
    if !path.exists() {
        return LedgerState::default();
    }
    let url = format!("sqlite://{}?mode=ro", path.display());
    let Ok(pool) = sqlx::SqlitePool::connect(&url).await else {
        return LedgerState::default();
    };
    let mut state = LedgerState::default();
    if let Ok(row) = sqlx::query(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM runs), \
         (SELECT COUNT(*) FROM ledger_records), \
         (SELECT COUNT(*) FROM ledger_records WHERE status = 'pending')",
    )
    .fetch_one(&pool)
    .await
    {
        state.last_run = row.get(0);
        state.records = row.get(1);
        state.pending = row.get(2);
    }
    if let Ok(Some(row)) = sqlx::query("SELECT position, updated_at FROM checkpoints")
        .fetch_optional(&pool)
        .await
    {
        state.checkpoint = Some((row.get(0), row.get(1)));
    }
    pool.close().await;
    state
}

/// Transactions open on `database` (each batch ferry writes is one).
async fn open_transactions(admin: &sqlx::MySqlPool, database: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.INNODB_TRX t \
         JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id WHERE p.DB = ?",
    )
    .bind(database)
    .fetch_one(admin)
    .await
    .unwrap()
}

/// Reads the child's stdout and stderr to the end in the background, so it never blocks on a
/// full pipe while the test is busy aiming; yields stderr.
fn drain(child: &mut tokio::process::Child) -> tokio::task::JoinHandle<String> {
    use tokio::io::AsyncReadExt as _;
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    tokio::spawn(async move {
        let (mut ignored, mut text) = (Vec::new(), Vec::new());
        let _ = tokio::join!(
            stdout.read_to_end(&mut ignored),
            stderr.read_to_end(&mut text)
        );
        String::from_utf8_lossy(&text).into_owned()
    })
}

/// What a hung `ferry run` was doing, saved for the failure message: MariaDB's process list,
/// open InnoDB transactions and `SHOW ENGINE INNODB STATUS` (lock waits), and every thread's
/// backtrace when gdb is installed. Returns where the report was written.
async fn hang_report(pid: Option<u32>, admin: &sqlx::MySqlPool) -> String {
    let mut report = String::new();
    let queries = [
        "SELECT CONCAT_WS(' | ', ID, USER, DB, COMMAND, TIME, STATE, LEFT(INFO, 200)) \
         FROM information_schema.PROCESSLIST",
        "SELECT CONCAT_WS(' | ', trx_id, trx_state, trx_started, trx_mysql_thread_id, \
         trx_rows_locked, trx_rows_modified, LEFT(trx_query, 200)) FROM information_schema.INNODB_TRX",
    ];
    for sql in queries {
        report.push_str(&format!("== {sql}\n"));
        match sqlx::query_scalar::<_, String>(sql).fetch_all(admin).await {
            Ok(lines) => lines
                .iter()
                .for_each(|line| report.push_str(&format!("{line}\n"))),
            Err(error) => report.push_str(&format!("{error}\n")),
        }
    }
    if let Ok(row) = sqlx::query("SHOW ENGINE INNODB STATUS")
        .fetch_one(admin)
        .await
    {
        let status: String = row.try_get(2).unwrap_or_default();
        report.push_str(&format!("== SHOW ENGINE INNODB STATUS\n{status}\n"));
    }
    if let Some(pid) = pid {
        let gdb = std::process::Command::new("gdb")
            .args([
                "-p",
                &pid.to_string(),
                "-batch",
                "-ex",
                "thread apply all bt",
            ])
            .output();
        match gdb {
            Ok(output) => {
                report.push_str("== gdb thread apply all bt\n");
                report.push_str(&String::from_utf8_lossy(&output.stdout));
            }
            Err(error) => report.push_str(&format!("== no backtrace (gdb: {error})\n")),
        }
    }
    let path = std::env::temp_dir().join(format!("ferry-hang-{}.txt", pid.unwrap_or(0)));
    std::fs::write(&path, report).unwrap();
    format!(
        "process list, InnoDB status and backtraces in {}",
        path.display()
    )
}

/// Which phase a kill at `kill_ms` hit, from what was seen just before and after it.
fn phase(runs_before: i64, transactions: i64, after: &LedgerState, kill_ms: i64) -> &'static str {
    if after.last_run == runs_before {
        "startup"
    } else if transactions > 0 {
        "mid-transaction"
    } else if after
        .checkpoint
        .is_some_and(|(_, at)| at >= kill_ms - CHECKPOINT_SLACK_MS)
    {
        "checkpoint"
    } else if after.pending > 0 {
        "ledger-ahead"
    } else {
        "fetch"
    }
}

/// Waits for `aim`, polling; `false` when the run ended first.
async fn aim_at(
    aim: Aim,
    child: &mut tokio::process::Child,
    ws: &Workspace,
    admin: &sqlx::MySqlPool,
    database: &str,
) -> bool {
    let checkpoint = ledger_state(&ws.root).await.checkpoint.map(|(at, _)| at);
    let started = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        // A run of this size takes seconds; one still going after minutes is hung.
        if started.elapsed() > HUNG_AFTER {
            let state = ledger_state(&ws.root).await;
            let transactions = open_transactions(admin, database).await;
            let report = hang_report(child.id(), admin).await;
            panic!(
                "ferry run hung while aiming at {aim:?}: {state:?}, {transactions} open target \
                 transactions; {report}"
            );
        }
        let hit = match aim {
            Aim::Anytime => true,
            Aim::Transaction => open_transactions(admin, database).await > 0,
            Aim::Checkpoint => {
                ledger_state(&ws.root).await.checkpoint.map(|(at, _)| at) != checkpoint
            }
            Aim::Settled => {
                let state = ledger_state(&ws.root).await;
                state.records > 0
                    && state.pending == 0
                    && open_transactions(admin, database).await == 0
            }
        };
        if hit {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// The Jushuitan simulator with latency (so a run lasts long enough to be killed in every
/// phase) and, when `moving`, moving records (so re-fetches and completeness checks are among
/// what gets killed).
async fn slow_sim(orders: u32, moving: bool) -> ferry_sim::SimHandle {
    let mut faults = FaultConfig::default();
    faults.apply_spec("latency=3").unwrap();
    if moving {
        faults.apply_spec("move=0.05").unwrap();
    }
    SimBuilder::new(Platform::Jushuitan)
        .seed(5)
        .orders(orders)
        .faults(faults)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// Re-runs until one succeeds (at most three times), then compares with ground truth and
/// checks that no key is in the table twice.
async fn rerun_and_reconcile(ws: &Workspace, sim: &ferry_sim::SimHandle, context: &str) {
    let mut succeeded = false;
    for _ in 0..3 {
        let child = ws.run(&[]).spawn().unwrap();
        let pid = child.id();
        // The child is killed when dropped, so the report is taken while it is still held.
        let mut wait = std::pin::pin!(child.wait_with_output());
        let output = tokio::select! {
            output = &mut wait => output.unwrap(),
            () = tokio::time::sleep(HUNG_AFTER) => {
                let admin = sqlx::MySqlPool::connect(&format!("{}/test", common::mysql_server()))
                    .await
                    .unwrap();
                panic!("a re-run hung ({context}): {}", hang_report(pid, &admin).await)
            }
        };
        if output.status.success() {
            succeeded = true;
            break;
        }
        eprintln!("re-run failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    assert!(succeeded, "no re-run succeeded ({context})");
    let truth = sim.simulator().ground_truth(ModifiedRange::default());
    let expected = expected(&ws.scheme(), &truth);
    let rows = ws.actual_rows().await;
    assert_eq!(rows.len(), expected.len(), "row count ({context})");
    assert_same(&ws.actual().await, &expected, context);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_resume_and_the_target_equals_ground_truth() {
    let kills_wanted = env_number("FERRY_CHAOS_KILLS")
        .or_else(|| env_number("FERRY_CRASH_KILLS"))
        .unwrap_or(10);
    let seed = env_number("FERRY_CRASH_SEED")
        .unwrap_or_else(|| jiff::Timestamp::now().as_nanosecond() as u64 | 1);
    let mut delays = Delays(seed);
    let sim = slow_sim(3_000, true).await;
    let database = format!("ferry_crash_{}", std::process::id());
    let ws = Workspace::new(
        &sim.base_url(),
        TargetDb::Mysql(database.clone()),
        "qimensecret",
    )
    .await;
    let admin = sqlx::MySqlPool::connect(&format!("{}/test", common::mysql_server()))
        .await
        .unwrap();

    let mut phases: BTreeMap<&str, u64> = BTreeMap::new();
    let mut landed = 0;
    let mut finished_early = 0;
    let mut attempts = 0;
    while landed < kills_wanted && attempts < kills_wanted * 4 {
        let aim = AIMS[attempts as usize % AIMS.len()];
        attempts += 1;
        let runs_before = ledger_state(&ws.root).await.last_run;
        let mut child = ws.run(&[]).spawn().unwrap();
        let stderr = drain(&mut child);
        let delay = delays.next_ms(20, 1_200);
        let killed = match tokio::time::timeout(Duration::from_millis(delay), child.wait()).await {
            Ok(_) => false,
            Err(_elapsed) => aim_at(aim, &mut child, &ws, &admin, &database).await,
        };
        if killed {
            let transactions = open_transactions(&admin, &database).await;
            let kill_ms = now_ms();
            child.kill().await.unwrap();
            let after = ledger_state(&ws.root).await;
            *phases
                .entry(phase(runs_before, transactions, &after, kill_ms))
                .or_default() += 1;
            landed += 1;
            continue;
        }
        let status = child.wait().await.unwrap();
        assert!(
            status.success(),
            "an unkilled run failed (seed {seed}): {}",
            stderr.await.unwrap()
        );
        // The run ended before its kill: it does not count. Forget the ledger so the next run
        // has the whole range to do again.
        finished_early += 1;
        for file in ["ferry.db", "ferry.db-wal", "ferry.db-shm"] {
            std::fs::remove_file(ws.root.join(file)).ok();
        }
    }
    assert!(
        landed >= kills_wanted,
        "only {landed} kills landed mid-run (seed {seed})"
    );
    rerun_and_reconcile(&ws, &sim, &format!("seed {seed}")).await;
    eprintln!(
        "crash test: {landed} kills mid-run by phase {phases:?}, {finished_early} runs finished \
         before their kill, target equal to ground truth (seed {seed})"
    );
    admin.close().await;
    ws.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_gracefully_and_the_next_run_completes() {
    // No moving records: a record fetched twice in one run could be left pending by design
    // (its newer version is written by the final drain, which a cancelled run skips).
    let sim = slow_sim(2_000, false).await;
    let database = format!("ferry_sigterm_{}", std::process::id());
    let ws = Workspace::new(&sim.base_url(), TargetDb::Mysql(database), "qimensecret").await;
    let child = ws.run(&[]).spawn().unwrap();
    let pid = child.id().unwrap();
    // Wait until the run has records in the ledger, so there is something to finish.
    let mut waited = 0;
    while ledger_state(&ws.root).await.records == 0 && waited < 3_000 {
        tokio::time::sleep(Duration::from_millis(5)).await;
        waited += 5;
    }
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");

    // What was fetched was written before the exit: nothing is left pending, the run is
    // recorded as cancelled, and the target holds part of the data.
    let after = ledger_state(&ws.root).await;
    assert_eq!(
        after.pending, 0,
        "records fetched but not written: {stderr}"
    );
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}?mode=ro",
        ws.root.join("ferry.db").display()
    ))
    .await
    .unwrap();
    let status: String = sqlx::query_scalar("SELECT status FROM runs ORDER BY id DESC LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(status, "cancelled");
    let partial = ws.actual().await.len();
    assert!(
        partial > 0,
        "the records fetched before SIGTERM were written"
    );

    rerun_and_reconcile(&ws, &sim, "after SIGTERM").await;
    ws.cleanup().await;
}
