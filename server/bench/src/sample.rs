//! `marginalia-bench sample DIR`: `marginalia check` over a folder, timed again and again over
//! many minutes, each run only when the machine is idle, with the median and spread.
//!
//! On a shared virtual machine whose speed drifts by a third from one minute to the next, one
//! run (or three in a row) says little; the median of runs spread over half an hour says what
//! the machine gives. Two binaries are run alternately, A B B A in one round and B A A B in the
//! next, so that drift hits both alike and each round pairs them. The order turns so that no
//! binary always has the first run after the pause, or the last: with A B B A in every round,
//! A won each of the first four rounds, by 3–13 %, against a build that executes 1.7 % fewer
//! instructions.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What `sample` is asked to do.
pub struct Plan<'a> {
    /// The folder checked (`marginalia check --deny never --format json .` inside it).
    pub dir: &'a Path,
    /// The binaries compared; one is fine.
    pub bins: &'a [PathBuf],
    /// How long to go on starting rounds.
    pub minutes: u64,
    /// The pause between rounds.
    pub every: Duration,
}

/// The share of the CPUs that must have been idle over the half second before a run.
const IDLE_NEEDED: f64 = 0.95;

pub fn run(plan: &Plan) {
    let bytes = article_bytes(plan.dir);
    if bytes == 0 {
        eprintln!(
            "error: no .md or .txt file under {}: nothing to check",
            plan.dir.display()
        );
        std::process::exit(2);
    }
    let names: Vec<String> = plan.bins.iter().map(|b| b.display().to_string()).collect();
    println!(
        "### `marginalia check` sampled over {} minutes\n",
        plan.minutes
    );
    println!(
        "`BIN check --deny never --format json .` in {} ({bytes} bytes of articles), stdout to /dev/null; a round every {} s runs {} (the next one the other way round), each run only when at least {:.0} % of the CPUs were idle over the half second before it (else it is skipped).\n",
        plan.dir.display(),
        plan.every.as_secs(),
        round_order(names.len(), 0)
            .iter()
            .map(|&k| letter(k).to_string())
            .collect::<Vec<_>>()
            .join(" "),
        IDLE_NEEDED * 100.0
    );
    for (k, n) in names.iter().enumerate() {
        println!("- {}: `{n}`", letter(k));
    }
    println!();
    let mut rounds: Vec<Round> = Vec::new();
    let start = Instant::now();
    let end = Duration::from_secs(plan.minutes * 60);
    while start.elapsed() < end {
        let mut round = Vec::new();
        let mut line = format!("- {}", utc_now());
        for k in round_order(plan.bins.len(), rounds.len()) {
            let took = if idle_enough() {
                time_check(&plan.bins[k], plan.dir)
            } else {
                None
            };
            line.push_str(&match took {
                Some(d) => format!(" {} {:.3}", letter(k), d.as_secs_f64()),
                None => format!(" {} skipped", letter(k)),
            });
            round.push((k, took));
        }
        println!("{line}");
        rounds.push(round);
        let left = end.saturating_sub(start.elapsed());
        if left.is_zero() {
            break;
        }
        std::thread::sleep(plan.every.min(left));
    }
    println!();
    print!("{}", summary(&rounds, plan.bins.len(), bytes));
}

/// The runs of round `n`, by binary: A B B A for two (B A A B in odd rounds), A A for one,
/// and each binary twice, forth then back (back then forth in odd rounds), for more.
pub fn round_order(bins: usize, n: usize) -> Vec<usize> {
    let forth_back = (0..bins).chain((0..bins).rev());
    if n % 2 == 0 {
        forth_back.collect()
    } else {
        forth_back.map(|k| bins - 1 - k).collect()
    }
}

/// A round's runs: the binary and its time (`None`: skipped).
pub type Round = Vec<(usize, Option<Duration>)>;

fn letter(k: usize) -> char {
    char::from(b'A' + (k % 26) as u8)
}

/// The summary table (and the pairing of A and B when there are two).
pub fn summary(rounds: &[Round], bins: usize, bytes: u64) -> String {
    let mut out = String::new();
    out.push_str("| binary | runs | skipped | median wall | MiB/s (MB/s) at the median | quartiles | range | runs at 100 MB/s or more |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for k in 0..bins {
        let mut times: Vec<f64> = Vec::new();
        let mut skipped = 0;
        for (_, took) in rounds.iter().flatten().filter(|(b, _)| *b == k) {
            match took {
                Some(d) => times.push(d.as_secs_f64()),
                None => skipped += 1,
            }
        }
        let Some(s) = Spread::of(&mut times) else {
            out.push_str(&format!("| {} | 0 | {skipped} | | | | | |\n", letter(k)));
            continue;
        };
        let fast = times.iter().filter(|&&t| bytes as f64 / t >= 100e6).count();
        out.push_str(&format!(
            "| {} | {} | {skipped} | {:.3} s | {:.1} ({:.1}) | {:.3}–{:.3} s | {:.3}–{:.3} s | {fast} of {} |\n",
            letter(k),
            times.len(),
            s.median,
            bytes as f64 / s.median / f64::from(1 << 20),
            bytes as f64 / s.median / 1e6,
            s.lower,
            s.upper,
            s.min,
            s.max,
            times.len()
        ));
    }
    if bins == 2 {
        let mut ratios: Vec<f64> = rounds.iter().filter_map(paired).collect();
        let favour_b = ratios.iter().filter(|&&r| r > 1.0).count();
        if let Some(s) = Spread::of(&mut ratios) {
            out.push_str(&format!(
                "\nPaired within each complete round, A's two runs took {:.3}× as long as B's (median of {} rounds; {favour_b} of them in B's favour).\n",
                s.median,
                ratios.len()
            ));
        }
    }
    out
}

/// A round of A and B with no run skipped: A's time over B's.
fn paired(round: &Round) -> Option<f64> {
    let total = |k: usize| -> Option<f64> {
        round
            .iter()
            .filter(|(b, _)| *b == k)
            .map(|(_, t)| t.map(|d| d.as_secs_f64()))
            .sum()
    };
    Some(total(0)? / total(1)?)
}

/// The median, quartiles (nearest rank) and range of some times.
#[derive(Debug, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub lower: f64,
    pub upper: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// `None` for no values. Sorts `v`.
    pub fn of(v: &mut [f64]) -> Option<Spread> {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = match n {
            0 => return None,
            _ if n % 2 == 1 => v[n / 2],
            _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        };
        Some(Spread {
            median,
            lower: v[n / 4],
            upper: v[(3 * n) / 4],
            min: v[0],
            max: v[n - 1],
        })
    }
}

/// One run: its wall time, or `None` (said on stderr) if it could not run or failed.
fn time_check(bin: &Path, dir: &Path) -> Option<Duration> {
    let t = Instant::now();
    let status = std::process::Command::new(bin)
        .current_dir(dir)
        .args(["check", "--deny", "never", "--format", "json", "."])
        .stdout(std::process::Stdio::null())
        .status();
    let took = t.elapsed();
    match status {
        Ok(s) if s.success() => Some(took),
        Ok(s) => {
            eprintln!("error: {} check ended with {s}", bin.display());
            None
        }
        Err(e) => {
            eprintln!("error: cannot run {}: {e}", bin.display());
            None
        }
    }
}

/// Whether the CPUs were idle enough over the last half second (always, where `/proc/stat`
/// cannot be read: the runs are then not gated).
fn idle_enough() -> bool {
    let before = std::fs::read_to_string("/proc/stat").ok();
    std::thread::sleep(Duration::from_millis(500));
    let after = std::fs::read_to_string("/proc/stat").ok();
    match (
        before.as_deref().and_then(cpu_times),
        after.as_deref().and_then(cpu_times),
    ) {
        (Some(a), Some(b)) => idle_share(a, b) >= IDLE_NEEDED,
        _ => true,
    }
}

/// The idle share of the CPUs' time between two readings of `/proc/stat`'s `cpu` line.
pub fn idle_share(before: CpuTimes, after: CpuTimes) -> f64 {
    let total = after.total.saturating_sub(before.total);
    let idle = after.idle.saturating_sub(before.idle);
    if total == 0 {
        1.0
    } else {
        idle as f64 / total as f64
    }
}

/// The all-CPU line of `/proc/stat`: every tick, and the idle ones (idle and iowait).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CpuTimes {
    pub total: u64,
    pub idle: u64,
}

/// Reads the `cpu` line (user nice system idle iowait irq softirq steal …; guest time is
/// already counted in user).
pub fn cpu_times(stat: &str) -> Option<CpuTimes> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let (idle, iowait) = (*ticks.get(3)?, ticks.get(4).copied().unwrap_or(0));
    Some(CpuTimes {
        total: ticks.iter().take(8).sum(),
        idle: idle + iowait,
    })
}

/// The bytes of the articles under `dir` (its `.md` and `.txt` files, as `check` reads them
/// in a folder with no configuration).
fn article_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut bytes = 0;
    for e in entries.flatten() {
        let path = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            if !e.file_name().to_string_lossy().starts_with('.') {
                bytes += article_bytes(&path);
            }
        } else if matches!(
            path.extension().and_then(|x| x.to_str()),
            Some("md" | "txt")
        ) {
            bytes += e.metadata().map_or(0, |m| m.len());
        }
    }
    bytes
}

/// The time of day in UTC, `HH:MM:SS`.
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        % 86_400;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_binaries_run_forth_and_back() {
        assert_eq!(round_order(1, 0), [0, 0]);
        assert_eq!(round_order(1, 1), [0, 0]);
        assert_eq!(round_order(2, 0), [0, 1, 1, 0]);
        assert_eq!(round_order(2, 1), [1, 0, 0, 1]);
        assert_eq!(round_order(2, 2), [0, 1, 1, 0]);
        assert_eq!(round_order(3, 0), [0, 1, 2, 2, 1, 0]);
        assert_eq!(round_order(3, 1), [2, 1, 0, 0, 1, 2]);
    }

    #[test]
    fn the_spread_is_the_median_quartiles_and_range() {
        let mut v = [0.9, 0.7, 0.8, 1.3, 0.6];
        assert_eq!(
            Spread::of(&mut v),
            Some(Spread {
                median: 0.8,
                lower: 0.7,
                upper: 0.9,
                min: 0.6,
                max: 1.3
            })
        );
        let mut even = [1.0, 4.0, 2.0, 3.0];
        assert_eq!(Spread::of(&mut even).map(|s| s.median), Some(2.5));
        assert_eq!(Spread::of(&mut []), None);
    }

    #[test]
    fn idle_time_is_read_from_the_cpu_line() {
        let before = "cpu  100 5 50 800 20 1 2 3 0 0\ncpu0 50 2 25 400 10 0 1 1 0 0\n";
        let after = "cpu  110 5 60 970 25 1 2 7 0 0\ncpu0 55 2 30 485 12 0 1 3 0 0\n";
        let (a, b) = (cpu_times(before).unwrap(), cpu_times(after).unwrap());
        assert_eq!(
            a,
            CpuTimes {
                total: 981,
                idle: 820
            }
        );
        // 199 ticks passed, 175 of them idle or waiting for the disk.
        assert_eq!(b.total - a.total, 199);
        assert!((idle_share(a, b) - 175.0 / 199.0).abs() < 1e-12);
        assert_eq!(cpu_times("intr 5 6\n"), None);
        assert_eq!(cpu_times("cpu  1 2 x 4\n"), None);
    }

    #[test]
    fn the_summary_counts_skips_and_pairs_complete_rounds() {
        let s = |x: f64| Some(Duration::from_secs_f64(x));
        // A B B A, then B A A B (B's first run skipped), then A B B A.
        let rounds = vec![
            vec![(0, s(1.0)), (1, s(0.8)), (1, s(0.8)), (0, s(1.0))],
            vec![(1, None), (0, s(1.2)), (0, s(1.2)), (1, s(1.0))],
            vec![(0, s(0.9)), (1, s(1.0)), (1, s(0.8)), (0, s(0.9))],
        ];
        // 100 MB: A's runs 1.0 1.0 1.2 1.2 0.9 0.9, B's 0.8 0.8 1.0 1.0 0.8.
        let table = summary(&rounds, 2, 100_000_000);
        assert!(
            table.contains(
                "| A | 6 | 0 | 1.000 s | 95.4 (100.0) | 0.900–1.200 s | 0.900–1.200 s | 4 of 6 |"
            ),
            "{table}"
        );
        assert!(
            table.contains(
                "| B | 5 | 1 | 0.800 s | 119.2 (125.0) | 0.800–1.000 s | 0.800–1.000 s | 5 of 5 |"
            ),
            "{table}"
        );
        // Rounds 1 and 3 are complete: 2.0/1.6 = 1.25 and 1.8/1.8 = 1.0.
        assert!(
            table.contains(
                "took 1.125× as long as B's (median of 2 rounds; 1 of them in B's favour)"
            ),
            "{table}"
        );
    }
}
