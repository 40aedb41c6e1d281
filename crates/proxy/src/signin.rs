//! Sign-in with a token and sign-out, for the console: `POST /api/v1/session/token`
//! exchanges a configured bearer token for a cookie session (token mode), and
//! `POST /auth/logout` (also `/api/v1/session/logout`) ends the session in every mode.
//! Both are state-changing requests under the CSRF rules, and [`csrf_gate`] takes the
//! session cookie off any state-changing request that breaks them. (The sessions
//! themselves, stored hashed, are in [`crate::sessions`].)

use crate::AppState;
use crate::auth::{check_csrf, find_token};
use crate::config::Auth;
use crate::error::ApiError;
use crate::sessions::{Session, Via, strip_cookie};
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenSignIn {
    token: String,
}

/// `POST /api/v1/session/token` `{token}` → `{ok, user, groups}` and the session cookie.
pub async fn token_sign_in(
    State(state): State<Arc<AppState>>,
    req: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    check_csrf(&parts.headers, &state.origins)?;
    let (Auth::Token { tokens }, Some(sessions)) = (&state.config.auth, &state.sessions) else {
        return Err(ApiError::Disabled(
            "token sign-in is only available with auth.mode = \"token\"".into(),
        ));
    };
    // Guessing tokens from one address is slowed like any user's calls.
    let who_asks = crate::api::peer(&parts.extensions)
        .map(|p| format!("token-sign-in:{}", p.ip()))
        .unwrap_or_else(|| "token-sign-in".into());
    if !state.limiters.allow_user(&who_asks) {
        return Err(ApiError::RateLimited);
    }
    let bytes = axum::body::to_bytes(body, 4096)
        .await
        .map_err(|_| ApiError::PayloadTooLarge(4096))?;
    let asked: TokenSignIn =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::BadJson(e.to_string()))?;
    let Some(entry) = find_token(tokens, asked.token.trim()) else {
        tracing::warn!("token sign-in refused: unknown token");
        return Err(ApiError::Unauthorized("the token is not valid".into()));
    };
    let session = Session {
        identity: crate::policy::Identity {
            user: entry.user.clone(),
            groups: entry.groups.clone(),
        },
        via: Via::Token {
            sha256: entry.sha256,
        },
    };
    let id = sessions
        .create(&session, crate::sessions::now_ms())
        .map_err(|e| {
            tracing::error!(error = %e, "cannot store the session");
            ApiError::Internal
        })?;
    tracing::info!(user = %entry.user, "signed in with a token");
    let mut res = Json(json!({
        "ok": true,
        "user": entry.user,
        "groups": entry.groups,
    }))
    .into_response();
    if let Some(c) = sessions.cookie.set(&id) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

/// `POST /auth/logout` → `{ok, redirect}`: the session is deleted and its cookie
/// cleared; `redirect` is the provider's end-session URL when it offers one (the
/// console navigates there to sign out at the provider too), else `/`. JSON rather than
/// a 303: the console calls it with `fetch` (the CSRF rules need its header), and a
/// `fetch` cannot follow a redirect to another origin.
pub async fn logout(
    State(state): State<Arc<AppState>>,
    req: Request,
) -> Result<Response, ApiError> {
    check_csrf(req.headers(), &state.origins)?;
    let Some(sessions) = &state.sessions else {
        return Err(ApiError::Disabled(
            "there are no sessions to sign out of with this auth mode".into(),
        ));
    };
    if let Some(id) = sessions.cookie.read(req.headers())
        && let Err(e) = sessions.delete(id)
    {
        tracing::error!(error = %e, "cannot delete the session");
        return Err(ApiError::Internal);
    }
    let redirect = match &state.oidc {
        Some(p) => p.end_session_url().await,
        None => None,
    }
    .unwrap_or_else(|| "/".into());
    let mut res = Json(json!({"ok": true, "redirect": redirect})).into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, sessions.cookie.clear());
    Ok(res)
}

/// Safe methods read; everything else changes state and must pass the CSRF rules.
fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Removes the session cookie from a state-changing request that fails
/// [`check_csrf`](crate::auth::check_csrf), so no handler can take it as sign-in, whatever
/// order it runs its own checks in. (Handlers answer such a request 403/415 anyway.)
pub async fn csrf_gate(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(store) = &state.sessions
        && changes_state(req.method())
        && store.cookie.read(req.headers()).is_some()
        && check_csrf(req.headers(), &state.origins).is_err()
    {
        strip_cookie(req.headers_mut(), store.cookie.name);
    }
    next.run(req).await
}
