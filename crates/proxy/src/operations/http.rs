//! `/api/v1/operations`: start, list, read, watch (Server-Sent Events) and cancel.
//! The same CSRF, auth, rate-limit and policy rules as `/api/v1/call`; a user sees their
//! own operations and those on profiles they hold any grant on.

use super::store::ListQuery;
use super::{Executor, Record, new_id, now_ms};
use crate::api::{guarded_body, lang, parse_json, peer, visible_profiles};
use crate::auth::identify;
use crate::config::Profile;
use crate::error::ApiError;
use crate::policy::{self, Identity};
use crate::{AppState, Mode};
use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use rewind_cloud::Text;
use rewind_cloud::operation::{Task, TaskPlan};
use rewind_cloud::validate::{self, FieldError};
use rewind_cloud::wire::operations::{
    NewOperation, OpState, OperationAnswer, OperationList, OperationView,
};
use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

type Shared = State<Arc<AppState>>;

fn portal_only(state: &AppState) -> Result<(), ApiError> {
    if state.config.mode != Mode::Portal {
        return Err(ApiError::Disabled(
            "the server runs operations in portal mode only; with browser-held keys they run in the browser tab".into(),
        ));
    }
    Ok(())
}

/// The profile by name, with the region checked against it.
pub(crate) fn profile_for<'a>(
    state: &'a AppState,
    name: &str,
    region: &str,
) -> Result<&'a Profile, ApiError> {
    let profile = state
        .config
        .profiles
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| ApiError::UnknownProfile(name.chars().take(64).collect()))?;
    if !profile.regions.iter().any(|r| r == region) {
        return Err(ApiError::UnknownRegion {
            profile: profile.name.clone(),
            region: region.chars().take(64).collect(),
        });
    }
    Ok(profile)
}

fn invalid(field: &str, code: &'static str, en: String, zh: String) -> ApiError {
    ApiError::InvalidParams(vec![FieldError {
        field: field.into(),
        code,
        message: Text::new(en, zh),
    }])
}

/// Every call the plan may make must be allowed, checked before anything is sent.
fn check_policy(
    state: &AppState,
    who: &Identity,
    profile: &Profile,
    id: &str,
    plan: &TaskPlan,
) -> Result<(), ApiError> {
    for op in plan.operations() {
        for (action, params) in op.state_changing_calls(id) {
            policy::check(&state.config.policy, who, &profile.name, action, &params)
                .map_err(ApiError::Forbidden)?;
        }
        for action in op.actions(id) {
            if !policy::may_call(&state.config.policy, who, &profile.name, action) {
                return Err(ApiError::Forbidden(format!(
                    "{} may not call {} on profile {}, which this operation needs",
                    who.user,
                    action.name(),
                    profile.name
                )));
            }
        }
    }
    Ok(())
}

/// `POST /api/v1/operations`.
pub async fn create(State(state): Shared, req: Request) -> Result<Response, ApiError> {
    portal_only(&state)?;
    let (who, headers, body) = guarded_body(&state, req).await?;
    let new: NewOperation = parse_json(&body)?;
    let profile = profile_for(&state, &new.profile, &new.region)?;
    let plan = new.plan().map_err(|m| {
        invalid(
            "params",
            validate::codes::TYPE,
            format!(
                "The {} plan is not valid: {m}",
                new.kind.chars().take(40).collect::<String>()
            ),
            format!(
                "{} 计划无效：{m}",
                new.kind.chars().take(40).collect::<String>()
            ),
        )
    })?;
    if plan.provider() != Some(profile.provider) {
        return Err(invalid(
            "kind",
            validate::codes::CONFLICT,
            format!(
                "A {} operation cannot run on profile {}, which is {}",
                plan.kind(),
                profile.name,
                profile.provider.product()
            ),
            format!(
                "{} 操作不能在配置 {}（{}）上运行",
                plan.kind(),
                profile.name,
                profile.provider.product()
            ),
        ));
    }
    // A replayed request with the same Idempotency-Key gets the first answer, not a
    // second operation.
    let ticket = match crate::idempotency::begin(
        &state.idempotency,
        &who.user,
        &headers,
        "operations",
        &body,
    )
    .await?
    {
        Ok(ticket) => ticket,
        Err(replay) => return Ok(replay),
    };
    let answer = start(&state, &who, profile, new, plan).await;
    match ticket {
        Some(ticket) => Ok(ticket.finish(answer).await),
        None => answer,
    }
}

async fn start(
    state: &Arc<AppState>,
    who: &Identity,
    profile: &Profile,
    new: NewOperation,
    plan: TaskPlan,
) -> Result<Response, ApiError> {
    let id = new_id();
    let mut options = state.executor.options;
    options.validate = new.options;
    let target = plan
        .operations()
        .first()
        .map(|op| op.target().to_string())
        .unwrap_or_default();
    let kind = plan.kind().to_string();
    let task = Task::new(&id, plan.clone(), options).map_err(ApiError::InvalidParams)?;
    check_policy(state, who, profile, &id, &plan)?;
    let now = now_ms();
    let record = Record {
        id,
        user: who.user.clone(),
        groups: who.groups.clone(),
        profile: profile.name.clone(),
        region: new.region,
        provider: profile.provider,
        kind,
        target,
        state: OpState::Running,
        cancel_requested: false,
        created_ms: now,
        updated_ms: now,
        finished_ms: None,
        task,
    };
    tracing::info!(operation = %record.id, user = ?who.user, profile = ?record.profile, kind = %record.kind, target = ?record.target, "operation started");
    let view = Executor::start(state, record).await.map_err(|e| {
        tracing::error!(error = %e, "cannot store a new operation");
        ApiError::Internal
    })?;
    Ok((
        StatusCode::CREATED,
        Json(OperationAnswer {
            ok: true,
            operation: view,
        }),
    )
        .into_response())
}

/// Who is asking, for the read endpoints (rate-limited like every API request).
fn reader(state: &AppState, req: &Request) -> Result<Identity, ApiError> {
    let who = identify(state, req.headers(), peer(req.extensions()))?;
    if !state.limiters.allow_user(&who.user) {
        return Err(ApiError::RateLimited);
    }
    Ok(who)
}

/// Decides which operations `who` may see: their own, and those on profiles they hold
/// any grant on.
struct Visible {
    user: String,
    profiles: HashSet<String>,
}

impl Visible {
    /// What `who` may see: their own operations, and those on profiles they hold any
    /// grant on.
    fn to(state: &AppState, who: &Identity) -> Visible {
        Visible {
            user: who.user.clone(),
            profiles: visible_profiles(state, who)
                .into_iter()
                .map(|p| p.name)
                .collect(),
        }
    }

    fn allows(&self, user: &str, profile: &str) -> bool {
        user == self.user || self.profiles.contains(profile)
    }
}

async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, super::store::StoreError> + Send + 'static,
) -> Result<R, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::Internal)?
        .map_err(|e| {
            tracing::error!(error = %e, "operations store");
            ApiError::Internal
        })
}

/// `GET /api/v1/operations?state=&profile=&kind=&before=&limit=`.
pub async fn list(
    State(state): Shared,
    Query(q): Query<ListQuery>,
    req: Request,
) -> Result<Json<OperationList>, ApiError> {
    portal_only(&state)?;
    let who = reader(&state, &req)?;
    if let Some(s) = &q.state
        && OpState::parse(s).is_none()
    {
        return Err(ApiError::BadJson(format!(
            "state must be running, succeeded, partial, failed or cancelled, not {:?}",
            s.chars().take(40).collect::<String>()
        )));
    }
    let visible = Visible::to(&state, &who);
    let store = state.executor.store.clone();
    let (records, next_before) =
        blocking(move || store.list(&q, &|r: &Record| visible.allows(&r.user, &r.profile))).await?;
    Ok(Json(OperationList {
        ok: true,
        operations: records.iter().map(|r| r.view(Vec::new())).collect(),
        next_before,
    }))
}

/// The record with its calls, when `who` may see it (404 otherwise: an id of someone
/// else's operation tells nothing).
async fn visible_one(
    state: &AppState,
    who: &Identity,
    id: String,
) -> Result<OperationView, ApiError> {
    let store = state.executor.store.clone();
    let found = blocking(move || {
        let Some(r) = store.get(&id)? else {
            return Ok(None);
        };
        let calls = store.calls(&id)?;
        Ok(Some((r, calls)))
    })
    .await?;
    match found {
        Some((r, calls)) if Visible::to(state, who).allows(&r.user, &r.profile) => {
            Ok(r.view(calls))
        }
        _ => Err(ApiError::NotFound),
    }
}

/// `GET /api/v1/operations/{id}`.
pub async fn get_one(
    State(state): Shared,
    Path(id): Path<String>,
    req: Request,
) -> Result<Json<OperationAnswer>, ApiError> {
    portal_only(&state)?;
    let who = reader(&state, &req)?;
    let operation = visible_one(&state, &who, id).await?;
    Ok(Json(OperationAnswer {
        ok: true,
        operation,
    }))
}

/// `POST /api/v1/operations/{id}/cancel`: allowed to whoever started it and to anyone
/// who may call the operation's actions on its profile, until the irreversible call.
pub async fn cancel(
    State(state): Shared,
    Path(id): Path<String>,
    req: Request,
) -> Result<Json<OperationAnswer>, ApiError> {
    portal_only(&state)?;
    let (who, headers, _) = guarded_body(&state, req).await?;
    let lang = lang(&headers);
    let view = visible_one(&state, &who, id.clone()).await?;
    if view.user != who.user {
        let ops = view
            .task
            .machines()
            .iter()
            .map(|m| m.plan().clone())
            .collect::<Vec<_>>();
        let allowed = ops.iter().all(|op| {
            op.actions(&view.id)
                .into_iter()
                .all(|a| policy::may_call(&state.config.policy, &who, &view.profile, a))
        });
        if !allowed {
            return Err(ApiError::Forbidden(format!(
                "{} may not cancel an operation of {} on profile {}",
                who.user, view.user, view.profile
            )));
        }
    }
    if view.state != OpState::Running {
        return Err(ApiError::NotCancellable(
            Text::new(
                format!(
                    "The operation has already finished ({})",
                    view.state.as_str()
                ),
                format!("该操作已结束（{}）", view.state.as_str()),
            )
            .get(lang)
            .to_string(),
        ));
    }
    match state.executor.cancel(&id).await {
        Ok(Ok(())) => {}
        Ok(Err(why)) => {
            // A batch may have cancelled some items all the same: the answer says why
            // the rest carries on.
            return Err(ApiError::NotCancellable(why.get(lang).to_string()));
        }
        Err(()) => {
            return Err(ApiError::NotCancellable(
                Text::new(
                    "The operation is not running on this server at the moment (it is being resumed); try again in a moment",
                    "该操作此刻未在本服务器上运行（正在恢复中）；请稍后再试",
                )
                .get(lang)
                .to_string(),
            ));
        }
    }
    let operation = visible_one(&state, &who, id).await?;
    Ok(Json(OperationAnswer {
        ok: true,
        operation,
    }))
}

fn event(view: &OperationView) -> Event {
    Event::default()
        .event("operation")
        .id(format!("{}:{}", view.id, view.updated_ms))
        .json_data(view)
        .unwrap_or_else(|_| Event::default().event("error").data("unserializable"))
}

/// `GET /api/v1/operations/{id}/events`: the operation now, then every change, ending
/// after it finishes (or when the server shuts down).
pub async fn watch_one(
    State(state): Shared,
    Path(id): Path<String>,
    req: Request,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    portal_only(&state)?;
    let who = reader(&state, &req)?;
    // Subscribed before reading, so no change falls between the read and the stream.
    let rx = state.executor.subscribe();
    let first = visible_one(&state, &who, id.clone()).await?;
    let stopping = state.executor.stopping();
    let state2 = state.clone();
    let stream = stream::unfold(
        (Some(first), rx, stopping, false),
        move |(first, mut rx, mut stopping, done)| {
            let id = id.clone();
            let state = state2.clone();
            let who = who.clone();
            async move {
                if done {
                    return None;
                }
                if let Some(v) = first {
                    let finished = v.state != OpState::Running;
                    return Some((Ok(event(&v)), (None, rx, stopping, finished)));
                }
                loop {
                    let got = tokio::select! {
                        got = rx.recv() => got,
                        () = until_stopped(&mut stopping) => return None,
                    };
                    match got {
                        Ok(v) if v.id == id => {
                            let finished = v.state != OpState::Running;
                            return Some((Ok(event(&v)), (None, rx, stopping, finished)));
                        }
                        Ok(_) => continue,
                        Err(RecvError::Lagged(_)) => {
                            // Missed changes: send the operation as it is now.
                            let v = visible_one(&state, &who, id.clone()).await.ok()?;
                            let finished = v.state != OpState::Running;
                            return Some((Ok(event(&v)), (None, rx, stopping, finished)));
                        }
                        Err(RecvError::Closed) => return None,
                    }
                }
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// `GET /api/v1/operations/events`: every change to an operation the caller may see.
/// After missed changes, a `resync` event tells the client to list again.
pub async fn watch_all(
    State(state): Shared,
    req: Request,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    portal_only(&state)?;
    let who = reader(&state, &req)?;
    let visible = Visible::to(&state, &who);
    let rx = state.executor.subscribe();
    let stopping = state.executor.stopping();
    let stream = stream::unfold(
        (rx, stopping, visible),
        |(mut rx, mut stopping, visible)| async move {
            loop {
                let got = tokio::select! {
                    got = rx.recv() => got,
                    () = until_stopped(&mut stopping) => return None,
                };
                match got {
                    Ok(v) if visible.allows(&v.user, &v.profile) => {
                        return Some((Ok(event(&v)), (rx, stopping, visible)));
                    }
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => {
                        let e = Event::default().event("resync").data("{}");
                        return Some((Ok(e), (rx, stopping, visible)));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// Completes once the server is shutting down (streams end so shutdown is not held up).
async fn until_stopped(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    loop {
        if *stopping.borrow_and_update() {
            return;
        }
        if stopping.changed().await.is_err() {
            // The executor is gone: nothing will change any more.
            std::future::pending::<()>().await;
        }
    }
}
