//! Seed 004 as a user runs it: the WDT flagship simulator (Qimen route) → `ferry run` →
//! MariaDB with `detail_list` flattened, one row per refund detail; the table must equal the
//! simulator's ground truth row for row, and a second run over the whole range rewrites
//! nothing.

mod common;

use common::{Seed, TargetDb, Workspace, expected, expected_rows};
use ferry_sim::{ModifiedRange, Platform, SimBuilder};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_land_in_mariadb_one_row_per_detail() {
    let sim = common::simulator(Platform::WdtFlagship, 8, 500).await;
    let database = format!("ferry_seed004_{}", std::process::id());
    let ws = Workspace::for_seed(
        Seed::wdt_flagship(&sim.base_url(), "testsecret:testsalt"),
        TargetDb::Mysql(database),
    )
    .await;
    let output = ws.run(&[]).output().await.unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let truth = sim.simulator().ground_truth(ModifiedRange::default());
    let expected = expected_rows(&expected(&ws.scheme(), &truth));
    assert!(
        expected.len() > 500,
        "details flatten into rows: {}",
        expected.len()
    );
    let mut actual = ws.actual_rows().await;
    actual.sort();
    assert_eq!(actual.len(), expected.len());
    assert!(actual == expected, "table rows differ from ground truth");

    let again = ws
        .run(&["--from", "2024-01-01", "--json"])
        .output()
        .await
        .unwrap();
    assert!(again.status.success());
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["stats"]["written"], 0, "{report}");
    assert_eq!(ws.actual_rows().await.len(), expected.len());
    ws.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_wdt_secret_fails_the_run_with_the_platforms_rejection() {
    let sim = SimBuilder::new(Platform::WdtFlagship)
        .orders(20)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let ws = Workspace::for_seed(
        Seed::wdt_flagship(&sim.base_url(), "wrongsecret:testsalt"),
        TargetDb::Sqlite,
    )
    .await;
    let output = ws.run(&[]).output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("source `wdt_flagship`"), "{stderr}");
    assert!(
        !stderr.contains("wrongsecret"),
        "the secret leaked: {stderr}"
    );
}
