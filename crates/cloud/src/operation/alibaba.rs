//! ECS operations: the plans and the steps they are made of (stop/start, snapshot,
//! reset). Answers are read with the typed models of [`crate::alibaba`].
//!
//! CreateSnapshot always carries a ClientToken derived from the operation id, so ECS
//! itself makes it idempotent and it is retried like a read; ResetDisk (not a dry run),
//! StopInstance and StartInstance are destructive and settled by reading after a lost
//! answer.

use super::power::{OpMark, Position, PowerCalls, PowerStep, Seen, StopMode};
use super::{
    Failure, Flow, Power, Reconcile, Request, SafetySnapshot, StepWork, Tag, Work, decode, gone,
    safety_name, short_id, to_params, unreadable,
};
use crate::action::Action;
use crate::alibaba::{
    CreateSnapshotRequest, CreateSnapshotResponse, DescribeDisksRequest, DescribeDisksResponse,
    DescribeInstancesRequest, DescribeInstancesResponse, DescribeSnapshotsRequest,
    DescribeSnapshotsResponse, Disk, DiskStatus, Instance, InstanceStatus, ResetDiskRequest,
    SnapshotStatus, StartInstanceRequest, StopInstanceRequest,
};
use crate::i18n::Text;
use crate::provider::Provider;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Roll a disk back: stop its instance if needed → optional safety snapshot →
/// ResetDisk (a dry run first on request) → optional start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetPlan {
    pub disk_id: String,
    pub snapshot_id: String,
    /// The instance the disk is attached to (the pre-flight knows it). Without it the
    /// instance is neither stopped nor started.
    #[serde(default)]
    pub instance_id: Option<String>,
    /// Stop the instance first when it is not Stopped (ResetDisk requires it).
    #[serde(default)]
    pub stop_if_running: bool,
    /// How to stop it (`ForceStop`, `StoppedMode`).
    #[serde(default)]
    pub stop: StopMode,
    #[serde(default)]
    pub safety_snapshot: Option<SafetySnapshot>,
    #[serde(default)]
    pub start_afterwards: bool,
    /// Send `DryRun=true` first; only a passing check (`DryRunOperation`) goes on.
    #[serde(default)]
    pub dry_run: bool,
}

/// CreateSnapshot, waited on until accomplished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotPlan {
    pub disk_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub retention_days: Option<u32>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// Start or stop an instance (the plan is the same on both clouds).
pub use super::PowerPlan;

/// The tag every ECS safety snapshot carries (its value is the operation id).
pub const SAFETY_TAG: &str = "rewind:safety";
/// How long an ECS safety snapshot is kept unless the plan says otherwise.
pub const SAFETY_RETENTION_DAYS: u32 = 7;

pub(super) fn reset_steps(p: &ResetPlan, op_id: &str) -> Vec<Work> {
    let mut steps = Vec::new();
    if let (Some(inst), true) = (&p.instance_id, p.stop_if_running) {
        steps.push(Work::Power(
            PowerStep::new(Provider::Alibaba, inst, Power::Stop, false)
                .with_stop_mode(p.stop.clone()),
        ));
    }
    if let Some(safety) = &p.safety_snapshot {
        let name = safety
            .name
            .clone()
            .unwrap_or_else(|| safety_name(op_id, "reset"));
        // Marked, explained and set to expire, so a safety snapshot is recognisable in
        // the ECS console and does not hold one of the disk's 64 slots for ever.
        let mut tags = safety.tags.clone();
        if !tags.iter().any(|t| t.key == SAFETY_TAG) {
            tags.push(Tag {
                key: SAFETY_TAG.into(),
                value: op_id.to_string(),
            });
        }
        let plan = SnapshotPlan {
            disk_id: p.disk_id.clone(),
            name: Some(name),
            description: safety.description.clone().or_else(|| {
                Some(format!(
                    "Taken by Rewind before resetting {} to {} (operation {op_id})",
                    p.disk_id, p.snapshot_id
                ))
            }),
            retention_days: safety.retention_days.or(Some(SAFETY_RETENTION_DAYS)),
            tags,
        };
        steps.push(Work::EcsSnapshot(SnapshotStep::new(
            &plan,
            op_id,
            steps.len(),
            false,
        )));
    }
    steps.push(Work::EcsReset(ResetStep {
        disk_id: p.disk_id.clone(),
        snapshot_id: p.snapshot_id.clone(),
        instance_id: p.instance_id.clone(),
        dry_run: p.dry_run,
        phase: ResetPhase::Check,
    }));
    if let (Some(inst), true) = (&p.instance_id, p.start_afterwards) {
        steps.push(Work::Power(PowerStep::new(
            Provider::Alibaba,
            inst,
            Power::Start,
            false,
        )));
    }
    steps
}

pub(super) fn snapshot_steps(p: &SnapshotPlan, op_id: &str) -> Vec<Work> {
    vec![Work::EcsSnapshot(SnapshotStep::new(p, op_id, 0, true))]
}

pub(super) fn power_steps(p: &PowerPlan) -> Vec<Work> {
    vec![Work::Power(
        PowerStep::new(Provider::Alibaba, &p.instance_id, p.power, true)
            .with_stop_mode(p.stop.clone())
            .with_name(p.instance_name.as_deref()),
    )]
}

fn describe_disk(disk_id: &str) -> DescribeDisksRequest {
    DescribeDisksRequest {
        disk_ids: Some(vec![disk_id.to_string()]),
        ..Default::default()
    }
}

fn find_disk(data: &Value, id: &str) -> Option<Option<Disk>> {
    let r: DescribeDisksResponse = decode(data)?;
    Some(r.disks.disk.into_iter().find(|d| d.disk_id == id))
}

fn find_instance(data: &Value, id: &str) -> Option<Option<Instance>> {
    let r: DescribeInstancesResponse = decode(data)?;
    Some(
        r.instances
            .instance
            .into_iter()
            .find(|i| i.instance_id == id),
    )
}

// ------------------------------------------------------------------ power

/// StopInstance / StartInstance and the read of the instance, for [`PowerStep`].
pub(super) fn power_calls(instance_id: &str, power: Power, stop: &StopMode) -> PowerCalls {
    let describe = DescribeInstancesRequest {
        instance_ids: Some(vec![instance_id.to_string()]),
        ..Default::default()
    };
    let instance_id = instance_id.to_string();
    let send = match power {
        Power::Start => (
            Action::EcsStartInstance,
            to_params(&StartInstanceRequest {
                instance_id,
                dry_run: None,
            }),
        ),
        Power::Stop => (
            Action::EcsStopInstance,
            to_params(&StopInstanceRequest {
                instance_id,
                force_stop: stop.force.then_some(true),
                stopped_mode: stop.stopped_mode.map(|m| m.as_str().to_string()),
                ..Default::default()
            }),
        ),
    };
    PowerCalls {
        describe: (Action::EcsDescribeInstances, to_params(&describe)),
        send,
    }
}

/// The instance as a start or a stop sees it; a security lock blocks both.
pub(super) fn power_seen(data: &Value, instance_id: &str, power: Power) -> Option<Option<Seen>> {
    let Some(i) = find_instance(data, instance_id)? else {
        return Some(None);
    };
    let (there, on_the_way, from) = match power {
        Power::Start => (
            InstanceStatus::Running,
            InstanceStatus::Starting,
            InstanceStatus::Stopped,
        ),
        Power::Stop => (
            InstanceStatus::Stopped,
            InstanceStatus::Stopping,
            InstanceStatus::Running,
        ),
    };
    let position = match &i.status {
        s if *s == there => Position::There,
        s if *s == on_the_way => Position::OnTheWay,
        s if *s == from => Position::From,
        InstanceStatus::Pending | InstanceStatus::Starting | InstanceStatus::Stopping => {
            Position::Moving
        }
        _ => Position::Elsewhere,
    };
    let blocked = i.locked_for_security().then(|| {
        Failure::state(
            format!("{instance_id} is locked for security; ECS refuses every operation on it"),
            format!("{instance_id} 因安全原因被锁定，ECS 拒绝对其进行任何操作"),
        )
    });
    Some(Some(Seen {
        state: i.status.to_string(),
        position,
        operating: false,
        failed: false,
        mark: OpMark::default(),
        blocked,
    }))
}

// ------------------------------------------------------------------ snapshot step

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SnapshotPhase {
    Create,
    Wait,
}

/// CreateSnapshot with a deterministic ClientToken (so a retry after a lost answer
/// returns the same snapshot), then wait until accomplished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotStep {
    request: CreateSnapshotRequest,
    main: bool,
    phase: SnapshotPhase,
    snapshot_id: Option<String>,
}

impl SnapshotStep {
    fn new(p: &SnapshotPlan, op_id: &str, step: usize, main: bool) -> SnapshotStep {
        let token = crate::sign::sha256_hex(format!("{op_id}/{step}").as_bytes());
        SnapshotStep {
            request: CreateSnapshotRequest {
                disk_id: p.disk_id.clone(),
                snapshot_name: Some(
                    p.name
                        .clone()
                        .unwrap_or_else(|| format!("rewind-snapshot-{}", short_id(op_id))),
                ),
                description: p.description.clone(),
                retention_days: p.retention_days,
                client_token: Some(format!("rewind-{}", &token[..32])),
                resource_group_id: None,
                tag: p
                    .tags
                    .iter()
                    .map(|t| crate::alibaba::Tag {
                        key: t.key.clone(),
                        value: Some(t.value.clone()),
                    })
                    .collect(),
            },
            main,
            phase: SnapshotPhase::Create,
            snapshot_id: None,
        }
    }
}

impl StepWork for SnapshotStep {
    fn label(&self) -> Text {
        let disk = &self.request.disk_id;
        Text::new(
            format!("Take a snapshot of {disk}"),
            format!("为 {disk} 创建快照"),
        )
    }

    fn request(&self) -> Request {
        let disk = &self.request.disk_id;
        match (&self.phase, &self.snapshot_id) {
            (SnapshotPhase::Wait, Some(id)) => Request::read(
                Action::EcsDescribeSnapshots,
                &DescribeSnapshotsRequest {
                    snapshot_ids: Some(vec![id.clone()]),
                    ..Default::default()
                },
                disk,
                "wait",
            ),
            _ => Request::read(Action::EcsCreateSnapshot, &self.request, disk, "create")
                .main(self.main),
        }
    }

    fn on_ok(&mut self, data: &Value, _request_id: Option<&str>) -> Flow {
        match self.phase {
            SnapshotPhase::Create => match decode::<CreateSnapshotResponse>(data) {
                Some(r) if !r.snapshot_id.is_empty() => {
                    self.snapshot_id = Some(r.snapshot_id);
                    self.phase = SnapshotPhase::Wait;
                    Flow::Next
                }
                // The ClientToken makes asking again safe: ECS answers with the same one.
                _ => unreadable(Action::EcsCreateSnapshot),
            },
            SnapshotPhase::Wait => {
                let id = self.snapshot_id.clone().unwrap_or_default();
                let Some(r) = decode::<DescribeSnapshotsResponse>(data) else {
                    return unreadable(Action::EcsDescribeSnapshots);
                };
                match r
                    .snapshots
                    .snapshot
                    .into_iter()
                    .find(|s| s.snapshot_id == id)
                {
                    None => Flow::Poll(format!("{id} not listed yet")),
                    Some(s) if s.status == SnapshotStatus::Accomplished => Flow::Done(id),
                    Some(s) if s.status == SnapshotStatus::Failed => Flow::Fail(Failure::state(
                        format!("Snapshot {id} failed"),
                        format!("快照 {id} 创建失败"),
                    )),
                    Some(s) => Flow::Poll(format!(
                        "{id} {} {}",
                        s.status,
                        s.progress.as_deref().unwrap_or("")
                    )),
                }
            }
        }
    }

    fn checks(&self) -> Vec<(Action, Value)> {
        vec![(Action::EcsCreateSnapshot, to_params(&self.request))]
    }

    fn created_snapshot(&self) -> Option<&str> {
        self.snapshot_id.as_deref()
    }

    fn safety_snapshot_name(&self) -> Option<&str> {
        if self.main {
            return None;
        }
        self.request.snapshot_name.as_deref()
    }
}

// ------------------------------------------------------------------ reset step

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetPhase {
    /// The disk must exist, be attached to the planned instance, and be In_use or
    /// Available (busy states are waited out).
    Check,
    DryRun,
    Reset,
    Wait,
}

/// ResetDisk (after an optional dry run) and wait until the disk is no longer
/// ReIniting. Reconcile: the disk is ReIniting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetStep {
    disk_id: String,
    snapshot_id: String,
    instance_id: Option<String>,
    dry_run: bool,
    phase: ResetPhase,
}

impl ResetStep {
    fn reset(&self, dry_run: bool) -> ResetDiskRequest {
        ResetDiskRequest {
            disk_id: self.disk_id.clone(),
            snapshot_id: self.snapshot_id.clone(),
            dry_run: dry_run.then_some(true),
        }
    }
}

impl StepWork for ResetStep {
    fn label(&self) -> Text {
        let (d, s) = (&self.disk_id, &self.snapshot_id);
        Text::new(format!("Reset {d} to {s}"), format!("将 {d} 重置为 {s}"))
    }

    fn request(&self) -> Request {
        let disk = &self.disk_id;
        let describe = describe_disk(disk);
        match self.phase {
            ResetPhase::Check => Request::read(Action::EcsDescribeDisks, &describe, disk, "check"),
            ResetPhase::Wait => Request::read(Action::EcsDescribeDisks, &describe, disk, "wait"),
            ResetPhase::DryRun => {
                Request::read(Action::EcsResetDisk, &self.reset(true), disk, "dryrun")
            }
            ResetPhase::Reset => Request::destructive(
                Action::EcsResetDisk,
                &self.reset(false),
                disk,
                "reset",
                Reconcile {
                    action: Action::EcsDescribeDisks,
                    params: to_params(&describe),
                    evidence: Text::new(
                        format!("{disk} is ReIniting"),
                        format!("{disk} 处于 ReIniting"),
                    ),
                },
            )
            .main(true),
        }
    }

    fn on_ok(&mut self, data: &Value, _request_id: Option<&str>) -> Flow {
        let id = self.disk_id.clone();
        match self.phase {
            ResetPhase::DryRun => {
                return Flow::Fail(Failure::state(
                    format!(
                        "ECS answered the dry run on {id} with success, which a dry run never is; nothing more was sent. Check the disk."
                    ),
                    format!(
                        "ECS 对 {id} 的预检返回了成功（预检不应如此）；未再发送任何请求，请检查该云盘。"
                    ),
                ));
            }
            ResetPhase::Reset => {
                self.phase = ResetPhase::Wait;
                return Flow::Next;
            }
            ResetPhase::Check | ResetPhase::Wait => {}
        }
        let disk = match find_disk(data, &id) {
            None => return unreadable(Action::EcsDescribeDisks),
            Some(None) => return gone("disk", "云盘", &id),
            Some(Some(d)) => d,
        };
        let attached = disk.instance_id.clone().filter(|i| !i.is_empty());
        match (self.phase, &disk.status) {
            (ResetPhase::Check, _)
                if self.instance_id.is_some()
                    && attached.is_some()
                    && attached != self.instance_id =>
            {
                let other = attached.unwrap_or_default();
                Flow::Fail(Failure::state(
                    format!("{id} is attached to {other}, not to the planned instance"),
                    format!("{id} 挂载在 {other} 上，而不是计划中的实例"),
                ))
            }
            (ResetPhase::Check, s) if s.allows_reset() => {
                self.phase = if self.dry_run {
                    ResetPhase::DryRun
                } else {
                    ResetPhase::Reset
                };
                Flow::Next
            }
            (
                ResetPhase::Check,
                DiskStatus::ReIniting
                | DiskStatus::Creating
                | DiskStatus::Attaching
                | DiskStatus::Detaching,
            ) => Flow::Poll(disk.status.to_string()),
            (ResetPhase::Check, s) => Flow::Fail(Failure::state(
                format!("{id} is {s}; ResetDisk needs it In_use or Available"),
                format!("{id} 的状态为 {s}；ResetDisk 需要 In_use 或 Available"),
            )),
            (_, DiskStatus::InUse | DiskStatus::Available) => Flow::Done(disk.status.to_string()),
            (_, s) => Flow::Poll(s.to_string()),
        }
    }

    fn on_refused(&mut self, code: &str) -> Option<Flow> {
        (self.phase == ResetPhase::DryRun && code == "DryRunOperation").then(|| {
            self.phase = ResetPhase::Reset;
            Flow::Next
        })
    }

    fn on_reconcile(&mut self, data: &Value) -> Option<Flow> {
        let disk = find_disk(data, &self.disk_id)??;
        if disk.status != DiskStatus::ReIniting {
            return None;
        }
        self.phase = ResetPhase::Wait;
        Some(Flow::Next)
    }

    fn checks(&self) -> Vec<(Action, Value)> {
        vec![(Action::EcsResetDisk, to_params(&self.reset(self.dry_run)))]
    }
}
