//! Security headers on every answer: a Content-Security-Policy that allows exactly what
//! the console loads, no framing (clickjacking), no MIME sniffing (a relayed upstream
//! answer must never run as a page of this origin), no Referer, and `no-store` on the
//! answers that carry account data.
//!
//! The data answers (`/api/*`, `/relay`, `/config.json`) are never meant to be shown as a
//! page, so they get a policy that allows nothing and sandboxes the document: should one
//! be opened as a page anyway (a relayed answer that is not JSON comes as a download), it
//! runs no script and has no origin. A document's own policy governs what it loads, not
//! the answers it fetches, so the console's calls are unaffected.
//!
//! The policy is built once, when the router is built: Trunk's `index.html` starts the
//! app with an inline module script (and names other files by content hash), so the
//! SHA-256 of each inline `<script>` in the served `index.html` is allowed by hash, and
//! nothing else inline is. Replacing `dist/` therefore needs a restart, as it does anyway
//! for the precompressed files.

use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// The headers the [`apply`] middleware sets, built once.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    csp: HeaderValue,
}

/// The policy of the data answers: nothing loads, nothing frames them, no origin.
pub const DATA_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

impl SecurityHeaders {
    /// The policy for the console in `dist` (none: the API alone, no inline script).
    pub fn new(dist: Option<&Path>) -> SecurityHeaders {
        let hashes = match dist {
            None => Vec::new(),
            Some(dist) => {
                let index = dist.join("index.html");
                match std::fs::read_to_string(&index) {
                    Ok(html) => inline_script_hashes(&html),
                    Err(e) => {
                        // The console will not start under the policy; say why once.
                        tracing::warn!(path = %index.display(), error = %e, "cannot read the console's index.html: its inline scripts are not allowed");
                        Vec::new()
                    }
                }
            }
        };
        let policy = content_security_policy(&hashes);
        let csp = HeaderValue::from_str(&policy).unwrap_or_else(|_| {
            // Hashes are base64, so this cannot happen; fall back to the strictest form.
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-ancestors 'none'",
            )
        });
        SecurityHeaders { csp }
    }

    /// The console's `Content-Security-Policy` value.
    pub fn csp(&self) -> &HeaderValue {
        &self.csp
    }
}

/// The console's policy. It needs: its own scripts, and WebAssembly compilation
/// (`'wasm-unsafe-eval'`); the inline loader by hash; its own stylesheets (views set
/// styles only through the CSSOM, `style:height=…`, which `style-src` does not govern);
/// `fetch` to its own origin (`/config.json`, the wasm file, and the API and `/relay`
/// when the server serves the console) and to `api_base` when the console is hosted on
/// another origin than the server ([`static_host_headers`]). It shows no images, so
/// `img-src` stays `'self'`.
pub fn content_security_policy(inline_script_hashes: &[String]) -> String {
    policy(inline_script_hashes, None)
}

fn policy(inline_script_hashes: &[String], api_base: Option<&str>) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for h in inline_script_hashes {
        script_src.push_str(&format!(" 'sha256-{h}'"));
    }
    let connect_src = match api_base {
        Some(base) => format!("'self' {base}"),
        None => "'self'".to_string(),
    };
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self'; \
         connect-src {connect_src}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; \
         object-src 'none'"
    )
}

/// The headers every answer carries besides the policy: no framing, no MIME sniffing,
/// no Referer, a browsing context of its own (names in lower case, as `HeaderName` wants).
const FIXED: [(&str, &str); 4] = [
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
];

/// The headers a static host (a bucket, a CDN, nginx) must send with the console in
/// `index_html` so that it runs exactly as it does when `rewind` serves it: the same
/// policy, with the Rewind server's origin `api_base` added to `connect-src`, and the
/// same framing, sniffing, referrer and opener rules.
pub fn static_host_headers(
    index_html: &str,
    api_base: Option<&str>,
) -> Vec<(&'static str, String)> {
    let hashes = inline_script_hashes(index_html);
    let mut headers = vec![("content-security-policy", policy(&hashes, api_base))];
    headers.extend(FIXED.iter().map(|(n, v)| (*n, v.to_string())));
    headers
}

/// Base64 SHA-256 of the text of each inline `<script>` (one without `src`), as CSP
/// hashes it: the text as the HTML parser sees it, line breaks normalized to `\n`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find("<script") {
        let start = at + found;
        let after_name = start + "<script".len();
        // `<scripts>` or similar is not a script element.
        if !lower[after_name..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>') {
            at = after_name;
            continue;
        }
        let Some((tag_end, has_src)) = open_tag_end(&lower, after_name) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script") else {
            break;
        };
        let body = &html[tag_end..tag_end + close];
        if !has_src {
            let text = body.replace("\r\n", "\n").replace('\r', "\n");
            hashes.push(base64(&Sha256::digest(text.as_bytes())));
        }
        at = tag_end + close + "</script".len();
    }
    hashes
}

/// The index just past the `>` of an opening tag whose attributes start at `from`, and
/// whether it has a `src` attribute. Quoted values may contain `>`.
fn open_tag_end(lower: &str, from: usize) -> Option<(usize, bool)> {
    let bytes = lower.as_bytes();
    let mut i = from;
    let mut has_src = false;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if *bytes.get(i)? == b'>' {
            return Some((i + 1, has_src));
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        if &lower[name_start..i] == "src" {
            has_src = true;
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i)? {
                q @ (b'"' | b'\'') => {
                    let q = *q;
                    i += 1;
                    while *bytes.get(i)? != q {
                        i += 1;
                    }
                    i += 1;
                }
                _ => {
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                }
            }
        }
    }
}

/// Standard base64 with padding (RFC 4648 §4), the form CSP hash sources use.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        let sextets = [n >> 18, n >> 12, n >> 6, n];
        for (k, s) in sextets.iter().enumerate() {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[(s & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Whether an answer for `path` is data (account data or per-deployment settings) rather
/// than the console: no browser or shared cache may keep it, and it is never a page.
fn is_data(path: &str) -> bool {
    path == "/api"
        || path.starts_with("/api/")
        || path == "/relay"
        || path.starts_with("/relay/")
        || path == "/config.json"
}

/// Sets the security headers on every answer (the server's own values replace any a
/// handler or a relayed upstream set).
pub async fn apply(
    State(headers): State<Arc<SecurityHeaders>>,
    req: Request,
    next: Next,
) -> Response {
    // The path as the client sent it, before any nesting stripped a prefix.
    let path = req
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| req.uri().path(), |u| u.0.path());
    let data = is_data(path);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let csp = if data {
        HeaderValue::from_static(DATA_POLICY)
    } else {
        headers.csp.clone()
    };
    h.insert(header::CONTENT_SECURITY_POLICY, csp);
    for (name, value) in FIXED {
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    if data {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, out) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), out, "{input}");
        }
    }

    /// The shape Trunk 0.21 writes: module preloads with `integrity` (external, allowed by
    /// `'self'`) and one inline module script that imports the bindings.
    #[test]
    fn only_inline_scripts_are_hashed_as_the_browser_sees_them() {
        let html = "<!DOCTYPE html><html><head>\
            <link rel=\"modulepreload\" href=\"/app-0123456789abcdef.js\" integrity=\"sha384-x\">\
            <script src=\"/ext.js\" data-x=\"a>b\"></script>\
            <SCRIPT type=\"module\">alert(1)\r\n</SCRIPT>\
            </head><body><scripts></scripts><script>x</script></body></html>";
        let hashes = inline_script_hashes(html);
        // printf 'alert(1)\n' | openssl dgst -sha256 -binary | base64, then 'x'.
        assert_eq!(
            hashes,
            [
                "MaeD7tQk/YNyd6Pm9J12ROmv0Z93QwNN4VH7v3gI+RI=",
                "LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=",
            ]
        );
    }

    #[test]
    fn the_policy_allows_the_hashes_and_frames_nothing() {
        let p = content_security_policy(&["abc=".into()]);
        assert!(
            p.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc=';"),
            "{p}"
        );
        assert!(p.contains("frame-ancestors 'none'"), "{p}");
        assert!(!p.contains("unsafe-inline"), "{p}");
    }

    #[test]
    fn data_answers_are_told_apart_from_the_console() {
        for p in ["/api/v1/session", "/api/v1/audit", "/relay", "/config.json"] {
            assert!(is_data(p), "{p}");
        }
        for p in ["/", "/index.html", "/apix", "/relayed", "/healthz"] {
            assert!(!is_data(p), "{p}");
        }
    }

    #[test]
    fn a_static_host_sends_the_servers_policy_with_the_api_origin_added() {
        let html =
            "<html><head><script type=\"module\">import init from '/a.js';</script></head></html>";
        let served = SecurityHeaders::new(None);
        let headers = static_host_headers(html, Some("https://rewind.example"));
        let csp = &headers[0].1;
        assert!(
            csp.contains("connect-src 'self' https://rewind.example;"),
            "{csp}"
        );
        let hash = &inline_script_hashes(html)[0];
        assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
        // Apart from connect-src, the same policy rewind sends.
        let same = content_security_policy(std::slice::from_ref(hash));
        assert_eq!(csp.replace(" https://rewind.example", ""), same);
        assert!(
            served
                .csp()
                .to_str()
                .unwrap_or("")
                .contains("connect-src 'self';")
        );
        let names: Vec<&str> = headers.iter().map(|h| h.0).collect();
        assert_eq!(
            names,
            [
                "content-security-policy",
                "x-frame-options",
                "x-content-type-options",
                "referrer-policy",
                "cross-origin-opener-policy"
            ]
        );
        let without = static_host_headers(html, None);
        assert_eq!(without[0].1, same);
    }
}
