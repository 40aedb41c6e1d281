//! The two panels between a checked form and its operation: the pre-flight checklist
//! (one line per documented rule, with its fix) and the confirmation, which names the
//! target, offers the safety options, asks for the target typed, and builds the plan.

use crate::i18n::{Msg, use_i18n};
use crate::restore::{self, Choices, FormSpec, Found, Kind};
use crate::views::preflight::Preflight;
use leptos::prelude::*;
use rewind_cloud::operation::Operation;
use rewind_cloud::preflight::{self, Check, FixAction, Status};

/// The pre-flight checklist: one line per rule, pass / warning / fail, with the fix.
#[component]
pub fn Checklist(checks: Vec<Check>, on_fix: Callback<FixAction>) -> impl IntoView {
    let i = use_i18n();
    let blocked = preflight::blocked(&checks);
    view! {
        <section class="checklist" aria-labelledby="checklist-title" data-testid="checklist">
            <h3 id="checklist-title">{i.t(Msg::PreflightTitle)}</h3>
            <ul>
                {checks
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
                                <span class="sr-only">{i.t(word)} ": "</span>
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
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class=if blocked { "summary fail" } else { "summary pass" } data-testid="preflight-summary">
                {i.t(if blocked { Msg::PreflightBlocked } else { Msg::PreflightPassed })}
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
) -> impl IntoView {
    let i = use_i18n();
    let blocked = preflight::blocked(&preflight.checks);
    let word = restore::confirm_word(spec, &preflight.params);
    let typed = RwSignal::new(String::new());
    // A snapshot first is on by default where the cloud can take one of the target.
    let can_snapshot_first = restore::can_snapshot_first(spec.kind);
    let snapshot_first = RwSignal::new(can_snapshot_first);
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
    let ok = move || !blocked && !starting.get() && restore::confirmed(&typed.get(), &w);
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
                    <dd><code>{id}</code> " " {name} " · " {i.t(Msg::ColCreated)} " " <time>{created}</time></dd>
                })}
                {(!preflight.desktops.is_empty()).then(|| view! {
                    <dt>{i.t(Msg::ColDesktop)}</dt>
                    <dd>
                        <ul class="confirm-targets" data-testid="confirm-desktops">
                            {preflight.desktops.iter().map(|s| {
                                let text = |f: &str| s[f].as_str().unwrap_or("").to_string();
                                view! {
                                    <li>
                                        <strong>{text("desktop_name")}</strong> " ← " <code>{text("snapshot_id")}</code>
                                        " " {text("snapshot_name")} " · " {i.t(Msg::ColCreated)} " " <time>{text("create_time")}</time>
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
            <div class="field">
                <label for="confirm-typed">
                    {i.t(if spec.kind == Kind::WsRestore { Msg::TypeCountToConfirm } else { Msg::TypeIdToConfirm })} " "
                    <code>{word.clone()}</code>
                </label>
                <input id="confirm-typed" data-testid="confirm-input" type="text" autocomplete="off" spellcheck="false"
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) disabled=blocked />
            </div>
            <button type="button" class="danger" data-testid="start" disabled=move || !ok()
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
