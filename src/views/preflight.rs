//! The pre-flight of a form: the live state it reads (through the transport) and the
//! checklist the cloud crate computes from it (`rewind_cloud::preflight`).

use crate::api::ApiError;
use crate::restore::Kind;
use crate::transport::Transport;
use rewind_cloud::Action;
use rewind_cloud::preflight::{self, Check};
use serde_json::{Value, json};

/// What the pre-flight read: the checklist and the rows the confirmation names.
#[derive(Debug, Clone, PartialEq)]
pub struct Preflight {
    pub params: Value,
    pub checks: Vec<Check>,
    pub instance: Option<Value>,
    pub snapshot: Option<Value>,
    pub disk: Option<Value>,
    /// Workspace: the requested snapshots found, in the order given (desktop, snapshot,
    /// creation time), for the confirmation to name every desktop.
    pub desktops: Vec<Value>,
}

impl Preflight {
    /// The instance the target is (Lighthouse) or the disk is attached to (ECS).
    pub fn instance_id(&self, kind: Kind) -> Option<String> {
        match kind {
            Kind::LhRollback => self.params["InstanceId"].as_str().map(str::to_string),
            Kind::EcsResetDisk => self
                .disk
                .as_ref()
                .and_then(|d| d["InstanceId"].as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            _ => None,
        }
    }

    /// True when the instance was read running (Lighthouse RUNNING, ECS Running).
    pub fn instance_running(&self) -> bool {
        self.instance
            .as_ref()
            .is_some_and(|i| i["InstanceState"] == "RUNNING" || i["Status"] == "Running")
    }
}

fn first<'a>(data: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut at = data;
    for key in path {
        at = &at[*key];
    }
    at.get(0)
}

/// Reads the live state a form's pre-flight needs and computes its checklist.
pub async fn load_preflight(
    transport: Transport,
    kind: Kind,
    profile: &str,
    region: &str,
    params: Value,
) -> Result<Preflight, ApiError> {
    let call = |action: Action, p: Value| transport.call(profile, region, action.name(), p);
    let s = |k: &str| params[k].as_str().unwrap_or_default().to_string();
    let mut out = Preflight {
        params: params.clone(),
        checks: Vec::new(),
        instance: None,
        snapshot: None,
        disk: None,
        desktops: Vec::new(),
    };
    match kind {
        Kind::LhRollback => {
            let i = call(
                Action::LhDescribeInstances,
                json!({"InstanceIds": [s("InstanceId")]}),
            )
            .await?;
            let sn = call(
                Action::LhDescribeSnapshots,
                json!({"SnapshotIds": [s("SnapshotId")]}),
            )
            .await?;
            out.instance = first(&i.data, &["InstanceSet"]).cloned();
            out.snapshot = first(&sn.data, &["SnapshotSet"]).cloned();
            out.checks =
                preflight::lighthouse_rollback(out.instance.as_ref(), out.snapshot.as_ref());
        }
        Kind::LhCreateSnapshot => {
            let inst = s("InstanceId");
            let i = call(Action::LhDescribeInstances, json!({"InstanceIds": [inst]})).await?;
            let sn = call(
                Action::LhDescribeSnapshots,
                json!({"Filters": [{"Name": "instance-id", "Values": [inst]}], "Limit": 100}),
            )
            .await?;
            out.instance = first(&i.data, &["InstanceSet"]).cloned();
            let snaps = sn.data["SnapshotSet"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            out.checks = preflight::lighthouse_create_snapshot(out.instance.as_ref(), &snaps);
        }
        Kind::EcsResetDisk | Kind::EcsCreateSnapshot => {
            let disk_id = s("DiskId");
            let d = call(Action::EcsDescribeDisks, json!({"DiskIds": [disk_id]})).await?;
            out.disk = first(&d.data, &["Disks", "Disk"]).cloned();
            let inst_id = out
                .disk
                .as_ref()
                .and_then(|d| d["InstanceId"].as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            if let Some(inst_id) = inst_id {
                let i = call(
                    Action::EcsDescribeInstances,
                    json!({"InstanceIds": [inst_id]}),
                )
                .await?;
                out.instance = first(&i.data, &["Instances", "Instance"]).cloned();
            }
            if kind == Kind::EcsResetDisk {
                let sn = call(
                    Action::EcsDescribeSnapshots,
                    json!({"SnapshotIds": [s("SnapshotId")]}),
                )
                .await?;
                out.snapshot = first(&sn.data, &["Snapshots", "Snapshot"]).cloned();
                out.checks = preflight::ecs_reset_disk(
                    out.disk.as_ref(),
                    out.snapshot.as_ref(),
                    out.instance.as_ref(),
                );
            } else {
                let sn = call(
                    Action::EcsDescribeSnapshots,
                    json!({"DiskId": disk_id, "MaxResults": 100}),
                )
                .await?;
                let snaps = sn.data["Snapshots"]["Snapshot"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                out.checks = preflight::ecs_create_snapshot(
                    out.disk.as_ref(),
                    out.instance.as_ref(),
                    &snaps,
                );
            }
        }
        Kind::WsRestore => {
            let requested: Vec<String> = params["snapshot_ids"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            // Every snapshot of the project, page by page (at most 1000 per page).
            let mut all = Vec::new();
            loop {
                let page = call(
                    Action::WsListDesktopSnapshot,
                    json!({"offset": all.len(), "limit": 1000}),
                )
                .await?;
                let rows = page.data["desktop_snapshots"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let total = page.data["total_count"].as_u64().unwrap_or(0) as usize;
                let got = rows.len();
                all.extend(rows);
                if got == 0 || all.len() >= total {
                    break;
                }
            }
            out.checks = preflight::workspace_restore(&requested, &all);
            out.desktops = requested
                .iter()
                .filter_map(|id| {
                    all.iter()
                        .find(|s| s["snapshot_id"] == id.as_str())
                        .cloned()
                })
                .collect();
        }
    }
    Ok(out)
}
