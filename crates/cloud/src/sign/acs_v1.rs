//! Alibaba Cloud RPC signature v1: `HMAC-SHA1` over the sorted query, carried in the
//! `Signature` query parameter. The host and headers are not signed.
//!
//! Matches both `alibabacloud-tea-openapi` (`signature_algorithm="v2"`) and the legacy
//! `aliyun-python-sdk-core`: they differ only in which common parameters they add
//! (`Format=json` vs `JSON`, the legacy `SignatureType=`), all of which are signed
//! like any other parameter.

use super::encoding::rfc3986;
use super::{SignError, Signed, SigningParams, time};
use crate::http::HttpRequest;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
pub const SIGNATURE_VERSION: &str = "1.0";

/// Sets a query parameter in place (first occurrence), or appends it.
fn set_query(req: &mut HttpRequest, name: &str, value: &str) {
    if let Some(slot) = req.query.iter_mut().find(|(k, _)| k == name) {
        slot.1 = value.to_string();
    } else {
        req.query.push((name.to_string(), value.to_string()));
    }
}

/// Every parameter but `Signature`, as sorted `enc(k)=enc(v)` joined by `&`.
pub fn canonicalized_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .filter(|(k, _)| k != "Signature")
        .map(|(k, v)| (rfc3986(k), rfc3986(v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `METHOD&%2F&` + enc(canonicalized query).
pub fn string_to_sign(method: &str, canonicalized_query: &str) -> String {
    format!(
        "{}&%2F&{}",
        method.to_ascii_uppercase(),
        rfc3986(canonicalized_query)
    )
}

/// `base64(HMAC_SHA1(secret + "&", string to sign))`.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let key = format!("{secret}&");
    let mut mac = match Hmac::<Sha1>::new_from_slice(key.as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Adds `AccessKeyId`, `SignatureMethod`, `SignatureVersion`, `SignatureNonce`,
/// `Timestamp` (and `SecurityToken`), then `Signature`, to the query.
pub fn sign(req: &mut HttpRequest, p: &SigningParams) -> Result<Signed, SignError> {
    let nonce = p.require_nonce()?;
    req.query.retain(|(k, _)| k != "Signature");
    set_query(req, "Timestamp", &time::format_iso8601(p.time));
    set_query(req, "SignatureNonce", nonce);
    if let Some(token) = &p.credentials.token {
        set_query(req, "SecurityToken", token);
    }
    set_query(req, "SignatureMethod", SIGNATURE_METHOD);
    set_query(req, "SignatureVersion", SIGNATURE_VERSION);
    set_query(req, "AccessKeyId", &p.credentials.id);
    let canonical_request = canonicalized_query(&req.query);
    let string_to_sign = string_to_sign(&req.method, &canonical_request);
    let signature = signature(&p.credentials.secret, &string_to_sign);
    req.query.push(("Signature".to_string(), signature.clone()));
    Ok(Signed {
        canonical_request,
        string_to_sign,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::Credentials;

    /// The worked example from Alibaba's RPC signature documentation (DescribeRegions,
    /// key `testid`/`testsecret`, GET).
    #[test]
    fn alibaba_documented_example() {
        let query: Vec<(String, String)> = [
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let cq = canonicalized_query(&query);
        let sts = string_to_sign("GET", &cq);
        assert_eq!(
            sts,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        );
        assert_eq!(
            signature("testsecret", &sts),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
    }

    #[test]
    fn sign_adds_common_params_and_signature() {
        let mut r = HttpRequest {
            method: "POST".into(),
            host: "ecs.aliyuncs.com".into(),
            path: "/".into(),
            query: vec![("Action".into(), "ResetDisk".into())],
            ..Default::default()
        };
        let c = Credentials::new("LTAIEXAMPLEFAKE", "fake-secret-v1").with_token("fake-sts");
        let s = sign(&mut r, &SigningParams::new(&c, 0).with_nonce("n")).unwrap();
        assert_eq!(r.query_param("Timestamp"), Some("1970-01-01T00:00:00Z"));
        assert_eq!(r.query_param("SecurityToken"), Some("fake-sts"));
        assert_eq!(r.query_param("Signature"), Some(s.signature.as_str()));
        assert_eq!(r.query.last().map(|(k, _)| k.as_str()), Some("Signature"));
        // Signing twice replaces, never duplicates.
        sign(&mut r, &SigningParams::new(&c, 0).with_nonce("n")).unwrap();
        assert_eq!(r.query.iter().filter(|(k, _)| k == "Signature").count(), 1);
    }
}
