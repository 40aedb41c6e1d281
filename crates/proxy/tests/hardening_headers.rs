//! The review's DNS-rebinding, clickjacking and header findings (issue #11): security
//! headers on every answer, `no-store` on account data, 421 for any name the server does
//! not answer for (static files included), and an `Origin` that merely matches the
//! request's `Host` is not the server's own. The last test reproduces the rebinding
//! attack against the real binary.

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use common::send;
use rewind_proxy::demo::{self, EmbeddedEmulator, TENCENT_PROFILE};
use rewind_proxy::{AppConfig, app};
use serde_json::{Value, json};
use std::path::PathBuf;

const LISTEN: &str = "127.0.0.1:8080";
const REBOUND: &str = "rebind.attacker.test:8080";
const HASHED_JS: &str = "rewind-console-0123456789abcdef.js";

/// What Trunk 0.21 writes: a module preload and an inline module script that starts the
/// app. The policy must allow exactly this script by hash.
const INDEX: &str = "<!DOCTYPE html><html><head><title>Rewind</title>\
<link rel=\"modulepreload\" href=\"/rewind-console-0123456789abcdef.js\" crossorigin=\"anonymous\" integrity=\"sha384-AAAA\">\
</head><body><script type=\"module\">
import init from '/rewind-console-0123456789abcdef.js';
const wasm = await init({ module_or_path: '/rewind-console-0123456789abcdef_bg.wasm' });
</script></body></html>";

/// `python3 -c "import hashlib,base64; print(base64.b64encode(hashlib.sha256(<the
/// script's text>).digest()))"`, worked out independently of the server's code.
const INDEX_SCRIPT_HASH: &str = "xCshSfXKZnrTXhi+YN5dUP/rk5mbjxNp4cSCULOa3A4=";

/// A built console in a scratch folder, removed when the test ends.
struct Dist(PathBuf);

impl Drop for Dist {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn dist(name: &str) -> Dist {
    let dir = std::env::temp_dir().join(format!("rewind-hardening-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), INDEX).unwrap();
    std::fs::write(
        dir.join(HASHED_JS),
        "export default async function init() {}",
    )
    .unwrap();
    Dist(dir)
}

/// The demo's settings on `127.0.0.1:8080`, profiles pointing at `upstream`, audit in memory.
fn config(upstream: std::net::SocketAddr, dist: Option<PathBuf>) -> AppConfig {
    let mut c = demo::app_config(upstream, dist).unwrap();
    c.listen = Some(LISTEN.parse().unwrap());
    c
}

/// Profiles pointing at a port nothing listens on: a request that got through would fail
/// loudly (502) instead of passing.
fn nowhere() -> std::net::SocketAddr {
    "127.0.0.1:9".parse().unwrap()
}

fn get(uri: &str, host: &str) -> Request<Body> {
    Request::get(uri)
        .header("host", host)
        .body(Body::empty())
        .unwrap()
}

/// A state-changing call as the console sends it, from a page at `origin`.
fn post(uri: &str, host: &str, origin: &str, body: Value) -> Request<Body> {
    Request::post(uri)
        .header("host", host)
        .header("origin", origin)
        .header("content-type", "application/json")
        .header("x-rewind-request", "1")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn apply_snapshot() -> Value {
    json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou", "action": "ApplyInstanceSnapshot",
           "params": {"InstanceId": "lhins-web00001", "SnapshotId": "lhsnap-00000001"}})
}

/// The policy of the data answers (`/api/*`, `/relay`, `/config.json`): never a page.
const DATA_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

/// The headers every answer carries; `path` says which policy: the data answers' or the
/// console's.
fn assert_security_headers(what: &str, path: &str, h: &HeaderMap) {
    let csp = h
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy in {h:?}"))
        .to_str()
        .unwrap();
    let data = path.starts_with("/api/") || path == "/relay" || path == "/config.json";
    if data {
        assert_eq!(csp, DATA_POLICY, "{what}");
    } else {
        for directive in [
            "default-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "object-src 'none'",
        ] {
            assert!(
                csp.split(';').any(|d| d.trim() == directive),
                "{what}: {directive:?} missing from {csp}"
            );
        }
        for token in ["'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:"] {
            assert!(
                !csp.split([' ', ';']).any(|t| t == token),
                "{what}: {token} in {csp}"
            );
        }
    }
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
    assert_eq!(h["cross-origin-opener-policy"], "same-origin", "{what}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let console = dist("headers");
    let with_console = app(config(nowhere(), Some(console.0.clone())));
    let api_only = app(config(nowhere(), None));
    let cases: Vec<(&str, &axum::Router, Request<Body>, StatusCode)> = vec![
        ("index", &with_console, get("/", LISTEN), StatusCode::OK),
        (
            "static file",
            &with_console,
            get(&format!("/{HASHED_JS}"), LISTEN),
            StatusCode::OK,
        ),
        (
            "deep link",
            &with_console,
            get("/tencent/snapshots", LISTEN),
            StatusCode::OK,
        ),
        (
            "config",
            &with_console,
            get("/config.json", LISTEN),
            StatusCode::OK,
        ),
        (
            "session",
            &with_console,
            get("/api/v1/session", LISTEN),
            StatusCode::OK,
        ),
        (
            "unknown API path",
            &with_console,
            get("/api/v1/nope", LISTEN),
            StatusCode::NOT_FOUND,
        ),
        (
            "health",
            &with_console,
            get("/healthz", LISTEN),
            StatusCode::OK,
        ),
        (
            "error",
            &with_console,
            Request::post("/api/v1/call")
                .header("host", LISTEN)
                .header("content-type", "application/json")
                .body(Body::from(apply_snapshot().to_string()))
                .unwrap(),
            StatusCode::FORBIDDEN,
        ),
        (
            "relay (off)",
            &with_console,
            post("/relay", LISTEN, "http://127.0.0.1:8080", json!({})),
            StatusCode::NOT_FOUND,
        ),
        (
            "404 without a console",
            &api_only,
            get("/nope", LISTEN),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (what, router, req, status) in cases {
        let path = req.uri().path().to_string();
        let (s, h, body) = send(router, req).await;
        assert_eq!(s, status, "{what}: {}", String::from_utf8_lossy(&body));
        assert_security_headers(what, &path, &h);
    }
    // The console's inline loader is allowed by its hash, and nothing else inline is.
    let (_, h, _) = send(&with_console, get("/", LISTEN)).await;
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{INDEX_SCRIPT_HASH}';"
        )),
        "{csp}"
    );
    assert_eq!(csp.matches("'sha256-").count(), 1, "{csp}");
    let (_, h, _) = send(&api_only, get("/nope", LISTEN)).await;
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "{csp}"
    );
}

#[tokio::test]
async fn account_data_and_settings_are_never_stored() {
    let console = dist("no-store");
    let router = app(config(nowhere(), Some(console.0.clone())));
    for req in [
        get("/api/v1/session", LISTEN),
        get("/api/v1/profiles", LISTEN),
        get("/api/v1/audit", LISTEN),
        get("/api/v1/nope", LISTEN),
        get("/config.json", LISTEN),
        post("/relay", LISTEN, "http://127.0.0.1:8080", json!({})),
    ] {
        let path = req.uri().path().to_string();
        let (_, h, _) = send(&router, req).await;
        assert_eq!(h["cache-control"], "no-store", "{path}");
    }
    // The console's files keep their caching.
    let (_, h, _) = send(&router, get("/", LISTEN)).await;
    assert_eq!(h["cache-control"], "no-cache");
    let (_, h, _) = send(&router, get(&format!("/{HASHED_JS}"), LISTEN)).await;
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
}

/// The finding: a page at a name the attacker re-pointed at this server. Every route
/// answers 421 in JSON, static files included, and nothing reaches a handler.
#[tokio::test]
async fn a_rebound_name_gets_421_on_every_route() {
    let console = dist("rebind");
    let router = app(config(nowhere(), Some(console.0.clone())));
    let origin = format!("http://{REBOUND}");
    let requests = vec![
        get("/", REBOUND),
        get(&format!("/{HASHED_JS}"), REBOUND),
        get("/tencent/snapshots", REBOUND),
        get("/config.json", REBOUND),
        get("/api/v1/session", REBOUND),
        get("/api/v1/audit", REBOUND),
        get("/healthz", REBOUND),
        get("/metrics", REBOUND),
        post("/api/v1/call", REBOUND, &origin, apply_snapshot()),
        post("/relay", REBOUND, &origin, json!({})),
        Request::options("/api/v1/call")
            .header("host", REBOUND)
            .header("origin", &origin)
            .header("access-control-request-method", "POST")
            .body(Body::empty())
            .unwrap(),
        // The name in an absolute-form target counts as much as the Host header.
        Request::get(format!("http://{REBOUND}/api/v1/audit"))
            .header("host", LISTEN)
            .body(Body::empty())
            .unwrap(),
    ];
    for req in requests {
        let what = format!("{} {}", req.method(), req.uri());
        let path = req.uri().path().to_string();
        let (s, h, body) = send(&router, req).await;
        assert_eq!(s, StatusCode::MISDIRECTED_REQUEST, "{what}");
        assert_eq!(h["content-type"], "application/json", "{what}");
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["ok"], false, "{what}: {v}");
        assert_eq!(v["error"]["code"], "HostNotAllowed", "{what}: {v}");
        assert_security_headers(&what, &path, &h);
    }
    // Nothing was sent: the rollback left no audit row.
    let (s, _, body) = send(&router, get("/api/v1/audit", LISTEN)).await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["entries"], json!([]), "{v}");
    // A look-alike of the server's own name, and the right name on another port, too.
    for host in [
        "127.0.0.1:8080.attacker.test",
        "127.0.0.1:8081",
        "localhost",
    ] {
        let (s, _, _) = send(&router, get("/api/v1/session", host)).await;
        assert_eq!(s, StatusCode::MISDIRECTED_REQUEST, "{host}");
    }
}

/// The CSRF check on its own (a router with no name of its own checks no `Host`): an
/// `Origin` equal to `http://{Host}` is not thereby the server's own.
#[tokio::test]
async fn an_origin_matching_a_foreign_host_is_refused() {
    let mut c = config(nowhere(), None);
    c.listen = None;
    let router = app(c);
    let origin = format!("http://{REBOUND}");
    let (s, _, body) = send(
        &router,
        post("/api/v1/call", REBOUND, &origin, apply_snapshot()),
    )
    .await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["code"], "OriginNotAllowed", "{v}");
    let (_, _, body) = send(&router, get("/api/v1/audit", REBOUND)).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["entries"], json!([]), "{v}");
}

/// The names the server does answer for: its loopback names, a configured public origin
/// (Host and Origin), and a configured CORS origin calling from elsewhere.
#[tokio::test]
async fn own_names_public_origins_and_cors_origins_are_accepted() {
    let emulator = EmbeddedEmulator::start(rewind_emulator::EmulatorConfig::new(
        rewind_emulator::World::Demo,
    ))
    .await
    .unwrap();
    let mut c = config(emulator.addr, None);
    c.public_origins = vec!["https://rewind.example.com".into()];
    c.cors_origins = vec!["https://console.example".into()];
    let router = app(c);
    let read = json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou",
                      "action": "DescribeInstances", "params": {}});
    for (host, origin) in [
        ("127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("localhost:8080", "http://localhost:8080"),
        ("[::1]:8080", "http://[::1]:8080"),
        ("rewind.example.com", "https://rewind.example.com"),
        ("rewind.example.com:443", "https://rewind.example.com"),
        ("127.0.0.1:8080", "https://console.example"),
    ] {
        let (s, h, body) = send(&router, post("/api/v1/call", host, origin, read.clone())).await;
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(s, StatusCode::OK, "{host} {origin}: {v}");
        assert_eq!(v["ok"], true, "{host} {origin}: {v}");
        assert_security_headers(host, "/api/v1/call", &h);
    }
    // A public origin's name does not make its other ports or schemes the server's own.
    let (s, _, body) = send(
        &router,
        post(
            "/api/v1/call",
            "rewind.example.com",
            "http://rewind.example.com",
            read.clone(),
        ),
    )
    .await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["code"], "OriginNotAllowed", "{v}");
    emulator.stop().await;
}

/// The review's reproduction on a real socket: the attacker's page, served from a name
/// resolved to 127.0.0.1, posts ApplyInstanceSnapshot with JSON, the custom header and
/// its own (matching) Origin, then reads the audit log. Both get 421 and nothing is
/// sent; the same request from the server's own origin is sent and audited.
#[tokio::test(flavor = "multi_thread")]
async fn the_real_server_refuses_a_rebound_name() {
    let server = common::Server::spawn(common::demo_command(&[]));
    let port = server.url.rsplit(':').next().unwrap().to_string();
    let rebound = format!("rebind.attacker.test:{port}");
    let client = reqwest::Client::new();
    let call = |host: String, origin: String| {
        client
            .post(format!("{}/api/v1/call", server.url))
            .header("host", host)
            .header("origin", origin)
            .header("content-type", "application/json")
            .header("x-rewind-request", "1")
            .body(apply_snapshot().to_string())
            .send()
    };
    async fn json(res: reqwest::Response) -> Value {
        serde_json::from_str(&res.text().await.unwrap()).unwrap()
    }
    let audit = |host: String| {
        client
            .get(format!("{}/api/v1/audit", server.url))
            .header("host", host)
            .send()
    };

    let res = call(rebound.clone(), format!("http://{rebound}"))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 421);
    let v = json(res).await;
    assert_eq!(v["error"]["code"], "HostNotAllowed", "{v}");
    let res = audit(rebound.clone()).await.unwrap();
    assert_eq!(res.status().as_u16(), 421);
    assert!(!res.text().await.unwrap().contains("entries"));

    let own = format!("127.0.0.1:{port}");
    let rows = |v: Value| v["entries"].as_array().cloned().unwrap_or_default();
    let v = json(audit(own.clone()).await.unwrap()).await;
    assert!(rows(v.clone()).is_empty(), "the call was sent: {v}");

    // The control: the same call from the console's own origin passes every check and
    // is audited before it is sent (whatever the emulator then says about these IDs).
    let res = call(own.clone(), format!("http://{own}")).await.unwrap();
    let status = res.status().as_u16();
    let v = json(res).await;
    assert_ne!(status, 421, "{v}");
    assert_ne!(v["error"]["code"], "OriginNotAllowed", "{v}");
    let v = json(audit(own).await.unwrap()).await;
    let rows = rows(v.clone());
    assert_eq!(rows.len(), 1, "{v}");
    assert_eq!(rows[0]["action"], "ApplyInstanceSnapshot", "{v}");
}
