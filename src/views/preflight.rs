//! The pre-flight of a form: the live state it reads (through the transport) and the
//! checklist the cloud crate computes from it (`rewind_cloud::preflight`).

use crate::api::RequestError;
use crate::restore::{self, Kind};
use crate::transport::Transport;
use rewind_cloud::Action;
use rewind_cloud::preflight::{self, Check, SafetyStep};
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
    /// Rollbacks: the snapshots the instance (Lighthouse) or disk (ECS) already has, so
    /// the safety snapshot is counted against the quota.
    pub existing: Vec<Value>,
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

    /// The checklist of a rollback with or without the safety snapshot first (the
    /// confirmation's choice), from the rows already read: choosing to continue without
    /// it takes its quota check away without asking the cloud again. Other forms have
    /// one checklist.
    pub fn checks_with(&self, kind: Kind, safety: bool) -> Vec<Check> {
        let step = if safety {
            SafetyStep::Take {
                existing: &self.existing,
            }
        } else {
            SafetyStep::Skip
        };
        match kind {
            Kind::LhRollback => preflight::lighthouse_rollback_with_safety(
                self.instance.as_ref(),
                self.snapshot.as_ref(),
                step,
            ),
            Kind::EcsResetDisk => preflight::ecs_reset_disk_with_safety(
                self.disk.as_ref(),
                self.snapshot.as_ref(),
                self.instance.as_ref(),
                step,
            ),
            _ => self.checks.clone(),
        }
    }

    /// The name of what the safety snapshot is taken of: the Lighthouse instance's, the
    /// ECS disk's.
    pub fn target_name(&self, kind: Kind) -> Option<String> {
        let (row, key) = match kind {
            Kind::LhRollback => (self.instance.as_ref(), "InstanceName"),
            Kind::EcsResetDisk => (self.disk.as_ref(), "DiskName"),
            _ => return None,
        };
        row.and_then(|r| r[key].as_str())
            .filter(|n| !n.trim().is_empty())
            .map(str::to_string)
    }

    /// The instance the "Stop instance" fix names: its ID and name as read.
    pub fn instance_name(&self) -> Option<String> {
        self.instance
            .as_ref()
            .and_then(|i| i["InstanceName"].as_str())
            .filter(|n| !n.trim().is_empty())
            .map(str::to_string)
    }

    /// True when the instance was read running (Lighthouse RUNNING, ECS Running).
    pub fn instance_running(&self) -> bool {
        self.instance
            .as_ref()
            .is_some_and(|i| i["InstanceState"] == "RUNNING" || i["Status"] == "Running")
    }
}

/// The array at `path` in an answer's data (none: empty).
pub fn rows(data: &Value, path: &[&str]) -> Vec<Value> {
    let mut at = data;
    for key in path {
        at = &at[*key];
    }
    at.as_array().cloned().unwrap_or_default()
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
) -> Result<Preflight, RequestError> {
    let call = |action: Action, p: Value| transport.call(profile, region, action.name(), p);
    let s = |k: &str| params[k].as_str().unwrap_or_default().to_string();
    let mut out = Preflight {
        params: params.clone(),
        checks: Vec::new(),
        instance: None,
        snapshot: None,
        disk: None,
        desktops: Vec::new(),
        existing: Vec::new(),
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
            // The instance's snapshots: the safety snapshot needs a free slot (at most 4
            // per instance, so one page holds them).
            let mine = call(
                Action::LhDescribeSnapshots,
                json!({"Filters": [{"Name": "instance-id", "Values": [s("InstanceId")]}], "Limit": 100}),
            )
            .await?;
            out.instance = first(&i.data, &["InstanceSet"]).cloned();
            out.snapshot = first(&sn.data, &["SnapshotSet"]).cloned();
            out.existing = rows(&mine.data, &["SnapshotSet"]);
            out.checks = out.checks_with(kind, restore::can_snapshot_first(kind));
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
                // The disk's snapshots (at most 64, so one page of 100 holds them).
                let mine = call(
                    Action::EcsDescribeSnapshots,
                    json!({"DiskId": disk_id, "MaxResults": 100}),
                )
                .await?;
                out.existing = rows(&mine.data, &["Snapshots", "Snapshot"]);
                out.checks = out.checks_with(kind, restore::can_snapshot_first(kind));
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

#[cfg(test)]
mod tests {
    use super::*;
    use rewind_cloud::preflight::{Choice, Status, rules};

    fn lh(snapshots: usize) -> Preflight {
        let snap = |i: usize| {
            json!({"SnapshotId": format!("lhsnap-0000000{i}"), "SnapshotName": format!("game-server-{i}"),
                "SnapshotState": "NORMAL", "DiskId": "lhdisk-k31c771o", "DiskUsage": "SYSTEM_DISK",
                "DiskSize": 80, "Percent": 100, "LatestOperation": "CreateInstanceSnapshot",
                "LatestOperationState": "SUCCESS", "CreatedTime": "2026-11-01T00:00:00Z"})
        };
        let existing: Vec<Value> = (0..snapshots).map(snap).collect();
        Preflight {
            params: json!({"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-00000000"}),
            checks: Vec::new(),
            instance: Some(
                json!({"InstanceId": "lhins-k31c771o", "InstanceName": "game-server",
                "InstanceState": "STOPPED", "Zone": "ap-guangzhou-3",
                "SystemDisk": {"DiskType": "CLOUD_SSD", "DiskSize": 80, "DiskId": "lhdisk-k31c771o"},
                "CreatedTime": "2024-02-01T10:00:00Z", "ExpiredTime": "2099-02-01T10:00:00Z"}),
            ),
            snapshot: existing.first().cloned(),
            disk: None,
            desktops: Vec::new(),
            existing,
        }
    }

    #[test]
    fn a_full_instance_blocks_the_safety_snapshot_until_the_user_goes_on_without_it() {
        let p = lh(4);
        let with = p.checks_with(Kind::LhRollback, true);
        let quota = with
            .iter()
            .find(|c| c.rule == rules::SAFETY_SNAPSHOT_QUOTA)
            .expect("the safety snapshot is counted");
        assert_eq!(quota.status, Status::Fail, "{with:#?}");
        assert_eq!(quota.choice, Some(Choice::ContinueWithoutSafetySnapshot));
        assert!(preflight::blocked(&with));
        // Continuing without it: the same rows, no quota check, nothing in the way.
        let without = p.checks_with(Kind::LhRollback, false);
        assert!(
            without
                .iter()
                .all(|c| c.rule != rules::SAFETY_SNAPSHOT_QUOTA),
            "{without:#?}"
        );
        assert!(!preflight::blocked(&without), "{without:#?}");
        // Room left: the safety snapshot's check passes.
        let room = lh(3).checks_with(Kind::LhRollback, true);
        assert!(!preflight::blocked(&room), "{room:#?}");
        assert_eq!(
            p.target_name(Kind::LhRollback).as_deref(),
            Some("game-server")
        );
        assert_eq!(p.instance_name().as_deref(), Some("game-server"));
    }
}
