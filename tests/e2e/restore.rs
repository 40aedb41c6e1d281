//! The restore flows, end to end in Chromium against `rewind serve --demo`: forms with
//! inline validation, the pre-flight checklist, the confirmation, progress to
//! completion, and the clouds' state checked directly on the embedded emulator.

use crate::support::Harness;
use crate::world::*;
use rewind_cloud::Action;
use serde_json::json;

#[tokio::test]
async fn lighthouse_rollback_from_the_list_to_completion() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let region = "ap-guangzhou";
    h.open("tencent/instances").await;
    let inst = h.row_id("blog-prod").await;
    // A row whose state forbids the action shows it disabled, with the reason.
    let pending = h.row_id("shop-new").await;
    let disabled = h
        .wait_css(&format!(
            "tr[data-id='{pending}'] [data-testid=action-rollback]"
        ))
        .await;
    assert_eq!(
        disabled.attr("aria-disabled").await.unwrap().as_deref(),
        Some("true")
    );
    let reason = h
        .wait_css(&format!(
            "tr[data-id='{pending}'] [data-testid=disabled-reason]"
        ))
        .await;
    let reason = reason
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(reason.contains("PENDING"), "{reason}");
    let snaps = emu
        .call(
            Action::LhDescribeSnapshots,
            region,
            json!({"Filters": [{"Name": "instance-id", "Values": [inst]}], "Limit": 100}),
        )
        .await;
    let before = rows(&snaps, &["SnapshotSet"]).len();
    let snap = find(
        &rows(&snaps, &["SnapshotSet"]),
        "SnapshotName",
        "blog-daily",
    )["SnapshotId"]
        .as_str()
        .unwrap()
        .to_string();

    // From the row to the form, with the instance filled in.
    h.click(&format!(
        "tr[data-id='{inst}'] [data-testid=action-rollback]"
    ))
    .await;
    assert_eq!(h.value("[data-testid=InstanceId]").await, inst);
    h.type_into("[data-testid=SnapshotId]", &snap).await;
    h.click("[data-testid=check]").await;

    // The pre-flight reads live state: the instance is RUNNING, so the warning shows.
    let warning = h.wait_css("[data-testid=forced-shutdown]").await;
    assert!(
        warning.text().await.unwrap().contains("forcibly shut down"),
        "{}",
        warning.text().await.unwrap()
    );
    h.wait_css("[data-testid=forced-shutdown-confirm]").await;
    let target = h.wait_css("[data-testid=confirm-target]").await;
    assert_eq!(target.text().await.unwrap(), inst);
    // A snapshot first, and (the instance was running) starting it again afterwards.
    for option in ["snapshot-first", "start-after"] {
        let checked = h
            .wait_css(&format!("[data-testid={option}]"))
            .await
            .prop("checked")
            .await
            .unwrap();
        assert_eq!(checked.as_deref(), Some("true"), "{option} is ticked");
    }
    h.screenshot("lighthouse-confirm").await;

    // Nothing starts until the instance ID is typed.
    let start = h.wait_css("[data-testid=start]").await;
    assert!(start.attr("disabled").await.unwrap().is_some());
    h.type_into("[data-testid=confirm-input]", &inst[..inst.len() - 1])
        .await;
    assert!(start.attr("disabled").await.unwrap().is_some());
    h.type_into("[data-testid=confirm-input]", &inst).await;
    h.wait_until("the start button to enable", || async {
        start.attr("disabled").await.unwrap().is_none()
    })
    .await;
    start.click().await.unwrap();

    h.wait_attr("[data-testid=op]", "data-status", "succeeded", OP_LIMIT)
        .await;
    // A snapshot first (on by default), the rollback, the start: each with its RequestId.
    assert_eq!(h.count_css("[data-testid=step][data-state=done]").await, 3);
    assert!(h.count_css("[data-testid=step-request-id]").await >= 3);
    h.screenshot("lighthouse-done").await;

    // The emulator agrees: the rollback succeeded and a new snapshot was taken first.
    let s = emu
        .call(
            Action::LhDescribeSnapshots,
            region,
            json!({"SnapshotIds": [snap]}),
        )
        .await;
    let s = &s["SnapshotSet"][0];
    assert_eq!(s["SnapshotState"], "NORMAL", "{s}");
    assert_eq!(s["LatestOperationState"], "SUCCESS", "{s}");
    let after = emu
        .call(
            Action::LhDescribeSnapshots,
            region,
            json!({"Filters": [{"Name": "instance-id", "Values": [inst]}], "Limit": 100}),
        )
        .await;
    assert_eq!(rows(&after, &["SnapshotSet"]).len(), before + 1);
    let i = emu
        .call(
            Action::LhDescribeInstances,
            region,
            json!({"InstanceIds": [inst]}),
        )
        .await;
    assert_eq!(i["InstanceSet"][0]["InstanceState"], "RUNNING");

    // The operations page lists it, and its calls are in the audit log.
    h.click("[data-testid=ops-link]").await;
    h.wait_attr(
        "[data-testid=ops-list] [data-testid=op]",
        "data-status",
        "succeeded",
        OP_LIMIT,
    )
    .await;
    h.wait_css_text("[data-testid=audit]", "ApplyInstanceSnapshot")
        .await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn invalid_ids_are_explained_inline_and_never_sent() {
    let h = Harness::start().await;
    let cases = [
        ("tencent/rollback", "InstanceId", "lhins-BAD!"),
        ("alibaba/reset-disk", "DiskId", "x-123"),
        ("huawei/restore", "snapshot_ids", "not a uuid\nnot a uuid"),
    ];
    for (page, field, bad) in cases {
        h.open(page).await;
        let sent_before = h.requests_to("/api/v1/call");
        h.type_into(&format!("[data-testid={field}]"), bad).await;
        let error = h.wait_css("[data-testid=field-error]").await;
        assert!(!error.text().await.unwrap().is_empty());
        let check = h.wait_css("[data-testid=check]").await;
        assert!(
            check.attr("disabled").await.unwrap().is_some(),
            "{page}: submit must stay disabled"
        );
        // Submitting anyway (Enter in the form) does nothing either.
        if field != "snapshot_ids" {
            h.wait_css(&format!("[data-testid={field}]"))
                .await
                .send_keys("\u{E007}")
                .await
                .unwrap();
        }
        h.screenshot(&format!("invalid-{}", page.replace('/', "-")))
            .await;
        // A barrier: the first page of a list that joins no other list is exactly one
        // call. When it has been logged, everything the form could have sent before it
        // has been logged too.
        let list = match page.split('/').next().unwrap() {
            "tencent" => "tencent/instances",
            "alibaba" => "alibaba/disks",
            _ => "huawei/snapshots",
        };
        h.open(list).await;
        h.wait_css(".inventory tbody tr[data-id]").await;
        h.wait_until("the inventory call in the request log", || async {
            h.requests_to("/api/v1/call") > sent_before
        })
        .await;
        assert_eq!(
            h.requests_to("/api/v1/call"),
            sent_before + 1,
            "{page}: the invalid form sent a request (server log: {})",
            h.server_log.display()
        );
    }
    // The same inline error in Chinese.
    h.open("tencent/rollback").await;
    h.click(".lang-switch button[lang='zh-CN']").await;
    h.type_into("[data-testid=InstanceId]", "lhins-BAD!").await;
    let error = h.wait_css("[data-testid=field-error]").await;
    let text = error.text().await.unwrap();
    assert!(
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "expected a Chinese message, got {text:?}"
    );
    h.wait_css_text("label[for='f-rollback-InstanceId']", "实例 ID")
        .await;
    h.screenshot("invalid-zh").await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn ecs_reset_needs_a_stopped_instance_offers_stop_and_dry_runs() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let region = ECS_REGION;
    let inst = ecs_instance(&emu, "web-2").await;
    let disk = ecs_system_disk(&emu, &inst).await;
    let snap = ecs_snapshot(&emu, &disk).await;

    // From the snapshot's row to the form, with the disk and snapshot filled in.
    h.open("alibaba/snapshots").await;
    h.type_into("[data-testid=filter]", &snap).await;
    h.click(&format!(
        "tr[data-id='{snap}'] [data-testid=action-reset-disk]"
    ))
    .await;
    assert_eq!(h.value("[data-testid=DiskId]").await, disk);
    assert_eq!(h.value("[data-testid=SnapshotId]").await, snap);
    // The dry run against a Running instance: the provider's error, explained.
    h.click("[data-testid=dry-run]").await;
    let code = h.wait_css("[data-testid=error-code]").await;
    assert_eq!(code.text().await.unwrap(), "IncorrectInstanceStatus");
    let panel = h.wait_css("[data-testid=error]").await;
    let text = panel.text().await.unwrap();
    assert!(text.contains("What to do"), "no remedy: {text}");
    let rid = h.wait_css("[data-testid=request-id]").await;
    assert!(!rid.text().await.unwrap().is_empty());
    h.screenshot("ecs-error").await;

    // The pre-flight fails on the instance state and offers the fix.
    h.click("[data-testid=check]").await;
    h.wait_css("[data-testid=checklist] li[data-rule='instance.state'][data-status=fail]")
        .await;
    let summary = h.wait_css("[data-testid=preflight-summary]").await;
    assert!(
        summary
            .attr("class")
            .await
            .unwrap()
            .unwrap_or_default()
            .contains("fail")
    );
    let start = h.wait_css("[data-testid=start]").await;
    assert!(start.attr("disabled").await.unwrap().is_some());
    h.screenshot("ecs-preflight-fail").await;
    h.click("[data-testid=fix]").await;
    h.click("[data-testid=stop-confirm-go]").await;
    // Once stopped, the check runs again by itself and passes.
    h.wait_attr(
        "[data-testid=checklist] li[data-rule='instance.state']",
        "data-status",
        "pass",
        OP_LIMIT,
    )
    .await;
    let i = emu
        .call(
            Action::EcsDescribeInstances,
            region,
            json!({"InstanceIds": [inst]}),
        )
        .await;
    assert_eq!(i["Instances"]["Instance"][0]["Status"], "Stopped");

    // Now the dry run passes, and nothing changed.
    h.click("[data-testid=dry-run]").await;
    h.wait_css("[data-testid=dry-run-ok]").await;
    let d = emu
        .call(Action::EcsDescribeDisks, region, json!({"DiskIds": [disk]}))
        .await;
    assert_eq!(d["Disks"]["Disk"][0]["Status"], "In_use");

    // The real thing, without the snapshot first, after a dry run, starting the instance
    // afterwards (ticked: it was running before the fix stopped it).
    h.click("[data-testid=snapshot-first]").await;
    for option in ["dry-run-first", "start-after"] {
        let checked = h
            .wait_css(&format!("[data-testid={option}]"))
            .await
            .prop("checked")
            .await
            .unwrap();
        assert_eq!(checked.as_deref(), Some("true"), "{option} is ticked");
    }
    h.type_into("[data-testid=confirm-input]", &disk).await;
    h.click("[data-testid=start]").await;
    h.wait_attr("[data-testid=op]", "data-status", "succeeded", OP_LIMIT)
        .await;
    h.screenshot("ecs-done").await;
    let d = emu
        .call(Action::EcsDescribeDisks, region, json!({"DiskIds": [disk]}))
        .await;
    assert_eq!(d["Disks"]["Disk"][0]["Status"], "In_use");
    let i = emu
        .call(
            Action::EcsDescribeInstances,
            region,
            json!({"InstanceIds": [inst]}),
        )
        .await;
    assert_eq!(i["Instances"]["Instance"][0]["Status"], "Running");
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn workspace_restore_from_the_list_to_completion() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let list = || async {
        emu.call(
            Action::WsListDesktopSnapshot,
            WS_REGION,
            json!({"limit": 100, "offset": 0}),
        )
        .await
    };
    let snapshot_of = |all: &serde_json::Value, name: &str| {
        find(&rows(all, &["desktop_snapshots"]), "snapshot_name", name).clone()
    };
    let all = list().await;
    let names = ["desk-alice-snap-0", "desk-bob-snap-0"];
    let before: Vec<_> = names.iter().map(|n| snapshot_of(&all, n)).collect();
    let ids: Vec<String> = before.iter().map(|s| text(s, "snapshot_id")).collect();
    for s in &before {
        assert_eq!(s["status"], "create_success");
    }
    let creating = snapshot_of(&all, "desk-dave-snap-new");
    assert_eq!(creating["status"], "creating");

    // Pick two snapshots in the list; one still being created cannot be picked.
    h.open("huawei/snapshots").await;
    let creating_id = text(&creating, "snapshot_id");
    h.row_id("desk-dave-snap-new").await;
    let blocked = h
        .wait_css(&format!("tr[data-id='{creating_id}'] [data-testid=pick]"))
        .await;
    assert_eq!(
        blocked.attr("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    let why = blocked.attr("title").await.unwrap().unwrap_or_default();
    assert!(why.contains("creating"), "{why}");
    for (name, id) in names.iter().zip(&ids) {
        h.type_into("[data-testid=filter]", name).await;
        h.click(&format!("tr[data-id='{id}'] [data-testid=pick]"))
            .await;
    }
    // Picks survive filtering: both are counted, and the filter's row stays ticked.
    h.wait_css_text("[data-testid=picked-count]", "2 / 100")
        .await;
    h.type_into("[data-testid=filter]", "").await;
    h.screenshot("workspace-picked").await;
    h.click("[data-testid=pick-go]").await;

    // The form holds both IDs.
    h.wait_css_text("[data-testid=id-count]", "2 / 100").await;
    let field = h.value("[data-testid=snapshot_ids]").await;
    assert!(ids.iter().all(|id| field.contains(id.as_str())), "{field}");

    // Pre-flight, confirmation (every desktop named), then the job to its end.
    h.click("[data-testid=check]").await;
    h.wait_css("[data-testid=preflight-summary].pass").await;
    let targets = h.wait_css("[data-testid=confirm-desktops]").await;
    let named = targets.text().await.unwrap();
    // Each snapshot's time is shown in the user's zone; the exact moment is the
    // `datetime` of its <time> (to the second, as the cloud wrote it before the fraction).
    let moments = h
        .js("return [...document.querySelectorAll('[data-testid=confirm-desktops] time')].map(t => t.getAttribute('datetime'))")
        .await;
    for (s, id) in before.iter().zip(&ids) {
        let (desktop, created) = (text(s, "desktop_name"), text(s, "create_time"));
        assert!(
            named.contains(&desktop) && named.contains(id.as_str()),
            "{named}"
        );
        let second = created.get(..19).unwrap_or(&created);
        assert!(
            moments.as_array().is_some_and(|m| m
                .iter()
                .any(|t| t.as_str().is_some_and(|t| t.starts_with(second)))),
            "{created} among {moments}"
        );
    }
    assert_eq!(h.count_css("[data-testid=confirm-desktops] li").await, 2);
    h.type_into("[data-testid=confirm-input]", "2").await;
    h.click("[data-testid=start]").await;
    h.wait_attr("[data-testid=op]", "data-status", "succeeded", OP_LIMIT)
        .await;
    assert_eq!(
        h.count_css("[data-testid=subjob][data-status=SUCCESS]")
            .await,
        2,
        "both desktops restored"
    );

    // The cloud agrees: both snapshots were restored from, just now.
    let all = list().await;
    for (name, was) in names.iter().zip(&before) {
        let after = snapshot_of(&all, name);
        assert_eq!(after["status"], "restore_success", "{after}");
        assert!(after["last_restore_time"].is_string(), "{after}");
        assert_ne!(after["last_restore_time"], was["last_restore_time"]);
    }
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn ecs_create_snapshot_checks_quota_and_in_progress_then_takes_one() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let region = ECS_REGION;
    let mut system_disk = std::collections::HashMap::new();
    for name in ["archive", "batch-worker", "web-1"] {
        let inst = ecs_instance(&emu, name).await;
        system_disk.insert(name, ecs_system_disk(&emu, &inst).await);
    }
    for (name, rule) in [
        ("archive", "snapshot.quota"),
        ("batch-worker", "snapshot.in_progress"),
    ] {
        h.client
            .goto(&format!(
                "{}alibaba/create-snapshot?disk={}&name=before-upgrade",
                h.url, system_disk[name]
            ))
            .await
            .unwrap();
        h.click("[data-testid=check]").await;
        h.wait_css(&format!(
            "[data-testid=checklist] li[data-rule='{rule}'][data-status=fail]"
        ))
        .await;
        let start = h.wait_css("[data-testid=start]").await;
        assert!(
            start.attr("disabled").await.unwrap().is_some(),
            "{name}: a failed check blocks"
        );
        h.screenshot(&format!("ecs-create-snapshot-{name}")).await;
    }
    // A disk with room: every field of the form reaches the cloud.
    let disk = &system_disk["web-1"];
    h.open(&format!("alibaba/create-snapshot?disk={disk}"))
        .await;
    h.type_into("[data-testid=SnapshotName]", "before-upgrade")
        .await;
    h.type_into("[data-testid=Description]", "taken by the e2e test")
        .await;
    h.type_into("[data-testid=RetentionDays]", "7").await;
    h.type_into("[data-testid=Tag]", "team=web, env=prod").await;
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
    // Nothing is overwritten: the confirmation repeats what will be created and asks
    // for no typed ID.
    let created = h
        .js("return [...document.querySelectorAll('[data-testid=confirm-created]')].map(d => d.textContent)")
        .await;
    assert_eq!(
        created,
        json!([
            "before-upgrade",
            "taken by the e2e test",
            "7",
            "team=web, env=prod"
        ])
    );
    let typed = h
        .js("return document.querySelector('[data-testid=confirm-input]').closest('.field').hidden")
        .await;
    assert_eq!(typed, true, "no typed confirmation for a new snapshot");
    h.click("[data-testid=start]").await;
    h.wait_attr("[data-testid=op]", "data-status", "succeeded", OP_LIMIT)
        .await;
    let snaps = emu
        .call(
            Action::EcsDescribeSnapshots,
            region,
            json!({"DiskId": disk, "MaxResults": 100}),
        )
        .await;
    let snap = find(
        &rows(&snaps, &["Snapshots", "Snapshot"]),
        "SnapshotName",
        "before-upgrade",
    );
    assert_eq!(snap["Status"], "accomplished", "{snap}");
    assert_eq!(snap["Description"], "taken by the e2e test", "{snap}");
    assert_eq!(snap["RetentionDays"], 7, "{snap}");
    h.assert_no_console_errors().await;
    h.stop().await;
}
