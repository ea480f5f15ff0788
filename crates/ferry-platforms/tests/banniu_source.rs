//! The Banniu `task.list` source against the simulator (wall clock, as the client stamps real
//! time): paging a one-day window to its end reconciled with the simulator's tasks, column
//! filters, the one-day cap, wrong credentials and the rate limit.

use std::time::Duration;

use ferry_model::{Connection, SourceFile, load_config};
use ferry_platforms::{CallError, PageRequest, Source, open_source};
use ferry_sim::banniu::{BanniuConfig, BanniuTasks, build_parts};
use ferry_sim::{ModifiedRange, RateConfig, SimHandle};
use serde_json::{Map, Value, json};

/// 2024-01-02 00:00:00 and 2024-01-03 00:00:00 Beijing, Unix seconds.
const JAN_2: i64 = 1_704_124_800;
const JAN_3: i64 = 1_704_211_200;

async fn start(tasks: u32) -> (SimHandle, BanniuTasks) {
    let mut config = BanniuConfig::default();
    config.common.data.seed = 5;
    config.common.data.orders = tasks;
    config.common.data.start = "2024-01-01".to_owned();
    config.common.data.days = 3;
    let (simulator, handle) = build_parts(config).unwrap();
    let served = simulator
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (served, handle)
}

fn connection(sim: &SimHandle, app_secret: &str) -> Connection {
    let text = format!(
        "[connections.bn]\nplatform = \"banniu\"\nbase_url = \"{}/gateway/api/miniAPI\"\n\
         app_key = \"bnappkey\"\napp_secret = \"{app_secret}\"\naccess_token = \"bntoken\"\n",
        sim.base_url()
    );
    let config = load_config(&SourceFile::new("ferry.toml", text), &|_| None).unwrap();
    config.connections["bn"].clone()
}

fn window(from: &str, to: &str) -> Map<String, Value> {
    json!({"project_id": 77206, "page_size": 100, "page_num": 1,
           "star_created": from, "end_created": to})
    .as_object()
    .unwrap()
    .clone()
}

async fn fetch_all(source: &dyn Source, params: &Map<String, Value>) -> (Vec<Value>, u32) {
    let mut records = Vec::new();
    let mut page = source.shape().first_page;
    loop {
        let request = PageRequest {
            params,
            page,
            page_size: 100,
        };
        let fetched = source.fetch_page(request).await.unwrap();
        let short = fetched.records.len() < 100;
        assert_eq!((fetched.total, fetched.has_next), (None, None));
        records.extend(fetched.records);
        if short {
            return (records, page);
        }
        page += 1;
    }
}

#[tokio::test]
async fn a_day_pages_to_its_end_and_reconciles_with_the_tasks() {
    let (sim, tasks) = start(700).await;
    let source = open_source(&connection(&sim, "banniusecret"), "task.list").unwrap();
    assert_eq!(source.shape().page_param, "page_num");
    let params = window("2024-01-02 00:00:00", "2024-01-03 00:00:00");
    let (records, pages) = fetch_all(source.as_ref(), &params).await;

    let expected: Vec<Value> = tasks
        .tasks()
        .into_iter()
        .filter(|task| (JAN_2..JAN_3).contains(&task.created_at))
        .map(|task| {
            json!({"id": task.id, "content": task.content, "task_status": task.task_status,
                   "created": task.created, "modified": task.modified})
        })
        .collect();
    assert_eq!(expected.len(), 233);
    assert_eq!(pages, 3);
    assert_eq!(records, expected);
    let truth = sim.simulator().ground_truth(ModifiedRange {
        from: Some(JAN_2),
        to: Some(JAN_3),
    });
    let truth_ids: Vec<&Value> = truth.iter().map(|row| &row["0"]).collect();
    let record_ids: Vec<&Value> = records.iter().map(|record| &record["id"]).collect();
    assert_eq!(truth_ids, record_ids);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn condition_column_finds_a_task_by_its_online_trade_number() {
    let (sim, tasks) = start(30).await;
    let added = tasks
        .add(&[ferry_sim::banniu::NewTask::with(&[(
            "77213",
            "3891000000000013",
        )])])
        .unwrap();
    let source = open_source(&connection(&sim, "banniusecret"), "task.list").unwrap();
    let condition = json!([{"id": 77213, "behaviorType": 1, "searchType": "1",
                            "value": "3891000000000013"}]);
    let params = json!({"project_id": 77206, "condition_column": condition});
    let request = PageRequest {
        params: params.as_object().unwrap(),
        page: 1,
        page_size: 100,
    };
    let page = source.fetch_page(request).await.unwrap();
    let task = tasks.task(added[0]).unwrap();
    assert_eq!(
        page.records,
        vec![
            json!({"id": added[0], "content": {"77213": "3891000000000013"},
                    "task_status": 0, "created": task.created, "modified": task.modified})
        ]
    );
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_window_over_one_day_is_invalid_with_banniu_s_message() {
    let (sim, _tasks) = start(10).await;
    let source = open_source(&connection(&sim, "banniusecret"), "task.list").unwrap();
    let params = window("2024-01-02 00:00:00", "2024-01-03 00:00:01");
    let request = PageRequest {
        params: &params,
        page: 1,
        page_size: 100,
    };
    assert_eq!(
        source.fetch_page(request).await,
        Err(CallError::Invalid {
            message: "task.list refused by Banniu (code 40006: banniu 限制查询区间最大 1 天)"
                .to_owned()
        })
    );
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_wrong_secret_is_rejected_without_the_secret() {
    let (sim, _tasks) = start(10).await;
    let source = open_source(&connection(&sim, "not-the-secret"), "task.list").unwrap();
    let params = window("2024-01-02 00:00:00", "2024-01-03 00:00:00");
    let request = PageRequest {
        params: &params,
        page: 1,
        page_size: 100,
    };
    let error = source.fetch_page(request).await.unwrap_err();
    assert_eq!(
        error,
        CallError::Rejected {
            message: "Banniu rejected the credentials (code 40004: 签名错误); check `app_key`, \
                      `app_secret` and `access_token`"
                .to_owned()
        }
    );
    assert!(!format!("{error:?}").contains("not-the-secret"));
    assert!(!format!("{source:?}").contains("not-the-secret"));
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_rate_limit_is_rate_limited_with_retry_after() {
    let (sim, _tasks) = start(10).await;
    let rate = RateConfig {
        per_second: 0.01,
        burst: 1,
    };
    sim.simulator().set_rate(Some(rate)).unwrap();
    let source = open_source(&connection(&sim, "banniusecret"), "task.list").unwrap();
    let params = window("2024-01-02 00:00:00", "2024-01-03 00:00:00");
    let request = PageRequest {
        params: &params,
        page: 1,
        page_size: 100,
    };
    assert_eq!(source.fetch_page(request).await.unwrap().records.len(), 3);
    let error = source.fetch_page(request).await.unwrap_err();
    let CallError::RateLimited {
        message,
        retry_after,
    } = error
    else {
        panic!("expected rate limited, got {error:?}");
    };
    assert!(message.starts_with("task.list: HTTP 429 Too Many Requests from http://127.0.0.1:"));
    assert!(retry_after.is_some_and(|wait| wait >= Duration::from_secs(1)));
    sim.shutdown().await.unwrap();
}
