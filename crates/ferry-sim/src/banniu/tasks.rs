//! The tasks (工单) of one Banniu project (群组) and its columns (PROTOCOLS.md §8.3–8.5).
//!
//! Contract:
//! - [`COLUMNS`] is the project's fixed column set; [`column`] finds one by id.
//! - [`TaskStore::generate`] seeds `count` tasks whose creation times spread evenly over the
//!   data range, ids increasing with creation time from [`FIRST_TASK_ID`]. Text columns get
//!   hostile values (quotes, backslashes, emoji, very long text, JSON null); 77213 (线上单号)
//!   is `BN` + digits, so it never equals a Jackyun `onlineTradeNo`.
//! - Content values are JSON strings or null. [`normalize`] is the one rule for incoming
//!   values: text as is, numbers as their JSON text, null kept; other types and unknown option
//!   ids are refused with Banniu-style messages.
//! - [`TaskStore::update`] validates every column of a change before applying any, and moves a
//!   task's `modified` only when its content actually changes, so re-sending an update leaves
//!   the store byte-identical.
//! - [`render_row`] is the `task.list` row: `"-1"` (id text), `"0"` (id number), every column
//!   present, then `task_status`, `created`, `modified` \[I: the system keys beyond -1/0\].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::framework::data::DataRange;
use crate::framework::hostile::TextPicker;
use crate::framework::rng::stream;
use crate::framework::time::format_datetime;

/// The id of the first seeded task.
pub const FIRST_TASK_ID: u64 = 6_690_001;

/// One column of the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// `column_id`.
    pub id: u64,
    /// Display name.
    pub name: &'static str,
    /// `behaviorType` (1 text, 2 number, 3 single choice, 11 rich text).
    pub behavior: i32,
    /// `(option id, title)` of choice columns.
    pub options: &'static [(u64, &'static str)],
}

/// The project's columns.
pub const COLUMNS: &[Column] = &[
    text_column(77207, "客户姓名", 1),
    text_column(77208, "手机号", 1),
    text_column(77213, "线上单号", 1),
    text_column(77215, "退款金额", 2),
    text_column(77220, "问题描述", 11),
    Column {
        id: 78538,
        name: "销售出库",
        behavior: 3,
        options: &[(78534, "已出库"), (78535, "未出库")],
    },
];

const fn text_column(id: u64, name: &'static str, behavior: i32) -> Column {
    Column {
        id,
        name,
        behavior,
        options: &[],
    }
}

/// The column with id text `id`.
pub fn column(id: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|column| column.id.to_string() == id)
}

/// One task as the simulator keeps it; also the shape of the `/_sim/banniu/tasks` listing
/// (times as `yyyy-MM-dd HH:mm:ss`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Task id.
    pub id: u64,
    /// Project (群组) id.
    pub project_id: u64,
    /// 0 待处理, 1 已完成, 2 处理中, 3 暂停中, 4 已关闭.
    pub task_status: u8,
    /// Creation time, Unix seconds.
    #[serde(skip)]
    pub created_at: i64,
    /// Last content change, Unix seconds.
    #[serde(skip)]
    pub modified_at: i64,
    /// Creation time, Beijing time.
    pub created: String,
    /// Last content change, Beijing time.
    pub modified: String,
    /// Column id → value (string or null).
    pub content: BTreeMap<String, Value>,
}

/// A Banniu business refusal: code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BizError {
    /// `response.code`.
    pub code: i64,
    /// `response.error_msg`.
    pub msg: String,
}

/// Code of parameter errors \[I\].
pub const PARAM_ERROR: i64 = 40006;
/// Code of "task not found" \[I\].
pub const TASK_NOT_FOUND: i64 = 50001;

impl BizError {
    /// A parameter error.
    pub fn param(msg: impl Into<String>) -> Self {
        Self {
            code: PARAM_ERROR,
            msg: msg.into(),
        }
    }
}

/// Checks one incoming value for `column_id` and returns it as stored.
pub fn normalize(column_id: &str, value: &Value) -> Result<Value, BizError> {
    let Some(column) = column(column_id) else {
        return Err(BizError::param(format!("字段不存在: {column_id}")));
    };
    let text = match value {
        Value::Null => return Ok(Value::Null),
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        _ => {
            return Err(BizError::param(format!(
                "字段值格式错误: {column_id} ({})",
                column.name
            )));
        }
    };
    if !column.options.is_empty()
        && !column
            .options
            .iter()
            .any(|(option, _)| option.to_string() == text)
    {
        return Err(BizError::param(format!(
            "选项不存在: {column_id} ({}) = {text}",
            column.name
        )));
    }
    Ok(Value::String(text))
}

/// The tasks of one project, by id.
#[derive(Debug, Clone)]
pub struct TaskStore {
    /// The project these tasks belong to.
    pub project_id: u64,
    tasks: BTreeMap<u64, Task>,
    next_id: u64,
}

const NAMES: &[&str] = &["曹付庚", "李雷", "韩梅梅", "王小明", "O'Neil", "张三丰"];
const PROBLEMS: &[&str] = &[
    "这款键盘使用感受真的不错",
    "物流太慢,要求退款",
    "商品破损,已拍照",
    "颜色与描述不符",
];
const AMOUNTS: &[&str] = &["12.50", "0.01", "199.00", "1024.99", "-3.20"];

fn seeded_task(seed: u64, index: u64, created: i64, picker: TextPicker) -> Task {
    let mut rng = stream(seed, "banniu-task", index);
    let mut content = BTreeMap::new();
    let mut put = |id: &str, value: Option<String>| {
        content.insert(id.to_owned(), value.map_or(Value::Null, Value::String));
    };
    put("77207", picker.pick(&mut rng, NAMES).map(Into::into));
    put(
        "77208",
        Some(format!(
            "13{:09}",
            rand::Rng::random_range(&mut rng, 0..1_000_000_000u64)
        )),
    );
    put("77213", Some(format!("BN{:012}", 100_000_000 + index * 7)));
    put(
        "77215",
        Some(AMOUNTS[rand::Rng::random_range(&mut rng, 0..AMOUNTS.len())].to_owned()),
    );
    put("77220", picker.pick(&mut rng, PROBLEMS).map(Into::into));
    if rand::Rng::random_bool(&mut rng, 0.5) {
        put("78538", Some("78535".to_owned()));
    }
    let task_status = rand::Rng::random_range(&mut rng, 0..5u8);
    Task {
        id: FIRST_TASK_ID + index,
        project_id: 0,
        task_status,
        created_at: created,
        modified_at: created,
        created: format_datetime(created),
        modified: format_datetime(created),
        content,
    }
}

impl TaskStore {
    /// Seeds `count` tasks over `range` (see the module contract).
    pub fn generate(
        seed: u64,
        project_id: u64,
        count: u32,
        range: DataRange,
        max_string_len: usize,
    ) -> Self {
        let picker = TextPicker {
            max_len: max_string_len,
        };
        let span = u64::from(range.len_seconds());
        let mut tasks = BTreeMap::new();
        for index in 0..u64::from(count) {
            let offset = index * span / u64::from(count.max(1));
            let created = i64::from(range.start) + offset as i64;
            let mut task = seeded_task(seed, index, created, picker);
            task.project_id = project_id;
            tasks.insert(task.id, task);
        }
        Self {
            project_id,
            tasks,
            next_id: FIRST_TASK_ID + u64::from(count),
        }
    }

    /// Every task, by id.
    pub fn all(&self) -> impl Iterator<Item = &Task> {
        self.tasks.values()
    }

    /// One task.
    pub fn get(&self, id: u64) -> Option<&Task> {
        self.tasks.get(&id)
    }

    /// Adds a task with `content` (checked with [`normalize`]) created at `created`.
    pub fn create(
        &mut self,
        content: &Map<String, Value>,
        created: i64,
        task_status: u8,
    ) -> Result<u64, BizError> {
        let mut checked = BTreeMap::new();
        for (key, value) in content {
            checked.insert(key.clone(), normalize(key, value)?);
        }
        let id = self.next_id;
        self.next_id += 1;
        self.tasks.insert(
            id,
            Task {
                id,
                project_id: self.project_id,
                task_status,
                created_at: created,
                modified_at: created,
                created: format_datetime(created),
                modified: format_datetime(created),
                content: checked,
            },
        );
        Ok(id)
    }

    /// Sets `contents` on task `task_id` of `project_id` at `now` (all columns checked first).
    pub fn update(
        &mut self,
        project_id: u64,
        task_id: u64,
        contents: &Map<String, Value>,
        now: i64,
    ) -> Result<(), BizError> {
        if project_id != self.project_id {
            return Err(BizError::param(format!("群组不存在: {project_id}")));
        }
        let mut checked = Vec::with_capacity(contents.len());
        for (key, value) in contents {
            checked.push((key.clone(), normalize(key, value)?));
        }
        let Some(task) = self.tasks.get_mut(&task_id) else {
            return Err(BizError {
                code: TASK_NOT_FOUND,
                msg: format!("工单不存在: {task_id}"),
            });
        };
        let mut changed = false;
        for (key, value) in checked {
            if task.content.get(&key) != Some(&value) {
                task.content.insert(key, value);
                changed = true;
            }
        }
        if changed {
            task.modified_at = now;
            task.modified = format_datetime(now);
        }
        Ok(())
    }
}

/// The `task.list` row of `task`.
pub fn render_row(task: &Task) -> Map<String, Value> {
    let mut row = Map::new();
    row.insert("-1".to_owned(), Value::String(task.id.to_string()));
    row.insert("0".to_owned(), Value::from(task.id));
    for (key, value) in &task.content {
        row.insert(key.clone(), value.clone());
    }
    row.insert("task_status".to_owned(), Value::from(task.task_status));
    row.insert("created".to_owned(), Value::String(task.created.clone()));
    row.insert("modified".to_owned(), Value::String(task.modified.clone()));
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> TaskStore {
        let range = DataRange {
            start: 1_704_038_400,
            end: 1_704_038_400 + 86_400,
        };
        TaskStore::generate(1, 77206, 4, range, 255)
    }

    #[test]
    fn seeded_tasks_spread_over_the_range_with_increasing_ids() {
        let store = store();
        let tasks: Vec<&Task> = store.all().collect();
        let ids: Vec<u64> = tasks.iter().map(|task| task.id).collect();
        assert_eq!(ids, vec![6_690_001, 6_690_002, 6_690_003, 6_690_004]);
        assert_eq!(tasks[1].created, "2024-01-01 06:00:00");
        assert_eq!(tasks[2].content["77213"], Value::from("BN000100000014"));
    }

    #[test]
    fn updates_check_every_column_first_and_are_idempotent() {
        let mut store = store();
        let good: Map<String, Value> = serde_json::from_str(r#"{"78538":78534}"#).unwrap();
        store
            .update(77206, 6_690_002, &good, 1_704_200_000)
            .unwrap();
        let after = store.get(6_690_002).unwrap().clone();
        assert_eq!(after.content["78538"], Value::from("78534"));
        assert_eq!(after.modified, "2024-01-02 20:53:20");
        store
            .update(77206, 6_690_002, &good, 1_704_300_000)
            .unwrap();
        assert_eq!(store.get(6_690_002).unwrap(), &after);
        let bad: Map<String, Value> = serde_json::from_str(r#"{"77207":"x","78538":"1"}"#).unwrap();
        let error = store.update(77206, 6_690_002, &bad, 1).unwrap_err();
        assert_eq!(error.msg, "选项不存在: 78538 (销售出库) = 1");
        assert_eq!(store.get(6_690_002).unwrap(), &after);
        let missing = store.update(77206, 1, &good, 1).unwrap_err();
        assert_eq!(
            (missing.code, missing.msg.as_str()),
            (50001, "工单不存在: 1")
        );
    }
}
