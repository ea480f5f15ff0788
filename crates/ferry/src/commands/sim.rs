//! `ferry sim [PLATFORM...]`: runs platform simulators on loopback until Ctrl-C, for tests,
//! demos and trying schemes without real credentials.

use std::net::SocketAddr;

use anyhow::Context;
use ferry_sim::{FaultConfig, Platform, RateConfig, SimBuilder};

use crate::cli::{GlobalArgs, SimArgs};
use crate::exit::{CommandResult, Exit};
use crate::output;

/// The port each simulator uses by default (the one `examples/ferry.toml` points at).
fn default_port(platform: Platform) -> u16 {
    match platform {
        Platform::Jushuitan => 18401,
        Platform::WdtFlagship => 18405,
        Platform::Wdt => 18404,
        Platform::Okki => 18403,
        Platform::Jackyun => 18402,
        Platform::Kingdee => 18406,
        Platform::Banniu => 18407,
    }
}

pub fn run(global: &GlobalArgs, args: &SimArgs) -> CommandResult {
    let platforms = parse_platforms(&args.platforms)?;
    if args.listen.is_some() && platforms.len() > 1 {
        return Err(Exit::BadInput("error: --listen takes one simulator; start several without it to use their default ports".to_owned()));
    }
    let rate = args
        .rate
        .as_deref()
        .map(|text| {
            text.parse::<RateConfig>()
                .map_err(|error| Exit::BadInput(format!("error: --rate: {error}")))
        })
        .transpose()?;
    let mut faults = FaultConfig::default();
    for spec in &args.fault {
        faults
            .apply_spec(spec)
            .map_err(|error| Exit::BadInput(format!("error: --fault: {error}")))?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let mut handles = Vec::new();
        for platform in platforms {
            let addr = args
                .listen
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], default_port(platform))));
            let mut builder = SimBuilder::new(platform)
                .seed(args.seed)
                .orders(args.orders)
                .rate(rate)
                .faults(faults.clone());
            if let Some(start) = &args.start {
                builder = builder.data_range(start, args.days);
            }
            if let Some(clock) = &args.clock {
                builder = builder.clock(clock);
            }
            let handle = builder.serve(addr).await.with_context(|| {
                format!("cannot start the {} simulator on {addr}", platform.name())
            })?;
            let line = if global.json {
                serde_json::json!({"platform": platform.name(), "url": handle.base_url()})
                    .to_string()
            } else {
                format!(
                    "{} simulator listening on {} (ground truth: {}/_sim/ground-truth)",
                    platform.name(),
                    handle.base_url(),
                    handle.base_url()
                )
            };
            output::line(line);
            handles.push(handle);
        }
        tokio::signal::ctrl_c()
            .await
            .context("cannot wait for Ctrl-C")?;
        for handle in handles {
            handle.shutdown().await?;
        }
        Ok::<(), anyhow::Error>(())
    })?;
    Ok(())
}

fn parse_platforms(names: &[String]) -> Result<Vec<Platform>, Exit> {
    if names.is_empty() {
        return Ok(Platform::ALL.to_vec());
    }
    names
        .iter()
        .map(|name| {
            name.parse::<Platform>()
                .map_err(|error| Exit::BadInput(format!("error: {error}")))
        })
        .collect()
}
