//! Establishing the caller's identity under the configured auth mode, and the CSRF
//! rules every state-changing request must meet.
//!
//! A browser signed in with OpenID Connect or a token carries a session cookie
//! ([`crate::sessions`]); scripts send `Authorization: Bearer`. A state-changing request
//! that fails [`check_csrf`] never reaches a handler with its session cookie (see
//! [`crate::signin::csrf_gate`]), and every POST handler also runs `check_csrf` before
//! asking who is calling.

use crate::AppState;
use crate::config::{Auth, TokenEntry};
use crate::error::ApiError;
use crate::host::Origins;
use crate::policy::Identity;
use crate::sessions;
use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use subtle::ConstantTimeEq;

/// The header a state-changing request must carry: a cross-site form or `<img>` cannot
/// set it, and a cross-site `fetch` that does needs a CORS preflight we do not grant.
pub const CSRF_HEADER: &str = "x-rewind-request";

/// Who is calling. `peer` is the TCP peer (absent when a test drives the router
/// directly, which header mode then refuses).
pub fn identify(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Result<Identity, ApiError> {
    identify_with(&state.config.auth, state.sessions.as_ref(), headers, peer)
}

/// The bearer token of `Authorization: Bearer …`, if the header is there.
fn bearer(headers: &HeaderMap) -> Option<Result<&str, ApiError>> {
    let value = headers.get(header::AUTHORIZATION)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into())),
    )
}

/// The configured token whose SHA-256 is that of `presented`. Every entry is compared
/// in constant time, without stopping early.
pub fn find_token<'t>(tokens: &'t [TokenEntry], presented: &str) -> Option<&'t TokenEntry> {
    let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
    let mut found = None;
    for t in tokens {
        if bool::from(t.sha256.ct_eq(&digest)) && found.is_none() {
            found = Some(t);
        }
    }
    found
}

fn token_identity(tokens: &[TokenEntry], presented: &str) -> Result<Identity, ApiError> {
    find_token(tokens, presented)
        .map(|t| Identity {
            user: t.user.clone(),
            groups: t.groups.clone(),
        })
        .ok_or_else(|| ApiError::Unauthorized("the bearer token is not valid".into()))
}

/// [`identify`] with the parts it needs: the auth settings and, in the modes that have
/// them, the session store.
pub fn identify_with(
    auth: &Auth,
    sessions: Option<&sessions::Store>,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Result<Identity, ApiError> {
    match auth {
        Auth::None { user } => Ok(Identity {
            user: user.clone(),
            groups: Vec::new(),
        }),
        // A bearer token wins over a cookie: scripts say exactly who they are.
        Auth::Token { tokens } => match bearer(headers) {
            Some(presented) => token_identity(tokens, presented?),
            None => sessions
                .and_then(|s| s.identify(headers, tokens))
                .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into())),
        },
        Auth::Oidc { tokens, .. } => match bearer(headers) {
            Some(presented) => token_identity(tokens, presented?),
            None => sessions
                .and_then(|s| s.identify(headers, tokens))
                .ok_or_else(|| {
                    ApiError::Unauthorized(
                        "not signed in, or the session has ended: sign in at /auth/login".into(),
                    )
                }),
        },
        Auth::Header {
            user_header,
            groups_header,
            trusted_sources,
        } => {
            if !peer.is_some_and(|p| trusted_sources.contains(&p.ip())) {
                return Err(ApiError::Unauthorized(
                    "identity headers are accepted only from the configured reverse proxy".into(),
                ));
            }
            let user = headers
                .get(user_header.as_str())
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .ok_or_else(|| {
                    ApiError::Unauthorized(format!("the {user_header} header is missing"))
                })?;
            let groups = groups_header
                .as_deref()
                .and_then(|h| headers.get(h))
                .and_then(|v| v.to_str().ok())
                .map(|g| {
                    g.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            Ok(Identity {
                user: user.to_string(),
                groups,
            })
        }
    }
}

/// JSON content type, the custom header, and an allowed `Origin` when one is sent: one of
/// the server's own origins or a configured CORS origin (`origins`). Same-origin is never
/// worked out from the request's `Host`: under DNS rebinding the attacker's page and its
/// requests share the attacker's name, so an `Origin` equal to `http://{Host}` proves
/// nothing. Non-browser clients send no `Origin`.
pub fn check_csrf(headers: &HeaderMap, origins: &Origins) -> Result<(), ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ApiError::UnsupportedMediaType);
    }
    if headers
        .get(CSRF_HEADER)
        .is_none_or(|v| v.as_bytes().is_empty())
    {
        return Err(ApiError::MissingCsrfHeader);
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !origins.allows_origin(origin) {
            let shown: String = origin.chars().take(100).collect();
            return Err(ApiError::OriginNotAllowed(shown));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identify(
        auth: &Auth,
        headers: &HeaderMap,
        peer: Option<SocketAddr>,
    ) -> Result<Identity, ApiError> {
        identify_with(auth, None, headers, peer)
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn tokens_are_compared_by_hash() {
        let auth = Auth::Token {
            tokens: vec![TokenEntry {
                user: "alice".into(),
                sha256: Sha256::digest(b"fake-token-1").into(),
                groups: vec!["ops".into()],
            }],
        };
        let ok = identify(
            &auth,
            &headers(&[("authorization", "Bearer fake-token-1")]),
            None,
        )
        .unwrap();
        assert_eq!(ok.user, "alice");
        assert!(identify(&auth, &headers(&[("authorization", "Bearer nope")]), None).is_err());
        assert!(identify(&auth, &headers(&[]), None).is_err());
    }

    #[test]
    fn identity_headers_only_from_trusted_sources() {
        let auth = Auth::Header {
            user_header: "X-Forwarded-User".into(),
            groups_header: Some("X-Forwarded-Groups".into()),
            trusted_sources: vec!["10.0.0.2".parse().unwrap()],
        };
        let h = headers(&[
            ("x-forwarded-user", "carol"),
            ("x-forwarded-groups", "ops, dev"),
        ]);
        let trusted: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        let other: SocketAddr = "10.0.0.3:5000".parse().unwrap();
        let who = identify(&auth, &h, Some(trusted)).unwrap();
        assert_eq!(who.groups, ["ops", "dev"]);
        assert!(identify(&auth, &h, Some(other)).is_err());
        assert!(identify(&auth, &h, None).is_err());
    }

    #[test]
    fn csrf_rules() {
        let own = Origins::new(Some("127.0.0.1:8080".parse().unwrap()), &[], &[]);
        let good = [
            ("content-type", "application/json; charset=utf-8"),
            ("x-rewind-request", "1"),
            ("host", "127.0.0.1:8080"),
        ];
        assert!(check_csrf(&headers(&good), &own).is_ok());
        let mut with_origin = good.to_vec();
        with_origin.push(("origin", "http://127.0.0.1:8080"));
        assert!(check_csrf(&headers(&with_origin), &own).is_ok());
        with_origin.pop();
        with_origin.push(("origin", "https://evil.test"));
        assert!(matches!(
            check_csrf(&headers(&with_origin), &own),
            Err(ApiError::OriginNotAllowed(_))
        ));
        let with_cors = Origins::new(
            Some("127.0.0.1:8080".parse().unwrap()),
            &[],
            &["https://evil.test".into()],
        );
        assert!(check_csrf(&headers(&with_origin), &with_cors).is_ok());
        assert!(matches!(
            check_csrf(&headers(&good[1..]), &own),
            Err(ApiError::UnsupportedMediaType)
        ));
        assert!(matches!(
            check_csrf(&headers(&[good[0], good[2]]), &own),
            Err(ApiError::MissingCsrfHeader)
        ));
    }

    /// DNS rebinding: the attacker's page, its `Origin` and the `Host` it sends all carry
    /// the attacker's name; agreeing with each other makes them no more the server's.
    #[test]
    fn an_origin_matching_the_host_is_not_same_origin_by_itself() {
        let own = Origins::new(Some("127.0.0.1:8080".parse().unwrap()), &[], &[]);
        let rebound = headers(&[
            ("content-type", "application/json"),
            ("x-rewind-request", "1"),
            ("host", "rebind.attacker.test:8080"),
            ("origin", "http://rebind.attacker.test:8080"),
        ]);
        assert!(matches!(
            check_csrf(&rebound, &own),
            Err(ApiError::OriginNotAllowed(_))
        ));
        assert!(matches!(
            check_csrf(&rebound, &Origins::default()),
            Err(ApiError::OriginNotAllowed(_))
        ));
    }
}
