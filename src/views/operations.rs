//! Operations: the progress of one (steps, elapsed time, RequestIds, per-desktop
//! sub-jobs) and the operations page, which lists this tab's operations and the
//! proxy's audit log of mutating calls (so it survives a reload).

use crate::api;
use crate::i18n::{Msg, use_i18n};
use crate::ops::{OpStatus, StepState, use_ops};
use crate::restore;
use crate::router::Link;
use crate::views::inventory::ErrorPanel;
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::Value;

/// A ticking clock for elapsed times (one per view that shows them).
fn clock() -> ReadSignal<f64> {
    let (now, set_now) = signal(js_sys::Date::now());
    let handle = set_interval_with_handle(
        move || set_now.set(js_sys::Date::now()),
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

/// One operation's progress, updated live.
#[component]
pub fn OpView(id: u64) -> impl IntoView {
    let i = use_i18n();
    let ops = use_ops();
    let now = clock();
    let op = Memo::new(move |_| ops.get(id));
    move || {
        let Some(op) = op.get() else {
            return ().into_any();
        };
        let status = match op.status {
            OpStatus::Running => ("running", Msg::OpRunning),
            OpStatus::Succeeded => ("succeeded", Msg::OpSucceeded),
            OpStatus::Failed => ("failed", Msg::OpFailed),
        };
        let started = op.started_ms;
        let finished = op.finished_ms;
        let elapsed = move || restore::elapsed(finished.unwrap_or_else(|| now.get()) - started);
        let failed_subs = op
            .sub_jobs
            .iter()
            .filter(|s| s.status.starts_with("FAIL"))
            .count();
        view! {
            <section class="op" data-testid="op" data-status=status.0 aria-live="polite">
                <h3>
                    {i.text(op.title.clone())} " · " <code>{op.target.clone()}</code>
                </h3>
                <p>
                    <span class=format!("badge {}", status.0) data-testid="op-status">{i.t(status.1)}</span>
                    " " {i.t(Msg::Elapsed)} ": " <span data-testid="elapsed">{elapsed}</span>
                </p>
                <ol class="steps">
                    {op
                        .steps
                        .iter()
                        .cloned()
                        .map(|s| {
                            let class = match s.state {
                                StepState::Running => "running",
                                StepState::Done => "done",
                                StepState::Failed => "failed",
                            };
                            view! {
                                <li class=class data-testid="step" data-state=class>
                                    {i.text(s.label)}
                                    {(!s.detail.is_empty()).then(|| view! { " " <span class="muted">"(" {s.detail} ")"</span> })}
                                    {s.request_id.map(|r| view! {
                                        " " <span class="muted">{i.t(Msg::RequestId)} ": "</span>
                                        <code data-testid="step-request-id">{r.clone()}</code>
                                        <crate::views::copy::CopyButton text=r />
                                    })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
                {(!op.sub_jobs.is_empty()).then(|| {
                    view! {
                        <p data-testid="subjob-summary">
                            {op.sub_jobs.len()} " " {i.t(Msg::Desktops)} " · " {failed_subs} " " {i.t(Msg::FailedCount)}
                        </p>
                        <div class="table-wrap">
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
                                    {op.sub_jobs
                                        .iter()
                                        .cloned()
                                        .map(|s| {
                                            let failed = s.status.starts_with("FAIL");
                                            let status = s.status.clone();
                                            view! {
                                                <tr data-testid="subjob" data-status=status class:failed=failed>
                                                    <td>{s.desktop}</td>
                                                    <td>{s.status}</td>
                                                    <td>{s.process} "%"</td>
                                                    <td>
                                                        {s.error_code.map(|c| view! { <code data-testid="subjob-code">{c}</code> })}
                                                        " " {s.fail_reason}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                })}
                {op.failure.map(|f| view! { <p class="error" data-testid="op-failure">{f}</p> })}
                {op.error.map(|e| view! { <ErrorPanel error=e /> })}
            </section>
        }
        .into_any()
    }
}

/// One row of `GET /api/v1/audit`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub started_at: i64,
    pub duration_ms: Option<i64>,
    pub user: String,
    pub profile: String,
    pub provider: String,
    pub region: String,
    pub action: String,
    #[serde(default)]
    pub params: Value,
    pub outcome: String,
    pub provider_code: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct AuditPage {
    entries: Vec<AuditEntry>,
}

/// What a mutating call acted on, for the list: the IDs among its parameters.
pub fn audit_target(params: &Value) -> String {
    [
        "InstanceId",
        "DiskId",
        "InstanceIds",
        "SnapshotId",
        "snapshot_ids",
    ]
    .iter()
    .filter_map(|k| match &params[*k] {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) if a.len() == 1 => a[0].as_str().map(str::to_string),
        Value::Array(a) if !a.is_empty() => Some(format!("{} IDs", a.len())),
        _ => None,
    })
    .collect::<Vec<_>>()
    .join(" → ")
}

/// `/operations`: this tab's operations, then the audit log.
#[component]
pub fn OperationsPage() -> impl IntoView {
    let i = use_i18n();
    let ops = use_ops();
    let audit = LocalResource::new(|| api::get_json::<AuditPage>("/api/v1/audit?limit=50"));
    view! {
        <section class="operations">
            <h1>{i.t(Msg::Operations)}</h1>
            <h2>{i.t(Msg::ThisTab)}</h2>
            {move || {
                let ids: Vec<u64> = ops.0.with(|all| all.iter().map(|o| o.id).collect());
                if ids.is_empty() {
                    view! { <p class="muted">{i.t(Msg::NoOperations)}</p> }.into_any()
                } else {
                    ids.into_iter().map(|id| view! { <OpView id=id /> }).collect_view().into_any()
                }
            }}
            <h2>{i.t(Msg::AuditLog)}</h2>
            <button type="button" on:click=move |_| audit.refetch()>{i.t(Msg::Refresh)}</button>
            <Suspense fallback=move || view! { <p class="muted">{i.t(Msg::Loading)}</p> }>
                {move || {
                    audit
                        .get()
                        .map(|r| match r {
                            Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                            Ok(page) => {
                                view! {
                                    <div class="table-wrap">
                                        <table data-testid="audit">
                                            <thead>
                                                <tr>
                                                    <th scope="col">{i.t(Msg::ColStarted)}</th>
                                                    <th scope="col">{i.t(Msg::ColUser)}</th>
                                                    <th scope="col">{i.t(Msg::Profile)}</th>
                                                    <th scope="col">{i.t(Msg::ColAction)}</th>
                                                    <th scope="col">{i.t(Msg::ColTarget)}</th>
                                                    <th scope="col">{i.t(Msg::ColOutcome)}</th>
                                                    <th scope="col">{i.t(Msg::RequestId)}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {page
                                                    .entries
                                                    .into_iter()
                                                    .map(|e| {
                                                        let when = js_sys::Date::new(&(e.started_at as f64).into());
                                                        let when: String = when.to_iso_string().into();
                                                        let outcome = e.outcome.clone();
                                                        view! {
                                                            <tr data-testid="audit-row" data-outcome=outcome>
                                                                <td><time>{when}</time></td>
                                                                <td>{e.user}</td>
                                                                <td>{e.profile} " · " {e.region}</td>
                                                                <td>{e.action}</td>
                                                                <td><code>{audit_target(&e.params)}</code></td>
                                                                <td>
                                                                    <span class="state">{e.outcome}</span>
                                                                    {e.provider_code.map(|c| view! { " " <code>{c}</code> })}
                                                                    {e.duration_ms.map(|d| view! { " " <span class="muted">{d} " ms"</span> })}
                                                                </td>
                                                                <td>{e.request_id.map(|r| view! { <code>{r}</code> })}</td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
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
    use serde_json::json;

    #[test]
    fn audit_targets_name_the_ids_acted_on() {
        assert_eq!(
            audit_target(&json!({"InstanceId": "lhins-1", "SnapshotId": "lhsnap-2"})),
            "lhins-1 → lhsnap-2"
        );
        assert_eq!(audit_target(&json!({"InstanceIds": ["i-1"]})), "i-1");
        assert_eq!(
            audit_target(&json!({"snapshot_ids": ["a", "b", "c"]})),
            "3 IDs"
        );
        assert_eq!(audit_target(&json!({})), "");
    }
}
