//! Seed 003 end to end in-process: WDT enterprise simulator (Qimen) → engine → Kingdee
//! simulator (`batchSave` BD_Customer, audited, allocated to org 100040). Kingdee must hold
//! exactly one customer per ground-truth invoice title under the seed's filters, with the
//! fields the mapping gives (DZ/BZ from the `case when`), a customer Kingdee rejects fails
//! alone with Kingdee's message in the ledger, and an expired session is renewed without
//! losing a record.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use ferry_engine::RunOutcome;
use ferry_expr::RunVars;
use ferry_sim::kingdee::forms::FieldRule;
use ferry_sim::kingdee::{KingdeeControl, build_with_control};
use ferry_sim::{KingdeeConfig, ModifiedRange, Platform, SimBuilder, SimHandle};
use serde_json::Value;
use support::{
    RANGE_END, RANGE_START, RunWindow, example_scheme, failed_records, run_scheme, serve,
    store_config,
};

struct Setup {
    _dir: tempfile::TempDir,
    wdt: SimHandle,
    _kingdee: SimHandle,
    control: KingdeeControl,
    config: ferry_model::Config,
    scheme: Arc<ferry_model::Scheme>,
}

async fn setup(kingdee: KingdeeConfig) -> Setup {
    let wdt = SimBuilder::new(Platform::Wdt).seed(21).orders(400);
    let wdt = serve(wdt).await;
    let (simulator, control) = build_with_control(kingdee).unwrap();
    let kingdee = simulator
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let connections = format!(
        r#"
[connections.wdt]
platform = "wdt-qimen"
base_url = "{wdt}/router/qm"
app_key = "12345678"
secret = "qimensecret"
target_app_key = "wdtqimenkey"
sid = "mysid"
rate = "200/s"

[connections.kingdee]
platform = "kingdee"
base_url = "{kingdee}/k3cloud/"
acct_id = "5f1234567890ab"
username = "apiuser"
login = "validate_user"
password = "apipassword"
"#,
        wdt = wdt.base_url(),
        kingdee = kingdee.base_url(),
    );
    let config = store_config(dir.path(), &connections);
    let scheme = Arc::new(example_scheme(
        &config,
        "003_wdt_customers_to_kingdee.json",
        |_| {},
    ));
    Setup {
        _dir: dir,
        wdt,
        _kingdee: kingdee,
        control,
        config,
        scheme,
    }
}

impl Setup {
    /// The customers a perfect sync creates: invoice title → mapped Model fields. The seed asks
    /// WDT for statuses 95,105,110,113 of shops 002,003,004,0071 only.
    fn expected(&self) -> BTreeMap<String, serde_json::Map<String, Value>> {
        let truth: Vec<Value> = self
            .wdt
            .simulator()
            .ground_truth(ModifiedRange::default())
            .into_iter()
            .filter(|record| {
                [95, 105, 110, 113].contains(&record["status"].as_u64().unwrap_or_default())
                    && ["002", "003", "004", "0071"]
                        .contains(&record["shop_no"].as_str().unwrap_or_default())
            })
            .collect();
        let vars = RunVars::new(RANGE_START, RANGE_END, RANGE_END)
            .with_timezone(self.scheme.sync.timezone.clone());
        ferry_engine::reconcile::expected_rows(&self.scheme, &truth, &vars, Some("modified"))
            .unwrap()
    }

    /// Saved customers: FName → fields as Kingdee holds them.
    fn saved(&self) -> BTreeMap<String, serde_json::Map<String, Value>> {
        self.control
            .records("BD_Customer")
            .into_iter()
            .map(|record| {
                let name = record.fields["FName"].as_str().unwrap().to_owned();
                (name, record.fields)
            })
            .collect()
    }
}

const COMPARED: [&str; 6] = [
    "FName",
    "FGroup",
    "FCreateOrgId",
    "FUseOrgId",
    "FTRADINGCURRID",
    "FINVOICETITLE",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kingdee_holds_exactly_the_expected_customers() {
    let setup = setup(KingdeeConfig::default()).await;
    let half = RunWindow {
        to: Some(RANGE_START + 15 * 86_400),
        ..RunWindow::ALL
    };
    let first = run_scheme(&setup.config, &setup.scheme, half, Default::default()).await;
    assert_eq!(first.outcome, RunOutcome::Succeeded, "{first:?}");
    // Sessions expire between runs; the next run logs in again and loses nothing.
    setup.control.expire_sessions();
    let second = run_scheme(
        &setup.config,
        &setup.scheme,
        RunWindow::ALL,
        Default::default(),
    )
    .await;
    assert_eq!(second.outcome, RunOutcome::Succeeded, "{second:?}");
    assert_eq!(second.stats.failed, 0);

    let expected = setup.expected();
    let saved = setup.saved();
    assert!(expected.len() > 5, "some customers: {}", expected.len());
    assert_eq!(
        saved.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (name, fields) in &expected {
        for field in COMPARED {
            assert_eq!(saved[name].get(field), fields.get(field), "{name}: {field}");
        }
    }
    let orgs: Vec<&Value> = saved.values().map(|fields| &fields["FUseOrgId"]).collect();
    assert!(
        orgs.iter().any(|org| org["FNumber"] == "DZ")
            || orgs.iter().any(|org| org["FNumber"] == "BZ")
    );

    // Re-run over everything: nothing changed, nothing is saved again.
    let again = run_scheme(
        &setup.config,
        &setup.scheme,
        RunWindow {
            from: Some(RANGE_START),
            ..RunWindow::ALL
        },
        Default::default(),
    )
    .await;
    assert_eq!(again.outcome, RunOutcome::Succeeded);
    assert_eq!(setup.saved().len(), expected.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_kingdee_rejects_fails_alone_with_kingdees_message() {
    // This Kingdee requires 纳税登记号 (FTAXREGISTERCODE ← invoice_content): customers
    // without one are rejected, the others land.
    let mut config = KingdeeConfig::default();
    let customer = config
        .forms
        .iter_mut()
        .find(|form| form.form_id == "BD_Customer")
        .unwrap();
    customer.required.push(FieldRule {
        field: "FTAXREGISTERCODE".to_owned(),
        label: "纳税登记号".to_owned(),
    });
    let setup = setup(config).await;
    let report = run_scheme(
        &setup.config,
        &setup.scheme,
        RunWindow::ALL,
        Default::default(),
    )
    .await;
    assert_eq!(report.outcome, RunOutcome::Succeeded, "{report:?}");

    let expected = setup.expected();
    let (rejected, accepted): (Vec<_>, Vec<_>) = expected.iter().partition(|(_, fields)| {
        fields
            .get("FTAXREGISTERCODE")
            .is_none_or(|code| code.is_null() || code == "")
    });
    assert!(
        !rejected.is_empty() && !accepted.is_empty(),
        "both kinds occur"
    );
    let saved = setup.saved();
    for (name, fields) in &accepted {
        for field in COMPARED {
            assert_eq!(
                saved[*name].get(field),
                fields.get(field),
                "{name}: {field}"
            );
        }
    }

    let failed = failed_records(&setup.config, &setup.scheme.name).await;
    assert_eq!(
        failed.iter().map(|record| &record.key).collect::<Vec<_>>(),
        rejected.iter().map(|(name, _)| *name).collect::<Vec<_>>()
    );
    let message = failed[0].last_error.as_deref().unwrap();
    assert!(
        message.contains("纳税登记号"),
        "Kingdee's message names the field: {message}"
    );
}
