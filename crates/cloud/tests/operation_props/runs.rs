//! Runs of every machine against the adversarial clouds: the properties (proptest) and worked examples.

use super::*;

/// A plan and the cloud it runs against, from a few numbers.
fn scenario(kind: u8, opts: u8, init: u8) -> (Operation, Box<dyn World>) {
    let bit = |b: u8| opts & (1 << b) != 0;
    match kind % 7 {
        k @ 0..=2 => {
            let mut w = Lighthouse::default();
            let state = ["STOPPED", "RUNNING", "STOPPED", "SHUTDOWN"][(init % 4) as usize];
            w.add(1, state, init & 4 != 0);
            let inst = "lhins-00000001".to_string();
            let plan = match k {
                0 => Operation::LhRollback(tencent::RollbackPlan {
                    instance_id: inst,
                    snapshot_id: "lhsnap-00000001".into(),
                    safety_snapshot: bit(0).then(|| SafetySnapshot {
                        name: bit(2).then(|| "rewind-before-rollback-op".into()),
                        ..SafetySnapshot::default()
                    }),
                    start_afterwards: bit(1),
                }),
                1 => Operation::LhCreateSnapshot(tencent::SnapshotPlan {
                    instance_id: inst,
                    name: None,
                    tags: vec![],
                }),
                _ => Operation::LhPower(tencent::PowerPlan {
                    instance_id: inst,
                    power: if bit(0) { Power::Start } else { Power::Stop },
                    stop: Default::default(),
                    instance_name: None,
                }),
            };
            (plan, Box::new(w))
        }
        k @ 3..=5 => {
            let mut w = Ecs::default();
            let status = ["Stopped", "Running", "Starting", "Stopped"][(init % 4) as usize];
            let disk = if init & 8 != 0 { "ReIniting" } else { "In_use" };
            w.add(1, status, init & 0x30 == 0x30, disk);
            let plan = match k {
                3 => Operation::EcsResetDisk(alibaba::ResetPlan {
                    disk_id: "d-disk1".into(),
                    snapshot_id: "s-snap1".into(),
                    instance_id: Some("i-inst1".into()),
                    stop_if_running: bit(0),
                    stop: Default::default(),
                    safety_snapshot: bit(1).then(SafetySnapshot::default),
                    start_afterwards: bit(2),
                    dry_run: bit(3),
                }),
                4 => Operation::EcsCreateSnapshot(alibaba::SnapshotPlan {
                    disk_id: "d-disk1".into(),
                    name: Some("before-upgrade".into()),
                    description: None,
                    retention_days: Some(7),
                    tags: vec![],
                }),
                _ => Operation::EcsPower(alibaba::PowerPlan {
                    instance_id: "i-inst1".into(),
                    power: if bit(0) { Power::Start } else { Power::Stop },
                    stop: Default::default(),
                    instance_name: None,
                }),
            };
            (plan, Box::new(w))
        }
        _ => {
            let mut w = Workspace::default();
            let n = 1 + (opts % 3) as usize;
            let mut snapshots = Vec::new();
            for i in 0..n {
                let status = [
                    "create_success",
                    "restore_success",
                    "creating",
                    "create_success",
                    "create_failed",
                ][((init as usize) + i) % 5];
                w.snaps.push(WsSnap {
                    id: format!("ws-snap-{i}"),
                    desktop: format!("desk-{i}"),
                    status,
                    restored: (status == "restore_success").then(|| "2026-01-01T00:00:00Z".into()),
                });
                snapshots.push(huawei::SnapshotRef {
                    snapshot_id: format!("ws-snap-{i}"),
                    desktop_id: bit(3).then(|| format!("desk-{i}")),
                });
            }
            (
                Operation::WsRestore(huawei::RestorePlan { snapshots }),
                Box::new(w),
            )
        }
    }
}

fn options() -> RunOptions {
    RunOptions {
        max_attempts: 4,
        poll_deadline_ms: 15_000,
        reconcile_reads: 3,
        max_calls: u32::MAX,
        ..RunOptions::default()
    }
}

/// The most polls any run may take with [`options`]: every poll phase ends by its
/// deadline (≤ 15 s at ≥ 0.5 s a wait, two reads a round, each failing at most 3
/// times in a row), and an operation has at most a dozen phases.
const POLL_BOUND: usize = 3000;

fn roundtrip<T: serde::Serialize + serde::de::DeserializeOwned>(t: &T) -> T {
    serde_json::from_str(&serde_json::to_string(t).expect("serializes")).expect("deserializes")
}

/// What one run did.
struct RunLog {
    outcome: Next,
    polls: usize,
    /// Emissions of destructive calls the cloud may have carried out, per action and target.
    emitted: BTreeMap<(Action, String), u32>,
}

/// Runs `m` against `world` with the adversary's answers. With `save_restore`, a second
/// machine is saved and restored before every poll and must decide exactly alike.
fn run(mut m: Machine, world: &mut dyn World, adv: &mut Adversary, save_restore: bool) -> RunLog {
    let mut twin = save_restore.then(|| m.clone());
    let (mut now, mut polls, mut n) = (0u64, 0usize, 0u32);
    let mut emitted = BTreeMap::new();
    // The destructive call last emitted, and whether a reconcile read of it was answered.
    let mut last_destructive: Option<(Action, String)> = None;
    let mut settled_by_reading = false;
    loop {
        polls += 1;
        assert!(
            polls <= POLL_BOUND,
            "no end after {POLL_BOUND} polls: {m:?}"
        );
        let next = m.poll(now);
        let reconciling = m.in_flight().is_some_and(|f| f.reconciling);
        if let (Next::Send(_), true, false) = (&next, settled_by_reading, reconciling) {
            // The machine moved on after reading: the call must really have taken effect.
            let key = last_destructive
                .clone()
                .expect("a reconcile follows a destructive call");
            assert_eq!(
                world.effects().get(&key),
                Some(&1),
                "settled {key:?} as done, but it was not"
            );
        }
        if !matches!(next, Next::Wait { .. }) {
            settled_by_reading = false;
        }
        if let Some(t) = &mut twin {
            let mut restored = roundtrip(t);
            assert_eq!(&restored, t, "state changed across save/restore");
            assert_eq!(
                restored.poll(now),
                next,
                "a restored machine decided differently"
            );
            *t = restored;
        }
        match next {
            Next::Send(call) => {
                assert_eq!(call.destructive, must_be_destructive(&call), "{call:?}");
                assert_eq!(call.reconcile.is_some(), call.destructive, "{call:?}");
                assert!((1..=128).contains(&call.idempotency_key.len()));
                if call.destructive {
                    last_destructive = Some((call.action, call.target.clone()));
                }
                match respond(world, &call, adv, &mut n) {
                    Reply::Answer(answer, not_carried_out) => {
                        if call.destructive && !not_carried_out {
                            *emitted
                                .entry((call.action, call.target.clone()))
                                .or_default() += 1;
                        }
                        settled_by_reading = reconciling && matches!(answer, Answer::Ok { .. });
                        if let Some(t) = &mut twin {
                            t.on_answer(answer.clone(), now);
                        }
                        m.on_answer(answer, now);
                    }
                    Reply::Crash => {
                        if call.destructive {
                            *emitted
                                .entry((call.action, call.target.clone()))
                                .or_default() += 1;
                        }
                        // Restart from the state saved when the call was emitted.
                        m = roundtrip(&m);
                    }
                }
            }
            Next::Wait { until_ms } => {
                assert!(until_ms > now, "a wait must move time on");
                now = until_ms;
            }
            done => {
                return RunLog {
                    outcome: done,
                    polls,
                    emitted,
                };
            }
        }
    }
}

/// The change the operation exists for, in the simulated cloud's effects.
fn main_effect(plan: &Operation) -> Option<(Action, String)> {
    Some(match plan {
        Operation::LhRollback(p) => (Action::LhApplyInstanceSnapshot, p.instance_id.clone()),
        Operation::LhCreateSnapshot(p) => (Action::LhCreateInstanceSnapshot, p.instance_id.clone()),
        Operation::EcsResetDisk(p) => (Action::EcsResetDisk, p.disk_id.clone()),
        Operation::EcsCreateSnapshot(p) => (Action::EcsCreateSnapshot, p.disk_id.clone()),
        Operation::WsRestore(p) => (
            Action::WsBatchRestoreDesktopSnapshot,
            p.snapshots[0].snapshot_id.clone(),
        ),
        // A power step may find the instance already there.
        Operation::LhPower(_) | Operation::EcsPower(_) => return None,
    })
}

fn check_once_and_end(kind: u8, opts: u8, init: u8, script: Vec<u8>) -> Result<(), TestCaseError> {
    let (plan, mut world) = scenario(kind, opts, init);
    let m = Machine::with_options("op", plan.clone(), options()).expect("valid plan");
    let log = run(m, world.as_mut(), &mut Adversary::new(script), false);
    for (key, count) in &log.emitted {
        prop_assert!(*count <= 1, "{key:?} emitted {count} times");
    }
    for (key, count) in world.effects() {
        prop_assert!(*count <= 1, "{key:?} carried out {count} times");
    }
    prop_assert!(log.polls <= POLL_BOUND);
    if let (Next::Done(_), Some(effect)) = (&log.outcome, main_effect(&plan)) {
        prop_assert_eq!(
            world.effects().get(&effect),
            Some(&1),
            "Done without {:?}",
            effect
        );
    }
    if let Next::Failed(f) = &log.outcome {
        prop_assert!(
            !matches!(f.kind, rewind_cloud::operation::FailureKind::Internal),
            "{f:?}"
        );
    }
    Ok(())
}

fn script() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..160)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn lighthouse_destructive_calls_go_at_most_once_and_runs_end(kind in 0u8..3, opts: u8, init: u8, script in script()) {
        check_once_and_end(kind, opts, init, script)?;
    }

    #[test]
    fn ecs_destructive_calls_go_at_most_once_and_runs_end(kind in 3u8..6, opts: u8, init: u8, script in script()) {
        check_once_and_end(kind, opts, init, script)?;
    }

    #[test]
    fn workspace_restore_goes_at_most_once_and_runs_end(opts: u8, init: u8, script in script()) {
        check_once_and_end(6, opts, init, script)?;
    }

    #[test]
    fn a_saved_and_restored_state_continues_exactly_alike(kind in 0u8..7, opts: u8, init: u8, script in script()) {
        let (plan, mut world) = scenario(kind, opts, init);
        let m = Machine::with_options("op", plan, options()).expect("valid plan");
        run(m, world.as_mut(), &mut Adversary::new(script), true);
    }
}

// ============================================================================ batches

fn check_batch(ecs: bool, n: usize, script: Vec<u8>) -> Result<(), TestCaseError> {
    let mut adv = Adversary::new(script);
    let (plans, mut world): (Vec<Operation>, Box<dyn World>) = if ecs {
        let mut w = Ecs::default();
        let plans = (0..n)
            .map(|i| {
                w.add(i, ["Stopped", "Running"][i % 2], false, "In_use");
                Operation::EcsResetDisk(alibaba::ResetPlan {
                    disk_id: format!("d-disk{i}"),
                    snapshot_id: format!("s-snap{i}"),
                    instance_id: Some(format!("i-inst{i}")),
                    stop_if_running: true,
                    stop: Default::default(),
                    safety_snapshot: (i % 3 == 0).then(SafetySnapshot::default),
                    start_afterwards: i % 2 == 0,
                    dry_run: i % 4 == 1,
                })
            })
            .collect();
        (plans, Box::new(w))
    } else {
        let mut w = Lighthouse::default();
        let plans = (0..n)
            .map(|i| {
                w.add(i, ["STOPPED", "RUNNING"][i % 2], false);
                Operation::LhRollback(tencent::RollbackPlan {
                    instance_id: format!("lhins-{i:08}"),
                    snapshot_id: format!("lhsnap-{i:08}"),
                    safety_snapshot: (i % 3 == 0).then(SafetySnapshot::default),
                    start_afterwards: i % 2 == 0,
                })
            })
            .collect();
        (plans, Box::new(w))
    };
    let mut batch = Batch::new("b", plans, options()).expect("valid batch");
    let (mut now, mut polls, mut k) = (0u64, 0usize, 0u32);
    let mut paced: Vec<(Action, u64)> = Vec::new();
    let mut emitted: BTreeMap<(Action, String), u32> = BTreeMap::new();
    let mut outstanding: Vec<(usize, Answer)> = Vec::new();
    loop {
        polls += 1;
        prop_assert!(polls <= POLL_BOUND * (n + 1), "batch did not end");
        let deliver = |batch: &mut Batch,
                       outstanding: &mut Vec<(usize, Answer)>,
                       adv: &mut Adversary,
                       now| {
            let i = adv.pick(255) as usize % outstanding.len();
            let (item, answer) = outstanding.swap_remove(i);
            batch.on_answer(item, answer, now);
        };
        match batch.poll(now) {
            BatchNext::Send { item, call } => {
                prop_assert_eq!(call.destructive, must_be_destructive(&call));
                if pace_limit(call.action).is_some() {
                    paced.push((call.action, now));
                }
                match respond(world.as_mut(), &call, &mut adv, &mut k) {
                    Reply::Answer(answer, not_carried_out) => {
                        if call.destructive && !not_carried_out {
                            *emitted
                                .entry((call.action, call.target.clone()))
                                .or_default() += 1;
                        }
                        outstanding.push((item, answer));
                    }
                    Reply::Crash => {
                        if call.destructive {
                            *emitted
                                .entry((call.action, call.target.clone()))
                                .or_default() += 1;
                        }
                        // The driver restarts from saved state: every answer in flight is lost.
                        batch = roundtrip(&batch);
                        batch.recover(now);
                        outstanding.clear();
                    }
                }
                if !outstanding.is_empty() && adv.pick(2) == 0 {
                    deliver(&mut batch, &mut outstanding, &mut adv, now);
                }
            }
            BatchNext::Wait { until_ms } if !outstanding.is_empty() && adv.pick(3) == 0 => {
                let _ = until_ms;
                deliver(&mut batch, &mut outstanding, &mut adv, now);
            }
            BatchNext::Wait { until_ms } => {
                while !outstanding.is_empty() {
                    deliver(&mut batch, &mut outstanding, &mut adv, now);
                }
                now = now.max(until_ms);
            }
            BatchNext::AwaitAnswers => {
                prop_assert!(!outstanding.is_empty(), "awaiting answers to no call");
                deliver(&mut batch, &mut outstanding, &mut adv, now);
            }
            BatchNext::Done(_) | BatchNext::Failed(_) => break,
        }
    }
    // Each paced action keeps its own limit (the cloud counts them apart).
    for (i, (action, t)) in paced.iter().enumerate() {
        let in_window = paced[i..]
            .iter()
            .filter(|(a, u)| a == action && *u < t + 1000)
            .count();
        prop_assert!(
            in_window <= 20,
            "{} {:?} starts within a second of {}",
            in_window,
            action,
            t
        );
    }
    for (key, count) in emitted.iter().chain(world.effects()) {
        prop_assert!(*count <= 1, "{:?}: {} times", key, count);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn batches_pace_their_starts_and_send_each_rollback_at_most_once(
        ecs: bool, n in 1usize..45, script in prop::collection::vec(any::<u8>(), 0..400)
    ) {
        check_batch(ecs, n, script)?;
    }
}

// ============================================================================ examples

/// With nothing going wrong, every plan against a cloud that allows it ends Done.
#[test]
fn a_cooperative_cloud_lets_every_valid_plan_finish() {
    for kind in 0..7u8 {
        for opts in 0..16u8 {
            // init 0: STOPPED / Stopped, snapshots ready.
            let (plan, mut world) = scenario(kind, opts, 0);
            let plan_text = format!("{plan:?}");
            let m = Machine::with_options("op", plan, options()).expect("valid plan");
            let log = run(m, world.as_mut(), &mut Adversary::new(vec![]), true);
            assert!(
                matches!(log.outcome, Next::Done(_)),
                "{plan_text}: {:?}",
                log.outcome
            );
        }
    }
}

/// The driver's side of a lost rollback: no second ApplyInstanceSnapshot, whatever the
/// reconcile reads say, and a clear reason.
#[test]
fn a_lost_apply_that_did_not_happen_fails_as_unknown_without_resending() {
    let (plan, mut world) = scenario(0, 0, 0);
    let m = Machine::with_options("op", plan, options()).expect("valid plan");
    // Check the instance, check the snapshot (each: move on, answer), then the apply is
    // lost without effect; then the cloud cooperates.
    let script = vec![0, 0, 0, 0, 18];
    let log = run(m, world.as_mut(), &mut Adversary::new(script), true);
    let Next::Failed(f) = log.outcome else {
        panic!("{:?}", log.outcome)
    };
    assert!(
        f.message.en.contains("unknown") && f.message.en.contains("not sent again"),
        "{}",
        f.message.en
    );
    assert_eq!(world.effects().len(), 0);
    assert_eq!(log.emitted.values().sum::<u32>(), 1);
}
