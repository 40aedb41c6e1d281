//! `Idempotency-Key` on mutating calls (`/api/v1/call`, `/relay`): the first request
//! with a key runs and its answer is kept for 24 hours under a unique (user, key) index;
//! a replay of the same request gets that answer back and sends nothing. A replay while
//! the first is still running, or the same key on a different request, is refused. A
//! key whose request stopped without an answer (the server crashed) stays claimed: its
//! outcome is unknown, and sending it again is exactly what the key exists to prevent.

use crate::error::ApiError;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

pub const HEADER: &str = "idempotency-key";
/// How long a key and its answer are kept.
pub const KEEP_MS: i64 = 24 * 60 * 60 * 1000;
/// The most bytes of an answer kept (mutating answers are small; a larger one is cut
/// off and its replay says so).
const ANSWER_MAX_BYTES: usize = 256 * 1024;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS idempotency (
    user TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    status INTEGER,
    body BLOB
);
CREATE UNIQUE INDEX IF NOT EXISTS idempotency_user_key ON idempotency(user, key);
CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency(created_at);
";

/// Where keys are kept: beside the audit log, or in memory without one.
#[derive(Clone)]
pub struct Store {
    conn: Option<Arc<Mutex<Connection>>>,
}

/// An in-memory database behind the same lock type as the audit log's.
trait OpenShared {
    fn open_in_memory_shared() -> rusqlite::Result<Arc<Mutex<Connection>>>;
}

impl OpenShared for Connection {
    fn open_in_memory_shared() -> rusqlite::Result<Arc<Mutex<Connection>>> {
        Ok(Arc::new(Mutex::new(Connection::open_in_memory()?)))
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("idempotency::Store")
    }
}

/// What a claim found.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: run the request, then [`Store::finish`].
    New,
    /// The request ran before: its answer.
    Replay { status: u16, body: Vec<u8> },
    /// The first request with this key has not finished (or never will: the server
    /// stopped while it ran).
    InProgress,
    /// The key was used for a different request.
    Reused,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Store {
    /// Keys in `conn` (the audit database), or in a database of their own in memory.
    /// A store whose table cannot be made refuses every keyed call (claims fail).
    pub fn new(conn: Option<Arc<Mutex<Connection>>>) -> Store {
        let conn = match conn
            .map(Ok)
            .unwrap_or_else(Connection::open_in_memory_shared)
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "no idempotency store: keyed calls will be refused");
                return Store { conn: None };
            }
        };
        let made = conn
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .execute_batch(SCHEMA);
        if let Err(e) = made {
            tracing::error!(error = %e, "no idempotency table: keyed calls will be refused");
        }
        Store { conn: Some(conn) }
    }

    fn with<R>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<R>) -> rusqlite::Result<R> {
        let conn = self.conn.as_ref().ok_or(rusqlite::Error::InvalidQuery)?;
        f(&conn.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Claims `key` for `user`'s request with this fingerprint at `now` (ms).
    pub fn claim(
        &self,
        user: &str,
        key: &str,
        fingerprint: &str,
        now: i64,
    ) -> rusqlite::Result<Claim> {
        self.with(|c| {
            c.execute(
                "DELETE FROM idempotency WHERE created_at < ?1",
                [now - KEEP_MS],
            )?;
            let inserted = c.execute(
                "INSERT OR IGNORE INTO idempotency (user, key, fingerprint, created_at) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![user, key, fingerprint, now],
            )?;
            if inserted == 1 {
                return Ok(Claim::New);
            }
            let row: Option<(String, Option<u16>, Option<Vec<u8>>)> = c
                .query_row(
                    "SELECT fingerprint, status, body FROM idempotency WHERE user = ?1 AND key = ?2",
                    rusqlite::params![user, key],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            Ok(match row {
                None => Claim::InProgress,
                Some((f, _, _)) if f != fingerprint => Claim::Reused,
                Some((_, Some(status), body)) => Claim::Replay {
                    status,
                    body: body.unwrap_or_default(),
                },
                Some((_, None, _)) => Claim::InProgress,
            })
        })
    }

    /// Keeps the answer of a claimed key.
    pub fn finish(&self, user: &str, key: &str, status: u16, body: &[u8]) -> rusqlite::Result<()> {
        let body = &body[..body.len().min(ANSWER_MAX_BYTES)];
        self.with(|c| {
            c.execute(
                "UPDATE idempotency SET status = ?3, body = ?4 WHERE user = ?1 AND key = ?2",
                rusqlite::params![user, key, status, body],
            )
            .map(|_| ())
        })
    }
}

/// The request's `Idempotency-Key`: 1 to 128 visible ASCII characters, given once.
pub fn key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let mut values = headers.get_all(HEADER).iter();
    let Some(v) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::BadIdempotencyKey(
            "give one Idempotency-Key header, not several".into(),
        ));
    }
    let k = v.to_str().unwrap_or("");
    if k.is_empty() || k.len() > 128 || !k.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::BadIdempotencyKey(
            "Idempotency-Key must be 1 to 128 visible ASCII characters, such as a UUID".into(),
        ));
    }
    Ok(Some(k.to_string()))
}

/// What identifies "the same request": the route and the exact body.
pub fn fingerprint(route: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(route.as_bytes());
    h.update([0]);
    h.update(body);
    hex::encode(h.finalize())
}

/// A claimed key: hand it the answer to keep.
#[derive(Debug)]
pub struct Ticket {
    store: Store,
    user: String,
    key: String,
}

/// Claims the request's key, if it has one. `Ok(Err(response))` is the answer to give
/// without running the request (a replay).
pub async fn begin(
    store: &Store,
    user: &str,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
) -> Result<Result<Option<Ticket>, Response>, ApiError> {
    let Some(key) = key(headers)? else {
        return Ok(Ok(None));
    };
    let fp = fingerprint(route, body);
    let (s, u, k) = (store.clone(), user.to_string(), key.clone());
    let claim = tokio::task::spawn_blocking(move || s.claim(&u, &k, &fp, now_ms()))
        .await
        .map_err(|_| ApiError::Internal)?
        .map_err(|e| {
            tracing::error!(error = %e, "idempotency store failed; call refused");
            ApiError::Internal
        })?;
    match claim {
        Claim::New => Ok(Ok(Some(Ticket {
            store: store.clone(),
            user: user.to_string(),
            key,
        }))),
        Claim::Replay { status, body } => {
            let mut res = Response::new(Body::from(body));
            *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            h.insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(Err(res))
        }
        Claim::InProgress => Err(ApiError::IdempotencyInProgress),
        Claim::Reused => Err(ApiError::BadIdempotencyKey(
            "this Idempotency-Key was already used for a different request".into(),
        )),
    }
}

impl Ticket {
    /// Keeps the answer (status and body) and hands it on.
    pub async fn finish(self, answer: Result<Response, ApiError>) -> Response {
        let res = answer.into_response();
        let (parts, body) = res.into_parts();
        let bytes = match axum::body::to_bytes(body, usize::MAX).await {
            Ok(b) => b,
            Err(_) => return ApiError::Internal.into_response(),
        };
        let status = parts.status.as_u16();
        let (store, user, key, kept) = (self.store, self.user, self.key, bytes.clone());
        let done =
            tokio::task::spawn_blocking(move || store.finish(&user, &key, status, &kept)).await;
        if !matches!(done, Ok(Ok(()))) {
            tracing::error!("idempotency answer could not be kept");
        }
        Response::from_parts(parts, Body::from(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_runs_once_and_replays_its_answer() {
        let s = Store::new(None);
        let fp = fingerprint("/api/v1/call", b"{}");
        assert_eq!(s.claim("alice", "k1", &fp, 1_000).unwrap(), Claim::New);
        assert_eq!(
            s.claim("alice", "k1", &fp, 1_001).unwrap(),
            Claim::InProgress
        );
        s.finish("alice", "k1", 200, b"{\"ok\":true}").unwrap();
        assert_eq!(
            s.claim("alice", "k1", &fp, 2_000).unwrap(),
            Claim::Replay {
                status: 200,
                body: b"{\"ok\":true}".to_vec()
            }
        );
        // Another request under the same key, and the same key of another user.
        let other = fingerprint("/api/v1/call", b"{\"x\":1}");
        assert_eq!(
            s.claim("alice", "k1", &other, 2_000).unwrap(),
            Claim::Reused
        );
        assert_eq!(s.claim("bob", "k1", &other, 2_000).unwrap(), Claim::New);
        // After 24 hours the key is forgotten.
        assert_eq!(
            s.claim("alice", "k1", &other, 1_000 + KEEP_MS + 1).unwrap(),
            Claim::New
        );
    }

    #[test]
    fn keys_must_be_one_short_visible_value() {
        let mut h = HeaderMap::new();
        assert_eq!(key(&h).unwrap(), None);
        h.insert(HEADER, HeaderValue::from_static("0f6c3c1e-8f1c"));
        assert_eq!(key(&h).unwrap().as_deref(), Some("0f6c3c1e-8f1c"));
        h.append(HEADER, HeaderValue::from_static("second"));
        assert!(key(&h).is_err());
        let mut h = HeaderMap::new();
        h.insert(HEADER, HeaderValue::from_static("has space"));
        assert!(key(&h).is_err());
    }
}
