//! Reading SDK fixtures (`conformance/gen_sign_fixtures.py`) for the signing tests.
#![allow(dead_code)]

use rewind_cloud::HttpRequest;
use rewind_cloud::encoding;
use serde_json::Value;
use std::path::Path;

/// One captured SDK call.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub file: String,
    pub algorithm: String,
    pub sdk: String,
    pub input: Value,
    pub time: i64,
    pub access_key_id: String,
    pub secret: String,
    pub token: Option<String>,
    pub nonce: Option<String>,
    pub sent_method: String,
    pub sent_path: String,
    pub sent_raw_query: String,
    pub sent_headers: Vec<(String, String)>,
    pub sent_body: String,
    pub sdk_canonical_request: Option<String>,
    pub sdk_string_to_sign: Option<String>,
    pub sdk_signature: Option<String>,
}

fn text_at(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str().map(str::to_string)
}

pub fn parse(file: &str, text: &str) -> Fixture {
    let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{file}: not JSON: {e}"));
    let need = |path: &[&str]| {
        text_at(&v, path).unwrap_or_else(|| panic!("{file}: missing {}", path.join(".")))
    };
    let headers = v["sent"]["headers"]
        .as_array()
        .unwrap_or_else(|| panic!("{file}: sent.headers must be a list"))
        .iter()
        .map(|h| {
            (
                h[0].as_str().unwrap_or_default().to_string(),
                h[1].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    Fixture {
        file: file.to_string(),
        algorithm: need(&["algorithm"]),
        sdk: text_at(&v, &["sdk"]).unwrap_or_default(),
        input: v["input"].clone(),
        time: v["input"]["time"]
            .as_i64()
            .unwrap_or_else(|| panic!("{file}: input.time")),
        access_key_id: need(&["input", "credentials", "id"]),
        secret: need(&["input", "credentials", "secret"]),
        token: text_at(&v, &["input", "credentials", "token"]),
        nonce: text_at(&v, &["input", "nonce"]),
        sent_method: need(&["sent", "method"]),
        sent_path: need(&["sent", "path"]),
        sent_raw_query: text_at(&v, &["sent", "raw_query"]).unwrap_or_default(),
        sent_headers: headers,
        sent_body: text_at(&v, &["sent", "body"]).unwrap_or_default(),
        sdk_canonical_request: text_at(&v, &["sdk_signing", "canonical_request"]),
        sdk_string_to_sign: text_at(&v, &["sdk_signing", "string_to_sign"]),
        sdk_signature: text_at(&v, &["sdk_signing", "signature"]),
    }
}

/// Every `*.json` in `dir`, sorted by name.
pub fn load_dir(dir: &Path) -> Vec<Fixture> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            parse(&p.file_name().unwrap_or_default().to_string_lossy(), &text)
        })
        .collect()
}

/// The request as the SDK put it on the wire, as a server would read it.
pub fn sent_request(f: &Fixture) -> HttpRequest {
    let host = f
        .sent_headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    HttpRequest {
        method: f.sent_method.clone(),
        scheme: "http".into(),
        host,
        path: encoding::decode_path(&f.sent_path),
        query: encoding::parse_query(&f.sent_raw_query),
        headers: f.sent_headers.clone(),
        body: f.sent_body.as_bytes().to_vec(),
    }
}

/// A line diff good enough for canonical requests: `-` expected, `+` actual.
pub fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.split('\n').collect();
    let a: Vec<&str> = actual.split('\n').collect();
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => out.push_str(&format!("    {x:?}\n")),
            (x, y) => {
                if let Some(x) = x {
                    out.push_str(&format!("  - {x:?}\n"));
                }
                if let Some(y) = y {
                    out.push_str(&format!("  + {y:?}\n"));
                }
            }
        }
    }
    out
}
