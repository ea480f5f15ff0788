//! `ferry init [DIR]`: writes a commented `ferry.toml` and one example scheme
//! (`schemes/jst_orders.json`: Jushuitan orders via Qimen into the ledger) that validates as
//! is and runs against `ferry sim jushuitan`. Existing files are never overwritten.

use std::path::Path;

use anyhow::Context;

use crate::cli::{GlobalArgs, InitArgs};
use crate::exit::{CommandResult, Exit};
use crate::output;

const CONFIG: &str = include_str!("ferry.toml");
const SCHEME: &str = include_str!("jst_orders.json");

pub fn run(global: &GlobalArgs, args: &InitArgs) -> CommandResult {
    let dir = &args.dir;
    let files = [
        (dir.join("ferry.toml"), CONFIG),
        (dir.join("schemes").join("jst_orders.json"), SCHEME),
    ];
    for (path, _) in &files {
        if path.exists() {
            return Err(Exit::BadInput(format!(
                "error: {} already exists\n  hint: run `ferry init` in an empty directory, or `ferry init DIR`",
                path.display()
            )));
        }
    }
    for (path, text) in &files {
        write(path, text)?;
    }
    if global.json {
        let written: Vec<String> = files
            .iter()
            .map(|(path, _)| path.display().to_string())
            .collect();
        output::line(serde_json::json!({ "written": written }).to_string());
        return Ok(());
    }
    for (path, _) in &files {
        output::line(format!("wrote {}", path.display()));
    }
    let config = dir.join("ferry.toml");
    output::line(format!(
        "next: `ferry sim jushuitan` in another terminal, then\n      ferry --config {} run jst-orders --to \"2024-02-01 00:00:00\"",
        config.display()
    ));
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), Exit> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
