//! A restore form: fields checked as the user types (the cloud crate's rules, so invalid
//! input is never sent), then the pre-flight checklist read from live state, then a
//! confirmation that names the target, then the running operation (on the server in
//! portal mode, in this tab in relay mode).

use crate::api::RequestError;
use crate::i18n::{Msg, use_i18n};
use crate::ops::use_ops;
use crate::restore::{self, FieldCheck, FormSpec, Input, Kind};
use crate::router::use_router;
use crate::transport::use_transport;
use crate::views::confirm::{Checklist, Confirmation, StopConfirm};
use crate::views::error::ErrorPanel;
use crate::views::operations::OpView;
use crate::views::preflight::{Preflight, load_preflight};
use leptos::prelude::*;
use leptos::task::spawn_local;
use rewind_cloud::operation::power::StopMode;
use rewind_cloud::operation::{Operation, TaskPlan};
use rewind_cloud::preflight::{Choice, FixAction};
use rewind_cloud::validate::ValidateOptions;
use rewind_cloud::wire::operations::OpState;
use rewind_cloud::{Action, Provider};
use serde_json::json;

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Edit,
    Checking,
    Checked(Box<Preflight>),
    CheckFailed(RequestError),
    /// The operation started, by its id.
    Running(String),
}

/// `/{provider}/{form}`: one form, for one profile and region.
#[component]
pub fn RestorePage(spec: &'static FormSpec, profile: String, region: String) -> impl IntoView {
    let i = use_i18n();
    let ops = use_ops();
    let transport = use_transport();
    let router = use_router();
    let texts: Vec<RwSignal<String>> = spec
        .fields
        .iter()
        .map(|f| RwSignal::new(router.query_untracked(f.query).unwrap_or_default()))
        .collect();
    let touched: Vec<RwSignal<bool>> = texts
        .iter()
        .map(|t| RwSignal::new(!t.get_untracked().is_empty()))
        .collect();
    let legacy = RwSignal::new(false);
    let opts = move || ValidateOptions {
        allow_legacy_ids: legacy.get(),
    };
    let checks: Vec<Memo<FieldCheck>> = spec
        .fields
        .iter()
        .zip(&texts)
        .map(|(f, t)| {
            let t = *t;
            Memo::new(move |_| restore::check_field(spec, f, &t.get(), &opts()))
        })
        .collect();
    let all_valid = {
        let checks = checks.clone();
        Memo::new(move |_| checks.iter().all(|c| c.get().is_ok()))
    };
    let current_params = {
        let texts = texts.clone();
        move || {
            let t: Vec<String> = texts.iter().map(|s| s.get_untracked()).collect();
            restore::params(spec, &t, &opts_untracked(legacy))
        }
    };
    let phase = RwSignal::new(Phase::Edit);
    // Editing a field after the check sends the user back to the form.
    {
        let texts = texts.clone();
        Effect::new(move |prev: Option<()>| {
            for t in &texts {
                t.track();
            }
            legacy.track();
            if prev.is_some() {
                phase.update(|p| {
                    if !matches!(p, Phase::Running(_) | Phase::Edit) {
                        *p = Phase::Edit;
                    }
                });
            }
        });
    }
    // Focus follows the flow, for keyboards and screen readers: the first empty field
    // when the form opens, the checklist's summary when it arrives, the operation while
    // it runs and its result when it ends.
    {
        let first_empty = spec
            .fields
            .iter()
            .zip(&texts)
            .find(|(_, t)| t.get_untracked().trim().is_empty())
            .map(|(f, _)| format!("#f-{}-{}", spec.key, f.param));
        request_animation_frame(move || {
            if let Some(css) = first_empty {
                focus(&css);
            }
        });
    }
    Effect::new(move |_| {
        let css = match phase.get() {
            Phase::Checked(_) => "[data-testid=preflight-summary]",
            Phase::CheckFailed(_) => ".restore .error-panel",
            Phase::Running(id) => match ops.state_of(&id) {
                Some(OpState::Running) | None => ".restore [data-testid=op] h3",
                Some(_) => ".restore [data-testid=op-summary], .restore [data-testid=op-failure]",
            },
            _ => return,
        };
        request_animation_frame(move || focus(css));
    });
    // The instance was running when first read (the fix may stop it since): it is
    // started again afterwards unless the user unticks it.
    let was_running = RwSignal::new(false);
    let run_check = {
        let (profile, region) = (profile.clone(), region.clone());
        let current_params = current_params.clone();
        move || {
            let Ok(params) = current_params() else {
                return;
            };
            phase.set(Phase::Checking);
            let (profile, region) = (profile.clone(), region.clone());
            spawn_local(async move {
                let result = load_preflight(transport, spec.kind, &profile, &region, params).await;
                // The user may have edited meanwhile, or left the page (the signal is
                // gone): only a check still wanted lands.
                if phase.try_get_untracked() == Some(Phase::Checking) {
                    if result.as_ref().is_ok_and(Preflight::instance_running) {
                        was_running.try_set(true);
                    }
                    phase.try_set(match result {
                        Ok(p) => Phase::Checked(Box::new(p)),
                        Err(e) => Phase::CheckFailed(e),
                    });
                }
            });
        }
    };
    // Starting an operation: busy until the server (or this tab) has it; a refusal
    // (policy, invalid parameters) is shown where the button is.
    let starting = RwSignal::new(false);
    let start_error = RwSignal::new(None::<RequestError>);
    let start_op = {
        let (profile, region) = (profile.clone(), region.clone());
        move |plan: Operation, legacy: bool, then: Box<dyn FnOnce(String)>| {
            starting.set(true);
            start_error.set(None);
            let (profile, region) = (profile.clone(), region.clone());
            spawn_local(async move {
                let options = ValidateOptions {
                    allow_legacy_ids: legacy,
                };
                let result = ops
                    .start(&profile, &region, TaskPlan::One(plan), options)
                    .await;
                starting.try_set(false);
                match result {
                    Ok(id) => then(id),
                    Err(e) => {
                        start_error.try_set(Some(e));
                    }
                }
            });
        }
    };
    // The "Stop instance" fix runs as an operation; when it ends the check runs again.
    let fix_op = RwSignal::new(None::<String>);
    {
        let run_check = run_check.clone();
        Effect::new(move |_| {
            let Some(id) = fix_op.get() else { return };
            if ops.state_of(&id) == Some(OpState::Succeeded) {
                fix_op.set(None);
                run_check();
            }
        });
    }
    // The fix is confirmed first: the instance named, and on ECS how to stop it.
    let stop_ask = RwSignal::new(None::<(String, Option<String>)>);
    let on_fix = Callback::new(move |fix: FixAction| match fix {
        FixAction::StopInstance { instance_id } => {
            let name = match phase.get_untracked() {
                Phase::Checked(p) => p.instance_name(),
                _ => None,
            };
            stop_ask.set(Some((instance_id, name)));
        }
    });
    let on_stop = {
        let start_op = start_op.clone();
        Callback::new(move |stop: StopMode| {
            let Some((instance_id, name)) = stop_ask.get_untracked() else {
                return;
            };
            stop_ask.set(None);
            was_running.set(true);
            start_op(
                restore::stop_plan(spec.provider, &instance_id, name.as_deref(), stop),
                legacy.get_untracked(),
                Box::new(move |id| {
                    fix_op.try_set(Some(id));
                }),
            );
        })
    };
    let on_start = {
        let start_op = start_op.clone();
        Callback::new(move |plan: Operation| {
            start_op(
                plan,
                legacy.get_untracked(),
                Box::new(move |id| {
                    phase.try_set(Phase::Running(id));
                }),
            );
        })
    };
    let dry_run = RwSignal::new(None::<Result<Option<String>, RequestError>>);
    let run_dry = {
        let (profile, region) = (profile.clone(), region.clone());
        let current_params = current_params.clone();
        move || {
            let Ok(mut params) = current_params() else {
                return;
            };
            params["DryRun"] = json!(true);
            dry_run.set(None);
            let (profile, region) = (profile.clone(), region.clone());
            spawn_local(async move {
                let action = Action::EcsResetDisk.name();
                // ECS answers a passing dry run with the error DryRunOperation.
                let result = match transport.call(&profile, &region, action, params).await {
                    Err(RequestError::Refused(f))
                        if f.provider_code.as_deref() == Some("DryRunOperation") =>
                    {
                        Ok(f.request_id.clone())
                    }
                    Ok(a) => Ok(a.request_id),
                    Err(e) => Err(e),
                };
                // Nothing to show if the user has left the page meanwhile.
                dry_run.try_set(Some(result));
            });
        }
    };

    let fields = spec
        .fields
        .iter()
        .enumerate()
        .map(|(n, f)| {
            view! { <FieldInput spec=spec field=f text=texts[n] touched=touched[n] check=checks[n] /> }
        })
        .collect_view();
    // Rollback and reset forms: the target's snapshots to pick from, once its ID is valid.
    let picker = {
        let index = |param: &str| spec.fields.iter().position(|f| f.param == param);
        let target_param = if spec.provider == Provider::Alibaba {
            "DiskId"
        } else {
            "InstanceId"
        };
        match (index(target_param), index("SnapshotId")) {
            (Some(t), Some(sn)) if restore::picker::reads(spec.kind, "").is_some() => {
                let (text, check) = (texts[t], checks[t]);
                let target =
                    Memo::new(move |_| check.get().is_ok().then(|| text.get().trim().to_string()));
                Some(view! {
                    <crate::views::picker::SnapshotPicker kind=spec.kind profile=profile.clone()
                        region=region.clone() target=target chosen=texts[sn] />
                })
            }
            _ => None,
        }
    };
    let submit = {
        let run_check = run_check.clone();
        let touched = touched.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            for t in &touched {
                t.set(true);
            }
            if all_valid.get_untracked() {
                run_check();
            }
        }
    };
    let is_ecs = spec.provider == Provider::Alibaba;
    view! {
        <section class="restore" data-form=spec.key>
            <h2>{i.t(spec.title)}</h2>
            <p class="muted">
                {i.t(Msg::Profile)} {i.t(Msg::Colon)} <strong>{profile.clone()}</strong> " · " {i.t(Msg::Region)} {i.t(Msg::Colon)}
                <strong>{region.clone()}</strong>
            </p>
            <form class="restore-form" novalidate on:submit=submit>
                {fields}
                {picker}
                <Show when=move || is_ecs>
                    <label class="check">
                        <input
                            type="checkbox"
                            data-testid="legacy-ids"
                            prop:checked=move || legacy.get()
                            on:change=move |ev| legacy.set(event_target_checked(&ev))
                        />
                        {i.t(Msg::AllowLegacyIds)}
                    </label>
                </Show>
                <div class="actions">
                    <button
                        type="submit"
                        class="primary"
                        data-testid="check"
                        disabled=move || !all_valid.get() || phase.get() == Phase::Checking
                    >
                        {i.t(Msg::CheckAndContinue)}
                    </button>
                    <Show when=move || spec.kind == Kind::EcsResetDisk>
                        <button
                            type="button"
                            data-testid="dry-run"
                            disabled=move || !all_valid.get()
                            on:click={
                                let run_dry = run_dry.clone();
                                move |_| run_dry()
                            }
                        >
                            {i.t(Msg::DryRun)}
                        </button>
                    </Show>
                </div>
            </form>
            {move || {
                dry_run
                    .get()
                    .map(|r| match r {
                        Ok(request_id) => {
                            view! {
                                <div class="notice ok" role="status" data-testid="dry-run-ok">
                                    <p>{i.t(Msg::DryRunPassed)}</p>
                                    {request_id
                                        .map(|id| {
                                            view! {
                                                <p class="muted">
                                                    {i.t(Msg::RequestId)} {i.t(Msg::Colon)} <code>{id}</code>
                                                </p>
                                            }
                                        })}
                                </div>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                    })
            }}
            {move || match phase.get() {
                Phase::Edit => ().into_any(),
                Phase::Checking => {
                    view! { <p class="muted" role="status">{i.t(Msg::CheckingLiveState)}</p> }.into_any()
                }
                Phase::CheckFailed(e) => view! { <ErrorPanel error=e /> }.into_any(),
                Phase::Checked(p) => {
                    let was = was_running.get_untracked();
                    // "Create a snapshot first" decides whether the checklist counts the
                    // safety snapshot against the quota; continuing without it unticks
                    // it, and the checks follow.
                    let can_snapshot_first = restore::can_snapshot_first(spec.kind);
                    let snapshot_first = RwSignal::new(can_snapshot_first);
                    let checks = {
                        let p = p.clone();
                        Memo::new(move |_| {
                            p.checks_with(spec.kind, can_snapshot_first && snapshot_first.get())
                        })
                    };
                    let on_choice = Callback::new(move |c: Choice| match c {
                        Choice::ContinueWithoutSafetySnapshot => snapshot_first.set(false),
                    });
                    view! {
                        <Checklist checks=checks on_fix=on_fix on_choice=on_choice />
                        {move || {
                            stop_ask.get().map(|(id, name)| view! {
                                <StopConfirm
                                    provider=spec.provider
                                    instance_id=id
                                    instance_name=name
                                    on_confirm=on_stop
                                    on_cancel=Callback::new(move |_| stop_ask.set(None))
                                />
                            })
                        }}
                        {move || {
                            fix_op.get().map(|id| view! { <OpView id=id follow=true /> })
                        }}
                        <Confirmation
                            spec=spec
                            preflight=*p.clone()
                            instance_was_running=was
                            starting=starting
                            on_start=on_start
                            snapshot_first=snapshot_first
                            checks=checks
                        />
                    }
                        .into_any()
                }
                Phase::Running(id) => {
                    view! {
                        <OpView id=id follow=true />
                        <button type="button" on:click=move |_| phase.set(Phase::Edit)>
                            {i.t(Msg::StartAnother)}
                        </button>
                    }
                        .into_any()
                }
            }}
            {move || start_error.get().map(|e| view! { <div data-testid="start-error"><ErrorPanel error=e /></div> })}
        </section>
    }
}

fn opts_untracked(legacy: RwSignal<bool>) -> ValidateOptions {
    ValidateOptions {
        allow_legacy_ids: legacy.get_untracked(),
    }
}

/// One labelled field with its inline errors and warnings.
/// Scrolls to and focuses the first element matching `css` (made focusable by script
/// alone when it is not a control: `tabindex="-1"`).
fn focus(css: &str) {
    use wasm_bindgen::JsCast;
    let Ok(Some(el)) = document().query_selector(css) else {
        return;
    };
    el.scroll_into_view();
    if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
        if !el.has_attribute("tabindex")
            && !matches!(
                el.tag_name().as_str(),
                "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON" | "A"
            )
        {
            let _ = el.set_attribute("tabindex", "-1");
        }
        let _ = el.focus();
    }
}

#[component]
fn FieldInput(
    spec: &'static FormSpec,
    field: &'static restore::FieldSpec,
    text: RwSignal<String>,
    touched: RwSignal<bool>,
    check: Memo<FieldCheck>,
) -> impl IntoView {
    let i = use_i18n();
    let id = format!("f-{}-{}", spec.key, field.param);
    let msg_id = format!("{id}-msg");
    let invalid = move || {
        matches!(check.get(), FieldCheck::Invalid(_))
            || (touched.get() && check.get() == FieldCheck::Empty)
    };
    let input = match field.input {
        Input::Multiline | Input::Tags | Input::IdList(_) => view! {
            <textarea
                id=id.clone()
                name=field.param
                data-testid=field.param
                rows=if matches!(field.input, Input::IdList(_)) { 8 } else { 3 }
                aria-invalid=move || invalid().to_string()
                aria-describedby=msg_id.clone()
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    touched.set(true);
                }
            ></textarea>
        }
        .into_any(),
        Input::Line | Input::Int => view! {
            <input
                id=id.clone()
                name=field.param
                data-testid=field.param
                type="text"
                inputmode=if field.input == Input::Int { "numeric" } else { "text" }
                autocomplete="off"
                spellcheck="false"
                aria-invalid=move || invalid().to_string()
                aria-describedby=msg_id.clone()
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    touched.set(true);
                }
                // Leaving a field checks what was typed; leaving it empty says nothing
                // yet (the form opens with focus in it, and "Required" appearing under
                // it would move the picker below while it is being clicked).
                on:blur=move |_| {
                    if !text.get_untracked().trim().is_empty() {
                        touched.set(true);
                    }
                }
            />
        }
        .into_any(),
    };
    let required = rewind_cloud::validate::fields(spec.action).any(|(n, r)| n == field.param && r);
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id.clone()>
                {i.t(field.label)}
                <Show when=move || !required>
                    " " <span class="muted">{i.t(Msg::Optional)}</span>
                </Show>
            </label>
            {field.hint.map(|h| view! { <p class="hint muted">{i.t(h)}</p> })}
            {input}
            <div id=msg_id.clone() class="field-msg" aria-live="polite">
                {move || match check.get() {
                    FieldCheck::Invalid(errors) => {
                        errors
                            .into_iter()
                            .map(|e| {
                                view! {
                                    <p class="error" data-testid="field-error" data-field=e.field.clone()>
                                        {i.text(e.message)}
                                    </p>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }
                    FieldCheck::Empty if touched.get() => {
                        view! { <p class="error" data-testid="field-error">{i.t(Msg::Required)}</p> }.into_any()
                    }
                    FieldCheck::Ok(warnings) => {
                        warnings
                            .into_iter()
                            .map(|w| view! { <p class="warning" data-testid="field-warning">{i.text(w.message)}</p> })
                            .collect_view()
                            .into_any()
                    }
                    FieldCheck::Empty => ().into_any(),
                }}
                {move || {
                    match field.input {
                        Input::IdList(kind) => {
                            let n = rewind_cloud::validate::parse_id_list(kind, &text.get(), &ValidateOptions::default()).len();
                            (n > 0).then(|| view! { <p class="muted" data-testid="id-count">{n} " / 100"</p> })
                        }
                        _ => None,
                    }
                }}
            </div>
        </div>
    }
}
