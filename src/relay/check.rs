//! Keys checked when they are saved: before typed keys replace the saved ones, the Keys
//! page makes one cheap, read-only call with them through the relay (the same signing
//! and relay path as every other call) and reads the answer as a verdict. Pure: the
//! sending is [`super::send::send`]'s.
//!
//! - the cloud answered: the keys work, and are saved;
//! - the cloud refused the keys themselves (signature, unknown key id, bad token): they
//!   are not saved, and the catalog explains the refusal;
//! - anything else (the relay or the network failed, the cloud throttled or failed, the
//!   keys lack a permission, the clock is off): no verdict on the keys, which is not proof
//!   they are wrong, so the page offers to save them unchecked.

use super::keys::{AlibabaSignature, ProviderKeys};
use super::send::Sent;
use crate::api::RequestError;
use rewind_cloud::error::CloudError;
use rewind_cloud::{Action, Lang, Provider};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The read that checks a cloud's keys: the cheapest list each API has, one item.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckCall {
    pub region: String,
    pub action: Action,
    pub params: Value,
}

/// Why keys are saved without a check (nothing is sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchecked {
    /// No id or no secret yet: not keys any call could use (saved as typed, as before).
    Incomplete,
    /// Workspace signs for a project: no region has a project id yet.
    NoProject,
    /// The relay serves no region of this cloud.
    NoRegion,
}

/// The keys to check and, if they pass, save: what was saved, with each non-empty field
/// typed over it (an empty field keeps what was saved; the secret is never shown to edit).
pub fn merge(
    saved: Option<&ProviderKeys>,
    id: &str,
    secret: &str,
    token: &str,
    signature: AlibabaSignature,
    project_ids: BTreeMap<String, String>,
) -> ProviderKeys {
    let mut k = saved.cloned().unwrap_or_default();
    let (id, secret, token) = (id.trim(), secret.trim(), token.trim());
    if !id.is_empty() {
        k.id = id.to_string();
    }
    if !secret.is_empty() {
        k.secret = secret.to_string();
    }
    if !token.is_empty() {
        k.token = Some(token.to_string());
    }
    k.signature = signature;
    k.project_ids = project_ids
        .into_iter()
        .map(|(r, p)| (r, p.trim().to_string()))
        .filter(|(_, p)| !p.is_empty())
        .collect();
    k
}

/// The call that checks `keys` for `provider`, in the first of `regions` (the relay's)
/// that can be signed for: Lighthouse `DescribeInstances` and ECS `DescribeInstances`
/// with one result, Workspace `ListDesktopSnapshot` with `limit=1` in the first region
/// with a project id.
pub fn check_call(
    provider: Provider,
    regions: &[String],
    keys: &ProviderKeys,
) -> Result<CheckCall, Unchecked> {
    if !keys.is_set() {
        return Err(Unchecked::Incomplete);
    }
    let first = regions.first().ok_or(Unchecked::NoRegion)?;
    let (region, action, params) = match provider {
        Provider::Tencent => (first, Action::LhDescribeInstances, json!({"Limit": 1})),
        Provider::Alibaba => (
            first,
            Action::EcsDescribeInstances,
            json!({"MaxResults": 1}),
        ),
        Provider::Huawei => {
            let region = regions
                .iter()
                .find(|r| {
                    keys.project_ids
                        .get(*r)
                        .is_some_and(|p| !p.trim().is_empty())
                })
                .ok_or(Unchecked::NoProject)?;
            (region, Action::WsListDesktopSnapshot, json!({"limit": 1}))
        }
    };
    Ok(CheckCall {
        region: region.clone(),
        action,
        params,
    })
}

/// True when the cloud refused the keys themselves: a wrong secret (the signature does
/// not match), a key id it does not know, or a token that does not go with the key. A
/// skewed clock, a missing permission, throttling or an internal error say nothing
/// about the keys.
pub fn keys_refused(e: &CloudError) -> bool {
    let code = e.code.as_str();
    let family = |f: &str| code == f || code.strip_prefix(f).is_some_and(|r| r.starts_with('.'));
    match e.provider {
        Provider::Tencent => [
            "AuthFailure.SignatureFailure",
            "AuthFailure.SecretIdNotFound",
            "AuthFailure.InvalidSecretId",
            "AuthFailure.TokenFailure",
            "AuthFailure.InvalidAuthorization",
        ]
        .contains(&code),
        Provider::Alibaba => {
            [
                "SignatureDoesNotMatch",
                "IncompleteSignature",
                "MissingSecurityToken",
            ]
            .contains(&code)
                || family("InvalidAccessKeyId")
                || family("InvalidSecurityToken")
        }
        // 0301: the AK/SK or signature; 0303/0305: the credentials; 0307: an expired token.
        Provider::Huawei => {
            ["APIGW.0301", "APIGW.0303", "APIGW.0305", "APIGW.0307"].contains(&code)
        }
    }
}

/// What the check call's answer says about the keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The cloud answered the read: the keys work.
    Accepted { request_id: Option<String> },
    /// The cloud refused the keys (`by_cloud`), or no request can be signed with them:
    /// they are not saved.
    Refused { error: RequestError, by_cloud: bool },
    /// No verdict on the keys (the relay, the network, the clock, a permission): not
    /// proof they are wrong.
    Unsure(RequestError),
}

impl Verdict {
    pub fn of(sent: Sent, lang: Lang) -> Verdict {
        let refused = match &sent {
            Sent::Cloud(e) if keys_refused(e) => Some(true),
            Sent::Local(f) if f.code == "CannotSign" => Some(false),
            _ => None,
        };
        match (refused, sent.into_result(lang)) {
            (_, Ok(a)) => Verdict::Accepted {
                request_id: a.request_id,
            },
            (Some(by_cloud), Err(error)) => Verdict::Refused { error, by_cloud },
            (None, Err(error)) => Verdict::Unsure(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::send::{prepare, read_relay_answer};
    use crate::relay::testkit::*;

    fn regions(p: Provider) -> Vec<String> {
        demo_relay().regions(p)
    }

    #[test]
    fn empty_fields_keep_what_was_saved() {
        let saved = keys(AlibabaSignature::V3);
        let projects = [
            ("cn-north-4".to_string(), " p-2 ".to_string()),
            ("cn-east-3".into(), " ".into()),
        ];
        let k = merge(
            Some(&saved),
            "",
            "  ",
            "",
            AlibabaSignature::V1,
            projects.into(),
        );
        assert_eq!((k.id.as_str(), k.secret.as_str()), (ID, SECRET));
        assert_eq!(k.token, None);
        assert_eq!(k.signature, AlibabaSignature::V1);
        assert_eq!(
            k.project_ids,
            [("cn-north-4".to_string(), "p-2".to_string())].into()
        );
        let k = merge(
            Some(&saved),
            " AKIDFAKE0001 ",
            "fake-secret",
            "fake-token",
            AlibabaSignature::V3,
            BTreeMap::new(),
        );
        assert_eq!(
            (k.id.as_str(), k.secret.as_str()),
            ("AKIDFAKE0001", "fake-secret")
        );
        assert_eq!(k.token.as_deref(), Some("fake-token"));
        assert!(k.project_ids.is_empty());
        // Nothing saved and only an id typed: not keys yet.
        let k = merge(
            None,
            "AKIDFAKE0001",
            "",
            "",
            AlibabaSignature::V3,
            BTreeMap::new(),
        );
        assert!(!k.is_set());
    }

    #[test]
    fn each_cloud_is_checked_with_one_cheap_read_that_validates_and_signs() {
        let relay = demo_relay();
        let k = keys(AlibabaSignature::V3);
        for p in Provider::ALL {
            let call = check_call(p, &regions(p), &k).unwrap();
            assert!(!call.action.mutates(), "{p:?}: {call:?}");
            assert_eq!(call.action.provider(), p);
            // The proxy's rules accept it, and it signs for the relay's host.
            let signed = prepare(
                &relay,
                Some(&k),
                p,
                &call.region,
                call.action.name(),
                &call.params,
                1_700_000_000,
                "n-1",
            );
            assert!(signed.is_ok(), "{p:?}: {signed:?}");
        }
        let c = check_call(Provider::Tencent, &regions(Provider::Tencent), &k).unwrap();
        assert_eq!(
            (c.region.as_str(), c.action, &c.params),
            (
                "ap-guangzhou",
                Action::LhDescribeInstances,
                &json!({"Limit": 1})
            )
        );
        let c = check_call(Provider::Alibaba, &regions(Provider::Alibaba), &k).unwrap();
        assert_eq!(
            (c.action, &c.params),
            (Action::EcsDescribeInstances, &json!({"MaxResults": 1}))
        );
        // Workspace: the first region that has a project id, not simply the first region.
        let mut hk = k.clone();
        hk.project_ids = [("cn-east-3".to_string(), "p-east".to_string())].into();
        let c = check_call(Provider::Huawei, &regions(Provider::Huawei), &hk).unwrap();
        assert_eq!(
            (c.region.as_str(), c.action, &c.params),
            (
                "cn-east-3",
                Action::WsListDesktopSnapshot,
                &json!({"limit": 1})
            )
        );
    }

    #[test]
    fn keys_that_cannot_be_sent_are_not_checked() {
        let k = keys(AlibabaSignature::V3);
        let mut no_project = k.clone();
        no_project.project_ids = [("cn-north-4".to_string(), "  ".to_string())].into();
        assert_eq!(
            check_call(Provider::Huawei, &regions(Provider::Huawei), &no_project),
            Err(Unchecked::NoProject)
        );
        assert_eq!(
            check_call(Provider::Tencent, &[], &k),
            Err(Unchecked::NoRegion)
        );
        let half = ProviderKeys {
            id: ID.into(),
            ..Default::default()
        };
        assert_eq!(
            check_call(Provider::Tencent, &regions(Provider::Tencent), &half),
            Err(Unchecked::Incomplete)
        );
    }

    fn upstream(p: Provider, status: u16, body: &str) -> Verdict {
        Verdict::of(
            read_relay_answer(p, status, true, Some("ws-req-1"), body),
            Lang::En,
        )
    }

    fn refused_code(v: &Verdict) -> Option<(&str, bool)> {
        match v {
            Verdict::Refused {
                error: RequestError::Refused(f),
                by_cloud,
            } => Some((f.provider_code.as_deref().unwrap_or(&f.code), *by_cloud)),
            _ => None,
        }
    }

    #[test]
    fn the_clouds_refusal_of_the_keys_is_told_apart_from_no_verdict() {
        // Passing: the RequestId of the read.
        let ok = upstream(
            Provider::Tencent,
            200,
            r#"{"Response":{"TotalCount":0,"InstanceSet":[],"RequestId":"lh-req-1"}}"#,
        );
        assert_eq!(
            ok,
            Verdict::Accepted {
                request_id: Some("lh-req-1".into())
            }
        );
        let ok = upstream(
            Provider::Huawei,
            200,
            r#"{"desktop_snapshots":[],"total_count":0}"#,
        );
        assert_eq!(
            ok,
            Verdict::Accepted {
                request_id: Some("ws-req-1".into())
            }
        );

        // The keys refused, explained from the catalog, with the RequestId.
        let v = upstream(
            Provider::Tencent,
            200,
            r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"lh-req-2"}}"#,
        );
        assert_eq!(
            refused_code(&v),
            Some(("AuthFailure.SignatureFailure", true))
        );
        let Verdict::Refused {
            error: RequestError::Refused(f),
            ..
        } = &v
        else {
            unreachable!()
        };
        assert_eq!(f.request_id.as_deref(), Some("lh-req-2"));
        assert!(
            f.i18n
                .as_ref()
                .is_some_and(|t| !t.remedy.get(Lang::Zh).is_empty()),
            "{f:?}"
        );
        let v = upstream(
            Provider::Alibaba,
            404,
            r#"{"Code":"InvalidAccessKeyId.NotFound","Message":"no","RequestId":"ecs-1"}"#,
        );
        assert_eq!(
            refused_code(&v),
            Some(("InvalidAccessKeyId.NotFound", true))
        );
        let v = upstream(
            Provider::Alibaba,
            400,
            r#"{"Code":"SignatureDoesNotMatch","Message":"no","RequestId":"ecs-2"}"#,
        );
        assert_eq!(refused_code(&v), Some(("SignatureDoesNotMatch", true)));
        let v = upstream(
            Provider::Huawei,
            401,
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#,
        );
        assert_eq!(refused_code(&v), Some(("APIGW.0301", true)));

        // No verdict: throttling, an internal error, a permission, the clock, the relay, the network.
        for (p, status, body) in [
            (
                Provider::Tencent,
                200,
                r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow"},"RequestId":"r"}}"#,
            ),
            (
                Provider::Tencent,
                200,
                r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureExpire","Message":"clock"},"RequestId":"r"}}"#,
            ),
            (
                Provider::Tencent,
                200,
                r#"{"Response":{"Error":{"Code":"UnauthorizedOperation","Message":"cam"},"RequestId":"r"}}"#,
            ),
            (
                Provider::Alibaba,
                500,
                r#"{"Code":"InternalError","Message":"oops","RequestId":"r"}"#,
            ),
            (
                Provider::Alibaba,
                403,
                r#"{"Code":"Forbidden.RAM","Message":"ram","RequestId":"r"}"#,
            ),
            (
                Provider::Huawei,
                403,
                r#"{"error_code":"APIGW.0302","error_msg":"not allowed"}"#,
            ),
            (Provider::Huawei, 502, "<html>bad gateway</html>"),
        ] {
            let v = upstream(p, status, body);
            assert!(
                matches!(v, Verdict::Unsure(RequestError::Refused(_))),
                "{body}: {v:?}"
            );
        }
        let relay = read_relay_answer(
            Provider::Tencent,
            502,
            false,
            None,
            r#"{"ok":false,"error":{"code":"UpstreamUnreachable","message":"connection refused"}}"#,
        );
        assert!(matches!(Verdict::of(relay, Lang::En), Verdict::Unsure(_)));
        assert!(matches!(
            Verdict::of(Sent::Lost("offline".into()), Lang::En),
            Verdict::Unsure(RequestError::Network(_))
        ));
    }

    #[test]
    fn keys_no_request_can_be_signed_with_are_refused_here() {
        let f = crate::api::Failure::local(
            "CannotSign",
            "bad header".into(),
            rewind_cloud::Text::new("x", "x"),
            rewind_cloud::Text::new("y", "y"),
        );
        let v = Verdict::of(Sent::Local(Box::new(f)), Lang::En);
        assert_eq!(refused_code(&v), Some(("CannotSign", false)));
        let f = crate::api::Failure::local(
            "RelayHostNotAllowed",
            String::new(),
            rewind_cloud::Text::new("x", "x"),
            rewind_cloud::Text::new("y", "y"),
        );
        assert!(matches!(
            Verdict::of(Sent::Local(Box::new(f)), Lang::En),
            Verdict::Unsure(_)
        ));
    }
}
