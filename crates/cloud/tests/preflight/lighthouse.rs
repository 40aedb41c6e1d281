//! Lighthouse: the rollback and CreateInstanceSnapshot checklists.

use super::*;

#[test]
fn lighthouse_rollback_of_a_stopped_instance_passes_every_rule() {
    let inst = lh_instance("STOPPED", 60, None);
    let checks = lighthouse_rollback(Some(&inst), Some(&wiki_good()));
    all_pass(&checks);
    assert_eq!(
        rule_list(&checks),
        [
            rules::SNAPSHOT_EXISTS,
            rules::SNAPSHOT_STATE,
            rules::INSTANCE_EXISTS,
            rules::INSTANCE_STATE,
            rules::INSTANCE_OPERATION,
            rules::SNAPSHOT_BELONGS,
            rules::SNAPSHOT_DISK_SIZE,
        ]
    );
    let state = get(&checks, rules::SNAPSHOT_STATE);
    assert!(state.message.en.contains(LH_SNAP), "{state:?}");
    assert!(state.message.en.contains("NORMAL"), "{state:?}");
    assert!(state.message.en.contains("wiki-good"), "{state:?}");
    let inst_state = get(&checks, rules::INSTANCE_STATE);
    assert!(inst_state.message.en.contains(LH_INS), "{inst_state:?}");
    assert!(inst_state.message.en.contains("STOPPED"), "{inst_state:?}");
    assert!(inst_state.message.zh.contains("已关机"), "{inst_state:?}");
    // A failed last operation is over: it does not block.
    let inst = lh_instance("STOPPED", 60, Some(("StartInstances", "FAILED")));
    all_pass(&lighthouse_rollback(Some(&inst), Some(&wiki_good())));
}

#[test]
fn lighthouse_rollback_of_a_running_instance_warns_of_the_forced_shutdown() {
    let inst = lh_instance("RUNNING", 60, Some(("StartInstances", "SUCCESS")));
    let checks = lighthouse_rollback(Some(&inst), Some(&wiki_good()));
    well_formed(&checks);
    let c = get(&checks, rules::INSTANCE_STATE);
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.message
            .en
            .contains("The instance will be forcibly shut down before the rollback"),
        "{c:?}"
    );
    assert!(c.message.zh.contains("强制关机"), "{c:?}");
    assert!(c.fix.as_ref().unwrap().en.contains("Stop"), "{c:?}");
    assert_eq!(c.action, stop(LH_INS));
    assert!(!blocked(&checks), "a warning never blocks");
    // Every other line passes.
    assert_eq!(
        checks.iter().filter(|c| c.status != Status::Pass).count(),
        1
    );
}

#[test]
fn lighthouse_rollback_fails_while_the_last_operation_runs() {
    // RUNNING with a snapshot being taken: the stop button would be refused, so no action.
    let inst = lh_instance("RUNNING", 60, Some(("CreateInstanceSnapshot", "OPERATING")));
    let checks = lighthouse_rollback(Some(&inst), Some(&wiki_good()));
    well_formed(&checks);
    let op = get(&checks, rules::INSTANCE_OPERATION);
    assert_eq!(op.status, Status::Fail);
    assert!(op.message.en.contains("CreateInstanceSnapshot"), "{op:?}");
    assert!(op.message.en.contains("OPERATING"), "{op:?}");
    assert!(op.action.is_none());
    let state = get(&checks, rules::INSTANCE_STATE);
    assert_eq!(state.status, Status::Warn);
    assert_eq!(state.action, None);
    assert!(blocked(&checks));
}

#[test]
fn lighthouse_rollback_needs_a_stopped_or_running_instance() {
    for state in [
        "PENDING",
        "LAUNCH_FAILED",
        "STARTING",
        "STOPPING",
        "REBOOTING",
        "SHUTDOWN",
        "TERMINATING",
        "DELETING",
        "FREEZING",
        "ENTER_RESCUE_MODE",
        "RESCUE_MODE",
        "EXIT_RESCUE_MODE",
        "SOMETHING_NEW",
    ] {
        let inst = lh_instance(state, 60, None);
        let checks = lighthouse_rollback(Some(&inst), Some(&wiki_good()));
        well_formed(&checks);
        let c = get(&checks, rules::INSTANCE_STATE);
        assert_eq!(c.status, Status::Fail, "{state}");
        assert!(c.message.en.contains(state), "{c:?}");
        assert!(c.message.en.contains(LH_INS), "{c:?}");
        assert!(c.action.is_none(), "{c:?}");
        assert!(blocked(&checks));
    }
    // The same instance row missing its state.
    let mut inst = lh_instance("STOPPED", 60, None);
    inst.as_object_mut().unwrap().remove("InstanceState");
    let checks = lighthouse_rollback(Some(&inst), Some(&wiki_good()));
    assert_eq!(status(&checks, rules::INSTANCE_STATE), Status::Fail);
    assert!(
        get(&checks, rules::INSTANCE_STATE)
            .message
            .en
            .contains("unknown")
    );
}

#[test]
fn lighthouse_rollback_needs_a_normal_snapshot() {
    let inst = lh_instance("STOPPED", 60, None);
    for state in ["CREATING", "ROLLBACKING"] {
        let snap = lh_snapshot(LH_SNAP, "wiki-nightly", state, LH_DISK, 60);
        let checks = lighthouse_rollback(Some(&inst), Some(&snap));
        well_formed(&checks);
        let c = get(&checks, rules::SNAPSHOT_STATE);
        assert_eq!(c.status, Status::Fail, "{state}");
        assert!(c.message.en.contains(LH_SNAP), "{c:?}");
        assert!(c.message.en.contains(state), "{c:?}");
        assert!(c.fix.as_ref().unwrap().en.contains("refresh"), "{c:?}");
        assert!(blocked(&checks));
    }
    let snap = lh_snapshot(LH_SNAP, "wiki-nightly", "CREATING", LH_DISK, 60);
    let c = lighthouse_rollback(Some(&inst), Some(&snap));
    assert!(
        get(&c, rules::SNAPSHOT_STATE).message.en.contains("40%"),
        "{c:?}"
    );
}

#[test]
fn lighthouse_rollback_only_restores_the_instances_own_system_disk() {
    let inst = lh_instance("STOPPED", 60, None);
    let other = lh_snapshot(LH_SNAP, "blog-daily", "NORMAL", "lhdisk-0ther0ne", 60);
    let checks = lighthouse_rollback(Some(&inst), Some(&other));
    well_formed(&checks);
    let c = get(&checks, rules::SNAPSHOT_BELONGS);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("lhdisk-0ther0ne"), "{c:?}");
    assert!(c.message.en.contains(LH_DISK), "{c:?}");
    // The size comparison is meaningless for another disk.
    assert!(!has(&checks, rules::SNAPSHOT_DISK_SIZE));
    assert!(blocked(&checks));
}

#[test]
fn lighthouse_rollback_fails_after_a_resize() {
    // wiki-before-resize: taken when the disk was 40 GB; it is 60 GB now.
    let inst = lh_instance("STOPPED", 60, None);
    let snap = lh_snapshot(LH_SNAP, "wiki-before-resize", "NORMAL", LH_DISK, 40);
    let checks = lighthouse_rollback(Some(&inst), Some(&snap));
    well_formed(&checks);
    let c = get(&checks, rules::SNAPSHOT_DISK_SIZE);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message.en.contains("40 GB") && c.message.en.contains("60 GB"),
        "{c:?}"
    );
    assert_eq!(status(&checks, rules::SNAPSHOT_BELONGS), Status::Pass);
}

#[test]
fn lighthouse_rollback_reports_missing_resources() {
    let checks = lighthouse_rollback(None, None);
    well_formed(&checks);
    assert_eq!(
        rule_list(&checks),
        [rules::SNAPSHOT_EXISTS, rules::INSTANCE_EXISTS]
    );
    assert!(checks.iter().all(|c| c.status == Status::Fail));
    assert!(
        get(&checks, rules::INSTANCE_EXISTS)
            .message
            .en
            .contains("instance was not found in this region")
    );
    let inst = lh_instance("STOPPED", 60, None);
    let checks = lighthouse_rollback(Some(&inst), None);
    assert_eq!(status(&checks, rules::SNAPSHOT_EXISTS), Status::Fail);
    assert_eq!(status(&checks, rules::INSTANCE_STATE), Status::Pass);
    assert!(!has(&checks, rules::SNAPSHOT_BELONGS));
    let checks = lighthouse_rollback(None, Some(&wiki_good()));
    assert_eq!(status(&checks, rules::INSTANCE_EXISTS), Status::Fail);
    assert_eq!(status(&checks, rules::SNAPSHOT_STATE), Status::Pass);
    assert!(blocked(&checks));
}

// ---------------------------------------------------------------- Lighthouse snapshot

#[test]
fn lighthouse_create_snapshot_passes_for_running_and_stopped() {
    assert_eq!(LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE, 4);
    for state in ["RUNNING", "STOPPED"] {
        let inst = lh_instance(state, 80, Some(("StopInstances", "SUCCESS")));
        let checks = lighthouse_create_snapshot(Some(&inst), &lh_snapshots(3, "NORMAL"));
        all_pass(&checks);
        assert_eq!(
            rule_list(&checks),
            [
                rules::INSTANCE_EXISTS,
                rules::INSTANCE_STATE,
                rules::INSTANCE_OPERATION,
                rules::SNAPSHOT_IN_PROGRESS,
                rules::SNAPSHOT_QUOTA,
            ]
        );
        assert!(
            get(&checks, rules::SNAPSHOT_QUOTA)
                .message
                .en
                .contains("3 of 4")
        );
    }
}

#[test]
fn lighthouse_create_snapshot_fails_at_the_quota() {
    // game-server: four snapshots, the emulator's quota.
    let inst = lh_instance("RUNNING", 80, None);
    let checks = lighthouse_create_snapshot(Some(&inst), &lh_snapshots(4, "NORMAL"));
    well_formed(&checks);
    let c = get(&checks, rules::SNAPSHOT_QUOTA);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message.en.contains(LH_INS) && c.message.en.contains('4'),
        "{c:?}"
    );
    assert!(c.fix.as_ref().unwrap().en.contains("Delete"), "{c:?}");
    assert!(blocked(&checks));
    // Snapshots of another disk do not count.
    let mut snaps = lh_snapshots(3, "NORMAL");
    snaps.push(lh_snapshot(
        "lhsnap-elsewher",
        "x",
        "NORMAL",
        "lhdisk-elsewher",
        80,
    ));
    let checks = lighthouse_create_snapshot(Some(&inst), &snaps);
    assert_eq!(status(&checks, rules::SNAPSHOT_QUOTA), Status::Pass);
}

#[test]
fn lighthouse_create_snapshot_fails_while_one_is_in_progress() {
    // wiki: wiki-nightly is CREATING.
    let inst = lh_instance("STOPPED", 80, None);
    let checks = lighthouse_create_snapshot(Some(&inst), &lh_snapshots(3, "CREATING"));
    well_formed(&checks);
    let c = get(&checks, rules::SNAPSHOT_IN_PROGRESS);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("lhsnap-gamesv02"), "{c:?}");
    assert!(c.message.en.contains("CREATING"), "{c:?}");
    assert!(blocked(&checks));
    let checks = lighthouse_create_snapshot(Some(&inst), &lh_snapshots(2, "ROLLBACKING"));
    assert_eq!(status(&checks, rules::SNAPSHOT_IN_PROGRESS), Status::Fail);
}

#[test]
fn lighthouse_create_snapshot_checks_the_instance() {
    let inst = lh_instance("SHUTDOWN", 80, None);
    let checks = lighthouse_create_snapshot(Some(&inst), &[]);
    well_formed(&checks);
    assert_eq!(status(&checks, rules::INSTANCE_STATE), Status::Fail);
    // api-gateway: STOPPING, StopInstances still OPERATING.
    let inst = lh_instance("STOPPING", 80, Some(("StopInstances", "OPERATING")));
    let checks = lighthouse_create_snapshot(Some(&inst), &[]);
    assert_eq!(status(&checks, rules::INSTANCE_STATE), Status::Fail);
    assert_eq!(status(&checks, rules::INSTANCE_OPERATION), Status::Fail);
    assert!(checks.iter().all(|c| c.action.is_none()));
    let checks = lighthouse_create_snapshot(None, &[]);
    well_formed(&checks);
    assert_eq!(status(&checks, rules::INSTANCE_EXISTS), Status::Fail);
    assert!(blocked(&checks));
}
