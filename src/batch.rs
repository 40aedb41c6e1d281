//! Batch rollbacks as data: which rows are targets, which snapshots belong to each, the
//! default choice (the newest ready one that is not one of Rewind's own safety
//! snapshots), each item's pre-flight, and the plan: one batch operation
//! (`TaskPlan::Batch`) whose machine keeps to the provider's documented rate
//! (Lighthouse: 20 rollbacks per second).

use crate::restore::Kind;
use rewind_cloud::operation::{BatchKind, BatchPlan, Operation, TaskPlan, alibaba, tencent};
use rewind_cloud::preflight::{Check, Status};
use rewind_cloud::{Provider, Text};
use serde_json::Value;

/// One target of a batch: a Lighthouse instance or an ECS disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub state: String,
    /// Its snapshots, newest first.
    pub snapshots: Vec<SnapshotChoice>,
    /// The provider's row (the Lighthouse instance, the ECS disk), for the pre-flight.
    pub row: Value,
    /// ECS: the instance the disk is attached to (its state decides the pre-flight).
    pub instance: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotChoice {
    pub id: String,
    pub name: String,
    pub state: String,
    pub created: String,
    pub ready: bool,
    /// The provider's row, for the pre-flight.
    pub row: Value,
}

/// The names Rewind gives the snapshots it takes before a rollback, whether named by
/// the console (`rewind-before-rollback-web-1-2026-12-03T14.05+0800`) or by the
/// operation (`rewind-before-reset-<operation>`).
pub const SAFETY_PREFIX: &str = rewind_cloud::operation::SAFETY_NAME_PREFIX;

impl SnapshotChoice {
    /// One of Rewind's own safety snapshots: named `rewind-before-…`, or (ECS) tagged
    /// `rewind:safety` whatever its name.
    pub fn is_safety(&self) -> bool {
        self.name.starts_with(SAFETY_PREFIX)
            || self.row["Tags"]["Tag"].as_array().is_some_and(|tags| {
                tags.iter()
                    .any(|t| t["TagKey"] == alibaba::SAFETY_TAG || t["Key"] == alibaba::SAFETY_TAG)
            })
    }
}

impl Candidate {
    /// The default: the newest snapshot that is ready (NORMAL / accomplished), never a
    /// safety snapshot Rewind took before an earlier rollback.
    pub fn default_snapshot(&self) -> Option<&SnapshotChoice> {
        self.snapshots.iter().find(|s| s.ready && !s.is_safety())
    }

    /// True when some snapshot can be picked (the safety ones included).
    pub fn has_ready_snapshot(&self) -> bool {
        self.snapshots.iter().any(|s| s.ready)
    }

    fn snapshot(&self, id: &str) -> Option<&SnapshotChoice> {
        self.snapshots.iter().find(|s| s.id == id)
    }
}

/// The pre-flight of one batch item, from the state the batch page loaded: the same
/// rules as the single form (`rewind_cloud::preflight`), so nothing is sent that they
/// already know the cloud refuses. A batch takes no safety snapshots ([`plan`]), so
/// there is no safety snapshot to count against the quota.
pub fn preflight(kind: Kind, target: &Candidate, snapshot: &str) -> Vec<Check> {
    let snap = target.snapshot(snapshot).map(|s| &s.row);
    match kind {
        Kind::LhRollback => rewind_cloud::preflight::lighthouse_rollback(Some(&target.row), snap),
        _ => rewind_cloud::preflight::ecs_reset_disk(
            Some(&target.row),
            snap,
            target.instance.as_ref(),
        ),
    }
}

/// One line for a batch item: the first failure, else the first warning, else ready.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Ready,
    Warn(Text),
    Fail(Text),
}

pub fn verdict(checks: &[Check]) -> Verdict {
    let first = |status: Status| checks.iter().find(|c| c.status == status);
    match (first(Status::Fail), first(Status::Warn)) {
        (Some(c), _) => Verdict::Fail(c.message.clone()),
        (None, Some(c)) => Verdict::Warn(c.message.clone()),
        (None, None) => Verdict::Ready,
    }
}

/// What a batch of one cloud rolls back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSpec {
    pub provider: Provider,
    pub kind: Kind,
    /// The per-second limit the queue keeps to.
    pub per_sec: u32,
    /// The target states in which the cloud accepts the rollback.
    pub states: &'static [&'static str],
}

impl BatchSpec {
    /// The inventory view the batch's targets come from: Lighthouse instances, ECS disks.
    pub fn target_view(&self) -> &'static str {
        match self.provider {
            Provider::Tencent => "instances",
            _ => "disks",
        }
    }

    /// Why `target` cannot be part of a batch, or `None` when it can.
    pub fn unavailable(&self, target: &Candidate) -> Option<crate::inventory::Unavailable> {
        if !self.states.contains(&target.state.as_str()) {
            return Some(crate::inventory::Unavailable::State {
                state: target.state.clone(),
            });
        }
        None
    }
}

pub fn spec(provider: Provider) -> Option<BatchSpec> {
    match provider {
        Provider::Tencent => Some(BatchSpec {
            provider,
            kind: Kind::LhRollback,
            per_sec: rewind_cloud::Action::LhApplyInstanceSnapshot
                .spec()
                .rate_limit_per_sec
                .unwrap_or(20),
            states: &["RUNNING", "STOPPED"],
        }),
        // ECS documents no per-action limit; the same pace keeps a batch polite.
        Provider::Alibaba => Some(BatchSpec {
            provider,
            kind: Kind::EcsResetDisk,
            per_sec: 20,
            states: &["In_use", "Available"],
        }),
        Provider::Huawei => None,
    }
}

fn field_text(v: &Value, k: &str) -> String {
    match &v[k] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Lighthouse: instances with the snapshots of their system disk.
pub fn lighthouse_targets(instances: &[Value], snapshots: &[Value]) -> Vec<Candidate> {
    instances
        .iter()
        .map(|i| {
            let disk = field_text(&i["SystemDisk"], "DiskId");
            let snaps = snapshots
                .iter()
                .filter(|sn| !disk.is_empty() && field_text(sn, "DiskId") == disk)
                .map(|sn| SnapshotChoice {
                    id: field_text(sn, "SnapshotId"),
                    name: field_text(sn, "SnapshotName"),
                    state: field_text(sn, "SnapshotState"),
                    created: field_text(sn, "CreatedTime"),
                    ready: field_text(sn, "SnapshotState") == "NORMAL",
                    row: sn.clone(),
                })
                .collect();
            target(
                field_text(i, "InstanceId"),
                field_text(i, "InstanceName"),
                field_text(i, "InstanceState"),
                snaps,
                (i.clone(), None),
            )
        })
        .collect()
}

/// ECS: disks with the snapshots taken from them and the instances they are attached to.
pub fn ecs_targets(disks: &[Value], instances: &[Value], snapshots: &[Value]) -> Vec<Candidate> {
    disks
        .iter()
        .map(|d| {
            let id = field_text(d, "DiskId");
            let snaps = snapshots
                .iter()
                .filter(|sn| field_text(sn, "SourceDiskId") == id)
                .map(|sn| SnapshotChoice {
                    id: field_text(sn, "SnapshotId"),
                    name: field_text(sn, "SnapshotName"),
                    state: field_text(sn, "Status"),
                    created: field_text(sn, "CreationTime"),
                    ready: field_text(sn, "Status") == "accomplished",
                    row: sn.clone(),
                })
                .collect();
            let attached = field_text(d, "InstanceId");
            let instance = instances
                .iter()
                .find(|i| !attached.is_empty() && field_text(i, "InstanceId") == attached)
                .cloned();
            target(
                id,
                field_text(d, "DiskName"),
                field_text(d, "Status"),
                snaps,
                (d.clone(), instance),
            )
        })
        .collect()
}

fn target(
    id: String,
    name: String,
    state: String,
    mut snapshots: Vec<SnapshotChoice>,
    (row, instance): (Value, Option<Value>),
) -> Candidate {
    // ISO-8601 times sort as text; newest first.
    snapshots.sort_by(|a, b| b.created.cmp(&a.created));
    Candidate {
        id,
        name,
        state,
        snapshots,
        row,
        instance,
    }
}

/// One rollback of the batch: its target, the snapshot chosen and, for an ECS disk,
/// the instance it is attached to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub target: String,
    pub snapshot: String,
    pub instance: Option<String>,
}

/// The batch operation: one rollback per pick, no safety snapshots, nothing started
/// afterwards (the machine paces the starts).
pub fn plan(kind: Kind, picks: &[Pick]) -> TaskPlan {
    let items = picks
        .iter()
        .map(|p| match kind {
            Kind::LhRollback => Operation::LhRollback(tencent::RollbackPlan {
                instance_id: p.target.clone(),
                snapshot_id: p.snapshot.clone(),
                safety_snapshot: None,
                start_afterwards: false,
            }),
            _ => Operation::EcsResetDisk(alibaba::ResetPlan {
                disk_id: p.target.clone(),
                snapshot_id: p.snapshot.clone(),
                instance_id: p.instance.clone(),
                stop_if_running: false,
                stop: Default::default(),
                safety_snapshot: None,
                start_afterwards: false,
                dry_run: false,
            }),
        })
        .collect();
    TaskPlan::Batch(BatchPlan {
        kind: BatchKind::Batch,
        items,
    })
}

/// The instance a target's disk is attached to (ECS), for its pick.
pub fn attached_instance(target: &Candidate) -> Option<String> {
    target
        .row
        .get("InstanceId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lighthouse_targets_get_their_system_disk_snapshots_newest_ready_first() {
        let instances = [
            json!({"InstanceId": "lhins-aaaaaaaa", "InstanceName": "wiki", "InstanceState": "STOPPED",
            "SystemDisk": {"DiskId": "lhdisk-1"}}),
        ];
        let snaps = [
            json!({"SnapshotId": "lhsnap-old", "DiskId": "lhdisk-1", "SnapshotState": "NORMAL", "CreatedTime": "2026-10-01T00:00:00Z"}),
            json!({"SnapshotId": "lhsnap-new", "DiskId": "lhdisk-1", "SnapshotState": "CREATING", "CreatedTime": "2026-11-20T00:00:00Z"}),
            json!({"SnapshotId": "lhsnap-mid", "DiskId": "lhdisk-1", "SnapshotState": "NORMAL", "CreatedTime": "2026-11-01T00:00:00Z"}),
            json!({"SnapshotId": "lhsnap-other", "DiskId": "lhdisk-2", "SnapshotState": "NORMAL", "CreatedTime": "2026-11-21T00:00:00Z"}),
        ];
        let t = lighthouse_targets(&instances, &snaps);
        assert_eq!(t[0].snapshots.len(), 3);
        assert_eq!(t[0].snapshots[0].id, "lhsnap-new");
        assert_eq!(t[0].default_snapshot().unwrap().id, "lhsnap-mid");
    }

    #[test]
    fn ecs_targets_match_snapshots_by_source_disk() {
        let disks = [
            json!({"DiskId": "d-1", "DiskName": "sys", "Status": "In_use"}),
            json!({"DiskId": "d-2", "Status": "Available"}),
        ];
        let snaps = [
            json!({"SnapshotId": "s-1", "SourceDiskId": "d-1", "Status": "accomplished", "CreationTime": "2026-11-01T00:00:00Z"}),
            json!({"SnapshotId": "s-2", "SourceDiskId": "d-1", "Status": "failed", "CreationTime": "2026-11-02T00:00:00Z"}),
        ];
        let t = ecs_targets(&disks, &[], &snaps);
        assert_eq!(t[0].default_snapshot().unwrap().id, "s-1");
        assert!(t[1].default_snapshot().is_none());
    }

    #[test]
    fn targets_in_other_states_are_refused_with_the_state() {
        let lh = spec(Provider::Tencent).unwrap();
        let t = |state: &str| Candidate {
            id: "lhins-aaaaaaaa".into(),
            name: "x".into(),
            state: state.into(),
            snapshots: vec![],
            row: json!({}),
            instance: None,
        };
        assert_eq!(lh.unavailable(&t("STOPPED")), None);
        let why = lh.unavailable(&t("STOPPING")).unwrap();
        assert!(why.reason().en.contains("STOPPING"));
        assert!(
            spec(Provider::Alibaba)
                .unwrap()
                .unavailable(&t("ReIniting"))
                .is_some()
        );
    }

    #[test]
    fn each_item_gets_the_forms_pre_flight_for_its_chosen_snapshot() {
        // Lighthouse: a snapshot from before a resize fails; the newer one is ready, and a
        // running instance is a warning (forced shutdown), not a failure.
        let inst = |state: &str| {
            json!({"InstanceId": "lhins-aaaaaaaa", "InstanceName": "wiki", "InstanceState": state,
                "LatestOperationState": "SUCCESS",
                "SystemDisk": {"DiskId": "lhdisk-1", "DiskSize": 60}})
        };
        let snaps = [
            json!({"SnapshotId": "lhsnap-before", "DiskId": "lhdisk-1", "DiskUsage": "SYSTEM_DISK", "DiskSize": 40,
                "SnapshotState": "NORMAL", "CreatedTime": "2026-10-01T00:00:00Z"}),
            json!({"SnapshotId": "lhsnap-after", "DiskId": "lhdisk-1", "DiskUsage": "SYSTEM_DISK", "DiskSize": 60,
                "SnapshotState": "NORMAL", "CreatedTime": "2026-11-01T00:00:00Z"}),
        ];
        let stopped = &lighthouse_targets(&[inst("STOPPED")], &snaps)[0];
        let fail = verdict(&preflight(Kind::LhRollback, stopped, "lhsnap-before"));
        let Verdict::Fail(why) = fail else {
            panic!("{fail:?}")
        };
        assert!(why.en.contains("resized"), "{why:?}");
        assert_eq!(
            verdict(&preflight(Kind::LhRollback, stopped, "lhsnap-after")),
            Verdict::Ready
        );
        let running = &lighthouse_targets(&[inst("RUNNING")], &snaps)[0];
        assert!(matches!(
            verdict(&preflight(Kind::LhRollback, running, "lhsnap-after")),
            Verdict::Warn(_)
        ));
        // A snapshot that is not the target's fails as not found.
        assert!(matches!(
            verdict(&preflight(Kind::LhRollback, stopped, "lhsnap-elsewhere")),
            Verdict::Fail(_)
        ));

        // ECS: the disk's instance must be Stopped.
        let disks =
            [json!({"DiskId": "d-1", "Status": "In_use", "InstanceId": "i-1", "Type": "system"})];
        let ecs_snaps = [
            json!({"SnapshotId": "s-1", "SourceDiskId": "d-1", "Status": "accomplished",
            "CreationTime": "2026-11-01T00:00:00Z"}),
        ];
        let instance = |state: &str| [json!({"InstanceId": "i-1", "Status": state})];
        let running = &ecs_targets(&disks, &instance("Running"), &ecs_snaps)[0];
        assert_eq!(running.instance.as_ref().unwrap()["InstanceId"], "i-1");
        assert!(matches!(
            verdict(&preflight(Kind::EcsResetDisk, running, "s-1")),
            Verdict::Fail(_)
        ));
        let stopped = &ecs_targets(&disks, &instance("Stopped"), &ecs_snaps)[0];
        assert!(!matches!(
            verdict(&preflight(Kind::EcsResetDisk, stopped, "s-1")),
            Verdict::Fail(_)
        ));
    }

    #[test]
    fn the_default_snapshot_is_never_a_safety_snapshot() {
        let instances = [
            json!({"InstanceId": "lhins-aaaaaaaa", "InstanceState": "STOPPED",
            "SystemDisk": {"DiskId": "lhdisk-1"}}),
        ];
        let snaps = [
            json!({"SnapshotId": "lhsnap-daily", "SnapshotName": "blog-daily", "DiskId": "lhdisk-1",
                "SnapshotState": "NORMAL", "CreatedTime": "2026-11-01T00:00:00Z"}),
            json!({"SnapshotId": "lhsnap-safety", "SnapshotName": "rewind-before-rollback-tab-1",
                "DiskId": "lhdisk-1", "SnapshotState": "NORMAL", "CreatedTime": "2026-11-20T00:00:00Z"}),
        ];
        let t = &lighthouse_targets(&instances, &snaps)[0];
        assert_eq!(t.snapshots[0].id, "lhsnap-safety", "newest first");
        assert!(t.snapshots[0].is_safety());
        assert_eq!(t.default_snapshot().unwrap().id, "lhsnap-daily");
        // Only safety snapshots: no default, though one can still be picked by hand.
        let only = &lighthouse_targets(&instances, &snaps[1..])[0];
        assert!(only.default_snapshot().is_none() && only.has_ready_snapshot());
        // Safety snapshots named with the instance and the time are recognised too; on
        // ECS so is one renamed since, by its tag.
        let named = [
            snaps[0].clone(),
            json!({"SnapshotId": "lhsnap-named", "DiskId": "lhdisk-1", "SnapshotState": "NORMAL",
                "SnapshotName": "rewind-before-rollback-blog-prod-2026-12-03T14.05+0800",
                "CreatedTime": "2026-12-03T06:05:00Z"}),
        ];
        let t = &lighthouse_targets(&instances, &named)[0];
        assert_eq!(t.default_snapshot().unwrap().id, "lhsnap-daily");
        let disks = [json!({"DiskId": "d-1", "Status": "In_use", "InstanceId": ""})];
        let ecs_snaps = [
            json!({"SnapshotId": "s-old", "SnapshotName": "nightly", "SourceDiskId": "d-1",
                "Status": "accomplished", "CreationTime": "2026-11-01T00:00:00Z"}),
            json!({"SnapshotId": "s-safety", "SnapshotName": "kept-before-upgrade", "SourceDiskId": "d-1",
                "Status": "accomplished", "CreationTime": "2026-12-01T00:00:00Z",
                "Tags": {"Tag": [{"TagKey": "rewind:safety", "TagValue": "op-1"}]}}),
        ];
        let t = &ecs_targets(&disks, &[], &ecs_snaps)[0];
        assert!(t.snapshots[0].is_safety());
        assert_eq!(t.default_snapshot().unwrap().id, "s-old");
    }

    #[test]
    fn a_batch_is_one_operation_with_an_item_per_pick() {
        let picks = [
            Pick {
                target: "d-bp199lyny9b3aaaa".into(),
                snapshot: "s-bp1c8ioq8d7aaaaa".into(),
                instance: Some("i-bp1inst000000000001".into()),
            },
            Pick {
                target: "d-bp199lyny9b3bbbb".into(),
                snapshot: "s-bp1c8ioq8d7bbbbb".into(),
                instance: None,
            },
        ];
        let plan = plan(Kind::EcsResetDisk, &picks);
        assert_eq!(plan.kind(), "Batch");
        assert_eq!(plan.provider(), Some(Provider::Alibaba));
        let ops = plan.operations();
        let Operation::EcsResetDisk(first) = ops[0] else {
            panic!()
        };
        assert_eq!(first.instance_id.as_deref(), Some("i-bp1inst000000000001"));
        assert!(first.safety_snapshot.is_none() && !first.start_afterwards);
        let task = rewind_cloud::operation::Task::new("b-1", plan, Default::default());
        assert!(task.is_ok(), "{task:?}");
        let disk = ecs_targets(&[json!({"DiskId": "d-1", "InstanceId": "i-1"})], &[], &[]);
        assert_eq!(attached_instance(&disk[0]).as_deref(), Some("i-1"));
    }
}
