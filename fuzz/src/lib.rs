//! Helpers shared by the fuzz targets: reading a request from a small text form, so the
//! seed corpora are readable files made from the signing fixtures and libFuzzer can
//! mutate any part of them.
//!
//! ```text
//! POST 127.0.0.1:8090 /v2/abc/snapshots?limit=10&offset=0
//! Content-Type: application/json
//! X-Sdk-Date: 20260101T000000Z
//!
//! {"body": "after the blank line"}
//! ```
//!
//! The path is percent-decoded and the query split into decoded pairs with the same
//! functions the emulator applies to a real request (`decode_path`, `parse_query`).

use axum::http::{HeaderName, HeaderValue, Method, Request};
use rewind_cloud::http::HttpRequest;
use rewind_cloud::encoding::{
    decode_path, encode_path, form_urlencode, parse_query, rfc3986_query,
};

/// Splits `data` at the first `\n`: (first line as text, the rest).
pub fn first_line(data: &[u8]) -> (String, &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (
            String::from_utf8_lossy(&data[..i]).into_owned(),
            &data[i + 1..],
        ),
        None => (String::from_utf8_lossy(data).into_owned(), &[]),
    }
}

/// Reads the text form above. Never fails: missing parts are left empty.
pub fn request_from_text(data: &[u8]) -> HttpRequest {
    let (head, body) = match find(data, b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split('\n');
    let start = lines.next().unwrap_or("");
    let mut parts = start.splitn(3, ' ');
    let method = parts.next().unwrap_or("").to_string();
    let host = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("");
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    HttpRequest {
        method,
        scheme: "http".into(),
        host,
        path: decode_path(raw_path),
        query: parse_query(raw_query),
        headers,
        body: body.to_vec(),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The text of `data`, replacing invalid UTF-8 (the parsers under test take `&str`).
pub fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// True when `req` can travel as HTTP and be read back whole: a method token, header
/// names, header values of visible ASCII (the emulator, like `HeaderValue::to_str`,
/// ignores others) without surrounding whitespace (HTTP drops it), a path from `/`.
pub fn wire_safe(req: &HttpRequest) -> bool {
    let visible =
        |v: &str| v.trim() == v && v.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b));
    Method::from_bytes(req.method.as_bytes()).is_ok()
        && req.path.starts_with('/')
        && visible(&req.host)
        && HeaderValue::from_str(&req.host).is_ok()
        && req.headers.iter().all(|(k, v)| {
            HeaderName::from_bytes(k.as_bytes()).is_ok()
                && visible(v)
                && HeaderValue::from_str(v).is_ok()
        })
}

/// `req` as an HTTP request, encoded the way the signing side sends it: the path
/// segment by segment, the query form-encoded (`form_query`: Tencent) or RFC 3986.
pub fn to_wire(req: &HttpRequest, form_query: bool) -> Option<Request<Vec<u8>>> {
    let mut uri = encode_path(&req.path);
    if !req.query.is_empty() {
        uri.push('?');
        uri.push_str(&if form_query {
            form_urlencode(&req.query)
        } else {
            rfc3986_query(&req.query)
        });
    }
    let mut b = Request::builder().method(req.method.as_str()).uri(uri);
    if req.header("host").is_none() {
        b = b.header("host", &req.host);
    }
    for (k, v) in &req.headers {
        b = b.header(k, v);
    }
    b.body(req.body.clone()).ok()
}

/// What the emulator reads off an HTTP request (`to_http_request` in its `lib.rs`).
pub fn from_wire(req: &Request<Vec<u8>>) -> HttpRequest {
    HttpRequest {
        method: req.method().as_str().to_string(),
        scheme: "http".into(),
        host: req
            .headers()
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        path: decode_path(req.uri().path()),
        query: parse_query(req.uri().query().unwrap_or("")),
        headers: req
            .headers()
            .iter()
            .filter_map(|(k, v)| {
                v.to_str()
                    .ok()
                    .map(|v| (k.as_str().to_string(), v.to_string()))
            })
            .collect(),
        body: req.body().clone(),
    }
}
