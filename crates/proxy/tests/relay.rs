//! `POST /relay`: requests signed "in the browser" (here, by the test with the cloud
//! crate) forwarded to the embedded emulator, and every refusal of the host allowlist.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{demo_credentials, relay_body, send};
use http_body_util::BodyExt;
use rewind_cloud::action::Action;
use rewind_cloud::build::{self, Target};
use rewind_cloud::sign::{self, SigningParams};
use rewind_cloud::{HttpRequest, Provider};
use rewind_emulator::config::demo as keys;
use rewind_proxy::demo::{self, EmbeddedEmulator};
use rewind_proxy::{AppConfig, Mode, app};
use serde_json::{Value, json};
use tower::ServiceExt;

fn relay_config(emulator: std::net::SocketAddr) -> AppConfig {
    let mut c = demo::app_config(emulator, None).unwrap();
    c.mode = Mode::Relay;
    c.relay.enabled = true;
    c.relay.hosts.insert(
        Provider::Tencent,
        vec!["lighthouse.tencentcloudapi.com".into(), "localhost".into()],
    );
    c.relay.hosts.insert(
        Provider::Alibaba,
        vec!["ecs-cn-hangzhou.aliyuncs.com".into()],
    );
    c
}

/// What the console does: build and sign with the user's keys for `host`.
fn signed(action: Action, params: Value, region: &str, host: &str) -> HttpRequest {
    let target = Target {
        region: region.into(),
        endpoint: Some(host.into()),
        scheme: Some("http".into()),
        project_id: (action.provider() == Provider::Huawei)
            .then(|| keys::HUAWEI_PROJECTS[0].0.into()),
    };
    let mut req = build::build(action, &params, &target).unwrap();
    let creds = demo_credentials(action.provider());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let nonce = format!("test-nonce-{}", uuid_like());
    let alg = build::Variant::Default.algorithm(action);
    sign::sign(
        alg,
        &mut req,
        &SigningParams::new(&creds, now).with_nonce(&nonce),
    )
    .unwrap();
    req
}

fn uuid_like() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    t ^ u128::from(N.fetch_add(1, Ordering::Relaxed))
}

async fn post(
    router: &axum::Router,
    body: Value,
    csrf: bool,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut req = Request::post("/relay").header("content-type", "application/json");
    if csrf {
        req = req.header("x-rewind-request", "1");
    }
    let (status, headers, bytes) =
        send(router, req.body(Body::from(body.to_string())).unwrap()).await;
    let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, headers, v)
}

#[tokio::test]
async fn signed_requests_reach_the_emulator_unchanged() {
    let emu = EmbeddedEmulator::start(rewind_emulator::EmulatorConfig::new(
        rewind_emulator::World::Demo,
    ))
    .await
    .unwrap();
    let host = emu.addr.to_string();
    let router = app(relay_config(emu.addr));

    // A read on each provider.
    let r = signed(
        Action::LhDescribeInstances,
        json!({"Limit": 2}),
        "ap-guangzhou",
        &host,
    );
    let (status, headers, v) = post(&router, relay_body(Provider::Tencent, &r), true).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(headers["x-rewind-relay"], "upstream");
    assert!(v["Response"]["InstanceSet"].is_array(), "{v}");

    let r = signed(Action::EcsDescribeDisks, json!({}), "cn-hangzhou", &host);
    let (status, _, v) = post(&router, relay_body(Provider::Alibaba, &r), true).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let disk = v["Disks"]["Disk"][0]["DiskId"]
        .as_str()
        .unwrap()
        .to_string();

    let r = signed(
        Action::WsListDesktopSnapshot,
        json!({"limit": 5}),
        "cn-north-4",
        &host,
    );
    let (status, headers, v) = post(&router, relay_body(Provider::Huawei, &r), true).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(headers.contains_key("x-request-id"));

    // A mutating call passes the upstream status through and is audited as a relay.
    let r = signed(
        Action::EcsResetDisk,
        json!({"DiskId": disk, "SnapshotId": "s-bp1fakesnap0001", "DryRun": true}),
        "cn-hangzhou",
        &host,
    );
    let (status, _, v) = post(&router, relay_body(Provider::Alibaba, &r), true).await;
    assert!(status.is_client_error(), "{status} {v}");
    assert!(v["Code"].is_string(), "{v}");
    let res = router
        .clone()
        .oneshot(Request::get("/api/v1/audit").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let audit: Value = serde_json::from_slice(&bytes).unwrap();
    let row = &audit["entries"][0];
    assert_eq!(row["via"], "relay");
    assert_eq!(row["action"], "ResetDisk");
    assert_eq!(row["profile"], "relay:alibaba");
    assert_eq!(row["provider_code"], v["Code"]);
    // No signature or key material is recorded.
    let text = audit.to_string();
    assert!(
        !text.contains(keys::ALIBABA_ACCESS_KEY_ID) && !text.contains("Signature"),
        "{text}"
    );
    emu.stop().await;
}

/// The refusals need no emulator: nothing is sent.
fn refusing_router() -> axum::Router {
    app(relay_config("127.0.0.1:9".parse().unwrap()))
}

fn tencent_read(host: &str) -> Value {
    let r = signed(Action::LhDescribeInstances, json!({}), "ap-guangzhou", host);
    relay_body(Provider::Tencent, &r)
}

async fn refused(body: Value, code: &str) -> Value {
    let (status, headers, v) = post(&refusing_router(), body, true).await;
    assert!(!headers.contains_key("x-rewind-relay"));
    assert_eq!(v["error"]["code"], code, "{status} {v}");
    v
}

#[tokio::test]
async fn hosts_outside_the_allowlist_are_refused() {
    for host in [
        "lighthouse.tencentcloudapi.com.evil.test",
        "evil-lighthouse.tencentcloudapi.com",
        "lighthouse.tencentcloudapi.com.",
        "tencentcloudapi.com",
        "ecs-cn-hangzhou.aliyuncs.com", // allowed, but for Alibaba only
        "lighthouse.tencentcloudapi.com@evil.test",
        "lighthouse.tencentcloudapi.com/evil",
    ] {
        let v = refused(tencent_read(host), "RelayHostNotAllowed").await;
        assert_eq!(
            v["error"]["http_status"],
            Value::Null,
            "{host}: proxy refusals carry no upstream status"
        );
    }
}

#[tokio::test]
async fn ip_literals_are_refused_unless_they_are_a_configured_override() {
    for host in [
        "10.0.0.1",
        "127.0.0.1:8080",
        "[::1]:443",
        "169.254.169.254",
        "127.0.0.1:10",
    ] {
        let v = refused(tencent_read(host), "RelayHostNotAllowed").await;
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("IP address"),
            "{host}: {v}"
        );
    }
    // The demo profile's override (127.0.0.1:9) is explicit configuration: allowed
    // through the checks, then refused by the closed port.
    let (status, _, v) = post(&refusing_router(), tencent_read("127.0.0.1:9"), true).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{v}");
}

#[tokio::test]
async fn names_resolving_to_loopback_are_refused() {
    let v = refused(tencent_read("localhost"), "RelayHostNotAllowed").await;
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("private or loopback") || msg.contains("does not resolve"),
        "{v}"
    );
}

#[tokio::test]
async fn only_actions_the_cloud_crate_defines() {
    let mut body = tencent_read("lighthouse.tencentcloudapi.com");
    let headers = body["headers"].as_array_mut().unwrap();
    for h in headers.iter_mut() {
        if h[0].as_str().unwrap().eq_ignore_ascii_case("X-TC-Action") {
            h[1] = json!("TerminateInstances");
        }
    }
    refused(body, "UnknownAction").await;
    // Huawei: a path no action has.
    let mut body = tencent_read("lighthouse.tencentcloudapi.com");
    body["provider"] = json!("huawei");
    body["host"] = json!("127.0.0.1:9");
    body["path"] = json!("/v2/p/desktops/d-1/delete");
    refused(body, "UnknownAction").await;
}

#[tokio::test]
async fn relay_needs_the_csrf_header_and_is_off_unless_enabled() {
    let (status, _, v) = post(
        &refusing_router(),
        tencent_read("lighthouse.tencentcloudapi.com"),
        false,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(v["error"]["code"], "MissingCsrfHeader");
    let mut c = relay_config("127.0.0.1:9".parse().unwrap());
    c.relay.enabled = false;
    let (status, _, v) = post(
        &app(c),
        tencent_read("lighthouse.tencentcloudapi.com"),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["error"]["code"], "Disabled");
    let res = refusing_router()
        .oneshot(Request::get("/config.json").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let cfg: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(cfg["mode"], "relay");
    assert_eq!(cfg["relay"], true);
    assert_eq!(
        cfg["relay_hosts"]["tencent"],
        json!(["lighthouse.tencentcloudapi.com", "localhost", "127.0.0.1:9"])
    );
    let (status, _, v) = post(&refusing_router(), json!({"provider": "tencent"}), true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["code"], "BadJson");
}

#[tokio::test]
async fn relayed_lighthouse_rollbacks_are_queued_under_20_per_second() {
    let emu = EmbeddedEmulator::start(rewind_emulator::EmulatorConfig::new(
        rewind_emulator::World::Demo,
    ))
    .await
    .unwrap();
    let host = emu.addr.to_string();
    let router = app(relay_config(emu.addr));
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let r = signed(
            Action::LhApplyInstanceSnapshot,
            json!({"InstanceId": "lhins-zzzzzzzz", "SnapshotId": "lhsnap-zzzzzzzz"}),
            "ap-guangzhou",
            &host,
        );
        let router = router.clone();
        tasks.push(tokio::spawn(async move {
            post(&router, relay_body(Provider::Tencent, &r), true).await
        }));
    }
    for t in tasks {
        let (status, _, v) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{v}");
        let code = v["Response"]["Error"]["Code"].as_str().unwrap_or("");
        assert!(!code.starts_with("RequestLimitExceeded"), "{v}");
        assert!(code.starts_with("ResourceNotFound"), "{v}");
    }
    emu.stop().await;
}

#[tokio::test]
async fn each_providers_rollback_through_the_relay() {
    let emu = EmbeddedEmulator::start(rewind_emulator::EmulatorConfig::new(
        rewind_emulator::World::Demo,
    ))
    .await
    .unwrap();
    let host = emu.addr.to_string();
    let router = app(relay_config(emu.addr));
    let send = |action: Action, params: Value, region: &str| {
        let r = signed(action, params, region, &host);
        let router = router.clone();
        async move { post(&router, relay_body(action.provider(), &r), true).await }
    };

    // Lighthouse: wiki back to wiki-good.
    let (_, _, v) = send(
        Action::LhDescribeInstances,
        json!({"Filters": [{"Name": "instance-name", "Values": ["wiki"]}]}),
        "ap-guangzhou",
    )
    .await;
    let instance = v["Response"]["InstanceSet"][0]["InstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, v) = send(
        Action::LhDescribeSnapshots,
        json!({"Filters": [{"Name": "instance-id", "Values": [instance]}]}),
        "ap-guangzhou",
    )
    .await;
    let snap = v["Response"]["SnapshotSet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["SnapshotName"] == "wiki-good")
        .unwrap()["SnapshotId"]
        .clone();
    let (status, _, v) = send(
        Action::LhApplyInstanceSnapshot,
        json!({"InstanceId": instance, "SnapshotId": snap}),
        "ap-guangzhou",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(v["Response"]["Error"].is_null(), "{v}");

    // Workspace: restore a desk-alice snapshot.
    let (_, _, v) = send(
        Action::WsListDesktopSnapshot,
        json!({"desktop_name": "desk-alice"}),
        "cn-north-4",
    )
    .await;
    let snap = v["desktop_snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == "create_success")
        .unwrap()["snapshot_id"]
        .clone();
    let (status, _, v) = send(
        Action::WsBatchRestoreDesktopSnapshot,
        json!({"snapshot_ids": [snap]}),
        "cn-north-4",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["job_id"].is_string(), "{v}");

    let res = router
        .clone()
        .oneshot(Request::get("/api/v1/audit").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let audit: Value = serde_json::from_slice(&bytes).unwrap();
    let rows: Vec<(&str, &str)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("BatchRestoreDesktopSnapshot", "ok"),
            ("ApplyInstanceSnapshot", "ok")
        ]
    );
    emu.stop().await;
}
