//! Relay parity (security review, finding 1): a relayed request is forwarded only when
//! the parameters the cloud will read are the ones Rewind checked. For every action of
//! every provider, the legitimate form reaches the upstream; the same request with a
//! duplicated parameter, parameters split between query and body, a content type the
//! provider would not read, or conflicting action sources is refused before anything is
//! recorded or sent. A recording upstream is the witness.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{relay_body, send};
use rewind_cloud::action::Action;
use rewind_cloud::build::{self, Target, Variant};
use rewind_cloud::sign::{self, Credentials, SigningParams};
use rewind_cloud::{HttpRequest, Provider, examples};
use rewind_proxy::{AppConfig, Mode, app, demo};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// An upstream that counts what reaches it and answers like a cloud (or, when told,
/// with an HTML page).
struct Recorder {
    addr: std::net::SocketAddr,
    hits: Arc<AtomicUsize>,
    html: Arc<AtomicBool>,
}

async fn recorder() -> Recorder {
    let hits = Arc::new(AtomicUsize::new(0));
    let html = Arc::new(AtomicBool::new(false));
    let (h, x) = (hits.clone(), html.clone());
    let router = axum::Router::new().fallback(move || {
        let (h, x) = (h.clone(), x.clone());
        async move {
            h.fetch_add(1, Ordering::SeqCst);
            if x.load(Ordering::SeqCst) {
                (
                    [("content-type", "text/html")],
                    "<script>alert(document.domain)</script>".to_string(),
                )
            } else {
                (
                    [("content-type", "application/json")],
                    r#"{"Response":{"RequestId":"rec-1"},"RequestId":"rec-1","request_id":"rec-1"}"#
                        .to_string(),
                )
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Recorder { addr, hits, html }
}

fn config(upstream: std::net::SocketAddr) -> AppConfig {
    let mut c = demo::app_config(upstream, None).unwrap();
    c.mode = Mode::Relay;
    c.relay.enabled = true;
    c
}

/// What the console sends: built by the cloud crate for the upstream's address, signed.
fn signed(action: Action, variant: Variant, host: &str) -> HttpRequest {
    let target = Target {
        region: match action.provider() {
            Provider::Tencent => "ap-guangzhou".into(),
            Provider::Alibaba => "cn-hangzhou".into(),
            Provider::Huawei => "cn-north-4".into(),
        },
        endpoint: Some(host.into()),
        scheme: Some("http".into()),
        project_id: Some("0a1b2c3d4e5f60718293a4b5c6d7e8f9".into()),
    };
    let mut req = build::build_with(action, &examples::params(action), &target, variant).unwrap();
    let creds = Credentials::new("AKIDEXAMPLEFAKE", "fake-secret");
    sign::sign(
        variant.algorithm(action),
        &mut req,
        &SigningParams::new(&creds, 1_767_225_600).with_nonce("5f0c1d2e"),
    )
    .unwrap();
    req
}

async fn post(
    router: &axum::Router,
    body: &Value,
    key: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::post("/relay")
        .header("content-type", "application/json")
        .header("x-rewind-request", "1");
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let (status, headers, bytes) =
        send(router, req.body(Body::from(body.to_string())).unwrap()).await;
    (status, headers, bytes.to_vec())
}

fn variants(p: Provider) -> &'static [Variant] {
    match p {
        Provider::Alibaba => &[Variant::Default, Variant::AlibabaV1],
        _ => &[Variant::Default],
    }
}

/// The four ways to make the cloud read something else than what was checked.
fn tampered(action: Action, r: &HttpRequest) -> Vec<(&'static str, HttpRequest)> {
    let mut out = Vec::new();
    let other = Action::of(action.provider())
        .find(|a| *a != action)
        .unwrap()
        .name();
    match action.provider() {
        Provider::Tencent => {
            let text = String::from_utf8(r.body.clone()).unwrap();
            let (first_key, first_value) = {
                let v: serde_json::Map<String, Value> = serde_json::from_slice(&r.body).unwrap();
                let (k, v) = v.into_iter().next().unwrap_or(("Limit".into(), json!(1)));
                (k, v)
            };
            let mut dup = r.clone();
            dup.body = format!(
                "{}, \"{first_key}\": {first_value}}}",
                &text[..text.len() - 1]
            )
            .into_bytes();
            out.push(("duplicated", dup));
            let mut split = r.clone();
            split
                .query
                .push((first_key.clone(), first_value.to_string()));
            out.push(("split", split));
            let mut form = r.clone();
            form.set_header("Content-Type", "application/x-www-form-urlencoded");
            out.push(("content type", form));
            let mut conflict = r.clone();
            conflict.headers.push(("x-tc-action".into(), other.into()));
            out.push(("conflicting action", conflict));
        }
        Provider::Alibaba => {
            let (k, _) = r
                .query
                .iter()
                .find(|(k, _)| !["Action", "Format", "Version"].contains(&k.as_str()))
                .cloned()
                .unwrap();
            let mut dup = r.clone();
            dup.query.push((k.clone(), "d-bp1other0000xxxx".into()));
            out.push(("duplicated", dup));
            let mut split = r.clone();
            split.body = format!("{{\"{k}\": \"d-test00000001\"}}").into_bytes();
            split.set_header("Content-Type", "application/json");
            out.push(("split", split));
            let mut form = r.clone();
            form.set_header("Content-Type", "application/x-www-form-urlencoded");
            out.push(("content type", form));
            let mut conflict = r.clone();
            conflict.set_header("x-acs-action", other);
            conflict.query.retain(|(k, _)| k != "Action");
            conflict.query.push(("Action".into(), action.name().into()));
            out.push(("conflicting action", conflict));
        }
        Provider::Huawei => {
            let mut dup = r.clone();
            if r.method == "POST" {
                let text = String::from_utf8(r.body.clone()).unwrap();
                dup.body =
                    format!("{}, \"snapshot_ids\": []}}", &text[..text.len() - 1]).into_bytes();
            } else {
                dup.query.push(("limit".into(), "1".into()));
                dup.query.push(("limit".into(), "2".into()));
            }
            out.push(("duplicated", dup));
            let mut split = r.clone();
            if r.method == "POST" {
                split.query.push(("snapshot_ids".into(), "x".into()));
            } else {
                split.body = b"{\"limit\": 1}".to_vec();
            }
            out.push(("split", split));
            let mut form = r.clone();
            form.set_header("Content-Type", "text/plain");
            if r.method == "GET" {
                form.body = b"limit=1".to_vec();
            }
            out.push(("content type", form));
            let mut conflict = r.clone();
            conflict.headers.push(("X-Action".into(), other.into()));
            out.push(("conflicting action", conflict));
        }
    }
    out
}

#[tokio::test]
async fn every_action_passes_in_its_own_form_and_no_tampered_form_reaches_the_cloud() {
    let up = recorder().await;
    let cfg = config(up.addr);
    let audit = cfg.audit.clone().unwrap();
    let router = app(cfg);
    let host = up.addr.to_string();
    let mut checked = 0;
    for &action in Action::ALL {
        for &variant in variants(action.provider()) {
            let r = signed(action, variant, &host);
            for (how, bad) in tampered(action, &r) {
                let before = up.hits.load(Ordering::SeqCst);
                let rows = audit.query(&Default::default(), None).unwrap().len();
                let (status, headers, body) =
                    post(&router, &relay_body(action.provider(), &bad), None).await;
                let text = String::from_utf8_lossy(&body);
                assert!(
                    status.is_client_error(),
                    "{action} {variant:?} {how}: {status} {text}"
                );
                assert!(!headers.contains_key("x-rewind-relay"), "{action} {how}");
                assert_eq!(
                    up.hits.load(Ordering::SeqCst),
                    before,
                    "{action} {variant:?} {how} reached the upstream"
                );
                assert_eq!(
                    audit.query(&Default::default(), None).unwrap().len(),
                    rows,
                    "{action} {how} was recorded"
                );
                checked += 1;
            }
            let before = up.hits.load(Ordering::SeqCst);
            let (status, headers, body) =
                post(&router, &relay_body(action.provider(), &r), None).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{action} {variant:?}: {}",
                String::from_utf8_lossy(&body)
            );
            assert_eq!(headers["x-rewind-relay"], "upstream");
            assert_eq!(
                up.hits.load(Ordering::SeqCst),
                before + 1,
                "{action} {variant:?}"
            );
        }
    }
    assert_eq!(checked, 4 * (Action::ALL.len() + 7));
}

/// The review's reproduction: ResetDisk allowed only on d-test*/s-test*, real IDs in the
/// query, decoy IDs in a JSON body.
#[tokio::test]
async fn a_decoy_body_does_not_pass_the_resource_policy() {
    let up = recorder().await;
    let mut cfg = config(up.addr);
    cfg.policy = vec![rewind_proxy::policy::Rule {
        users: vec!["*".into()],
        groups: vec![],
        profiles: vec!["relay:alibaba".into()],
        actions: vec![rewind_proxy::policy::ActionPattern::parse("ResetDisk")],
        resources: vec!["d-test*".into(), "s-test*".into()],
    }];
    let audit = cfg.audit.clone().unwrap();
    let router = app(cfg);
    let mut r = signed(Action::EcsResetDisk, Variant::Default, &up.addr.to_string());
    r.body = br#"{"DiskId":"d-test00000001","SnapshotId":"s-test00000001"}"#.to_vec();
    r.set_header("Content-Type", "application/json");
    let (status, _, body) = post(&router, &relay_body(Provider::Alibaba, &r), None).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&body)
    );
    // Without the decoy, the real disk is refused by the policy.
    r.body.clear();
    r.headers.retain(|(k, _)| k != "Content-Type");
    let (status, _, body) = post(&router, &relay_body(Provider::Alibaba, &r), None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "{}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(up.hits.load(Ordering::SeqCst), 0);
    assert!(audit.query(&Default::default(), None).unwrap().is_empty());
}

/// Finding 6: an upstream HTML page never comes back as HTML from Rewind's origin.
#[tokio::test]
async fn relayed_answers_are_json_or_a_download() {
    let up = recorder().await;
    let router = app(config(up.addr));
    let r = signed(
        Action::LhDescribeInstances,
        Variant::Default,
        &up.addr.to_string(),
    );
    let (status, headers, _) = post(&router, &relay_body(Provider::Tencent, &r), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    up.html.store(true, Ordering::SeqCst);
    let (_, headers, body) = post(&router, &relay_body(Provider::Tencent, &r), None).await;
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(headers["content-disposition"], "attachment");
    assert!(String::from_utf8_lossy(&body).contains("<script>"));
}

/// Finding 4: the audit keeps validated parameters and a checked region; a relayed call
/// that could not be sent reads `not_sent`.
#[tokio::test]
async fn audit_rows_hold_what_the_cloud_reads_and_unsent_calls_read_not_sent() {
    let up = recorder().await;
    let cfg = config(up.addr);
    let audit = cfg.audit.clone().unwrap();
    let router = app(cfg);
    let r = signed(
        Action::LhApplyInstanceSnapshot,
        Variant::Default,
        &up.addr.to_string(),
    );
    let mut forged = r.clone();
    forged.set_header("X-TC-Region", "ap-guangzhou\r\napproved-by: alice");
    let (status, _, _) = post(&router, &relay_body(Provider::Tencent, &forged), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(audit.query(&Default::default(), None).unwrap().is_empty());

    let (status, _, _) = post(&router, &relay_body(Provider::Tencent, &r), None).await;
    assert_eq!(status, StatusCode::OK);
    let rows = audit.query(&Default::default(), None).unwrap();
    assert_eq!(rows[0].region, "ap-guangzhou");
    assert_eq!(
        rows[0].params,
        examples::params(Action::LhApplyInstanceSnapshot)
    );

    // A header value the HTTP client cannot send: refused at sending, nothing left.
    let mut unsendable = r.clone();
    unsendable.set_header("Authorization", "TC3-HMAC-SHA256 Credential=x\n");
    let (status, _, body) = post(&router, &relay_body(Provider::Tencent, &unsendable), None).await;
    assert!(
        status.is_client_error() || status.is_server_error(),
        "{}",
        String::from_utf8_lossy(&body)
    );
    let rows = audit.query(&Default::default(), None).unwrap();
    assert_eq!(rows[0].outcome, "not_sent", "{:?}", rows[0]);
    assert_eq!(up.hits.load(Ordering::SeqCst), 1);
}

/// Finding 6: replaying a rollback with its Idempotency-Key sends nothing and returns
/// the first answer.
#[tokio::test]
async fn a_replayed_rollback_with_its_key_is_answered_from_the_first() {
    let up = recorder().await;
    let cfg = config(up.addr);
    let audit = cfg.audit.clone().unwrap();
    let router = app(cfg);
    let r = signed(
        Action::LhApplyInstanceSnapshot,
        Variant::Default,
        &up.addr.to_string(),
    );
    let body = relay_body(Provider::Tencent, &r);
    let (s1, h1, b1) = post(&router, &body, Some("key-1")).await;
    let (s2, h2, b2) = post(&router, &body, Some("key-1")).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(b1, b2);
    assert!(!h1.contains_key("idempotent-replayed"));
    assert_eq!(h2["idempotent-replayed"], "true");
    assert_eq!(up.hits.load(Ordering::SeqCst), 1);
    assert_eq!(audit.query(&Default::default(), None).unwrap().len(), 1);
    // The same key on another request is refused; a new key runs.
    let other = signed(
        Action::LhStartInstances,
        Variant::Default,
        &up.addr.to_string(),
    );
    let (s3, _, _) = post(
        &router,
        &relay_body(Provider::Tencent, &other),
        Some("key-1"),
    )
    .await;
    assert_eq!(s3, StatusCode::BAD_REQUEST);
    let (s4, _, _) = post(&router, &body, Some("key-2")).await;
    assert_eq!(s4, StatusCode::OK);
    assert_eq!(up.hits.load(Ordering::SeqCst), 2);
}
