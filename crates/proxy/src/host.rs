//! The server's own names and origins, and the `Host` allowlist that defends against DNS
//! rebinding.
//!
//! A page at `http://rebind.attacker.test:8080` whose name the attacker re-points at
//! 127.0.0.1 is, to the browser, same-origin with itself: it may send JSON with custom
//! headers to this server and read the answers. What still gives it away is the `Host`
//! header, which the browser always sets to the name in the page's URL. So every request
//! whose Host is not one of the server's own names is answered 421 before any route (or
//! static file) sees it, and "same-origin" for the CSRF check means one of the origins
//! listed here, never an origin derived from the request's Host.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// The names (`Host` values) this server answers for and the origins it treats as its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins {
    /// `host[:port]`, lowercase, as a browser sends it in `Host`.
    hosts: Vec<String>,
    /// `scheme://host[:port]`, normalized (see [`normalize_origin`]): the server's own.
    own: Vec<String>,
    /// Other sites allowed to call the API (`cors.origins`), normalized.
    cors: Vec<String>,
}

impl Origins {
    /// From the bound address and the configured origins.
    ///
    /// A loopback listener also answers as `localhost`, `127.0.0.1` and `[::1]` on its port
    /// (whichever the user typed); a wildcard listener (`0.0.0.0`, `[::]`) accepts loopback
    /// connections too, so it gets the same names, and any other name it is reached by must
    /// be listed in `public` (a wildcard address is never a name a browser sends).
    pub fn new(listen: Option<SocketAddr>, public: &[String], cors: &[String]) -> Origins {
        let mut o = Origins::default();
        if let Some(addr) = listen {
            let port = addr.port();
            let ip = addr.ip();
            if ip.is_loopback() || ip.is_unspecified() {
                for name in ["localhost", "127.0.0.1", "[::1]"] {
                    o.add_http(&format!("{name}:{port}"), port);
                }
            }
            if !ip.is_unspecified() {
                o.add_http(&addr.to_string(), port);
            }
        }
        for origin in public {
            let origin = normalize_origin(origin);
            let Some((scheme, authority)) = origin.split_once("://") else {
                continue;
            };
            let default_port = if scheme == "https" { "443" } else { "80" };
            // `normalize_origin` dropped a default port, so `authority` has one only if
            // it is another port; a client may still write the default one explicitly.
            if !authority_has_port(authority) {
                o.push_host(format!("{authority}:{default_port}"));
            }
            o.push_host(authority.to_string());
            if !o.own.contains(&origin) {
                o.own.push(origin);
            }
        }
        o.cors = cors.iter().map(|c| normalize_origin(c)).collect();
        o
    }

    /// `http://host:port` on the listener: the host as typed, and without `:80` on port 80.
    fn add_http(&mut self, host_port: &str, port: u16) {
        let host_port = host_port.to_ascii_lowercase();
        self.push_host(host_port.clone());
        let origin = normalize_origin(&format!("http://{host_port}"));
        if port == 80
            && let Some(bare) = origin.strip_prefix("http://")
        {
            self.push_host(bare.to_string());
        }
        if !self.own.contains(&origin) {
            self.own.push(origin);
        }
    }

    fn push_host(&mut self, host: String) {
        if !self.hosts.contains(&host) {
            self.hosts.push(host);
        }
    }

    /// Whether the router knows any name of its own. One built for in-process tests
    /// (`AppConfig::default()`, no listener and no public origins) does not, and checks
    /// no `Host`; `rewind serve` always sets the bound address, so a running server does.
    pub fn enforced(&self) -> bool {
        !self.hosts.is_empty()
    }

    /// Whether `host` (a `Host` header value) is one of the server's own names.
    pub fn allows_host(&self, host: &str) -> bool {
        !self.enforced() || self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Whether a browser's `Origin` is the server's own or a configured CORS origin.
    pub fn allows_origin(&self, origin: &str) -> bool {
        let origin = normalize_origin(origin);
        self.own.contains(&origin) || self.cors.contains(&origin)
    }

    /// The server's own origins (for `connect-src` and the documentation of a refusal).
    pub fn own(&self) -> &[String] {
        &self.own
    }

    /// The names answered for, for the log line at start.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// The first name a request carries that is not the server's own: the `Host` header,
    /// and the authority of an absolute-form or HTTP/2 request target. A request with
    /// neither (HTTP/1.0, or a test driving the router in-process) passes: browsers
    /// always send one, and only a browser can be steered by DNS rebinding.
    fn refused<'a>(&self, req: &'a Request) -> Option<&'a str> {
        let from_header = req.headers().get(header::HOST).map(|v| {
            // A Host that is not even text is not one of ours.
            v.to_str().unwrap_or("\u{fffd}")
        });
        let from_target = req.uri().authority().map(|a| a.as_str());
        [from_header, from_target]
            .into_iter()
            .flatten()
            .find(|h| !self.allows_host(h))
    }
}

/// Answers 421 Misdirected Request to any request for a name the server does not own.
pub async fn check(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let Some(host) = state.origins.refused(&req) {
        let shown: String = host.chars().take(100).collect();
        tracing::warn!(host = %shown, "refused a request for a name this server does not answer for");
        return ApiError::HostNotAllowed(shown).into_response();
    }
    next.run(req).await
}

/// `scheme://host[:port]`, lowercase, without a default port (`:80` for http, `:443` for
/// https), which is how browsers write `Origin`; anything else is only lowercased.
pub fn normalize_origin(origin: &str) -> String {
    let origin = origin.trim().to_ascii_lowercase();
    for (scheme, port) in [("http://", ":80"), ("https://", ":443")] {
        if origin.starts_with(scheme)
            && let Some(bare) = origin.strip_suffix(port)
        {
            return bare.to_string();
        }
    }
    origin
}

/// `host:port` or `[v6]:port`, as opposed to `host` or `[v6]`.
fn authority_has_port(authority: &str) -> bool {
    match authority.rsplit_once(':') {
        Some((host, port)) => {
            !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && (!host.starts_with('[') || host.ends_with(']'))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback(port: u16) -> Origins {
        Origins::new(Some(SocketAddr::from(([127, 0, 0, 1], port))), &[], &[])
    }

    #[test]
    fn a_loopback_listener_answers_for_the_loopback_names_on_its_port() {
        let o = loopback(8080);
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "[::1]:8080",
        ] {
            assert!(o.allows_host(ok), "{ok}");
        }
        for refused in [
            "rebind.attacker.test:8080",
            "localhost:8081",
            "localhost",
            "127.0.0.1",
            "127.0.0.1:8080.attacker.test",
            "",
        ] {
            assert!(!o.allows_host(refused), "{refused:?}");
        }
        assert!(o.allows_origin("http://localhost:8080"));
        assert!(o.allows_origin("http://[::1]:8080"));
        assert!(!o.allows_origin("https://127.0.0.1:8080"));
        assert!(!o.allows_origin("http://rebind.attacker.test:8080"));
        assert!(!o.allows_origin("null"));
    }

    #[test]
    fn public_origins_add_their_names_with_and_without_the_default_port() {
        let o = Origins::new(
            Some("10.0.0.5:8080".parse().unwrap()),
            &[
                "https://Rewind.Example.com".into(),
                "http://rewind.internal:8080".into(),
            ],
            &["https://other.example".into()],
        );
        for ok in [
            "10.0.0.5:8080",
            "rewind.example.com",
            "rewind.example.com:443",
            "rewind.internal:8080",
        ] {
            assert!(o.allows_host(ok), "{ok}");
        }
        assert!(!o.allows_host("localhost:8080"), "not a loopback listener");
        assert!(!o.allows_host("rewind.internal"));
        assert!(o.allows_origin("https://rewind.example.com"));
        assert!(o.allows_origin("https://rewind.example.com:443"));
        assert!(o.allows_origin("http://10.0.0.5:8080"));
        assert!(o.allows_origin("https://other.example"));
        assert!(!o.allows_origin("http://rewind.example.com"));
        assert_eq!(
            o.own(),
            [
                "http://10.0.0.5:8080",
                "https://rewind.example.com",
                "http://rewind.internal:8080"
            ]
        );
    }

    #[test]
    fn a_wildcard_listener_is_no_name_but_still_answers_on_loopback() {
        let o = Origins::new(Some("0.0.0.0:80".parse().unwrap()), &[], &[]);
        assert!(o.allows_host("127.0.0.1"));
        assert!(o.allows_host("localhost:80"));
        assert!(!o.allows_host("0.0.0.0"));
        assert!(!o.allows_host("10.0.0.5"));
        assert!(o.allows_origin("http://localhost"));
    }

    #[test]
    fn a_router_with_no_name_of_its_own_checks_no_host() {
        let o = Origins::new(None, &[], &[]);
        assert!(!o.enforced());
        assert!(o.allows_host("anything.test"));
        // … but it still has no own origin to derive from the request.
        assert!(!o.allows_origin("http://anything.test"));
    }

    #[test]
    fn requests_without_a_name_pass_and_host_and_target_are_both_checked() {
        let o = loopback(8080);
        let req = |uri: &str, host: Option<&str>| {
            let mut b = axum::http::Request::get(uri);
            if let Some(h) = host {
                b = b.header("host", h);
            }
            b.body(axum::body::Body::empty()).unwrap()
        };
        assert_eq!(o.refused(&req("/", None)), None);
        assert_eq!(o.refused(&req("/", Some("127.0.0.1:8080"))), None);
        assert_eq!(
            o.refused(&req("/", Some("evil.test:8080"))),
            Some("evil.test:8080")
        );
        assert_eq!(
            o.refused(&req("http://evil.test:8080/", Some("127.0.0.1:8080"))),
            Some("evil.test:8080")
        );
    }
}
