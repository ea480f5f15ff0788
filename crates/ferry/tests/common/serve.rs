//! Helpers for tests that run `ferry serve` for real: plain HTTP/1.1 calls with a bearer token,
//! polling the JSON API, Prometheus samples, scheme file edits, SQL on the SQLite target, and
//! the check that `/metrics` ledger counts equal the ledger's.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::Workspace;

/// One HTTP/1.1 request with `token`; returns the status and the body.
pub async fn http(addr: &str, token: &str, method: &str, path: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

/// [`http`] with a JSON answer.
pub async fn json(addr: &str, token: &str, method: &str, path: &str) -> (u16, Value) {
    let (status, body) = http(addr, token, method, path).await;
    let value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path}: {body}"));
    (status, value)
}

/// Polls `GET path` until `done` holds (at most about a minute, then fails with the last body).
pub async fn wait_for(addr: &str, token: &str, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        let (status, body) = json(addr, token, "GET", path).await;
        if status == 200 && done(&body) {
            return body;
        }
        last = body;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{path} never got there; last answer: {last:#}");
}

/// The view of scheme `name` in a `/api/schemes` list.
pub fn scheme_view<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|view| view["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {list:#}"))
}

/// The value of the Prometheus sample `name{labels}`.
pub fn sample(text: &str, name: &str, labels: &str) -> Option<f64> {
    let prefix = format!("{name}{{{labels}}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(|value| value.parse().unwrap())
}

/// Edits the scheme file at `path` with `edit`.
pub fn edit_scheme(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut scheme: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut scheme);
    std::fs::write(path, serde_json::to_string_pretty(&scheme).unwrap()).unwrap();
}

/// Runs `sql` on the workspace's SQLite target.
pub async fn target_sql(ws: &Workspace, sql: String) {
    let pool = sqlx::SqlitePool::connect(&ws.target_url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// Asserts `/metrics`' `ferry_ledger_records` samples of each scheme equal the ledger's counts.
pub async fn assert_metrics_match_ledger(
    addr: &str,
    token: &str,
    store: &dyn ferry_store::Store,
    schemes: &[&str],
) {
    let (status, metrics) = http(addr, token, "GET", "/metrics").await;
    assert_eq!(status, 200, "{metrics}");
    for name in schemes {
        let counts = store.counts(name).await.unwrap();
        for (status, count) in [
            ("pending", counts.pending),
            ("written", counts.written),
            ("failed", counts.failed),
            ("skipped", counts.skipped),
        ] {
            let labels = format!("scheme=\"{name}\",status=\"{status}\"");
            assert_eq!(
                sample(&metrics, "ferry_ledger_records", &labels).unwrap_or(0.0),
                count as f64,
                "{labels}\n{metrics}"
            );
        }
    }
}

/// Makes the SQLite target refuse the order `refused` (a row error, as a too-long value
/// would be).
pub async fn refuse_order(ws: &Workspace, refused: &str) {
    target_sql(
        ws,
        format!(
            "CREATE TRIGGER refuse_one BEFORE INSERT ON order_list_query WHEN NEW.id = '{refused}' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        ),
    )
    .await;
}

/// A running `ferry serve --listen 127.0.0.1:0 --log-format json` of a workspace.
pub struct Server {
    child: tokio::process::Child,
    /// `host:port` it listens on.
    pub addr: String,
    /// Its first stdout line.
    pub banner: String,
    stderr: tokio::task::JoinHandle<String>,
}

impl Server {
    /// Starts the server and reads where it listens from its banner.
    pub async fn start(ws: &Workspace) -> Server {
        Server::spawn(ws.ferry(&["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])).await
    }

    /// Starts `command` (a `ferry serve` with piped stdout and stderr) and reads where it
    /// listens from its banner; a server on all interfaces (`0.0.0.0`) is reached on loopback.
    pub async fn spawn(mut command: tokio::process::Command) -> Server {
        use tokio::io::AsyncBufReadExt as _;
        let mut child = command.spawn().unwrap();
        // Drain stderr (info logs) so the server never blocks on a full pipe.
        let mut stderr = child.stderr.take().unwrap();
        let stderr = tokio::spawn(async move {
            let mut text = String::new();
            stderr.read_to_string(&mut text).await.unwrap();
            text
        });
        let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let banner = stdout.next_line().await.unwrap().unwrap_or_default();
        let addr = banner
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in `{banner}`"))
            .replace("0.0.0.0", "127.0.0.1");
        Server {
            child,
            addr,
            banner,
            stderr,
        }
    }

    /// Sends SIGTERM; asserts a graceful exit 0 and returns what it logged.
    pub async fn terminate(mut self) -> String {
        let pid = self.child.id().unwrap().to_string();
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = self.child.wait().await.unwrap();
        let stderr = self.stderr.await.unwrap();
        assert_eq!(status.code(), Some(0), "{stderr}");
        stderr
    }
}

/// A SQLite workspace holding seed 002 on the Jushuitan simulator at `jst_url` and seed 004 on
/// the WDT flagship simulator at `wdt_url`, with fast rates (their first runs reach from 2024 to
/// now, over many empty windows). Returns the workspace and seed 004's description; its
/// connection text (`Seed::source`) still has to be appended to ferry.toml.
pub async fn two_seed_workspace(jst_url: &str, wdt_url: &str) -> (Workspace, super::Seed) {
    let mut seed = super::Seed::jushuitan(jst_url, "qimensecret");
    seed.source.push_str("rate = \"1000/s\"\n");
    let ws = Workspace::for_seed(seed, super::TargetDb::Sqlite).await;
    let wdt_seed = super::Seed::wdt_flagship(wdt_url, "testsecret:testsalt");
    let ddl =
        std::fs::read_to_string(super::repo().join(format!("examples/sql/{}.sql", wdt_seed.table)))
            .unwrap();
    target_sql(&ws, ddl).await;
    std::fs::copy(
        super::repo().join("examples/schemes").join(wdt_seed.file),
        ws.root.join(wdt_seed.path()),
    )
    .unwrap();
    (ws, wdt_seed)
}
