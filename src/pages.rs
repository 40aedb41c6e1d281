//! Pages fetched when first opened.
//!
//! The first view — the header, the landing page and an inventory list — is in the main
//! module. Each page here is a split point: built with the `split` feature
//! (`cargo xtask build` does), its code and everything only it uses go into a chunk of
//! their own (`split_<name>.wasm`), fetched the first time the page opens and kept after
//! that; code two chunks share goes into a shared chunk. Without the feature
//! (`trunk serve`, the wasm component tests) the same functions are plain `async fn`s, so
//! callers do not change.
//!
//! A chunk that cannot be fetched — the network is down, or the console was redeployed
//! and this tab's build is gone — is not the end of the tab: the page says so and offers
//! to try again (a failed load is not remembered) or to reload.

use crate::batch::BatchSpec;
use crate::i18n::{Msg, use_i18n};
use crate::restore::FormSpec;
use leptos::prelude::*;
use send_wrapper::SendWrapper;

/// A page's chunk could not be loaded.
#[derive(Debug)]
pub struct PageLoadError;

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for PageLoadError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        PageLoadError
    }
}

/// Declares `pub async fn $name(args) -> Result<AnyView, PageLoadError>` rendering
/// `$body`: a split point with the `split` feature, a plain function without.
macro_rules! split_page {
    ($name:ident($($arg:ident: $ty:ty),*) $body:block) => {
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($name, wasm_split_path = ::leptos::wasm_split, fallible)]
        pub fn $name($($arg: $ty),*) -> Result<AnyView, PageLoadError> {
            Ok(untrack(move || $body))
        }

        #[cfg(not(feature = "split"))]
        pub async fn $name($($arg: $ty),*) -> Result<AnyView, PageLoadError> {
            Ok(untrack(move || $body))
        }
    };
}

split_page!(operations() {
    view! { <crate::views::operations::OperationsPage /> }.into_any()
});

split_page!(settings() {
    view! { <crate::views::settings::SettingsPage /> }.into_any()
});

split_page!(sign_in() {
    view! { <crate::views::signin::SignInPage /> }.into_any()
});

split_page!(restore(spec: &'static FormSpec, profile: String, region: String) {
    view! { <crate::views::restore::RestorePage spec=spec profile=profile region=region /> }
        .into_any()
});

split_page!(batch(spec: BatchSpec, profile: String, region: String) {
    view! { <crate::views::batch::BatchPage spec=spec profile=profile region=region /> }
        .into_any()
});

/// A page whose code may still have to be fetched: nothing until it is there, then the
/// page; if it cannot be fetched, why, with "Try again" (which calls `page` anew) and
/// "Reload".
pub fn deferred<F, Fut>(page: F) -> impl IntoView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, PageLoadError>> + 'static,
{
    let attempt = RwSignal::new(0u32);
    move || {
        attempt.track();
        let loading = page();
        Suspend::new(SendWrapper::new(async move {
            match loading.await {
                Ok(view) => view,
                Err(PageLoadError) => view! { <NotLoaded attempt=attempt /> }.into_any(),
            }
        }))
    }
}

#[component]
fn NotLoaded(attempt: RwSignal<u32>) -> impl IntoView {
    let i = use_i18n();
    view! {
        <div class="error-panel" role="alert" data-testid="page-not-loaded">
            <p>{i.t(Msg::PageNotLoaded)}</p>
            <p class="actions">
                <button type="button" data-testid="page-try-again" on:click=move |_| attempt.update(|n| *n += 1)>
                    {i.t(Msg::TryAgain)}
                </button>
                " "
                <button type="button" on:click=move |_| {
                    let _ = window().location().reload();
                }>{i.t(Msg::Reload)}</button>
            </p>
        </div>
    }
}
