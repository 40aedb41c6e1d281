//! A batch of Lighthouse or ECS operations: one [`Machine`] per item, advancing
//! independently (several calls may be in flight at once), with the starts of the
//! rate-limited calls paced so that no one-second window holds more than the limit
//! (Lighthouse ApplyInstanceSnapshot and CreateInstanceSnapshot: 20 per second; ECS
//! ResetDisk keeps the same pace to stay polite).
//!
//! ```text
//! loop {
//!     match batch.poll(now_ms()) {
//!         BatchNext::Send { item, call } => spawn(send(call), then batch.on_answer(item, …)),
//!         BatchNext::Wait { until_ms } => sleep until then or an answer arrives,
//!         BatchNext::AwaitAnswers => wait for an answer,
//!         BatchNext::Done(_) | BatchNext::Failed(_) => break,
//!     }
//! }
//! ```
//! After a restart from saved state, call [`Batch::recover`] first: the calls that were
//! in flight have lost their answers.

use super::{Answer, Call, Failure, FailureKind, Machine, Next, Operation, RunOptions, Summary};
use crate::action::Action;
use crate::i18n::Text;
use crate::validate::{self, FieldError};
use serde::{Deserialize, Serialize};

/// What the driver of a batch is to do next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BatchNext {
    Send {
        item: usize,
        call: Call,
    },
    /// Nothing to send before this time (answers may still arrive before it).
    Wait {
        until_ms: u64,
    },
    /// Nothing to send until an answer arrives.
    AwaitAnswers,
    Done(Summary),
    Failed(Failure),
}

/// The per-second limit a call's starts are paced to, if any.
pub fn pace_limit(action: Action) -> Option<u32> {
    action
        .spec()
        .rate_limit_per_sec
        .or((action == Action::EcsResetDisk).then_some(20))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    id: String,
    items: Vec<Machine>,
    /// The paced starts still inside the last second, with their action: each action
    /// has its own limit (Lighthouse counts CreateInstanceSnapshot and
    /// ApplyInstanceSnapshot separately), so a batch's rollbacks never wait behind its
    /// safety snapshots. (A state saved before this field existed had one window for
    /// all actions, `starts_ms`; it is ignored: at most a second of pacing history.)
    #[serde(default)]
    paced: Vec<(Action, u64)>,
    /// The next item to look at first (round robin, so no item starves).
    cursor: usize,
}

impl Batch {
    /// A batch of `plans`; item `i` runs as operation `"{id}.{i}"`. Each target may
    /// appear once, and Workspace restores (already a batch) are not accepted.
    pub fn new(
        id: impl Into<String>,
        plans: Vec<Operation>,
        options: RunOptions,
    ) -> Result<Batch, Vec<FieldError>> {
        let id = id.into();
        let refuse = |field: String, en: String, zh: String| FieldError {
            field,
            code: validate::codes::CONFLICT,
            message: Text::new(en, zh),
        };
        let mut errors = Vec::new();
        if plans.is_empty() {
            errors.push(FieldError {
                field: "items".into(),
                code: validate::codes::REQUIRED,
                message: Text::new("A batch needs at least one item", "批量操作至少需要一项"),
            });
        }
        let mut items = Vec::new();
        for (i, plan) in plans.into_iter().enumerate() {
            if matches!(plan, Operation::WsRestore(_)) {
                errors.push(refuse(
                    format!("items[{i}]"),
                    "A Workspace restore is a batch of its own".into(),
                    "Workspace 恢复本身即为批量操作".into(),
                ));
                continue;
            }
            if items
                .iter()
                .any(|m: &Machine| m.plan().target() == plan.target())
            {
                errors.push(refuse(
                    format!("items[{i}]"),
                    format!("{} appears twice in the batch", plan.target()),
                    format!("{} 在批量操作中出现了两次", plan.target()),
                ));
                continue;
            }
            match Machine::with_options(format!("{id}.{i}"), plan, options) {
                Ok(m) => items.push(m),
                Err(e) => errors.extend(e.into_iter().map(|mut e| {
                    e.field = format!("items[{i}].{}", e.field);
                    e
                })),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Batch {
            id,
            items,
            paced: Vec::new(),
            cursor: 0,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn items(&self) -> &[Machine] {
        &self.items
    }

    /// The calls in flight lost their answers (the driver restarted from saved state).
    pub fn recover(&mut self, now_ms: u64) {
        for m in &mut self.items {
            if m.in_flight().is_some() {
                m.on_answer(Answer::Unknown, now_ms);
            }
        }
    }

    /// The answer to the call item `item` was sent.
    pub fn on_answer(&mut self, item: usize, answer: Answer, now_ms: u64) {
        if let Some(m) = self.items.get_mut(item) {
            m.on_answer(answer, now_ms);
        }
    }

    /// What to do next at `now_ms`.
    pub fn poll(&mut self, now_ms: u64) -> BatchNext {
        self.paced.retain(|(_, t)| t + 1000 > now_ms);
        let n = self.items.len();
        let mut wake: Option<u64> = None;
        let mut awaiting = false;
        for k in 0..n {
            let i = (self.cursor + k) % n;
            let m = &mut self.items[i];
            if m.is_finished() {
                continue;
            }
            if m.in_flight().is_some() {
                awaiting = true;
                continue;
            }
            if let Some(action) = m.due_action(now_ms)
                && let Some(limit) = pace_limit(action)
            {
                let starts: Vec<u64> = self
                    .paced
                    .iter()
                    .filter(|(a, _)| *a == action)
                    .map(|(_, t)| *t)
                    .collect();
                let limit = limit as usize;
                if starts.len() >= limit {
                    // Held until the oldest start of this action leaves the window.
                    let free = starts[starts.len() - limit] + 1000;
                    wake = Some(wake.map_or(free, |w| w.min(free)));
                    continue;
                }
            }
            match m.poll(now_ms) {
                Next::Send(call) => {
                    if pace_limit(call.action).is_some() {
                        self.paced.push((call.action, now_ms));
                    }
                    self.cursor = (i + 1) % n;
                    return BatchNext::Send { item: i, call };
                }
                Next::Wait { until_ms } => {
                    wake = Some(wake.map_or(until_ms, |w| w.min(until_ms)));
                }
                Next::Done(_) | Next::Failed(_) => {}
            }
        }
        match (wake, awaiting) {
            (Some(until_ms), _) => BatchNext::Wait { until_ms },
            (None, true) => BatchNext::AwaitAnswers,
            (None, false) => self.outcome(),
        }
    }

    fn outcome(&self) -> BatchNext {
        let total = self.items.len();
        let failed = self
            .items
            .iter()
            .filter(|m| matches!(m.outcome(), Some(Next::Failed(_))))
            .count();
        let created_snapshots = self
            .items
            .iter()
            .filter_map(|m| match m.outcome() {
                Some(Next::Done(s)) => Some(s.created_snapshots),
                _ => None,
            })
            .flatten()
            .collect();
        if failed == 0 {
            return BatchNext::Done(Summary {
                message: Text::new(
                    format!("All {total} items finished"),
                    format!("全部 {total} 项已完成"),
                ),
                created_snapshots,
                safety_snapshot: None,
            });
        }
        BatchNext::Failed(Failure {
            kind: FailureKind::Partial { failed, total },
            message: Text::new(
                format!("{failed} of {total} items failed"),
                format!("{total} 项中有 {failed} 项失败"),
            ),
            step: None,
        })
    }

    /// Cancels every item that has not sent its irreversible call. `Err` when some
    /// had (they carry on); the others are cancelled all the same.
    pub fn cancel(&mut self) -> Result<(), Text> {
        let mut refused = 0;
        for m in self.items.iter_mut().filter(|m| !m.is_finished()) {
            if m.cancel().is_err() {
                refused += 1;
            }
        }
        if refused == 0 {
            return Ok(());
        }
        Err(Text::new(
            format!(
                "{refused} item(s) already sent their rollback and carry on; the others were cancelled"
            ),
            format!("{refused} 项已发送回滚并将继续执行；其余各项已取消"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::SafetySnapshot;
    use super::super::tencent::RollbackPlan;
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn plan(i: usize) -> Operation {
        Operation::LhRollback(RollbackPlan {
            instance_id: format!("lhins-{i:08}"),
            snapshot_id: format!("lhsnap-{i:08}"),
            safety_snapshot: None,
            start_afterwards: false,
        })
    }

    /// A cloud where every instance is STOPPED and every snapshot NORMAL.
    fn answer(call: &Call) -> Answer {
        let id = call.target.clone();
        let snap = id.replace("lhins-", "lhsnap-");
        Answer::ok(match call.action {
            Action::LhDescribeInstances => {
                json!({"TotalCount": 1, "InstanceSet": [{"InstanceId": id,
                "InstanceState": "STOPPED", "LatestOperation": "ApplyInstanceSnapshot",
                "LatestOperationState": "SUCCESS", "LatestOperationRequestId": format!("r-{}", call.idempotency_key.contains("wait"))}]})
            }
            Action::LhDescribeSnapshots => {
                json!({"TotalCount": 1, "SnapshotSet": [{"SnapshotId": snap, "SnapshotState": "NORMAL"}]})
            }
            _ => json!({"RequestId": "r-true"}),
        })
    }

    #[test]
    fn sixty_rollbacks_start_at_most_twenty_per_second_and_all_finish() {
        let plans = (0..60).map(plan).collect();
        let mut b = Batch::new("b1", plans, RunOptions::default()).unwrap();
        let mut now = 0;
        let mut applies = Vec::new();
        let outcome = loop {
            match b.poll(now) {
                BatchNext::Send { item, call } => {
                    if call.action == Action::LhApplyInstanceSnapshot {
                        applies.push(now);
                    }
                    let a = answer(&call);
                    b.on_answer(item, a, now);
                }
                BatchNext::Wait { until_ms } => now = until_ms,
                BatchNext::AwaitAnswers => panic!("every call was answered"),
                done => break done,
            }
        };
        assert!(matches!(outcome, BatchNext::Done(_)), "{outcome:?}");
        assert_eq!(applies.len(), 60);
        for (i, t) in applies.iter().enumerate() {
            let in_window = applies[i..].iter().filter(|u| **u < t + 1000).count();
            assert!(in_window <= 20, "{in_window} starts within a second of {t}");
        }
        assert!(applies[59] >= 2000, "60 starts take at least 2 s at 20/s");
    }

    /// Lighthouse limits CreateInstanceSnapshot and ApplyInstanceSnapshot at 20/s each:
    /// in one instant a batch starts 20 of each, its rollbacks not held behind its
    /// safety snapshots.
    #[test]
    fn each_paced_action_has_its_own_window() {
        let plans = (0..40)
            .map(|i| {
                let Operation::LhRollback(mut p) = plan(i) else {
                    unreachable!()
                };
                p.safety_snapshot = (i < 20).then(SafetySnapshot::default);
                Operation::LhRollback(p)
            })
            .collect();
        let mut b = Batch::new("b", plans, RunOptions::default()).unwrap();
        let mut starts = BTreeMap::<Action, usize>::new();
        while let BatchNext::Send { item, call } = b.poll(0) {
            if pace_limit(call.action).is_some() {
                *starts.entry(call.action).or_default() += 1;
            }
            let a = match call.action {
                Action::LhCreateInstanceSnapshot => Answer::ok(
                    json!({"SnapshotId": format!("lhsnap-s{item:07}"), "RequestId": "r"}),
                ),
                _ => answer(&call),
            };
            b.on_answer(item, a, 0);
        }
        assert_eq!(starts.get(&Action::LhCreateInstanceSnapshot), Some(&20));
        assert_eq!(starts.get(&Action::LhApplyInstanceSnapshot), Some(&20));
    }

    #[test]
    fn duplicates_and_workspace_items_are_refused_and_cancel_stops_the_unstarted() {
        let errors = Batch::new("b", vec![plan(1), plan(1)], RunOptions::default()).unwrap_err();
        assert_eq!(errors[0].field, "items[1]");
        let mut b = Batch::new("b", vec![plan(1), plan(2)], RunOptions::default()).unwrap();
        assert!(matches!(b.poll(0), BatchNext::Send { item: 0, .. }));
        assert!(matches!(b.poll(0), BatchNext::Send { item: 1, .. }));
        assert_eq!(b.poll(0), BatchNext::AwaitAnswers);
        assert!(b.cancel().is_ok());
        b.on_answer(0, Answer::NotSent, 0);
        assert!(matches!(
            b.poll(0),
            BatchNext::Failed(Failure {
                kind: FailureKind::Partial {
                    failed: 2,
                    total: 2
                },
                ..
            })
        ));
    }
}
