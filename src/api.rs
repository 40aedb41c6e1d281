//! The one place the console speaks HTTP: typed calls to the `rewind` server.
//!
//! Each request registers an `AbortController` with the reactive owner, so leaving a page
//! cancels its loads (as in Leptos' hackernews example).

use rewind_cloud::{Provider, Text};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Why a call to the server failed, in words a user can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The proxy or the cloud refused the call; the body explains why.
    Refused(Box<Failure>),
    /// The server could not be reached (offline, stopped, aborted).
    Network(String),
    /// The server answered with an error status.
    Status { status: u16, message: String },
    /// The server answered something that is not the expected JSON.
    Decode(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Refused(x) => match &x.provider_code {
                Some(code) => write!(f, "{code}: {}", x.message),
                None => f.write_str(&x.message),
            },
            ApiError::Network(e) => write!(f, "network error: {e}"),
            ApiError::Status { status, message } => write!(f, "HTTP {status}: {message}"),
            ApiError::Decode(e) => write!(f, "unexpected response: {e}"),
        }
    }
}

/// What `/api/v1/session` says about the current user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Session {
    pub user: Option<String>,
    pub mode: String,
    pub demo: bool,
    /// The profiles this user may call anything on.
    #[serde(default)]
    pub profiles: Vec<Profile>,
}

/// A configured cloud account (never its secrets).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Profile {
    pub name: String,
    pub provider: Provider,
    pub regions: Vec<String>,
    /// The provider's names of the actions this user may call here.
    #[serde(default)]
    pub actions: Vec<String>,
}

impl Session {
    /// The profiles of one cloud.
    pub fn profiles_of(&self, provider: Provider) -> impl Iterator<Item = &Profile> {
        self.profiles.iter().filter(move |p| p.provider == provider)
    }
}

/// The error half of the proxy's normalized answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Failure {
    /// Rewind's own code (`Cloud`, `InvalidParams`, `Forbidden`, …).
    #[serde(default)]
    pub code: String,
    /// The cloud's code, when the cloud answered.
    pub provider_code: Option<String>,
    pub http_status: Option<u16>,
    #[serde(default)]
    pub message: String,
    pub explanation: Option<String>,
    pub remedy: Option<String>,
    #[serde(default)]
    pub retryable: bool,
    pub request_id: Option<String>,
    /// Both languages of the explanation, so a language switch needs no reload.
    pub i18n: Option<FailureText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FailureText {
    pub explanation: Text,
    pub remedy: Text,
}

/// The success half of the proxy's normalized answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Answer {
    pub request_id: Option<String>,
    #[serde(default)]
    pub data: Value,
}

#[derive(Deserialize)]
struct Envelope {
    ok: bool,
    #[serde(default)]
    error: Option<Failure>,
    #[serde(flatten)]
    rest: Value,
}

/// `POST /api/v1/call`: the proxy validates, checks policy, signs and forwards.
///
/// Operations use this form: a rollback the user started is never cancelled by leaving
/// the page. Page loads use [`read`], which is.
pub async fn call(
    profile: &str,
    region: &str,
    action: &str,
    params: Value,
) -> Result<Answer, ApiError> {
    call_with(profile, region, action, params, None).await
}

/// A read for the current page: cancelled (its request aborted) when the reactive owner
/// that started it is cleaned up, e.g. on navigation, as `get_json` is.
pub async fn read(
    profile: &str,
    region: &str,
    action: &str,
    params: Value,
    owner: Option<&leptos::prelude::Owner>,
) -> Result<Answer, ApiError> {
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
    call_with(profile, region, action, params, signal.as_ref()).await
}

async fn call_with(
    profile: &str,
    region: &str,
    action: &str,
    params: Value,
    abort: Option<&web_sys::AbortSignal>,
) -> Result<Answer, ApiError> {
    // Bring your own keys: in relay mode the browser signs with the tab's keys and
    // `/relay` forwards; `/api/v1/call` (server-held keys) is never used (src/byok.rs).
    if crate::byok::relay_mode() {
        return crate::byok::call_profile(profile, region, action, params).await;
    }
    let body = serde_json::json!({"profile": profile, "region": region, "action": action, "params": params});
    let response = post_json("/api/v1/call", &body, abort).await?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    decode_answer(status, &text)
}

/// POSTs JSON to the server as every state-changing call must: JSON content type, the
/// CSRF header `X-Rewind-Request`, and the page's language for explanations. Each call
/// carries an `Idempotency-Key` of its own, so a request the browser or a network
/// replays is answered from the first and never runs twice.
pub async fn post_json<T: serde::Serialize>(
    path: &str,
    body: &T,
    abort: Option<&web_sys::AbortSignal>,
) -> Result<gloo_net::http::Response, ApiError> {
    gloo_net::http::Request::post(path)
        .header("Accept", "application/json")
        .header("X-Rewind-Request", "1")
        .header("Idempotency-Key", &random_hex())
        .header("Accept-Language", &current_lang())
        .abort_signal(abort)
        .json(body)
        .map_err(|e| ApiError::Decode(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

/// 32 hex characters from `crypto.getRandomValues`: signature nonces (ACS3 and v1
/// refuse a reused one) and idempotency keys.
pub fn random_hex() -> String {
    use wasm_bindgen::JsCast;
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
pub fn decode_answer(status: u16, body: &str) -> Result<Answer, ApiError> {
    let envelope: Envelope = serde_json::from_str(body).map_err(|_| ApiError::Status {
        status,
        message: error_message(body),
    })?;
    match (envelope.ok, envelope.error) {
        (true, _) => {
            serde_json::from_value(envelope.rest).map_err(|e| ApiError::Decode(e.to_string()))
        }
        (false, Some(failure)) => Err(ApiError::Refused(Box::new(failure))),
        (false, None) => Err(ApiError::Status {
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

/// `GET /api/v1/session`.
pub async fn session() -> Result<Session, ApiError> {
    get_json("/api/v1/session").await
}

/// The session, or in relay mode (`/config.json`), one synthesized profile per provider
/// the relay serves, signed with the keys entered in this tab (src/byok.rs).
pub async fn session_or_keys() -> Result<Session, ApiError> {
    match get_json::<crate::byok::ConsoleConfig>("/config.json").await {
        Ok(config) if config.relay_mode() => crate::byok::session(config).await,
        _ => session().await,
    }
}

/// GETs `path` on the server and decodes its JSON body.
pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    use send_wrapper::SendWrapper;

    let controller = SendWrapper::new(web_sys::AbortController::new().ok());
    let signal = controller.as_ref().map(|c| c.signal());
    leptos::prelude::Owner::on_cleanup(move || {
        if let Some(c) = controller.take() {
            c.abort();
        }
    });
    let response = gloo_net::http::Request::get(path)
        .header("Accept", "application/json")
        .abort_signal(signal.as_ref())
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let status = response.status();
    if !response.ok() {
        let message = response.text().await.unwrap_or_default();
        return Err(ApiError::Status {
            status,
            message: error_message(&message),
        });
    }
    response
        .json::<T>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// The human part of an error body: `error.message` from our JSON errors, else the text.
fn error_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect())
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
        let ApiError::Refused(f) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(f.provider_code.as_deref(), Some("IncorrectInstanceStatus"));
        assert_eq!(f.request_id.as_deref(), Some("A-1"));
        assert!(err.to_string().starts_with("IncorrectInstanceStatus: "));
        // A gateway's HTML page is still a clear error, not a decode panic.
        let err = decode_answer(502, "<html>Bad Gateway</html>").unwrap_err();
        assert_eq!(
            err,
            ApiError::Status {
                status: 502,
                message: "<html>Bad Gateway</html>".into()
            }
        );
    }

    #[test]
    fn session_decodes_the_servers_shape() {
        let s: Session =
            serde_json::from_str(r#"{"user":"demo","mode":"portal","demo":true}"#).unwrap();
        assert_eq!(s.user.as_deref(), Some("demo"));
        assert!(s.demo);
    }
}
