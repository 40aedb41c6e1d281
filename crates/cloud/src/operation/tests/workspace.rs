//! Workspace: a restore followed through ShowJob, and a lost restore followed through
//! the snapshot list.

use super::send;
use crate::action::Action;
use crate::operation::huawei::*;
use crate::operation::{Answer, Machine, Next, Operation};
use serde_json::json;

const S1: &str = "1792d3eb-35c6-4e99-8381-abfc8e02126b";
const S2: &str = "2792d3eb-35c6-4e99-8381-abfc8e02126b";

fn list(s1: &str, s2: &str, restored: Option<&str>) -> Answer {
    Answer::ok(json!({"total_count": 2, "desktop_snapshots": [
        {"snapshot_id": S1, "desktop_id": "desk-1", "status": s1, "last_restore_time": restored},
        {"snapshot_id": S2, "desktop_id": "desk-2", "status": s2, "process": null}]}))
}

fn plan() -> Operation {
    Operation::WsRestore(RestorePlan {
        snapshots: vec![
            SnapshotRef {
                snapshot_id: S1.into(),
                desktop_id: Some("desk-1".into()),
            },
            SnapshotRef {
                snapshot_id: S2.into(),
                desktop_id: Some("desk-2".into()),
            },
        ],
    })
}

#[test]
fn restore_then_follow_the_job_and_its_sub_jobs() {
    let mut m = Machine::new("op-ws", plan()).unwrap();
    let check = send(&mut m, 0);
    assert_eq!(check.params["desktop_ids"], json!(["desk-1", "desk-2"]));
    m.on_answer(list("create_success", "restore_success", None), 0);
    let restore = send(&mut m, 0);
    assert_eq!(restore.action, Action::WsBatchRestoreDesktopSnapshot);
    assert_eq!(restore.params, json!({"snapshot_ids": [S1, S2]}));
    assert!(restore.destructive);
    m.on_answer(Answer::ok(json!({"job_id": "job-1"})), 0);
    let job = send(&mut m, 0);
    assert_eq!(job.params, json!({"job_id": "job-1"}));
    m.on_answer(
        Answer::ok(json!({"id": "job-1", "status": "RUNNING", "sub_jobs": [
            {"id": "a", "status": "SUCCESS", "process": 100, "entities": {"desktop_name": "alice"}},
            {"id": "b", "status": "RUNNING", "process": "40%", "entities": {"desktop_id": "desk-2"}}]})),
        0,
    );
    assert_eq!(m.sub_jobs().len(), 2);
    assert_eq!(m.sub_jobs()[1].process, 40);
    assert_eq!(m.steps().next().unwrap().detail, "RUNNING 1/2");
    let Next::Wait { until_ms } = m.poll(0) else {
        panic!()
    };
    let _ = send(&mut m, until_ms);
    // The job says SUCCESS before every sub-job does: keep polling.
    m.on_answer(
        Answer::ok(json!({"id": "job-1", "status": "SUCCESS", "sub_jobs": [
            {"id": "a", "status": "SUCCESS"}, {"id": "b", "status": "RUNNING"}]})),
        until_ms,
    );
    let Next::Wait { until_ms } = m.poll(until_ms) else {
        panic!()
    };
    let _ = send(&mut m, until_ms);
    m.on_answer(
        Answer::ok(json!({"id": "job-1", "status": "SUCCESS", "sub_jobs": [
            {"id": "a", "status": "SUCCESS"}, {"id": "b", "status": "SUCCESS"}]})),
        until_ms,
    );
    assert!(matches!(m.poll(until_ms), Next::Done(_)));
}

#[test]
fn a_lost_restore_is_followed_through_the_snapshot_list() {
    let mut m = Machine::new("op-ws", plan()).unwrap();
    let _ = send(&mut m, 0);
    m.on_answer(
        list(
            "create_success",
            "restore_success",
            Some("2026-01-01T00:00:00Z"),
        ),
        0,
    );
    let _ = send(&mut m, 0);
    m.on_answer(Answer::Unknown, 0);
    let Next::Wait { until_ms: t } = m.poll(0) else {
        panic!()
    };
    assert_eq!(send(&mut m, t).action, Action::WsListDesktopSnapshot);
    m.on_answer(
        list("restoring", "restore_success", Some("2026-01-01T00:00:00Z")),
        t,
    );
    let c = send(&mut m, t);
    assert_eq!(c.action, Action::WsListDesktopSnapshot);
    // S2's old restore is not this one; once both show a new restore it is done.
    m.on_answer(
        list(
            "restore_success",
            "restore_success",
            Some("2026-01-01T00:00:00Z"),
        ),
        t,
    );
    let Next::Wait { until_ms: t } = m.poll(t) else {
        panic!()
    };
    let _ = send(&mut m, t);
    m.on_answer(
        Answer::ok(json!({"desktop_snapshots": [
            {"snapshot_id": S1, "status": "restore_success", "last_restore_time": "2026-02-01T00:00:00Z"},
            {"snapshot_id": S2, "status": "restore_failed", "restore_fail_reason": "agent down",
             "last_restore_time": "2026-02-01T00:00:00Z"}]})),
        t,
    );
    let Next::Failed(f) = m.poll(t) else { panic!() };
    assert!(f.message.en.contains("agent down"), "{}", f.message.en);
}

#[test]
fn a_job_that_ends_with_one_desktop_failed_is_partial_and_its_line_says_fail() {
    use crate::huawei::JobStatus;
    use crate::operation::FailureKind;
    let mut m = Machine::new("op-ws", plan()).unwrap();
    let _ = send(&mut m, 0);
    m.on_answer(list("create_success", "create_success", None), 0);
    let _ = send(&mut m, 0);
    m.on_answer(Answer::ok(json!({"job_id": "job-7"})), 0);
    let _ = send(&mut m, 0);
    m.on_answer(
        Answer::ok(json!({"id": "job-7", "status": "RUNNING", "sub_jobs": [
            {"id": "a", "status": "SUCCESS", "entities": {"desktop_id": "desk-1"}},
            {"id": "b", "status": "RUNNING", "entities": {"desktop_id": "desk-2"}}]})),
        0,
    );
    assert_eq!(m.steps().next().unwrap().detail, "RUNNING 1/2");
    let job = m.ws_job().unwrap();
    assert_eq!(job.job_id, "job-7");
    assert_eq!(job.status, Some(JobStatus::Running));
    let Next::Wait { until_ms } = m.poll(0) else {
        panic!()
    };
    let _ = send(&mut m, until_ms);
    m.on_answer(
        Answer::ok(json!({"id": "job-7", "status": "FAIL", "sub_jobs": [
            {"id": "a", "status": "SUCCESS", "entities": {"desktop_id": "desk-1"}},
            {"id": "b", "status": "FAIL", "error_code": "WKS.00110043", "fail_reason": "agent down",
             "entities": {"desktop_id": "desk-2", "desktop_name": "carol"}}]})),
        until_ms,
    );
    let Some(Next::Failed(f)) = m.outcome() else {
        panic!("{:?}", m.outcome())
    };
    assert_eq!(
        f.kind,
        FailureKind::Partial {
            failed: 1,
            total: 2
        }
    );
    // The job's line shows where it ended, not the last RUNNING read.
    assert_eq!(m.steps().next().unwrap().detail, "FAIL 2/2");
    assert_eq!(m.ws_job().unwrap().status, Some(JobStatus::Fail));
    let failed: Vec<_> = m
        .sub_jobs()
        .iter()
        .filter(|s| s.status.is_failed())
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].desktop_id.as_deref(), Some("desk-2"));
    assert_eq!(failed[0].error_code.as_deref(), Some("WKS.00110043"));
}
