//! Retry rules and upstream limits against the embedded emulator's fault injection:
//! reads and throttled requests are retried; a rollback that may have reached the cloud
//! is never sent twice; Lighthouse's 20/s actions are queued, not failed.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use rewind_cloud::Provider;
use rewind_emulator::{Effect, Fault};
use rewind_proxy::app;
use rewind_proxy::demo::{self, ALIBABA_PROFILE, EmbeddedEmulator, TENCENT_PROFILE};
use serde_json::{Value, json};
use std::time::Instant;
use tower::ServiceExt;

async fn start() -> (axum::Router, EmbeddedEmulator) {
    let emulator = EmbeddedEmulator::start(rewind_emulator::EmulatorConfig::new(
        rewind_emulator::World::Demo,
    ))
    .await
    .unwrap();
    let router = app(demo::app_config(emulator.addr, None).unwrap());
    (router, emulator)
}

async fn call(router: &axum::Router, body: Value) -> (StatusCode, Value) {
    let req = Request::post("/api/v1/call")
        .header("content-type", "application/json")
        .header("x-rewind-request", "1")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn fault(provider: Provider, action: &str, count: u32, effect: Effect) -> Fault {
    Fault {
        provider: Some(provider),
        action: Some(action.into()),
        count: Some(count),
        fraction: None,
        effect,
    }
}

/// The `wiki` instance and its `wiki-good` snapshot.
async fn wiki(router: &axum::Router) -> (String, String) {
    let (_, v) = call(
        router,
        json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou", "action": "DescribeInstances",
               "params": {"Filters": [{"Name": "instance-name", "Values": ["wiki"]}]}}),
    )
    .await;
    let id = v["data"]["InstanceSet"][0]["InstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, v) = call(
        router,
        json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou", "action": "DescribeSnapshots",
               "params": {"Filters": [{"Name": "instance-id", "Values": [id]}]}}),
    )
    .await;
    let snap = v["data"]["SnapshotSet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["SnapshotName"] == "wiki-good")
        .unwrap()["SnapshotId"]
        .as_str()
        .unwrap()
        .to_string();
    (id, snap)
}

#[tokio::test]
async fn reads_are_retried_after_a_dropped_connection() {
    let (router, emu) = start().await;
    emu.emulator
        .add_fault(fault(
            Provider::Tencent,
            "DescribeInstances",
            1,
            Effect::Drop,
        ))
        .unwrap();
    let (status, v) = call(
        &router,
        json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou", "action": "DescribeInstances", "params": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["ok"], true, "{v}");
    emu.stop().await;
}

#[tokio::test]
async fn a_rollback_whose_answer_was_lost_is_never_resent() {
    let (router, emu) = start().await;
    let (instance, snapshot) = wiki(&router).await;
    emu.emulator
        .add_fault(fault(
            Provider::Tencent,
            "ApplyInstanceSnapshot",
            1,
            Effect::Drop,
        ))
        .unwrap();
    let (status, v) = call(
        &router,
        json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou", "action": "ApplyInstanceSnapshot",
               "params": {"InstanceId": instance, "SnapshotId": snapshot}}),
    )
    .await;
    // A resend would have succeeded (the fault fires once): the error proves there was none.
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(v["error"]["code"], "UpstreamBroken", "{v}");
    assert_eq!(v["error"]["retryable"], false, "{v}");
    let res = router
        .clone()
        .oneshot(Request::get("/api/v1/audit").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let audit: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(audit["entries"][0]["outcome"], "unknown", "{audit}");
    emu.stop().await;
}

#[tokio::test]
async fn throttled_rollbacks_are_retried_because_they_were_not_executed() {
    let (router, emu) = start().await;
    let (instance, snapshot) = wiki(&router).await;
    emu.emulator
        .add_fault(fault(
            Provider::Tencent,
            "ApplyInstanceSnapshot",
            2,
            Effect::Throttle,
        ))
        .unwrap();
    let (status, v) = call(
        &router,
        json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou", "action": "ApplyInstanceSnapshot",
               "params": {"InstanceId": instance, "SnapshotId": snapshot}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["ok"], true, "{v}");
    emu.stop().await;
}

#[tokio::test]
async fn an_internal_error_on_a_reset_is_reported_not_retried() {
    let (router, emu) = start().await;
    emu.emulator
        .add_fault(fault(Provider::Alibaba, "ResetDisk", 1, Effect::Internal))
        .unwrap();
    let (status, v) = call(
        &router,
        json!({"profile": ALIBABA_PROFILE, "region": "cn-hangzhou", "action": "ResetDisk",
               "params": {"DiskId": "d-bp1fakedisk0001", "SnapshotId": "s-bp1fakesnap0001"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // Not retried: a retry would have reached the real handler and answered NotFound.
    assert_eq!(v["error"]["provider_code"], "InternalError", "{v}");
    assert_eq!(v["error"]["http_status"], 500, "{v}");
    assert_eq!(v["error"]["retryable"], true, "{v}");
    emu.stop().await;
}

#[tokio::test]
async fn lighthouse_rollbacks_beyond_20_per_second_are_queued_not_failed() {
    let (router, emu) = start().await;
    let (instance, _) = wiki(&router).await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let router = router.clone();
        let body = json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou",
            "action": "ApplyInstanceSnapshot",
            "params": {"InstanceId": instance, "SnapshotId": "lhsnap-zzzzzzzz"}});
        tasks.push(tokio::spawn(async move { call(&router, body).await }));
    }
    for t in tasks {
        let (_, v) = t.await.unwrap();
        let code = v["error"]["provider_code"].as_str().unwrap_or("");
        // Each fails on its merits (no such snapshot), none on the rate limit.
        assert!(!code.starts_with("RequestLimitExceeded"), "{v}");
        assert!(code.starts_with("ResourceNotFound"), "{v}");
    }
    // They leave evenly spaced: 29 gaps of (1 s + the margin) / 20.
    let gap = (std::time::Duration::from_secs(1) + rewind_proxy::limits::PACE_MARGIN) / 20;
    assert!(started.elapsed() >= gap * 29, "{:?}", started.elapsed());
    emu.stop().await;
}

async fn start_with(
    edit: impl FnOnce(&mut rewind_proxy::AppConfig),
) -> (axum::Router, EmbeddedEmulator) {
    let emulator = EmbeddedEmulator::start(rewind_emulator::EmulatorConfig::new(
        rewind_emulator::World::Demo,
    ))
    .await
    .unwrap();
    let mut config = demo::app_config(emulator.addr, None).unwrap();
    edit(&mut config);
    (app(config), emulator)
}

#[tokio::test]
async fn a_slow_rollback_times_out_once_and_a_slow_read_is_retried() {
    let (router, emu) =
        start_with(|c| c.limits.upstream_timeout = std::time::Duration::from_secs(1)).await;
    let (instance, snapshot) = wiki(&router).await;
    emu.emulator
        .add_fault(fault(
            Provider::Tencent,
            "ApplyInstanceSnapshot",
            1,
            Effect::Latency { ms: 3000 },
        ))
        .unwrap();
    let (status, v) = call(
        &router,
        json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou", "action": "ApplyInstanceSnapshot",
               "params": {"InstanceId": instance, "SnapshotId": snapshot}}),
    )
    .await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{v}");
    assert_eq!(v["error"]["code"], "UpstreamTimeout", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("may have reached"),
        "{v}"
    );

    emu.emulator
        .add_fault(fault(
            Provider::Tencent,
            "DescribeSnapshots",
            1,
            Effect::Latency { ms: 3000 },
        ))
        .unwrap();
    let (status, v) = call(
        &router,
        json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou", "action": "DescribeSnapshots", "params": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    emu.stop().await;
}

#[tokio::test]
async fn oversize_answers_are_cut_off() {
    let (router, emu) = start_with(|c| c.limits.upstream_response_bytes = 256).await;
    let (status, v) = call(
        &router,
        json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou", "action": "DescribeInstances", "params": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(v["error"]["code"], "UpstreamTooLarge", "{v}");
    emu.stop().await;
}
