//! parse_response: each provider's success and error shapes, and bodies that are not
//! the provider's JSON at all.

use rewind_cloud::Provider;
use rewind_cloud::catalog::{HTTP_STATUS, NOT_JSON, UNEXPECTED_BODY};
use rewind_cloud::error::{CloudError, parse_response, parse_response_raw, parse_typed};
use rewind_cloud::{alibaba, huawei, tencent};
use serde_json::json;

fn err(p: Provider, status: u16, rid: Option<&str>, body: &str) -> CloudError {
    match parse_response(p, status, rid, body.as_bytes()) {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e,
    }
}

#[test]
fn tencent_success_returns_the_inner_response() {
    let body = r#"{"Response": {"RequestId": "96aee6e3-172c-4f0f-be7c-fc46b9865763"}}"#;
    let v = parse_response(Provider::Tencent, 200, None, body.as_bytes()).unwrap();
    assert_eq!(
        v,
        json!({"RequestId": "96aee6e3-172c-4f0f-be7c-fc46b9865763"})
    );
    let body = r#"{"Response": {"SnapshotId": "lhsnap-nv6aqcv6", "RequestId": "0580622c"}}"#;
    let r: tencent::CreateInstanceSnapshotResponse =
        parse_typed(Provider::Tencent, 200, None, body.as_bytes()).unwrap();
    assert_eq!(r.snapshot_id, "lhsnap-nv6aqcv6");
}

#[test]
fn tencent_errors_arrive_with_http_200() {
    let body = r#"{"Response": {"Error": {"Code": "UnsupportedOperation.InvalidSnapshotState",
        "Message": "The snapshot status is invalid."}, "RequestId": "r-1"}}"#;
    let e = err(Provider::Tencent, 200, Some("hdr"), body);
    assert_eq!(e.code, "UnsupportedOperation.InvalidSnapshotState");
    assert_eq!(e.message, "The snapshot status is invalid.");
    assert_eq!(e.request_id.as_deref(), Some("r-1"));
    assert_eq!(e.http_status, 200);
    let x = e.explain();
    assert_eq!(x.matched, Some("UnsupportedOperation.InvalidSnapshotState"));
    assert!(!x.retryable);
    assert!(x.meaning.zh.contains("NORMAL"));

    let body = r#"{"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "slow down"}, "RequestId": "r-2"}}"#;
    assert!(err(Provider::Tencent, 200, None, body).retryable());
}

#[test]
fn alibaba_success_and_error_shapes() {
    let body = r#"{"RequestId": "F3CD6886-D8D0-4FEE-B93E-1B732396****"}"#;
    let v = parse_response(Provider::Alibaba, 200, None, body.as_bytes()).unwrap();
    assert_eq!(
        v["RequestId"],
        json!("F3CD6886-D8D0-4FEE-B93E-1B732396****")
    );
    let body = r#"{"RequestId": "x", "Disks": {"Disk": [{"DiskId": "d-1", "Status": "In_use"}]}}"#;
    let r: alibaba::DescribeDisksResponse =
        parse_typed(Provider::Alibaba, 200, None, body.as_bytes()).unwrap();
    assert_eq!(r.disks.disk[0].status, alibaba::DiskStatus::InUse);

    let body = r#"{"RequestId": "6EF60BEC-0242-43AF-BB20-270359FB54A7", "HostId": "ecs.aliyuncs.com",
        "Code": "IncorrectInstanceStatus", "Message": "The current status of the resource does not support this operation.",
        "Recommend": "https://api.aliyun.com/troubleshoot?q=IncorrectInstanceStatus"}"#;
    let e = err(Provider::Alibaba, 403, None, body);
    assert_eq!(e.code, "IncorrectInstanceStatus");
    assert_eq!(e.http_status, 403);
    assert_eq!(
        e.request_id.as_deref(),
        Some("6EF60BEC-0242-43AF-BB20-270359FB54A7")
    );
    assert!(
        e.detail
            .as_deref()
            .is_some_and(|d| d.starts_with("https://"))
    );
    assert!(e.explain().remedy.en.contains("Stop"));
    assert!(!e.is_dry_run_pass());
}

#[test]
fn alibaba_dry_run_pass_is_recognized() {
    let body = r#"{"RequestId": "r", "Code": "DryRunOperation", "Message": "Request validation has been passed with DryRun flag set."}"#;
    let e = err(Provider::Alibaba, 400, None, body);
    assert!(e.is_dry_run_pass());
    assert!(!e.retryable());
}

#[test]
fn alibaba_throttling_is_retryable() {
    let body = r#"{"RequestId": "r", "Code": "Throttling.User", "Message": "Request was denied due to user flow control."}"#;
    assert!(err(Provider::Alibaba, 400, None, body).retryable());
}

#[test]
fn huawei_success_and_error_shapes() {
    let body = r#"{"job_id": "1792d3eb-35c6-4e99-8381-abfc8e02126b"}"#;
    let r: huawei::BatchRestoreDesktopSnapshotResponse =
        parse_typed(Provider::Huawei, 200, Some("req-1"), body.as_bytes()).unwrap();
    assert_eq!(r.job_id, "1792d3eb-35c6-4e99-8381-abfc8e02126b");
    assert_eq!(
        parse_response(Provider::Huawei, 204, None, b"").unwrap(),
        serde_json::Value::Null
    );

    let body = r#"{"error_code": "WKS.0211", "error_msg": "Operation conflict.", "error_detail": "desktop busy"}"#;
    let e = err(Provider::Huawei, 409, Some("req-2"), body);
    assert_eq!(e.code, "WKS.0211");
    assert_eq!(e.request_id.as_deref(), Some("req-2"));
    assert_eq!(e.detail.as_deref(), Some("desktop busy"));
    // Unknown Workspace code: the HTTP status entry explains it.
    assert_eq!(e.explain().matched, Some("http.409"));

    let body = r#"{"error_msg": "Incorrect IAM authentication information: verify aksk signature fail", "error_code": "APIGW.0301", "request_id": "body-rid"}"#;
    let e = err(Provider::Huawei, 401, Some("hdr-rid"), body);
    assert_eq!(e.code, "APIGW.0301");
    assert_eq!(e.request_id.as_deref(), Some("body-rid"));
    assert!(!e.retryable());

    let body =
        r#"{"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached"}"#;
    assert!(err(Provider::Huawei, 429, None, body).retryable());

    let body = r#"{"error": {"code": "Common.0001", "message": "nested shape"}}"#;
    let e = err(Provider::Huawei, 400, None, body);
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("Common.0001", "nested shape")
    );
}

/// Found by the `parse_response` fuzz target: a provider's own code that happens to
/// start with `Rewind.` was taken for one Rewind made up (and the proxy answered 502).
#[test]
fn a_provider_code_with_the_rewind_prefix_is_the_providers() {
    let body = r#"{"Response": {"Error": {"Code": "Rewind.NotJsonperation.", "Message": "m"}, "RequestId": "r"}}"#;
    let e = err(Provider::Tencent, 200, None, body);
    assert_eq!(e.code, "Rewind.NotJsonperation.");
    assert!(!e.is_synthetic());
    for code in [NOT_JSON, UNEXPECTED_BODY, HTTP_STATUS] {
        let e = CloudError {
            code: code.to_string(),
            ..e.clone()
        };
        assert!(e.is_synthetic(), "{code}");
    }
}

#[test]
fn an_html_gateway_page_becomes_a_clear_synthetic_error() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body></html>";
    for p in Provider::ALL {
        let e = err(p, 502, Some("rid"), html);
        assert_eq!(e.code, NOT_JSON, "{p}");
        assert!(e.is_synthetic());
        assert!(e.message.contains("502 Bad Gateway"), "{}", e.message);
        assert_eq!(e.request_id.as_deref(), Some("rid"));
        assert!(e.retryable(), "a 502 can be retried");
        let x = e.explain();
        assert!(!x.meaning.en.is_empty() && !x.meaning.zh.is_empty());
    }
    let e = err(Provider::Alibaba, 404, None, "Not Found");
    assert_eq!(e.code, NOT_JSON);
    assert!(!e.retryable());
}

#[test]
fn odd_bodies_never_panic() {
    for p in Provider::ALL {
        for (status, body) in [
            (200, ""),
            (500, ""),
            (200, "{"),
            (200, "[]"),
            (200, "null"),
            (503, "{}"),
            (400, "{\"Code\": 5}"),
            (200, "\u{0}\u{ff}"),
        ] {
            let _ = parse_response(p, status, None, body.as_bytes());
        }
        let _ = parse_response(p, 200, None, &[0xff, 0xfe, 0x00]);
    }
    let e = err(Provider::Tencent, 200, None, r#"{"Result": {}}"#);
    assert_eq!(e.code, UNEXPECTED_BODY);
    let e = err(Provider::Tencent, 500, None, "{}");
    assert_eq!(e.code, HTTP_STATUS);
    assert!(e.retryable());
    let e = err(Provider::Alibaba, 500, None, "");
    assert_eq!(e.code, HTTP_STATUS);
    let e = err(Provider::Tencent, 200, None, "");
    assert_eq!(e.code, NOT_JSON);
}

#[test]
fn typed_parse_mismatch_is_unexpected_body() {
    let body = r#"{"Response": {"RequestId": "r"}}"#;
    let e = parse_typed::<tencent::CreateInstanceSnapshotResponse>(
        Provider::Tencent,
        200,
        None,
        body.as_bytes(),
    )
    .unwrap_err();
    assert_eq!(e.code, UNEXPECTED_BODY);
    assert_eq!(e.request_id.as_deref(), Some("r"));
}

#[test]
fn cloud_error_serializes_for_the_console() {
    let body = r#"{"Response": {"Error": {"Code": "InternalError", "Message": "oops"}, "RequestId": "r"}}"#;
    let e = err(Provider::Tencent, 200, None, body);
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(
        v,
        json!({"provider": "tencent", "code": "InternalError", "message": "oops", "request_id": "r", "http_status": 200})
    );
    let back: CloudError = serde_json::from_value(v).unwrap();
    assert_eq!(back, e);
    assert!(e.to_string().contains("InternalError"));
}

/// `parse_response_raw` agrees with `parse_response` (same payload, same error, and the
/// payload's own request id) on every shape: successes, errors, odd bodies.
fn assert_raw_agrees(p: Provider, status: u16, rid: Option<&str>, body: &[u8]) {
    let full = parse_response(p, status, rid, body);
    let raw = parse_response_raw(p, status, rid, body);
    match (full, raw) {
        (Ok(v), Ok(r)) => {
            let data: serde_json::Value = serde_json::from_str(&r.data).unwrap();
            assert_eq!(
                data,
                v,
                "{p:?} {status} {:?}",
                String::from_utf8_lossy(body)
            );
            let key = if p == Provider::Huawei {
                "request_id"
            } else {
                "RequestId"
            };
            assert_eq!(
                r.request_id.as_deref(),
                v.get(key).and_then(serde_json::Value::as_str),
                "{p:?} {status} {:?}",
                String::from_utf8_lossy(body)
            );
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!(
            "{p:?} {status} {:?}: full {a:?}, raw {b:?}",
            String::from_utf8_lossy(body)
        ),
    }
}

#[test]
fn raw_payload_agrees_with_the_full_parse() {
    let bodies = [
        "",
        "  ",
        "{",
        "[]",
        "null",
        "{}",
        "5",
        "\"text\"",
        "<html><title>502 Bad Gateway</title></html>",
        r#"{"Response": {"RequestId": "r-1", "TotalCount": 1, "SnapshotSet": [{"SnapshotId": "lhsnap-1", "Name": "caf\u00e9 \"q\""}]}}"#,
        r#" {"Response": {"TotalCount": 0}} "#,
        r#"{"Response": {"Error": {"Code": "InternalError", "Message": "oops"}, "RequestId": "r"}}"#,
        r#"{"Response": {"Error": null, "RequestId": "r"}}"#,
        r#"{"Response": {"RequestId": 5}}"#,
        r#"{"Response": {"RequestId": null}}"#,
        r#"{"Response": {"RequestId": "a", "RequestId": "b"}}"#,
        r#"{"Response": "text"}"#,
        r#"{"Response": [1, 2]}"#,
        r#"[{"RequestId": "x"}]"#,
        r#"{"Response": {}, "Response": {"RequestId": "second"}}"#,
        r#"{"Other": {}, "Response": {"RequestId": "r"}}"#,
        r#"{"RequestId": "F3CD", "Disks": {"Disk": [{"DiskId": "d-1"}]}}"#,
        r#"{"RequestId": "x", "Code": "IncorrectDiskStatus", "Message": "m", "Recommend": "u"}"#,
        r#"{"request_id": "h-1", "snapshots": []}"#,
        r#"{"error_code": "WKS.0001", "error_msg": "m", "request_id": "h"}"#,
        r#"{"error": {"code": "APIGW.0301", "message": "bad sig"}}"#,
        r#"{"Response": {"RequestId": "r"}} trailing"#,
        r#"{"RequestId": "esc\"aped\\"}"#,
    ];
    for p in Provider::ALL {
        for status in [200, 204, 400, 403, 500, 502] {
            for body in bodies {
                assert_raw_agrees(p, status, Some("hdr"), body.as_bytes());
                assert_raw_agrees(p, status, None, body.as_bytes());
            }
            assert_raw_agrees(p, status, None, &[0xff, 0xfe, 0x00]);
            assert_raw_agrees(
                p,
                status,
                None,
                b"{\"Response\": {\"RequestId\": \"\xff\"}}",
            );
        }
    }
    // The payload passes as sent: Tencent's `Response` object, ECS's body.
    let body = br#"{"Response":  {"B": 1.50, "A": "caf\u00e9", "k\"ey": [1, {"Response": 2}], "RequestId": "r"}
    , "Extra": {}}"#;
    let r = parse_response_raw(Provider::Tencent, 200, None, body).unwrap();
    assert_eq!(
        r.data,
        r#"{"B": 1.50, "A": "caf\u00e9", "k\"ey": [1, {"Response": 2}], "RequestId": "r"}"#
    );
    assert_eq!(r.request_id.as_deref(), Some("r"));
    assert!(matches!(r.data, std::borrow::Cow::Borrowed(_)));
    let body = br#" {"RequestId": "x", "N": 1e2} "#;
    let r = parse_response_raw(Provider::Alibaba, 200, None, body).unwrap();
    assert_eq!(r.data, r#"{"RequestId": "x", "N": 1e2}"#);
    assert!(matches!(r.data, std::borrow::Cow::Borrowed(_)));
}

/// JSON built from the keys that decide success or error, nested a few levels.
fn answer_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-z\"\\\\\u{e9}]{0,6}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        let key = proptest::sample::select(vec![
            "Response",
            "Error",
            "RequestId",
            "request_id",
            "Code",
            "Message",
            "error_code",
            "error",
            "code",
            "x",
            "k\"q",
            "caf\u{e9}",
        ]);
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(serde_json::Value::from),
            proptest::collection::vec((key, inner), 0..4).prop_map(|kv| {
                serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

proptest::proptest! {
    #[test]
    fn raw_payload_agrees_on_generated_bodies(
        status in proptest::sample::select(vec![200u16, 201, 400, 500]),
        answer in answer_json(),
        text in r#"[{}\[\]",:0-9a-zA-Z_ \\]{0,40}"#,
    ) {
        for p in Provider::ALL {
            assert_raw_agrees(p, status, None, answer.to_string().as_bytes());
            let wrapped = serde_json::json!({"Response": answer});
            assert_raw_agrees(p, status, None, wrapped.to_string().as_bytes());
            let pretty = serde_json::to_string_pretty(&wrapped).unwrap();
            assert_raw_agrees(p, status, None, pretty.as_bytes());
            assert_raw_agrees(p, status, None, pretty.replace('\n', "\r\n\t").as_bytes());
            assert_raw_agrees(p, status, None, text.as_bytes());
        }
    }
}
