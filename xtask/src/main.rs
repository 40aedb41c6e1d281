//! `cargo xtask …`: the project's two README commands (`run`, `test`) and their helpers.
//!
//! Every install step checks first and does nothing when the tool is already there at
//! the right version, so second runs are fast. Nothing is downloaded except from the
//! package registries (crates.io, npm, PyPI, Debian).

mod bench;
mod compress;
mod fuzz;
mod sh;
mod split;
mod tools;

use sh::Step;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run [--port N]   install what is missing, build the console, start `rewind serve --demo`
  test             everything CI checks (fmt, clippy, native, wasm, browser e2e, conformance, fuzz)
  bench            transfer size of the console, signer throughput, proxy latency
  fuzz [--secs N]  run each cargo-fuzz target in fuzz/ for N seconds (default 60; nightly)
  setup            only install the tools (idempotent)
  build [--api-base URL]
                   only build the console (release) into dist/; with --api-base, for a
                   static host: writes dist/config.json naming the Rewind server's origin
                   and prints the security headers the static host must send";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    let result = match args.first().map(String::as_str) {
        Some("setup") => tools::setup(&root, tools::Need::Build).map(|_| ()),
        Some("build") => build(&root, &args[1..]),
        Some("run") => run(&root, &args[1..]),
        Some("test") => test(&root),
        Some("bench") => bench::run(&root),
        Some("fuzz") => fuzz::command(&root, &args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives in `<root>/xtask`).
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Which `rewind` binary: `target/debug/rewind` (tests) or `target/release/rewind`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

/// Builds the `rewind` server binary.
pub fn build_server(root: &Path, profile: Profile) -> Result<(), String> {
    let mut args = vec!["build", "--quiet", "-p", "rewind-proxy", "--bin", "rewind"];
    if profile == Profile::Release {
        args.push("--release");
    }
    let title = match profile {
        Profile::Debug => "build the server (cargo build -p rewind-proxy)",
        Profile::Release => "build the server (cargo build --release -p rewind-proxy)",
    };
    Step::new(title).cmd(root, "cargo", &args).run()
}

/// Installs the build tools and builds the console in release mode into `dist/`.
pub fn build_console(root: &Path) -> Result<tools::Env, String> {
    let env = tools::setup(root, tools::Need::Build)?;
    split::build(root, &env.vars)?;
    compress::precompress(&root.join("dist"), &root.join("target/precompressed"))?;
    Ok(env)
}

/// `cargo xtask build [--api-base URL]`.
fn build(root: &Path, args: &[String]) -> Result<(), String> {
    let api_base = match args {
        [] => None,
        [flag, url] if flag == "--api-base" => Some(url.trim_end_matches('/').to_string()),
        _ => {
            return Err(format!(
                "usage: cargo xtask build [--api-base URL] (got {args:?})"
            ));
        }
    };
    if let Some(base) = &api_base
        && !base
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
    {
        return Err(format!(
            "--api-base {base:?} is not an origin such as https://rewind.example.com"
        ));
    }
    build_console(root)?;
    let Some(api_base) = api_base else {
        return Ok(());
    };
    build_server(root, Profile::Release)?;
    let bin = root.join("target/release/rewind");
    let dist = root.join("dist");
    // Checks the origin and reads the built index.html before anything is written.
    let out = std::process::Command::new(&bin)
        .args(["headers", "--dist"])
        .arg(&dist)
        .args(["--api-base", &api_base])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let config = format!("{{\"api_base\": {api_base:?}}}\n");
    std::fs::write(dist.join("config.json"), config)
        .map_err(|e| format!("cannot write dist/config.json: {e}"))?;
    println!(
        "\n==> dist/config.json names {api_base}; the static host must send these headers \
         (nginx; see README, Deployment):\n\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    Ok(())
}

fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => 8080,
        [flag, n] if flag == "--port" => n
            .parse::<u16>()
            .map_err(|_| format!("--port takes a port number, got {n:?}"))?,
        _ => return Err(format!("usage: cargo xtask run [--port N] (got {args:?})")),
    };
    build_console(root)?;
    build_server(root, Profile::Release)?;
    let bin = root.join("target/release/rewind");
    let listen = format!("127.0.0.1:{port}");
    println!(
        "\n==> starting {} serve --demo --listen {listen}",
        bin.display()
    );
    sh::serve_foreground(
        &bin,
        &["serve", "--demo", "--listen", &listen, "--dist", "dist"],
        root,
    )
}

fn test(root: &Path) -> Result<(), String> {
    let started = std::time::Instant::now();
    let mut totals = sh::Totals::default();
    let env = tools::setup(root, tools::Need::Test)?;
    Step::new("formatting (cargo fmt --all -- --check)")
        .cmd(root, "cargo", &["fmt", "--all", "--", "--check"])
        .run()?;
    Step::new("lints (cargo clippy --workspace --all-targets -- -D warnings)")
        .cmd(
            root,
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--quiet",
                "--",
                "-D",
                "warnings",
            ],
        )
        .run()?;
    Step::new("native tests of every crate (cargo test --workspace)")
        .cmd(root, "cargo", &["test", "--workspace"])
        .env_all(&env.vars)
        .run_tests(&mut totals)?;
    Step::new("console component tests in headless Chromium (wasm-bindgen-test)")
        .cmd(
            root,
            "cargo",
            &[
                "test",
                "-p",
                "rewind-console",
                "--target",
                "wasm32-unknown-unknown",
                "--test",
                "components",
            ],
        )
        .env_all(&env.vars)
        .run_tests(&mut totals)?;
    // The e2e tests drive a real `rewind serve --demo` serving the release console.
    build_console(root)?;
    build_server(root, Profile::Debug)?;
    Step::new("browser end-to-end tests (fantoccini + chromedriver)")
        .cmd(
            root,
            "cargo",
            &[
                "test",
                "-p",
                "rewind-console",
                "--features",
                "e2e",
                "--test",
                "e2e",
                "--",
                // Each test runs a server and a Chromium: two at a time on small machines.
                "--test-threads=2",
            ],
        )
        .env_all(&env.vars)
        .env("REWIND_BIN", root.join("target/debug/rewind"))
        .env("REWIND_DIST", root.join("dist"))
        .env("REWIND_ARTIFACTS", root.join("artifacts"))
        .run_tests(&mut totals)?;
    conformance(root, &env, &mut totals)?;
    pytest(
        root,
        "emulator conformance: the official SDKs as clients of `rewind emulator` (pytest)",
        "conformance/test_emulator.py",
        &mut totals,
    )?;
    pytest(
        root,
        "proxy signatures checked by the official SDKs' own signing code (pytest)",
        "conformance/test_proxy_signatures.py",
        &mut totals,
    )?;
    fuzz::run_all(root, fuzz::TEST_SECS)?;
    println!(
        "\nxtask test: all steps passed in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    println!("total: {} passed, {} failed", totals.passed, totals.failed);
    Ok(())
}

/// A pytest suite of `conformance/` against the debug `rewind` binary.
fn pytest(root: &Path, title: &str, file: &str, totals: &mut sh::Totals) -> Result<(), String> {
    Step::new(title)
        .cmd(
            root,
            &tools::python_venv(root)?.to_string_lossy(),
            &["-m", "pytest", "-q", "-p", "no:cacheprovider", file],
        )
        .env("REWIND_BIN", root.join("target/debug/rewind"))
        .run_tests(totals)
}

/// Signature conformance against the official SDKs: a fresh random batch every run.
fn conformance(root: &Path, env: &tools::Env, totals: &mut sh::Totals) -> Result<(), String> {
    let generator = root.join("conformance/gen_sign_fixtures.py");
    let python = tools::python_venv(root)?;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() ^ u64::from(d.subsec_nanos()))
        .unwrap_or(1);
    let out = root.join("target/conformance/sign-random");
    let _ = std::fs::remove_dir_all(&out);
    println!(
        "\n==> conformance seed {seed} (re-run a failure with: {} {} --seed {seed} --count 40 --out DIR)",
        python.display(),
        generator.display()
    );
    Step::new("generate a random batch of signed requests with the official SDKs")
        .cmd(
            root,
            &python.to_string_lossy(),
            &[
                &generator.to_string_lossy(),
                "--seed",
                &seed.to_string(),
                "--count",
                "40",
                "--out",
                &out.to_string_lossy(),
            ],
        )
        .run()?;
    Step::new("compare our signer and verifier with the SDKs' requests")
        .cmd(
            root,
            "cargo",
            &["test", "-p", "rewind-cloud", "--test", "sign_conformance"],
        )
        .env_all(&env.vars)
        .env("REWIND_SIGN_FIXTURES", &out)
        .run_tests(totals)
}
