//! Signatures, keys, clock skew, nonces and tokens on all three surfaces.

use super::*;

pub(super) async fn authentication(seen: &mut Codes) {
    let e = env_with(World::Demo, |cfg| {
        cfg.credentials.tencent.insert(
            "AKIDSTSTEMP".into(),
            rewind_emulator::config::Secret {
                secret: "sts-secret".into(),
                token: Some("sts-token".into()),
            },
        );
        cfg.credentials.alibaba.insert(
            "STS.TEMP".into(),
            rewind_emulator::config::Secret {
                secret: "sts-secret".into(),
                token: Some("sts-token".into()),
            },
        );
        cfg.credentials.huawei.insert(
            "HWSTSTEMP".into(),
            rewind_emulator::config::HuaweiKey {
                secret: "sts-secret".into(),
                token: Some("sts-token".into()),
                projects: [(project().to_string(), "cn-north-4".to_string())]
                    .into_iter()
                    .collect(),
            },
        );
    });
    let mut note = |r: &common::Reply| -> String {
        let c = r.code().unwrap_or_default();
        seen.insert(c.clone());
        c
    };
    let tc = |s: &Signer| {
        (
            Env::tc_request("DescribeInstances", GZ, &json!({})),
            s.clone(),
        )
    };
    // Tencent
    let (req, s) = tc(&Signer {
        skew_secs: 301,
        ..Signer::tencent()
    });
    assert_eq!(
        note(&e.send(req, Some(&s)).await),
        "AuthFailure.SignatureExpire"
    );
    let (req, s) = tc(&Signer {
        skew_secs: -290,
        ..Signer::tencent()
    });
    assert!(
        e.send(req, Some(&s)).await.code().is_none(),
        "within 5 minutes passes"
    );
    let (req, s) = tc(&Signer {
        id: "AKIDUNKNOWN".into(),
        ..Signer::tencent()
    });
    assert_eq!(
        note(&e.send(req, Some(&s)).await),
        "AuthFailure.SecretIdNotFound"
    );
    let (req, s) = tc(&Signer {
        secret: "wrong".into(),
        ..Signer::tencent()
    });
    assert_eq!(
        note(&e.send(req, Some(&s)).await),
        "AuthFailure.SignatureFailure"
    );
    let (req, _) = tc(&Signer::tencent());
    assert_eq!(
        note(&e.send(req, None).await),
        "AuthFailure.InvalidAuthorization"
    );
    let (req, _) = tc(&Signer::tencent());
    let r = e
        .send(
            req,
            Some(&Signer {
                alg: rewind_cloud::sign::Algorithm::Acs3,
                ..Signer::tencent()
            }),
        )
        .await;
    assert_eq!(note(&r), "AuthFailure.InvalidAuthorization");
    let sts = Signer {
        id: "AKIDSTSTEMP".into(),
        secret: "sts-secret".into(),
        ..Signer::tencent()
    };
    let (req, s) = tc(&sts);
    assert_eq!(
        note(&e.send(req, Some(&s)).await),
        "AuthFailure.TokenFailure"
    );
    let (req, s) = tc(&Signer {
        token: Some("sts-token".into()),
        ..sts.clone()
    });
    assert!(
        e.send(req, Some(&s)).await.code().is_none(),
        "STS token accepted"
    );

    // ECS
    let ecs = || Env::ecs_request("DescribeInstances", &[("RegionId", names::ECS_REGION)]);
    let r = e
        .send(
            ecs(),
            Some(&Signer {
                skew_secs: -301,
                ..Signer::alibaba()
            }),
        )
        .await;
    assert_eq!(
        (r.status, note(&r)),
        (400, "InvalidTimeStamp.Expired".into())
    );
    let r = e
        .send(
            ecs(),
            Some(&Signer {
                id: "LTAIUNKNOWN".into(),
                ..Signer::alibaba()
            }),
        )
        .await;
    assert_eq!(
        (r.status, note(&r)),
        (404, "InvalidAccessKeyId.NotFound".into())
    );
    let r = e
        .send(
            ecs(),
            Some(&Signer {
                secret: "wrong".into(),
                ..Signer::alibaba()
            }),
        )
        .await;
    assert_eq!((r.status, note(&r)), (400, "SignatureDoesNotMatch".into()));
    let msg = r.body["Message"].as_str().unwrap();
    assert!(
        msg.contains("server string to sign is:ACS3-HMAC-SHA256\n"),
        "{msg}"
    );
    let r = e.send(ecs(), None).await;
    assert_eq!((r.status, note(&r)), (400, "IncompleteSignature".into()));
    // v1 (HMAC-SHA1) signatures work too; replaying a nonce does not.
    let mut v1 = ecs();
    e.sign(&mut v1, &Signer::alibaba_v1());
    let r = e.send_raw(&v1).await;
    assert_eq!(r.code(), None, "{}", r.body);
    let r = e.send_raw(&v1).await;
    assert_eq!((r.status, note(&r)), (400, "SignatureNonceUsed".into()));
    let mut acs3 = ecs();
    e.sign(&mut acs3, &Signer::alibaba());
    assert_eq!(e.send_raw(&acs3).await.code(), None);
    assert_eq!(note(&e.send_raw(&acs3).await), "SignatureNonceUsed");
    let sts = Signer {
        id: "STS.TEMP".into(),
        secret: "sts-secret".into(),
        ..Signer::alibaba()
    };
    let r = e.send(ecs(), Some(&sts)).await;
    assert_eq!(note(&r), "MissingSecurityToken");
    let r = e
        .send(
            ecs(),
            Some(&Signer {
                token: Some("other".into()),
                ..sts.clone()
            }),
        )
        .await;
    assert_eq!(note(&r), "InvalidSecurityToken.MismatchWithAccessKey");
    let r = e
        .send(
            ecs(),
            Some(&Signer {
                token: Some("sts-token".into()),
                ..sts.clone()
            }),
        )
        .await;
    assert_eq!(r.code(), None, "{}", r.body);
    let r = e
        .send(
            ecs(),
            Some(&Signer {
                token: Some("sts-token".into()),
                ..sts.clone()
            }),
        )
        .await;
    assert_eq!(r.code(), None, "a fresh nonce per request passes");

    // Workspace
    let ws = || Env::ws_request("GET", &ws_path("snapshots"), &[], None);
    for s in [
        Signer {
            secret: "wrong".into(),
            ..Signer::huawei()
        },
        Signer {
            skew_secs: 400,
            ..Signer::huawei()
        },
        Signer {
            id: "UNKNOWNAK".into(),
            ..Signer::huawei()
        },
    ] {
        let r = e.send(ws(), Some(&s)).await;
        assert_eq!((r.status, note(&r)), (401, "APIGW.0301".into()));
        assert!(r.headers.get("x-request-id").is_some());
    }
    let sts = Signer {
        id: "HWSTSTEMP".into(),
        secret: "sts-secret".into(),
        ..Signer::huawei()
    };
    assert_eq!(
        e.send(ws(), Some(&sts)).await.status,
        401,
        "temporary AK without its token"
    );
    let r = e
        .send(
            ws(),
            Some(&Signer {
                token: Some("sts-token".into()),
                ..sts
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}
