//! Tencent Cloud API 3.0 signature, `TC3-HMAC-SHA256`.
//!
//! As `tencentcloud-sdk-python-common` does it: the SDK signs `content-type;host` only,
//! the canonical query of a GET is the query string exactly as sent (Python
//! `urlencode`, space as `+`, parameters in insertion order), and a POST has an empty
//! canonical query and the JSON body as payload.

use super::authorization::{auth_fields, field, signed_header_list};
use super::encoding::form_urlencode;
use super::{SignError, Signed, SigningParams, hmac_sha256, sha256_hex, time};
use crate::http::HttpRequest;

pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
pub const DEFAULT_SERVICE: &str = "lighthouse";
/// The headers the official SDKs sign.
pub const DEFAULT_SIGNED_HEADERS: &[&str] = &["content-type", "host"];
pub const HEADER_TIMESTAMP: &str = "X-TC-Timestamp";
pub const HEADER_TOKEN: &str = "X-TC-Token";

/// The canonical query: the query as the SDK sends it (empty when there is none).
pub fn canonical_query(req: &HttpRequest) -> String {
    form_urlencode(&req.query)
}

/// `name:value\n` per signed header; names and values lower-cased and trimmed, as
/// Tencent documents (the SDK's values are lower-case already).
pub fn canonical_headers(req: &HttpRequest, signed_headers: &[String]) -> String {
    let mut out = String::new();
    for name in signed_headers {
        let value = super::header_values(req, name).join(",");
        out.push_str(name);
        out.push(':');
        out.push_str(&value.trim().to_lowercase());
        out.push('\n');
    }
    out
}

/// `METHOD\n/\nQUERY\nHEADERS\nSIGNED\nhex(sha256(body))`.
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

/// `{date}/{service}/tc3_request`.
pub fn credential_scope(date: &str, service: &str) -> String {
    format!("{date}/{service}/tc3_request")
}

/// `TC3-HMAC-SHA256\n{timestamp}\n{scope}\nhex(sha256(canonical request))`.
pub fn string_to_sign(timestamp: i64, scope: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// `kSigning = HMAC(HMAC(HMAC("TC3" + secret, date), service), "tc3_request")`.
pub fn signing_key(secret: &str, date: &str, service: &str) -> [u8; 32] {
    // kDate: the secret, prefixed with the algorithm family, keys the UTC date.
    let k_date = hmac_sha256(format!("TC3{secret}").as_bytes(), date.as_bytes());
    // kService: narrows the key to one product.
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    // kSigning: the fixed terminator.
    hmac_sha256(&k_service, b"tc3_request")
}

/// Lower-case hex `HMAC_SHA256(kSigning, string to sign)`.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

/// The `Authorization` header value.
pub fn authorization(
    access_key_id: &str,
    scope: &str,
    signed_headers: &[String],
    signature: &str,
) -> String {
    format!(
        "{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={}, Signature={signature}",
        signed_headers.join(";")
    )
}

/// Sets `X-TC-Timestamp` (and `X-TC-Token`), signs `content-type;host`, sets `Authorization`.
pub fn sign(req: &mut HttpRequest, p: &SigningParams) -> Result<Signed, SignError> {
    let service = p.service.unwrap_or(DEFAULT_SERVICE);
    req.set_header(HEADER_TIMESTAMP, p.time.to_string());
    if let Some(token) = &p.credentials.token {
        req.set_header(HEADER_TOKEN, token.clone());
    }
    let signed_headers: Vec<String> = DEFAULT_SIGNED_HEADERS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let date = time::format_date(p.time);
    let scope = credential_scope(&date, service);
    let canonical_request = canonical_request(req, &signed_headers);
    let string_to_sign = string_to_sign(p.time, &scope, &canonical_request);
    let signature = signature(
        &signing_key(&p.credentials.secret, &date, service),
        &string_to_sign,
    );
    req.set_header(
        "Authorization",
        authorization(&p.credentials.id, &scope, &signed_headers, &signature),
    );
    Ok(Signed {
        canonical_request,
        string_to_sign,
        signature,
    })
}

/// A parsed `Authorization: TC3-HMAC-SHA256 …` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tc3Authorization {
    pub access_key_id: String,
    pub date: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Parses `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=…, Signature=…`.
pub fn parse_authorization(value: &str) -> Result<Tc3Authorization, String> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or_else(|| format!("Authorization does not start with {ALGORITHM}"))?;
    let fields = auth_fields(rest, ',')?;
    let credential = field(&fields, "Credential")?;
    let parts: Vec<&str> = credential.split('/').collect();
    if parts.len() != 4 || parts[3] != "tc3_request" || parts.iter().any(|p| p.is_empty()) {
        return Err("Credential must be SecretId/YYYY-MM-DD/service/tc3_request".into());
    }
    Ok(Tc3Authorization {
        access_key_id: parts[0].to_string(),
        date: parts[1].to_string(),
        service: parts[2].to_string(),
        signed_headers: signed_header_list(field(&fields, "SignedHeaders")?)?,
        signature: field(&fields, "Signature")?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::Credentials;

    /// The worked example in Tencent's API 3.0 signature documentation (CVM,
    /// DescribeInstances, timestamp 1551113065, the documented fake key).
    #[test]
    fn tencent_documented_example() {
        let mut req = HttpRequest {
            method: "POST".into(),
            scheme: "https".into(),
            host: "cvm.tencentcloudapi.com".into(),
            path: "/".into(),
            headers: vec![("Content-Type".into(), "application/json; charset=utf-8".into())],
            body: br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#.to_vec(),
            ..Default::default()
        };
        let creds = Credentials::new(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
            "Gu5t9xGARNpq86cd98joQYCN3*******",
        );
        let p = SigningParams::new(&creds, 1_551_113_065).with_service("cvm");
        let s = sign(&mut req, &p).unwrap();
        assert_eq!(
            s.canonical_request,
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(
            s.string_to_sign,
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        // The signature printed in the documentation.
        assert_eq!(
            s.signature,
            "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
        assert_eq!(req.header("X-TC-Timestamp"), Some("1551113065"));
        assert!(req.header("Authorization").unwrap().starts_with(
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature="
        ));
    }

    #[test]
    fn get_signs_the_form_encoded_query_in_order() {
        let req = HttpRequest {
            method: "GET".into(),
            host: "h".into(),
            path: "/".into(),
            query: vec![("Z".into(), "a b".into()), ("A".into(), "/:".into())],
            ..Default::default()
        };
        let cr = canonical_request(&req, &["host".to_string()]);
        assert!(cr.starts_with("GET\n/\nZ=a+b&A=%2F%3A\nhost:h\n\nhost\n"));
    }

    #[test]
    fn authorization_round_trips() {
        let sh = vec!["content-type".to_string(), "host".to_string()];
        let a = authorization(
            "AKIDEXAMPLEFAKE",
            "2024-01-02/lighthouse/tc3_request",
            &sh,
            "ab12",
        );
        let parsed = parse_authorization(&a).unwrap();
        assert_eq!(parsed.access_key_id, "AKIDEXAMPLEFAKE");
        assert_eq!(parsed.date, "2024-01-02");
        assert_eq!(parsed.service, "lighthouse");
        assert_eq!(parsed.signed_headers, sh);
        assert_eq!(parsed.signature, "ab12");
        assert!(
            parse_authorization("TC3-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=1")
                .is_err()
        );
    }
}
