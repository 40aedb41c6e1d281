//! The one place the console speaks HTTP to the `rewind` server: typed GETs and POSTs,
//! the proxy's `{ok, …}` envelope, the operations API (`/api/v1/operations`, with its
//! Server-Sent Events) and the request a relayed call is posted as.
//!
//! Nothing here knows whether the keys are the server's or the browser's: that choice
//! is `transport`'s, made once at start-up. Each page read registers an
//! `AbortController` with the reactive owner, so leaving a page cancels its loads (as in
//! Leptos' hackernews example).

use rewind_cloud::wire::CallRequest;
use rewind_cloud::wire::operations::{
    NewOperation, OpState, OperationAnswer, OperationList, OperationView,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Why a call to the server failed, in words a user can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestError {
    /// The proxy or the cloud refused the call; the body explains why.
    Refused(Box<Failure>),
    /// The server could not be reached (offline, stopped, aborted).
    Network(String),
    /// The server answered with an error status.
    Status { status: u16, message: String },
    /// The server answered something that is not the expected JSON.
    Decode(String),
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestError::Refused(x) => match &x.provider_code {
                Some(code) => write!(f, "{code}: {}", x.message),
                None => f.write_str(&x.message),
            },
            RequestError::Network(e) => write!(f, "network error: {e}"),
            RequestError::Status { status, message } => write!(f, "HTTP {status}: {message}"),
            RequestError::Decode(e) => write!(f, "unexpected response: {e}"),
        }
    }
}

impl RequestError {
    /// Rewind's code of a refusal (`PolicyDenied`, `NotCancellable`, …).
    pub fn code(&self) -> Option<&str> {
        match self {
            RequestError::Refused(f) => Some(&f.code),
            _ => None,
        }
    }
}

/// The error half of the proxy's normalized answer (the server's own type; a failure
/// found in the browser is built as [`Failure::local`]).
pub type Failure = rewind_cloud::wire::ErrorBody;

/// An explanation and remedy in both languages.
pub type FailureText = rewind_cloud::wire::ErrorText;

/// The success half of the proxy's normalized answer (the server's own type).
pub type Answer = rewind_cloud::wire::CallAnswer;

#[derive(Deserialize)]
struct Envelope {
    ok: bool,
    #[serde(default)]
    error: Option<Failure>,
    #[serde(flatten)]
    rest: Value,
}

// ====================================================================== /api/v1/call

/// `POST /api/v1/call` (portal mode): the proxy validates, checks policy, signs with
/// the profile's keys and forwards. `abort` cancels it (page reads); operations never
/// use this, they run as server operations.
pub async fn portal_call(
    profile: &str,
    region: &str,
    action: &str,
    params: Value,
    abort: Option<&web_sys::AbortSignal>,
) -> Result<Answer, RequestError> {
    let body = CallRequest {
        profile: profile.to_string(),
        region: region.to_string(),
        action: action.to_string(),
        params,
        options: Default::default(),
    };
    let response = post_json("/api/v1/call", &body, abort, &random_hex()).await?;
    let (status, text) = read_body(response).await?;
    decode_answer(status, &text)
}

/// An `AbortSignal` that fires when the reactive `owner` is cleaned up (leaving a page).
pub fn abort_on_cleanup(owner: Option<&leptos::prelude::Owner>) -> Option<web_sys::AbortSignal> {
    use send_wrapper::SendWrapper;
    let controller = SendWrapper::new(web_sys::AbortController::new().ok());
    let signal = controller.as_ref().map(|c| c.signal());
    if let Some(owner) = owner {
        owner.with(|| {
            leptos::prelude::Owner::on_cleanup(move || {
                if let Some(c) = controller.take() {
                    c.abort();
                }
            })
        });
    }
    signal
}

/// The Rewind server's origin when the console is hosted on another one (a static
/// host's `config.json` names it as `api_base`); unset, every call goes to this origin.
/// Set once, at start-up, before the first call to the server.
static API_BASE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sends every later call to the Rewind server at `base` (an origin, no path).
pub fn set_api_base(base: &str) {
    let _ = API_BASE.set(base.trim_end_matches('/').to_string());
}

/// The URL of the server's `path` (`/api/v1/…`, `/relay`, `/config.json`).
pub fn url(path: &str) -> String {
    match API_BASE.get() {
        Some(base) => format!("{base}{path}"),
        None => path.to_string(),
    }
}

/// POSTs JSON to the server as every state-changing call must: JSON content type, the
/// CSRF header `X-Rewind-Request`, the page's language for explanations, and an
/// `Idempotency-Key`, so a request the browser or a network replays is answered from
/// the first and never runs twice. Callers pass a fresh [`random_hex`] unless the key
/// is given (an operation's call carries the machine's own).
pub async fn post_json<T: serde::Serialize>(
    path: &str,
    body: &T,
    abort: Option<&web_sys::AbortSignal>,
    idempotency_key: &str,
) -> Result<gloo_net::http::Response, RequestError> {
    gloo_net::http::Request::post(&url(path))
        .header("Accept", "application/json")
        .header("X-Rewind-Request", "1")
        .header("Idempotency-Key", idempotency_key)
        .header("Accept-Language", &current_lang())
        .abort_signal(abort)
        .json(body)
        .map_err(|e| RequestError::Decode(e.to_string()))?
        .send()
        .await
        .map_err(|e| RequestError::Network(e.to_string()))
}

/// An answer's status and body text (a body cut off in transit is a network error).
pub async fn read_body(response: gloo_net::http::Response) -> Result<(u16, String), RequestError> {
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| RequestError::Network(e.to_string()))?;
    Ok((status, text))
}

/// 32 hex characters from `crypto.getRandomValues`: signature nonces (ACS3 and v1
/// refuse a reused one), idempotency keys and the ids of operations run in the tab.
pub fn random_hex() -> String {
    let bytes = js_sys::Uint8Array::new_with_length(16);
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok();
    let filled = crypto.as_ref().is_some_and(|c| {
        js_sys::Reflect::get(c, &"getRandomValues".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .is_some_and(|f| f.call1(c, &bytes).is_ok())
    });
    let mut out: Vec<u8> = bytes.to_vec();
    if !filled {
        // No Web Crypto: still unique per request, not secret.
        let seed = (js_sys::Date::now() as u64) ^ ((js_sys::Math::random() * 1e15) as u64);
        out = seed.to_be_bytes().repeat(2);
    }
    out.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the proxy's `{ok, …}` envelope.
pub fn decode_answer(status: u16, body: &str) -> Result<Answer, RequestError> {
    decode_ok(status, body)
}

/// Reads an `{ok: true, …}` answer as `T`, or the error body as [`RequestError::Refused`].
/// The server's own 401 (nobody signed in, or the session expired) also sends the
/// browser to the sign-in page, to come back afterwards.
fn decode_ok<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, RequestError> {
    let answer = read_envelope(status, body);
    if let Err(e) = &answer {
        sign_in_if_signed_out(status, e);
    }
    answer
}

/// Whether the server itself refused for want of a session (`401 Unauthorized`), as
/// opposed to a cloud refusing its keys (a provider's code such as `AuthFailure`).
pub fn is_signed_out(status: u16, e: &RequestError) -> bool {
    status == 401 && e.code() == Some("Unauthorized")
}

fn sign_in_if_signed_out(status: u16, e: &RequestError) {
    if cfg!(target_arch = "wasm32") && is_signed_out(status, e) {
        crate::router::to_sign_in();
    }
}

/// The refusal an error answer carries, read without sending anyone to sign-in (the
/// sign-in and sign-out requests themselves).
pub fn refusal(status: u16, body: &str) -> RequestError {
    match read_envelope::<Value>(status, body) {
        Err(e) => e,
        Ok(_) => RequestError::Status {
            status,
            message: error_message(body),
        },
    }
}

fn read_envelope<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, RequestError> {
    let envelope: Envelope = serde_json::from_str(body).map_err(|_| RequestError::Status {
        status,
        message: error_message(body),
    })?;
    match (envelope.ok, envelope.error) {
        (true, _) => {
            serde_json::from_value(envelope.rest).map_err(|e| RequestError::Decode(e.to_string()))
        }
        (false, Some(failure)) => Err(RequestError::Refused(Box::new(failure))),
        (false, None) => Err(RequestError::Status {
            status,
            message: error_message(body),
        }),
    }
}

/// The page's language tag (`<html lang>`), `en` when unset.
pub fn current_lang() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
        .unwrap_or_else(|| "en".into())
}

/// GETs `path` on the server and decodes its JSON body; cancelled when the current
/// reactive owner (if any) is cleaned up.
pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, RequestError> {
    let signal = abort_on_cleanup(leptos::prelude::Owner::current().as_ref());
    let response = gloo_net::http::Request::get(&url(path))
        .header("Accept", "application/json")
        .abort_signal(signal.as_ref())
        .send()
        .await
        .map_err(|e| RequestError::Network(e.to_string()))?;
    let (status, text) = read_body(response).await?;
    if !(200..300).contains(&status) {
        // Our error bodies explain themselves; anything else is a status and its text.
        return Err(match decode_ok::<Value>(status, &text) {
            Err(e @ RequestError::Refused(_)) => e,
            _ => RequestError::Status {
                status,
                message: error_message(&text),
            },
        });
    }
    serde_json::from_str(&text).map_err(|e| RequestError::Decode(e.to_string()))
}

/// The human part of an error body: `error.message` from our JSON errors, else the text.
fn error_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

// ====================================================================== operations

/// An id (or a profile or region name) as one path segment or query value.
pub use rewind_cloud::encoding::rfc3986 as path_segment;

/// The query of `GET /api/v1/operations`.
pub fn operations_query(state: Option<OpState>, before: Option<&str>, limit: u32) -> String {
    let mut q = format!("/api/v1/operations?limit={limit}");
    if let Some(s) = state {
        q.push_str(&format!("&state={}", s.as_str()));
    }
    if let Some(b) = before {
        q.push_str(&format!("&before={}", path_segment(b)));
    }
    q
}

/// `POST /api/v1/operations`: the server runs the plan (portal mode). Refusals have
/// the `/api/v1/call` error body (403 policy with its reason, 422 with field errors).
pub async fn create_operation(new: &NewOperation) -> Result<OperationView, RequestError> {
    let response = post_json("/api/v1/operations", new, None, &random_hex()).await?;
    operation_answer(response).await
}

/// `GET /api/v1/operations/{id}`.
pub async fn get_operation(id: &str) -> Result<OperationView, RequestError> {
    let answer: OperationAnswer =
        get_json(&format!("/api/v1/operations/{}", path_segment(id))).await?;
    Ok(answer.operation)
}

/// `GET /api/v1/operations?state=&limit=&before=`: newest first.
pub async fn list_operations(
    state: Option<OpState>,
    before: Option<&str>,
    limit: u32,
) -> Result<OperationList, RequestError> {
    get_json(&operations_query(state, before, limit)).await
}

/// `POST /api/v1/operations/{id}/cancel`: 409 `NotCancellable` says why not.
pub async fn cancel_operation(id: &str) -> Result<OperationView, RequestError> {
    let path = format!("/api/v1/operations/{}/cancel", path_segment(id));
    let response = post_json(&path, &serde_json::json!({}), None, &random_hex()).await?;
    operation_answer(response).await
}

async fn operation_answer(
    response: gloo_net::http::Response,
) -> Result<OperationView, RequestError> {
    /// `{ok, operation}` without `ok` (the envelope takes it).
    #[derive(Deserialize)]
    struct Body {
        operation: OperationView,
    }
    let (status, text) = read_body(response).await?;
    decode_ok::<Body>(status, &text).map(|b| b.operation)
}

/// A live stream of `event: operation` (each `data:` one [`OperationView`]), closed when
/// dropped. `on_error` is told once when the stream fails; the caller falls back to
/// polling (the browser's own reconnecting is stopped then).
///
/// The stream is held only while the page is shown: a browser opens at most six
/// connections to one server, and a stream holds one for as long as it lives, so six
/// hidden tabs (or pages kept for the Back button) would leave the seventh page unable
/// to send anything. Hidden, the stream is closed; shown again, it is opened anew and
/// `on_resync` is told, since changes may have been missed meanwhile.
pub struct OperationEvents {
    stream: Rc<Stream>,
    listeners: Vec<Listener>,
}

/// A page event listener the stream added, removed when it is dropped.
type Listener = (
    web_sys::EventTarget,
    &'static str,
    Closure<dyn FnMut(web_sys::Event)>,
);

/// The stream's source while it is open, and what it calls.
struct Stream {
    url: String,
    source: Rc<RefCell<Option<web_sys::EventSource>>>,
    failed: Rc<Cell<bool>>,
    on_event: Closure<dyn FnMut(web_sys::MessageEvent)>,
    on_resync: Closure<dyn FnMut(web_sys::Event)>,
    on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Stream {
    /// Opens the source unless it is open or has failed; false when it cannot be.
    fn open(&self) -> bool {
        if self.failed.get() || self.source.borrow().is_some() {
            return true;
        }
        let Ok(source) = web_sys::EventSource::new(&self.url) else {
            return false;
        };
        let ok = source
            .add_event_listener_with_callback("operation", self.on_event.as_ref().unchecked_ref())
            .is_ok()
            && source
                .add_event_listener_with_callback("resync", self.on_resync.as_ref().unchecked_ref())
                .is_ok();
        source.set_onerror(Some(self.on_error.as_ref().unchecked_ref()));
        *self.source.borrow_mut() = Some(source);
        ok
    }

    fn close(&self) {
        if let Some(source) = self.source.borrow_mut().take() {
            source.close();
        }
    }
}

impl Drop for OperationEvents {
    fn drop(&mut self) {
        for (target, event, listener) in &self.listeners {
            let _ = target
                .remove_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        }
        self.stream.close();
    }
}

/// Opens `GET {path}` as Server-Sent Events (`/api/v1/operations/events` or
/// `/api/v1/operations/{id}/events`). `on_resync`: the server says changes were missed
/// (`event: resync`), or the stream was opened again after the page was hidden: list
/// again.
pub fn operation_events(
    path: &str,
    mut on_view: impl FnMut(OperationView) + 'static,
    on_resync: impl FnMut() + 'static,
    on_error: impl FnOnce() + 'static,
) -> Option<OperationEvents> {
    let on_resync = Rc::new(RefCell::new(on_resync));
    let source = Rc::new(RefCell::new(None::<web_sys::EventSource>));
    let failed = Rc::new(Cell::new(false));
    let on_event =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            if let Some(text) = ev.data().as_string()
                && let Ok(view) = serde_json::from_str::<OperationView>(&text)
            {
                on_view(view);
            }
        });
    let resync = {
        let on_resync = on_resync.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_ev: web_sys::Event| {
            (on_resync.borrow_mut())()
        })
    };
    let mut on_error = Some(on_error);
    let (closer, failed2) = (source.clone(), failed.clone());
    let on_err = Closure::<dyn FnMut(web_sys::Event)>::new(move |_ev: web_sys::Event| {
        if let Some(s) = closer.borrow_mut().take() {
            s.close();
        }
        failed2.set(true);
        if let Some(f) = on_error.take() {
            f();
        }
    });
    let stream = Rc::new(Stream {
        url: url(path),
        source,
        failed,
        on_event,
        on_resync: resync,
        on_error: on_err,
    });
    let window = web_sys::window()?;
    let document = window.document()?;
    if !document.hidden() && !stream.open() {
        return None;
    }
    // Hidden: closed. Shown again: opened, and the caller lists what it missed.
    let follow = {
        let (stream, document) = (stream.clone(), document.clone());
        move |_ev: web_sys::Event| {
            if document.hidden() {
                stream.close();
            } else if stream.source.borrow().is_none() && !stream.failed.get() {
                stream.open();
                (on_resync.borrow_mut())();
            }
        }
    };
    let mut listeners = Vec::new();
    for (target, event) in [
        (web_sys::EventTarget::from(document), "visibilitychange"),
        (web_sys::EventTarget::from(window.clone()), "pageshow"),
    ] {
        let listener = Closure::<dyn FnMut(web_sys::Event)>::new(follow.clone());
        target
            .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref())
            .ok()?;
        listeners.push((target, event, listener));
    }
    let hide = {
        let stream = stream.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_ev: web_sys::Event| stream.close())
    };
    let target = web_sys::EventTarget::from(window);
    target
        .add_event_listener_with_callback("pagehide", hide.as_ref().unchecked_ref())
        .ok()?;
    listeners.push((target, "pagehide", hide));
    Some(OperationEvents { stream, listeners })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_come_from_json_bodies_or_truncated_text() {
        assert_eq!(
            error_message(
                r#"{"ok":false,"error":{"code":"NotFound","message":"no such endpoint"}}"#
            ),
            "no such endpoint"
        );
        assert_eq!(
            error_message("<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
        assert_eq!(error_message(&"x".repeat(500)).len(), 200);
    }

    #[test]
    fn answers_and_refusals_decode_from_the_envelope() {
        let ok = decode_answer(
            200,
            r#"{"ok":true,"request_id":"r-1","data":{"TotalCount":2},"warnings":[]}"#,
        )
        .unwrap();
        assert_eq!(ok.request_id.as_deref(), Some("r-1"));
        assert_eq!(ok.data["TotalCount"], 2);
        let err = decode_answer(
            400,
            r#"{"ok":false,"error":{"code":"Cloud","provider_code":"IncorrectInstanceStatus","http_status":403,
               "message":"The current status of the resource does not support this operation.",
               "explanation":"x","remedy":"Stop the instance","retryable":false,"request_id":"A-1"}}"#,
        )
        .unwrap_err();
        let RequestError::Refused(f) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(f.provider_code.as_deref(), Some("IncorrectInstanceStatus"));
        assert_eq!(f.request_id.as_deref(), Some("A-1"));
        assert!(err.to_string().starts_with("IncorrectInstanceStatus: "));
        // A gateway's HTML page is still a clear error, not a decode panic.
        let err = decode_answer(502, "<html>Bad Gateway</html>").unwrap_err();
        assert_eq!(
            err,
            RequestError::Status {
                status: 502,
                message: "<html>Bad Gateway</html>".into()
            }
        );
    }

    #[test]
    fn policy_reasons_and_field_errors_are_kept() {
        let err = decode_answer(
            403,
            r#"{"ok":false,"error":{"code":"PolicyDenied","message":"denied","reason":"no rule allows ResetDisk"}}"#,
        )
        .unwrap_err();
        let RequestError::Refused(f) = err else {
            panic!()
        };
        assert_eq!(f.reason.as_deref(), Some("no rule allows ResetDisk"));
        let err = decode_answer(
            422,
            r#"{"ok":false,"error":{"code":"InvalidParams","message":"bad","fields":[
                {"field":"params.instance_id","code":"format","message":{"en":"bad id","zh":"ID 无效"}}]}}"#,
        )
        .unwrap_err();
        let RequestError::Refused(f) = err else {
            panic!()
        };
        assert_eq!(f.fields[0].field, "params.instance_id");
        assert_eq!(f.fields[0].message.zh, "ID 无效");
    }

    #[test]
    fn only_the_servers_own_401_means_signed_out() {
        let ours = r#"{"ok":false,"error":{"code":"Unauthorized","http_status":401,"message":"no session"}}"#;
        let err = decode_answer(401, ours).unwrap_err();
        assert!(is_signed_out(401, &err));
        // A cloud refusing its keys is the cloud's error, not a lost session.
        let cloud = r#"{"ok":false,"error":{"code":"CloudError","provider_code":"AuthFailure.SignatureFailure","http_status":401,"message":"bad signature"}}"#;
        assert!(!is_signed_out(401, &decode_answer(401, cloud).unwrap_err()));
        // A policy refusal is not one either.
        let denied = r#"{"ok":false,"error":{"code":"PolicyDenied","message":"denied"}}"#;
        assert!(!is_signed_out(
            403,
            &decode_answer(403, denied).unwrap_err()
        ));
        // Nor is a 401 that is not ours (a reverse proxy's page).
        assert!(!is_signed_out(
            401,
            &decode_answer(401, "<html>401</html>").unwrap_err()
        ));
    }

    #[test]
    fn operation_urls_escape_ids_and_carry_the_filters() {
        assert_eq!(path_segment("op-1.a_b"), "op-1.a_b");
        assert_eq!(path_segment("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(
            operations_query(Some(OpState::Running), Some("op 9"), 50),
            "/api/v1/operations?limit=50&state=running&before=op%209"
        );
        assert_eq!(
            operations_query(None, None, 20),
            "/api/v1/operations?limit=20"
        );
    }
}
