//! Bring your own keys: when `/config.json` says `mode: "relay"`, the browser holds the
//! access keys, builds and signs each request with the cloud crate (the same code the
//! proxy signs with) and posts it to `/relay`, which forwards it unchanged to a host the
//! server allows. The proxy never sees a secret.
//!
//! The keys live in one signal, created once by `App`; they are written to
//! `sessionStorage` (`rewind.keys`) only while "remember for this tab" is ticked and
//! removed from it as soon as it is not. Nothing here touches `localStorage` or logs a
//! key: `Debug` redacts secrets and tokens.
//!
//! `call` answers in the same shapes as the proxy's `/api/v1/call` (`api::Answer`, or
//! `api::ApiError::Refused` with the provider's code, the catalog's explanation and
//! remedy in both languages and the RequestId), so every view works unchanged.

use crate::api::{Answer, ApiError, Failure, FailureText, Profile, Session};
use crate::i18n::Msg;
use leptos::prelude::*;
use rewind_cloud::build::{self, Target, Variant};
use rewind_cloud::error::CloudError;
use rewind_cloud::sign::{self, Credentials, SigningParams, encoding};
use rewind_cloud::validate::{ValidateOptions, validate_params};
use rewind_cloud::{Action, HttpRequest, Lang, Provider, Text};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// The sessionStorage key of remembered keys (never a localStorage key).
pub const STORAGE_KEY: &str = "rewind.keys";
/// Synthesized profiles are named `keys-<provider>`.
pub const PROFILE_PREFIX: &str = "keys-";
/// What stands in for an STS token (or, defensively, a secret) wherever a request is shown.
pub const MASK: &str = "••••••••";

// ====================================================================== keys

/// Alibaba's two signing schemes: V3 (ACS3-HMAC-SHA256, the SDKs' default) or the older
/// V1 (HMAC-SHA1 in the query).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlibabaSignature {
    #[default]
    #[serde(rename = "v3")]
    V3,
    #[serde(rename = "v1")]
    V1,
}

/// One cloud's keys as the user typed them.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderKeys {
    pub id: String,
    pub secret: String,
    /// The session token of temporary (STS) credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Alibaba only.
    #[serde(default)]
    pub signature: AlibabaSignature,
    /// Huawei only: the project id of each region.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub project_ids: BTreeMap<String, String>,
}

/// Never prints the secret or the token.
impl std::fmt::Debug for ProviderKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderKeys")
            .field("id", &self.id_hint())
            .field(
                "secret",
                &(!self.secret.is_empty()).then_some("** redacted **"),
            )
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .field("signature", &self.signature)
            .field("project_ids", &self.project_ids)
            .finish()
    }
}

impl ProviderKeys {
    /// Both the id and the secret are there.
    pub fn is_set(&self) -> bool {
        !self.id.is_empty() && !self.secret.is_empty()
    }

    /// The last four characters of the access key id, the only part shown once saved.
    pub fn id_hint(&self) -> String {
        let chars: Vec<char> = self.id.chars().collect();
        let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
        format!("…{tail}")
    }

    pub fn credentials(&self) -> Credentials {
        let c = Credentials::new(self.id.clone(), self.secret.clone());
        match &self.token {
            Some(t) if !t.is_empty() => c.with_token(t.clone()),
            _ => c,
        }
    }
}

/// Every cloud's keys in this tab, and whether to remember them for the tab.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keys {
    #[serde(default)]
    pub remember: bool,
    #[serde(default)]
    pub clouds: BTreeMap<Provider, ProviderKeys>,
}

impl Keys {
    /// The keys of `provider`, when both id and secret are set.
    pub fn of(&self, provider: Provider) -> Option<&ProviderKeys> {
        self.clouds.get(&provider).filter(|k| k.is_set())
    }

    /// What sessionStorage should hold: the keys while "remember" is ticked, else nothing
    /// (`None` means remove the item).
    pub fn to_storage(&self) -> Option<String> {
        if self.remember {
            serde_json::to_string(self).ok()
        } else {
            None
        }
    }

    /// Keys read back from sessionStorage; anything unreadable is forgotten.
    pub fn from_storage(stored: Option<&str>) -> Keys {
        stored
            .and_then(|s| serde_json::from_str::<Keys>(s).ok())
            .filter(|k| k.remember)
            .unwrap_or_default()
    }
}

thread_local! {
    /// The keys signal, set once by `App` (spawned tasks have no reactive context).
    static STORE: Cell<Option<RwSignal<Keys>>> = const { Cell::new(None) };
    /// The relay settings read from `/config.json`; `None` outside relay mode.
    static RELAY: RefCell<Option<Relay>> = const { RefCell::new(None) };
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// Creates the keys signal (restored from sessionStorage when remembered), provides it
/// as context and keeps sessionStorage in step with it in one `Effect`. Called once by
/// `App`.
pub fn provide() -> RwSignal<Keys> {
    let stored = session_storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    let keys = RwSignal::new(Keys::from_storage(stored.as_deref()));
    STORE.with(|s| s.set(Some(keys)));
    provide_context(keys);
    Effect::new(move |_| {
        let wanted = keys.with(Keys::to_storage);
        if let Some(storage) = session_storage() {
            let _ = match wanted {
                Some(json) => storage.set_item(STORAGE_KEY, &json),
                None => storage.remove_item(STORAGE_KEY),
            };
        }
    });
    keys
}

/// The keys signal created by [`provide`].
pub fn store() -> Option<RwSignal<Keys>> {
    STORE.with(Cell::get)
}

// ====================================================================== relay settings

/// What the console reads from `/config.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ConsoleConfig {
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub demo: bool,
    #[serde(default)]
    pub relay: bool,
    /// The hosts per provider the relay forwards to (exact names, or configured overrides).
    #[serde(default)]
    pub relay_hosts: BTreeMap<Provider, Vec<String>>,
}

impl ConsoleConfig {
    /// Bring-your-own-keys mode: relay mode with the relay on.
    pub fn relay_mode(&self) -> bool {
        self.mode == "relay" && self.relay
    }
}

/// The relay as the console uses it: where each provider's requests may go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relay {
    pub hosts: BTreeMap<Provider, Vec<String>>,
    /// `host → scheme` of the server's endpoint overrides (the relay connects to those
    /// with their configured scheme, to every other host with HTTPS).
    pub schemes: BTreeMap<String, String>,
}

/// Regions offered when a provider's relay host serves every region (the reference's
/// examples, which the emulator's demo world also uses).
pub fn documented_regions(provider: Provider) -> &'static [&'static str] {
    match provider {
        Provider::Tencent => &["ap-guangzhou", "ap-shanghai", "ap-singapore"],
        Provider::Alibaba => &["cn-hangzhou", "cn-shanghai", "cn-beijing"],
        Provider::Huawei => &["cn-north-4", "cn-east-3", "ap-southeast-1"],
    }
}

/// `cn-hangzhou`, `ap-southeast-1`: a region-shaped name.
fn is_region(s: &str) -> bool {
    const AREAS: &[&str] = &[
        "cn", "ap", "eu", "us", "me", "sa", "af", "la", "na", "ru", "tr",
    ];
    let mut parts = s.split('-');
    let (Some(area), Some(place)) = (parts.next(), parts.next()) else {
        return false;
    };
    let number_ok = match parts.next() {
        None => true,
        Some(n) => !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && parts.next().is_none(),
    };
    AREAS.contains(&area)
        && !place.is_empty()
        && place.bytes().all(|b| b.is_ascii_lowercase())
        && number_ok
}

/// The region a regional endpoint names (`ecs-cn-hangzhou.aliyuncs.com`,
/// `workspace.cn-north-4.myhuaweicloud.com`); `None` for a host that serves any region
/// (`lighthouse.tencentcloudapi.com`, an override such as `127.0.0.1:8090`).
pub fn region_of_host(host: &str) -> Option<String> {
    let name = host.rsplit_once(':').map_or(host, |(n, _)| n);
    for label in name.split('.') {
        let mut rest = label;
        loop {
            if is_region(rest) {
                return Some(rest.to_string());
            }
            match rest.split_once('-') {
                Some((_, tail)) => rest = tail,
                None => break,
            }
        }
    }
    None
}

impl Relay {
    pub fn new(config: &ConsoleConfig, server_profiles: &Value) -> Relay {
        // `endpoint` of a server profile is `scheme://connect`; the relay connects to an
        // override with its scheme when the signed host is that address.
        let schemes = server_profiles
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["endpoint"].as_str())
            .filter_map(|e| e.split_once("://"))
            .map(|(scheme, host)| (host.to_ascii_lowercase(), scheme.to_string()))
            .collect();
        Relay {
            hosts: config.relay_hosts.clone(),
            schemes,
        }
    }

    /// The regions a provider's requests can be relayed for.
    pub fn regions(&self, provider: Provider) -> Vec<String> {
        let hosts = self.hosts.get(&provider).map(Vec::as_slice).unwrap_or(&[]);
        let mut out: Vec<String> = Vec::new();
        if hosts.iter().any(|h| region_of_host(h).is_none()) {
            out.extend(documented_regions(provider).iter().map(|r| r.to_string()));
        }
        for r in hosts.iter().filter_map(|h| region_of_host(h)) {
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }

    /// The host to sign for: the region's own endpoint, else one serving every region.
    pub fn host_for(&self, provider: Provider, region: &str) -> Option<&str> {
        let hosts = self.hosts.get(&provider)?;
        hosts
            .iter()
            .find(|h| region_of_host(h).as_deref() == Some(region))
            .or_else(|| hosts.iter().find(|h| region_of_host(h).is_none()))
            .map(String::as_str)
    }

    /// The scheme the relay will use for `host`.
    pub fn scheme_for(&self, host: &str) -> &str {
        self.schemes
            .get(&host.to_ascii_lowercase())
            .map_or("https", String::as_str)
    }

    /// One "profile" per provider the relay serves, with every action, so the profile
    /// and region switchers and the views work as in portal mode.
    pub fn profiles(&self) -> Vec<Profile> {
        Provider::ALL
            .into_iter()
            .filter(|p| !self.regions(*p).is_empty())
            .map(|p| Profile {
                name: profile_name(p),
                provider: p,
                regions: self.regions(p),
                actions: Action::of(p).map(|a| a.name().to_string()).collect(),
            })
            .collect()
    }
}

pub fn profile_name(provider: Provider) -> String {
    format!("{PROFILE_PREFIX}{}", provider.id())
}

/// True once the console has started in relay (bring-your-own-keys) mode.
pub fn relay_mode() -> bool {
    RELAY.with(|r| r.borrow().is_some())
}

pub fn relay_settings() -> Option<Relay> {
    RELAY.with(|r| r.borrow().clone())
}

/// Relay mode's session: remembers the relay settings for `call` and answers one
/// synthesized profile per provider (the user, when the server says who it is).
pub async fn session(config: ConsoleConfig) -> Result<Session, ApiError> {
    let server: Value = crate::api::get_json("/api/v1/session")
        .await
        .unwrap_or(Value::Null);
    let relay = Relay::new(&config, &server["profiles"]);
    let profiles = relay.profiles();
    RELAY.with(|r| *r.borrow_mut() = Some(relay));
    Ok(Session {
        user: server["user"].as_str().map(str::to_string),
        mode: "relay".into(),
        demo: config.demo,
        profiles,
    })
}

// ====================================================================== building

/// A failure found before anything was sent, explained in both languages.
fn local_failure(code: &str, message: String, explanation: Text, remedy: Msg) -> Box<Failure> {
    Box::new(Failure {
        code: code.into(),
        provider_code: None,
        http_status: None,
        message,
        explanation: Some(explanation.en.clone()),
        remedy: Some(remedy.text(Lang::En).to_string()),
        retryable: false,
        request_id: None,
        i18n: Some(FailureText {
            explanation,
            remedy: msg_text(remedy),
        }),
    })
}

fn msg_text(m: Msg) -> Text {
    Text::new(m.text(Lang::En), m.text(Lang::Zh))
}

/// A request built, validated and signed, ready to relay or show.
#[derive(Debug, Clone, PartialEq)]
pub struct Signed {
    pub action: Action,
    pub request: HttpRequest,
}

/// Validates (the proxy's rules), builds for the relay's host and signs with the user's
/// keys. Pure: time and nonce come in.
#[allow(clippy::too_many_arguments)]
pub fn prepare(
    relay: &Relay,
    keys: Option<&ProviderKeys>,
    provider: Provider,
    region: &str,
    action_name: &str,
    params: &Value,
    now: i64,
    nonce: &str,
) -> Result<Signed, Box<Failure>> {
    let action = Action::lookup(provider, action_name).ok_or_else(|| {
        local_failure(
            "UnknownAction",
            format!(
                "{:?} is not an action Rewind can call on {}",
                action_name.chars().take(64).collect::<String>(),
                provider.product()
            ),
            msg_text(Msg::ByokUnknownAction),
            Msg::ByokCheckRequest,
        )
    })?;
    let keys = keys.filter(|k| k.is_set()).ok_or_else(|| {
        local_failure(
            "NoKeys",
            String::new(),
            msg_text(Msg::ByokNoKeys),
            Msg::ByokNoKeysRemedy,
        )
    })?;
    let host = relay.host_for(provider, region).ok_or_else(|| {
        local_failure(
            "RelayHostNotAllowed",
            format!("no relay host for {} in {region}", provider.product()),
            msg_text(Msg::ByokNoHost),
            Msg::ByokNoHostRemedy,
        )
    })?;
    let validated =
        validate_params(action, params, &ValidateOptions::default()).map_err(|errors| {
            let join = |lang: Lang| {
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message.get(lang)))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            local_failure(
                "InvalidParams",
                join(Lang::En),
                Text::new(join(Lang::En), join(Lang::Zh)),
                Msg::ByokFixParams,
            )
        })?;
    let mut params = validated.params;
    // As the proxy does: a ClientToken makes CreateSnapshot idempotent.
    if action == Action::EcsCreateSnapshot
        && let Value::Object(m) = &mut params
        && !m.contains_key("ClientToken")
    {
        m.insert("ClientToken".into(), Value::String(nonce.to_string()));
    }
    let project_id = if provider == Provider::Huawei {
        let pid = keys
            .project_ids
            .get(region)
            .map(|p| p.trim())
            .filter(|p| !p.is_empty());
        Some(pid.map(str::to_string).ok_or_else(|| {
            local_failure(
                "NoProjectId",
                String::new(),
                msg_text(Msg::ByokNoProject),
                Msg::ByokNoProjectRemedy,
            )
        })?)
    } else {
        None
    };
    let target = Target {
        region: region.to_string(),
        endpoint: Some(host.to_string()),
        scheme: Some(relay.scheme_for(host).to_string()),
        project_id,
    };
    let variant = match (provider, keys.signature) {
        (Provider::Alibaba, AlibabaSignature::V1) => Variant::AlibabaV1,
        _ => Variant::Default,
    };
    let cannot = |e: String| {
        local_failure(
            "CannotSign",
            e,
            msg_text(Msg::ByokCannotSign),
            Msg::ByokCheckRequest,
        )
    };
    let mut request =
        build::build_with(action, &params, &target, variant).map_err(|e| cannot(e.to_string()))?;
    let creds = keys.credentials();
    sign::sign(
        variant.algorithm(action),
        &mut request,
        &SigningParams::new(&creds, now).with_nonce(nonce),
    )
    .map_err(|e| cannot(e.to_string()))?;
    Ok(Signed { action, request })
}

/// The body of `POST /relay`: the signed request, field for field (`path` not
/// percent-encoded, `query` decoded pairs in signed order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayRequest {
    pub provider: Provider,
    pub method: String,
    pub host: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RelayRequest {
    pub fn from_signed(provider: Provider, req: &HttpRequest) -> RelayRequest {
        RelayRequest {
            provider,
            method: req.method.clone(),
            host: req.host.clone(),
            path: if req.path.is_empty() {
                "/".into()
            } else {
                req.path.clone()
            },
            query: req.query.clone(),
            headers: req.headers.clone(),
            // The builders write JSON text, so the body is UTF-8.
            body: String::from_utf8_lossy(&req.body).into_owned(),
        }
    }
}

// ====================================================================== answers

/// The proxy's `/api/v1/call` error body for a cloud's refusal, built here.
pub fn cloud_failure(e: &CloudError, lang: Lang) -> Failure {
    let x = e.explain();
    Failure {
        code: "CloudError".into(),
        provider_code: Some(e.code.clone()),
        http_status: Some(e.http_status),
        message: e.message.clone(),
        explanation: Some(x.meaning.get(lang).to_string()),
        remedy: Some(x.remedy.get(lang).to_string()),
        retryable: x.retryable,
        request_id: e.request_id.clone(),
        i18n: Some(FailureText {
            explanation: x.meaning,
            remedy: x.remedy,
        }),
    }
}

/// Reads what `/relay` answered. Without `X-Rewind-Relay: upstream` it is the proxy's own
/// refusal (`{ok: false, error}`); with it, the cloud's answer, read like the proxy does.
pub fn read_relay_answer(
    provider: Provider,
    lang: Lang,
    status: u16,
    from_upstream: bool,
    request_id_header: Option<&str>,
    body: &str,
) -> Result<Answer, ApiError> {
    if !from_upstream {
        return crate::api::decode_answer(status, body);
    }
    // Only Workspace sends its request id in a header; the others' header, if any, is
    // the proxy's own.
    let header_id = request_id_header.filter(|_| provider == Provider::Huawei);
    match rewind_cloud::error::parse_response(provider, status, header_id, body.as_bytes()) {
        Ok(data) => {
            let request_id = data
                .get("RequestId")
                .or_else(|| data.get("request_id"))
                .and_then(Value::as_str)
                .or(header_id)
                .map(str::to_string);
            Ok(Answer { request_id, data })
        }
        // ECS answers a passing DryRun with an error; the proxy reports it as success.
        Err(e) if e.is_dry_run_pass() => Ok(Answer {
            request_id: e.request_id.clone(),
            data: json!({"Code": e.code, "Message": e.message, "RequestId": e.request_id}),
        }),
        Err(e) => Err(ApiError::Refused(Box::new(cloud_failure(&e, lang)))),
    }
}

// ====================================================================== showing

/// A signed request as shown to the user ("like a CLI dry run"): the signature visible,
/// the STS token masked, the secret nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub curl: String,
}

/// Headers and query parameters that carry an STS token.
const TOKEN_HEADERS: &[&str] = &[
    sign::tc3::HEADER_TOKEN,
    sign::acs3::HEADER_TOKEN,
    sign::sdk_hmac::HEADER_TOKEN,
];
const TOKEN_QUERY: &str = "SecurityToken";

/// Replaces the secret and token wherever they might appear (they never should, but the
/// page must not show them even if a builder one day echoes one).
fn scrub(s: &str, creds: &Credentials) -> String {
    let mut out = s.to_string();
    for v in [Some(&creds.secret), creds.token.as_ref()]
        .into_iter()
        .flatten()
    {
        if v.chars().count() >= 4 {
            out = out.replace(v.as_str(), MASK);
        }
    }
    out
}

/// Single-quotes for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub fn show(req: &HttpRequest, creds: &Credentials) -> Shown {
    let query: Vec<(String, String)> = req
        .query
        .iter()
        .map(|(k, v)| {
            let v = if k == TOKEN_QUERY {
                MASK.to_string()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect();
    let path = if req.path.is_empty() { "/" } else { &req.path };
    let q = encoding::rfc3986_query(&query);
    let mut url = format!(
        "{}://{}{}",
        req.scheme,
        req.host,
        encoding::encode_path(path)
    );
    if !q.is_empty() {
        url.push('?');
        url.push_str(&q);
    }
    let url = scrub(&url, creds);
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| {
            let v = if TOKEN_HEADERS.iter().any(|t| t.eq_ignore_ascii_case(k)) {
                MASK.to_string()
            } else {
                scrub(v, creds)
            };
            (k.clone(), v)
        })
        .collect();
    let body = scrub(&String::from_utf8_lossy(&req.body), creds);
    let mut curl = format!("curl -X {} {}", req.method, shell_quote(&url));
    for (k, v) in &headers {
        curl.push_str(&format!(" -H {}", shell_quote(&format!("{k}: {v}"))));
    }
    if !body.is_empty() {
        curl.push_str(&format!(" --data-raw {}", shell_quote(&body)));
    }
    Shown {
        method: req.method.clone(),
        url,
        headers,
        body,
        curl,
    }
}

/// A harmless read to pre-fill "Show signed request" with.
pub fn sample(provider: Provider) -> (&'static str, Value) {
    match provider {
        Provider::Tencent => ("DescribeInstances", json!({"Limit": 1})),
        Provider::Alibaba => ("DescribeDisks", json!({"MaxResults": 10})),
        Provider::Huawei => ("ListDesktopSnapshot", json!({"limit": 1})),
    }
}

// ====================================================================== sending

fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

fn page_lang() -> Lang {
    if crate::api::current_lang().starts_with("zh") {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// Signs the request for "Show signed request" with the tab's keys, fresh time and nonce.
pub fn sign_for_show(
    provider: Provider,
    region: &str,
    action: &str,
    params: &Value,
) -> Result<Shown, Box<Failure>> {
    let relay = relay_settings().unwrap_or_default();
    let keys = store()
        .and_then(|s| s.try_get_untracked())
        .unwrap_or_default();
    let pk = keys.of(provider);
    let signed = prepare(
        &relay,
        pk,
        provider,
        region,
        action,
        params,
        now_secs(),
        &crate::api::random_hex(),
    )?;
    Ok(show(
        &signed.request,
        &pk.map(ProviderKeys::credentials).unwrap_or_default(),
    ))
}

/// `api::call` in relay mode, by synthesized profile name.
pub async fn call_profile(
    profile: &str,
    region: &str,
    action: &str,
    params: Value,
) -> Result<Answer, ApiError> {
    match profile
        .strip_prefix(PROFILE_PREFIX)
        .and_then(Provider::from_id)
    {
        Some(provider) => call(provider, region, action, params).await,
        None => Err(ApiError::Refused(local_failure(
            "UnknownProfile",
            format!(
                "no profile is named {:?}",
                profile.chars().take(64).collect::<String>()
            ),
            msg_text(Msg::ByokNoKeys),
            Msg::ByokNoKeysRemedy,
        ))),
    }
}

/// Validates, builds, signs with the tab's keys and sends through `/relay`; answers like
/// the proxy's `/api/v1/call`.
pub async fn call(
    provider: Provider,
    region: &str,
    action_name: &str,
    params: Value,
) -> Result<Answer, ApiError> {
    let relay = relay_settings().unwrap_or_default();
    let keys = store()
        .and_then(|s| s.try_get_untracked())
        .unwrap_or_default();
    let signed = prepare(
        &relay,
        keys.of(provider),
        provider,
        region,
        action_name,
        &params,
        now_secs(),
        &crate::api::random_hex(),
    )
    .map_err(ApiError::Refused)?;
    let body = RelayRequest::from_signed(provider, &signed.request);
    let response = crate::api::post_json("/relay", &body, None).await?;
    let status = response.status();
    let headers = response.headers();
    let from_upstream = headers.get("x-rewind-relay").as_deref() == Some("upstream");
    let request_id = headers.get("x-request-id");
    let text = response
        .text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    read_relay_answer(
        provider,
        page_lang(),
        status,
        from_upstream,
        request_id.as_deref(),
        &text,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "AKIDTESTKEY000000000000000000000WXYZ";
    const SECRET: &str = "test-secret-that-must-never-show";
    const TOKEN: &str = "sts-token-that-must-be-masked";

    fn keys(signature: AlibabaSignature) -> ProviderKeys {
        ProviderKeys {
            id: ID.into(),
            secret: SECRET.into(),
            token: None,
            signature,
            project_ids: [("cn-north-4".to_string(), "p-north".to_string())].into(),
        }
    }

    fn demo_relay() -> Relay {
        let config: ConsoleConfig = serde_json::from_str(
            r#"{"mode":"relay","demo":true,"auth":"none","relay":true,"version":"0.1.0",
                "relay_hosts":{"tencent":["127.0.0.1:40123"],"alibaba":["127.0.0.1:40123"],
                               "huawei":["127.0.0.1:40123"]}}"#,
        )
        .unwrap();
        assert!(config.relay_mode());
        let server = json!([{"name": "demo-ecs", "endpoint": "http://127.0.0.1:40123"}]);
        Relay::new(&config, &server)
    }

    #[test]
    fn keys_are_stored_only_when_remembered_and_restore_from_session_storage() {
        let mut k = Keys::default();
        k.clouds
            .insert(Provider::Tencent, keys(AlibabaSignature::V3));
        // Not remembered: the item is removed.
        assert_eq!(k.to_storage(), None);
        k.remember = true;
        let json = k.to_storage().unwrap();
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["remember"], true);
        assert_eq!(v["clouds"]["tencent"]["id"], ID);
        assert_eq!(v["clouds"]["tencent"]["signature"], "v3");
        assert!(v["clouds"]["tencent"].get("token").is_none());
        assert_eq!(Keys::from_storage(Some(&json)), k);
        // Garbage and un-remembered entries are forgotten.
        assert_eq!(Keys::from_storage(Some("{not json")), Keys::default());
        assert_eq!(
            Keys::from_storage(Some(r#"{"remember":false,"clouds":{}}"#)),
            Keys::default()
        );
        assert_eq!(Keys::from_storage(None), Keys::default());
        // Debug never prints the secret or the token.
        let mut pk = keys(AlibabaSignature::V1);
        pk.token = Some(TOKEN.into());
        k.clouds.insert(Provider::Alibaba, pk.clone());
        let dbg = format!("{k:?}");
        assert!(!dbg.contains(SECRET) && !dbg.contains(TOKEN), "{dbg}");
        assert!(dbg.contains("…WXYZ"), "{dbg}");
        assert_eq!(pk.id_hint(), "…WXYZ");
        // Half-entered keys are not keys.
        let half = ProviderKeys {
            id: ID.into(),
            ..Default::default()
        };
        k.clouds.insert(Provider::Huawei, half);
        assert!(k.of(Provider::Huawei).is_none());
    }

    #[test]
    fn regions_and_hosts_come_from_the_relay_hosts() {
        assert_eq!(
            region_of_host("ecs-cn-hangzhou.aliyuncs.com").as_deref(),
            Some("cn-hangzhou")
        );
        assert_eq!(
            region_of_host("ecs-vpc.cn-shanghai.aliyuncs.com").as_deref(),
            Some("cn-shanghai")
        );
        assert_eq!(
            region_of_host("workspace.ap-southeast-1.myhuaweicloud.com").as_deref(),
            Some("ap-southeast-1")
        );
        for generic in [
            "lighthouse.tencentcloudapi.com",
            "ecs.aliyuncs.com",
            "127.0.0.1:8090",
            "my-host.example.com",
        ] {
            assert_eq!(region_of_host(generic), None, "{generic}");
        }
        let relay = Relay {
            hosts: [
                (
                    Provider::Alibaba,
                    vec!["ecs-cn-hangzhou.aliyuncs.com".to_string()],
                ),
                (
                    Provider::Tencent,
                    vec!["lighthouse.tencentcloudapi.com".to_string()],
                ),
            ]
            .into(),
            schemes: Default::default(),
        };
        assert_eq!(relay.regions(Provider::Alibaba), ["cn-hangzhou"]);
        assert_eq!(relay.host_for(Provider::Alibaba, "cn-beijing"), None);
        assert_eq!(
            relay.regions(Provider::Tencent),
            documented_regions(Provider::Tencent)
        );
        assert_eq!(relay.scheme_for("lighthouse.tencentcloudapi.com"), "https");
        let profiles = relay.profiles();
        assert_eq!(
            profiles.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["keys-tencent", "keys-alibaba"]
        );
        assert!(
            profiles[0]
                .actions
                .iter()
                .any(|a| a == "ApplyInstanceSnapshot")
        );
        // The demo: the emulator override, over http, for all three.
        let demo = demo_relay();
        assert_eq!(demo.profiles().len(), 3);
        assert_eq!(demo.scheme_for("127.0.0.1:40123"), "http");
        assert_eq!(
            demo.host_for(Provider::Huawei, "cn-east-3"),
            Some("127.0.0.1:40123")
        );
    }

    #[test]
    fn the_relay_request_is_the_signed_request_field_for_field() {
        let relay = demo_relay();
        let k = keys(AlibabaSignature::V3);
        let s = prepare(
            &relay,
            Some(&k),
            Provider::Tencent,
            "ap-guangzhou",
            "DescribeSnapshots",
            &json!({"Limit": 5}),
            1_700_000_000,
            "nonce-1",
        )
        .unwrap();
        let r = RelayRequest::from_signed(Provider::Tencent, &s.request);
        let v = serde_json::to_value(&r).unwrap();
        // Exactly the proxy's RelayRequest fields (it denies unknown ones).
        let mut fields: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "body", "headers", "host", "method", "path", "provider", "query"
            ]
        );
        assert_eq!(v["provider"], "tencent");
        assert_eq!(r.method, "POST");
        assert_eq!(r.host, "127.0.0.1:40123");
        assert_eq!(r.path, "/");
        assert_eq!(r.body, r#"{"Limit": 5}"#);
        assert_eq!(v["headers"][0].as_array().unwrap().len(), 2);
        let auth = s.request.header("Authorization").unwrap();
        assert!(
            auth.starts_with(&format!("TC3-HMAC-SHA256 Credential={ID}/")),
            "{auth}"
        );
        assert_eq!(s.request.header("X-TC-Region"), Some("ap-guangzhou"));
        assert!(!serde_json::to_string(&r).unwrap().contains(SECRET));

        // The signature verifies with the same keys (what the emulator does).
        let verified = sign::verify(&s.request, 1_700_000_000, |id| {
            (id == ID).then(|| SECRET.to_string())
        });
        assert!(verified.is_ok(), "{verified:?}");

        // Alibaba v1 puts its signature and nonce in the query; Huawei needs its project.
        let s = prepare(
            &relay,
            Some(&keys(AlibabaSignature::V1)),
            Provider::Alibaba,
            "cn-hangzhou",
            "DescribeDisks",
            &json!({}),
            1_700_000_000,
            "nonce-2",
        )
        .unwrap();
        assert_eq!(s.request.query_param("SignatureNonce"), Some("nonce-2"));
        assert_eq!(s.request.query_param("RegionId"), Some("cn-hangzhou"));
        assert!(s.request.query_param("Signature").is_some());
        let s = prepare(
            &relay,
            Some(&k),
            Provider::Huawei,
            "cn-north-4",
            "ListDesktopSnapshot",
            &json!({"limit": 1}),
            1_700_000_000,
            "nonce-3",
        )
        .unwrap();
        assert_eq!(s.request.header("X-Project-Id"), Some("p-north"));
        assert!(
            s.request.path.starts_with("/v2/p-north/"),
            "{}",
            s.request.path
        );
    }

    #[test]
    fn nothing_is_signed_without_keys_valid_params_or_a_project() {
        let relay = demo_relay();
        let code = |r: Result<Signed, Box<Failure>>| r.unwrap_err().code;
        let read = |keys: Option<&ProviderKeys>, p: Provider, region: &str, a: &str, v: Value| {
            prepare(&relay, keys, p, region, a, &v, 1_700_000_000, "n")
        };
        let k = keys(AlibabaSignature::V3);
        assert_eq!(
            code(read(
                None,
                Provider::Tencent,
                "ap-guangzhou",
                "DescribeInstances",
                json!({})
            )),
            "NoKeys"
        );
        let f = read(
            Some(&k),
            Provider::Tencent,
            "ap-guangzhou",
            "DescribeInstances",
            json!({"Limit": "lots"}),
        )
        .unwrap_err();
        assert_eq!(f.code, "InvalidParams");
        let text = f.i18n.unwrap();
        assert!(text.explanation.en.starts_with("Limit: "), "{text:?}");
        assert_ne!(text.explanation.en, text.explanation.zh);
        assert_eq!(
            code(read(
                Some(&k),
                Provider::Huawei,
                "cn-east-3",
                "ListDesktopSnapshot",
                json!({})
            )),
            "NoProjectId"
        );
        assert_eq!(
            code(read(
                Some(&k),
                Provider::Tencent,
                "ap-guangzhou",
                "TerminateInstances",
                json!({})
            )),
            "UnknownAction"
        );
        let empty = Relay::default();
        assert_eq!(
            prepare(
                &empty,
                Some(&k),
                Provider::Tencent,
                "ap-guangzhou",
                "DescribeInstances",
                &json!({}),
                1_700_000_000,
                "n"
            )
            .unwrap_err()
            .code,
            "RelayHostNotAllowed"
        );
        // The samples offered in "Show signed request" are valid.
        for p in Provider::ALL {
            let (action, params) = sample(p);
            let region = &relay.regions(p)[0];
            assert!(read(Some(&k), p, region, action, params).is_ok(), "{p}");
        }
    }

    #[test]
    fn shown_requests_have_the_signature_but_never_the_secret_or_token() {
        let relay = demo_relay();
        let mut k = keys(AlibabaSignature::V3);
        k.token = Some(TOKEN.into());
        for (p, region, action, params) in [
            (
                Provider::Tencent,
                "ap-guangzhou",
                "DescribeInstances",
                json!({"Limit": 1}),
            ),
            (Provider::Alibaba, "cn-hangzhou", "DescribeDisks", json!({})),
            (
                Provider::Huawei,
                "cn-north-4",
                "ListDesktopSnapshot",
                json!({"limit": 1}),
            ),
        ] {
            let s = prepare(
                &relay,
                Some(&k),
                p,
                region,
                action,
                &params,
                1_700_000_000,
                "n",
            )
            .unwrap();
            // The raw signed request carries the token (the cloud needs it) …
            assert!(format!("{:?}", s.request).contains(TOKEN), "{p}");
            let shown = show(&s.request, &k.credentials());
            let all = format!("{shown:?}");
            // … the shown one does not, nor the secret; the signature is there.
            assert!(!all.contains(TOKEN) && !all.contains(SECRET), "{p}: {all}");
            assert!(all.contains(MASK), "{p}: {all}");
            let auth = shown
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                .map(|(_, v)| v.as_str())
                .unwrap();
            assert!(auth.contains("Signature="), "{auth}");
            assert!(
                shown.url.starts_with("http://127.0.0.1:40123/"),
                "{}",
                shown.url
            );
            assert!(
                shown
                    .curl
                    .starts_with(&format!("curl -X {} 'http://", shown.method))
            );
            assert!(shown.curl.contains(auth), "{}", shown.curl);
        }
        // v1: the token travels in the query.
        k.signature = AlibabaSignature::V1;
        let s = prepare(
            &relay,
            Some(&k),
            Provider::Alibaba,
            "cn-hangzhou",
            "DescribeDisks",
            &json!({}),
            1_700_000_000,
            "n",
        )
        .unwrap();
        assert_eq!(s.request.query_param("SecurityToken"), Some(TOKEN));
        let shown = show(&s.request, &k.credentials());
        assert!(
            !shown.url.contains(TOKEN) && !shown.curl.contains(TOKEN),
            "{}",
            shown.url
        );
        assert!(shown.url.contains("Signature="), "{}", shown.url);
        // Defensive scrubbing and shell quoting.
        let creds = k.credentials();
        assert_eq!(scrub(&format!("a{SECRET}b"), &creds), format!("a{MASK}b"));
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn upstream_errors_map_to_the_proxys_failure_and_proxy_refusals_pass_through() {
        // Tencent: HTTP 200 with Response.Error.
        let body = r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated."},"RequestId":"req-tc-1"}}"#;
        let err = read_relay_answer(
            Provider::Tencent,
            Lang::Zh,
            200,
            true,
            Some("proxy-id"),
            body,
        )
        .unwrap_err();
        let ApiError::Refused(f) = err else {
            panic!("{err:?}")
        };
        assert_eq!(f.code, "CloudError");
        assert_eq!(
            f.provider_code.as_deref(),
            Some("AuthFailure.SignatureFailure")
        );
        assert_eq!(f.request_id.as_deref(), Some("req-tc-1"));
        assert_eq!(f.http_status, Some(200));
        let text = f.i18n.clone().unwrap();
        let x =
            rewind_cloud::catalog::explain(Provider::Tencent, "AuthFailure.SignatureFailure", 200);
        assert_eq!(text.explanation, x.meaning);
        assert_eq!(text.remedy, x.remedy);
        assert_eq!(f.explanation.as_deref(), Some(x.meaning.zh.as_str()));
        assert_eq!(f.remedy.as_deref(), Some(x.remedy.zh.as_str()));

        // ECS: 4xx with Code; a passing DryRun is a success, as from the proxy.
        let body = r#"{"RequestId":"req-ecs-1","HostId":"ecs","Code":"DryRunOperation","Message":"Request validation has been passed with DryRun flag set."}"#;
        let ok = read_relay_answer(Provider::Alibaba, Lang::En, 400, true, None, body).unwrap();
        assert_eq!(ok.request_id.as_deref(), Some("req-ecs-1"));
        assert_eq!(ok.data["Code"], "DryRunOperation");
        let body = r#"{"RequestId":"req-ecs-2","HostId":"ecs","Code":"IncorrectDiskStatus","Message":"x"}"#;
        let ApiError::Refused(f) =
            read_relay_answer(Provider::Alibaba, Lang::En, 403, true, None, body).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(f.provider_code.as_deref(), Some("IncorrectDiskStatus"));
        assert_eq!(f.http_status, Some(403));

        // Workspace: the request id may come only in the header.
        let body =
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#;
        let ApiError::Refused(f) = read_relay_answer(
            Provider::Huawei,
            Lang::En,
            401,
            true,
            Some("hw-req-1"),
            body,
        )
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(f.provider_code.as_deref(), Some("APIGW.0301"));
        assert_eq!(f.request_id.as_deref(), Some("hw-req-1"));

        // Success: the payload as the proxy passes it on.
        let ok = read_relay_answer(
            Provider::Tencent,
            Lang::En,
            200,
            true,
            None,
            r#"{"Response":{"TotalCount":1,"SnapshotSet":[],"RequestId":"req-tc-2"}}"#,
        )
        .unwrap();
        assert_eq!(ok.request_id.as_deref(), Some("req-tc-2"));
        assert_eq!(ok.data["TotalCount"], 1);

        // The proxy's own refusal (no X-Rewind-Relay header) is its normalized error.
        let body = r#"{"ok":false,"error":{"code":"RelayHostNotAllowed","provider_code":null,"http_status":null,"message":"evil.test is not a configured Tencent Cloud Lighthouse host","explanation":null,"remedy":null,"retryable":false,"request_id":null}}"#;
        let ApiError::Refused(f) =
            read_relay_answer(Provider::Tencent, Lang::En, 403, false, None, body).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(f.code, "RelayHostNotAllowed");
        assert_eq!(f.provider_code, None);
        // An unreadable upstream body is a Rewind.* code, not a panic.
        let ApiError::Refused(f) =
            read_relay_answer(Provider::Alibaba, Lang::En, 502, true, None, "<html>").unwrap_err()
        else {
            panic!()
        };
        assert!(f.provider_code.unwrap().starts_with("Rewind."));
    }
}
