//! A small button that copies an ID or RequestId to the clipboard and says so.

use crate::i18n::{Msg, use_i18n};
use leptos::prelude::*;

#[component]
pub fn CopyButton(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let i = use_i18n();
    let copied = RwSignal::new(false);
    let label = move || format!("{} {}", i.t(Msg::Copy)(), text.get());
    let on_click = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text.get_untracked());
            copied.set(true);
            set_timeout(
                move || copied.set(false),
                std::time::Duration::from_millis(1500),
            );
        }
    };
    view! {
        <button type="button" class="copy" data-testid="copy" aria-label=label title=move || i.t(Msg::Copy)() on:click=on_click>
            {move || {
                if copied.get() {
                    view! { <span aria-hidden="true">"✓"</span> }.into_any()
                } else {
                    view! {
                        <svg aria-hidden="true" width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" stroke-width="1.5">
                            <rect x="5" y="5" width="9" height="9" rx="1.5" />
                            <path d="M11 5V3.5A1.5 1.5 0 0 0 9.5 2h-6A1.5 1.5 0 0 0 2 3.5v6A1.5 1.5 0 0 0 3.5 11H5" />
                        </svg>
                    }
                        .into_any()
                }
            }}
            <span class="sr-only" aria-live="polite">{move || copied.get().then(|| i.t(Msg::Copied)())}</span>
        </button>
    }
}
