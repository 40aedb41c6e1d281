//! `/{tencent,alibaba}/batch`: pick several instances or disks, each with a snapshot
//! (default: its newest ready one, never one of Rewind's own safety snapshots), confirm
//! once, and run them as one batch operation whose machine keeps to the provider's rate.
//! Each item advances on its own: failures do not stop the rest, and "Retry failed"
//! runs only those again, as a new batch.

use crate::api::RequestError;
use crate::batch::{self, BatchSpec, Candidate, Pick, Verdict};
use crate::i18n::{Msg, use_i18n};
use crate::inventory;
use crate::ops::{Ops, use_ops};
use crate::restore;
use crate::transport::{Transport, use_transport};
use crate::views::error::ErrorPanel;
use crate::views::operations::{
    CancelButton, Follow, failure_code, item_failure, item_request_id, item_status,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use rewind_cloud::Provider;
use rewind_cloud::validate::ValidateOptions;
use rewind_cloud::wire::operations::OpState;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Every row of an inventory view, following the provider's paging.
pub async fn load_all(
    transport: Transport,
    provider: Provider,
    view: &str,
    profile: &str,
    region: &str,
) -> Result<Vec<Value>, RequestError> {
    let Some(spec) = inventory::find(provider, Some(view)) else {
        return Ok(Vec::new());
    };
    match transport.read_list(spec, profile, region, None, None).await {
        (rows, None) => Ok(rows),
        (_, Some(e)) => Err(e),
    }
}

/// The batch's targets with their snapshots (for ECS, with the disks' instances, whose
/// state the pre-flight reads), as the cloud has them now.
async fn load_targets(
    transport: Transport,
    spec: BatchSpec,
    profile: &str,
    region: &str,
) -> Result<Vec<Candidate>, RequestError> {
    let rows = load_all(
        transport,
        spec.provider,
        spec.target_view(),
        profile,
        region,
    )
    .await?;
    let snaps = load_all(transport, spec.provider, "snapshots", profile, region).await?;
    Ok(match spec.provider {
        Provider::Tencent => batch::lighthouse_targets(&rows, &snaps),
        _ => {
            let instances =
                load_all(transport, spec.provider, "instances", profile, region).await?;
            batch::ecs_targets(&rows, &instances, &snaps)
        }
    })
}

/// One confirmed item and, once started, the batch operation and index it runs as.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    pick: Pick,
    run: Option<(String, usize)>,
}

/// Where an item is: `None` until its batch operation is known.
fn item_state(ops: Ops, it: &Item) -> Option<(&'static str, Msg)> {
    let (id, n) = it.run.as_ref()?;
    ops.get(id)
        .and_then(|v| v.task.machines().get(*n).map(item_status))
}

#[component]
pub fn BatchPage(spec: BatchSpec, profile: String, region: String) -> impl IntoView {
    let i = use_i18n();
    let ops = use_ops();
    let transport = use_transport();
    let targets = RwSignal::new(None::<Result<Vec<Candidate>, RequestError>>);
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let choice = RwSignal::new(BTreeMap::<String, String>::new());
    let items = RwSignal::new(Vec::<Item>::new());
    let typed = RwSignal::new(String::new());
    // Set when the live re-check before a start could not read the cloud, or the batch
    // was refused.
    let start_error = RwSignal::new(None::<RequestError>);
    let checking = RwSignal::new(false);
    {
        let (profile, region) = (profile.clone(), region.clone());
        spawn_local(async move {
            let result = load_targets(transport, spec, &profile, &region).await;
            if let Ok(list) = &result {
                // try_: the page may be gone by the time the inventory arrives.
                choice.try_set(
                    list.iter()
                        .filter_map(|t| t.default_snapshot().map(|s| (t.id.clone(), s.id.clone())))
                        .collect(),
                );
            }
            targets.try_set(Some(result));
        });
    }
    // Runs the items without an operation as one batch operation.
    let run_pending = {
        let (profile, region) = (profile.clone(), region.clone());
        move || {
            let pending: Vec<(usize, Pick)> = items.with_untracked(|all| {
                all.iter()
                    .enumerate()
                    .filter(|(_, it)| it.run.is_none())
                    .map(|(n, it)| (n, it.pick.clone()))
                    .collect()
            });
            if pending.is_empty() {
                return;
            }
            let picks: Vec<Pick> = pending.iter().map(|(_, p)| p.clone()).collect();
            let plan = batch::plan(spec.kind, &picks);
            let (profile, region) = (profile.clone(), region.clone());
            checking.set(true);
            spawn_local(async move {
                let result = ops
                    .start(&profile, &region, plan, ValidateOptions::default())
                    .await;
                checking.try_set(false);
                match result {
                    Ok(id) => {
                        items.try_update(|all| {
                            for (k, (n, _)) in pending.iter().enumerate() {
                                if let Some(it) = all.get_mut(*n) {
                                    it.run = Some((id.clone(), k));
                                }
                            }
                        });
                    }
                    Err(e) => {
                        start_error.try_set(Some(e));
                    }
                }
            });
        }
    };
    let counts = Memo::new(move |_| {
        items.with(|all| {
            let mut c = (0usize, 0usize, 0usize);
            for it in all {
                match item_state(ops, it).map(|s| s.0) {
                    Some("succeeded") => c.0 += 1,
                    Some("failed" | "cancelled") => c.1 += 1,
                    _ => c.2 += 1,
                }
            }
            c
        })
    });
    // The batch operations of this page (the first, and one per retry).
    let runs = Memo::new(move |_| {
        items.with(|all| {
            let mut ids: Vec<String> = Vec::new();
            for (id, _) in all.iter().filter_map(|it| it.run.as_ref()) {
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
            ids
        })
    });
    // Selected targets whose chosen snapshot fails the pre-flight: the batch waits until
    // the user picks another snapshot or leaves them out.
    let failing = Memo::new(move |_| {
        let chosen = choice.get();
        selected.with(|sel| {
            targets.with(|t| match t {
                Some(Ok(list)) => list
                    .iter()
                    .filter(|t| sel.contains(&t.id))
                    .filter(|t| {
                        chosen.get(&t.id).is_some_and(|snap| {
                            matches!(
                                batch::verdict(&batch::preflight(spec.kind, t, snap)),
                                Verdict::Fail(_)
                            )
                        })
                    })
                    .count(),
                _ => 0,
            })
        })
    });
    // The pre-flight once more on the state the cloud has now ("Check again"), and before
    // a start: the batch starts only if every selected item still passes.
    let recheck = {
        let run_pending = run_pending.clone();
        let (profile, region) = (profile.clone(), region.clone());
        move |then_start: bool| {
            checking.set(true);
            start_error.set(None);
            let run_pending = run_pending.clone();
            let (profile, region) = (profile.clone(), region.clone());
            spawn_local(async move {
                let fresh = load_targets(transport, spec, &profile, &region).await;
                checking.try_set(false);
                match fresh {
                    Err(e) => {
                        start_error.try_set(Some(e));
                    }
                    Ok(list) => {
                        let instances: BTreeMap<String, Option<String>> = list
                            .iter()
                            .map(|t| (t.id.clone(), batch::attached_instance(t)))
                            .collect();
                        targets.try_set(Some(Ok(list)));
                        if !then_start || failing.try_get_untracked().unwrap_or(1) > 0 {
                            return;
                        }
                        let chosen = choice.get_untracked();
                        let list: Vec<Item> = selected
                            .get_untracked()
                            .into_iter()
                            .filter_map(|t| {
                                chosen.get(&t).map(|s| Item {
                                    pick: Pick {
                                        instance: instances.get(&t).cloned().flatten(),
                                        target: t.clone(),
                                        snapshot: s.clone(),
                                    },
                                    run: None,
                                })
                            })
                            .collect();
                        items.set(list);
                        typed.set(String::new());
                        run_pending();
                    }
                }
            });
        }
    };
    let start = {
        let recheck = recheck.clone();
        move |_| recheck(true)
    };
    let retry = {
        let run_pending = run_pending.clone();
        Callback::new(move |_: ()| {
            items.update(|all| {
                for it in all.iter_mut() {
                    if matches!(
                        item_state(ops, it).map(|s| s.0),
                        Some("failed" | "cancelled")
                    ) {
                        it.run = None;
                    }
                }
            });
            start_error.set(None);
            run_pending();
        })
    };
    let ready_count = Memo::new(move |_| {
        let chosen = choice.get();
        selected.with(|s| s.iter().filter(|t| chosen.contains_key(*t)).count())
    });
    view! {
        <section class="batch" data-testid="batch">
            <h2>{i.t(Msg::BatchTitle)}</h2>
            <p class="muted">{i.t(Msg::BatchIntro)} " " {spec.per_sec} {i.t(Msg::PerSecond)}</p>
            {move || match targets.get() {
                None => view! { <p class="muted" role="status">{i.t(Msg::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e /> }.into_any(),
                Some(Ok(list)) => view! { <TargetTable spec=spec list=list selected=selected choice=choice /> }.into_any(),
            }}
            <div class="confirm" data-testid="batch-confirm">
                <p class="danger">{i.t(Msg::DataLossWarning)}</p>
                <Show when=move || spec.provider == Provider::Tencent>
                    <p class="muted">{i.t(Msg::BatchForcedShutdown)}</p>
                </Show>
                <div class="field">
                    <label for="batch-typed">
                        {i.t(Msg::BatchTypeCount)} " " <code data-testid="batch-count">{move || ready_count.get()}</code>
                    </label>
                    <input id="batch-typed" type="text" data-testid="batch-confirm-input" autocomplete="off"
                        prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                </div>
                <Show when=move || { failing.get() > 0 }>
                    <p class="error" role="alert" data-testid="batch-preflight-blocked">
                        {i.t(Msg::BatchPreflightBlocked)} {i.t(Msg::Colon)} {move || failing.get()} " "
                        <button type="button" data-testid="batch-recheck" disabled=move || checking.get()
                            on:click={
                                let recheck = recheck.clone();
                                move |_| recheck(false)
                            }>
                            {i.t(Msg::CheckAgain)}
                        </button>
                    </p>
                </Show>
                <button type="button" class="danger" data-testid="batch-start"
                    disabled=move || {
                        let n = ready_count.get();
                        n == 0 || checking.get() || failing.get() > 0 || !restore::confirmed(&typed.get(), &n.to_string()) || counts.get().2 > 0
                    }
                    aria-busy=move || checking.get().to_string()
                    on:click=start>
                    {move || if checking.get() { i.t(Msg::CheckingLiveState)() } else { i.t(Msg::BatchStart)() }}
                </button>
                {move || start_error.get().map(|e| view! { <ErrorPanel error=e /> })}
            </div>
            <Show when=move || items.with(|v| !v.is_empty())>
                <section class="batch-results" aria-live="polite">
                    <h3>{i.t(Msg::BatchResults)}</h3>
                    <p data-testid="batch-summary">
                        {move || {
                            let (ok, failed, rest) = counts.get();
                            format!("{ok} {} · {failed} {} · {rest} {}", i.t(Msg::OpSucceeded)(), i.t(Msg::OpFailed)(), i.t(Msg::OpRunning)())
                        }}
                    </p>
                    <For each=move || runs.get() key=|id| id.clone() let:id>
                        <Follow id=id.clone() />
                        <Show when={
                            let id = id.clone();
                            move || ops.state_of(&id) == Some(OpState::Running)
                        }>
                            <CancelButton id=id.clone() />
                        </Show>
                    </For>
                    <button type="button" data-testid="batch-retry" on:click=move |_| retry.run(())
                        disabled=move || { let (_, f, r) = counts.get(); f == 0 || r > 0 }>
                        {i.t(Msg::RetryFailed)}
                    </button>
                    <div class="table-wrap" tabindex="0" role="region" aria-label=i.t(Msg::BatchResults)>
                        <table>
                            <thead>
                                <tr>
                                    <th scope="col">{i.t(Msg::ColTarget)}</th>
                                    <th scope="col">{i.t(Msg::FieldSnapshotId)}</th>
                                    <th scope="col">{i.t(Msg::ColOutcome)}</th>
                                    <th scope="col">{i.t(Msg::ErrorCode)}</th>
                                    <th scope="col">{i.t(Msg::RequestId)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {move || {
                                    items
                                        .get()
                                        .into_iter()
                                        .map(|it| {
                                            let machine = it.run.as_ref().and_then(|(id, n)| {
                                                ops.get(id).and_then(|v| v.task.machines().get(*n).cloned())
                                            });
                                            let (class, word) = machine.as_ref().map(item_status).unwrap_or(("queued", Msg::Queued));
                                            let failure = machine.as_ref().and_then(item_failure);
                                            let rid = machine.as_ref().and_then(item_request_id);
                                            view! {
                                                <tr data-testid="batch-item" data-target=it.pick.target.clone() data-status=class>
                                                    <td><code>{it.pick.target.clone()}</code></td>
                                                    <td><code>{it.pick.snapshot.clone()}</code></td>
                                                    <td><span class=format!("badge {class}")>{i.t(word)}</span></td>
                                                    <td>{failure.map(|f| view! {
                                                        <code data-testid="batch-item-code">{failure_code(&f)}</code>
                                                        " " <span class="muted"><crate::views::prose::Prose text=Signal::derive(i.text(f.message)) /></span>
                                                    })}</td>
                                                    <td>{rid.map(|r| view! { <code>{r}</code> })}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </tbody>
                        </table>
                    </div>
                </section>
            </Show>
        </section>
    }
}

/// The targets with a checkbox and a snapshot choice each.
#[component]
fn TargetTable(
    spec: BatchSpec,
    list: Vec<Candidate>,
    selected: RwSignal<BTreeSet<String>>,
    choice: RwSignal<BTreeMap<String, String>>,
) -> impl IntoView {
    let i = use_i18n();
    let all_ids: Vec<String> = list
        .iter()
        .filter(|t| t.default_snapshot().is_some() && spec.unavailable(t).is_none())
        .map(|t| t.id.clone())
        .collect();
    // The inventory view the targets come from names their states (in Chinese too).
    let list_spec = inventory::find(spec.provider, Some(spec.target_view()));
    // Snapshot ages are as of when the table was drawn.
    let now = crate::clock::now_ms();
    let all_count = all_ids.len();
    let toggle_all = move |ev: leptos::ev::Event| {
        let next: BTreeSet<String> = if event_target_checked(&ev) {
            all_ids.iter().cloned().collect()
        } else {
            BTreeSet::new()
        };
        selected.set(next);
    };
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=i.t(Msg::BatchTitle)>
            <table data-testid="batch-targets">
                <thead>
                    <tr>
                        <th scope="col" data-label=i.t(Msg::SelectAll)>
                            <input
                                type="checkbox"
                                aria-label=i.t(Msg::SelectAll)
                                prop:checked=move || { all_count != 0 && selected.with(|s| s.len() == all_count) }
                                on:change=toggle_all
                            />
                        </th>
                        <th scope="col">{i.t(Msg::ColId)}</th>
                        <th scope="col">{i.t(Msg::ColName)}</th>
                        <th scope="col">{i.t(Msg::ColState)}</th>
                        <th scope="col">{i.t(Msg::FieldSnapshotId)}</th>
                        <th scope="col">{i.t(Msg::ColPreflight)}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|t| {
                            let id = t.id.clone();
                            let blocked = spec.unavailable(&t);
                            let usable = t.default_snapshot().is_some() && blocked.is_none();
                            let select_label = format!("{} {}", i.now(Msg::Select), t.id);
                            let snap_label = format!("{} {}", i.now(Msg::FieldSnapshotId), t.id);
                            let (id1, id2, id3, id4) = (id.clone(), id.clone(), id.clone(), id.clone());
                            // The snapshot chosen so far (the table is drawn again after a live re-check).
                            let current = choice.with_untracked(|c| c.get(&id).cloned());
                            // The form's pre-flight for the snapshot chosen now.
                            let verdict = {
                                let t = t.clone();
                                Memo::new(move |_| {
                                    choice.with(|c| c.get(&id4).map(|snap| batch::verdict(&batch::preflight(spec.kind, &t, snap))))
                                })
                            };
                            view! {
                                <tr data-id=id.clone()>
                                    <td class="select-cell">
                                        <input type="checkbox" data-testid="batch-select" aria-label=select_label disabled=!usable
                                            prop:checked=move || selected.with(|s| s.contains(&id1))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                selected.update(|s| {
                                                    if on { s.insert(id2.clone()); } else { s.remove(&id2); }
                                                });
                                            } />
                                    </td>
                                    <td data-label=i.t(Msg::ColId)><code>{t.id.clone()}</code></td>
                                    <td data-label=i.t(Msg::ColName)>{t.name.clone()}</td>
                                    <td class="state-cell" data-label=i.t(Msg::ColState)>
                                        <span class="state" title=t.state.clone()>{
                                            let raw = t.state.clone();
                                            move || list_spec.map_or_else(|| raw.clone(), |l| inventory::state_label(l, &raw, i.lang.get()))
                                        }</span>
                                        {blocked.map(|why| view! {
                                            <span class="muted reason" data-testid="batch-blocked">" · " {i.text(why.reason())}</span>
                                        })}
                                    </td>
                                    <td class="snapshot-cell" data-label=i.t(Msg::FieldSnapshotId)>
                                        {if let Some(default) = t.default_snapshot().map(|s| s.id.clone()) {
                                            view! {
                                                <select aria-label=snap_label data-testid="batch-snapshot"
                                                    on:change=move |ev| {
                                                        let v = event_target_value(&ev);
                                                        choice.update(|c| { c.insert(id3.clone(), v); });
                                                    }>
                                                    {t.snapshots.iter().map(|s| {
                                                        let lang = i.lang.get_untracked();
                                                        let mut label = format!("{} · {} · {}", s.id, s.name, when_text(&s.created, now, lang));
                                                        // Not ready: shown, not pickable, with its state.
                                                        if !s.ready {
                                                            label.push_str(&format!(" · {}", s.state));
                                                        }
                                                        if s.is_safety() {
                                                            label.push_str(&format!(" · {}", Msg::PickerByRewind.text(lang)));
                                                        }
                                                        // One the pre-flight already refuses says why, before it is picked.
                                                        if s.ready && let Verdict::Fail(why) = batch::verdict(&batch::preflight(spec.kind, &t, &s.id)) {
                                                            label.push_str(&format!(" · ✗ {}", why.get(lang)));
                                                        }
                                                        view! {
                                                            <option value=s.id.clone() disabled=!s.ready selected=current.as_ref().unwrap_or(&default) == &s.id>
                                                                {label}
                                                            </option>
                                                        }
                                                    }).collect_view()}
                                                </select>
                                            }.into_any()
                                        } else {
                                            view! { <span class="muted">{i.t(Msg::NoReadySnapshot)}</span> }.into_any()
                                        }}
                                    </td>
                                    <td data-testid="batch-preflight" data-label=i.t(Msg::ColPreflight) data-status=move || match verdict.get() {
                                        Some(Verdict::Ready) => "pass",
                                        Some(Verdict::Warn(_)) => "warn",
                                        Some(Verdict::Fail(_)) => "fail",
                                        None => "",
                                    }>
                                        {move || match verdict.get() {
                                            Some(Verdict::Ready) => view! { <span class="check-pass">"✓ " {i.t(Msg::PreflightReady)}</span> }.into_any(),
                                            Some(Verdict::Warn(t)) => view! { <span class="check-warn">"⚠ " {i.text(t)}</span> }.into_any(),
                                            Some(Verdict::Fail(t)) => view! { <span class="check-fail">"✗ " {i.text(t)}</span> }.into_any(),
                                            None => ().into_any(),
                                        }}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A snapshot's creation time as a line of text (a `<select>` option holds no markup):
/// local time with its zone, then its age; the cloud's text when it cannot be read.
fn when_text(created: &str, now: u64, lang: rewind_cloud::Lang) -> String {
    use crate::clock;
    match clock::parse_cloud_time(created) {
        Some(ms) => format!(
            "{} ({})",
            clock::local_time(ms, clock::utc_offset_min(ms)),
            clock::age(now, ms, lang)
        ),
        None => created.to_string(),
    }
}
