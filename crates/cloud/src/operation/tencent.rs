//! Lighthouse operations: the plans and the steps they are made of (safety snapshot,
//! rollback, start/stop). Answers are read with the typed models of
//! [`crate::tencent`]; what counts as evidence of a lost call is said on each step.

use super::power::{OpMark, Position, PowerCalls, PowerStep, Seen};
use super::{
    Failure, Flow, Power, Reconcile, Request, SafetySnapshot, StepWork, Tag, Work, decode, gone,
    safety_name, to_params, unreadable,
};
use crate::action::Action;
use crate::i18n::Text;
use crate::provider::Provider;
use crate::tencent::{
    ApplyInstanceSnapshotRequest, CreateInstanceSnapshotRequest, CreateInstanceSnapshotResponse,
    DescribeInstancesRequest, DescribeInstancesResponse, DescribeSnapshotsRequest,
    DescribeSnapshotsResponse, Filter, Instance, InstanceState, OperationState, RequestIdResponse,
    Snapshot, SnapshotState, StartInstancesRequest, StopInstancesRequest,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Roll an instance back: optional safety snapshot → ApplyInstanceSnapshot → optional
/// start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollbackPlan {
    pub instance_id: String,
    pub snapshot_id: String,
    #[serde(default)]
    pub safety_snapshot: Option<SafetySnapshot>,
    #[serde(default)]
    pub start_afterwards: bool,
}

/// CreateInstanceSnapshot, waited on until NORMAL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotPlan {
    pub instance_id: String,
    /// Left out, `rewind-snapshot-<operation>`: a lost answer is settled by the name.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// Start or stop an instance (the plan is the same on both clouds).
pub use super::PowerPlan;

pub(super) fn rollback_steps(p: &RollbackPlan, op_id: &str) -> Vec<Work> {
    let mut steps = Vec::new();
    if let Some(safety) = &p.safety_snapshot {
        let name = safety
            .name
            .clone()
            .unwrap_or_else(|| safety_name(op_id, "rollback"));
        steps.push(Work::LhSnapshot(SnapshotStep::new(
            &p.instance_id,
            name,
            &safety.tags,
            false,
        )));
    }
    steps.push(Work::LhRollback(RollbackStep {
        instance_id: p.instance_id.clone(),
        snapshot_id: p.snapshot_id.clone(),
        phase: RollbackPhase::CheckInstance,
        instance_before: None,
        snapshot_before: None,
        request_id: None,
        instance_now: None,
        seen_rollbacking: false,
    }));
    if p.start_afterwards {
        steps.push(Work::Power(PowerStep::new(
            Provider::Tencent,
            &p.instance_id,
            Power::Start,
            false,
        )));
    }
    steps
}

pub(super) fn snapshot_steps(p: &SnapshotPlan, op_id: &str) -> Vec<Work> {
    let name = p
        .name
        .clone()
        .unwrap_or_else(|| format!("rewind-snapshot-{}", super::short_id(op_id)));
    vec![Work::LhSnapshot(SnapshotStep::new(
        &p.instance_id,
        name,
        &p.tags,
        true,
    ))]
}

pub(super) fn power_steps(p: &PowerPlan) -> Vec<Work> {
    vec![Work::Power(
        PowerStep::new(Provider::Tencent, &p.instance_id, p.power, true)
            .with_name(p.instance_name.as_deref()),
    )]
}

fn instance_mark(i: &Instance) -> OpMark {
    OpMark {
        operation: i.latest_operation.clone(),
        request_id: i.latest_operation_request_id.clone(),
        started: i.latest_operation_started_time.clone(),
    }
}

fn snapshot_mark(s: &Snapshot) -> OpMark {
    OpMark {
        operation: s.latest_operation.clone(),
        request_id: s.latest_operation_request_id.clone(),
        started: None,
    }
}

fn describe_instance(instance_id: &str) -> DescribeInstancesRequest {
    DescribeInstancesRequest {
        instance_ids: Some(vec![instance_id.to_string()]),
        ..Default::default()
    }
}

/// A Describe answer; `None` when it is not one. Lighthouse always sends `TotalCount`:
/// without it an empty list would read as "nothing there", which a baseline must not.
fn listing<T: serde::de::DeserializeOwned>(data: &Value) -> Option<T> {
    data.get("TotalCount")?;
    decode(data)
}

fn find_instance(data: &Value, id: &str) -> Option<Option<Instance>> {
    let r: DescribeInstancesResponse = listing(data)?;
    Some(r.instance_set.into_iter().find(|i| i.instance_id == id))
}

fn find_snapshot(data: &Value, id: &str) -> Option<Option<Snapshot>> {
    let r: DescribeSnapshotsResponse = listing(data)?;
    Some(r.snapshot_set.into_iter().find(|s| s.snapshot_id == id))
}

fn is_transitional(s: &InstanceState) -> bool {
    matches!(
        s,
        InstanceState::Pending
            | InstanceState::Starting
            | InstanceState::Stopping
            | InstanceState::Rebooting
    )
}

// ------------------------------------------------------------------ snapshot step

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SnapshotPhase {
    /// Note the snapshots that already carry the name, so a lost create can be told.
    Baseline,
    Create,
    Wait,
}

/// CreateInstanceSnapshot and wait until NORMAL. Reconcile: a snapshot of the instance
/// with this step's name that was not there before the create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotStep {
    instance_id: String,
    name: String,
    tags: Vec<Tag>,
    /// The operation's own snapshot (not a safety one): the point of no return.
    main: bool,
    phase: SnapshotPhase,
    existing: Vec<String>,
    snapshot_id: Option<String>,
}

impl SnapshotStep {
    fn new(instance_id: &str, name: String, tags: &[Tag], main: bool) -> SnapshotStep {
        SnapshotStep {
            instance_id: instance_id.to_string(),
            name,
            tags: tags.to_vec(),
            main,
            phase: SnapshotPhase::Baseline,
            existing: Vec::new(),
            snapshot_id: None,
        }
    }

    fn by_name(&self) -> DescribeSnapshotsRequest {
        let filter = |name: &str, value: &str| Filter {
            name: name.into(),
            values: vec![value.into()],
        };
        DescribeSnapshotsRequest {
            filters: Some(vec![
                filter("instance-id", &self.instance_id),
                filter("snapshot-name", &self.name),
            ]),
            limit: Some(100),
            ..Default::default()
        }
    }

    fn create(&self) -> CreateInstanceSnapshotRequest {
        CreateInstanceSnapshotRequest {
            instance_id: self.instance_id.clone(),
            snapshot_name: Some(self.name.clone()),
            tags: (!self.tags.is_empty()).then(|| {
                self.tags
                    .iter()
                    .map(|t| crate::tencent::Tag {
                        key: t.key.clone(),
                        value: t.value.clone(),
                    })
                    .collect()
            }),
        }
    }

    /// Snapshots named like this one that were not there before.
    fn new_ones(&self, data: &Value) -> Option<Vec<Snapshot>> {
        let r: DescribeSnapshotsResponse = listing(data)?;
        Some(
            r.snapshot_set
                .into_iter()
                .filter(|s| s.snapshot_name.as_deref() == Some(&self.name))
                .filter(|s| !self.existing.contains(&s.snapshot_id))
                .collect(),
        )
    }
}

impl StepWork for SnapshotStep {
    fn label(&self) -> Text {
        Text::new(
            format!("Take a snapshot of {}", self.instance_id),
            format!("为 {} 创建快照", self.instance_id),
        )
    }

    fn request(&self) -> Request {
        let target = &self.instance_id;
        match self.phase {
            SnapshotPhase::Baseline => Request::read(
                Action::LhDescribeSnapshots,
                &self.by_name(),
                target,
                "baseline",
            ),
            SnapshotPhase::Wait => Request::read(
                Action::LhDescribeSnapshots,
                &DescribeSnapshotsRequest {
                    snapshot_ids: self.snapshot_id.clone().map(|id| vec![id]),
                    ..Default::default()
                },
                target,
                "wait",
            ),
            SnapshotPhase::Create => Request::destructive(
                Action::LhCreateInstanceSnapshot,
                &self.create(),
                target,
                "create",
                Reconcile {
                    action: Action::LhDescribeSnapshots,
                    params: to_params(&self.by_name()),
                    evidence: Text::new(
                        format!("a new snapshot of {target} named {}", self.name),
                        format!("{target} 的名为 {} 的新快照", self.name),
                    ),
                },
            )
            .main(self.main),
        }
    }

    fn on_ok(&mut self, data: &Value, _request_id: Option<&str>) -> Flow {
        match self.phase {
            SnapshotPhase::Baseline => {
                let Some(r) = listing::<DescribeSnapshotsResponse>(data) else {
                    return unreadable(Action::LhDescribeSnapshots);
                };
                self.existing = r
                    .snapshot_set
                    .into_iter()
                    .filter(|s| s.snapshot_name.as_deref() == Some(&self.name))
                    .map(|s| s.snapshot_id)
                    .collect();
                self.phase = SnapshotPhase::Create;
                Flow::Next
            }
            SnapshotPhase::Create => match decode::<CreateInstanceSnapshotResponse>(data) {
                Some(r) if !r.snapshot_id.is_empty() => {
                    self.snapshot_id = Some(r.snapshot_id);
                    self.phase = SnapshotPhase::Wait;
                    Flow::Next
                }
                // Created, but the answer does not say which: find it by name.
                _ => Flow::Reconcile,
            },
            SnapshotPhase::Wait => {
                let id = self.snapshot_id.clone().unwrap_or_default();
                match find_snapshot(data, &id) {
                    None => unreadable(Action::LhDescribeSnapshots),
                    Some(None) => Flow::Poll(format!("{id} not listed yet")),
                    Some(Some(s)) if s.latest_operation_state == Some(OperationState::Failed) => {
                        Flow::Fail(Failure::state(
                            format!("Snapshot {id} could not be created"),
                            format!("快照 {id} 创建失败"),
                        ))
                    }
                    Some(Some(s)) if s.snapshot_state == SnapshotState::Normal => Flow::Done(id),
                    Some(Some(s)) => Flow::Poll(format!(
                        "{id} {} {}%",
                        s.snapshot_state,
                        s.percent.unwrap_or(0)
                    )),
                }
            }
        }
    }

    fn on_reconcile(&mut self, data: &Value) -> Option<Flow> {
        let found = self.new_ones(data)?.into_iter().next()?;
        self.snapshot_id = Some(found.snapshot_id);
        self.phase = SnapshotPhase::Wait;
        Some(Flow::Next)
    }

    fn checks(&self) -> Vec<(Action, Value)> {
        vec![(Action::LhCreateInstanceSnapshot, to_params(&self.create()))]
    }

    fn created_snapshot(&self) -> Option<&str> {
        self.snapshot_id.as_deref()
    }

    fn safety_snapshot_name(&self) -> Option<&str> {
        (!self.main).then_some(self.name.as_str())
    }
}

// ------------------------------------------------------------------ rollback step

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RollbackPhase {
    /// The instance must be STOPPED or RUNNING with no operation running; its
    /// `LatestOperation*` is noted.
    CheckInstance,
    /// The snapshot must be NORMAL.
    CheckSnapshot,
    Apply,
    /// Each poll reads the instance, then the snapshot.
    WaitInstance,
    WaitSnapshot,
}

/// The instance as last read while waiting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSeen {
    pub state: InstanceState,
    pub mark: OpMark,
    pub operation_state: Option<OperationState>,
}

/// ApplyInstanceSnapshot and wait until the instance's operation succeeded and the
/// snapshot is NORMAL again. Reconcile: the instance's `LatestOperation` is an
/// ApplyInstanceSnapshot other than the one noted before sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackStep {
    instance_id: String,
    snapshot_id: String,
    phase: RollbackPhase,
    instance_before: Option<OpMark>,
    snapshot_before: Option<OpMark>,
    /// The RequestId of our ApplyInstanceSnapshot, when its answer came.
    request_id: Option<String>,
    instance_now: Option<InstanceSeen>,
    seen_rollbacking: bool,
}

const APPLY: &str = "ApplyInstanceSnapshot";

impl RollbackStep {
    /// True when the instance's latest operation is our ApplyInstanceSnapshot.
    fn ours(&self, mark: &OpMark) -> bool {
        mark.operation.as_deref() == Some(APPLY)
            && ((self.request_id.is_some() && mark.request_id == self.request_id)
                || self.instance_before.as_ref() != Some(mark))
    }

    fn judge(&mut self, snap: &Snapshot) -> Flow {
        let Some(inst) = self.instance_now.clone() else {
            self.phase = RollbackPhase::WaitInstance;
            return Flow::Continue;
        };
        self.phase = RollbackPhase::WaitInstance;
        if snap.snapshot_state == SnapshotState::Rollbacking {
            self.seen_rollbacking = true;
        }
        let ours = self.ours(&inst.mark);
        let snap_mark = snapshot_mark(snap);
        let snap_ours = snap_mark.operation.as_deref() == Some("RollbackInstanceSnapshot")
            && self.snapshot_before.as_ref() != Some(&snap_mark);
        let failed = Some(OperationState::Failed);
        if (ours && inst.operation_state == failed)
            || (snap_ours && snap.latest_operation_state == failed)
        {
            return Flow::Fail(Failure::state(
                format!(
                    "The rollback of {} to {} failed (LatestOperationState FAILED)",
                    self.instance_id, self.snapshot_id
                ),
                format!(
                    "{} 回滚到 {} 失败（LatestOperationState 为 FAILED）",
                    self.instance_id, self.snapshot_id
                ),
            ));
        }
        let normal = snap.snapshot_state == SnapshotState::Normal;
        let settled = inst.operation_state != Some(OperationState::Operating);
        if normal && ours && inst.operation_state == Some(OperationState::Success) {
            return Flow::Done(format!("{} · {}", snap.snapshot_state, inst.state));
        }
        // A cloud that reports no LatestOperation: ROLLBACKING seen, then NORMAL.
        if normal && settled && self.seen_rollbacking && inst.mark.operation.is_none() {
            return Flow::Done(format!("{} · {}", snap.snapshot_state, inst.state));
        }
        Flow::Poll(format!("{} · {}", snap.snapshot_state, inst.state))
    }
}

impl StepWork for RollbackStep {
    fn label(&self) -> Text {
        Text::new(
            format!("Roll back {} to {}", self.instance_id, self.snapshot_id),
            format!("将 {} 回滚到 {}", self.instance_id, self.snapshot_id),
        )
    }

    fn request(&self) -> Request {
        let (inst, snap) = (&self.instance_id, &self.snapshot_id);
        let snapshot = DescribeSnapshotsRequest {
            snapshot_ids: Some(vec![snap.clone()]),
            ..Default::default()
        };
        let describe = describe_instance(inst);
        match self.phase {
            RollbackPhase::CheckInstance => {
                Request::read(Action::LhDescribeInstances, &describe, inst, "check")
            }
            RollbackPhase::WaitInstance => {
                Request::read(Action::LhDescribeInstances, &describe, inst, "wait")
            }
            RollbackPhase::CheckSnapshot => {
                Request::read(Action::LhDescribeSnapshots, &snapshot, inst, "check")
            }
            RollbackPhase::WaitSnapshot => {
                Request::read(Action::LhDescribeSnapshots, &snapshot, inst, "wait")
            }
            RollbackPhase::Apply => Request::destructive(
                Action::LhApplyInstanceSnapshot,
                &ApplyInstanceSnapshotRequest {
                    instance_id: inst.clone(),
                    snapshot_id: snap.clone(),
                },
                inst,
                "apply",
                Reconcile {
                    action: Action::LhDescribeInstances,
                    params: to_params(&describe),
                    evidence: Text::new(
                        format!("{inst}'s LatestOperation is a new ApplyInstanceSnapshot"),
                        format!("{inst} 的 LatestOperation 为新的 ApplyInstanceSnapshot"),
                    ),
                },
            )
            .main(true),
        }
    }

    fn on_ok(&mut self, data: &Value, request_id: Option<&str>) -> Flow {
        let inst_id = self.instance_id.clone();
        let snap_id = self.snapshot_id.clone();
        match self.phase {
            RollbackPhase::CheckInstance => match find_instance(data, &inst_id) {
                None => unreadable(Action::LhDescribeInstances),
                Some(None) => gone("instance", "实例", &inst_id),
                Some(Some(i)) if i.latest_operation_state == Some(OperationState::Operating) => {
                    Flow::Poll(format!(
                        "{} OPERATING",
                        i.latest_operation.as_deref().unwrap_or("operation")
                    ))
                }
                Some(Some(i)) if i.instance_state.allows_rollback() => {
                    self.instance_before = Some(instance_mark(&i));
                    self.phase = RollbackPhase::CheckSnapshot;
                    Flow::Next
                }
                Some(Some(i)) if is_transitional(&i.instance_state) => {
                    Flow::Poll(i.instance_state.to_string())
                }
                Some(Some(i)) => Flow::Fail(Failure::state(
                    format!(
                        "{inst_id} is {}; ApplyInstanceSnapshot needs it STOPPED or RUNNING",
                        i.instance_state
                    ),
                    format!(
                        "{inst_id} 的状态为 {}；ApplyInstanceSnapshot 需要 STOPPED 或 RUNNING",
                        i.instance_state
                    ),
                )),
            },
            RollbackPhase::CheckSnapshot => match find_snapshot(data, &snap_id) {
                None => unreadable(Action::LhDescribeSnapshots),
                Some(None) => gone("snapshot", "快照", &snap_id),
                Some(Some(s))
                    if s.snapshot_state.allows_rollback()
                        && s.latest_operation_state != Some(OperationState::Operating) =>
                {
                    self.snapshot_before = Some(snapshot_mark(&s));
                    self.phase = RollbackPhase::Apply;
                    Flow::Next
                }
                Some(Some(s))
                    if matches!(
                        s.snapshot_state,
                        SnapshotState::Normal
                            | SnapshotState::Creating
                            | SnapshotState::Rollbacking
                    ) =>
                {
                    Flow::Poll(format!("{snap_id} {}", s.snapshot_state))
                }
                Some(Some(s)) => Flow::Fail(Failure::state(
                    format!(
                        "{snap_id} is {}; only NORMAL snapshots can be applied",
                        s.snapshot_state
                    ),
                    format!(
                        "{snap_id} 的状态为 {}；只能回滚到 NORMAL 的快照",
                        s.snapshot_state
                    ),
                )),
            },
            RollbackPhase::Apply => {
                let answered = decode::<RequestIdResponse>(data)
                    .map(|r| r.request_id)
                    .filter(|r| !r.is_empty());
                self.request_id = request_id.map(str::to_string).or(answered);
                self.phase = RollbackPhase::WaitInstance;
                Flow::Next
            }
            RollbackPhase::WaitInstance => match find_instance(data, &inst_id) {
                None => unreadable(Action::LhDescribeInstances),
                Some(None) => gone("instance", "实例", &inst_id),
                Some(Some(i)) => {
                    self.instance_now = Some(InstanceSeen {
                        mark: instance_mark(&i),
                        state: i.instance_state,
                        operation_state: i.latest_operation_state,
                    });
                    self.phase = RollbackPhase::WaitSnapshot;
                    Flow::Continue
                }
            },
            RollbackPhase::WaitSnapshot => match find_snapshot(data, &snap_id) {
                None => unreadable(Action::LhDescribeSnapshots),
                Some(None) => gone("snapshot", "快照", &snap_id),
                Some(Some(s)) => self.judge(&s),
            },
        }
    }

    fn on_reconcile(&mut self, data: &Value) -> Option<Flow> {
        let inst = find_instance(data, &self.instance_id)??;
        if !self.ours(&instance_mark(&inst)) {
            return None;
        }
        self.phase = RollbackPhase::WaitInstance;
        Some(Flow::Next)
    }

    fn checks(&self) -> Vec<(Action, Value)> {
        let apply = ApplyInstanceSnapshotRequest {
            instance_id: self.instance_id.clone(),
            snapshot_id: self.snapshot_id.clone(),
        };
        vec![(Action::LhApplyInstanceSnapshot, to_params(&apply))]
    }
}

// ------------------------------------------------------------------ power

/// StartInstances / StopInstances and the read of the instance, for [`PowerStep`].
pub(super) fn power_calls(instance_id: &str, power: Power) -> PowerCalls {
    let instance_ids = vec![instance_id.to_string()];
    let describe = (
        Action::LhDescribeInstances,
        to_params(&describe_instance(instance_id)),
    );
    let send = match power {
        Power::Start => (
            Action::LhStartInstances,
            to_params(&StartInstancesRequest { instance_ids }),
        ),
        Power::Stop => (
            Action::LhStopInstances,
            to_params(&StopInstancesRequest {
                instance_ids,
                stop_type: None,
            }),
        ),
    };
    PowerCalls { describe, send }
}

/// The instance as a start or a stop sees it.
pub(super) fn power_seen(data: &Value, instance_id: &str, power: Power) -> Option<Option<Seen>> {
    let Some(i) = find_instance(data, instance_id)? else {
        return Some(None);
    };
    let (there, on_the_way, from) = match power {
        Power::Start => (
            InstanceState::Running,
            InstanceState::Starting,
            InstanceState::Stopped,
        ),
        Power::Stop => (
            InstanceState::Stopped,
            InstanceState::Stopping,
            InstanceState::Running,
        ),
    };
    let state = &i.instance_state;
    let position = match state {
        s if *s == there => Position::There,
        s if *s == on_the_way => Position::OnTheWay,
        s if *s == from => Position::From,
        s if is_transitional(s) => Position::Moving,
        _ => Position::Elsewhere,
    };
    Some(Some(Seen {
        state: state.to_string(),
        position,
        operating: i.latest_operation_state == Some(OperationState::Operating),
        failed: i.latest_operation_state == Some(OperationState::Failed),
        mark: instance_mark(&i),
        blocked: None,
    }))
}
