//! The `[auth]` section: the mode (`none`, `header`, `token`, `oidc`), the tokens, the
//! OpenID provider, and the lifetimes of browser sessions.

use super::file::{FileAuth, FileOidc, FileSession, FileToken};
use super::settings::{
    Auth, ConfigError, Oidc, Secret, SessionLifetimes, TokenEntry, err, origins,
};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub(super) fn parse_sessions(s: &FileSession) -> Result<SessionLifetimes, ConfigError> {
    let defaults = SessionLifetimes::default();
    let idle = s
        .idle_secs
        .map(Duration::from_secs)
        .unwrap_or(defaults.idle);
    let absolute = s
        .absolute_secs
        .map(Duration::from_secs)
        .unwrap_or(defaults.absolute);
    if idle.is_zero() {
        return Err(err("auth.session.idle_secs", "must be greater than 0"));
    }
    if absolute.is_zero() {
        return Err(err("auth.session.absolute_secs", "must be greater than 0"));
    }
    if idle > absolute {
        return Err(err(
            "auth.session.idle_secs",
            format!(
                "{} s is longer than auth.session.absolute_secs ({} s)",
                idle.as_secs(),
                absolute.as_secs()
            ),
        ));
    }
    Ok(SessionLifetimes { idle, absolute })
}

fn parse_tokens(list: Vec<FileToken>) -> Result<Vec<TokenEntry>, ConfigError> {
    let mut tokens = Vec::new();
    for (i, t) in list.into_iter().enumerate() {
        if t.user.trim().is_empty() {
            return Err(err(format!("auth.tokens[{i}].user"), "must not be empty"));
        }
        let bytes = hex::decode(t.sha256.trim()).ok().filter(|b| b.len() == 32);
        let Some(bytes) = bytes else {
            return Err(err(
                format!("auth.tokens[{i}].sha256"),
                "must be the 64 hex digits of the token's SHA-256 (printf %s TOKEN | sha256sum), not the token",
            ));
        };
        let mut sha256 = [0u8; 32];
        sha256.copy_from_slice(&bytes);
        tokens.push(TokenEntry {
            user: t.user,
            sha256,
            groups: t.groups,
        });
    }
    Ok(tokens)
}

/// A claim or scope name: printable ASCII without spaces.
fn is_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic())
}

fn parse_oidc(
    o: Option<FileOidc>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Oidc, ConfigError> {
    let Some(o) = o else {
        return Err(err(
            "auth.oidc",
            "oidc mode needs [auth.oidc] with issuer, client_id and public_url",
        ));
    };
    let issuer = o.issuer.filter(|i| !i.trim().is_empty()).ok_or_else(|| {
        err(
            "auth.oidc.issuer",
            "is required (the provider's issuer URL)",
        )
    })?;
    let issuer_ok = !issuer.contains(['?', '#', ' ', '@'])
        && match issuer.split_once("://") {
            Some(("https", rest)) => !rest.is_empty() && !rest.starts_with('/'),
            // Plain HTTP only to a provider on this machine (tests, a local Keycloak).
            Some(("http", rest)) => {
                let authority = rest.split('/').next().unwrap_or("");
                let host = match authority.strip_prefix('[') {
                    Some(v6) => v6.split(']').next().unwrap_or(""),
                    None => authority.split(':').next().unwrap_or(""),
                };
                matches!(host, "127.0.0.1" | "localhost" | "::1")
            }
            _ => false,
        };
    if !issuer_ok {
        return Err(err(
            "auth.oidc.issuer",
            format!(
                "{issuer:?} is not an https:// URL (plain http only for a provider on loopback)"
            ),
        ));
    }
    let client_id = o
        .client_id
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| err("auth.oidc.client_id", "is required"))?;
    let client_secret = match o.client_secret_env {
        None => None,
        Some(name) => match env(&name) {
            Some(v) if !v.is_empty() => Some(Secret(v)),
            _ => {
                return Err(err(
                    "auth.oidc.client_secret_env",
                    format!("environment variable {name} is not set"),
                ));
            }
        },
    };
    let public_url = o.public_url.ok_or_else(|| {
        err(
            "auth.oidc.public_url",
            "is required: the origin users open Rewind at, such as https://rewind.example.com",
        )
    })?;
    let public_url = origins("auth.oidc.public_url", None, vec![public_url])
        .map_err(|e| err("auth.oidc.public_url", e.message))?
        .remove(0);
    let redirect_url = format!("{public_url}/auth/callback");
    let scopes = match o.scopes {
        Some(list) => {
            for (i, s) in list.iter().enumerate() {
                if !is_name(s) {
                    return Err(err(
                        format!("auth.oidc.scopes[{i}]"),
                        format!("{s:?} is not a scope name"),
                    ));
                }
            }
            if !list.iter().any(|s| s == "openid") {
                return Err(err("auth.oidc.scopes", "must include \"openid\""));
            }
            list
        }
        None => {
            let mut list: Vec<String> = ["openid", "profile", "email"].map(String::from).into();
            if let Some(g) = o.groups_scope {
                if !is_name(&g) {
                    return Err(err(
                        "auth.oidc.groups_scope",
                        format!("{g:?} is not a scope name"),
                    ));
                }
                list.push(g);
            }
            list
        }
    };
    let user_claims = match o.user_claim {
        Some(c) if is_name(&c) => vec![c],
        Some(c) => {
            return Err(err(
                "auth.oidc.user_claim",
                format!("{c:?} is not a claim name"),
            ));
        }
        None => vec!["preferred_username".into(), "email".into()],
    };
    let groups_claim = match o.groups_claim {
        Some(c) if is_name(&c) => c,
        Some(c) => {
            return Err(err(
                "auth.oidc.groups_claim",
                format!("{c:?} is not a claim name"),
            ));
        }
        None => "groups".into(),
    };
    Ok(Oidc {
        issuer,
        client_id,
        client_secret,
        public_url,
        redirect_url,
        scopes,
        user_claims,
        groups_claim,
    })
}

pub(super) fn parse_auth(
    a: FileAuth,
    listen: SocketAddr,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Auth, ConfigError> {
    let mode = a.mode.as_deref().unwrap_or("token");
    match mode {
        "none" => {
            if !listen.ip().is_loopback() {
                return Err(err(
                    "auth.mode",
                    format!(
                        "\"none\" is only allowed when listening on loopback, and {listen} is not"
                    ),
                ));
            }
            Ok(Auth::None {
                user: "local".into(),
            })
        }
        "token" => {
            if a.tokens.is_empty() {
                return Err(err(
                    "auth.tokens",
                    "token mode needs at least one [[auth.tokens]] entry",
                ));
            }
            let tokens = parse_tokens(a.tokens)?;
            Ok(Auth::Token { tokens })
        }
        "header" => {
            let Some(h) = a.header else {
                return Err(err(
                    "auth.header",
                    "header mode needs [auth.header] with user and trusted_sources",
                ));
            };
            let user_header = h.user.unwrap_or_else(|| "X-Forwarded-User".into());
            if axum::http::HeaderName::from_bytes(user_header.as_bytes()).is_err() {
                return Err(err("auth.header.user", "is not a header name"));
            }
            if let Some(g) = &h.groups
                && axum::http::HeaderName::from_bytes(g.as_bytes()).is_err()
            {
                return Err(err("auth.header.groups", "is not a header name"));
            }
            if h.trusted_sources.is_empty() {
                return Err(err(
                    "auth.header.trusted_sources",
                    "list the addresses of the reverse proxy (identity headers from anyone else are refused)",
                ));
            }
            let mut trusted_sources = Vec::new();
            for (i, s) in h.trusted_sources.iter().enumerate() {
                let ip: IpAddr = s.parse().map_err(|_| {
                    err(
                        format!("auth.header.trusted_sources[{i}]"),
                        format!("{s:?} is not an IP address"),
                    )
                })?;
                trusted_sources.push(ip);
            }
            Ok(Auth::Header {
                user_header,
                groups_header: h.groups,
                trusted_sources,
            })
        }
        "oidc" => Ok(Auth::Oidc {
            oidc: Box::new(parse_oidc(a.oidc, env)?),
            tokens: parse_tokens(a.tokens)?,
        }),
        other => Err(err(
            "auth.mode",
            format!("{other:?} is not \"none\", \"token\", \"header\" or \"oidc\""),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;
    use crate::config::env_with;

    const OIDC: &str = "[auth]\nmode = \"oidc\"\n[auth.oidc]\nissuer = \"https://idp.example.com/realms/ops\"\nclient_id = \"rewind\"\nclient_secret_env = \"OIDC_SECRET\"\npublic_url = \"https://rewind.example.com\"\n";

    #[test]
    fn oidc_settings_resolve_with_defaults() {
        let env = env_with(&[("OIDC_SECRET", "fake-oidc-secret")]);
        let text = format!("{OIDC}groups_scope = \"groups\"\n[auth.session]\nidle_secs = 900");
        let c = parse(&text, None, &env).unwrap();
        let Auth::Oidc { oidc, tokens } = &c.auth else {
            panic!("{:?}", c.auth)
        };
        assert!(tokens.is_empty());
        assert_eq!(
            oidc.redirect_url,
            "https://rewind.example.com/auth/callback"
        );
        assert_eq!(oidc.scopes, ["openid", "profile", "email", "groups"]);
        assert_eq!(oidc.user_claims, ["preferred_username", "email"]);
        assert_eq!(oidc.groups_claim, "groups");
        assert!(oidc.https());
        assert_eq!(c.public_origins, ["https://rewind.example.com"]);
        assert_eq!(c.sessions.idle, Duration::from_secs(900));
        assert_eq!(c.sessions.absolute, Duration::from_secs(12 * 3600));
        assert!(!format!("{c:?}").contains("fake-oidc-secret"));
        let local = "[auth]\nmode = \"oidc\"\n[auth.oidc]\nissuer = \"http://127.0.0.1:9000\"\nclient_id = \"rewind\"\npublic_url = \"http://127.0.0.1:8080\"\nuser_claim = \"upn\"\ngroups_claim = \"roles\"";
        let c = parse(local, None, &|_| None).unwrap();
        let Auth::Oidc { oidc, .. } = &c.auth else {
            panic!()
        };
        assert_eq!(oidc.client_secret, None);
        assert_eq!(oidc.user_claims, ["upn"]);
        assert_eq!(oidc.groups_claim, "roles");
    }

    #[test]
    fn oidc_mistakes_name_their_key() {
        let env = env_with(&[("OIDC_SECRET", "x")]);
        let cases: Vec<(String, &str)> = vec![
            ("[auth]\nmode = \"oidc\"".into(), "auth.oidc"),
            (
                OIDC.replace("https://idp", "http://idp"),
                "auth.oidc.issuer",
            ),
            (
                OIDC.replace("https://idp.example.com/realms/ops", ""),
                "auth.oidc.issuer",
            ),
            (
                OIDC.replace("client_id = \"rewind\"\n", ""),
                "auth.oidc.client_id",
            ),
            (
                OIDC.replace("OIDC_SECRET", "NOT_SET"),
                "auth.oidc.client_secret_env",
            ),
            (
                OIDC.replace("rewind.example.com\"", "rewind.example.com/app\""),
                "auth.oidc.public_url",
            ),
            (format!("{OIDC}scopes = [\"profile\"]"), "auth.oidc.scopes"),
            (
                format!("{OIDC}scopes = [\"openid\", \"a b\"]"),
                "auth.oidc.scopes[1]",
            ),
            (
                format!("{OIDC}groups_claim = \"\""),
                "auth.oidc.groups_claim",
            ),
            (
                format!("{OIDC}[auth.session]\nidle_secs = 0"),
                "auth.session.idle_secs",
            ),
            (
                format!("{OIDC}[auth.session]\nidle_secs = 100\nabsolute_secs = 50"),
                "auth.session.idle_secs",
            ),
        ];
        for (text, key) in cases {
            let e = parse(&text, None, &env).unwrap_err();
            assert_eq!(e.key, key, "{text}\n=> {e}");
        }
    }
}
