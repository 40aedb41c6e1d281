//! ECS: reset with stop, safety snapshot, dry run and start; a failing dry run; a lost
//! ResetDisk; a snapshot with its ClientToken; stop and a security lock.

use super::{answered_at, drive, drive_timed, send};
use crate::action::Action;
use crate::operation::alibaba::*;
use crate::operation::{Answer, Machine, Next, Operation, Power, SafetySnapshot, TakenSnapshot};
use serde_json::json;

const DISK: &str = "d-bp199lyny9b3xxxx";
const SNAP: &str = "s-bp199lyny9b3xxxx";
const INST: &str = "i-bp67acfmxazb4ph";

fn instance(status: &str) -> Answer {
    Answer::ok(json!({"RequestId": "r", "Instances": {"Instance": [
        {"InstanceId": INST, "Status": status, "OperationLocks": {"LockReason": []}}]}}))
}

fn disk(status: &str) -> Answer {
    Answer::ok(json!({"RequestId": "r", "Disks": {"Disk": [
        {"DiskId": DISK, "Status": status, "InstanceId": INST, "Type": "system"}]}}))
}

fn plan(dry_run: bool) -> Operation {
    Operation::EcsResetDisk(ResetPlan {
        disk_id: DISK.into(),
        snapshot_id: SNAP.into(),
        instance_id: Some(INST.into()),
        stop_if_running: true,
        stop: Default::default(),
        safety_snapshot: Some(SafetySnapshot {
            retention_days: Some(7),
            ..SafetySnapshot::default()
        }),
        start_afterwards: true,
        dry_run,
    })
}

#[test]
fn reset_with_stop_safety_snapshot_dry_run_and_start_happy_path() {
    let mut m = Machine::new("op-9", plan(true)).unwrap();
    let mut now = 0;
    // Stop: Running → StopInstance → Stopped.
    assert_eq!(send(&mut m, now).action, Action::EcsDescribeInstances);
    m.on_answer(instance("Running"), now);
    let stop = send(&mut m, now);
    assert_eq!(
        (stop.action, stop.destructive),
        (Action::EcsStopInstance, true)
    );
    assert_eq!(stop.params, json!({"InstanceId": INST}));
    m.on_answer(Answer::ok(json!({"RequestId": "r-stop"})), now);
    let _ = send(&mut m, now);
    m.on_answer(instance("Stopping"), now);
    let Next::Wait { until_ms } = m.poll(now) else {
        panic!()
    };
    now = until_ms;
    let _ = send(&mut m, now);
    m.on_answer(instance("Stopped"), now);
    // Safety snapshot with a deterministic ClientToken: repeatable, not destructive.
    let create = send(&mut m, now);
    assert_eq!(create.action, Action::EcsCreateSnapshot);
    assert!(!create.destructive);
    assert_eq!(create.params["SnapshotName"], "rewind-before-reset-op-9");
    assert_eq!(create.params["RetentionDays"], 7);
    let token = create.params["ClientToken"].as_str().unwrap().to_string();
    // A lost answer: asked again with the same token and a new idempotency key.
    m.on_answer(Answer::Unknown, now);
    let Next::Wait { until_ms } = m.poll(now) else {
        panic!()
    };
    now = until_ms;
    let again = send(&mut m, now);
    assert_eq!(again.params["ClientToken"], token.as_str());
    assert_ne!(again.idempotency_key, create.idempotency_key);
    m.on_answer(
        Answer::ok(json!({"SnapshotId": "s-safety1", "RequestId": "r-snap"})),
        now,
    );
    let _ = send(&mut m, now);
    m.on_answer(
        Answer::ok(
            json!({"Snapshots": {"Snapshot": [{"SnapshotId": "s-safety1",
            "Status": "accomplished", "Progress": "100%"}]}}),
        ),
        now,
    );
    // Reset: check the disk, dry run, reset, wait.
    assert_eq!(send(&mut m, now).action, Action::EcsDescribeDisks);
    m.on_answer(disk("In_use"), now);
    let dry = send(&mut m, now);
    assert_eq!(
        dry.params,
        json!({"DiskId": DISK, "SnapshotId": SNAP, "DryRun": true})
    );
    assert!(!dry.destructive && m.cancellable());
    m.on_answer(
        Answer::CloudError {
            code: "DryRunOperation".into(),
            message: "Request validation has been passed with DryRun flag set.".into(),
            request_id: Some("r-dry".into()),
            retryable: false,
            throttled: false,
        },
        now,
    );
    let reset = send(&mut m, now);
    assert_eq!(reset.params, json!({"DiskId": DISK, "SnapshotId": SNAP}));
    assert!(reset.destructive && !m.cancellable());
    m.on_answer(Answer::ok(json!({"RequestId": "r-reset"})), now);
    let _ = send(&mut m, now);
    m.on_answer(disk("ReIniting"), now);
    let Next::Wait { until_ms } = m.poll(now) else {
        panic!()
    };
    now = until_ms;
    let _ = send(&mut m, now);
    m.on_answer(disk("In_use"), now);
    // Start.
    let _ = send(&mut m, now);
    m.on_answer(instance("Stopped"), now);
    assert_eq!(send(&mut m, now).action, Action::EcsStartInstance);
    m.on_answer(Answer::ok(json!({"RequestId": "r-start"})), now);
    let _ = send(&mut m, now);
    m.on_answer(instance("Running"), now);
    let Next::Done(s) = m.poll(now) else { panic!() };
    assert_eq!(s.created_snapshots, vec!["s-safety1".to_string()]);
    assert_eq!(s.message.en, format!("{DISK} reset to {SNAP}"));
    let ids: Vec<_> = m.steps().flat_map(|s| s.request_ids.clone()).collect();
    assert_eq!(ids, ["r-stop", "r-snap", "r-dry", "r-reset", "r-start"]);
}

#[test]
fn a_failing_dry_run_sends_nothing_more() {
    let mut m = Machine::new("op-9", plan(true)).unwrap();
    let mut now = 0;
    loop {
        match m.poll(now) {
            Next::Send(c) if c.action == Action::EcsResetDisk => {
                assert_eq!(c.params["DryRun"], true, "only the dry run is sent");
                m.on_answer(
                    Answer::CloudError {
                        code: "IncorrectInstanceStatus".into(),
                        message: "The instance is not Stopped.".into(),
                        request_id: None,
                        retryable: false,
                        throttled: false,
                    },
                    now,
                );
            }
            Next::Send(c) => {
                let a = match c.action {
                    Action::EcsDescribeInstances => instance("Stopped"),
                    Action::EcsDescribeDisks => disk("In_use"),
                    Action::EcsCreateSnapshot => Answer::ok(json!({"SnapshotId": "s-x1"})),
                    _ => Answer::ok(json!({"Snapshots": {"Snapshot": [
                        {"SnapshotId": "s-x1", "Status": "accomplished"}]}})),
                };
                m.on_answer(a, now);
            }
            Next::Wait { until_ms } => now = until_ms,
            Next::Failed(f) => {
                assert!(
                    f.message.en.contains("IncorrectInstanceStatus"),
                    "{}",
                    f.message.en
                );
                break;
            }
            Next::Done(_) => panic!("a failing dry run cannot end well"),
        }
    }
}

#[test]
fn a_lost_reset_counts_only_when_the_disk_is_reiniting() {
    let plan = Operation::EcsResetDisk(ResetPlan {
        disk_id: DISK.into(),
        snapshot_id: SNAP.into(),
        instance_id: None,
        stop_if_running: false,
        stop: Default::default(),
        safety_snapshot: None,
        start_afterwards: false,
        dry_run: false,
    });
    let mut m = Machine::new("op-10", plan).unwrap();
    let _ = send(&mut m, 0);
    m.on_answer(disk("Available"), 0);
    let reset = send(&mut m, 0);
    assert_eq!(
        reset.reconcile.as_ref().unwrap().action,
        Action::EcsDescribeDisks
    );
    m.on_answer(Answer::Unknown, 0);
    let Next::Wait { until_ms } = m.poll(0) else {
        panic!()
    };
    let read = send(&mut m, until_ms);
    assert_eq!(read.params, reset.reconcile.unwrap().params);
    m.on_answer(disk("ReIniting"), until_ms);
    let wait = send(&mut m, until_ms);
    assert_eq!(wait.action, Action::EcsDescribeDisks);
    m.on_answer(disk("Available"), until_ms);
    assert!(matches!(m.poll(until_ms), Next::Done(_)));
}

#[test]
fn create_snapshot_happy_path_carries_a_client_token() {
    let plan = Operation::EcsCreateSnapshot(SnapshotPlan {
        disk_id: DISK.into(),
        name: Some("before-upgrade".into()),
        description: Some("Taken by Rewind".into()),
        retention_days: Some(30),
        tags: vec![],
    });
    let mut m = Machine::new("op-e", plan.clone()).unwrap();
    let (calls, done) = drive(&mut m, |c| match c.action {
        Action::EcsCreateSnapshot => {
            Answer::ok(json!({"SnapshotId": "s-new1", "RequestId": "r-c"}))
        }
        _ => Answer::ok(json!({"Snapshots": {"Snapshot": [
            {"SnapshotId": "s-new1", "Status": "accomplished", "Progress": "100%"}]}})),
    });
    let token = calls[0].params["ClientToken"].as_str().unwrap().to_string();
    assert!(token.starts_with("rewind-") && token.len() <= 64);
    assert_eq!(calls[0].params["Description"], "Taken by Rewind");
    assert!(!calls[0].destructive, "the ClientToken makes it repeatable");
    let Next::Done(s) = done else {
        panic!("{done:?}")
    };
    assert_eq!(s.created_snapshots, ["s-new1"]);
    assert_eq!(s.safety_snapshot, None, "the operation's own snapshot");
    // The same operation always sends the same token; another operation another one.
    let again = Machine::new("op-e", plan.clone()).unwrap().poll(0);
    let other = Machine::new("op-f", plan).unwrap().poll(0);
    let token_of = |n: Next| match n {
        Next::Send(c) => c.params["ClientToken"].clone(),
        _ => panic!(),
    };
    assert_eq!(token_of(again), token);
    assert_ne!(token_of(other), token);
}

#[test]
fn stop_happy_path_and_a_security_lock() {
    let plan = Operation::EcsPower(PowerPlan {
        instance_id: INST.into(),
        power: Power::Stop,
        stop: Default::default(),
        instance_name: None,
    });
    let mut m = Machine::new("op-s", plan.clone()).unwrap();
    let (calls, done) = drive(&mut m, |c| {
        match (c.action, c.idempotency_key.contains(".check.")) {
            (Action::EcsStopInstance, _) => Answer::ok(json!({"RequestId": "r-stop"})),
            (_, true) => instance("Running"),
            _ => instance("Stopped"),
        }
    });
    assert_eq!(calls[1].params, json!({"InstanceId": INST}));
    assert!(matches!(done, Next::Done(_)), "{done:?}");
    let mut m = Machine::new("op-t", plan).unwrap();
    let (calls, done) = drive(&mut m, |_| {
        Answer::ok(
            json!({"RequestId": "r", "Instances": {"Instance": [{"InstanceId": INST,
            "Status": "Running", "OperationLocks": {"LockReason": [{"LockReason": "security"}]}}]}}),
        )
    });
    assert_eq!(calls.len(), 1, "nothing is sent to a locked instance");
    let Next::Failed(f) = done else { panic!() };
    assert!(f.message.en.contains("locked for security"));
}

#[test]
fn a_finished_reset_names_its_safety_snapshot_and_when_it_was_taken() {
    const T0: u64 = 1_796_277_900_000; // 2026-12-03T06:05:00Z
    let run = |plan: Operation| {
        let mut m = Machine::new("op-9", plan).unwrap();
        let (mut stopped, mut creates) = (false, 0);
        let (calls, done) = drive_timed(&mut m, T0, |c| match c.action {
            Action::EcsDescribeInstances if stopped => instance("Stopped"),
            Action::EcsDescribeInstances => instance("Running"),
            Action::EcsStopInstance => {
                stopped = true;
                Answer::ok(json!({"RequestId": "r-stop"}))
            }
            Action::EcsStartInstance => {
                stopped = false;
                Answer::ok(json!({"RequestId": "r-start"}))
            }
            // The first answer is lost; the ClientToken makes asking again safe.
            Action::EcsCreateSnapshot => {
                creates += 1;
                match creates {
                    1 => Answer::Unknown,
                    _ => Answer::ok(json!({"SnapshotId": "s-safety1", "RequestId": "r-snap"})),
                }
            }
            Action::EcsDescribeSnapshots => Answer::ok(
                json!({"Snapshots": {"Snapshot": [{"SnapshotId": "s-safety1",
                "Status": "accomplished", "Progress": "100%"}]}}),
            ),
            Action::EcsResetDisk => Answer::ok(json!({"RequestId": "r-reset"})),
            _ => disk("In_use"),
        });
        let Next::Done(s) = done else {
            panic!("{done:?}")
        };
        (calls, s)
    };
    let (calls, s) = run(plan(false));
    let answered = answered_at(&calls, Action::EcsCreateSnapshot);
    let first = calls
        .iter()
        .find(|(_, c)| c.action == Action::EcsCreateSnapshot)
        .map(|(t, _)| *t)
        .unwrap();
    assert!(
        first < answered,
        "timed by the answer that named it, not the lost one"
    );
    assert_eq!(
        s.safety_snapshot,
        Some(TakenSnapshot {
            id: "s-safety1".into(),
            name: "rewind-before-reset-op-9".into(),
            taken_at_ms: answered,
        })
    );
    assert_eq!(s.created_snapshots, ["s-safety1"]);
    // Named by the plan: that name.
    let Operation::EcsResetDisk(mut named) = plan(false) else {
        unreachable!()
    };
    named.safety_snapshot.as_mut().unwrap().name = Some("db-1-2026-12-03T14.05UTC0800".into());
    let (_, s) = run(Operation::EcsResetDisk(named.clone()));
    assert_eq!(
        s.safety_snapshot.map(|t| t.name),
        Some("db-1-2026-12-03T14.05UTC0800".to_string())
    );
    // No safety snapshot: none named.
    named.safety_snapshot = None;
    let (calls, s) = run(Operation::EcsResetDisk(named));
    assert!(
        calls
            .iter()
            .all(|(_, c)| c.action != Action::EcsCreateSnapshot)
    );
    assert_eq!(s.safety_snapshot, None);
}
