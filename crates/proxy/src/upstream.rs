//! Sending a signed request to a cloud (or to a configured override) and reading the
//! answer: rustls, no redirects followed, a total timeout, and a cap on the answer's size.

use crate::config::Endpoint;
use rewind_cloud::http::HttpRequest;
use rewind_cloud::sign::encoding;
use std::time::Duration;

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
    pub body: Vec<u8>,
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
            builder = builder.dns_resolver(std::sync::Arc::new(crate::relay::PublicOnlyResolver));
        }
        let client = builder
            .build()
            // Building fails only when the TLS backend cannot start; no input reaches it.
            .unwrap_or_else(|_| reqwest::Client::new());
        Upstream {
            client,
            timeout,
            max_body,
        }
    }

    /// Sends `req` as signed: to `req.scheme://req.host`, or to `connect` while keeping
    /// `Host: req.host`. `form_query` selects Tencent's form encoding of the query.
    pub async fn send(
        &self,
        req: &HttpRequest,
        connect: Option<&Endpoint>,
        form_query: bool,
    ) -> Result<Answer, SendError> {
        let (scheme, authority) = match connect {
            Some(e) => (e.scheme.as_str(), e.connect.as_str()),
            None => (req.scheme.as_str(), req.host.as_str()),
        };
        let query = if form_query {
            encoding::form_urlencode(&req.query)
        } else {
            encoding::rfc3986_query(&req.query)
        };
        let path = encoding::encode_path(if req.path.is_empty() { "/" } else { &req.path });
        let url = if query.is_empty() {
            format!("{scheme}://{authority}{path}")
        } else {
            format!("{scheme}://{authority}{path}?{query}")
        };
        self.send_raw(&req.method, &url, &req.host, &req.headers, req.body.clone())
            .await
    }

    /// Sends exactly these bytes to `url` with `Host: host`.
    pub async fn send_raw(
        &self,
        method: &str,
        url: &str,
        host: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<Answer, SendError> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| SendError::Invalid(format!("method {method:?}")))?;
        let mut builder = self
            .client
            .request(method, url)
            .header(reqwest::header::HOST, host);
        for (k, v) in headers {
            let lower = k.to_ascii_lowercase();
            if matches!(
                lower.as_str(),
                "host" | "content-length" | "connection" | "transfer-encoding"
            ) {
                continue;
            }
            builder = builder.header(k.as_str(), v.as_str());
        }
        let shown = host.to_string();
        let mut res = builder.body(body).send().await.map_err(|e| {
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
        let mut body = Vec::new();
        loop {
            match res.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.max_body {
                        return Err(SendError::TooLarge(shown, self.max_body));
                    }
                    body.extend_from_slice(&chunk);
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
            body,
        })
    }
}
