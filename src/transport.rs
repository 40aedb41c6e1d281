//! How a call reaches a cloud, chosen once when the console starts and provided as
//! context by `App`: **portal** (the server holds the keys: `/api/v1/call`, and
//! operations run on the server) or **relay** (the keys are held in this browser, each
//! request is signed here and sent through `/relay`, and operations run in the tab).
//!
//! `/config.json` decides. Every read and call of the views goes through
//! [`Transport::call`] / [`Transport::read`], which answer in `/api/v1/call`'s shapes
//! either way, so no view knows which mode it runs in unless it has to say so.

use crate::api::{self, Answer, RequestError};
use crate::relay::{self, Keys, Relay, Sent};
use crate::session::{ConsoleConfig, Session};
use leptos::prelude::*;
use rewind_cloud::operation::Call;
use rewind_cloud::{Lang, Provider};
use serde_json::Value;

/// Where the keys are.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// The server holds the keys.
    Portal,
    /// The browser holds the keys; requests go through `/relay`.
    Relay {
        relay: Relay,
        /// Who the server says is signed in (relay mode may have no auth).
        user: Option<String>,
        demo: bool,
    },
    /// The Rewind server refused this console's origin (a static host missing from its
    /// `cors.origins`): nothing is sent, and the shell says why.
    Refused(Box<api::Failure>),
}

impl Mode {
    pub fn is_relay(&self) -> bool {
        matches!(self, Mode::Relay { .. })
    }
}

/// The transport context: the mode (settled once `/config.json` is read) and, for relay
/// mode, the keys typed into this tab.
#[derive(Clone, Copy)]
pub struct Transport {
    mode: LocalResource<Mode>,
    /// Relay mode's keys (empty and unused in portal mode).
    pub keys: RwSignal<Keys>,
}

impl Transport {
    /// Reads `/config.json` (and in relay mode the server's session, for the endpoints
    /// it overrides and the user). Created once, by `App`.
    pub fn new() -> Transport {
        Transport {
            mode: LocalResource::new(load_mode),
            keys: relay::keys::keys_signal(),
        }
    }

    /// Portal mode without asking the server (components mounted on their own in tests).
    pub fn portal() -> Transport {
        Transport {
            mode: LocalResource::new(|| async { Mode::Portal }),
            keys: RwSignal::new(Keys::default()),
        }
    }

    /// The mode, once known.
    pub async fn mode(self) -> Mode {
        self.mode.await
    }

    /// The mode, tracked: `None` until `/config.json` has been read.
    pub fn mode_now(self) -> Option<Mode> {
        self.mode.get()
    }

    /// The mode, untracked (event handlers).
    pub fn mode_untracked(self) -> Option<Mode> {
        self.mode.get_untracked()
    }

    /// True in relay mode, tracked (`false` until known).
    pub fn is_relay(self) -> bool {
        self.mode.with(|m| m.as_ref().is_some_and(Mode::is_relay))
    }

    /// The session: the server's, or in relay mode one profile per cloud the relay
    /// serves, signed with the keys entered in this tab.
    pub async fn session(self) -> Result<Session, RequestError> {
        match self.mode().await {
            Mode::Portal => api::get_json("/api/v1/session").await,
            Mode::Refused(why) => Err(RequestError::Refused(why)),
            Mode::Relay { relay, user, demo } => Ok(Session {
                user,
                mode: rewind_cloud::wire::Mode::Relay,
                demo,
                relay: true,
                profiles: relay.profiles(),
                ..Session::default()
            }),
        }
    }

    /// A call that outlives the page that made it (a dry run, a pre-flight read).
    pub async fn call(
        self,
        profile: &str,
        region: &str,
        action: &str,
        params: Value,
    ) -> Result<Answer, RequestError> {
        self.read(profile, region, action, params, None).await
    }

    /// Every row of an inventory list, following the provider's paging for at most
    /// `max_pages` pages (all, when `None`). A page that cannot be read ends the read:
    /// the rows before it come back with the error.
    pub async fn read_list(
        self,
        spec: &crate::inventory::ListSpec,
        profile: &str,
        region: &str,
        max_pages: Option<usize>,
        owner: Option<&Owner>,
    ) -> (Vec<Value>, Option<RequestError>) {
        use crate::inventory::Cursor;
        let mut rows = Vec::new();
        let mut cursor = Cursor::Start;
        let mut pages = 0;
        while cursor != Cursor::Done && max_pages.is_none_or(|max| pages < max) {
            let answer = match self
                .read(
                    profile,
                    region,
                    spec.action,
                    spec.page_params(&cursor),
                    owner,
                )
                .await
            {
                Ok(a) => a,
                Err(e) => return (rows, Some(e)),
            };
            let (page, next) = spec.read_page(&answer.data, rows.len() as u64);
            rows.extend(page);
            cursor = next;
            pages += 1;
        }
        (rows, None)
    }

    /// A read for the current page: in portal mode its request is aborted when `owner`
    /// is cleaned up (leaving the page).
    pub async fn read(
        self,
        profile: &str,
        region: &str,
        action: &str,
        params: Value,
        owner: Option<&Owner>,
    ) -> Result<Answer, RequestError> {
        match self.mode().await {
            Mode::Refused(why) => Err(RequestError::Refused(why)),
            Mode::Portal => {
                let abort = api::abort_on_cleanup(owner);
                api::portal_call(profile, region, action, params, abort.as_ref()).await
            }
            Mode::Relay { relay, .. } => {
                let Some(provider) = relay::provider_of_profile(profile) else {
                    return Err(RequestError::Refused(Box::new(unknown_profile(profile))));
                };
                let keys = self.keys.try_get_untracked().unwrap_or_default();
                relay::send::send_signed(relay::send::Outgoing {
                    relay,
                    keys: keys.of(provider).cloned(),
                    provider,
                    region: region.to_string(),
                    action: action.to_string(),
                    params,
                    idempotency_key: None,
                })
                .await
                .into_result(page_lang())
            }
        }
    }

    /// Sends one call of an operation running in this tab (relay mode), with the
    /// machine's idempotency key.
    pub async fn send_call(self, provider: Provider, region: &str, call: &Call) -> Sent {
        let Mode::Relay { relay, .. } = self.mode().await else {
            return Sent::Local(Box::new(unknown_profile("")));
        };
        let keys = self.keys.try_get_untracked().unwrap_or_default();
        relay::send::send_signed(relay::send::Outgoing {
            relay,
            keys: keys.of(provider).cloned(),
            provider,
            region: region.to_string(),
            action: call.action.name().to_string(),
            params: call.params.clone(),
            idempotency_key: Some(call.idempotency_key.clone()),
        })
        .await
    }

    /// True when this tab can sign for `provider` in `region` (keys, and Huawei's
    /// project id): an operation waits for them instead of failing.
    pub fn can_sign(self, provider: Provider, region: &str) -> bool {
        self.keys
            .try_with_untracked(|k| {
                k.of(provider).is_some_and(|pk| {
                    provider != Provider::Huawei
                        || pk
                            .project_ids
                            .get(region)
                            .is_some_and(|p| !p.trim().is_empty())
                })
            })
            .unwrap_or(false)
    }
}

impl Default for Transport {
    fn default() -> Transport {
        Transport::new()
    }
}

fn unknown_profile(profile: &str) -> api::Failure {
    use crate::i18n::Msg;
    let text = |m: Msg| rewind_cloud::Text::new(m.text(Lang::En), m.text(Lang::Zh));
    api::Failure::local(
        "UnknownProfile",
        format!(
            "no profile is named {:?}",
            profile.chars().take(64).collect::<String>()
        ),
        text(Msg::RelayNoKeys),
        text(Msg::RelayNoKeysRemedy),
    )
}

/// The page's language, for explanations built in the browser.
pub fn page_lang() -> Lang {
    if api::current_lang().starts_with("zh") {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// The console's settings: this origin's `/config.json`, or when that names another
/// origin as `api_base` (a static host), that server's.
async fn load_config() -> Result<ConsoleConfig, RequestError> {
    let config = api::get_json::<ConsoleConfig>("/config.json").await?;
    match config.api_base.as_deref() {
        Some(base) if !base.is_empty() => {
            api::set_api_base(base);
            api::get_json::<ConsoleConfig>("/config.json").await
        }
        _ => Ok(config),
    }
}

async fn load_mode() -> Mode {
    match load_config().await {
        Err(RequestError::Refused(why)) if why.code == "OriginNotAllowed" => Mode::Refused(why),
        Ok(config) if config.relay_mode() => {
            let server: Value = api::get_json("/api/v1/session")
                .await
                .unwrap_or(Value::Null);
            Mode::Relay {
                relay: Relay::new(&config, &server["profiles"]),
                user: server["user"].as_str().map(str::to_string),
                demo: config.demo,
            }
        }
        _ => Mode::Portal,
    }
}

/// Creates the transport and provides it. Called once by `App`.
pub fn provide() -> Transport {
    let t = Transport::new();
    provide_context(t);
    t
}

/// The transport provided by `App` (portal mode outside it, for component tests).
pub fn use_transport() -> Transport {
    use_context::<Transport>().unwrap_or_else(Transport::portal)
}
