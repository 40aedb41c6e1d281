//! `/{tencent,alibaba}/batch`: pick several instances or disks, each with a snapshot
//! (default: its newest ready one), confirm once, and run them through a queue that keeps
//! to the provider's rate. Each item is an operation of its own: failures do not stop the
//! rest, and "Retry failed" runs only those again.

use crate::api::{self, ApiError};
use crate::batch::{self, BatchSpec, Target, Verdict};
use crate::i18n::{Msg, use_i18n};
use crate::inventory::{self, Cursor};
use crate::ops::{self, OpStatus, Plan, use_ops};
use crate::restore;
use crate::views::inventory::ErrorPanel;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rewind_cloud::Provider;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Every row of an inventory view, following the provider's paging.
pub async fn load_all(
    provider: Provider,
    view: &str,
    profile: &str,
    region: &str,
) -> Result<Vec<Value>, ApiError> {
    let Some(spec) = inventory::find(provider, Some(view)) else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    let mut cursor = Cursor::Start;
    while cursor != Cursor::Done {
        let answer = api::call(profile, region, spec.action, spec.page_params(&cursor)).await?;
        let (page, next) = spec.read_page(&answer.data, rows.len() as u64);
        rows.extend(page);
        cursor = next;
    }
    Ok(rows)
}

/// The batch's targets with their snapshots (for ECS, with the disks' instances, whose
/// state the pre-flight reads), as the cloud has them now.
async fn load_targets(
    spec: BatchSpec,
    profile: &str,
    region: &str,
) -> Result<Vec<Target>, ApiError> {
    let (a, b) = match spec.provider {
        Provider::Tencent => ("instances", "snapshots"),
        _ => ("disks", "snapshots"),
    };
    let rows = load_all(spec.provider, a, profile, region).await?;
    let snaps = load_all(spec.provider, b, profile, region).await?;
    Ok(match spec.provider {
        Provider::Tencent => batch::lighthouse_targets(&rows, &snaps),
        _ => {
            let instances = load_all(spec.provider, "instances", profile, region).await?;
            batch::ecs_targets(&rows, &instances, &snaps)
        }
    })
}

/// One queued item and, once started, its operation.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    target: String,
    snapshot: String,
    op: Option<u64>,
}

#[component]
pub fn BatchPage(spec: BatchSpec, profile: String, region: String) -> impl IntoView {
    let i = use_i18n();
    let ops = use_ops();
    let targets = RwSignal::new(None::<Result<Vec<Target>, ApiError>>);
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let choice = RwSignal::new(BTreeMap::<String, String>::new());
    let items = RwSignal::new(Vec::<Item>::new());
    let typed = RwSignal::new(String::new());
    // Set when the live re-check before a start could not read the cloud.
    let start_error = RwSignal::new(None::<ApiError>);
    let checking = RwSignal::new(false);
    {
        let (profile, region) = (profile.clone(), region.clone());
        spawn_local(async move {
            let result = load_targets(spec, &profile, &region).await;
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
    let title = restore::form(spec.kind).title;
    let target_for = {
        let (profile, region) = (profile.clone(), region.clone());
        move || ops::Target {
            provider: spec.provider,
            profile: profile.clone(),
            region: region.clone(),
        }
    };
    // The queue: starts the items without an operation, at most `per_sec` per second.
    let run_queue = {
        let target_for = target_for.clone();
        move || {
            let target = target_for();
            spawn_local(async move {
                let mut starts: Vec<f64> = Vec::new();
                // Taken up front: the queue finishes what the user confirmed even if they
                // leave the page (each item is an operation, listed under Operations).
                let pending: Vec<(usize, Item)> = items
                    .try_with_untracked(|all| {
                        all.iter()
                            .enumerate()
                            .filter(|(_, it)| it.op.is_none())
                            .map(|(n, it)| (n, it.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                for (n, item) in pending {
                    let wait = batch::pace_delay_ms(&starts, js_sys::Date::now(), spec.per_sec);
                    if wait > 0.0 {
                        ops::sleep_ms(wait.ceil() as u32).await;
                    }
                    starts.push(js_sys::Date::now());
                    let id = ops::start(
                        ops,
                        target.clone(),
                        title.both(),
                        item.target.clone(),
                        Plan::Form {
                            kind: spec.kind,
                            params: batch::params(spec.kind, &item.target, &item.snapshot),
                            snapshot_first: false,
                            start_after: None,
                        },
                    );
                    items.try_update(|all| {
                        if let Some(it) = all.get_mut(n) {
                            it.op = Some(id);
                        }
                    });
                }
            });
        }
    };
    let status_of = move |it: &Item| -> Option<OpStatus> {
        it.op.and_then(|id| {
            ops.0
                .with(|all| all.iter().find(|o| o.id == id).map(|o| o.status))
        })
    };
    let counts = Memo::new(move |_| {
        items.with(|all| {
            let mut c = (0usize, 0usize, 0usize);
            for it in all {
                match status_of(it) {
                    Some(OpStatus::Succeeded) => c.0 += 1,
                    Some(OpStatus::Failed) => c.1 += 1,
                    _ => c.2 += 1,
                }
            }
            c
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
    // a start: the queue starts only if every selected item still passes.
    let recheck = {
        let run_queue = run_queue.clone();
        let (profile, region) = (profile.clone(), region.clone());
        move |then_start: bool| {
            checking.set(true);
            start_error.set(None);
            let run_queue = run_queue.clone();
            let (profile, region) = (profile.clone(), region.clone());
            spawn_local(async move {
                let fresh = load_targets(spec, &profile, &region).await;
                checking.try_set(false);
                match fresh {
                    Err(e) => {
                        start_error.try_set(Some(e));
                    }
                    Ok(list) => {
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
                                    target: t.clone(),
                                    snapshot: s.clone(),
                                    op: None,
                                })
                            })
                            .collect();
                        items.set(list);
                        typed.set(String::new());
                        run_queue();
                    }
                }
            });
        }
    };
    let start = {
        let recheck = recheck.clone();
        move |_| recheck(true)
    };
    let retry = Callback::new(move |_: ()| {
        items.update(|all| {
            for it in all.iter_mut() {
                if status_of(it) == Some(OpStatus::Failed) {
                    it.op = None;
                }
            }
        });
        run_queue();
    });
    let ready_count = Memo::new(move |_| {
        let chosen = choice.get();
        selected.with(|s| s.iter().filter(|t| chosen.contains_key(*t)).count())
    });
    view! {
        <section class="batch" data-testid="batch">
            <h2>{i.t(Msg::BatchTitle)}</h2>
            <p class="muted">{i.t(Msg::BatchIntro)} " " {spec.per_sec} " / s."</p>
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
                        {i.t(Msg::BatchPreflightBlocked)} ": " {move || failing.get()} " "
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
                    <button type="button" data-testid="batch-retry" on:click=move |_| retry.run(())
                        disabled=move || { let (_, f, r) = counts.get(); f == 0 || r > 0 }>
                        {i.t(Msg::RetryFailed)}
                    </button>
                    <div class="table-wrap">
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
                                            let op = it.op.and_then(|id| ops.get(id));
                                            let (class, word) = match op.as_ref().map(|o| o.status) {
                                                None => ("queued", Msg::Queued),
                                                Some(OpStatus::Running) => ("running", Msg::OpRunning),
                                                Some(OpStatus::Succeeded) => ("succeeded", Msg::OpSucceeded),
                                                Some(OpStatus::Failed) => ("failed", Msg::OpFailed),
                                            };
                                            let code = op.as_ref().and_then(|o| match &o.error {
                                                Some(ApiError::Refused(f)) => f.provider_code.clone().or(Some(f.code.clone())),
                                                Some(other) => Some(other.to_string()),
                                                None => o.failure.clone(),
                                            });
                                            let rid = op.as_ref().and_then(|o| {
                                                o.steps.iter().find_map(|s| s.request_id.clone()).or_else(|| match &o.error {
                                                    Some(ApiError::Refused(f)) => f.request_id.clone(),
                                                    _ => None,
                                                })
                                            });
                                            view! {
                                                <tr data-testid="batch-item" data-target=it.target.clone() data-status=class>
                                                    <td><code>{it.target.clone()}</code></td>
                                                    <td><code>{it.snapshot.clone()}</code></td>
                                                    <td><span class=format!("badge {class}")>{i.t(word)}</span></td>
                                                    <td>{code.map(|c| view! { <code data-testid="batch-item-code">{c}</code> })}</td>
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
    list: Vec<Target>,
    selected: RwSignal<BTreeSet<String>>,
    choice: RwSignal<BTreeMap<String, String>>,
) -> impl IntoView {
    let i = use_i18n();
    let all_ids: Vec<String> = list
        .iter()
        .filter(|t| t.default_snapshot().is_some() && spec.unavailable(t).is_none())
        .map(|t| t.id.clone())
        .collect();
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
        <div class="table-wrap">
            <table data-testid="batch-targets">
                <thead>
                    <tr>
                        <th scope="col">
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
                                    <td>
                                        <input type="checkbox" data-testid="batch-select" aria-label=select_label disabled=!usable
                                            prop:checked=move || selected.with(|s| s.contains(&id1))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                selected.update(|s| {
                                                    if on { s.insert(id2.clone()); } else { s.remove(&id2); }
                                                });
                                            } />
                                    </td>
                                    <td><code>{t.id.clone()}</code></td>
                                    <td>{t.name.clone()}</td>
                                    <td class="state-cell">
                                        <span class="state">{t.state.clone()}</span>
                                        {blocked.map(|why| view! {
                                            <span class="muted reason" data-testid="batch-blocked">" · " {i.text(why.reason())}</span>
                                        })}
                                    </td>
                                    <td>
                                        {if t.default_snapshot().is_some() {
                                            view! {
                                                <select aria-label=snap_label data-testid="batch-snapshot"
                                                    on:change=move |ev| {
                                                        let v = event_target_value(&ev);
                                                        choice.update(|c| { c.insert(id3.clone(), v); });
                                                    }>
                                                    {t.snapshots.iter().filter(|s| s.ready).enumerate().map(|(n, s)| view! {
                                                        <option value=s.id.clone() selected=current.as_ref().map_or(n == 0, |c| *c == s.id)>
                                                            {format!("{} · {} · {}", s.id, s.name, s.created)}
                                                        </option>
                                                    }).collect_view()}
                                                </select>
                                            }.into_any()
                                        } else {
                                            view! { <span class="muted">{i.t(Msg::NoReadySnapshot)}</span> }.into_any()
                                        }}
                                    </td>
                                    <td data-testid="batch-preflight" data-status=move || match verdict.get() {
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
