//! Huawei Cloud Workspace (v2) desktop snapshots: typed requests and responses with
//! the provider's snake_case field names.
//!
//! Path variables (`project_id`, `job_id`) are not part of a request body or query;
//! [`crate::action::Action::lookup_rest`] and the request builder place them in the path.
//! Unknown response fields are ignored and unknown status values land in `Other`.

use crate::tencent::{lenient_number, provider_enum};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

provider_enum! {
    /// `status` of a desktop snapshot.
    SnapshotStatus {
        Creating = "creating" / "创建中",
        CreateSuccess = "create_success" / "创建成功",
        CreateFailed = "create_failed" / "创建失败",
        Restoring = "restoring" / "恢复中",
        RestoreSuccess = "restore_success" / "恢复成功",
        RestoreFailed = "restore_failed" / "恢复失败",
    }
}

impl SnapshotStatus {
    /// A snapshot can be restored once its creation has succeeded and no restore is
    /// running (a previous restore, successful or not, does not prevent another).
    pub fn allows_restore(&self) -> bool {
        matches!(
            self,
            SnapshotStatus::CreateSuccess
                | SnapshotStatus::RestoreSuccess
                | SnapshotStatus::RestoreFailed
        )
    }

    /// A restore from this snapshot is running: its desktop takes no other restore.
    pub fn restoring(&self) -> bool {
        matches!(self, SnapshotStatus::Restoring)
    }
}

provider_enum! {
    /// `status` of a job or sub-job. The SDK and the documentation disagree on the
    /// failure spelling, so both `FAIL` and `FAILED` are known.
    JobStatus {
        Init = "INIT",
        Waiting = "WAITING",
        Running = "RUNNING",
        Success = "SUCCESS",
        Fail = "FAIL",
        Failed = "FAILED",
    }
}

impl JobStatus {
    /// True once the job will not change any more.
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            JobStatus::Success | JobStatus::Fail | JobStatus::Failed
        )
    }

    pub fn is_failed(&self) -> bool {
        matches!(self, JobStatus::Fail | JobStatus::Failed)
    }
}

// ---------------------------------------------------------------- ListDesktopSnapshot

/// Query of `GET /v2/{project_id}/snapshots`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListDesktopSnapshotRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop_id: Option<String>,
    /// Sent as a repeated query parameter, as the SDK does (`desktop_ids=a&desktop_ids=b`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_names: Option<Vec<String>>,
    /// `SYSTEM_DISK`, `DATA_DISKS` or `ALL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_type: Option<String>,
    /// `AUTO` or `MANUALLY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SnapshotStatus>,
    /// `create_time` or `snapshot_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_field: Option<String>,
    /// `ASC` or `DESC`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl ListDesktopSnapshotRequest {
    /// The query pairs, in field order, absent fields left out, lists repeated.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        query_pairs(&serde_json::to_value(self).unwrap_or(Value::Null))
    }
}

/// Query pairs of a flat JSON object: strings as they are, numbers and booleans in
/// their JSON spelling, lists as one pair per item (the SDK's "multi" format), nulls
/// left out. Used for Workspace GET queries.
pub fn query_pairs(params: &Value) -> Vec<(String, String)> {
    let Value::Object(map) = params else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in map {
        let items = match v {
            Value::Array(items) => items.as_slice(),
            other => std::slice::from_ref(other),
        };
        for item in items {
            match item {
                Value::Null => {}
                Value::String(s) => out.push((k.clone(), s.clone())),
                other => out.push((k.clone(), other.to_string())),
            }
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ListDesktopSnapshotResponse {
    #[serde(default)]
    pub desktop_snapshots: Vec<DesktopSnapshot>,
    #[serde(default)]
    pub total_count: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesktopSnapshot {
    pub snapshot_id: String,
    #[serde(default)]
    pub snapshot_name: Option<String>,
    #[serde(default)]
    pub desktop_id: Option<String>,
    #[serde(default)]
    pub desktop_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_system_disk: Option<bool>,
    pub status: SnapshotStatus,
    /// Progress 0–100 while creating or restoring, otherwise null.
    #[serde(default, deserialize_with = "lenient_number")]
    pub process: Option<u32>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub create_time: Option<String>,
    /// `AUTO` or `MANUALLY`.
    #[serde(default)]
    pub create_type: Option<String>,
    #[serde(default)]
    pub last_restore_time: Option<String>,
    #[serde(default)]
    pub restore_fail_reason: Option<String>,
}

// -------------------------------------------------------- BatchRestoreDesktopSnapshot

/// Body of `POST /v2/{project_id}/snapshots/batch-restore`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRestoreDesktopSnapshotRequest {
    /// 1–100 snapshot IDs.
    pub snapshot_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRestoreDesktopSnapshotResponse {
    pub job_id: String,
}

// ---------------------------------------------------------------- ShowJob

/// `GET /v2/{project_id}/workspace-jobs/{job_id}`: everything is in the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShowJobRequest {
    pub job_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShowJobResponse {
    pub id: String,
    #[serde(default)]
    pub job_type: Option<String>,
    pub status: JobStatus,
    #[serde(default)]
    pub begin_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub job_error_code: Option<String>,
    #[serde(default)]
    pub fail_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<JobEntities>,
    #[serde(default)]
    pub sub_jobs_total: Option<u64>,
    #[serde(default)]
    pub sub_jobs: Vec<SubJob>,
}

impl ShowJobResponse {
    /// (finished, failed) sub-jobs, for a progress line.
    pub fn sub_job_counts(&self) -> (usize, usize) {
        let finished = self
            .sub_jobs
            .iter()
            .filter(|j| j.status.is_finished())
            .count();
        let failed = self
            .sub_jobs
            .iter()
            .filter(|j| j.status.is_failed())
            .count();
        (finished, failed)
    }
}

/// One sub-job of a job (`sub_jobs[]` of ShowJob): one desktop of a batch restore. The
/// field order is the service's, which the emulator's answers keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubJob {
    pub id: String,
    /// The parent job's ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    #[serde(default)]
    pub job_type: Option<String>,
    pub status: JobStatus,
    /// Progress 0–100.
    #[serde(default, deserialize_with = "lenient_number")]
    pub process: Option<u32>,
    #[serde(default)]
    pub begin_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub fail_reason: Option<String>,
    #[serde(default)]
    pub entities: Option<JobEntities>,
}

/// `entities` of a job or sub-job: the desktop it acts on, plus whatever else the
/// service adds (kept in `extra`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct JobEntities {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop_name: Option<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_response_parses_with_null_process_and_unknown_status() {
        let body = json!({"total_count": 2, "desktop_snapshots": [
            {"snapshot_id": "1792d3eb-35c6-4e99-8381-abfc8e02126b", "snapshot_name": "s1",
             "desktop_id": "d1", "is_system_disk": "true", "status": "create_success",
             "process": null, "create_type": "MANUALLY", "future_field": 1},
            {"snapshot_id": "x", "status": "archived", "process": 40, "is_system_disk": false}
        ]});
        let r: ListDesktopSnapshotResponse = serde_json::from_value(body).unwrap();
        assert_eq!(r.total_count, Some(2));
        let s = &r.desktop_snapshots;
        assert_eq!(s[0].status, SnapshotStatus::CreateSuccess);
        assert!(s[0].status.allows_restore());
        assert_eq!(s[0].is_system_disk, Some(true));
        assert_eq!(s[0].process, None);
        assert_eq!(s[1].status, SnapshotStatus::Other("archived".into()));
        assert_eq!(s[1].process, Some(40));
    }

    #[test]
    fn show_job_parses_sub_jobs_and_both_failure_spellings() {
        let body = json!({"id": "j1", "job_type": "BATCH_RESTORE", "status": "RUNNING",
        "sub_jobs_total": 3, "sub_jobs": [
            {"id": "s1", "status": "SUCCESS", "process": 100, "entities": {"desktop_id": "d1", "desktop_name": "a", "snapshot_id": "x"}},
            {"id": "s2", "status": "FAIL", "error_code": "WKS.0001", "fail_reason": "busy"},
            {"id": "s3", "status": "FAILED"},
        ]});
        let r: ShowJobResponse = serde_json::from_value(body).unwrap();
        assert_eq!(r.status, JobStatus::Running);
        assert!(!r.status.is_finished());
        assert_eq!(r.sub_job_counts(), (3, 2));
        let e = r.sub_jobs[0].entities.as_ref().unwrap();
        assert_eq!(e.desktop_id.as_deref(), Some("d1"));
        assert_eq!(e.extra.get("snapshot_id"), Some(&json!("x")));
    }

    #[test]
    fn show_job_writes_its_fields_in_the_services_order() {
        // The emulator answers ShowJob with these types; the order is the service's.
        let body = r#"{"id":"j1","job_type":"batchRestoreDesktopSnapshot","status":"RUNNING","begin_time":"t0","end_time":null,"job_error_code":null,"fail_reason":null,"sub_jobs_total":1,"sub_jobs":[{"id":"s1","job_type":"restoreDesktopBySnapshot","status":"FAIL","process":100,"begin_time":"t1","end_time":"t2","error_code":"WKS.1","fail_reason":"down","entities":{"desktop_id":"d1","desktop_name":"alice","snapshot_id":"x"}}]}"#;
        let job: ShowJobResponse = serde_json::from_str(body).unwrap();
        assert_eq!(serde_json::to_string(&job).unwrap(), body);
        assert!(job.sub_jobs[0].status.is_failed());
        assert!(
            SnapshotStatus::Restoring.restoring() && !SnapshotStatus::Restoring.allows_restore()
        );
    }

    #[test]
    fn requests_use_snake_case() {
        let req = BatchRestoreDesktopSnapshotRequest {
            snapshot_ids: vec!["a".into()],
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"snapshot_ids": ["a"]})
        );
        let req = ListDesktopSnapshotRequest {
            desktop_ids: Some(vec!["d1".into(), "d2".into()]),
            desktop_id: Some("d1".into()),
            status: Some(SnapshotStatus::CreateSuccess),
            limit: Some(50),
            ..Default::default()
        };
        let mut q = req.query_pairs();
        q.sort();
        assert_eq!(
            q,
            vec![
                ("desktop_id".to_string(), "d1".to_string()),
                ("desktop_ids".to_string(), "d1".to_string()),
                ("desktop_ids".to_string(), "d2".to_string()),
                ("limit".to_string(), "50".to_string()),
                ("status".to_string(), "create_success".to_string()),
            ]
        );
    }
}
