//! A refused call as the user reads it: the provider's code, the cloud's own message,
//! the catalog's explanation and remedy in the current language, and the RequestId.

use crate::api::RequestError;
use crate::i18n::{Msg, use_i18n};
use crate::views::copy::CopyButton;
use leptos::prelude::*;

/// A refused call: the provider's code, the catalog's explanation and remedy in the
/// current language, and the RequestId.
#[component]
pub fn ErrorPanel(error: RequestError) -> impl IntoView {
    let i = use_i18n();
    // A policy's reason and the fields at fault (403 PolicyDenied, 422 InvalidParams).
    let (reason, fields) = match &error {
        RequestError::Refused(f) => (f.reason.clone(), f.fields.clone()),
        _ => (None, Vec::new()),
    };
    let (code, explanation, remedy, request_id, message) = match &error {
        RequestError::Refused(f) => {
            let lang = i.lang;
            let i18n = f.i18n.clone();
            let fallback = (f.explanation.clone(), f.remedy.clone());
            let explanation = {
                let (i18n, fb) = (i18n.clone(), fallback.0.clone());
                Signal::derive(move || {
                    i18n.as_ref()
                        .map(|t| t.explanation.get(lang.get()).to_string())
                        .or_else(|| fb.clone())
                })
            };
            let remedy = Signal::derive(move || {
                i18n.as_ref()
                    .map(|t| t.remedy.get(lang.get()).to_string())
                    .or_else(|| fallback.1.clone())
            });
            (
                f.provider_code.clone().unwrap_or_else(|| f.code.clone()),
                explanation,
                remedy,
                f.request_id.clone(),
                f.message.clone(),
            )
        }
        other => (
            String::new(),
            Signal::derive(|| None),
            Signal::derive(|| None),
            None,
            other.to_string(),
        ),
    };
    view! {
        <div class="error-panel" role="alert" data-testid="error">
            <p>
                <Show when={
                    let code = code.clone();
                    move || !code.is_empty()
                }>
                    <strong>{i.t(Msg::ErrorCode)} {i.t(Msg::Colon)} <code data-testid="error-code">{code.clone()}</code></strong>
                    " "
                </Show>
                <crate::views::prose::Prose text=message />
            </p>
            {reason.map(|r| view! { <p data-testid="error-reason">{r}</p> })}
            {(!fields.is_empty()).then(|| view! {
                <ul class="field-errors" data-testid="error-fields">
                    {fields.into_iter().map(|f| view! {
                        <li><code>{f.field}</code> {i.t(Msg::Colon)} {i.text(f.message)}</li>
                    }).collect_view()}
                </ul>
            })}
            {move || explanation.get().map(|e| view! { <p>{e}</p> })}
            {move || {
                remedy.get().map(|r| view! { <p><strong>{i.t(Msg::Remedy)} {i.t(Msg::Colon)}</strong> {r}</p> })
            }}
            {request_id.map(|id| {
                view! {
                    <p class="muted">
                        {i.t(Msg::RequestId)} {i.t(Msg::Colon)} <code data-testid="request-id">{id.clone()}</code>
                        <CopyButton text=id />
                    </p>
                }
            })}
        </div>
    }
}
