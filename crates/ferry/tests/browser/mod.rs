//! Headless Chromium for end-to-end tests (Debian's `chromium` + `chromedriver`, driven over
//! WebDriver with fantoccini), as `crates/ferry-server/tests/console.rs` runs it: a chromedriver
//! on a free port killed on drop, a session with the same flags, DOM text helpers and a
//! screenshot saved under the cargo target directory. Chromium missing is a failure, not a
//! skip: `scripts/browser.sh` installs it.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Upper bound for one page condition to become true (normally well under a second).
pub const WAIT: Duration = Duration::from_secs(10);

/// Fails with the install hint when Chromium or chromedriver is missing.
pub fn require_chromium() {
    for binary in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(binary).exists(),
            "{binary} is missing: run `scripts/browser.sh` (installs Debian's chromium, \
             chromium-driver and fonts-noto-cjk with apt-get) and run the test again"
        );
    }
}

/// A chromedriver process on a free port, killed on drop.
pub struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    pub fn start() -> Self {
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
    pub async fn connect(&self, user_data: &Path) -> Client {
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
pub async fn texts(client: &Client, selector: &str) -> Vec<String> {
    let script = "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent);";
    let value = client.execute(script, vec![json!(selector)]).await.unwrap();
    serde_json::from_value(value).unwrap()
}

/// Polls [`texts`] until `ready` accepts them (at most `within`); fails with what the page
/// showed.
pub async fn wait_texts(
    client: &Client,
    selector: &str,
    within: Duration,
    ready: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let started = Instant::now();
    loop {
        let found = texts(client, selector).await;
        if ready(&found) {
            return found;
        }
        if started.elapsed() > within {
            let status = texts(client, "#status, #flash, #load-error").await;
            panic!("`{selector}` never became ready: last {found:?}; page status {status:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Saves the page as `<target dir>/<name>` and returns its path.
pub async fn save_screenshot(client: &Client, name: &str) -> std::path::PathBuf {
    let png = client.screenshot().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let path = target.join(name);
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
    path
}
