//! The local cloud behind `rewind serve --demo` and every end-to-end test: Tencent
//! Lighthouse, Alibaba ECS and Huawei Workspace on one listener, with real signature
//! checks, documented state machines and error codes, seeded worlds, an injected clock
//! and fault injection.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use rewind_emulator::{EmulatorConfig, World};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! rewind_emulator::serve(listener, EmulatorConfig::new(World::Demo)).await
//! # }
//! ```

pub mod accounts;
pub mod auth;
pub mod clock;
pub mod config;
pub mod ecs;
pub mod error;
pub mod faults;
pub mod lighthouse;
pub mod params;
pub mod prng;
pub mod seed;
pub mod state;
pub(crate) mod surface;
pub mod workspace;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Credentials, CredentialsError, Limits, Timings};
pub use faults::{Effect, Fault};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rewind_cloud::Provider;
use rewind_cloud::encoding::{decode_path, parse_query};
use rewind_cloud::http::HttpRequest;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use surface::Outcome;

/// A seed world the emulator can start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum World {
    /// A few dozen resources in a realistic mix of states.
    Demo,
    /// 10,000+ snapshots for performance work.
    Scale,
}

impl std::str::FromStr for World {
    type Err = String;

    fn from_str(s: &str) -> Result<World, String> {
        match s {
            "demo" => Ok(World::Demo),
            "scale" => Ok(World::Scale),
            other => Err(format!(
                "unknown world {other:?}: expected \"demo\" or \"scale\""
            )),
        }
    }
}

/// The default seed: worlds are the same run after run unless asked otherwise.
pub const DEFAULT_SEED: u64 = 0x5EED_2024;

/// Everything the emulator is started with.
#[derive(Clone)]
pub struct EmulatorConfig {
    pub world: World,
    pub seed: u64,
    pub credentials: Credentials,
    pub clock: Arc<dyn Clock>,
    pub timings: Timings,
    pub limits: Limits,
    /// Enables the loopback-only `/__emulator/faults` admin endpoint.
    pub faults_enabled: bool,
}

impl EmulatorConfig {
    /// A world with the documented demo keys, the system clock, default timings and no faults.
    pub fn new(world: World) -> EmulatorConfig {
        EmulatorConfig {
            world,
            seed: DEFAULT_SEED,
            credentials: Credentials::demo(),
            clock: Arc::new(SystemClock),
            timings: Timings::default(),
            limits: Limits::default(),
            faults_enabled: false,
        }
    }
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("world", &self.world)
            .field("seed", &self.seed)
            .field("credentials", &self.credentials)
            .field("timings", &self.timings)
            .field("limits", &self.limits)
            .field("faults_enabled", &self.faults_enabled)
            .finish()
    }
}

/// Shared state behind the router.
pub(crate) struct Inner {
    pub cfg: EmulatorConfig,
    pub clock: Arc<dyn Clock>,
    state: Mutex<accounts::State>,
    nonces: Mutex<auth::Nonces>,
    rng: Mutex<prng::SplitMix64>,
    faults: Mutex<faults::Faults>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not take the emulator down with it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    pub fn lock_state(&self) -> MutexGuard<'_, accounts::State> {
        lock(&self.state)
    }
    pub fn lock_nonces(&self) -> MutexGuard<'_, auth::Nonces> {
        lock(&self.nonces)
    }
    pub fn lock_rng(&self) -> MutexGuard<'_, prng::SplitMix64> {
        lock(&self.rng)
    }
}

/// A running emulator: cheap to clone, shared by the router and tests.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

impl Emulator {
    pub fn new(cfg: EmulatorConfig) -> Emulator {
        let clock = cfg.clock.clone();
        let state = accounts::State::new(cfg.world, cfg.seed, clock.now_ms());
        let inner = Inner {
            clock,
            state: Mutex::new(state),
            nonces: Mutex::new(auth::Nonces::default()),
            rng: Mutex::new(prng::SplitMix64::new(cfg.seed ^ 0x8E0_0001)),
            faults: Mutex::new(faults::Faults::new(cfg.seed)),
            cfg,
        };
        Emulator {
            inner: Arc::new(inner),
        }
    }

    pub fn config(&self) -> &EmulatorConfig {
        &self.inner.cfg
    }

    /// Adds a fault rule (also possible over HTTP when enabled); returns its id.
    pub fn add_fault(&self, fault: Fault) -> Result<u64, String> {
        lock(&self.inner.faults).add(fault)
    }

    pub fn clear_faults(&self) {
        lock(&self.inner.faults).clear();
    }

    /// Direct access to the accounts, for tests and tools.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut accounts::State) -> R) -> R {
        f(&mut self.inner.lock_state())
    }
}

/// Marks a response whose connection must be dropped instead of answered.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// The whole service: the three API surfaces and `/__emulator/…`.
pub fn app(emu: Emulator) -> Router {
    Router::new().fallback(handle).with_state(emu)
}

/// Serves `cfg` on `listener` forever (accept errors are logged and retried).
pub async fn serve(listener: tokio::net::TcpListener, cfg: EmulatorConfig) -> std::io::Result<()> {
    serve_with_shutdown(listener, Emulator::new(cfg), std::future::pending()).await
}

/// Serves `emu` until `shutdown` completes. Connections whose fault says "drop" are
/// closed without an answer.
pub async fn serve_with_shutdown(
    listener: tokio::net::TcpListener,
    emu: Emulator,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    use tower::ServiceExt;
    let router = app(emu);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => return Ok(()),
        };
        let (stream, peer) = match accepted {
            Ok(conn) => conn,
            // A client that gave up before being accepted is not the server's problem.
            Err(e) if is_connection_error(&e) => continue,
            // Out of file descriptors and the like: back off briefly, as axum::serve does.
            Err(e) => {
                tracing::warn!(error = %e, "emulator: accept failed; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let router = router.clone();
        tokio::spawn(async move {
            let service = service_fn(move |mut req: Request<hyper::body::Incoming>| {
                let router = router.clone();
                req.extensions_mut().insert(ConnectInfo(peer));
                async move {
                    let resp = router
                        .oneshot(req.map(Body::new))
                        .await
                        .unwrap_or_else(|e| match e {});
                    if resp.extensions().get::<DropConnection>().is_some() {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::ConnectionAborted,
                            "fault: drop",
                        ));
                    }
                    Ok::<_, std::io::Error>(resp)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

fn json_response(status: u16, body: &Value, headers: &[(&'static str, String)]) -> Response {
    let mut resp = Response::new(Body::from(serde_json::to_vec(body).unwrap_or_default()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (k, v) in headers {
        if let Ok(v) = HeaderValue::from_str(v) {
            resp.headers_mut().insert(*k, v);
        }
    }
    resp
}

/// A 200 whose body fails at once: even under plain `axum::serve` the client sees a
/// broken connection rather than an answer.
fn dropped() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault: drop",
        ))
    });
    let mut resp = Response::new(Body::from_stream(stream));
    resp.extensions_mut().insert(DropConnection);
    resp
}

async fn to_http_request(
    req: Request<Body>,
) -> Result<(HttpRequest, Option<SocketAddr>), Response> {
    let (parts, body) = req.into_parts();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let bytes = axum::body::to_bytes(body, 4 * 1024 * 1024)
        .await
        .map_err(|_| {
            json_response(
                413,
                &json!({"error": "request body too large or unreadable"}),
                &[],
            )
        })?;
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let headers = parts
        .headers
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_string(), v.to_string()))
        })
        .collect();
    Ok((
        HttpRequest {
            method: parts.method.as_str().to_string(),
            scheme: "http".into(),
            host,
            path: decode_path(parts.uri.path()),
            query: parse_query(parts.uri.query().unwrap_or("")),
            headers,
            body: bytes.to_vec(),
        },
        peer,
    ))
}

async fn handle(
    axum::extract::State(emu): axum::extract::State<Emulator>,
    req: Request<Body>,
) -> Response {
    let started = std::time::Instant::now();
    let (req, peer) = match to_http_request(req).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    if let Some(rest) = req.path.strip_prefix("/__emulator/") {
        return admin(&emu, rest, &req, peer);
    }
    let inner = &emu.inner;
    let Some(provider) = surface::classify(&req) else {
        tracing::info!(method = %req.method, path = %req.path, status = 404, "emulator: request matches no API surface");
        return json_response(
            404,
            &json!({"error": "not a Lighthouse (X-TC-Action), ECS (Action) or Workspace (/v2/{project_id}/…) request"}),
            &[],
        );
    };
    let request_id = surface::request_id(provider, &mut inner.lock_rng());
    let action = surface::action_name(provider, &req);
    let decision = lock(&inner.faults).decide(provider, &action);
    if decision.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(decision.latency_ms)).await;
    }
    let outcome: Outcome = match &decision.effect {
        Some(Effect::Drop) => {
            let out = Outcome::new(0, Value::Null, Vec::new(), Some("fault:drop".into()));
            log(provider, &action, &request_id, &out, started);
            return dropped();
        }
        Some(effect) => match surface::fault_error(provider, effect) {
            Some(e) => surface::error(provider, &e, &request_id, &req),
            None => surface::handle(provider, inner, &req, &request_id),
        },
        None => surface::handle(provider, inner, &req, &request_id),
    };
    log(provider, &action, &request_id, &outcome, started);
    json_response(outcome.status, &outcome.body, &outcome.headers)
}

/// One structured line per request: never a secret, a signature or an Authorization header.
/// The access key id is an identifier, not a secret (the clouds' own audit logs show it).
fn log(
    provider: Provider,
    action: &str,
    request_id: &str,
    out: &Outcome,
    started: std::time::Instant,
) {
    tracing::info!(
        provider = %provider,
        action,
        request_id,
        access_key_id = out.key.as_deref().unwrap_or(""),
        region = out.region.as_deref().unwrap_or(""),
        status = out.status,
        code = out.code.as_deref().unwrap_or(""),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "emulator request"
    );
}

fn admin(emu: &Emulator, rest: &str, req: &HttpRequest, peer: Option<SocketAddr>) -> Response {
    let inner = &emu.inner;
    if rest == "health" {
        return json_response(
            200,
            &json!({"status": "ok", "world": format!("{:?}", inner.cfg.world).to_lowercase(), "seed": inner.cfg.seed, "faults_enabled": inner.cfg.faults_enabled}),
            &[],
        );
    }
    if rest != "faults" || !inner.cfg.faults_enabled {
        return json_response(
            404,
            &json!({"error": "no such admin endpoint (fault injection is off unless enabled)"}),
            &[],
        );
    }
    if !peer.is_some_and(|p| p.ip().is_loopback()) {
        return json_response(
            403,
            &json!({"error": "the fault admin endpoint answers loopback callers only"}),
            &[],
        );
    }
    let mut faults = lock(&inner.faults);
    match req.method.as_str() {
        "GET" => json_response(200, &json!({"faults": faults.list()}), &[]),
        "DELETE" => {
            faults.clear();
            json_response(200, &json!({"faults": []}), &[])
        }
        "POST" => match serde_json::from_slice::<Fault>(&req.body) {
            Ok(f) => match faults.add(f) {
                Ok(id) => json_response(201, &json!({"id": id}), &[]),
                Err(e) => json_response(400, &json!({"error": e}), &[]),
            },
            Err(e) => json_response(400, &json!({"error": format!("not a fault: {e}")}), &[]),
        },
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worlds_parse_by_name_and_reject_others_clearly() {
        assert_eq!("demo".parse::<World>(), Ok(World::Demo));
        assert_eq!("scale".parse::<World>(), Ok(World::Scale));
        let err = "prod".parse::<World>().unwrap_err();
        assert!(err.contains("prod") && err.contains("demo"), "{err}");
    }
}
