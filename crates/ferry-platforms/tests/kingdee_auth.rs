//! Kingdee target authentication and failure classes against the simulator: every login mode,
//! sessions renewed after expiry without losing a record, wrong credentials `Rejected`
//! without the secret, rate limit and 5xx (PROTOCOLS.md §7.2, §7.6).

#[path = "kingdee_common.rs"]
mod common;

use common::{
    APP_ID, APP_SECRET, NAMES, PASSWORD_LOGIN, connection, customer, scheme, start, target,
};
use ferry_platforms::{CallError, Row, RowOutcome, Target};
use ferry_sim::{ClockSetting, Error5xxFault, FaultConfig, KingdeeConfig, RateConfig};

fn settings(login: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("acct_id", "5f1234567890ab"),
        ("username", "apiuser"),
        ("login", login),
        ("app_id", APP_ID),
        ("app_secret", APP_SECRET),
        ("org_number", "100"),
    ]
}

#[tokio::test]
async fn every_login_mode_writes() {
    let modes = [
        ("validate_user", PASSWORD_LOGIN.to_vec(), 1),
        ("app_secret", settings("app_secret"), 1),
        ("sign", settings("sign"), 1),
        ("signature", settings("signature"), 0),
    ];
    for (name, settings, logins) in modes {
        let (handle, control) = start(KingdeeConfig::default()).await;
        let target = target(&connection(&handle, &settings), &scheme(|_| {})).await;
        let outcomes = target.write(&[customer(NAMES[1], "BZ")]).await.unwrap();
        assert_eq!(outcomes, vec![RowOutcome::Written], "{name}");
        assert_eq!(control.records("BD_Customer").len(), 1, "{name}");
        assert_eq!(control.logins(), logins, "{name}");
    }
}

#[tokio::test]
async fn expired_sessions_are_renewed_without_losing_a_record() {
    let mut config = KingdeeConfig::default();
    config.auth.session_ttl_s = 60;
    config.common.clock = Some("2024-03-01 09:00:00".to_owned());
    let (handle, control) = start(config).await;
    let target = target(&connection(&handle, PASSWORD_LOGIN), &scheme(|_| {})).await;
    let rows: Vec<Row> = NAMES.iter().map(|name| customer(name, "BZ")).collect();
    assert_eq!(
        target.write(&rows[..1]).await.unwrap(),
        vec![RowOutcome::Written]
    );
    assert_eq!(control.logins(), 1);

    assert!(
        handle
            .simulator()
            .clock()
            .apply(&ClockSetting::AdvanceSeconds(61))
    );
    assert_eq!(
        target.write(&rows[1..2]).await.unwrap(),
        vec![RowOutcome::Written]
    );
    assert_eq!(control.logins(), 2);

    control.expire_sessions();
    assert_eq!(
        target.write(&rows[2..]).await.unwrap(),
        vec![RowOutcome::Written]
    );
    assert_eq!(control.logins(), 3);
    let names: Vec<String> = control
        .records("BD_Customer")
        .iter()
        .map(|record| record.fields["FName"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, NAMES);
}

#[tokio::test]
async fn wrong_credentials_are_rejected_without_the_secret() {
    let (handle, control) = start(KingdeeConfig::default()).await;
    let row = [customer(NAMES[0], "BZ")];
    let cases = [
        (
            vec![
                ("acct_id", "5f1234567890ab"),
                ("username", "apiuser"),
                ("password", "Wr0ng-P4ss"),
            ],
            "Wr0ng-P4ss",
            "Kingdee login `validate_user` of user `apiuser` to data centre `5f1234567890ab` failed (LoginResultType 0): 用户名或密码错误！",
        ),
        (
            vec![
                ("acct_id", "5f1234567890ab"),
                ("username", "apiuser"),
                ("login", "app_secret"),
                ("app_id", APP_ID),
                ("app_secret", "not-the-secret-123"),
            ],
            "not-the-secret-123",
            "Kingdee login `app_secret` of user `apiuser` to data centre `5f1234567890ab` failed (LoginResultType 0): 应用ID或应用密钥错误",
        ),
        (
            vec![
                ("acct_id", "5f1234567890ab"),
                ("username", "apiuser"),
                ("login", "sign"),
                ("app_id", APP_ID),
                ("app_secret", "not-the-secret-123"),
            ],
            "not-the-secret-123",
            "Kingdee login `sign` of user `apiuser` to data centre `5f1234567890ab` failed (LoginResultType 0): 签名验证失败",
        ),
        (
            vec![
                ("acct_id", "nope"),
                ("username", "apiuser"),
                ("password", "apipassword"),
            ],
            "apipassword",
            "Kingdee login `validate_user` of user `apiuser` to data centre `nope` failed (LoginResultType 0): 数据中心不存在",
        ),
        (
            vec![
                ("acct_id", "5f1234567890ab"),
                ("username", "apiuser"),
                ("login", "signature"),
                ("app_id", APP_ID),
                ("app_secret", "not-the-secret-123"),
            ],
            "not-the-secret-123",
            "Kingdee refused the signature headers of user `apiuser` (MsgCode 1: 会话信息已丢失，请重新登录; with signatures this means wrong app id, secret, data centre or user)",
        ),
    ];
    for (settings, secret, expected) in cases {
        let target = target(&connection(&handle, &settings), &scheme(|_| {})).await;
        let error = target.write(&row).await.unwrap_err();
        assert_eq!(
            error,
            CallError::Rejected {
                message: expected.to_owned()
            }
        );
        assert!(!format!("{error:?} {target:?}").contains(secret));
    }
    assert_eq!(control.logins(), 0);
    assert!(control.records("BD_Customer").is_empty());
}

#[tokio::test]
async fn rate_limit_and_server_errors_are_classified() {
    let (handle, control) = start(KingdeeConfig::default()).await;
    let target = target(&connection(&handle, PASSWORD_LOGIN), &scheme(|_| {})).await;
    let row = [customer(NAMES[0], "BZ")];
    let rate = RateConfig {
        per_second: 0.001,
        burst: 1,
    };
    handle.simulator().set_rate(Some(rate)).unwrap();
    let limited = target.write(&row).await.unwrap_err();
    let CallError::RateLimited {
        message,
        retry_after,
    } = &limited
    else {
        panic!("expected a rate limit, got {limited:?}");
    };
    assert!(
        message.starts_with("HTTP 429 Too Many Requests from http://127.0.0.1:"),
        "{message}"
    );
    assert!(retry_after.is_some_and(|wait| wait.as_secs() >= 1));

    handle.simulator().set_rate(None).unwrap();
    let failing = FaultConfig {
        error_5xx: Error5xxFault {
            probability: 1.0,
            status: 502,
        },
        ..FaultConfig::default()
    };
    handle.simulator().set_faults(failing).unwrap();
    let error = target.write(&row).await.unwrap_err();
    let CallError::Transient { message } = &error else {
        panic!("expected transient, got {error:?}");
    };
    assert!(
        message.starts_with("HTTP 502 from http://127.0.0.1:"),
        "{message}"
    );

    handle
        .simulator()
        .set_faults(FaultConfig::default())
        .unwrap();
    assert_eq!(target.write(&row).await.unwrap(), vec![RowOutcome::Written]);
    assert_eq!(control.records("BD_Customer").len(), 1);
}
