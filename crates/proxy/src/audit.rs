//! The audit log: one SQLite row per mutating call, written as `pending` before the
//! request leaves and completed after, so a crash leaves an "outcome unknown" row rather
//! than nothing. WAL journal; rows still pending when a new process opens the file are
//! marked `unknown`. Parameters are the validated call parameters: never a key.

use rusqlite::{Connection, OptionalExtension, params_from_iter};
use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
#[error("audit log: {0}")]
pub struct AuditError(String);

impl From<rusqlite::Error> for AuditError {
    fn from(e: rusqlite::Error) -> AuditError {
        AuditError(e.to_string())
    }
}

/// What is known before the call is sent.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub user: &'a str,
    pub via: &'a str,
    pub profile: &'a str,
    pub provider: &'a str,
    pub region: &'a str,
    pub action: &'a str,
    pub params: &'a Value,
    /// The server-run operation the call belongs to.
    pub operation_id: Option<&'a str>,
}

/// How a call ended.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    /// `ok`, `error`, `dry_run_passed` or `unknown` (sent, but no answer was read).
    pub outcome: String,
    pub provider_code: Option<String>,
    pub http_status: Option<u16>,
    pub request_id: Option<String>,
    pub message: Option<String>,
}

impl Completion {
    /// The cloud answered with an error (or, for ECS `DryRun`, a passing check).
    pub fn from_cloud(e: &rewind_cloud::error::CloudError) -> Completion {
        Completion {
            outcome: if e.is_dry_run_pass() {
                "dry_run_passed"
            } else {
                "error"
            }
            .into(),
            provider_code: Some(e.code.clone()),
            http_status: Some(e.http_status),
            request_id: e.request_id.clone(),
            message: (!e.is_dry_run_pass()).then(|| e.message.chars().take(500).collect()),
        }
    }

    /// Nothing was read back: `not_sent` when the request certainly did not leave.
    pub fn no_answer(not_sent: bool, message: String) -> Completion {
        Completion {
            outcome: if not_sent { "not_sent" } else { "unknown" }.into(),
            message: Some(message),
            ..Default::default()
        }
    }
}

/// [`NewEntry`] with owned fields, to hand to a blocking task.
#[derive(Debug, Clone)]
pub struct Pending {
    pub user: String,
    pub via: &'static str,
    pub profile: String,
    pub provider: &'static str,
    pub region: String,
    pub action: &'static str,
    pub params: Value,
    /// The server-run operation the call belongs to.
    pub operation_id: Option<String>,
}

/// One row as `GET /api/v1/audit` shows it (the type the console reads).
pub use rewind_cloud::wire::AuditEntry as Entry;

/// Filters and paging: newest first; `before` is the `id` to continue below.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Query {
    pub user: Option<String>,
    pub profile: Option<String>,
    pub provider: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub operation_id: Option<String>,
    /// Unix milliseconds, inclusive.
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub before: Option<i64>,
    pub limit: Option<u32>,
}

/// The log; cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditLog")
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    user TEXT NOT NULL,
    via TEXT NOT NULL,
    profile TEXT NOT NULL,
    provider TEXT NOT NULL,
    region TEXT NOT NULL,
    action TEXT NOT NULL,
    params TEXT NOT NULL,
    outcome TEXT NOT NULL,
    provider_code TEXT,
    http_status INTEGER,
    request_id TEXT,
    message TEXT
);
CREATE INDEX IF NOT EXISTS audit_started ON audit(started_at);
";

/// The most bytes of parameters one row keeps. Validated parameters fit (100 IDs are
/// about 4 KB); anything longer is cut, so no caller can grow the log or its answers.
pub const PARAMS_MAX_BYTES: usize = 8 * 1024;
/// The most characters kept of a user, profile or region name.
pub const NAME_MAX_CHARS: usize = 128;
/// The most bytes of rows one `GET /api/v1/audit` answer carries; the rest is paged.
pub const ANSWER_MAX_BYTES: usize = 1024 * 1024;
/// The most rows one answer carries.
pub const ANSWER_MAX_ROWS: u32 = 500;

/// The parameters as stored: JSON text of at most [`PARAMS_MAX_BYTES`].
fn capped_params(params: &Value) -> String {
    let text = serde_json::to_string(params).unwrap_or_else(|_| "{}".into());
    if text.len() <= PARAMS_MAX_BYTES {
        return text;
    }
    let mut end = PARAMS_MAX_BYTES / 2;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    serde_json::json!({"truncated": true, "bytes": text.len(), "start": &text[..end]}).to_string()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl AuditLog {
    /// Opens (or creates) the database file.
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        let conn = Connection::open(path)
            .map_err(|e| AuditError(format!("cannot open {}: {e}", path.display())))?;
        Self::init(conn)
    }

    /// A database that lives as long as the process (the demo).
    pub fn in_memory() -> Result<AuditLog, AuditError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<AuditLog, AuditError> {
        // `journal_mode` answers with the mode in force, so read it as a query.
        let _: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;")?;
        conn.execute_batch(SCHEMA)?;
        // Files written before operations existed gain the column that links a row to one.
        let has_op_column = conn
            .prepare("SELECT 1 FROM pragma_table_info('audit') WHERE name = 'operation_id'")?
            .exists([])?;
        if !has_op_column {
            conn.execute_batch("ALTER TABLE audit ADD COLUMN operation_id TEXT")?;
        }
        conn.execute_batch(
            "CREATE INDEX IF NOT EXISTS audit_operation ON audit(operation_id) WHERE operation_id IS NOT NULL",
        )?;
        // A previous process stopped between sending and recording the answer.
        conn.execute(
            "UPDATE audit SET outcome = 'unknown', message = 'the server stopped before the outcome was recorded' WHERE outcome = 'pending'",
            [],
        )?;
        Ok(AuditLog {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn with<R>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, rusqlite::Error>,
    ) -> Result<R, AuditError> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        Ok(f(&conn)?)
    }

    /// Records a call about to be sent; returns its row id. Parameters over
    /// [`PARAMS_MAX_BYTES`] are kept as their first bytes, marked truncated; names are
    /// cut to [`NAME_MAX_CHARS`].
    pub fn begin(&self, e: &NewEntry) -> Result<i64, AuditError> {
        let params = capped_params(e.params);
        let cut = |s: &str| s.chars().take(NAME_MAX_CHARS).collect::<String>();
        self.with(|c| {
            c.execute(
                "INSERT INTO audit (started_at, user, via, profile, provider, region, action, params, outcome, operation_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9)",
                rusqlite::params![now_ms(), cut(e.user), e.via, cut(e.profile), e.provider, cut(e.region), e.action, params, e.operation_id],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    /// Records how the call ended.
    pub fn complete(&self, id: i64, done: &Completion) -> Result<(), AuditError> {
        self.with(|c| {
            c.execute(
                "UPDATE audit SET finished_at = ?2, outcome = ?3, provider_code = ?4, http_status = ?5, request_id = ?6, message = ?7 WHERE id = ?1",
                rusqlite::params![
                    id,
                    now_ms(),
                    done.outcome,
                    done.provider_code,
                    done.http_status,
                    done.request_id,
                    done.message
                ],
            )?;
            Ok(())
        })
    }

    /// [`begin`](Self::begin) off the async threads.
    pub async fn begin_async(&self, p: Pending) -> Result<i64, AuditError> {
        let log = self.clone();
        tokio::task::spawn_blocking(move || {
            log.begin(&NewEntry {
                user: &p.user,
                via: p.via,
                profile: &p.profile,
                provider: p.provider,
                region: &p.region,
                action: p.action,
                params: &p.params,
                operation_id: p.operation_id.as_deref(),
            })
        })
        .await
        .map_err(|e| AuditError(format!("audit task failed: {e}")))?
    }

    /// [`complete`](Self::complete) off the async threads.
    pub async fn complete_async(&self, id: i64, done: Completion) -> Result<(), AuditError> {
        let log = self.clone();
        tokio::task::spawn_blocking(move || log.complete(id, &done))
            .await
            .map_err(|e| AuditError(format!("audit task failed: {e}")))?
    }

    /// Rows matching `q`, newest first, limited to `profiles` when given, at most
    /// [`ANSWER_MAX_ROWS`] and about [`ANSWER_MAX_BYTES`]: the caller pages on with
    /// `before` = the last row's id.
    pub fn query(&self, q: &Query, profiles: Option<&[String]>) -> Result<Vec<Entry>, AuditError> {
        Ok(self.rows(q, profiles)?.0)
    }

    /// [`query`](Self::query) and the `before` to ask for the next page with, when
    /// there may be one (a full page, or one cut at [`ANSWER_MAX_BYTES`]).
    pub fn page(
        &self,
        q: &Query,
        profiles: Option<&[String]>,
    ) -> Result<(Vec<Entry>, Option<i64>), AuditError> {
        let (rows, cut) = self.rows(q, profiles)?;
        let full = rows.len() as u32 == q.limit.unwrap_or(50).clamp(1, ANSWER_MAX_ROWS);
        let next = if cut || full {
            rows.last().map(|r| r.id)
        } else {
            None
        };
        Ok((rows, next))
    }

    /// The rows, and whether the byte budget cut them short.
    fn rows(
        &self,
        q: &Query,
        profiles: Option<&[String]>,
    ) -> Result<(Vec<Entry>, bool), AuditError> {
        let mut sql = String::from(
            "SELECT id, started_at, finished_at, user, via, profile, provider, region, action, params, outcome, provider_code, http_status, request_id, message, operation_id FROM audit WHERE 1=1",
        );
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut text = |sql: &mut String, col: &str, v: &Option<String>| {
            if let Some(v) = v {
                sql.push_str(&format!(" AND {col} = ?"));
                args.push(v.clone().into());
            }
        };
        text(&mut sql, "user", &q.user);
        text(&mut sql, "profile", &q.profile);
        text(&mut sql, "provider", &q.provider);
        text(&mut sql, "action", &q.action);
        text(&mut sql, "outcome", &q.outcome);
        text(&mut sql, "operation_id", &q.operation_id);
        for (col, op, v) in [
            ("started_at", ">=", q.since),
            ("started_at", "<=", q.until),
            ("id", "<", q.before),
        ] {
            if let Some(v) = v {
                sql.push_str(&format!(" AND {col} {op} ?"));
                args.push(v.into());
            }
        }
        if let Some(list) = profiles {
            if list.is_empty() {
                return Ok((Vec::new(), false));
            }
            sql.push_str(" AND profile IN (");
            sql.push_str(&vec!["?"; list.len()].join(", "));
            sql.push(')');
            args.extend(list.iter().map(|p| p.clone().into()));
        }
        let limit = q.limit.unwrap_or(50).clamp(1, ANSWER_MAX_ROWS);
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
        self.with(|c| {
            let mut stmt = c.prepare(&sql)?;
            let mut bytes = 0usize;
            let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
                let started_at: i64 = r.get(1)?;
                let finished_at: Option<i64> = r.get(2)?;
                let params: String = r.get(9)?;
                let message: Option<String> = r.get(14)?;
                // About the row's size in the answer: its long fields plus the rest.
                let size = 512 + params.len() + message.as_ref().map_or(0, String::len);
                let entry = Entry {
                    id: r.get(0)?,
                    started_at,
                    finished_at,
                    duration_ms: finished_at.map(|f| f - started_at),
                    user: r.get(3)?,
                    via: r.get(4)?,
                    profile: r.get(5)?,
                    provider: r.get(6)?,
                    region: r.get(7)?,
                    action: r.get(8)?,
                    params: serde_json::from_str(&params).unwrap_or(Value::Null),
                    outcome: r.get(10)?,
                    provider_code: r.get(11)?,
                    http_status: r.get(12)?,
                    request_id: r.get(13)?,
                    message,
                    operation_id: r.get(15)?,
                };
                Ok((entry, size))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (row, size) = row?;
                bytes += size;
                out.push(row);
                // Rows are read one at a time, so a large page never sits in memory whole.
                if bytes >= ANSWER_MAX_BYTES {
                    return Ok((out, true));
                }
            }
            Ok((out, false))
        })
    }

    /// One row by id.
    pub fn get(&self, id: i64) -> Result<Option<Entry>, AuditError> {
        let q = Query {
            before: Some(id + 1),
            limit: Some(1),
            ..Default::default()
        };
        Ok(self.query(&q, None)?.into_iter().find(|e| e.id == id))
    }

    /// The database, for the tables that live beside the log (idempotency keys).
    pub fn connection(&self) -> Arc<Mutex<Connection>> {
        self.conn.clone()
    }

    /// The journal mode in force (for tests: `wal`).
    pub fn journal_mode(&self) -> Result<String, AuditError> {
        self.with(|c| {
            c.query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .optional()
                .map(|m| m.unwrap_or_default())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pending_rows_survive_a_restart_as_unknown_and_completed_rows_stay() {
        let dir = std::env::temp_dir().join(format!("rewind-audit-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.sqlite");
        let _ = std::fs::remove_file(&path);
        let params = json!({"InstanceId": "lhins-00000001"});
        let entry = |action| NewEntry {
            operation_id: None,
            user: "alice",
            via: "call",
            profile: "lh",
            provider: "tencent",
            region: "ap-guangzhou",
            action,
            params: &params,
        };
        {
            let log = AuditLog::open(&path).unwrap();
            assert_eq!(log.journal_mode().unwrap(), "wal");
            let a = log.begin(&entry("ApplyInstanceSnapshot")).unwrap();
            log.complete(
                a,
                &Completion {
                    outcome: "ok".into(),
                    request_id: Some("rid-1".into()),
                    http_status: Some(200),
                    ..Default::default()
                },
            )
            .unwrap();
            log.begin(&entry("CreateInstanceSnapshot")).unwrap();
            // Dropped without completing the second row: a crash mid-call.
        }
        let log = AuditLog::open(&path).unwrap();
        let rows = log.query(&Query::default(), None).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].action, "CreateInstanceSnapshot");
        assert_eq!(rows[0].outcome, "unknown");
        assert_eq!(rows[1].outcome, "ok");
        assert_eq!(rows[1].request_id.as_deref(), Some("rid-1"));
        assert_eq!(rows[1].params["InstanceId"], "lhins-00000001");
        let q = Query {
            outcome: Some("ok".into()),
            ..Default::default()
        };
        assert_eq!(log.query(&q, None).unwrap().len(), 1);
        let page = Query {
            before: Some(rows[0].id),
            ..Default::default()
        };
        assert_eq!(log.query(&page, None).unwrap()[0].id, rows[1].id);
        assert!(log.query(&Query::default(), Some(&[])).unwrap().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}
