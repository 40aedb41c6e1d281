//! Workspace restore: BatchRestoreDesktopSnapshot, then ShowJob until the job and its
//! sub-jobs finish. Answers are read with the typed models of [`crate::huawei`].
//!
//! Before sending, the snapshots are listed (each must be restorable) and their status
//! and `last_restore_time` noted. A lost answer is settled by listing them again: one of
//! ours restoring, or restored since, is the evidence. The job id is then unknown, so
//! the restore is followed through the snapshot list instead of ShowJob.

use super::{
    Failure, FailureKind, Flow, Reconcile, Request, StepWork, Work, decode, to_params, unreadable,
};
use crate::action::Action;
use crate::huawei::{
    BatchRestoreDesktopSnapshotRequest, BatchRestoreDesktopSnapshotResponse, DesktopSnapshot,
    JobStatus, ListDesktopSnapshotRequest, ListDesktopSnapshotResponse, ShowJobRequest,
    ShowJobResponse, SnapshotStatus,
};
use crate::i18n::Text;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Restore up to 100 desktop snapshots in one job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestorePlan {
    pub snapshots: Vec<SnapshotRef>,
}

/// A snapshot to restore, with its desktop when known (the list shows it): with every
/// desktop known, the checks list only those desktops' snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotRef {
    pub snapshot_id: String,
    #[serde(default)]
    pub desktop_id: Option<String>,
}

pub(super) fn restore_steps(p: &RestorePlan) -> Vec<Work> {
    vec![Work::WsRestore(RestoreStep {
        snapshots: p.snapshots.clone(),
        phase: RestorePhase::Check,
        before: Vec::new(),
        job_id: None,
        job_status: None,
        sub_jobs: Vec::new(),
    })]
}

/// Some desktops failed: [`FailureKind::Partial`] when others were restored (the job
/// itself did its work), a state failure when none was.
fn partial(failed: usize, total: usize, en: String, zh: String) -> Failure {
    if failed == 0 || failed >= total {
        return Failure::state(en, zh);
    }
    Failure {
        kind: FailureKind::Partial { failed, total },
        message: Text::new(en, zh),
        step: None,
    }
}

/// One desktop of the job, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubJobRecord {
    pub desktop: String,
    /// The desktop's ID when the job names it (to retry the failed ones).
    #[serde(default)]
    pub desktop_id: Option<String>,
    pub status: JobStatus,
    pub process: u32,
    pub error_code: Option<String>,
    pub fail_reason: Option<String>,
}

/// A snapshot as it was before the restore was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Before {
    pub snapshot_id: String,
    /// `None` when the list did not show it (an unfiltered list cut at 1000).
    pub status: Option<SnapshotStatus>,
    pub last_restore_time: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RestorePhase {
    Check,
    Restore,
    /// ShowJob with the job id the answer gave.
    Job,
    /// The answer was lost: follow the snapshots' status instead.
    Watch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreStep {
    snapshots: Vec<SnapshotRef>,
    phase: RestorePhase,
    before: Vec<Before>,
    job_id: Option<String>,
    /// What ShowJob last said of the job.
    #[serde(default)]
    job_status: Option<JobStatus>,
    sub_jobs: Vec<SubJobRecord>,
}

/// The Workspace job of a restore, for display (its ID to copy, its state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    pub job_id: String,
    /// `None` until ShowJob has answered.
    pub status: Option<JobStatus>,
}

impl RestoreStep {
    pub fn sub_jobs(&self) -> &[SubJobRecord] {
        &self.sub_jobs
    }

    /// The job, once BatchRestoreDesktopSnapshot named it.
    pub fn job(&self) -> Option<JobRecord> {
        self.job_id.as_ref().map(|id| JobRecord {
            job_id: id.clone(),
            status: self.job_status.clone(),
        })
    }

    fn ids(&self) -> Vec<String> {
        self.snapshots
            .iter()
            .map(|s| s.snapshot_id.clone())
            .collect()
    }

    /// The list query: only the snapshots' desktops when every one is known.
    fn list(&self) -> ListDesktopSnapshotRequest {
        let desktops: Option<Vec<String>> = self
            .snapshots
            .iter()
            .map(|s| s.desktop_id.clone())
            .collect();
        let desktops = desktops.map(|mut d| {
            d.sort();
            d.dedup();
            d
        });
        ListDesktopSnapshotRequest {
            desktop_ids: desktops.filter(|d| !d.is_empty() && d.len() <= 100),
            limit: Some(1000),
            ..Default::default()
        }
    }

    fn ours(&self, r: ListDesktopSnapshotResponse) -> Vec<DesktopSnapshot> {
        r.desktop_snapshots
            .into_iter()
            .filter(|s| {
                self.snapshots
                    .iter()
                    .any(|o| o.snapshot_id == s.snapshot_id)
            })
            .collect()
    }

    /// True when `s` has been restored (or is being restored) since the check.
    fn restored_since(&self, s: &DesktopSnapshot) -> bool {
        let before = self.before.iter().find(|b| b.snapshot_id == s.snapshot_id);
        match s.status {
            SnapshotStatus::Restoring => true,
            SnapshotStatus::RestoreSuccess | SnapshotStatus::RestoreFailed => {
                before.is_none_or(|b| {
                    b.status.as_ref() != Some(&s.status)
                        || b.last_restore_time != s.last_restore_time
                })
            }
            _ => false,
        }
    }

    fn check(&mut self, r: ListDesktopSnapshotResponse) -> Flow {
        let complete = self.list().desktop_ids.is_some()
            || r.total_count
                .is_none_or(|t| t <= r.desktop_snapshots.len() as u64);
        let listed = self.ours(r);
        let mut before = Vec::new();
        for wanted in &self.snapshots {
            let id = &wanted.snapshot_id;
            match listed.iter().find(|s| &s.snapshot_id == id) {
                None if complete => {
                    return Flow::Fail(Failure::state(
                        format!("Desktop snapshot {id} was not found"),
                        format!("未找到桌面快照 {id}"),
                    ));
                }
                None => before.push(Before {
                    snapshot_id: id.clone(),
                    status: None,
                    last_restore_time: None,
                }),
                Some(s)
                    if matches!(
                        s.status,
                        SnapshotStatus::Restoring | SnapshotStatus::Creating
                    ) =>
                {
                    return Flow::Poll(format!("{id} {}", s.status));
                }
                Some(s) if !s.status.allows_restore() => {
                    return Flow::Fail(Failure::state(
                        format!(
                            "Desktop snapshot {id} is {}; it cannot be restored",
                            s.status
                        ),
                        format!("桌面快照 {id} 的状态为 {}，无法恢复", s.status),
                    ));
                }
                Some(s) => before.push(Before {
                    snapshot_id: id.clone(),
                    status: Some(s.status.clone()),
                    last_restore_time: s.last_restore_time.clone(),
                }),
            }
        }
        self.before = before;
        self.phase = RestorePhase::Restore;
        Flow::Next
    }

    fn on_job(&mut self, job: ShowJobResponse) -> Flow {
        self.job_status = Some(job.status.clone());
        self.sub_jobs = job
            .sub_jobs
            .iter()
            .map(|s| {
                let entities = s.entities.as_ref();
                SubJobRecord {
                    desktop: entities
                        .and_then(|e| e.desktop_name.clone().or_else(|| e.desktop_id.clone()))
                        .unwrap_or_else(|| s.id.clone()),
                    desktop_id: entities.and_then(|e| e.desktop_id.clone()),
                    status: s.status.clone(),
                    process: s.process.unwrap_or(0),
                    error_code: s.error_code.clone(),
                    fail_reason: s.fail_reason.clone(),
                }
            })
            .collect();
        let (finished, failed) = job.sub_job_counts();
        let total = job.sub_jobs.len();
        if !job.status.is_finished() || finished < total {
            return Flow::Poll(format!("{} {finished}/{total}", job.status));
        }
        if job.status.is_failed() || failed > 0 {
            let why = job
                .fail_reason
                .clone()
                .or_else(|| job.sub_jobs.iter().find_map(|s| s.fail_reason.clone()))
                .or(job.job_error_code.clone())
                .unwrap_or_else(|| job.status.to_string());
            return Flow::Fail(partial(
                failed,
                total,
                format!("Job {}: {failed} of {total} desktops failed: {why}", job.id),
                format!("任务 {}：{total} 个桌面中有 {failed} 个失败：{why}", job.id),
            ));
        }
        Flow::Done(format!("{} {finished}/{total}", job.status))
    }

    fn watch(&mut self, r: ListDesktopSnapshotResponse) -> Flow {
        let listed = self.ours(r);
        let total = self.snapshots.len();
        let finished: Vec<&DesktopSnapshot> = listed
            .iter()
            .filter(|s| s.status != SnapshotStatus::Restoring && self.restored_since(s))
            .collect();
        if finished.len() < total {
            return Flow::Poll(format!("restoring {}/{total}", finished.len()));
        }
        let failed: Vec<&&DesktopSnapshot> = finished
            .iter()
            .filter(|s| s.status == SnapshotStatus::RestoreFailed)
            .collect();
        match failed.first() {
            Some(first) => {
                let why = first.restore_fail_reason.clone().unwrap_or_default();
                Flow::Fail(partial(
                    failed.len(),
                    total,
                    format!(
                        "{} of {total} desktops failed to restore: {why}",
                        failed.len()
                    ),
                    format!("{total} 个桌面中有 {} 个恢复失败：{why}", failed.len()),
                ))
            }
            None => Flow::Done(format!("restored {total}/{total}")),
        }
    }
}

impl StepWork for RestoreStep {
    fn label(&self) -> Text {
        let n = self.snapshots.len();
        Text::new(
            format!("Restore {n} desktop snapshot(s)"),
            format!("恢复 {n} 个桌面快照"),
        )
    }

    fn request(&self) -> Request {
        let target = self.snapshots.first().map_or("", |s| &s.snapshot_id);
        match (self.phase, &self.job_id) {
            (RestorePhase::Check, _) => {
                Request::read(Action::WsListDesktopSnapshot, &self.list(), target, "check")
            }
            (RestorePhase::Job, Some(job)) => Request::read(
                Action::WsShowJob,
                &ShowJobRequest {
                    job_id: job.clone(),
                },
                target,
                "job",
            ),
            (RestorePhase::Watch | RestorePhase::Job, _) => {
                Request::read(Action::WsListDesktopSnapshot, &self.list(), target, "watch")
            }
            (RestorePhase::Restore, _) => Request::destructive(
                Action::WsBatchRestoreDesktopSnapshot,
                &BatchRestoreDesktopSnapshotRequest {
                    snapshot_ids: self.ids(),
                },
                target,
                "restore",
                Reconcile {
                    action: Action::WsListDesktopSnapshot,
                    params: to_params(&self.list()),
                    evidence: Text::new(
                        "one of the snapshots is restoring, or was restored since the check",
                        "其中有快照正在恢复，或在检查之后已恢复",
                    ),
                },
            )
            .main(true),
        }
    }

    fn on_ok(&mut self, data: &Value, _request_id: Option<&str>) -> Flow {
        match self.phase {
            RestorePhase::Check => match decode(data) {
                Some(r) => self.check(r),
                None => unreadable(Action::WsListDesktopSnapshot),
            },
            RestorePhase::Restore => {
                // Accepted: with the job id, follow the job; without, the snapshots.
                match decode::<BatchRestoreDesktopSnapshotResponse>(data) {
                    Some(r) if !r.job_id.is_empty() => {
                        self.job_id = Some(r.job_id);
                        self.phase = RestorePhase::Job;
                    }
                    _ => self.phase = RestorePhase::Watch,
                }
                Flow::Next
            }
            RestorePhase::Job if self.job_id.is_some() => match decode(data) {
                Some(job) => self.on_job(job),
                None => unreadable(Action::WsShowJob),
            },
            RestorePhase::Job | RestorePhase::Watch => match decode(data) {
                Some(r) => self.watch(r),
                None => unreadable(Action::WsListDesktopSnapshot),
            },
        }
    }

    fn on_reconcile(&mut self, data: &Value) -> Option<Flow> {
        let listed = self.ours(decode(data)?);
        if !listed.iter().any(|s| self.restored_since(s)) {
            return None;
        }
        self.phase = RestorePhase::Watch;
        Some(Flow::Next)
    }

    fn final_detail(&self) -> Option<String> {
        let status = self.job_status.as_ref().filter(|s| s.is_finished())?;
        let total = self.sub_jobs.len();
        let finished = self
            .sub_jobs
            .iter()
            .filter(|s| s.status.is_finished())
            .count();
        Some(format!("{status} {finished}/{total}"))
    }

    fn checks(&self) -> Vec<(Action, Value)> {
        let restore = BatchRestoreDesktopSnapshotRequest {
            snapshot_ids: self.ids(),
        };
        vec![
            (Action::WsListDesktopSnapshot, to_params(&self.list())),
            (Action::WsBatchRestoreDesktopSnapshot, to_params(&restore)),
        ]
    }
}
