//! Huawei Cloud `SDK-HMAC-SHA256` (APIG AK/SK signing).
//!
//! As `huaweicloudsdkcore` does it: each path segment RFC 3986-encoded and a trailing
//! `/` appended; query pairs sorted by (name, value) and encoded; every header present
//! is signed except names containing `_`; a non-JSON body is sent as
//! `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`.

use super::authorization::{KeyedAuthorization, parse_keyed_authorization};
use super::encoding::rfc3986;
use super::{EMPTY_SHA256, SignError, Signed, SigningParams, hmac_sha256, sha256_hex, time};
use crate::http::HttpRequest;

pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
pub const HEADER_DATE: &str = "X-Sdk-Date";
pub const HEADER_TOKEN: &str = "X-Security-Token";
pub const HEADER_CONTENT_SHA256: &str = "X-Sdk-Content-Sha256";
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// `/v2/p/snapshots` → `/v2/p/snapshots/`, each segment encoded.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = path.split('/').map(rfc3986).collect::<Vec<_>>().join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Pairs sorted by (name, value), `enc(k)=enc(v)` joined by `&`.
pub fn canonical_query(req: &HttpRequest) -> String {
    let mut pairs: Vec<&(String, String)> = req.query.iter().collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", rfc3986(k), rfc3986(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `name:value` lines, each followed by `\n`; a repeated header contributes its last value.
pub fn canonical_headers(req: &HttpRequest, signed_headers: &[String]) -> String {
    let mut out = String::new();
    for name in signed_headers {
        let value = super::header_values(req, name)
            .last()
            .copied()
            .unwrap_or("");
        out.push_str(name);
        out.push(':');
        out.push_str(value.trim());
        out.push('\n');
    }
    out
}

/// The payload hash: empty body → hash of "", else `X-Sdk-Content-Sha256` if set,
/// else hex SHA-256 of the body.
pub fn payload_hash(req: &HttpRequest) -> String {
    if req.body.is_empty() {
        return EMPTY_SHA256.to_string();
    }
    match req.header(HEADER_CONTENT_SHA256) {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => sha256_hex(&req.body),
    }
}

/// `METHOD\nURI\nQUERY\nHEADERS\nSIGNED\nPAYLOAD_HASH`.
pub fn canonical_request(req: &HttpRequest, signed_headers: &[String]) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method.to_ascii_uppercase(),
        canonical_uri(&req.path),
        canonical_query(req),
        canonical_headers(req, signed_headers),
        signed_headers.join(";"),
        payload_hash(req)
    )
}

/// `SDK-HMAC-SHA256\n{X-Sdk-Date}\nhex(sha256(canonical request))`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// Lower-case hex `HMAC_SHA256(SK, string to sign)`.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()))
}

pub fn authorization(access_key_id: &str, signed_headers: &[String], signature: &str) -> String {
    format!(
        "{ALGORITHM} Access={access_key_id}, SignedHeaders={}, Signature={signature}",
        signed_headers.join(";")
    )
}

/// Headers this scheme signs: every one present except names with `_`.
pub fn signed_header_names(req: &HttpRequest) -> Vec<String> {
    super::present_header_names(req, |k| k.contains('_'))
}

/// Sets `X-Sdk-Date` (and `X-Security-Token`), signs every header present, sets
/// `Authorization`.
pub fn sign(req: &mut HttpRequest, p: &SigningParams) -> Result<Signed, SignError> {
    if let Some(ct) = req.header("content-type")
        && !ct.starts_with("application/json")
        && !ct.starts_with("application/bson")
    {
        req.set_header(HEADER_CONTENT_SHA256, UNSIGNED_PAYLOAD);
    }
    let date = time::format_compact(p.time);
    req.set_header(HEADER_DATE, date.clone());
    if let Some(token) = &p.credentials.token {
        req.set_header(HEADER_TOKEN, token.clone());
    }
    let signed_headers = signed_header_names(req);
    let canonical_request = canonical_request(req, &signed_headers);
    let string_to_sign = string_to_sign(&date, &canonical_request);
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

/// A parsed `Authorization: SDK-HMAC-SHA256 …` header.
pub type SdkHmacAuthorization = KeyedAuthorization;

/// Parses `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=…`.
pub fn parse_authorization(value: &str) -> Result<SdkHmacAuthorization, String> {
    parse_keyed_authorization(value, ALGORITHM, "Access")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::Credentials;

    #[test]
    fn canonical_uri_encodes_segments_and_appends_slash() {
        assert_eq!(canonical_uri("/v2/p 1/snapshots"), "/v2/p%201/snapshots/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/a/"), "/a/");
    }

    #[test]
    fn query_sorted_by_name_then_value() {
        let r = HttpRequest {
            query: vec![
                ("desktop_ids".into(), "b".into()),
                ("limit".into(), "10".into()),
                ("desktop_ids".into(), "a".into()),
            ],
            ..Default::default()
        };
        assert_eq!(canonical_query(&r), "desktop_ids=a&desktop_ids=b&limit=10");
    }

    #[test]
    fn sign_skips_underscore_headers_and_sets_date() {
        let mut r = HttpRequest {
            method: "POST".into(),
            scheme: "https".into(),
            host: "workspace.cn-north-4.myhuaweicloud.com".into(),
            path: "/v2/fakeproject/snapshots/batch-restore".into(),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-Project-Id".into(), "fakeproject".into()),
                ("x_skip_me".into(), "1".into()),
            ],
            body: br#"{"snapshot_ids": ["a"]}"#.to_vec(),
            ..Default::default()
        };
        let c = Credentials::new("HWEXAMPLEFAKEAK", "fake-secret-hw");
        let s = sign(&mut r, &SigningParams::new(&c, 1_700_000_000)).unwrap();
        assert_eq!(r.header("X-Sdk-Date"), Some("20231114T221320Z"));
        let a = parse_authorization(r.header("Authorization").unwrap()).unwrap();
        assert_eq!(
            a.signed_headers,
            ["content-type", "host", "x-project-id", "x-sdk-date"]
        );
        assert!(
            s.canonical_request
                .starts_with("POST\n/v2/fakeproject/snapshots/batch-restore/\n\n")
        );
    }
}
