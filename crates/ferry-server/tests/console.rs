//! The web console in headless Chromium (Debian's `chromium` + `chromedriver`, driven over
//! WebDriver with fantoccini): `ferry_server::app` on a free port with a token, the shared
//! SQLite fixture (`support`) plus a second scheme whose run has two windows and whose failed
//! record carries a Chinese target message, and the fake scheduler. The test signs in with the
//! token form, checks the schemes list, the run page's windows and the scheme page's failed
//! record (exact DOM text), clicks Retry, lets the "scheduler" write the record, and waits for
//! it to leave the list. It saves a screenshot to `<target dir>/console-screenshot.png`.
//!
//! Chromium missing is a failure, not a skip: `scripts/browser.sh` installs it (CI runs it).

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use ferry_engine::schedule::SchemeState;
use ferry_model::scheme::SchemeContext;
use ferry_model::{Secret, SourceFile};
use ferry_server::Auth;
use ferry_server::metrics::Metrics;
use ferry_store::{
    ContentHash, FetchedRecord, Outcome, RecordOutcome, RunCounts, RunEnd, RunKind, Store,
    TimeRange, WindowStats, WindowStatus,
};
use serde_json::{Value, json};
use support::{Fixture, SCHEME, fixture, repo_file};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const TOKEN: &str = "console-test-token";
const CUSTOMERS: &str = "wdt-customers-to-kingdee";
const FAILED_KEY: &str = "上海青木贸易有限公司";
const FAILED_MESSAGE: &str = "客户编码不能为空";
/// Upper bound for one page condition to become true (normally well under a second).
const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_shows_schemes_runs_and_failed_records_and_retries_in_chromium() {
    for binary in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(binary).exists(),
            "{binary} is missing: run `scripts/browser.sh` (installs Debian's chromium, \
             chromium-driver and fonts-noto-cjk with apt-get) and run the test again"
        );
    }
    let fixture = fixture().await;
    let store = fixture.store.clone();
    let windows = seed_customers(store.as_ref()).await;
    let base = serve(&fixture).await;

    let driver = ChromeDriver::start();
    let user_data = tempfile::tempdir().unwrap();
    let client = driver.connect(user_data.path()).await;

    // No token yet: the API answers 401 and the console asks for one.
    client.goto(&base).await.unwrap();
    let input = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#token-form #token"))
        .await
        .unwrap();
    input.send_keys(TOKEN).await.unwrap();
    let submit = client
        .find(Locator::Css("#token-form button"))
        .await
        .unwrap();
    submit.click().await.unwrap();

    // The schemes list shows both schemes with their failed counts and states.
    let rows = "#schemes tr[data-scheme]";
    let names = wait_texts(&client, &format!("{rows} td.name"), |texts| {
        texts.len() == 2
    })
    .await;
    assert_eq!(names, [SCHEME, CUSTOMERS]);
    let failed = texts(&client, &format!("{rows} td.failed-count")).await;
    assert_eq!(failed, ["1", "1"]);
    let states = texts(&client, &format!("{rows} td.state")).await;
    assert_eq!(states, ["idle", "idle"]);

    // The run page lists the customers run's windows.
    client
        .goto(&format!("{base}#/runs/{}", windows.run_id))
        .await
        .unwrap();
    let cells = "#windows tbody tr[data-status] td";
    let fetched = wait_texts(&client, &format!("{cells}:nth-child(5)"), |texts| {
        texts.len() == 2
    })
    .await;
    assert_eq!(fetched, ["2", "1"], "fetched per window");
    let statuses = texts(&client, &format!("{cells}:nth-child(9)")).await;
    assert_eq!(statuses, ["complete", "incomplete"]);
    let errors = texts(&client, &format!("{cells}:nth-child(10)")).await;
    assert_eq!(errors, ["", windows.error.as_str()]);

    // The scheme page shows the failed record with the target's Chinese message.
    client
        .goto(&format!("{base}#/schemes/{CUSTOMERS}"))
        .await
        .unwrap();
    let failed_rows = "#failed tbody tr[data-key]";
    let keys = wait_texts(&client, &format!("{failed_rows} td.key"), |texts| {
        !texts.is_empty()
    })
    .await;
    assert_eq!(keys, [FAILED_KEY]);
    let messages = texts(&client, &format!("{failed_rows} td.error-text")).await;
    assert_eq!(messages, [FAILED_MESSAGE]);
    assert_eq!(texts(&client, "#scheme-name").await, [CUSTOMERS]);
    let written = texts(&client, "#runs tbody tr[data-run] td:nth-child(7)").await;
    assert_eq!(written, ["2"], "written by the customers run");
    assert_eq!(texts(&client, "svg.chart rect.failed").await.len(), 1);
    save_screenshot(&client).await;

    // Retry: the request reaches the scheduler; its retry run writes the record (done here, as
    // the fake runs nothing) and the refreshing page drops it from the list.
    client
        .find(Locator::Css("#retry"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let started = Instant::now();
    while fixture.control.triggered.lock().unwrap().is_empty() {
        assert!(
            started.elapsed() < WAIT,
            "the console sent no retry request"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let triggered = fixture.control.triggered.lock().unwrap().clone();
    assert_eq!(triggered, [(CUSTOMERS.to_owned(), RunKind::Retry)]);
    write_failed_records(store.as_ref(), CUSTOMERS).await;
    // The scheme and its records are read by two requests: a refresh between `retry_failed`
    // and the write may show the old count, so wait for the count, then check the rows.
    let heading = "#failed-section h2";
    wait_texts(&client, heading, |texts| texts == ["Failed records (0)"]).await;
    let empty = texts(&client, "#failed tbody tr td").await;
    assert_eq!(empty, ["No failed records."]);

    client.close().await.unwrap();
}

/// What the test checks the run page against.
struct SeededRun {
    /// The customers run, with two windows.
    run_id: i64,
    /// The second window's error.
    error: String,
}

/// A run of `wdt-customers-to-kingdee`: three customers fetched in two windows (the second
/// incomplete), two written, one rejected by Kingdee with a Chinese message.
async fn seed_customers(store: &dyn Store) -> SeededRun {
    let range = TimeRange {
        from: 1_704_038_400,
        to: 1_706_716_800,
    };
    let middle = 1_705_000_000;
    let error = "reported 2 records, fetched 1 distinct key (分页数据不一致)".to_owned();
    let customers = ["北京长风科技有限公司", "广州南方电器有限公司", FAILED_KEY];
    let records: Vec<FetchedRecord> = customers
        .iter()
        .enumerate()
        .map(|(index, name)| FetchedRecord {
            key: (*name).to_owned(),
            hash: ContentHash([index as u8 + 1; 16]),
            payload: json!({ "invoice_title": name, "FName": name, "FNumber": "" }),
            payload_json: None,
            source_modified: Some(range.from + index as i64),
        })
        .collect();
    let run = store
        .start_run(CUSTOMERS, RunKind::Manual, Some(range))
        .await
        .unwrap();
    store
        .record_fetched(CUSTOMERS, &records, true)
        .await
        .unwrap();
    let outcomes: Vec<RecordOutcome> = records
        .iter()
        .map(|record| RecordOutcome {
            key: record.key.clone(),
            hash: record.hash,
            outcome: if record.key == FAILED_KEY {
                Outcome::Failed {
                    error: FAILED_MESSAGE.to_owned(),
                }
            } else {
                Outcome::Written
            },
        })
        .collect();
    store.record_outcomes(CUSTOMERS, &outcomes).await.unwrap();
    let counts = |fetched, written, failed| RunCounts {
        fetched,
        pending: fetched,
        written,
        failed,
        skipped: 0,
    };
    let complete = window(range.from, middle, counts(2, 2, 0), 2, None);
    store.record_window(run, &complete).await.unwrap();
    let incomplete = window(middle, range.to, counts(1, 0, 1), 2, Some(error.clone()));
    store.record_window(run, &incomplete).await.unwrap();
    store
        .finish_run(run, RunEnd::Succeeded, &counts(3, 2, 1), None)
        .await
        .unwrap();
    SeededRun {
        run_id: run.0,
        error,
    }
}

/// One page of windows statistics; one with an error is `incomplete`.
fn window(
    from: i64,
    to: i64,
    counts: RunCounts,
    reported_total: u64,
    error: Option<String>,
) -> WindowStats {
    WindowStats {
        range: TimeRange { from, to },
        pages: 1,
        counts,
        reported_total: Some(reported_total),
        status: if error.is_some() {
            WindowStatus::Incomplete
        } else {
            WindowStatus::Complete
        },
        error,
    }
}

/// What a successful retry run does to the ledger: failed records become pending, then the
/// target accepts them.
async fn write_failed_records(store: &dyn Store, scheme: &str) {
    store.retry_failed(scheme).await.unwrap();
    let pending = store.pending(scheme, None, 100).await.unwrap();
    let outcomes: Vec<RecordOutcome> = pending
        .into_iter()
        .map(|record| RecordOutcome {
            key: record.key,
            hash: record.hash,
            outcome: Outcome::Written,
        })
        .collect();
    store.record_outcomes(scheme, &outcomes).await.unwrap();
    let counts = store.counts(scheme).await.unwrap();
    assert_eq!((counts.written, counts.failed), (3, 0));
}

/// Serves `ferry_server::app` on a free loopback port with [`TOKEN`]: the fixture's scheme and
/// `wdt-customers-to-kingdee`; returns the base URL.
async fn serve(fixture: &Fixture) -> String {
    let path = "examples/schemes/003_wdt_customers_to_kingdee.json";
    let context = SchemeContext {
        config: None,
        collections: None,
    };
    let customers = ferry_model::load_scheme(&SourceFile::new(path, repo_file(path)), &context)
        .unwrap_or_else(|issues| panic!("{issues:?}"));
    let mut schemes = fixture.schemes.as_ref().clone();
    schemes.push(Arc::new(customers));
    {
        let mut states = fixture.control.states.lock().unwrap();
        let customers_state = SchemeState {
            name: CUSTOMERS.to_owned(),
            ..states[0].clone()
        };
        states.push(customers_state);
    }
    let mut state = fixture.state(Auth::token(Secret::new(TOKEN)), Metrics::new());
    state.schemes = Arc::new(schemes);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = ferry_server::app(state);
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}/")
}

/// A chromedriver process on a free port, killed on drop.
struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {CHROMEDRIVER}: {error}"));
        Self { child, port }
    }

    /// A browser session; retries while chromedriver is still starting.
    async fn connect(&self, user_data: &Path) -> Client {
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                    "--window-size=1280,1000", "--lang=en-US",
                    format!("--user-data-dir={}", user_data.display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let url = format!("http://127.0.0.1:{}", self.port);
        let started = Instant::now();
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            let attempt = ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await;
            match attempt {
                Ok(client) => return client,
                Err(error) if started.elapsed() > WAIT => {
                    panic!("no WebDriver session from {CHROMEDRIVER} at {url}: {error}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `textContent` of every element matching `selector`, in document order.
async fn texts(client: &Client, selector: &str) -> Vec<String> {
    let script = "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent);";
    let value = client.execute(script, vec![json!(selector)]).await.unwrap();
    serde_json::from_value(value).unwrap()
}

/// Polls [`texts`] until `ready` accepts them (at most [`WAIT`]); fails with what the page
/// showed.
async fn wait_texts(
    client: &Client,
    selector: &str,
    ready: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let started = Instant::now();
    loop {
        let found = texts(client, selector).await;
        if ready(&found) {
            return found;
        }
        if started.elapsed() > WAIT {
            let status = texts(client, "#status, #flash, #load-error").await;
            panic!("`{selector}` never became ready: last {found:?}; page status {status:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Saves the page as `<target dir>/console-screenshot.png`.
async fn save_screenshot(client: &Client) {
    let png = client.screenshot().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let path = target.join("console-screenshot.png");
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
}
