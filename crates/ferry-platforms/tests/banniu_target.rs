//! The Banniu `task.update` / `task.batchUpdate` target against the simulator (wall clock):
//! rows land and read back exactly, a bad row fails alone with Banniu's message, re-sending
//! changes nothing, wrong credentials are Rejected and the rate limit is RateLimited.

use ferry_model::scheme::{SchemeContext, TargetAdapter, load_scheme};
use ferry_model::{Connection, SourceFile, load_config};
use ferry_platforms::banniu::{self, BanniuTarget};
use ferry_platforms::{CallError, Row, RowOutcome, Target};
use ferry_sim::banniu::{BanniuConfig, BanniuTasks, NewTask, build_parts};
use ferry_sim::{RateConfig, SimHandle};
use serde_json::{Value, json};

const SCHEME: &str = include_str!("../../../examples/schemes/000_jky_to_banniu.json");
const HOSTILE: &str = "O'Brien \"引号\" \\ 🎉 {onlineTradeNo}";

async fn start() -> (SimHandle, BanniuTasks) {
    let mut config = BanniuConfig::default();
    config.common.data.orders = 20;
    let (simulator, handle) = build_parts(config).unwrap();
    let served = simulator
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (served, handle)
}

fn connection(sim: &SimHandle, app_secret: &str) -> Connection {
    let text = format!(
        "[connections.banniu]\nplatform = \"banniu\"\nbase_url = \"{}/gateway/api/miniAPI\"\n\
         app_key = \"bnappkey\"\napp_secret = \"{app_secret}\"\naccess_token = \"bntoken\"\n",
        sim.base_url()
    );
    let config = load_config(&SourceFile::new("ferry.toml", text), &|_| None).unwrap();
    config.connections["banniu"].clone()
}

/// The seed scheme's target, its api replaced by `api`.
fn target_adapter(api: &str) -> TargetAdapter {
    let text = SCHEME.replace("\"api\": \"task.update\"", &format!("\"api\": \"{api}\""));
    let file = SourceFile::new("000_jky_to_banniu.json", text);
    load_scheme(&file, &SchemeContext::default())
        .unwrap()
        .target
}

async fn open(sim: &SimHandle, api: &str, app_secret: &str) -> BanniuTarget {
    banniu::open(&connection(sim, app_secret), &target_adapter(api))
        .await
        .unwrap()
}

fn row(task_id: u64, contents: Value) -> Row {
    let values = json!({"app_id": 21151, "project_id": 77206, "task_id": task_id,
                        "contents": contents});
    Row::from_object(task_id.to_string(), values.as_object().unwrap().clone())
}

fn add_three(tasks: &BanniuTasks) -> Vec<u64> {
    let new: Vec<NewTask> = ["3891000000000000", "3891000000000013", "3891000000000026"]
        .iter()
        .map(|trade| NewTask::with(&[("77213", trade)]))
        .collect();
    tasks.add(&new).unwrap()
}

fn failed(error: &str) -> RowOutcome {
    RowOutcome::Failed {
        error: error.to_owned(),
    }
}

async fn lands_and_reads_back(api: &str) {
    let (sim, tasks) = start().await;
    let ids = add_three(&tasks);
    let target = open(&sim, api, "banniusecret").await;
    let rows = vec![
        row(ids[0], json!({"78538": 78534})),
        row(999, json!({"78538": 78534})),
        row(ids[1], json!({"78538": 78534, "77207": HOSTILE})),
        row(ids[2], json!({"78538": 1})),
    ];
    let expected = vec![
        RowOutcome::Written,
        failed("Banniu refused task 999 (code 50001: 工单不存在: 999)"),
        RowOutcome::Written,
        failed("Banniu refused task 6690023 (code 40006: 选项不存在: 78538 (销售出库) = 1)"),
    ];
    assert_eq!(target.write(&rows).await.unwrap(), expected);
    let content = |id: u64| serde_json::to_value(tasks.task(id).unwrap().content).unwrap();
    assert_eq!(
        content(ids[0]),
        json!({"77213": "3891000000000000", "78538": "78534"})
    );
    assert_eq!(
        content(ids[1]),
        json!({"77207": HOSTILE, "77213": "3891000000000013", "78538": "78534"})
    );
    assert_eq!(content(ids[2]), json!({"77213": "3891000000000026"}));

    let before = tasks.tasks();
    assert_eq!(target.write(&rows).await.unwrap(), expected);
    assert_eq!(tasks.tasks(), before);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn single_updates_land_read_back_and_fail_only_the_bad_rows() {
    lands_and_reads_back("task.update").await;
}

#[tokio::test]
async fn batch_updates_land_read_back_and_fail_only_the_bad_rows() {
    lands_and_reads_back("task.batchUpdate").await;
}

#[tokio::test]
async fn modes_follow_the_api_and_rows_without_ids_fail_without_a_call() {
    let (sim, tasks) = start().await;
    let single = open(&sim, "task.update", "banniusecret").await;
    let batch = open(&sim, "task.batchUpdate", "banniusecret").await;
    assert_eq!((single.is_batch(), single.max_batch()), (false, 1));
    assert_eq!((batch.is_batch(), batch.max_batch()), (true, 50));
    let mut values = row(1, json!({"78538": 78534})).to_object();
    values.remove("task_id");
    let no_task = Row::from_object("1", values);
    let requests = sim.simulator().stats().requests;
    assert_eq!(
        batch.write(&[no_task]).await.unwrap(),
        vec![failed("the row has no `task_id`")]
    );
    assert_eq!(sim.simulator().stats().requests, requests);
    assert_eq!(tasks.tasks().len(), 20);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_wrong_secret_is_rejected_and_nothing_changes() {
    let (sim, tasks) = start().await;
    let ids = add_three(&tasks);
    let before = tasks.tasks();
    let target = open(&sim, "task.batchUpdate", "wrong-secret").await;
    let rows = vec![
        row(ids[0], json!({"78538": 78534})),
        row(ids[1], json!({"78538": 78534})),
    ];
    let error = target.write(&rows).await.unwrap_err();
    assert_eq!(
        error,
        CallError::Rejected {
            message: "Banniu rejected the credentials (code 40004: 签名错误); check `app_key`, \
                      `app_secret` and `access_token`"
                .to_owned()
        }
    );
    assert!(!format!("{error:?} {target:?}").contains("wrong-secret"));
    assert_eq!(tasks.tasks(), before);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_rate_limit_is_rate_limited() {
    let (sim, tasks) = start().await;
    let ids = add_three(&tasks);
    let rate = RateConfig {
        per_second: 0.01,
        burst: 1,
    };
    sim.simulator().set_rate(Some(rate)).unwrap();
    let target = open(&sim, "task.update", "banniusecret").await;
    let first = row(ids[0], json!({"78538": 78534}));
    assert_eq!(
        target.write(&[first]).await.unwrap(),
        vec![RowOutcome::Written]
    );
    let second = row(ids[1], json!({"78538": 78534}));
    let error = target.write(&[second]).await.unwrap_err();
    assert!(
        matches!(
            &error,
            CallError::RateLimited {
                retry_after: Some(_),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!tasks.task(ids[1]).unwrap().content.contains_key("78538"));
    sim.shutdown().await.unwrap();
}
