//! `ferry validate [SCHEME...]`: checks the config and schemes without touching the network or
//! the ledger, prints every problem with `file:line:col`, exits 2 when any is an error.

use serde_json::json;

use crate::cli::{GlobalArgs, ValidateArgs};
use crate::exit::{CommandResult, Exit};
use crate::{load, output};

pub fn run(global: &GlobalArgs, args: &ValidateArgs) -> CommandResult {
    let config_path = load::find_config(global.config.as_deref(), &args.schemes);
    let mut lines: Vec<String> = Vec::new();
    let mut issues_json = Vec::new();
    let mut errors = 0usize;
    let mut warnings = 0usize;

    let config = match &config_path {
        Some(path) => match load::load_config(path) {
            Ok(config) => Some(config),
            Err(messages) => {
                errors += messages
                    .iter()
                    .filter(|m| m.contains(": error: ") || m.starts_with("error:"))
                    .count();
                for message in &messages {
                    issues_json.push(json!({"severity": "error", "message": message}));
                }
                lines.extend(messages);
                None
            }
        },
        None => {
            let message = "warning: no ferry.toml found, so connections and APIs are not checked\n  hint: pass --config PATH or run from the directory that holds ferry.toml".to_owned();
            warnings += 1;
            issues_json.push(json!({"severity": "warning", "message": message}));
            lines.push(message);
            None
        }
    };

    let schemes = if args.schemes.is_empty() {
        match &config {
            Some(config) => load::schemes_in(&config.schemes_dir),
            None => Vec::new(),
        }
    } else {
        args.schemes.clone()
    };
    if schemes.is_empty() && config.is_some() && args.schemes.is_empty() {
        let dir = config
            .as_ref()
            .map(|config| config.schemes_dir.display().to_string())
            .unwrap_or_default();
        lines.push(format!("warning: no scheme files in `{dir}`"));
        warnings += 1;
    }
    let mut all_files = schemes.clone();
    if let Some(config) = &config {
        for path in load::schemes_in(&config.schemes_dir) {
            if !all_files.contains(&path) {
                all_files.push(path);
            }
        }
    }
    let collections = load::collections(&all_files);
    let mut checked = 0usize;
    for path in &schemes {
        checked += 1;
        let issues = match load::load_scheme(path, config.as_ref(), Some(&collections)) {
            Ok(scheme) => scheme.warnings,
            Err(issues) => issues,
        };
        for issue in issues {
            match issue.severity {
                ferry_model::Severity::Error => errors += 1,
                ferry_model::Severity::Warning => warnings += 1,
            }
            lines.push(issue.to_string());
            issues_json.push(serde_json::to_value(&issue).unwrap_or_default());
        }
    }

    let config_label = config_path.as_ref().map(|path| path.display().to_string());
    if global.json {
        let report = json!({
            "config": config_label,
            "schemes_checked": checked,
            "errors": errors,
            "warnings": warnings,
            "issues": issues_json,
        });
        output::line(serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        for line in &lines {
            eprintln!("{line}");
        }
        let config_note = config_label
            .map(|path| format!(" and {path}"))
            .unwrap_or_default();
        let verdict = if errors == 0 { "ok" } else { "failed" };
        output::line(format!(
            "{verdict}: checked {checked} scheme(s){config_note}: {errors} error(s), {warnings} warning(s)"
        ));
    }
    if errors > 0 {
        Err(Exit::BadInput(String::new()))
    } else {
        Ok(())
    }
}
