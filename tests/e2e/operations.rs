//! Operations run on the cloud crate's state machines, end to end in Chromium: on the
//! server in portal mode (they outlive the browser that started them), in the tab in
//! relay mode (a reload resumes them without sending anything twice), cancelled before
//! their point of no return (and refused after it), and undone through their safety
//! snapshot.

use crate::support::{Emulator, Harness};
use crate::world::*;
use rewind_cloud::Action;
use rewind_emulator::config::demo;
use serde_json::{Value, json};

async fn lh_snapshots(emu: &Emulator, inst: &str) -> Value {
    emu.call(
        Action::LhDescribeSnapshots,
        LH_REGION,
        json!({"Filters": [{"Name": "instance-id", "Values": [inst]}], "Limit": 100}),
    )
    .await
}

/// The snapshots of `inst` Rewind took before a rollback (`rewind-before-…`).
async fn safety_snapshots(emu: &Emulator, inst: &str) -> Vec<String> {
    let snaps = lh_snapshots(emu, inst).await;
    rows(&snaps, &["SnapshotSet"])
        .into_iter()
        .filter(|s| {
            s["SnapshotName"]
                .as_str()
                .is_some_and(|n| n.starts_with("rewind-before-"))
        })
        .map(|s| s["SnapshotId"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn lh_state(emu: &Emulator, inst: &str) -> Value {
    let i = emu
        .call(
            Action::LhDescribeInstances,
            LH_REGION,
            json!({"InstanceIds": [inst]}),
        )
        .await;
    i["InstanceSet"][0].clone()
}

/// The ApplyInstanceSnapshot calls in the audit log, as (instance, snapshot), oldest first.
async fn rollbacks(h: &Harness) -> Vec<(String, String)> {
    let url = format!(
        "{}api/v1/audit?action=ApplyInstanceSnapshot&limit=500",
        h.url
    );
    let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    let mut out: Vec<(String, String)> = body["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let p = &e["params"];
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            (s("InstanceId"), s("SnapshotId"))
        })
        .collect();
    out.reverse();
    out
}

/// Opens the Lighthouse rollback form for `inst` and `snap`, runs the pre-flight and
/// types the confirmation; answers with the start button ready.
async fn confirm_rollback(h: &Harness, inst: &str, snap: &str) {
    h.open(&format!("tencent/rollback?instance={inst}&snapshot={snap}"))
        .await;
    h.click("[data-testid=check]").await;
    h.wait_css("[data-testid=confirm]").await;
    h.type_into("[data-testid=confirm-input]", inst).await;
    let start = h.wait_css("[data-testid=start]").await;
    h.wait_until("the start button to enable", || async {
        start.attr("disabled").await.unwrap().is_none()
    })
    .await;
}

async fn checked(h: &Harness, testid: &str) -> bool {
    h.wait_css(&format!("[data-testid={testid}]"))
        .await
        .prop("checked")
        .await
        .unwrap()
        .as_deref()
        == Some("true")
}

/// The id of the operation shown on the page (the form's progress panel).
async fn op_id(h: &Harness) -> String {
    h.wait_css("[data-testid=op][data-op-id]")
        .await
        .attr("data-op-id")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// The operations page's entry for operation `id`.
fn listed(id: &str) -> String {
    format!("[data-testid=ops-list] [data-testid=op][data-op-id='{id}']")
}

#[tokio::test]
async fn a_portal_rollback_outlives_the_browser_and_undo_rolls_back_to_its_safety_snapshot() {
    let mut h = Harness::start().await;
    let emu = h.emulator();
    let inst = lh_instance(&emu, "blog-prod").await;
    let snap = lh_snapshot(&emu, &inst, "blog-daily").await;
    assert_eq!(lh_state(&emu, &inst).await["InstanceState"], "RUNNING");

    confirm_rollback(&h, &inst, &snap).await;
    assert!(checked(&h, "snapshot-first").await);
    assert!(checked(&h, "start-after").await, "the instance was running");
    h.click("[data-testid=start]").await;
    let id = op_id(&h).await;
    // The server runs it: the safety snapshot is being taken (it takes 8 s in the
    // emulator) when the browser goes away.
    h.wait_attr(
        "[data-testid=step]:first-child",
        "data-state",
        "running",
        OP_LIMIT,
    )
    .await;
    h.new_browser().await;

    // A new browser session finds it under Operations, finished, with who started it.
    h.open("operations").await;
    h.wait_css(&listed(&id)).await;
    h.wait_attr(&listed(&id), "data-status", "succeeded", OP_LIMIT)
        .await;
    let session: Value = reqwest::get(format!("{}api/v1/session", h.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = session["user"].as_str().expect("a user").to_string();
    let shown_user = h
        .wait_css(&format!("{} [data-testid=op-user]", listed(&id)))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(shown_user, user, "who started it");
    assert_eq!(
        h.count_css(&format!(
            "{} [data-testid=step][data-state=done]",
            listed(&id)
        ))
        .await,
        3,
        "safety snapshot, rollback, start"
    );
    h.screenshot("operations-portal-finished").await;
    // The cloud agrees: rolled back, running again, one safety snapshot taken.
    let state = lh_state(&emu, &inst).await;
    assert_eq!(state["InstanceState"], "RUNNING", "{state}");
    let safety = safety_snapshots(&emu, &inst).await;
    assert_eq!(safety.len(), 1, "{safety:?}");
    let shown = h
        .wait_css(&format!("{} [data-testid=safety-snapshot-id]", listed(&id)))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(shown, safety[0]);
    // Named after the instance, with when it was taken.
    let name = h
        .wait_css(&format!(
            "{} [data-testid=safety-snapshot-name]",
            listed(&id)
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        name.starts_with("rewind-before-rollback-blog-prod-"),
        "{name}"
    );
    let taken = h
        .wait_css(&format!(
            "{} [data-testid=safety-snapshot-time]",
            listed(&id)
        ))
        .await;
    assert!(taken.text().await.unwrap().contains(" UTC"));
    assert!(
        taken
            .attr("datetime")
            .await
            .unwrap()
            .is_some_and(|d| d.ends_with('Z'))
    );
    assert_eq!(rollbacks(&h).await, [(inst.clone(), snap.clone())]);

    // Undo opens the same form on the safety snapshot, with the same checks.
    h.click(&format!("{} [data-testid=undo]", listed(&id)))
        .await;
    h.wait_until("the form pre-filled with the safety snapshot", || async {
        h.value("[data-testid=SnapshotId]").await == safety[0]
    })
    .await;
    assert_eq!(h.value("[data-testid=InstanceId]").await, inst);
    h.click("[data-testid=check]").await;
    h.wait_css("[data-testid=checklist]").await;
    let start = h.wait_css("[data-testid=start]").await;
    assert!(
        start.attr("disabled").await.unwrap().is_some(),
        "the typed confirmation is asked again"
    );
    h.click("[data-testid=snapshot-first]").await;
    h.type_into("[data-testid=confirm-input]", &inst).await;
    h.click("[data-testid=start]").await;
    h.wait_attr("[data-testid=op]", "data-status", "succeeded", OP_LIMIT)
        .await;
    assert_eq!(
        rollbacks(&h).await,
        [(inst.clone(), snap), (inst.clone(), safety[0].clone())]
    );
    let state = lh_state(&emu, &inst).await;
    assert_eq!(state["LatestOperationState"], "SUCCESS", "{state}");
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn cancel_stops_an_operation_before_its_rollback_and_is_refused_after_it() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let inst = lh_instance(&emu, "wiki").await;
    let snap = lh_snapshot(&emu, &inst, "wiki-good").await;

    // Cancelled while the safety snapshot is taken: the rollback is never sent.
    confirm_rollback(&h, &inst, &snap).await;
    h.click("[data-testid=start]").await;
    h.wait_attr(
        "[data-testid=step]:first-child",
        "data-state",
        "running",
        OP_LIMIT,
    )
    .await;
    h.click("[data-testid=op-cancel]").await;
    h.wait_attr("[data-testid=op]", "data-status", "cancelled", OP_LIMIT)
        .await;
    assert_eq!(h.count_css("[data-testid=op-cancel]").await, 0);
    h.screenshot("operation-cancelled").await;
    assert!(rollbacks(&h).await.is_empty(), "nothing was rolled back");

    // Once the rollback is sent, Cancel says why it cannot stop it, and it finishes.
    // The safety snapshot already asked for is still taken (the cloud carries on).
    let started = std::time::Instant::now();
    loop {
        let snaps = lh_snapshots(&emu, &inst).await;
        let safety: Vec<&Value> = rows(&snaps, &["SnapshotSet"])
            .into_iter()
            .filter(|s| {
                s["SnapshotName"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("rewind-before-"))
            })
            .collect();
        if safety.iter().all(|s| s["SnapshotState"] == "NORMAL") {
            break;
        }
        assert!(started.elapsed() < OP_LIMIT, "{safety:?}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // The first safety snapshot filled wiki's 4 slots: the pre-flight offers to go on
    // without one.
    h.open(&format!("tencent/rollback?instance={inst}&snapshot={snap}"))
        .await;
    h.click("[data-testid=check]").await;
    h.click("[data-testid=choice-no-safety]").await;
    assert!(!checked(&h, "snapshot-first").await);
    h.confirm_and_start(&inst).await;
    h.wait_css("[data-testid=step]:first-child [data-testid=step-request-id]")
        .await;
    h.click("[data-testid=op-cancel]").await;
    h.wait_css_text("[data-testid=cancel-refused]", "NotCancellable")
        .await;
    h.wait_attr("[data-testid=op]", "data-status", "succeeded", OP_LIMIT)
        .await;
    assert_eq!(rollbacks(&h).await, [(inst, snap)]);
    // The browser logs the refused cancel's 409; nothing else went wrong.
    let unexpected: Vec<Value> = h
        .browser_log()
        .await
        .into_iter()
        .filter(|e| e["level"] == "SEVERE")
        .filter(|e| {
            !e["message"]
                .as_str()
                .is_some_and(|m| m.contains("/cancel - ") && m.contains("409"))
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "browser console errors: {unexpected:#?}"
    );
    h.stop().await;
}

#[tokio::test]
async fn a_relay_operation_runs_in_the_tab_and_resumes_after_a_reload() {
    let h = Harness::start_with(&["--relay"]).await;
    let emu = h.emulator();
    let inst = lh_instance(&emu, "blog-prod").await;
    let snap = lh_snapshot(&emu, &inst, "blog-daily").await;
    // Keys remembered for the tab, so a reload keeps them.
    h.open("settings").await;
    h.click("[data-testid=remember]").await;
    h.type_into("[data-testid=tencent-id]", demo::TENCENT_SECRET_ID)
        .await;
    h.type_into("[data-testid=tencent-secret]", demo::TENCENT_SECRET_KEY)
        .await;
    h.click("[data-testid=tencent-save]").await;
    h.wait_css_text("[data-testid=tencent-status]", "secret •••• set")
        .await;

    confirm_rollback(&h, &inst, &snap).await;
    h.click("[data-testid=start]").await;
    let id = op_id(&h).await;
    assert!(id.starts_with("tab-"), "{id}");
    // The safety snapshot's create was answered; the snapshot is still being taken.
    h.wait_css("[data-testid=step]:first-child [data-testid=step-request-id]")
        .await;
    let saved = h
        .js(&format!(
            "return sessionStorage.getItem('rewind.task.{id}')"
        ))
        .await;
    let saved: Value =
        serde_json::from_str(saved.as_str().expect("saved in sessionStorage")).unwrap();
    assert_eq!(saved["profile"], "keys-tencent");
    assert_eq!(saved["task"]["shape"], "one");
    // Leaving the page while it runs asks first.
    let asks = h
        .js("const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented;")
        .await;
    assert_eq!(asks, json!(true));

    h.client.refresh().await.unwrap();
    h.click("[data-testid=ops-link]").await;
    h.wait_css("[data-testid=ops-in-tab]").await;
    h.wait_attr(&listed(&id), "data-status", "succeeded", OP_LIMIT)
        .await;
    h.screenshot("operations-relay-resumed").await;
    // Resumed, not repeated: one safety snapshot, one rollback, the instance running.
    assert_eq!(safety_snapshots(&emu, &inst).await.len(), 1);
    let state = lh_state(&emu, &inst).await;
    assert_eq!(state["LatestOperation"], "StartInstances", "{state}");
    assert_eq!(state["InstanceState"], "RUNNING", "{state}");
    // Everything went through the relay, signed in the tab.
    assert_eq!(h.requests_to("/api/v1/call"), 0);
    assert_eq!(h.requests_to("/api/v1/operations"), 0);
    assert!(h.requests_to("/relay") > 0);
    let asks = h
        .js("const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented;")
        .await;
    assert_eq!(asks, json!(false), "nothing runs any more");
    h.assert_no_console_errors().await;
    h.stop().await;
}

/// The ResetDisk calls in the audit log, as (disk, snapshot), oldest first.
async fn resets(h: &Harness) -> Vec<(String, String)> {
    let url = format!("{}api/v1/audit?action=ResetDisk&limit=500", h.url);
    let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    let mut out: Vec<(String, String)> = body["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["params"]["DryRun"] != json!(true) && e["params"]["DryRun"] != "true")
        .map(|e| {
            let p = &e["params"];
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            (s("DiskId"), s("SnapshotId"))
        })
        .collect();
    out.reverse();
    out
}

#[tokio::test]
async fn a_portal_ecs_reset_with_stop_and_start_outlives_the_browser() {
    let mut h = Harness::start().await;
    let emu = h.emulator();
    let inst = ecs_instance(&emu, "web-2").await;
    let disk = ecs_system_disk(&emu, &inst).await;
    let snap = ecs_snapshot(&emu, &disk).await;
    assert_eq!(ecs_status(&emu, &inst).await, "Running");

    // The pre-flight stops the instance (its fix), then the reset is confirmed with a
    // safety snapshot first and a start afterwards (ticked: it was running).
    h.open(&format!("alibaba/reset-disk?disk={disk}&snapshot={snap}"))
        .await;
    h.click("[data-testid=check]").await;
    h.wait_css("[data-testid=checklist] li[data-rule='instance.state'][data-status=fail]")
        .await;
    stop_with_the_fix(&h).await;
    h.wait_attr(
        "[data-testid=checklist] li[data-rule='instance.state']",
        "data-status",
        "pass",
        OP_LIMIT,
    )
    .await;
    assert_eq!(ecs_status(&emu, &inst).await, "Stopped");
    assert!(checked(&h, "snapshot-first").await);
    assert!(checked(&h, "start-after").await, "it was running");
    h.confirm_and_start(&disk).await;
    let id = op_id(&h).await;
    // The safety snapshot is being taken (8 s in the emulator) when the browser goes.
    h.wait_attr(
        "[data-testid=step]:first-child",
        "data-state",
        "running",
        OP_LIMIT,
    )
    .await;
    h.new_browser().await;

    h.open("operations").await;
    h.wait_attr(&listed(&id), "data-status", "succeeded", OP_LIMIT)
        .await;
    h.screenshot("operations-portal-ecs-finished").await;
    // The cloud agrees: one safety snapshot of the disk, exactly one reset, running.
    let after = emu
        .call(
            Action::EcsDescribeSnapshots,
            ECS_REGION,
            json!({"DiskId": disk}),
        )
        .await;
    let safety: Vec<&Value> = rows(&after, &["Snapshots", "Snapshot"])
        .into_iter()
        .filter(|s| {
            s["SnapshotName"]
                .as_str()
                .is_some_and(|n| n.starts_with("rewind-before-"))
        })
        .collect();
    assert_eq!(safety.len(), 1, "{safety:?}");
    let shown = h
        .wait_css(&format!("{} [data-testid=safety-snapshot-id]", listed(&id)))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(shown, text(safety[0], "SnapshotId"));
    assert_eq!(resets(&h).await, [(disk.clone(), snap)]);
    assert_eq!(ecs_status(&emu, &inst).await, "Running");
    h.assert_no_console_errors().await;
    h.stop().await;
}

/// Clicks the pre-flight's "Stop the instance" fix and confirms it.
async fn stop_with_the_fix(h: &Harness) {
    h.click("[data-testid=fix]").await;
    h.click("[data-testid=stop-confirm-go]").await;
}

#[tokio::test]
async fn pages_kept_for_the_back_button_do_not_hold_the_servers_connections() {
    // Each page of the console follows the server's operations over one event stream.
    // A browser opens at most six connections to a server: were the streams of pages
    // kept for the Back button (or of hidden tabs) still open, after a few page loads
    // the next page could not send anything, and its list would never arrive.
    let h = Harness::start().await;
    for _ in 0..3 {
        for (page, drawn) in [
            ("tencent/instances", ".inventory tbody tr[data-id]"),
            ("tencent/rollback", "[data-testid=check]"),
            ("alibaba/batch", "[data-testid=batch-targets] tbody tr"),
            ("operations", "[data-testid=audit]"),
            ("settings", "[data-testid=settings] p"),
            ("alibaba/disks", ".inventory tbody tr[data-id]"),
            ("huawei/snapshots", ".inventory tbody tr[data-id]"),
        ] {
            h.open(page).await;
            h.wait_css(drawn).await;
        }
    }
    // Back to a page the browser kept (the ECS disks): it still reads.
    h.client.back().await.unwrap();
    h.wait_css(".inventory[data-view=disks] tbody tr[data-id]")
        .await;
    h.open("tencent/instances").await;
    h.wait_css(".inventory tbody tr[data-id]").await;
    h.assert_no_console_errors().await;
    h.stop().await;
}
