//! Authentication: `rewind_cloud::sign::verify` does the cryptography; this module
//! chooses the keys, enforces the scheme each API accepts, checks STS tokens and ECS
//! nonce replay, and maps every failure to the provider's own error.

use crate::config::Credentials;
use crate::error::Refusal;
use rewind_cloud::Provider;
use rewind_cloud::http::HttpRequest;
use rewind_cloud::sign::{Algorithm, Verified, VerifyError, verify};
use std::collections::HashMap;

/// How long a used ECS nonce is remembered: longer than the ±5 minute window in which
/// a replayed request could still pass the timestamp check.
const NONCE_TTL_MS: u64 = 11 * 60_000;

/// Used ECS signature nonces, per access key.
#[derive(Debug, Default)]
pub struct Nonces {
    seen: HashMap<(String, String), u64>,
}

impl Nonces {
    /// Records `nonce`; false when it was already used within the TTL.
    pub fn fresh(&mut self, key: &str, nonce: &str, now_ms: u64) -> bool {
        if self.seen.len() > 10_000 {
            self.seen.retain(|_, exp| *exp > now_ms);
        }
        let k = (key.to_string(), nonce.to_string());
        match self.seen.get(&k) {
            Some(&exp) if exp > now_ms => false,
            _ => {
                self.seen.insert(k, now_ms + NONCE_TTL_MS);
                true
            }
        }
    }
}

/// The caller a request was authenticated as.
#[derive(Debug, Clone)]
pub struct Caller {
    pub access_key_id: String,
}

fn secret_token(
    creds: &Credentials,
    provider: Provider,
    key: &str,
) -> Option<(String, Option<String>)> {
    match provider {
        Provider::Tencent => creds
            .tencent
            .get(key)
            .map(|s| (s.secret.clone(), s.token.clone())),
        Provider::Alibaba => creds
            .alibaba
            .get(key)
            .map(|s| (s.secret.clone(), s.token.clone())),
        Provider::Huawei => creds
            .huawei
            .get(key)
            .map(|s| (s.secret.clone(), s.token.clone())),
    }
}

/// Verifies a request for `provider` at `now_ms`.
pub fn authenticate(
    provider: Provider,
    req: &HttpRequest,
    now_ms: u64,
    creds: &Credentials,
    nonces: &mut Nonces,
) -> Result<Caller, Refusal> {
    let now = (now_ms / 1000) as i64;
    let v: Verified = verify(req, now, |key| {
        secret_token(creds, provider, key).map(|(s, _)| s)
    })
    .map_err(|e| map_error(provider, &e))?;
    let allowed: &[Algorithm] = match provider {
        Provider::Tencent => &[Algorithm::Tc3],
        Provider::Alibaba => &[Algorithm::Acs3, Algorithm::AcsV1],
        Provider::Huawei => &[Algorithm::SdkHmac],
    };
    if !allowed.contains(&v.algorithm) {
        let e = VerifyError::MalformedAuthorization {
            algorithm: Some(v.algorithm),
            reason: format!(
                "{} requests cannot be signed with {}",
                provider.product(),
                v.algorithm.wire_name()
            ),
        };
        return Err(map_error(provider, &e));
    }
    if let Some((_, Some(token))) = secret_token(creds, provider, &v.access_key_id) {
        v.check_token(&token).map_err(|e| map_error(provider, &e))?;
    } else if v.token.is_some() {
        // A token sent with a permanent key is not one this account issued.
        return Err(map_error(
            provider,
            &VerifyError::InvalidToken {
                algorithm: v.algorithm,
            },
        ));
    }
    if provider == Provider::Alibaba
        && let Some(nonce) = &v.nonce
        && !nonces.fresh(&v.access_key_id, nonce, now_ms)
    {
        return Err(Refusal::new(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    Ok(Caller {
        access_key_id: v.access_key_id,
    })
}

/// The provider's own code for each verification failure.
pub fn map_error(provider: Provider, e: &VerifyError) -> Refusal {
    match provider {
        Provider::Tencent => {
            let (code, msg) = match e {
                VerifyError::MissingAuthorization
                | VerifyError::MalformedAuthorization { .. }
                | VerifyError::MissingSignedPart { .. }
                | VerifyError::InvalidTimestamp { .. } => ("AuthFailure.InvalidAuthorization", format!("The Authorization header is not valid: {e}.")),
                VerifyError::TimestampSkewed { .. } => ("AuthFailure.SignatureExpire", format!("The signature has expired: {e}.")),
                VerifyError::UnknownAccessKey { .. } => ("AuthFailure.SecretIdNotFound", "The SecretId does not exist.".to_string()),
                VerifyError::SignatureMismatch { .. } => ("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.".to_string()),
                VerifyError::MissingToken { .. } | VerifyError::InvalidToken { .. } => ("AuthFailure.TokenFailure", format!("Token verification failed: {e}.")),
            };
            Refusal::new(200, code, msg)
        }
        Provider::Alibaba => match e {
            VerifyError::MissingAuthorization
            | VerifyError::MalformedAuthorization { .. }
            | VerifyError::MissingSignedPart { .. } => Refusal::new(
                400,
                "IncompleteSignature",
                format!("The request signature does not conform to Aliyun standards: {e}."),
            ),
            VerifyError::InvalidTimestamp { .. } => Refusal::new(
                400,
                "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.",
            ),
            VerifyError::TimestampSkewed { .. } => Refusal::new(
                400,
                "InvalidTimeStamp.Expired",
                "Specified time stamp or date value is expired.",
            ),
            VerifyError::UnknownAccessKey { .. } => Refusal::new(
                404,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            ),
            VerifyError::SignatureMismatch { string_to_sign, .. } => Refusal::new(
                400,
                "SignatureDoesNotMatch",
                format!(
                    "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
                ),
            ),
            VerifyError::MissingToken { .. } => Refusal::new(
                400,
                "MissingSecurityToken",
                "The SecurityToken is required for temporary credentials.",
            ),
            VerifyError::InvalidToken { .. } => Refusal::new(
                400,
                "InvalidSecurityToken.MismatchWithAccessKey",
                "The SecurityToken does not match the AccessKeyId.",
            ),
        },
        Provider::Huawei => {
            let msg = match e {
                VerifyError::TimestampSkewed { .. } => "Incorrect IAM authentication information: the request time is more than 5 minutes from the server time".to_string(),
                VerifyError::UnknownAccessKey { .. } => "Incorrect IAM authentication information: AK not found".to_string(),
                VerifyError::SignatureMismatch { .. } => "Incorrect IAM authentication information: verify aksk signature fail".to_string(),
                other => format!("Incorrect IAM authentication information: {other}"),
            };
            Refusal::new(401, "APIGW.0301", msg)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_single_use_within_their_ttl() {
        let mut n = Nonces::default();
        assert!(n.fresh("k", "a", 0));
        assert!(!n.fresh("k", "a", 1000));
        assert!(n.fresh("other", "a", 1000));
        assert!(n.fresh("k", "a", NONCE_TTL_MS + 1));
    }
}
