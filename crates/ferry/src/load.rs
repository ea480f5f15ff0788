//! Finding and reading the user's files: `ferry.toml` and scheme JSON.
//!
//! Without `--config`, ferry uses `./ferry.toml`, else the nearest `ferry.toml` in a scheme
//! file's directory or one of its parents (so `ferry validate examples/schemes/*.json` finds
//! `examples/ferry.toml`).

use std::path::{Path, PathBuf};

use ferry_model::scheme::SchemeContext;
use ferry_model::{Config, Issue, Scheme, SourceFile};

/// Reads a file into a [`SourceFile`], with a message naming it on failure.
pub fn read_source(path: &Path) -> Result<SourceFile, String> {
    std::fs::read_to_string(path)
        .map(|text| SourceFile::new(path, text))
        .map_err(|error| {
            format!(
                "error: cannot read `{}`: {}",
                path.display(),
                lowercase(&error.to_string())
            )
        })
}

fn lowercase(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Where the config is: `--config`, `./ferry.toml`, or next to/above the first scheme.
pub fn find_config(explicit: Option<&Path>, schemes: &[PathBuf]) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    let local = PathBuf::from("ferry.toml");
    if local.is_file() {
        return Some(local);
    }
    let first = schemes.first()?;
    let mut directory = first.parent();
    while let Some(dir) = directory {
        let candidate = if dir.as_os_str().is_empty() {
            PathBuf::from("ferry.toml")
        } else {
            dir.join("ferry.toml")
        };
        if candidate.is_file() {
            return Some(candidate);
        }
        directory = dir.parent();
    }
    None
}

/// Reads and checks the config.
pub fn load_config(path: &Path) -> Result<Config, Vec<String>> {
    let file = read_source(path).map_err(|message| vec![message])?;
    let env = |name: &str| std::env::var(name).ok();
    ferry_model::load_config(&file, &env)
        .map_err(|issues| issues.iter().map(ToString::to_string).collect())
}

/// Every `*.json` in a directory, sorted.
pub fn schemes_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

/// The name (file stem when it has none) and id of each scheme in `files`, read leniently.
pub fn scheme_identities(files: &[PathBuf]) -> Vec<(String, Option<String>)> {
    let mut identities = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(ferry_model::doc::Node {
            value: ferry_model::doc::NodeValue::Object(entries),
            ..
        }) = ferry_model::doc::parse_json(&text)
        else {
            continue;
        };
        let text_of = |key: &str| {
            entries
                .iter()
                .find(|entry| entry.key == key)
                .and_then(|entry| entry.value.as_str())
                .map(str::to_owned)
        };
        let name = text_of("name").or_else(|| {
            path.file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        });
        if let Some(name) = name {
            identities.push((name, text_of("id")));
        }
    }
    identities
}

/// The names and ids of the schemes in `files`, for lookup checks.
pub fn collections(files: &[PathBuf]) -> Vec<String> {
    scheme_identities(files)
        .into_iter()
        .flat_map(|(name, id)| std::iter::once(name).chain(id))
        .collect()
}

/// Collection → scheme name, for `_mongoQuery`: each scheme under its name and its id.
pub fn collection_map(files: &[PathBuf]) -> std::collections::HashMap<String, String> {
    let mut map = std::collections::HashMap::new();
    for (name, id) in scheme_identities(files) {
        if let Some(id) = id {
            map.insert(id, name.clone());
        }
        map.insert(name.clone(), name);
    }
    map
}

/// Reads and checks one scheme.
pub fn load_scheme(
    path: &Path,
    config: Option<&Config>,
    collections: Option<&[String]>,
) -> Result<Scheme, Vec<Issue>> {
    let file = match read_source(path) {
        Ok(file) => file,
        Err(message) => {
            return Err(vec![Issue {
                severity: ferry_model::Severity::Error,
                file: path.to_path_buf(),
                line: 1,
                col: 1,
                path: String::new(),
                message: message.trim_start_matches("error: ").to_owned(),
                hint: None,
            }]);
        }
    };
    ferry_model::load_scheme(
        &file,
        &SchemeContext {
            config,
            collections,
        },
    )
}

/// Loads the config (required) and one scheme checked against it; prints problems and
/// returns a bad-input exit when either has errors.
pub fn config_and_scheme(
    explicit: Option<&Path>,
    scheme: &Path,
) -> Result<(Config, Scheme), crate::exit::Exit> {
    use crate::exit::Exit;
    let Some(config_path) = find_config(explicit, &[scheme.to_path_buf()]) else {
        return Err(Exit::BadInput(
            "error: no ferry.toml found\n  hint: pass --config PATH, or run `ferry init` to write one".to_owned(),
        ));
    };
    let config =
        load_config(&config_path).map_err(|messages| Exit::BadInput(messages.join("\n")))?;
    let collections = collections(&schemes_in(&config.schemes_dir));
    match load_scheme(scheme, Some(&config), Some(&collections)) {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                eprintln!("{warning}");
            }
            Ok((config, loaded))
        }
        Err(issues) => Err(Exit::BadInput(
            issues
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        )),
    }
}
