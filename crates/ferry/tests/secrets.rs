//! Secrets never leak: `ferry demo` runs with unique credentials from the environment
//! (`FERRY_DEMO_*`, which the simulators accept and ferry.toml references as `${VAR}`), with
//! debug logs on, and every byte it printed (stdout, stderr with the logs) and every file it
//! left (ferry.toml, the ledger with its WAL, the SQLite target, the schemes) is scanned for
//! each secret and each part of the WDT `secret:salt`: zero hits.
//!
//! Then `ferry serve` runs on the demo's directory, on a public address with a bearer token
//! (itself a secret): requests without it or with a wrong one get 401; with it, every route
//! the OpenAPI document lists (path parameters filled from the demo's schemes and runs,
//! failed records included), `/metrics`, the console page and every asset it references are
//! fetched and scanned, after each scheme was triggered once more against simulators that are
//! gone (so connection errors, with their URLs, are among what is scanned): zero hits.

mod common;

use std::path::Path;
use std::time::Duration;

use common::serve::{Server, http};
use serde_json::Value;

/// Unique values: no chance of occurring in output by accident.
fn secrets() -> Vec<(&'static str, String)> {
    let tag = format!(
        "{:x}{}",
        std::process::id(),
        jiff::Timestamp::now().as_millisecond()
    );
    vec![
        ("FERRY_DEMO_QIMEN_SECRET", format!("qimen-S3cr3t-{tag}")),
        ("FERRY_DEMO_JACKYUN_SECRET", format!("jky-S3cr3t-{tag}")),
        ("FERRY_DEMO_OKKI_SECRET", format!("okki-S3cr3t-{tag}")),
        (
            "FERRY_DEMO_WDT_SECRET",
            format!("wdt-S3cr3t-{tag}:wdt-Salt-{tag}"),
        ),
        ("FERRY_DEMO_KINGDEE_PASSWORD", format!("kd-Passw0rd-{tag}")),
        ("FERRY_DEMO_BANNIU_SECRET", format!("bn-S3cr3t-{tag}")),
        ("FERRY_DEMO_BANNIU_TOKEN", format!("bn-T0ken-{tag}")),
    ]
}

/// Every needle to look for: each secret, and each part of `secret:salt`.
fn needles(secrets: &[(&str, String)]) -> Vec<String> {
    let mut needles = Vec::new();
    for (_, value) in secrets {
        needles.push(value.clone());
        if let Some((secret, salt)) = value.split_once(':') {
            needles.push(secret.to_owned());
            needles.push(salt.to_owned());
        }
    }
    needles
}

/// `(where, needle)` for every occurrence of a needle in `bytes`.
fn hits(place: &str, bytes: &[u8], needles: &[String]) -> Vec<String> {
    needles
        .iter()
        .filter(|needle| {
            bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
        })
        .map(|needle| format!("{place}: {needle}"))
        .collect()
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn the_demo_with_debug_logs_leaks_no_secret_anywhere() {
    let secrets = secrets();
    let needles = needles(&secrets);
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["demo", "--orders", "200", "--dir"])
        .arg(dir.path())
        .envs(secrets.iter().map(|(name, value)| (*name, value.as_str())))
        .env("FERRY_LOG", "debug")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Every scheme reconciled: the simulators accepted the unique credentials, so ferry
    // really used them.
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("DEBUG"),
        "debug logs are on and were scanned"
    );

    let mut found = hits("stdout", &output.stdout, &needles);
    found.extend(hits("stderr", &output.stderr, &needles));
    let mut scanned = vec![output.stdout.len(), output.stderr.len()];
    let files = files(dir.path());
    assert!(
        files.iter().any(|file| file.ends_with("ferry.db")),
        "{files:?}"
    );
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        scanned.push(bytes.len());
        found.extend(hits(&file.display().to_string(), &bytes, &needles));
    }
    let toml = std::fs::read_to_string(dir.path().join("ferry.toml")).unwrap();
    assert!(
        toml.contains("${FERRY_DEMO_QIMEN_SECRET}"),
        "ferry.toml references the environment: {toml}"
    );
    assert!(found.is_empty(), "secrets leaked: {found:#?}");
    eprintln!(
        "secrets scan: {} needles over {} bytes in {} places, 0 hits",
        needles.len(),
        scanned.iter().sum::<usize>(),
        scanned.len()
    );
    serve_leaks_nothing(dir.path(), &secrets);
}

/// `GET`/`POST` paths of the OpenAPI document, with `{name}` and `{id}` filled in.
fn documented_paths(openapi: &Value, names: &[String], runs: &[i64]) -> Vec<(String, String)> {
    let mut calls = Vec::new();
    for (path, item) in openapi["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            if path.contains("{name}") {
                for name in names {
                    calls.push((method.clone(), path.replace("{name}", name)));
                }
            } else if path.contains("{id}") {
                for id in runs {
                    calls.push((method.clone(), path.replace("{id}", &id.to_string())));
                }
            } else {
                calls.push((method.clone(), path.clone()));
            }
        }
    }
    calls
}

/// `name.js` / `name.css` words in `text`: the console's assets it references.
fn asset_names(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-'))
        .filter(|word| word.ends_with(".js") || word.ends_with(".css"))
        .map(|word| word.trim_start_matches('.').to_owned())
        .collect()
}

/// One request without any `Authorization` header; returns the status.
async fn status_without_token(addr: &str, path: &str) -> u16 {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response.split(' ').nth(1).unwrap().parse().unwrap()
}

/// Every run id of `names`, and whether one is still running.
async fn run_ids(addr: &str, token: &str, names: &[String]) -> (Vec<i64>, bool) {
    let mut ids = Vec::new();
    let mut running = false;
    for name in names {
        let (_, body) = http(addr, token, "GET", &format!("/api/schemes/{name}/runs")).await;
        for run in serde_json::from_str::<Value>(&body)
            .unwrap()
            .as_array()
            .unwrap()
        {
            ids.push(run["id"].as_i64().unwrap());
            running |= run["status"] == "running";
        }
    }
    (ids, running)
}

fn serve_leaks_nothing(dir: &Path, secrets: &[(&'static str, String)]) {
    let token = format!("T0ken-{}", secrets[0].1);
    let mut needles = needles(secrets);
    needles.push(token.clone());
    let config = dir.join("ferry.toml");
    // The simulators are gone: platform calls fail at once instead of backing off.
    let mut toml = String::new();
    for line in std::fs::read_to_string(&config).unwrap().lines() {
        toml.push_str(line);
        toml.push('\n');
        if line.starts_with("base_url = ") {
            toml.push_str("max_retries = 0\n");
        }
    }
    toml.push_str("\n[server]\ntoken = \"${FERRY_TEST_SERVER_TOKEN}\"\n");
    std::fs::write(&config, toml).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (found, bytes, responses) = runtime.block_on(async {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ferry"));
        command
            .arg("--config")
            .arg(&config)
            .args(["serve", "--listen", "0.0.0.0:0"])
            .envs(secrets.iter().map(|(name, value)| (*name, value.as_str())))
            .env("FERRY_TEST_SERVER_TOKEN", &token)
            .env("FERRY_LOG", "debug")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let server = Server::spawn(command).await;
        assert!(
            server.banner.contains("http://0.0.0.0:"),
            "{}",
            server.banner
        );
        let addr = server.addr.clone();

        // Not on loopback: no token or a wrong one is refused, on the API and /metrics.
        for path in ["/api/schemes", "/api/openapi.json", "/metrics"] {
            assert_eq!(status_without_token(&addr, path).await, 401, "{path}");
            assert_eq!(http(&addr, "wrong", "GET", path).await.0, 401, "{path}");
        }

        let (status, list) = http(&addr, &token, "GET", "/api/schemes").await;
        assert_eq!(status, 200, "{list}");
        let names: Vec<String> = serde_json::from_str::<Value>(&list)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|view| view["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(names.len(), 6, "{list}");
        // One more run of each, against simulators that are gone: they fail with errors.
        let (before, _) = run_ids(&addr, &token, &names).await;
        for name in &names {
            let path = format!("/api/schemes/{name}/run");
            let (status, body) = http(&addr, &token, "POST", &path).await;
            assert_eq!(status, 202, "{path}: {body}");
        }
        let mut runs = Vec::new();
        for _ in 0..300 {
            let (ids, running) = run_ids(&addr, &token, &names).await;
            runs = ids;
            if !running && runs.len() == before.len() + names.len() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(
            runs.len(),
            before.len() + names.len(),
            "{before:?} → {runs:?}"
        );

        let (status, openapi) = http(&addr, &token, "GET", "/api/openapi.json").await;
        assert_eq!(status, 200);
        let openapi: Value = serde_json::from_str(&openapi).unwrap();
        let mut bodies: Vec<(String, String)> = Vec::new();
        for (method, path) in documented_paths(&openapi, &names, &runs) {
            // Only reads here: the triggers above already ran, and a second one is not news.
            if method != "GET" {
                continue;
            }
            let (status, body) = http(&addr, &token, "GET", &path).await;
            assert_eq!(status, 200, "GET {path}: {body}");
            bodies.push((path, body));
        }
        for name in &names {
            let path = format!("/api/schemes/{name}/records?status=failed");
            let (status, body) = http(&addr, &token, "GET", &path).await;
            assert_eq!(status, 200, "{path}: {body}");
            bodies.push((path, body));
        }
        let (status, index) = http(&addr, &token, "GET", "/").await;
        assert_eq!(status, 200);
        let mut assets = asset_names(&index);
        bodies.push(("/".to_owned(), index));
        let mut fetched = std::collections::BTreeSet::new();
        while let Some(asset) = assets.pop() {
            let name = asset.rsplit('/').next().unwrap().to_owned();
            if !fetched.insert(name.clone()) {
                continue;
            }
            let path = format!("/assets/{name}");
            let (status, body) = http(&addr, &token, "GET", &path).await;
            assert_eq!(status, 200, "{path}");
            assets.extend(asset_names(&body));
            bodies.push((path, body));
        }
        assert!(fetched.len() >= 5, "the console's assets: {fetched:?}");
        assert!(
            bodies.iter().any(|(_, body)| body.contains("\"failed\"")),
            "the triggered runs failed and that was scanned"
        );

        let stderr = server.terminate().await;
        assert!(
            stderr.contains("DEBUG"),
            "debug logs are on and were scanned"
        );
        bodies.push(("serve stderr".to_owned(), stderr));

        let mut found = Vec::new();
        let mut bytes = 0;
        for (place, body) in &bodies {
            bytes += body.len();
            found.extend(hits(place, body.as_bytes(), &needles));
        }
        (found, bytes, bodies.len())
    });
    assert!(
        found.is_empty(),
        "secrets leaked by ferry serve: {found:#?}"
    );
    eprintln!(
        "serve secrets scan: {} needles over {bytes} bytes in {responses} responses, 0 hits",
        needles.len()
    );
}
