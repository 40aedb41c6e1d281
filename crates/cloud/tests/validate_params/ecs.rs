//! ECS parameters: ResetDisk, legacy IDs, CreateSnapshot, paging.

use super::*;

#[test]
fn ecs_reset_disk_and_dry_run() {
    let v = validate_params(
        Action::EcsResetDisk,
        &json!({"DiskId": "d-bp199lyny9b3xxxx", "SnapshotId": "s-923FE2BF0", "DryRun": true}),
        &strict(),
    )
    .unwrap();
    assert_eq!(v.params["DryRun"], json!(true));
    assert!(v.warnings.is_empty());
    let errs = errors(
        Action::EcsResetDisk,
        json!({"DiskId": "s-bp199lyny9b3", "SnapshotId": "s-1", "DryRun": "yes"}),
    );
    assert!(has(&errs, "DiskId", codes::ID_PREFIX), "{errs:#?}");
    let prefix = errs.iter().find(|e| e.field == "DiskId").unwrap();
    assert!(
        prefix
            .message
            .en
            .contains("s- is the prefix of a Snapshot ID"),
        "{}",
        prefix.message.en
    );
    assert!(has(&errs, "DryRun", codes::TYPE));
    let errs = errors(Action::EcsResetDisk, json!({}));
    assert!(has(&errs, "DiskId", codes::REQUIRED) && has(&errs, "SnapshotId", codes::REQUIRED));
    let errs = errors(
        Action::EcsResetDisk,
        json!({"DiskId": "d-1", "SnapshotId": "s-1", "RegionId": "cn-hangzhou"}),
    );
    assert!(has(&errs, "RegionId", codes::UNKNOWN));
}

#[test]
fn ecs_legacy_ids_need_the_override_and_warn() {
    let params = json!({"DiskId": "1033-60053321"});
    let errs = errors(Action::EcsCreateSnapshot, params.clone());
    assert!(has(&errs, "DiskId", codes::ID_PREFIX), "{errs:#?}");
    let opts = ValidateOptions {
        allow_legacy_ids: true,
    };
    let v = validate_params(Action::EcsCreateSnapshot, &params, &opts).unwrap();
    assert_eq!(v.params["DiskId"], json!("1033-60053321"));
    assert_eq!(v.warnings.len(), 1);
    assert_eq!(v.warnings[0].code, codes::ID_LEGACY);
    assert!(v.warnings[0].message.en.contains("1033-60053321"));
    // An upper-case variant and an over-long one are legacy shapes too.
    assert!(validate_id(IdKind::EcsDisk, "D-23JBF2V5M", &opts).is_ok());
    assert!(validate_id(IdKind::EcsDisk, &format!("d-{}", "a".repeat(40)), &opts).is_ok());
    // The override never admits a look-alike, whitespace, or another kind's prefix.
    assert!(validate_id(IdKind::EcsDisk, "d-23jbf2v5м", &opts).is_err());
    assert!(validate_id(IdKind::EcsDisk, "d-23jb f2v5m", &opts).is_err());
    assert!(validate_id(IdKind::EcsDisk, "s-23jbf2v5m", &opts).is_err());
    assert!(validate_id(IdKind::EcsDisk, "", &opts).is_err());
}

#[test]
fn ecs_create_snapshot_rules() {
    let good = json!({"DiskId": "d-bp1s5fnvk4gn2tws0", "SnapshotName": "testSnapshotName",
        "Description": "before upgrade", "RetentionDays": 65536, "ClientToken": "123e4567-e89b-12d3-a456-426655440000",
        "ResourceGroupId": "rg-bp67acfmxazb4p", "Tag": [{"Key": "TestKey", "Value": "TestValue"}, {"Key": "owner", "Value": ""}]});
    let v = validate_params(Action::EcsCreateSnapshot, &good, &strict()).unwrap();
    assert_eq!(v.params["Tag"][1], json!({"Key": "owner", "Value": ""}));
    assert!(
        validate_params(
            Action::EcsCreateSnapshot,
            &json!({"DiskId": "d-1", "SnapshotName": "快照一"}),
            &strict()
        )
        .is_ok()
    );

    for (name, code) in [
        ("a", codes::LENGTH),
        ("http://x", codes::FORMAT),
        ("HTTPS://x", codes::FORMAT),
        ("autoBackup", codes::FORMAT),
        ("1abc", codes::FORMAT),
        ("my snapshot", codes::FORMAT),
    ] {
        let errs = errors(
            Action::EcsCreateSnapshot,
            json!({"DiskId": "d-1", "SnapshotName": name}),
        );
        assert!(has(&errs, "SnapshotName", code), "{name}: {errs:#?}");
    }
    let long = "a".repeat(129);
    let errs = errors(
        Action::EcsCreateSnapshot,
        json!({"DiskId": "d-1", "SnapshotName": long}),
    );
    assert!(has(&errs, "SnapshotName", codes::LENGTH));
    let errs = errors(
        Action::EcsCreateSnapshot,
        json!({"DiskId": "d-1", "Description": "https://example.com", "RetentionDays": 65537, "ClientToken": "x".repeat(65)}),
    );
    assert!(has(&errs, "Description", codes::FORMAT), "{errs:#?}");
    assert!(has(&errs, "RetentionDays", codes::RANGE));
    assert!(has(&errs, "ClientToken", codes::LENGTH));
    let errs = errors(
        Action::EcsCreateSnapshot,
        json!({"DiskId": "d-1", "RetentionDays": 0, "ClientToken": "tøken"}),
    );
    assert!(has(&errs, "RetentionDays", codes::RANGE));
    assert!(has(&errs, "ClientToken", codes::FORMAT));

    let tags: Vec<Value> = (0..21).map(|i| json!({"Key": format!("k{i}")})).collect();
    let errs = errors(
        Action::EcsCreateSnapshot,
        json!({"DiskId": "d-1", "Tag": tags}),
    );
    assert!(has(&errs, "Tag", codes::COUNT));
    let errs = errors(
        Action::EcsCreateSnapshot,
        json!({"DiskId": "d-1", "Tag": [{"Key": ""}, {"Key": "aliyun:x"}, {"Key": "ok", "Value": "acs:x"},
               {"Key": "k".repeat(129)}, {"Key": "url", "Value": "see http://x"}, {"Key": "ok"}]}),
    );
    assert!(has(&errs, "Tag[0].Key", codes::BLANK), "{errs:#?}");
    assert!(has(&errs, "Tag[1].Key", codes::FORMAT));
    assert!(has(&errs, "Tag[2].Value", codes::FORMAT));
    assert!(has(&errs, "Tag[3].Key", codes::LENGTH));
    assert!(has(&errs, "Tag[4].Value", codes::FORMAT));
    assert!(has(&errs, "Tag[5].Key", codes::DUPLICATE));
}

#[test]
fn ecs_describe_paging_per_action() {
    let base = |extra: Value| {
        let mut p = json!({"RegionId": "cn-hangzhou"});
        if let (Value::Object(m), Value::Object(e)) = (&mut p, extra) {
            m.extend(e);
        }
        p
    };
    assert!(
        validate_params(
            Action::EcsDescribeDisks,
            &base(json!({"MaxResults": 500})),
            &strict()
        )
        .is_ok()
    );
    assert!(
        validate_params(
            Action::EcsDescribeDisks,
            &base(json!({"MaxResults": 5})),
            &strict()
        )
        .is_err()
    );
    assert!(
        validate_params(
            Action::EcsDescribeInstances,
            &base(json!({"MaxResults": 100})),
            &strict()
        )
        .is_ok()
    );
    assert!(
        validate_params(
            Action::EcsDescribeInstances,
            &base(json!({"MaxResults": 101})),
            &strict()
        )
        .is_err()
    );
    assert!(
        validate_params(
            Action::EcsDescribeSnapshots,
            &base(json!({"MaxResults": 101})),
            &strict()
        )
        .is_err()
    );
    let errs = errors(
        Action::EcsDescribeDisks,
        json!({"DiskIds": "[\"d-1\"]", "RegionId": "杭州"}),
    );
    assert!(has(&errs, "DiskIds", codes::TYPE), "{errs:#?}");
    assert!(has(&errs, "RegionId", codes::FORMAT));
    let v = validate_params(
        Action::EcsDescribeSnapshots,
        &base(json!({"DiskId": "d-1", "SnapshotIds": ["s-1", "s-2"], "SourceDiskType": "System", "SnapshotType": "all"})),
        &strict(),
    )
    .unwrap();
    assert_eq!(v.params["SourceDiskType"], json!("system"));
    assert_eq!(v.params["SnapshotIds"], json!(["s-1", "s-2"]));
}
