//! Behaviour the forms rely on: lookalikes, one field at a time, pasted lists, wire form, key order, JSON round trips.

use super::*;

#[test]
fn lookalikes_are_named_in_the_message() {
    let e = validate_id(IdKind::LhSnapshot, "lhsnap-nv6аqcv6", &strict()).unwrap_err();
    assert_eq!(e.code, codes::ID_UNICODE);
    assert!(
        e.message.en.contains("U+0430") && e.message.en.contains("looks like 'a'"),
        "{}",
        e.message.en
    );
    assert!(e.message.zh.contains("U+0430"), "{}", e.message.zh);
    let e = validate_id(IdKind::LhInstance, "lhins-k31c77１o", &strict()).unwrap_err();
    assert!(e.message.en.contains("looks like '1'"), "{}", e.message.en);
    let e = validate_id(IdKind::LhInstance, "lhins-k31c\u{200b}771o", &strict()).unwrap_err();
    assert!(e.message.en.contains("invisible"), "{}", e.message.en);
    let e = validate_id(IdKind::LhInstance, "LHINS-K31C771O", &strict()).unwrap_err();
    assert_eq!(e.code, codes::ID_PREFIX);
    assert!(e.message.en.contains("lower-case"), "{}", e.message.en);
}

#[test]
fn validate_field_checks_one_field_as_typed() {
    let (v, w) = validate_field(
        Action::LhCreateInstanceSnapshot,
        "SnapshotName",
        &json!(" nightly "),
        &strict(),
    )
    .unwrap();
    assert_eq!(v, Some(json!("nightly")));
    assert_eq!(w[0].code, codes::TRIMMED);
    let errs = validate_field(
        Action::LhCreateInstanceSnapshot,
        "InstanceId",
        &Value::Null,
        &strict(),
    )
    .unwrap_err();
    assert_eq!(errs[0].code, codes::REQUIRED);
    let errs = validate_field(
        Action::LhCreateInstanceSnapshot,
        "Nope",
        &json!(1),
        &strict(),
    )
    .unwrap_err();
    assert_eq!(errs[0].code, codes::UNKNOWN);
}

#[test]
fn pasted_id_lists_give_one_result_per_entry() {
    let text = "1792d3eb-35c6-4e99-8381-abfc8e02126b\r\n\n  2792d3eb-35c6-4e99-8381-abfc8e02126b  \nbad id\n1792d3eb-35c6-4e99-8381-abfc8e02126b, 3a\n";
    let lines = parse_id_list(IdKind::WsSnapshot, text, &strict());
    assert_eq!(lines.len(), 5, "{lines:#?}");
    assert_eq!(lines[0].line, 1);
    assert!(lines[0].result.is_ok());
    assert_eq!(lines[1].line, 3);
    assert_eq!(
        lines[1].result.as_deref(),
        Ok("2792d3eb-35c6-4e99-8381-abfc8e02126b")
    );
    assert_eq!(lines[1].warnings[0].code, codes::TRIMMED);
    let bad = lines[2].result.as_ref().unwrap_err();
    assert_eq!(
        (bad.field.as_str(), bad.code),
        ("line 4", codes::ID_WHITESPACE)
    );
    let dup = lines[3].result.as_ref().unwrap_err();
    assert_eq!(dup.code, codes::DUPLICATE);
    assert!(dup.message.en.contains("line 1"), "{}", dup.message.en);
    assert_eq!(lines[4].result.as_deref(), Ok("3a"));
    assert_eq!(
        valid_ids(&lines),
        vec![
            "1792d3eb-35c6-4e99-8381-abfc8e02126b",
            "2792d3eb-35c6-4e99-8381-abfc8e02126b",
            "3a"
        ]
    );
}

#[test]
fn validated_ecs_params_flatten_to_the_wire_form() {
    let v = validate_params(
        Action::EcsDescribeDisks,
        &json!({"RegionId": "cn-hangzhou", "DiskIds": [" d-1", "d-2"]}),
        &strict(),
    )
    .unwrap();
    let mut q = rewind_cloud::alibaba::query_pairs(&v.params);
    q.sort();
    assert_eq!(
        q,
        vec![
            ("DiskIds".to_string(), r#"["d-1","d-2"]"#.to_string()),
            ("RegionId".to_string(), "cn-hangzhou".to_string())
        ]
    );
}

#[test]
fn every_action_accepts_its_minimal_valid_params() {
    let minimal = |a: Action| match a {
        Action::LhDescribeInstances
        | Action::LhDescribeSnapshots
        | Action::WsListDesktopSnapshot => json!({}),
        Action::LhApplyInstanceSnapshot => {
            json!({"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-nv6aqcv6"})
        }
        Action::LhCreateInstanceSnapshot => json!({"InstanceId": "lhins-k31c771o"}),
        Action::LhStopInstances | Action::LhStartInstances => {
            json!({"InstanceIds": ["lhins-k31c771o"]})
        }
        Action::EcsDescribeInstances | Action::EcsDescribeDisks | Action::EcsDescribeSnapshots => {
            json!({"RegionId": "cn-hangzhou"})
        }
        Action::EcsResetDisk => json!({"DiskId": "d-1", "SnapshotId": "s-1"}),
        Action::EcsCreateSnapshot => json!({"DiskId": "d-1"}),
        Action::EcsStopInstance | Action::EcsStartInstance => json!({"InstanceId": "i-1"}),
        Action::WsBatchRestoreDesktopSnapshot => json!({"snapshot_ids": ["a"]}),
        Action::WsShowJob => json!({"job_id": "j"}),
    };
    for &a in Action::ALL {
        let p = minimal(a);
        let v = validate_params(a, &p, &strict()).unwrap_or_else(|e| panic!("{a}: {e:#?}"));
        assert_eq!(v.params, p, "{a}");
    }
}

#[test]
fn the_callers_key_order_is_kept_and_region_may_come_from_the_profile() {
    let v = validate_params(
        Action::LhDescribeSnapshots,
        &json!({"Limit": 10, "Offset": 0, "SnapshotIds": ["lhsnap-nv6aqcv6"]}),
        &strict(),
    )
    .unwrap();
    let keys: Vec<&String> = v.params.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["Limit", "Offset", "SnapshotIds"]);
    assert!(
        validate_params(
            Action::EcsDescribeDisks,
            &json!({"DiskIds": ["d-1"]}),
            &strict()
        )
        .is_ok()
    );
}

#[test]
fn field_errors_round_trip_through_json() {
    let errs = errors(Action::WsShowJob, json!({"job_id": "a b"}));
    let text = serde_json::to_string(&errs).unwrap();
    let back: Vec<FieldError> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, errs);
    assert_eq!(back[0].code, codes::ID_WHITESPACE);
    let odd: FieldError = serde_json::from_value(
        json!({"field": "x", "code": "from.the.future", "message": {"en": "e", "zh": "z"}}),
    )
    .unwrap();
    assert_eq!(odd.code, codes::FORMAT);
}

#[test]
fn an_empty_optional_list_means_not_given() {
    let v = validate_params(
        Action::LhDescribeInstances,
        &json!({"InstanceIds": [], "Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3"]}]}),
        &strict(),
    )
    .unwrap();
    assert_eq!(
        v.params,
        json!({"Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3"]}]})
    );
    // A required list must still have entries.
    let errs = errors(Action::LhStartInstances, json!({"InstanceIds": []}));
    assert!(has(&errs, "InstanceIds", codes::COUNT));
    // ECS Describe actions take tags too.
    let v = validate_params(
        Action::EcsDescribeDisks,
        &json!({"Tag": [{"Key": "env", "Value": "prod"}], "DiskIds": []}),
        &strict(),
    )
    .unwrap();
    assert_eq!(v.params, json!({"Tag": [{"Key": "env", "Value": "prod"}]}));
}

/// The typed requests and the validator agree on field names and shapes: a typed request
/// serializes to params that validate unchanged.
#[test]
fn typed_requests_validate_unchanged() {
    use rewind_cloud::{alibaba, huawei, tencent};
    fn check<T: serde::Serialize>(action: Action, req: &T) {
        let params = serde_json::to_value(req).unwrap();
        let v = validate_params(action, &params, &ValidateOptions::default())
            .unwrap_or_else(|e| panic!("{action}: {e:#?}"));
        assert_eq!(v.params, params, "{action}");
        assert!(v.warnings.is_empty(), "{action}: {:?}", v.warnings);
    }
    check(
        Action::LhDescribeInstances,
        &tencent::DescribeInstancesRequest {
            filters: Some(vec![tencent::Filter {
                name: "instance-state".into(),
                values: vec!["RUNNING".into()],
            }]),
            offset: Some(0),
            limit: Some(20),
            order_field: Some("EXPIRED_TIME".into()),
            order: Some("ASC".into()),
            ..Default::default()
        },
    );
    check(
        Action::LhDescribeSnapshots,
        &tencent::DescribeSnapshotsRequest {
            snapshot_ids: Some(vec!["lhsnap-nv6aqcv6".into()]),
            ..Default::default()
        },
    );
    check(
        Action::LhApplyInstanceSnapshot,
        &tencent::ApplyInstanceSnapshotRequest {
            instance_id: "lhins-k31c771o".into(),
            snapshot_id: "lhsnap-nv6aqcv6".into(),
        },
    );
    check(
        Action::LhCreateInstanceSnapshot,
        &tencent::CreateInstanceSnapshotRequest {
            instance_id: "lhins-k31c771o".into(),
            snapshot_name: Some("before-upgrade".into()),
            tags: Some(vec![tencent::Tag {
                key: "env".into(),
                value: "prod".into(),
            }]),
        },
    );
    check(
        Action::LhStopInstances,
        &tencent::StopInstancesRequest {
            instance_ids: vec!["lhins-k31c771o".into()],
            stop_type: Some(tencent::StopType::SoftFirst),
        },
    );
    check(
        Action::LhStartInstances,
        &tencent::StartInstancesRequest {
            instance_ids: vec!["lhins-k31c771o".into()],
        },
    );
    check(
        Action::EcsDescribeInstances,
        &alibaba::DescribeInstancesRequest {
            region_id: Some("cn-hangzhou".into()),
            instance_ids: Some(vec!["i-bp67acfmxazb4ph".into()]),
            status: Some(alibaba::InstanceStatus::Stopped),
            max_results: Some(100),
            ..Default::default()
        },
    );
    check(
        Action::EcsDescribeDisks,
        &alibaba::DescribeDisksRequest {
            region_id: Some("cn-hangzhou".into()),
            instance_id: Some("i-bp67acfmxazb4ph".into()),
            disk_type: Some("system".into()),
            status: Some(alibaba::DiskStatus::InUse),
            max_results: Some(50),
            ..Default::default()
        },
    );
    check(
        Action::EcsDescribeSnapshots,
        &alibaba::DescribeSnapshotsRequest {
            disk_id: Some("d-bp199lyny9b3xxxx".into()),
            snapshot_type: Some("user".into()),
            status: Some("accomplished".into()),
            ..Default::default()
        },
    );
    check(
        Action::EcsResetDisk,
        &alibaba::ResetDiskRequest {
            disk_id: "d-bp199lyny9b3xxxx".into(),
            snapshot_id: "s-bp199lyny9b3xxxx".into(),
            dry_run: Some(true),
        },
    );
    check(
        Action::EcsCreateSnapshot,
        &alibaba::CreateSnapshotRequest {
            disk_id: "d-bp199lyny9b3xxxx".into(),
            snapshot_name: Some("beforeUpgrade".into()),
            description: Some("taken by Rewind".into()),
            retention_days: Some(30),
            client_token: Some("123e4567-e89b-12d3-a456-426655440000".into()),
            resource_group_id: Some("rg-bp67acfmxazb4p".into()),
            tag: vec![alibaba::Tag {
                key: "env".into(),
                value: Some("prod".into()),
            }],
        },
    );
    check(
        Action::EcsStopInstance,
        &alibaba::StopInstanceRequest {
            instance_id: "i-bp67acfmxazb4ph".into(),
            force_stop: Some(false),
            stopped_mode: Some("KeepCharging".into()),
            dry_run: None,
        },
    );
    check(
        Action::EcsStartInstance,
        &alibaba::StartInstanceRequest {
            instance_id: "i-bp67acfmxazb4ph".into(),
            dry_run: None,
        },
    );
    check(
        Action::WsListDesktopSnapshot,
        &huawei::ListDesktopSnapshotRequest {
            desktop_ids: Some(vec!["d1".into(), "d2".into()]),
            status: Some(huawei::SnapshotStatus::CreateSuccess),
            sort_field: Some("create_time".into()),
            sort_type: Some("DESC".into()),
            offset: Some(0),
            limit: Some(100),
            ..Default::default()
        },
    );
    check(
        Action::WsBatchRestoreDesktopSnapshot,
        &huawei::BatchRestoreDesktopSnapshotRequest {
            snapshot_ids: vec!["1792d3eb-35c6-4e99-8381-abfc8e02126b".into()],
        },
    );
    check(
        Action::WsShowJob,
        &huawei::ShowJobRequest {
            job_id: "1792d3eb-35c6-4e99-8381-abfc8e02126b".into(),
        },
    );
}
