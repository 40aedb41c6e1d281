//! Sending a signed request to a cloud (or to a configured override) and reading the
//! answer: rustls, no redirects followed, a total timeout, and a cap on the answer's size.

use crate::config::Endpoint;
use crate::resolve::PublicOnlyResolver;
use axum::body::Bytes;
use rewind_cloud::http::HttpRequest;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Past this many destinations, URLs are parsed whole again rather than from a kept base.
const MAX_BASES: usize = 1024;

/// Response headers that carry a provider's request id, returned to callers as they are.
pub const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "x-acs-request-id",
    "x-tc-requestid",
    "x-openapi-request-id",
];

/// An answer read in full.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// The request-id headers present, lower-cased names.
    pub request_id_headers: Vec<(String, String)>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

impl Answer {
    pub fn request_id(&self) -> Option<&str> {
        self.request_id_headers.first().map(|(_, v)| v.as_str())
    }
}

/// Why no answer was read. `NotSent` is the only case where the cloud certainly did not
/// see the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("could not connect to {0}")]
    NotSent(String),
    #[error("{0} did not answer within {1} s")]
    Timeout(String, u64),
    #[error("the answer from {0} is larger than {1} bytes")]
    TooLarge(String, usize),
    #[error("the connection to {0} failed before the answer was complete")]
    Broken(String),
    #[error("the request cannot be sent: {0}")]
    Invalid(String),
}

/// The HTTP client, shared by every handler.
#[derive(Debug, Clone)]
pub struct Upstream {
    client: reqwest::Client,
    timeout: Duration,
    max_body: usize,
    /// `scheme://authority/` parsed once per destination: parsing the host is a good part
    /// of what a URL costs, and destinations come from the configuration and the relay's
    /// allowlist, so there are few.
    bases: Arc<Mutex<HashMap<String, reqwest::Url>>>,
}

impl Upstream {
    /// `public_dns_only`: resolve names only to public addresses (the relay's client).
    pub fn new(timeout: Duration, max_body: usize, public_dns_only: bool) -> Upstream {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            .use_rustls_tls();
        if public_dns_only {
            builder = builder.dns_resolver(std::sync::Arc::new(PublicOnlyResolver));
        }
        let client = builder
            .build()
            // Building fails only when the TLS backend cannot start; no input reaches it.
            .unwrap_or_else(|_| reqwest::Client::new());
        Upstream {
            client,
            timeout,
            max_body,
            bases: Arc::default(),
        }
    }

    /// Sends `req` as signed: to `req.scheme://req.host`, or to `connect` while keeping
    /// `Host: req.host`. The path and query are written as the request encodes them
    /// ([`HttpRequest::encoded_query`]: the form its signature covers).
    pub async fn send(
        &self,
        req: &HttpRequest,
        connect: Option<&Endpoint>,
    ) -> Result<Answer, SendError> {
        let (scheme, authority) = match connect {
            Some(e) => (e.scheme.as_str(), e.connect.as_str()),
            None => (req.scheme.as_str(), req.host.as_str()),
        };
        let url = self.url(scheme, authority, &req.encoded_path(), &req.encoded_query())?;
        self.send_raw(&req.method, url, &req.host, &req.headers, req.body.clone())
            .await
    }

    /// `scheme://authority` + `path` (encoded) + `?query` (encoded, if any), as
    /// `Url::parse` of the whole would read it.
    fn url(
        &self,
        scheme: &str,
        authority: &str,
        path: &str,
        query: &str,
    ) -> Result<reqwest::Url, SendError> {
        let bad = || SendError::Invalid("bad URL or header".into());
        // Only a plain authority and a path and query free of `?` and `#` (the encoders
        // leave none) read the same from a base; anything else is parsed whole.
        let plain = !authority.contains(['/', '?', '#', '@', '\\'])
            && !path.contains(['?', '#'])
            && !query.contains('#')
            && path.starts_with('/');
        if !plain {
            let whole = if query.is_empty() {
                format!("{scheme}://{authority}{path}")
            } else {
                format!("{scheme}://{authority}{path}?{query}")
            };
            return reqwest::Url::parse(&whole).map_err(|_| bad());
        }
        let key = format!("{scheme}://{authority}/");
        let kept = {
            let bases = self.bases.lock().unwrap_or_else(|e| e.into_inner());
            bases.get(&key).cloned()
        };
        let mut url = match kept {
            Some(url) => url,
            None => {
                let url = reqwest::Url::parse(&key).map_err(|_| bad())?;
                let mut bases = self.bases.lock().unwrap_or_else(|e| e.into_inner());
                if bases.len() < MAX_BASES {
                    bases.insert(key, url.clone());
                }
                url
            }
        };
        url.set_path(path);
        url.set_query((!query.is_empty()).then_some(query));
        Ok(url)
    }

    /// Sends exactly these bytes to `url` with `Host: host`.
    pub async fn send_raw(
        &self,
        method: &str,
        url: reqwest::Url,
        host: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<Answer, SendError> {
        use reqwest::header::{HeaderName, HeaderValue};
        let bad = || SendError::Invalid("bad URL or header".into());
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| SendError::Invalid(format!("method {method:?}")))?;
        let mut request = reqwest::Request::new(method, url);
        let map = request.headers_mut();
        map.reserve(headers.len() + 1);
        map.insert(
            reqwest::header::HOST,
            HeaderValue::from_str(host).map_err(|_| bad())?,
        );
        for (k, v) in headers {
            if ["host", "content-length", "connection", "transfer-encoding"]
                .iter()
                .any(|h| k.eq_ignore_ascii_case(h))
            {
                continue;
            }
            map.append(
                HeaderName::from_bytes(k.as_bytes()).map_err(|_| bad())?,
                HeaderValue::from_str(v).map_err(|_| bad())?,
            );
        }
        *request.body_mut() = Some(body.into());
        let shown = host.to_string();
        let mut res = self.client.execute(request).await.map_err(|e| {
            if e.is_builder() {
                SendError::Invalid("bad URL or header".into())
            } else if e.is_connect() {
                SendError::NotSent(shown.clone())
            } else if e.is_timeout() {
                SendError::Timeout(shown.clone(), self.timeout.as_secs())
            } else {
                SendError::Broken(shown.clone())
            }
        })?;
        let status = res.status().as_u16();
        let request_id_headers = REQUEST_ID_HEADERS
            .iter()
            .filter_map(|name| {
                res.headers()
                    .get(*name)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| (name.to_string(), v.to_string()))
            })
            .collect();
        let content_type = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if res
            .content_length()
            .is_some_and(|n| n > self.max_body as u64)
        {
            return Err(SendError::TooLarge(shown, self.max_body));
        }
        // An answer that arrives in one piece (the usual case) is kept as it came.
        let mut first: Option<Bytes> = None;
        let mut joined: Vec<u8> = Vec::new();
        loop {
            match res.chunk().await {
                Ok(Some(chunk)) => {
                    let held = first.as_ref().map_or(0, Bytes::len) + joined.len();
                    if held + chunk.len() > self.max_body {
                        return Err(SendError::TooLarge(shown, self.max_body));
                    }
                    match first.take() {
                        None if joined.is_empty() => first = Some(chunk),
                        earlier => {
                            if let Some(earlier) = earlier {
                                joined.extend_from_slice(&earlier);
                            }
                            joined.extend_from_slice(&chunk);
                        }
                    }
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => {
                    return Err(SendError::Timeout(shown, self.timeout.as_secs()));
                }
                Err(_) => return Err(SendError::Broken(shown)),
            }
        }
        Ok(Answer {
            status,
            request_id_headers,
            content_type,
            body: first.unwrap_or_else(|| Bytes::from(joined)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rewind_cloud::encoding;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Serves one request with an answer written in `pieces`, a pause between each.
    async fn piecewise(pieces: Vec<&'static [u8]>, chunked: bool) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let head = if chunked {
                "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nx-request-id: r-1\r\n\r\n"
                    .to_string()
            } else {
                let len: usize = pieces.iter().map(|p| p.len()).sum();
                format!("HTTP/1.1 200 OK\r\ncontent-length: {len}\r\nx-request-id: r-1\r\n\r\n")
            };
            sock.write_all(head.as_bytes()).await.unwrap();
            for p in pieces {
                if chunked {
                    sock.write_all(format!("{:x}\r\n", p.len()).as_bytes())
                        .await
                        .unwrap();
                    sock.write_all(p).await.unwrap();
                    sock.write_all(b"\r\n").await.unwrap();
                } else {
                    sock.write_all(p).await.unwrap();
                }
                sock.flush().await.unwrap();
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
            if chunked {
                sock.write_all(b"0\r\n\r\n").await.unwrap();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        });
        addr
    }

    #[tokio::test]
    async fn answers_in_pieces_are_joined_and_capped() {
        let pieces: Vec<&'static [u8]> = vec![b"{\"Response\": ", b"{\"RequestId\": ", b"\"r\"}}"];
        for chunked in [false, true] {
            let addr = piecewise(pieces.clone(), chunked).await;
            let up = Upstream::new(Duration::from_secs(5), 1024, false);
            let url = reqwest::Url::parse(&format!("http://{addr}/")).unwrap();
            let a = up
                .send_raw("POST", url, &addr.to_string(), &[], Vec::new())
                .await
                .unwrap();
            assert_eq!(
                &a.body[..],
                pieces.concat().as_slice(),
                "chunked: {chunked}"
            );
            assert_eq!(a.request_id(), Some("r-1"));

            let addr = piecewise(pieces.clone(), chunked).await;
            let up = Upstream::new(Duration::from_secs(5), 20, false);
            let url = reqwest::Url::parse(&format!("http://{addr}/")).unwrap();
            let e = up
                .send_raw("POST", url, &addr.to_string(), &[], Vec::new())
                .await
                .unwrap_err();
            assert!(matches!(e, SendError::TooLarge(_, 20)), "{e:?}");
        }
    }

    /// A URL made from a kept base reads exactly as the whole string parsed at once.
    #[test]
    fn urls_from_a_kept_base_match_whole_parses() {
        let up = Upstream::new(Duration::from_secs(5), 1024, false);
        let pairs = [
            ("Action", "DescribeDisks"),
            ("Filters.1.Values.1", "a b+c/d"),
            ("中", "~*'()!"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let queries = [
            String::new(),
            encoding::form_urlencode(&pairs),
            encoding::rfc3986_query(&pairs),
        ];
        for scheme in ["http", "https"] {
            for authority in [
                "127.0.0.1:8090",
                "ECS.cn-hangzhou.Aliyuncs.com",
                "[::1]:9000",
                "lighthouse.tencentcloudapi.com:443",
                "user@host",
                "host/extra",
            ] {
                for path in ["/", "/v2/p1/desktops/d-1/snapshots", "/a b/%zz/..", "/x?y"] {
                    let path = if path.contains(['?', ' ']) {
                        path.to_string()
                    } else {
                        encoding::encode_path(path)
                    };
                    for query in &queries {
                        for _ in 0..2 {
                            let whole = if query.is_empty() {
                                format!("{scheme}://{authority}{path}")
                            } else {
                                format!("{scheme}://{authority}{path}?{query}")
                            };
                            let expected = reqwest::Url::parse(&whole).ok();
                            let got = up.url(scheme, authority, &path, query).ok();
                            assert_eq!(got, expected, "{whole}");
                        }
                    }
                }
            }
        }
    }
}
