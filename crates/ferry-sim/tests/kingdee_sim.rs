//! Kingdee simulator over HTTP (PROTOCOLS.md §7): logins in every style, sessions and their
//! expiry, signature headers, BatchSave's per-entity reply, ExecuteBillQuery, Allocate and the
//! rate-limit reply, on a simulator bound to port 0 with a fixed clock.

use ferry_sim::kingdee::build_with_control;
use ferry_sim::{ClockSetting, KingdeeConfig, KingdeeControl, RateConfig, SimHandle};
use serde_json::{Value, json};

/// 2024-01-02 10:00:00 Beijing = Unix 1704160800, the timestamp of the §7.2 examples.
const NOW: &str = "2024-01-02 10:00:00";
const AUTH: &str = "/k3cloud/Kingdee.BOS.WebApi.ServicesStub.AuthService.";
const FORM: &str = "/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.";
const APP_ID: &str = "123456_AbCdEfGhIjKlMnOpQrStUvWxYz012345";

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

async fn start(config: KingdeeConfig) -> (SimHandle, KingdeeControl) {
    let mut config = config;
    config.common.clock = Some(NOW.to_owned());
    let (simulator, control) = build_with_control(config).unwrap();
    let handle = simulator
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (handle, control)
}

async fn post(
    handle: &SimHandle,
    path: &str,
    headers: &[(&str, &str)],
    body: Value,
) -> (u16, Value, Option<String>) {
    let mut request = http()
        .post(format!("{}{path}", handle.base_url()))
        .json(&body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get("set-cookie")
        .map(|value| value.to_str().unwrap().to_owned());
    (status, response.json().await.unwrap(), cookie)
}

async fn login(handle: &SimHandle) -> String {
    let body = json!({"acctID": "5f1234567890ab", "username": "apiuser", "password": "apipassword", "lcid": 2052});
    let (_, reply, _) = post(
        handle,
        &format!("{AUTH}ValidateUser.common.kdsvc"),
        &[],
        body,
    )
    .await;
    format!(
        "kdservice-sessionid={}",
        reply["KDSVCSessionId"].as_str().unwrap()
    )
}

fn customer(number: &str, name: &str) -> Value {
    json!({"FNumber": number, "FName": name, "FCreateOrgId": {"FNumber": "100"},
        "FUseOrgId": {"FNumber": "BZ"}, "FTRADINGCURRID": {"FNumber": "PRE001"}, "FGroup": {"FNumber": "B11"}})
}

fn lost() -> Value {
    json!({"Result": {"ResponseStatus": {"IsSuccess": false, "Errors": [{"FieldName": null,
        "Message": "会话信息已丢失，请重新登录", "DIndex": 0}], "SuccessEntitys": [], "SuccessMessages": [],
        "MsgCode": 1, "ErrorCode": 500}}})
}

#[tokio::test]
async fn logins_in_every_style_issue_sessions() {
    let (handle, control) = start(KingdeeConfig::default()).await;
    let named = json!({"acctID": "5f1234567890ab", "username": "apiuser", "password": "apipassword", "lcid": 2052});
    let (status, reply, cookie) = post(
        &handle,
        &format!("{AUTH}ValidateUser.common.kdsvc"),
        &[],
        named,
    )
    .await;
    assert_eq!(
        (status, &reply["LoginResultType"], &reply["IsSuccessByAPI"]),
        (200, &json!(1), &json!(true))
    );
    let session = reply["KDSVCSessionId"].as_str().unwrap();
    assert_eq!(session.len(), 36);
    assert_eq!(reply["Context"]["SessionId"], json!(session));
    assert_eq!(
        cookie.unwrap(),
        format!("kdservice-sessionid={session}; path=/")
    );

    let positional = json!({"parameters": ["5f1234567890ab", "apiuser", APP_ID, "appsecret0123456789abcdef01234567", 2052]});
    let (_, reply, _) = post(
        &handle,
        &format!("{AUTH}LoginByAppSecret.common.kdsvc"),
        &[],
        positional,
    )
    .await;
    assert_eq!(reply["LoginResultType"], json!(1));
    let signed = json!({"acctID": "5f1234567890ab", "username": "apiuser", "appId": APP_ID, "timestamp": 1_704_160_800,
        "sign": "4067e4c21a4feef57465bfdaebd6d906afb0640a4749c898387344e3ff593508", "lcid": 2052});
    let (_, reply, _) = post(
        &handle,
        &format!("{AUTH}loginbysign.common.kdsvc"),
        &[],
        signed.clone(),
    )
    .await;
    assert_eq!(reply["LoginResultType"], json!(1));
    assert_eq!(control.logins(), 3);

    let mut stale = signed;
    handle
        .simulator()
        .clock()
        .apply(&ClockSetting::AdvanceSeconds(601));
    stale["lcid"] = json!(1033);
    let (_, reply, _) = post(
        &handle,
        &format!("{AUTH}LoginBySign.common.kdsvc"),
        &[],
        stale,
    )
    .await;
    assert_eq!(
        (&reply["LoginResultType"], &reply["Message"]),
        (&json!(0), &json!("时间戳已过期"))
    );
    let wrong = json!({"acctID": "5f1234567890ab", "username": "apiuser", "password": "guess", "lcid": 2052});
    let (status, reply, cookie) = post(
        &handle,
        &format!("{AUTH}ValidateUser.common.kdsvc"),
        &[],
        wrong,
    )
    .await;
    assert_eq!((status, cookie), (200, None));
    assert_eq!(
        (
            &reply["LoginResultType"],
            &reply["Message"],
            &reply["KDSVCSessionId"],
            &reply["IsSuccessByAPI"]
        ),
        (
            &json!(0),
            &json!("用户名或密码错误！"),
            &Value::Null,
            &json!(false)
        )
    );
    assert_eq!(control.logins(), 3);
}

#[tokio::test]
async fn business_calls_need_a_live_session_or_valid_signature_headers() {
    let mut config = KingdeeConfig::default();
    config.auth.session_ttl_s = 100;
    let (handle, control) = start(config).await;
    let save = format!("{FORM}Save.common.kdsvc");
    let body = json!({"formid": "BD_Customer", "data": {"Model": customer("C1", "甲")}});
    assert_eq!(post(&handle, &save, &[], body.clone()).await.1, lost());
    let cookie = login(&handle).await;
    let (_, reply, _) = post(&handle, &save, &[("cookie", &cookie)], body.clone()).await;
    assert_eq!(reply["Result"]["Number"], json!("C1"));
    handle
        .simulator()
        .clock()
        .apply(&ClockSetting::AdvanceSeconds(99));
    assert_eq!(
        post(&handle, &save, &[("cookie", &cookie)], body.clone())
            .await
            .1["Result"]["Id"],
        json!(100_001)
    );
    handle
        .simulator()
        .clock()
        .apply(&ClockSetting::AdvanceSeconds(100));
    assert_eq!(
        post(&handle, &save, &[("cookie", &cookie)], body.clone())
            .await
            .1,
        lost()
    );
    let cookie = login(&handle).await;
    control.expire_sessions();
    assert_eq!(
        post(&handle, &save, &[("cookie", &cookie)], body.clone())
            .await
            .1,
        lost()
    );

    handle
        .simulator()
        .clock()
        .apply(&ClockSetting::Fixed(NOW.to_owned()));
    let signature =
        "ZGUzZTNlYWJlZjExYWFiNzFlNTg0ODMzMzQ0MTIzOGZiNGI2ZjM2YTk0M2ZiNjljZGQ1NDliYmRlYTQyZmY5Ng==";
    let mut headers = vec![
        ("X-Api-ClientID", "123456"),
        ("X-Api-Auth-Version", "2.0"),
        ("x-api-timestamp", "1704160800"),
        ("x-api-nonce", "1704160800"),
        ("x-api-signheaders", "x-api-timestamp,x-api-nonce"),
        ("X-Api-Signature", "unchecked"),
        ("X-Kd-Appkey", APP_ID),
        (
            "X-Kd-Appdata",
            "NWYxMjM0NTY3ODkwYWIsYXBpdXNlciwyMDUyLDEwMA==",
        ),
        ("X-Kd-Signature", signature),
    ];
    let (_, reply, _) = post(&handle, &save, &headers, body.clone()).await;
    assert_eq!(reply["Result"]["ResponseStatus"]["IsSuccess"], json!(true));
    headers[8] = ("X-Kd-Signature", "ZGUz");
    assert_eq!(post(&handle, &save, &headers, body).await.1, lost());
    assert_eq!(control.records("BD_Customer").len(), 1);
}

#[tokio::test]
async fn batch_save_answers_per_entity_and_saves_the_good_ones() {
    let (handle, control) = start(KingdeeConfig::default()).await;
    let cookie = login(&handle).await;
    let mut bad_group = customer("C2", "乙");
    bad_group["FGroup"] = json!({"FNumber": "99"});
    let mut nameless = customer("C3", "");
    nameless.as_object_mut().unwrap().remove("FTRADINGCURRID");
    let body = json!({"formid": "BD_Customer", "data": {"IsVerifyBaseDataField": "true", "IsAutoSubmitAndAudit": true,
        "NeedReturnFields": ["FNumber", "FName"], "Model": [customer("C1", "甲"), bad_group, nameless, customer("", "丁")]}});
    let (status, reply, _) = post(
        &handle,
        &format!("{FORM}BatchSave.common.kdsvc"),
        &[("cookie", &cookie)],
        body,
    )
    .await;
    assert_eq!(status, 200);
    let expected = json!({"Result": {"ResponseStatus": {"IsSuccess": false,
        "Errors": [
            {"FieldName": "FGroup", "Message": "字段“客户分组”的值“99”在基础资料中不存在", "DIndex": 1},
            {"FieldName": "FName", "Message": "字段“客户名称”是必填项", "DIndex": 2},
            {"FieldName": "FTRADINGCURRID", "Message": "字段“结算币别”是必填项", "DIndex": 2}],
        "SuccessEntitys": [{"Id": 100_001, "Number": "C1", "DIndex": 0}, {"Id": 100_002, "Number": "CUST000001", "DIndex": 3}],
        "SuccessMessages": [], "MsgCode": 9, "ErrorCode": 500},
        "NeedReturnData": [{"FNumber": "C1", "FName": "甲"}, {"FNumber": "CUST000001", "FName": "丁"}]}});
    assert_eq!(reply, expected);
    let saved = control.records("BD_Customer");
    let summary: Vec<(&str, &str, u64)> = saved
        .iter()
        .map(|record| {
            (
                record.number.as_str(),
                record.document_status.as_str(),
                record.id,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![("C1", "C", 100_001), ("CUST000001", "C", 100_002)]
    );

    let unknown = json!({"formid": "BD_Nope", "data": {"Model": [customer("C9", "戊")]}});
    let (_, reply, _) = post(
        &handle,
        &format!("{FORM}BatchSave.common.kdsvc"),
        &[("cookie", &cookie)],
        unknown,
    )
    .await;
    assert_eq!(
        reply["Result"]["ResponseStatus"]["Errors"][0]["Message"],
        json!("业务对象不存在")
    );
    assert_eq!(control.records("BD_Customer").len(), 2);
}

#[tokio::test]
async fn execute_bill_query_reads_back_pages_and_filters() {
    let (handle, _control) = start(KingdeeConfig::default()).await;
    let cookie = login(&handle).await;
    let models: Vec<Value> = ["甲", "O'Brien", "丙"]
        .iter()
        .enumerate()
        .map(|(i, name)| customer(&format!("C{i}"), name))
        .collect();
    let body = json!({"parameters": ["BD_Customer", serde_json::to_string(&json!({"Model": models})).unwrap()]});
    post(
        &handle,
        &format!("{FORM}BatchSave.common.kdsvc"),
        &[("cookie", &cookie)],
        body,
    )
    .await;
    let query = |filter: &str, start: u32, limit: u32| {
        json!({"data": {"FormId": "BD_Customer", "FieldKeys": "FNumber,FName,FUseOrgId.FNumber,FUseOrgId,FDocumentStatus,FCUSTID",
            "FilterString": filter, "StartRow": start, "Limit": limit}})
    };
    let path = format!("{FORM}ExecuteBillQuery.common.kdsvc");
    let (_, rows, _) = post(&handle, &path, &[("cookie", &cookie)], query("", 1, 5)).await;
    assert_eq!(
        rows,
        json!([
            ["C1", "O'Brien", "BZ", 100_040, "A", 100_002],
            ["C2", "丙", "BZ", 100_040, "A", 100_003]
        ])
    );
    let (_, rows, _) = post(
        &handle,
        &path,
        &[("cookie", &cookie)],
        query("FName IN ('O''Brien','甲') AND FNumber <> 'C0'", 0, 2000),
    )
    .await;
    assert_eq!(
        rows,
        json!([["C1", "O'Brien", "BZ", 100_040, "A", 100_002]])
    );
    let (_, rows, _) = post(
        &handle,
        &path,
        &[("cookie", &cookie)],
        query("FName LIKE '%'", 0, 10),
    )
    .await;
    assert_eq!(
        rows[0][0]["Result"]["ResponseStatus"]["IsSuccess"],
        json!(false)
    );
    let unknown = json!({"data": {"FormId": "BD_Nope", "FieldKeys": "FNumber"}});
    let (_, rows, _) = post(&handle, &path, &[("cookie", &cookie)], unknown).await;
    assert_eq!(
        rows[0][0]["Result"]["ResponseStatus"]["Errors"][0]["Message"],
        json!("业务对象不存在")
    );
}

#[tokio::test]
async fn allocate_adds_use_orgs_and_the_rate_limit_answers_429() {
    let (handle, control) = start(KingdeeConfig::default()).await;
    let cookie = login(&handle).await;
    let body = json!({"formid": "BD_Customer", "data": {"Model": [customer("C1", "甲")]}});
    post(
        &handle,
        &format!("{FORM}BatchSave.common.kdsvc"),
        &[("cookie", &cookie)],
        body,
    )
    .await;
    let allocate = format!("{FORM}Allocate.common.kdsvc");
    let body = json!({"formid": "BD_Customer", "data": {"PkIds": "100001,5", "TOrgIds": "100040,100041", "IsAutoSubmitAndAudit": false}});
    let (_, reply, _) = post(&handle, &allocate, &[("cookie", &cookie)], body).await;
    let status = &reply["Result"]["ResponseStatus"];
    assert_eq!(
        status["SuccessEntitys"],
        json!([{"Id": 100_001, "Number": "C1", "DIndex": 0}])
    );
    assert_eq!(
        status["Errors"],
        json!([{"FieldName": null, "Message": "内码为“5”的数据不存在", "DIndex": 1}])
    );
    let saved = control.records("BD_Customer");
    assert_eq!(
        saved[0]
            .allocated_org_ids
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        vec![100_040, 100_041]
    );
    let body = json!({"formid": "BD_Customer", "data": {"PkIds": 100_001, "TOrgIds": "7"}});
    let (_, reply, _) = post(&handle, &allocate, &[("cookie", &cookie)], body).await;
    assert_eq!(
        reply["Result"]["ResponseStatus"]["Errors"][0]["Message"],
        json!("组织内码“7”不存在")
    );

    handle
        .simulator()
        .set_rate(Some(RateConfig {
            per_second: 0.001,
            burst: 1,
        }))
        .unwrap();
    post(&handle, &allocate, &[("cookie", &cookie)], json!({})).await;
    let response = http()
        .post(format!("{}{allocate}", handle.base_url()))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert!(
        response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let reply: Value = response.json().await.unwrap();
    assert_eq!(
        reply["Result"]["ResponseStatus"]["Errors"][0]["Message"],
        json!("请求过于频繁，请稍后再试")
    );
}
