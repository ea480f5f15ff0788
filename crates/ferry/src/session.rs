//! What the commands that touch the ledger share: the async runtime, opening the store named
//! in ferry.toml, parsing `--from`/`--to`, and resolving a scheme argument.
//!
//! A relative SQLite store path (`sqlite://ferry.db`) is resolved against the directory of
//! ferry.toml, so the ledger is the same whichever directory ferry is started from.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use ferry_model::Config;
use ferry_store::Store;

use crate::exit::Exit;

/// A multi-threaded tokio runtime.
pub fn runtime() -> Result<tokio::runtime::Runtime, Exit> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?)
}

/// The store URL of `config`, relative SQLite paths resolved against the config's directory.
pub fn store_url(config: &Config) -> String {
    let url = config.store.url.expose();
    let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return url.to_owned();
    };
    let file = path.split('?').next().unwrap_or_default();
    if file.is_empty() || file.starts_with(':') || Path::new(file).is_absolute() {
        return url.to_owned();
    }
    let base = config.path.parent().unwrap_or(Path::new(""));
    format!("sqlite://{}", base.join(path).display())
}

/// Opens the ledger of `config`.
pub async fn open_store(config: &Config) -> Result<Arc<dyn Store>, Exit> {
    ferry_store::connect(&store_url(config))
        .await
        .with_context(|| format!("cannot open the ledger at {}", config.store.display_url()))
        .map_err(Exit::Failed)
}

/// Parses a `--from`/`--to` value in the scheme's time zone.
pub fn parse_flag_time(
    flag: &str,
    text: Option<&str>,
    timezone: &jiff::tz::TimeZone,
) -> Result<Option<i64>, Exit> {
    text.map(|text| {
        ferry_model::units::parse_time(text, timezone)
            .map_err(|message| Exit::BadInput(format!("error: --{flag}: {message}")))
    })
    .transpose()
}

/// A scheme argument: a file path, or the name (or file stem) of a scheme in the config's
/// schemes directory.
pub fn resolve_scheme(arg: &Path, explicit_config: Option<&Path>) -> Result<PathBuf, Exit> {
    if arg.is_file() {
        return Ok(arg.to_path_buf());
    }
    let name = arg.to_string_lossy();
    if let Some(config_path) = crate::load::find_config(explicit_config, &[])
        && let Ok(config) = crate::load::load_config(&config_path)
    {
        for file in crate::load::schemes_in(&config.schemes_dir) {
            let stem_matches = file.file_stem().is_some_and(|stem| stem == arg.as_os_str());
            let identities = crate::load::scheme_identities(std::slice::from_ref(&file));
            let name_matches = identities.first().is_some_and(|(found, _)| *found == *name);
            if stem_matches || name_matches {
                return Ok(file);
            }
        }
    }
    Err(Exit::BadInput(format!(
        "error: `{name}` is neither a scheme file nor the name of a scheme in the schemes directory\n  hint: pass the scheme's JSON file, e.g. examples/schemes/002_jst_orders_to_mysql.json"
    )))
}

/// The scheme's checkpoint, without creating a ledger that does not exist yet (`plan` only
/// looks). A ledger that cannot be read is reported, not ignored.
pub fn read_checkpoint(config: &Config, scheme: &str) -> Result<Option<i64>, Exit> {
    let url = store_url(config);
    if let Some(path) = url.strip_prefix("sqlite://")
        && !path.starts_with(':')
        && !Path::new(path.split('?').next().unwrap_or_default()).exists()
    {
        return Ok(None);
    }
    runtime()?.block_on(async {
        let store = open_store(config).await?;
        let checkpoint = store.checkpoint(scheme).await;
        store.close().await;
        checkpoint
            .map(|checkpoint| checkpoint.map(|checkpoint| checkpoint.position))
            .context("cannot read the checkpoint")
            .map_err(Exit::Failed)
    })
}
