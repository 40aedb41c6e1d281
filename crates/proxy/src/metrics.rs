//! Prometheus text metrics: requests per route and status, upstream calls per provider,
//! action and outcome, and upstream latency. Labels never carry user input beyond the
//! matched route and names from the action registry.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

/// (provider, action, outcome) → (count, seconds); every label is a name from the
/// registry, so counting allocates nothing.
type UpstreamCounters = BTreeMap<(&'static str, &'static str, &'static str), (u64, f64)>;

#[derive(Debug, Default)]
pub struct Metrics {
    /// route → status → count; a route's label is allocated once, when first seen.
    http: Mutex<BTreeMap<String, BTreeMap<u16, u64>>>,
    upstream: Mutex<UpstreamCounters>,
    /// `GET /api/v1/audit` queries refused by the per-user limit.
    audit_queries_refused: std::sync::atomic::AtomicU64,
}

impl Metrics {
    pub fn record_upstream(
        &self,
        provider: &'static str,
        action: &'static str,
        outcome: &'static str,
        seconds: f64,
    ) {
        let mut m = self.upstream.lock().unwrap_or_else(|e| e.into_inner());
        let e = m.entry((provider, action, outcome)).or_default();
        e.0 += 1;
        e.1 += seconds;
    }

    pub fn record_audit_query_refused(&self) {
        self.audit_queries_refused
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn record_http(&self, route: &str, status: u16) {
        let mut m = self.http.lock().unwrap_or_else(|e| e.into_inner());
        let statuses = match m.get_mut(route) {
            Some(s) => s,
            None => m.entry(route.to_string()).or_default(),
        };
        *statuses.entry(status).or_default() += 1;
    }
}

/// Middleware: counts every request by matched route and status.
pub async fn track(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let res = next.run(req).await;
    let route = route.as_ref().map_or("other", MatchedPath::as_str);
    state.metrics.record_http(route, res.status().as_u16());
    res
}

/// `GET /metrics`. Outside `auth.mode = "none"` it needs the same sign-in as the API:
/// counts of actions and outcomes say what an account is doing.
pub async fn render(
    State(state): State<Arc<AppState>>,
    req: Request,
) -> Result<impl IntoResponse, crate::error::ApiError> {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    crate::auth::identify(&state, req.headers(), peer)?;
    let mut out = String::new();
    out.push_str("# HELP rewind_http_requests_total Requests answered, by route and status.\n");
    out.push_str("# TYPE rewind_http_requests_total counter\n");
    for (route, statuses) in state
        .metrics
        .http
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        for (status, n) in statuses {
            let _ = writeln!(
                out,
                "rewind_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
    }
    out.push_str("# HELP rewind_upstream_requests_total Calls sent to a cloud, by outcome.\n");
    out.push_str("# TYPE rewind_upstream_requests_total counter\n");
    out.push_str("# HELP rewind_upstream_seconds_sum Time spent waiting for clouds.\n");
    out.push_str("# TYPE rewind_upstream_seconds_sum counter\n");
    let upstream = state
        .metrics
        .upstream
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    for ((provider, action, outcome), (n, secs)) in upstream.iter() {
        let labels = format!("provider=\"{provider}\",action=\"{action}\",outcome=\"{outcome}\"");
        let _ = writeln!(out, "rewind_upstream_requests_total{{{labels}}} {n}");
        let _ = writeln!(out, "rewind_upstream_seconds_sum{{{labels}}} {secs:.6}");
    }
    drop(upstream);
    out.push_str(
        "# HELP rewind_audit_queries_refused_total Audit-log queries refused, by reason.\n",
    );
    out.push_str("# TYPE rewind_audit_queries_refused_total counter\n");
    let refused = state
        .metrics
        .audit_queries_refused
        .load(std::sync::atomic::Ordering::Relaxed);
    let _ = writeln!(
        out,
        "rewind_audit_queries_refused_total{{reason=\"rate_limited\"}} {refused}"
    );
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        out,
    ))
}
