//! What a row offers, and the stop and start it can run: the row's action buttons (their
//! reasons when unavailable read on focus), and the panel that confirms a power action,
//! runs it as an operation and shows its progress above the list.

use crate::api::RequestError;
use crate::i18n::{Msg, use_i18n};
use crate::inventory::{self, ActionKind, ListSpec, RowAction};
use crate::ops::use_ops;
use crate::router::Link;
use crate::views::confirm::StopConfirm;
use crate::views::error::ErrorPanel;
use crate::views::operations::OpView;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rewind_cloud::operation::power::StopMode;
use rewind_cloud::operation::{Power, TaskPlan};
use rewind_cloud::validate::ValidateOptions;
use rewind_cloud::wire::operations::OpState;
use serde_json::Value;

/// A power row action waiting for its confirmation: the action and the row it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerAsk {
    action: &'static RowAction,
    row: Value,
}

/// The confirmation of a power action asked for by a row, then its operation's progress.
/// `on_ended`: the operation ended (the list reloads).
#[component]
pub fn PowerPanel(
    spec: &'static ListSpec,
    ask: RwSignal<Option<PowerAsk>>,
    ctx: StoredValue<(String, String, Vec<String>)>,
    on_ended: Callback<()>,
) -> impl IntoView {
    let i = use_i18n();
    let ops = use_ops();
    // Stop and start: confirmed first (naming the instance; on ECS, how to stop), then run
    // as an operation whose progress shows above the list, which reloads when it ends.
    let power_op = RwSignal::new(None::<String>);
    let power_error = RwSignal::new(None::<RequestError>);
    let run_power = move |stop: StopMode| {
        let Some(asked) = ask.get_untracked() else {
            return;
        };
        ask.set(None);
        let Some(plan) = asked.action.power_plan(spec, &asked.row, stop) else {
            return;
        };
        power_error.set(None);
        let (profile, region) = ctx.with_value(|(p, r, _)| (p.clone(), r.clone()));
        spawn_local(async move {
            let result = ops
                .start(
                    &profile,
                    &region,
                    TaskPlan::One(plan),
                    ValidateOptions::default(),
                )
                .await;
            match result {
                Ok(id) => {
                    power_op.try_set(Some(id));
                }
                Err(e) => {
                    power_error.try_set(Some(e));
                }
            }
        });
    };
    {
        let reloaded_for = StoredValue::new(None::<String>);
        Effect::new(move |_| {
            let Some(id) = power_op.get() else { return };
            let ended = ops.state_of(&id).is_some_and(|s| s != OpState::Running);
            if ended && reloaded_for.with_value(|r| r.as_ref() != Some(&id)) {
                reloaded_for.set_value(Some(id));
                on_ended.run(());
            }
        });
    }

    view! {
            {move || {
                ask.get().map(|asked| {
                    let id = inventory::cell(&asked.row, spec.id_field);
                    let name = inventory::value_at(&asked.row, spec.name_field)
                        .as_str()
                        .filter(|n| !n.trim().is_empty())
                        .map(str::to_string);
                    let on_cancel = Callback::new(move |_| ask.set(None));
                    match asked.action.kind {
                        ActionKind::Power(Power::Stop) => view! {
                            <StopConfirm
                                provider=spec.provider
                                instance_id=id
                                instance_name=name
                                on_confirm=Callback::new(run_power)
                                on_cancel=on_cancel
                            />
                        }
                            .into_any(),
                        _ => view! {
                            <StartConfirm
                                instance_id=id
                                instance_name=name
                                on_confirm=Callback::new(move |_| run_power(StopMode::default()))
                                on_cancel=on_cancel
                            />
                        }
                            .into_any(),
                    }
                })
            }}
            {move || power_error.get().map(|e| view! { <ErrorPanel error=e /> })}
            {move || {
                power_op.get().map(|id| view! {
                    <div class="power-op" data-testid="power-op">
                        <p class="muted" role="status">
                            {i.t(Msg::PowerStarted)} " "
                            <Link href="/operations".to_string() testid="power-op-link">{i.t(Msg::Operations)}</Link>
                        </p>
                        <OpView id=id follow=true />
                    </div>
                })
            }}
    }
}

/// A row's links to the restore forms: disabled (still focusable, with the reason on
/// hover and focus) when the user's grants or the row's state do not allow them. The row
/// is whichever one is in view at slot `at`; the buttons stay, their target and state follow.
#[component]
pub fn RowActions(
    spec: &'static ListSpec,
    slice: Memo<Vec<(usize, Value)>>,
    at: usize,
    ctx: StoredValue<(String, String, Vec<String>)>,
    /// Where a power action asks for its confirmation.
    ask: RwSignal<Option<PowerAsk>>,
) -> impl IntoView {
    let i = use_i18n();
    let router = crate::router::use_router();
    // The actions stay in view at any width: the cell sticks to the table's right edge
    // while the other columns scroll under it.
    view! {
        <td class="actions-cell"><div class="row-actions">
            {spec
                .row_actions
                .iter()
                .map(|a| {
                    // (form URL, why it is unavailable) for the row in view.
                    let target = Memo::new(move |_| {
                        slice.with(|s| {
                            s.get(at).map(|(_, row)| {
                                ctx.with_value(|(profile, region, allowed)| {
                                    (
                                        a.href(spec.provider, row, profile, region),
                                        a.unavailable(spec, row, allowed, profile),
                                    )
                                })
                            })
                        })
                    });
                    let reason = move || {
                        target.with(|t| t.as_ref().and_then(|(_, why)| why.as_ref().map(|w| i.text(w.reason())())))
                    };
                    // The reason is the button's description: read on focus, shown on
                    // focus and hover.
                    let why_id = format!("why-{at}-{}", a.form);
                    let why_id2 = why_id.clone();
                    view! {
                        <span class:disabled-action=move || reason().is_some()>
                            <button type="button" class="row-action" data-testid=format!("action-{}", a.form)
                                aria-disabled=move || reason().map(|_| "true")
                                aria-describedby=move || reason().map(|_| why_id.clone())
                                on:click=move |_| {
                                    let Some((href, None)) = target.get_untracked() else {
                                        return;
                                    };
                                    match a.kind {
                                        ActionKind::Link => router.navigate(&href),
                                        ActionKind::Power(_) => {
                                            let row = slice.with_untracked(|s| s.get(at).map(|(_, r)| r.clone()));
                                            if let Some(row) = row {
                                                ask.set(Some(PowerAsk { action: a, row }));
                                            }
                                        }
                                    }
                                }>
                                {i.t(a.label)}
                            </button>
                            {move || reason().map(|r| view! { <span class="tooltip" role="tooltip" id=why_id2.clone() data-testid="disabled-reason">{r}</span> })}
                        </span>
                    }
                })
                .collect_view()}
        </div></td>
    }
}

/// Starting an instance, confirmed before anything is sent: names the instance. Escape
/// or Cancel closes it.
#[component]
fn StartConfirm(
    instance_id: String,
    instance_name: Option<String>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i = use_i18n();
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    // Focus lands in the panel, on the harmless choice.
    Effect::new(move |_| {
        if let Some(b) = cancel_ref.get() {
            let _ = b.focus();
        }
    });
    let named = match &instance_name {
        Some(n) => format!("{n} ({instance_id})"),
        None => instance_id.clone(),
    };
    view! {
        <section class="confirm start-confirm" role="dialog" aria-modal="false" aria-labelledby="start-confirm-title"
            data-testid="start-confirm" on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <h2 id="start-confirm-title">{i.t(Msg::StartConfirmTitle)}</h2>
            <p>
                {i.t(Msg::StartConfirmText)} " "
                <strong data-testid="start-confirm-instance">{named}</strong>
            </p>
            <div class="actions">
                <button type="button" class="primary" data-testid="start-confirm-go" on:click=move |_| on_confirm.run(())>
                    {i.t(Msg::StartInstance)}
                </button>
                <button type="button" node_ref=cancel_ref data-testid="start-confirm-cancel" on:click=move |_| on_cancel.run(())>
                    {i.t(Msg::CancelOp)}
                </button>
            </div>
        </section>
    }
}
