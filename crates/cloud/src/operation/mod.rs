//! Operations as sans-I/O state machines (issue #12), in the manner of `quinn-proto`:
//! an operation (safety snapshot → rollback → start; a snapshot; a Workspace restore)
//! is plain serde data that is fed answers and the current time and says which call to
//! make next or how long to wait. It never does I/O or reads a clock, so the console can
//! drive it in relay mode and the server in portal mode, saving it after every step.
//!
//! ```text
//! let mut m = Machine::new(op_id, plan)?;
//! loop {
//!     match m.poll(now_ms()) {
//!         Next::Send(call) => { save(&m); let answer = send(&call); m.on_answer(answer, now_ms()) }
//!         Next::Wait { until_ms } => sleep_until(until_ms),
//!         Next::Done(_) | Next::Failed(_) => break,
//!     }
//! }
//! ```
//!
//! The rules every machine keeps:
//! - reads, calls that were not sent and throttled calls are retried, a bounded number
//!   of times, with back-off through [`Next::Wait`];
//! - a destructive call ([`Call::destructive`]) is emitted at most once per target: when
//!   its outcome is unknown (timeout, lost connection, a server error, a crash) the
//!   machine sends its [`Reconcile`] read instead and decides from the cloud's state
//!   whether it took effect; when the state cannot tell, the operation fails saying the
//!   outcome is unknown, and nothing is sent again;
//! - `poll` while a call is still unanswered means its answer was lost (the driver
//!   restarted from the state it saved after the send): it counts as [`Answer::Unknown`];
//! - every poll phase has a deadline, after which the operation fails (the cloud carries on).

pub mod alibaba;
pub mod batch;
pub mod huawei;
mod machine;
mod naming;
pub mod power;
mod task;
pub mod tencent;
#[cfg(test)]
mod tests;

pub use batch::{Batch, BatchNext};
pub use machine::Machine;
pub use naming::{PlannedAt, SAFETY_NAME_PREFIX};
pub(crate) use naming::{safety_name, short_id};
pub use task::{BatchKind, BatchPlan, Task, TaskNext, TaskPlan};

use crate::action::Action;
use crate::i18n::Text;
use crate::provider::Provider;
use crate::validate::{self, FieldError, ValidateOptions};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

// =========================================================================== plans

/// What to run: one plan per kind of operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Operation {
    /// Lighthouse: optional safety snapshot → ApplyInstanceSnapshot → optional start.
    LhRollback(tencent::RollbackPlan),
    /// Lighthouse CreateInstanceSnapshot, waited on until NORMAL.
    LhCreateSnapshot(tencent::SnapshotPlan),
    /// Lighthouse StartInstances / StopInstances, waited on.
    LhPower(tencent::PowerPlan),
    /// ECS: stop if needed → optional safety snapshot → ResetDisk (dry run first on
    /// request) → optional start.
    EcsResetDisk(alibaba::ResetPlan),
    /// ECS CreateSnapshot (with a ClientToken), waited on until accomplished.
    EcsCreateSnapshot(alibaba::SnapshotPlan),
    /// ECS StartInstance / StopInstance, waited on.
    EcsPower(alibaba::PowerPlan),
    /// Workspace BatchRestoreDesktopSnapshot, then ShowJob until the job and its
    /// sub-jobs finish.
    WsRestore(huawei::RestorePlan),
}

impl Operation {
    /// The plan's `kind` as serialized (`LhRollback`, `EcsResetDisk`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Operation::LhRollback(_) => "LhRollback",
            Operation::LhCreateSnapshot(_) => "LhCreateSnapshot",
            Operation::LhPower(_) => "LhPower",
            Operation::EcsResetDisk(_) => "EcsResetDisk",
            Operation::EcsCreateSnapshot(_) => "EcsCreateSnapshot",
            Operation::EcsPower(_) => "EcsPower",
            Operation::WsRestore(_) => "WsRestore",
        }
    }

    /// Every action the plan may call (reads included): policy is checked for all of
    /// them before it starts.
    pub fn actions(&self, op_id: &str) -> Vec<Action> {
        let mut out: Vec<Action> = Vec::new();
        for w in self.steps(op_id) {
            for a in w.actions() {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        out
    }

    /// The state-changing calls the plan makes, with their parameters (reads are
    /// in [`actions`](Self::actions)): what a resource-scoped policy is checked against.
    pub fn state_changing_calls(&self, op_id: &str) -> Vec<(Action, Value)> {
        self.steps(op_id)
            .iter()
            .flat_map(|w| w.get().checks())
            .collect()
    }

    pub fn provider(&self) -> Provider {
        match self {
            Operation::LhRollback(_) | Operation::LhCreateSnapshot(_) | Operation::LhPower(_) => {
                Provider::Tencent
            }
            Operation::EcsResetDisk(_)
            | Operation::EcsCreateSnapshot(_)
            | Operation::EcsPower(_) => Provider::Alibaba,
            Operation::WsRestore(_) => Provider::Huawei,
        }
    }

    /// The resource it acts on: the instance, the disk, or the first snapshot of a
    /// Workspace batch.
    pub fn target(&self) -> &str {
        match self {
            Operation::LhRollback(p) => &p.instance_id,
            Operation::LhCreateSnapshot(p) => &p.instance_id,
            Operation::LhPower(p) => &p.instance_id,
            Operation::EcsResetDisk(p) => &p.disk_id,
            Operation::EcsCreateSnapshot(p) => &p.disk_id,
            Operation::EcsPower(p) => &p.instance_id,
            Operation::WsRestore(p) => p.snapshots.first().map_or("", |s| &s.snapshot_id),
        }
    }

    /// Options the operation's cloud does not take (Lighthouse snapshots have no
    /// description or retention).
    fn option_errors(&self) -> Vec<FieldError> {
        if let Operation::LhPower(p) = self
            && p.stop != power::StopMode::default()
        {
            return vec![FieldError {
                field: "stop".into(),
                code: validate::codes::UNKNOWN,
                message: Text::new(
                    "Lighthouse StopInstances has no force or stopped-mode option",
                    "轻量应用服务器 StopInstances 不支持强制停止或停机模式选项",
                ),
            }];
        }
        let Operation::LhRollback(tencent::RollbackPlan {
            safety_snapshot: Some(s),
            ..
        }) = self
        else {
            return Vec::new();
        };
        [
            ("description", s.description.is_some()),
            ("retention_days", s.retention_days.is_some()),
        ]
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(field, _)| FieldError {
            field: format!("safety_snapshot.{field}"),
            code: validate::codes::UNKNOWN,
            message: Text::new(
                format!("Lighthouse snapshots take no {field}"),
                format!("轻量应用服务器快照不支持 {field}"),
            ),
        })
        .collect()
    }

    fn steps(&self, op_id: &str) -> Vec<Work> {
        match self {
            Operation::LhRollback(p) => tencent::rollback_steps(p, op_id),
            Operation::LhCreateSnapshot(p) => tencent::snapshot_steps(p, op_id),
            Operation::LhPower(p) => tencent::power_steps(p),
            Operation::EcsResetDisk(p) => alibaba::reset_steps(p, op_id),
            Operation::EcsCreateSnapshot(p) => alibaba::snapshot_steps(p, op_id),
            Operation::EcsPower(p) => alibaba::power_steps(p),
            Operation::WsRestore(p) => huawei::restore_steps(p),
        }
    }
}

/// The snapshot to take before a rollback. Lighthouse takes a name and tags only.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetySnapshot {
    /// The console names it when it makes the plan ([`SafetySnapshot::named`]: the
    /// target's name and the local time). Left out, a name derived from the operation id
    /// (`rewind-before-rollback-…`). Either way a lost answer is settled by finding a
    /// new snapshot of that name.
    #[serde(default)]
    pub name: Option<String>,
    /// ECS only.
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// ECS only.
    #[serde(default)]
    pub retention_days: Option<u32>,
}

/// A tag to put on a new snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// Start or stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Power {
    Start,
    Stop,
}

/// Start or stop one instance and wait until it is there (Lighthouse or ECS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerPlan {
    pub instance_id: String,
    pub power: Power,
    /// ECS only: how to stop.
    #[serde(default)]
    pub stop: power::StopMode,
    /// The instance's name, when the console knew it: the step reads "Stop web-2
    /// (i-…)" rather than the bare ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_name: Option<String>,
}

/// How persistent a machine is. The defaults suit a person watching; tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunOptions {
    /// Attempts of one call that keeps failing retryably (not sent, throttled, a
    /// retryable error, an unreadable answer) before the operation fails.
    pub max_attempts: u32,
    /// How long one poll phase (waiting for a snapshot, a rollback, a job) may take.
    pub poll_deadline_ms: u64,
    /// Reads spent looking for the effect of a call whose outcome is unknown.
    pub reconcile_reads: u32,
    /// A hard cap on the calls of one operation: a last guard, never reached in practice.
    pub max_calls: u32,
    /// Passed to [`validate::validate_params`] (legacy ECS IDs).
    pub validate: ValidateOptions,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            max_attempts: 5,
            poll_deadline_ms: 30 * 60 * 1000,
            reconcile_reads: 4,
            max_calls: 5000,
            validate: ValidateOptions::default(),
        }
    }
}

// =========================================================================== calls

/// A call the driver is to make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub action: Action,
    /// Validated parameters ([`validate::validate_params`]), ready for the request builder.
    pub params: Value,
    /// The resource it acts on.
    pub target: String,
    /// True when sending it twice could do the work twice. Emitted at most once per target.
    pub destructive: bool,
    /// Deterministic per operation, step and attempt: send it as `Idempotency-Key`.
    pub idempotency_key: String,
    /// For a destructive call: the read that settles a lost answer.
    pub reconcile: Option<Reconcile>,
}

/// The read that decides whether a destructive call took effect, and what it looks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reconcile {
    pub action: Action,
    pub params: Value,
    pub evidence: Text,
}

/// What came of a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// The cloud's payload: for Lighthouse the object inside `Response`, for ECS and
    /// Workspace the body (what `/api/v1/call` answers as `data`).
    Ok {
        data: Value,
        #[serde(default)]
        request_id: Option<String>,
    },
    /// The cloud (or the proxy, before sending) refused. Map the proxy's own refusals
    /// (`PolicyDenied`, `InvalidParams`) here with `retryable: false`, and `RateLimited`
    /// with `throttled: true`.
    CloudError {
        code: String,
        #[serde(default)]
        message: String,
        #[serde(default)]
        request_id: Option<String>,
        /// The catalog's verdict ([`crate::error::CloudError::retryable`]).
        #[serde(default)]
        retryable: bool,
        /// Throttled: certainly not carried out. Codes `RequestLimitExceeded*`,
        /// `Throttling*` and `APIGW.0308` count as throttling whatever this says.
        #[serde(default)]
        throttled: bool,
    },
    /// Certainly not sent (no connection, refused before leaving).
    NotSent,
    /// Sent, but no answer (timeout, connection lost, `UpstreamTimeout`, a crash).
    Unknown,
}

impl Answer {
    pub fn ok(data: Value) -> Answer {
        Answer::Ok {
            data,
            request_id: None,
        }
    }

    /// The answer for an error the cloud sent.
    pub fn from_cloud_error(e: &crate::error::CloudError) -> Answer {
        Answer::CloudError {
            code: e.code.clone(),
            message: e.message.clone(),
            request_id: e.request_id.clone(),
            retryable: e.retryable(),
            throttled: e.http_status == 429 || is_throttle_code(&e.code),
        }
    }

    fn request_id(&self) -> Option<String> {
        match self {
            Answer::Ok { data, request_id } => request_id.clone().or_else(|| {
                ["RequestId", "request_id"]
                    .iter()
                    .find_map(|k| data.get(k).and_then(Value::as_str))
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            }),
            Answer::CloudError { request_id, .. } => request_id.clone(),
            Answer::NotSent | Answer::Unknown => None,
        }
    }
}

/// Codes that mean "throttled, not carried out" on any of the three clouds.
pub fn is_throttle_code(code: &str) -> bool {
    code.starts_with("RequestLimitExceeded")
        || code.starts_with("Throttling")
        || code == "APIGW.0308"
}

/// What the driver is to do next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Next {
    Send(Call),
    /// Nothing to send before this time; poll again then.
    Wait {
        until_ms: u64,
    },
    Done(Summary),
    Failed(Failure),
}

/// A finished operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub message: Text,
    /// Snapshots the operation created (a safety snapshot, or the one asked for).
    pub created_snapshots: Vec<String>,
    /// The safety snapshot a rollback or reset took first, when it took one. Absent
    /// from summaries saved before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_snapshot: Option<TakenSnapshot>,
}

/// A snapshot an operation took: what the console names and offers to undo with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakenSnapshot {
    pub id: String,
    /// The name it was created with (the plan's, or the one derived from the operation id).
    pub name: String,
    /// When the cloud answered the create call with its ID (or, after a lost answer,
    /// when the reading that found it came back), by the clock the machine was given.
    pub taken_at_ms: u64,
}

/// Why an operation stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: Text,
    /// The step it stopped in.
    pub step: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FailureKind {
    /// The cloud refused a call.
    Refused {
        action: Action,
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// The cloud's state does not allow the operation, or the cloud reports it failed.
    State,
    /// A poll phase ran past its deadline.
    Deadline,
    /// A destructive call may or may not have taken effect; it was not sent again.
    OutcomeUnknown { action: Action, target: String },
    /// A call kept failing retryably.
    RetriesExhausted { action: Action, last: String },
    /// Cancelled before anything irreversible was sent.
    Cancelled,
    /// A call's parameters did not validate.
    InvalidParams { errors: Vec<FieldError> },
    /// Some items of a batch failed.
    Partial { failed: usize, total: usize },
    /// A bug guard fired (a destructive call about to go twice, the call cap).
    Internal,
}

impl Failure {
    fn new(kind: FailureKind, en: impl Into<String>, zh: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: Text::new(en, zh),
            step: None,
        }
    }

    pub(crate) fn state(en: impl Into<String>, zh: impl Into<String>) -> Failure {
        Failure::new(FailureKind::State, en, zh)
    }
}

/// One step as the console shows it: "Take a snapshot of lhins-…", "Roll back …".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub label: Text,
    pub state: StepState,
    /// The latest state read while polling (`ROLLBACKING · STOPPED`, `RUNNING 2/5`).
    pub detail: String,
    /// The RequestId of every state-changing call the step made (and of error answers).
    pub request_ids: Vec<String>,
    pub last_read_request_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepState {
    Pending,
    Running,
    Done,
    Failed,
}

// =========================================================================== steps

/// What a step wants sent now.
pub(crate) struct Request {
    pub action: Action,
    pub params: Value,
    pub target: String,
    /// Names the phase in idempotency keys.
    pub phase: &'static str,
    pub effect: Effect,
    /// Sending it is the operation's point of no return (cancel is refused after).
    pub main: bool,
}

pub(crate) enum Effect {
    /// Safe to repeat: a read, a dry run, or a call made idempotent by a ClientToken.
    Repeatable,
    /// At most once; the read that settles a lost answer.
    Destructive(Reconcile),
}

impl Request {
    pub fn read<T: Serialize>(
        action: Action,
        req: &T,
        target: &str,
        phase: &'static str,
    ) -> Request {
        Request {
            action,
            params: to_params(req),
            target: target.to_string(),
            phase,
            effect: Effect::Repeatable,
            main: false,
        }
    }

    pub fn destructive<T: Serialize>(
        action: Action,
        req: &T,
        target: &str,
        phase: &'static str,
        reconcile: Reconcile,
    ) -> Request {
        Request {
            effect: Effect::Destructive(reconcile),
            ..Request::read(action, req, target, phase)
        }
    }

    pub fn main(self, main: bool) -> Request {
        Request { main, ..self }
    }
}

pub(crate) fn to_params<T: Serialize>(req: &T) -> Value {
    // Plain structs of strings, numbers and lists always serialize.
    serde_json::to_value(req).unwrap_or(Value::Null)
}

/// Decodes an answer with the crate's typed models; unknown fields are ignored.
pub(crate) fn decode<T: DeserializeOwned>(data: &Value) -> Option<T> {
    T::deserialize(data).ok()
}

/// The answer to `action` could not be read: ask again.
pub(crate) fn unreadable(action: Action) -> Flow {
    Flow::Retry(format!("the {} answer could not be read", action.name()))
}

/// The resource a step needs is not there.
pub(crate) fn gone(what_en: &str, what_zh: &str, id: &str) -> Flow {
    Flow::Fail(Failure::state(
        format!("The {what_en} {id} was not found"),
        format!("未找到{what_zh} {id}"),
    ))
}

/// What a step makes of an answer.
pub(crate) enum Flow {
    /// A new phase: ask for its call now, with fresh back-off and deadline.
    Next,
    /// The same phase continues: ask for its next call now.
    Continue,
    /// Not finished: read again after back-off (the detail is shown).
    Poll(String),
    /// The answer was unusable: make the same call again after back-off.
    Retry(String),
    /// A destructive call answered, but without what the step needs: settle it by
    /// reading, as after a lost answer.
    Reconcile,
    Done(String),
    Fail(Failure),
}

/// The behaviour of one kind of step.
pub(crate) trait StepWork {
    fn label(&self) -> Text;
    /// The call to make now (deterministic in the step's state).
    fn request(&self) -> Request;
    fn on_ok(&mut self, data: &Value, request_id: Option<&str>) -> Flow;
    /// A refusal the step understands (ECS `DryRunOperation`); `None` for the default.
    fn on_refused(&mut self, _code: &str) -> Option<Flow> {
        None
    }
    /// The answer to the reconcile read: `Some` when it shows the call took effect.
    fn on_reconcile(&mut self, _data: &Value) -> Option<Flow> {
        None
    }
    /// Parameters of the state-changing calls, validated when the machine is made.
    fn checks(&self) -> Vec<(Action, Value)>;
    fn created_snapshot(&self) -> Option<&str> {
        None
    }
    /// The name of the safety snapshot this step takes (`None` for any other step,
    /// including one that takes the operation's own snapshot).
    fn safety_snapshot_name(&self) -> Option<&str> {
        None
    }
    /// What the step's line says once it failed, when the last poll's detail no longer
    /// holds (a job read RUNNING that then ended FAIL).
    fn final_detail(&self) -> Option<String> {
        None
    }
}

/// Every kind of step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub(crate) enum Work {
    LhSnapshot(tencent::SnapshotStep),
    LhRollback(tencent::RollbackStep),
    Power(power::PowerStep),
    EcsSnapshot(alibaba::SnapshotStep),
    EcsReset(alibaba::ResetStep),
    WsRestore(huawei::RestoreStep),
}

impl Work {
    /// Every action the step may call, in any phase.
    fn actions(&self) -> Vec<Action> {
        use Action::*;
        match self {
            Work::LhSnapshot(_) => vec![LhDescribeSnapshots, LhCreateInstanceSnapshot],
            Work::LhRollback(_) => vec![
                LhDescribeInstances,
                LhDescribeSnapshots,
                LhApplyInstanceSnapshot,
            ],
            Work::Power(s) => {
                let calls = s.calls();
                vec![calls.describe.0, calls.send.0]
            }
            Work::EcsSnapshot(_) => vec![EcsDescribeSnapshots, EcsCreateSnapshot],
            Work::EcsReset(_) => vec![EcsDescribeDisks, EcsResetDisk],
            Work::WsRestore(_) => vec![
                WsListDesktopSnapshot,
                WsShowJob,
                WsBatchRestoreDesktopSnapshot,
            ],
        }
    }

    fn get(&self) -> &dyn StepWork {
        match self {
            Work::LhSnapshot(s) => s,
            Work::LhRollback(s) => s,
            Work::Power(s) => s,
            Work::EcsSnapshot(s) => s,
            Work::EcsReset(s) => s,
            Work::WsRestore(s) => s,
        }
    }

    fn get_mut(&mut self) -> &mut dyn StepWork {
        match self {
            Work::LhSnapshot(s) => s,
            Work::LhRollback(s) => s,
            Work::Power(s) => s,
            Work::EcsSnapshot(s) => s,
            Work::EcsReset(s) => s,
            Work::WsRestore(s) => s,
        }
    }
}

/// A step: its record for display and its own state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Step {
    record: StepRecord,
    work: Work,
    /// When the snapshot the step creates became known (its create call answered, or
    /// the reading after a lost answer found it): the `now_ms` of that answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    snapshot_known_ms: Option<u64>,
}

/// Retry, poll and reconcile bookkeeping of the current step.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Run {
    /// Calls emitted in this step (numbers the idempotency keys).
    sends: u32,
    /// Consecutive failed attempts of the current call.
    failures: u32,
    /// Polls of the current phase (indexes the back-off).
    polls: u32,
    /// When the current phase started polling (its deadline runs from here).
    poll_since_ms: Option<u64>,
    wake_ms: Option<u64>,
    /// Reconcile reads made, while settling a lost answer.
    reconcile: Option<u32>,
}

/// The call in flight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    pub action: Action,
    pub target: String,
    pub destructive: bool,
    /// True for the reconcile read of a destructive call.
    pub reconciling: bool,
    pub idempotency_key: String,
}

/// A destructive call that may have taken effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Sent {
    action: Action,
    target: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Outcome {
    Done(Summary),
    Failed(Failure),
}

/// Back-off between attempts and polls: quick at first, then every 3 s.
pub fn backoff_ms(n: u32) -> u64 {
    const STEPS: [u64; 5] = [500, 1000, 1500, 2000, 3000];
    STEPS[(n as usize).min(STEPS.len() - 1)]
}
