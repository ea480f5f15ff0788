//! The command line: every subcommand, its flags and their help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// ferry moves business records out of Chinese e-commerce, ERP and CRM platforms into the
/// systems a company runs on: on a schedule, incrementally, exactly once.
#[derive(Debug, Parser)]
#[command(name = "ferry", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Path of ferry.toml (default: ./ferry.toml, else the nearest one above the scheme files)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check ferry.toml and scheme files; print every problem with file:line:col
    Validate(ValidateArgs),
    /// Show the windows a run would fetch and the first request of each (secrets masked)
    Plan(PlanArgs),
}

/// `ferry validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scheme files (default: every *.json in the config's schemes directory)
    pub schemes: Vec<PathBuf>,
}

/// `ferry plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The scheme file
    pub scheme: PathBuf,
    /// Start of the range, `YYYY-MM-DD[ HH:MM:SS]` in the scheme's time zone (default: the
    /// checkpoint minus the overlap, or `sync.start` on the first run)
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// End of the range (default: now minus `sync.lag`)
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Show at most this many windows
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}
