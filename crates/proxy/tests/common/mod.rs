//! Helpers shared by the server tests: the real `rewind` binary on a loopback socket, a
//! request through a router without one, and the body of `POST /relay` as the console
//! sends it, with the emulator's demo keys.

// Each test binary compiles this module and uses only some of it.
#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use rewind_cloud::sign::Credentials;
use rewind_cloud::{HttpRequest, Provider};
use rewind_emulator::config::demo as keys;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// `rewind serve --demo` on a free loopback port, API only, with `extra` arguments
/// (not started).
pub fn demo_command(extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rewind"));
    cmd.args([
        "serve",
        "--demo",
        "--listen",
        "127.0.0.1:0",
        "--dist",
        "/nonexistent-dist",
    ])
    .args(extra);
    cmd
}

/// A running `rewind` process; killed on drop.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// `127.0.0.1:PORT`
    pub addr: String,
    /// Its stdout, a line at a time (the URL line already taken).
    pub stdout: mpsc::Receiver<String>,
    /// Its stderr, a line at a time: the log.
    pub stderr: mpsc::Receiver<String>,
    /// The threads forwarding stdout and stderr; they end when the process does.
    forwarders: Vec<JoinHandle<()>>,
}

/// Forwards the lines of `pipe` into a channel until it closes.
fn forward(pipe: impl Read + Send + 'static) -> (mpsc::Receiver<String>, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (rx, thread)
}

impl Server {
    /// Starts `cmd` (the `rewind` binary) with stdout and stderr piped, and waits up to
    /// 30 s for its first stdout line, `rewind listening on http://ADDR/`.
    pub fn spawn(mut cmd: Command) -> Server {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start rewind");
        let (stdout, out_thread) = forward(child.stdout.take().unwrap());
        let (stderr, err_thread) = forward(child.stderr.take().unwrap());
        // Built before the wait, so that a failed start kills the process too.
        let mut server = Server {
            child,
            url: String::new(),
            addr: String::new(),
            stdout,
            stderr,
            forwarders: vec![out_thread, err_thread],
        };
        let first = server
            .stdout
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| {
                let log: Vec<String> = server.stderr.try_iter().collect();
                panic!(
                    "rewind printed no line within 30 s; stderr:\n{}",
                    log.join("\n")
                )
            });
        server.url = first
            .strip_prefix("rewind listening on ")
            .unwrap_or_else(|| panic!("first stdout line: {first:?}"))
            .trim_end_matches('/')
            .to_string();
        server.addr = server
            .url
            .strip_prefix("http://")
            .unwrap_or_else(|| panic!("first stdout line: {first:?}"))
            .to_string();
        server
    }

    /// SIGTERM, then wait (bounded) for a clean exit; returns whether it exited cleanly,
    /// and everything it printed (stdout, then stderr) from the URL line on.
    pub fn stop(mut self) -> (bool, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break Some(s);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // The pipes are closed now: once the forwarders end, every line is in the channels.
        for thread in self.forwarders.drain(..) {
            let _ = thread.join();
        }
        let mut printed: Vec<String> = self.stdout.try_iter().collect();
        printed.extend(self.stderr.try_iter());
        (status.is_some_and(|s| s.success()), printed.join("\n"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `req` through `router`, no socket: the answer's status, headers and body.
pub async fn send(router: &axum::Router, req: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, body)
}

/// The JSON body of `POST /relay` for a built (and signed) request to `provider`.
pub fn relay_body(provider: Provider, r: &HttpRequest) -> Value {
    json!({
        "provider": provider,
        "method": r.method,
        "host": r.host,
        "path": r.path,
        "query": r.query,
        "headers": r.headers,
        "body": String::from_utf8(r.body.clone()).unwrap(),
    })
}

/// The embedded emulator's demo key pair for `provider`.
pub fn demo_credentials(provider: Provider) -> Credentials {
    match provider {
        Provider::Tencent => Credentials::new(keys::TENCENT_SECRET_ID, keys::TENCENT_SECRET_KEY),
        Provider::Alibaba => {
            Credentials::new(keys::ALIBABA_ACCESS_KEY_ID, keys::ALIBABA_ACCESS_KEY_SECRET)
        }
        Provider::Huawei => Credentials::new(keys::HUAWEI_AK, keys::HUAWEI_SK),
    }
}
