//! Lighthouse: rollback with a safety snapshot and a start, a snapshot, start/stop,
//! a lost ApplyInstanceSnapshot, cancelling.

use super::{answered_at, drive, drive_timed, send, without};
use crate::action::Action;
use crate::operation::tencent::*;
use crate::operation::{
    Answer, Call, Machine, Next, Operation, Power, SafetySnapshot, Summary, TakenSnapshot,
};
use serde_json::Value;
use serde_json::json;

const INST: &str = "lhins-k31c771o";
const SNAP: &str = "lhsnap-nv6aqcv6";

fn instance(state: &str, op: &str, op_state: &str, rid: &str) -> Value {
    json!({"TotalCount": 1, "RequestId": "r", "InstanceSet": [{"InstanceId": INST,
        "InstanceState": state, "LatestOperation": op, "LatestOperationState": op_state,
        "LatestOperationRequestId": rid, "NewField": 1}]})
}

fn snapshot(id: &str, state: &str, op: &str, op_state: &str) -> Value {
    json!({"TotalCount": 1, "RequestId": "r", "SnapshotSet": [{"SnapshotId": id,
        "SnapshotName": "rewind-before-rollback-op-7", "SnapshotState": state,
        "LatestOperation": op, "LatestOperationState": op_state, "Percent": 100}]})
}

#[test]
fn rollback_with_safety_snapshot_and_start_happy_path() {
    let plan = Operation::LhRollback(RollbackPlan {
        instance_id: INST.into(),
        snapshot_id: SNAP.into(),
        safety_snapshot: Some(SafetySnapshot::default()),
        start_afterwards: true,
    });
    let mut m = Machine::new("op-7", plan).unwrap();
    let mut now = 0;
    let answer = |m: &mut Machine, now: u64, data: Value| m.on_answer(Answer::ok(data), now);

    // Safety snapshot: baseline by name, create, wait until NORMAL.
    let c = send(&mut m, now);
    assert_eq!(c.action, Action::LhDescribeSnapshots);
    assert_eq!(
        c.params["Filters"][1]["Values"][0],
        "rewind-before-rollback-op-7"
    );
    answer(&mut m, now, json!({"TotalCount": 0, "SnapshotSet": []}));
    let c = send(&mut m, now);
    assert_eq!(c.action, Action::LhCreateInstanceSnapshot);
    assert!(c.destructive && c.reconcile.is_some());
    assert_eq!(c.idempotency_key, "op-7.0.create.2");
    assert!(
        m.cancellable(),
        "a safety snapshot is not the point of no return"
    );
    answer(
        &mut m,
        now,
        json!({"SnapshotId": "lhsnap-safety01", "RequestId": "r-create"}),
    );
    let c = send(&mut m, now);
    assert_eq!(c.params, json!({"SnapshotIds": ["lhsnap-safety01"]}));
    answer(
        &mut m,
        now,
        snapshot(
            "lhsnap-safety01",
            "CREATING",
            "CreateInstanceSnapshot",
            "OPERATING",
        ),
    );
    let Next::Wait { until_ms } = m.poll(now) else {
        panic!()
    };
    now = until_ms;
    let _ = send(&mut m, now);
    answer(
        &mut m,
        now,
        snapshot(
            "lhsnap-safety01",
            "NORMAL",
            "CreateInstanceSnapshot",
            "SUCCESS",
        ),
    );

    // Rollback: check the instance and the snapshot, apply, wait.
    let c = send(&mut m, now);
    assert_eq!(c.action, Action::LhDescribeInstances);
    answer(
        &mut m,
        now,
        instance("RUNNING", "CreateInstanceSnapshot", "SUCCESS", "r-create"),
    );
    let _ = send(&mut m, now);
    answer(
        &mut m,
        now,
        snapshot(SNAP, "NORMAL", "CreateInstanceSnapshot", "SUCCESS"),
    );
    let c = send(&mut m, now);
    assert_eq!(c.action, Action::LhApplyInstanceSnapshot);
    assert_eq!(c.params, json!({"InstanceId": INST, "SnapshotId": SNAP}));
    assert!(!m.cancellable());
    assert!(m.cancel().is_err());
    m.on_answer(
        Answer::Ok {
            data: json!({"RequestId": "r-apply"}),
            request_id: Some("r-apply".into()),
        },
        now,
    );
    let _ = send(&mut m, now);
    answer(
        &mut m,
        now,
        instance("STOPPED", "ApplyInstanceSnapshot", "OPERATING", "r-apply"),
    );
    let _ = send(&mut m, now);
    answer(
        &mut m,
        now,
        snapshot(SNAP, "ROLLBACKING", "RollbackInstanceSnapshot", "OPERATING"),
    );
    let Next::Wait { until_ms } = m.poll(now) else {
        panic!()
    };
    now = until_ms;
    let _ = send(&mut m, now);
    answer(
        &mut m,
        now,
        instance("STOPPED", "ApplyInstanceSnapshot", "SUCCESS", "r-apply"),
    );
    let _ = send(&mut m, now);
    answer(
        &mut m,
        now,
        snapshot(SNAP, "NORMAL", "RollbackInstanceSnapshot", "SUCCESS"),
    );

    // Start and wait for RUNNING.
    let _ = send(&mut m, now);
    answer(
        &mut m,
        now,
        instance("STOPPED", "ApplyInstanceSnapshot", "SUCCESS", "r-apply"),
    );
    let c = send(&mut m, now);
    assert_eq!(c.action, Action::LhStartInstances);
    answer(&mut m, now, json!({"RequestId": "r-start"}));
    let _ = send(&mut m, now);
    answer(
        &mut m,
        now,
        instance("RUNNING", "StartInstances", "SUCCESS", "r-start"),
    );
    let Next::Done(summary) = m.poll(now) else {
        panic!("{:?}", m.poll(now))
    };
    assert_eq!(
        summary.created_snapshots,
        vec!["lhsnap-safety01".to_string()]
    );
    let records: Vec<_> = m.steps().collect();
    assert_eq!(records.len(), 3);
    assert_eq!(records[1].request_ids, vec!["r-apply".to_string()]);
    assert_eq!(records[0].label.zh, format!("为 {INST} 创建快照"));
}

#[test]
fn a_lost_apply_is_settled_by_the_instances_latest_operation() {
    let plan = Operation::LhRollback(RollbackPlan {
        instance_id: INST.into(),
        snapshot_id: SNAP.into(),
        safety_snapshot: None,
        start_afterwards: false,
    });
    let mut m = Machine::new("op-8", plan.clone()).unwrap();
    let _ = send(&mut m, 0);
    m.on_answer(
        Answer::ok(instance(
            "STOPPED",
            "ApplyInstanceSnapshot",
            "SUCCESS",
            "r-old",
        )),
        0,
    );
    let _ = send(&mut m, 0);
    m.on_answer(Answer::ok(snapshot(SNAP, "NORMAL", "", "SUCCESS")), 0);
    let apply = send(&mut m, 0);
    assert_eq!(apply.action, Action::LhApplyInstanceSnapshot);
    let mut lost = m.clone();
    m.on_answer(Answer::Unknown, 0);
    // The reconcile read, not the call again.
    let Next::Wait { until_ms } = m.poll(0) else {
        panic!()
    };
    let c = send(&mut m, until_ms);
    assert_eq!(
        c,
        Call {
            destructive: false,
            reconcile: None,
            ..c.clone()
        }
    );
    assert_eq!(c.action, Action::LhDescribeInstances);
    // The previous rollback (r-old) is no evidence; a new one is.
    m.on_answer(
        Answer::ok(instance(
            "STOPPED",
            "ApplyInstanceSnapshot",
            "SUCCESS",
            "r-old",
        )),
        until_ms,
    );
    let Next::Wait { until_ms } = m.poll(until_ms) else {
        panic!()
    };
    let _ = send(&mut m, until_ms);
    m.on_answer(
        Answer::ok(instance(
            "STOPPED",
            "ApplyInstanceSnapshot",
            "OPERATING",
            "r-new",
        )),
        until_ms,
    );
    let c = send(&mut m, until_ms);
    assert_eq!(c.action, Action::LhDescribeInstances, "now waiting for it");

    // No evidence at all: the outcome is unknown and nothing is sent again.
    let mut now = 0;
    loop {
        match lost.poll(now) {
            Next::Send(c) => {
                assert_ne!(c.action, Action::LhApplyInstanceSnapshot);
                lost.on_answer(
                    Answer::ok(instance(
                        "STOPPED",
                        "ApplyInstanceSnapshot",
                        "SUCCESS",
                        "r-old",
                    )),
                    now,
                );
            }
            Next::Wait { until_ms } => now = until_ms,
            Next::Failed(f) => {
                assert!(matches!(
                    f.kind,
                    crate::operation::FailureKind::OutcomeUnknown { .. }
                ));
                assert!(f.message.en.contains("unknown"), "{}", f.message.en);
                break;
            }
            Next::Done(_) => panic!("cannot be done"),
        }
    }
}

#[test]
fn create_snapshot_happy_path_names_it_after_the_operation() {
    let plan = Operation::LhCreateSnapshot(SnapshotPlan {
        instance_id: INST.into(),
        name: None,
        tags: vec![crate::operation::Tag {
            key: "team".into(),
            value: "web".into(),
        }],
    });
    let mut m = Machine::new("op-c", plan).unwrap();
    let (calls, done) = drive(&mut m, |c| {
        Answer::ok(match c.action {
            Action::LhCreateInstanceSnapshot => json!({"SnapshotId": "lhsnap-new00001"}),
            _ if c.params.get("Filters").is_some() => {
                json!({"TotalCount": 0, "SnapshotSet": []})
            }
            _ => snapshot(
                "lhsnap-new00001",
                "NORMAL",
                "CreateInstanceSnapshot",
                "SUCCESS",
            ),
        })
    });
    let actions: Vec<_> = calls.iter().map(|c| c.action).collect();
    assert_eq!(
        actions,
        [
            Action::LhDescribeSnapshots,
            Action::LhCreateInstanceSnapshot,
            Action::LhDescribeSnapshots
        ]
    );
    assert_eq!(
        calls[1].params,
        json!({"InstanceId": INST, "SnapshotName": "rewind-snapshot-op-c",
               "Tags": [{"Key": "team", "Value": "web"}]})
    );
    let Next::Done(summary) = done else {
        panic!("{done:?}")
    };
    assert_eq!(summary.created_snapshots, ["lhsnap-new00001"]);
    assert_eq!(
        summary.safety_snapshot, None,
        "the operation's own snapshot"
    );
    assert!(m.cancel().is_err(), "finished");
}

#[test]
fn start_and_stop_wait_for_the_state_and_skip_when_already_there() {
    let start = Operation::LhPower(PowerPlan {
        instance_id: INST.into(),
        power: Power::Start,
        stop: Default::default(),
        instance_name: None,
    });
    let mut m = Machine::new("op-p", start.clone()).unwrap();
    let (calls, done) = drive(&mut m, |c| {
        Answer::ok(match (c.action, c.idempotency_key.contains(".check.")) {
            (Action::LhDescribeInstances, true) => {
                instance("STOPPED", "StopInstances", "SUCCESS", "r-0")
            }
            (Action::LhDescribeInstances, false) => {
                instance("RUNNING", "StartInstances", "SUCCESS", "r-1")
            }
            _ => json!({"RequestId": "r-1"}),
        })
    });
    assert!(matches!(done, Next::Done(_)), "{done:?}");
    assert_eq!(calls[1].action, Action::LhStartInstances);
    assert_eq!(calls[1].params, json!({"InstanceIds": [INST]}));
    // Already RUNNING: nothing is sent.
    let mut m = Machine::new("op-q", start).unwrap();
    let (calls, done) = drive(&mut m, |_| {
        Answer::ok(instance("RUNNING", "StartInstances", "SUCCESS", "r-1"))
    });
    assert_eq!(calls.len(), 1);
    assert_eq!(m.steps().next().unwrap().detail, "already RUNNING");
    assert!(matches!(done, Next::Done(_)));
}

#[test]
fn cancel_is_allowed_until_the_rollback_is_sent_and_a_late_answer_is_only_recorded() {
    let plan = Operation::LhRollback(RollbackPlan {
        instance_id: INST.into(),
        snapshot_id: SNAP.into(),
        safety_snapshot: None,
        start_afterwards: false,
    });
    let mut m = Machine::new("op-x", plan).unwrap();
    let _ = send(&mut m, 0);
    assert!(m.cancel().is_ok());
    m.on_answer(
        Answer::Ok {
            data: instance("STOPPED", "", "SUCCESS", "r"),
            request_id: Some("late".into()),
        },
        0,
    );
    let Next::Failed(f) = m.poll(0) else { panic!() };
    assert_eq!(f.kind, crate::operation::FailureKind::Cancelled);
    assert_eq!(
        m.steps().next().unwrap().last_read_request_id.as_deref(),
        Some("late")
    );
}

/// Found by the property tests: an answer without `TotalCount` (here `{}`) once read as
/// "no snapshot has that name", so an older snapshot with the same name later passed
/// for the one a lost CreateInstanceSnapshot made. It is now an unreadable answer.
#[test]
fn an_unreadable_baseline_is_asked_again_and_an_old_namesake_is_no_evidence() {
    let plan = Operation::LhCreateSnapshot(SnapshotPlan {
        instance_id: INST.into(),
        name: Some("nightly".into()),
        tags: vec![],
    });
    let mut m = Machine::new("op-n", plan).unwrap();
    let baseline = send(&mut m, 0);
    m.on_answer(Answer::ok(json!({})), 0);
    let Next::Wait { until_ms: t } = m.poll(0) else {
        panic!()
    };
    let again = send(&mut m, t);
    assert_eq!(
        (again.action, &again.params),
        (baseline.action, &baseline.params)
    );
    let old = json!({"TotalCount": 1, "SnapshotSet": [{"SnapshotId": "lhsnap-old00001",
        "SnapshotName": "nightly", "SnapshotState": "NORMAL"}]});
    m.on_answer(Answer::ok(old.clone()), t);
    assert_eq!(send(&mut m, t).action, Action::LhCreateInstanceSnapshot);
    m.on_answer(Answer::Unknown, t);
    let mut now = t;
    let failure = loop {
        match m.poll(now) {
            Next::Send(c) => {
                assert_eq!(
                    c.action,
                    Action::LhDescribeSnapshots,
                    "only reads after a lost create"
                );
                m.on_answer(Answer::ok(old.clone()), now);
            }
            Next::Wait { until_ms } => now = until_ms,
            Next::Failed(f) => break f,
            Next::Done(d) => panic!("the old snapshot is not ours: {d:?}"),
        }
    };
    assert!(matches!(
        failure.kind,
        crate::operation::FailureKind::OutcomeUnknown { .. }
    ));
}

/// A rollback of [`INST`] to [`SNAP`] with `safety`, answered as a cloud where all goes
/// well (the safety snapshot is `lhsnap-safety01`), from `start_ms` on.
fn timed_rollback(
    op_id: &str,
    safety: Option<SafetySnapshot>,
    start_ms: u64,
    mut create: impl FnMut() -> Answer,
) -> (Vec<(u64, Call)>, Summary) {
    let plan = Operation::LhRollback(RollbackPlan {
        instance_id: INST.into(),
        snapshot_id: SNAP.into(),
        safety_snapshot: safety,
        start_afterwards: false,
    });
    let mut m = Machine::new(op_id, plan).unwrap();
    let (mut applied, mut by_name) = (false, 0);
    let (calls, done) = drive_timed(&mut m, start_ms, |c| match c.action {
        Action::LhCreateInstanceSnapshot => create(),
        Action::LhApplyInstanceSnapshot => {
            applied = true;
            Answer::ok(json!({"RequestId": "r-apply"}))
        }
        Action::LhDescribeInstances if applied => Answer::ok(instance(
            "STOPPED",
            "ApplyInstanceSnapshot",
            "SUCCESS",
            "r-apply",
        )),
        Action::LhDescribeInstances => Answer::ok(instance(
            "RUNNING",
            "CreateInstanceSnapshot",
            "SUCCESS",
            "r-create",
        )),
        // The baseline finds no namesake; a later look by name (after a lost create)
        // finds the new one.
        _ if c.params.get("Filters").is_some() => {
            by_name += 1;
            match by_name {
                1 => Answer::ok(json!({"TotalCount": 0, "SnapshotSet": []})),
                _ => Answer::ok(snapshot(
                    "lhsnap-safety01",
                    "CREATING",
                    "CreateInstanceSnapshot",
                    "OPERATING",
                )),
            }
        }
        _ if c.params["SnapshotIds"][0] == "lhsnap-safety01" => Answer::ok(snapshot(
            "lhsnap-safety01",
            "NORMAL",
            "CreateInstanceSnapshot",
            "SUCCESS",
        )),
        _ => Answer::ok(snapshot(
            SNAP,
            "NORMAL",
            "CreateInstanceSnapshot",
            "SUCCESS",
        )),
    });
    let Next::Done(summary) = done else {
        panic!("{done:?}")
    };
    (calls, summary)
}

#[test]
fn a_finished_rollback_names_its_safety_snapshot_and_when_it_was_taken() {
    const T0: u64 = 1_796_277_900_000; // 2026-12-03T06:05:00Z
    let created = || Answer::ok(json!({"SnapshotId": "lhsnap-safety01", "RequestId": "r-c"}));
    // Named by the plan: that name, and the time the create was answered.
    let named = SafetySnapshot {
        name: Some("web-1-2026-12-03T14.05+0800".into()),
        ..SafetySnapshot::default()
    };
    let (calls, summary) = timed_rollback("op-7", Some(named), T0, created);
    let create_at = answered_at(&calls, Action::LhCreateInstanceSnapshot);
    assert!(create_at > T0, "the baseline read came first");
    assert_eq!(
        summary.safety_snapshot,
        Some(TakenSnapshot {
            id: "lhsnap-safety01".into(),
            name: "web-1-2026-12-03T14.05+0800".into(),
            taken_at_ms: create_at,
        })
    );
    assert_eq!(summary.created_snapshots, ["lhsnap-safety01"]);
    // Left unnamed: the name derived from the operation id.
    let (_, summary) = timed_rollback("op-7", Some(SafetySnapshot::default()), T0, created);
    let taken = summary.safety_snapshot.unwrap();
    assert_eq!(taken.name, "rewind-before-rollback-op-7");
    // No safety snapshot: none named.
    let (_, summary) = timed_rollback("op-7", None, T0, created);
    assert_eq!(summary.safety_snapshot, None);
    assert!(summary.created_snapshots.is_empty());
}

#[test]
fn a_safety_snapshot_found_after_a_lost_create_is_timed_by_the_read_that_found_it() {
    const T0: u64 = 1_796_277_900_000;
    let (calls, summary) = timed_rollback("op-7", Some(SafetySnapshot::default()), T0, || {
        Answer::Unknown
    });
    let create_at = answered_at(&calls, Action::LhCreateInstanceSnapshot);
    let found_at = calls
        .iter()
        .filter(|(t, c)| *t > create_at && c.params.get("Filters").is_some())
        .map(|(t, _)| *t)
        .next()
        .expect("a reconcile read by name");
    let taken = summary.safety_snapshot.unwrap();
    assert_eq!(
        (taken.id.as_str(), taken.taken_at_ms),
        ("lhsnap-safety01", found_at)
    );
}

#[test]
fn summaries_and_machines_saved_before_the_safety_snapshot_was_recorded_still_load() {
    let old = json!({"message": {"en": "lhins-1 rolled back to lhsnap-1",
        "zh": "lhins-1 已回滚到 lhsnap-1"}, "created_snapshots": ["lhsnap-safety01"]});
    let summary: Summary = serde_json::from_value(old.clone()).unwrap();
    assert_eq!(summary.safety_snapshot, None);
    assert_eq!(summary.created_snapshots, ["lhsnap-safety01"]);
    assert_eq!(
        serde_json::to_value(&summary).unwrap(),
        old,
        "nothing added"
    );

    // A machine an older version saved after the create was answered: it loads, and
    // the time it names is that of the next answer (the best such a state can say).
    let plan = Operation::LhRollback(RollbackPlan {
        instance_id: INST.into(),
        snapshot_id: SNAP.into(),
        safety_snapshot: Some(SafetySnapshot::default()),
        start_afterwards: false,
    });
    let mut m = Machine::new("op-7", plan).unwrap();
    let _ = send(&mut m, 0);
    m.on_answer(Answer::ok(json!({"TotalCount": 0, "SnapshotSet": []})), 0);
    let _ = send(&mut m, 0);
    let saved = serde_json::to_value(&m).unwrap();
    assert!(!saved.to_string().contains("snapshot_known_ms"));
    m.on_answer(Answer::ok(json!({"SnapshotId": "lhsnap-safety01"})), 5);
    let saved = serde_json::to_value(&m).unwrap();
    assert!(saved.to_string().contains("snapshot_known_ms"));
    let old = without(saved, "snapshot_known_ms");
    let mut loaded: Machine = serde_json::from_value(old).unwrap();
    let _ = send(&mut loaded, 9);
    loaded.on_answer(
        Answer::ok(snapshot(
            "lhsnap-safety01",
            "NORMAL",
            "CreateInstanceSnapshot",
            "SUCCESS",
        )),
        9,
    );
    assert!(
        serde_json::to_value(&loaded)
            .unwrap()
            .to_string()
            .contains("\"snapshot_known_ms\":9")
    );
}
