//! Secrets never leak: `ferry demo` runs with unique credentials from the environment
//! (`FERRY_DEMO_*`, which the simulators accept and ferry.toml references as `${VAR}`), with
//! debug logs on, and every byte it printed (stdout, stderr with the logs) and every file it
//! left (ferry.toml, the ledger with its WAL, the SQLite target, the schemes) is scanned for
//! each secret and each part of the WDT `secret:salt`: zero hits.
//!
//! Not covered yet: the responses of `ferry serve` (API, console, `/metrics`).

use std::path::Path;

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
}
