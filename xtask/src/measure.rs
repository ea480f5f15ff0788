//! Measuring one child process: wall time, CPU time and peak RSS, read from `/proc`.
//!
//! Contract: [`measure`] spawns the command with stdout and stderr sent to files, samples
//! `/proc/<pid>/status` (`VmHWM`, the kernel's own high-water mark of resident memory) every
//! `SAMPLE` while the process runs, and reads its CPU time (`utime + stime` of
//! `/proc/<pid>/stat`) once it has exited but before it is reaped (a zombie keeps its CPU
//! counters). `VmHWM` is monotonic, so the last sample before exit misses at most growth in the
//! final `SAMPLE`. Linux only; no `unsafe` (no `wait4`).

use std::fs;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// How often `/proc` is read while the child runs.
const SAMPLE: Duration = Duration::from_millis(10);
/// Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`, 100 on every Linux ABI ferry runs on).
const TICKS_PER_SECOND: f64 = 100.0;

/// What one process used.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Usage {
    pub wall_secs: f64,
    pub cpu_secs: f64,
    pub peak_rss_mb: f64,
}

/// Runs `command` to its end with stdout into `stdout` and stderr into `stderr`.
pub fn measure(mut command: Command, stdout: &Path, stderr: &Path) -> Result<(ExitStatus, Usage)> {
    let out = fs::File::create(stdout).with_context(|| format!("cannot create {stdout:?}"))?;
    let err = fs::File::create(stderr).with_context(|| format!("cannot create {stderr:?}"))?;
    command
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .stdin(Stdio::null());
    let started = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start {command:?}"))?;
    let pid = child.id();
    let mut peak_kb = 0_u64;
    let mut cpu_ticks = 0_u64;
    while let Some((state, ticks)) = read_stat(pid) {
        cpu_ticks = ticks;
        if state == 'Z' || state == 'X' {
            break;
        }
        if let Some(kb) = read_hwm(pid) {
            peak_kb = peak_kb.max(kb);
        }
        std::thread::sleep(SAMPLE);
    }
    let status = child
        .wait()
        .with_context(|| format!("cannot wait for {command:?}"))?;
    let usage = Usage {
        wall_secs: started.elapsed().as_secs_f64(),
        cpu_secs: cpu_ticks as f64 / TICKS_PER_SECOND,
        peak_rss_mb: peak_kb as f64 / 1024.0,
    };
    Ok((status, usage))
}

/// The state letter and `utime + stime` ticks of a process, from `/proc/<pid>/stat`.
fn read_stat(pid: u32) -> Option<(char, u64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    let state = fields.first()?.chars().next()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((state, utime + stime))
}

/// `VmHWM` of a process in KiB, from `/proc/<pid>/status`.
fn read_hwm(pid: u32) -> Option<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_a_short_process() {
        let dir = std::env::temp_dir();
        let out = dir.join(format!("xtask-measure-{}.out", std::process::id()));
        let err = dir.join(format!("xtask-measure-{}.err", std::process::id()));
        let mut command = Command::new("sh");
        command.args(["-c", "echo hello"]);
        let (status, usage) = measure(command, &out, &err).unwrap();
        assert!(status.success());
        assert_eq!(fs::read_to_string(&out).unwrap(), "hello\n");
        assert!(usage.peak_rss_mb >= 0.0);
        let _ = fs::remove_file(out);
        let _ = fs::remove_file(err);
    }

    #[test]
    fn stat_fields_are_read_after_the_command_name() {
        let (state, ticks) = read_stat(std::process::id()).unwrap();
        assert!(matches!(state, 'R' | 'S'), "{state}");
        assert!(ticks < u64::MAX);
    }
}
