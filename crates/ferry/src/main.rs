//! The `ferry` binary: parses the command line and runs one command.
//!
//! Exit codes: 0 success, 1 a run failed, 2 bad input (config, scheme, arguments). Logs go to
//! stderr (see `logging`).

mod cli;
mod commands;
mod exit;
mod load;
mod logging;
mod output;
mod progress;
mod session;

use clap::Parser;

/// jemalloc, as Vector uses it: records are allocated on the fetching task and freed on the
/// writer lanes (other threads), which fragments glibc's per-thread arenas; side by side at
/// 10k orders peak RSS is about 9 % lower (docs/benchmarks.md). Its options (one arena) are
/// compiled in from `.cargo/config.toml`.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use crate::cli::{Cli, Command};
use crate::exit::Exit;

fn main() {
    let cli = Cli::parse();
    let default_level = match cli.command {
        Command::Serve(_) => "info",
        _ => "warn",
    };
    logging::init(cli.global.log_format, default_level);
    let result = match &cli.command {
        Command::Init(args) => commands::init::run(&cli.global, args),
        Command::Validate(args) => commands::validate::run(&cli.global, args),
        Command::Plan(args) => commands::plan::run(&cli.global, args),
        Command::Run(args) => commands::run::run(&cli.global, args),
        Command::Retry(args) => commands::run::retry(&cli.global, args),
        Command::Status(args) => commands::status::status(&cli.global, args),
        Command::Records(args) => commands::status::records(&cli.global, args),
        Command::Sim(args) => commands::sim::run(&cli.global, args),
        Command::Demo(args) => commands::demo::run(&cli.global, args),
        Command::Serve(args) => commands::serve::run(&cli.global, args),
    };
    let code = match result {
        Ok(()) => 0,
        Err(Exit::BadInput(message)) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            2
        }
        Err(Exit::Failed(error)) => {
            eprintln!("error: {error:#}");
            1
        }
    };
    std::process::exit(code);
}
