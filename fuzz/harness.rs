//! The fuzz harnesses, one function per target, shared by the cargo-fuzz binaries
//! (fuzz_targets/*.rs) and by the corpus regression test
//! (crates/ferry-engine/tests/fuzz_corpus.rs), which feeds every file of corpus/<target>/ to
//! the same function without a fuzzing engine.
//!
//! Contract: each function accepts any bytes and returns; whatever ferry makes of the input
//! (a value or an error with a position) is fine, a panic or a hang is a bug.

#![allow(dead_code)]

use std::sync::OnceLock;

use ferry_expr::function::Function;
use ferry_expr::template::Template;
use ferry_expr::{Record, RecordScope, RunVars};
use ferry_model::scheme::SchemeContext;
use ferry_model::{Config, SourceFile};

/// A target: what it does with one input.
pub type Harness = fn(&[u8]);

/// Every target, by the name of its directory under corpus/.
pub const TARGETS: &[(&str, Harness)] = &[
    ("scheme", scheme),
    ("config", config),
    ("template", template),
    ("function", function),
    ("decoders", decoders),
];

/// The config schemes are checked against: one connection of each kind the corpus uses.
const CONFIG: &str = r#"
[connections.jst]
platform = "jushuitan-qimen"
app_key = "12345678"
secret = "qimensecret"
customer_id = "cust-1"

[connections.dw]
platform = "mysql"
url = "mysql://root@127.0.0.1:3306/test"

[connections.banniu]
platform = "banniu"
app_key = "bnappkey"
app_secret = "banniusecret"
access_token = "bntoken"

[connections.ledger]
platform = "ledger"
"#;

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn fixed_config() -> &'static Config {
    static CONFIG_CELL: OnceLock<Config> = OnceLock::new();
    CONFIG_CELL.get_or_init(|| {
        ferry_model::load_config(&SourceFile::new("ferry.toml", CONFIG.to_owned()), &|_| None)
            .unwrap_or_else(|issues| panic!("the fuzz config is invalid: {issues:?}"))
    })
}

/// A record with every JSON type, nested objects and an array (beatFlat-style).
fn record() -> Record {
    let value = serde_json::json!({
        "o_id": 1001, "so_id": "SO-1", "amount": "12.50", "qty": 3, "paid": true,
        "note": "O'Brien'); DROP TABLE x; --", "empty": "", "none": null,
        "modified": "2024-01-15 12:00:00", "buyer": {"name": "张三", "tags": ["a", "b"]},
        "items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]
    });
    match value {
        serde_json::Value::Object(record) => record,
        _ => Record::new(),
    }
}

fn vars() -> RunVars {
    RunVars::new(1_704_038_400, 1_704_643_200, 1_704_700_000)
}

/// `ferry_model::load_scheme` on the bytes as a scheme file, against a fixed config.
pub fn scheme(data: &[u8]) {
    let context = SchemeContext {
        config: Some(fixed_config()),
        collections: None,
    };
    let _ = ferry_model::load_scheme(&SourceFile::new("fuzz.json", text(data)), &context);
}

/// `ferry_model::load_config` on the bytes as a ferry.toml (one variable, `FUZZ_SET`, is set).
pub fn config(data: &[u8]) {
    let env = |name: &str| (name == "FUZZ_SET").then(|| "set".to_owned());
    let _ = ferry_model::load_config(&SourceFile::new("fuzz.toml", text(data)), &env);
}

/// A template compiled from the bytes, rendered against a fixed record.
pub fn template(data: &[u8]) {
    if let Ok(template) = Template::parse(&text(data)) {
        let record = record();
        let vars = vars();
        let _ = template.render(&RecordScope::new(&record, &vars));
    }
}

/// A `_function` expression parsed from the bytes, evaluated against a fixed record.
pub fn function(data: &[u8]) {
    if let Ok(function) = Function::parse(&text(data)) {
        let record = record();
        let vars = vars();
        let _ = function.eval(&RecordScope::new(&record, &vars));
    }
}

/// Every platform reply decoder on the bytes as a reply body.
pub fn decoders(data: &[u8]) {
    let _ = ferry_platforms::decoders::decode_all(data);
}
