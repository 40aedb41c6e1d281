//! The resolved settings the server starts with: every value checked, secrets read,
//! token hashes decoded; and [`ConfigError`], which names the key at fault.

use crate::Mode;
use crate::policy::Rule;
use rewind_cloud::Provider;
use rewind_cloud::sign::Credentials;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// A configuration problem, naming the key at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

pub(super) fn err(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.into(),
        message: message.into(),
    }
}
/// How callers prove who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Everyone is the same user; only allowed on a loopback listener (the demo).
    None { user: String },
    /// `Authorization: Bearer <token>`, compared by SHA-256 against the configured hashes.
    Token { tokens: Vec<TokenEntry> },
    /// Identity in headers set by a trusted reverse proxy, accepted only from its address.
    Header {
        user_header: String,
        groups_header: Option<String>,
        trusted_sources: Vec<IpAddr>,
    },
    /// OpenID Connect sign-in into a cookie session; `tokens` (optional) still work as
    /// `Authorization: Bearer` for scripts.
    Oidc {
        oidc: Box<Oidc>,
        tokens: Vec<TokenEntry>,
    },
}

impl Auth {
    pub fn name(&self) -> &'static str {
        match self {
            Auth::None { .. } => "none",
            Auth::Token { .. } => "token",
            Auth::Header { .. } => "header",
            Auth::Oidc { .. } => "oidc",
        }
    }
}

/// A secret read from the environment; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

/// `[auth.oidc]`, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oidc {
    /// The issuer identifier, exactly as the provider's discovery document states it.
    pub issuer: String,
    pub client_id: String,
    /// None for a public client: the code exchange is protected by PKCE alone.
    pub client_secret: Option<Secret>,
    /// The origin users open Rewind at (`https://rewind.example.com`).
    pub public_url: String,
    /// `<public_url>/auth/callback`, registered at the provider.
    pub redirect_url: String,
    /// Always contains `openid`.
    pub scopes: Vec<String>,
    /// Claims tried in order for the user name.
    pub user_claims: Vec<String>,
    /// The claim whose values are the user's groups for policy.
    pub groups_claim: String,
}

impl Oidc {
    /// Cookies get `Secure` and the `__Host-` prefix when users reach Rewind over HTTPS.
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Lifetimes of cookie sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetimes {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub absolute: Duration,
}

impl Default for SessionLifetimes {
    fn default() -> SessionLifetimes {
        SessionLifetimes {
            idle: Duration::from_secs(60 * 60),
            absolute: Duration::from_secs(12 * 60 * 60),
        }
    }
}

/// One bearer token: only its SHA-256 is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEntry {
    pub user: String,
    pub sha256: [u8; 32],
    pub groups: Vec<String>,
}

/// Where a profile's requests go when not to the provider's public endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `http` or `https`.
    pub scheme: String,
    /// `host[:port]` to connect to; `{region}` is replaced by the call's region.
    pub connect: String,
    /// `host[:port]` signed and sent as `Host`; `connect` when not given.
    pub host: String,
}

impl Endpoint {
    /// Parses `http://127.0.0.1:8090` or `https://ecs-vpc.{region}.aliyuncs.com`.
    pub fn parse(url: &str, host: Option<&str>) -> Result<Endpoint, String> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("{url:?} is not a URL: expected http://HOST[:PORT]"))?;
        if scheme != "http" && scheme != "https" {
            return Err(format!("scheme {scheme:?} is not http or https"));
        }
        let connect = rest.strip_suffix('/').unwrap_or(rest);
        if connect.is_empty() || connect.contains(['/', '?', '#', '@', ' ']) {
            return Err(format!(
                "{url:?} must be scheme://host[:port] with no path, query or user"
            ));
        }
        let host = host.unwrap_or(connect);
        if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
            return Err(format!("host {host:?} must be host[:port]"));
        }
        Ok(Endpoint {
            scheme: scheme.to_string(),
            connect: connect.to_string(),
            host: host.to_string(),
        })
    }

    pub fn for_region(&self, region: &str) -> Endpoint {
        Endpoint {
            scheme: self.scheme.clone(),
            connect: self.connect.replace("{region}", region),
            host: self.host.replace("{region}", region),
        }
    }
}

/// Alibaba's two signature versions (the type the call pipeline takes).
pub use rewind_cloud::call::AlibabaSignature;

/// A cloud account the proxy signs for.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub provider: Provider,
    pub regions: Vec<String>,
    /// `Debug` redacts the secret.
    pub credentials: Credentials,
    pub signature: AlibabaSignature,
    pub endpoint: Option<Endpoint>,
    /// Huawei: the project id of each region.
    pub project_ids: BTreeMap<String, String>,
}

/// Size, time and rate limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub body_bytes: usize,
    pub upstream_response_bytes: usize,
    pub upstream_timeout: Duration,
    /// Per user, on `/api/v1/call` and `/relay`.
    pub requests_per_minute: u32,
    /// From a connection's opening, or the first byte of a later request, to the end of
    /// the request head; a client still sending headers then is disconnected.
    pub header_read_timeout: Duration,
    /// For reading a whole request body; then the answer is 408 `RequestTimeout`.
    pub body_read_timeout: Duration,
    /// How long a keep-alive connection may wait for its next request.
    pub keep_alive_idle: Duration,
    /// Connections open at once; past it, the one waiting longest for a request is closed.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_bytes: 64 * 1024,
            upstream_response_bytes: 8 * 1024 * 1024,
            upstream_timeout: Duration::from_secs(30),
            requests_per_minute: 600,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            keep_alive_idle: Duration::from_secs(60),
            // Below the usual open-file limit of 1024, leaving room for upstream sockets.
            max_connections: 512,
        }
    }
}

/// The relay's allowlist: exact host names per provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relay {
    pub enabled: bool,
    pub hosts: BTreeMap<Provider, Vec<String>>,
}

/// Everything `rewind serve --config FILE` starts with.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub mode: Mode,
    pub dist: Option<PathBuf>,
    pub auth: Auth,
    pub profiles: Vec<Profile>,
    pub policy: Vec<Rule>,
    pub audit_path: Option<PathBuf>,
    pub cors_origins: Vec<String>,
    pub limits: Limits,
    pub relay: Relay,
    /// Where users open the console besides the listen address (`https://rewind.example.com`
    /// behind a reverse proxy): the `Host` names answered for, and own origins.
    pub public_origins: Vec<String>,
    /// Cookie sessions (`oidc` sign-in and token sign-in).
    pub sessions: SessionLifetimes,
}

/// Origins from `REWIND_…` (comma-separated, it wins) or the file, each checked to be
/// a bare origin such as `https://rewind.example.com`; a mistake names `key[i]`.
pub fn origins(
    key: &str,
    from_env: Option<String>,
    from_file: Vec<String>,
) -> Result<Vec<String>, ConfigError> {
    let list: Vec<String> = match from_env {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        None => from_file,
    };
    for (i, o) in list.iter().enumerate() {
        let ok = (o.starts_with("http://") || o.starts_with("https://"))
            && !o.ends_with('/')
            && o.split_once("://")
                .is_some_and(|(_, h)| !h.is_empty() && !h.contains(['/', '?', '#', '@', ' ']));
        if !ok {
            return Err(err(
                format!("{key}[{i}]"),
                format!("{o:?} is not an origin such as https://rewind.example.com"),
            ));
        }
    }
    Ok(list)
}
