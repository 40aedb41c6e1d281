//! Idempotent installation of the tools the build and the tests need.
//!
//! Each tool is checked by running it and reading its version; only a missing or
//! mismatched tool is installed. Sources: rustup's targets, crates.io (`cargo install`),
//! the npm registry (binaryen's wasm-opt, oidc-provider and axe-core, under `.tools/`),
//! Debian (`apt-get`) and PyPI.

use crate::sh::Step;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Trunk is pinned: 0.22 needs a newer rustc than this machine's 1.95.
pub const TRUNK_VERSION: &str = "0.21.14";
/// binaryen from npm; Debian's binaryen 108 produces modules that fail to load.
pub const BINARYEN_VERSION: &str = "132.0.0";
/// The OpenID provider the proxy's sign-in tests run against (crates/proxy/tests/oidc.rs).
pub const OIDC_PROVIDER_VERSION: &str = "9.13.3";
/// axe-core, the accessibility rules the browser tests run in every page (tests/e2e/a11y.rs).
pub const AXE_CORE_VERSION: &str = "4.14.1";
/// A file of Debian's fonts-noto-cjk.
const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
/// Debian's nginx, the static host of the cross-origin deployment test.
const NGINX: &str = "/usr/sbin/nginx";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Build the console.
    Build,
    /// Build plus the browsers for tests.
    Test,
}

/// Where the tools are and the environment to run the build with.
#[derive(Debug, Clone)]
pub struct Env {
    pub trunk: String,
    pub vars: Vec<(String, String)>,
}

pub fn setup(root: &Path, need: Need) -> Result<Env, String> {
    let started = Instant::now();
    println!("==> checking tools");
    let home = std::env::var("HOME").map_err(|_| "HOME is not set")?;
    let cargo_bin = PathBuf::from(&home).join(".cargo/bin");
    let npm_prefix = root.join(".tools/npm");
    let npm_bin = npm_prefix.join("node_modules/.bin");
    let path = format!(
        "{}:{}:{}",
        npm_bin.display(),
        cargo_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut vars = vec![
        ("PATH".to_string(), path.clone()),
        ("TRUNK_SKIP_VERSION_CHECK".to_string(), "true".to_string()),
    ];
    let found = |program: &str, args: &[&str]| -> Option<String> {
        let out = Command::new(program)
            .args(args)
            .env("PATH", &path)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };

    // 1. The wasm32 target.
    let installed = found("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        println!("    ok: rustup target wasm32-unknown-unknown");
    } else {
        Step::new("install the wasm32 target")
            .cmd(root, "rustup", &["target", "add", "wasm32-unknown-unknown"])
            .run()?;
    }

    // 2. Trunk, pinned.
    match found("trunk", &["--version"]) {
        Some(v) if v.trim() == format!("trunk {TRUNK_VERSION}") => println!("    ok: {}", v.trim()),
        other => {
            println!(
                "    trunk: {} (want {TRUNK_VERSION})",
                other.as_deref().map(str::trim).unwrap_or("missing")
            );
            Step::new(format!(
                "install trunk {TRUNK_VERSION} from crates.io (takes several minutes once)"
            ))
            .cmd(
                root,
                "cargo",
                &["install", "trunk", "--version", TRUNK_VERSION, "--locked"],
            )
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .run()?;
        }
    }

    // 3. wasm-bindgen-cli at exactly the lockfile's wasm-bindgen version.
    let wb = lockfile_version(root, "wasm-bindgen")?;
    match found("wasm-bindgen", &["--version"]) {
        Some(v) if v.trim() == format!("wasm-bindgen {wb}") => println!("    ok: {}", v.trim()),
        other => {
            println!(
                "    wasm-bindgen: {} (want {wb})",
                other.as_deref().map(str::trim).unwrap_or("missing")
            );
            // Not --locked: its lockfile pins a webpki-roots the registry here lacks.
            Step::new(format!("install wasm-bindgen-cli {wb} from crates.io"))
                .cmd(
                    root,
                    "cargo",
                    &["install", "wasm-bindgen-cli", "--version", &wb],
                )
                .run()?;
        }
    }
    check_trunk_pin(root, &wb)?;

    // 4. wasm-opt from binaryen on npm, project-local.
    let major = BINARYEN_VERSION
        .split('.')
        .next()
        .unwrap_or(BINARYEN_VERSION);
    match found(&npm_bin.join("wasm-opt").to_string_lossy(), &["--version"]) {
        Some(v) if v.contains(&format!("version {major}")) => println!("    ok: {}", v.trim()),
        _ => {
            if found("npm", &["--version"]).is_none() {
                apt_install(root, &["nodejs", "npm"])?;
            }
            npm_install(root, &npm_prefix, "binaryen", BINARYEN_VERSION)?;
        }
    }

    // 5. Chromium and its driver for the browser tests, and nginx as the static host of
    //    the cross-origin deployment test.
    if need == Need::Test {
        // CJK fonts so the Chinese UI renders in screenshots instead of empty boxes.
        let have = Path::new("/usr/bin/chromium").is_file()
            && Path::new("/usr/bin/chromedriver").is_file()
            && Path::new(CJK_FONT).is_file()
            && Path::new(NGINX).is_file();
        if have {
            println!("    ok: chromium, chromedriver, CJK fonts and nginx");
        } else {
            apt_install(
                root,
                &["chromium", "chromium-driver", "fonts-noto-cjk", "nginx"],
            )?;
        }
        vars.push(("REWIND_NGINX".into(), NGINX.into()));

        // From npm, project-local beside binaryen: a real OpenID provider for the sign-in
        // tests, and axe-core, whose axe.min.js the accessibility audit injects in pages.
        for (package, version) in [
            ("oidc-provider", OIDC_PROVIDER_VERSION),
            ("axe-core", AXE_CORE_VERSION),
        ] {
            let manifest = npm_prefix.join(format!("node_modules/{package}/package.json"));
            let installed = std::fs::read_to_string(&manifest).unwrap_or_default();
            if installed.contains(&format!("\"version\": \"{version}\"")) {
                println!("    ok: {package} {version}");
            } else {
                npm_install(root, &npm_prefix, package, version)?;
            }
        }
        vars.push((
            "REWIND_NPM_PREFIX".into(),
            npm_prefix.to_string_lossy().into_owned(),
        ));
    }
    println!("    tools ready ({:.1}s)", started.elapsed().as_secs_f64());
    Ok(Env {
        trunk: "trunk".to_string(),
        vars,
    })
}

/// Installs `package@version` from the npm registry under the project's `prefix`.
fn npm_install(root: &Path, prefix: &Path, package: &str, version: &str) -> Result<(), String> {
    std::fs::create_dir_all(prefix).map_err(|e| e.to_string())?;
    Step::new(format!("install {package} {version} from npm into .tools/"))
        .cmd(
            root,
            "npm",
            &[
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                &prefix.to_string_lossy(),
                &format!("{package}@{version}"),
            ],
        )
        .run()
}

fn apt_install(root: &Path, packages: &[&str]) -> Result<(), String> {
    Step::new("apt-get update")
        .cmd(root, "apt-get", &["update", "-qq"])
        .run()?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    Step::new(format!("apt-get install {}", packages.join(" ")))
        .cmd(root, "apt-get", &args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
}

/// The version of `name` recorded in Cargo.lock.
pub fn lockfile_version(root: &Path, name: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let needle = format!("name = \"{name}\"\n");
    lock.split("[[package]]")
        .find(|block| block.contains(&needle))
        .and_then(|block| block.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_string())
        .ok_or_else(|| format!("{name} is not in Cargo.lock"))
}

/// Trunk.toml must name the same wasm-bindgen version, or Trunk (offline) refuses to build.
fn check_trunk_pin(root: &Path, version: &str) -> Result<(), String> {
    let trunk_toml = std::fs::read_to_string(root.join("Trunk.toml")).map_err(|e| e.to_string())?;
    if trunk_toml.contains(&format!("wasm_bindgen = \"{version}\"")) {
        Ok(())
    } else {
        Err(format!(
            "Trunk.toml [tools] wasm_bindgen must be \"{version}\" (the Cargo.lock version)"
        ))
    }
}

/// The project's Python venv with the official SDKs at pinned versions; reinstalls only
/// when `conformance/requirements.txt` changed.
pub fn python_venv(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join(".venv");
    let python = venv.join("bin/python");
    let req_path = root.join("conformance/requirements.txt");
    let requirements = std::fs::read_to_string(&req_path)
        .map_err(|e| format!("cannot read {}: {e}", req_path.display()))?;
    let stamp = venv.join(".rewind-requirements");
    if python.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == requirements) {
        println!("    ok: Python venv with the official SDKs");
        return Ok(python);
    }
    if !python.is_file() {
        Step::new("create the Python venv (.venv)")
            .cmd(root, "python3", &["-m", "venv", &venv.to_string_lossy()])
            .run()?;
    }
    Step::new("install the official SDKs from PyPI (conformance/requirements.txt)")
        .cmd(
            root,
            &python.to_string_lossy(),
            &[
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                &req_path.to_string_lossy(),
            ],
        )
        .run()?;
    std::fs::write(&stamp, requirements).map_err(|e| e.to_string())?;
    Ok(python)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions_from_the_real_lockfile() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let v = lockfile_version(root, "wasm-bindgen").unwrap();
        assert!(v.starts_with("0.2."), "{v}");
        assert!(lockfile_version(root, "no-such-crate-here").is_err());
        check_trunk_pin(root, &v).unwrap();
    }
}
