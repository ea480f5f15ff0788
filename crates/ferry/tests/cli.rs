//! The `ferry` binary as a user runs it: exit codes and output of `validate` and `plan` on the
//! shipped examples.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ferry(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("ferry should start")
}

fn example_schemes() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(repo().join("examples/schemes"))
        .unwrap()
        .map(|entry| {
            format!(
                "examples/schemes/{}",
                entry.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_scheme_validates() {
    let schemes = example_schemes();
    assert_eq!(schemes.len(), 6, "five seeds plus the Banniu task feed");
    let mut args = vec!["validate"];
    args.extend(schemes.iter().map(String::as_str));
    let output = ferry(&args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert_eq!(
        stdout.trim(),
        "ok: checked 6 scheme(s) and examples/ferry.toml: 0 error(s), 0 warning(s)"
    );
    assert_eq!(stderr, "");
}

#[test]
fn a_malformed_copy_exits_2_with_file_line_col() {
    let dir = tempdir();
    std::fs::copy(repo().join("examples/ferry.toml"), dir.join("ferry.toml")).unwrap();
    std::fs::create_dir_all(dir.join("schemes")).unwrap();
    let text =
        std::fs::read_to_string(repo().join("examples/schemes/002_jst_orders_to_mysql.json"))
            .unwrap();
    let broken = text.replacen("\"beatFlat\"", "\"beatFlatt\"", 1).replacen(
        "{{LAST_SYNC_TIME|datetime}}",
        "{{LAST_SYNC_TIME|datetme}}",
        1,
    );
    let scheme = dir.join("schemes/broken.json");
    std::fs::write(&scheme, broken).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["validate", scheme.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let file = scheme.display().to_string();
    let expected = format!(
        "{file}:40:36: error: unknown filter `datetme` (available: `datetime`, `date`, `timestamp`, `timestamp_ms`)\n  hint: did you mean `datetime`?\n{file}:83:5: error: unknown key `beatFlatt`\n  hint: did you mean `beatFlat`?\n"
    );
    assert_eq!(stderr, expected);
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("failed: checked 1 scheme(s)"));
}

#[test]
fn plan_splits_twenty_days_into_three_windows_of_at_most_seven() {
    let output = ferry(&[
        "plan",
        "examples/schemes/002_jst_orders_to_mysql.json",
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-20",
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let windows: Vec<(String, String)> = plan["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|window| {
            (
                window["from"].as_str().unwrap().to_owned(),
                window["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        windows,
        vec![
            (
                "2024-01-01 00:00:00".to_owned(),
                "2024-01-08 00:00:00".to_owned()
            ),
            (
                "2024-01-08 00:00:00".to_owned(),
                "2024-01-15 00:00:00".to_owned()
            ),
            (
                "2024-01-15 00:00:00".to_owned(),
                "2024-01-20 00:00:00".to_owned()
            ),
        ]
    );
    let first = &plan["windows"][0]["request"];
    assert_eq!(first["start_time"], "2024-01-01 00:00:00");
    assert_eq!(first["end_time"], "2024-01-08 00:00:00");
    assert_eq!(first["page_index"], "1");
    assert_eq!(plan["source"]["settings"]["secret"], "***");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("qimensecret"));
}

#[test]
fn plan_masks_secrets_in_text_output_and_renders_functions() {
    let output = ferry(&[
        "plan",
        "examples/schemes/000_jky_to_banniu.json",
        "--from",
        "2024-03-03",
        "--to",
        "2024-03-04",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("\"startConsignTime\":\"2024-03-02 00:00:00\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("\"endConsignTime\":\"2024-03-03 00:00:00\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("jky_secret=***") && stdout.contains("secret=***"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("jkysecret") && !stdout.contains("qimensecret"),
        "{stdout}"
    );
}

#[test]
fn plan_without_a_config_is_bad_input() {
    let dir = tempdir();
    let scheme = dir.join("s.json");
    std::fs::copy(
        repo().join("examples/schemes/001_okki_orders.json"),
        &scheme,
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["plan", scheme.to_str().unwrap()])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("error: no ferry.toml found"));
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ferry-cli-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
fn sim_serves_ground_truth_until_stopped() {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args([
            "sim",
            "jushuitan",
            "--listen",
            "127.0.0.1:0",
            "--orders",
            "7",
            "--seed",
            "3",
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let announced: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(announced["platform"], "jushuitan");
    let url = announced["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&url).unwrap();
    write!(
        stream,
        "GET /_sim/ground-truth?format=json HTTP/1.1\r\nHost: {url}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    let body = if body.trim_start().starts_with('[') {
        body.to_owned()
    } else {
        dechunk(body)
    };
    let orders: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(orders.len(), 7);
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
    out
}

/// The allocator options compiled in from `.cargo/config.toml` are the ones jemalloc
/// runs with: its exit statistics list the options in effect.
#[test]
fn jemalloc_runs_with_the_compiled_in_options() {
    let output = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--version")
        .env("_RJEM_MALLOC_CONF", "stats_print:true")
        .output()
        .expect("ferry should start");
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let option = |name: &str| {
        stderr
            .lines()
            .find_map(|line| line.trim().strip_prefix(&format!("opt.{name}: ")))
            .map(|value| {
                value
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
    };
    assert_eq!(option("narenas").as_deref(), Some("1"), "{stderr}");
    assert_eq!(
        option("dirty_decay_ms").as_deref(),
        Some("1000"),
        "{stderr}"
    );
}
