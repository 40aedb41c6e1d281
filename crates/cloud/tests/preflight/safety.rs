//! The safety snapshot counted against the quota, and rows of the wrong shape.

use super::*;

/// The safety-snapshot line of a checklist whose every other rule passes, when the
/// owner (`id`) has no room left: a failure naming the owner and its count, with the
/// choice to go on without the safety snapshot.
fn no_room_for_the_safety_snapshot<'a>(checks: &'a [Check], id: &str, count: &str) -> &'a Check {
    well_formed(checks);
    let c = get(checks, rules::SAFETY_SNAPSHOT_QUOTA);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message.en.contains(id)
            && c.message.en.contains(count)
            && c.message.en.contains("safety snapshot cannot be taken"),
        "{c:?}"
    );
    assert!(c.message.zh.contains("无法创建安全快照"), "{c:?}");
    let fix = c.fix.as_ref().unwrap();
    assert!(
        fix.en.starts_with("Continue without a safety snapshot"),
        "{c:?}"
    );
    assert!(fix.zh.contains("不创建安全快照"), "{c:?}");
    assert_eq!(c.choice, Some(Choice::ContinueWithoutSafetySnapshot));
    assert_eq!(c.action, None);
    assert!(blocked(checks));
    assert_eq!(
        checks.iter().filter(|c| c.status != Status::Pass).count(),
        1,
        "only the safety snapshot is in the way: {checks:#?}"
    );
    c
}

#[test]
fn lighthouse_rollback_counts_the_safety_snapshot_against_the_quota() {
    // game-server: at its quota of four, every other rule passes; the operation would
    // stop at step 1, when it takes the safety snapshot.
    let inst = lh_instance("STOPPED", 80, None);
    let full = lh_snapshots(LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE, "NORMAL");
    let target = &full[0];
    let take = |existing: &[Value]| {
        lighthouse_rollback_with_safety(Some(&inst), Some(target), SafetyStep::Take { existing })
    };
    let checks = take(&full);
    let c = no_room_for_the_safety_snapshot(&checks, LH_INS, "4 snapshots");
    assert!(c.message.en.contains("per instance"), "{c:?}");
    let v = serde_json::to_value(c).unwrap();
    assert_eq!(v["choice"], "ContinueWithoutSafetySnapshot");
    assert_eq!(v["rule"], "safety_snapshot.quota");

    // Continuing without it: every line passes and none speaks of a safety snapshot.
    let skip = lighthouse_rollback_with_safety(Some(&inst), Some(target), SafetyStep::Skip);
    all_pass(&skip);
    assert!(!has(&skip, rules::SAFETY_SNAPSHOT_QUOTA));
    assert_eq!(skip, lighthouse_rollback(Some(&inst), Some(target)));

    // Room for one more: the line passes and says so.
    let checks = take(&full[..3]);
    all_pass(&checks);
    let c = get(&checks, rules::SAFETY_SNAPSHOT_QUOTA);
    assert!(c.message.en.contains("3 of 4"), "{c:?}");
    assert!(serde_json::to_value(c).unwrap().get("choice").is_none());
    assert_eq!(
        *rule_list(&checks).last().unwrap(),
        rules::SAFETY_SNAPSHOT_QUOTA
    );

    // Snapshots of another disk do not count.
    let mut snaps = full[..3].to_vec();
    snaps.push(lh_snapshot(
        "lhsnap-elsewher",
        "x",
        "NORMAL",
        "lhdisk-elsewher",
        80,
    ));
    assert_eq!(
        status(&take(&snaps), rules::SAFETY_SNAPSHOT_QUOTA),
        Status::Pass
    );

    // A missing instance fails on its own line; the quota of an unknown instance is not
    // guessed.
    let checks =
        lighthouse_rollback_with_safety(None, Some(target), SafetyStep::Take { existing: &full });
    assert!(!has(&checks, rules::SAFETY_SNAPSHOT_QUOTA));
    assert_eq!(status(&checks, rules::INSTANCE_EXISTS), Status::Fail);
}

#[test]
fn ecs_reset_disk_counts_the_safety_snapshot_against_the_quota() {
    let (inst, disk) = (
        ecs_instance("Stopped", &[], false),
        ecs_disk("In_use", ECS_INS),
    );
    let full = ecs_snaps(ECS_SNAPSHOTS_PER_DISK);
    let take = |existing: &[Value]| {
        ecs_reset_disk_with_safety(
            Some(&disk),
            Some(&good_snap()),
            Some(&inst),
            SafetyStep::Take { existing },
        )
    };
    let checks = take(&full);
    let c = no_room_for_the_safety_snapshot(&checks, ECS_DISK, "64 snapshots");
    assert!(
        c.message.en.contains("per disk") && c.message.zh.contains("云盘"),
        "{c:?}"
    );

    // Without the safety snapshot, the same rows pass every rule.
    let skip = ecs_reset_disk_with_safety(
        Some(&disk),
        Some(&good_snap()),
        Some(&inst),
        SafetyStep::Skip,
    );
    all_pass(&skip);
    assert_eq!(
        skip,
        ecs_reset_disk(Some(&disk), Some(&good_snap()), Some(&inst))
    );

    // 63 of this disk plus another disk's: room for the safety snapshot.
    let mut snaps = ecs_snaps(63);
    snaps.push(ecs_snapshot(
        "s-bp1other",
        "d-bp1other",
        "accomplished",
        "2024-03-01T00:00:00Z",
    ));
    let checks = take(&snaps);
    all_pass(&checks);
    assert!(
        get(&checks, rules::SAFETY_SNAPSHOT_QUOTA)
            .message
            .en
            .contains("63 of 64")
    );
}

#[test]
fn rows_that_are_not_the_providers_shape_fail_as_unreadable() {
    // An ID of the wrong type: the row is found but cannot be read; the check says so
    // instead of treating the instance as missing or guessing its state.
    let mut inst = lh_instance("STOPPED", 60, None);
    inst["InstanceId"] = json!(42);
    let checks = lighthouse_rollback(Some(&inst), Some(&wiki_good()));
    well_formed(&checks);
    let c = get(&checks, rules::INSTANCE_EXISTS);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("could not be read"), "{c:?}");
    assert!(
        c.message.en.contains("InstanceId") || c.message.en.contains("string"),
        "{c:?}"
    );
    assert!(!has(&checks, rules::INSTANCE_STATE));
    assert!(blocked(&checks));

    // ECS: the disk's instance row unreadable is reported as such, not as "not found".
    let disk = ecs_disk("In_use", ECS_INS);
    let mut inst = ecs_instance("Stopped", &[], false);
    inst.as_object_mut().unwrap().remove("InstanceId");
    let checks = ecs_reset_disk(Some(&disk), Some(&good_snap()), Some(&inst));
    well_formed(&checks);
    let c = get(&checks, rules::INSTANCE_EXISTS);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("could not be read"), "{c:?}");

    // Unknown fields are ignored: a row with extra fields reads as before.
    let mut inst = lh_instance("STOPPED", 60, None);
    inst["SomethingNew"] = json!({"nested": [1, 2, 3]});
    all_pass(&lighthouse_rollback(Some(&inst), Some(&wiki_good())));
}
