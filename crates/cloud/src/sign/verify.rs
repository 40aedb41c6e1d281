//! The server side: recognise the scheme of an incoming request, recompute its
//! signature over the parts it says it signed, and compare in constant time.
//!
//! The emulator calls [`verify`] for every request and maps each [`VerifyError`] to the
//! provider's own error code; replay (ECS nonce) and token checks stay with the caller,
//! fed by [`Verified`].

use super::{Algorithm, acs_v1, acs3, sdk_hmac, tc3, time};
// Kept at its old path, `sign::verify::KeyedAuthorization`.
pub use super::authorization::KeyedAuthorization;
use crate::http::HttpRequest;
use subtle::ConstantTimeEq;

/// Largest accepted difference between the request's timestamp and `now`, either way.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// What a verified request proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub algorithm: Algorithm,
    pub access_key_id: String,
    /// The session token sent (`X-TC-Token`, `x-acs-security-token`, `SecurityToken`,
    /// `X-Security-Token`); check it with [`Verified::check_token`].
    pub token: Option<String>,
    /// ACS3 `x-acs-signature-nonce` / v1 `SignatureNonce`, for the caller's replay check.
    pub nonce: Option<String>,
    /// The request's own timestamp (Unix seconds).
    pub timestamp: i64,
    /// TC3 credential-scope service (`lighthouse`); `None` for the others.
    pub service: Option<String>,
    /// The lower-case header names covered by the signature (empty for v1).
    pub signed_headers: Vec<String>,
}

impl Verified {
    /// For keys that are temporary credentials: the request must carry exactly `expected`.
    pub fn check_token(&self, expected: &str) -> Result<(), VerifyError> {
        match &self.token {
            None => Err(VerifyError::MissingToken {
                algorithm: self.algorithm,
            }),
            Some(t) if bool::from(t.as_bytes().ct_eq(expected.as_bytes())) => Ok(()),
            Some(_) => Err(VerifyError::InvalidToken {
                algorithm: self.algorithm,
            }),
        }
    }
}

/// Why a request was rejected. Each variant maps to one provider error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No `Authorization` header and no v1 `Signature` parameter.
    #[error("the request is not signed")]
    MissingAuthorization,
    /// The scheme was recognised (or not: `algorithm` is `None`) but its fields are unusable.
    #[error("malformed signature: {reason}")]
    MalformedAuthorization {
        algorithm: Option<Algorithm>,
        reason: String,
    },
    /// A part that must be present (and signed) is absent: a timestamp, nonce or header.
    #[error("missing {name}")]
    MissingSignedPart { algorithm: Algorithm, name: String },
    #[error("invalid timestamp {value:?}")]
    InvalidTimestamp { algorithm: Algorithm, value: String },
    /// More than [`MAX_CLOCK_SKEW_SECS`] away from the server's clock.
    #[error("timestamp {timestamp} is more than 300 s away from the server time {now}")]
    TimestampSkewed {
        algorithm: Algorithm,
        timestamp: i64,
        now: i64,
    },
    #[error("unknown access key {access_key_id}")]
    UnknownAccessKey {
        algorithm: Algorithm,
        access_key_id: String,
    },
    /// The signature does not match; carries what the server signed (ECS echoes the
    /// string to sign in its error message).
    #[error("signature mismatch; server string to sign is: {string_to_sign}")]
    SignatureMismatch {
        algorithm: Algorithm,
        access_key_id: String,
        canonical_request: String,
        string_to_sign: String,
    },
    #[error("a security token is required for this key")]
    MissingToken { algorithm: Algorithm },
    #[error("the security token is invalid")]
    InvalidToken { algorithm: Algorithm },
}

impl VerifyError {
    /// The scheme the request used, when it could be recognised.
    pub fn algorithm(&self) -> Option<Algorithm> {
        match self {
            VerifyError::MissingAuthorization => None,
            VerifyError::MalformedAuthorization { algorithm, .. } => *algorithm,
            VerifyError::MissingSignedPart { algorithm, .. }
            | VerifyError::InvalidTimestamp { algorithm, .. }
            | VerifyError::TimestampSkewed { algorithm, .. }
            | VerifyError::UnknownAccessKey { algorithm, .. }
            | VerifyError::SignatureMismatch { algorithm, .. }
            | VerifyError::MissingToken { algorithm }
            | VerifyError::InvalidToken { algorithm } => Some(*algorithm),
        }
    }
}

/// Which scheme signed the request: by the `Authorization` prefix, else a v1
/// `Signature` query parameter.
pub fn detect(req: &HttpRequest) -> Result<Algorithm, VerifyError> {
    if let Some(auth) = req.header("authorization") {
        let scheme = auth.split(' ').next().unwrap_or("");
        return match scheme {
            tc3::ALGORITHM => Ok(Algorithm::Tc3),
            acs3::ALGORITHM => Ok(Algorithm::Acs3),
            sdk_hmac::ALGORITHM => Ok(Algorithm::SdkHmac),
            other => Err(VerifyError::MalformedAuthorization {
                algorithm: None,
                reason: format!("unsupported signature algorithm {other:?}"),
            }),
        };
    }
    if req.query_param("Signature").is_some() {
        return Ok(Algorithm::AcsV1);
    }
    Err(VerifyError::MissingAuthorization)
}

/// Verifies `req` at server time `now` (Unix seconds). `secret_for` maps an access
/// key id to its secret (`None`: unknown key).
///
/// Checks, in order: the scheme's fields parse; the timestamp is valid and within
/// ±5 minutes; the key is known; the signature matches (constant-time).
pub fn verify(
    req: &HttpRequest,
    now: i64,
    secret_for: impl Fn(&str) -> Option<String>,
) -> Result<Verified, VerifyError> {
    let algorithm = detect(req)?;
    let claim = match algorithm {
        Algorithm::Tc3 => claim_tc3(req)?,
        Algorithm::Acs3 => claim_acs3(req)?,
        Algorithm::AcsV1 => claim_v1(req)?,
        Algorithm::SdkHmac => claim_sdk_hmac(req)?,
    };
    let v = claim.verified;
    if (v.timestamp - now).abs() > MAX_CLOCK_SKEW_SECS {
        return Err(VerifyError::TimestampSkewed {
            algorithm,
            timestamp: v.timestamp,
            now,
        });
    }
    let Some(secret) = secret_for(&v.access_key_id) else {
        return Err(VerifyError::UnknownAccessKey {
            algorithm,
            access_key_id: v.access_key_id,
        });
    };
    let (string_to_sign, expected) = match algorithm {
        Algorithm::Tc3 => {
            let date = time::format_date(v.timestamp);
            let service = v.service.as_deref().unwrap_or(tc3::DEFAULT_SERVICE);
            let scope = tc3::credential_scope(&date, service);
            let sts = tc3::string_to_sign(v.timestamp, &scope, &claim.canonical_request);
            let sig = tc3::signature(&tc3::signing_key(&secret, &date, service), &sts);
            (sts, sig)
        }
        Algorithm::Acs3 => {
            let sts = acs3::string_to_sign(&claim.canonical_request);
            let sig = acs3::signature(&secret, &sts);
            (sts, sig)
        }
        Algorithm::AcsV1 => {
            let sts = acs_v1::string_to_sign(&req.method, &claim.canonical_request);
            let sig = acs_v1::signature(&secret, &sts);
            (sts, sig)
        }
        Algorithm::SdkHmac => {
            let sts = sdk_hmac::string_to_sign(&claim.date_text, &claim.canonical_request);
            let sig = sdk_hmac::signature(&secret, &sts);
            (sts, sig)
        }
    };
    if !bool::from(expected.as_bytes().ct_eq(claim.signature.as_bytes())) {
        return Err(VerifyError::SignatureMismatch {
            algorithm,
            access_key_id: v.access_key_id,
            canonical_request: claim.canonical_request,
            string_to_sign,
        });
    }
    Ok(v)
}

/// What a request claims, before the secret is looked up.
struct Claim {
    verified: Verified,
    canonical_request: String,
    signature: String,
    /// The timestamp exactly as sent (SDK-HMAC signs the text).
    date_text: String,
}

fn malformed(algorithm: Algorithm) -> impl Fn(String) -> VerifyError {
    move |reason| VerifyError::MalformedAuthorization {
        algorithm: Some(algorithm),
        reason,
    }
}

fn missing(algorithm: Algorithm, name: &str) -> VerifyError {
    VerifyError::MissingSignedPart {
        algorithm,
        name: name.to_string(),
    }
}

/// Each name in `required` must be among the signed headers.
fn require_signed(
    algorithm: Algorithm,
    signed: &[String],
    required: &[&str],
) -> Result<(), VerifyError> {
    for r in required {
        if !signed.iter().any(|s| s == r) {
            return Err(missing(algorithm, &format!("signed header {r}")));
        }
    }
    Ok(())
}

/// Every listed header must be present (the host falls back to the request's host).
fn require_present(
    algorithm: Algorithm,
    req: &HttpRequest,
    signed: &[String],
) -> Result<(), VerifyError> {
    for name in signed {
        if name != "host" && req.header(name).is_none() {
            return Err(missing(algorithm, &format!("header {name}")));
        }
    }
    Ok(())
}

fn claim_tc3(req: &HttpRequest) -> Result<Claim, VerifyError> {
    let alg = Algorithm::Tc3;
    let auth = tc3::parse_authorization(req.header("authorization").unwrap_or(""))
        .map_err(malformed(alg))?;
    require_signed(alg, &auth.signed_headers, &["content-type", "host"])?;
    require_present(alg, req, &auth.signed_headers)?;
    let ts_text = req
        .header(tc3::HEADER_TIMESTAMP)
        .ok_or_else(|| missing(alg, tc3::HEADER_TIMESTAMP))?;
    let timestamp = time::parse_unix(ts_text).ok_or_else(|| VerifyError::InvalidTimestamp {
        algorithm: alg,
        value: ts_text.to_string(),
    })?;
    if auth.date != time::format_date(timestamp) {
        return Err(malformed(alg)(format!(
            "credential date {} is not the UTC date of X-TC-Timestamp {timestamp}",
            auth.date
        )));
    }
    Ok(Claim {
        canonical_request: tc3::canonical_request(req, &auth.signed_headers),
        signature: auth.signature,
        date_text: ts_text.to_string(),
        verified: Verified {
            algorithm: alg,
            access_key_id: auth.access_key_id,
            token: req.header(tc3::HEADER_TOKEN).map(str::to_string),
            nonce: None,
            timestamp,
            service: Some(auth.service),
            signed_headers: auth.signed_headers,
        },
    })
}

fn claim_acs3(req: &HttpRequest) -> Result<Claim, VerifyError> {
    let alg = Algorithm::Acs3;
    let auth = acs3::parse_authorization(req.header("authorization").unwrap_or(""))
        .map_err(malformed(alg))?;
    let mut required = vec!["host", acs3::HEADER_DATE, acs3::HEADER_NONCE];
    if req.header(acs3::HEADER_TOKEN).is_some() {
        required.push(acs3::HEADER_TOKEN);
    }
    require_signed(alg, &auth.signed_headers, &required)?;
    require_present(alg, req, &auth.signed_headers)?;
    let date = req.header(acs3::HEADER_DATE).unwrap_or("");
    let timestamp = time::parse_iso8601(date).ok_or_else(|| VerifyError::InvalidTimestamp {
        algorithm: alg,
        value: date.to_string(),
    })?;
    Ok(Claim {
        canonical_request: acs3::canonical_request(req, &auth.signed_headers),
        signature: auth.signature,
        date_text: date.to_string(),
        verified: Verified {
            algorithm: alg,
            access_key_id: auth.access_key_id,
            token: req.header(acs3::HEADER_TOKEN).map(str::to_string),
            nonce: req.header(acs3::HEADER_NONCE).map(str::to_string),
            timestamp,
            service: None,
            signed_headers: auth.signed_headers,
        },
    })
}

fn claim_v1(req: &HttpRequest) -> Result<Claim, VerifyError> {
    let alg = Algorithm::AcsV1;
    let q = |name: &str| req.query_param(name).ok_or_else(|| missing(alg, name));
    let method = q("SignatureMethod")?;
    if method != acs_v1::SIGNATURE_METHOD {
        return Err(malformed(alg)(format!(
            "unsupported SignatureMethod {method:?}"
        )));
    }
    let version = q("SignatureVersion")?;
    if version != acs_v1::SIGNATURE_VERSION {
        return Err(malformed(alg)(format!(
            "unsupported SignatureVersion {version:?}"
        )));
    }
    let access_key_id = q("AccessKeyId")?;
    if access_key_id.is_empty() {
        return Err(malformed(alg)("AccessKeyId is empty".into()));
    }
    let nonce = q("SignatureNonce")?;
    let ts_text = q("Timestamp")?;
    let timestamp = time::parse_iso8601(ts_text).ok_or_else(|| VerifyError::InvalidTimestamp {
        algorithm: alg,
        value: ts_text.to_string(),
    })?;
    Ok(Claim {
        canonical_request: acs_v1::canonicalized_query(&req.query),
        signature: q("Signature")?.to_string(),
        date_text: ts_text.to_string(),
        verified: Verified {
            algorithm: alg,
            access_key_id: access_key_id.to_string(),
            token: req.query_param("SecurityToken").map(str::to_string),
            nonce: Some(nonce.to_string()),
            timestamp,
            service: None,
            signed_headers: Vec::new(),
        },
    })
}

fn claim_sdk_hmac(req: &HttpRequest) -> Result<Claim, VerifyError> {
    let alg = Algorithm::SdkHmac;
    let auth = sdk_hmac::parse_authorization(req.header("authorization").unwrap_or(""))
        .map_err(malformed(alg))?;
    require_signed(alg, &auth.signed_headers, &["host", "x-sdk-date"])?;
    if req.header(sdk_hmac::HEADER_TOKEN).is_some() {
        require_signed(alg, &auth.signed_headers, &["x-security-token"])?;
    }
    require_present(alg, req, &auth.signed_headers)?;
    let date = req.header(sdk_hmac::HEADER_DATE).unwrap_or("");
    let timestamp = time::parse_compact(date).ok_or_else(|| VerifyError::InvalidTimestamp {
        algorithm: alg,
        value: date.to_string(),
    })?;
    Ok(Claim {
        canonical_request: sdk_hmac::canonical_request(req, &auth.signed_headers),
        signature: auth.signature,
        date_text: date.to_string(),
        verified: Verified {
            algorithm: alg,
            access_key_id: auth.access_key_id,
            token: req.header(sdk_hmac::HEADER_TOKEN).map(str::to_string),
            nonce: None,
            timestamp,
            service: None,
            signed_headers: auth.signed_headers,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{Credentials, SigningParams, sign};

    const T: i64 = 1_700_000_000;

    fn base(alg: Algorithm) -> HttpRequest {
        match alg {
            Algorithm::Tc3 => HttpRequest {
                method: "POST".into(),
                scheme: "https".into(),
                host: "lighthouse.tencentcloudapi.com".into(),
                path: "/".into(),
                headers: vec![
                    ("Content-Type".into(), "application/json".into()),
                    ("X-TC-Action".into(), "ApplyInstanceSnapshot".into()),
                ],
                body: br#"{"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-nv6aqcv6"}"#
                    .to_vec(),
                ..Default::default()
            },
            Algorithm::Acs3 | Algorithm::AcsV1 => HttpRequest {
                method: "POST".into(),
                scheme: "https".into(),
                host: "ecs.cn-hangzhou.aliyuncs.com".into(),
                path: "/".into(),
                query: vec![
                    ("DiskId".into(), "d-bp199lyny9b3xxxx".into()),
                    ("SnapshotId".into(), "s-bp199lyny9b3xxxx".into()),
                ],
                headers: vec![("x-acs-action".into(), "ResetDisk".into())],
                ..Default::default()
            },
            Algorithm::SdkHmac => HttpRequest {
                method: "POST".into(),
                scheme: "https".into(),
                host: "workspace.cn-north-4.myhuaweicloud.com".into(),
                path: "/v2/fakeproject/snapshots/batch-restore".into(),
                query: vec![("x".into(), "1".into())],
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: br#"{"snapshot_ids": ["a"]}"#.to_vec(),
            },
        }
    }

    fn signed(alg: Algorithm, creds: &Credentials) -> HttpRequest {
        let mut r = base(alg);
        sign(
            alg,
            &mut r,
            &SigningParams::new(creds, T).with_nonce("nonce-1"),
        )
        .unwrap();
        r
    }

    fn lookup(id: &str) -> Option<String> {
        (id == "AKIDEXAMPLEFAKE").then(|| "fake-secret-verify".to_string())
    }

    #[test]
    fn round_trip_every_algorithm() {
        let c = Credentials::new("AKIDEXAMPLEFAKE", "fake-secret-verify").with_token("fake-token");
        for alg in Algorithm::ALL {
            let r = signed(alg, &c);
            let v = verify(&r, T + 10, lookup).unwrap_or_else(|e| panic!("{alg}: {e:?}"));
            assert_eq!(v.algorithm, alg);
            assert_eq!(v.access_key_id, "AKIDEXAMPLEFAKE");
            assert_eq!(v.timestamp, T);
            assert_eq!(v.token.as_deref(), Some("fake-token"));
            v.check_token("fake-token").unwrap();
            assert!(matches!(
                v.check_token("other"),
                Err(VerifyError::InvalidToken { .. })
            ));
            if matches!(alg, Algorithm::Acs3 | Algorithm::AcsV1) {
                assert_eq!(v.nonce.as_deref(), Some("nonce-1"));
            }
        }
    }

    #[test]
    fn distinguishable_errors() {
        let c = Credentials::new("AKIDEXAMPLEFAKE", "fake-secret-verify");
        for alg in Algorithm::ALL {
            let r = signed(alg, &c);
            let v = verify(&r, T, lookup).unwrap();
            assert!(matches!(
                v.check_token("t"),
                Err(VerifyError::MissingToken { .. })
            ));
            assert!(matches!(
                verify(&r, T + 301, lookup),
                Err(VerifyError::TimestampSkewed { .. })
            ));
            assert!(matches!(
                verify(&r, T - 301, lookup),
                Err(VerifyError::TimestampSkewed { .. })
            ));
            assert!(verify(&r, T + 300, lookup).is_ok());
            assert!(matches!(
                verify(&r, T, |_| None),
                Err(VerifyError::UnknownAccessKey { .. })
            ));
            match verify(&r, T, |_| Some("fake-other-secret".into())) {
                Err(VerifyError::SignatureMismatch { string_to_sign, .. }) => {
                    assert!(!string_to_sign.is_empty())
                }
                other => panic!("{alg}: {other:?}"),
            }
            let mut unsigned = base(alg);
            unsigned.query.retain(|(k, _)| k != "Signature");
            assert_eq!(
                verify(&unsigned, T, lookup),
                Err(VerifyError::MissingAuthorization)
            );
        }
    }

    #[test]
    fn unknown_scheme_and_garbage_are_malformed() {
        let mut r = base(Algorithm::Tc3);
        r.set_header("Authorization", "AWS4-HMAC-SHA256 Credential=x");
        assert!(matches!(
            verify(&r, T, lookup),
            Err(VerifyError::MalformedAuthorization {
                algorithm: None,
                ..
            })
        ));
        r.set_header("Authorization", "TC3-HMAC-SHA256 garbage");
        assert!(matches!(
            verify(&r, T, lookup),
            Err(VerifyError::MalformedAuthorization {
                algorithm: Some(Algorithm::Tc3),
                ..
            })
        ));
    }

    #[test]
    fn headers_that_must_be_signed_are_enforced() {
        let c = Credentials::new("AKIDEXAMPLEFAKE", "fake-secret-verify");
        let mut r = signed(Algorithm::Acs3, &c);
        let auth = r.header("Authorization").unwrap().replace("host;", "");
        r.set_header("Authorization", auth);
        assert!(matches!(
            verify(&r, T, lookup),
            Err(VerifyError::MissingSignedPart { .. })
        ));
    }
}
