//! `GET /api/v1/audit`: one row per state-changing call, newest first.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One audit row as the server shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix milliseconds.
    pub started_at: i64,
    #[serde(default)]
    pub finished_at: Option<i64>,
    #[serde(default)]
    pub duration_ms: Option<i64>,
    pub user: String,
    /// `call`, `relay` or `operation`.
    #[serde(default)]
    pub via: String,
    pub profile: String,
    pub provider: String,
    pub region: String,
    pub action: String,
    /// The validated parameters, as policy saw them (at most 8 KB).
    #[serde(default)]
    pub params: Value,
    /// `pending`, `ok`, `error`, `unknown` or `not_sent`.
    pub outcome: String,
    #[serde(default)]
    pub provider_code: Option<String>,
    #[serde(default)]
    pub http_status: Option<i64>,
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// The server-run operation the call belongs to (none for `/api/v1/call` and `/relay`).
    #[serde(default)]
    pub operation_id: Option<String>,
}

/// A page of the audit log; `next_before` continues below it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    #[serde(default)]
    pub next_before: Option<i64>,
}
