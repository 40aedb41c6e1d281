//! `cargo xtask fuzz [--secs N]`: builds the cargo-fuzz targets in `fuzz/` once and runs
//! each for N seconds on a fresh corpus grown from the committed seeds, then prints what
//! libFuzzer reports per target (executions, corpus entries, crashes).
//!
//! The fuzz crate is not a workspace member: it needs nightly and builds with sanitizer
//! coverage into its own `fuzz/target`. Generated corpora go to `fuzz/target/corpus/`
//! (wiped before each run, so figures compare run to run) and crash inputs to
//! `fuzz/artifacts/<target>/`; nothing is written into `fuzz/corpus/`.

use crate::sh::Step;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// cargo-fuzz from crates.io, pinned like the other tools.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// Seconds per target for `cargo xtask fuzz` without `--secs`.
pub const DEFAULT_SECS: u64 = 60;
/// Seconds per target inside `cargo xtask test`.
pub const TEST_SECS: u64 = 20;
/// Safe Rust needs no AddressSanitizer: panics, overflow checks and debug assertions
/// (on by default in cargo-fuzz builds) are what the targets catch, and without ASan
/// the build is shorter and the targets run faster.
const BUILD_FLAGS: &[&str] = &["--sanitizer", "none"];
const TRIPLE: &str = "x86_64-unknown-linux-gnu";

/// What one target's run reported.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Figures {
    pub execs: u64,
    pub exec_per_sec: u64,
    pub corpus: u64,
    pub coverage: u64,
    /// Crash, timeout, leak or out-of-memory inputs libFuzzer wrote.
    pub artifacts: Vec<String>,
}

/// `cargo xtask fuzz [--secs N]`.
pub fn command(root: &Path, args: &[String]) -> Result<(), String> {
    let secs = match args {
        [] => DEFAULT_SECS,
        [flag, n] if flag == "--secs" => n
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("--secs takes a positive number of seconds, got {n:?}"))?,
        _ => return Err(format!("usage: cargo xtask fuzz [--secs N] (got {args:?})")),
    };
    run_all(root, secs)
}

/// Installs what is missing, builds every target, runs each for `secs` seconds and
/// prints the table; fails on any crash.
pub fn run_all(root: &Path, secs: u64) -> Result<(), String> {
    let fuzz_dir = root.join("fuzz");
    setup(root)?;
    let mut build = vec!["+nightly", "fuzz", "build"];
    build.extend_from_slice(BUILD_FLAGS);
    Step::new("build the fuzz targets (cargo +nightly fuzz build, fuzz/target)")
        .cmd(root, "cargo", &build)
        .run()?;
    let targets = targets(&fuzz_dir)?;
    let mut rows = Vec::new();
    for target in &targets {
        let started = Instant::now();
        println!("\n==> fuzz {target} for {secs}s");
        let figures = run_target(&fuzz_dir, target, secs)?;
        println!(
            "    {} execs, {} in the corpus, {} crash(es) ({:.0}s)",
            figures.execs,
            figures.corpus,
            figures.artifacts.len(),
            started.elapsed().as_secs_f64()
        );
        rows.push((target.clone(), figures));
    }
    println!("\n{}", table(secs, &rows));
    let crashed: Vec<String> = rows
        .iter()
        .flat_map(|(target, f)| {
            f.artifacts.iter().map(move |a| {
                format!(
                    "{target}: {a}\n    reproduce: cargo +nightly fuzz run {} {target} {a}",
                    BUILD_FLAGS.join(" ")
                )
            })
        })
        .collect();
    if crashed.is_empty() {
        println!("fuzz: {} targets, {secs}s each, no crash", rows.len());
        Ok(())
    } else {
        Err(format!(
            "fuzzing found {} crash(es):\n{}\n(logs in fuzz/target/logs/; add each input as a regression test in the crate's tests)",
            crashed.len(),
            crashed.join("\n")
        ))
    }
}

/// The nightly toolchain and cargo-fuzz, each installed only when missing.
fn setup(root: &Path) -> Result<(), String> {
    println!("==> checking fuzzing tools");
    let toolchains = output_of("rustup", &["toolchain", "list"]).unwrap_or_default();
    if toolchains.lines().any(|l| l.starts_with("nightly")) {
        println!("    ok: nightly toolchain");
    } else {
        Step::new("install the nightly toolchain (rustup, minimal profile)")
            .cmd(
                root,
                "rustup",
                &["toolchain", "install", "nightly", "--profile", "minimal"],
            )
            .run()?;
    }
    let want = format!("cargo-fuzz {CARGO_FUZZ_VERSION}");
    match output_of("cargo", &["fuzz", "--version"]) {
        Some(v) if v.trim() == want => println!("    ok: {want}"),
        other => {
            println!(
                "    cargo-fuzz: {} (want {CARGO_FUZZ_VERSION})",
                other.as_deref().map(str::trim).unwrap_or("missing")
            );
            Step::new(format!(
                "install cargo-fuzz {CARGO_FUZZ_VERSION} from crates.io (a few minutes, once)"
            ))
            .cmd(
                root,
                "cargo",
                &[
                    "install",
                    "cargo-fuzz",
                    "--version",
                    CARGO_FUZZ_VERSION,
                    "--locked",
                ],
            )
            .run()?;
        }
    }
    Ok(())
}

fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The targets: one file each in `fuzz/fuzz_targets/`, in name order.
fn targets(fuzz_dir: &Path) -> Result<Vec<String>, String> {
    let dir = fuzz_dir.join("fuzz_targets");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".rs"))
                .map(str::to_string)
        })
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(format!("no fuzz targets in {}", dir.display()));
    }
    Ok(names)
}

/// Runs one built target for `secs` seconds; its output goes to `fuzz/target/logs/`.
fn run_target(fuzz_dir: &Path, target: &str, secs: u64) -> Result<Figures, String> {
    let bin = fuzz_dir
        .join("target")
        .join(TRIPLE)
        .join("release")
        .join(target);
    let corpus = fuzz_dir.join("target/corpus").join(target);
    let seeds = fuzz_dir.join("corpus").join(target);
    let artifacts = fuzz_dir.join("artifacts").join(target);
    let logs = fuzz_dir.join("target/logs");
    let _ = std::fs::remove_dir_all(&corpus);
    for dir in [&corpus, &artifacts, &logs] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let log_path = logs.join(format!("{target}.log"));
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let mut cmd = Command::new(&bin);
    cmd.arg(format!("-max_total_time={secs}"))
        .arg("-print_final_stats=1")
        // A unit slower than this is a hang worth reporting.
        .arg("-timeout=10")
        .arg("-rss_limit_mb=2048")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        // New inputs go to the first folder; the seeds are only read.
        .arg(&corpus);
    if seeds.is_dir() {
        cmd.arg(&seeds);
    }
    let status = cmd
        .stdout(Stdio::null())
        .stderr(log)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let output = std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut figures = parse_output(&output);
    if figures.corpus == 0 {
        figures.corpus = count_files(&corpus);
    }
    if !status.success() && figures.artifacts.is_empty() {
        let tail: Vec<&str> = output.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "{target} exited with {status} without writing a crash input; log {}:\n{}",
            log_path.display(),
            tail.join("\n")
        ));
    }
    Ok(figures)
}

fn count_files(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |d| d.filter_map(Result::ok).count() as u64)
}

/// Reads libFuzzer's output: the last status line (`#N DONE cov: C ft: F corp: X/Yb …`),
/// the final stats (`stat::number_of_executed_units: N`, with `-print_final_stats=1`)
/// and the inputs it saved (`Test unit written to PATH`).
pub fn parse_output(text: &str) -> Figures {
    let mut f = Figures::default();
    let number = |line: &str, key: &str| -> Option<u64> {
        let rest = line.split(key).nth(1)?;
        rest.split(|c: char| !c.is_ascii_digit())
            .find(|s| !s.is_empty())?
            .parse()
            .ok()
    };
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') && line.contains("corp: ") {
            if let Some(n) = number(line, "#") {
                f.execs = f.execs.max(n);
            }
            f.corpus = number(line, "corp: ").unwrap_or(f.corpus);
            f.coverage = number(line, "cov: ").unwrap_or(f.coverage);
            f.exec_per_sec = number(line, "exec/s: ").unwrap_or(f.exec_per_sec);
        } else if let Some(n) = line
            .strip_prefix("stat::number_of_executed_units:")
            .and_then(|v| v.trim().parse().ok())
        {
            f.execs = n;
        } else if let Some(n) = line
            .strip_prefix("stat::average_exec_per_sec:")
            .and_then(|v| v.trim().parse().ok())
        {
            f.exec_per_sec = n;
        } else if let Some((_, path)) = line.split_once("Test unit written to ") {
            f.artifacts.push(path.trim().to_string());
        }
    }
    f
}

/// The summary table printed after the runs.
pub fn table(secs: u64, rows: &[(String, Figures)]) -> String {
    let mut out = format!(
        "{:<18} {:>5} {:>12} {:>9} {:>7} {:>6} {:>8}\n",
        "target", "secs", "execs", "exec/s", "corpus", "cov", "crashes"
    );
    for (target, f) in rows {
        out.push_str(&format!(
            "{:<18} {:>5} {:>12} {:>9} {:>7} {:>6} {:>8}\n",
            target,
            secs,
            f.execs,
            f.exec_per_sec,
            f.corpus,
            f.coverage,
            f.artifacts.len()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DONE: &str = "\
INFO: Seed: 3735928559
#2\tINITED cov: 210 ft: 211 corp: 1/1b exec/s: 0 rss: 31Mb
#1048576\tpulse  cov: 1610 ft: 4810 corp: 301/18Kb lim: 4096 exec/s: 34952 rss: 60Mb
#1230017\tDONE   cov: 1622 ft: 4862 corp: 312/19Kb lim: 4096 exec/s: 39678 rss: 61Mb
Done 1230017 runs in 31 second(s)
stat::number_of_executed_units: 1230017
stat::average_exec_per_sec:     39678
stat::new_units_added:          333
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              61
";

    #[test]
    fn reads_final_stats() {
        let f = parse_output(DONE);
        assert_eq!(
            f,
            Figures {
                execs: 1_230_017,
                exec_per_sec: 39_678,
                corpus: 312,
                coverage: 1622,
                artifacts: Vec::new(),
            }
        );
    }

    #[test]
    fn reads_a_crash() {
        let out = "\
#4096\tpulse  cov: 900 ft: 1200 corp: 80/3Kb lim: 4096 exec/s: 2048 rss: 40Mb
thread '<unnamed>' panicked at fuzz_targets/x.rs:10:5:
==12345== ERROR: libFuzzer: deadly signal
MS: 2 ChangeBit-InsertByte-; base unit: 0000
artifact_prefix='fuzz/artifacts/x/'; Test unit written to fuzz/artifacts/x/crash-da39a3ee
stat::number_of_executed_units: 5000
";
        let f = parse_output(out);
        assert_eq!(f.execs, 5000);
        assert_eq!(f.corpus, 80);
        assert_eq!(f.artifacts, vec!["fuzz/artifacts/x/crash-da39a3ee"]);
        let t = table(20, &[("x".into(), f)]);
        assert!(t.lines().nth(1).unwrap().ends_with(" 1"), "{t}");
    }

    #[test]
    fn every_target_has_seeds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let fuzz = root.join("fuzz");
        for t in targets(&fuzz).unwrap() {
            assert!(
                count_files(&fuzz.join("corpus").join(&t)) > 0,
                "{t} has no seeds"
            );
        }
    }
}
