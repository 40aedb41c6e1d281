//! The pre-flight checklists, rule by rule, on rows shaped like the providers' (and the
//! emulator's) Describe/List answers. Names follow the emulator's demo world.

mod ecs;
mod lighthouse;
mod safety;
mod workspace;

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

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
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
