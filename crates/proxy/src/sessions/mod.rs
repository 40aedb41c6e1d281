//! Cookie sessions for browsers: OpenID Connect sign-in and token sign-in both end in
//! one. The cookie holds 32 random bytes from the OS; the database holds only their
//! SHA-256, so a copy of the database (the audit file, a backup) signs no one in. A
//! session ends when unused for `idle` or `absolute` after sign-in, whichever is first,
//! and on sign-out.
//!
//! The cookie is `HttpOnly`, `SameSite=Lax`, `Path=/`; with an HTTPS public URL also
//! `Secure` and named with the `__Host-` prefix, so a sibling subdomain cannot plant
//! one. It is never accepted on a state-changing request that fails the CSRF rules:
//! [`csrf_gate`] removes it from such a request before any handler runs.

use crate::config::{SessionLifetimes, TokenEntry};
use crate::policy::Identity;
use axum::http::{HeaderMap, HeaderValue, header};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    id_sha256 TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    groups TEXT NOT NULL,
    via TEXT NOT NULL,
    token_sha256 TEXT,
    created_ms INTEGER NOT NULL,
    seen_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_seen ON sessions(seen_ms);
";

/// How a session was signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// OpenID Connect: user and groups from the ID token, fixed for the session.
    Oidc,
    /// Token sign-in: user and groups are read from the configured token on every
    /// request, so a token removed from the file ends its sessions at the restart.
    Token { sha256: [u8; 32] },
}

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub identity: Identity,
    pub via: Via,
}

/// The cookie's name and attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie {
    pub name: &'static str,
    pub secure: bool,
}

impl Cookie {
    pub fn new(secure: bool) -> Cookie {
        Cookie {
            name: if secure {
                "__Host-rewind-session"
            } else {
                "rewind-session"
            },
            secure,
        }
    }

    /// `Set-Cookie` for a new session. No `Max-Age`: the browser keeps it for the
    /// browsing session, the server decides when it ends.
    pub fn set(&self, id: &str) -> Option<HeaderValue> {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={id}; Path=/; HttpOnly; SameSite=Lax{secure}",
            self.name
        ))
        .ok()
    }

    /// `Set-Cookie` that removes it.
    pub fn clear(&self) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
            self.name
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The session id the request carries, if any.
    pub fn read<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        cookie_value(headers, self.name)
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// 32 random bytes from the OS, hex-encoded.
pub fn random_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)?;
    Ok(hex::encode(bytes))
}

fn digest(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// The sessions table: beside the audit log, or in memory without one.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    lifetimes: SessionLifetimes,
    pub cookie: Cookie,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("sessions::Store")
            .field("lifetimes", &self.lifetimes)
            .field("cookie", &self.cookie)
            .finish()
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(ms)
        .unwrap_or(0)
}

impl Store {
    /// Sessions in `conn` (the audit database), or in a database of their own in memory.
    pub fn open(
        conn: Option<Arc<Mutex<Connection>>>,
        lifetimes: SessionLifetimes,
        cookie: Cookie,
    ) -> rusqlite::Result<Store> {
        let conn = match conn {
            Some(c) => c,
            None => Arc::new(Mutex::new(Connection::open_in_memory()?)),
        };
        conn.lock()
            .unwrap_or_else(|e| e.into_inner())
            .execute_batch(SCHEMA)?;
        Ok(Store {
            conn,
            lifetimes,
            cookie,
        })
    }

    fn with<R>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<R>) -> rusqlite::Result<R> {
        f(&self.conn.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Starts a session at `now` (ms) and returns the id for the cookie.
    pub fn create(&self, session: &Session, now: i64) -> Result<String, String> {
        let id = random_id().map_err(|e| format!("no random bytes from the OS: {e}"))?;
        let groups = serde_json::to_string(&session.identity.groups).map_err(|e| e.to_string())?;
        let (via, token) = match &session.via {
            Via::Oidc => ("oidc", None),
            Via::Token { sha256 } => ("token", Some(hex::encode(sha256))),
        };
        self.with(|c| {
            self.purge(c, now)?;
            c.execute(
                "INSERT INTO sessions (id_sha256, user, groups, via, token_sha256, created_ms, seen_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                rusqlite::params![digest(&id), session.identity.user, groups, via, token, now],
            )
        })
        .map_err(|e| e.to_string())?;
        Ok(id)
    }

    fn purge(&self, c: &Connection, now: i64) -> rusqlite::Result<usize> {
        c.execute(
            "DELETE FROM sessions WHERE seen_ms <= ?1 OR created_ms <= ?2",
            rusqlite::params![
                now - ms(self.lifetimes.idle),
                now - ms(self.lifetimes.absolute)
            ],
        )
    }

    /// The live session with this id at `now`; using it moves its idle expiry on.
    /// An expired one is deleted.
    pub fn lookup(&self, id: &str, now: i64) -> rusqlite::Result<Option<Session>> {
        let key = digest(id);
        self.with(|c| {
            let row: Option<(String, String, String, Option<String>, i64, i64)> = c
                .query_row(
                    "SELECT user, groups, via, token_sha256, created_ms, seen_ms FROM sessions WHERE id_sha256 = ?1",
                    [&key],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
                )
                .optional()?;
            let Some((user, groups, via, token, created, seen)) = row else {
                return Ok(None);
            };
            let idle = ms(self.lifetimes.idle);
            if now - seen >= idle || now - created >= ms(self.lifetimes.absolute) {
                c.execute("DELETE FROM sessions WHERE id_sha256 = ?1", [&key])?;
                return Ok(None);
            }
            // One write per tenth of the idle time at most, not one per request.
            if now - seen >= (idle / 10).min(60_000) {
                c.execute(
                    "UPDATE sessions SET seen_ms = ?1 WHERE id_sha256 = ?2",
                    rusqlite::params![now, key],
                )?;
            }
            let via = match (via.as_str(), token.as_deref().map(hex::decode)) {
                ("token", Some(Ok(bytes))) if bytes.len() == 32 => {
                    let mut sha256 = [0u8; 32];
                    sha256.copy_from_slice(&bytes);
                    Via::Token { sha256 }
                }
                ("oidc", None) => Via::Oidc,
                _ => return Ok(None),
            };
            Ok(Some(Session {
                identity: Identity {
                    user,
                    groups: serde_json::from_str(&groups).unwrap_or_default(),
                },
                via,
            }))
        })
    }

    /// Ends the session with this id (sign-out).
    pub fn delete(&self, id: &str) -> rusqlite::Result<bool> {
        self.with(|c| {
            c.execute("DELETE FROM sessions WHERE id_sha256 = ?1", [digest(id)])
                .map(|n| n > 0)
        })
    }

    /// The identity of the request's session cookie, if it names a live session.
    /// A token session is resolved against the configured `tokens`, so its user and
    /// groups are the token's as configured now.
    pub fn identify(&self, headers: &HeaderMap, tokens: &[TokenEntry]) -> Option<Identity> {
        let id = self.cookie.read(headers)?;
        let session = match self.lookup(id, now_ms()) {
            Ok(s) => s?,
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return None;
            }
        };
        match session.via {
            Via::Oidc => Some(session.identity),
            Via::Token { sha256 } => tokens
                .iter()
                .find(|t| t.sha256 == sha256)
                .map(|t| Identity {
                    user: t.user.clone(),
                    groups: t.groups.clone(),
                }),
        }
    }
}

/// Rewrites the `Cookie` headers without `name`.
pub(crate) fn strip_cookie(headers: &mut HeaderMap, name: &str) {
    let kept: Vec<String> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|pair| !pair.is_empty() && pair.split_once('=').is_none_or(|(k, _)| k != name))
        .map(str::to_string)
        .collect();
    headers.remove(header::COOKIE);
    if !kept.is_empty()
        && let Ok(v) = HeaderValue::from_str(&kept.join("; "))
    {
        headers.insert(header::COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(idle: u64, absolute: u64) -> Store {
        Store::open(
            None,
            SessionLifetimes {
                idle: Duration::from_secs(idle),
                absolute: Duration::from_secs(absolute),
            },
            Cookie::new(false),
        )
        .unwrap()
    }

    fn olivia() -> Session {
        Session {
            identity: Identity {
                user: "olivia".into(),
                groups: vec!["ops".into()],
            },
            via: Via::Oidc,
        }
    }

    #[test]
    fn ids_are_random_and_stored_only_hashed() {
        let s = store(60, 600);
        let a = s.create(&olivia(), 1_000).unwrap();
        let b = s.create(&olivia(), 1_000).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        let stored: Vec<String> = s
            .with(|c| {
                let mut q = c.prepare("SELECT id_sha256 FROM sessions")?;
                q.query_map([], |r| r.get(0))?.collect()
            })
            .unwrap();
        assert!(!stored.contains(&a) && !stored.contains(&b));
        assert!(stored.contains(&digest(&a)));
        assert_eq!(s.lookup(&a, 2_000).unwrap(), Some(olivia()));
        assert_eq!(s.lookup("not-a-session", 2_000).unwrap(), None);
    }

    #[test]
    fn idle_and_absolute_expiry() {
        let s = store(10, 25);
        let id = s.create(&olivia(), 0).unwrap();
        // Used every 8 s it stays alive past the idle time...
        for t in [8_000, 16_000, 24_000] {
            assert!(s.lookup(&id, t).unwrap().is_some(), "at {t}");
        }
        // ...but not past the absolute lifetime.
        assert_eq!(s.lookup(&id, 25_000).unwrap(), None);
        let id = s.create(&olivia(), 100_000).unwrap();
        assert_eq!(s.lookup(&id, 110_000).unwrap(), None, "idle");
        // An expired session is gone, not merely refused.
        assert_eq!(s.lookup(&id, 100_001).unwrap(), None);
    }

    #[test]
    fn sign_out_deletes() {
        let s = store(60, 600);
        let id = s.create(&olivia(), 0).unwrap();
        assert!(s.delete(&id).unwrap());
        assert_eq!(s.lookup(&id, 1).unwrap(), None);
        assert!(!s.delete(&id).unwrap());
    }

    #[test]
    fn cookies() {
        let plain = Cookie::new(false);
        let set = plain.set("abc").unwrap();
        assert_eq!(
            set.to_str().unwrap(),
            "rewind-session=abc; Path=/; HttpOnly; SameSite=Lax"
        );
        let secure = Cookie::new(true);
        assert_eq!(
            secure.set("abc").unwrap().to_str().unwrap(),
            "__Host-rewind-session=abc; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        assert!(secure.clear().to_str().unwrap().contains("Max-Age=0"));
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; rewind-session=xyz; b=2"),
        );
        assert_eq!(plain.read(&h), Some("xyz"));
        // The secure name is not satisfied by the unprefixed one.
        assert_eq!(secure.read(&h), None);
        strip_cookie(&mut h, "rewind-session");
        assert_eq!(plain.read(&h), None);
        assert_eq!(cookie_value(&h, "b"), Some("2"));
    }

    #[test]
    fn token_sessions_follow_the_configured_token() {
        let s = store(60, 600);
        let sha256 = [7u8; 32];
        let session = Session {
            identity: Identity {
                user: "alice".into(),
                groups: vec![],
            },
            via: Via::Token { sha256 },
        };
        let id = s.create(&session, now_ms()).unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("rewind-session={id}")).unwrap(),
        );
        let tokens = vec![TokenEntry {
            user: "alice".into(),
            sha256,
            groups: vec!["ops".into()],
        }];
        assert_eq!(s.identify(&h, &tokens).unwrap().groups, ["ops"]);
        assert_eq!(s.identify(&h, &[]), None, "token no longer configured");
    }
}
