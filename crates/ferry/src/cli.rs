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
    /// Log format on stderr (level from FERRY_LOG, e.g. `debug`)
    #[arg(
        long,
        global = true,
        value_enum,
        env = "FERRY_LOG_FORMAT",
        default_value_t
    )]
    pub log_format: crate::logging::LogFormat,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented ferry.toml and an example scheme to start from
    Init(InitArgs),
    /// Check ferry.toml and scheme files; print every problem with file:line:col
    Validate(ValidateArgs),
    /// Show the windows a run would fetch and the first request of each (secrets masked)
    Plan(PlanArgs),
    /// Run a scheme once now: fetch its windows, keep every record in the ledger, write them
    Run(RunArgs),
    /// Write a scheme's failed records again
    Retry(RetryArgs),
    /// Show checkpoints, record counts, last runs and failures
    Status(StatusArgs),
    /// List a scheme's records in the ledger
    Records(RecordsArgs),
    /// Run platform simulators on loopback until Ctrl-C
    Sim(SimArgs),
    /// Run every scheme on its schedule and serve the HTTP API, metrics and web console
    Serve(ServeArgs),
    /// Sync the five case studies on simulators into SQLite and reconcile with ground truth
    Demo(DemoArgs),
}

/// `ferry serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default: `[server].listen` in ferry.toml, else 127.0.0.1:8080)
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
}

/// `ferry demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for the demo's ferry.toml, schemes, ledger and target database
    #[arg(long, default_value = ".ferry-demo")]
    pub dir: PathBuf,
    /// Write SQL targets here instead of the embedded SQLite file (`mysql://…`, `postgres://…`)
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// Jushuitan orders to simulate (the other platforms get a quarter as many)
    #[arg(long, default_value_t = 2_000)]
    pub orders: u32,
}

/// `ferry run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scheme file (or the name of a scheme in the schemes directory)
    pub scheme: PathBuf,
    /// Start of the range, `YYYY-MM-DD[ HH:MM:SS]` in the scheme's time zone (default: the
    /// checkpoint minus the overlap, or `sync.start` on the first run)
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// End of the range (default: now minus `sync.lag`)
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Fetch and map, but keep the ledger in memory and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `ferry retry`.
#[derive(Debug, Args)]
pub struct RetryArgs {
    /// The scheme file (or the name of a scheme in the schemes directory)
    pub scheme: PathBuf,
}

/// `ferry status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Scheme files or names (default: every scheme in the schemes directory)
    pub schemes: Vec<PathBuf>,
}

/// `ferry records`.
#[derive(Debug, Args)]
pub struct RecordsArgs {
    /// The scheme file (or the name of a scheme in the schemes directory)
    pub scheme: PathBuf,
    /// Only records with this status: pending, written, failed, skipped
    #[arg(long)]
    pub status: Option<String>,
    /// Only the record with this key
    #[arg(long)]
    pub key: Option<String>,
    /// Start after this key (paging)
    #[arg(long, value_name = "KEY")]
    pub after: Option<String>,
    /// Show at most this many records
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

/// `ferry init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write ferry.toml and schemes/ (created if missing)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
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

/// `ferry sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Platforms to simulate (default: all)
    pub platforms: Vec<String>,
    /// Address to listen on (one platform only; default: the platform's own port on 127.0.0.1)
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// Number of orders to generate
    #[arg(long, default_value_t = 10_000)]
    pub orders: u32,
    /// Seed of all data and fault randomness
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// First day of the data (`YYYY-MM-DD`, Beijing time; default 2024-01-01)
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// Days of data from --start
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// Rate limit, e.g. `5/s`, `300/min`, `5/s,burst=10` (default: unlimited)
    #[arg(long)]
    pub rate: Option<String>,
    /// Faults, e.g. `5xx=0.1,latency=200@0.5,truncate=0.05,move=0.1` (repeatable)
    #[arg(long, value_name = "SPEC")]
    pub fault: Vec<String>,
    /// A fixed simulator clock `YYYY-MM-DD HH:MM:SS` instead of the wall clock
    #[arg(long, value_name = "TIME")]
    pub clock: Option<String>,
}
