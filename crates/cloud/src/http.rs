//! A plain description of an HTTP request: what the signers read and amend, what the
//! relay forwards and what the emulator verifies. No I/O happens here.

use serde::{Deserialize, Serialize};

/// An HTTP request before or after signing.
///
/// `query` keeps the caller's order (Tencent's GET flattening is order-sensitive; the
/// signers that need sorting sort a copy). Header names keep their case as given;
/// lookups are case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HttpRequest {
    pub method: String,
    /// `http` or `https`.
    pub scheme: String,
    /// Host and optional port, exactly as sent in the `Host` header.
    pub host: String,
    /// The path, not percent-encoded (e.g. `/v2/{project}/snapshots`).
    pub path: String,
    /// Decoded query pairs, in the order they are sent.
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sets a header, replacing any with the same name (case-insensitive).
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.into()));
    }

    /// The first query value with this exact name.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}
