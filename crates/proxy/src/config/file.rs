//! The configuration file as written: serde structs that mirror the TOML keys one for one
//! and refuse unknown keys, so a misspelt key fails at start instead of being ignored.
//! `parse` turns them into the resolved settings in the parent module.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) listen: Option<String>,
    pub(super) mode: Option<String>,
    pub(super) dist: Option<PathBuf>,
    #[serde(default)]
    pub(super) public_origins: Vec<String>,
    #[serde(default)]
    pub(super) auth: FileAuth,
    #[serde(default)]
    pub(super) profiles: Vec<FileProfile>,
    #[serde(default)]
    pub(super) policy: Vec<FileRule>,
    #[serde(default)]
    pub(super) audit: FileAudit,
    #[serde(default)]
    pub(super) cors: FileCors,
    #[serde(default)]
    pub(super) limits: FileLimits,
    #[serde(default)]
    pub(super) relay: FileRelay,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAuth {
    pub(super) mode: Option<String>,
    #[serde(default)]
    pub(super) tokens: Vec<FileToken>,
    pub(super) header: Option<FileHeaderAuth>,
    pub(super) oidc: Option<FileOidc>,
    #[serde(default)]
    pub(super) session: FileSession,
}

/// `[auth.oidc]`: OpenID Connect sign-in (`auth.mode = "oidc"`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileOidc {
    pub(super) issuer: Option<String>,
    pub(super) client_id: Option<String>,
    /// The variable holding the client secret; none for a public client (PKCE only).
    pub(super) client_secret_env: Option<String>,
    pub(super) public_url: Option<String>,
    pub(super) scopes: Option<Vec<String>>,
    /// A scope added to the default scopes so the provider sends the groups claim.
    pub(super) groups_scope: Option<String>,
    pub(super) user_claim: Option<String>,
    pub(super) groups_claim: Option<String>,
}

/// `[auth.session]`: cookie sessions (OIDC and token sign-in).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSession {
    pub(super) idle_secs: Option<u64>,
    pub(super) absolute_secs: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileToken {
    pub(super) user: String,
    pub(super) sha256: String,
    #[serde(default)]
    pub(super) groups: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileHeaderAuth {
    pub(super) user: Option<String>,
    pub(super) groups: Option<String>,
    #[serde(default)]
    pub(super) trusted_sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileProfile {
    pub(super) name: Option<String>,
    pub(super) provider: Option<String>,
    #[serde(default)]
    pub(super) regions: Vec<String>,
    pub(super) credentials: Option<FileCredentials>,
    pub(super) signature: Option<String>,
    pub(super) endpoint: Option<FileEndpoint>,
    #[serde(default)]
    pub(super) project_ids: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileCredentials {
    /// The access key id may be written inline: it is an identifier, not a secret.
    pub(super) id: Option<String>,
    pub(super) id_env: Option<String>,
    pub(super) secret_env: Option<String>,
    pub(super) token_env: Option<String>,
    pub(super) file: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileEndpoint {
    pub(super) url: String,
    pub(super) host: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRule {
    #[serde(default)]
    pub(super) users: Vec<String>,
    #[serde(default)]
    pub(super) groups: Vec<String>,
    #[serde(default)]
    pub(super) profiles: Vec<String>,
    #[serde(default)]
    pub(super) actions: Vec<String>,
    #[serde(default)]
    pub(super) resources: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAudit {
    pub(super) path: Option<PathBuf>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileCors {
    #[serde(default)]
    pub(super) origins: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileLimits {
    pub(super) body_bytes: Option<usize>,
    pub(super) upstream_response_bytes: Option<usize>,
    pub(super) upstream_timeout_secs: Option<u64>,
    pub(super) requests_per_minute: Option<u32>,
    pub(super) header_read_timeout_secs: Option<u64>,
    pub(super) body_read_timeout_secs: Option<u64>,
    pub(super) keep_alive_idle_secs: Option<u64>,
    pub(super) max_connections: Option<usize>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRelay {
    #[serde(default)]
    pub(super) enabled: bool,
    #[serde(default)]
    pub(super) hosts: BTreeMap<String, Vec<String>>,
}
