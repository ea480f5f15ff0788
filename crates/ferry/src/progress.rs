//! Live progress of a run on a terminal: one bar over the run's windows and a line of
//! counters, redrawn from the run's [`RunStats`] ten times a second.
//!
//! Contract: drawn on stderr only when stderr is a terminal and `--json` is off; otherwise
//! `Progress::start` returns a handle that does nothing, and the command prints its summary
//! at the end. Stopping the handle clears the bar.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ferry_engine::RunStats;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::task::JoinHandle;

/// A running progress display.
pub struct Progress {
    task: Option<(JoinHandle<()>, ProgressBar)>,
}

impl Progress {
    /// Starts drawing `stats` for `scheme`, if stderr is a terminal and `enabled`.
    pub fn start(scheme: &str, stats: Arc<RunStats>, enabled: bool) -> Progress {
        let target = ProgressDrawTarget::stderr_with_hz(10);
        if !enabled || target.is_hidden() {
            return Progress { task: None };
        }
        let bar = ProgressBar::with_draw_target(Some(0), target);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix:.bold} [{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} windows\n  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(scheme.to_owned());
        let shown = bar.clone();
        let started = Instant::now();
        let task = tokio::spawn(async move {
            loop {
                let now = stats.snapshot();
                shown.set_length(now.windows_planned);
                shown.set_position(now.windows_done);
                let seconds = started.elapsed().as_secs_f64().max(0.001);
                shown.set_message(format!(
                    "{} pages · {} fetched · {} written · {} skipped · {} failed · {:.0} records/s{}",
                    now.pages,
                    now.fetched,
                    now.written,
                    now.skipped,
                    now.failed,
                    now.written as f64 / seconds,
                    if now.rate_limited > 0 {
                        format!(" · {} rate-limit replies", now.rate_limited)
                    } else {
                        String::new()
                    }
                ));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        Progress {
            task: Some((task, bar)),
        }
    }

    /// Stops drawing and clears the bar.
    pub fn stop(self) {
        if let Some((task, bar)) = self.task {
            task.abort();
            bar.finish_and_clear();
        }
    }
}
