//! Signing in and out (portal mode with `auth.mode = "oidc"` or `"token"`).
//!
//! `/signin?return=/path` is where the console goes when the server answers 401
//! (nobody signed in, or the session expired: see `api`), and it offers the server's
//! way: single sign-on (`/auth/login`, the identity provider, back through
//! `/auth/callback`) or a token exchanged for the same cookie session
//! (`POST /api/v1/session/token`). Either way the browser comes back to `return`, a
//! path on this origin by the same rule the server applies
//! ([`rewind_cloud::wire::safe_return`]); anything else comes back to `/`.

use crate::api;
use crate::i18n::{Msg, use_i18n};
use crate::router::use_router;
use crate::session::{ConsoleConfig, use_session};
use crate::transport::use_transport;
use leptos::prelude::*;
use rewind_cloud::wire::safe_return;

/// Where to come back to after signing in: `return` when it is a path on this origin.
pub fn return_path(asked: Option<&str>) -> String {
    asked
        .and_then(safe_return)
        .filter(|p| !p.starts_with(crate::router::SIGN_IN_PATH))
        .unwrap_or("/")
        .to_string()
}

/// Whether the server keeps browser sessions one can sign out of.
pub fn has_sessions(auth: &str) -> bool {
    matches!(auth, "oidc" | "token")
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i = use_i18n();
    let router = use_router();
    let back = Memo::new(move |_| return_path(router.query("return").as_deref()));
    // What the banner shows is re-read: a session that just expired shows as signed out.
    if let Some(session) = use_session() {
        session.0.refetch();
    }
    let transport = use_transport();
    let config = LocalResource::new(move || async move {
        // The transport reads /config.json first and learns the server's origin.
        transport.mode().await;
        api::get_json::<ConsoleConfig>("/config.json").await
    });
    view! {
        <section class="signin" data-testid="signin" aria-labelledby="signin-title">
            <h1 id="signin-title">{i.t(Msg::SignInTitle)}</h1>
            {move || match config.get() {
                None => view! { <p class="muted">{i.t(Msg::Loading)}</p> }.into_any(),
                Some(Err(e)) => {
                    view! {
                        <p class="error" role="alert">
                            {i.t(Msg::ServerUnavailable)}
                            {i.t(Msg::Colon)}
                            {e.to_string()}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(c)) => match c.auth.as_str() {
                    "oidc" => view! { <SingleSignOn back=back /> }.into_any(),
                    "token" => view! { <TokenForm back=back /> }.into_any(),
                    "header" => {
                        view! {
                            <p>{i.t(Msg::SignInHeader)}</p>
                            <button type="button" on:click=move |_| {
                                let _ = window().location().reload();
                            }>{i.t(Msg::Reload)}</button>
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <p>{i.t(Msg::SignInNone)}</p>
                            <a href=move || back.get()>{i.t(Msg::SignInContinue)}</a>
                        }
                            .into_any()
                    }
                },
            }}
        </section>
    }
}

/// The identity provider's sign-in, through the server: a plain link, so the browser
/// leaves the console (`rel="external"` keeps the router off it).
#[component]
fn SingleSignOn(back: Memo<String>) -> impl IntoView {
    let i = use_i18n();
    let href = move || {
        api::url(&format!(
            "/auth/login?return={}",
            rewind_cloud::encoding::rfc3986(&back.get())
        ))
    };
    view! {
        <p>{i.t(Msg::SignInSsoIntro)}</p>
        <p>
            <a class="button primary" rel="external" href=href data-testid="signin-sso">
                {i.t(Msg::SignInSso)}
            </a>
        </p>
    }
}

/// A token exchanged for a cookie session; the page then loads afresh where the user was.
#[component]
fn TokenForm(back: Memo<String>) -> impl IntoView {
    let i = use_i18n();
    let token = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    // The only field: focused when the page opens.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = token.get_untracked().trim().to_string();
        if t.is_empty() {
            error.set(Some(i.now(Msg::SignInTokenMissing).to_string()));
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match sign_in_with_token(&t).await {
                Ok(()) => {
                    // A fresh load: every read starts again with the session cookie.
                    let _ = window().location().assign(&back.get_untracked());
                }
                Err(e) => {
                    busy.set(false);
                    error.set(Some(e.to_string()));
                }
            }
        });
    };
    view! {
        <form class="signin-token" data-testid="signin-token-form" on:submit=submit novalidate>
            <label for="signin-token">{i.t(Msg::SignInToken)}</label>
            <input
                id="signin-token"
                node_ref=input
                type="password"
                autocomplete="off"
                spellcheck="false"
                required
                aria-describedby="signin-token-hint"
                aria-invalid=move || error.with(|e| e.is_some().then_some("true"))
                prop:value=move || token.get()
                on:input=move |ev| token.set(event_target_value(&ev))
            />
            <p class="hint" id="signin-token-hint">{i.t(Msg::SignInTokenHint)}</p>
            <p class="error" role="alert" data-testid="signin-error">{move || error.get()}</p>
            <button type="submit" class="primary" data-testid="signin-submit" disabled=move || busy.get()>
                {move || if busy.get() { i.now(Msg::SigningIn) } else { i.now(Msg::SignIn) }}
            </button>
        </form>
    }
}

/// `POST /api/v1/session/token`: the answer's refusal (401 for a wrong token) is the
/// error shown; it does not send the browser to sign-in again.
async fn sign_in_with_token(token: &str) -> Result<(), api::RequestError> {
    let body = serde_json::json!({ "token": token });
    let response = api::post_json("/api/v1/session/token", &body, None, &api::random_hex()).await?;
    if (200..300).contains(&response.status()) {
        return Ok(());
    }
    let (status, text) = api::read_body(response).await?;
    Err(api::refusal(status, &text))
}

/// Ends the session (`POST /auth/logout`) and goes where the server says: the
/// provider's end-session page when it offers one, else this console's start.
pub async fn sign_out() -> Result<(), api::RequestError> {
    #[derive(serde::Deserialize)]
    struct Out {
        redirect: String,
    }
    let response = api::post_json(
        "/auth/logout",
        &serde_json::json!({}),
        None,
        &api::random_hex(),
    )
    .await?;
    let (status, text) = api::read_body(response).await?;
    if !(200..300).contains(&status) {
        return Err(api::refusal(status, &text));
    }
    let out: Out =
        serde_json::from_str(&text).map_err(|e| api::RequestError::Decode(e.to_string()))?;
    // The provider's page, or a path on this server (`/`): the console's start.
    let to = if out.redirect.starts_with("http://") || out.redirect.starts_with("https://") {
        out.redirect
    } else {
        "/".to_string()
    };
    let _ = window().location().assign(&to);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_origin_are_returned_to() {
        assert_eq!(
            return_path(Some("/tencent?profile=x")),
            "/tencent?profile=x"
        );
        assert_eq!(return_path(Some("//evil.test/x")), "/");
        assert_eq!(return_path(Some("https://evil.test/")), "/");
        assert_eq!(return_path(Some("/\\evil.test")), "/");
        assert_eq!(return_path(None), "/");
        // Never back to the sign-in page itself.
        assert_eq!(return_path(Some("/signin?return=/x")), "/");
    }

    #[test]
    fn sign_out_is_offered_where_there_are_sessions() {
        assert!(has_sessions("oidc") && has_sessions("token"));
        assert!(!has_sessions("none") && !has_sessions("header"));
    }
}
