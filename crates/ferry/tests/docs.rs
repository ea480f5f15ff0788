//! Every example in `docs/schemes.md` and `docs/platforms.md` is checked here.
//!
//! Each fenced block names its check in its info string; a block with no known check fails
//! the test, and so does a function, filter, logic, parser or platform the docs leave without
//! an example. Fast and offline: the expression blocks run in process, `ferry-validate` blocks
//! run the built `ferry validate` in a temporary directory.
//!
//! | info string | check |
//! |---|---|
//! | `ferry-eval` | a template rendered against a record and run variables equals `= <json>` (or fails with `error: <message>`) |
//! | `ferry-condition` | a `condition` keeps the `kept:` records and drops the `dropped:` ones |
//! | `ferry-parser` | a `parser` turns each `in:` value into its `=` value |
//! | `ferry-flatten` | `beatFlat` turns the `record:` into the `=` records |
//! | `ferry-map` | a target `request` list validates and renders the `record:` into the `=` object |
//! | `json scheme` | a whole scheme validates against `examples/ferry.toml` without errors or warnings |
//! | `toml ferry` | a `ferry.toml` loads with the real config loader |
//! | `ferry-platform` | equals the platform's facts rendered from the catalog |
//! | `ferry-validate` | `ferry validate` on the given file prints exactly the shown output |

mod docs_check;

use std::collections::BTreeSet;
use std::process::Command;

use docs_check::{Block, blocks, example_collections, example_config, expr, platform, repo};
use ferry_expr::condition::LOGIC_NAMES;
use ferry_expr::convert::PARSER_NAMES;
use ferry_expr::template::{FILTER_NAMES, Template};
use ferry_model::SourceFile;
use ferry_model::catalog::PLATFORMS;

const DOCS: &[&str] = &["schemes.md", "platforms.md"];

/// Scheme keys (scheme/read.rs, sync.rs, adapter.rs, field.rs) and the `otherRequest` settings
/// targets read; each must be documented in backticks.
const SCHEME_KEYS: &[&str] = &[
    "version",
    "name",
    "id",
    "description",
    "schedule",
    "sync",
    "source",
    "target",
    "start",
    "max_span",
    "overlap",
    "lag",
    "timezone",
    "page_size",
    "connection",
    "api",
    "effect",
    "method",
    "number",
    "idCheck",
    "request",
    "otherRequest",
    "condition",
    "beatFlat",
    "omissionRemedy",
    "crontab",
    "takeOverRequest",
    "distributionOrg",
    "field",
    "label",
    "type",
    "describe",
    "value",
    "parser",
    "children",
    "defaultValue",
    "logic",
    "strictMode",
    "main_sql",
    "limit",
    "FormId",
    "Operation",
    "batch_update",
];

fn all_blocks() -> Vec<Block> {
    DOCS.iter().flat_map(|name| blocks(name)).collect()
}

fn tagged<'b>(all: &'b [Block], info: &str) -> Vec<&'b Block> {
    all.iter().filter(|block| block.info == info).collect()
}

/// Runs `check` on every block tagged `info`, reporting every failing block (each panic
/// prints its message) before failing.
fn check_all(all: &[Block], info: &str, check: impl Fn(&Block)) {
    let failed: Vec<String> = tagged(all, info)
        .into_iter()
        .filter(|block| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(block))).is_err()
        })
        .map(Block::at)
        .collect();
    assert!(failed.is_empty(), "failing blocks: {failed:#?}");
}

#[test]
fn every_block_has_a_check() {
    let known = [
        "ferry-eval",
        "ferry-condition",
        "ferry-parser",
        "ferry-flatten",
        "ferry-map",
        "json scheme",
        "toml ferry",
        "ferry-platform",
        "ferry-validate",
    ];
    let all = all_blocks();
    assert!(all.len() > 100, "only {} blocks found", all.len());
    for block in &all {
        assert!(
            known.contains(&block.info.as_str()),
            "{}: no check for this info string; use one of {known:?}",
            block.at()
        );
    }
}

#[test]
fn eval_blocks() {
    check_all(&all_blocks(), "ferry-eval", expr::check_eval);
}

#[test]
fn condition_blocks() {
    check_all(&all_blocks(), "ferry-condition", expr::check_condition);
}

#[test]
fn parser_blocks() {
    check_all(&all_blocks(), "ferry-parser", expr::check_parser);
}

#[test]
fn flatten_blocks() {
    check_all(&all_blocks(), "ferry-flatten", expr::check_flatten);
}

#[test]
fn map_blocks() {
    let config = example_config();
    let collections = example_collections();
    check_all(&all_blocks(), "ferry-map", |block| {
        expr::check_map(block, &config, &collections)
    });
}

#[test]
fn scheme_blocks_validate_without_warnings() {
    let all = all_blocks();
    let config = example_config();
    let mut collections = example_collections();
    let schemes = tagged(&all, "json scheme");
    for block in &schemes {
        let value = docs_check::json(block, &block.text());
        if let Some(name) = value.get("name").and_then(serde_json::Value::as_str) {
            collections.push(name.to_owned());
        }
    }
    assert!(!schemes.is_empty());
    for block in schemes {
        let scheme = docs_check::load_scheme(block, &block.text(), &config, &collections);
        let warnings: Vec<String> = scheme.warnings.iter().map(ToString::to_string).collect();
        assert!(warnings.is_empty(), "{}: {warnings:?}", block.at());
    }
}

#[test]
fn config_blocks_load() {
    let all = all_blocks();
    let env = |name: &str| Some(format!("value-of-{name}"));
    let mut platforms = BTreeSet::new();
    for block in tagged(&all, "toml ferry") {
        let file = SourceFile::new("ferry.toml", block.text());
        let config = ferry_model::load_config(&file, &env).unwrap_or_else(|issues| {
            let shown: Vec<String> = issues.iter().map(ToString::to_string).collect();
            panic!("{}: does not load:\n{}", block.at(), shown.join("\n"))
        });
        if block.file.ends_with("platforms.md") {
            platforms.extend(config.connections.values().map(|c| c.platform.name));
        }
    }
    for info in PLATFORMS {
        assert!(
            platforms.contains(info.name),
            "docs/platforms.md has no connection example for `{}`",
            info.name
        );
    }
}

#[test]
fn platform_blocks_match_the_catalog() {
    let all = all_blocks();
    let facts = tagged(&all, "ferry-platform");
    let mut wrong = Vec::new();
    for info in PLATFORMS {
        let expected = platform::facts(info);
        let found: Vec<&&Block> = facts
            .iter()
            .filter(|block| platform::platform_of(&block.text()) == Some(info.name))
            .collect();
        match found.as_slice() {
            [block] if block.text() == expected => {}
            [block] => wrong.push(format!("{} should read:\n{expected}", block.at())),
            _ => wrong.push(format!(
                "docs/platforms.md needs exactly one `ferry-platform` block for `{}`:\n{expected}",
                info.name
            )),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    assert_eq!(
        facts.len(),
        PLATFORMS.len(),
        "a facts block names no platform"
    );
}

/// Every name the `_function` evaluator accepts, from its own "supported functions" hint.
fn function_names() -> Vec<String> {
    let error = Template::parse("_function zz_no_such_function(1)").expect_err("unknown function");
    let hint = error.hint.unwrap_or_default();
    let list = hint
        .split("supported functions: ")
        .nth(1)
        .expect("the hint lists the supported functions");
    list.split(", ").map(str::to_owned).collect()
}

#[test]
fn every_function_filter_logic_and_parser_has_an_example() {
    let all = all_blocks();
    let eval: String = tagged(&all, "ferry-eval")
        .iter()
        .map(|block| block.text().to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    let names = function_names();
    assert!(names.len() > 80, "{names:?}");
    let missing: Vec<&String> = names
        .iter()
        .filter(|name| {
            let call = format!("{name}(");
            !eval.match_indices(&call).any(|(at, _)| {
                at == 0 || !eval[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "functions without a `ferry-eval` example: {missing:?}"
    );
    let compact = eval.replace(' ', "");
    for filter in FILTER_NAMES {
        assert!(
            compact.contains(&format!("|{filter}}}}}")),
            "filter `{filter}` has no example"
        );
    }
    let conditions: String = tagged(&all, "ferry-condition")
        .iter()
        .map(|block| block.text())
        .collect();
    for logic in LOGIC_NAMES {
        assert!(
            conditions.contains(&format!("\"logic\": \"{logic}\"")),
            "logic `{logic}` has no `ferry-condition` example"
        );
    }
    let parsers: String = tagged(&all, "ferry-parser")
        .iter()
        .map(|block| block.text())
        .collect();
    for parser in PARSER_NAMES {
        assert!(parsers.contains(parser), "parser `{parser}` has no example");
    }
    for form in [
        "_mongoQuery",
        "_findCollection",
        "{{LAST_SYNC_TIME}}",
        "{PAGINATION_PAGE}",
    ] {
        assert!(
            eval.contains(&form.to_lowercase()),
            "`{form}` has no example"
        );
    }
}

#[test]
fn every_scheme_key_is_documented() {
    let text = std::fs::read_to_string(repo().join("docs/schemes.md")).expect("schemes.md");
    for key in SCHEME_KEYS {
        assert!(
            text.contains(&format!("`{key}`")),
            "scheme key `{key}` is not documented"
        );
    }
}

#[test]
fn validate_blocks_print_exactly_what_ferry_validate_prints() {
    let all = all_blocks();
    let blocks = tagged(&all, "ferry-validate");
    assert!(blocks.len() >= 2);
    let mut wrong = Vec::new();
    for block in blocks {
        let dir = tempfile::tempdir().expect("tempdir");
        let examples = repo().join("examples");
        std::fs::copy(examples.join("ferry.toml"), dir.path().join("ferry.toml")).expect("toml");
        std::fs::create_dir(dir.path().join("schemes")).expect("schemes dir");
        let (file, rest) = block.body.split_first().expect("a file name line");
        let file = file.strip_suffix(':').expect("first line `PATH:`");
        let command_at = rest
            .iter()
            .position(|line| line.starts_with("$ ferry "))
            .unwrap_or_else(|| panic!("{}: no `$ ferry …` line", block.at()));
        let content = rest[..command_at].join("\n");
        std::fs::write(dir.path().join(file), content + "\n").expect("scheme file");
        let args: Vec<&str> = rest[command_at]["$ ferry ".len()..]
            .split_whitespace()
            .collect();
        let output = Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args(&args)
            .current_dir(dir.path())
            .env_clear()
            .output()
            .expect("run ferry");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        );
        let expected = rest[command_at + 1..].join("\n");
        if printed.trim_end() != expected.trim_end() {
            wrong.push(format!("{} prints:\n{}", block.at(), printed.trim_end()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
