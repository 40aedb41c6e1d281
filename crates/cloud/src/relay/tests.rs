use super::*;
use crate::examples;
use crate::sign::Credentials;
use serde_json::json;

const NOW: i64 = 1_767_225_600;

fn host(provider: Provider) -> &'static str {
    match provider {
        Provider::Tencent => "lighthouse.tencentcloudapi.com",
        Provider::Alibaba => "ecs.cn-beijing.aliyuncs.com",
        Provider::Huawei => "workspace.cn-north-4.myhuaweicloud.com",
    }
}

fn variants(provider: Provider) -> &'static [Variant] {
    match provider {
        Provider::Alibaba => &[Variant::Default, Variant::AlibabaV1],
        _ => &[Variant::Default],
    }
}

/// What the console sends for `action`: prepared as every call is, signed with fake
/// keys (with an STS token, so the token headers are present too).
fn signed_with(action: Action, params: &Value, variant: Variant) -> HttpRequest {
    let creds = Credentials::new("AKIDEXAMPLEFAKE", "fake-secret").with_token("fake-sts-token");
    let facts = call::CallFacts {
        provider: action.provider(),
        signature: match variant {
            Variant::AlibabaV1 => call::AlibabaSignature::V1,
            _ => call::AlibabaSignature::V3,
        },
        credentials: &creds,
        region: match action.provider() {
            Provider::Tencent => "ap-guangzhou",
            Provider::Alibaba => "cn-beijing",
            Provider::Huawei => "cn-north-4",
        },
        endpoint: Some(host(action.provider())),
        scheme: None,
        project_id: Some("0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
    };
    call::prepare(&facts, action, params, NOW, Some("5f0c1d2e"))
        .unwrap()
        .request
}

fn signed(action: Action, variant: Variant) -> HttpRequest {
    signed_with(action, &examples::params(action), variant)
}

#[test]
fn every_action_in_every_wire_form_reads_back_to_its_parameters() {
    for &action in Action::ALL {
        for &variant in variants(action.provider()) {
            let req = signed(action, variant);
            let read = read(action.provider(), &req, None)
                .unwrap_or_else(|e| panic!("{action} {variant:?}: {e}"));
            assert_eq!(read.action, action);
            assert_eq!(read.variant, variant);
            assert_eq!(
                read.params,
                examples::params(action),
                "{action} {variant:?}"
            );
            let region = match action.provider() {
                Provider::Tencent => "ap-guangzhou",
                // RegionId in the parameters wins over the host's region.
                Provider::Alibaba if read.params.get("RegionId").is_some() => "cn-hangzhou",
                Provider::Alibaba => "cn-beijing",
                Provider::Huawei => "cn-north-4",
            };
            assert_eq!(read.region.as_deref(), Some(region), "{action}");
        }
    }
}

/// The review's ECS finding: real IDs in the query, decoy IDs in a JSON body.
#[test]
fn an_ecs_body_next_to_the_query_is_refused() {
    let mut req = signed(Action::EcsResetDisk, Variant::Default);
    req.body = br#"{"DiskId":"d-test00000001","SnapshotId":"s-test00000001"}"#.to_vec();
    req.set_header("Content-Type", "application/json");
    assert!(matches!(
        read(Provider::Alibaba, &req, None),
        Err(RelayError::Split(_))
    ));
    // A form body without a content type is still a body.
    let mut req = signed(Action::EcsResetDisk, Variant::Default);
    req.body = b"DiskId=d-test00000001".to_vec();
    assert!(matches!(
        read(Provider::Alibaba, &req, None),
        Err(RelayError::Split(_))
    ));
}

/// The review's Tencent finding: real IDs in a form body, decoy `InstanceId` in the query.
#[test]
fn tencent_form_bodies_and_query_parameters_are_refused() {
    let mut req = signed(Action::LhApplyInstanceSnapshot, Variant::Default);
    req.set_header("Content-Type", "application/x-www-form-urlencoded");
    req.body = b"InstanceId=lhins-real0001&SnapshotId=lhsnap-real0001".to_vec();
    req.query = vec![("InstanceId".into(), "lhins-test0001".into())];
    assert!(matches!(
        read(Provider::Tencent, &req, None),
        Err(RelayError::ContentType(_))
    ));
    let mut req = signed(Action::LhApplyInstanceSnapshot, Variant::Default);
    req.query = vec![("InstanceId".into(), "lhins-test0001".into())];
    assert!(matches!(
        read(Provider::Tencent, &req, None),
        Err(RelayError::Split(_))
    ));
    let mut req = signed(Action::LhApplyInstanceSnapshot, Variant::Default);
    req.method = "GET".into();
    req.body.clear();
    assert!(matches!(
        read(Provider::Tencent, &req, None),
        Err(RelayError::ContentType(_))
    ));
}

#[test]
fn duplicated_action_headers_and_parameters_are_refused() {
    let mut req = signed(Action::LhApplyInstanceSnapshot, Variant::Default);
    req.headers
        .push(("x-tc-action".into(), "DescribeInstances".into()));
    assert!(matches!(
        read(Provider::Tencent, &req, None),
        Err(RelayError::Duplicated(m)) if m.contains("x-tc-action")
    ));
    let mut req = signed(Action::LhApplyInstanceSnapshot, Variant::Default);
    req.body = br#"{"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-nv6aqcv6", "InstanceId": "lhins-other001"}"#.to_vec();
    assert!(matches!(
        read(Provider::Tencent, &req, None),
        Err(RelayError::Duplicated(m)) if m.contains("InstanceId")
    ));
    let mut req = signed(Action::EcsResetDisk, Variant::AlibabaV1);
    req.query
        .push(("DiskId".into(), "d-bp199lyny9b3zzzz".into()));
    assert!(matches!(
        read(Provider::Alibaba, &req, None),
        Err(RelayError::Duplicated(m)) if m.contains("DiskId")
    ));
    let mut req = signed(Action::WsShowJob, Variant::Default);
    req.query.push(("limit".into(), "1".into()));
    assert!(read(Provider::Huawei, &req, None).is_err());
}

#[test]
fn conflicting_action_sources_are_refused() {
    let mut req = signed(Action::EcsResetDisk, Variant::AlibabaV1);
    req.set_header("x-acs-action", "DescribeDisks");
    assert!(matches!(
        read(Provider::Alibaba, &req, None),
        Err(RelayError::ConflictingAction(_))
    ));
    let mut req = signed(Action::LhDescribeInstances, Variant::Default);
    req.query
        .push(("Action".into(), "ApplyInstanceSnapshot".into()));
    assert!(matches!(
        read(Provider::Tencent, &req, None),
        Err(RelayError::ConflictingAction(_))
    ));
}

#[test]
fn paths_are_pinned_to_the_action() {
    let mut req = signed(Action::EcsDescribeDisks, Variant::Default);
    req.path = "/__emulator/health".into();
    assert!(matches!(
        read(Provider::Alibaba, &req, None),
        Err(RelayError::Path(_))
    ));
    let mut req = signed(Action::WsShowJob, Variant::Default);
    req.path = "/v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/desktops".into();
    assert!(matches!(
        read(Provider::Huawei, &req, None),
        Err(RelayError::UnknownAction(_))
    ));
}

#[test]
fn unknown_parameters_fail_validation_and_unknown_headers_are_refused() {
    let params =
        json!({"DiskId": "d-bp199lyny9b3xxxx", "SnapshotId": "s-bp199lyny9b3xxxx", "Bogus": "1"});
    let req = signed_with(Action::EcsResetDisk, &params, Variant::Default);
    assert!(matches!(
        read(Provider::Alibaba, &req, None),
        Err(RelayError::Invalid(e)) if e[0].field == "Bogus"
    ));
    let mut req = signed(Action::EcsResetDisk, Variant::Default);
    req.headers
        .push(("X-Forwarded-For".into(), "10.0.0.1".into()));
    assert!(matches!(
        read(Provider::Alibaba, &req, None),
        Err(RelayError::UnexpectedHeader(_))
    ));
}

#[test]
fn a_region_that_is_not_a_region_id_is_refused() {
    let mut req = signed(Action::LhDescribeInstances, Variant::Default);
    req.set_header("X-TC-Region", "ap-guangzhou\r\napproved-by: alice");
    assert!(matches!(
        read(Provider::Tencent, &req, None),
        Err(RelayError::Malformed(m)) if m.contains("region")
    ));
}

#[test]
fn re_encoded_bodies_are_refused() {
    // Same fields, other spelling: not what Rewind signs, so not relayed.
    let mut req = signed(Action::LhApplyInstanceSnapshot, Variant::Default);
    req.body = br#"{"InstanceId":"lhins-k31c771o","SnapshotId":"lhsnap-nv6aqcv6"}"#.to_vec();
    assert!(matches!(
        read(Provider::Tencent, &req, None),
        Err(RelayError::Mismatch(_))
    ));
}

#[test]
fn duplicate_keys_are_found_at_any_depth() {
    assert_eq!(duplicate_key(br#"{"a": 1, "b": 2}"#), None);
    assert_eq!(duplicate_key(br#"{"a": 1, "a": 2}"#).as_deref(), Some("a"));
    assert_eq!(
        duplicate_key(br#"{"a": [{"k": 1, "k": 2}]}"#).as_deref(),
        Some("k")
    );
    assert_eq!(duplicate_key(b"not json"), None);
}
