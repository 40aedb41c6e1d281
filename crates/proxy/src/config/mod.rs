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

mod file;
mod parse;
mod profile;
mod settings;

pub use parse::{ENV_OVERRIDES, load_file, parse};
pub use settings::{
    AlibabaSignature, Auth, ConfigError, Endpoint, Limits, Profile, Relay, ServeConfig, TokenEntry,
};
