//! The snapshot picker of a rollback or reset form, as data: what to read for the
//! target (its row and its snapshots), and each snapshot as offered: newest first, with
//! what a user decides by (name, time, state, size, whether Rewind took it) and, when
//! the cloud would refuse it, the reason from the same pre-flight rules the checklist
//! runs (`rewind_cloud::preflight`: state, belonging, disk size, age).

use super::Kind;
use crate::batch::{self, Candidate, SnapshotChoice};
use rewind_cloud::preflight::{Status, rules};
use rewind_cloud::{Action, Text};
use serde_json::{Value, json};

/// The reads that list a target's snapshots: (target read, snapshots read). `None` for
/// the forms without a snapshot to pick.
pub fn reads(kind: Kind, target: &str) -> Option<[(Action, Value); 2]> {
    match kind {
        Kind::LhRollback => Some([
            (
                Action::LhDescribeInstances,
                json!({"InstanceIds": [target]}),
            ),
            // At most a handful per instance (the quota), so one page holds them all.
            (
                Action::LhDescribeSnapshots,
                json!({"Filters": [{"Name": "instance-id", "Values": [target]}], "Limit": 100}),
            ),
        ]),
        Kind::EcsResetDisk => Some([
            (Action::EcsDescribeDisks, json!({"DiskIds": [target]})),
            (
                Action::EcsDescribeSnapshots,
                json!({"DiskId": target, "MaxResults": 100}),
            ),
        ]),
        _ => None,
    }
}

/// The target with its snapshots (newest first) from the two reads' rows; `None` when
/// the target was not found.
pub fn candidate(kind: Kind, targets: &[Value], snapshots: &[Value]) -> Option<Candidate> {
    let all = match kind {
        Kind::LhRollback => batch::lighthouse_targets(targets, snapshots),
        Kind::EcsResetDisk => batch::ecs_targets(targets, &[], snapshots),
        _ => Vec::new(),
    };
    all.into_iter().next()
}

/// One snapshot as the picker offers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub choice: SnapshotChoice,
    /// GiB, as the cloud reports it.
    pub size_gib: String,
    /// Rewind took it (a safety snapshot before an earlier rollback).
    pub by_rewind: bool,
    /// Why the cloud would refuse a rollback to it; `None` when it can be picked.
    pub refused: Option<Text>,
}

/// The pre-flight rules about the snapshot itself (not the target's state, which the
/// checklist reports once for every snapshot).
const SNAPSHOT_RULES: &[&str] = &[
    rules::SNAPSHOT_STATE,
    rules::SNAPSHOT_BELONGS,
    rules::SNAPSHOT_DISK_SIZE,
    rules::SNAPSHOT_TOO_OLD,
];

/// The target's snapshots as offered, newest first.
pub fn offers(kind: Kind, target: &Candidate) -> Vec<Offer> {
    let size_field = match kind {
        Kind::EcsResetDisk => "SourceDiskSize",
        _ => "DiskSize",
    };
    target
        .snapshots
        .iter()
        .map(|s| {
            let refused = batch::preflight(kind, target, &s.id)
                .into_iter()
                .find(|c| c.status == Status::Fail && SNAPSHOT_RULES.contains(&c.rule))
                .map(|c| c.message);
            Offer {
                size_gib: crate::inventory::cell(&s.row, size_field),
                by_rewind: s.is_safety(),
                refused,
                choice: s.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lighthouse() -> Candidate {
        let instance = json!({"InstanceId": "lhins-1", "InstanceName": "web", "InstanceState": "RUNNING",
            "SystemDisk": {"DiskId": "lhdisk-1", "DiskSize": 50}});
        let snaps = vec![
            json!({"SnapshotId": "lhsnap-old", "SnapshotName": "weekly", "DiskId": "lhdisk-1", "DiskSize": 50,
                   "SnapshotState": "NORMAL", "CreatedTime": "2026-10-01T00:00:00Z"}),
            json!({"SnapshotId": "lhsnap-new", "SnapshotName": "nightly", "DiskId": "lhdisk-1", "DiskSize": 50,
                   "SnapshotState": "CREATING", "CreatedTime": "2026-11-20T00:00:00Z"}),
            json!({"SnapshotId": "lhsnap-safe", "SnapshotName": "rewind-before-rollback-web", "DiskId": "lhdisk-1",
                   "DiskSize": 50, "SnapshotState": "NORMAL", "CreatedTime": "2026-11-01T00:00:00Z"}),
            json!({"SnapshotId": "lhsnap-small", "SnapshotName": "before-resize", "DiskId": "lhdisk-1",
                   "DiskSize": 40, "SnapshotState": "NORMAL", "CreatedTime": "2026-09-01T00:00:00Z"}),
        ];
        candidate(Kind::LhRollback, &[instance], &snaps).unwrap()
    }

    #[test]
    fn lighthouse_snapshots_newest_first_with_the_clouds_refusals() {
        let offers = offers(Kind::LhRollback, &lighthouse());
        let ids: Vec<&str> = offers.iter().map(|o| o.choice.id.as_str()).collect();
        assert_eq!(
            ids,
            ["lhsnap-new", "lhsnap-safe", "lhsnap-old", "lhsnap-small"]
        );
        // Still being created: refused, with the state named.
        let creating = offers[0].refused.as_ref().expect("refused");
        assert!(creating.en.contains("CREATING"), "{}", creating.en);
        // Rewind's own safety snapshot can be picked, and says whose it is.
        assert!(offers[1].by_rewind && offers[1].refused.is_none());
        assert!(offers[2].refused.is_none() && !offers[2].by_rewind);
        assert_eq!(offers[2].size_gib, "50");
        // Taken when the disk was smaller than it is now: the cloud refuses it.
        assert!(offers[3].refused.is_some(), "{:?}", offers[3]);
    }

    #[test]
    fn ecs_snapshots_of_the_disk_with_their_state() {
        let disk = json!({"DiskId": "d-1", "DiskName": "web-system", "Status": "In_use", "Size": 40,
            "InstanceId": "i-1", "Type": "system"});
        let snaps = vec![
            json!({"SnapshotId": "s-ok", "SnapshotName": "daily", "SourceDiskId": "d-1", "SourceDiskSize": "40",
                   "Status": "accomplished", "CreationTime": "2026-11-01T00:00Z"}),
            json!({"SnapshotId": "s-prog", "SnapshotName": "now", "SourceDiskId": "d-1", "SourceDiskSize": "40",
                   "Status": "progressing", "CreationTime": "2026-11-02T00:00Z"}),
        ];
        let target = candidate(Kind::EcsResetDisk, &[disk], &snaps).unwrap();
        let offers = offers(Kind::EcsResetDisk, &target);
        assert_eq!(offers[0].choice.id, "s-prog");
        assert!(offers[0].refused.is_some());
        assert_eq!(offers[1].choice.id, "s-ok");
        assert!(offers[1].refused.is_none(), "{:?}", offers[1].refused);
        assert_eq!(offers[1].size_gib, "40");
    }

    #[test]
    fn only_rollback_and_reset_forms_pick_a_snapshot() {
        assert!(reads(Kind::LhRollback, "lhins-1").is_some());
        assert!(reads(Kind::EcsResetDisk, "d-1").is_some());
        assert!(reads(Kind::LhCreateSnapshot, "lhins-1").is_none());
        assert!(reads(Kind::WsRestore, "x").is_none());
        assert!(candidate(Kind::LhRollback, &[], &[]).is_none());
    }
}
