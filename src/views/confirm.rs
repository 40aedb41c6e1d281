//! The two panels between a checked form and its operation: the pre-flight checklist
//! (one line per documented rule, with its fix) and the confirmation, which names the
//! target, offers the safety options, asks for the target typed, and builds the plan.

use crate::i18n::{Msg, use_i18n};
use crate::restore::{self, Choices, FormSpec, Found, Kind};
use crate::views::preflight::Preflight;
use crate::views::time::When;
use leptos::prelude::*;
use rewind_cloud::Provider;
use rewind_cloud::operation::power::{StopMode, StoppedMode};
use rewind_cloud::operation::{Operation, PlannedAt};
use rewind_cloud::preflight::{self, Check, Choice, FixAction, Status};

/// The pre-flight checklist: one line per rule, pass / warning / fail, with the fix.
/// `checks` follows the form's choices (continuing without the safety snapshot takes
/// its quota check away); `on_choice` gets the choice a failed check offers.
#[component]
pub fn Checklist(
    #[prop(into)] checks: Signal<Vec<Check>>,
    on_fix: Callback<FixAction>,
    #[prop(optional)] on_choice: Option<Callback<Choice>>,
) -> impl IntoView {
    let i = use_i18n();
    let blocked = move || checks.with(|c| preflight::blocked(c));
    view! {
        <section class="checklist" aria-labelledby="checklist-title" data-testid="checklist">
            <h3 id="checklist-title">{i.t(Msg::PreflightTitle)}</h3>
            <ul>
                {move || checks.get()
                    .into_iter()
                    .map(|c| {
                        let (class, icon, word) = match c.status {
                            Status::Pass => ("pass", "✓", Msg::CheckPass),
                            Status::Warn => ("warn", "!", Msg::CheckWarn),
                            Status::Fail => ("fail", "✗", Msg::CheckFail),
                        };
                        let forced = c.rule == preflight::rules::INSTANCE_STATE && c.status == Status::Warn;
                        view! {
                            <li class=class data-rule=c.rule data-status=class data-testid=if forced { "forced-shutdown" } else { "check" }>
                                <span class="icon" aria-hidden="true">{icon}</span>
                                <span class="sr-only">{i.t(word)} {i.t(Msg::Colon)}</span>
                                <span class="what">{i.text(c.message)}</span>
                                {c.fix.map(|f| view! { <span class="fix">{i.text(f)}</span> })}
                                {c.action.map(|a| {
                                    let label = match &a {
                                        FixAction::StopInstance { .. } => Msg::StopInstance,
                                    };
                                    view! {
                                        <button type="button" class="fix-action" data-testid="fix" on:click=move |_| on_fix.run(a.clone())>
                                            {i.t(label)}
                                        </button>
                                    }
                                })}
                                {c.choice.zip(on_choice).map(|(choice, on_choice)| {
                                    let label = match choice {
                                        Choice::ContinueWithoutSafetySnapshot => Msg::ContinueWithoutSafety,
                                    };
                                    view! {
                                        <button type="button" class="fix-action" data-testid="choice-no-safety" on:click=move |_| on_choice.run(choice)>
                                            {i.t(label)}
                                        </button>
                                    }
                                })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class=move || if blocked() { "summary fail" } else { "summary pass" } data-testid="preflight-summary">
                {move || i.t(if blocked() { Msg::PreflightBlocked } else { Msg::PreflightPassed })()}
            </p>
        </section>
    }
}

/// Names what will happen, offers the safety options, and asks for the target ID.
/// `instance_was_running`: the instance was running when the page first read it, so
/// "Start the instance afterwards" starts ticked.
#[component]
pub fn Confirmation(
    spec: &'static FormSpec,
    preflight: Preflight,
    instance_was_running: bool,
    /// True while the operation is being started (the button is busy).
    #[prop(into)]
    starting: Signal<bool>,
    on_start: Callback<Operation>,
    /// "Create a snapshot first", shared with the checklist (whose quota check follows
    /// it); on by default where the cloud can take one of the target.
    #[prop(optional)]
    snapshot_first: Option<RwSignal<bool>>,
    /// The checklist for the current choices; the pre-flight's own when not given.
    #[prop(optional, into)]
    checks: Option<Signal<Vec<Check>>>,
) -> impl IntoView {
    let i = use_i18n();
    let checks = checks.unwrap_or_else(|| Signal::stored(preflight.checks.clone()));
    let blocked = move || checks.with(|c| preflight::blocked(c));
    let word = restore::confirm_word(spec, &preflight.params);
    let typed = RwSignal::new(String::new());
    let can_snapshot_first = restore::can_snapshot_first(spec.kind);
    let snapshot_first = snapshot_first.unwrap_or_else(|| RwSignal::new(can_snapshot_first));
    let no_safety = move || can_snapshot_first && !snapshot_first.get();
    let target_name = preflight.target_name(spec.kind);
    let instance_id = preflight.instance_id(spec.kind);
    let start_after = RwSignal::new(instance_id.is_some() && instance_was_running);
    let is_reset = spec.kind == Kind::EcsResetDisk;
    let dry_run_first = RwSignal::new(is_reset);
    let snapshot_line = preflight.snapshot.as_ref().map(|s| {
        let id = s["SnapshotId"].as_str().unwrap_or("").to_string();
        let created = s["CreatedTime"]
            .as_str()
            .or_else(|| s["CreationTime"].as_str())
            .unwrap_or("")
            .to_string();
        let name = s["SnapshotName"].as_str().unwrap_or("").to_string();
        (id, name, created)
    });
    let running = preflight
        .checks
        .iter()
        .any(|c| c.rule == preflight::rules::INSTANCE_STATE && c.status == Status::Warn);
    let w = word.clone();
    // Only what overwrites data asks for the target to be typed; a new snapshot destroys
    // nothing, so its confirmation repeats what will be created and asks for one click.
    let destructive = spec.destructive;
    let ok = move || {
        !blocked() && !starting.get() && (!destructive || restore::confirmed(&typed.get(), &w))
    };
    let created = (!destructive).then(|| creates(&preflight.params));
    let start = {
        let preflight = preflight.clone();
        let instance_id = instance_id.clone();
        move |_| {
            let choices = Choices {
                snapshot_first: can_snapshot_first && snapshot_first.get_untracked(),
                start_afterwards: instance_id.is_some() && start_after.get_untracked(),
                dry_run_first: is_reset && dry_run_first.get_untracked(),
            };
            let found = Found {
                instance_id: instance_id.as_deref(),
                desktops: &preflight.desktops,
                target_name: target_name.as_deref(),
                planned_at: Some(planned_now()),
            };
            on_start.run(restore::plan(spec.kind, &preflight.params, found, choices));
        }
    };
    let target_label = match spec.kind {
        Kind::LhRollback | Kind::LhCreateSnapshot => Msg::FieldInstanceId,
        Kind::EcsResetDisk | Kind::EcsCreateSnapshot => Msg::FieldDiskId,
        Kind::WsRestore => Msg::FieldSnapshotIds,
    };
    view! {
        <section class="confirm" class:blocked=blocked aria-labelledby="confirm-title" data-testid="confirm">
            <h3 id="confirm-title">{i.t(Msg::ConfirmTitle)}</h3>
            <dl>
                <dt>{i.t(target_label)}</dt>
                <dd><code data-testid="confirm-target">{word.clone()}</code></dd>
                {snapshot_line.map(|(id, name, created)| view! {
                    <dt>{i.t(Msg::FieldSnapshotId)}</dt>
                    <dd><code>{id}</code> " " {name} " · " {i.t(Msg::ColCreated)} " " <When text=created /></dd>
                })}
                {created.map(|rows| rows.into_iter().map(|(label, value)| view! {
                    <dt>{i.t(label)}</dt>
                    <dd data-testid="confirm-created">{value}</dd>
                }).collect_view())}
                {(!preflight.desktops.is_empty()).then(|| view! {
                    <dt>{i.t(Msg::ColDesktop)}</dt>
                    <dd>
                        <ul class="confirm-targets" data-testid="confirm-desktops">
                            {preflight.desktops.iter().map(|s| {
                                let text = |f: &str| s[f].as_str().unwrap_or("").to_string();
                                view! {
                                    <li>
                                        <strong>{text("desktop_name")}</strong> " ← " <code>{text("snapshot_id")}</code>
                                        " " {text("snapshot_name")} " · " {i.t(Msg::ColCreated)} " " <When text=text("create_time") />
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </dd>
                })}
            </dl>
            <Show when=move || spec.destructive>
                <p class="danger" data-testid="data-loss">{i.t(Msg::DataLossWarning)}</p>
            </Show>
            <Show when=move || running>
                <p class="danger" data-testid="forced-shutdown-confirm">{i.t(Msg::ForcedShutdownWarning)}</p>
            </Show>
            <Show when=move || can_snapshot_first>
                <label class="check">
                    <input type="checkbox" data-testid="snapshot-first" prop:checked=move || snapshot_first.get() on:change=move |ev| snapshot_first.set(event_target_checked(&ev)) />
                    {i.t(Msg::SnapshotFirst)}
                </label>
            </Show>
            <Show when=no_safety>
                <p class="warning" role="status" data-testid="no-safety-snapshot">{i.t(Msg::NoSafetySnapshot)}</p>
            </Show>
            <Show when=move || is_reset>
                <label class="check">
                    <input type="checkbox" data-testid="dry-run-first" prop:checked=move || dry_run_first.get() on:change=move |ev| dry_run_first.set(event_target_checked(&ev)) />
                    {i.t(Msg::DryRunFirst)}
                </label>
            </Show>
            {instance_id.clone().map(|_| view! {
                <label class="check">
                    <input type="checkbox" data-testid="start-after" prop:checked=move || start_after.get() on:change=move |ev| start_after.set(event_target_checked(&ev)) />
                    {i.t(Msg::StartAfterwards)}
                </label>
            })}
            <div class="field" hidden=!destructive>
                <label for="confirm-typed">
                    {i.t(if spec.kind == Kind::WsRestore { Msg::TypeCountToConfirm } else { Msg::TypeIdToConfirm })} " "
                    <code>{word.clone()}</code>
                </label>
                <input id="confirm-typed" data-testid="confirm-input" type="text" autocomplete="off" spellcheck="false"
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) disabled=blocked />
            </div>
            <button type="button" class=if destructive { "danger" } else { "primary" } data-testid="start" disabled=move || !ok()
                aria-busy=move || starting.get().to_string() on:click=start>
                {move || if starting.get() {
                    i.t(Msg::Starting)()
                } else {
                    i.t(match spec.kind {
                        Kind::LhRollback | Kind::EcsResetDisk => Msg::RollBack,
                        Kind::LhCreateSnapshot | Kind::EcsCreateSnapshot => Msg::CreateSnapshot,
                        Kind::WsRestore => Msg::RestoreDesktops,
                    })()
                }}
            </button>
        </section>
    }
}

/// What a create-snapshot form will create, as the confirmation repeats it: name,
/// description, retention and tags, those that were given.
fn creates(params: &serde_json::Value) -> Vec<(Msg, String)> {
    let text = |k: &str| match &params[k] {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let tags = ["Tags", "Tag"]
        .iter()
        .filter_map(|k| params[*k].as_array())
        .flatten()
        .map(|t| {
            format!(
                "{}={}",
                t["Key"].as_str().unwrap_or(""),
                t["Value"].as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>();
    [
        (Msg::FieldSnapshotName, text("SnapshotName")),
        (Msg::FieldDescription, text("Description")),
        (Msg::FieldRetentionDays, text("RetentionDays")),
        (Msg::FieldTags, (!tags.is_empty()).then(|| tags.join(", "))),
    ]
    .into_iter()
    .filter_map(|(m, v)| v.map(|v| (m, v)))
    .collect()
}

/// Now, by the user's clock and zone: what a safety snapshot is named with.
fn planned_now() -> PlannedAt {
    let now = js_sys::Date::new_0();
    PlannedAt {
        unix_ms: now.get_time().max(0.0) as u64,
        // getTimezoneOffset is minutes *behind* UTC (UTC+8 gives -480).
        utc_offset_min: -(now.get_timezone_offset() as i32),
    }
}

/// The "Stop instance" fix, confirmed before anything is sent: names the instance and,
/// on ECS, offers StopInstance's options (`ForceStop`, off by default, with what it
/// risks; `StoppedMode`, the cloud's default unless chosen). Lighthouse StopInstances
/// takes neither. Escape or Cancel closes it.
#[component]
pub fn StopConfirm(
    provider: Provider,
    instance_id: String,
    instance_name: Option<String>,
    on_confirm: Callback<StopMode>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i = use_i18n();
    let force = RwSignal::new(false);
    // "" is the cloud's default (the parameter is not sent).
    let mode = RwSignal::new(String::new());
    let modes = restore::has_stop_modes(provider);
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    // Focus lands in the panel, on the harmless choice.
    Effect::new(move |_| {
        if let Some(b) = cancel_ref.get() {
            let _ = b.focus();
        }
    });
    let confirm = move |_| {
        let stopped_mode = match mode.get_untracked().as_str() {
            "KeepCharging" => Some(StoppedMode::KeepCharging),
            "StopCharging" => Some(StoppedMode::StopCharging),
            _ => None,
        };
        on_confirm.run(StopMode {
            force: modes && force.get_untracked(),
            stopped_mode: stopped_mode.filter(|_| modes),
        });
    };
    let named = match &instance_name {
        Some(n) => format!("{n} ({instance_id})"),
        None => instance_id.clone(),
    };
    let mode_choice = move |value: &'static str, label: Msg| {
        view! {
            <label class="check">
                <input type="radio" name="stopped-mode" data-testid=format!("stopped-mode-{}", if value.is_empty() { "default" } else { value })
                    prop:checked=move || mode.get() == value on:change=move |_| mode.set(value.to_string()) />
                {i.t(label)}
            </label>
        }
    };
    view! {
        <section class="confirm stop-confirm" role="dialog" aria-modal="false" aria-labelledby="stop-confirm-title"
            data-testid="stop-confirm" on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <h2 id="stop-confirm-title">{i.t(Msg::StopConfirmTitle)}</h2>
            <p>
                {i.t(Msg::StopConfirmText)} " "
                <strong data-testid="stop-confirm-instance">{named}</strong>
            </p>
            <Show when=move || modes>
                <label class="check">
                    <input type="checkbox" data-testid="force-stop" prop:checked=move || force.get() on:change=move |ev| force.set(event_target_checked(&ev)) />
                    {i.t(Msg::ForceStop)}
                </label>
                <Show when=move || force.get()>
                    <p class="danger" data-testid="force-stop-warning">{i.t(Msg::ForceStopWarning)}</p>
                </Show>
                <fieldset class="stopped-mode" data-testid="stopped-mode">
                    <legend>{i.t(Msg::StoppedModeLabel)}</legend>
                    {mode_choice("", Msg::StoppedModeDefault)}
                    {mode_choice("KeepCharging", Msg::StoppedModeKeep)}
                    {mode_choice("StopCharging", Msg::StoppedModeStop)}
                </fieldset>
            </Show>
            <div class="actions">
                <button type="button" class="danger" data-testid="stop-confirm-go" on:click=confirm>
                    {i.t(Msg::StopInstance)}
                </button>
                <button type="button" node_ref=cancel_ref data-testid="stop-confirm-cancel" on:click=move |_| on_cancel.run(())>
                    {i.t(Msg::CancelOp)}
                </button>
            </div>
        </section>
    }
}
