//! `/api/v1/*` and `/relay`: who am I, which profiles, sign-and-forward, the audit log.

use crate::AppState;
use crate::audit::{Completion, Pending, Query as AuditQuery};
use crate::auth::{check_csrf, identify};
use crate::config::{Endpoint, Profile};
use crate::error::{ApiError, send_error};
use crate::policy::{self, Identity};
use crate::upstream::{Answer, SendError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rewind_cloud::action::Action;
use rewind_cloud::call::{self, CallFacts, Outcome};
use rewind_cloud::error::CloudError;
use rewind_cloud::validate::{FieldWarning, validate_params};
use rewind_cloud::wire::{self, CallRequest};
use rewind_cloud::{Lang, Provider};
use serde_json::{Value, json};
use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

type Shared = State<Arc<AppState>>;

pub(crate) fn peer(req_ext: &axum::http::Extensions) -> Option<SocketAddr> {
    req_ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// The UI language from `Accept-Language` (first tag; English unless it is Chinese).
pub fn lang(headers: &HeaderMap) -> Lang {
    let first = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if first.starts_with("zh") {
        Lang::Zh
    } else {
        Lang::En
    }
}

// ------------------------------------------------------------------ session, profiles

fn profile_view(p: &Profile, actions: Vec<&'static str>) -> wire::Profile {
    wire::Profile {
        name: p.name.clone(),
        provider: p.provider,
        product: p.provider.product().to_string(),
        regions: p.regions.clone(),
        endpoint: p
            .endpoint
            .as_ref()
            .map(|e| format!("{}://{}", e.scheme, e.host)),
        signature: (p.provider == Provider::Alibaba).then_some(p.signature),
        actions: actions.into_iter().map(str::to_string).collect(),
    }
}

/// The profiles `who` may call anything on, with the actions allowed.
pub(crate) fn visible_profiles(state: &AppState, who: &Identity) -> Vec<wire::Profile> {
    state
        .config
        .profiles
        .iter()
        .filter_map(|p| {
            let actions: Vec<&'static str> = Action::of(p.provider)
                .filter(|a| policy::may_call(&state.config.policy, who, &p.name, *a))
                .map(Action::name)
                .collect();
            (!actions.is_empty()).then(|| profile_view(p, actions))
        })
        .collect()
}

pub async fn session(State(state): Shared, req: Request) -> Result<Json<Value>, ApiError> {
    let who = identify(&state, req.headers(), peer(req.extensions()))?;
    let s = wire::Session {
        user: Some(who.user.clone()),
        groups: who.groups.clone(),
        auth: state.config.auth.name().to_string(),
        mode: state.config.mode,
        demo: state.config.demo,
        relay: state.config.relay.enabled,
        profiles: visible_profiles(&state, &who),
    };
    Ok(Json(
        serde_json::to_value(s).map_err(|_| ApiError::Internal)?,
    ))
}

pub async fn profiles(State(state): Shared, req: Request) -> Result<Json<Value>, ApiError> {
    let who = identify(&state, req.headers(), peer(req.extensions()))?;
    Ok(Json(
        json!({"ok": true, "profiles": visible_profiles(&state, &who)}),
    ))
}

// ------------------------------------------------------------------ call

/// Reads the body of a state-changing request after the CSRF and auth checks.
pub(crate) async fn guarded_body(
    state: &AppState,
    req: Request,
) -> Result<(Identity, HeaderMap, axum::body::Bytes), ApiError> {
    let (parts, body) = req.into_parts();
    check_csrf(&parts.headers, &state.origins)?;
    let who = identify(state, &parts.headers, peer(&parts.extensions))?;
    if !state.limiters.allow_user(&who.user) {
        return Err(ApiError::RateLimited);
    }
    let limit = state.config.limits.body_bytes;
    if parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > limit as u64)
    {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    // One deadline for the whole body, so a client trickling bytes cannot hold the
    // request (and its connection) open either.
    let deadline = state.config.limits.body_read_timeout;
    let bytes = tokio::time::timeout(deadline, axum::body::to_bytes(body, limit))
        .await
        .map_err(|_| ApiError::RequestTimeout(deadline.as_secs()))?
        .map_err(|_| ApiError::PayloadTooLarge(limit))?;
    Ok((who, parts.headers, bytes))
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        // serde's message names the field and position, never echoes the whole body.
        ApiError::BadJson(e.to_string())
    })
}

/// The success answer of `/api/v1/call`, `{"ok":true,"request_id","data","warnings"}`,
/// written around `data`, the cloud's payload as checked JSON text, rather than
/// re-encoding it.
fn ok_answer(
    request_id: Option<&str>,
    data: &[u8],
    warnings: &[FieldWarning],
) -> Result<Response, ApiError> {
    let mut body = Vec::with_capacity(data.len() + 128);
    body.extend_from_slice(br#"{"ok":true,"request_id":"#);
    serde_json::to_writer(&mut body, &request_id).map_err(|_| ApiError::Internal)?;
    body.extend_from_slice(br#","data":"#);
    body.extend_from_slice(data);
    body.extend_from_slice(br#","warnings":"#);
    serde_json::to_writer(&mut body, warnings).map_err(|_| ApiError::Internal)?;
    body.push(b'}');
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

pub async fn call(State(state): Shared, req: Request) -> Result<Response, ApiError> {
    let (who, headers, body) = guarded_body(&state, req).await?;
    let lang = lang(&headers);
    let call: CallRequest = parse_json(&body)?;
    let profile = state
        .config
        .profiles
        .iter()
        .find(|p| p.name == call.profile)
        .ok_or_else(|| ApiError::UnknownProfile(call.profile.chars().take(64).collect()))?;
    if !profile.regions.contains(&call.region) {
        return Err(ApiError::UnknownRegion {
            profile: profile.name.clone(),
            region: call.region.chars().take(64).collect(),
        });
    }
    let action =
        Action::lookup(profile.provider, &call.action).ok_or_else(|| ApiError::UnknownAction {
            provider: profile.provider.product().to_string(),
            action: call.action.chars().take(64).collect(),
        })?;
    // A replayed mutating call with the same Idempotency-Key gets the first answer.
    let ticket = if action.mutates() {
        match crate::idempotency::begin(&state.idempotency, &who.user, &headers, "call", &body)
            .await?
        {
            Ok(ticket) => ticket,
            Err(replay) => return Ok(replay),
        }
    } else {
        None
    };
    let answer = call_action(&state, &who, lang, profile, &call, action).await;
    match ticket {
        Some(ticket) => Ok(ticket.finish(answer).await),
        None => answer,
    }
}

/// Validates, checks policy, records and forwards one call.
async fn call_action(
    state: &AppState,
    who: &Identity,
    lang: Lang,
    profile: &Profile,
    call: &CallRequest,
    action: Action,
) -> Result<Response, ApiError> {
    let validated =
        validate_params(action, &call.params, &call.options).map_err(ApiError::InvalidParams)?;
    policy::check(
        &state.config.policy,
        who,
        &profile.name,
        action,
        &validated.params,
    )
    .map_err(ApiError::Forbidden)?;
    let mut params = validated.params;
    // Before the audit row: every attempt carries (and the row records) the same token.
    call::add_client_token(action, &mut params, || uuid::Uuid::new_v4().to_string());

    let audit_id = if action.mutates() {
        state
            .audit_begin(Pending {
                user: who.user.clone(),
                via: "call",
                profile: profile.name.clone(),
                provider: profile.provider.id(),
                region: call.region.clone(),
                action: action.name(),
                params: params.clone(),
                operation_id: None,
            })
            .await?
    } else {
        None
    };

    let started = Instant::now();
    let result = forward(
        state,
        profile,
        &call.region,
        action,
        &params,
        MAX_ATTEMPTS,
        true,
    )
    .await;
    let elapsed = started.elapsed();
    let (outcome_label, answer, completion) = match &result {
        Ok((data, rid)) => (
            "ok",
            ok_answer(rid.as_deref(), data, &validated.warnings),
            Completion {
                outcome: "ok".into(),
                request_id: rid.clone(),
                http_status: Some(200),
                ..Default::default()
            },
        ),
        Err(Failure::Cloud(e)) if e.is_dry_run_pass() => (
            "dry_run_passed",
            Ok(Json(json!({
                "ok": true,
                "dry_run": "passed",
                "request_id": e.request_id,
                "data": call::dry_run_data(e),
                "warnings": validated.warnings,
            }))
            .into_response()),
            Completion::from_cloud(e),
        ),
        Err(Failure::Cloud(e)) => (
            "error",
            Err(ApiError::Cloud(e.clone(), lang)),
            Completion::from_cloud(e),
        ),
        Err(Failure::Send(e)) => {
            let not_sent = matches!(e, SendError::NotSent(_) | SendError::Invalid(_));
            (
                if not_sent { "not_sent" } else { "unknown" },
                Err(send_error(e)),
                Completion::no_answer(not_sent, e.to_string()),
            )
        }
        Err(Failure::Build(m)) => (
            "not_sent",
            Err(ApiError::Upstream {
                status: StatusCode::BAD_REQUEST,
                code: "CannotBuild",
                message: m.clone(),
                retryable: false,
            }),
            Completion::no_answer(true, m.clone()),
        ),
    };
    state.metrics.record_upstream(
        profile.provider.id(),
        action.name(),
        outcome_label,
        elapsed.as_secs_f64(),
    );
    tracing::info!(
        // Debug-quoted: a user name from a header cannot forge a log line or field.
        user = ?who.user,
        profile = ?profile.name,
        region = ?call.region,
        action = %action.name(),
        outcome = outcome_label,
        elapsed_ms = elapsed.as_millis() as u64,
        "call"
    );
    state.audit_complete(audit_id, completion).await;
    answer
}

#[derive(Debug)]
pub(crate) enum Failure {
    Cloud(Box<CloudError>),
    Send(SendError),
    Build(String),
}

/// Throttling answers mean the cloud did not act on the request.
fn is_throttle(e: &CloudError) -> bool {
    e.http_status == 429
        || e.code.starts_with("RequestLimitExceeded")
        || e.code.starts_with("Throttling")
        || e.code == "APIGW.0308"
}

const MAX_ATTEMPTS: u32 = 3;

/// The payload as `Bytes`: a slice of the answer's own buffer when the payload text was
/// borrowed from it (no copy), else the text itself.
fn slice_of_body(body: &Bytes, text: Cow<'_, str>) -> Bytes {
    match text {
        Cow::Borrowed(part) => {
            let start = (part.as_ptr() as usize).checked_sub(body.as_ptr() as usize);
            match start {
                Some(start) if start + part.len() <= body.len() => {
                    body.slice(start..start + part.len())
                }
                _ => Bytes::copy_from_slice(part.as_bytes()),
            }
        }
        Cow::Owned(text) => Bytes::from(text),
    }
}

/// What a call is made with for `profile` in `region`.
fn call_facts<'p>(
    profile: &'p Profile,
    region: &'p str,
    endpoint: Option<&'p Endpoint>,
) -> CallFacts<'p> {
    CallFacts {
        provider: profile.provider,
        signature: profile.signature,
        credentials: &profile.credentials,
        region,
        endpoint: endpoint.map(|e| e.host.as_str()),
        scheme: endpoint.map(|e| e.scheme.as_str()),
        project_id: profile.project_ids.get(region).map(String::as_str),
    }
}

/// Builds, signs and sends, retrying only what is safe: anything that was not sent or
/// was throttled; reads (and CreateSnapshot with its ClientToken) also after a lost or
/// retryable answer. A rollback that may have reached the cloud is never sent twice.
/// `max_attempts` 1 sends once (an operation's state machine does its own retrying);
/// `paced` false when the caller already waited for the per-key rate limit.
pub(crate) async fn forward(
    state: &AppState,
    profile: &Profile,
    region: &str,
    action: Action,
    params: &Value,
    max_attempts: u32,
    paced: bool,
) -> Result<(Bytes, Option<String>), Failure> {
    let idempotent = !action.mutates() || action == Action::EcsCreateSnapshot;
    let endpoint = profile.endpoint.as_ref().map(|e| e.for_region(region));
    let facts = call_facts(profile, region, endpoint.as_ref());
    let unsigned =
        call::build(&facts, action, params).map_err(|e| Failure::Build(e.to_string()))?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        if paced || attempt > 1 {
            state
                .limiters
                .upstream_ready(action, &profile.credentials.id)
                .await;
        }
        // Signed after any wait, with fresh time and nonce per attempt: ECS refuses a
        // reused nonce.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let nonce = facts
            .needs_nonce()
            .then(|| uuid::Uuid::new_v4().to_string());
        let signed = unsigned
            .sign(now, nonce.as_deref())
            .map_err(|e| Failure::Build(e.to_string()))?;
        if paced || attempt > 1 {
            // The cloud counts calls as they arrive: at most its limit in any second.
            state
                .limiters
                .upstream_send(action, &profile.credentials.id)
                .await;
        }
        let sent = state
            .upstream
            .send(&signed.request, endpoint.as_ref())
            .await;
        match sent {
            Ok(Answer {
                status,
                ref request_id_headers,
                ref body,
                ..
            }) => {
                let rid = request_id_headers.first().map(|(_, v)| v.as_str());
                let e = match Outcome::read(profile.provider, status, rid, body) {
                    Outcome::Ok(payload) => {
                        return Ok((slice_of_body(body, payload.data), payload.request_id));
                    }
                    // A passing dry run is final; `call_action` reports it as a success.
                    Outcome::DryRunPassed(e) => return Err(Failure::Cloud(e)),
                    Outcome::Failed(e) => e,
                };
                let retry =
                    attempt < max_attempts && (is_throttle(&e) || (idempotent && e.retryable()));
                if !retry {
                    return Err(Failure::Cloud(e));
                }
                tracing::warn!(code = %e.code, attempt, "retrying after a retryable cloud error");
            }
            Err(e) => {
                let retry = attempt < max_attempts
                    && (matches!(e, SendError::NotSent(_))
                        || (idempotent
                            && matches!(e, SendError::Timeout(..) | SendError::Broken(_))));
                if !retry {
                    return Err(Failure::Send(e));
                }
                tracing::warn!(error = %e, attempt, "retrying a request that is safe to resend");
            }
        }
        tokio::time::sleep(Duration::from_millis(100 * 2u64.pow(attempt))).await;
    }
}

// ------------------------------------------------------------------ audit

pub async fn audit(
    State(state): Shared,
    Query(q): Query<AuditQuery>,
    req: Request,
) -> Result<Json<Value>, ApiError> {
    let who = identify(&state, req.headers(), peer(req.extensions()))?;
    let Some(log) = state.config.audit.clone() else {
        return Err(ApiError::Disabled("the audit log is not configured".into()));
    };
    if !state.limiters.allow_audit_query(&who.user) {
        state.metrics.record_audit_query_refused();
        return Err(ApiError::RateLimited);
    }
    // A user sees the rows of the profiles they hold any grant on.
    let mut visible: Vec<String> = visible_profiles(&state, &who)
        .into_iter()
        .map(|p| p.name)
        .collect();
    for provider in Provider::ALL {
        let relay_profile = format!("relay:{}", provider.id());
        if Action::of(provider)
            .any(|a| policy::may_call(&state.config.policy, &who, &relay_profile, a))
        {
            visible.push(relay_profile);
        }
    }
    let (rows, next_before) = tokio::task::spawn_blocking(move || log.page(&q, Some(&visible)))
        .await
        .map_err(|_| ApiError::Internal)?
        .map_err(|e| {
            tracing::error!(error = %e, "audit query failed");
            ApiError::Internal
        })?;
    let page = wire::AuditPage {
        entries: rows,
        next_before,
    };
    let mut body = serde_json::to_value(&page).map_err(|_| ApiError::Internal)?;
    body["ok"] = Value::Bool(true);
    Ok(Json(body))
}

// ------------------------------------------------------------------ relay

pub async fn relay(
    State(state): Shared,
    req: Request,
) -> Result<axum::response::Response, ApiError> {
    if !state.config.relay.enabled {
        return Err(ApiError::Disabled("the relay is not enabled".into()));
    }
    let (who, headers, body) = guarded_body(&state, req).await?;
    let r: wire::RelayRequest = parse_json(&body)?;
    crate::relay::handle(&state, &who, &headers, &body, r).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_chinese_only_when_first() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_LANGUAGE, v.parse().unwrap());
            m
        };
        assert_eq!(lang(&h("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(lang(&h("en-US,zh;q=0.5")), Lang::En);
        assert_eq!(lang(&HeaderMap::new()), Lang::En);
    }
}

#[cfg(test)]
mod answer_tests {
    use super::*;

    /// The bytes written around the payload read back as the console's type.
    #[tokio::test]
    async fn the_written_answer_is_the_shared_type() {
        let res = ok_answer(Some("r-1"), br#"{"TotalCount": 2, "InstanceSet": []}"#, &[]).unwrap();
        let body = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["ok"], true);
        let answer: wire::CallAnswer = serde_json::from_value(v).unwrap();
        assert_eq!(
            answer,
            wire::CallAnswer {
                request_id: Some("r-1".into()),
                data: json!({"TotalCount": 2, "InstanceSet": []}),
            }
        );
    }
}
