//! Huawei Cloud Workspace: desktops, desktop snapshots and restore jobs whose sub-jobs
//! progress to SUCCESS or FAIL with simulated time. Statuses, and the rows ListDesktopSnapshot
//! and ShowJob answer with, are the cloud model's ([`rewind_cloud::huawei`]).

use crate::clock::iso8601_millis;
use crate::error::{ApiResult, Refusal};
use crate::params::well_formed;
use crate::state::{OpCtx, page};
pub use rewind_cloud::huawei::SnapshotStatus;
use rewind_cloud::huawei::{
    DesktopSnapshot, JobEntities, JobStatus, ListDesktopSnapshotResponse, ShowJobResponse, SubJob,
};
use rewind_cloud::limits::{WORKSPACE_BATCH_MAX, WORKSPACE_PAGE_MAX};
use rewind_cloud::validate::IdKind;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct Desktop {
    pub id: String,
    pub name: String,
    /// Set on desktops whose restores fail: (error code, reason).
    pub restore_fails: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub id: String,
    pub name: String,
    pub desktop_id: String,
    pub is_system_disk: bool,
    pub status: SnapshotStatus,
    pub description: String,
    pub created_ms: u64,
    /// When a `creating` snapshot becomes `create_success`.
    pub create_done_ms: u64,
    /// AUTO or MANUALLY.
    pub create_type: &'static str,
    pub last_restore_ms: Option<u64>,
    pub restore_fail_reason: Option<String>,
}

/// One desktop's restore within a job: a sub-job, as scheduled (the answer's sub-job is
/// [`SubJob`], made from this at the time asked).
#[derive(Debug, Clone)]
pub struct DesktopRestore {
    pub id: String,
    pub snapshot_id: String,
    pub desktop_id: String,
    pub desktop_name: String,
    pub start_ms: u64,
    pub done_ms: u64,
    pub fails: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub created_ms: u64,
    pub sub_jobs: Vec<DesktopRestore>,
    /// Set once the job's sub-jobs have all finished and the snapshots are updated.
    pub applied: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Project {
    pub region: String,
    pub desktops: Vec<Desktop>,
    pub snapshots: Vec<Snapshot>,
    pub jobs: Vec<Job>,
}

#[derive(Debug, Clone, Default)]
pub struct Account {
    pub projects: BTreeMap<String, Project>,
}

fn err(status: u16, code: &str, message: impl Into<String>) -> Refusal {
    Refusal::new(status, code, message)
}

pub const JOB_TYPE: &str = "batchRestoreDesktopSnapshot";
pub const SUB_JOB_TYPE: &str = "restoreDesktopBySnapshot";

impl DesktopRestore {
    fn status(&self, now: u64) -> JobStatus {
        if now < self.start_ms {
            JobStatus::Waiting
        } else if now < self.done_ms {
            JobStatus::Running
        } else if self.fails.is_some() {
            JobStatus::Fail
        } else {
            JobStatus::Success
        }
    }

    fn process(&self, now: u64) -> u32 {
        if now < self.start_ms {
            0
        } else if now >= self.done_ms {
            100
        } else {
            let p = (now - self.start_ms) * 100 / (self.done_ms - self.start_ms).max(1);
            p.min(99) as u32
        }
    }

    /// The sub-job as ShowJob answers it at `now`.
    fn sub_job(&self, now: u64) -> SubJob {
        let status = self.status(now);
        let failure = self.fails.as_ref().filter(|_| status.is_failed());
        let mut extra = BTreeMap::new();
        extra.insert(
            "snapshot_id".to_string(),
            Value::from(self.snapshot_id.clone()),
        );
        SubJob {
            id: self.id.clone(),
            job_id: None,
            job_type: Some(SUB_JOB_TYPE.to_string()),
            process: Some(self.process(now)),
            begin_time: Some(iso8601_millis(self.start_ms)),
            end_time: (now >= self.done_ms).then(|| iso8601_millis(self.done_ms)),
            error_code: failure.map(|f| f.0.clone()),
            fail_reason: failure.map(|f| f.1.clone()),
            entities: Some(JobEntities {
                desktop_id: Some(self.desktop_id.clone()),
                desktop_name: Some(self.desktop_name.clone()),
                extra,
            }),
            status,
        }
    }
}

impl Job {
    fn done_ms(&self) -> u64 {
        self.sub_jobs
            .iter()
            .map(|s| s.done_ms)
            .max()
            .unwrap_or(self.created_ms)
    }

    fn status(&self, now: u64) -> JobStatus {
        if self.sub_jobs.iter().all(|s| now < s.start_ms) {
            JobStatus::Waiting
        } else if now < self.done_ms() {
            JobStatus::Running
        } else if self.sub_jobs.iter().any(|s| s.fails.is_some()) {
            JobStatus::Fail
        } else {
            JobStatus::Success
        }
    }
}

impl Project {
    pub fn settle(&mut self, now: u64) {
        for s in &mut self.snapshots {
            if s.status == SnapshotStatus::Creating && now >= s.create_done_ms {
                s.status = SnapshotStatus::CreateSuccess;
            }
        }
        for job in &mut self.jobs {
            if job.applied {
                continue;
            }
            for sub in &job.sub_jobs {
                if now < sub.done_ms {
                    continue;
                }
                if let Some(s) = self.snapshots.iter_mut().find(|s| s.id == sub.snapshot_id)
                    && s.status == SnapshotStatus::Restoring
                {
                    s.last_restore_ms = Some(sub.done_ms);
                    match &sub.fails {
                        Some((_, reason)) => {
                            s.status = SnapshotStatus::RestoreFailed;
                            s.restore_fail_reason = Some(reason.clone());
                        }
                        None => {
                            s.status = SnapshotStatus::RestoreSuccess;
                            s.restore_fail_reason = None;
                        }
                    }
                }
            }
            job.applied = now >= job.done_ms();
        }
    }

    fn desktop_name(&self, id: &str) -> String {
        self.desktops
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    }

    /// A `desktop_snapshots[]` row at `now`.
    fn snapshot_row(&self, s: &Snapshot, now: u64) -> DesktopSnapshot {
        let process = match &s.status {
            SnapshotStatus::Creating => {
                let span = s.create_done_ms.saturating_sub(s.created_ms).max(1);
                Some((now.saturating_sub(s.created_ms) * 100 / span).min(99) as u32)
            }
            SnapshotStatus::Restoring => Some(
                self.jobs
                    .iter()
                    .flat_map(|j| &j.sub_jobs)
                    .filter(|sj| sj.snapshot_id == s.id && now < sj.done_ms)
                    .map(|sj| sj.process(now))
                    .next()
                    .unwrap_or(0),
            ),
            _ => None,
        };
        DesktopSnapshot {
            snapshot_id: s.id.clone(),
            snapshot_name: Some(s.name.clone()),
            desktop_id: Some(s.desktop_id.clone()),
            desktop_name: Some(self.desktop_name(&s.desktop_id)),
            is_system_disk: Some(s.is_system_disk),
            status: s.status.clone(),
            process,
            description: Some(s.description.clone()),
            create_time: Some(iso8601_millis(s.created_ms)),
            create_type: Some(s.create_type.to_string()),
            last_restore_time: s.last_restore_ms.map(iso8601_millis),
            restore_fail_reason: s.restore_fail_reason.clone(),
        }
    }

    /// ListDesktopSnapshot with its query filters, sorting and offset/limit.
    pub fn list_snapshots(&mut self, query: &[(String, String)], now: u64) -> ApiResult<Value> {
        self.settle(now);
        let q = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let bad = |name: &str, why: &str| {
            err(
                400,
                "WKS.0002",
                format!("The query parameter {name} is invalid: {why}."),
            )
        };
        let num = |name: &str, default: usize| -> ApiResult<usize> {
            match q(name) {
                None => Ok(default),
                Some(v) => v
                    .parse::<usize>()
                    .map_err(|_| bad(name, "expected a non-negative integer")),
            }
        };
        let offset = num("offset", 0)?;
        let limit = num("limit", WORKSPACE_PAGE_MAX)?;
        if !(1..=WORKSPACE_PAGE_MAX).contains(&limit) {
            return Err(bad(
                "limit",
                &format!("must be between 1 and {WORKSPACE_PAGE_MAX}"),
            ));
        }
        // The SDK repeats the parameter (`desktop_ids=a&desktop_ids=b`); the API reference
        // describes a comma-separated list. Accept both, and a mix of the two.
        let mut desktop_ids: Vec<String> = query
            .iter()
            .filter(|(k, _)| k == "desktop_ids")
            .flat_map(|(_, v)| v.split(','))
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect();
        if let Some(d) = q("desktop_id") {
            desktop_ids.push(d.to_string());
        }
        let disk_type = q("disk_type").unwrap_or("ALL");
        if !["SYSTEM_DISK", "DATA_DISKS", "ALL"].contains(&disk_type) {
            return Err(bad("disk_type", "expected SYSTEM_DISK, DATA_DISKS or ALL"));
        }
        let create_type = q("create_type");
        if create_type.is_some_and(|c| !["AUTO", "MANUALLY"].contains(&c)) {
            return Err(bad("create_type", "expected AUTO or MANUALLY"));
        }
        let sort_field = q("sort_field").unwrap_or("create_time");
        if !["create_time", "snapshot_name"].contains(&sort_field) {
            return Err(bad("sort_field", "expected create_time or snapshot_name"));
        }
        let sort_type = q("sort_type").unwrap_or("DESC");
        if !["ASC", "DESC"].contains(&sort_type) {
            return Err(bad("sort_type", "expected ASC or DESC"));
        }
        let desktop_name = q("desktop_name");
        let snapshot_name = q("snapshot_name");
        let status = q("status");
        let mut matched: Vec<&Snapshot> = self
            .snapshots
            .iter()
            .filter(|s| desktop_ids.is_empty() || desktop_ids.contains(&s.desktop_id))
            .filter(|s| desktop_name.is_none_or(|n| self.desktop_name(&s.desktop_id).contains(n)))
            .filter(|s| snapshot_name.is_none_or(|n| s.name.contains(n)))
            .filter(|s| match disk_type {
                "SYSTEM_DISK" => s.is_system_disk,
                "DATA_DISKS" => !s.is_system_disk,
                _ => true,
            })
            .filter(|s| create_type.is_none_or(|c| c == s.create_type))
            .filter(|s| status.is_none_or(|st| st == s.status.as_str()))
            .collect();
        match sort_field {
            "snapshot_name" => matched.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id))),
            _ => matched.sort_by(|a, b| a.created_ms.cmp(&b.created_ms).then(a.id.cmp(&b.id))),
        }
        if sort_type == "DESC" {
            matched.reverse();
        }
        let answer = ListDesktopSnapshotResponse {
            desktop_snapshots: page(&matched, offset, limit)
                .iter()
                .map(|s| self.snapshot_row(s, now))
                .collect(),
            total_count: Some(matched.len() as u64),
        };
        fields(&answer)
    }

    /// BatchRestoreDesktopSnapshot: 1–100 known snapshot IDs, none conflicting.
    pub fn batch_restore(&mut self, body: &[u8], ctx: &mut OpCtx) -> ApiResult<Value> {
        self.settle(ctx.now);
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(err(
                400,
                "WKS.0001",
                "The request message input by the interface is empty.",
            ));
        }
        let v: Value = serde_json::from_slice(body).map_err(|e| {
            err(
                400,
                "WKS.0002",
                format!("The request body is not valid JSON: {e}."),
            )
        })?;
        let ids: Vec<String> = match v.get("snapshot_ids") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| err(400, "WKS.0002", "snapshot_ids must be an array of strings."))?,
            _ => {
                return Err(err(
                    400,
                    "WKS.0002",
                    "snapshot_ids is required and must be an array of strings.",
                ));
            }
        };
        if ids.is_empty() || ids.len() > WORKSPACE_BATCH_MAX {
            return Err(err(
                400,
                "WKS.0002",
                format!(
                    "snapshot_ids must hold 1 to {WORKSPACE_BATCH_MAX} IDs, not {}.",
                    ids.len()
                ),
            ));
        }
        if let Some(bad) = ids.iter().find(|i| !well_formed(IdKind::WsSnapshot, i)) {
            return Err(err(
                400,
                "WKS.0002",
                format!(
                    "The snapshot ID {bad:?} is malformed (1 to 36 letters, digits or hyphens)."
                ),
            ));
        }
        let unknown: Vec<&String> = ids
            .iter()
            .filter(|i| !self.snapshots.iter().any(|s| &&s.id == i))
            .collect();
        if !unknown.is_empty() {
            return Err(err(
                404,
                "WKS.0004",
                format!(
                    "Snapshots not found: {}.",
                    unknown
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let mut desktops_seen: Vec<&str> = Vec::new();
        for id in &ids {
            let Some(s) = self.snapshots.iter().find(|s| &s.id == id) else {
                continue;
            };
            let busy_desktop = self
                .snapshots
                .iter()
                .any(|o| o.desktop_id == s.desktop_id && o.status.restoring());
            if s.status.restoring() || busy_desktop {
                return Err(err(
                    409,
                    "WKS.0009",
                    format!(
                        "Desktop {} is already being restored (snapshot {id}).",
                        s.desktop_id
                    ),
                ));
            }
            if !s.status.allows_restore() {
                return Err(err(
                    409,
                    "WKS.0009",
                    format!(
                        "Snapshot {id} is {} and cannot be restored.",
                        s.status.as_str()
                    ),
                ));
            }
            if desktops_seen.contains(&s.desktop_id.as_str()) {
                return Err(err(
                    409,
                    "WKS.0009",
                    format!(
                        "Two snapshots of desktop {} were given; restore one at a time.",
                        s.desktop_id
                    ),
                ));
            }
            desktops_seen.push(&s.desktop_id);
        }
        let job_id = ctx.rng.uuid();
        let start = ctx.now + ctx.timings.job_queue.as_millis() as u64;
        let run = ctx.timings.restore_desktop.as_millis() as u64;
        let mut sub_jobs = Vec::new();
        for id in &ids {
            let Some(s) = self.snapshots.iter_mut().find(|s| &s.id == id) else {
                continue;
            };
            s.status = SnapshotStatus::Restoring;
            let desktop = self.desktops.iter().find(|d| d.id == s.desktop_id);
            sub_jobs.push(DesktopRestore {
                id: ctx.rng.uuid(),
                snapshot_id: id.clone(),
                desktop_id: s.desktop_id.clone(),
                desktop_name: desktop.map(|d| d.name.clone()).unwrap_or_default(),
                start_ms: start,
                done_ms: start + run,
                fails: desktop.and_then(|d| d.restore_fails.clone()),
            });
        }
        self.jobs.push(Job {
            id: job_id.clone(),
            created_ms: ctx.now,
            sub_jobs,
            applied: false,
        });
        Ok(json!({"job_id": job_id}))
    }

    /// ShowJob: the job, its status and its sub-jobs.
    pub fn show_job(&mut self, job_id: &str, now: u64) -> ApiResult<Value> {
        self.settle(now);
        let job = self
            .jobs
            .iter()
            .find(|j| j.id == job_id)
            .ok_or_else(|| err(404, "WKS.0004", format!("The job {job_id} does not exist.")))?;
        let status = job.status(now);
        let failed = job
            .sub_jobs
            .iter()
            .filter_map(|s| s.fails.as_ref().filter(|_| now >= s.done_ms))
            .next();
        let answer = ShowJobResponse {
            id: job.id.clone(),
            job_type: Some(JOB_TYPE.to_string()),
            begin_time: Some(iso8601_millis(job.created_ms)),
            end_time: status.is_finished().then(|| iso8601_millis(job.done_ms())),
            job_error_code: failed.map(|f| f.0.clone()),
            fail_reason: failed.map(|f| f.1.clone()),
            entities: None,
            sub_jobs_total: Some(job.sub_jobs.len() as u64),
            sub_jobs: job.sub_jobs.iter().map(|s| s.sub_job(now)).collect(),
            status,
        };
        fields(&answer)
    }
}

/// A typed answer as the JSON fields the surface sends.
fn fields<T: serde::Serialize>(answer: &T) -> ApiResult<Value> {
    serde_json::to_value(answer).map_err(|e| {
        err(
            500,
            "WKS.0500",
            format!("The answer could not be written: {e}."),
        )
    })
}

impl Account {
    pub fn project_mut(&mut self, project_id: &str) -> Option<&mut Project> {
        self.projects.get_mut(project_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Limits, Timings};
    use crate::prng::SplitMix64;

    fn project() -> Project {
        let desk = |id: &str, fails: bool| Desktop {
            id: id.into(),
            name: format!("name-{id}"),
            restore_fails: fails.then(|| ("WKS.X".to_string(), "agent down".to_string())),
        };
        let snap = |id: &str, desktop: &str| Snapshot {
            id: id.into(),
            name: id.into(),
            desktop_id: desktop.into(),
            is_system_disk: true,
            status: SnapshotStatus::CreateSuccess,
            description: String::new(),
            created_ms: 0,
            create_done_ms: 0,
            create_type: "MANUALLY",
            last_restore_ms: None,
            restore_fail_reason: None,
        };
        Project {
            region: "r".into(),
            desktops: vec![desk("d1", false), desk("d2", true)],
            snapshots: vec![snap("s1", "d1"), snap("s2", "d2")],
            jobs: Vec::new(),
        }
    }

    #[test]
    fn desktop_ids_may_be_repeated_or_comma_separated() {
        let mut p = project();
        p.desktops.push(Desktop {
            id: "d3".into(),
            name: "name-d3".into(),
            restore_fails: None,
        });
        let mut s3 = p.snapshots[0].clone();
        s3.id = "s3".into();
        s3.desktop_id = "d3".into();
        p.snapshots.push(s3);
        let ids = |query: &[(&str, &str)]| -> Vec<String> {
            let query: Vec<(String, String)> = query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let v = p.clone().list_snapshots(&query, 0).unwrap();
            let mut ids: Vec<String> = v["desktop_snapshots"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["snapshot_id"].as_str().unwrap().to_string())
                .collect();
            ids.sort();
            assert_eq!(v["total_count"], ids.len());
            ids
        };
        // What huaweicloudsdkworkspace 3.1.219 sends: the parameter repeated.
        assert_eq!(
            ids(&[("desktop_ids", "d1"), ("desktop_ids", "d2")]),
            ["s1", "s2"]
        );
        // The documented comma-separated form, alone and mixed with a repeat.
        assert_eq!(ids(&[("desktop_ids", "d1,d2")]), ["s1", "s2"]);
        assert_eq!(
            ids(&[("desktop_ids", "d1, d3"), ("desktop_ids", "d2")]),
            ["s1", "s2", "s3"]
        );
        // With desktop_id as well; no filter lists everything.
        assert_eq!(
            ids(&[("desktop_ids", "d2"), ("desktop_id", "d3")]),
            ["s2", "s3"]
        );
        assert_eq!(ids(&[]), ["s1", "s2", "s3"]);
    }

    #[test]
    fn restore_jobs_progress_with_time_to_success_or_fail() {
        let mut p = project();
        let timings = Timings::default();
        let limits = Limits::default();
        let mut rng = SplitMix64::new(1);
        let mut ctx = OpCtx {
            now: 1000,
            request_id: "r",
            timings: &timings,
            limits: &limits,
            rng: &mut rng,
        };
        let job = p
            .batch_restore(br#"{"snapshot_ids": ["s1", "s2"]}"#, &mut ctx)
            .unwrap();
        let id = job["job_id"].as_str().unwrap().to_string();
        let queue = timings.job_queue.as_millis() as u64;
        let run = timings.restore_desktop.as_millis() as u64;
        assert_eq!(p.show_job(&id, 1000).unwrap()["status"], "WAITING");
        let mid = p.show_job(&id, 1000 + queue + run / 2).unwrap();
        assert_eq!(mid["status"], "RUNNING");
        assert_eq!(mid["sub_jobs"][0]["process"], 50);
        let end = p.show_job(&id, 1000 + queue + run).unwrap();
        assert_eq!(end["status"], "FAIL");
        assert_eq!(end["sub_jobs"][0]["status"], "SUCCESS");
        assert_eq!(end["sub_jobs"][1]["error_code"], "WKS.X");
        assert_eq!(p.snapshots[0].status, SnapshotStatus::RestoreSuccess);
        assert_eq!(p.snapshots[1].status, SnapshotStatus::RestoreFailed);
        assert_eq!(
            p.snapshots[1].restore_fail_reason.as_deref(),
            Some("agent down")
        );
    }
}
