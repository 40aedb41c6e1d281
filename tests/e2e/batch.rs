//! Batches end to end in Chromium: per-item pre-flight, pacing, per-item outcomes and
//! retry of only the failed items, on Lighthouse, ECS and Workspace.

use crate::support::Harness;
use crate::world::*;
use fantoccini::Locator;
use rewind_cloud::Action;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn workspace_restores_100_desktops_and_reports_the_failing_one() {
    let h = Harness::start_with(&["--world", "scale"]).await;
    let emu = h.emulator();
    let region = "cn-north-4";
    let all = emu
        .call(
            Action::WsListDesktopSnapshot,
            region,
            json!({"limit": 1000, "offset": 0}),
        )
        .await;
    let all = rows(&all, &["desktop_snapshots"]);
    // One restorable snapshot per desktop: the failing desktop's and 99 pool desktops'.
    let failing = all
        .iter()
        .find(|s| s["desktop_name"] == "desk-carol" && s["status"] == "create_success")
        .expect("desk-carol has a snapshot");
    let mut ids = vec![failing["snapshot_id"].as_str().unwrap().to_string()];
    let mut desktops = vec!["desk-carol".to_string()];
    for s in &all {
        let desk = s["desktop_name"].as_str().unwrap_or("").to_string();
        if ids.len() < 100
            && desk.starts_with("pool-")
            && s["status"] == "create_success"
            && !desktops.contains(&desk)
        {
            desktops.push(desk);
            ids.push(s["snapshot_id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(ids.len(), 100);

    h.open("huawei/restore").await;
    // Pasting the list (with one blank line) counts 100 valid IDs.
    let text = format!("{}\n\n{}", ids[..50].join("\n"), ids[50..].join("\n"));
    h.type_into("[data-testid=snapshot_ids]", &text).await;
    h.wait_css_text("[data-testid=id-count]", "100 / 100").await;
    h.click("[data-testid=check]").await;
    let summary = h.wait_css("[data-testid=preflight-summary]").await;
    assert!(
        summary
            .attr("class")
            .await
            .unwrap()
            .unwrap_or_default()
            .contains("pass")
    );
    // The confirmation names all 100 desktops.
    assert_eq!(h.count_css("[data-testid=confirm-desktops] li").await, 100);
    h.type_into("[data-testid=confirm-input]", "100").await;
    h.click("[data-testid=start]").await;
    h.wait_attr("[data-testid=op]", "data-status", "partial", OP_LIMIT)
        .await;
    // Per desktop: 99 succeeded, the failing one names its error code.
    let subs = h.count_css("[data-testid=subjob]").await;
    assert_eq!(subs, 100);
    let failed = h
        .client
        .find_all(Locator::Css("[data-testid=subjob][data-status^=FAIL]"))
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    let row = failed[0].text().await.unwrap();
    assert!(row.contains("desk-carol") && row.contains("WKS."), "{row}");
    h.screenshot("workspace-batch").await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

/// The status of a batch item (`queued`, `running`, `succeeded`, `failed`; empty before
/// the batch starts).
async fn item_status(h: &Harness, target: &str) -> String {
    let css = format!("[data-testid=batch-item][data-target='{target}']");
    match h.client.find(Locator::Css(&css)).await {
        Ok(el) => el
            .attr("data-status")
            .await
            .ok()
            .flatten()
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[tokio::test]
async fn lighthouse_batch_checks_each_item_reports_each_and_retries_only_the_failed() {
    // --faults: the embedded emulator can refuse the next rollback, as a cloud may at any
    // time for reasons no pre-flight sees.
    let h = Harness::start_with(&["--faults"]).await;
    let emu = h.emulator();
    let region = LH_REGION;
    let (blog, game, wiki, busy) = (
        lh_instance(&emu, "blog-prod").await,
        lh_instance(&emu, "game-server").await,
        lh_instance(&emu, "wiki").await,
        lh_instance(&emu, "api-gateway").await,
    );
    let snaps = emu
        .call(Action::LhDescribeSnapshots, region, json!({"Limit": 100}))
        .await;
    // A snapshot taken before the disk was resized: the cloud would refuse that rollback.
    let resized = field_where(
        &snaps,
        &["SnapshotSet"],
        "SnapshotName",
        "wiki-before-resize",
        "SnapshotId",
    );

    h.open("tencent/batch").await;
    // A target in a state the cloud refuses cannot be picked, and says why.
    let busy_box = h
        .wait_css(&format!("tr[data-id='{busy}'] [data-testid=batch-select]"))
        .await;
    assert!(busy_box.attr("disabled").await.unwrap().is_some());
    let why = h
        .wait_css(&format!("tr[data-id='{busy}'] [data-testid=batch-blocked]"))
        .await;
    assert!(why.text().await.unwrap().contains("STOPPING"));
    for inst in [&blog, &game, &wiki] {
        h.click(&format!("tr[data-id='{inst}'] [data-testid=batch-select]"))
            .await;
    }
    // Each item gets the form's pre-flight for its snapshot: the old one fails it and
    // holds the batch back, naming the reason; the newest one passes.
    let wiki_snapshot = h
        .wait_css(&format!(
            "tr[data-id='{wiki}'] [data-testid=batch-snapshot]"
        ))
        .await;
    let newest = wiki_snapshot
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    wiki_snapshot.select_by_value(&resized).await.unwrap();
    let wiki_check = format!("tr[data-id='{wiki}'] [data-testid=batch-preflight]");
    h.wait_attr(&wiki_check, "data-status", "fail", OP_LIMIT)
        .await;
    let reason = h.wait_css(&wiki_check).await.text().await.unwrap();
    assert!(reason.contains("resized"), "{reason}");
    h.wait_css("[data-testid=batch-preflight-blocked]").await;
    h.type_into("[data-testid=batch-confirm-input]", "3").await;
    let start = h.wait_css("[data-testid=batch-start]").await;
    assert!(
        start.attr("disabled").await.unwrap().is_some(),
        "a failing item must hold the batch"
    );
    h.screenshot("lighthouse-batch-preflight").await;
    h.wait_css(&format!(
        "tr[data-id='{wiki}'] [data-testid=batch-snapshot]"
    ))
    .await
    .select_by_value(&newest)
    .await
    .unwrap();
    h.wait_until("the wiki item to pass its pre-flight", || async {
        let el = h.wait_css(&wiki_check).await;
        el.attr("data-status").await.ok().flatten().as_deref() != Some("fail")
    })
    .await;
    assert_eq!(
        h.count_css("[data-testid=batch-preflight-blocked]").await,
        0
    );
    h.wait_css_text("[data-testid=batch-count]", "3").await;

    let rollbacks = || async {
        let url = format!(
            "{}api/v1/audit?action=ApplyInstanceSnapshot&limit=500",
            h.url
        );
        let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        body["entries"].as_array().map(Vec::len).unwrap_or(0)
    };

    // Start runs the pre-flight again on the live state: an operation begun on blog-prod
    // since the page loaded (a snapshot, taken straight on the cloud) holds the batch,
    // and nothing is sent.
    let busy_state = || async {
        let s = emu
            .call(
                Action::LhDescribeInstances,
                region,
                json!({"InstanceIds": [blog]}),
            )
            .await;
        s["InstanceSet"][0]["LatestOperationState"].clone()
    };
    emu.call(
        Action::LhCreateInstanceSnapshot,
        region,
        json!({"InstanceId": blog, "SnapshotName": "taken-meanwhile"}),
    )
    .await;
    assert_eq!(busy_state().await, "OPERATING");
    h.click("[data-testid=batch-start]").await;
    let blog_check = format!("tr[data-id='{blog}'] [data-testid=batch-preflight]");
    h.wait_attr(&blog_check, "data-status", "fail", OP_LIMIT)
        .await;
    let reason = h.wait_css(&blog_check).await.text().await.unwrap();
    assert!(reason.contains("OPERATING"), "{reason}");
    h.wait_css("[data-testid=batch-preflight-blocked]").await;
    assert_eq!(h.count_css("[data-testid=batch-item]").await, 0);
    assert_eq!(rollbacks().await, 0, "a held batch sends nothing");
    // The user's choices stay: wiki keeps the snapshot picked above.
    let kept = h
        .wait_css(&format!(
            "tr[data-id='{wiki}'] [data-testid=batch-snapshot]"
        ))
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(kept, newest);
    h.wait_until("the snapshot taken meanwhile to finish", || async {
        busy_state().await == "SUCCESS"
    })
    .await;
    // "Check again" reads the cloud once more: blog-prod passes, the batch may go.
    h.click("[data-testid=batch-recheck]").await;
    h.wait_until("blog-prod to pass its pre-flight again", || async {
        let el = h.wait_css(&blog_check).await;
        el.attr("data-status").await.ok().flatten().as_deref() != Some("fail")
    })
    .await;
    assert_eq!(
        h.count_css("[data-testid=batch-preflight-blocked]").await,
        0
    );

    // The cloud refuses one rollback: the others go on, the failure names its code.
    emu.inject(
        json!({"provider": "tencent", "action": "ApplyInstanceSnapshot", "count": 1,
        "kind": "error", "code": "OperationDenied.InstanceOperationInProgress"}),
    )
    .await;
    h.click("[data-testid=batch-start]").await;
    let items = [&blog, &game, &wiki];
    let started = std::time::Instant::now();
    let failed = loop {
        let mut statuses = Vec::new();
        for inst in items {
            statuses.push(item_status(&h, inst).await);
        }
        let done = statuses.iter().all(|s| s == "succeeded" || s == "failed");
        if done {
            let failed: Vec<_> = items
                .iter()
                .zip(&statuses)
                .filter(|(_, s)| *s == "failed")
                .map(|(i, _)| i.to_string())
                .collect();
            assert_eq!(
                failed.len(),
                1,
                "exactly one refused rollback: {statuses:?}"
            );
            break failed[0].clone();
        }
        assert!(
            started.elapsed() < OP_LIMIT,
            "batch still running: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let code = h
        .wait_css(&format!(
            "[data-testid=batch-item][data-target='{failed}'] [data-testid=batch-item-code]"
        ))
        .await;
    assert_eq!(
        code.text().await.unwrap(),
        "OperationDenied.InstanceOperationInProgress"
    );
    let summary = h.wait_css("[data-testid=batch-summary]").await;
    assert!(
        summary.text().await.unwrap().starts_with("2 "),
        "two succeeded"
    );
    h.screenshot("lighthouse-batch").await;

    // Only the failed item is sent again, and this time the cloud takes it.
    assert_eq!(rollbacks().await, 3);
    h.click("[data-testid=batch-retry]").await;
    h.wait_until("the retry to be sent", || async { rollbacks().await == 4 })
        .await;
    h.wait_attr(
        &format!("[data-testid=batch-item][data-target='{failed}']"),
        "data-status",
        "succeeded",
        OP_LIMIT,
    )
    .await;
    assert_eq!(rollbacks().await, 4);
    // The cloud's own record: every instance's last operation is a successful rollback.
    for inst in items {
        let s = emu
            .call(
                Action::LhDescribeInstances,
                region,
                json!({"InstanceIds": [inst]}),
            )
            .await;
        assert_eq!(
            s["InstanceSet"][0]["LatestOperation"],
            "ApplyInstanceSnapshot"
        );
        assert_eq!(s["InstanceSet"][0]["LatestOperationState"], "SUCCESS");
    }
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn ecs_batch_holds_disks_of_running_instances_and_resets_the_rest() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let stopped = ecs_system_disk(&emu, &ecs_instance(&emu, "web-1").await).await;
    let running = ecs_system_disk(&emu, &ecs_instance(&emu, "web-2").await).await;
    let disks = emu
        .call(
            Action::EcsDescribeDisks,
            ECS_REGION,
            json!({"MaxResults": 100}),
        )
        .await;
    let spare = field_where(
        &disks,
        &["Disks", "Disk"],
        "DiskName",
        "spare-data-data",
        "DiskId",
    );

    h.open("alibaba/batch").await;
    for disk in [&stopped, &running, &spare] {
        h.click(&format!("tr[data-id='{disk}'] [data-testid=batch-select]"))
            .await;
    }
    // The disk of a Running instance fails the same pre-flight as the form, and says so.
    let check = |disk: &str| format!("tr[data-id='{disk}'] [data-testid=batch-preflight]");
    h.wait_attr(&check(&running), "data-status", "fail", OP_LIMIT)
        .await;
    let reason = h.wait_css(&check(&running)).await.text().await.unwrap();
    assert!(reason.contains("Stopped"), "{reason}");
    for disk in [&stopped, &spare] {
        h.wait_attr(&check(disk), "data-status", "pass", OP_LIMIT)
            .await;
    }
    h.wait_css("[data-testid=batch-preflight-blocked]").await;
    h.type_into("[data-testid=batch-confirm-input]", "3").await;
    let start = h.wait_css("[data-testid=batch-start]").await;
    assert!(start.attr("disabled").await.unwrap().is_some());

    // Left out, the rest goes: two resets, both to completion.
    h.click(&format!(
        "tr[data-id='{running}'] [data-testid=batch-select]"
    ))
    .await;
    h.wait_css_text("[data-testid=batch-count]", "2").await;
    h.type_into("[data-testid=batch-confirm-input]", "2").await;
    h.click("[data-testid=batch-start]").await;
    for disk in [&stopped, &spare] {
        h.wait_attr(
            &format!("[data-testid=batch-item][data-target='{disk}']"),
            "data-status",
            "succeeded",
            OP_LIMIT,
        )
        .await;
    }
    let url = format!("{}api/v1/audit?action=ResetDisk&limit=100", h.url);
    let audit: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    let reset: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["params"]["DiskId"].as_str())
        .collect();
    assert_eq!(reset.len(), 2, "{audit}");
    assert!(!reset.contains(&running.as_str()), "{reset:?}");
    // The cloud's state: both disks are back in their state, the held one untouched.
    let disks = emu
        .call(
            Action::EcsDescribeDisks,
            ECS_REGION,
            json!({"MaxResults": 100}),
        )
        .await;
    let status = |id: &str| field_where(&disks, &["Disks", "Disk"], "DiskId", id, "Status");
    assert_eq!(status(&stopped), "In_use");
    assert_eq!(status(&spare), "Available");
    assert_eq!(status(&running), "In_use");
    h.assert_no_console_errors().await;
    h.stop().await;
}
