//! Tencent Cloud Lighthouse (API 2020-03-24): typed requests and responses for the
//! actions Rewind calls, with the provider's exact (PascalCase) field names.
//!
//! Requests serialize to the JSON body Lighthouse expects; responses parse the inner
//! object of the `{"Response": {…}}` envelope (see [`Envelope`]). Unknown response
//! fields are ignored and state values this version does not know land in `Other`.

use serde::{Deserialize, Serialize};

/// A value of one of the providers' enumerations (a state, a stop type): its spelling
/// and, for states, the name the Chinese console shows. Implemented by every enum the
/// three provider modules declare with `provider_enum!`.
pub trait ProviderValue {
    /// The provider's spelling (`RUNNING`, `In_use`, `create_success`).
    fn as_str(&self) -> &str;
    /// The Chinese name of the value ("运行中"), when it has one.
    fn zh(&self) -> Option<&'static str>;
}

/// Declares a provider state enum that round-trips the provider's spelling and keeps
/// any value it does not know in `Other`, so a new state never breaks parsing. A
/// variant may carry its Chinese name: `Running = "RUNNING" / "运行中"`.
/// Shared by the three provider modules.
macro_rules! provider_enum {
    (@zh) => { None };
    (@zh $zh:literal) => { Some($zh) };
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $s:literal $(/ $zh:literal)? ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of Rewind does not know (kept verbatim).
            Other(String),
        }

        impl $name {
            /// Every value this version knows, in the provider's spelling.
            pub const KNOWN: &'static [&'static str] = &[ $( $s, )* ];

            /// The provider's spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $s, )*
                    $name::Other(s) => s.as_str(),
                }
            }

            /// Parses the provider's spelling; anything else becomes `Other`.
            pub fn parse(s: &str) -> $name {
                match s {
                    $( $s => $name::$variant, )*
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl $crate::tencent::ProviderValue for $name {
            fn as_str(&self) -> &str {
                $name::as_str(self)
            }

            fn zh(&self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => provider_enum!(@zh $($zh)?), )*
                    $name::Other(_) => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                $name::parse(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                Ok($name::parse(&s))
            }
        }
    };
}
pub(crate) use provider_enum;

/// The `{"Response": {…}}` envelope every Tencent Cloud API 3.0 answer comes in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    #[serde(rename = "Response")]
    pub response: T,
}

impl<T> Envelope<T> {
    pub fn new(response: T) -> Envelope<T> {
        Envelope { response }
    }
}

provider_enum! {
    /// `InstanceState` of a Lighthouse instance.
    InstanceState {
        Pending = "PENDING" / "创建中",
        LaunchFailed = "LAUNCH_FAILED" / "创建失败",
        Running = "RUNNING" / "运行中",
        Stopped = "STOPPED" / "已关机",
        Starting = "STARTING" / "开机中",
        Stopping = "STOPPING" / "关机中",
        Rebooting = "REBOOTING" / "重启中",
        Shutdown = "SHUTDOWN" / "停止待销毁",
        Terminating = "TERMINATING" / "销毁中",
        Deleting = "DELETING" / "删除中",
        Freezing = "FREEZING" / "冻结中",
        EnterRescueMode = "ENTER_RESCUE_MODE" / "进入救援模式中",
        RescueMode = "RESCUE_MODE" / "救援模式",
        ExitRescueMode = "EXIT_RESCUE_MODE" / "退出救援模式中",
    }
}

impl InstanceState {
    /// ApplyInstanceSnapshot accepts only STOPPED or RUNNING instances (a RUNNING one is
    /// forcibly shut down first, see [`InstanceState::shut_down_by_rollback`]).
    pub fn allows_rollback(&self) -> bool {
        matches!(self, InstanceState::Stopped | InstanceState::Running)
    }

    /// A rollback forcibly shuts a RUNNING instance down before it restores the disk.
    pub fn shut_down_by_rollback(&self) -> bool {
        matches!(self, InstanceState::Running)
    }

    /// CreateInstanceSnapshot accepts only STOPPED or RUNNING instances.
    pub fn allows_snapshot(&self) -> bool {
        matches!(self, InstanceState::Stopped | InstanceState::Running)
    }
}

provider_enum! {
    /// `SnapshotState` of a Lighthouse snapshot.
    SnapshotState {
        Normal = "NORMAL" / "正常",
        Creating = "CREATING" / "创建中",
        Rollbacking = "ROLLBACKING" / "回滚中",
    }
}

impl SnapshotState {
    /// Only NORMAL snapshots can be rolled back to.
    pub fn allows_rollback(&self) -> bool {
        matches!(self, SnapshotState::Normal)
    }

    /// Being created or rolled back: an instance takes one snapshot operation at a time.
    pub fn in_progress(&self) -> bool {
        matches!(self, SnapshotState::Creating | SnapshotState::Rollbacking)
    }
}

provider_enum! {
    /// `LatestOperationState` of an instance or snapshot.
    OperationState {
        Success = "SUCCESS" / "成功",
        Operating = "OPERATING" / "进行中",
        Failed = "FAILED" / "失败",
    }
}

impl OperationState {
    /// The operation is still running: the instance accepts no other until it ends.
    pub fn in_progress(&self) -> bool {
        matches!(self, OperationState::Operating)
    }
}

provider_enum! {
    /// `StopType` of StopInstances.
    StopType {
        Soft = "SOFT",
        Hard = "HARD",
        SoftFirst = "SOFT_FIRST",
    }
}

/// A `Filters` entry of the Describe actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Filter {
    pub name: String,
    pub values: Vec<String>,
}

/// A tag (`Tags[]` of CreateInstanceSnapshot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

// ---------------------------------------------------------------- DescribeInstances

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeInstancesRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<Filter>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// `EXPIRED_TIME`; required when `order` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_field: Option<String>,
    /// `ASC` or `DESC`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeInstancesResponse {
    #[serde(default)]
    pub total_count: u64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub instance_set: Vec<Instance>,
    #[serde(default)]
    pub request_id: String,
}

/// One entry of `InstanceSet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Instance {
    pub instance_id: String,
    #[serde(default)]
    pub instance_name: Option<String>,
    pub instance_state: InstanceState,
    #[serde(default)]
    pub zone: Option<String>,
    #[serde(default)]
    pub bundle_id: Option<String>,
    #[serde(default)]
    pub blueprint_id: Option<String>,
    #[serde(default, rename = "CPU")]
    pub cpu: Option<u32>,
    #[serde(default)]
    pub memory: Option<u32>,
    #[serde(default)]
    pub system_disk: Option<SystemDisk>,
    #[serde(default)]
    pub private_addresses: Option<Vec<String>>,
    #[serde(default)]
    pub public_addresses: Option<Vec<String>>,
    #[serde(default)]
    pub latest_operation: Option<String>,
    #[serde(default)]
    pub latest_operation_state: Option<OperationState>,
    #[serde(default)]
    pub latest_operation_request_id: Option<String>,
    #[serde(default)]
    pub latest_operation_started_time: Option<String>,
    #[serde(default)]
    pub created_time: Option<String>,
    #[serde(default)]
    pub expired_time: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<Tag>>,
}

/// `SystemDisk` of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SystemDisk {
    #[serde(default)]
    pub disk_type: Option<String>,
    /// GB.
    #[serde(default, deserialize_with = "lenient_number")]
    pub disk_size: Option<u64>,
    #[serde(default)]
    pub disk_id: Option<String>,
}

// ---------------------------------------------------------------- DescribeSnapshots

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeSnapshotsRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<Filter>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeSnapshotsResponse {
    #[serde(default)]
    pub total_count: u64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub snapshot_set: Vec<Snapshot>,
    #[serde(default)]
    pub request_id: String,
}

/// One entry of `SnapshotSet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Snapshot {
    pub snapshot_id: String,
    #[serde(default)]
    pub snapshot_name: Option<String>,
    pub snapshot_state: SnapshotState,
    #[serde(default)]
    pub disk_id: Option<String>,
    /// `SYSTEM_DISK` for the snapshots Lighthouse can roll back.
    #[serde(default)]
    pub disk_usage: Option<String>,
    /// GB.
    #[serde(default, deserialize_with = "lenient_number")]
    pub disk_size: Option<u64>,
    /// Creation or rollback progress, 0–100.
    #[serde(default, deserialize_with = "lenient_number")]
    pub percent: Option<u32>,
    /// `CreateInstanceSnapshot` or `RollbackInstanceSnapshot`.
    #[serde(default)]
    pub latest_operation: Option<String>,
    #[serde(default)]
    pub latest_operation_state: Option<OperationState>,
    #[serde(default)]
    pub latest_operation_request_id: Option<String>,
    #[serde(default)]
    pub created_time: Option<String>,
}

// ------------------------------------------------------------ ApplyInstanceSnapshot

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApplyInstanceSnapshotRequest {
    pub instance_id: String,
    pub snapshot_id: String,
}

/// The answer of actions that return only a `RequestId` (ApplyInstanceSnapshot,
/// StopInstances, StartInstances).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RequestIdResponse {
    #[serde(default)]
    pub request_id: String,
}

pub type ApplyInstanceSnapshotResponse = RequestIdResponse;

// ----------------------------------------------------------- CreateInstanceSnapshot

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateInstanceSnapshotRequest {
    pub instance_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateInstanceSnapshotResponse {
    pub snapshot_id: String,
    #[serde(default)]
    pub request_id: String,
}

// ------------------------------------------------------- StopInstances / StartInstances

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StopInstancesRequest {
    pub instance_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_type: Option<StopType>,
}

pub type StopInstancesResponse = RequestIdResponse;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartInstancesRequest {
    pub instance_ids: Vec<String>,
}

pub type StartInstancesResponse = RequestIdResponse;

/// Lighthouse sends `null` for some empty lists; treat it as empty.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A count or size the provider may also send as a numeric string (`"50"`, `"87%"`);
/// anything else (null, a word, a negative number) reads as absent. Shared by the three
/// provider modules.
pub(crate) fn lenient_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u64>,
{
    let n = match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().trim_end_matches('%').trim().parse().ok(),
        _ => None,
    };
    Ok(n.and_then(|v| T::try_from(v).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn describe_snapshots_parses_the_documented_shape_and_tolerates_new_values() {
        let body = json!({"Response": {
            "TotalCount": 2,
            "SnapshotSet": [
                {"SnapshotId": "lhsnap-nv6aqcv6", "SnapshotName": "before-upgrade",
                 "SnapshotState": "NORMAL", "DiskId": "lhdisk-abcd1234", "DiskUsage": "SYSTEM_DISK",
                 "DiskSize": 50, "Percent": 100, "LatestOperation": "CreateInstanceSnapshot",
                 "LatestOperationState": "SUCCESS", "LatestOperationRequestId": "r-1",
                 "CreatedTime": "2020-09-03T10:00:00Z", "SomethingNew": {"x": 1}},
                {"SnapshotId": "lhsnap-00000001", "SnapshotState": "ARCHIVED", "SnapshotName": null}
            ],
            "RequestId": "96aee6e3-172c-4f0f-be7c-fc46b9865763"
        }});
        let env: Envelope<DescribeSnapshotsResponse> = serde_json::from_value(body).unwrap();
        let r = env.response;
        assert_eq!(r.total_count, 2);
        assert_eq!(r.snapshot_set[0].snapshot_state, SnapshotState::Normal);
        assert!(r.snapshot_set[0].snapshot_state.allows_rollback());
        assert_eq!(
            r.snapshot_set[0].latest_operation_state,
            Some(OperationState::Success)
        );
        assert_eq!(
            r.snapshot_set[1].snapshot_state,
            SnapshotState::Other("ARCHIVED".into())
        );
        assert_eq!(r.snapshot_set[1].snapshot_state.as_str(), "ARCHIVED");
        assert_eq!(r.request_id, "96aee6e3-172c-4f0f-be7c-fc46b9865763");
    }

    #[test]
    fn describe_instances_parses_states_and_system_disk() {
        let body = json!({"Response": {"TotalCount": 1, "InstanceSet": [{
            "InstanceId": "lhins-k31c771o", "InstanceName": "web", "InstanceState": "STOPPED",
            "Zone": "ap-guangzhou-3", "CPU": 2, "Memory": 4,
            "SystemDisk": {"DiskType": "CLOUD_SSD", "DiskSize": 50, "DiskId": "lhdisk-k31c771o"},
            "LatestOperation": "StopInstances", "LatestOperationState": "SUCCESS",
            "PrivateAddresses": ["10.0.0.2"], "PublicAddresses": null
        }], "RequestId": "r"}});
        let env: Envelope<DescribeInstancesResponse> = serde_json::from_value(body).unwrap();
        let i = &env.response.instance_set[0];
        assert_eq!(i.instance_state, InstanceState::Stopped);
        assert!(i.instance_state.allows_rollback());
        assert_eq!(i.cpu, Some(2));
        assert_eq!(i.system_disk.as_ref().and_then(|d| d.disk_size), Some(50));
        assert_eq!(i.public_addresses, None);
    }

    #[test]
    fn requests_serialize_with_provider_field_names_and_skip_absent_fields() {
        let req = CreateInstanceSnapshotRequest {
            instance_id: "lhins-k31c771o".into(),
            snapshot_name: Some("snap_20200903".into()),
            tags: Some(vec![Tag {
                key: "env".into(),
                value: "prod".into(),
            }]),
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"InstanceId": "lhins-k31c771o", "SnapshotName": "snap_20200903",
                   "Tags": [{"Key": "env", "Value": "prod"}]})
        );
        let req = StopInstancesRequest {
            instance_ids: vec!["lhins-k31c771o".into()],
            stop_type: Some(StopType::SoftFirst),
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"InstanceIds": ["lhins-k31c771o"], "StopType": "SOFT_FIRST"})
        );
        let req = DescribeSnapshotsRequest {
            filters: Some(vec![Filter {
                name: "instance-id".into(),
                values: vec!["lhins-k31c771o".into()],
            }]),
            limit: Some(100),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"Filters": [{"Name": "instance-id", "Values": ["lhins-k31c771o"]}], "Limit": 100})
        );
    }

    #[test]
    fn states_carry_their_rules_and_chinese_names() {
        assert!(
            InstanceState::Running.allows_rollback()
                && InstanceState::Running.shut_down_by_rollback()
        );
        assert!(
            InstanceState::Stopped.allows_snapshot()
                && !InstanceState::Stopped.shut_down_by_rollback()
        );
        assert!(
            !InstanceState::Pending.allows_rollback()
                && !InstanceState::parse("NEW").allows_snapshot()
        );
        assert!(SnapshotState::Rollbacking.in_progress() && !SnapshotState::Normal.in_progress());
        assert!(OperationState::Operating.in_progress() && !OperationState::Failed.in_progress());
        assert_eq!(ProviderValue::zh(&InstanceState::Stopped), Some("已关机"));
        assert_eq!(ProviderValue::zh(&SnapshotState::Creating), Some("创建中"));
        assert_eq!(ProviderValue::zh(&InstanceState::Other("NEW".into())), None);
        // Enums without Chinese names (a stop type) have none.
        assert_eq!(ProviderValue::zh(&StopType::Soft), None);
        assert_eq!(ProviderValue::as_str(&StopType::Soft), "SOFT");
    }

    #[test]
    fn sizes_may_arrive_as_numeric_strings() {
        let body = json!({"SnapshotId": "lhsnap-1", "SnapshotState": "CREATING", "DiskSize": "50",
                          "Percent": "40%"});
        let s: Snapshot = serde_json::from_value(body).unwrap();
        assert_eq!((s.disk_size, s.percent), (Some(50), Some(40)));
        let s: Snapshot = serde_json::from_value(
            json!({"SnapshotId": "x", "SnapshotState": "NORMAL", "Percent": "soon"}),
        )
        .unwrap();
        assert_eq!(s.percent, None);
    }

    #[test]
    fn create_snapshot_response_round_trips() {
        let body = json!({"Response": {"SnapshotId": "lhsnap-nv6aqcv6", "RequestId": "0580622c"}});
        let env: Envelope<CreateInstanceSnapshotResponse> =
            serde_json::from_value(body.clone()).unwrap();
        assert_eq!(env.response.snapshot_id, "lhsnap-nv6aqcv6");
        assert_eq!(serde_json::to_value(&env).unwrap(), body);
    }
}
