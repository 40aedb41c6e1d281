//! One cloud's page: profile and region switcher (kept in the URL query, so every view
//! is deep-linkable) and the tabs of its inventory views.

use crate::i18n::{Msg, use_i18n};
use crate::inventory;
use crate::pages;
use crate::router::{Link, use_router};
use crate::session::{SessionCtx, cloud_name};
use crate::views::inventory::InventoryTable;
use leptos::prelude::*;
use rewind_cloud::Provider;

/// `/:provider` and `/:provider/:view`.
#[component]
pub fn CloudPage() -> impl IntoView {
    let i = use_i18n();
    let router = use_router();
    let provider = Memo::new(move |_| router.segment(0).and_then(|p| Provider::from_id(&p)));
    view! {
        {move || match provider.get() {
            Some(p) => view! { <CloudInventory provider=p /> }.into_any(),
            None => view! { <p>{i.t(Msg::NotFound)}</p> }.into_any(),
        }}
    }
}

#[component]
fn CloudInventory(provider: Provider) -> impl IntoView {
    let i = use_i18n();
    let router = use_router();
    let session = use_context::<SessionCtx>().map(|s| s.0);
    let view = Memo::new(move |_| router.segment(1));
    let spec = Memo::new(move |_| inventory::find(provider, view.read().as_deref()));
    let batch = Memo::new(move |_| {
        (view.read().as_deref() == Some("batch"))
            .then(|| crate::batch::spec(provider))
            .flatten()
    });
    let form = Memo::new(move |_| {
        view.read()
            .as_deref()
            .and_then(|v| crate::restore::find(provider, v))
    });
    // What the URL pre-fills the form with: a link to the same form with other values
    // (Undo) opens it afresh.
    let prefill = Memo::new(move |_| {
        form.get().map(|f| {
            f.fields
                .iter()
                .map(|field| router.query(field.query))
                .collect::<Vec<_>>()
        })
    });
    // Profiles of this cloud from the session; the selection lives in the URL query.
    let profiles = Memo::new(move |_| {
        session
            .and_then(|s| s.get())
            .and_then(Result::ok)
            .map(|s| s.profiles_of(provider).cloned().collect::<Vec<_>>())
            .unwrap_or_default()
    });
    let profile = Memo::new(move |_| {
        let all = profiles.get();
        let wanted = router.query("profile");
        all.iter()
            .find(|p| Some(&p.name) == wanted.as_ref())
            .or_else(|| all.first())
            .cloned()
    });
    let region = Memo::new(move |_| {
        let p = profile.get()?;
        let wanted = router.query("region");
        p.regions
            .iter()
            .find(|r| Some(*r) == wanted.as_ref())
            .or_else(|| p.regions.first())
            .cloned()
    });
    let go = move |profile: String, region: String| {
        let view = form
            .get()
            .map(|f| f.key)
            .or_else(|| batch.get().map(|_| "batch"))
            .or_else(|| spec.get().map(|s| s.key))
            .unwrap_or("");
        router.navigate(&format!(
            "/{}/{view}?profile={profile}&region={region}",
            provider.id()
        ));
    };
    let go_profile = go;
    let href = move |key: &'static str| {
        let mut h = format!("/{}/{key}", provider.id());
        if let (Some(p), Some(r)) = (profile.get(), region.get()) {
            h.push_str(&format!("?profile={}&region={r}", p.name));
        }
        h
    };
    view! {
        <section class="cloud" data-provider=provider.id()>
            <h1>{i.t(cloud_name(provider))}</h1>
            <div class="toolbar">
                <label>
                    {i.t(Msg::Profile)}
                    <select
                        data-testid="profile"
                        on:change=move |ev| {
                            let name = event_target_value(&ev);
                            let first = profiles
                                .get()
                                .into_iter()
                                .find(|p| p.name == name)
                                .and_then(|p| p.regions.first().cloned())
                                .unwrap_or_default();
                            go_profile(name, first);
                        }
                    >
                        {move || {
                            let current = profile.get().map(|p| p.name);
                            profiles
                                .get()
                                .into_iter()
                                .map(|p| {
                                    let selected = current.as_ref() == Some(&p.name);
                                    view! { <option value=p.name.clone() selected=selected>{p.name.clone()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label>
                    {i.t(Msg::Region)}
                    <select
                        data-testid="region"
                        on:change=move |ev| {
                            if let Some(p) = profile.get() {
                                go(p.name, event_target_value(&ev));
                            }
                        }
                    >
                        {move || {
                            let current = region.get();
                            profile
                                .get()
                                .map(|p| p.regions)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|r| {
                                    let selected = current.as_ref() == Some(&r);
                                    view! { <option value=r.clone() selected=selected>{r.clone()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
            </div>
            <nav class="tabs" aria-label=i.t(Msg::Views)>
                {inventory::views_of(provider)
                    .map(|v| view! { <Link href=Signal::derive(move || href(v.key))>{i.t(v.title)}</Link> })
                    .collect_view()}
                {crate::restore::FORMS
                    .iter()
                    .filter(|f| f.provider == provider)
                    .map(|f| view! { <Link href=Signal::derive(move || href(f.key)) class="tab-form">{i.t(f.title)}</Link> })
                    .collect_view()}
                {crate::batch::spec(provider)
                    .map(|_| view! { <Link href=Signal::derive(move || href("batch")) class="tab-form">{i.t(Msg::BatchTitle)}</Link> })}
            </nav>
            {move || match (form.get(), spec.get(), profile.get(), region.get()) {
                (_, _, Some(p), Some(r)) if batch.get().is_some() => match batch.get() {
                    Some(b) => pages::deferred(move || pages::batch(b, p.name.clone(), r.clone()))
                        .into_any(),
                    None => ().into_any(),
                },
                (Some(form), _, Some(p), Some(r)) => {
                    prefill.track();
                    pages::deferred(move || pages::restore(form, p.name.clone(), r.clone())).into_any()
                }
                (None, Some(spec), Some(p), Some(r)) => {
                    view! { <InventoryTable spec=spec profile=p.name region=r allowed=p.actions /> }.into_any()
                }
                _ if session.and_then(|s| s.get()).is_none() => {
                    view! { <p class="muted">{i.t(Msg::Loading)}</p> }.into_any()
                }
                _ => view! { <p class="muted" role="status">{i.t(Msg::NoProfile)}</p> }.into_any(),
            }}
        </section>
    }
}
