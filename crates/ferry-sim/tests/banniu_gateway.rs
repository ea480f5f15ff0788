//! The Banniu simulator over HTTP with a fixed clock: signature and envelope, `task.list`
//! paging against ground truth, task updates and the `/_sim/banniu/tasks` control route, the
//! rate-limit reply, and the registry entry points.

use std::collections::BTreeMap;

use ferry_sim::banniu::{BanniuConfig, BanniuTasks, build_parts};
use ferry_sim::{Platform, RateConfig, SimConfig, SimHandle};
use md5::{Digest, Md5};
use serde_json::{Value, json};

const NOW: &str = "2024-02-01 00:00:00";
const SECRET: &str = "banniusecret";

async fn start(tasks: u32) -> (SimHandle, BanniuTasks) {
    let mut config = BanniuConfig::default();
    config.common.data.seed = 9;
    config.common.data.orders = tasks;
    config.common.data.days = 3;
    config.common.clock = Some(NOW.to_owned());
    let (simulator, handle) = build_parts(config).unwrap();
    let served = simulator
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (served, handle)
}

/// Signs like a client would (PROTOCOLS.md §8.2), written independently of the simulator.
fn signed_url(sim: &SimHandle, method: &str, params: &[(&str, &str)], lower: bool) -> String {
    let mut query: BTreeMap<String, String> = [
        ("app_key", "bnappkey"),
        ("access_token", "bntoken"),
        ("method", method),
        ("v", "1.0"),
        ("timestamp", "2024-01-31 23:59:00"),
    ]
    .iter()
    .chain(params)
    .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
    .collect();
    let mut text = String::from(SECRET);
    for (key, value) in &query {
        text.push_str(key);
        text.push_str(value);
    }
    text.push_str(SECRET);
    let sign = hex::encode_upper(Md5::digest(text.as_bytes()));
    query.insert(
        "sign".to_owned(),
        if lower { sign.to_lowercase() } else { sign },
    );
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&query)
        .finish();
    format!("{}/gateway/api/miniAPI?{encoded}", sim.base_url())
}

fn client() -> reqwest::Client {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn get(url: &str) -> Value {
    client()
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn post(url: &str, body: &Value) -> Value {
    client()
        .post(url)
        .header("Authorization", "Bearer bntoken")
        .json(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn task_list_pages_a_window_as_ground_truth_and_checks_the_signature() {
    let (sim, _tasks) = start(90).await;
    let window = [
        ("project_id", "77206"),
        ("page_size", "20"),
        ("star_created", "2024-01-02 00:00:00"),
        ("end_created", "2024-01-03 00:00:00"),
    ];
    let mut rows = Vec::new();
    for page in ["1", "2"] {
        let mut params = window.to_vec();
        params.push(("page_num", page));
        let reply = get(&signed_url(&sim, "task.list", &params, page == "2")).await;
        assert_eq!(reply["response"]["code"], json!(0));
        assert_eq!(reply["response"]["total_results"], Value::Null);
        rows.extend(
            reply["response"]["map"]["result"]
                .as_array()
                .unwrap()
                .clone(),
        );
    }
    let truth_url = format!(
        "{}/_sim/ground-truth?from=2024-01-02%2000:00:00&to=2024-01-03%2000:00:00&format=json",
        sim.base_url()
    );
    let truth = get(&truth_url).await;
    assert_eq!(rows.len(), 30);
    assert_eq!(Value::Array(rows.clone()), truth);
    assert_eq!(rows[0]["-1"], json!("6690031"));
    assert_eq!(rows[0]["0"], json!(6690031));
    assert_eq!(rows[0]["created"], json!("2024-01-02 00:00:00"));

    let mut url = signed_url(&sim, "task.list", &window, false);
    url = url.replace("page_size=20", "page_size=21");
    assert_eq!(
        get(&url).await,
        json!({"response": {"total_results": null, "page_no": null, "page_size": null,
               "code": 40004, "has_next": null, "error_msg": "签名错误", "map": null,
               "isSuccess": false}})
    );
    let wide = [
        ("project_id", "77206"),
        ("star_created", "2024-01-01 00:00:00"),
        ("end_created", "2024-01-03 00:00:00"),
    ];
    let reply = get(&signed_url(&sim, "task.list", &wide, false)).await;
    assert_eq!(reply["response"]["code"], json!(40006));
    assert_eq!(
        reply["response"]["error_msg"],
        json!("banniu 限制查询区间最大 1 天")
    );
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn tasks_added_over_http_are_updated_and_read_back() {
    let (sim, tasks) = start(5).await;
    let control = format!("{}/_sim/banniu/tasks", sim.base_url());
    let client = client();
    let body = json!({"tasks": [{"content": {"77213": "3891000000000013"}}]});
    let added: Value = client
        .post(&control)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(added, json!({"ids": [6690006]}));
    let bad = json!([{"content": {"99999": "x"}}]);
    let refused = client.post(&control).json(&bad).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused, json!({"error": "task 0: 字段不存在: 99999"}));

    let update = json!({"project_id": "77206", "app_id": "21151", "task_id": "6690006",
                        "contents": {"78538": "78534", "77207": "曹付庚"}, "header": null});
    let reply = post(&signed_url(&sim, "task.update", &[], false), &update).await;
    assert_eq!(reply["response"]["code"], json!(0));
    assert_eq!(
        reply["response"]["map"],
        json!({"result": {"task_id": "6690006"}})
    );
    let batch = json!({"data": [update, {"project_id": 77206, "app_id": 21151,
                                          "task_id": 1, "contents": {}}]});
    let reply = post(&signed_url(&sim, "task.batchUpdate", &[], false), &batch).await;
    assert_eq!(
        reply["response"]["map"]["result"],
        json!([{"task_id": "6690006", "code": 0, "error_msg": null},
               {"task_id": "1", "code": 50001, "error_msg": "工单不存在: 1"}])
    );
    let listed: Value = get(&control).await;
    let added_task = &listed.as_array().unwrap()[5];
    assert_eq!(
        added_task,
        &json!({"id": 6690006, "project_id": 77206, "task_status": 0,
                "created": NOW, "modified": NOW,
                "content": {"77207": "曹付庚", "77213": "3891000000000013", "78538": "78534"}})
    );
    assert_eq!(serde_json::to_value(tasks.tasks()).unwrap(), listed);
    let unknown = get(&signed_url(&sim, "task.delete", &[], false)).await;
    assert_eq!(
        unknown["response"]["error_msg"],
        json!("method不存在: task.delete")
    );
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_rate_limit_reply_is_429_with_retry_after() {
    let (sim, _tasks) = start(1).await;
    let rate = RateConfig {
        per_second: 0.5,
        burst: 1,
    };
    sim.simulator().set_rate(Some(rate)).unwrap();
    let url = signed_url(&sim, "column.list", &[("project_id", "77206")], false);
    let first = get(&url).await;
    assert_eq!(
        first["response"]["map"]["result"][5]["options"][0],
        json!({"id": 78534, "title": "已出库"})
    );
    let limited = client().get(&url).send().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "2");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["response"]["code"], json!(429));
    assert_eq!(
        body["response"]["error_msg"],
        json!("请求过于频繁,请稍后再试")
    );
    assert_eq!(sim.simulator().stats().rate_limited, 1);
    sim.shutdown().await.unwrap();
}

#[test]
fn the_registry_builds_banniu_and_finds_its_task_handle() {
    assert_eq!("banniu".parse::<Platform>().unwrap(), Platform::Banniu);
    let config: SimConfig =
        serde_json::from_str(r#"{"platform":"banniu","common":{"data":{"orders":7}}}"#).unwrap();
    let simulator = config.build().unwrap();
    let tasks = BanniuTasks::of(&simulator).unwrap();
    assert_eq!(tasks.tasks().len(), 7);
    assert_eq!(tasks.project_id(), 77206);
    let other = SimConfig::default_for(Platform::Banniu).build().unwrap();
    assert_eq!(BanniuTasks::of(&other).unwrap().tasks().len(), 10_000);
    assert_eq!(BanniuTasks::of(&simulator).unwrap().tasks().len(), 7);
}
