//! OpenID Connect sign-in (`auth.mode = "oidc"`): the authorization code flow with PKCE
//! and a nonce, ending in a cookie session (see [`crate::sessions`]).
//!
//! - `GET /auth/login?return=/path` sends the browser to the provider.
//! - `GET /auth/callback` takes the code back, exchanges it, verifies the ID token
//!   ([`verify`]) and starts the session.
//!
//! Discovery is lazy: the server starts even when the provider cannot be reached (it
//! tries once at start and logs the outcome), and `/auth/login` tries again until it
//! works, answering 503 `IdentityProviderUnreachable` meanwhile. One unreachable
//! provider then does not keep bearer-token scripts, `/healthz` or an already signed-in
//! user from working, and the provider coming up later needs no restart.
//!
//! What is pending between login and callback (the PKCE verifier, the nonce, the return
//! path) stays on the server, keyed by the `state` parameter, for ten minutes at most
//! and used once: a replayed callback finds nothing. A cookie bound to the browser that
//! started the sign-in must come back with it, so a callback URL planted on another
//! browser (login CSRF) signs nobody in there. Server-side rather than a signed cookie:
//! nothing to encrypt or sign, no key to keep, and one-time use comes for free; the
//! cost is that a restart between login and callback makes the user start again.

pub mod verify;

use crate::AppState;
use crate::config::Oidc as Settings;
use crate::error::ApiError;
use crate::sessions::{self, Session, Via};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreJsonWebKeySet};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, JsonWebKeySet, LogoutRequest,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, Scope,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a started sign-in may take to come back.
pub const LOGIN_TTL: Duration = Duration::from_secs(10 * 60);
/// Sign-ins in progress at once; past it the oldest is dropped.
const MAX_PENDING: usize = 10_000;
/// The key set is fetched again for an unknown `kid` at most this often.
const JWKS_MIN_INTERVAL: Duration = Duration::from_secs(10);

/// What discovery found.
#[derive(Debug)]
struct Discovered {
    metadata: ProviderMetadataWithLogout,
    keys: CoreJsonWebKeySet,
    keys_fetched: Instant,
}

/// A sign-in between `/auth/login` and `/auth/callback`.
struct Pending {
    browser_sha256: [u8; 32],
    pkce_verifier: String,
    nonce: String,
    return_to: String,
    started: Instant,
}

/// The relying party: settings, HTTP client, discovered metadata and keys, and the
/// sign-ins in progress.
pub struct Provider {
    settings: Settings,
    http: reqwest::Client,
    discovered: tokio::sync::RwLock<Option<Discovered>>,
    /// One discovery or key refresh at a time.
    fetching: tokio::sync::Mutex<()>,
    pending: Mutex<HashMap<String, Pending>>,
    login_cookie: &'static str,
    secure: bool,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("oidc::Provider")
            .field("issuer", &self.settings.issuer)
            .field("client_id", &self.settings.client_id)
            .finish()
    }
}

/// A problem reaching the provider; the message names the URL and the failure, never a
/// secret.
fn unreachable(message: String) -> ApiError {
    ApiError::Upstream {
        status: StatusCode::SERVICE_UNAVAILABLE,
        code: "IdentityProviderUnreachable",
        message,
        retryable: true,
    }
}

impl Provider {
    pub fn new(settings: Settings) -> Provider {
        let secure = settings.https();
        let http = reqwest::Client::builder()
            // No redirects: a provider's answer is read where it was asked for.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Provider {
            settings,
            http,
            discovered: tokio::sync::RwLock::new(None),
            fetching: tokio::sync::Mutex::new(()),
            pending: Mutex::new(HashMap::new()),
            login_cookie: if secure {
                "__Host-rewind-login"
            } else {
                "rewind-login"
            },
            secure,
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Discovers the provider unless that is done; the error is for the login page.
    pub async fn discover(&self) -> Result<(), ApiError> {
        if self.discovered.read().await.is_some() {
            return Ok(());
        }
        let _one = self.fetching.lock().await;
        if self.discovered.read().await.is_some() {
            return Ok(());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|_| unreachable("the configured issuer is not a URL".into()))?;
        match ProviderMetadataWithLogout::discover_async(issuer, &self.http).await {
            Ok(metadata) => {
                tracing::info!(issuer = %self.settings.issuer, "OpenID provider discovered");
                let keys = metadata.jwks().clone();
                *self.discovered.write().await = Some(Discovered {
                    metadata,
                    keys,
                    keys_fetched: Instant::now(),
                });
                Ok(())
            }
            Err(e) => {
                let why = error_chain(&e);
                tracing::warn!(issuer = %self.settings.issuer, error = %why, "OpenID provider discovery failed; sign-in answers 503 until it works");
                Err(unreachable(format!(
                    "the identity provider {} cannot be reached: {why}",
                    self.settings.issuer
                )))
            }
        }
    }

    /// Fetches the key set again (an unknown `kid`: the provider rotated its keys), at
    /// most once per [`JWKS_MIN_INTERVAL`]. True when new keys were fetched.
    async fn refresh_keys(&self) -> bool {
        let _one = self.fetching.lock().await;
        let url = {
            let d = self.discovered.read().await;
            match d.as_ref() {
                Some(d) if d.keys_fetched.elapsed() >= JWKS_MIN_INTERVAL => {
                    d.metadata.jwks_uri().clone()
                }
                _ => return false,
            }
        };
        match JsonWebKeySet::fetch_async(&url, &self.http).await {
            Ok(keys) => {
                if let Some(d) = self.discovered.write().await.as_mut() {
                    d.keys = keys;
                    d.keys_fetched = Instant::now();
                }
                tracing::info!("OpenID provider keys fetched again for an unknown key id");
                true
            }
            Err(e) => {
                tracing::warn!(error = %error_chain(&e), "cannot fetch the OpenID provider's keys");
                false
            }
        }
    }

    /// Verifies an ID token with the provider's keys; an unknown `kid` fetches the key
    /// set again (rotation) and tries once more.
    pub async fn verify_id_token(
        &self,
        raw: &str,
        nonce: &Nonce,
    ) -> Result<crate::policy::Identity, verify::Refused> {
        let mut refreshed = false;
        loop {
            let keys = {
                let d = self.discovered.read().await;
                match d.as_ref() {
                    Some(d) => d.keys.clone(),
                    None => return Err(verify::Refused::UnknownKey),
                }
            };
            match verify::verify(raw, &self.settings, &keys, nonce, chrono::Utc::now()) {
                Err(verify::Refused::UnknownKey) if !refreshed && self.refresh_keys().await => {
                    refreshed = true;
                }
                other => return other,
            }
        }
    }

    fn client(&self, metadata: &ProviderMetadataWithLogout) -> Result<ClientOf, ApiError> {
        let redirect =
            RedirectUrl::new(self.settings.redirect_url.clone()).map_err(|_| ApiError::Internal)?;
        Ok(CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            self.settings
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.0.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the browser to sign out at the provider too, when it offers one.
    pub async fn end_session_url(&self) -> Option<String> {
        let d = self.discovered.read().await;
        let endpoint = d
            .as_ref()?
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let mut req = LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(self.settings.client_id.clone()));
        if let Ok(back) = PostLogoutRedirectUrl::new(format!("{}/", self.settings.public_url)) {
            req = req.set_post_logout_redirect_uri(back);
        }
        Some(req.http_get_url().to_string())
    }

    fn remember(&self, state: String, pending: Pending) {
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, p| p.started.elapsed() < LOGIN_TTL);
        if map.len() >= MAX_PENDING
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, p)| p.started)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(state, pending);
    }

    /// The pending sign-in for `state`, removed: a second callback finds nothing.
    fn take(&self, state: &str) -> Option<Pending> {
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(state)
            .filter(|p| p.started.elapsed() < LOGIN_TTL)
    }

    fn cookie(&self, value: &str, max_age: u64) -> Option<HeaderValue> {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
            self.login_cookie
        ))
        .ok()
    }
}

type ClientOf = openidconnect::Client<
    openidconnect::EmptyAdditionalClaims,
    openidconnect::core::CoreAuthDisplay,
    openidconnect::core::CoreGenderClaim,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    openidconnect::core::CoreAuthPrompt,
    openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    openidconnect::core::CoreTokenResponse,
    openidconnect::core::CoreTokenIntrospectionResponse,
    openidconnect::core::CoreRevocableToken,
    openidconnect::core::CoreRevocationErrorResponse,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// An error and its sources on one line (reqwest's top-level message alone hides why).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The page to come back to after sign-in: a path on this server (the rule the console
/// applies too).
pub use rewind_cloud::wire::safe_return;

/// 400 `BadReturnPath`, in the shape of every error answer.
fn bad_return_path() -> Response {
    let message = "return must be a path on this server, such as /instances";
    (
        StatusCode::BAD_REQUEST,
        axum::Json(serde_json::json!({"ok": false, "error": {
            "code": "BadReturnPath", "http_status": 400, "message": message, "retryable": false,
        }})),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(rename = "return")]
    return_to: Option<String>,
}

fn provider(state: &AppState) -> Result<&Provider, ApiError> {
    state
        .oidc
        .as_deref()
        .ok_or_else(|| ApiError::Disabled("OpenID Connect sign-in is not configured".into()))
}

/// `GET /auth/login?return=/path`: to the provider's sign-in page.
pub async fn login(
    State(state): State<Arc<AppState>>,
    Query(q): Query<LoginQuery>,
) -> Result<Response, ApiError> {
    let p = provider(&state)?;
    let return_to = match q.return_to.as_deref() {
        None | Some("") => "/".to_string(),
        Some(r) => match safe_return(r) {
            Some(r) => r.to_string(),
            None => return Ok(bad_return_path()),
        },
    };
    p.discover().await?;
    let browser = sessions::random_id().map_err(|_| ApiError::Internal)?;
    let (url, csrf, nonce, verifier) = {
        let d = p.discovered.read().await;
        let d = d.as_ref().ok_or(ApiError::Internal)?;
        let client = p.client(&d.metadata)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for s in p.settings.scopes.iter().filter(|s| *s != "openid") {
            req = req.add_scope(Scope::new(s.clone()));
        }
        let (url, csrf, nonce) = req.set_pkce_challenge(challenge).url();
        (url, csrf, nonce, verifier)
    };
    p.remember(
        csrf.secret().clone(),
        Pending {
            browser_sha256: Sha256::digest(browser.as_bytes()).into(),
            pkce_verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
            return_to,
            started: Instant::now(),
        },
    );
    let location = HeaderValue::from_str(url.as_str()).map_err(|_| ApiError::Internal)?;
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut().insert(header::LOCATION, location);
    if let Some(c) = p.cookie(&browser, LOGIN_TTL.as_secs()) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

/// `GET /auth/callback?code=…&state=…`: the provider sends the browser back here.
pub async fn callback(
    State(state): State<Arc<AppState>>,
    Query(q): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let p = provider(&state)?;
    let sessions = state.sessions.as_ref().ok_or(ApiError::Internal)?;
    let refuse = |why: &str| {
        tracing::warn!(reason = why, "sign-in refused");
        ApiError::Unauthorized(format!("sign-in failed: {why}; start again at /auth/login"))
    };
    if let Some(e) = &q.error {
        // The provider's error code only (its description is free text it chose).
        let code: String = e
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(64)
            .collect();
        return Err(refuse(&format!("the identity provider answered {code}")));
    }
    let (Some(st), Some(code)) = (q.state.as_deref(), q.code.as_deref()) else {
        return Err(refuse("the callback has no code or state"));
    };
    let pending = p
        .take(st)
        .ok_or_else(|| refuse("unknown, used or expired sign-in state"))?;
    let browser_ok = sessions::cookie_value(&headers, p.login_cookie)
        .map(|b| <[u8; 32]>::from(Sha256::digest(b.as_bytes())))
        .is_some_and(|h| {
            bool::from(subtle::ConstantTimeEq::ct_eq(
                &h[..],
                &pending.browser_sha256[..],
            ))
        });
    if !browser_ok {
        return Err(refuse("this browser did not start the sign-in"));
    }
    let raw = {
        let metadata = {
            let d = p.discovered.read().await;
            d.as_ref().ok_or(ApiError::Internal)?.metadata.clone()
        };
        let client = p.client(&metadata)?;
        let answer = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|_| refuse("the provider has no token endpoint"))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&p.http)
            .await
            .map_err(|e| {
                tracing::warn!(error = %error_chain(&e), "code exchange failed");
                refuse("the provider did not accept the code")
            })?;
        use openidconnect::OAuth2TokenResponse as _;
        let _ = answer.access_token();
        openidconnect::TokenResponse::id_token(&answer)
            .ok_or_else(|| refuse("the provider sent no ID token"))?
            .to_string()
    };
    let identity = p
        .verify_id_token(&raw, &Nonce::new(pending.nonce.clone()))
        .await
        .map_err(|e| refuse(&e.to_string()))?;
    tracing::info!(user = %identity.user, groups = ?identity.groups, "signed in with OpenID Connect");
    let id = sessions
        .create(
            &Session {
                identity,
                via: Via::Oidc,
            },
            sessions::now_ms(),
        )
        .map_err(|e| {
            tracing::error!(error = %e, "cannot store the session");
            ApiError::Internal
        })?;
    let mut res = StatusCode::SEE_OTHER.into_response();
    let h = res.headers_mut();
    h.insert(
        header::LOCATION,
        HeaderValue::from_str(&pending.return_to).map_err(|_| ApiError::Internal)?,
    );
    if let Some(c) = sessions.cookie.set(&id) {
        h.append(header::SET_COOKIE, c);
    }
    if let Some(c) = p.cookie("", 0) {
        h.append(header::SET_COOKIE, c);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use openidconnect::core::CoreRsaPrivateSigningKey;
    use openidconnect::{JsonWebKeyId, PrivateSigningKey};
    use verify::tests as kit;

    /// A provider whose keys rotate: a token signed with a key id the cached set does
    /// not know makes the set be fetched again (not more often than the minimum
    /// interval), and then verifies.
    #[tokio::test]
    async fn keys_are_fetched_again_for_an_unknown_key_id() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let first = kit::key(kit::KEY).as_verification_key();
        let jwks = Arc::new(Mutex::new(serde_json::json!({ "keys": [first] })));
        let doc = serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{issuer}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        });
        let served = jwks.clone();
        let app = axum::Router::new()
            .route(
                "/.well-known/openid-configuration",
                axum::routing::get(move || async move { axum::Json(doc) }),
            )
            .route(
                "/jwks",
                axum::routing::get(
                    move || async move { axum::Json(served.lock().unwrap().clone()) },
                ),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });

        let mut settings = kit::settings();
        settings.issuer = issuer.clone();
        let p = Provider::new(settings);
        p.discover().await.unwrap();
        let iss: &'static str = Box::leak(issuer.into_boxed_str());
        let nonce = Nonce::new("n-1".into());
        let raw = kit::token(kit::Claims { iss, ..kit::good() }, &kit::key(kit::KEY));
        assert_eq!(
            p.verify_id_token(&raw, &nonce).await.unwrap().user,
            "olivia"
        );

        let rotated = CoreRsaPrivateSigningKey::from_pem(
            kit::OTHER_KEY,
            Some(JsonWebKeyId::new("rotated".into())),
        )
        .unwrap();
        *jwks.lock().unwrap() = serde_json::json!({ "keys": [rotated.as_verification_key()] });
        let raw = kit::token(kit::Claims { iss, ..kit::good() }, &rotated);
        // Just fetched: not again yet.
        assert_eq!(
            p.verify_id_token(&raw, &nonce).await,
            Err(verify::Refused::UnknownKey)
        );
        if let Some(d) = p.discovered.write().await.as_mut()
            && let Some(earlier) = Instant::now().checked_sub(JWKS_MIN_INTERVAL)
        {
            d.keys_fetched = earlier;
        }
        assert_eq!(
            p.verify_id_token(&raw, &nonce).await.unwrap().user,
            "olivia"
        );
    }
}
