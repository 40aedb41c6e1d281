//! Alibaba Cloud ECS (RPC API 2014-05-26): typed requests and responses for the
//! actions Rewind calls, with the provider's exact field names, and the flattening of
//! a request into RPC query pairs.
//!
//! Requests are held as "logical" JSON (what [`crate::validate::validate_params`]
//! accepts and normalizes): lists of IDs are JSON arrays, tags are an array of
//! `{"Key","Value"}` objects, flags are booleans. [`query_pairs`] turns that into what
//! ECS reads: `DiskIds=["d-1","d-2"]` (a JSON-array string) and `Tag.1.Key=…`.
//! Responses nest their lists (`Instances.Instance[]`, `Disks.Disk[]`, …); unknown
//! fields are ignored and unknown state values land in `Other`.

use crate::tencent::provider_enum;
use serde::{Deserialize, Serialize};
use serde_json::Value;

provider_enum! {
    /// `Status` of an ECS instance.
    InstanceStatus {
        Pending = "Pending" / "准备中",
        Running = "Running" / "运行中",
        Starting = "Starting" / "启动中",
        Stopping = "Stopping" / "停止中",
        Stopped = "Stopped" / "已停止",
    }
}

impl InstanceStatus {
    /// ResetDisk needs the instance the disk is attached to Stopped.
    pub fn allows_reset_disk(&self) -> bool {
        matches!(self, InstanceStatus::Stopped)
    }

    /// CreateSnapshot needs the instance Running or Stopped.
    pub fn allows_snapshot(&self) -> bool {
        matches!(self, InstanceStatus::Running | InstanceStatus::Stopped)
    }

    /// StopInstance needs a Running instance.
    pub fn allows_stop(&self) -> bool {
        matches!(self, InstanceStatus::Running)
    }

    /// StartInstance needs a Stopped instance.
    pub fn allows_start(&self) -> bool {
        matches!(self, InstanceStatus::Stopped)
    }
}

provider_enum! {
    /// `Status` of an ECS disk.
    DiskStatus {
        InUse = "In_use" / "使用中",
        Available = "Available" / "待挂载",
        Attaching = "Attaching" / "挂载中",
        Detaching = "Detaching" / "卸载中",
        Creating = "Creating" / "创建中",
        ReIniting = "ReIniting" / "初始化中",
    }
}

impl DiskStatus {
    /// ResetDisk needs the disk In_use or Available.
    pub fn allows_reset(&self) -> bool {
        matches!(self, DiskStatus::InUse | DiskStatus::Available)
    }
}

provider_enum! {
    /// `Status` of an ECS snapshot.
    SnapshotStatus {
        Progressing = "progressing" / "创建中",
        Accomplished = "accomplished" / "已完成",
        Failed = "failed" / "失败",
    }
}

impl SnapshotStatus {
    /// ResetDisk takes only accomplished snapshots.
    pub fn allows_reset(&self) -> bool {
        matches!(self, SnapshotStatus::Accomplished)
    }

    /// Still being created: a disk takes one snapshot at a time.
    pub fn in_progress(&self) -> bool {
        matches!(self, SnapshotStatus::Progressing)
    }
}

provider_enum! {
    /// `LockReason` of an operation lock.
    LockReason {
        Financial = "financial",
        Security = "security",
    }
}

/// A tag: `Tag.N.Key` / `Tag.N.Value` on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The ECS list parameters sent as one JSON-array string (`DiskIds=["d-1","d-2"]`);
/// every other list is a repeated, 1-based `Name.N` parameter.
pub const JSON_ARRAY_PARAMS: &[&str] = &["DiskIds", "InstanceIds", "SnapshotIds"];

/// Flattens a logical ECS request into RPC query pairs:
/// - strings as they are, numbers in decimal, booleans as `true`/`false`, nulls left out;
/// - [`JSON_ARRAY_PARAMS`] (`DiskIds`, `InstanceIds`, `SnapshotIds`) as one JSON-array string;
/// - other arrays 1-based: `Tag` as `Tag.1.Key`, `Tag.1.Value`, `Tag.2.Key`, …;
/// - nested objects as `Name.Field`.
///
/// The order is the object's key order; ECS signers sort a copy anyway. This is what the
/// request builder (`build.rs`) sends.
pub fn query_pairs(params: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Value::Object(map) = params {
        for (k, v) in map {
            flatten_into(k, v, &mut out);
        }
    }
    out
}

fn flatten_into(key: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Null => {}
        Value::Bool(b) => out.push((key.to_string(), b.to_string())),
        Value::Number(n) => out.push((key.to_string(), n.to_string())),
        Value::String(s) => out.push((key.to_string(), s.clone())),
        Value::Array(items) if JSON_ARRAY_PARAMS.contains(&key) => {
            out.push((key.to_string(), json_array_string(items)));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten_into(&format!("{key}.{}", i + 1), item, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                flatten_into(&format!("{key}.{k}"), v, out);
            }
        }
    }
}

/// `["d-1","d-2"]`: the JSON-array-string form ECS reads for `DiskIds` and the like.
pub fn json_array_string<T: Serialize>(items: &[T]) -> String {
    // Serializing strings and numbers cannot fail.
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

/// Serializes a typed request and flattens it with [`query_pairs`].
pub fn to_query_pairs<T: Serialize>(request: &T) -> Vec<(String, String)> {
    match serde_json::to_value(request) {
        Ok(v) => query_pairs(&v),
        Err(_) => Vec::new(),
    }
}

// ---------------------------------------------------------------- DescribeInstances

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeInstancesRequest {
    /// Left out, the request builder fills it from the profile's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InstanceStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<Vec<Tag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeInstancesResponse {
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub total_count: Option<u64>,
    #[serde(default)]
    pub next_token: Option<String>,
    #[serde(default)]
    pub instances: Instances,
}

/// `Instances` wrapper: `{"Instance": [...]}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Instances {
    #[serde(rename = "Instance", default)]
    pub instance: Vec<Instance>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Instance {
    pub instance_id: String,
    #[serde(default)]
    pub instance_name: Option<String>,
    pub status: InstanceStatus,
    #[serde(default)]
    pub region_id: Option<String>,
    #[serde(default)]
    pub zone_id: Option<String>,
    #[serde(default)]
    pub instance_type: Option<String>,
    #[serde(default)]
    pub creation_time: Option<String>,
    #[serde(default)]
    pub expired_time: Option<String>,
    #[serde(default)]
    pub operation_locks: InstanceOperationLocks,
}

impl Instance {
    /// True when `OperationLocks` holds a `security` lock: ECS refuses every operation.
    pub fn locked_for_security(&self) -> bool {
        holds(&self.operation_locks.lock_reason, &LockReason::Security)
    }

    /// True when `OperationLocks` holds a `financial` lock: the instance expired or the
    /// account is in arrears (`InstanceExpiredOrInArrears`).
    pub fn locked_for_payment(&self) -> bool {
        holds(&self.operation_locks.lock_reason, &LockReason::Financial)
    }
}

fn holds(locks: &[OperationLock], reason: &LockReason) -> bool {
    locks.iter().any(|l| &l.lock_reason == reason)
}

/// An instance's `OperationLocks`: `{"LockReason": [{"LockReason": "security"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InstanceOperationLocks {
    #[serde(rename = "LockReason", default)]
    pub lock_reason: Vec<OperationLock>,
}

/// One operation lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OperationLock {
    pub lock_reason: LockReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_msg: Option<String>,
}

// ---------------------------------------------------------------- DescribeDisks

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDisksRequest {
    /// Left out, the request builder fills it from the profile's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// `all`, `system` or `data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DiskStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<Vec<Tag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDisksResponse {
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub total_count: Option<u64>,
    #[serde(default)]
    pub next_token: Option<String>,
    #[serde(default)]
    pub disks: Disks,
}

/// `Disks` wrapper: `{"Disk": [...]}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Disks {
    #[serde(rename = "Disk", default)]
    pub disk: Vec<Disk>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Disk {
    pub disk_id: String,
    #[serde(default)]
    pub disk_name: Option<String>,
    /// Empty when the disk is not attached.
    #[serde(default)]
    pub instance_id: Option<String>,
    /// `system` or `data`.
    #[serde(default, rename = "Type")]
    pub disk_type: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    pub status: DiskStatus,
    /// GiB.
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub source_snapshot_id: Option<String>,
    #[serde(default)]
    pub device: Option<String>,
    #[serde(default)]
    pub encrypted: Option<bool>,
    #[serde(default)]
    pub creation_time: Option<String>,
    #[serde(default)]
    pub operation_locks: DiskOperationLocks,
}

impl Disk {
    /// True when `OperationLocks` holds a `security` lock: ECS refuses every operation.
    pub fn locked_for_security(&self) -> bool {
        holds(&self.operation_locks.operation_lock, &LockReason::Security)
    }

    /// The instance the disk is attached to (`InstanceId` is empty when it is not).
    pub fn attached_to(&self) -> Option<&str> {
        self.instance_id.as_deref().filter(|i| !i.is_empty())
    }
}

/// A disk's `OperationLocks`: `{"OperationLock": [{"LockReason": "…"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DiskOperationLocks {
    #[serde(rename = "OperationLock", default)]
    pub operation_lock: Vec<OperationLock>,
}

// ---------------------------------------------------------------- DescribeSnapshots

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeSnapshotsRequest {
    /// Left out, the request builder fills it from the profile's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_ids: Option<Vec<String>>,
    /// `auto`, `user` or `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_type: Option<String>,
    /// `system` or `data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_disk_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<Vec<Tag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeSnapshotsResponse {
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub total_count: Option<u64>,
    #[serde(default)]
    pub next_token: Option<String>,
    #[serde(default)]
    pub snapshots: Snapshots,
}

/// `Snapshots` wrapper: `{"Snapshot": [...]}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Snapshots {
    #[serde(rename = "Snapshot", default)]
    pub snapshot: Vec<Snapshot>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Snapshot {
    pub snapshot_id: String,
    #[serde(default)]
    pub snapshot_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub source_disk_id: Option<String>,
    /// `system` or `data` (ECS has sent both cases over the years).
    #[serde(default)]
    pub source_disk_type: Option<String>,
    /// GiB. ECS sends it as a string; numbers are accepted too.
    #[serde(default, deserialize_with = "lenient_string")]
    pub source_disk_size: Option<String>,
    pub status: SnapshotStatus,
    /// e.g. `"100%"`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub progress: Option<String>,
    #[serde(default)]
    pub creation_time: Option<String>,
    #[serde(default)]
    pub available: Option<bool>,
    #[serde(default)]
    pub retention_days: Option<u32>,
}

impl Snapshot {
    /// `Progress` as a number (`"87%"` → 87).
    pub fn progress_percent(&self) -> Option<u8> {
        let p = self
            .progress
            .as_deref()?
            .trim()
            .trim_end_matches('%')
            .trim();
        p.parse::<u8>().ok().filter(|v| *v <= 100)
    }
}

// ---------------------------------------------------------------- ResetDisk

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResetDiskRequest {
    pub disk_id: String,
    pub snapshot_id: String,
    /// When true ECS only checks the request: a passing check answers HTTP 400
    /// `DryRunOperation` (see [`crate::error::CloudError::is_dry_run_pass`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

/// The answer of actions that return only a `RequestId`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RequestIdResponse {
    #[serde(default)]
    pub request_id: String,
}

pub type ResetDiskResponse = RequestIdResponse;

// ---------------------------------------------------------------- CreateSnapshot

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateSnapshotRequest {
    pub disk_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group_id: Option<String>,
    /// `Tag.N.Key`/`Tag.N.Value`, N from 1 to 20.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateSnapshotResponse {
    #[serde(default)]
    pub request_id: String,
    pub snapshot_id: String,
}

// ---------------------------------------------------------- StopInstance / StartInstance

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StopInstanceRequest {
    pub instance_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_stop: Option<bool>,
    /// `StopCharging` or `KeepCharging`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

pub type StopInstanceResponse = RequestIdResponse;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartInstanceRequest {
    pub instance_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

pub type StartInstanceResponse = RequestIdResponse;

/// Accepts a string or a number (ECS sends some sizes as strings).
fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(other) => Some(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn create_snapshot_flattens_tags_one_based() {
        let req = CreateSnapshotRequest {
            disk_id: "d-bp1s5fnvk4gn2tws0".into(),
            snapshot_name: Some("testSnapshotName".into()),
            retention_days: Some(30),
            tag: vec![
                Tag {
                    key: "TestKey".into(),
                    value: Some("TestValue".into()),
                },
                Tag {
                    key: "owner".into(),
                    value: None,
                },
            ],
            ..Default::default()
        };
        let mut q = to_query_pairs(&req);
        q.sort();
        assert_eq!(
            q,
            pairs(&[
                ("DiskId", "d-bp1s5fnvk4gn2tws0"),
                ("RetentionDays", "30"),
                ("SnapshotName", "testSnapshotName"),
                ("Tag.1.Key", "TestKey"),
                ("Tag.1.Value", "TestValue"),
                ("Tag.2.Key", "owner"),
            ])
        );
    }

    #[test]
    fn id_lists_become_json_array_strings_and_flags_words() {
        let req = DescribeDisksRequest {
            region_id: Some("cn-hangzhou".into()),
            disk_ids: Some(vec!["d-1".into(), "d-2".into()]),
            max_results: Some(50),
            ..Default::default()
        };
        let mut q = to_query_pairs(&req);
        q.sort();
        assert_eq!(
            q,
            pairs(&[
                ("DiskIds", r#"["d-1","d-2"]"#),
                ("MaxResults", "50"),
                ("RegionId", "cn-hangzhou")
            ])
        );
        let req = ResetDiskRequest {
            disk_id: "d-1".into(),
            snapshot_id: "s-1".into(),
            dry_run: Some(true),
        };
        let mut q = to_query_pairs(&req);
        q.sort();
        assert_eq!(
            q,
            pairs(&[("DiskId", "d-1"), ("DryRun", "true"), ("SnapshotId", "s-1")])
        );
    }

    #[test]
    fn other_lists_are_repeated_one_based() {
        let mut q =
            query_pairs(&json!({"SecurityGroupIds": ["sg-1", "sg-2"], "InstanceIds": ["i-1"]}));
        q.sort();
        assert_eq!(
            q,
            pairs(&[
                ("InstanceIds", r#"["i-1"]"#),
                ("SecurityGroupIds.1", "sg-1"),
                ("SecurityGroupIds.2", "sg-2"),
            ])
        );
    }

    #[test]
    fn nested_list_responses_parse() {
        let body = json!({
            "RequestId": "473469C7", "TotalCount": 1, "NextToken": "",
            "Instances": {"Instance": [{"InstanceId": "i-bp1", "Status": "Stopped",
                "OperationLocks": {"LockReason": [{"LockReason": "security"}]}}]}
        });
        let r: DescribeInstancesResponse = serde_json::from_value(body).unwrap();
        let i = &r.instances.instance[0];
        assert_eq!(i.status, InstanceStatus::Stopped);
        assert!(i.locked_for_security());

        let body = json!({"RequestId": "x", "Disks": {"Disk": [{"DiskId": "d-1", "Status": "In_use",
            "Type": "system", "Size": 40, "InstanceId": "i-bp1",
            "OperationLocks": {"OperationLock": [{"LockReason": "financial"}]}}]}});
        let r: DescribeDisksResponse = serde_json::from_value(body).unwrap();
        let d = &r.disks.disk[0];
        assert!(d.status.allows_reset());
        assert_eq!(d.disk_type.as_deref(), Some("system"));
        assert_eq!(
            d.operation_locks.operation_lock[0].lock_reason,
            LockReason::Financial
        );

        let body = json!({"RequestId": "x", "Snapshots": {"Snapshot": [
            {"SnapshotId": "s-1", "SourceDiskId": "d-1", "SourceDiskSize": "40", "Status": "accomplished",
             "Progress": "100%", "Available": true, "RetentionDays": 30},
            {"SnapshotId": "s-2", "SourceDiskSize": 40, "Status": "archiving", "Progress": "87%"}
        ]}});
        let r: DescribeSnapshotsResponse = serde_json::from_value(body).unwrap();
        let s = &r.snapshots.snapshot;
        assert_eq!(s[0].status, SnapshotStatus::Accomplished);
        assert_eq!(s[0].progress_percent(), Some(100));
        assert_eq!(s[1].source_disk_size.as_deref(), Some("40"));
        assert_eq!(s[1].status, SnapshotStatus::Other("archiving".into()));
        assert_eq!(s[1].progress_percent(), Some(87));
    }

    #[test]
    fn states_and_rows_carry_their_rules() {
        assert!(
            InstanceStatus::Stopped.allows_reset_disk()
                && !InstanceStatus::Running.allows_reset_disk()
        );
        assert!(
            InstanceStatus::Running.allows_snapshot() && !InstanceStatus::Pending.allows_snapshot()
        );
        assert!(InstanceStatus::Running.allows_stop() && InstanceStatus::Stopped.allows_start());
        assert!(
            SnapshotStatus::Accomplished.allows_reset() && !SnapshotStatus::Failed.allows_reset()
        );
        assert!(SnapshotStatus::Progressing.in_progress());
        let i: Instance = serde_json::from_value(json!({"InstanceId": "i-1", "Status": "Stopped",
            "OperationLocks": {"LockReason": [{"LockReason": "financial"}]}}))
        .unwrap();
        assert!(i.locked_for_payment() && !i.locked_for_security());
        let d: Disk = serde_json::from_value(
            json!({"DiskId": "d-1", "Status": "Available", "InstanceId": "",
            "OperationLocks": {"OperationLock": [{"LockReason": "security"}]}}),
        )
        .unwrap();
        assert!(d.locked_for_security());
        assert_eq!(d.attached_to(), None);
    }

    #[test]
    fn empty_lists_may_be_missing() {
        let r: DescribeDisksResponse = serde_json::from_value(json!({"RequestId": "x"})).unwrap();
        assert!(r.disks.disk.is_empty());
        let r: DescribeDisksResponse =
            serde_json::from_value(json!({"RequestId": "x", "Disks": {"Disk": []}})).unwrap();
        assert!(r.disks.disk.is_empty());
    }
}
