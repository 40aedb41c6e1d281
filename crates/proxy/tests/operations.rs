//! Operations run by the server (portal mode) against the embedded emulator, through
//! `app()`: start, watch, list, cancel, refuse up front, replay, and resume from the
//! database after the process that started them is gone.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use rewind_emulator::seed::names;
use rewind_proxy::demo::{
    self, ALIBABA_PROFILE, EmbeddedEmulator, HUAWEI_PROFILE, TENCENT_PROFILE,
};
use rewind_proxy::policy::{ActionPattern, Rule};
use rewind_proxy::{AppConfig, app};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tower::ServiceExt;

const DEADLINE: Duration = Duration::from_secs(60);

/// A fast emulator: every cloud-side wait is short.
async fn emulator() -> EmbeddedEmulator {
    let mut cfg = rewind_emulator::EmulatorConfig::new(rewind_emulator::World::Demo);
    let quick = Duration::from_millis(300);
    cfg.timings = rewind_emulator::config::Timings {
        stop: quick,
        start: quick,
        rollback: quick,
        reset_disk: quick,
        create_snapshot: quick,
        job_queue: quick,
        restore_desktop: quick,
    };
    EmbeddedEmulator::start(cfg).await.unwrap()
}

async fn send(router: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(&bytes)}));
    (status, v)
}

fn post(path: &str, body: &Value) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .header("x-rewind-request", "1")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

async fn call(
    router: &axum::Router,
    profile: &str,
    region: &str,
    action: &str,
    params: Value,
) -> Value {
    let (status, v) = send(
        router,
        post(
            "/api/v1/call",
            &json!({"profile": profile, "region": region, "action": action, "params": params}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["ok"], true, "{action}: {v}");
    v["data"].clone()
}

/// The first item of `items` whose `key` is `value`.
fn find<'a>(items: &'a Value, key: &str, value: &str) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {items}"))
}

/// Polls the operation until it is no longer running.
async fn finished(router: &axum::Router, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, v) = send(router, get(&format!("/api/v1/operations/{id}"))).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        if v["operation"]["state"] != "running" {
            return v["operation"].clone();
        }
        assert!(started.elapsed() < DEADLINE, "still running: {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn start_op(router: &axum::Router, body: Value) -> String {
    let (status, v) = send(router, post("/api/v1/operations", &body)).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["operation"]["state"], "running", "{v}");
    v["operation"]["id"].as_str().unwrap().to_string()
}

struct Lh {
    instance: String,
    snapshot: String,
}

async fn lighthouse_running(router: &axum::Router) -> Lh {
    let r = names::LH_REGION;
    let data = call(router, TENCENT_PROFILE, r, "DescribeInstances", json!({})).await;
    let inst = find(&data["InstanceSet"], "InstanceName", names::LH_RUNNING);
    let instance = inst["InstanceId"].as_str().unwrap().to_string();
    let snaps = call(
        router,
        TENCENT_PROFILE,
        r,
        "DescribeSnapshots",
        json!({"Filters": [{"Name": "instance-id", "Values": [instance]}]}),
    )
    .await;
    let snapshot = find(&snaps["SnapshotSet"], "SnapshotName", "blog-daily")["SnapshotId"]
        .as_str()
        .unwrap()
        .to_string();
    Lh { instance, snapshot }
}

fn rollback_body(lh: &Lh) -> Value {
    json!({
        "profile": TENCENT_PROFILE,
        "region": names::LH_REGION,
        "kind": "LhRollback",
        "params": {
            "instance_id": lh.instance,
            "snapshot_id": lh.snapshot,
            "safety_snapshot": {},
            "start_afterwards": true
        }
    })
}

async fn instance_state(router: &axum::Router, id: &str) -> String {
    let data = call(
        router,
        TENCENT_PROFILE,
        names::LH_REGION,
        "DescribeInstances",
        json!({"InstanceIds": [id]}),
    )
    .await;
    data["InstanceSet"][0]["InstanceState"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn audit(router: &axum::Router, query: &str) -> Vec<Value> {
    let (status, v) = send(router, get(&format!("/api/v1/audit?{query}"))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["entries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_lighthouse_rollback_runs_on_the_server_to_the_end() {
    let emu = emulator().await;
    let router = app(demo::app_config(emu.addr, None).unwrap());
    let lh = lighthouse_running(&router).await;
    let id = start_op(&router, rollback_body(&lh)).await;
    let op = finished(&router, &id).await;
    assert_eq!(op["state"], "succeeded", "{op}");
    assert_eq!(op["kind"], "LhRollback");
    assert_eq!(op["user"], "demo");
    assert_eq!(instance_state(&router, &lh.instance).await, "RUNNING");

    // Every call is recorded with its idempotency key, outcome and timing; exactly one
    // rollback and one safety snapshot were sent.
    let calls = op["calls"].as_array().unwrap();
    let count = |a: &str| calls.iter().filter(|c| c["action"] == a).count();
    assert_eq!(count("ApplyInstanceSnapshot"), 1, "{op}");
    assert_eq!(count("CreateInstanceSnapshot"), 1, "{op}");
    assert_eq!(count("StartInstances"), 1, "{op}");
    for c in calls {
        assert_eq!(c["outcome"], "ok", "{c}");
        assert!(
            c["idempotency_key"].as_str().is_some_and(|k| !k.is_empty()),
            "{c}"
        );
        assert!(c["elapsed_ms"].is_u64(), "{c}");
    }
    let apply = calls
        .iter()
        .find(|c| c["action"] == "ApplyInstanceSnapshot")
        .unwrap();
    assert_eq!(apply["destructive"], true);
    assert!(
        apply["request_id"].as_str().is_some_and(|r| !r.is_empty()),
        "{apply}"
    );

    // The safety snapshot is named in the outcome.
    let made: Vec<String> =
        serde_json::from_value::<rewind_cloud::operation::Task>(op["task"].clone())
            .unwrap()
            .outcome()
            .map(|o| match o {
                rewind_cloud::operation::TaskNext::Done(s) => s.created_snapshots,
                other => panic!("{other:?}"),
            })
            .unwrap();
    assert_eq!(made.len(), 1, "{op}");

    // The audit log has one row per state-changing call, linked to the operation.
    let rows = audit(&router, &format!("operation_id={id}")).await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "StartInstances",
            "ApplyInstanceSnapshot",
            "CreateInstanceSnapshot"
        ],
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .all(|r| r["via"] == "operation" && r["outcome"] == "ok"),
        "{rows:?}"
    );
    assert_eq!(rows[1]["request_id"], apply["request_id"]);
    emu.stop().await;
}

#[tokio::test]
async fn an_ecs_reset_stops_snapshots_dry_runs_resets_and_starts() {
    let emu = emulator().await;
    let router = app(demo::app_config(emu.addr, None).unwrap());
    let r = names::ECS_REGION;
    let inst = call(&router, ALIBABA_PROFILE, r, "DescribeInstances", json!({})).await;
    let web2 = find(
        &inst["Instances"]["Instance"],
        "InstanceName",
        names::ECS_RUNNING,
    );
    let instance_id = web2["InstanceId"].as_str().unwrap().to_string();
    let disks = call(
        &router,
        ALIBABA_PROFILE,
        r,
        "DescribeDisks",
        json!({"InstanceId": instance_id, "DiskType": "system"}),
    )
    .await;
    let disk_id = disks["Disks"]["Disk"][0]["DiskId"]
        .as_str()
        .unwrap()
        .to_string();
    let snaps = call(
        &router,
        ALIBABA_PROFILE,
        r,
        "DescribeSnapshots",
        json!({"DiskId": disk_id}),
    )
    .await;
    let snap = find(&snaps["Snapshots"]["Snapshot"], "Status", "accomplished");
    let id = start_op(
        &router,
        json!({
            "profile": ALIBABA_PROFILE, "region": r, "kind": "EcsResetDisk",
            "params": {
                "disk_id": disk_id,
                "snapshot_id": snap["SnapshotId"],
                "instance_id": instance_id,
                "stop_if_running": true,
                "safety_snapshot": {},
                "dry_run": true,
                "start_afterwards": true
            }
        }),
    )
    .await;
    let op = finished(&router, &id).await;
    assert_eq!(op["state"], "succeeded", "{op}");
    let calls = op["calls"].as_array().unwrap();
    let sent: Vec<&str> = calls
        .iter()
        .filter(|c| {
            c["action"] != "DescribeInstances"
                && c["action"] != "DescribeDisks"
                && c["action"] != "DescribeSnapshots"
        })
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        sent,
        [
            "StopInstance",
            "CreateSnapshot",
            "ResetDisk",
            "ResetDisk",
            "StartInstance"
        ],
        "{op}"
    );
    let resets: Vec<&Value> = calls
        .iter()
        .filter(|c| c["action"] == "ResetDisk")
        .collect();
    assert_eq!(resets[0]["outcome"], "dry_run_passed", "{op}");
    assert_eq!(resets[0]["destructive"], false);
    assert_eq!(resets[1]["destructive"], true);
    let after = call(
        &router,
        ALIBABA_PROFILE,
        r,
        "DescribeInstances",
        json!({"InstanceIds": [instance_id]}),
    )
    .await;
    assert_eq!(
        after["Instances"]["Instance"][0]["Status"], "Running",
        "{after}"
    );
    emu.stop().await;
}

#[tokio::test]
async fn a_plan_the_policy_does_not_allow_is_refused_before_anything_is_stored() {
    let emu = emulator().await;
    let mut cfg: AppConfig = demo::app_config(emu.addr, None).unwrap();
    // Reads and snapshots, but no rollback.
    cfg.policy = vec![Rule {
        users: vec!["*".into()],
        groups: vec![],
        profiles: vec!["*".into()],
        actions: vec![
            ActionPattern::parse("read"),
            ActionPattern::parse("CreateInstanceSnapshot"),
            ActionPattern::parse("StartInstances"),
        ],
        resources: vec![],
    }];
    let router = app(cfg);
    let lh = lighthouse_running(&router).await;
    let (status, v) = send(&router, post("/api/v1/operations", &rollback_body(&lh))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["code"], "PolicyDenied");
    assert!(
        v["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("ApplyInstanceSnapshot"),
        "{v}"
    );
    let (_, list) = send(&router, get("/api/v1/operations")).await;
    assert_eq!(list["operations"], json!([]), "{list}");
    assert!(audit(&router, "").await.is_empty());
    emu.stop().await;
}

#[tokio::test]
async fn bad_plans_get_field_errors_and_nothing_runs() {
    let emu = emulator().await;
    let router = app(demo::app_config(emu.addr, None).unwrap());
    let cases = [
        // Not an instance ID.
        (
            json!({"profile": TENCENT_PROFILE, "region": names::LH_REGION, "kind": "LhRollback",
                "params": {"instance_id": "d-123", "snapshot_id": "lhsnap-12345678"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // A field the plan does not have.
        (
            json!({"profile": TENCENT_PROFILE, "region": names::LH_REGION, "kind": "LhRollback",
                "params": {"instance_id": "lhins-12345678", "snapshot_id": "lhsnap-12345678", "force": true}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // An ECS plan on the Lighthouse profile.
        (
            json!({"profile": TENCENT_PROFILE, "region": names::LH_REGION, "kind": "EcsPower",
                "params": {"instance_id": "i-bp1234567890abcdef", "power": "stop"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"profile": "nope", "region": names::LH_REGION, "kind": "LhRollback", "params": {}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"profile": TENCENT_PROFILE, "region": "mars-1", "kind": "LhRollback", "params": {}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"profile": TENCENT_PROFILE, "region": names::LH_REGION, "kind": "Batch", "params": {"items": []}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (body, want) in cases {
        let (status, v) = send(&router, post("/api/v1/operations", &body)).await;
        assert_eq!(status, want, "{body}: {v}");
        assert_eq!(v["ok"], false);
        if want == StatusCode::UNPROCESSABLE_ENTITY {
            assert!(
                v["error"]["fields"]
                    .as_array()
                    .is_some_and(|f| !f.is_empty()),
                "{v}"
            );
        }
    }
    // No CSRF header: refused like /api/v1/call.
    let req = Request::post("/api/v1/operations")
        .header("content-type", "application/json")
        .body(Body::from(
            rollback_body(&Lh {
                instance: "lhins-12345678".into(),
                snapshot: "lhsnap-12345678".into(),
            })
            .to_string(),
        ))
        .unwrap();
    let (status, _) = send(&router, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = send(&router, get("/api/v1/operations")).await;
    assert_eq!(list["operations"], json!([]), "{list}");
    emu.stop().await;
}

#[tokio::test]
async fn cancel_works_until_the_rollback_is_sent_and_then_says_why_not() {
    let mut cfg = rewind_emulator::EmulatorConfig::new(rewind_emulator::World::Demo);
    cfg.timings.create_snapshot = Duration::from_secs(30);
    cfg.timings.rollback = Duration::from_secs(30);
    let emu = EmbeddedEmulator::start(cfg).await.unwrap();
    let router = app(demo::app_config(emu.addr, None).unwrap());
    let lh = lighthouse_running(&router).await;

    // The safety snapshot takes a while: cancel while it is being waited on.
    let id = start_op(&router, rollback_body(&lh)).await;
    wait_for(&router, &id, |op| {
        op["calls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["action"] == "CreateInstanceSnapshot" && c["outcome"] == "ok")
    })
    .await;
    let (status, v) = send(
        &router,
        post(&format!("/api/v1/operations/{id}/cancel"), &json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let op = finished(&router, &id).await;
    assert_eq!(op["state"], "cancelled", "{op}");
    assert!(
        !op["calls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["action"] == "ApplyInstanceSnapshot"),
        "{op}"
    );
    let (status, v) = send(
        &router,
        post(&format!("/api/v1/operations/{id}/cancel"), &json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "NotCancellable");

    // Without a safety snapshot the rollback goes out at once; afterwards cancel is refused.
    let mut body = rollback_body(&lh);
    body["params"]["safety_snapshot"] = Value::Null;
    let id = start_op(&router, body).await;
    wait_for(&router, &id, |op| {
        op["calls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["action"] == "ApplyInstanceSnapshot" && c["outcome"] == "ok")
    })
    .await;
    let (status, v) = send(
        &router,
        post(&format!("/api/v1/operations/{id}/cancel"), &json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "NotCancellable");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ApplyInstanceSnapshot"),
        "{v}"
    );
    emu.stop().await;
}

async fn wait_for(router: &axum::Router, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let (_, v) = send(router, get(&format!("/api/v1/operations/{id}"))).await;
        if done(&v["operation"]) {
            return v["operation"].clone();
        }
        assert!(started.elapsed() < DEADLINE, "condition not reached: {v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_replayed_request_gets_the_same_operation_and_lists_filter() {
    let emu = emulator().await;
    let router = app(demo::app_config(emu.addr, None).unwrap());
    let lh = lighthouse_running(&router).await;
    let body = json!({"profile": TENCENT_PROFILE, "region": names::LH_REGION, "kind": "LhCreateSnapshot",
                      "params": {"instance_id": lh.instance}});
    let req = |key: &str| {
        Request::post("/api/v1/operations")
            .header("content-type", "application/json")
            .header("x-rewind-request", "1")
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let (s1, a) = send(&router, req("key-0001-aaaa")).await;
    let (s2, b) = send(&router, req("key-0001-aaaa")).await;
    assert_eq!(s1, StatusCode::CREATED, "{a}");
    assert_eq!(s2, StatusCode::CREATED, "{b}");
    assert_eq!(a["operation"]["id"], b["operation"]["id"]);
    let id = a["operation"]["id"].as_str().unwrap().to_string();
    let op = finished(&router, &id).await;
    assert_eq!(op["state"], "succeeded", "{op}");
    let (_, all) = send(&router, get("/api/v1/operations")).await;
    assert_eq!(all["operations"].as_array().unwrap().len(), 1, "{all}");
    let (_, none) = send(&router, get("/api/v1/operations?state=running")).await;
    assert_eq!(none["operations"], json!([]));
    let (_, by_kind) = send(
        &router,
        get("/api/v1/operations?kind=LhCreateSnapshot&state=succeeded"),
    )
    .await;
    assert_eq!(by_kind["operations"][0]["id"], id.as_str());
    let (status, _) = send(&router, get("/api/v1/operations?state=bogus")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = send(&router, get("/api/v1/operations/op-nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    emu.stop().await;
}

#[tokio::test]
async fn a_workspace_restore_tracks_its_job_to_the_end() {
    let emu = emulator().await;
    let router = app(demo::app_config(emu.addr, None).unwrap());
    let region = demo::profiles(emu.addr)
        .into_iter()
        .find(|p| p.name == HUAWEI_PROFILE)
        .unwrap()
        .regions[0]
        .clone();
    let snaps = call(
        &router,
        HUAWEI_PROFILE,
        &region,
        "ListDesktopSnapshot",
        json!({}),
    )
    .await;
    let list = snaps["desktop_snapshots"].as_array().unwrap();
    let pick = |desk: &str| {
        list.iter()
            .find(|s| s["desktop_name"] == desk && s["status"] == "create_success")
            .unwrap_or_else(|| panic!("no snapshot of {desk}: {snaps}"))
            .clone()
    };
    let (a, b) = (pick("pool-000"), pick("pool-001"));
    let snapshot =
        |s: &Value| json!({"snapshot_id": s["snapshot_id"], "desktop_id": s["desktop_id"]});
    let id = start_op(
        &router,
        json!({"profile": HUAWEI_PROFILE, "region": region, "kind": "WsRestore",
               "params": {"snapshots": [snapshot(&a), snapshot(&b)]}}),
    )
    .await;
    let op = finished(&router, &id).await;
    assert_eq!(op["state"], "succeeded", "{op}");
    let calls = op["calls"].as_array().unwrap();
    assert_eq!(
        calls
            .iter()
            .filter(|c| c["action"] == "BatchRestoreDesktopSnapshot")
            .count(),
        1
    );
    assert!(calls.iter().any(|c| c["action"] == "ShowJob"), "{op}");
    emu.stop().await;
}

/// The `data:` of every `event: operation` in a Server-Sent Events body.
fn sse_operations(text: &str) -> Vec<Value> {
    text.split("\n\n")
        .filter(|block| block.lines().any(|l| l == "event: operation"))
        .filter_map(|block| {
            let data: String = block
                .lines()
                .filter_map(|l| l.strip_prefix("data: ").or_else(|| l.strip_prefix("data:")))
                .collect();
            serde_json::from_str(&data).ok()
        })
        .collect()
}

#[tokio::test]
async fn server_sent_events_follow_an_operation_to_its_end() {
    let emu = emulator().await;
    let router = app(demo::app_config(emu.addr, None).unwrap());
    let lh = lighthouse_running(&router).await;
    // The list stream, opened before the operation starts.
    let list = router
        .clone()
        .oneshot(get("/api/v1/operations/events"))
        .await
        .unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    assert_eq!(list.headers()["content-type"], "text/event-stream");
    let id = start_op(&router, rollback_body(&lh)).await;
    let res = router
        .clone()
        .oneshot(get(&format!("/api/v1/operations/{id}/events")))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The stream ends by itself once the operation has finished.
    let body = tokio::time::timeout(DEADLINE, res.into_body().collect())
        .await
        .expect("the stream ended")
        .unwrap()
        .to_bytes();
    let events = sse_operations(&String::from_utf8_lossy(&body));
    assert!(events.len() >= 3, "{events:?}");
    assert!(events.iter().all(|e| e["id"] == id.as_str()));
    assert_eq!(events[0]["state"], "running");
    assert_eq!(events.last().unwrap()["state"], "succeeded");
    // Steps appear in order as the machine advances.
    let done_steps = |e: &Value| {
        e["task"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["record"]["state"] == "Done")
            .count()
    };
    assert!(
        events
            .windows(2)
            .all(|w| done_steps(&w[0]) <= done_steps(&w[1]))
    );

    // The list stream carried the same operation's changes.
    let mut list_body = list.into_body();
    let mut seen = String::new();
    let started = Instant::now();
    while !sse_operations(&seen)
        .iter()
        .any(|e| e["id"] == id.as_str() && e["state"] == "succeeded")
    {
        assert!(started.elapsed() < DEADLINE, "list stream: {seen}");
        let frame = tokio::time::timeout(DEADLINE, list_body.frame())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Some(data) = frame.data_ref() {
            seen.push_str(&String::from_utf8_lossy(data));
        }
    }
    emu.stop().await;
}

fn token_entry(user: &str, token: &str) -> rewind_proxy::config::TokenEntry {
    use sha2::Digest;
    rewind_proxy::config::TokenEntry {
        user: user.into(),
        sha256: sha2::Sha256::digest(token.as_bytes()).into(),
        groups: vec![],
    }
}

fn as_user(mut req: Request<Body>, token: &str) -> Request<Body> {
    req.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    req
}

#[tokio::test]
async fn others_see_and_cancel_only_what_their_grants_cover() {
    let emu = {
        let mut cfg = rewind_emulator::EmulatorConfig::new(rewind_emulator::World::Demo);
        cfg.timings.create_snapshot = Duration::from_secs(30);
        EmbeddedEmulator::start(cfg).await.unwrap()
    };
    let mut cfg: AppConfig = demo::app_config(emu.addr, None).unwrap();
    let (alice, bob, carol) = ("fake-token-alice", "fake-token-bob", "fake-token-carol");
    cfg.auth = rewind_proxy::config::Auth::Token {
        tokens: vec![
            token_entry("alice", alice),
            token_entry("bob", bob),
            token_entry("carol", carol),
        ],
    };
    let grant = |user: &str, profiles: &[&str]| Rule {
        users: vec![user.into()],
        groups: vec![],
        profiles: profiles.iter().map(|p| p.to_string()).collect(),
        actions: vec![ActionPattern::All],
        resources: vec![],
    };
    // Bob holds grants on the Lighthouse profile too; Carol only on ECS.
    cfg.policy = vec![
        grant("alice", &[TENCENT_PROFILE]),
        grant("bob", &[TENCENT_PROFILE]),
        grant("carol", &[ALIBABA_PROFILE]),
    ];
    let router = app(cfg);
    let data = send(
        &router,
        as_user(
            post(
                "/api/v1/call",
                &json!({"profile": TENCENT_PROFILE, "region": names::LH_REGION, "action": "DescribeInstances", "params": {}}),
            ),
            alice,
        ),
    )
    .await
    .1;
    let inst = find(
        &data["data"]["InstanceSet"],
        "InstanceName",
        names::LH_RUNNING,
    )["InstanceId"]
        .clone();
    let body = json!({"profile": TENCENT_PROFILE, "region": names::LH_REGION, "kind": "LhCreateSnapshot",
                      "params": {"instance_id": inst}});
    let (status, v) = send(&router, as_user(post("/api/v1/operations", &body), alice)).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let id = v["operation"]["id"].as_str().unwrap().to_string();
    assert_eq!(v["operation"]["user"], "alice");

    // Carol sees nothing of it: not in her list, 404 for the id, 404 for cancel.
    let (_, list) = send(&router, as_user(get("/api/v1/operations"), carol)).await;
    assert_eq!(list["operations"], json!([]), "{list}");
    let (status, _) = send(
        &router,
        as_user(get(&format!("/api/v1/operations/{id}")), carol),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(
        &router,
        as_user(
            post(&format!("/api/v1/operations/{id}/cancel"), &json!({})),
            carol,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // No token: 401.
    let (status, _) = send(&router, get("/api/v1/operations")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Bob, with a grant on the profile, sees it and may cancel it.
    let (_, list) = send(&router, as_user(get("/api/v1/operations"), bob)).await;
    assert_eq!(list["operations"][0]["id"], id.as_str(), "{list}");
    let (status, v) = send(
        &router,
        as_user(
            post(&format!("/api/v1/operations/{id}/cancel"), &json!({})),
            bob,
        ),
    )
    .await;
    // A snapshot's create call is its point of no return: cancelled if not yet sent,
    // else refused with the reason.
    assert!(
        status == StatusCode::OK
            || (status == StatusCode::CONFLICT && v["error"]["code"] == "NotCancellable"),
        "{status}: {v}"
    );
    emu.stop().await;
}
