//! Unit tests of reading `ferry.toml`.

use super::Config;
use super::read::load_config;
use crate::doc::SourceFile;
use crate::units::Rate;

fn env(name: &str) -> Option<String> {
    (name == "JST_SECRET").then(|| "sekrit".to_owned())
}

fn load(text: &str) -> Result<Config, Vec<String>> {
    let file = SourceFile::new("ferry.toml", text);
    load_config(&file, &env).map_err(|issues| issues.iter().map(ToString::to_string).collect())
}

#[test]
fn reads_a_full_config() {
    let config = load(
            "[store]\nurl = \"sqlite://x.db\"\n[connections.jst]\nplatform = \"jushuitan-qimen\"\napp_key = \"k\"\nsecret = \"${JST_SECRET}\"\ncustomer_id = \"c\"\nrate = \"2/s\"\n",
        )
        .unwrap();
    let jst = &config.connections["jst"];
    assert_eq!(jst.get("secret"), Some("sekrit"));
    assert_eq!(jst.settings["secret"].display(), "***");
    assert_eq!(jst.get("target_app_key"), Some("23060081"));
    assert_eq!(
        jst.rate,
        Some(Rate {
            count: 2,
            per_secs: 1
        })
    );
    assert_eq!(format!("{:?}", jst).matches("sekrit").count(), 0);
}

#[test]
fn collects_every_problem() {
    let errors = load(
            "[stor]\nurl = 1\n[connections.a]\nplatform = \"jushuitan-qiman\"\n[connections.b]\nplatform = \"mysql\"\nurl = \"mysql://${NOPE}@h/db\"\nrat = \"x\"\n[server]\nlisten = \"0.0.0.0:80\"\n",
        )
        .unwrap_err();
    assert_eq!(
        errors,
        vec![
            "ferry.toml:4:12: error: unknown platform `jushuitan-qiman`\n  hint: did you mean `jushuitan-qimen`? (valid: `jushuitan-qimen`, `jushuitan`, `jackyun-qimen`, `jackyun`, `okki`, `wdt-qimen`, `wdt`, `wdt-flagship-qimen`, `wdt-flagship`, `kingdee`, `banniu`, `mysql`, `postgres`, `sqlite`, `ledger`)",
            "ferry.toml:7:16: error: environment variable `NOPE` is not set\n  hint: export NOPE=… before running ferry, or write `${NOPE:-default}`",
            "ferry.toml:8:1: error: unknown key `rat`\n  hint: did you mean `rate`?",
            "ferry.toml:9:1: error: `server.listen` is `0.0.0.0:80`, which is not loopback, but no `token` is set\n  hint: set `token = \"${FERRY_TOKEN}\"`: the API and console require it off loopback",
            "ferry.toml:1:2: error: unknown key `stor`\n  hint: did you mean `store`?",
        ]
    );
}
