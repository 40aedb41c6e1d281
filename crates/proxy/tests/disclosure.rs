//! What the server tells about itself and its callers (security review, finding 6):
//! a user name from a reverse proxy's header is logged quoted, so it cannot forge a log
//! field, and a profile's endpoint override shows the name requests are signed for,
//! never the address the server connects to.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use rewind_proxy::{AppConfig, app, config};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// Header auth from 127.0.0.1; one Lighthouse profile whose override connects to a
/// closed port and signs for another name.
fn config() -> AppConfig {
    let text = r#"
        listen = "127.0.0.1:8080"
        [auth]
        mode = "header"
        [auth.header]
        user = "X-Forwarded-User"
        trusted_sources = ["127.0.0.1"]

        [[profiles]]
        name = "lh"
        provider = "tencent"
        regions = ["ap-guangzhou"]
        credentials = { id_env = "ID", secret_env = "SECRET" }
        endpoint = { url = "http://127.0.0.1:9", host = "lighthouse.internal.test" }

        [[policy]]
        users = ["*"]
        profiles = ["*"]
        actions = ["read"]
    "#;
    let env = |k: &str| match k {
        "ID" => Some("AKIDFAKEFAKEFAKE".to_string()),
        "SECRET" => Some("fake-secret-never-shown".to_string()),
        _ => None,
    };
    AppConfig::from_serve(config::parse(text, None, &env).unwrap(), None)
}

fn from_proxy(mut r: Request<Body>) -> Request<Body> {
    let peer: std::net::SocketAddr = "127.0.0.1:40000".parse().unwrap();
    r.extensions_mut().insert(axum::extract::ConnectInfo(peer));
    r
}

/// A `MakeWriter` that keeps everything written.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_user_name_from_a_header_cannot_forge_a_log_field() {
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let req = Request::post("/api/v1/call")
        .header("content-type", "application/json")
        .header("x-rewind-request", "1")
        .header("x-forwarded-user", "mallory user=alice")
        .body(Body::from(
            json!({"profile": "lh", "region": "ap-guangzhou", "action": "DescribeInstances", "params": {}})
                .to_string(),
        ))
        .unwrap();
    let res = app(config()).oneshot(from_proxy(req)).await.unwrap();
    // The override's port is closed: not sent, but the call was logged.
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains(" call") && l.contains("action="))
        .unwrap_or_else(|| panic!("no call line in:\n{text}"));
    // Unquoted, this read `user=mallory user=alice`: two fields, the second forged.
    assert!(line.contains(r#" user="mallory user=alice" "#), "{line}");
}

#[tokio::test]
async fn profiles_show_the_signed_for_name_not_the_connect_address() {
    let req = Request::get("/api/v1/session")
        .header("x-forwarded-user", "carol")
        .body(Body::empty())
        .unwrap();
    let res = app(config()).oneshot(from_proxy(req)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        v["profiles"][0]["endpoint"], "http://lighthouse.internal.test",
        "{v}"
    );
    assert!(!v.to_string().contains("127.0.0.1:9"), "{v}");
}
