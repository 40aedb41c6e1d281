//! The demo world as the browser tests read it on the emulator: regions, the IDs of
//! named resources, and small readers of the cloud's JSON rows.

use crate::support::Emulator;
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
pub(crate) const ECS_REGION: &str = "cn-hangzhou";
pub(crate) const WS_REGION: &str = "cn-north-4";

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

/// The ID of the snapshot of Lighthouse instance `inst` named `name`.
pub(crate) async fn lh_snapshot(emu: &Emulator, inst: &str, name: &str) -> String {
    let snaps = emu
        .call(
            Action::LhDescribeSnapshots,
            LH_REGION,
            json!({"Filters": [{"Name": "instance-id", "Values": [inst]}], "Limit": 100}),
        )
        .await;
    field_where(&snaps, &["SnapshotSet"], "SnapshotName", name, "SnapshotId")
}

/// An accomplished snapshot of the ECS disk `disk`.
pub(crate) async fn ecs_snapshot(emu: &Emulator, disk: &str) -> String {
    let snaps = emu
        .call(
            Action::EcsDescribeSnapshots,
            ECS_REGION,
            json!({"DiskId": disk}),
        )
        .await;
    let found = rows(&snaps, &["Snapshots", "Snapshot"])
        .into_iter()
        .find(|s| s["Status"] == "accomplished")
        .unwrap_or_else(|| panic!("no accomplished snapshot of {disk}"));
    text(found, "SnapshotId")
}

/// The status of an ECS instance (`Running`, `Stopped`, …).
pub(crate) async fn ecs_status(emu: &Emulator, inst: &str) -> String {
    let i = emu
        .call(
            Action::EcsDescribeInstances,
            ECS_REGION,
            json!({"InstanceIds": [inst]}),
        )
        .await;
    text(&i["Instances"]["Instance"][0], "Status")
}
