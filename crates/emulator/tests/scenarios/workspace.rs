//! Workspace: batch restore, jobs, listing filters and paths.

use super::*;

pub(super) async fn workspace_restore(seen: &mut Codes) {
    let e = env();
    let mut ws = async |method: &str,
                        path: &str,
                        query: &[(&str, &str)],
                        body: Option<Value>|
           -> (u16, Value) {
        let r = e.ws(method, path, query, body).await;
        assert!(
            r.headers.get("x-request-id").is_some(),
            "X-Request-Id on every answer"
        );
        if let Some(c) = r.code() {
            assert!(r.body.get("error_msg").is_some());
            seen.insert(c);
        }
        (r.status, r.body)
    };
    let restore = ws_path("snapshots/batch-restore");
    let alice = e.ws_snapshot("desk-alice-snap-0");
    let (st, body) = ws(
        "POST",
        &restore,
        &[],
        Some(json!({"snapshot_ids": [alice]})),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let job = body["job_id"].as_str().unwrap().to_string();
    let job_path = ws_path(&format!("workspace-jobs/{job}"));
    let (_, j) = ws("GET", &job_path, &[], None).await;
    assert_eq!(j["status"], "WAITING");
    assert_eq!(j["sub_jobs_total"], 1);
    e.clock.advance(secs(3));
    let (_, j) = ws("GET", &job_path, &[], None).await;
    assert_eq!(j["status"], "RUNNING");
    assert_eq!(j["sub_jobs"][0]["process"], 50);
    let (_, l) = ws(
        "GET",
        &ws_path("snapshots"),
        &[("snapshot_name", "desk-alice-snap-0")],
        None,
    )
    .await;
    assert_eq!(l["desktop_snapshots"][0]["status"], "restoring");
    // A second restore of the same desktop conflicts while the first runs.
    let (st, _) = ws(
        "POST",
        &restore,
        &[],
        Some(json!({"snapshot_ids": [alice]})),
    )
    .await;
    assert_eq!(st, 409);
    e.clock.advance(secs(2));
    let (_, j) = ws("GET", &job_path, &[], None).await;
    assert_eq!(j["status"], "SUCCESS");
    assert_eq!(j["sub_jobs"][0]["status"], "SUCCESS");
    assert_eq!(
        j["sub_jobs"][0]["entities"]["desktop_name"],
        names::WS_OK_DESKTOP
    );
    let (_, l) = ws(
        "GET",
        &ws_path("snapshots"),
        &[("snapshot_name", "desk-alice-snap-0")],
        None,
    )
    .await;
    assert_eq!(l["desktop_snapshots"][0]["status"], "restore_success");
    assert!(l["desktop_snapshots"][0]["last_restore_time"].is_string());

    // A desktop whose restore fails: the sub-job and the job end in FAIL.
    let carol = e.ws_snapshot("desk-carol-snap-0");
    let bob = e.ws_snapshot("desk-bob-snap-1");
    let (st, body) = ws(
        "POST",
        &restore,
        &[],
        Some(json!({"snapshot_ids": [carol, bob]})),
    )
    .await;
    assert_eq!(st, 200);
    let job_path = ws_path(&format!(
        "workspace-jobs/{}",
        body["job_id"].as_str().unwrap()
    ));
    e.clock.advance(secs(5));
    let (_, j) = ws("GET", &job_path, &[], None).await;
    assert_eq!(j["status"], "FAIL");
    assert_eq!(j["job_error_code"], names::WS_FAIL_CODE);
    let subs = j["sub_jobs"].as_array().unwrap();
    assert_eq!(
        subs.iter()
            .map(|s| s["status"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["FAIL", "SUCCESS"]
    );
    assert_eq!(subs[0]["error_code"], names::WS_FAIL_CODE);
    let (_, l) = ws(
        "GET",
        &ws_path("snapshots"),
        &[("desktop_name", names::WS_FAILING_DESKTOP)],
        None,
    )
    .await;
    assert_eq!(l["desktop_snapshots"][0]["status"], "restore_failed");
    assert_eq!(
        l["desktop_snapshots"][0]["restore_fail_reason"],
        names::WS_FAIL_REASON
    );

    // Conflicts (409), unknown IDs (404), bad requests (400).
    let erin = e.ws_snapshot("desk-erin-snap-1");
    assert_eq!(
        ws("POST", &restore, &[], Some(json!({"snapshot_ids": [erin]})))
            .await
            .0,
        409
    );
    let dave_new = e.ws_snapshot("desk-dave-snap-new");
    assert_eq!(
        ws(
            "POST",
            &restore,
            &[],
            Some(json!({"snapshot_ids": [dave_new]}))
        )
        .await
        .0,
        409
    );
    let (a0, a1) = (
        e.ws_snapshot("desk-bob-snap-0"),
        e.ws_snapshot("desk-bob-data"),
    );
    assert_eq!(
        ws(
            "POST",
            &restore,
            &[],
            Some(json!({"snapshot_ids": [a0, a1]}))
        )
        .await
        .0,
        409
    );
    let (st, body) = ws(
        "POST",
        &restore,
        &[],
        Some(json!({"snapshot_ids": ["nope-1", a0]})),
    )
    .await;
    assert_eq!(st, 404);
    assert!(body["error_msg"].as_str().unwrap().contains("nope-1"));
    let many: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    assert_eq!(
        ws("POST", &restore, &[], Some(json!({"snapshot_ids": many})))
            .await
            .0,
        400
    );
    assert_eq!(
        ws("POST", &restore, &[], Some(json!({"snapshot_ids": []})))
            .await
            .0,
        400
    );
    assert_eq!(
        ws("GET", &ws_path("workspace-jobs/no-such-job"), &[], None)
            .await
            .0,
        404
    );
    let mut req = Env::ws_request("POST", &restore, &[], None);
    req.body.clear();
    let r = e.send(req, Some(&Signer::huawei())).await;
    assert_eq!((r.status, r.code().as_deref()), (400, Some("WKS.0001")));
    seen.insert("WKS.0001".into());
}

pub(super) async fn workspace_list(seen: &mut Codes) {
    let e = env();
    let r = e.ws("GET", &ws_path("snapshots"), &[], None).await;
    assert_eq!(r.status, 200);
    let total = r.body["total_count"].as_u64().unwrap();
    assert!(total >= 20, "{total}");
    let r = e
        .ws(
            "GET",
            &ws_path("snapshots"),
            &[
                ("limit", "5"),
                ("offset", "3"),
                ("sort_field", "snapshot_name"),
                ("sort_type", "ASC"),
            ],
            None,
        )
        .await;
    let names_: Vec<&str> = r.body["desktop_snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["snapshot_name"].as_str().unwrap())
        .collect();
    assert_eq!(names_.len(), 5);
    assert!(names_.windows(2).all(|w| w[0] <= w[1]));
    let r = e
        .ws(
            "GET",
            &ws_path("snapshots"),
            &[("disk_type", "DATA_DISKS"), ("create_type", "MANUALLY")],
            None,
        )
        .await;
    assert!(
        r.body["desktop_snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["is_system_disk"] == false && s["create_type"] == "MANUALLY")
    );
    let r = e
        .ws(
            "GET",
            &ws_path("snapshots"),
            &[("status", "creating")],
            None,
        )
        .await;
    assert_eq!(r.body["total_count"], 1);
    assert!(r.body["desktop_snapshots"][0]["process"].is_u64());
    let r = e
        .ws("GET", &ws_path("snapshots"), &[("limit", "0")], None)
        .await;
    assert_eq!((r.status, r.code().as_deref()), (400, Some("WKS.0002")));
    seen.insert("WKS.0002".into());
    // Other projects of the same account hold their own desktops.
    let other = rewind_emulator::config::demo::HUAWEI_PROJECTS[1].0;
    let r = e
        .ws("GET", &format!("/v2/{other}/snapshots"), &[], None)
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body["total_count"].as_u64().unwrap() > 0);
    let r = e.ws("GET", &ws_path("desktops"), &[], None).await;
    assert_eq!((r.status, r.code().as_deref()), (404, Some("APIGW.0101")));
    seen.insert("APIGW.0101".into());
    let r = e
        .ws(
            "GET",
            "/v2/0123456789abcdef0123456789abcdef/snapshots",
            &[],
            None,
        )
        .await;
    assert_eq!((r.status, r.code().as_deref()), (403, Some("APIGW.0302")));
    seen.insert("APIGW.0302".into());
    let _ = project();
}
