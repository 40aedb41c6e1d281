//! Slow and idle clients against the real `rewind serve` binary (review #11, finding 3):
//! a request head that never ends, a body that stops coming, an idle keep-alive
//! connection, and more slow connections than `limits.max_connections`. Every wait is
//! bounded by a deadline; everything is on loopback.

mod common;

use common::Server;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

/// This file's helpers on the shared server; its log lines (warnings, and tower-http's
/// "started processing request") are on `stderr`.
impl Server {
    /// `rewind serve` with auth `none` on a free loopback port and these `[limits]`.
    fn start(name: &str, limits: &str) -> Server {
        let dir =
            std::env::temp_dir().join(format!("rewind-slow-clients-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rewind.toml");
        std::fs::write(
            &path,
            format!("listen = \"127.0.0.1:0\"\n[auth]\nmode = \"none\"\n[limits]\n{limits}\n"),
        )
        .unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rewind"));
        cmd.args(["serve", "--config", path.to_str().unwrap()])
            .args(["--dist", "/nonexistent-dist"])
            .env("RUST_LOG", "warn,rewind_proxy=info,tower_http=debug");
        Server::spawn(cmd)
    }

    /// Waits until `n` requests to `path` have reached their handler.
    fn wait_handled(&self, path: &str, n: usize, within: Duration) {
        let deadline = Instant::now() + within;
        let wanted = format!("path={path}}}");
        let mut seen = 0;
        while seen < n {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.stderr.recv_timeout(left).unwrap_or_else(|_| {
                panic!("only {seen} of {n} requests to {path} were handled within {within:?}")
            });
            if line.contains(&wanted) && line.contains("started processing request") {
                seen += 1;
            }
        }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        s
    }

    fn get(&self, path: &str) -> String {
        format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: slow-clients-test\r\n\r\n",
            self.addr
        )
    }
}

/// What a connection did before `deadline`: the bytes the server sent, and whether it
/// closed the connection (end of stream or reset).
struct Outcome {
    received: String,
    closed: bool,
}

/// Reads until the server closes the connection, `deadline` passes, or `until` holds for
/// what was received.
fn read_until(s: &mut TcpStream, deadline: Instant, until: impl Fn(&str) -> bool) -> Outcome {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&received).into_owned();
        if until(&text) {
            return Outcome {
                received: text,
                closed: false,
            };
        }
        if Instant::now() >= deadline {
            return Outcome {
                received: text,
                closed: false,
            };
        }
        match s.read(&mut buf) {
            Ok(0) => {
                return Outcome {
                    received: text,
                    closed: true,
                };
            }
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => {
                return Outcome {
                    received: text,
                    closed: true,
                };
            }
        }
    }
}

fn wait_closed(s: &mut TcpStream, within: Duration) -> Outcome {
    read_until(s, Instant::now() + within, |_| false)
}

/// True once a whole answer (head and `Content-Length` body) is in `text`.
fn answered(text: &str) -> bool {
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    body.len() >= length
}

const LIMITS: &str = "header_read_timeout_secs = 1\nbody_read_timeout_secs = 1\nkeep_alive_idle_secs = 3\nmax_connections = 8";

/// A head that never ends, or that trickles in a line at a time, is cut off once
/// `header_read_timeout_secs` has passed since the connection opened: the deadline is
/// for the whole head, not between bytes.
#[test]
fn an_unfinished_request_head_is_cut_off() {
    let server = Server::start("head", LIMITS);
    let started = Instant::now();
    let mut silent = server.connect();
    silent
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n", server.addr).as_bytes())
        .unwrap();
    let mut trickle = server.connect();
    trickle.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
    // One header line every 100 ms for up to 6 s, far past the 1 s deadline.
    let mut trickle_closed = false;
    for i in 0..60 {
        if trickle
            .write_all(format!("X-Slow-{i}: x\r\n").as_bytes())
            .is_err()
            || read_until(
                &mut trickle,
                Instant::now() + Duration::from_millis(100),
                |_| false,
            )
            .closed
        {
            trickle_closed = true;
            break;
        }
    }
    let trickled_for = started.elapsed();
    assert!(trickle_closed, "a trickled head was still open after 6 s");
    assert!(
        trickled_for >= Duration::from_millis(900) && trickled_for < Duration::from_secs(5),
        "the trickled head was cut after {trickled_for:?}, not at the 1 s deadline"
    );
    let silent = wait_closed(&mut silent, Duration::from_secs(5));
    assert!(silent.closed, "an unfinished head was still open after 5 s");
    assert_eq!(silent.received, "", "no answer to a head that never ended");
}

/// `Content-Length: 60000` and one byte: after `body_read_timeout_secs` the answer is
/// 408 with the JSON error `RequestTimeout`, and the connection is closed.
#[test]
fn a_body_that_stops_coming_gets_408() {
    let server = Server::start("body", LIMITS);
    let mut s = server.connect();
    let started = Instant::now();
    s.write_all(
        format!(
            "POST /api/v1/call HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nX-Rewind-Request: 1\r\nContent-Length: 60000\r\n\r\n{{",
            server.addr
        )
        .as_bytes(),
    )
    .unwrap();
    let answer = read_until(&mut s, started + Duration::from_secs(5), answered);
    assert!(
        answer.received.starts_with("HTTP/1.1 408"),
        "after {:?}: {:?}",
        started.elapsed(),
        answer.received
    );
    assert!(started.elapsed() >= Duration::from_millis(900));
    let (_, body) = answer.received.split_once("\r\n\r\n").unwrap();
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["code"], "RequestTimeout", "{v}");
    let after = wait_closed(&mut s, Duration::from_secs(5));
    assert!(after.closed, "still open 5 s after the 408");
}

/// An answered keep-alive connection may stay idle longer than the head deadline, serves
/// the next request, and is closed once idle for `keep_alive_idle_secs`.
#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let server = Server::start("idle", LIMITS);
    let mut s = server.connect();
    s.write_all(server.get("/healthz").as_bytes()).unwrap();
    let first = read_until(&mut s, Instant::now() + Duration::from_secs(5), answered);
    assert!(
        first.received.starts_with("HTTP/1.1 200"),
        "{:?}",
        first.received
    );
    // Idle for 2 s: past the 1 s head deadline, inside the 3 s idle one.
    let idle = wait_closed(&mut s, Duration::from_secs(2));
    assert!(
        !idle.closed,
        "closed while idle for less than keep_alive_idle_secs"
    );
    s.write_all(server.get("/healthz").as_bytes()).unwrap();
    let second = read_until(&mut s, Instant::now() + Duration::from_secs(5), answered);
    assert!(
        second.received.starts_with("HTTP/1.1 200"),
        "{:?}",
        second.received
    );
    let answered_at = Instant::now();
    let after = wait_closed(&mut s, Duration::from_secs(8));
    assert!(after.closed, "an idle connection was still open after 8 s");
    let idle_for = answered_at.elapsed();
    // Measured from when the answer reached the test, so a little under 3 s; well past
    // the 1 s head deadline either way.
    assert!(
        idle_for >= Duration::from_secs(2),
        "closed after {idle_for:?} idle"
    );
}

/// More unfinished heads than `max_connections`, with deadlines far away: `/healthz` on
/// a new connection is still answered at once, because a full server closes the
/// connection that has waited longest for a request; and no more than `max_connections`
/// stay open.
#[test]
fn healthz_answers_while_slow_heads_fill_the_server() {
    let server = Server::start(
        "cap",
        "header_read_timeout_secs = 60\nkeep_alive_idle_secs = 60\nmax_connections = 8",
    );
    let mut slow: Vec<TcpStream> = (0..24)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
            s
        })
        .collect();
    let started = Instant::now();
    let mut s = server.connect();
    s.write_all(server.get("/healthz").as_bytes()).unwrap();
    let health = read_until(&mut s, started + Duration::from_secs(5), answered);
    assert!(
        health.received.starts_with("HTTP/1.1 200"),
        "/healthz after {:?}: {:?}",
        started.elapsed(),
        health.received
    );
    // 25 connections, at most 8 open: at least 17 of the slow ones were closed, the
    // oldest first.
    let closed: Vec<bool> = slow
        .iter_mut()
        .map(|s| wait_closed(s, Duration::from_millis(200)).closed)
        .collect();
    let count = closed.iter().filter(|c| **c).count();
    assert!(
        count >= 17,
        "only {count} of 24 slow connections closed: {closed:?}"
    );
    assert!(
        closed[0],
        "the oldest slow connection is still open: {closed:?}"
    );
    assert!(
        !closed[23],
        "the newest slow connection was closed: {closed:?}"
    );
}

/// Slow bodies fill the server: no connection is waiting for a request, so none is
/// closed early. `/healthz` waits for a slot, and is answered once the bodies' deadline
/// (2 s) has answered them 408 and freed one.
#[test]
fn healthz_answers_once_slow_bodies_time_out() {
    let server = Server::start(
        "bodies",
        "header_read_timeout_secs = 60\nbody_read_timeout_secs = 2\nkeep_alive_idle_secs = 60\nmax_connections = 4",
    );
    let started = Instant::now();
    let mut slow: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(
                format!(
                    "POST /api/v1/call HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nX-Rewind-Request: 1\r\nContent-Length: 60000\r\n\r\n{{",
                    server.addr
                )
                .as_bytes(),
            )
            .unwrap();
            s
        })
        .collect();
    server.wait_handled("/api/v1/call", 4, Duration::from_secs(5));
    let mut s = server.connect();
    s.write_all(server.get("/healthz").as_bytes()).unwrap();
    let health = read_until(&mut s, started + Duration::from_secs(10), answered);
    assert!(
        health.received.starts_with("HTTP/1.1 200"),
        "/healthz after {:?}: {:?}",
        started.elapsed(),
        health.received
    );
    let mut timed_out = 0;
    for s in &mut slow {
        let answer = read_until(s, Instant::now() + Duration::from_millis(200), answered);
        if answer.received.starts_with("HTTP/1.1 408") {
            timed_out += 1;
        }
    }
    assert!(
        timed_out >= 1,
        "/healthz was answered before any slot was freed"
    );
}
