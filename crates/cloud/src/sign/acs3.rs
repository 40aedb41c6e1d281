//! Alibaba Cloud V3 signature, `ACS3-HMAC-SHA256`.
//!
//! As `alibabacloud-tea-openapi` does it: query pairs sorted, values RFC 3986-encoded;
//! every header present is signed (the SDK signs `host`, `accept`, `user-agent` and all
//! `x-acs-*`), names lower-cased and sorted, values trimmed; no derived key.

use super::authorization::{KeyedAuthorization, parse_keyed_authorization};
use super::encoding::rfc3986;
use super::{SignError, Signed, SigningParams, hmac_sha256, sha256_hex, time};
use crate::http::HttpRequest;

pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";
pub const HEADER_DATE: &str = "x-acs-date";
pub const HEADER_NONCE: &str = "x-acs-signature-nonce";
pub const HEADER_CONTENT_SHA256: &str = "x-acs-content-sha256";
pub const HEADER_TOKEN: &str = "x-acs-security-token";
pub const HEADER_ACCESS_KEY_ID: &str = "x-acs-accesskey-id";

/// Sorted `k=v` pairs joined by `&`, both sides RFC 3986-encoded.
pub fn canonical_query(req: &HttpRequest) -> String {
    let mut pairs: Vec<(String, String)> = req
        .query
        .iter()
        .map(|(k, v)| (rfc3986(k), rfc3986(v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `name:v1,v2\n` per signed header, values trimmed and (when repeated) sorted.
pub fn canonical_headers(req: &HttpRequest, signed_headers: &[String]) -> String {
    let mut out = String::new();
    for name in signed_headers {
        let mut values: Vec<&str> = super::header_values(req, name)
            .into_iter()
            .map(str::trim)
            .collect();
        values.sort_unstable();
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out
}

/// `METHOD\nPATH\nQUERY\nHEADERS\nSIGNED\nhex(sha256(body))`.
pub fn canonical_request(req: &HttpRequest, signed_headers: &[String]) -> String {
    let path = if req.path.is_empty() {
        "/"
    } else {
        req.path.as_str()
    };
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method.to_ascii_uppercase(),
        path,
        canonical_query(req),
        canonical_headers(req, signed_headers),
        signed_headers.join(";"),
        sha256_hex(&req.body)
    )
}

/// `ACS3-HMAC-SHA256\nhex(sha256(canonical request))`.
pub fn string_to_sign(canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// Lower-case hex `HMAC_SHA256(AccessKeySecret, string to sign)`: V3 derives no key.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()))
}

/// The `Authorization` header value (no spaces after the commas).
pub fn authorization(access_key_id: &str, signed_headers: &[String], signature: &str) -> String {
    format!(
        "{ALGORITHM} Credential={access_key_id},SignedHeaders={},Signature={signature}",
        signed_headers.join(";")
    )
}

/// Sets `x-acs-date`, `x-acs-signature-nonce`, `x-acs-content-sha256` (and the STS
/// headers), signs every header present, sets `Authorization`.
pub fn sign(req: &mut HttpRequest, p: &SigningParams) -> Result<Signed, SignError> {
    let nonce = p.require_nonce()?;
    req.set_header(HEADER_DATE, time::format_iso8601(p.time));
    req.set_header(HEADER_NONCE, nonce);
    req.set_header(HEADER_CONTENT_SHA256, sha256_hex(&req.body));
    if let Some(token) = &p.credentials.token {
        req.set_header(HEADER_ACCESS_KEY_ID, p.credentials.id.clone());
        req.set_header(HEADER_TOKEN, token.clone());
    }
    let signed_headers = super::present_header_names(req, |_| false);
    let canonical_request = canonical_request(req, &signed_headers);
    let string_to_sign = string_to_sign(&canonical_request);
    let signature = signature(&p.credentials.secret, &string_to_sign);
    req.set_header(
        "Authorization",
        authorization(&p.credentials.id, &signed_headers, &signature),
    );
    Ok(Signed {
        canonical_request,
        string_to_sign,
        signature,
    })
}

/// A parsed `Authorization: ACS3-HMAC-SHA256 …` header.
pub type Acs3Authorization = KeyedAuthorization;

/// Parses `ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=a;b,Signature=…`.
pub fn parse_authorization(value: &str) -> Result<Acs3Authorization, String> {
    parse_keyed_authorization(value, ALGORITHM, "Credential")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::Credentials;

    fn req() -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            scheme: "https".into(),
            host: "ecs.cn-hangzhou.aliyuncs.com".into(),
            path: "/".into(),
            query: vec![
                ("SnapshotId".into(), "s-bp1 *~".into()),
                ("DiskId".into(), "d-bp1".into()),
            ],
            headers: vec![
                ("x-acs-action".into(), "ResetDisk".into()),
                ("x-acs-version".into(), "2014-05-26".into()),
            ],
            body: vec![],
        }
    }

    #[test]
    fn canonical_parts() {
        let r = req();
        assert_eq!(canonical_query(&r), "DiskId=d-bp1&SnapshotId=s-bp1%20%2A~");
        let sh = vec!["host".to_string(), "x-acs-action".to_string()];
        assert_eq!(
            canonical_headers(&r, &sh),
            "host:ecs.cn-hangzhou.aliyuncs.com\nx-acs-action:ResetDisk\n"
        );
    }

    #[test]
    fn sign_sets_headers_and_signs_all_present() {
        let mut r = req();
        let c =
            Credentials::new("LTAIEXAMPLEFAKE", "fake-secret-acs3").with_token("fake-sts-token");
        let s = sign(
            &mut r,
            &SigningParams::new(&c, 1_700_000_000).with_nonce("n-1"),
        )
        .unwrap();
        assert_eq!(r.header("x-acs-date"), Some("2023-11-14T22:13:20Z"));
        assert_eq!(
            r.header("x-acs-content-sha256"),
            Some(super::super::EMPTY_SHA256)
        );
        let auth = parse_authorization(r.header("Authorization").unwrap()).unwrap();
        assert_eq!(
            auth.signed_headers,
            [
                "host",
                "x-acs-accesskey-id",
                "x-acs-action",
                "x-acs-content-sha256",
                "x-acs-date",
                "x-acs-security-token",
                "x-acs-signature-nonce",
                "x-acs-version"
            ]
        );
        assert_eq!(auth.signature, s.signature);
        assert!(s.string_to_sign.starts_with("ACS3-HMAC-SHA256\n"));
        let mut r2 = req();
        assert_eq!(
            sign(&mut r2, &SigningParams::new(&c, 1)),
            Err(SignError::MissingNonce)
        );
    }
}
