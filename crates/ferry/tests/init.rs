//! `ferry init`: what it writes validates as is, runs against the Jushuitan simulator, and a
//! second `init` in the same place refuses to overwrite.

use std::process::Command;

use ferry_sim::{ModifiedRange, Platform, SimBuilder};

fn ferry(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_writes_a_config_and_scheme_that_validate_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    let root_text = root.display().to_string();
    let output = ferry(&["init", &root_text], &[]);
    assert_eq!(output.status.code(), Some(0));
    let config = root.join("ferry.toml").display().to_string();

    let output = ferry(&["--config", &config, "validate"], &[]);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("ok: checked 1 scheme(s) and {config}: 0 error(s), 0 warning(s)")
    );
    assert_eq!(output.status.code(), Some(0));

    let sim = SimBuilder::new(Platform::Jushuitan)
        .orders(300)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let url = format!("{}/router/qm", sim.base_url());
    let args = [
        "--config",
        &config,
        "run",
        "jst-orders",
        "--to",
        "2024-02-01 00:00:00",
        "--json",
    ];
    let output = ferry(&args, &[("JST_URL", url.as_str())]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let items: usize = sim
        .simulator()
        .ground_truth(ModifiedRange::default())
        .iter()
        .map(|order| {
            order["items"]
                .as_array()
                .map_or(1, |items| items.len().max(1))
        })
        .sum();
    assert_eq!(report["stats"]["written"], items as u64);

    let again = ferry(&["init", &root_text], &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}
