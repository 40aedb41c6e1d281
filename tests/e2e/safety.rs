//! The review's fixes in the rollback flows (issue #13, item 7), end to end in Chromium:
//! the pre-flight counts the safety snapshot against the quota and offers to go on
//! without it; the "Stop instance" fix is confirmed first, with ECS's stop modes; a
//! Workspace job that partly failed says so, names the failed desktops and retries only
//! them.

use crate::support::Harness;
use crate::world::*;
use rewind_cloud::Action;
use serde_json::{Value, json};

/// The audit log's calls of `action`, oldest first (their parameters).
async fn audited(h: &Harness, action: &str) -> Vec<Value> {
    let url = format!("{}api/v1/audit?action={action}&limit=500", h.url);
    let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    let mut out: Vec<Value> = body["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["params"].clone())
        .collect();
    out.reverse();
    out
}

/// Waits until some element `css` holds `needle`, finding it afresh each time (the form
/// is drawn again once the session has loaded, which leaves an early handle stale).
async fn wait_fresh_text(h: &Harness, css: &str, needle: &str) {
    h.wait_until(&format!("{css} to read {needle:?}"), || async {
        match h.client.find(fantoccini::Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default().contains(needle),
            Err(_) => false,
        }
    })
    .await;
}

async fn checked(h: &Harness, css: &str) -> bool {
    h.wait_css(css)
        .await
        .prop("checked")
        .await
        .unwrap()
        .as_deref()
        == Some("true")
}

#[tokio::test]
async fn a_full_instance_blocks_the_safety_snapshot_and_continuing_without_it_rolls_back() {
    let h = Harness::start().await;
    let emu = h.emulator();
    // game-server: RUNNING, with 4 of its 4 snapshots.
    let inst = lh_instance(&emu, "game-server").await;
    let snaps = emu
        .call(
            Action::LhDescribeSnapshots,
            LH_REGION,
            json!({"Filters": [{"Name": "instance-id", "Values": [inst]}], "Limit": 100}),
        )
        .await;
    assert_eq!(rows(&snaps, &["SnapshotSet"]).len(), 4, "{snaps}");
    let snap = text(
        find(
            &rows(&snaps, &["SnapshotSet"]),
            "SnapshotName",
            "game-server-0",
        ),
        "SnapshotId",
    );

    h.open(&format!("tencent/rollback?instance={inst}&snapshot={snap}"))
        .await;
    h.click("[data-testid=check]").await;
    // "Create a snapshot first" is ticked by default: there is no room for it.
    let quota = "[data-testid=checklist] li[data-rule='safety_snapshot.quota']";
    h.wait_css(&format!("{quota}[data-status=fail]")).await;
    h.wait_css("[data-testid=preflight-summary].fail").await;
    assert!(checked(&h, "[data-testid=snapshot-first]").await);
    let start = h.wait_css("[data-testid=start]").await;
    assert!(start.attr("disabled").await.unwrap().is_some());
    h.screenshot("safety-quota-blocked").await;

    // The explicit choice: no safety snapshot. The checks follow and pass; the
    // confirmation says plainly that none will be taken.
    h.click(&format!("{quota} [data-testid=choice-no-safety]"))
        .await;
    h.wait_css("[data-testid=preflight-summary].pass").await;
    assert_eq!(h.count_css(quota).await, 0);
    assert!(!checked(&h, "[data-testid=snapshot-first]").await);
    let notice = h.wait_css("[data-testid=no-safety-snapshot]").await;
    h.wait_text(&notice, "No safety snapshot will be taken")
        .await;
    h.screenshot("safety-quota-continue").await;

    h.confirm_and_start(&inst).await;
    h.wait_attr("[data-testid=op]", "data-status", "succeeded", OP_LIMIT)
        .await;
    assert_eq!(
        h.count_css("[data-testid=op] [data-testid=safety-snapshot]")
            .await,
        0,
        "no safety snapshot, nothing to undo to"
    );

    // The cloud saw one rollback and no snapshot being taken; still 4 snapshots.
    let creates = audited(&h, "CreateInstanceSnapshot").await;
    assert!(creates.is_empty(), "{creates:?}");
    let applies = audited(&h, "ApplyInstanceSnapshot").await;
    assert_eq!(
        applies,
        [json!({"InstanceId": inst, "SnapshotId": snap})],
        "exactly one rollback"
    );
    let after = emu
        .call(
            Action::LhDescribeSnapshots,
            LH_REGION,
            json!({"Filters": [{"Name": "instance-id", "Values": [inst]}], "Limit": 100}),
        )
        .await;
    assert_eq!(rows(&after, &["SnapshotSet"]).len(), 4);
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn the_ecs_stop_fix_is_confirmed_with_the_stop_modes_then_stops_the_instance() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let inst = ecs_instance(&emu, "web-2").await;
    let disk = ecs_system_disk(&emu, &inst).await;
    let snap = ecs_snapshot(&emu, &disk).await;
    h.open(&format!("alibaba/reset-disk?disk={disk}&snapshot={snap}"))
        .await;
    h.click("[data-testid=check]").await;
    let state = "[data-testid=checklist] li[data-rule='instance.state']";
    h.wait_css(&format!("{state}[data-status=fail]")).await;

    // The fix asks first, naming the instance; nothing is sent yet.
    h.click(&format!("{state} [data-testid=fix]")).await;
    let named = h.wait_css("[data-testid=stop-confirm-instance]").await;
    let named = named.text().await.unwrap();
    assert!(named.contains("web-2") && named.contains(&inst), "{named}");
    assert!(audited(&h, "StopInstance").await.is_empty());
    // ForceStop is off by default, and warns when ticked; StoppedMode is the cloud's
    // default unless chosen.
    assert!(!checked(&h, "[data-testid=force-stop]").await);
    assert_eq!(h.count_css("[data-testid=force-stop-warning]").await, 0);
    assert!(checked(&h, "[data-testid=stopped-mode-default]").await);
    // Cancel closes it without a call.
    h.click("[data-testid=stop-confirm-cancel]").await;
    h.wait_until("the confirmation to close", || async {
        h.count_css("[data-testid=stop-confirm]").await == 0
    })
    .await;
    h.click(&format!("{state} [data-testid=fix]")).await;
    h.click("[data-testid=force-stop]").await;
    let warning = h.wait_css("[data-testid=force-stop-warning]").await;
    h.wait_text(&warning, "may be lost").await;
    h.click("[data-testid=stopped-mode-StopCharging]").await;
    h.screenshot("ecs-stop-confirm").await;
    h.click("[data-testid=stop-confirm-go]").await;

    // The stop runs as an operation named "Stop web-2 (i-…)", the ID once; then the
    // check runs again and passes.
    let title = h.wait_css("[data-testid=op] [data-testid=op-title]").await;
    let title = title.text().await.unwrap();
    assert_eq!(title, format!("Stop web-2 ({inst})"));
    h.wait_attr(state, "data-status", "pass", OP_LIMIT).await;
    let i = emu
        .call(
            Action::EcsDescribeInstances,
            ECS_REGION,
            json!({"InstanceIds": [inst]}),
        )
        .await;
    assert_eq!(i["Instances"]["Instance"][0]["Status"], "Stopped");
    let stops = audited(&h, "StopInstance").await;
    assert_eq!(stops.len(), 1, "{stops:?}");
    assert_eq!(stops[0]["InstanceId"], inst.as_str());
    assert!(
        stops[0]["ForceStop"] == json!(true) || stops[0]["ForceStop"] == "true",
        "{stops:?}"
    );
    assert_eq!(stops[0]["StoppedMode"], "StopCharging");
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn a_partly_failed_workspace_job_names_the_failed_desktop_and_retries_only_it() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let all = emu
        .call(
            Action::WsListDesktopSnapshot,
            WS_REGION,
            json!({"limit": 100, "offset": 0}),
        )
        .await;
    let listed = rows(&all, &["desktop_snapshots"]);
    let id = |name: &str| text(find(&listed, "snapshot_name", name), "snapshot_id");
    // desk-carol's restores fail in the demo world.
    let ids = [
        id("desk-alice-snap-0"),
        id("desk-bob-snap-0"),
        id("desk-carol-snap-0"),
    ];
    h.open(&format!("huawei/restore?snapshots={}", ids.join(",")))
        .await;
    wait_fresh_text(&h, "[data-testid=id-count]", "3 / 100").await;
    h.click("[data-testid=check]").await;
    h.wait_css("[data-testid=preflight-summary].pass").await;
    h.type_into("[data-testid=confirm-input]", "3").await;
    h.click("[data-testid=start]").await;

    // Two of three restored: partly failed, not failed; the job's line ends FAIL.
    h.wait_attr("[data-testid=op]", "data-status", "partial", OP_LIMIT)
        .await;
    h.wait_css_text("[data-testid=op-status]", "Partly failed")
        .await;
    let job = h.wait_css("[data-testid=ws-job]").await;
    let job_id = h
        .wait_css("[data-testid=ws-job] [data-testid=ws-job-id]")
        .await
        .text()
        .await
        .unwrap();
    assert!(!job_id.is_empty());
    h.wait_text(&job, "FAIL").await;
    assert_eq!(
        h.count_css("[data-testid=ws-job] [data-testid=copy]").await,
        1,
        "the job ID can be copied"
    );
    let step = h.wait_css("[data-testid=op] [data-testid=step]").await;
    let step = step.text().await.unwrap();
    assert!(
        step.contains("FAIL 3/3") && !step.contains("RUNNING"),
        "{step}"
    );
    let failed = h.wait_css("[data-testid=failed-desktops]").await;
    let failed = failed.text().await.unwrap();
    assert!(
        failed.contains("desk-carol") && failed.contains("WKS.00110043"),
        "{failed}"
    );
    assert_eq!(h.count_css("[data-testid=failed-desktop]").await, 1);
    h.screenshot("workspace-partial").await;

    // Retry: the same form, with only the failed desktop's snapshot, through the
    // pre-flight and the confirmation again.
    h.click("[data-testid=retry-failed-desktops]").await;
    wait_fresh_text(&h, "[data-testid=id-count]", "1 / 100").await;
    assert_eq!(h.value("[data-testid=snapshot_ids]").await, ids[2]);
    h.click("[data-testid=check]").await;
    let targets = h.wait_css("[data-testid=confirm-desktops]").await;
    h.wait_text(&targets, "desk-carol").await;
    assert_eq!(h.count_css("[data-testid=confirm-desktops] li").await, 1);
    h.assert_no_console_errors().await;
    h.stop().await;
}
