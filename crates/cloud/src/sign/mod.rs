//! Request signing and verification for the four schemes Rewind speaks.
//!
//! Shaped like `aws-sigv4`: every algorithm is a file of small pure steps (canonical
//! request → string to sign → key → signature → headers/query to add), each `pub` and
//! tested on its own; [`sign`] runs them in order and amends the request. Time and
//! nonce are inputs, never read here. [`verify()`] is the server side used by the
//! emulator: it recomputes the signature over the header set the request itself lists.
//!
//! The official Python SDKs are the reference: `conformance/gen_sign_fixtures.py`
//! captures what they send and `tests/sign_conformance.rs` compares every stage.

pub mod acs3;
pub mod acs_v1;
mod authorization;
/// Percent-encoding as each signature needs it (shared with `http`, which encodes URLs).
pub use crate::encoding;
pub mod sdk_hmac;
pub mod tc3;
pub mod time;
pub mod verify;

use crate::http::HttpRequest;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use verify::{Verified, VerifyError, verify};

/// A signing scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Algorithm {
    /// Tencent Cloud API 3.0, `TC3-HMAC-SHA256`.
    #[serde(rename = "tc3")]
    Tc3,
    /// Alibaba Cloud V3, `ACS3-HMAC-SHA256` (the current SDKs' default).
    #[serde(rename = "acs3")]
    Acs3,
    /// Alibaba Cloud RPC v1, `HMAC-SHA1` signature in the query.
    #[serde(rename = "acs-v1")]
    AcsV1,
    /// Huawei Cloud `SDK-HMAC-SHA256`.
    #[serde(rename = "sdk-hmac")]
    SdkHmac,
}

impl Algorithm {
    pub const ALL: [Algorithm; 4] = [
        Algorithm::Tc3,
        Algorithm::Acs3,
        Algorithm::AcsV1,
        Algorithm::SdkHmac,
    ];

    /// The stable id used in JSON and file names (`tc3`, `acs3`, `acs-v1`, `sdk-hmac`).
    pub fn id(self) -> &'static str {
        match self {
            Algorithm::Tc3 => "tc3",
            Algorithm::Acs3 => "acs3",
            Algorithm::AcsV1 => "acs-v1",
            Algorithm::SdkHmac => "sdk-hmac",
        }
    }

    /// True when the signature carries a nonce ([`SigningParams::with_nonce`]).
    pub fn uses_nonce(self) -> bool {
        matches!(self, Algorithm::Acs3 | Algorithm::AcsV1)
    }

    /// The name the provider uses on the wire.
    pub fn wire_name(self) -> &'static str {
        match self {
            Algorithm::Tc3 => tc3::ALGORITHM,
            Algorithm::Acs3 => acs3::ALGORITHM,
            Algorithm::AcsV1 => acs_v1::SIGNATURE_METHOD,
            Algorithm::SdkHmac => sdk_hmac::ALGORITHM,
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// An access key pair, with the session token of temporary (STS) credentials.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Credentials {
    pub id: String,
    pub secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl Credentials {
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials {
            id: id.into(),
            secret: secret.into(),
            token: None,
        }
    }

    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }
}

/// Never prints the secret or the token, only whether they are set.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("id", &self.id)
            .field("secret", &"** redacted **")
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .finish()
    }
}

/// Everything a signer needs besides the request.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    pub credentials: &'a Credentials,
    /// Unix seconds (UTC). Becomes `X-TC-Timestamp`, `x-acs-date`, `Timestamp`, `X-Sdk-Date`.
    pub time: i64,
    /// Unique per request; required by ACS3 (`x-acs-signature-nonce`) and v1 (`SignatureNonce`).
    pub nonce: Option<&'a str>,
    /// TC3 service name in the credential scope; `lighthouse` when `None`.
    pub service: Option<&'a str>,
}

impl<'a> SigningParams<'a> {
    pub fn new(credentials: &'a Credentials, time: i64) -> Self {
        SigningParams {
            credentials,
            time,
            nonce: None,
            service: None,
        }
    }

    pub fn with_nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }

    pub fn with_service(mut self, service: &'a str) -> Self {
        self.service = Some(service);
        self
    }

    fn require_nonce(&self) -> Result<&'a str, SignError> {
        match self.nonce {
            Some(n) if !n.is_empty() => Ok(n),
            _ => Err(SignError::MissingNonce),
        }
    }
}

/// The intermediate products of signing, for debugging and conformance tests.
/// For v1, `canonical_request` is the sorted, encoded query string that the string to
/// sign wraps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("a nonce is required for this signing algorithm")]
    MissingNonce,
    #[error("the access key id is empty")]
    MissingAccessKeyId,
    #[error("the access key secret is empty")]
    MissingSecret,
    #[error("time {0} is outside the supported range")]
    InvalidTime(i64),
    #[error("the request has no host")]
    MissingHost,
}

/// Signs `req` in place with `alg` and returns the intermediate products.
pub fn sign(alg: Algorithm, req: &mut HttpRequest, p: &SigningParams) -> Result<Signed, SignError> {
    if p.credentials.id.is_empty() {
        return Err(SignError::MissingAccessKeyId);
    }
    if p.credentials.secret.is_empty() {
        return Err(SignError::MissingSecret);
    }
    if req.host.is_empty() {
        return Err(SignError::MissingHost);
    }
    if !time::in_range(p.time) {
        return Err(SignError::InvalidTime(p.time));
    }
    match alg {
        Algorithm::Tc3 => tc3::sign(req, p),
        Algorithm::Acs3 => acs3::sign(req, p),
        Algorithm::AcsV1 => acs_v1::sign(req, p),
        Algorithm::SdkHmac => sdk_hmac::sign(req, p),
    }
}

// ---- small shared helpers --------------------------------------------------------

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// `HMAC-SHA256(key, data)`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex of `SHA256(data)`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Hex SHA-256 of the empty string.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// All values of one header (case-insensitive), in order; `host` falls back to `req.host`.
pub(crate) fn header_values<'r>(req: &'r HttpRequest, lower_name: &str) -> Vec<&'r str> {
    let v: Vec<&str> = req
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(lower_name))
        .map(|(_, v)| v.as_str())
        .collect();
    if v.is_empty() && lower_name == "host" {
        vec![req.host.as_str()]
    } else {
        v
    }
}

/// Headers never signed by the "sign everything present" schemes (ACS3, SDK-HMAC):
/// the signature itself and hop-by-hop/transport headers an HTTP client may rewrite.
pub const UNSIGNABLE_HEADERS: &[&str] = &[
    "authorization",
    "content-length",
    "connection",
    "transfer-encoding",
    "expect",
];

/// The lower-cased, sorted, de-duplicated names of the headers present (plus `host`),
/// minus [`UNSIGNABLE_HEADERS`] and any name `skip` rejects.
pub fn present_header_names(req: &HttpRequest, skip: impl Fn(&str) -> bool) -> Vec<String> {
    let mut names: Vec<String> = req
        .headers
        .iter()
        .map(|(k, _)| k.to_ascii_lowercase())
        .chain(std::iter::once("host".to_string()))
        .filter(|k| !UNSIGNABLE_HEADERS.contains(&k.as_str()) && !skip(k))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_debug_redacts_secret_and_token() {
        let c = Credentials::new("AKIDEXAMPLEFAKE", "fake-secret-do-not-print")
            .with_token("fake-token-xyz");
        let s = format!("{c:?}");
        assert!(s.contains("AKIDEXAMPLEFAKE"));
        assert!(!s.contains("fake-secret-do-not-print"));
        assert!(!s.contains("fake-token-xyz"));
    }

    #[test]
    fn algorithm_serde_ids() {
        for a in Algorithm::ALL {
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                format!("\"{}\"", a.id())
            );
        }
    }

    #[test]
    fn hmac_sha256_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(sha256_hex(b""), EMPTY_SHA256);
    }

    #[test]
    fn sign_refuses_empty_credentials_and_host() {
        let c = Credentials::new("", "s");
        let mut r = HttpRequest {
            host: "h".into(),
            ..Default::default()
        };
        assert_eq!(
            sign(Algorithm::Tc3, &mut r, &SigningParams::new(&c, 0)),
            Err(SignError::MissingAccessKeyId)
        );
        let c = Credentials::new("id", "s");
        let mut r = HttpRequest::default();
        assert_eq!(
            sign(Algorithm::Tc3, &mut r, &SigningParams::new(&c, 0)),
            Err(SignError::MissingHost)
        );
    }
}
