//! validate_params and the per-field helpers, action by action.

use rewind_cloud::Action;
use rewind_cloud::validate::{
    FieldError, IdKind, ValidateOptions, codes, parse_id_list, valid_ids, validate_field,
    validate_id, validate_params,
};
use serde_json::{Value, json};

fn strict() -> ValidateOptions {
    ValidateOptions::default()
}

fn errors(action: Action, params: Value) -> Vec<FieldError> {
    match validate_params(action, &params, &strict()) {
        Ok(v) => panic!("expected errors, got {:?}", v.params),
        Err(e) => e,
    }
}

fn has(errs: &[FieldError], field: &str, code: &str) -> bool {
    errs.iter().any(|e| e.field == field && e.code == code)
}

#[test]
fn every_message_is_bilingual() {
    let errs = errors(
        Action::EcsCreateSnapshot,
        json!({"DiskId": "d-", "SnapshotName": "auto1", "Description": "x", "RetentionDays": 0,
               "ClientToken": "令牌", "Tag": [{"Key": ""}, {"Key": "acs:x"}], "Bogus": 1}),
    );
    assert!(errs.len() >= 7, "{errs:#?}");
    for e in &errs {
        assert!(
            !e.message.en.is_empty() && !e.message.zh.is_empty(),
            "{e:?}"
        );
        assert_ne!(e.message.en, e.message.zh, "{e:?}");
    }
}

#[test]
fn apply_instance_snapshot_happy_path_trims_and_warns() {
    let v = validate_params(
        Action::LhApplyInstanceSnapshot,
        &json!({"InstanceId": " lhins-k31c771o\t", "SnapshotId": "lhsnap-nv6aqcv6"}),
        &strict(),
    )
    .unwrap();
    assert_eq!(
        v.params,
        json!({"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-nv6aqcv6"})
    );
    assert_eq!(v.warnings.len(), 1);
    assert_eq!(v.warnings[0].field, "InstanceId");
    assert_eq!(v.warnings[0].code, codes::TRIMMED);
}

#[test]
fn lighthouse_snapshot_id_message_names_the_rule_and_the_value() {
    let errs = errors(
        Action::LhApplyInstanceSnapshot,
        json!({"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-ABC"}),
    );
    assert_eq!(errs.len(), 1);
    let e = &errs[0];
    assert_eq!(e.field, "SnapshotId");
    assert_eq!(e.code, codes::ID_CHARSET);
    assert!(
        e.message.en.starts_with(
            "Snapshot ID must start with lhsnap- followed by 8 lower-case letters or digits (got \"lhsnap-ABC\")"
        ),
        "{}",
        e.message.en
    );
    assert!(
        e.message.zh.contains("lhsnap-") && e.message.zh.contains("lhsnap-ABC"),
        "{}",
        e.message.zh
    );
}

#[test]
fn missing_unknown_and_wrongly_typed_fields_are_named() {
    let errs = errors(
        Action::LhApplyInstanceSnapshot,
        json!({"InstanceID": "lhins-k31c771o", "SnapshotId": 5}),
    );
    assert!(has(&errs, "InstanceId", codes::REQUIRED), "{errs:#?}");
    assert!(has(&errs, "InstanceID", codes::UNKNOWN));
    let unknown = errs.iter().find(|e| e.code == codes::UNKNOWN).unwrap();
    assert!(
        unknown.message.en.contains("did you mean InstanceId"),
        "{}",
        unknown.message.en
    );
    assert!(has(&errs, "SnapshotId", codes::TYPE));
    let errs = errors(Action::LhApplyInstanceSnapshot, json!(["lhins-k31c771o"]));
    assert!(has(&errs, "params", codes::TYPE));
}

#[test]
fn null_means_not_given() {
    let v = validate_params(
        Action::LhCreateInstanceSnapshot,
        &json!({"InstanceId": "lhins-k31c771o", "SnapshotName": null}),
        &strict(),
    )
    .unwrap();
    assert_eq!(v.params, json!({"InstanceId": "lhins-k31c771o"}));
    let errs = errors(
        Action::LhApplyInstanceSnapshot,
        json!({"InstanceId": null, "SnapshotId": "lhsnap-nv6aqcv6"}),
    );
    assert!(has(&errs, "InstanceId", codes::REQUIRED));
}

#[test]
fn lighthouse_create_snapshot_limits_name_and_tags() {
    let ok = validate_params(
        Action::LhCreateInstanceSnapshot,
        &json!({"InstanceId": "lhins-k31c771o", "SnapshotName": "a".repeat(60),
                "Tags": [{"Key": "env", "Value": "prod"}]}),
        &strict(),
    );
    assert!(ok.is_ok(), "{ok:?}");
    let tags: Vec<Value> = (0..11)
        .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
        .collect();
    let errs = errors(
        Action::LhCreateInstanceSnapshot,
        json!({"InstanceId": "lhins-k31c771o", "SnapshotName": "快".repeat(61), "Tags": tags}),
    );
    assert!(has(&errs, "SnapshotName", codes::LENGTH), "{errs:#?}");
    assert!(has(&errs, "Tags", codes::COUNT));
    let errs = errors(
        Action::LhCreateInstanceSnapshot,
        json!({"InstanceId": "lhins-k31c771o", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}, {"Key": "b"}]}),
    );
    assert!(has(&errs, "Tags[1].Key", codes::DUPLICATE), "{errs:#?}");
    assert!(has(&errs, "Tags[2].Value", codes::REQUIRED));
}

#[test]
fn tencent_paging_and_filters() {
    let v = validate_params(
        Action::LhDescribeSnapshots,
        &json!({"Filters": [{"Name": "instance-id", "Values": ["lhins-k31c771o"]},
                            {"Name": "snapshot-name", "Values": ["nightly"]}],
                "Offset": 0, "Limit": 100}),
        &strict(),
    )
    .unwrap();
    assert_eq!(v.params["Limit"], json!(100));
    // Each action has its own filter names (the SDK's, tag pairs on both); sorting exists
    // on DescribeInstances only; snapshot filters take 5 values.
    let v = validate_params(
        Action::LhDescribeInstances,
        &json!({"Filters": [{"Name": "tag:env", "Values": ["prod"]}, {"Name": "instance-state", "Values": ["RUNNING"]},
                            {"Name": "bundle-id", "Values": ["bundle_gen_03"]}],
                "OrderField": "EXPIRED_TIME", "Order": "DESC"}),
        &strict(),
    );
    assert!(v.is_ok(), "{v:?}");
    let v = validate_params(
        Action::LhDescribeSnapshots,
        &json!({"Filters": [{"Name": "tag:by", "Values": ["rewind"]}, {"Name": "tag-key", "Values": ["by"]}]}),
        &strict(),
    );
    assert!(v.is_ok(), "{v:?}");
    let errs = errors(
        Action::LhDescribeSnapshots,
        json!({"Filters": [{"Name": "instance-state", "Values": ["RUNNING"]},
                           {"Name": "snapshot-name", "Values": ["a", "b", "c", "d", "e", "f"]}]}),
    );
    assert!(has(&errs, "Filters[0].Name", codes::ENUM), "{errs:#?}");
    assert!(has(&errs, "Filters[1].Values", codes::COUNT));
    let errs = errors(
        Action::LhDescribeInstances,
        json!({"Filters": [{"Name": "instance-id", "Values": ["lhins-k31c771o"]}, {"Name": "tag:", "Values": ["x"]}]}),
    );
    assert!(has(&errs, "Filters[0].Name", codes::ENUM), "{errs:#?}");
    assert!(has(&errs, "Filters[1].Name", codes::ENUM), "{errs:#?}");
    let errs = errors(Action::LhDescribeInstances, json!({"Order": "ASC"}));
    assert!(has(&errs, "OrderField", codes::REQUIRED));
    for (limit, ok) in [(0, false), (1, true), (100, true), (101, false)] {
        let r = validate_params(
            Action::LhDescribeInstances,
            &json!({"Limit": limit}),
            &strict(),
        );
        assert_eq!(r.is_ok(), ok, "Limit {limit}");
    }
    let errs = errors(
        Action::LhDescribeInstances,
        json!({"Offset": -1, "Limit": 2.5}),
    );
    assert!(has(&errs, "Offset", codes::RANGE));
    assert!(has(&errs, "Limit", codes::TYPE));
    let errs = errors(
        Action::LhDescribeSnapshots,
        json!({"SnapshotIds": ["lhsnap-nv6aqcv6"], "Filters": [{"Name": "snapshot-nam", "Values": ["x"]},
               {"Name": "instance-id", "Values": ["lhins-BAD"]}, {"Name": "disk-id", "Values": [], "Extra": 1}]}),
    );
    assert!(has(&errs, "Filters", codes::CONFLICT), "{errs:#?}");
    assert!(has(&errs, "Filters[0].Name", codes::ENUM));
    assert!(has(&errs, "Filters[1].Values[0]", codes::ID_CHARSET));
    assert!(has(&errs, "Filters[2].Values", codes::COUNT));
    assert!(has(&errs, "Filters[2].Extra", codes::UNKNOWN));
}

#[test]
fn id_lists_report_count_duplicates_and_blanks_per_index() {
    let ids: Vec<String> = (0..101).map(|i| format!("lhins-{i:08}")).collect();
    let errs = errors(Action::LhStartInstances, json!({"InstanceIds": ids}));
    assert!(has(&errs, "InstanceIds", codes::COUNT));
    let errs = errors(Action::LhStartInstances, json!({"InstanceIds": []}));
    assert!(has(&errs, "InstanceIds", codes::COUNT));
    let errs = errors(
        Action::LhStopInstances,
        json!({"InstanceIds": ["lhins-k31c771o", "lhins-k31c771o ", "", 7], "StopType": "POWER_OFF"}),
    );
    assert!(has(&errs, "InstanceIds[1]", codes::DUPLICATE), "{errs:#?}");
    assert!(has(&errs, "InstanceIds[2]", codes::BLANK));
    assert!(has(&errs, "InstanceIds[3]", codes::TYPE));
    assert!(has(&errs, "StopType", codes::ENUM));
}

#[test]
fn enum_values_are_normalized_to_the_provider_spelling() {
    let v = validate_params(
        Action::LhStopInstances,
        &json!({"InstanceIds": ["lhins-k31c771o"], "StopType": "soft_first"}),
        &strict(),
    )
    .unwrap();
    assert_eq!(v.params["StopType"], json!("SOFT_FIRST"));
    assert_eq!(v.warnings[0].code, codes::NORMALIZED);
}

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

#[test]
fn workspace_batch_restore_reports_each_line() {
    let ok = json!({"snapshot_ids": ["1792d3eb-35c6-4e99-8381-abfc8e02126b"], "project_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9"});
    assert!(validate_params(Action::WsBatchRestoreDesktopSnapshot, &ok, &strict()).is_ok());
    let errs = errors(
        Action::WsBatchRestoreDesktopSnapshot,
        json!({"snapshot_ids": ["a-1", "b_2", "  ", "a-1", "x".repeat(37), "ｂ-2"]}),
    );
    assert!(
        has(&errs, "snapshot_ids[1]", codes::ID_CHARSET),
        "{errs:#?}"
    );
    assert!(has(&errs, "snapshot_ids[2]", codes::BLANK));
    assert!(has(&errs, "snapshot_ids[3]", codes::DUPLICATE));
    assert!(has(&errs, "snapshot_ids[4]", codes::ID_LENGTH));
    assert!(has(&errs, "snapshot_ids[5]", codes::ID_UNICODE));
    let dup = errs.iter().find(|e| e.code == codes::DUPLICATE).unwrap();
    assert!(
        dup.message.en.contains("snapshot_ids[0]"),
        "{}",
        dup.message.en
    );
    let errs = errors(
        Action::WsBatchRestoreDesktopSnapshot,
        json!({"snapshot_ids": []}),
    );
    assert!(has(&errs, "snapshot_ids", codes::COUNT));
    let many: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    let errs = errors(
        Action::WsBatchRestoreDesktopSnapshot,
        json!({"snapshot_ids": many}),
    );
    assert!(has(&errs, "snapshot_ids", codes::COUNT));
}

#[test]
fn workspace_list_and_show_job() {
    let v = validate_params(
        Action::WsListDesktopSnapshot,
        &json!({"desktop_ids": "d-1, d-2", "limit": 1000, "offset": 0, "status": "create_success",
                "sort_field": "create_time", "sort_type": "desc", "snapshot_names": ["nightly", " weekly "]}),
        &strict(),
    )
    .unwrap();
    // The SDK sends desktop_ids as a list (repeated query parameter).
    assert_eq!(v.params["desktop_ids"], json!(["d-1", "d-2"]));
    assert_eq!(v.params["snapshot_names"], json!(["nightly", "weekly"]));
    assert_eq!(v.params["sort_type"], json!("DESC"));
    let v = validate_params(
        Action::WsListDesktopSnapshot,
        &json!({"desktop_ids": ["d-1", "d-2"]}),
        &strict(),
    )
    .unwrap();
    assert_eq!(v.params["desktop_ids"], json!(["d-1", "d-2"]));
    let errs = errors(Action::WsListDesktopSnapshot, json!({"sort_type": "ASC"}));
    assert!(has(&errs, "sort_field", codes::REQUIRED), "{errs:#?}");
    let errs = errors(
        Action::WsListDesktopSnapshot,
        json!({"limit": 1001, "offset": -1, "desktop_ids": "d-1,,d-1"}),
    );
    assert!(has(&errs, "limit", codes::RANGE), "{errs:#?}");
    assert!(has(&errs, "offset", codes::RANGE));
    assert!(has(&errs, "desktop_ids[1]", codes::BLANK));
    assert!(has(&errs, "desktop_ids[2]", codes::DUPLICATE));
    assert!(
        validate_params(
            Action::WsListDesktopSnapshot,
            &json!({"limit": 0}),
            &strict()
        )
        .is_err()
    );
    assert!(
        validate_params(
            Action::WsShowJob,
            &json!({"job_id": "1792d3eb-35c6-4e99-8381-abfc8e02126b"}),
            &strict()
        )
        .is_ok()
    );
    let errs = errors(Action::WsShowJob, json!({}));
    assert!(has(&errs, "job_id", codes::REQUIRED));
}

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
