//! Operations: the progress of one (its machine's steps, RequestIds, per-desktop
//! sub-jobs or batch items, elapsed time, outcome, Cancel and Undo) and the operations
//! page, which lists the server's operations (portal mode) or this tab's (relay mode),
//! and the proxy's audit log of mutating calls.

use crate::api::RequestError;
use crate::clock;
use crate::i18n::{Msg, use_i18n};
use crate::ops::use_ops;
use crate::restore;
use crate::router::Link;
use crate::views::error::ErrorPanel;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rewind_cloud::operation::{
    Failure, FailureKind, Machine, Next, Operation, Power, PowerPlan, StepState, TaskNext,
};
use rewind_cloud::wire::operations::{OpState, OperationView};

/// A ticking clock for elapsed times (one per view that shows them).
fn clock() -> ReadSignal<u64> {
    let (now, set_now) = signal(clock::now_ms());
    let handle = set_interval_with_handle(
        move || set_now.set(clock::now_ms()),
        std::time::Duration::from_millis(1000),
    )
    .ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    now
}

/// The badge class and word of an operation's state.
pub fn state_badge(state: OpState) -> (&'static str, Msg) {
    match state {
        OpState::Running => ("running", Msg::OpRunning),
        OpState::Succeeded => ("succeeded", Msg::OpSucceeded),
        OpState::Partial => ("partial", Msg::OpPartial),
        OpState::Failed => ("failed", Msg::OpFailed),
        OpState::Cancelled => ("cancelled", Msg::OpCancelled),
    }
}

/// What an operation is called: its form's title, or the batch's.
pub fn title(view: &OperationView) -> Msg {
    let first = view.task.machines().first().map(Machine::plan);
    match first {
        _ if view.kind == "Batch" => Msg::BatchTitle,
        Some(Operation::LhRollback(_)) => Msg::FormLhRollback,
        Some(Operation::LhCreateSnapshot(_)) => Msg::FormLhCreateSnapshot,
        Some(Operation::EcsResetDisk(_)) => Msg::FormEcsResetDisk,
        Some(Operation::EcsCreateSnapshot(_)) => Msg::FormEcsCreateSnapshot,
        Some(Operation::WsRestore(_)) => Msg::FormWsRestore,
        Some(
            Operation::LhPower(PowerPlan {
                power: Power::Start,
                ..
            })
            | Operation::EcsPower(PowerPlan {
                power: Power::Start,
                ..
            }),
        ) => Msg::StartInstance,
        Some(_) | None => Msg::StopInstance,
    }
}

/// Where one batch item is: `queued` until its first step starts.
pub fn item_status(m: &Machine) -> (&'static str, Msg) {
    match m.outcome() {
        Some(Next::Done(_)) => ("succeeded", Msg::OpSucceeded),
        Some(Next::Failed(Failure {
            kind: FailureKind::Cancelled,
            ..
        })) => ("cancelled", Msg::OpCancelled),
        Some(_) => ("failed", Msg::OpFailed),
        None if m.steps().all(|s| s.state == StepState::Pending) => ("queued", Msg::Queued),
        None => ("running", Msg::OpRunning),
    }
}

/// The short code of a failure: the cloud's error code when it refused, else the kind.
pub fn failure_code(f: &Failure) -> String {
    match &f.kind {
        FailureKind::Refused { code, .. } => code.clone(),
        FailureKind::RetriesExhausted { last, .. } => last.clone(),
        FailureKind::OutcomeUnknown { .. } => "OutcomeUnknown".into(),
        FailureKind::InvalidParams { .. } => "InvalidParams".into(),
        FailureKind::Partial { failed, total } => format!("{failed}/{total}"),
        FailureKind::State => "State".into(),
        FailureKind::Deadline => "Deadline".into(),
        FailureKind::Cancelled => "Cancelled".into(),
        FailureKind::Internal => "Internal".into(),
    }
}

/// The failure of a finished item, if it failed.
pub fn item_failure(m: &Machine) -> Option<Failure> {
    match m.outcome() {
        Some(Next::Failed(f)) => Some(f),
        _ => None,
    }
}

/// The first RequestId an item's state-changing calls got.
pub fn item_request_id(m: &Machine) -> Option<String> {
    m.steps().find_map(|s| s.request_ids.first().cloned())
}

/// The snapshot a rollback item rolls back to.
pub fn item_snapshot(m: &Machine) -> String {
    match m.plan() {
        Operation::LhRollback(p) => p.snapshot_id.clone(),
        Operation::EcsResetDisk(p) => p.snapshot_id.clone(),
        _ => String::new(),
    }
}

/// One operation's progress, updated live. `follow`: watch it closely (its own event
/// stream) while shown: for the form or batch that started it.
#[component]
pub fn OpView(id: String, #[prop(optional)] follow: bool) -> impl IntoView {
    let i = use_i18n();
    let ops = use_ops();
    if follow {
        ops.follow(id.clone());
    }
    let op = {
        let id = id.clone();
        Memo::new(move |_| ops.get(&id))
    };
    let state = Memo::new(move |_| op.with(|o| o.as_ref().map(|o| o.state)));
    let running = move || state.get() == Some(OpState::Running);
    let waiting = {
        let id = id.clone();
        move || ops.waiting_for_keys(&id)
    };
    let cancel_id = id.clone();
    view! {
        <section class="op" data-testid="op" data-op-id=id.clone()
            data-status=move || state.get().map(|s| state_badge(s).0).unwrap_or("loading")
            aria-live="polite">
            {move || match op.get() {
                None => view! { <p class="muted">{i.t(Msg::Loading)}</p> }.into_any(),
                Some(v) => view! { <OpBody view=v /> }.into_any(),
            }}
            <Show when=waiting>
                <p class="warning" data-testid="op-waiting-keys">{i.t(Msg::WaitingForKeys)}</p>
            </Show>
            <Show when=running>
                <CancelButton id=cancel_id.clone() />
            </Show>
        </section>
    }
}

/// Everything of an operation that changes with it.
#[component]
fn OpBody(view: OperationView) -> impl IntoView {
    let i = use_i18n();
    let (class, word) = state_badge(view.state);
    let (created, finished) = (view.created_ms, view.finished_ms);
    // Only a running operation's time moves.
    let now = finished.is_none().then(clock);
    let elapsed = move || {
        let end = finished.or_else(|| now.map(|n| n.get())).unwrap_or(created);
        clock::elapsed(end.saturating_sub(created))
    };
    let machines = view.task.machines();
    let extra = match machines.first().map(Machine::plan) {
        Some(Operation::WsRestore(p)) if p.snapshots.len() > 1 => {
            format!(" +{}", p.snapshots.len() - 1)
        }
        _ if machines.len() > 1 => format!(" +{}", machines.len() - 1),
        _ => String::new(),
    };
    let user = (!view.user.is_empty()).then(|| view.user.clone());
    let outcome = view.task.outcome();
    let undo = match (&outcome, machines.first()) {
        (Some(TaskNext::Done(s)), Some(m)) if machines.len() == 1 => {
            restore::undo_href(m.plan(), &s.created_snapshots, &view.profile, &view.region).map(
                |href| {
                    let id = s.created_snapshots[0].clone();
                    // Named and timed by operations finished since that was recorded.
                    let taken = s.safety_snapshot.clone().filter(|t| t.id == id);
                    (id, taken, href)
                },
            )
        }
        _ => None,
    };
    let steps = view.task.steps();
    let sub_jobs = machines
        .first()
        .map(|m| m.sub_jobs().to_vec())
        .unwrap_or_default();
    let failed_subs = sub_jobs.iter().filter(|s| s.status.is_failed()).count();
    let items = (view.kind == "Batch").then(|| machines.to_vec());
    let job = machines.first().and_then(Machine::ws_job);
    // A finished Workspace restore with failed desktops: which, and a retry of only them.
    let finished = outcome.is_some();
    let failed_desktops: Vec<_> = sub_jobs
        .iter()
        .filter(|s| finished && s.status.is_failed())
        .cloned()
        .collect();
    let retry = match machines.first() {
        Some(m) if finished && machines.len() == 1 => {
            restore::retry_href(m.plan(), &sub_jobs, &view.profile, &view.region)
        }
        _ => None,
    };
    // A start or stop is named by its one step: "Stop web-2 (i-…)", the ID once.
    let heading = match machines {
        [m] if matches!(m.plan(), Operation::LhPower(_) | Operation::EcsPower(_)) => {
            m.steps().next().map(|s| s.label.clone())
        }
        _ => None,
    };
    view! {
        <h3>
            {match heading {
                Some(label) => view! { <span data-testid="op-title">{i.text(label)}</span> }.into_any(),
                None => view! {
                    <span data-testid="op-title">{i.t(title(&view))}</span> " · " <code>{view.target.clone()}</code> {extra}
                }.into_any(),
            }}
        </h3>
        <p>
            <span class=format!("badge {class}") data-testid="op-status">{i.t(word)}</span>
            " " {i.t(Msg::Elapsed)} {i.t(Msg::Colon)} <span data-testid="elapsed">{elapsed}</span>
            {user.map(|u| view! { " · " {i.t(Msg::StartedBy)} {i.t(Msg::Colon)} <strong data-testid="op-user">{u}</strong> })}
            " · " <span class="muted">{view.profile.clone()} " · " {view.region.clone()}</span>
            {(view.cancel_requested && view.state == OpState::Running)
                .then(|| view! { " · " <span class="muted">{i.t(Msg::CancelRequested)}</span> })}
        </p>
        <ol class="steps">
            {steps
                .into_iter()
                .map(|s| {
                    let class = match s.state {
                        StepState::Pending => "pending",
                        StepState::Running => "running",
                        StepState::Done => "done",
                        StepState::Failed => "failed",
                    };
                    view! {
                        <li class=class data-testid="step" data-state=class>
                            {i.text(s.label)}
                            {(!s.detail.is_empty()).then(|| view! { " " <span class="muted">"(" {s.detail} ")"</span> })}
                            {s.request_ids.into_iter().map(|r| view! {
                                " " <span class="muted">{i.t(Msg::RequestId)} {i.t(Msg::Colon)}</span>
                                <code data-testid="step-request-id">{r.clone()}</code>
                                <crate::views::copy::CopyButton text=r />
                            }).collect_view()}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        {job.map(|j| {
            let id = j.job_id.clone();
            let status = j.status.map(|s| s.as_str().to_string()).unwrap_or_default();
            view! {
                <p data-testid="ws-job">
                    {i.t(Msg::WsJob)} " " <code data-testid="ws-job-id">{id.clone()}</code>
                    <crate::views::copy::CopyButton text=id />
                    {(!status.is_empty()).then(|| view! {
                        " · " <span class="state" data-testid="ws-job-status">{status}</span>
                    })}
                </p>
            }
        })}
        {(!sub_jobs.is_empty()).then(|| view! {
            <p data-testid="subjob-summary">
                {sub_jobs.len()} " " {i.t(Msg::Desktops)} " · " {failed_subs} " " {i.t(Msg::FailedCount)}
            </p>
            <div class="table-wrap" tabindex="0" role="region" aria-label=i.t(Msg::WsJob)>
                <table class="subjobs">
                    <thead>
                        <tr>
                            <th scope="col">{i.t(Msg::ColDesktop)}</th>
                            <th scope="col">{i.t(Msg::ColState)}</th>
                            <th scope="col">{i.t(Msg::ColProgress)}</th>
                            <th scope="col">{i.t(Msg::ErrorCode)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {sub_jobs.into_iter().map(|s| {
                            let status = s.status.as_str().to_string();
                            let shown = status.clone();
                            let failed = s.status.is_failed();
                            view! {
                                <tr data-testid="subjob" data-status=status class:failed=failed>
                                    <td>{s.desktop}</td>
                                    <td>{shown}</td>
                                    <td>{s.process} "%"</td>
                                    <td>
                                        {s.error_code.map(|c| view! { <code data-testid="subjob-code">{c}</code> })}
                                        " " {s.fail_reason}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        {(!failed_desktops.is_empty()).then(|| view! {
            <div class="failed-desktops">
                <h4>{i.t(Msg::FailedDesktops)}</h4>
                <ul data-testid="failed-desktops">
                    {failed_desktops.into_iter().map(|s| view! {
                        <li data-testid="failed-desktop">
                            <strong>{s.desktop}</strong>
                            {s.error_code.map(|c| view! { " " <code>{c}</code> })}
                            {s.fail_reason.map(|r| view! { " " {r} })}
                        </li>
                    }).collect_view()}
                </ul>
            </div>
        })}
        {retry.map(|href| view! {
            <p><a href=href data-testid="retry-failed-desktops">{i.t(Msg::RetryFailedDesktops)}</a></p>
        })}
        {items.map(|items| view! { <ItemTable items=items /> })}
        {match outcome {
            Some(TaskNext::Done(s)) => view! {
                <p class="ok" data-testid="op-summary">{i.text(s.message)}</p>
            }.into_any(),
            Some(TaskNext::Failed(f)) => {
                let code = failure_code(&f);
                view! {
                    <p class="error" data-testid="op-failure">
                        <code data-testid="op-failure-code">{code}</code> " " <crate::views::prose::Prose text=Signal::derive(i.text(f.message)) />
                    </p>
                }.into_any()
            }
            _ => ().into_any(),
        }}
        {undo.map(|(snapshot, taken, href)| view! {
            <p class="undo" data-testid="safety-snapshot">
                {i.t(Msg::SafetySnapshotTaken)} {i.t(Msg::Colon)} <code data-testid="safety-snapshot-id">{snapshot.clone()}</code>
                <crate::views::copy::CopyButton text=snapshot />
                {taken.map(|t| {
                    let local = clock::local_time(t.taken_at_ms, clock::utc_offset_min(t.taken_at_ms));
                    view! {
                        " · " <span data-testid="safety-snapshot-name">{t.name}</span>
                        " · " <time data-testid="safety-snapshot-time" datetime=clock::iso_utc(t.taken_at_ms)>{local}</time>
                    }
                })}
                " " <a href=href data-testid="undo">{i.t(Msg::UndoRollback)}</a>
            </p>
        })}
    }
}

/// A batch's items: target, snapshot, where each is, and why one failed.
#[component]
fn ItemTable(items: Vec<Machine>) -> impl IntoView {
    let i = use_i18n();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=i.t(Msg::BatchResults)>
            <table data-testid="op-items">
                <thead>
                    <tr>
                        <th scope="col">{i.t(Msg::ColTarget)}</th>
                        <th scope="col">{i.t(Msg::FieldSnapshotId)}</th>
                        <th scope="col">{i.t(Msg::ColOutcome)}</th>
                        <th scope="col">{i.t(Msg::ErrorCode)}</th>
                    </tr>
                </thead>
                <tbody>
                    {items.iter().map(|m| {
                        let (class, word) = item_status(m);
                        let failure = item_failure(m);
                        view! {
                            <tr data-testid="op-item" data-target=m.plan().target().to_string() data-status=class>
                                <td><code>{m.plan().target().to_string()}</code></td>
                                <td><code>{item_snapshot(m)}</code></td>
                                <td><span class=format!("badge {class}")>{i.t(word)}</span></td>
                                <td>{failure.map(|f| view! { <code title=f.message.en.clone()>{failure_code(&f)}</code> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Follows a server operation closely while mounted (nothing to show).
#[component]
pub fn Follow(id: String) -> impl IntoView {
    use_ops().follow(id);
}

/// Cancel, while the operation runs; says why when it can no longer be cancelled.
#[component]
pub fn CancelButton(id: String) -> impl IntoView {
    let i = use_i18n();
    let ops = use_ops();
    let busy = RwSignal::new(false);
    let refused = RwSignal::new(None::<RequestError>);
    let cancel = move |_| {
        let id = id.clone();
        busy.set(true);
        refused.set(None);
        spawn_local(async move {
            let result = ops.cancel(&id).await;
            busy.try_set(false);
            refused.try_set(result.err());
        });
    };
    view! {
        <div class="op-cancel">
            <button type="button" data-testid="op-cancel" disabled=move || busy.get() aria-busy=move || busy.get().to_string()
                on:click=cancel>
                {i.t(Msg::CancelOp)}
            </button>
            {move || refused.get().map(|e| view! { <div data-testid="cancel-refused"><ErrorPanel error=e /></div> })}
        </div>
    }
}

/// `/operations`: the operations (the server's, or this tab's in relay mode), then the
/// audit log.
#[component]
pub fn OperationsPage() -> impl IntoView {
    let i = use_i18n();
    let ops = use_ops();
    let in_tab = move || ops.run_in_tab();
    // Portal mode: the server's operations, newest first, a page at a time.
    let next_before = RwSignal::new(None::<String>);
    let load_error = RwSignal::new(None::<RequestError>);
    let loading = RwSignal::new(false);
    let load = move |before: Option<String>| {
        loading.set(true);
        spawn_local(async move {
            let result = ops.load_page(before).await;
            loading.try_set(false);
            match result {
                Ok(next) => {
                    next_before.try_set(next);
                    load_error.try_set(None);
                }
                Err(e) => {
                    load_error.try_set(Some(e));
                }
            }
        });
    };
    load(None);
    view! {
        <section class="operations">
            <h1>{i.t(Msg::Operations)}</h1>
            <Show when=in_tab>
                <p class="notice" data-testid="ops-in-tab">{i.t(Msg::RunsInThisTab)}</p>
            </Show>
            <h2>{move || if in_tab() { i.t(Msg::ThisTab)() } else { i.t(Msg::RecentOperations)() }}</h2>
            {move || load_error.get().map(|e| view! { <ErrorPanel error=e /> })}
            <div data-testid="ops-list">
                <For each=move || ops.ids() key=|id| id.clone() let:id>
                    <OpView id=id />
                </For>
            </div>
            <Show when=move || ops.ids().is_empty() && !loading.get()>
                <p class="muted" data-testid="no-operations">
                    {move || if in_tab() { i.t(Msg::NoOperations)() } else { i.t(Msg::NoServerOperations)() }}
                </p>
            </Show>
            <Show when=move || next_before.with(Option::is_some)>
                <button type="button" data-testid="ops-older" disabled=move || loading.get()
                    on:click=move |_| load(next_before.get_untracked())>
                    {i.t(Msg::LoadOlder)}
                </button>
            </Show>
            <crate::views::audit::AuditLog />
        </section>
    }
}

/// The header's link to the operations page, with the number still running.
#[component]
pub fn OpsIndicator() -> impl IntoView {
    let i = use_i18n();
    let ops = use_ops();
    view! {
        <Link href="/operations" class="ops-link" testid="ops-link">
            {i.t(Msg::Operations)}
            {move || {
                let n = ops.running();
                (n > 0).then(|| view! { " " <span class="badge running" data-testid="ops-running">{n}</span> })
            }}
        </Link>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rewind_cloud::operation::{Answer, Operation, SafetySnapshot, Task, tencent};

    #[test]
    fn items_read_queued_running_and_refused_with_the_clouds_code() {
        let op = |i: usize| {
            Operation::LhRollback(tencent::RollbackPlan {
                instance_id: format!("lhins-{i:08}"),
                snapshot_id: format!("lhsnap-{i:08}"),
                safety_snapshot: None::<SafetySnapshot>,
                start_afterwards: false,
            })
        };
        let plan = crate::batch::plan(
            crate::restore::Kind::LhRollback,
            &[
                crate::batch::Pick {
                    target: "lhins-00000001".into(),
                    snapshot: "lhsnap-00000001".into(),
                    instance: None,
                },
                crate::batch::Pick {
                    target: "lhins-00000002".into(),
                    snapshot: "lhsnap-00000002".into(),
                    instance: None,
                },
            ],
        );
        assert_eq!(plan.operations()[0], &op(1));
        let mut t = Task::new("b", plan, Default::default()).unwrap();
        let TaskNext::Send { item, .. } = t.poll(0) else {
            panic!()
        };
        assert_eq!(item_status(&t.machines()[item]).0, "running");
        assert_eq!(item_status(&t.machines()[1 - item]).0, "queued");
        t.on_answer(
            item,
            Answer::CloudError {
                code: "UnauthorizedOperation".into(),
                message: "no".into(),
                request_id: Some("r-1".into()),
                retryable: false,
                throttled: false,
            },
            0,
        );
        let m = &t.machines()[item];
        assert_eq!(item_status(m).0, "failed");
        assert_eq!(
            failure_code(&item_failure(m).unwrap()),
            "UnauthorizedOperation"
        );
        assert_eq!(item_snapshot(m), format!("lhsnap-0000000{}", item + 1));
    }
}
