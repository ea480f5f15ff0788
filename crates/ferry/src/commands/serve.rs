//! `ferry serve [--listen ADDR]`: runs every scheme of the schemes directory on its schedule and
//! serves the HTTP API, `/metrics` and the web console until Ctrl-C or SIGTERM.
//!
//! Contract: the config and every scheme must load without errors (else exit 2 listing them
//! all, before anything starts); a non-loopback address without `[server].token` is refused
//! (exit 2). On Ctrl-C/SIGTERM the server stops accepting requests, the scheduler starts no new
//! runs, running ones are cancelled and waited for up to 30 s (the ledger keeps what they
//! fetched), then ferry exits 0. Where it listens is printed on stdout.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use ferry_engine::schedule::{Control, Scheduler, SchedulerSetup};
use ferry_model::{Config, Scheme, Severity};
use ferry_server::metrics::Metrics;
use ferry_server::{AppState, Auth};
use tokio_util::sync::CancellationToken;

use crate::cli::{GlobalArgs, ServeArgs};
use crate::exit::{CommandResult, Exit};
use crate::{load, output, session};

/// How long running runs get to stop on shutdown.
const GRACE: Duration = Duration::from_secs(30);

pub fn run(global: &GlobalArgs, args: &ServeArgs) -> CommandResult {
    let Some(config_path) = load::find_config(global.config.as_deref(), &[]) else {
        return Err(Exit::BadInput(
            "error: no ferry.toml found\n  hint: pass --config PATH, or run `ferry init` to write one"
                .to_owned(),
        ));
    };
    let config =
        load::load_config(&config_path).map_err(|messages| Exit::BadInput(messages.join("\n")))?;
    let listen = args.listen.unwrap_or(config.server.listen);
    let auth = Auth::for_listen(listen, config.server.token.clone())
        .map_err(|error| Exit::BadInput(format!("error: {error}")))?;
    let files = load::schemes_in(&config.schemes_dir);
    let schemes = load_schemes(&config, &files)?;
    if schemes.is_empty() {
        eprintln!(
            "warning: no scheme files in `{}`: nothing will run",
            config.schemes_dir.display()
        );
    }
    let collections = Arc::new(load::collection_map(&files));
    let runtime = session::runtime()?;
    runtime.block_on(serve(Arc::new(config), schemes, collections, listen, auth))
}

/// Loads every scheme; all errors of all files at once.
fn load_schemes(config: &Config, files: &[std::path::PathBuf]) -> Result<Vec<Arc<Scheme>>, Exit> {
    let names = load::collections(files);
    let mut schemes = Vec::new();
    let mut problems = Vec::new();
    for path in files {
        match load::load_scheme(path, Some(config), Some(&names)) {
            Ok(scheme) => {
                for warning in &scheme.warnings {
                    eprintln!("{warning}");
                }
                schemes.push(Arc::new(scheme));
            }
            Err(issues) => {
                for issue in issues {
                    match issue.severity {
                        Severity::Error => problems.push(issue.to_string()),
                        Severity::Warning => eprintln!("{issue}"),
                    }
                }
            }
        }
    }
    if !problems.is_empty() {
        problems.push(format!(
            "error: {} problem(s) in the schemes; `ferry validate` lists them too",
            problems.len()
        ));
        return Err(Exit::BadInput(problems.join("\n")));
    }
    schemes.sort_by(|left, right| left.name.cmp(&right.name));
    Ok(schemes)
}

async fn serve(
    config: Arc<Config>,
    schemes: Vec<Arc<Scheme>>,
    collections: Arc<ferry_engine::lookup::Collections>,
    listen: SocketAddr,
    auth: Auth,
) -> CommandResult {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let local = listener
        .local_addr()
        .with_context(|| format!("cannot read the address bound for {listen}"))?;
    let store = session::open_store(&config).await?;
    let scheduler = Scheduler::start(SchedulerSetup {
        config: Arc::clone(&config),
        schemes: schemes.clone(),
        store: Arc::clone(&store),
        collections,
    });
    let control: Arc<dyn Control> = Arc::new(scheduler.clone());
    let metrics = Metrics::new();
    let metrics_task = metrics.watch(control.subscribe());
    let schemes = Arc::new(schemes);
    let shutdown = CancellationToken::new();
    let alerts = ferry_server::alerts::spawn(
        config.alerts.clone(),
        Arc::clone(&control),
        Arc::clone(&store),
        Arc::clone(&schemes),
        shutdown.clone(),
    );
    let state = AppState {
        store: Arc::clone(&store),
        control,
        config,
        schemes: Arc::clone(&schemes),
        auth,
        metrics,
    };
    output::line(format!(
        "ferry serve: {} scheme(s); API on http://{local}/api, console on http://{local}/",
        schemes.len()
    ));
    tracing::info!(%local, schemes = schemes.len(), "listening");
    let stop = shutdown.clone();
    let server =
        axum::serve(listener, ferry_server::app(state)).with_graceful_shutdown(async move {
            if !crate::commands::run::interrupted().await {
                // No signal handler: serve until killed.
                std::future::pending::<()>().await;
            }
            tracing::info!("stopping: no new runs; waiting for running ones");
            stop.cancel();
        });
    let served = server.await.context("the HTTP server failed");
    shutdown.cancel();
    scheduler.shutdown(GRACE).await;
    let _ = alerts.await;
    metrics_task.abort();
    store.close().await;
    served?;
    tracing::info!("stopped");
    Ok(())
}
