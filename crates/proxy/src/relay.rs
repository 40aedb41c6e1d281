//! `POST /relay` (static-hosting mode): the browser holds the keys and signs; the proxy
//! forwards the signed request unchanged, but only to a host configured for that
//! provider (exact names: no suffix or wildcard matching, no IP literals), only when
//! `rewind_cloud::relay::read` finds it is exactly what Rewind sends for the action and
//! parameters the cloud will read (so policy and the audit log check those), never
//! following redirects, and never to a name that resolves to a private or loopback
//! address unless that host is a profile's explicitly configured endpoint override. The
//! answer is the upstream status, body (as JSON, or else as a download) and request-id
//! headers, marked `X-Rewind-Relay: upstream` so the console can tell them from the
//! proxy's own refusals.

use crate::audit::{Completion, Pending};
use crate::config::Endpoint;
use crate::error::{ApiError, send_error};
use crate::upstream::SendError;
use crate::{AppState, policy};
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use rewind_cloud::Provider;
use rewind_cloud::call::Outcome;
use rewind_cloud::http::HttpRequest;
use rewind_cloud::relay::RelayError;
use rewind_cloud::wire::RelayRequest;
use std::net::IpAddr;

/// Marks an answer of `/relay` that is the cloud's, passed on (`upstream`), rather than
/// the relay's own refusal.
pub const RELAY_ANSWER_HEADER: &str = "x-rewind-relay";

// Kept at their former paths; the resolver now lives below the client that uses it.
pub use crate::resolve::{PublicOnlyResolver, is_public, resolve_public};

/// Where a relayed request may go.
#[derive(Debug, PartialEq, Eq)]
pub enum Destination {
    /// A configured name: HTTPS to the name itself, public addresses only.
    Allowlisted,
    /// A profile's endpoint override: to its configured address and scheme, with the
    /// region it serves when it serves exactly one.
    Override(Endpoint, Option<String>),
}

/// Splits `host[:port]` (or `[v6]:port`) into the name and whether it is an IP literal.
fn host_name(host: &str) -> (&str, bool) {
    if host.starts_with('[') {
        return (host, true);
    }
    let name = match host.rsplit_once(':') {
        Some((n, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => host,
    };
    (name, name.parse::<IpAddr>().is_ok())
}

/// The allowlist decision, before any DNS lookup.
pub fn destination(
    state: &AppState,
    provider: Provider,
    host: &str,
) -> Result<Destination, String> {
    let host_lc = host.to_ascii_lowercase();
    if host_lc.is_empty()
        || !host_lc
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
    {
        return Err(format!("{host:?} is not a host name"));
    }
    // A profile's endpoint override, configured explicitly, may be an address.
    let mut found: Option<(Endpoint, Vec<&str>)> = None;
    for p in state
        .config
        .profiles
        .iter()
        .filter(|p| p.provider == provider)
    {
        if let Some(e) = &p.endpoint {
            for region in &p.regions {
                let e = e.for_region(region);
                if e.host.eq_ignore_ascii_case(&host_lc) {
                    let (_, regions) = found.get_or_insert_with(|| (e, Vec::new()));
                    if !regions.contains(&region.as_str()) {
                        regions.push(region);
                    }
                }
            }
        }
    }
    if let Some((e, regions)) = found {
        let region = match regions.as_slice() {
            [one] => Some(one.to_string()),
            _ => None,
        };
        return Ok(Destination::Override(e, region));
    }
    let (_, is_ip) = host_name(&host_lc);
    if is_ip {
        return Err(format!(
            "{host} is an IP address; the relay forwards to configured host names only"
        ));
    }
    let allowed = state
        .config
        .relay
        .hosts
        .get(&provider)
        .is_some_and(|list| list.contains(&host_lc));
    if allowed {
        Ok(Destination::Allowlisted)
    } else {
        Err(format!(
            "{host} is not a configured {} host",
            provider.product()
        ))
    }
}

/// The access key id a relayed request was signed with (`Credential=` or `Access=` in
/// `Authorization`, `AccessKeyId` in an ECS v1 query): the unit clouds rate-limit by.
fn access_key_id(r: &RelayRequest) -> String {
    let auth = r
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    for marker in ["Credential=", "Access="] {
        if let Some((_, rest)) = auth.split_once(marker) {
            return rest.split(['/', ',', ' ']).next().unwrap_or("").to_string();
        }
    }
    r.query
        .iter()
        .find(|(k, _)| k == "AccessKeyId")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub async fn handle(
    state: &AppState,
    who: &policy::Identity,
    headers: &axum::http::HeaderMap,
    body: &[u8],
    r: RelayRequest,
) -> Result<Response, ApiError> {
    if !r.path.starts_with('/') {
        return Err(ApiError::BadJson("path must start with /".into()));
    }
    let dest = destination(state, r.provider, &r.host).map_err(ApiError::RelayRefused)?;
    let req = r.to_request();
    // Read the request as the cloud will; everything below sees only what it will act on.
    let region_hint = match &dest {
        Destination::Override(_, region) => region.as_deref(),
        Destination::Allowlisted => None,
    };
    let relayed =
        rewind_cloud::relay::read(r.provider, &req, region_hint).map_err(|e| match e {
            RelayError::Invalid(fields) => ApiError::InvalidParams(fields),
            RelayError::UnknownAction(name) => ApiError::UnknownAction {
                provider: r.provider.product().to_string(),
                action: name,
            },
            other => ApiError::RelayRequestRefused(other.to_string()),
        })?;
    let action = relayed.action;
    // A replayed mutating request with the same Idempotency-Key gets the first answer.
    let ticket = if action.mutates() {
        match crate::idempotency::begin(&state.idempotency, &who.user, headers, "relay", body)
            .await?
        {
            Ok(ticket) => ticket,
            Err(replay) => return Ok(replay),
        }
    } else {
        None
    };
    let answer = forward(state, who, &r, &req, &dest, relayed).await;
    match ticket {
        Some(ticket) => Ok(ticket.finish(answer).await),
        None => answer,
    }
}

/// Checks policy, records and sends a relayed request that [`handle`] has read.
async fn forward(
    state: &AppState,
    who: &policy::Identity,
    r: &RelayRequest,
    req: &HttpRequest,
    dest: &Destination,
    relayed: rewind_cloud::relay::Relayed,
) -> Result<Response, ApiError> {
    let action = relayed.action;
    let relay_profile = format!("relay:{}", r.provider.id());
    policy::check(
        &state.config.policy,
        who,
        &relay_profile,
        action,
        &relayed.params,
    )
    .map_err(ApiError::Forbidden)?;
    if *dest == Destination::Allowlisted {
        let (name, _) = host_name(&r.host);
        resolve_public(name).await.map_err(ApiError::RelayRefused)?;
    }

    let audit_id = if action.mutates() {
        state
            .audit_begin(Pending {
                user: who.user.clone(),
                via: "relay",
                profile: relay_profile.clone(),
                provider: r.provider.id(),
                region: relayed.region.clone().unwrap_or_default(),
                action: action.name(),
                params: relayed.params.clone(),
                operation_id: None,
            })
            .await?
    } else {
        None
    };

    // Documented per-account limits apply to relayed calls too: queue, never fail.
    state
        .limiters
        .upstream_ready(action, &access_key_id(r))
        .await;
    state
        .limiters
        .upstream_send(action, &access_key_id(r))
        .await;
    let started = std::time::Instant::now();
    // Relayed requests are sent once: the browser signed them with a one-time nonce.
    let sent = match dest {
        Destination::Override(e, _) => state.upstream.send(req, Some(e)).await,
        Destination::Allowlisted => state.relay_upstream.send(req, None).await,
    };
    state.metrics.record_upstream(
        r.provider.id(),
        action.name(),
        if sent.is_ok() {
            "relayed"
        } else {
            "relay_failed"
        },
        started.elapsed().as_secs_f64(),
    );
    let completion = match &sent {
        Ok(a) => match Outcome::read(r.provider, a.status, a.request_id(), &a.body) {
            Outcome::Ok(payload) => Completion {
                outcome: "ok".into(),
                http_status: Some(a.status),
                request_id: payload.request_id,
                ..Default::default()
            },
            Outcome::DryRunPassed(e) | Outcome::Failed(e) => Completion::from_cloud(&e),
        },
        Err(e) => Completion::no_answer(
            matches!(e, SendError::NotSent(_) | SendError::Invalid(_)),
            e.to_string(),
        ),
    };
    state.audit_complete(audit_id, completion).await;
    let answer = sent.map_err(|e| send_error(&e))?;
    let json = serde_json::from_slice::<serde::de::IgnoredAny>(&answer.body).is_ok();
    let mut res = Response::new(Body::from(answer.body));
    *res.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let h = res.headers_mut();
    h.insert(RELAY_ANSWER_HEADER, HeaderValue::from_static("upstream"));
    // Never the upstream's own type: an HTML or script answer must not render or run
    // from Rewind's origin. JSON is labelled JSON; anything else is a download.
    if json {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    } else {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
    }
    for (k, v) in &answer.request_id_headers {
        if let (Ok(k), Ok(v)) = (
            axum::http::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            h.insert(k, v);
        }
    }
    Ok(res)
}
