//! The inventory lists in Chromium against `rewind serve --demo`: what a snapshot list
//! joins in (the Lighthouse instance, the ECS disk's name), the row actions that open a
//! form or run an operation, and tags that are shown and filtered on.

use crate::support::Harness;
use crate::world::*;
use rewind_cloud::Action;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The `data-id` of every row drawn in the list in view.
const DRAWN_IDS: &str =
    "return [...document.querySelectorAll('.inventory tbody tr[data-id]')].map(r => r.dataset.id)";

async fn drawn_ids(h: &Harness) -> BTreeSet<String> {
    h.js(DRAWN_IDS)
        .await
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// Waits until the rows drawn are exactly `want` (the list loaded and filtered).
async fn wait_rows(h: &Harness, what: &str, want: &BTreeSet<String>) {
    h.wait_until(what, || async { &drawn_ids(h).await == want })
        .await;
}

async fn text_of(h: &Harness, css: &str) -> String {
    h.wait_css(css).await.text().await.unwrap_or_default()
}

async fn attr_of(h: &Harness, css: &str, attr: &str) -> Option<String> {
    h.wait_css(css).await.attr(attr).await.unwrap()
}

/// The ECS disks of the demo's first region, as listed.
async fn ecs_disks(h: &Harness) -> Value {
    h.emulator()
        .call(
            Action::EcsDescribeDisks,
            ECS_REGION,
            json!({"MaxResults": 100}),
        )
        .await
}

#[tokio::test]
async fn lighthouse_snapshots_name_their_instance_and_roll_back_to_it() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let wiki = lh_instance(&emu, "wiki").await;
    let blog = lh_instance(&emu, "blog-prod").await;
    let good = lh_snapshot(&emu, &wiki, "wiki-good").await;
    let daily = lh_snapshot(&emu, &blog, "blog-daily").await;
    let nightly = lh_snapshot(&emu, &wiki, "wiki-nightly").await;
    h.open("tencent/snapshots").await;

    // Each snapshot shows the instance whose system disk it was taken of: name, then ID.
    for (snap, name, inst) in [(&good, "wiki", &wiki), (&daily, "blog-prod", &blog)] {
        h.type_into("[data-testid=filter]", snap).await;
        let cell = format!("tr[data-id='{snap}'] td[data-field='joined.InstanceName']");
        h.wait_until(&format!("{snap} to show instance {name}"), || async {
            h.js(&format!(
                "const c = document.querySelector(\"{cell} .main\"); return c ? c.textContent : ''"
            ))
            .await
                == name
        })
        .await;
        assert_eq!(text_of(&h, &format!("{cell} .sub")).await, *inst);
    }

    // The instance's name finds its snapshots (and only them).
    let wiki_snaps = emu
        .call(
            Action::LhDescribeSnapshots,
            LH_REGION,
            json!({"Filters": [{"Name": "instance-id", "Values": [&wiki]}], "Limit": 100}),
        )
        .await;
    let want: BTreeSet<String> = rows(&wiki_snaps, &["SnapshotSet"])
        .into_iter()
        .map(|s| text(s, "SnapshotId"))
        .collect();
    assert_eq!(want.len(), 3, "{wiki_snaps}");
    h.type_into("[data-testid=filter]", &wiki).await;
    wait_rows(
        &h,
        "the filter by instance ID to find wiki's snapshots",
        &want,
    )
    .await;

    // A snapshot still being created cannot be rolled back to, and says why.
    h.type_into("[data-testid=filter]", &nightly).await;
    let busy = format!("tr[data-id='{nightly}'] [data-testid=action-rollback]");
    assert_eq!(
        attr_of(&h, &busy, "aria-disabled").await.as_deref(),
        Some("true")
    );
    let why = attr_of(&h, &busy, "aria-describedby")
        .await
        .expect("a disabled action is described by its reason");
    // The reason shows on hover and focus: read its text while hidden.
    let reason = h
        .js(&format!(
            "const e = document.getElementById('{why}'); return e ? e.textContent : ''"
        ))
        .await;
    let reason = reason.as_str().unwrap_or_default();
    assert!(reason.contains("CREATING"), "{reason}");

    // "Roll back to this" opens the rollback form with the instance and the snapshot.
    h.type_into("[data-testid=filter]", &good).await;
    let action = format!("tr[data-id='{good}'] [data-testid=action-rollback]");
    assert_eq!(attr_of(&h, &action, "aria-disabled").await, None);
    assert_eq!(text_of(&h, &action).await, "Roll back to this");
    h.click(&action).await;
    h.wait_until("the rollback form to open filled", || async {
        h.client.current_url().await.unwrap().path() == "/tencent/rollback"
            && h.value("[data-testid=InstanceId]").await == wiki
            && h.value("[data-testid=SnapshotId]").await == good
    })
    .await;
    h.screenshot("lists-lh-rollback-from-snapshot").await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn ecs_snapshots_show_their_disks_name_and_instance() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let web1 = ecs_instance(&emu, "web-1").await;
    let system = ecs_system_disk(&emu, &web1).await;
    let disks = ecs_disks(&h).await;
    let system_name = field_where(&disks, &["Disks", "Disk"], "DiskId", &system, "DiskName");
    let spare = rows(&disks, &["Disks", "Disk"])
        .into_iter()
        .find(|d| {
            d["DiskName"]
                .as_str()
                .is_some_and(|n| n.starts_with("spare-data"))
        })
        .expect("the demo's unattached disk");
    let (spare_id, spare_name) = (text(spare, "DiskId"), text(spare, "DiskName"));
    let web1_snap = ecs_snapshot(&emu, &system).await;
    let spare_snap = ecs_snapshot(&emu, &spare_id).await;
    h.open("alibaba/snapshots").await;

    // Attached: the disk's ID with its name, and its instance.
    h.type_into("[data-testid=filter]", &web1_snap).await;
    let row = format!("tr[data-id='{web1_snap}']");
    h.wait_until("the disk's name beside its ID", || async {
        h.js(&format!(
            "const c = document.querySelector(\"{row} td[data-field=SourceDiskId] .sub\"); return c ? c.textContent : ''"
        ))
        .await
            == system_name.as_str()
    })
    .await;
    assert_eq!(
        text_of(&h, &format!("{row} td[data-field=SourceDiskId] .main")).await,
        system
    );
    assert_eq!(
        text_of(&h, &format!("{row} td[data-field='joined.InstanceId']")).await,
        web1
    );

    // Unattached: the name, and no instance.
    h.type_into("[data-testid=filter]", &spare_snap).await;
    let row = format!("tr[data-id='{spare_snap}']");
    h.wait_css_text(
        &format!("{row} td[data-field=SourceDiskId] .sub"),
        &spare_name,
    )
    .await;
    assert_eq!(
        text_of(&h, &format!("{row} td[data-field='joined.InstanceId']")).await,
        "—"
    );

    // The disk's name finds the snapshots of that disk.
    let of_system = emu
        .call(
            Action::EcsDescribeSnapshots,
            ECS_REGION,
            json!({"DiskId": &system}),
        )
        .await;
    let want: BTreeSet<String> = rows(&of_system, &["Snapshots", "Snapshot"])
        .into_iter()
        .map(|s| text(s, "SnapshotId"))
        .collect();
    assert!(!want.is_empty());
    h.type_into("[data-testid=filter]", &system_name).await;
    wait_rows(&h, "the filter by disk name", &want).await;
    h.screenshot("lists-ecs-snapshot-disk-names").await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn an_ecs_instance_is_stopped_and_started_from_its_row_after_confirmation() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let web2 = ecs_instance(&emu, "web-2").await;
    assert_eq!(ecs_status(&emu, &web2).await, "Running");
    h.open("alibaba/instances").await;
    h.type_into("[data-testid=filter]", &web2).await;
    let stop = format!("tr[data-id='{web2}'] [data-testid=action-stop]");
    let start = format!("tr[data-id='{web2}'] [data-testid=action-start]");
    h.wait_css(&stop).await;
    // The row names the instance's system disk (ECS lists disks apart).
    let system = ecs_system_disk(&emu, &web2).await;
    h.wait_css_text(
        &format!("tr[data-id='{web2}'] td[data-field='joined.DiskId']"),
        &system,
    )
    .await;
    assert_eq!(attr_of(&h, &stop, "aria-disabled").await, None);
    // Start is offered only to a stopped instance.
    assert_eq!(
        attr_of(&h, &start, "aria-disabled").await.as_deref(),
        Some("true")
    );

    // Stop asks first, naming the instance; nothing is sent until confirmed.
    h.click(&stop).await;
    h.wait_css_text(
        "[data-testid=stop-confirm-instance]",
        &format!("web-2 ({web2})"),
    )
    .await;
    h.wait_css("[data-testid=stopped-mode]").await;
    assert_eq!(ecs_status(&emu, &web2).await, "Running");
    h.click("[data-testid=stop-confirm-go]").await;
    h.wait_css("[data-testid=power-op] [data-testid=power-op-link]")
        .await;
    // The operation waits until the cloud reports the instance stopped (polling the
    // cloud here too would only compete with it for the API's rate limit).
    h.wait_attr(
        "[data-testid=power-op] [data-testid=op]",
        "data-status",
        "succeeded",
        OP_LIMIT,
    )
    .await;
    assert_eq!(ecs_status(&emu, &web2).await, "Stopped");
    let stop_op = attr_of(&h, "[data-testid=power-op] [data-testid=op]", "data-op-id")
        .await
        .expect("the operation's id");
    // The list reloads when the operation ends: now it can be started, not stopped.
    h.wait_until("Start to be offered", || async {
        attr_of(&h, &start, "aria-disabled").await.is_none()
    })
    .await;
    assert_eq!(
        attr_of(&h, &stop, "aria-disabled").await.as_deref(),
        Some("true")
    );
    h.screenshot("lists-ecs-stopped").await;

    h.click(&start).await;
    h.wait_css_text(
        "[data-testid=start-confirm-instance]",
        &format!("web-2 ({web2})"),
    )
    .await;
    assert_eq!(ecs_status(&emu, &web2).await, "Stopped");
    h.click("[data-testid=start-confirm-go]").await;
    // The start's progress replaces the stop's.
    h.wait_until("the start to succeed", || async {
        h.js("const o = document.querySelector('[data-testid=power-op] [data-testid=op]'); return o ? [o.dataset.opId, o.dataset.status] : null")
            .await
            .as_array()
            .is_some_and(|a| a.first() != Some(&json!(stop_op)) && a.get(1) == Some(&json!("succeeded")))
    })
    .await;
    assert_eq!(ecs_status(&emu, &web2).await, "Running");
    h.wait_until("Stop to be offered again", || async {
        attr_of(&h, &stop, "aria-disabled").await.is_none()
    })
    .await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn tags_are_shown_and_filter_the_rows_and_an_instance_opens_its_disks() {
    let h = Harness::start().await;
    let emu = h.emulator();

    // Lighthouse: `env=prod` leaves the production instance.
    let blog = lh_instance(&emu, "blog-prod").await;
    let all = emu
        .call(
            Action::LhDescribeInstances,
            LH_REGION,
            json!({"Limit": 100}),
        )
        .await;
    let prod: BTreeSet<String> = rows(&all, &["InstanceSet"])
        .into_iter()
        .filter(|i| {
            i["Tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t["Key"] == "env" && t["Value"] == "prod"))
        })
        .map(|i| text(i, "InstanceId"))
        .collect();
    assert!(prod.contains(&blog), "{all}");
    assert!(prod.len() < rows(&all, &["InstanceSet"]).len());
    h.open("tencent/instances").await;
    h.wait_css_text(
        &format!("tr[data-id='{blog}'] td.tags-cell .tag"),
        "env=prod",
    )
    .await;
    h.type_into("[data-testid=filter]", "env=prod").await;
    wait_rows(&h, "env=prod to narrow the Lighthouse instances", &prod).await;

    // ECS: `team=platform`, in ECS's own shape of tags.
    let all = emu
        .call(
            Action::EcsDescribeInstances,
            ECS_REGION,
            json!({"MaxResults": 100}),
        )
        .await;
    let instances = rows(&all, &["Instances", "Instance"]);
    let platform: BTreeSet<String> = instances
        .iter()
        .filter(|i| {
            i["Tags"]["Tag"].as_array().is_some_and(|t| {
                t.iter()
                    .any(|t| t["TagKey"] == "team" && t["TagValue"] == "platform")
            })
        })
        .map(|i| text(i, "InstanceId"))
        .collect();
    assert!(
        !platform.is_empty() && platform.len() < instances.len(),
        "{all}"
    );
    h.open("alibaba/instances").await;
    h.type_into("[data-testid=filter]", "team=platform").await;
    wait_rows(&h, "team=platform to narrow the ECS instances", &platform).await;
    h.screenshot("lists-ecs-tag-filter").await;

    // "Roll back a disk" opens the disks list filtered to the instance's disks.
    let web1 = ecs_instance(&emu, "web-1").await;
    let disks = emu
        .call(
            Action::EcsDescribeDisks,
            ECS_REGION,
            json!({"InstanceId": &web1}),
        )
        .await;
    let web1_disks: BTreeSet<String> = rows(&disks, &["Disks", "Disk"])
        .into_iter()
        .map(|d| text(d, "DiskId"))
        .collect();
    assert!(web1_disks.len() >= 2, "{disks}");
    h.type_into("[data-testid=filter]", &web1).await;
    h.click(&format!("tr[data-id='{web1}'] [data-testid=action-disks]"))
        .await;
    h.wait_until("the disks list to open", || async {
        let url = h.client.current_url().await.unwrap();
        url.path() == "/alibaba/disks"
            && url
                .query_pairs()
                .any(|(k, v)| k == "q" && v == web1.as_str())
    })
    .await;
    assert_eq!(h.value("[data-testid=filter]").await, web1);
    wait_rows(&h, "web-1's disks", &web1_disks).await;
    h.assert_no_console_errors().await;
    h.stop().await;
}
