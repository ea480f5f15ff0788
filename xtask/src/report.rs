//! The benchmark's results: one JSON document and the table printed on stdout.
//!
//! Contract: every ratio is computed from numbers measured in the same invocation; medians are
//! by rows/s over `runs` runs. The target checks compare against issue 9's goals: ferry into
//! MariaDB ≥ 80 % of the best ceiling, ≥ 10× dlt, peak RSS ≤ 64 MB (main and large runs),
//! ≥ 95 % of the allowed request rate with zero lost rows.

use serde::Serialize;

use crate::ceiling::Ceiling;
use crate::runs::Measured;
use crate::sim::RateSample;

/// ferry and the ceilings for one database.
#[derive(Debug, Clone, Serialize)]
pub struct TargetResult {
    pub db: String,
    pub ferry: Measured,
    pub ferry_runs: Vec<Measured>,
    pub ceilings: Vec<Ceiling>,
    pub best_ceiling: Option<String>,
    /// ferry rows/s over the best ceiling's rows/s.
    pub ratio_to_best: Option<f64>,
}

impl TargetResult {
    pub fn new(db: &str, mut runs: Vec<Measured>, ceilings: Vec<Ceiling>) -> Self {
        let ferry = median(&mut runs);
        let best = ceilings
            .iter()
            .max_by(|a, b| a.rows_per_sec.total_cmp(&b.rows_per_sec));
        TargetResult {
            db: db.to_owned(),
            ratio_to_best: best.map(|best| ferry.rows_per_sec / best.rows_per_sec),
            best_ceiling: best.map(|best| best.method.clone()),
            ferry,
            ferry_runs: runs,
            ceilings,
        }
    }
}

/// The run through a rate-limited simulator.
#[derive(Debug, Clone, Serialize)]
pub struct RateResult {
    pub limit_per_sec: f64,
    pub run: Measured,
    pub sample: RateSample,
    /// Achieved requests/s over the limit.
    pub share_of_limit: f64,
    /// `None`: the target holds exactly the ground truth's rows.
    pub difference: Option<String>,
}

/// The dlt peer.
#[derive(Debug, Clone, Serialize)]
pub struct DltResult {
    pub run: Measured,
    /// ferry rows/s (MariaDB, median) over dlt rows/s.
    pub ferry_over_dlt: f64,
}

/// Issue 9's targets, each with whether it is met.
#[derive(Debug, Clone, Serialize)]
pub struct Goal {
    pub goal: String,
    pub measured: String,
    pub met: bool,
}

/// Everything one invocation measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub command: String,
    pub machine: Machine,
    pub orders: u32,
    pub runs: u32,
    pub targets: Vec<TargetResult>,
    /// `None` when the smaller run's table was not checked (more than the check limit).
    pub main_difference: Option<Option<String>>,
    pub dlt: Option<DltResult>,
    pub rate_limited: Option<RateResult>,
    pub large: Option<Measured>,
    pub goals: Vec<Goal>,
}

/// Where it ran.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub nproc: usize,
    pub cpu: String,
    pub memory_gib: f64,
}

impl Machine {
    pub fn read() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
            .unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let kib: f64 = meminfo
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            .unwrap_or_default();
        Machine {
            nproc: std::thread::available_parallelism().map_or(1, usize::from),
            cpu,
            memory_gib: kib / 1024.0 / 1024.0,
        }
    }
}

/// The median run by rows/s (the upper one of an even count).
fn median(runs: &mut [Measured]) -> Measured {
    let mut sorted: Vec<&Measured> = runs.iter().collect();
    sorted.sort_by(|a, b| a.rows_per_sec.total_cmp(&b.rows_per_sec));
    sorted
        .get(sorted.len() / 2)
        .map(|m| (*m).clone())
        .unwrap_or_default()
}

impl Report {
    /// Fills `goals` from the measurements.
    pub fn judge(&mut self) {
        let mut goals = Vec::new();
        if let Some(maria) = self.targets.iter().find(|t| t.db == "mariadb")
            && let Some(ratio) = maria.ratio_to_best
        {
            goals.push(Goal {
                goal: "ferry into MariaDB ≥ 80 % of the best ceiling".to_owned(),
                measured: format!("{:.0} %", ratio * 100.0),
                met: ratio >= 0.8,
            });
        }
        if let Some(dlt) = &self.dlt {
            goals.push(Goal {
                goal: "ferry ≥ 10× dlt".to_owned(),
                measured: format!("{:.1}×", dlt.ferry_over_dlt),
                met: dlt.ferry_over_dlt >= 10.0,
            });
        }
        if let Some(maria) = self.targets.iter().find(|t| t.db == "mariadb") {
            let rss = maria.ferry.usage.peak_rss_mb;
            goals.push(Goal {
                goal: format!("peak RSS ≤ 64 MB at {} orders", self.orders),
                measured: format!("{rss:.1} MB"),
                met: rss <= 64.0,
            });
        }
        if let Some(large) = &self.large {
            let rss = large.usage.peak_rss_mb;
            goals.push(Goal {
                goal: format!("peak RSS ≤ 64 MB at {} orders", large.orders),
                measured: format!("{rss:.1} MB"),
                met: rss <= 64.0,
            });
        }
        if let Some(rate) = &self.rate_limited {
            goals.push(Goal {
                goal: "≥ 95 % of the allowed request rate, zero lost rows".to_owned(),
                measured: format!(
                    "{:.1} % of {}/s, {}",
                    rate.share_of_limit * 100.0,
                    rate.limit_per_sec,
                    if rate.difference.is_none() {
                        "table = ground truth"
                    } else {
                        "TABLE DIFFERS"
                    }
                ),
                met: rate.share_of_limit >= 0.95 && rate.difference.is_none(),
            });
        }
        self.goals = goals;
    }

    /// The human-readable table.
    pub fn print(&self) {
        let m = &self.machine;
        println!(
            "\nferry benchmark: seed 002 (Jushuitan native → SQL), {} orders, median of {} \
             run(s); {} cores, {}, {:.0} GiB",
            self.orders, self.runs, m.nproc, m.cpu, m.memory_gib
        );
        println!(
            "\n{:<10} {:<34} {:>9} {:>8} {:>10} {:>10} {:>9} {:>8} {:>7}",
            "target", "writer", "rows", "wall s", "rows/s", "orders/s", "RSS MB", "CPU s", "ratio"
        );
        for target in &self.targets {
            let f = &target.ferry;
            println!(
                "{:<10} {:<34} {:>9} {:>8.2} {:>10.0} {:>10.0} {:>9.1} {:>8.2} {:>7}",
                target.db,
                "ferry run",
                f.rows,
                f.usage.wall_secs,
                f.rows_per_sec,
                f.orders_per_sec,
                f.usage.peak_rss_mb,
                f.usage.cpu_secs,
                target
                    .ratio_to_best
                    .map_or_else(String::new, |r| format!("{:.0} %", r * 100.0))
            );
            for ceiling in &target.ceilings {
                println!(
                    "{:<10} {:<34} {:>9} {:>8.2} {:>10.0} {:>10} {:>9} {:>8} {:>7}",
                    "",
                    format!("ceiling: {}", ceiling.method),
                    ceiling.rows,
                    ceiling.secs,
                    ceiling.rows_per_sec,
                    "",
                    "",
                    "",
                    ""
                );
            }
        }
        if let Some(dlt) = &self.dlt {
            let r = &dlt.run;
            println!(
                "{:<10} {:<34} {:>9} {:>8.2} {:>10.0} {:>10.0} {:>9.1} {:>8.2} {:>7}",
                "mariadb",
                "dlt (sqlalchemy, append)",
                r.rows,
                r.usage.wall_secs,
                r.rows_per_sec,
                r.orders_per_sec,
                r.usage.peak_rss_mb,
                r.usage.cpu_secs,
                format!("{:.1}×", dlt.ferry_over_dlt)
            );
        }
        if let Some(large) = &self.large {
            println!(
                "{:<10} {:<34} {:>9} {:>8.2} {:>10.0} {:>10.0} {:>9.1} {:>8.2}",
                "mariadb",
                format!("ferry run, {} orders", large.orders),
                large.rows,
                large.usage.wall_secs,
                large.rows_per_sec,
                large.orders_per_sec,
                large.usage.peak_rss_mb,
                large.usage.cpu_secs,
            );
        }
        if let Some(rate) = &self.rate_limited {
            println!(
                "\nrate-limited ({}/s): {} requests, {:.2} requests/s achieved = {:.1} % of the \
                 limit, {} rate-limit replies, {} rows; {}",
                rate.limit_per_sec,
                rate.sample.requests,
                rate.sample.requests_per_sec,
                rate.share_of_limit * 100.0,
                rate.sample.rate_limited,
                rate.run.rows,
                rate.difference
                    .as_deref()
                    .unwrap_or("table = ground truth (no lost pages)")
            );
        }
        if let Some(Some(difference)) = &self.main_difference {
            println!("\nmain run differs from the ground truth: {difference}");
        }
        println!();
        for goal in &self.goals {
            let mark = if goal.met { "met    " } else { "NOT met" };
            println!("{mark}  {:<50} {}", goal.goal, goal.measured);
        }
    }
}
