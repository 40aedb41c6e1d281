//! The `rewind` server: serves the console and, in front of the cloud APIs, signs and
//! forwards (portal mode) or relays browser-signed requests (static-hosting mode).

pub mod api;
pub mod audit;
pub mod auth;
pub mod config;
pub mod demo;
pub mod error;
pub mod headers;
pub mod host;
pub mod idempotency;
pub mod limits;
pub mod listen;
pub mod metrics;
pub mod oidc;
pub mod operations;
pub mod policy;
pub mod relay;
pub mod resolve;
pub mod sessions;
pub mod signin;
pub mod static_files;
pub mod upstream;

use axum::http::{HeaderName, HeaderValue, Method};
use axum::{Json, Router, routing::get, routing::post};
use config::{Auth, Limits, Profile, Relay, ServeConfig, SessionLifetimes};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};

/// How the console talks to the clouds; published to the browser in `/config.json`
/// (the type both ends share).
pub use rewind_cloud::wire::Mode;

/// Settings the router needs, resolved (credentials read, names checked).
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub mode: Mode,
    /// True for `rewind serve --demo`: emulator embedded, demo profiles, no auth.
    pub demo: bool,
    /// The built console (Trunk's `dist/`), if it should be served.
    pub dist: Option<PathBuf>,
    pub auth: Auth,
    pub profiles: Vec<Profile>,
    pub policy: Vec<policy::Rule>,
    /// Where mutating calls are recorded; none means they are not recorded.
    pub audit: Option<audit::AuditLog>,
    /// Browser origins allowed besides the server's own.
    pub cors_origins: Vec<String>,
    pub limits: Limits,
    pub relay: Relay,
    /// The address the server is bound to (port 0 resolved), set by `rewind serve` once
    /// it listens: the `Host` names and origins it answers for (see [`host`]). None for a
    /// router that is not on a socket of its own, such as one tests drive in-process:
    /// with no public origins either, such a router checks no `Host`.
    pub listen: Option<std::net::SocketAddr>,
    /// The origins users open the console at besides the listen address
    /// (`public_origins`, e.g. behind a TLS-terminating reverse proxy): their names are
    /// answered for and they count as the server's own origin.
    pub public_origins: Vec<String>,
    /// Lifetimes of cookie sessions (`oidc` and `token` modes).
    pub sessions: SessionLifetimes,
}

impl Default for AppConfig {
    /// Portal mode, no profiles, no auth, nothing allowed: tests fill in what they need.
    fn default() -> AppConfig {
        AppConfig {
            mode: Mode::Portal,
            demo: false,
            dist: None,
            auth: Auth::None {
                user: "local".into(),
            },
            profiles: Vec::new(),
            policy: Vec::new(),
            audit: None,
            cors_origins: Vec::new(),
            limits: Limits::default(),
            relay: Relay::default(),
            listen: None,
            public_origins: Vec::new(),
            sessions: SessionLifetimes::default(),
        }
    }
}

impl AppConfig {
    /// The router settings for a loaded configuration file.
    pub fn from_serve(c: ServeConfig, audit: Option<audit::AuditLog>) -> AppConfig {
        AppConfig {
            mode: c.mode,
            demo: false,
            dist: c.dist,
            auth: c.auth,
            profiles: c.profiles,
            policy: c.policy,
            audit,
            cors_origins: c.cors_origins,
            limits: c.limits,
            relay: c.relay,
            // Set to the bound address once the socket is open (port 0 resolved).
            listen: None,
            public_origins: c.public_origins,
            sessions: c.sessions,
        }
    }
}

/// Shared by every handler.
#[derive(Debug)]
pub struct AppState {
    pub config: AppConfig,
    pub upstream: upstream::Upstream,
    /// For relayed requests to allowlisted names: public DNS answers only.
    pub relay_upstream: upstream::Upstream,
    pub limiters: limits::Limiters,
    pub metrics: metrics::Metrics,
    /// `Idempotency-Key`s of mutating calls and their first answers.
    pub idempotency: idempotency::Store,
    /// The names answered for and the origins that count as the server's own.
    pub origins: host::Origins,
    /// Operations the server runs (portal mode).
    pub executor: operations::Executor,
    /// Cookie sessions, in the modes that sign browsers in (`oidc`, `token`).
    pub sessions: Option<sessions::Store>,
    /// The OpenID provider, in `oidc` mode.
    pub oidc: Option<Arc<oidc::Provider>>,
}

impl AppState {
    /// Writes the pending row of a mutating call; no row, no call.
    pub async fn audit_begin(
        &self,
        pending: audit::Pending,
    ) -> Result<Option<i64>, error::ApiError> {
        let Some(log) = &self.config.audit else {
            return Ok(None);
        };
        log.begin_async(pending).await.map(Some).map_err(|e| {
            tracing::error!(error = %e, "audit log write failed; call refused");
            error::ApiError::Internal
        })
    }

    /// Completes the row written by [`audit_begin`](Self::audit_begin).
    pub async fn audit_complete(&self, id: Option<i64>, done: audit::Completion) {
        if let (Some(log), Some(id)) = (&self.config.audit, id)
            && let Err(e) = log.complete_async(id, done).await
        {
            tracing::error!(audit_id = id, error = %e, "audit log completion failed");
        }
    }
}

/// The runtime configuration the console reads at start-up, so one build serves both modes.
#[derive(Debug, Serialize)]
struct ConsoleConfig {
    mode: Mode,
    demo: bool,
    auth: &'static str,
    relay: bool,
    /// When the relay is on: the hosts it forwards to, per provider (the allowlist and
    /// the profiles' endpoint overrides), so the console signs for one of them.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    relay_hosts: std::collections::BTreeMap<rewind_cloud::Provider, Vec<String>>,
    version: &'static str,
}

/// Builds the whole service; tests drive it with `oneshot`, `serve` runs it on a socket.
/// Unfinished operations in the database are resumed when it is built inside a Tokio
/// runtime (as `serve` and `#[tokio::test]` do).
pub fn app(config: AppConfig) -> Router {
    build(config).0
}

/// [`app`], and the state its handlers share (for shutting the executor down).
pub fn build(config: AppConfig) -> (Router, Arc<AppState>) {
    let upstream = upstream::Upstream::new(
        config.limits.upstream_timeout,
        config.limits.upstream_response_bytes,
        false,
    );
    let relay_upstream = upstream::Upstream::new(
        config.limits.upstream_timeout,
        config.limits.upstream_response_bytes,
        true,
    );
    let limiters = limits::Limiters::new(&config);
    let origins = host::Origins::new(config.listen, &config.public_origins, &config.cors_origins);
    if let Some(listen) = config.listen {
        tracing::info!(hosts = ?origins.hosts(), "answering for these Host names only");
        if listen.ip().is_unspecified() && config.public_origins.is_empty() {
            tracing::warn!(%listen, "listening on every address but no public_origins are configured: browsers can reach the console by loopback names only (421 for any other name)");
        }
    }
    let security = Arc::new(headers::SecurityHeaders::new(config.dist.as_deref()));
    let idempotency = idempotency::Store::new(config.audit.as_ref().map(|a| a.connection()));
    let executor = operations::Executor::new(operations_store(&config), Default::default());
    let sessions = sessions_store(&config);
    let oidc = match &config.auth {
        Auth::Oidc { oidc, .. } => Some(Arc::new(oidc::Provider::new((**oidc).clone()))),
        _ => None,
    };
    let state = Arc::new(AppState {
        config,
        upstream,
        relay_upstream,
        limiters,
        metrics: metrics::Metrics::default(),
        idempotency,
        origins,
        executor,
        sessions,
        oidc,
    });
    // Discovery is tried once now so the log says early whether the provider answers;
    // sign-in tries again until it does (see `oidc`).
    if let Some(p) = state.oidc.clone()
        && let Ok(runtime) = tokio::runtime::Handle::try_current()
    {
        runtime.spawn(async move {
            let _ = p.discover().await;
        });
    }
    if state.config.mode == Mode::Portal
        && let Ok(runtime) = tokio::runtime::Handle::try_current()
    {
        let state = state.clone();
        runtime.spawn(async move {
            match operations::Executor::resume_all(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(operations = n, "resumed unfinished operations"),
                Err(e) => tracing::error!(error = %e, "cannot resume operations"),
            }
        });
    }
    let api = Router::new()
        .route("/session", get(api::session))
        .route("/session/token", post(signin::token_sign_in))
        .route("/session/logout", post(signin::logout))
        .route("/profiles", get(api::profiles))
        .route("/call", post(api::call))
        .route("/audit", get(api::audit))
        .route(
            "/operations",
            get(operations::http::list).post(operations::http::create),
        )
        .route("/operations/events", get(operations::http::watch_all))
        .route("/operations/{id}", get(operations::http::get_one))
        .route("/operations/{id}/events", get(operations::http::watch_one))
        .route("/operations/{id}/cancel", post(operations::http::cancel))
        .fallback(|| async { error::ApiError::NotFound });
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics::render))
        .route("/config.json", get(console_config))
        .route("/relay", post(api::relay))
        .route("/auth/login", get(oidc::login))
        .route("/auth/callback", get(oidc::callback))
        .route("/auth/logout", post(signin::logout))
        .nest("/api/v1", api)
        .with_state(state.clone());
    if let Some(dist) = state.config.dist.clone() {
        router = router.fallback_service(static_files::service(dist));
    }
    if !state.config.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = state
            .config
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        router = router.layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(origins)
                .allow_methods([Method::GET, Method::POST])
                // Browsers cap this (Chromium at 2 hours); one preflight per path and
                // ten minutes is plenty and keeps a changed policy from lingering.
                .max_age(Duration::from_secs(600))
                // The console tells the cloud's answer from the relay's own by this
                // header; across origins a browser hides it unless exposed.
                .expose_headers([HeaderName::from_static(relay::RELAY_ANSWER_HEADER)])
                .allow_headers([
                    axum::http::header::CONTENT_TYPE,
                    axum::http::header::AUTHORIZATION,
                    HeaderName::from_static(auth::CSRF_HEADER),
                    HeaderName::from_static(idempotency::HEADER),
                ]),
        );
    }
    // A session cookie on a state-changing request that fails the CSRF rules is removed
    // before any handler sees it.
    router = router.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        signin::csrf_gate,
    ));
    // Every answer, the 421 included, carries the security headers; the Host check runs
    // before CORS and every route, static files included.
    router = router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            host::check,
        ))
        .layer(axum::middleware::from_fn_with_state(
            security,
            headers::apply,
        ));
    let request_id = HeaderName::from_static("x-request-id");
    let router = router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |req: &axum::http::Request<axum::body::Body>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    let client = req.extensions().get::<ClientRequestId>().map(|c| c.0.as_str());
                    // Path only: a query could carry a signed relay URL. The client's id is
                    // Debug-quoted: it is input, and must not forge a field or a line.
                    tracing::info_span!("request", id, client_request_id = ?client, method = %req.method(), path = %req.uri().path())
                },
            )
            .on_response(log_response),
        )
        .layer(SetRequestIdLayer::new(request_id, FastRequestUuid))
        .layer(axum::middleware::map_request(take_client_request_id));
    (router, state)
}

/// The operations tables: in the audit database when there is one (they survive a
/// restart), else in memory.
fn operations_store(config: &AppConfig) -> operations::store::Store {
    let store = match &config.audit {
        Some(log) => operations::store::Store::open(log.connection()),
        None => operations::store::Store::in_memory(),
    };
    match store {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot open the operations tables; operations are kept in memory");
            // An in-memory database opens unless the process is out of memory.
            operations::store::Store::in_memory().unwrap_or_else(|e| panic!("{e}"))
        }
    }
}

/// The sessions table, in the modes that have sessions: in the audit database when there
/// is one (sessions survive a restart), else in memory. Cookies are `Secure` when users
/// reach the server over HTTPS: the OIDC public URL, or in token mode every public origin.
fn sessions_store(config: &AppConfig) -> Option<sessions::Store> {
    let secure = match &config.auth {
        Auth::Oidc { oidc, .. } => oidc.https(),
        Auth::Token { .. } => {
            !config.public_origins.is_empty()
                && config
                    .public_origins
                    .iter()
                    .all(|o| o.starts_with("https://"))
        }
        Auth::None { .. } | Auth::Header { .. } => return None,
    };
    let cookie = sessions::Cookie::new(secure);
    let conn = config.audit.as_ref().map(|a| a.connection());
    match sessions::Store::open(conn, config.sessions, cookie.clone()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::error!(error = %e, "cannot open the sessions table; sessions are kept in memory");
            sessions::Store::open(None, config.sessions, cookie).ok()
        }
    }
}

/// The `X-Request-Id` a client sent: logged beside the server's own, never adopted.
#[derive(Debug, Clone)]
pub struct ClientRequestId(pub String);

/// Every request gets an id the server made: a client's `X-Request-Id` is moved aside
/// (at most 64 characters of it kept), so log lines and answers cannot be made to carry
/// another request's id.
async fn take_client_request_id(
    mut req: axum::http::Request<axum::body::Body>,
) -> axum::http::Request<axum::body::Body> {
    if let Some(v) = req.headers_mut().remove("x-request-id") {
        let text: String = String::from_utf8_lossy(v.as_bytes())
            .chars()
            .take(64)
            .collect();
        req.extensions_mut().insert(ClientRequestId(text));
    }
    req
}

/// Request ids in the form of random (version 4) UUIDs, made without a system call per
/// request (tower-http's `MakeRequestUuid` asks the OS for every id): SipHash under
/// per-thread keys the OS supplied once, which `RandomState::new` steps for every call.
/// They need to be unique and not guessable in advance, not secret.
#[derive(Debug, Clone, Copy, Default)]
pub struct FastRequestUuid;

impl MakeRequestId for FastRequestUuid {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        use std::hash::BuildHasher;
        let keys = std::collections::hash_map::RandomState::new();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&keys.hash_one(0u8).to_le_bytes());
        bytes[8..].copy_from_slice(&keys.hash_one(1u8).to_le_bytes());
        let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
        let mut text = uuid::Uuid::encode_buffer();
        HeaderValue::from_str(id.hyphenated().encode_lower(&mut text))
            .ok()
            .map(RequestId::new)
    }
}

/// The request log: one INFO line per answered request, inside the `request` span (id,
/// method, path), so a test or an operator can tell exactly which requests arrived.
fn log_response<B>(res: &axum::http::Response<B>, latency: Duration, _: &tracing::Span) {
    tracing::info!(
        status = res.status().as_u16(),
        latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
        "answered"
    );
}

/// The console's settings. A console on an origin this server does not accept gets
/// `OriginNotAllowed`, readable across origins (this answer alone carries
/// `Access-Control-Allow-Origin` for it, and says nothing about the server), so it can
/// say why instead of failing on an opaque network error; it can send nothing else.
async fn console_config(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if let Some(origin) = headers.get(axum::http::header::ORIGIN)
        && !state.origins.allows_origin(origin.to_str().unwrap_or(""))
    {
        let shown: String = origin.to_str().unwrap_or("").chars().take(100).collect();
        let mut res = error::ApiError::OriginNotAllowed(shown).into_response();
        let h = res.headers_mut();
        h.insert(
            axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
            origin.clone(),
        );
        h.append(axum::http::header::VARY, HeaderValue::from_static("origin"));
        return res;
    }
    Json(ConsoleConfig {
        mode: state.config.mode,
        demo: state.config.demo,
        auth: state.config.auth.name(),
        relay: state.config.relay.enabled,
        relay_hosts: relay_hosts(&state.config),
        version: env!("CARGO_PKG_VERSION"),
    })
    .into_response()
}

fn relay_hosts(c: &AppConfig) -> std::collections::BTreeMap<rewind_cloud::Provider, Vec<String>> {
    let mut hosts = std::collections::BTreeMap::new();
    if !c.relay.enabled {
        return hosts;
    }
    for (provider, list) in &c.relay.hosts {
        hosts
            .entry(*provider)
            .or_insert_with(Vec::new)
            .extend(list.iter().cloned());
    }
    for p in &c.profiles {
        if let Some(e) = &p.endpoint {
            let list: &mut Vec<String> = hosts.entry(p.provider).or_default();
            for region in &p.regions {
                let host = e.for_region(region).host;
                if !list.contains(&host) {
                    list.push(host);
                }
            }
        }
    }
    hosts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_distinct_version_4_uuids() {
        let ids = |n: usize| -> Vec<String> {
            let req = axum::http::Request::new(());
            (0..n)
                .filter_map(|_| FastRequestUuid.make_request_id(&req))
                .filter_map(|id| id.header_value().to_str().ok().map(str::to_string))
                .collect()
        };
        let mut all = ids(10_000);
        let other = std::thread::spawn(move || ids(10_000))
            .join()
            .unwrap_or_default();
        all.extend(other);
        assert_eq!(all.len(), 20_000);
        for id in &all {
            let parsed = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(parsed.get_version_num(), 4, "{id}");
            assert_eq!(id, &parsed.hyphenated().to_string());
        }
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 20_000, "duplicate request ids");
    }
}
