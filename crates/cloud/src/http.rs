//! A plain description of an HTTP request: what the signers read and amend, what the
//! relay forwards and what the emulator verifies. No I/O happens here.

use crate::encoding;
use serde::{Deserialize, Serialize};

/// How a request's query is written into its URL: the form its signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryEncoding {
    /// Python's `urlencode` (space as `+`): what Tencent's SDK sends and TC3 signs.
    Form,
    /// RFC 3986 (space as `%20`): ECS (ACS3 and v1) and Workspace (SDK-HMAC).
    Rfc3986,
}

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

    /// The encoding of this request's query. Tencent API 3.0 requests are the ones that
    /// name their action in `X-TC-Action` (the builder always sets it, the relay requires
    /// it); their TC3 signature covers the query form-encoded, everything else is RFC 3986.
    pub fn query_encoding(&self) -> QueryEncoding {
        if self.header("X-TC-Action").is_some() {
            QueryEncoding::Form
        } else {
            QueryEncoding::Rfc3986
        }
    }

    /// The query as sent on the wire (no leading `?`), in [`Self::query_encoding`].
    pub fn encoded_query(&self) -> String {
        match self.query_encoding() {
            QueryEncoding::Form => encoding::form_urlencode(&self.query),
            QueryEncoding::Rfc3986 => encoding::rfc3986_query(&self.query),
        }
    }

    /// The path as sent on the wire: each segment percent-encoded, `/` when empty.
    pub fn encoded_path(&self) -> String {
        encoding::encode_path(if self.path.is_empty() {
            "/"
        } else {
            &self.path
        })
    }

    /// `scheme://host/path?query`, exactly as the request is sent.
    pub fn url(&self) -> String {
        let query = self.encoded_query();
        let mut url = format!("{}://{}{}", self.scheme, self.host, self.encoded_path());
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        url
    }

    /// The first query value with this exact name.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(tencent: bool) -> HttpRequest {
        let mut r = HttpRequest {
            method: "GET".into(),
            scheme: "https".into(),
            host: "example.test".into(),
            path: "/v2/p 1/x".into(),
            query: vec![("a b".into(), "c/d~*".into()), ("e".into(), String::new())],
            ..Default::default()
        };
        if tencent {
            r.set_header("X-TC-Action", "DescribeInstances");
        }
        r
    }

    #[test]
    fn tencent_queries_are_form_encoded_and_the_others_rfc3986() {
        let tc = request(true);
        assert_eq!(tc.query_encoding(), QueryEncoding::Form);
        assert_eq!(tc.url(), "https://example.test/v2/p%201/x?a+b=c%2Fd~%2A&e=");
        let other = request(false);
        assert_eq!(other.query_encoding(), QueryEncoding::Rfc3986);
        assert_eq!(
            other.url(),
            "https://example.test/v2/p%201/x?a%20b=c%2Fd~%2A&e="
        );
        let bare = HttpRequest {
            scheme: "http".into(),
            host: "h:1".into(),
            ..Default::default()
        };
        assert_eq!(bare.url(), "http://h:1/");
    }
}
