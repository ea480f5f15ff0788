//! Golden tests: every malformed scheme and config under `tests/corpus/` is rejected with
//! exactly the messages in its snapshot (file:line:col, message, hint).

use std::path::Path;

use ferry_model::scheme::SchemeContext;
use ferry_model::{Issue, SourceFile, load_config, load_scheme};

fn env(name: &str) -> Option<String> {
    (name == "FERRY_CORPUS_SET").then(|| "set".to_owned())
}

fn source(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).unwrap();
    let name = format!(
        "{}/{}",
        path.parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy(),
        path.file_name().unwrap().to_string_lossy()
    );
    SourceFile::new(name, text)
}

fn render(issues: &[Issue]) -> String {
    issues
        .iter()
        .map(|issue| issue.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn malformed_schemes_are_rejected_with_positions() {
    let config_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/ferry.toml");
    let config = load_config(&source(&config_path), &env).expect("corpus config should load");
    let collections = vec!["corpus".to_owned()];
    let context = SchemeContext {
        config: Some(&config),
        collections: Some(&collections),
    };
    insta::glob!("corpus/schemes/*.json", |path| {
        let issues = match load_scheme(&source(path), &context) {
            Ok(scheme) => panic!(
                "{} should be rejected; warnings: {:?}",
                path.display(),
                scheme.warnings
            ),
            Err(issues) => issues,
        };
        assert!(
            issues
                .iter()
                .any(|issue| issue.severity == ferry_model::Severity::Error)
        );
        insta::assert_snapshot!(render(&issues));
    });
}

#[test]
fn malformed_configs_are_rejected_with_positions() {
    insta::glob!("corpus/configs/*.toml", |path| {
        let issues = load_config(&source(path), &env).expect_err("config should be rejected");
        insta::assert_snapshot!(render(&issues));
    });
}

#[test]
fn the_corpus_base_scheme_is_valid() {
    let config_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/ferry.toml");
    let config = load_config(&source(&config_path), &env).unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/corpus/schemes/misspelt_adapter_key.json"),
    )
    .unwrap()
    .replace("\"reqest\"", "\"request\"");
    let scheme = load_scheme(
        &SourceFile::new("base.json", text),
        &SchemeContext {
            config: Some(&config),
            collections: None,
        },
    )
    .unwrap_or_else(|issues| panic!("{}", render(&issues)));
    assert_eq!(scheme.name, "corpus");
    assert_eq!(scheme.sync.max_span_secs, 7 * 86_400);
    assert_eq!(scheme.source.beat_flat, vec!["items".to_owned()]);
    assert_eq!(scheme.target.adapter.request.len(), 2);
    assert!(scheme.warnings.is_empty(), "{}", render(&scheme.warnings));
}
