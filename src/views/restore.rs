//! A restore form: fields checked as the user types (the cloud crate's rules, so invalid
//! input is never sent), then the pre-flight checklist read from live state, then a
//! confirmation that names the target, then the running operation.

use crate::api::{self, ApiError};
use crate::i18n::{Msg, use_i18n};
use crate::ops::{self, OpStatus, Plan, Target, use_ops};
use crate::restore::{self, FieldCheck, FormSpec, Input, Kind};
use crate::router::use_router;
use crate::views::inventory::ErrorPanel;
use crate::views::operations::OpView;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rewind_cloud::preflight::{self, Check, FixAction, Status};
use rewind_cloud::validate::ValidateOptions;
use rewind_cloud::{Provider, Text};
use serde_json::{Value, json};

/// What the pre-flight read: the checklist and the rows the confirmation names.
#[derive(Debug, Clone, PartialEq)]
pub struct Preflight {
    pub params: Value,
    pub checks: Vec<Check>,
    pub instance: Option<Value>,
    pub snapshot: Option<Value>,
    pub disk: Option<Value>,
    /// Workspace: the requested snapshots found, in the order given (desktop, snapshot,
    /// creation time), for the confirmation to name every desktop.
    pub desktops: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Edit,
    Checking,
    Checked(Box<Preflight>),
    CheckFailed(ApiError),
    Running(u64),
}

/// `/{provider}/{form}`: one form, for one profile and region.
#[component]
pub fn RestorePage(spec: &'static FormSpec, profile: String, region: String) -> impl IntoView {
    let i = use_i18n();
    let ops = use_ops();
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
    // The next step appears below the form: bring it into view (and to screen readers).
    Effect::new(move |_| {
        let css = match phase.get() {
            Phase::Checked(_) | Phase::CheckFailed(_) => ".checklist, .restore .error-panel",
            Phase::Running(_) => ".restore [data-testid=op]",
            _ => return,
        };
        request_animation_frame(move || {
            if let Ok(Some(el)) = document().query_selector(css) {
                el.scroll_into_view();
            }
        });
    });
    let target = Target {
        provider: spec.provider,
        profile: profile.clone(),
        region: region.clone(),
    };
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
                let result = load_preflight(spec.kind, &profile, &region, params).await;
                // The user may have edited meanwhile, or left the page (the signal is
                // gone): only a check still wanted lands.
                if phase.try_get_untracked() == Some(Phase::Checking) {
                    phase.try_set(match result {
                        Ok(p) => Phase::Checked(Box::new(p)),
                        Err(e) => Phase::CheckFailed(e),
                    });
                }
            });
        }
    };
    // The "Stop instance" fix runs as an operation; when it ends the check runs again.
    let fix_op = RwSignal::new(None::<u64>);
    {
        let run_check = run_check.clone();
        Effect::new(move |_| {
            let Some(id) = fix_op.get() else { return };
            let done = ops
                .0
                .with(|all| all.iter().find(|o| o.id == id).map(|o| o.status));
            if done == Some(OpStatus::Succeeded) {
                fix_op.set(None);
                run_check();
            }
        });
    }
    let on_fix = {
        let target = target.clone();
        Callback::new(move |fix: FixAction| match fix {
            FixAction::StopInstance { instance_id } => {
                let id = ops::start(
                    ops,
                    target.clone(),
                    Text::new(format!("Stop {instance_id}"), format!("停止 {instance_id}")),
                    instance_id.clone(),
                    Plan::StopInstance { instance_id },
                );
                fix_op.set(Some(id));
            }
        })
    };
    let dry_run = RwSignal::new(None::<Result<Option<String>, ApiError>>);
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
                // ECS answers a passing dry run with the error DryRunOperation.
                let result = match api::call(&profile, &region, "ResetDisk", params).await {
                    Err(ApiError::Refused(f))
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
                {i.t(Msg::Profile)} ": " <strong>{profile.clone()}</strong> " · " {i.t(Msg::Region)} ": "
                <strong>{region.clone()}</strong>
            </p>
            <form class="restore-form" novalidate on:submit=submit>
                {fields}
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
                                                    {i.t(Msg::RequestId)} ": " <code>{id}</code>
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
                    view! {
                        <Checklist checks=p.checks.clone() on_fix=on_fix />
                        {move || {
                            fix_op.get().map(|id| view! { <OpView id=id /> })
                        }}
                        <Confirmation
                            spec=spec
                            preflight=*p.clone()
                            on_start=Callback::new({
                                let target = target.clone();
                                move |plan: (Plan, String)| {
                                    let (plan, what) = plan;
                                    let id = ops::start(
                                        ops,
                                        target.clone(),
                                        spec.title.both(),
                                        what,
                                        plan,
                                    );
                                    phase.set(Phase::Running(id));
                                }
                            })
                        />
                    }
                        .into_any()
                }
                Phase::Running(id) => {
                    view! {
                        <OpView id=id />
                        <button type="button" on:click=move |_| phase.set(Phase::Edit)>
                            {i.t(Msg::StartAnother)}
                        </button>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

fn opts_untracked(legacy: RwSignal<bool>) -> ValidateOptions {
    ValidateOptions {
        allow_legacy_ids: legacy.get_untracked(),
    }
}

/// One labelled field with its inline errors and warnings.
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
                on:blur=move |_| touched.set(true)
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
#[component]
fn Confirmation(
    spec: &'static FormSpec,
    preflight: Preflight,
    on_start: Callback<(Plan, String)>,
) -> impl IntoView {
    let i = use_i18n();
    let blocked = preflight::blocked(&preflight.checks);
    let word = restore::confirm_word(spec, &preflight.params);
    let typed = RwSignal::new(String::new());
    // A snapshot first is on by default where the cloud can take one of the target.
    let can_snapshot_first = matches!(spec.kind, Kind::LhRollback | Kind::EcsResetDisk);
    let snapshot_first = RwSignal::new(can_snapshot_first);
    let instance_id = match spec.kind {
        Kind::LhRollback => preflight.params["InstanceId"].as_str().map(str::to_string),
        Kind::EcsResetDisk => preflight
            .disk
            .as_ref()
            .and_then(|d| d["InstanceId"].as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        _ => None,
    };
    let start_after = RwSignal::new(false);
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
    let ok = move || !blocked && restore::confirmed(&typed.get(), &w);
    let start = {
        let params = preflight.params.clone();
        let word = word.clone();
        let instance_id = instance_id.clone();
        move |_| {
            on_start.run((
                Plan::Form {
                    kind: spec.kind,
                    params: params.clone(),
                    snapshot_first: can_snapshot_first && snapshot_first.get_untracked(),
                    start_after: if start_after.get_untracked() {
                        instance_id.clone()
                    } else {
                        None
                    },
                },
                word.clone(),
            ))
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
            <button type="button" class="danger" data-testid="start" disabled=move || !ok() on:click=start>
                {i.t(match spec.kind {
                    Kind::LhRollback | Kind::EcsResetDisk => Msg::RollBack,
                    Kind::LhCreateSnapshot | Kind::EcsCreateSnapshot => Msg::CreateSnapshot,
                    Kind::WsRestore => Msg::RestoreDesktops,
                })}
            </button>
        </section>
    }
}

fn first<'a>(data: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut at = data;
    for key in path {
        at = &at[*key];
    }
    at.get(0)
}

/// Reads the live state a form's pre-flight needs and computes its checklist.
pub async fn load_preflight(
    kind: Kind,
    profile: &str,
    region: &str,
    params: Value,
) -> Result<Preflight, ApiError> {
    let call = |action: &'static str, p: Value| api::call(profile, region, action, p);
    let s = |k: &str| params[k].as_str().unwrap_or_default().to_string();
    let mut out = Preflight {
        params: params.clone(),
        checks: Vec::new(),
        instance: None,
        snapshot: None,
        disk: None,
        desktops: Vec::new(),
    };
    match kind {
        Kind::LhRollback => {
            let i = call(
                "DescribeInstances",
                json!({"InstanceIds": [s("InstanceId")]}),
            )
            .await?;
            let sn = call(
                "DescribeSnapshots",
                json!({"SnapshotIds": [s("SnapshotId")]}),
            )
            .await?;
            out.instance = first(&i.data, &["InstanceSet"]).cloned();
            out.snapshot = first(&sn.data, &["SnapshotSet"]).cloned();
            out.checks =
                preflight::lighthouse_rollback(out.instance.as_ref(), out.snapshot.as_ref());
        }
        Kind::LhCreateSnapshot => {
            let inst = s("InstanceId");
            let i = call("DescribeInstances", json!({"InstanceIds": [inst]})).await?;
            let sn = call(
                "DescribeSnapshots",
                json!({"Filters": [{"Name": "instance-id", "Values": [inst]}], "Limit": 100}),
            )
            .await?;
            out.instance = first(&i.data, &["InstanceSet"]).cloned();
            let snaps = sn.data["SnapshotSet"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            out.checks = preflight::lighthouse_create_snapshot(out.instance.as_ref(), &snaps);
        }
        Kind::EcsResetDisk | Kind::EcsCreateSnapshot => {
            let disk_id = s("DiskId");
            let d = call("DescribeDisks", json!({"DiskIds": [disk_id]})).await?;
            out.disk = first(&d.data, &["Disks", "Disk"]).cloned();
            let inst_id = out
                .disk
                .as_ref()
                .and_then(|d| d["InstanceId"].as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            if let Some(inst_id) = inst_id {
                let i = call("DescribeInstances", json!({"InstanceIds": [inst_id]})).await?;
                out.instance = first(&i.data, &["Instances", "Instance"]).cloned();
            }
            if kind == Kind::EcsResetDisk {
                let sn = call(
                    "DescribeSnapshots",
                    json!({"SnapshotIds": [s("SnapshotId")]}),
                )
                .await?;
                out.snapshot = first(&sn.data, &["Snapshots", "Snapshot"]).cloned();
                out.checks = preflight::ecs_reset_disk(
                    out.disk.as_ref(),
                    out.snapshot.as_ref(),
                    out.instance.as_ref(),
                );
            } else {
                let sn = call(
                    "DescribeSnapshots",
                    json!({"DiskId": disk_id, "MaxResults": 100}),
                )
                .await?;
                let snaps = sn.data["Snapshots"]["Snapshot"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                out.checks = preflight::ecs_create_snapshot(
                    out.disk.as_ref(),
                    out.instance.as_ref(),
                    &snaps,
                );
            }
        }
        Kind::WsRestore => {
            let requested: Vec<String> = params["snapshot_ids"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            // Every snapshot of the project, page by page (at most 1000 per page).
            let mut all = Vec::new();
            loop {
                let page = call(
                    "ListDesktopSnapshot",
                    json!({"offset": all.len(), "limit": 1000}),
                )
                .await?;
                let rows = page.data["desktop_snapshots"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let total = page.data["total_count"].as_u64().unwrap_or(0) as usize;
                let got = rows.len();
                all.extend(rows);
                if got == 0 || all.len() >= total {
                    break;
                }
            }
            out.checks = preflight::workspace_restore(&requested, &all);
            out.desktops = requested
                .iter()
                .filter_map(|id| {
                    all.iter()
                        .find(|s| s["snapshot_id"] == id.as_str())
                        .cloned()
                })
                .collect();
        }
    }
    Ok(out)
}
