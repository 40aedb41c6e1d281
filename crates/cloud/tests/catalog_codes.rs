//! The error catalog holds every code the reference and the seed documents list, each
//! explained in both languages.

use rewind_cloud::Provider;
use rewind_cloud::catalog::{CATALOG, entries, explain, lookup};

/// reference/tencent-lighthouse.md: the ApplyInstanceSnapshot table, CreateInstanceSnapshot's
/// quota code and the common codes the brief names.
const TENCENT: &[&str] = &[
    "FailedOperation.DescribeInstanceStatus",
    "FailedOperation.SnapshotOperationFailed",
    "InternalError.DescribeInstanceStatus",
    "InvalidParameterValue.DiskSizeNotMatch",
    "InvalidParameterValue.InstanceIdMalformed",
    "InvalidParameterValue.SnapshotIdMalformed",
    "OperationDenied.InstanceCreating",
    "OperationDenied.InstanceOperationInProgress",
    "ResourceNotFound.DiskNotFound",
    "ResourceNotFound.InstanceIdNotFound",
    "ResourceNotFound.SnapshotIdNotFound",
    "ResourceNotFound.SnapshotNotFound",
    "UnauthorizedOperation.NoPermission",
    "UnsupportedOperation.DiskBusy",
    "UnsupportedOperation.DiskLatestOperationUnfinished",
    "UnsupportedOperation.InvalidInstanceState",
    "UnsupportedOperation.InvalidSnapshotState",
    "UnsupportedOperation.LatestOperationUnfinished",
    "UnsupportedOperation.SnapshotBusy",
    "UnsupportedOperation.SystemBusy",
    "LimitExceeded.SnapshotQuotaLimitExceeded",
    "AuthFailure.SignatureExpire",
    "AuthFailure.SignatureFailure",
    "AuthFailure.SecretIdNotFound",
    "AuthFailure.TokenFailure",
    "RequestLimitExceeded",
    "RequestLimitExceeded.UinLimitExceeded",
    "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
    "InternalError",
    "InvalidParameter",
    "MissingParameter",
    "UnsupportedOperation",
    "UnauthorizedOperation",
];

/// reference/alibaba-ecs.md and seeds 001/003: the ResetDisk table (with HTTP status),
/// CreateSnapshot's quota code, and the common codes of signing.md.
const ALIBABA: &[(&str, u16)] = &[
    ("MissingParameter", 400),
    ("DiskCategory.OperationNotSupported", 400),
    ("InvalidRegionId.MalFormed", 400),
    ("DryRunOperation", 400),
    ("IncorrectDiskStatus", 403),
    ("IncorrectInstanceStatus", 403),
    ("InstanceLockedForSecurity", 403),
    ("InvalidParameter.Mismatch", 403),
    ("InvalidSnapshot.TooOld", 403),
    ("InstanceExpiredOrInArrears", 403),
    ("OperationDenied", 403),
    ("InvalidSnapshotId.NotReady", 403),
    ("InvalidAccountStatus.NotEnoughBalance", 403),
    ("InvalidAccountStatus.SnapshotServiceUnavailable", 403),
    ("Operation.Conflict", 403),
    ("UserNotInTheWhiteList", 403),
    ("InvalidParameter.KMSKeyId.CMKNotEnabled", 403),
    ("InvalidParameter.KMSKeyId.KMSUnauthorized", 403),
    ("InvalidParameter.KMSKeyId.NotFound", 404),
    ("InvalidDiskId.NotFound", 404),
    ("Disk.NotFound", 404),
    ("InvalidSnapshotId.NotFound", 404),
    ("InvalidInstanceId.NotFound", 404),
    ("InternalError", 500),
    ("QuotaExceed.Snapshot", 403),
    ("SignatureDoesNotMatch", 400),
    ("InvalidAccessKeyId.NotFound", 404),
    ("SignatureNonceUsed", 400),
    ("InvalidTimeStamp.Expired", 400),
    ("InvalidSecurityToken.Expired", 400),
    ("InvalidSecurityToken.Malformed", 400),
    ("Throttling", 400),
    ("Throttling.User", 400),
    ("Throttling.Api", 400),
    ("Forbidden.RAM", 403),
    ("InvalidParameter", 400),
];

/// reference/huawei-workspace.md and seed 004: the batch-restore statuses and the APIGW codes.
const HUAWEI: &[(&str, u16)] = &[
    ("http.400", 400),
    ("http.404", 404),
    ("http.409", 409),
    ("http.500", 500),
    ("APIGW.0101", 404),
    ("APIGW.0301", 401),
    ("APIGW.0308", 429),
];

#[test]
fn every_reference_code_is_present() {
    let mut missing = Vec::new();
    for code in TENCENT {
        if lookup(Provider::Tencent, code).is_none() {
            missing.push(format!("tencent {code}"));
        }
    }
    for (code, status) in ALIBABA {
        match lookup(Provider::Alibaba, code) {
            Some(e) => assert_eq!(e.http_status, *status, "alibaba {code}"),
            None => missing.push(format!("alibaba {code}")),
        }
    }
    for (code, status) in HUAWEI {
        match lookup(Provider::Huawei, code) {
            Some(e) => assert_eq!(e.http_status, *status, "huawei {code}"),
            None => missing.push(format!("huawei {code}")),
        }
    }
    assert!(missing.is_empty(), "missing from the catalog: {missing:#?}");
}

#[test]
fn every_entry_is_explained_in_both_languages() {
    for e in CATALOG {
        for (what, m) in [("meaning", e.meaning), ("remedy", e.remedy)] {
            assert!(!m.en.trim().is_empty(), "{} {what} en", e.code);
            assert!(!m.zh.trim().is_empty(), "{} {what} zh", e.code);
            assert_ne!(m.en, m.zh, "{} {what}", e.code);
            assert!(
                m.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{} {what} zh is not Chinese",
                e.code
            );
        }
    }
}

#[test]
fn tencent_errors_come_back_with_http_200() {
    assert!(entries(Provider::Tencent).all(|e| e.http_status == 200));
}

#[test]
fn retryability_follows_the_kind_of_error() {
    let retry = |p, c| lookup(p, c).map(|e| e.retryable);
    for code in [
        "RequestLimitExceeded",
        "RequestLimitExceeded.UinLimitExceeded",
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
        "InternalError",
        "UnsupportedOperation.SystemBusy",
        "InternalError.DescribeInstanceStatus",
    ] {
        assert_eq!(retry(Provider::Tencent, code), Some(true), "{code}");
    }
    for code in [
        "UnsupportedOperation.InvalidSnapshotState",
        "UnsupportedOperation.InvalidInstanceState",
        "InvalidParameterValue.SnapshotIdMalformed",
        "AuthFailure.SignatureFailure",
        "MissingParameter",
    ] {
        assert_eq!(retry(Provider::Tencent, code), Some(false), "{code}");
    }
    for code in [
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "InternalError",
        "ServiceUnavailable",
    ] {
        assert_eq!(retry(Provider::Alibaba, code), Some(true), "{code}");
    }
    for code in [
        "IncorrectInstanceStatus",
        "IncorrectDiskStatus",
        "InvalidParameter.Mismatch",
        "DryRunOperation",
    ] {
        assert_eq!(retry(Provider::Alibaba, code), Some(false), "{code}");
    }
    assert_eq!(retry(Provider::Huawei, "APIGW.0308"), Some(true));
    assert_eq!(retry(Provider::Huawei, "http.500"), Some(true));
    assert_eq!(retry(Provider::Huawei, "http.409"), Some(false));
    assert_eq!(retry(Provider::Huawei, "APIGW.0301"), Some(false));
}

#[test]
fn same_code_means_different_things_per_provider() {
    let t = lookup(Provider::Tencent, "MissingParameter").map(|e| e.http_status);
    let a = lookup(Provider::Alibaba, "MissingParameter").map(|e| e.http_status);
    assert_eq!((t, a), (Some(200), Some(400)));
    assert!(lookup(Provider::Huawei, "MissingParameter").is_none());
    assert!(lookup(Provider::Tencent, "APIGW.0301").is_none());
}

#[test]
fn unknown_codes_get_a_fallback_explanation() {
    let x = explain(Provider::Alibaba, "Totally.New.Code", 403);
    assert_eq!(x.matched, None);
    assert!(!x.retryable);
    assert!(!x.meaning.en.is_empty() && !x.meaning.zh.is_empty());
    assert!(!x.remedy.en.is_empty() && !x.remedy.zh.is_empty());
    let x = explain(Provider::Tencent, "FailedOperation.SomethingElse", 200);
    assert_eq!(x.matched, Some("FailedOperation"));
    assert!(explain(Provider::Alibaba, "Whatever", 503).retryable);
    assert!(explain(Provider::Huawei, "APIGW.0999", 429).retryable);
}
