//! Batch rollbacks as data: which rows are targets, which snapshots belong to each, the
//! default choice (the newest ready one), and the pacing that keeps a batch under the
//! provider's documented rate (Lighthouse: 20 rollbacks per second).

use crate::restore::Kind;
use rewind_cloud::preflight::{Check, Status};
use rewind_cloud::{Provider, Text};
use serde_json::{Value, json};

/// One target of a batch: a Lighthouse instance or an ECS disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
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

impl Target {
    /// The default: the newest snapshot that is ready (NORMAL / accomplished).
    pub fn default_snapshot(&self) -> Option<&SnapshotChoice> {
        self.snapshots.iter().find(|s| s.ready)
    }

    fn snapshot(&self, id: &str) -> Option<&SnapshotChoice> {
        self.snapshots.iter().find(|s| s.id == id)
    }
}

/// The pre-flight of one batch item, from the state the batch page loaded: the same
/// rules as the single form (`rewind_cloud::preflight`), so nothing is sent that they
/// already know the cloud refuses.
pub fn preflight(kind: Kind, target: &Target, snapshot: &str) -> Vec<Check> {
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
    /// Why `target` cannot be part of a batch, or `None` when it can.
    pub fn unavailable(&self, target: &Target) -> Option<crate::inventory::Unavailable> {
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

fn s(v: &Value, k: &str) -> String {
    match &v[k] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Lighthouse: instances with the snapshots of their system disk.
pub fn lighthouse_targets(instances: &[Value], snapshots: &[Value]) -> Vec<Target> {
    instances
        .iter()
        .map(|i| {
            let disk = s(&i["SystemDisk"], "DiskId");
            let snaps = snapshots
                .iter()
                .filter(|sn| !disk.is_empty() && s(sn, "DiskId") == disk)
                .map(|sn| SnapshotChoice {
                    id: s(sn, "SnapshotId"),
                    name: s(sn, "SnapshotName"),
                    state: s(sn, "SnapshotState"),
                    created: s(sn, "CreatedTime"),
                    ready: s(sn, "SnapshotState") == "NORMAL",
                    row: sn.clone(),
                })
                .collect();
            target(
                s(i, "InstanceId"),
                s(i, "InstanceName"),
                s(i, "InstanceState"),
                snaps,
                (i.clone(), None),
            )
        })
        .collect()
}

/// ECS: disks with the snapshots taken from them and the instances they are attached to.
pub fn ecs_targets(disks: &[Value], instances: &[Value], snapshots: &[Value]) -> Vec<Target> {
    disks
        .iter()
        .map(|d| {
            let id = s(d, "DiskId");
            let snaps = snapshots
                .iter()
                .filter(|sn| s(sn, "SourceDiskId") == id)
                .map(|sn| SnapshotChoice {
                    id: s(sn, "SnapshotId"),
                    name: s(sn, "SnapshotName"),
                    state: s(sn, "Status"),
                    created: s(sn, "CreationTime"),
                    ready: s(sn, "Status") == "accomplished",
                    row: sn.clone(),
                })
                .collect();
            let attached = s(d, "InstanceId");
            let instance = instances
                .iter()
                .find(|i| !attached.is_empty() && s(i, "InstanceId") == attached)
                .cloned();
            target(
                id,
                s(d, "DiskName"),
                s(d, "Status"),
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
) -> Target {
    // ISO-8601 times sort as text; newest first.
    snapshots.sort_by(|a, b| b.created.cmp(&a.created));
    Target {
        id,
        name,
        state,
        snapshots,
        row,
        instance,
    }
}

/// The rollback parameters for one target and snapshot.
pub fn params(kind: Kind, target: &str, snapshot: &str) -> Value {
    match kind {
        Kind::LhRollback => json!({"InstanceId": target, "SnapshotId": snapshot}),
        _ => json!({"DiskId": target, "SnapshotId": snapshot}),
    }
}

/// How long to wait before the next start so that at most `per_sec` starts fall in any
/// one-second window, given the times (ms) of the starts so far.
pub fn pace_delay_ms(started: &[f64], now: f64, per_sec: u32) -> f64 {
    let n = per_sec.max(1) as usize;
    if started.len() < n {
        return 0.0;
    }
    // The start `n` places back must be at least one second old.
    let oldest_in_window = started[started.len() - n];
    (oldest_in_window + 1000.0 - now).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            params(Kind::EcsResetDisk, "d-1", "s-1"),
            json!({"DiskId": "d-1", "SnapshotId": "s-1"})
        );
    }

    #[test]
    fn targets_in_other_states_are_refused_with_the_state() {
        let lh = spec(Provider::Tencent).unwrap();
        let t = |state: &str| Target {
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
    fn pacing_keeps_at_most_the_limit_in_any_second() {
        assert_eq!(pace_delay_ms(&[], 0.0, 20), 0.0);
        let burst: Vec<f64> = (0..20).map(|i| i as f64).collect();
        // 20 starts in the first 20 ms: the 21st waits until the first is 1 s old.
        assert_eq!(pace_delay_ms(&burst, 20.0, 20), 980.0);
        assert_eq!(pace_delay_ms(&burst, 1500.0, 20), 0.0);
        // Simulate a queue of 100: no window of 1 s ever holds more than 20 starts.
        let mut started: Vec<f64> = Vec::new();
        let mut now = 0.0;
        for _ in 0..100 {
            now += pace_delay_ms(&started, now, 20);
            started.push(now);
            now += 1.0;
        }
        for (i, t) in started.iter().enumerate() {
            let in_window = started[i..].iter().filter(|u| **u < t + 1000.0).count();
            assert!(in_window <= 20, "{in_window} starts within a second of {t}");
        }
        assert!(
            started[99] >= 4000.0,
            "100 starts take at least 4 s at 20/s"
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
}
