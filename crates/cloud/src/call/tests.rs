//! `prepare` must produce exactly what the three hand-assembled pipelines it replaced
//! produced (the proxy's `forward`, the console's relay `prepare`, `rewind sign`): each
//! is written out below as it was, as the reference. And `Outcome::read` per provider.

use super::*;
use crate::build::{Target, Variant};
use crate::error::CloudError;
use crate::examples;
use crate::sign::SigningParams;
use serde_json::json;
use std::borrow::Cow;

const NOW: i64 = 1_767_225_600;

fn creds(token: bool) -> Credentials {
    let c = Credentials::new("AKIDEXAMPLEFAKE", "fake-secret");
    if token {
        c.with_token("fake-sts-token")
    } else {
        c
    }
}

fn region(p: Provider) -> &'static str {
    match p {
        Provider::Tencent => "ap-guangzhou",
        Provider::Alibaba => "cn-hangzhou",
        Provider::Huawei => "cn-north-4",
    }
}

/// The proxy's `forward` before: variant from the profile's signature, a target from
/// its endpoint override and project ids, a nonce only when the algorithm takes one.
fn old_proxy(
    action: Action,
    params: &Value,
    v1: bool,
    endpoint: Option<(&str, &str)>,
    project_id: Option<&str>,
    c: &Credentials,
    nonce: &str,
) -> HttpRequest {
    let variant = match (action.provider(), v1) {
        (Provider::Alibaba, true) => Variant::AlibabaV1,
        _ => Variant::Default,
    };
    let target = Target {
        region: region(action.provider()).to_string(),
        endpoint: endpoint.map(|(_, h)| h.to_string()),
        scheme: endpoint.map(|(s, _)| s.to_string()),
        project_id: project_id.map(str::to_string),
    };
    let mut req = build::build_with(action, params, &target, variant).unwrap();
    let algorithm = variant.algorithm(action);
    let mut p = SigningParams::new(c, NOW);
    if algorithm.uses_nonce() {
        p = p.with_nonce(nonce);
    }
    sign::sign(algorithm, &mut req, &p).unwrap();
    req
}

/// The console's relay `prepare` before: always a nonce, the relay host and scheme.
fn old_console(
    action: Action,
    params: &Value,
    v1: bool,
    (scheme, host): (&str, &str),
    project_id: Option<&str>,
    c: &Credentials,
    nonce: &str,
) -> HttpRequest {
    let target = Target {
        region: region(action.provider()).to_string(),
        endpoint: Some(host.to_string()),
        scheme: Some(scheme.to_string()),
        project_id: project_id.map(str::to_string),
    };
    let variant = match (action.provider(), v1) {
        (Provider::Alibaba, true) => Variant::AlibabaV1,
        _ => Variant::Default,
    };
    let mut req = build::build_with(action, params, &target, variant).unwrap();
    sign::sign(
        variant.algorithm(action),
        &mut req,
        &SigningParams::new(c, NOW).with_nonce(nonce),
    )
    .unwrap();
    req
}

fn facts<'a>(
    action: Action,
    v1: bool,
    c: &'a Credentials,
    endpoint: Option<(&'a str, &'a str)>,
    project_id: Option<&'a str>,
) -> CallFacts<'a> {
    CallFacts {
        provider: action.provider(),
        signature: if v1 {
            AlibabaSignature::V1
        } else {
            AlibabaSignature::V3
        },
        credentials: c,
        region: region(action.provider()),
        endpoint: endpoint.map(|(_, h)| h),
        scheme: endpoint.map(|(s, _)| s),
        project_id,
    }
}

#[test]
fn prepare_is_what_the_proxy_and_the_console_built_for_every_action_and_variant() {
    let nonce = "5f0c1d2e";
    let pid = Some("0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    let mut compared = 0;
    for &action in Action::ALL {
        let params = examples::params(action);
        let v1s: &[bool] = match action.provider() {
            Provider::Alibaba => &[false, true],
            _ => &[false],
        };
        for &v1 in v1s {
            for token in [false, true] {
                let c = creds(token);
                for endpoint in [None, Some(("http", "127.0.0.1:8090"))] {
                    let f = facts(action, v1, &c, endpoint, pid);
                    let nonce_arg = f.needs_nonce().then_some(nonce);
                    let ours = prepare(&f, action, &params, NOW, nonce_arg).unwrap();
                    let old = old_proxy(action, &params, v1, endpoint, pid, &c, nonce);
                    assert_eq!(ours.request, old, "{action} v1={v1} token={token}");
                    assert_eq!(ours.params, params);
                    assert_eq!(ours.algorithm, f.algorithm());
                    // The console always passed a nonce; the ones that ignore it still do.
                    let f = facts(action, v1, &c, Some(("http", "127.0.0.1:40123")), pid);
                    let ours = prepare(&f, action, &params, NOW, Some(nonce)).unwrap();
                    let old = old_console(
                        action,
                        &params,
                        v1,
                        ("http", "127.0.0.1:40123"),
                        pid,
                        &c,
                        nonce,
                    );
                    assert_eq!(ours.request, old, "{action} v1={v1} (console)");
                    compared += 2;
                }
            }
        }
    }
    assert!(compared >= Action::ALL.len() * 8);
}

#[test]
fn the_algorithm_and_the_nonce_follow_the_profile() {
    let c = creds(false);
    let cases = [
        (Action::LhDescribeInstances, false, Algorithm::Tc3, false),
        (Action::EcsResetDisk, false, Algorithm::Acs3, true),
        (Action::EcsResetDisk, true, Algorithm::AcsV1, true),
        (Action::WsShowJob, false, Algorithm::SdkHmac, false),
        // V1 means nothing to the others.
        (Action::WsShowJob, true, Algorithm::SdkHmac, false),
    ];
    for (action, v1, alg, nonce) in cases {
        let f = facts(action, v1, &c, None, Some("p"));
        assert_eq!(f.algorithm(), alg, "{action}");
        assert_eq!(f.needs_nonce(), nonce, "{action}");
    }
    // Without the nonce it needs, nothing is signed.
    let f = facts(Action::EcsResetDisk, false, &c, None, None);
    let params = examples::params(Action::EcsResetDisk);
    assert_eq!(
        prepare(&f, Action::EcsResetDisk, &params, NOW, None),
        Err(CallError::Sign(SignError::MissingNonce))
    );
    // An action of another cloud is refused before anything is built.
    let f = facts(Action::LhDescribeInstances, false, &c, None, None);
    assert!(matches!(
        prepare(&f, Action::EcsResetDisk, &params, NOW, Some("n")),
        Err(CallError::WrongProvider { .. })
    ));
    // Build errors keep their message; sign errors say so.
    let f = facts(Action::WsShowJob, false, &c, None, None);
    let e = prepare(&f, Action::WsShowJob, &json!({"job_id": "j"}), NOW, None).unwrap_err();
    assert_eq!(e.to_string(), "missing path parameter `project_id`");
    let f = facts(Action::LhDescribeInstances, false, &c, None, None);
    let e = prepare(&f, Action::LhDescribeInstances, &json!({}), i64::MAX, None).unwrap_err();
    assert!(e.to_string().starts_with("cannot sign: "), "{e}");
}

#[test]
fn extras_are_applied_before_signing() {
    let c = creds(false);
    let f = facts(Action::LhDescribeInstances, false, &c, None, None);
    let headers = [("user-agent".to_string(), "rewind-test".to_string())];
    let query = [("Limit".to_string(), "7".to_string())];
    let extras = Extras {
        tencent_get: true,
        service: Some("cvm"),
        headers: &headers,
        query: &query,
    };
    let params = json!({"Limit": 5, "Offset": 0});
    let s = prepare_with(&f, Action::LhDescribeInstances, &params, NOW, None, &extras).unwrap();
    assert_eq!(s.request.method, "GET");
    assert_eq!(s.request.query_param("Limit"), Some("7"));
    assert_eq!(s.request.header("user-agent"), Some("rewind-test"));
    assert!(s.signed.string_to_sign.contains("/cvm/tc3_request"));
    assert_eq!(
        s.request.url(),
        "https://lighthouse.tencentcloudapi.com/?Limit=7&Offset=0"
    );
}

#[test]
fn a_client_token_is_added_once_and_only_to_create_snapshot() {
    let mut p = json!({"DiskId": "d-1"});
    add_client_token(Action::EcsCreateSnapshot, &mut p, || "t-1".into());
    add_client_token(Action::EcsCreateSnapshot, &mut p, || "t-2".into());
    assert_eq!(p["ClientToken"], "t-1");
    let mut p = json!({"DiskId": "d-1"});
    add_client_token(Action::EcsResetDisk, &mut p, || unreachable!());
    assert!(p.get("ClientToken").is_none());
}

// ---------------------------------------------------------------------- answers

fn read(provider: Provider, status: u16, header: Option<&str>, body: &str) -> Outcome<'static> {
    let body: &'static [u8] = Box::leak(body.as_bytes().to_vec().into_boxed_slice());
    Outcome::read(provider, status, header, body)
}

fn failed(o: Outcome) -> CloudError {
    match o {
        Outcome::Failed(e) => *e,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn successes_are_the_payload_as_sent_with_its_request_id() {
    let body = r#"{"Response": {"TotalCount": 1, "RequestId": "tc-1"}}"#;
    let Outcome::Ok(p) = read(Provider::Tencent, 200, Some("hdr"), body) else {
        panic!()
    };
    assert_eq!(p.data, r#"{"TotalCount": 1, "RequestId": "tc-1"}"#);
    assert!(matches!(p.data, Cow::Borrowed(_)));
    assert_eq!(p.request_id.as_deref(), Some("tc-1"));
    assert_eq!(p.value().unwrap()["TotalCount"], 1);

    let body = r#"{"RequestId":"ecs-1","Disks":{"Disk":[]}}"#;
    let Outcome::Ok(p) = read(Provider::Alibaba, 200, None, body) else {
        panic!()
    };
    assert_eq!(p.data, body);
    assert_eq!(p.request_id.as_deref(), Some("ecs-1"));

    // Workspace: the id may come only in the header; an empty body is `null`.
    let Outcome::Ok(p) = read(Provider::Huawei, 200, Some("hw-1"), r#"{"snapshots":[]}"#) else {
        panic!()
    };
    assert_eq!(p.request_id.as_deref(), Some("hw-1"));
    let Outcome::Ok(p) = read(Provider::Huawei, 204, Some("hw-2"), "") else {
        panic!()
    };
    assert_eq!(p.value().unwrap(), Value::Null);
    assert_eq!(p.request_id.as_deref(), Some("hw-2"));
}

#[test]
fn a_passing_ecs_dry_run_is_neither_success_nor_failure() {
    let body = r#"{"RequestId":"ecs-2","HostId":"ecs","Code":"DryRunOperation","Message":"Request validation has been passed with DryRun flag set."}"#;
    let Outcome::DryRunPassed(e) = read(Provider::Alibaba, 400, None, body) else {
        panic!()
    };
    assert_eq!(e.request_id.as_deref(), Some("ecs-2"));
    assert_eq!(
        dry_run_data(&e),
        json!({"Code": "DryRunOperation", "Message": "Request validation has been passed with DryRun flag set.", "RequestId": "ecs-2"})
    );
    assert!(
        read(Provider::Alibaba, 400, None, body)
            .into_result()
            .is_err()
    );
    // Only ECS has one: the same code from Tencent is an error.
    let body = r#"{"Response":{"Error":{"Code":"DryRunOperation","Message":"x"},"RequestId":"r"}}"#;
    assert_eq!(
        failed(read(Provider::Tencent, 200, None, body)).code,
        "DryRunOperation"
    );
}

#[test]
fn cloud_errors_per_provider() {
    let e = failed(read(
        Provider::Tencent,
        200,
        Some("hdr"),
        r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"m"},"RequestId":"tc-2"}}"#,
    ));
    assert_eq!(
        (e.code.as_str(), e.http_status, e.request_id.as_deref()),
        ("AuthFailure.SignatureFailure", 200, Some("tc-2"))
    );
    let e = failed(read(
        Provider::Alibaba,
        403,
        None,
        r#"{"RequestId":"ecs-3","HostId":"ecs","Code":"IncorrectDiskStatus","Message":"m","Recommend":"https://r"}"#,
    ));
    assert_eq!(e.code, "IncorrectDiskStatus");
    assert_eq!(e.detail.as_deref(), Some("https://r"));
    let e = failed(read(
        Provider::Huawei,
        401,
        Some("hw-3"),
        r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#,
    ));
    assert_eq!(
        (e.code.as_str(), e.request_id.as_deref()),
        ("APIGW.0301", Some("hw-3"))
    );
    assert!(!e.is_synthetic());
}

#[test]
fn unreadable_answers_are_rewind_codes() {
    for p in Provider::ALL {
        let e = failed(read(
            p,
            502,
            Some("r"),
            "<html><title>Bad Gateway</title></html>",
        ));
        assert!(
            e.is_synthetic() && e.code.starts_with("Rewind."),
            "{p}: {e:?}"
        );
        assert!(e.message.contains("Bad Gateway"), "{}", e.message);
        assert_eq!(e.request_id.as_deref(), Some("r"));
        let e = failed(read(p, 200, None, "not json"));
        assert!(e.is_synthetic(), "{p}");
    }
    // A 2xx Tencent body without `Response` is not a success.
    assert!(failed(read(Provider::Tencent, 200, None, "{}")).is_synthetic());
}

#[test]
fn a_built_call_is_signed_afresh_for_each_attempt() {
    let c = creds(false);
    let f = facts(Action::EcsResetDisk, false, &c, None, None);
    let params = examples::params(Action::EcsResetDisk);
    let unsigned = build(&f, Action::EcsResetDisk, &params).unwrap();
    assert_eq!(unsigned.action(), Action::EcsResetDisk);
    assert!(unsigned.request().header("Authorization").is_none());
    let first = unsigned.sign(NOW, Some("n-1")).unwrap();
    let second = unsigned.sign(NOW + 1, Some("n-2")).unwrap();
    assert_ne!(
        first.request.header("Authorization"),
        second.request.header("Authorization")
    );
    assert_eq!(
        second,
        prepare(&f, Action::EcsResetDisk, &params, NOW + 1, Some("n-2")).unwrap()
    );
}
