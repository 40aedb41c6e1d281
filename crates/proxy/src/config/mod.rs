//! `rewind serve --config FILE`: the TOML file, its environment overrides and its
//! validation. Loading resolves everything the server needs at start (credentials read
//! from the environment or a file, token hashes decoded, policy names checked), so a bad
//! configuration fails before the listener opens, with a message naming the key.
//!
//! Secrets are never written inline: a profile names the environment variables that hold
//! them, or a JSON file `{"id": "...", "secret": "...", "token": "..."}`.
//!
//! `file` mirrors the TOML; `parse` and `profile` turn it into the resolved types of
//! `settings`, which are re-exported here.

mod auth;
mod file;
mod parse;
mod profile;
mod settings;

pub use parse::{ENV_OVERRIDES, load_file, parse};
pub use settings::{
    AlibabaSignature, Auth, ConfigError, Endpoint, Limits, Oidc, Profile, Relay, Secret,
    ServeConfig, SessionLifetimes, TokenEntry, origins,
};

/// An environment of `vars` only, for configuration tests.
#[cfg(test)]
pub(crate) fn env_with(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: std::collections::BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}
