//! The target database dies in the middle of a batch and comes back: seed 002 against the
//! Jushuitan simulator into a private MariaDB server (its own data directory and port under a
//! temp dir; the shared server is never touched), killed with SIGKILL while a `ferry run`
//! transaction is open, restarted (InnoDB crash recovery), and the run re-run: the target
//! must equal the simulator's ground truth, with nothing lost and nothing twice.
//!
//! Skipped with a message when `mariadbd` or `mariadb-install-db` is not installed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Seed, TargetDb, Workspace, assert_same, expected};
use ferry_sim::{FaultConfig, ModifiedRange, Platform, SimBuilder};

/// A MariaDB server of this test's own.
struct PrivateMariadb {
    dir: tempfile::TempDir,
    port: u16,
    server: Option<Child>,
}

impl PrivateMariadb {
    /// Initialises a data directory and starts the server; `None` when MariaDB is not
    /// installed.
    async fn start() -> Option<PrivateMariadb> {
        let dir = tempfile::tempdir().unwrap();
        let installed = Command::new("mariadb-install-db")
            .args([
                "--no-defaults",
                "--user=root",
                "--auth-root-authentication-method=normal",
            ])
            .arg(format!("--datadir={}", dir.path().join("data").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !installed.is_ok_and(|status| status.success()) {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = PrivateMariadb {
            dir,
            port,
            server: None,
        };
        server.launch().await;
        Some(server)
    }

    fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}", self.port)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Starts `mariadbd` on the data directory and waits until it accepts connections.
    async fn launch(&mut self) {
        let data = self.path("data");
        let child = Command::new("mariadbd")
            .args(["--no-defaults", "--user=root", "--skip-grant-tables"])
            .args(["--bind-address=127.0.0.1", "--innodb-buffer-pool-size=32M"])
            .arg(format!("--port={}", self.port))
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", self.path("mariadb.sock").display()))
            .arg(format!("--pid-file={}", self.path("mariadb.pid").display()))
            .arg(format!(
                "--log-error={}",
                self.path("mariadb.err").display()
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.server = Some(child);
        for _ in 0..600 {
            if let Ok(pool) = sqlx::MySqlPool::connect(&format!("{}/mysql", self.url())).await {
                pool.close().await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "private mariadbd did not start: {}",
            log(&self.path("mariadb.err"))
        );
    }

    /// SIGKILL: no shutdown, open transactions are lost and rolled back on the next start.
    fn kill(&mut self) {
        if let Some(mut child) = self.server.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for PrivateMariadb {
    fn drop(&mut self) {
        self.kill();
    }
}

fn log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_target_restarted_mid_batch_ends_equal_to_ground_truth() {
    let Some(mut mariadb) = PrivateMariadb::start().await else {
        eprintln!("skipped: mariadbd / mariadb-install-db are not installed");
        return;
    };
    let mut faults = FaultConfig::default();
    faults.apply_spec("latency=3").unwrap();
    let sim = SimBuilder::new(Platform::Jushuitan)
        .seed(29)
        .orders(3_000)
        .faults(faults)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let seed = Seed::jushuitan(&sim.base_url(), "qimensecret");
    let database = "ferry_restart".to_owned();
    let ws = Workspace::for_seed_on(seed, TargetDb::Mysql(database.clone()), &mariadb.url()).await;

    let mut run = ws.run(&[]).spawn().unwrap();
    // Wait for a transaction of ferry's on the target (or, on a slow machine where the poll
    // misses the short transactions, for its first rows), then kill the server under it.
    let admin = sqlx::MySqlPool::connect(&format!("{}/mysql", mariadb.url()))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.INNODB_TRX t JOIN \
             information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id WHERE p.DB = ?",
        )
        .bind(&database)
        .fetch_one(&admin)
        .await
        .unwrap();
        let count = format!("SELECT COUNT(*) FROM {database}.order_list_query");
        let rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count))
            .fetch_one(&admin)
            .await
            .unwrap_or(0);
        if open > 0 || rows > 0 {
            break;
        }
        if let Some(status) = run.try_wait().unwrap() {
            let output = run.wait_with_output().await.unwrap();
            panic!(
                "the run ended ({status}) before it wrote anything: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no transaction of ferry's within 120 s"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    admin.close().await;
    mariadb.kill();
    tokio::time::sleep(Duration::from_millis(500)).await;
    mariadb.launch().await;

    // The interrupted run either got through on retries or failed naming the target; either
    // way nothing it fetched is lost.
    let output = run.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "{stderr}"
    );
    eprintln!(
        "run during the restart exited {:?}: {}",
        output.status.code(),
        stderr.lines().last().unwrap_or_default()
    );
    let rerun = ws.run(&[]).output().await.unwrap();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let truth = sim.simulator().ground_truth(ModifiedRange::default());
    let expected = expected(&ws.scheme(), &truth);
    assert_eq!(ws.actual_rows().await.len(), expected.len());
    assert_same(&ws.actual().await, &expected, "after the target restarted");
}
