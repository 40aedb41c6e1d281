//! A small button that copies an ID or RequestId to the clipboard and says so.

use crate::i18n::{Msg, use_i18n};
use leptos::prelude::*;

#[component]
pub fn CopyButton(text: String) -> impl IntoView {
    let i = use_i18n();
    let copied = RwSignal::new(false);
    let label = format!("{} {text}", i.now(Msg::Copy));
    let on_click = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
            copied.set(true);
            set_timeout(
                move || copied.set(false),
                std::time::Duration::from_millis(1500),
            );
        }
    };
    view! {
        <button type="button" class="copy" data-testid="copy" aria-label=label title=move || i.t(Msg::Copy)() on:click=on_click>
            {move || if copied.get() { "✓" } else { "⧉" }}
            <span class="sr-only" aria-live="polite">{move || copied.get().then(|| i.t(Msg::Copied)())}</span>
        </button>
    }
}
