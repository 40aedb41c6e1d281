//! [`Task`]: what a driver runs, one operation or a batch of them, behind one interface
//! so the server's executor and the console's relay-mode runner are the same loop.
//!
//! ```text
//! let mut t = Task::new(id, request)?;         // or a saved Task, then t.recover(now)
//! loop {
//!     match t.poll(now_ms()) {
//!         TaskNext::Send { item, call } => { save(&t); answer = send(call); t.on_answer(item, answer, now_ms()); save(&t) }
//!         TaskNext::Wait { until_ms } => sleep until then (or an answer, or a cancel),
//!         TaskNext::AwaitAnswers => wait for an answer,
//!         TaskNext::Done(_) | TaskNext::Failed(_) => break,
//!     }
//! }
//! ```

use super::{
    Answer, Batch, BatchNext, Call, Failure, FailureKind, Machine, Next, Operation, RunOptions,
    StepRecord, Summary,
};
use crate::i18n::Text;
use crate::provider::Provider;
use crate::validate::FieldError;
use serde::{Deserialize, Serialize};

/// One operation, or a batch of Lighthouse or ECS operations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "lowercase")]
pub enum Task {
    One(Box<Machine>),
    Batch(Batch),
}

/// What to run: a plan, or a batch of plans (`{"kind":"Batch","items":[plan, …]}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TaskPlan {
    Batch(BatchPlan),
    One(Operation),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchPlan {
    /// Always `"Batch"`.
    pub kind: BatchKind,
    pub items: Vec<Operation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchKind {
    Batch,
}

impl TaskPlan {
    /// The kind as the API names it: the plan's `kind`, or `Batch`.
    pub fn kind(&self) -> &'static str {
        match self {
            TaskPlan::Batch(_) => "Batch",
            TaskPlan::One(op) => op.kind(),
        }
    }

    /// The cloud, when every item is on one (a batch mixing clouds has none).
    pub fn provider(&self) -> Option<Provider> {
        match self {
            TaskPlan::One(op) => Some(op.provider()),
            TaskPlan::Batch(b) => {
                let first = b.items.first()?.provider();
                b.items
                    .iter()
                    .all(|i| i.provider() == first)
                    .then_some(first)
            }
        }
    }

    /// Every operation in the plan.
    pub fn operations(&self) -> Vec<&Operation> {
        match self {
            TaskPlan::One(op) => vec![op],
            TaskPlan::Batch(b) => b.items.iter().collect(),
        }
    }
}

/// What the driver is to do next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TaskNext {
    /// Send `call`; give its answer back with the same `item` (0 for a single operation).
    Send {
        item: usize,
        call: Call,
    },
    Wait {
        until_ms: u64,
    },
    /// Nothing to send until an answer arrives.
    AwaitAnswers,
    Done(Summary),
    Failed(Failure),
}

impl Task {
    pub fn new(id: &str, plan: TaskPlan, options: RunOptions) -> Result<Task, Vec<FieldError>> {
        match plan {
            TaskPlan::One(op) => {
                Machine::with_options(id, op, options).map(|m| Task::One(Box::new(m)))
            }
            TaskPlan::Batch(b) => Batch::new(id, b.items, options).map(Task::Batch),
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Task::One(m) => m.id(),
            Task::Batch(b) => b.id(),
        }
    }

    /// The operations: one, or the batch's items.
    pub fn machines(&self) -> &[Machine] {
        match self {
            Task::One(m) => std::slice::from_ref(&**m),
            Task::Batch(b) => b.items(),
        }
    }

    /// The steps of a single operation (a batch shows its items instead).
    pub fn steps(&self) -> Vec<StepRecord> {
        match self {
            Task::One(m) => m.steps().cloned().collect(),
            Task::Batch(_) => Vec::new(),
        }
    }

    /// After a restart from saved state: the calls in flight lost their answers.
    pub fn recover(&mut self, now_ms: u64) {
        match self {
            Task::One(m) => {
                if m.in_flight().is_some() {
                    m.on_answer(Answer::Unknown, now_ms);
                }
            }
            Task::Batch(b) => b.recover(now_ms),
        }
    }

    pub fn poll(&mut self, now_ms: u64) -> TaskNext {
        match self {
            Task::One(m) => {
                if m.in_flight().is_some() && !m.is_finished() {
                    return TaskNext::AwaitAnswers;
                }
                match m.poll(now_ms) {
                    Next::Send(call) => TaskNext::Send { item: 0, call },
                    Next::Wait { until_ms } => TaskNext::Wait { until_ms },
                    Next::Done(s) => TaskNext::Done(s),
                    Next::Failed(f) => TaskNext::Failed(f),
                }
            }
            Task::Batch(b) => match b.poll(now_ms) {
                BatchNext::Send { item, call } => TaskNext::Send { item, call },
                BatchNext::Wait { until_ms } => TaskNext::Wait { until_ms },
                BatchNext::AwaitAnswers => TaskNext::AwaitAnswers,
                BatchNext::Done(s) => TaskNext::Done(s),
                BatchNext::Failed(f) => TaskNext::Failed(f),
            },
        }
    }

    pub fn on_answer(&mut self, item: usize, answer: Answer, now_ms: u64) {
        match self {
            Task::One(m) => {
                if item == 0 {
                    m.on_answer(answer, now_ms)
                }
            }
            Task::Batch(b) => b.on_answer(item, answer, now_ms),
        }
    }

    /// True until every operation has sent its irreversible call or finished.
    pub fn cancellable(&self) -> bool {
        self.machines().iter().any(Machine::cancellable)
    }

    /// Cancels what has not passed its point of no return. `Err` says why (some or all
    /// of it carries on).
    pub fn cancel(&mut self) -> Result<(), Text> {
        match self {
            Task::One(m) => m.cancel(),
            Task::Batch(b) => b.cancel(),
        }
    }

    pub fn is_finished(&self) -> bool {
        self.machines().iter().all(Machine::is_finished)
    }

    /// Done or failed, once every operation has finished. A batch fails when any item
    /// did ([`FailureKind::Partial`]).
    pub fn outcome(&self) -> Option<TaskNext> {
        if !self.is_finished() {
            return None;
        }
        match self {
            Task::One(m) => m.outcome().map(|o| match o {
                Next::Done(s) => TaskNext::Done(s),
                Next::Failed(f) => TaskNext::Failed(f),
                // Unreachable: a finished machine's outcome is Done or Failed.
                _ => TaskNext::AwaitAnswers,
            }),
            Task::Batch(b) => Some(match b.clone().poll(u64::MAX) {
                BatchNext::Done(s) => TaskNext::Done(s),
                BatchNext::Failed(f) => TaskNext::Failed(f),
                _ => TaskNext::AwaitAnswers,
            }),
        }
    }

    /// True when the outcome is a cancellation (of a single operation, or of every
    /// item of a batch that did not finish otherwise).
    pub fn cancelled(&self) -> bool {
        match self.outcome() {
            Some(TaskNext::Failed(Failure {
                kind: FailureKind::Cancelled,
                ..
            })) => true,
            Some(TaskNext::Failed(Failure {
                kind: FailureKind::Partial { .. },
                ..
            })) => self.machines().iter().all(|m| {
                matches!(
                    m.outcome(),
                    Some(Next::Done(_))
                        | Some(Next::Failed(Failure {
                            kind: FailureKind::Cancelled,
                            ..
                        }))
                )
            }),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_misspelt_plan_field_is_refused_not_ignored() {
        let ok: Result<TaskPlan, _> = serde_json::from_value(json!({
            "kind": "LhRollback", "instance_id": "lhins-12345678", "snapshot_id": "lhsnap-12345678",
            "start_afterwards": true
        }));
        assert!(
            matches!(ok, Ok(TaskPlan::One(Operation::LhRollback(_)))),
            "{ok:?}"
        );
        let typo = serde_json::from_value::<Operation>(json!({
            "kind": "LhRollback", "instance_id": "lhins-12345678", "snapshot_id": "lhsnap-12345678",
            "start_afterward": true
        }));
        let e = typo.unwrap_err().to_string();
        assert!(e.contains("start_afterward"), "{e}");
        let batch: TaskPlan = serde_json::from_value(json!({"kind": "Batch", "items": [
            {"kind": "LhPower", "instance_id": "lhins-12345678", "power": "stop"}
        ]}))
        .unwrap();
        assert_eq!(batch.kind(), "Batch");
        assert_eq!(batch.provider(), Some(Provider::Tencent));
    }
}
