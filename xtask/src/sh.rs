//! Running commands as named, timed steps that fail fast with a clear message.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Test counts gathered from the runners' own summary lines.
#[derive(Debug, Default)]
pub struct Totals {
    pub passed: u64,
    pub failed: u64,
}

/// One step of a task: a title and the command that does it.
pub struct Step {
    title: String,
    cmd: Option<Command>,
    shown: String,
}

impl Step {
    pub fn new(title: impl Into<String>) -> Step {
        Step {
            title: title.into(),
            cmd: None,
            shown: String::new(),
        }
    }

    pub fn cmd(mut self, dir: &Path, program: &str, args: &[&str]) -> Step {
        let mut c = Command::new(program);
        c.args(args).current_dir(dir);
        self.shown = format!("{program} {}", args.join(" "));
        self.cmd = Some(c);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Step {
        if let Some(c) = self.cmd.as_mut() {
            c.env(key, value);
        }
        self
    }

    pub fn env_all(mut self, vars: &[(String, String)]) -> Step {
        if let Some(c) = self.cmd.as_mut() {
            for (k, v) in vars {
                c.env(k, v);
            }
        }
        self
    }

    fn start(&self) -> Instant {
        println!("\n==> {}\n    $ {}", self.title, self.shown);
        let _ = std::io::stdout().flush();
        Instant::now()
    }

    fn finish(&self, started: Instant, ok: bool, extra: &str) -> Result<(), String> {
        let secs = started.elapsed().as_secs_f64();
        if ok {
            println!("    ok: {} ({secs:.1}s){extra}", self.title);
            Ok(())
        } else {
            Err(format!(
                "step failed after {secs:.1}s: {}\n    command: {}",
                self.title, self.shown
            ))
        }
    }

    /// Runs the command with inherited output.
    pub fn run(mut self) -> Result<(), String> {
        let started = self.start();
        let mut cmd = self.cmd.take().ok_or("step without a command")?;
        let status = cmd
            .status()
            .map_err(|e| format!("cannot run {}: {e}", self.shown))?;
        self.finish(started, status.success(), "")
    }

    /// Runs the command, echoing its output and adding up `test result:` lines.
    pub fn run_tests(mut self, totals: &mut Totals) -> Result<(), String> {
        let started = self.start();
        let mut cmd = self.cmd.take().ok_or("step without a command")?;
        cmd.stdout(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.shown))?;
        let (mut passed, mut failed) = (0, 0);
        if let Some(out) = child.stdout.take() {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                println!("{line}");
                if let Some((p, f)) = parse_test_result(&line) {
                    passed += p;
                    failed += f;
                }
            }
        }
        let status = child.wait().map_err(|e| e.to_string())?;
        totals.passed += passed;
        totals.failed += failed;
        if status.success() && passed == 0 {
            return Err(format!("{} ran no test: {}", self.title, self.shown));
        }
        self.finish(
            started,
            status.success(),
            &format!(": {passed} passed, {failed} failed"),
        )
    }
}

/// Reads a runner's closing line: libtest's `test result: ok. 3 passed; 0 failed; …` or
/// pytest's `161 passed, 2 failed in 61.2s` (with or without its `===` frame).
pub fn parse_test_result(line: &str) -> Option<(u64, u64)> {
    parse_libtest(line).or_else(|| parse_pytest(line))
}

fn parse_pytest(line: &str) -> Option<(u64, u64)> {
    let body = line.trim().trim_matches('=').trim();
    let (counts, time) = body.rsplit_once(" in ")?;
    if !time.ends_with('s') {
        return None;
    }
    let (mut passed, mut failed, mut seen) = (0, 0, false);
    for part in counts.split(", ") {
        let (n, word) = part.split_once(' ')?;
        let n: u64 = n.parse().ok()?;
        match word {
            "passed" => passed = n,
            "failed" | "error" | "errors" => failed += n,
            _ => {}
        }
        seen = true;
    }
    seen.then_some((passed, failed))
}

fn parse_libtest(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let rest = rest.split_once(". ").map_or(rest, |(_, counts)| counts);
    let count = |word: &str| {
        rest.split(';')
            .find_map(|part| part.trim().split_once(' ').filter(|(_, w)| *w == word))
            .and_then(|(n, _)| n.parse().ok())
    };
    Some((count("passed")?, count("failed")?))
}

/// Runs the server in the foreground, printing its URL once it listens; Ctrl-C reaches it
/// too (same process group) and it shuts down gracefully.
pub fn serve_foreground(bin: &PathBuf, args: &[&str], dir: &Path) -> Result<(), String> {
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("rewind listening on ") {
                println!("\n    Rewind is running at {url}  (Ctrl-C to stop)\n");
            } else {
                println!("{line}");
            }
            let _ = std::io::stdout().flush();
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("rewind exited with {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_test_result;

    #[test]
    fn reads_libtest_summaries() {
        assert_eq!(
            parse_test_result(
                "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s"
            ),
            Some((12, 0))
        );
        assert_eq!(
            parse_test_result(
                "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out"
            ),
            Some((3, 2))
        );
        assert_eq!(parse_test_result("running 3 tests"), None);
        assert_eq!(parse_test_result("161 passed in 61.20s"), Some((161, 0)));
        assert_eq!(
            parse_test_result("==== 3 failed, 158 passed, 2 skipped in 70.01s ===="),
            Some((158, 3))
        );
        assert_eq!(parse_test_result("tests ran in 3s"), None);
    }
}
