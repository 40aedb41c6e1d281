//! The emulator on a real listener (127.0.0.1, port 0): signed requests over TCP, the
//! loopback-only fault endpoint, dropped connections, and a clean shutdown.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use common::{Env, Signer, env_with};
use rewind_cloud::encoding::{encode_path, rfc3986_query};
use rewind_cloud::http::HttpRequest;
use rewind_emulator::World;
use rewind_emulator::seed::names;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends one HTTP/1.1 request and reads until the server closes. `None` when the
/// connection was closed without any answer.
async fn raw(addr: SocketAddr, req: &HttpRequest) -> Option<(u16, Value)> {
    let mut target = encode_path(&req.path);
    if !req.query.is_empty() {
        target.push('?');
        target.push_str(&rfc3986_query(&req.query));
    }
    let mut text = format!(
        "{} {target} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\ncontent-length: {}\r\n",
        req.method,
        req.host,
        req.body.len()
    );
    for (k, v) in &req.headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(text.as_bytes()).await.unwrap();
    stream.write_all(&req.body).await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buf))
        .await
        .expect("server answers or closes");
    if read.is_err() || buf.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&buf).to_string();
    let status: u16 = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    // The emulator answers with a content-length, so the body is plain JSON.
    Some((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

fn plain(method: &str, path: &str, body: &[u8], addr: SocketAddr) -> HttpRequest {
    HttpRequest {
        method: method.into(),
        scheme: "http".into(),
        host: addr.to_string(),
        path: path.into(),
        query: Vec::new(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_vec(),
    }
}

#[tokio::test]
async fn serves_signed_requests_faults_and_drops_on_a_real_socket() {
    let e = env_with(World::Demo, |cfg| cfg.faults_enabled = true);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(rewind_emulator::serve_with_shutdown(
        listener,
        e.emu.clone(),
        async {
            let _ = stopped.await;
        },
    ));

    let (st, body) = raw(addr, &plain("GET", "/__emulator/health", b"", addr))
        .await
        .unwrap();
    assert_eq!((st, body["status"].as_str()), (200, Some("ok")));

    // A signed ECS call, with the Host the client really sends (127.0.0.1:PORT).
    let mut req = Env::ecs_request("DescribeInstances", &[("RegionId", names::ECS_REGION)]);
    req.host = addr.to_string();
    e.sign(&mut req, &Signer::alibaba());
    let (st, body) = raw(addr, &req).await.unwrap();
    assert_eq!(st, 200, "{body}");
    assert!(body["TotalCount"].as_u64().unwrap() > 0);

    // Loopback callers may add faults; the next ECS call's connection is dropped.
    let fault = json!({"provider": "alibaba", "count": 1, "kind": "drop"}).to_string();
    let (st, body) = raw(
        addr,
        &plain("POST", "/__emulator/faults", fault.as_bytes(), addr),
    )
    .await
    .unwrap();
    assert_eq!(st, 201, "{body}");
    let (st, body) = raw(addr, &plain("GET", "/__emulator/faults", b"", addr))
        .await
        .unwrap();
    assert_eq!(
        (st, body["faults"].as_array().map(Vec::len)),
        (200, Some(1))
    );
    let mut req = Env::ecs_request("DescribeInstances", &[("RegionId", names::ECS_REGION)]);
    req.host = addr.to_string();
    e.sign(&mut req, &Signer::alibaba());
    assert_eq!(raw(addr, &req).await, None, "dropped without an answer");
    // The fault is used up: the next call is answered.
    let mut req = Env::ecs_request("DescribeInstances", &[("RegionId", names::ECS_REGION)]);
    req.host = addr.to_string();
    e.sign(&mut req, &Signer::alibaba());
    assert_eq!(raw(addr, &req).await.map(|r| r.0), Some(200));
    let (st, _) = raw(addr, &plain("DELETE", "/__emulator/faults", b"", addr))
        .await
        .unwrap();
    assert_eq!(st, 200);

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

fn admin_request(peer: Option<&str>, body: &str) -> Request<Body> {
    let mut req = Request::builder()
        .method("POST")
        .uri("/__emulator/faults")
        .header("host", "127.0.0.1:1")
        .body(Body::from(body.to_string()))
        .unwrap();
    if let Some(p) = peer {
        req.extensions_mut()
            .insert(ConnectInfo(p.parse::<SocketAddr>().unwrap()));
    }
    req
}

#[tokio::test]
async fn fault_admin_is_off_by_default_and_loopback_only() {
    let rule = r#"{"kind":"latency","ms":1}"#;
    let off = common::env();
    assert_eq!(
        off.send_http(admin_request(Some("127.0.0.1:5000"), rule))
            .await
            .status,
        404
    );
    let on = env_with(World::Demo, |cfg| cfg.faults_enabled = true);
    assert_eq!(
        on.send_http(admin_request(Some("192.0.2.7:5000"), rule))
            .await
            .status,
        403
    );
    assert_eq!(on.send_http(admin_request(None, rule)).await.status, 403);
    assert_eq!(
        on.send_http(admin_request(Some("[::1]:5000"), rule))
            .await
            .status,
        201
    );
    let bad = on
        .send_http(admin_request(
            Some("127.0.0.1:5000"),
            r#"{"kind":"explode"}"#,
        ))
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body["error"].as_str().unwrap().contains("not a fault"));
}

#[tokio::test]
async fn requests_for_no_surface_get_a_plain_404() {
    let e = common::env();
    let r = e
        .send_http(
            Request::builder()
                .uri("/")
                .header("host", "x")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 404);
    assert!(r.body["error"].as_str().unwrap().contains("X-TC-Action"));
}

#[tokio::test]
async fn injected_latency_delays_the_answer() {
    let e = env_with(World::Demo, |cfg| cfg.faults_enabled = true);
    e.emu
        .add_fault(
            serde_json::from_value(
                json!({"provider": "tencent", "count": 1, "kind": "latency", "ms": 60}),
            )
            .unwrap(),
        )
        .unwrap();
    let started = std::time::Instant::now();
    let r = e
        .tc("DescribeInstances", Some(names::LH_REGION), json!({}))
        .await;
    assert_eq!(r.code(), None);
    assert!(started.elapsed() >= Duration::from_millis(60));
}
