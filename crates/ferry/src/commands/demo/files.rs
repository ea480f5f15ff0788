//! What `ferry demo` writes into its directory: the six example schemes and the target
//! tables' DDL (embedded in the binary, so the demo runs from any directory), and a ferry.toml
//! whose connections point at the in-process simulators.

use std::path::Path;

use anyhow::Context;

use super::secrets::DemoSecrets;

/// The example schemes, in the order the demo runs them (the Banniu task feed first: seed
/// 000's `_mongoQuery` reads its ledger).
pub const SCHEMES: [(&str, &str); 6] = [
    (
        "000_banniu_tasks.json",
        include_str!("../../../../../examples/schemes/000_banniu_tasks.json"),
    ),
    (
        "000_jky_to_banniu.json",
        include_str!("../../../../../examples/schemes/000_jky_to_banniu.json"),
    ),
    (
        "001_okki_orders.json",
        include_str!("../../../../../examples/schemes/001_okki_orders.json"),
    ),
    (
        "002_jst_orders_to_mysql.json",
        include_str!("../../../../../examples/schemes/002_jst_orders_to_mysql.json"),
    ),
    (
        "003_wdt_customers_to_kingdee.json",
        include_str!("../../../../../examples/schemes/003_wdt_customers_to_kingdee.json"),
    ),
    (
        "004_wdt_refunds_to_mysql.json",
        include_str!("../../../../../examples/schemes/004_wdt_refunds_to_mysql.json"),
    ),
];

/// DDL of the SQL targets: (table, MySQL/MariaDB, SQLite/PostgreSQL).
pub const TABLES: [(&str, &str, &str); 2] = [
    (
        "order_list_query",
        include_str!("../../../../../examples/sql/order_list_query.mysql.sql"),
        include_str!("../../../../../examples/sql/order_list_query.sql"),
    ),
    (
        "aftersales_refund_refund_search",
        include_str!("../../../../../examples/sql/aftersales_refund_refund_search.mysql.sql"),
        include_str!("../../../../../examples/sql/aftersales_refund_refund_search.sql"),
    ),
];

/// Base URLs of the simulators.
pub struct Endpoints {
    pub jushuitan: String,
    pub jackyun: String,
    pub okki: String,
    pub wdt: String,
    pub wdt_flagship: String,
    pub kingdee: String,
    pub banniu: String,
}

/// Writes the schemes and ferry.toml into `dir` (replacing what an earlier demo left).
pub fn write(
    dir: &Path,
    endpoints: &Endpoints,
    target_url: &str,
    secrets: &DemoSecrets,
) -> anyhow::Result<()> {
    let schemes = dir.join("schemes");
    std::fs::create_dir_all(&schemes)
        .with_context(|| format!("cannot create {}", schemes.display()))?;
    for (name, text) in SCHEMES {
        std::fs::write(schemes.join(name), text)?;
    }
    for stale in ["ferry.db", "ferry.db-wal", "ferry.db-shm", "target.db"] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    std::fs::write(
        dir.join("ferry.toml"),
        config(endpoints, target_url, secrets),
    )?;
    Ok(())
}

fn config(e: &Endpoints, target_url: &str, secrets: &DemoSecrets) -> String {
    let target_platform = match target_url.split(':').next() {
        Some("mysql" | "mariadb") => "mysql",
        Some("postgres" | "postgresql") => "postgres",
        _ => "sqlite",
    };
    format!(
        r#"# Written by `ferry demo`: every connection points at a simulator in the demo's process.
schemes = "schemes"

[store]
url = "sqlite://ferry.db"

[connections.jst]
platform = "jushuitan-qimen"
base_url = "{jst}/router/qm"
app_key = "12345678"
secret = "{qimen}"
customer_id = "cust-1"
rate = "200/s"

[connections.jky]
platform = "jackyun-qimen"
base_url = "{jky}/router/qm"
app_key = "12345678"
secret = "{qimen}"
target_app_key = "21363512"
jky_appkey = "jkyappkey"
jky_secret = "{jackyun}"
jky_customer_id = "jkycust-1"
rate = "200/s"

[connections.okki]
platform = "okki"
base_url = "{okki}"
client_id = "okki-client"
client_secret = "{okki_secret}"
rate = "200/s"

[connections.wdt]
platform = "wdt-qimen"
base_url = "{wdt}/router/qm"
app_key = "12345678"
secret = "{qimen}"
target_app_key = "wdtqimenkey"
sid = "mysid"
rate = "200/s"

[connections.wdt_flagship]
platform = "wdt-flagship-qimen"
base_url = "{flagship}/router/qm"
app_key = "12345678"
secret = "{qimen}"
target_app_key = "87654321"
sid = "mysid"
wdt_appkey = "mykey"
wdt_secret = "{wdt_flagship}"
rate = "200/s"

[connections.kingdee]
platform = "kingdee"
base_url = "{kingdee}/k3cloud/"
acct_id = "5f1234567890ab"
username = "apiuser"
login = "validate_user"
password = "{kingdee_password}"

[connections.banniu]
platform = "banniu"
base_url = "{banniu}/gateway/api/miniAPI"
app_key = "bnappkey"
app_secret = "{banniu_secret}"
access_token = "{banniu_token}"
rate = "200/s"

[connections.dw]
platform = "{target_platform}"
url = "{target_url}"

[connections.ledger]
platform = "ledger"
"#,
        jst = e.jushuitan,
        jky = e.jackyun,
        okki = e.okki,
        wdt = e.wdt,
        flagship = e.wdt_flagship,
        kingdee = e.kingdee,
        banniu = e.banniu,
        qimen = secrets.qimen.toml(),
        jackyun = secrets.jackyun.toml(),
        okki_secret = secrets.okki.toml(),
        wdt_flagship = secrets.wdt_flagship.toml(),
        kingdee_password = secrets.kingdee.toml(),
        banniu_secret = secrets.banniu_secret.toml(),
        banniu_token = secrets.banniu_token.toml(),
    )
}
