//! Kingdee target against the simulator: a batch lands and reads back exactly, one bad
//! customer fails only itself, re-sending changes nothing, allocation, and the save / submit /
//! audit operations (PROTOCOLS.md §7.3–7.5).

#[path = "kingdee_common.rs"]
mod common;

use std::collections::BTreeSet;

use common::{NAMES, PASSWORD_LOGIN, connection, customer, scheme, set_other, start, target};
use ferry_platforms::{CallError, Row, RowOutcome, Target};
use ferry_sim::{KingdeeConfig, ModifiedRange};
use serde_json::{Value, json};

fn written(count: usize) -> Vec<RowOutcome> {
    vec![RowOutcome::Written; count]
}

#[tokio::test]
async fn a_seed_batch_lands_audited_allocated_and_reads_back_exactly() {
    let (handle, control) = start(KingdeeConfig::default()).await;
    let target = target(&connection(&handle, PASSWORD_LOGIN), &scheme(|_| {})).await;
    assert_eq!((target.max_batch(), target.concurrency()), (100, 1));
    let rows: Vec<Row> = NAMES.iter().map(|name| customer(name, "BZ")).collect();
    assert_eq!(target.write(&rows).await.unwrap(), written(3));

    let saved = control.records("BD_Customer");
    assert_eq!(saved.len(), 3);
    for (index, (record, row)) in saved.iter().zip(&rows).enumerate() {
        let number = format!("CUST{:06}", index + 1);
        let id = 100_001 + index as u64;
        let mut expected = row.to_object();
        expected.insert("FNumber".to_owned(), json!(number));
        expected.insert("FCUSTID".to_owned(), json!(id));
        assert_eq!(record.fields, expected);
        assert_eq!((record.id, record.number.as_str()), (id, number.as_str()));
        assert_eq!(record.document_status, "C");
        assert_eq!(record.allocated_org_ids, BTreeSet::from([100_040]));
    }
    let http: Value = reqwest::get(format!(
        "{}/_sim/kingdee/records?formid=BD_Customer",
        handle.base_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(http, serde_json::to_value(&saved).unwrap());
    assert_eq!(
        handle
            .simulator()
            .ground_truth(ModifiedRange::default())
            .len(),
        3
    );
    assert_eq!(control.logins(), 1);
}

#[tokio::test]
async fn one_bad_customer_fails_only_itself_with_kingdees_message() {
    let (handle, control) = start(KingdeeConfig::default()).await;
    let target = target(&connection(&handle, PASSWORD_LOGIN), &scheme(|_| {})).await;
    let mut nameless = customer("无名", "BZ");
    nameless.insert("FName", json!(""));
    let rows = vec![
        customer(NAMES[0], "BZ"),
        customer(NAMES[1], "XX"),
        customer(NAMES[2], "DZ"),
        nameless,
    ];
    let outcomes = target.write(&rows).await.unwrap();
    assert_eq!(
        outcomes,
        vec![
            RowOutcome::Written,
            RowOutcome::Failed {
                error: "字段“使用组织”的值“XX”在基础资料中不存在".to_owned()
            },
            RowOutcome::Written,
            RowOutcome::Failed {
                error: "字段“客户名称”是必填项".to_owned()
            },
        ]
    );
    let names: Vec<Value> = control
        .records("BD_Customer")
        .iter()
        .map(|record| record.fields["FName"].clone())
        .collect();
    assert_eq!(names, vec![json!(NAMES[0]), json!(NAMES[2])]);
}

#[tokio::test]
async fn resending_a_batch_leaves_the_site_unchanged() {
    let (handle, control) = start(KingdeeConfig::default()).await;
    let target = target(&connection(&handle, PASSWORD_LOGIN), &scheme(|_| {})).await;
    let rows: Vec<Row> = NAMES.iter().map(|name| customer(name, "BZ")).collect();
    assert_eq!(target.write(&rows).await.unwrap(), written(3));
    let before = control.records("BD_Customer");
    let truth_before = handle
        .simulator()
        .ground_truth_jsonl(ModifiedRange::default());
    assert_eq!(target.write(&rows).await.unwrap(), written(3));
    assert_eq!(target.write(&rows[1..2]).await.unwrap(), written(1));
    assert_eq!(control.records("BD_Customer"), before);
    assert_eq!(
        handle
            .simulator()
            .ground_truth_jsonl(ModifiedRange::default()),
        truth_before
    );

    let mut renamed = rows[0].clone();
    renamed.insert("FTAXREGISTERCODE", json!("91310000MA1CHANGED"));
    assert_eq!(target.write(&[renamed]).await.unwrap(), written(1));
    let after = control.records("BD_Customer");
    assert_eq!(after.len(), 3);
    assert_eq!(
        after[0].fields["FTAXREGISTERCODE"],
        json!("91310000MA1CHANGED")
    );
    assert_eq!(after[0].id, before[0].id);
}

#[tokio::test]
async fn rows_with_numbers_save_by_number() {
    let (handle, control) = start(KingdeeConfig::default()).await;
    let numbered = scheme(|target| {
        target.remove("distributionOrg");
        target["id"] = json!("FNumber");
    });
    let target = target(&connection(&handle, PASSWORD_LOGIN), &numbered).await;
    let mut row = customer(NAMES[0], "BZ");
    row.insert("FNumber", json!("C-0001"));
    assert_eq!(
        target.write(std::slice::from_ref(&row)).await.unwrap(),
        written(1)
    );
    row.insert("FName", json!("改名后"));
    assert_eq!(target.write(&[row]).await.unwrap(), written(1));
    let saved = control.records("BD_Customer");
    assert_eq!(saved.len(), 1);
    assert_eq!(
        (saved[0].number.as_str(), &saved[0].fields["FName"]),
        ("C-0001", &json!("改名后"))
    );
    assert!(saved[0].allocated_org_ids.is_empty());
}

#[tokio::test]
async fn failed_allocation_marks_the_saved_record_failed() {
    let (handle, control) = start(KingdeeConfig::default()).await;
    let bad_org = scheme(|target| {
        target["distributionOrg"] = json!("999");
    });
    let target = target(&connection(&handle, PASSWORD_LOGIN), &bad_org).await;
    let outcomes = target.write(&[customer(NAMES[0], "BZ")]).await.unwrap();
    assert_eq!(
        outcomes,
        vec![RowOutcome::Failed {
            error: "saved but allocation to organisation(s) 999 failed: 组织内码“999”不存在"
                .to_owned()
        }]
    );
    assert_eq!(control.records("BD_Customer").len(), 1);
}

#[tokio::test]
async fn save_submit_and_audit_move_the_status() {
    let (handle, control) = start(KingdeeConfig::default()).await;
    let connection = connection(&handle, PASSWORD_LOGIN);
    let with_api = |api: &'static str| {
        scheme(move |target| {
            target.remove("distributionOrg");
            target["api"] = json!(api);
            set_other(target, "Operation", api);
            set_other(target, "IsAutoSubmitAndAudit", "false");
        })
    };
    let save = target(&connection, &with_api("save")).await;
    assert_eq!(save.max_batch(), 20);
    let rows: Vec<Row> = NAMES.iter().map(|name| customer(name, "BZ")).collect();
    assert_eq!(save.write(&rows).await.unwrap(), written(3));
    let statuses = || -> Vec<String> {
        control
            .records("BD_Customer")
            .into_iter()
            .map(|record| record.document_status)
            .collect()
    };
    assert_eq!(statuses(), vec!["A", "A", "A"]);

    let by_number = |number: &str| {
        Row::from_object(
            number,
            json!({"FNumber": number}).as_object().unwrap().clone(),
        )
    };
    let audit = target(&connection, &with_api("audit")).await;
    let early = audit.write(&[by_number("CUST000001")]).await.unwrap();
    assert_eq!(
        early,
        vec![RowOutcome::Failed {
            error: "编码为“CUST000001”的数据状态为“创建”，未提交不能审核".to_owned()
        }]
    );
    let submit = target(&connection, &with_api("submit")).await;
    let submitted = submit
        .write(&[
            by_number("CUST000001"),
            by_number("NOPE"),
            by_number("CUST000002"),
        ])
        .await
        .unwrap();
    assert_eq!(
        submitted,
        vec![
            RowOutcome::Written,
            RowOutcome::Failed {
                error: "编码为“NOPE”的数据不存在".to_owned()
            },
            RowOutcome::Written,
        ]
    );
    assert_eq!(
        audit.write(&[by_number("CUST000001")]).await.unwrap(),
        written(1)
    );
    assert_eq!(statuses(), vec!["C", "B", "A"]);
    let nameless = Row::from_object("x", serde_json::Map::new());
    assert_eq!(
        audit.write(&[nameless]).await.unwrap(),
        vec![RowOutcome::Failed {
            error: "the row has no `FNumber` to submit or audit".to_owned()
        }]
    );
}

#[tokio::test]
async fn open_reports_what_to_fix() {
    let (handle, _control) = start(KingdeeConfig::default()).await;
    let good = connection(&handle, PASSWORD_LOGIN);
    let open_error = |connection: ferry_model::Connection, scheme: ferry_model::Scheme| async move {
        ferry_platforms::kingdee::open(&connection, &scheme.target)
            .await
            .unwrap_err()
    };
    let no_form = scheme(|target| {
        let entries = target["otherRequest"].as_array_mut().unwrap();
        entries.retain(|entry| entry["field"] != "FormId");
    });
    assert_eq!(
        open_error(good.clone(), no_form).await,
        CallError::Invalid {
            message: "a Kingdee target needs an `otherRequest` entry `FormId` (e.g. `BD_Customer`)"
                .to_owned()
        }
    );
    let contradiction = scheme(|target| set_other(target, "Operation", "Save"));
    assert_eq!(
        open_error(good, contradiction).await,
        CallError::Invalid {
            message: "`otherRequest` `Operation` `Save` contradicts the target api `batchSave`"
                .to_owned()
        }
    );
    let unknown_login = connection(
        &handle,
        &[("acct_id", "a"), ("username", "u"), ("login", "oauth")],
    );
    assert_eq!(
        open_error(unknown_login, scheme(|_| {})).await,
        CallError::Rejected {
            message: "connection `kingdee`: unknown `login` `oauth` (valid: `validate_user`, `app_secret`, `sign`, `signature`)".to_owned()
        }
    );
    let no_secret = connection(
        &handle,
        &[
            ("acct_id", "a"),
            ("username", "u"),
            ("login", "sign"),
            ("app_id", "x"),
        ],
    );
    assert_eq!(
        open_error(no_secret, scheme(|_| {})).await,
        CallError::Rejected {
            message: "connection `kingdee` has no `app_secret` (login `sign` needs it)".to_owned()
        }
    );
}
