//! Where operations live: two SQLite tables beside the audit log (or in memory without
//! one). Plain columns for what is filtered on, the machine state as JSON text, and no
//! SQLite-only types, so a PostgreSQL backend can implement the same functions.

use super::Record;
use rewind_cloud::operation::Task;
use rewind_cloud::wire::operations::{CallRecord, OpState};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use std::sync::{Arc, Mutex};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY,
    user_name TEXT NOT NULL,
    user_groups TEXT NOT NULL,
    profile TEXT NOT NULL,
    region TEXT NOT NULL,
    provider TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    finished_ms INTEGER,
    task TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS operations_state ON operations(state);
CREATE TABLE IF NOT EXISTS operation_calls (
    operation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    item INTEGER NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    destructive INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    outcome TEXT,
    request_id TEXT,
    summary TEXT,
    started_ms INTEGER NOT NULL,
    elapsed_ms INTEGER,
    PRIMARY KEY (operation_id, seq)
);
";

#[derive(Debug, thiserror::Error)]
#[error("operations store: {0}")]
pub struct StoreError(String);

impl StoreError {
    pub fn msg(m: impl Into<String>) -> StoreError {
        StoreError(m.into())
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> StoreError {
        StoreError(e.to_string())
    }
}

/// Filters of `GET /api/v1/operations`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub state: Option<String>,
    pub profile: Option<String>,
    pub kind: Option<String>,
    /// An operation id: list older ones.
    pub before: Option<String>,
    pub limit: Option<u32>,
}

/// The most operations one list answer carries.
pub const LIST_MAX: u32 = 200;

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("operations::Store")
    }
}

impl Store {
    /// The tables in `conn` (the audit database), created when missing; calls that were
    /// in flight when a previous process stopped are marked `unknown`.
    pub fn open(conn: Arc<Mutex<Connection>>) -> Result<Store, StoreError> {
        let store = Store { conn };
        store.with(|c| {
            c.execute_batch(SCHEMA)?;
            c.execute(
                "UPDATE operation_calls SET outcome = 'unknown', summary = 'the server stopped before the answer was recorded' WHERE outcome IS NULL",
                [],
            )?;
            Ok(())
        })?;
        Ok(store)
    }

    /// A store that lives as long as the process (no audit database configured).
    pub fn in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        Store::open(Arc::new(Mutex::new(conn)))
    }

    fn with<R>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        f(&conn)
    }

    pub fn insert(&self, r: &Record) -> Result<(), StoreError> {
        let task = serde_json::to_string(&r.task)?;
        let groups = serde_json::to_string(&r.groups)?;
        self.with(|c| {
            c.execute(
                "INSERT INTO operations (id, user_name, user_groups, profile, region, provider, kind, target, state, cancel_requested, created_ms, updated_ms, finished_ms, task, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1)",
                params![
                    r.id,
                    r.user,
                    groups,
                    r.profile,
                    r.region,
                    r.provider.id(),
                    r.kind,
                    r.target,
                    r.state.as_str(),
                    r.cancel_requested,
                    r.created_ms as i64,
                    r.updated_ms as i64,
                    r.finished_ms.map(|m| m as i64),
                    task
                ],
            )?;
            Ok(())
        })
    }

    /// Saves the state of `r` (and, when given, a call's record) in one transaction.
    pub fn save(&self, r: &Record, call: Option<&CallRecord>) -> Result<(), StoreError> {
        let task = serde_json::to_string(&r.task)?;
        self.with(|c| {
            let tx = c.unchecked_transaction()?;
            tx.execute(
                "UPDATE operations SET state = ?2, cancel_requested = ?3, updated_ms = ?4, finished_ms = ?5, task = ?6, version = version + 1 WHERE id = ?1",
                params![
                    r.id,
                    r.state.as_str(),
                    r.cancel_requested,
                    r.updated_ms as i64,
                    r.finished_ms.map(|m| m as i64),
                    task
                ],
            )?;
            if let Some(k) = call {
                tx.execute(
                    "INSERT INTO operation_calls (operation_id, seq, item, action, target, destructive, idempotency_key, outcome, request_id, summary, started_ms, elapsed_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                     ON CONFLICT (operation_id, seq) DO UPDATE SET outcome = excluded.outcome, request_id = excluded.request_id, summary = excluded.summary, elapsed_ms = excluded.elapsed_ms",
                    params![
                        r.id,
                        k.seq,
                        k.item as i64,
                        k.action,
                        k.target,
                        k.destructive,
                        k.idempotency_key,
                        k.outcome,
                        k.request_id,
                        k.summary,
                        k.started_ms as i64,
                        k.elapsed_ms.map(|m| m as i64)
                    ],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    pub fn get(&self, id: &str) -> Result<Option<Record>, StoreError> {
        self.with(|c| {
            let row = c
                .query_row(
                    &format!("SELECT {COLUMNS} FROM operations WHERE id = ?1"),
                    [id],
                    row_text,
                )
                .optional()?;
            row.map(RowText::into_record).transpose()
        })
    }

    /// Every operation that has not finished (to resume at start).
    pub fn unfinished(&self) -> Result<Vec<Record>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM operations WHERE state = 'running' ORDER BY id"
            ))?;
            let rows = stmt.query_map([], row_text)?;
            let mut out = Vec::new();
            for row in rows {
                out.push(row?.into_record()?);
            }
            Ok(out)
        })
    }

    /// Newest first, filtered; `visible` decides per row (the caller's own, or those
    /// policy lets them see). Returns the page and the `before` of the next page.
    pub fn list(
        &self,
        q: &ListQuery,
        visible: &dyn Fn(&Record) -> bool,
    ) -> Result<(Vec<Record>, Option<String>), StoreError> {
        let limit = q.limit.unwrap_or(50).clamp(1, LIST_MAX) as usize;
        let mut sql = format!("SELECT {COLUMNS} FROM operations WHERE 1=1");
        let mut args: Vec<String> = Vec::new();
        for (col, v) in [
            ("state", &q.state),
            ("profile", &q.profile),
            ("kind", &q.kind),
        ] {
            if let Some(v) = v {
                sql.push_str(&format!(" AND {col} = ?"));
                args.push(v.clone());
            }
        }
        if let Some(b) = &q.before {
            sql.push_str(" AND id < ?");
            args.push(b.clone());
        }
        sql.push_str(" ORDER BY id DESC");
        self.with(|c| {
            let mut stmt = c.prepare(&sql)?;
            let rows = stmt.query_map(params_from_iter(args.iter()), row_text)?;
            let mut out = Vec::new();
            // Rows are read one at a time and filtered by visibility as they come.
            for row in rows {
                let r = row?.into_record()?;
                if !visible(&r) {
                    continue;
                }
                if out.len() == limit {
                    let next = out.last().map(|r: &Record| r.id.clone());
                    return Ok((out, next));
                }
                out.push(r);
            }
            Ok((out, None))
        })
    }

    /// The calls of one operation, oldest first.
    pub fn calls(&self, id: &str) -> Result<Vec<CallRecord>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT seq, item, action, target, destructive, idempotency_key, outcome, request_id, summary, started_ms, elapsed_ms FROM operation_calls WHERE operation_id = ?1 ORDER BY seq",
            )?;
            let rows = stmt.query_map([id], |r| {
                Ok(CallRecord {
                    seq: r.get(0)?,
                    item: r.get::<_, i64>(1)? as usize,
                    action: r.get(2)?,
                    target: r.get(3)?,
                    destructive: r.get(4)?,
                    idempotency_key: r.get(5)?,
                    outcome: r.get(6)?,
                    request_id: r.get(7)?,
                    summary: r.get(8)?,
                    started_ms: r.get::<_, i64>(9)? as u64,
                    elapsed_ms: r.get::<_, Option<i64>>(10)?.map(|m| m as u64),
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The highest call number recorded for an operation (calls continue from it).
    pub fn last_seq(&self, id: &str) -> Result<u32, StoreError> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM operation_calls WHERE operation_id = ?1",
                [id],
                |r| r.get(0),
            )?)
        })
    }
}

const COLUMNS: &str = "id, user_name, user_groups, profile, region, provider, kind, target, state, cancel_requested, created_ms, updated_ms, finished_ms, task";

/// A row as read, decoded outside rusqlite's callback so JSON errors are ours.
struct RowText {
    id: String,
    user: String,
    groups: String,
    profile: String,
    region: String,
    provider: String,
    kind: String,
    target: String,
    state: String,
    cancel_requested: bool,
    created_ms: i64,
    updated_ms: i64,
    finished_ms: Option<i64>,
    task: String,
}

fn row_text(r: &rusqlite::Row<'_>) -> rusqlite::Result<RowText> {
    Ok(RowText {
        id: r.get(0)?,
        user: r.get(1)?,
        groups: r.get(2)?,
        profile: r.get(3)?,
        region: r.get(4)?,
        provider: r.get(5)?,
        kind: r.get(6)?,
        target: r.get(7)?,
        state: r.get(8)?,
        cancel_requested: r.get(9)?,
        created_ms: r.get(10)?,
        updated_ms: r.get(11)?,
        finished_ms: r.get(12)?,
        task: r.get(13)?,
    })
}

impl RowText {
    fn into_record(self) -> Result<Record, StoreError> {
        let task: Task = serde_json::from_str(&self.task)
            .map_err(|e| StoreError(format!("operation {}: unreadable state: {e}", self.id)))?;
        let provider = rewind_cloud::Provider::ALL
            .into_iter()
            .find(|p| p.id() == self.provider)
            .ok_or_else(|| StoreError(format!("operation {}: unknown provider", self.id)))?;
        let state = OpState::parse(&self.state)
            .ok_or_else(|| StoreError(format!("operation {}: unknown state", self.id)))?;
        Ok(Record {
            id: self.id,
            user: self.user,
            groups: serde_json::from_str(&self.groups)?,
            profile: self.profile,
            region: self.region,
            provider,
            kind: self.kind,
            target: self.target,
            state,
            cancel_requested: self.cancel_requested,
            created_ms: self.created_ms as u64,
            updated_ms: self.updated_ms as u64,
            finished_ms: self.finished_ms.map(|m| m as u64),
            task,
        })
    }
}
