//! Who is signed in and what they may use: the session the shell loads once, the
//! console's start-up settings (`/config.json`) and the names of the clouds. A module of
//! plain types that the shell, the views and the transport all import, so none of them
//! imports another for these.

use crate::api::RequestError;
use crate::i18n::Msg;
use leptos::prelude::*;
use rewind_cloud::Provider;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What `/api/v1/session` says about the current user (in relay mode: synthesized from
/// the relay's hosts, see `transport`), and a configured cloud account: the server's
/// own types.
pub use rewind_cloud::wire::{Mode, Profile, Session};

/// What the console reads from `/config.json` at start-up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ConsoleConfig {
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub demo: bool,
    #[serde(default)]
    pub relay: bool,
    /// How people sign in: `none`, `header`, `token` or `oidc` (the sign-in page offers
    /// the matching way).
    #[serde(default)]
    pub auth: String,
    /// The hosts per provider the relay forwards to (exact names, or configured overrides).
    #[serde(default)]
    pub relay_hosts: BTreeMap<Provider, Vec<String>>,
    /// Written by `cargo xtask build --api-base` into a static host's `config.json`: the
    /// origin of the Rewind server, which the console then calls for everything (its
    /// settings included). Absent when `rewind` serves the console itself.
    #[serde(default)]
    pub api_base: Option<String>,
}

impl ConsoleConfig {
    /// Relay mode: the keys are held in this browser and requests go through `/relay`.
    pub fn relay_mode(&self) -> bool {
        self.mode.is_relay() && self.relay
    }
}

/// The session loaded once by `App` (`None` while loading).
#[derive(Clone, Copy)]
pub struct SessionCtx(pub LocalResource<Result<Session, RequestError>>);

impl SessionCtx {
    /// The session, once loaded without error (tracked).
    pub fn ok(self) -> Option<Session> {
        self.0.get().and_then(Result::ok)
    }
}

/// The session context, when mounted under `App`.
pub fn use_session() -> Option<SessionCtx> {
    use_context::<SessionCtx>()
}

/// A cloud's name as the console shows it.
pub fn cloud_name(p: Provider) -> Msg {
    match p {
        Provider::Tencent => Msg::Tencent,
        Provider::Alibaba => Msg::Alibaba,
        Provider::Huawei => Msg::Huawei,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_decodes_the_servers_shape() {
        let s: Session =
            serde_json::from_str(r#"{"user":"demo","mode":"portal","demo":true}"#).unwrap();
        assert_eq!(s.user.as_deref(), Some("demo"));
        assert!(s.demo && !s.is_relay());
    }

    #[test]
    fn relay_mode_needs_the_mode_and_the_relay() {
        let c: ConsoleConfig = serde_json::from_str(
            r#"{"mode":"relay","relay":true,"relay_hosts":{"tencent":["h"]}}"#,
        )
        .unwrap();
        assert!(c.relay_mode());
        assert_eq!(c.relay_hosts[&Provider::Tencent], ["h"]);
        let off: ConsoleConfig = serde_json::from_str(r#"{"mode":"relay"}"#).unwrap();
        assert!(!off.relay_mode());
    }
}
