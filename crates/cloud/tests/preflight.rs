//! The pre-flight checklists, rule by rule, on rows shaped like the providers' (and the
//! emulator's) Describe/List answers. Names follow the emulator's demo world.

use rewind_cloud::preflight::{
    Check, Choice, ECS_SNAPSHOTS_PER_DISK, FixAction, LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE,
    SafetyStep, Status, WORKSPACE_BATCH_MAX, blocked, ecs_create_snapshot, ecs_reset_disk,
    ecs_reset_disk_with_safety, lighthouse_create_snapshot, lighthouse_rollback,
    lighthouse_rollback_with_safety, rules, workspace_restore,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------- helpers

fn get<'a>(checks: &'a [Check], rule: &str) -> &'a Check {
    let mut found = checks.iter().filter(|c| c.rule == rule);
    let c = found
        .next()
        .unwrap_or_else(|| panic!("no {rule} line in {checks:#?}"));
    assert!(found.next().is_none(), "two {rule} lines in {checks:#?}");
    c
}

fn has(checks: &[Check], rule: &str) -> bool {
    checks.iter().any(|c| c.rule == rule)
}

fn status(checks: &[Check], rule: &str) -> Status {
    get(checks, rule).status
}

fn rule_list(checks: &[Check]) -> Vec<&'static str> {
    checks.iter().map(|c| c.rule).collect()
}

/// Every line is well formed: known rule, both languages present and different, a fix
/// exactly on warnings and failures, and no action on a passing line.
fn well_formed(checks: &[Check]) {
    for c in checks {
        assert!(rules::ALL.contains(&c.rule), "{c:?}");
        assert!(
            !c.message.en.is_empty() && !c.message.zh.is_empty(),
            "{c:?}"
        );
        assert_ne!(c.message.en, c.message.zh, "{c:?}");
        match (&c.status, &c.fix) {
            (Status::Pass, None) => {
                assert!(c.action.is_none(), "{c:?}");
                assert!(c.choice.is_none(), "{c:?}");
            }
            (Status::Pass, Some(_)) => panic!("a passing line has a fix: {c:?}"),
            (_, None) => panic!("a warning or failure without a fix: {c:?}"),
            (_, Some(fix)) => {
                assert!(!fix.en.is_empty() && !fix.zh.is_empty(), "{c:?}");
                assert_ne!(fix.en, fix.zh, "{c:?}");
            }
        }
        assert!(c.message.zh.chars().any(|ch| ch > '\u{2e80}'), "{c:?}");
    }
}

fn all_pass(checks: &[Check]) {
    well_formed(checks);
    for c in checks {
        assert_eq!(c.status, Status::Pass, "{c:#?}");
    }
    assert!(!blocked(checks));
}

fn stop(id: &str) -> Option<FixAction> {
    Some(FixAction::StopInstance {
        instance_id: id.to_string(),
    })
}

// ---------------------------------------------------------------- Lighthouse rows

const LH_INS: &str = "lhins-k31c771o";
const LH_DISK: &str = "lhdisk-k31c771o";
const LH_SNAP: &str = "lhsnap-nv6aqcv6";

/// An `InstanceSet[]` item as DescribeInstances returns it.
fn lh_instance(state: &str, disk_size: u64, op: Option<(&str, &str)>) -> Value {
    json!({
        "InstanceId": LH_INS,
        "BundleId": "bundle_gen_03",
        "BlueprintId": "lhbp-ubuntu2204",
        "CPU": 2,
        "Memory": 4,
        "InstanceName": "wiki",
        "InstanceChargeType": "PREPAID",
        "SystemDisk": {"DiskType": "CLOUD_SSD", "DiskSize": disk_size, "DiskId": LH_DISK},
        "PrivateAddresses": ["10.0.0.11"],
        "PublicAddresses": ["203.0.113.11"],
        "InternetAccessible": {"InternetChargeType": "TRAFFIC_POSTPAID_BY_HOUR", "InternetMaxBandwidthOut": 5, "PublicIpAssigned": true},
        "RenewFlag": "NOTIFY_AND_MANUAL_RENEW",
        "LoginSettings": {"KeyIds": []},
        "InstanceState": state,
        "Uuid": "lhins-k31c771o-uuid",
        "LatestOperation": op.map(|o| o.0),
        "LatestOperationState": op.map(|o| o.1),
        "LatestOperationRequestId": op.map(|_| "6a2c9b5e-1f7d-4c1e-9a55-0c2b0f4b7d11"),
        "LatestOperationStartedTime": op.map(|_| "2024-05-01T10:00:00Z"),
        "IsolatedTime": null,
        "CreatedTime": "2024-02-01T10:00:00Z",
        "ExpiredTime": "2025-02-01T10:00:00Z",
        "PlatformType": "LINUX_UNIX",
        "Platform": "UBUNTU",
        "OsName": "Ubuntu Server 22.04 LTS 64bit",
        "Zone": "ap-guangzhou-3",
        "Tags": [{"Key": "env", "Value": "dev"}],
    })
}

/// A `SnapshotSet[]` item as DescribeSnapshots returns it.
fn lh_snapshot(id: &str, name: &str, state: &str, disk_id: &str, disk_size: u64) -> Value {
    let creating = state == "CREATING";
    json!({
        "SnapshotId": id,
        "SnapshotName": name,
        "SnapshotState": state,
        "DiskId": disk_id,
        "DiskUsage": "SYSTEM_DISK",
        "DiskSize": disk_size,
        "Percent": if creating { 40 } else { 100 },
        "LatestOperation": if state == "ROLLBACKING" { "RollbackInstanceSnapshot" } else { "CreateInstanceSnapshot" },
        "LatestOperationState": if state == "NORMAL" { "SUCCESS" } else { "OPERATING" },
        "LatestOperationRequestId": "0b7c1f9e-3a52-4d8e-8f0a-2d9c4e6b1a77",
        "CreatedTime": "2024-04-29T10:00:00Z",
        "Tags": [],
    })
}

fn wiki_good() -> Value {
    lh_snapshot(LH_SNAP, "wiki-good", "NORMAL", LH_DISK, 60)
}

// ---------------------------------------------------------------- Lighthouse rollback

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

fn lh_snapshots(n: usize, state_of_last: &str) -> Vec<Value> {
    (0..n)
        .map(|k| {
            let state = if k + 1 == n { state_of_last } else { "NORMAL" };
            lh_snapshot(
                &format!("lhsnap-gamesv0{k}"),
                &format!("game-server-{k}"),
                state,
                LH_DISK,
                80,
            )
        })
        .collect()
}

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

// ---------------------------------------------------------------- ECS rows

const ECS_INS: &str = "i-bp67acfmxazb4ph3ab1c";
const ECS_DISK: &str = "d-bp199lyny9b3k2m8q0xa";
const ECS_SNAP: &str = "s-bp1c0doj0taqyzzl3x7a";

/// An `Instances.Instance[]` item as DescribeInstances returns it.
fn ecs_instance(status: &str, locks: &[&str], expired: bool) -> Value {
    json!({
        "InstanceId": ECS_INS,
        "InstanceName": "web-1",
        "RegionId": "cn-hangzhou",
        "ZoneId": "cn-hangzhou-h",
        "Status": status,
        "InstanceType": "ecs.g7.large",
        "InstanceChargeType": "PostPaid",
        "ExpiredTime": if expired { "2020-01-01T00:00Z" } else { "2099-12-31T15:59Z" },
        "CreationTime": "2024-01-02T03:04:05Z",
        "OperationLocks": {"LockReason": locks.iter().map(|l| json!({"LockReason": l})).collect::<Vec<_>>()},
        "Tags": {"Tag": [{"TagKey": "team", "TagValue": "web"}]},
    })
}

/// A `Disks.Disk[]` item as DescribeDisks returns it.
fn ecs_disk(status: &str, instance_id: &str) -> Value {
    json!({
        "DiskId": ECS_DISK,
        "DiskName": "web-1-system",
        "RegionId": "cn-hangzhou",
        "ZoneId": "cn-hangzhou-h",
        "InstanceId": instance_id,
        "Type": "system",
        "Category": "cloud_essd",
        "Status": status,
        "Size": 40,
        "SourceSnapshotId": "",
        "Device": if instance_id.is_empty() { "" } else { "/dev/xvda" },
        "Portable": false,
        "DeleteWithInstance": true,
        "Encrypted": false,
        "CreationTime": "2024-01-02T03:04:05Z",
        "OperationLocks": {"OperationLock": []},
    })
}

/// A `Snapshots.Snapshot[]` item as DescribeSnapshots returns it.
fn ecs_snapshot(id: &str, source: &str, status: &str, created: &str) -> Value {
    let progress = match status {
        "accomplished" => 100,
        "failed" => 0,
        _ => 42,
    };
    json!({
        "SnapshotId": id,
        "SnapshotName": "web-1-before-deploy-0",
        "Description": "",
        "RegionId": "cn-hangzhou",
        "SourceDiskId": source,
        "SourceDiskType": "system",
        "SourceDiskSize": "40",
        "Status": status,
        "Progress": format!("{progress}%"),
        "CreationTime": created,
        "Available": status == "accomplished",
        "RetentionDays": null,
        "SnapshotType": "user",
        "Usage": "none",
        "Tags": {"Tag": []},
    })
}

fn good_snap() -> Value {
    ecs_snapshot(ECS_SNAP, ECS_DISK, "accomplished", "2024-05-01T10:00:00Z")
}

// ---------------------------------------------------------------- ECS ResetDisk

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

fn ecs_snaps(n: usize) -> Vec<Value> {
    (0..n)
        .map(|k| {
            ecs_snapshot(
                &format!("s-bp1archive{k:09}"),
                ECS_DISK,
                "accomplished",
                "2024-03-01T00:00:00Z",
            )
        })
        .collect()
}

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

// ---------------------------------------------------------------- safety snapshot

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
        c.message.en.contains("per disk") && c.message.zh.contains("磁盘"),
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

// ---------------------------------------------------------------- Workspace

const ALICE: &str = "5a1f3c2e-8d4b-4f6a-9c1e-2b7d0e9f4a11";
const BOB: &str = "6b2e4d3f-9e5c-4a7b-8d2f-3c8e1f0a5b22";
const ERIN: &str = "7c3f5e4a-0f6d-4b8c-9e3a-4d9f2a1b6c33";

/// A `desktop_snapshots[]` item as ListDesktopSnapshot returns it.
fn ws_snapshot(id: &str, desktop_id: &str, desktop_name: &str, status: &str) -> Value {
    json!({
        "snapshot_id": id,
        "snapshot_name": format!("{desktop_name}-snap"),
        "desktop_id": desktop_id,
        "desktop_name": desktop_name,
        "is_system_disk": true,
        "status": status,
        "process": if matches!(status, "creating" | "restoring") { json!(30) } else { Value::Null },
        "description": "",
        "create_time": "2024-05-01T10:00:00.000Z",
        "create_type": "MANUALLY",
        "last_restore_time": null,
        "restore_fail_reason": null,
    })
}

fn sid(k: usize) -> String {
    format!("1792d3eb-35c6-4e99-8381-{k:012}")
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn workspace_restore_of_ready_snapshots_passes() {
    let snaps = vec![
        ws_snapshot(&sid(1), ALICE, "desk-alice", "create_success"),
        ws_snapshot(&sid(2), BOB, "desk-bob", "restore_success"),
        ws_snapshot(&sid(3), ERIN, "desk-erin", "restore_failed"),
    ];
    let checks = workspace_restore(&[sid(1), sid(2), sid(3)], &snaps);
    all_pass(&checks);
    assert_eq!(
        rule_list(&checks),
        [
            rules::BATCH_SIZE,
            rules::SNAPSHOT_EXISTS,
            rules::SNAPSHOT_STATE,
            rules::DESKTOP_BUSY,
            rules::SNAPSHOT_DUPLICATE,
        ]
    );
    // One snapshot: the lines name it.
    let checks = workspace_restore(&[sid(1)], &snaps);
    all_pass(&checks);
    assert!(
        get(&checks, rules::SNAPSHOT_STATE)
            .message
            .en
            .contains(&sid(1))
    );
    assert!(
        get(&checks, rules::DESKTOP_BUSY)
            .message
            .en
            .contains("desk-alice")
    );
}

#[test]
fn workspace_restore_takes_1_to_100_snapshots() {
    let checks = workspace_restore(&[], &[]);
    well_formed(&checks);
    assert_eq!(rule_list(&checks), [rules::BATCH_SIZE]);
    assert!(blocked(&checks));

    let snaps: Vec<Value> = (0..=WORKSPACE_BATCH_MAX)
        .map(|k| {
            ws_snapshot(
                &sid(k),
                &format!("desk-{k:032}"),
                &format!("pool-{k:03}"),
                "create_success",
            )
        })
        .collect();
    let all: Vec<String> = (0..=WORKSPACE_BATCH_MAX).map(sid).collect();
    let checks = workspace_restore(&all, &snaps);
    well_formed(&checks);
    let c = get(&checks, rules::BATCH_SIZE);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("101") && c.message.en.contains("100"));
    // The other rules are still summarised in one line each.
    assert_eq!(checks.len(), 5);
    assert_eq!(status(&checks, rules::SNAPSHOT_STATE), Status::Pass);

    let checks = workspace_restore(&all[..WORKSPACE_BATCH_MAX], &snaps);
    all_pass(&checks);
    assert!(
        get(&checks, rules::SNAPSHOT_STATE)
            .message
            .en
            .contains("All 100")
    );
}

#[test]
fn workspace_restore_names_snapshots_that_were_not_found() {
    let snaps = vec![ws_snapshot(&sid(1), ALICE, "desk-alice", "create_success")];
    let checks = workspace_restore(&[sid(1), sid(7), sid(8)], &snaps);
    well_formed(&checks);
    let c = get(&checks, rules::SNAPSHOT_EXISTS);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.starts_with("2 of 3"), "{c:?}");
    assert!(c.message.en.contains(&sid(7)) && c.message.en.contains(&sid(8)));
    assert!(c.message.zh.contains(&sid(7)) && c.message.zh.contains(&sid(8)));
    assert!(!c.message.en.contains(&sid(1)));
    // The found one is still checked.
    assert_eq!(status(&checks, rules::SNAPSHOT_STATE), Status::Pass);

    // Many missing: the first few are named, the rest counted.
    let many: Vec<String> = (10..30).map(sid).collect();
    let checks = workspace_restore(&many, &snaps);
    let c = get(&checks, rules::SNAPSHOT_EXISTS);
    assert!(
        c.message.en.contains(&sid(10)) && c.message.en.contains("and 15 more"),
        "{c:?}"
    );
    assert!(!c.message.en.contains(&sid(29)));
    // Nothing found: nothing else to check.
    assert_eq!(
        rule_list(&checks),
        [rules::BATCH_SIZE, rules::SNAPSHOT_EXISTS]
    );
}

#[test]
fn workspace_restore_needs_restorable_snapshots() {
    for status in ["creating", "create_failed", "restoring"] {
        let snaps = vec![
            ws_snapshot(&sid(1), ALICE, "desk-alice", "create_success"),
            ws_snapshot(&sid(2), BOB, "desk-bob", status),
        ];
        let checks = workspace_restore(&[sid(1), sid(2)], &snaps);
        well_formed(&checks);
        let c = get(&checks, rules::SNAPSHOT_STATE);
        assert_eq!(c.status, Status::Fail, "{status}");
        assert!(
            c.message.en.starts_with("1 of 2 snapshots are ready"),
            "{c:?}"
        );
        assert!(
            c.message.en.contains(&format!("{} ({status})", sid(2))),
            "{c:?}"
        );
        assert!(!c.message.en.contains(&sid(1)), "{c:?}");
        assert!(blocked(&checks));
    }
    // A large batch: one summary line.
    let snaps: Vec<Value> = (0..100)
        .map(|k| {
            let status = if k == 40 || k == 77 {
                "creating"
            } else {
                "create_success"
            };
            ws_snapshot(
                &sid(k),
                &format!("desk-{k:032}"),
                &format!("pool-{k:03}"),
                status,
            )
        })
        .collect();
    let all: Vec<String> = (0..100).map(sid).collect();
    let checks = workspace_restore(&all, &snaps);
    well_formed(&checks);
    assert_eq!(checks.len(), 5);
    let c = get(&checks, rules::SNAPSHOT_STATE);
    assert!(
        c.message
            .en
            .starts_with("98 of 100 snapshots are ready; not ready: "),
        "{c:?}"
    );
    assert!(c.message.en.contains(&sid(40)) && c.message.en.contains(&sid(77)));
    assert!(c.message.zh.contains("创建中"), "{c:?}");
}

#[test]
fn workspace_restore_fails_when_the_desktop_is_already_being_restored() {
    // desk-erin: snapshot 0 is restoring; restoring snapshot 1 conflicts (WKS.0009).
    let snaps = vec![
        ws_snapshot(&sid(1), ALICE, "desk-alice", "create_success"),
        ws_snapshot(&sid(5), ERIN, "desk-erin", "restoring"),
        ws_snapshot(&sid(6), ERIN, "desk-erin", "create_success"),
    ];
    let checks = workspace_restore(&[sid(1), sid(6)], &snaps);
    well_formed(&checks);
    let c = get(&checks, rules::DESKTOP_BUSY);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("desk-erin") && c.message.en.contains(&sid(5)));
    assert_eq!(status(&checks, rules::SNAPSHOT_STATE), Status::Pass);
    assert!(blocked(&checks));
    let checks = workspace_restore(&[sid(1)], &snaps);
    all_pass(&checks);
}

#[test]
fn workspace_restore_takes_one_snapshot_per_desktop() {
    let snaps = vec![
        ws_snapshot(&sid(1), ALICE, "desk-alice", "create_success"),
        ws_snapshot(&sid(2), ALICE, "desk-alice", "restore_success"),
        ws_snapshot(&sid(3), BOB, "desk-bob", "create_success"),
    ];
    let checks = workspace_restore(&[sid(1), sid(2), sid(3)], &snaps);
    well_formed(&checks);
    let c = get(&checks, rules::SNAPSHOT_DUPLICATE);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("desk-alice"));
    assert!(c.message.en.contains(&sid(1)) && c.message.en.contains(&sid(2)));
    assert!(!c.message.en.contains(&sid(3)));
    // The same ID twice.
    let checks = workspace_restore(&[sid(3), sid(3)], &snaps);
    well_formed(&checks);
    let c = get(&checks, rules::SNAPSHOT_DUPLICATE);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("more than once") && c.message.en.contains(&sid(3)));
    assert_eq!(status(&checks, rules::SNAPSHOT_EXISTS), Status::Pass);
}

// ---------------------------------------------------------------- general

#[test]
fn blocked_is_true_iff_something_failed() {
    assert!(!blocked(&[]));
    let inst = lh_instance("RUNNING", 60, None);
    let warned = lighthouse_rollback(Some(&inst), Some(&wiki_good()));
    assert!(warned.iter().any(|c| c.status == Status::Warn));
    assert!(!blocked(&warned));
    let failed = lighthouse_rollback(None, Some(&wiki_good()));
    assert!(blocked(&failed));
}

#[test]
fn checks_serialize_for_the_console() {
    let inst = lh_instance("RUNNING", 60, None);
    let checks = lighthouse_rollback(Some(&inst), Some(&wiki_good()));
    let v = serde_json::to_value(get(&checks, rules::INSTANCE_STATE)).unwrap();
    assert_eq!(v["rule"], "instance.state");
    assert_eq!(v["status"], "warn");
    assert!(v["message"]["en"].as_str().unwrap().contains("forcibly"));
    assert!(v["fix"]["zh"].is_string());
    assert_eq!(
        v["action"],
        json!({"StopInstance": {"instance_id": LH_INS}})
    );
    let v = serde_json::to_value(get(&checks, rules::SNAPSHOT_STATE)).unwrap();
    assert_eq!(v["status"], "pass");
    assert_eq!(v["fix"], Value::Null);
    assert_eq!(v["action"], Value::Null);
}

#[test]
fn rows_with_missing_fields_do_not_panic() {
    let empty = json!({});
    for checks in [
        lighthouse_rollback(Some(&empty), Some(&empty)),
        lighthouse_create_snapshot(Some(&empty), std::slice::from_ref(&empty)),
        ecs_reset_disk(Some(&empty), Some(&empty), Some(&empty)),
        ecs_create_snapshot(Some(&empty), Some(&empty), std::slice::from_ref(&empty)),
        workspace_restore(&ids(&["x"]), std::slice::from_ref(&empty)),
    ] {
        well_formed(&checks);
    }
}
