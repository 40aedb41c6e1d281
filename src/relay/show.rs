//! "Show signed request": a request signed exactly as the console would sign it, shown
//! without sending it, like a CLI dry run. The signature is visible; the secret never
//! is, and an STS token is masked.

use super::hosts::Relay;
use super::keys::ProviderKeys;
use super::send::prepare;
use crate::api::Failure;
use rewind_cloud::sign::{self, Credentials};
use rewind_cloud::{HttpRequest, Provider};
use serde_json::{Value, json};

/// What stands in for an STS token (or, defensively, a secret) wherever a request is shown.
pub const MASK: &str = "••••••••";

/// A signed request as shown to the user ("like a CLI dry run"): the signature visible,
/// the STS token masked, the secret nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub curl: String,
}

/// Headers and query parameters that carry an STS token.
const TOKEN_HEADERS: &[&str] = &[
    sign::tc3::HEADER_TOKEN,
    sign::acs3::HEADER_TOKEN,
    sign::sdk_hmac::HEADER_TOKEN,
];
const TOKEN_QUERY: &str = "SecurityToken";

/// Replaces the secret and token wherever they might appear (they never should, but the
/// page must not show them even if a builder one day echoes one).
fn scrub(s: &str, creds: &Credentials) -> String {
    let mut out = s.to_string();
    for v in [Some(&creds.secret), creds.token.as_ref()]
        .into_iter()
        .flatten()
    {
        if v.chars().count() >= 4 {
            out = out.replace(v.as_str(), MASK);
        }
    }
    out
}

/// Single-quotes for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub fn show(req: &HttpRequest, creds: &Credentials) -> Shown {
    // The URL as the request is sent (in its own query encoding), the token masked.
    let mut masked = req.clone();
    for (k, v) in &mut masked.query {
        if k == TOKEN_QUERY {
            *v = MASK.to_string();
        }
    }
    let url = scrub(&masked.url(), creds);
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| {
            let v = if TOKEN_HEADERS.iter().any(|t| t.eq_ignore_ascii_case(k)) {
                MASK.to_string()
            } else {
                scrub(v, creds)
            };
            (k.clone(), v)
        })
        .collect();
    let body = scrub(&String::from_utf8_lossy(&req.body), creds);
    let mut curl = format!("curl -X {} {}", req.method, shell_quote(&url));
    for (k, v) in &headers {
        curl.push_str(&format!(" -H {}", shell_quote(&format!("{k}: {v}"))));
    }
    if !body.is_empty() {
        curl.push_str(&format!(" --data-raw {}", shell_quote(&body)));
    }
    Shown {
        method: req.method.clone(),
        url,
        headers,
        body,
        curl,
    }
}

/// A harmless read to pre-fill "Show signed request" with.
pub fn sample(provider: Provider) -> (&'static str, Value) {
    match provider {
        Provider::Tencent => ("DescribeInstances", json!({"Limit": 1})),
        Provider::Alibaba => ("DescribeDisks", json!({"MaxResults": 10})),
        Provider::Huawei => ("ListDesktopSnapshot", json!({"limit": 1})),
    }
}

/// Signs the request for "Show signed request" with the tab's keys, fresh time and nonce.
pub fn sign_for_show(
    relay: &Relay,
    keys: Option<&ProviderKeys>,
    provider: Provider,
    region: &str,
    action: &str,
    params: &Value,
) -> Result<Shown, Box<Failure>> {
    let signed = prepare(
        relay,
        keys,
        provider,
        region,
        action,
        params,
        (js_sys::Date::now() / 1000.0) as i64,
        &crate::api::random_hex(),
    )?;
    Ok(show(
        &signed.request,
        &keys.map(ProviderKeys::credentials).unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::keys::AlibabaSignature;
    use crate::relay::send::prepare;
    use crate::relay::testkit::*;

    #[test]
    fn shown_requests_have_the_signature_but_never_the_secret_or_token() {
        let relay = demo_relay();
        let mut k = keys(AlibabaSignature::V3);
        k.token = Some(TOKEN.into());
        for (p, region, action, params) in [
            (
                Provider::Tencent,
                "ap-guangzhou",
                "DescribeInstances",
                json!({"Limit": 1}),
            ),
            (Provider::Alibaba, "cn-hangzhou", "DescribeDisks", json!({})),
            (
                Provider::Huawei,
                "cn-north-4",
                "ListDesktopSnapshot",
                json!({"limit": 1}),
            ),
        ] {
            let s = prepare(
                &relay,
                Some(&k),
                p,
                region,
                action,
                &params,
                1_700_000_000,
                "n",
            )
            .unwrap();
            // The raw signed request carries the token (the cloud needs it) …
            assert!(format!("{:?}", s.request).contains(TOKEN), "{p}");
            let shown = show(&s.request, &k.credentials());
            let all = format!("{shown:?}");
            // … the shown one does not, nor the secret; the signature is there.
            assert!(!all.contains(TOKEN) && !all.contains(SECRET), "{p}: {all}");
            assert!(all.contains(MASK), "{p}: {all}");
            let auth = shown
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                .map(|(_, v)| v.as_str())
                .unwrap();
            assert!(auth.contains("Signature="), "{auth}");
            assert!(
                shown.url.starts_with("http://127.0.0.1:40123/"),
                "{}",
                shown.url
            );
            assert!(
                shown
                    .curl
                    .starts_with(&format!("curl -X {} 'http://", shown.method))
            );
            assert!(shown.curl.contains(auth), "{}", shown.curl);
        }
        // v1: the token travels in the query.
        k.signature = AlibabaSignature::V1;
        let s = prepare(
            &relay,
            Some(&k),
            Provider::Alibaba,
            "cn-hangzhou",
            "DescribeDisks",
            &json!({}),
            1_700_000_000,
            "n",
        )
        .unwrap();
        assert_eq!(s.request.query_param("SecurityToken"), Some(TOKEN));
        let shown = show(&s.request, &k.credentials());
        assert!(
            !shown.url.contains(TOKEN) && !shown.curl.contains(TOKEN),
            "{}",
            shown.url
        );
        assert!(shown.url.contains("Signature="), "{}", shown.url);
        // Defensive scrubbing and shell quoting.
        let creds = k.credentials();
        assert_eq!(scrub(&format!("a{SECRET}b"), &creds), format!("a{MASK}b"));
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
