//! Seed 000 end to end in-process, with the lookup that makes it work: Banniu tasks are synced
//! into the ledger by `000_banniu_tasks.json`, then `000_jky_to_banniu.json` reads Jackyun
//! trades and updates, for each, the Banniu task whose column 77213 (线上单号) holds the trade's
//! `onlineTradeNo` — found with `_mongoQuery` in the first scheme's ledger. Every selected
//! trade's task ends with 78538 = 78534 (销售出库); a trade without a task fails alone, with
//! the lookup's reason in the ledger.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ferry_engine::RunOutcome;
use ferry_engine::lookup::Collections;
use ferry_sim::banniu::{NewTask, build_parts};
use ferry_sim::{BanniuConfig, ModifiedRange, Platform, SimBuilder};
use serde_json::Value;
use support::{
    RANGE_START, RunWindow, example_scheme, failed_records, run_scheme, serve, store_config,
};

/// 2024-01-13 00:00:00 Beijing: after the ten simulated days plus the seed's one-day lag on
/// consign times.
const TRADES_END: i64 = RANGE_START + 12 * 86_400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_selected_trade_updates_its_banniu_task() {
    let jackyun = SimBuilder::new(Platform::Jackyun)
        .seed(29)
        .orders(300)
        .data_range("2024-01-01", 10);
    let jackyun = serve(jackyun).await;
    let mut banniu_config = BanniuConfig::default();
    banniu_config.common.data.orders = 3;
    let (banniu_sim, tasks) = build_parts(banniu_config).unwrap();
    let banniu = banniu_sim
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();

    // The trades seed 000 selects (type 92, consigned); one task per distinct 线上单号, except
    // for one trade that has none.
    let selected: Vec<Value> = jackyun
        .simulator()
        .ground_truth(ModifiedRange::default())
        .into_iter()
        .filter(|trade| trade["tradeType"] == 92 && trade["consignTime"].is_string())
        .collect();
    let numbers: BTreeSet<String> = selected
        .iter()
        .filter_map(|trade| trade["onlineTradeNo"].as_str())
        .filter(|number| !number.is_empty())
        .map(str::to_owned)
        .collect();
    assert!(numbers.len() > 10, "selected trades: {}", numbers.len());
    let left_out = numbers.iter().next().unwrap().clone();
    let new_tasks: Vec<NewTask> = numbers
        .iter()
        .filter(|number| **number != left_out)
        .map(|number| NewTask::with(&[("77213", number.as_str())]))
        .collect();
    let ids = tasks.add(&new_tasks).unwrap();
    assert_eq!(ids.len(), numbers.len() - 1);

    let dir = tempfile::tempdir().unwrap();
    let connections = format!(
        r#"
[connections.jky]
platform = "jackyun-qimen"
base_url = "{jackyun}/router/qm"
app_key = "12345678"
secret = "qimensecret"
target_app_key = "21363512"
jky_appkey = "jkyappkey"
jky_secret = "jkysecret"
jky_customer_id = "jkycust-1"

[connections.banniu]
platform = "banniu"
base_url = "{banniu}/gateway/api/miniAPI"
app_key = "bnappkey"
app_secret = "banniusecret"
access_token = "bntoken"
rate = "200/s"

[connections.ledger]
platform = "ledger"
"#,
        jackyun = jackyun.base_url(),
        banniu = banniu.base_url(),
    );
    let config = store_config(dir.path(), &connections);
    let task_feed = Arc::new(example_scheme(&config, "000_banniu_tasks.json", |_| {}));
    let updates = Arc::new(example_scheme(&config, "000_jky_to_banniu.json", |_| {}));

    // 1. The task feed: the tasks were created just now (the simulator's wall clock).
    let now = jiff::Timestamp::now().as_second();
    let recent = RunWindow {
        from: Some(now - 3_600),
        to: Some(now + 60),
        now: now + 60,
    };
    let feed = run_scheme(&config, &task_feed, recent, Collections::new()).await;
    assert_eq!(feed.outcome, RunOutcome::Succeeded, "{feed:?}");
    assert_eq!(feed.stats.written, ids.len() as u64);

    // 2. The trades, with `_mongoQuery 73f95f22-…` answered from the feed's ledger.
    let collections = Collections::from([
        (task_feed.id.clone().unwrap(), task_feed.name.clone()),
        (task_feed.name.clone(), task_feed.name.clone()),
    ]);
    let window = RunWindow {
        from: None,
        to: Some(TRADES_END),
        now: TRADES_END,
    };
    let report = run_scheme(&config, &updates, window, collections).await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");

    // Every task got 销售出库; nothing else changed.
    let by_number: BTreeMap<String, BTreeMap<String, Value>> = tasks
        .tasks()
        .into_iter()
        .filter_map(|task| {
            let number = task.content.get("77213")?.as_str()?.to_owned();
            Some((number, task.content))
        })
        .collect();
    for number in numbers.iter().filter(|number| **number != left_out) {
        let content = &by_number[number];
        assert_eq!(
            content
                .get("78538")
                .map(|value| value.to_string().trim_matches('"').to_owned()),
            Some("78534".to_owned()),
            "task of {number}"
        );
    }

    // Trades without a task (the one left out, and any without 线上单号) failed alone.
    let expected_failed: BTreeSet<String> = selected
        .iter()
        .filter(|trade| {
            let number = trade["onlineTradeNo"].as_str().unwrap_or_default();
            number.is_empty() || number == left_out
        })
        .map(|trade| trade["tradeNo"].as_str().unwrap().to_owned())
        .collect();
    let failed = failed_records(&config, &updates.name).await;
    let failed_keys: BTreeSet<String> = failed.iter().map(|record| record.key.clone()).collect();
    assert_eq!(failed_keys, expected_failed);
    let reason = failed
        .iter()
        .find_map(|record| {
            record
                .last_error
                .clone()
                .filter(|error| error.contains(&left_out))
        })
        .unwrap();
    assert!(
        reason.contains("no record of `banniu-tasks` matches content.77213"),
        "{reason}"
    );
    assert_eq!(
        report.stats.written + report.stats.failed,
        selected.len() as u64
    );
}
