//! ECS: the ResetDisk and CreateSnapshot checklists.

use super::*;

#[test]
fn ecs_reset_disk_of_a_stopped_instance_passes_every_rule() {
    let (inst, disk) = (
        ecs_instance("Stopped", &[], false),
        ecs_disk("In_use", ECS_INS),
    );
    let checks = ecs_reset_disk(Some(&disk), Some(&good_snap()), Some(&inst));
    all_pass(&checks);
    assert_eq!(
        rule_list(&checks),
        [
            rules::DISK_EXISTS,
            rules::DISK_STATUS,
            rules::INSTANCE_STATE,
            rules::INSTANCE_SECURITY_LOCK,
            rules::INSTANCE_EXPIRED,
            rules::SNAPSHOT_EXISTS,
            rules::SNAPSHOT_STATE,
            rules::SNAPSHOT_BELONGS,
            rules::SNAPSHOT_TOO_OLD,
        ]
    );
    let c = get(&checks, rules::INSTANCE_STATE);
    assert!(c.message.en.contains(ECS_INS) && c.message.en.contains("Stopped"));
    let c = get(&checks, rules::DISK_STATUS);
    assert!(c.message.en.contains(ECS_DISK) && c.message.en.contains("In_use"));
    let c = get(&checks, rules::SNAPSHOT_STATE);
    assert!(c.message.en.contains(ECS_SNAP) && c.message.en.contains("accomplished"));
}

#[test]
fn ecs_reset_disk_needs_the_instance_stopped_and_offers_to_stop_it() {
    let disk = ecs_disk("In_use", ECS_INS);
    let inst = ecs_instance("Running", &[], false);
    let checks = ecs_reset_disk(Some(&disk), Some(&good_snap()), Some(&inst));
    well_formed(&checks);
    let c = get(&checks, rules::INSTANCE_STATE);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("Running"), "{c:?}");
    assert!(
        c.fix
            .as_ref()
            .unwrap()
            .en
            .starts_with("Stop the instance first"),
        "{c:?}"
    );
    assert_eq!(c.action, stop(ECS_INS));
    assert!(blocked(&checks));
    // The only action anywhere.
    assert_eq!(checks.iter().filter(|c| c.action.is_some()).count(), 1);

    // Transitional states fail without a button (StopInstance would be refused).
    for status in ["Stopping", "Starting", "Pending"] {
        let inst = ecs_instance(status, &[], false);
        let checks = ecs_reset_disk(Some(&disk), Some(&good_snap()), Some(&inst));
        well_formed(&checks);
        let c = get(&checks, rules::INSTANCE_STATE);
        assert_eq!(c.status, Status::Fail, "{status}");
        assert!(c.message.en.contains(status), "{c:?}");
        assert_eq!(c.action, None, "{status}");
    }
}

#[test]
fn ecs_reset_disk_fails_on_a_security_lock() {
    // legacy-locked, Running: locked, and the stop button would be refused too.
    let disk = ecs_disk("In_use", ECS_INS);
    let inst = ecs_instance("Running", &["security"], false);
    let checks = ecs_reset_disk(Some(&disk), Some(&good_snap()), Some(&inst));
    well_formed(&checks);
    let c = get(&checks, rules::INSTANCE_SECURITY_LOCK);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains(ECS_INS) && c.message.en.contains("security"));
    assert_eq!(status(&checks, rules::INSTANCE_STATE), Status::Fail);
    assert!(checks.iter().all(|c| c.action.is_none()));
    // A lock on the disk blocks as well.
    let inst = ecs_instance("Stopped", &[], false);
    let mut disk = ecs_disk("In_use", ECS_INS);
    disk["OperationLocks"] = json!({"OperationLock": [{"LockReason": "security"}]});
    let checks = ecs_reset_disk(Some(&disk), Some(&good_snap()), Some(&inst));
    let c = get(&checks, rules::INSTANCE_SECURITY_LOCK);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains(ECS_DISK), "{c:?}");
}

#[test]
fn ecs_reset_disk_checks_the_disk_status() {
    let inst = ecs_instance("Stopped", &[], false);
    for status in ["Attaching", "Detaching", "Creating", "ReIniting"] {
        let disk = ecs_disk(status, ECS_INS);
        let checks = ecs_reset_disk(Some(&disk), Some(&good_snap()), Some(&inst));
        well_formed(&checks);
        let c = get(&checks, rules::DISK_STATUS);
        assert_eq!(c.status, Status::Fail, "{status}");
        assert!(c.message.en.contains(status) && c.message.en.contains(ECS_DISK));
    }
    // spare-data: Available, not attached; no instance to stop.
    let disk = ecs_disk("Available", "");
    let checks = ecs_reset_disk(Some(&disk), Some(&good_snap()), None);
    all_pass(&checks);
    assert!(!has(&checks, rules::INSTANCE_EXISTS));
    assert!(!has(&checks, rules::INSTANCE_EXPIRED));
    assert!(
        get(&checks, rules::INSTANCE_STATE)
            .message
            .en
            .contains("not attached")
    );
}

#[test]
fn ecs_reset_disk_checks_the_snapshot() {
    let (inst, disk) = (
        ecs_instance("Stopped", &[], false),
        ecs_disk("In_use", ECS_INS),
    );
    let run = |snap: &Value| {
        let checks = ecs_reset_disk(Some(&disk), Some(snap), Some(&inst));
        well_formed(&checks);
        checks
    };
    // batch-in-progress
    let snap = ecs_snapshot(ECS_SNAP, ECS_DISK, "progressing", "2024-05-01T10:00:00Z");
    let checks = run(&snap);
    let c = get(&checks, rules::SNAPSHOT_STATE);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("progressing") && c.message.en.contains("42%"));
    // batch-broken
    let snap = ecs_snapshot(ECS_SNAP, ECS_DISK, "failed", "2024-05-01T10:00:00Z");
    assert_eq!(status(&run(&snap), rules::SNAPSHOT_STATE), Status::Fail);
    // Another disk's snapshot.
    let snap = ecs_snapshot(
        ECS_SNAP,
        "d-bp1otherdisk0000000",
        "accomplished",
        "2024-05-01T10:00:00Z",
    );
    let checks = run(&snap);
    let c = get(&checks, rules::SNAPSHOT_BELONGS);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("d-bp1otherdisk0000000") && c.message.en.contains(ECS_DISK));
    // archive-2012: too old.
    let snap = ecs_snapshot(ECS_SNAP, ECS_DISK, "accomplished", "2012-11-05T03:00:00Z");
    let checks = run(&snap);
    let c = get(&checks, rules::SNAPSHOT_TOO_OLD);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("2012-11-05") && c.message.en.contains("2013-07-15"));
    // The cut-off day itself is fine, the day before is not.
    let snap = ecs_snapshot(ECS_SNAP, ECS_DISK, "accomplished", "2013-07-15T00:00:00Z");
    assert_eq!(status(&run(&snap), rules::SNAPSHOT_TOO_OLD), Status::Pass);
    let snap = ecs_snapshot(ECS_SNAP, ECS_DISK, "accomplished", "2013-07-14T23:59:59Z");
    assert_eq!(status(&run(&snap), rules::SNAPSHOT_TOO_OLD), Status::Fail);
}

#[test]
fn ecs_reset_disk_warns_about_an_expired_instance_and_fails_on_arrears() {
    let disk = ecs_disk("In_use", ECS_INS);
    // expired-box: ExpiredTime 2020, long before the rows were created.
    let inst = ecs_instance("Stopped", &[], true);
    let checks = ecs_reset_disk(Some(&disk), Some(&good_snap()), Some(&inst));
    well_formed(&checks);
    let c = get(&checks, rules::INSTANCE_EXPIRED);
    assert_eq!(c.status, Status::Warn);
    assert!(c.message.en.contains("2020-01-01") && c.message.en.contains(ECS_INS));
    assert!(!blocked(&checks));
    let inst = ecs_instance("Stopped", &["financial"], false);
    let checks = ecs_reset_disk(Some(&disk), Some(&good_snap()), Some(&inst));
    assert_eq!(status(&checks, rules::INSTANCE_EXPIRED), Status::Fail);
}

#[test]
fn ecs_reset_disk_reports_missing_resources() {
    let disk = ecs_disk("In_use", ECS_INS);
    // The attached instance is missing (or another instance's row was given).
    let mut other = ecs_instance("Stopped", &[], false);
    other["InstanceId"] = json!("i-bp1someoneelse00000");
    for inst in [None, Some(&other)] {
        let checks = ecs_reset_disk(Some(&disk), Some(&good_snap()), inst);
        well_formed(&checks);
        let c = get(&checks, rules::INSTANCE_EXISTS);
        assert_eq!(c.status, Status::Fail);
        assert!(c.message.en.contains(ECS_INS), "{c:?}");
        assert!(!has(&checks, rules::INSTANCE_STATE));
    }
    let checks = ecs_reset_disk(None, None, None);
    well_formed(&checks);
    assert_eq!(
        rule_list(&checks),
        [rules::DISK_EXISTS, rules::SNAPSHOT_EXISTS]
    );
    assert!(blocked(&checks));
    assert!(
        get(&checks, rules::DISK_EXISTS)
            .message
            .en
            .contains("disk was not found")
    );
}

// ---------------------------------------------------------------- ECS CreateSnapshot

#[test]
fn ecs_create_snapshot_passes_for_running_and_stopped() {
    let disk = ecs_disk("In_use", ECS_INS);
    for status in ["Running", "Stopped"] {
        let inst = ecs_instance(status, &[], false);
        let checks = ecs_create_snapshot(Some(&disk), Some(&inst), &ecs_snaps(3));
        all_pass(&checks);
        assert_eq!(
            rule_list(&checks),
            [
                rules::DISK_EXISTS,
                rules::DISK_ATTACHED,
                rules::INSTANCE_STATE,
                rules::INSTANCE_SECURITY_LOCK,
                rules::INSTANCE_EXPIRED,
                rules::SNAPSHOT_IN_PROGRESS,
                rules::SNAPSHOT_QUOTA,
            ]
        );
        assert!(
            get(&checks, rules::SNAPSHOT_QUOTA)
                .message
                .en
                .contains("3 of 64")
        );
    }
}

#[test]
fn ecs_create_snapshot_fails_at_64_snapshots_of_the_disk() {
    let (inst, disk) = (
        ecs_instance("Stopped", &[], false),
        ecs_disk("In_use", ECS_INS),
    );
    let checks = ecs_create_snapshot(Some(&disk), Some(&inst), &ecs_snaps(ECS_SNAPSHOTS_PER_DISK));
    well_formed(&checks);
    let c = get(&checks, rules::SNAPSHOT_QUOTA);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("64") && c.message.en.contains(ECS_DISK));
    assert!(blocked(&checks));
    // 63 of this disk plus others' snapshots: still room.
    let mut snaps = ecs_snaps(63);
    snaps.push(ecs_snapshot(
        "s-bp1other",
        "d-bp1other",
        "accomplished",
        "2024-03-01T00:00:00Z",
    ));
    let checks = ecs_create_snapshot(Some(&disk), Some(&inst), &snaps);
    assert_eq!(status(&checks, rules::SNAPSHOT_QUOTA), Status::Pass);
    assert!(
        get(&checks, rules::SNAPSHOT_QUOTA)
            .message
            .en
            .contains("63 of 64")
    );
}

#[test]
fn ecs_create_snapshot_fails_while_one_is_progressing() {
    let (inst, disk) = (
        ecs_instance("Stopped", &[], false),
        ecs_disk("In_use", ECS_INS),
    );
    let mut snaps = ecs_snaps(2);
    snaps.push(ecs_snapshot(
        ECS_SNAP,
        ECS_DISK,
        "progressing",
        "2024-05-01T10:00:00Z",
    ));
    let checks = ecs_create_snapshot(Some(&disk), Some(&inst), &snaps);
    well_formed(&checks);
    let c = get(&checks, rules::SNAPSHOT_IN_PROGRESS);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains(ECS_SNAP) && c.message.en.contains("42%"));
    // A failed snapshot is not in progress.
    let mut snaps = ecs_snaps(2);
    snaps.push(ecs_snapshot(
        ECS_SNAP,
        ECS_DISK,
        "failed",
        "2024-05-01T10:00:00Z",
    ));
    let checks = ecs_create_snapshot(Some(&disk), Some(&inst), &snaps);
    assert_eq!(status(&checks, rules::SNAPSHOT_IN_PROGRESS), Status::Pass);
}

#[test]
fn ecs_create_snapshot_needs_an_attached_disk_and_a_usable_instance() {
    // spare-data: not attached.
    let disk = ecs_disk("Available", "");
    let checks = ecs_create_snapshot(Some(&disk), None, &[]);
    well_formed(&checks);
    let c = get(&checks, rules::DISK_ATTACHED);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains(ECS_DISK));
    assert!(!has(&checks, rules::INSTANCE_STATE));

    let disk = ecs_disk("In_use", ECS_INS);
    // new-node: Pending.
    let inst = ecs_instance("Pending", &[], false);
    let checks = ecs_create_snapshot(Some(&disk), Some(&inst), &[]);
    well_formed(&checks);
    assert_eq!(status(&checks, rules::INSTANCE_STATE), Status::Fail);
    assert!(checks.iter().all(|c| c.action.is_none()));
    // legacy-locked.
    let inst = ecs_instance("Stopped", &["security"], false);
    let checks = ecs_create_snapshot(Some(&disk), Some(&inst), &[]);
    assert_eq!(status(&checks, rules::INSTANCE_SECURITY_LOCK), Status::Fail);
    // expired-box: an expired instance cannot take a snapshot.
    let inst = ecs_instance("Stopped", &[], true);
    let checks = ecs_create_snapshot(Some(&disk), Some(&inst), &ecs_snaps(1));
    well_formed(&checks);
    let c = get(&checks, rules::INSTANCE_EXPIRED);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("2020-01-01"), "{c:?}");
    // The attached instance was not found.
    let checks = ecs_create_snapshot(Some(&disk), None, &[]);
    assert_eq!(status(&checks, rules::DISK_ATTACHED), Status::Pass);
    assert_eq!(status(&checks, rules::INSTANCE_EXISTS), Status::Fail);
    // No disk.
    let checks = ecs_create_snapshot(None, None, &[]);
    well_formed(&checks);
    assert_eq!(status(&checks, rules::DISK_EXISTS), Status::Fail);
    assert!(blocked(&checks));
}
