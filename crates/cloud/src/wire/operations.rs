//! `/api/v1/operations`: operations the server runs in portal mode (and the console
//! runs in the tab in relay mode), with the same [`Task`] state either way.

use crate::operation::{Failure, FailureKind, Task, TaskNext, TaskPlan};
use crate::provider::Provider;
use crate::validate::ValidateOptions;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /api/v1/operations`: `{profile, region, kind, params, options}`, where `kind`
/// and `params` together are a plan ([`TaskPlan`]): `{"kind":"LhRollback",
/// "params":{"instance_id":…,"snapshot_id":…,"safety_snapshot":{},"start_afterwards":true}}`,
/// or `{"kind":"Batch","params":{"items":[{"kind":"LhRollback",…},…]}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOperation {
    pub profile: String,
    pub region: String,
    pub kind: String,
    #[serde(default)]
    pub params: Value,
    #[serde(default)]
    pub options: ValidateOptions,
}

impl NewOperation {
    /// The plan `kind` and `params` describe, or serde's message saying what is wrong.
    pub fn plan(&self) -> Result<TaskPlan, String> {
        let mut obj = match &self.params {
            Value::Object(m) => m.clone(),
            Value::Null => serde_json::Map::new(),
            _ => return Err("params must be an object".into()),
        };
        obj.insert("kind".into(), Value::String(self.kind.clone()));
        // Parsed as the kind says, so serde's message names the field at fault.
        let obj = Value::Object(obj);
        if self.kind == "Batch" {
            serde_json::from_value(obj).map(TaskPlan::Batch)
        } else {
            serde_json::from_value(obj).map(TaskPlan::One)
        }
        .map_err(|e| e.to_string())
    }
}

/// Where an operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpState {
    Running,
    Succeeded,
    /// Some items (batch items, Workspace desktops) failed and the others succeeded.
    Partial,
    Failed,
    Cancelled,
}

impl OpState {
    pub fn as_str(self) -> &'static str {
        match self {
            OpState::Running => "running",
            OpState::Succeeded => "succeeded",
            OpState::Partial => "partial",
            OpState::Failed => "failed",
            OpState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<OpState> {
        [
            OpState::Running,
            OpState::Succeeded,
            OpState::Partial,
            OpState::Failed,
            OpState::Cancelled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// The state a task is in.
    pub fn of(task: &Task) -> OpState {
        match task.outcome() {
            None => OpState::Running,
            Some(TaskNext::Done(_)) => OpState::Succeeded,
            Some(_) if task.cancelled() => OpState::Cancelled,
            Some(TaskNext::Failed(Failure {
                kind: FailureKind::Partial { failed, total },
                ..
            })) if failed < total => OpState::Partial,
            Some(_) => OpState::Failed,
        }
    }
}

/// One cloud call an operation made, as the executor recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    /// Order within the operation, from 1.
    pub seq: u32,
    /// The batch item (0 for a single operation).
    pub item: usize,
    /// The provider's action name.
    pub action: String,
    pub target: String,
    pub destructive: bool,
    /// The `Idempotency-Key` it was sent with.
    pub idempotency_key: String,
    /// `ok`, `error`, `dry_run_passed`, `not_sent`, `unknown`; absent while in flight.
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
    /// The cloud's error code, or a short account of what came back.
    #[serde(default)]
    pub summary: Option<String>,
    pub started_ms: u64,
    #[serde(default)]
    pub elapsed_ms: Option<u64>,
}

/// An operation as `GET /api/v1/operations/{id}` answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationView {
    pub id: String,
    /// Who started it.
    pub user: String,
    pub profile: String,
    pub region: String,
    pub provider: Provider,
    /// `LhRollback`, `EcsResetDisk`, …, or `Batch`.
    pub kind: String,
    /// The instance, disk or first snapshot it acts on (for a batch, the first item's).
    pub target: String,
    pub state: OpState,
    /// A cancel was asked for and not everything could stop yet.
    #[serde(default)]
    pub cancel_requested: bool,
    /// A cancel would still be accepted.
    pub cancellable: bool,
    pub created_ms: u64,
    pub updated_ms: u64,
    #[serde(default)]
    pub finished_ms: Option<u64>,
    /// The machine state: steps, sub-jobs, batch items and the outcome.
    pub task: Task,
    /// The calls made so far, oldest first (on the single-operation answer only).
    #[serde(default)]
    pub calls: Vec<CallRecord>,
}

/// `GET /api/v1/operations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationList {
    pub ok: bool,
    pub operations: Vec<OperationView>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    #[serde(default)]
    pub next_before: Option<String>,
}

/// The answer of `POST /api/v1/operations`, `GET …/{id}` and `POST …/{id}/cancel`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationAnswer {
    pub ok: bool,
    pub operation: OperationView,
}
