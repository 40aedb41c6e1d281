//! One valid parameter set per action, using every kind of field the action takes
//! (lists, tags, numbers, booleans): what the relay's parity tests send, and a starting
//! point for a person trying `rewind sign`.

use crate::action::Action;
use serde_json::{Value, json};

/// Valid parameters for `action`, in the provider's own field names.
pub fn params(action: Action) -> Value {
    match action {
        Action::LhDescribeInstances => json!({
            "Filters": [{"Name": "instance-state", "Values": ["RUNNING", "STOPPED"]}],
            "Offset": 0, "Limit": 20
        }),
        Action::LhDescribeSnapshots => json!({"SnapshotIds": ["lhsnap-nv6aqcv6"], "Limit": 5}),
        Action::LhApplyInstanceSnapshot => {
            json!({"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-nv6aqcv6"})
        }
        Action::LhCreateInstanceSnapshot => json!({
            "InstanceId": "lhins-k31c771o", "SnapshotName": "before upgrade",
            "Tags": [{"Key": "team", "Value": "web"}]
        }),
        Action::LhStopInstances => json!({"InstanceIds": ["lhins-k31c771o"]}),
        Action::LhStartInstances => json!({"InstanceIds": ["lhins-k31c771o"]}),
        Action::EcsDescribeInstances => json!({
            "RegionId": "cn-hangzhou", "InstanceIds": ["i-bp67acfmxazb4ph"],
            "Tag": [{"Key": "team", "Value": "web"}], "MaxResults": 10
        }),
        Action::EcsDescribeDisks => json!({
            "RegionId": "cn-hangzhou", "DiskIds": ["d-bp199lyny9b3xxxx", "d-bp199lyny9b3yyyy"],
            "DiskType": "system", "MaxResults": 50
        }),
        Action::EcsDescribeSnapshots => json!({
            "RegionId": "cn-hangzhou", "DiskId": "d-bp199lyny9b3xxxx", "Status": "accomplished",
            "MaxResults": 100
        }),
        Action::EcsResetDisk => json!({
            "DiskId": "d-bp199lyny9b3xxxx", "SnapshotId": "s-bp199lyny9b3xxxx", "DryRun": false
        }),
        Action::EcsCreateSnapshot => json!({
            "DiskId": "d-bp199lyny9b3xxxx", "SnapshotName": "before-upgrade",
            "Description": "[prod] taken by Rewind", "RetentionDays": 7,
            "ClientToken": "0f6c3c1e-8f1c-4a55-9d1e-5b0a9a1f2c3d",
            "Tag": [{"Key": "rewind", "Value": "safety"}, {"Key": "team", "Value": "web"}]
        }),
        Action::EcsStopInstance => json!({
            "InstanceId": "i-bp67acfmxazb4ph", "ForceStop": true, "StoppedMode": "KeepCharging"
        }),
        Action::EcsStartInstance => json!({"InstanceId": "i-bp67acfmxazb4ph"}),
        Action::WsListDesktopSnapshot => json!({
            "desktop_ids": ["1792d3eb-35c6-4e99-8381-abfc8e02126b", "2792d3eb-35c6-4e99-8381-abfc8e02126b"],
            "status": "create_success", "limit": 10
        }),
        Action::WsBatchRestoreDesktopSnapshot => {
            json!({"snapshot_ids": ["1792d3eb-35c6-4e99-8381-abfc8e02126b"]})
        }
        Action::WsShowJob => json!({"job_id": "1792d3eb-35c6-4e99-8381-abfc8e02126b"}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{ValidateOptions, validate_params};

    #[test]
    fn every_example_is_valid_and_kept_as_given() {
        for &a in Action::ALL {
            let v = validate_params(a, &params(a), &ValidateOptions::default())
                .unwrap_or_else(|e| panic!("{a}: {e:?}"));
            assert_eq!(v.params, params(a), "{a}");
        }
    }
}
