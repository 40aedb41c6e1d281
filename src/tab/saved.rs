//! An operation run in this tab as it is saved in `sessionStorage` after every step:
//! the whole machine state (serde JSON of [`Task`]) with its profile, region and times,
//! under `rewind.task.<id>`. Pure, so saving and restoring are unit-tested natively.

use rewind_cloud::Provider;
use rewind_cloud::operation::{Task, TaskPlan};
use rewind_cloud::wire::operations::{OpState, OperationView};
use serde::{Deserialize, Serialize};

/// The sessionStorage keys of saved operations start with this.
pub const STORAGE_PREFIX: &str = "rewind.task.";

/// Finished operations kept for the operations page after a reload.
pub const KEEP_FINISHED: usize = 20;

/// One operation running (or run) in this tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TabTask {
    pub id: String,
    /// Who started it, as the server names the user (relay mode may have none).
    #[serde(default)]
    pub user: String,
    pub profile: String,
    pub region: String,
    pub provider: Provider,
    /// The plan's kind (`LhRollback`, …, `Batch`).
    pub kind: String,
    pub created_ms: u64,
    pub updated_ms: u64,
    #[serde(default)]
    pub finished_ms: Option<u64>,
    #[serde(default)]
    pub cancel_requested: bool,
    pub task: Task,
}

impl TabTask {
    /// A new operation of `plan`; `Err` lists the plan's parameters that do not validate.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        user: String,
        profile: String,
        region: String,
        provider: Provider,
        plan: TaskPlan,
        options: rewind_cloud::validate::ValidateOptions,
        now_ms: u64,
    ) -> Result<TabTask, Vec<rewind_cloud::validate::FieldError>> {
        let kind = plan.kind().to_string();
        let run = rewind_cloud::operation::RunOptions {
            validate: options,
            ..Default::default()
        };
        let task = Task::new(&id, plan, run)?;
        Ok(TabTask {
            id,
            user,
            profile,
            region,
            provider,
            kind,
            created_ms: now_ms,
            updated_ms: now_ms,
            finished_ms: None,
            cancel_requested: false,
            task,
        })
    }

    pub fn storage_key(&self) -> String {
        storage_key(&self.id)
    }

    /// The JSON written to sessionStorage.
    pub fn to_storage(&self) -> String {
        // Plain data of strings, numbers and lists: always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A saved operation read back; `None` for anything unreadable (it is forgotten).
    pub fn from_storage(json: &str) -> Option<TabTask> {
        serde_json::from_str(json).ok()
    }

    /// Marks a change at `now_ms`, and the end once the task has finished.
    pub fn touch(&mut self, now_ms: u64) {
        self.updated_ms = now_ms.max(self.updated_ms);
        if self.task.is_finished() && self.finished_ms.is_none() {
            self.finished_ms = Some(self.updated_ms);
        }
    }

    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// The operation in the shape the server's operations API gives, so one view shows
    /// both.
    pub fn view(&self) -> OperationView {
        let target = self
            .task
            .machines()
            .first()
            .map(|m| m.plan().target().to_string())
            .unwrap_or_default();
        OperationView {
            id: self.id.clone(),
            user: self.user.clone(),
            profile: self.profile.clone(),
            region: self.region.clone(),
            provider: self.provider,
            kind: self.kind.clone(),
            target,
            state: OpState::of(&self.task),
            cancel_requested: self.cancel_requested,
            cancellable: self.task.cancellable(),
            created_ms: self.created_ms,
            updated_ms: self.updated_ms,
            finished_ms: self.finished_ms,
            task: self.task.clone(),
            calls: Vec::new(),
        }
    }
}

/// The sessionStorage key of operation `id`.
pub fn storage_key(id: &str) -> String {
    format!("{STORAGE_PREFIX}{id}")
}

/// The saved operations to forget: finished ones beyond the newest [`KEEP_FINISHED`].
pub fn to_forget(saved: &[TabTask]) -> Vec<String> {
    let mut finished: Vec<&TabTask> = saved.iter().filter(|t| t.is_finished()).collect();
    finished.sort_by_key(|t| std::cmp::Reverse(t.created_ms));
    finished
        .into_iter()
        .skip(KEEP_FINISHED)
        .map(TabTask::storage_key)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rewind_cloud::operation::{Answer, Operation, SafetySnapshot, TaskNext, tencent};
    use rewind_cloud::validate::ValidateOptions;

    fn rollback(id: &str, now: u64) -> TabTask {
        TabTask::new(
            id.into(),
            "alice".into(),
            "keys-tencent".into(),
            "ap-guangzhou".into(),
            Provider::Tencent,
            TaskPlan::One(Operation::LhRollback(tencent::RollbackPlan {
                instance_id: "lhins-k31c771o".into(),
                snapshot_id: "lhsnap-nv6aqcv6".into(),
                safety_snapshot: Some(SafetySnapshot::default()),
                start_afterwards: true,
            })),
            ValidateOptions::default(),
            now,
        )
        .unwrap()
    }

    #[test]
    fn a_saved_task_mid_call_comes_back_and_is_reconciled_not_resent() {
        let mut t = rollback("tab-1", 1_000);
        // Two reads answered, then the safety snapshot's create goes out …
        let mut sent = Vec::new();
        let mut now = 1_000;
        loop {
            match t.task.poll(now) {
                TaskNext::Send { item, call } => {
                    sent.push(call.action);
                    if call.destructive {
                        break;
                    }
                    let data = serde_json::json!({"TotalCount": 0, "SnapshotSet": []});
                    t.task.on_answer(item, Answer::ok(data), now);
                }
                TaskNext::Wait { until_ms } => now = until_ms,
                other => panic!("{other:?}"),
            }
        }
        t.touch(now);
        // … and is saved with the call in flight (the tab is then reloaded).
        let json = t.to_storage();
        let mut back = TabTask::from_storage(&json).expect("reads back");
        assert_eq!(back, t);
        assert_eq!(back.storage_key(), "rewind.task.tab-1");
        // Recovering settles the lost answer by reading, never by sending again.
        back.task.recover(now + 10);
        let mut next = back.task.poll(now + 10);
        if let TaskNext::Wait { until_ms } = next {
            next = back.task.poll(until_ms);
        }
        let TaskNext::Send { call, .. } = next else {
            panic!("{next:?}")
        };
        assert!(!call.destructive, "{call:?}");
        assert_eq!(call.action, rewind_cloud::Action::LhDescribeSnapshots);
        assert_eq!(OpState::of(&back.task), OpState::Running);
    }

    #[test]
    fn the_view_has_the_servers_shape_and_unreadable_entries_are_forgotten() {
        let t = rollback("tab-2", 5);
        let v = t.view();
        assert_eq!(v.kind, "LhRollback");
        assert_eq!(v.target, "lhins-k31c771o");
        assert_eq!(v.state, OpState::Running);
        assert!(v.cancellable && v.user == "alice" && v.created_ms == 5);
        assert_eq!(TabTask::from_storage("{not json"), None);
        assert_eq!(TabTask::from_storage(r#"{"id":"x"}"#), None);
        // Finished ones beyond the newest 20 are forgotten, running ones never.
        let mut all: Vec<TabTask> = (0..25)
            .map(|i| {
                let mut t = rollback(&format!("tab-{i}"), i);
                let _ = t.task.cancel();
                t
            })
            .collect();
        all.push(rollback("tab-running", 0));
        let gone = to_forget(&all);
        assert_eq!(gone.len(), 5);
        assert!(gone.contains(&"rewind.task.tab-0".to_string()));
        assert!(!gone.iter().any(|k| k.ends_with("running")));
    }
}
