//! The shell: header with the three clouds, language switch, session banner and routes.

use crate::i18n::{self, I18n, Lang, Msg, use_i18n};
use crate::pages;
use crate::router::{Link, provide_router, use_router};
use crate::session::{SessionCtx, cloud_name};
use crate::views::cloud::CloudPage;
use leptos::prelude::*;
use rewind_cloud::Provider;

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(i18n::initial_lang());
    provide_context(I18n { lang });
    // Portal or relay, decided once from /config.json; every call goes through it.
    let transport = crate::transport::provide();
    // The session, loaded once: the server's, or relay mode's one profile per cloud.
    provide_context(SessionCtx(LocalResource::new(move || transport.session())));
    // Operations outlive the page that started them.
    provide_context(crate::ops::Ops::new(transport));
    // Persistence and <html lang> follow the signal in one place.
    Effect::new(move |_| {
        let l = lang.get();
        i18n::store_lang(l);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", i18n::html_lang(l));
        }
    });
    provide_router();
    view! { <Shell /> }
}

/// The pages, by the URL's path (README "Console routes").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
    Operations,
    Settings,
    /// `/signin?return=/path`: where a 401 leads.
    SignIn,
    /// `/:provider` and `/:provider/:view`: the page reads both segments itself.
    Cloud,
    NotFound,
}

impl Page {
    pub fn of(segments: &[String]) -> Page {
        match segments {
            [] => Page::Home,
            [s] if s == "operations" => Page::Operations,
            [s] if s == "settings" => Page::Settings,
            [s] if s == "signin" => Page::SignIn,
            [_] | [_, _] => Page::Cloud,
            _ => Page::NotFound,
        }
    }
}

/// Header, navigation and page area; separate from `App` so tests can mount it in a router.
#[component]
pub fn Shell() -> impl IntoView {
    let i = use_i18n();
    let router = use_router();
    // Only a change of page replaces the page; `/alibaba/disks` → `/alibaba/snapshots`
    // keeps the cloud page and its profile and region.
    let page = Memo::new(move |_| Page::of(&router.segments()));
    // In relay mode the keys are entered in this tab: link the Keys page.
    let transport = crate::transport::use_transport();
    let relay_mode = move || transport.is_relay();
    view! {
        <a class="skip-link" href="#main">{i.t(Msg::SkipToContent)}</a>
        <header class="topbar">
            <Link href="/" class="brand">
                <span class="brand-mark" aria-hidden="true">"⟲"</span>
                " Rewind"
            </Link>
            <nav class="clouds" aria-label=i.t(Msg::MainNav)>
                <Link href="/tencent">{i.t(Msg::Tencent)}</Link>
                <Link href="/alibaba">{i.t(Msg::Alibaba)}</Link>
                <Link href="/huawei">{i.t(Msg::Huawei)}</Link>
            </nav>
            <Show when=relay_mode>
                <Link href="/settings" class="keys-link" testid="keys-link">{i.t(Msg::RelayNav)}</Link>
            </Show>
            <crate::views::operations::OpsIndicator />
            <LanguageSwitch />
        </header>
        <main id="main" tabindex="-1">
            <SessionBanner />
            {move || match page.get() {
                Page::Home => view! { <Home /> }.into_any(),
                Page::Operations => pages::deferred(pages::operations).into_any(),
                Page::Settings => pages::deferred(pages::settings).into_any(),
                Page::SignIn => pages::deferred(pages::sign_in).into_any(),
                Page::Cloud => view! { <CloudPage /> }.into_any(),
                Page::NotFound => view! { <NotFound /> }.into_any(),
            }}
        </main>
    }
}

/// English / 中文, as a pair of toggle buttons.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i = use_i18n();
    let button = move |lang: Lang, label: &'static str, hreflang: &'static str| {
        view! {
            <button
                type="button"
                class="lang"
                lang=hreflang
                aria-pressed=move || (i.lang.get() == lang).to_string()
                on:click=move |_| i.lang.set(lang)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="lang-switch" role="group" aria-label=i.t(Msg::Language)>
            {button(Lang::En, "English", "en")}
            {button(Lang::Zh, "中文", "zh-CN")}
        </div>
    }
}

/// Who is signed in, and whether this is the demo; shows when the server is unreachable.
#[component]
fn SessionBanner() -> impl IntoView {
    let i = use_i18n();
    let Some(SessionCtx(session)) = use_context::<SessionCtx>() else {
        return ().into_any();
    };
    view! {
        <Suspense fallback=move || view! { <p class="banner muted">{i.t(Msg::Loading)}</p> }>
            {move || {
                session
                    .get()
                    .map(|result| match result {
                        Ok(s) => {
                            let sessions = crate::views::signin::has_sessions(&s.auth);
                            let relay = s.is_relay();
                            let signed_in = !relay && !matches!(s.auth.as_str(), "none" | "");
                            let user = s.user.clone().unwrap_or_else(|| "—".into());
                            view! {
                                <p class="banner" class:demo=s.demo data-testid="session">
                                    <Show when=move || s.demo>{i.t(Msg::DemoMode)} " "</Show>
                                    <Show when=move || relay>
                                        <span data-testid="relay-mode">{i.t(Msg::RelayModeBanner)}</span> " "
                                    </Show>
                                    // Without sign-in (`none`) nobody is signed in: the
                                    // server's placeholder user is not named.
                                    <Show when=move || signed_in>
                                        {i.t(Msg::SignedInAs)}
                                        {i.t(Msg::Colon)}
                                        <strong data-testid="session-user">{user.clone()}</strong>
                                    </Show>
                                    <Show when=move || sessions>
                                        " "
                                        <SignOut />
                                    </Show>
                                </p>
                            }
                                .into_any()
                        }
                        Err(crate::api::RequestError::Refused(why)) if why.code == "Unauthorized" => {
                            let router = crate::router::use_router();
                            let elsewhere = move || router.segment(0).as_deref() != Some("signin");
                            // Tracks the route, so the link comes back to the page in view.
                            let href = move || {
                                router.segments();
                                crate::router::sign_in_href(&crate::router::here())
                            };
                            view! {
                                <p class="banner" data-testid="signed-out">
                                    {i.t(Msg::NotSignedIn)}
                                    <Show when=elsewhere>
                                        " "
                                        <a href=href>{i.t(Msg::SignIn)}</a>
                                    </Show>
                                </p>
                            }
                                .into_any()
                        }
                        Err(crate::api::RequestError::Refused(why)) if why.code == "OriginNotAllowed" => {
                            let origin = window().location().origin().unwrap_or_default();
                            view! {
                                <p class="banner error" role="alert" data-testid="origin-refused">
                                    {i.t(Msg::OriginRefused)}
                                    <code>{origin}</code>
                                    {i.t(Msg::OriginRefusedRemedy)}
                                </p>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! {
                                <p class="banner error" role="alert">
                                    {i.t(Msg::ServerUnavailable)}
                                    {i.t(Msg::Colon)}
                                    {e.to_string()}
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
    .into_any()
}

/// Ends the session; on failure says why and stays.
#[component]
fn SignOut() -> impl IntoView {
    let i = use_i18n();
    let failed = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let go = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            if let Err(e) = crate::views::signin::sign_out().await {
                busy.set(false);
                failed.set(Some(format!(
                    "{}{}{e}",
                    i.now(Msg::SignOutFailed),
                    i.now(Msg::Colon)
                )));
            }
        });
    };
    view! {
        <button type="button" class="link" data-testid="sign-out" disabled=move || busy.get() on:click=go>
            {i.t(Msg::SignOut)}
        </button>
        <span class="error" role="alert">{move || failed.get()}</span>
    }
}

#[component]
fn Home() -> impl IntoView {
    let i = use_i18n();
    view! {
        <section class="home">
            <h1>"Rewind"</h1>
            <p class="tagline">{i.t(Msg::Tagline)}</p>
            <p>{i.t(Msg::HomeIntro)}</p>
            <ul class="cloud-cards">
                {Provider::ALL
                    .into_iter()
                    .map(|p| {
                        view! {
                            <li>
                                <Link href=format!("/{}", p.id())>
                                    <h2>{i.t(cloud_name(p))}</h2>
                                    <p>{i.t(cloud_blurb(p))}</p>
                                </Link>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i = use_i18n();
    view! {
        <section>
            <h1>"404"</h1>
            <p>{i.t(Msg::NotFound)}</p>
        </section>
    }
}

fn cloud_blurb(p: Provider) -> Msg {
    match p {
        Provider::Tencent => Msg::TencentBlurb,
        Provider::Alibaba => Msg::AlibabaBlurb,
        Provider::Huawei => Msg::HuaweiBlurb,
    }
}

#[cfg(test)]
mod tests {
    use super::Page;

    fn page(path: &str) -> Page {
        Page::of(&crate::router::Location::parse(path).segments())
    }

    #[test]
    fn every_documented_route_has_its_page() {
        assert_eq!(page("/"), Page::Home);
        assert_eq!(page("/operations"), Page::Operations);
        assert_eq!(page("/settings?x=1"), Page::Settings);
        assert_eq!(page("/signin?return=%2Ftencent"), Page::SignIn);
        assert_eq!(page("/alibaba"), Page::Cloud);
        assert_eq!(page("/alibaba/reset-disk?profile=p&region=r"), Page::Cloud);
        assert_eq!(page("/tencent/batch"), Page::Cloud);
        assert_eq!(page("/a/b/c"), Page::NotFound);
    }
}
