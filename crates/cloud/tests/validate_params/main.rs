//! validate_params and the per-field helpers, action by action.

mod ecs;
mod forms;
mod workspace;

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
