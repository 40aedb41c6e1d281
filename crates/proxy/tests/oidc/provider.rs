//! Starts the test OpenID provider (`provider.mjs` beside this file: `oidc-provider`
//! from npm) on a free loopback port, for a Rewind server at a given public URL. Shared
//! by the proxy's OIDC tests and the browser tests (`#[path]`-included by both).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The client secret `provider.mjs` registers for the `rewind` client (test only).
pub const SECRET: &str = "rewind-test-secret-not-for-production";

/// Where `oidc-provider` is installed: `REWIND_NPM_PREFIX`, else `<repo>/.tools/npm`
/// (`cargo xtask setup` installs it there).
fn npm_prefix(repo: &Path) -> PathBuf {
    let prefix = std::env::var_os("REWIND_NPM_PREFIX")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join(".tools/npm"));
    if !prefix
        .join("node_modules/oidc-provider/package.json")
        .is_file()
    {
        panic!(
            "oidc-provider is not installed under {}: run `cargo xtask setup` (it installs it \
             from npm), or set REWIND_NPM_PREFIX to an npm prefix that has it",
            prefix.display()
        );
    }
    prefix
}

/// The provider process; killed when dropped.
pub struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Starts the provider for a Rewind server at `public_url` (its redirect URI is
/// `<public_url>/auth/callback`); returns the process and the issuer URL.
pub fn start_provider(repo: &Path, public_url: &str) -> (Node, String) {
    let prefix = npm_prefix(repo);
    let script = repo.join("crates/proxy/tests/oidc/provider.mjs");
    let port = free_port().to_string();
    let mut child = Command::new("node")
        .arg(&script)
        .arg(&prefix)
        .arg(&port)
        .arg(format!("{public_url}/auth/callback"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start node (is it on PATH?): {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let node = Node(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = BufReader::new(stdout);
        let mut line = String::new();
        let _ = out.read_line(&mut line);
        let _ = tx.send(line);
        // Keep reading: the provider dies of EPIPE if its stdout closes.
        let _ = std::io::copy(&mut out, &mut std::io::sink());
    });
    let issuer = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the OpenID provider did not start within 30 s")
        .trim()
        .to_string();
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer:?}");
    (node, issuer)
}
