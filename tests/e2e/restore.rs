//! The restore flows, end to end in Chromium against `rewind serve --demo`: forms with
//! inline validation, the pre-flight checklist, the confirmation, progress to
//! completion, and the clouds' state checked directly on the embedded emulator.

use crate::support::{Emulator, Harness};
use fantoccini::Locator;
use rewind_cloud::Action;
use serde_json::{Value, json};
use std::time::Duration;

/// Long operations (stop 3 s, snapshot 8 s, rollback 5 s in the emulator) plus polling.
pub(crate) const OP_LIMIT: Duration = Duration::from_secs(120);

pub(crate) fn rows<'a>(v: &'a Value, path: &[&str]) -> Vec<&'a Value> {
    let mut at = v;
    for k in path {
        at = &at[*k];
    }
    at.as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

pub(crate) fn find<'a>(rows: &[&'a Value], field: &str, value: &str) -> &'a Value {
    rows.iter()
        .find(|r| r[field] == value)
        .unwrap_or_else(|| panic!("no row with {field} = {value}"))
}

/// Field `out` of the row at `path` whose `key` equals `value`.
pub(crate) fn field_where(v: &Value, path: &[&str], key: &str, value: &str, out: &str) -> String {
    text(find(&rows(v, path), key, value), out)
}

/// A string field of a row.
pub(crate) fn text(row: &Value, field: &str) -> String {
    row[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {row}"))
        .to_string()
}

pub(crate) const LH_REGION: &str = "ap-guangzhou";
const ECS_REGION: &str = "cn-hangzhou";
const WS_REGION: &str = "cn-north-4";

/// The ID of the demo's Lighthouse instance called `name`, read on the emulator.
pub(crate) async fn lh_instance(emu: &Emulator, name: &str) -> String {
    let all = emu
        .call(
            Action::LhDescribeInstances,
            LH_REGION,
            json!({"Limit": 100}),
        )
        .await;
    field_where(&all, &["InstanceSet"], "InstanceName", name, "InstanceId")
}

/// The ID of the demo's ECS instance called `name`, read on the emulator.
pub(crate) async fn ecs_instance(emu: &Emulator, name: &str) -> String {
    let all = emu
        .call(
            Action::EcsDescribeInstances,
            ECS_REGION,
            json!({"MaxResults": 100}),
        )
        .await;
    field_where(
        &all,
        &["Instances", "Instance"],
        "InstanceName",
        name,
        "InstanceId",
    )
}

/// The system disk of an ECS instance.
pub(crate) async fn ecs_system_disk(emu: &Emulator, inst: &str) -> String {
    let d = emu
        .call(
            Action::EcsDescribeDisks,
            ECS_REGION,
            json!({"InstanceId": inst, "DiskType": "system"}),
        )
        .await;
    text(rows(&d, &["Disks", "Disk"])[0], "DiskId")
}

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
        // A barrier: the inventory's first page is exactly one call. When it has been
        // logged, everything the form could have sent before it has been logged too.
        let provider = page.split('/').next().unwrap();
        h.open(provider).await;
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
    let snaps = emu
        .call(
            Action::EcsDescribeSnapshots,
            region,
            json!({"DiskId": disk}),
        )
        .await;
    let snap = rows(&snaps, &["Snapshots", "Snapshot"])
        .into_iter()
        .find(|s| s["Status"] == "accomplished")
        .expect("an accomplished snapshot of web-2's disk")["SnapshotId"]
        .as_str()
        .unwrap()
        .to_string();

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
    for (s, id) in before.iter().zip(&ids) {
        let (desktop, created) = (text(s, "desktop_name"), text(s, "create_time"));
        assert!(
            named.contains(&desktop) && named.contains(id.as_str()) && named.contains(&created),
            "{named}"
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

#[tokio::test]
async fn at_phone_width_the_pages_fit_the_screen_and_stay_keyboard_reachable() {
    let h = Harness::start().await;
    h.client.set_window_size(390, 844).await.unwrap();
    for page in [
        "tencent/instances",
        "tencent/rollback",
        "tencent/batch",
        "huawei/snapshots",
        "huawei/restore",
        "operations",
    ] {
        h.open(page).await;
        h.wait_css("main h1").await;
        if page.ends_with("instances") || page.ends_with("snapshots") {
            h.wait_css(".inventory tbody tr[data-id]").await;
        }
        if page.ends_with("batch") {
            h.wait_css("[data-testid=batch-targets] tbody tr").await;
        }
        let overflow = h.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;").await;
        assert!(
            overflow.as_f64().unwrap_or(0.0) <= 0.0,
            "{page}: the page scrolls sideways by {overflow}px at 390px"
        );
        h.screenshot(&format!("phone-{}", page.replace('/', "-")))
            .await;
    }
    // Tab from the top reaches the skip link first, and it is visible when focused.
    h.open("tencent/rollback").await;
    h.wait_css("[data-testid=InstanceId]").await;
    let active = h
        .client
        .execute("document.activeElement.blur(); return null;", vec![])
        .await;
    assert!(active.is_ok());
    h.client
        .active_element()
        .await
        .unwrap()
        .send_keys("\u{E004}")
        .await
        .unwrap();
    let focused = h.js("const e = document.activeElement; const r = e.getBoundingClientRect(); return [e.className, r.left >= 0 && r.top >= 0];").await;
    assert_eq!(focused[0], "skip-link", "{focused}");
    assert_eq!(
        focused[1], true,
        "the focused skip link is on screen: {focused}"
    );
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn the_chinese_ui_covers_forms_checklists_and_confirmations() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let region = LH_REGION;
    let inst = lh_instance(&emu, "blog-prod").await;
    let snaps = emu
        .call(
            Action::LhDescribeSnapshots,
            region,
            json!({"Filters": [{"Name": "instance-id", "Values": [inst]}]}),
        )
        .await;
    let snap = rows(&snaps, &["SnapshotSet"])[0]["SnapshotId"]
        .as_str()
        .unwrap()
        .to_string();
    h.client.goto(&h.url).await.unwrap();
    h.click(".lang-switch button[lang='zh-CN']").await;
    h.client
        .goto(&format!(
            "{}tencent/rollback?instance={inst}&snapshot={snap}",
            h.url
        ))
        .await
        .unwrap();
    h.wait_css_text("label[for='f-rollback-SnapshotId']", "快照 ID")
        .await;
    h.click("[data-testid=check]").await;
    let warning = h.wait_css("[data-testid=forced-shutdown]").await;
    let text = warning.text().await.unwrap();
    assert!(text.contains("强制"), "{text}");
    h.wait_css_text("[data-testid=confirm]", "先创建快照").await;
    h.screenshot("lighthouse-checklist-zh").await;
    h.open("huawei/restore").await;
    h.wait_css_text("label[for='f-restore-snapshot_ids']", "快照 ID 列表")
        .await;
    h.open("operations").await;
    h.wait_css_text("main h1", "操作记录").await;
    h.screenshot("operations-zh").await;
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
    h.type_into("[data-testid=confirm-input]", disk).await;
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
