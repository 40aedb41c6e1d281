//! `/settings`: the keys of relay mode, one form per cloud, and "Show
//! signed request", which signs a request exactly as the console would without sending
//! it. A saved secret is never shown again (only "•••• set" and the ID's last four
//! characters); a shown request has its signature but never the secret, and its STS
//! token masked. Keys are checked with one read-only call before they are saved
//! ([`crate::relay::check`]): keys the cloud refuses are not saved.

use crate::api::RequestError;
use crate::i18n::{Msg, use_i18n};
use crate::relay::check::{self, Unchecked, Verdict};
use crate::relay::show::{self, Shown};
use crate::relay::{AlibabaSignature, Keys, ProviderKeys, Sent, send};
use crate::session::{Profile, SessionCtx, cloud_name};
use crate::transport::{Mode, page_lang, use_transport};
use crate::views::error::ErrorPanel;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rewind_cloud::{Action, Provider};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i = use_i18n();
    let session = use_context::<SessionCtx>().map(|s| s.0);
    let keys = Some(use_transport().keys);
    view! {
        <section class="settings" data-testid="settings">
            <h1>{i.t(Msg::RelayTitle)}</h1>
            {move || {
                let loaded = session.and_then(|s| s.get());
                match (loaded, keys) {
                    (None, _) => view! { <p class="muted">{i.t(Msg::Loading)}</p> }.into_any(),
                    (Some(Ok(s)), Some(keys)) if s.is_relay() => {
                        view! { <KeysSettings profiles=s.profiles keys=keys /> }.into_any()
                    }
                    _ => view! { <p class="muted" role="status">{i.t(Msg::RelayOff)}</p> }.into_any(),
                }
            }}
        </section>
    }
}

#[component]
fn KeysSettings(profiles: Vec<Profile>, keys: RwSignal<Keys>) -> impl IntoView {
    let i = use_i18n();
    let forms = profiles
        .iter()
        .map(|p| view! { <CloudKeys provider=p.provider regions=p.regions.clone() keys=keys /> })
        .collect_view();
    view! {
        <p>{i.t(Msg::RelayIntro)}</p>
        {forms}
        <div class="keys-tab">
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="remember"
                    prop:checked=move || keys.with(|k| k.remember)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        keys.update(|k| k.remember = on);
                    }
                />
                {i.t(Msg::RelayRemember)}
            </label>
            <p class="hint muted">{i.t(Msg::RelayRememberHint)}</p>
            <button type="button" class="danger" data-testid="forget" on:click=move |_| keys.set(Keys::default())>
                {i.t(Msg::RelayForget)}
            </button>
        </div>
        <SignedRequest profiles=profiles />
    }
}

/// Where a save of one cloud's keys stands. Typed keys are checked by one read-only call
/// before they replace the saved ones ([`check`]).
#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Idle,
    /// The check call is out: the button is busy.
    Checking,
    /// Saved after the cloud answered the check.
    Checked {
        request_id: Option<String>,
    },
    /// Saved without a check (`None`: incomplete keys, saved as typed).
    Saved(Option<Msg>),
    /// Not saved: the cloud refused the keys (or none of its requests can be signed).
    Refused {
        error: RequestError,
        by_cloud: bool,
    },
    /// Not saved yet: no verdict; "Save without checking" saves the held keys.
    Unsure(RequestError),
}

/// One cloud's keys. The inputs start empty and are cleared on save: a saved secret or
/// token is never put back into the page. Saving checks the keys first with one cheap,
/// read-only call through the relay; keys the cloud refuses are not saved.
#[component]
fn CloudKeys(provider: Provider, regions: Vec<String>, keys: RwSignal<Keys>) -> impl IntoView {
    let i = use_i18n();
    let transport = use_transport();
    let pid = provider.id();
    let id = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let stored = keys.with_untracked(|k| k.clouds.get(&provider).cloned().unwrap_or_default());
    let signature = RwSignal::new(stored.signature);
    let projects: Vec<(String, RwSignal<String>)> = regions
        .iter()
        .map(|r| {
            let v = stored.project_ids.get(r).cloned().unwrap_or_default();
            (r.clone(), RwSignal::new(v))
        })
        .collect();
    let state = RwSignal::new(SaveState::Idle);
    // Keys that got no verdict, held (never in the page) for "Save without checking".
    let held = StoredValue::new(None::<ProviderKeys>);
    let checking = move || state.with(|s| matches!(s, SaveState::Checking));
    let status = move || {
        keys.with(|k| {
            k.of(provider).map(|pk| {
                (
                    pk.id_hint(),
                    pk.token.as_deref().is_some_and(|t| !t.is_empty()),
                )
            })
        })
    };
    // Stores `candidate` as this cloud's keys, unless they changed while it was checked
    // ("Forget keys"): then nothing is saved.
    let store = move |before: &Option<ProviderKeys>, candidate: ProviderKeys| -> bool {
        let unchanged = keys
            .try_with_untracked(|k| k.clouds.get(&provider) == before.as_ref())
            .unwrap_or(false);
        if unchanged {
            keys.update(|k| {
                k.clouds.insert(provider, candidate);
            });
            id.try_set(String::new());
        }
        unchanged
    };
    let save = {
        let projects = projects.clone();
        let regions = regions.clone();
        move || {
            if checking() {
                return;
            }
            let before = keys.with_untracked(|k| k.clouds.get(&provider).cloned());
            let candidate = check::merge(
                before.as_ref(),
                &id.get_untracked(),
                &secret.get_untracked(),
                &token.get_untracked(),
                signature.get_untracked(),
                projects
                    .iter()
                    .map(|(r, v)| (r.clone(), v.get_untracked()))
                    .collect(),
            );
            // The secret and token leave the page at once, whatever the check says.
            secret.set(String::new());
            token.set(String::new());
            held.set_value(None);
            let call = match check::check_call(provider, &regions, &candidate) {
                Ok(call) => call,
                Err(why) => {
                    store(&before, candidate);
                    state.set(SaveState::Saved(match why {
                        Unchecked::Incomplete => None,
                        Unchecked::NoProject => Some(Msg::RelaySavedNoProject),
                        Unchecked::NoRegion => Some(Msg::RelaySavedNoRegion),
                    }));
                    return;
                }
            };
            state.set(SaveState::Checking);
            spawn_local(async move {
                let sent = match transport.mode().await {
                    Mode::Relay { relay, .. } => {
                        send::send(
                            &relay,
                            Some(&candidate),
                            provider,
                            &call.region,
                            call.action.name(),
                            &call.params,
                            None,
                        )
                        .await
                    }
                    _ => Sent::Lost("not in relay mode".into()),
                };
                let next = match Verdict::of(sent, page_lang()) {
                    Verdict::Accepted { request_id } => {
                        if store(&before, candidate) {
                            SaveState::Checked { request_id }
                        } else {
                            SaveState::Idle
                        }
                    }
                    Verdict::Refused { error, by_cloud } => SaveState::Refused { error, by_cloud },
                    Verdict::Unsure(error) => {
                        let _ = held.try_set_value(Some(candidate));
                        SaveState::Unsure(error)
                    }
                };
                state.try_set(next);
            });
        }
    };
    let save_anyway = move |_| {
        let Some(candidate) = held.try_update_value(Option::take).flatten() else {
            return;
        };
        let before = keys.with_untracked(|k| k.clouds.get(&provider).cloned());
        store(&before, candidate);
        state.set(SaveState::Saved(Some(Msg::RelaySavedUnchecked)));
    };
    let outcome = move || {
        let line = |text: Msg, class: &'static str| {
            view! { <p class=class data-testid=format!("{pid}-check")>{i.t(text)}</p> }.into_any()
        };
        // What was saved is spoken of only while it is there ("Forget keys" clears it).
        let gone = status().is_none();
        match state.get() {
            SaveState::Idle | SaveState::Checking => ().into_any(),
            SaveState::Checked { .. } | SaveState::Saved(Some(_)) if gone => ().into_any(),
            SaveState::Checked { request_id } => {
                view! {
                    <p class="key-check ok" data-testid=format!("{pid}-check")>
                        "✓ " {i.t(Msg::RelayCheckPassed)}
                        {request_id.map(|rid| view! {
                            " " {i.t(Msg::RequestId)} {i.t(Msg::Colon)}
                            <code data-testid=format!("{pid}-check-request-id")>{rid}</code>
                        })}
                    </p>
                }
                    .into_any()
            }
            SaveState::Saved(None) => line(Msg::RelaySaved, "key-check muted"),
            SaveState::Saved(Some(why)) => line(why, "key-check unchecked"),
            SaveState::Refused { error, by_cloud } => {
                let why = if by_cloud { Msg::RelayCheckRefused } else { Msg::RelayCheckUnusable };
                view! {
                    <div class="key-check refused" data-testid=format!("{pid}-check")>
                        <p><strong>{i.t(why)}</strong></p>
                        <ErrorPanel error=error />
                    </div>
                }
                    .into_any()
            }
            SaveState::Unsure(error) => {
                view! {
                    <div class="key-check unsure" data-testid=format!("{pid}-check")>
                        <p><strong>{i.t(Msg::RelayCheckUnsure)}</strong></p>
                        <ErrorPanel error=error />
                        <button type="button" data-testid=format!("{pid}-save-anyway") on:click=save_anyway>
                            {i.t(Msg::RelaySaveUnchecked)}
                        </button>
                    </div>
                }
                    .into_any()
            }
        }
    };
    let field_id = move |name: &str| format!("{pid}-{name}");
    let alibaba = (provider == Provider::Alibaba).then(|| {
        view! {
            <div class="field">
                <label for=field_id("signature")>{i.t(Msg::RelaySignatureVersion)}</label>
                <select
                    id=field_id("signature")
                    data-testid=field_id("signature")
                    on:change=move |ev| {
                        signature.set(if event_target_value(&ev) == "v1" { AlibabaSignature::V1 } else { AlibabaSignature::V3 });
                    }
                >
                    <option value="v3" selected=move || signature.get() == AlibabaSignature::V3>{i.t(Msg::RelaySigV3)}</option>
                    <option value="v1" selected=move || signature.get() == AlibabaSignature::V1>{i.t(Msg::RelaySigV1)}</option>
                </select>
            </div>
        }
    });
    let huawei = (provider == Provider::Huawei).then(|| {
        let rows = projects
            .iter()
            .map(|(region, value)| {
                let value = *value;
                let input_id = format!("{pid}-project-{region}");
                let (for_id, test_id) = (input_id.clone(), input_id.clone());
                view! {
                    <label for=for_id>
                        <code>{region.clone()}</code>
                        <input
                            type="text"
                            id=input_id
                            data-testid=test_id
                            autocomplete="off"
                            spellcheck="false"
                            prop:value=move || value.get()
                            on:input=move |ev| value.set(event_target_value(&ev))
                        />
                    </label>
                }
            })
            .collect_view();
        view! {
            <fieldset class="projects">
                <legend>{i.t(Msg::RelayProjectIds)}</legend>
                {rows}
            </fieldset>
        }
    });
    view! {
        <form
            class="cloud-keys"
            data-testid=format!("keys-{pid}")
            autocomplete="off"
            on:submit=move |ev| {
                ev.prevent_default();
                save();
            }
        >
            <h2>{i.t(cloud_name(provider))}</h2>
            <p class="key-status" data-testid=field_id("status") role="status">
                {move || match status() {
                    Some((hint, has_token)) => {
                        view! {
                            {i.t(Msg::RelayKeyId)} " " <code>{hint}</code> " · "
                            {i.t(Msg::RelaySecretSet)}
                            {has_token.then(|| view! { " · " {i.t(Msg::RelayTokenSet)} })}
                        }
                            .into_any()
                    }
                    None => view! { <span class="muted">{i.t(Msg::RelayNotSet)}</span> }.into_any(),
                }}
            </p>
            <KeyInput id=field_id("id") kind="text" value=id>{i.t(Msg::RelayKeyId)}</KeyInput>
            <KeyInput id=field_id("secret") kind="password" value=secret>{i.t(Msg::RelaySecret)}</KeyInput>
            <KeyInput id=field_id("token") kind="password" value=token>
                {i.t(Msg::RelayToken)} " " <span class="muted">{i.t(Msg::Optional)}</span>
            </KeyInput>
            {alibaba}
            {huawei}
            <div class="actions">
                <button
                    type="submit"
                    class="primary"
                    data-testid=field_id("save")
                    disabled=checking
                    aria-busy=move || checking().to_string()
                >
                    {move || if checking() { i.t(Msg::RelayChecking)() } else { i.t(Msg::RelaySave)() }}
                </button>
            </div>
            <div class="key-outcome" aria-live="polite">{outcome}</div>
        </form>
    }
}

/// "Show signed request": what would be sent, like a CLI dry run. Nothing is sent.
#[component]
fn SignedRequest(profiles: Vec<Profile>) -> impl IntoView {
    let i = use_i18n();
    let transport = use_transport();
    let first = profiles.first().cloned();
    let profiles = StoredValue::new(profiles);
    let start = first.as_ref().map_or(Provider::Tencent, |p| p.provider);
    let provider = RwSignal::new(start);
    let region = RwSignal::new(
        first
            .as_ref()
            .and_then(|p| p.regions.first().cloned())
            .unwrap_or_default(),
    );
    let (sample_action, sample_params) = show::sample(start);
    let action = RwSignal::new(sample_action.to_string());
    let params = RwSignal::new(sample_params.to_string());
    let result = RwSignal::new(None::<Result<Shown, RequestError>>);
    let regions_of = move |p: Provider| {
        profiles.with_value(|all| {
            all.iter()
                .find(|x| x.provider == p)
                .map(|x| x.regions.clone())
                .unwrap_or_default()
        })
    };
    let choose_provider = move |id: String| {
        let Some(p) = Provider::from_id(&id) else {
            return;
        };
        provider.set(p);
        region.set(regions_of(p).into_iter().next().unwrap_or_default());
        let (a, v) = show::sample(p);
        action.set(a.to_string());
        params.set(v.to_string());
        result.set(None);
    };
    let sign = move || {
        let shown = match serde_json::from_str::<serde_json::Value>(&params.get_untracked()) {
            Ok(v) => {
                let relay = match transport.mode_untracked() {
                    Some(Mode::Relay { relay, .. }) => relay,
                    _ => Default::default(),
                };
                let keys = transport.keys.get_untracked();
                let p = provider.get_untracked();
                show::sign_for_show(
                    &relay,
                    keys.of(p),
                    p,
                    &region.get_untracked(),
                    &action.get_untracked(),
                    &v,
                )
                .map_err(RequestError::Refused)
            }
            Err(e) => Err(RequestError::Decode(format!(
                "{}: {e}",
                i.now(Msg::RelayBadJson)
            ))),
        };
        result.set(Some(shown));
    };
    view! {
        <details class="signed-request" data-testid="signed-panel">
            <summary data-testid="show-signed">{i.t(Msg::RelayShowSigned)}</summary>
            <p class="hint muted">{i.t(Msg::RelayShowSignedIntro)}</p>
            <div class="toolbar">
                <label>
                    {i.t(Msg::RelayCloud)}
                    <select data-testid="signed-provider" on:change=move |ev| choose_provider(event_target_value(&ev))>
                        {profiles
                            .get_value()
                            .into_iter()
                            .map(|p| {
                                let id = p.provider.id();
                                view! {
                                    <option value=id selected=move || provider.get().id() == id>
                                        {i.t(cloud_name(p.provider))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {i.t(Msg::Region)}
                    <select data-testid="signed-region" on:change=move |ev| region.set(event_target_value(&ev))>
                        {move || {
                            let current = region.get();
                            regions_of(provider.get())
                                .into_iter()
                                .map(|r| {
                                    let selected = r == current;
                                    view! { <option value=r.clone() selected=selected>{r.clone()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label>
                    {i.t(Msg::ColAction)}
                    <select
                        data-testid="signed-action"
                        on:change=move |ev| {
                            action.set(event_target_value(&ev));
                            params.set("{}".into());
                            result.set(None);
                        }
                    >
                        {move || {
                            let current = action.get();
                            Action::of(provider.get())
                                .map(|a| {
                                    let selected = a.name() == current;
                                    view! { <option value=a.name() selected=selected>{a.name()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
            </div>
            <div class="field">
                <label for="signed-params">{i.t(Msg::RelayParams)}</label>
                <textarea
                    id="signed-params"
                    data-testid="signed-params"
                    rows="4"
                    spellcheck="false"
                    prop:value=move || params.get()
                    on:input=move |ev| params.set(event_target_value(&ev))
                ></textarea>
            </div>
            <div class="actions">
                <button type="button" class="primary" data-testid="sign" on:click=move |_| sign()>
                    {i.t(Msg::RelaySign)}
                </button>
            </div>
            {move || {
                result
                    .get()
                    .map(|r| match r {
                        Ok(shown) => view! { <ShownRequest shown=shown /> }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                    })
            }}
        </details>
    }
}

#[component]
fn ShownRequest(shown: Shown) -> impl IntoView {
    let i = use_i18n();
    let copied = RwSignal::new(false);
    let curl = shown.curl.clone();
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&curl);
            copied.set(true);
            set_timeout(
                move || copied.set(false),
                std::time::Duration::from_millis(1500),
            );
        }
    };
    let headers = shown
        .headers
        .into_iter()
        .map(|(k, v)| view! { <tr><th scope="row"><code>{k}</code></th><td><code>{v}</code></td></tr> })
        .collect_view();
    view! {
        <div class="shown-request" data-testid="signed-request">
            <p class="muted">{i.t(Msg::RelayNotSent)} " " <code>"/relay"</code></p>
            <dl>
                <dt>{i.t(Msg::RelayMethod)}</dt>
                <dd><code data-testid="signed-method">{shown.method}</code></dd>
                <dt>{i.t(Msg::RelayUrl)}</dt>
                <dd><code data-testid="signed-url">{shown.url}</code></dd>
            </dl>
            <h3>{i.t(Msg::RelayHeaders)}</h3>
            <div class="table-wrap" tabindex="0" role="region" aria-label=i.t(Msg::RelayHeaders)>
                <table data-testid="signed-headers"><tbody>{headers}</tbody></table>
            </div>
            <h3>{i.t(Msg::RelayBody)}</h3>
            <pre data-testid="signed-body">{shown.body}</pre>
            <h3>
                {i.t(Msg::RelayCurl)} " "
                <button type="button" class="copy" data-testid="copy-curl" title=move || i.t(Msg::RelayCopyCurl)() on:click=copy>
                    {move || if copied.get() { "✓" } else { "⧉" }}
                    <span class="sr-only" aria-live="polite">{move || if copied.get() { i.t(Msg::Copied)() } else { i.t(Msg::RelayCopyCurl)() }}</span>
                </button>
            </h3>
            <pre class="curl" data-testid="signed-curl">{shown.curl}</pre>
        </div>
    }
}

/// One labelled key field: text for the key ID, password for the secret and the token.
#[component]
fn KeyInput(
    id: String,
    kind: &'static str,
    value: RwSignal<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{children()}</label>
            <input
                type=kind
                id=id.clone()
                data-testid=id
                autocomplete="off"
                spellcheck="false"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}
