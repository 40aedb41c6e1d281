//! Sign-and-forward against the embedded emulator: a read and each provider's rollback
//! through `POST /api/v1/call`, with the audit rows they leave.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use rewind_proxy::demo::{
    self, ALIBABA_PROFILE, EmbeddedEmulator, HUAWEI_PROFILE, TENCENT_PROFILE,
};
use rewind_proxy::{AppConfig, app};
use serde_json::{Value, json};
use tower::ServiceExt;

struct Demo {
    router: axum::Router,
    config: AppConfig,
    emulator: EmbeddedEmulator,
}

async fn start() -> Demo {
    let emulator = EmbeddedEmulator::start(rewind_emulator::EmulatorConfig::new(
        rewind_emulator::World::Demo,
    ))
    .await
    .unwrap();
    let config = demo::app_config(emulator.addr, None).unwrap();
    Demo {
        router: app(config.clone()),
        config,
        emulator,
    }
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

async fn ok(
    router: &axum::Router,
    profile: &str,
    region: &str,
    action: &str,
    params: Value,
) -> Value {
    let (status, v) = call(
        router,
        json!({"profile": profile, "region": region, "action": action, "params": params}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["ok"], true, "{action}: {v}");
    assert!(
        v["request_id"].as_str().is_some_and(|r| !r.is_empty()),
        "{v}"
    );
    v["data"].clone()
}

fn find<'a>(items: &'a Value, key: &str, value: &str) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {items}"))
}

async fn audit_rows(router: &axum::Router) -> Vec<Value> {
    let res = router
        .clone()
        .oneshot(Request::get("/api/v1/audit").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["entries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn lighthouse_rollback_through_the_proxy() {
    let d = start().await;
    let r = "ap-guangzhou";
    let data = ok(
        &d.router,
        TENCENT_PROFILE,
        r,
        "DescribeInstances",
        json!({"Filters": [{"Name": "instance-name", "Values": ["wiki"]}]}),
    )
    .await;
    let wiki = find(&data["InstanceSet"], "InstanceName", "wiki");
    let instance_id = wiki["InstanceId"].as_str().unwrap().to_string();
    let snaps = ok(
        &d.router,
        TENCENT_PROFILE,
        r,
        "DescribeSnapshots",
        json!({"Filters": [{"Name": "instance-id", "Values": [instance_id]}]}),
    )
    .await;
    let good = find(&snaps["SnapshotSet"], "SnapshotName", "wiki-good");
    let snapshot_id = good["SnapshotId"].as_str().unwrap();
    let applied = ok(
        &d.router,
        TENCENT_PROFILE,
        r,
        "ApplyInstanceSnapshot",
        json!({"InstanceId": instance_id, "SnapshotId": snapshot_id}),
    )
    .await;
    let rid = applied["RequestId"].as_str().unwrap().to_string();

    // A documented refusal comes back normalized, explained, with its RequestId.
    let bad = find(&snaps["SnapshotSet"], "SnapshotName", "wiki-before-resize");
    let (status, v) = call(
        &d.router,
        json!({"profile": TENCENT_PROFILE, "region": r, "action": "ApplyInstanceSnapshot",
               "params": {"InstanceId": instance_id, "SnapshotId": bad["SnapshotId"]}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["ok"], false);
    let e = &v["error"];
    assert!(e["provider_code"].as_str().unwrap().contains('.'), "{v}");
    assert!(
        e["explanation"].as_str().is_some_and(|s| !s.is_empty()),
        "{v}"
    );
    assert!(e["remedy"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
    assert!(e["request_id"].as_str().is_some(), "{v}");
    assert_eq!(e["http_status"], 200);

    let rows = audit_rows(&d.router).await;
    assert_eq!(rows.len(), 2, "reads are not audited: {rows:?}");
    assert_eq!(rows[1]["outcome"], "ok");
    assert_eq!(rows[1]["request_id"], rid);
    assert_eq!(rows[1]["user"], "demo");
    assert_eq!(rows[1]["params"]["InstanceId"], instance_id.as_str());
    assert_eq!(rows[0]["outcome"], "error");
    assert_eq!(rows[0]["provider_code"], e["provider_code"]);
    d.emulator.stop().await;
}

#[tokio::test]
async fn ecs_reset_disk_dry_run_then_for_real() {
    let d = start().await;
    let r = "cn-hangzhou";
    let inst = ok(
        &d.router,
        ALIBABA_PROFILE,
        r,
        "DescribeInstances",
        json!({}),
    )
    .await;
    let web1 = find(&inst["Instances"]["Instance"], "InstanceName", "web-1");
    let disks = ok(
        &d.router,
        ALIBABA_PROFILE,
        r,
        "DescribeDisks",
        json!({"InstanceId": web1["InstanceId"], "DiskType": "system"}),
    )
    .await;
    let disk_id = disks["Disks"]["Disk"][0]["DiskId"]
        .as_str()
        .unwrap()
        .to_string();
    let snaps = ok(
        &d.router,
        ALIBABA_PROFILE,
        r,
        "DescribeSnapshots",
        json!({"DiskId": disk_id}),
    )
    .await;
    let snap = find(&snaps["Snapshots"]["Snapshot"], "Status", "accomplished");
    let snapshot_id = snap["SnapshotId"].as_str().unwrap().to_string();

    let (status, v) = call(
        &d.router,
        json!({"profile": ALIBABA_PROFILE, "region": r, "action": "ResetDisk",
               "params": {"DiskId": disk_id, "SnapshotId": snapshot_id, "DryRun": true}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["dry_run"], "passed", "{v}");

    ok(
        &d.router,
        ALIBABA_PROFILE,
        r,
        "ResetDisk",
        json!({"DiskId": disk_id, "SnapshotId": snapshot_id}),
    )
    .await;
    let rows = audit_rows(&d.router).await;
    let outcomes: Vec<&str> = rows
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["ok", "dry_run_passed"]);
    d.emulator.stop().await;
}

#[tokio::test]
async fn ecs_v1_signature_and_create_snapshot_get_a_client_token() {
    let d = start().await;
    let mut config = d.config.clone();
    for p in &mut config.profiles {
        p.signature = rewind_proxy::config::AlibabaSignature::V1;
    }
    let router = app(config);
    let r = "cn-hangzhou";
    let inst = ok(&router, ALIBABA_PROFILE, r, "DescribeInstances", json!({})).await;
    let web1 = find(&inst["Instances"]["Instance"], "InstanceName", "web-1");
    let disks = ok(
        &router,
        ALIBABA_PROFILE,
        r,
        "DescribeDisks",
        json!({"InstanceId": web1["InstanceId"], "DiskType": "system"}),
    )
    .await;
    let disk_id = disks["Disks"]["Disk"][0]["DiskId"]
        .as_str()
        .unwrap()
        .to_string();
    let created = ok(
        &router,
        ALIBABA_PROFILE,
        r,
        "CreateSnapshot",
        json!({"DiskId": disk_id, "SnapshotName": "before-upgrade"}),
    )
    .await;
    assert!(created["SnapshotId"].as_str().unwrap().starts_with("s-"));
    let rows = audit_rows(&router).await;
    assert!(
        rows[0]["params"]["ClientToken"].as_str().is_some(),
        "{rows:?}"
    );
    d.emulator.stop().await;
}

#[tokio::test]
async fn workspace_batch_restore_through_the_proxy() {
    let d = start().await;
    let r = "cn-north-4";
    let list = ok(
        &d.router,
        HUAWEI_PROFILE,
        r,
        "ListDesktopSnapshot",
        json!({"desktop_name": "desk-alice"}),
    )
    .await;
    let snap = find(&list["desktop_snapshots"], "status", "create_success");
    let restored = ok(
        &d.router,
        HUAWEI_PROFILE,
        r,
        "BatchRestoreDesktopSnapshot",
        json!({"snapshot_ids": [snap["snapshot_id"]]}),
    )
    .await;
    let job_id = restored["job_id"].as_str().unwrap().to_string();
    let job = ok(
        &d.router,
        HUAWEI_PROFILE,
        r,
        "ShowJob",
        json!({"job_id": job_id}),
    )
    .await;
    assert!(job["status"].is_string(), "{job}");
    let rows = audit_rows(&d.router).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["action"], "BatchRestoreDesktopSnapshot");
    d.emulator.stop().await;
}

#[tokio::test]
async fn an_unreachable_cloud_is_a_clear_gateway_error() {
    let d = start().await;
    let addr = d.emulator.addr;
    d.emulator.stop().await;
    let mut config = demo::app_config(addr, None).unwrap();
    config.limits.upstream_timeout = std::time::Duration::from_secs(2);
    let router = app(config);
    let (status, v) = call(
        &router,
        json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou", "action": "DescribeInstances", "params": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(v["error"]["code"], "UpstreamUnreachable");
}

#[tokio::test]
async fn audit_filters_and_pages_newest_first() {
    let d = start().await;
    for _ in 0..3 {
        let (_, v) = call(
            &d.router,
            json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou", "action": "ApplyInstanceSnapshot",
                   "params": {"InstanceId": "lhins-zzzzzzzz", "SnapshotId": "lhsnap-zzzzzzzz"}}),
        )
        .await;
        assert_eq!(v["ok"], false);
    }
    let get = |uri: String| {
        let router = d.router.clone();
        async move {
            let res = router
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            serde_json::from_slice::<Value>(&bytes).unwrap()
        }
    };
    let page1 = get("/api/v1/audit?limit=2&provider=tencent".into()).await;
    let entries = page1["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries[0]["id"].as_i64() > entries[1]["id"].as_i64());
    let next = page1["next_before"].as_i64().unwrap();
    assert_eq!(next, entries[1]["id"].as_i64().unwrap());
    let page2 = get(format!("/api/v1/audit?limit=2&before={next}")).await;
    assert_eq!(page2["entries"].as_array().unwrap().len(), 1);
    assert!(page2["next_before"].is_null());
    assert_eq!(
        get("/api/v1/audit?outcome=ok".into()).await["entries"],
        json!([])
    );
    assert_eq!(
        get("/api/v1/audit?action=ApplyInstanceSnapshot&user=demo".into()).await["entries"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    d.emulator.stop().await;
}

/// A read answers `{ok, request_id, data, warnings}` in that order, as JSON, with the
/// cloud's payload and the validator's warnings.
#[tokio::test]
async fn a_read_answers_the_normalized_shape() {
    let d = start().await;
    let req = Request::post("/api/v1/call")
        .header("content-type", "application/json")
        .header("x-rewind-request", "1")
        .body(Body::from(
            json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou",
                "action": "DescribeSnapshots",
                "params": {"SnapshotIds": [" lhsnap-zzzzzzzz "], "Limit": 5}})
            .to_string(),
        ))
        .unwrap();
    let res = d.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(text.starts_with(r#"{"ok":true,"request_id":""#), "{text}");
    let v: Value = serde_json::from_str(text).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["ok", "request_id", "data", "warnings"]);
    assert_eq!(v["data"]["RequestId"], v["request_id"], "{v}");
    assert_eq!(v["data"]["TotalCount"], 0, "{v}");
    assert_eq!(v["data"]["SnapshotSet"], json!([]), "{v}");
    assert_eq!(v["warnings"][0]["field"], "SnapshotIds[0]", "{v}");
    assert_eq!(v["warnings"][0]["code"], "trimmed", "{v}");
    d.emulator.stop().await;
}
