//! Rate limits: per user on the API (answered with 429), and per account and action
//! towards the clouds where the provider documents a limit (Lighthouse
//! ApplyInstanceSnapshot / CreateInstanceSnapshot: 20/s), enforced by queueing the call
//! until the limiter lets it go, never by failing it.

use crate::AppConfig;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use rewind_cloud::action::Action;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

/// Past this many (action, key) limiters, new keys share one limiter per action, so
/// relayed requests with made-up key ids cannot grow the map without bound.
const MAX_KEYS: usize = 10_000;

/// Audit-log queries per user and minute: enough for a person paging through the log,
/// too few for a script to keep the database and the answer buffers busy.
pub const AUDIT_QUERIES_PER_MINUTE: u32 = 60;

pub struct Limiters {
    per_user: DefaultKeyedRateLimiter<String>,
    audit_per_user: DefaultKeyedRateLimiter<String>,
    /// (action, access key id) → limiter: the clouds count per account.
    upstream: Mutex<HashMap<(Action, String), Arc<DefaultDirectRateLimiter>>>,
}

impl std::fmt::Debug for Limiters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiters")
            .field(
                "upstream",
                &self.upstream.lock().map(|m| m.len()).unwrap_or_default(),
            )
            .finish()
    }
}

/// `n` per second, evenly spaced with a 10% margin and no burst: clouds count in a
/// sliding one-second window, where a bucket's burst plus its refill would exceed `n`,
/// and network jitter can bunch requests that left evenly.
fn spaced_quota(n: u32) -> Option<Quota> {
    let period = std::time::Duration::from_micros(1_100_000 / u64::from(n.max(1)));
    Quota::with_period(period).map(|q| q.allow_burst(NonZeroU32::MIN))
}

impl Limiters {
    pub fn new(config: &AppConfig) -> Limiters {
        // Upstream limiters are made on first use, per action and access key.
        let per_minute =
            NonZeroU32::new(config.limits.requests_per_minute).unwrap_or(NonZeroU32::MIN);
        Limiters {
            per_user: RateLimiter::keyed(Quota::per_minute(per_minute)),
            audit_per_user: RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(AUDIT_QUERIES_PER_MINUTE).unwrap_or(NonZeroU32::MIN),
            )),
            upstream: Mutex::new(HashMap::new()),
        }
    }

    /// False when `user` has used up their requests for now.
    pub fn allow_user(&self, user: &str) -> bool {
        self.per_user.check_key(&user.to_string()).is_ok()
    }

    /// False when `user` has used up their audit-log queries for now.
    pub fn allow_audit_query(&self, user: &str) -> bool {
        self.audit_per_user.check_key(&user.to_string()).is_ok()
    }

    /// Waits until `action` may be sent with this access key.
    pub async fn upstream_ready(&self, action: Action, access_key_id: &str) {
        let Some(quota) = action.spec().rate_limit_per_sec.and_then(spaced_quota) else {
            return;
        };
        let limiter = {
            let mut map = self.upstream.lock().unwrap_or_else(|e| e.into_inner());
            let key = if map.len() >= MAX_KEYS
                && !map.contains_key(&(action, access_key_id.to_string()))
            {
                String::new()
            } else {
                access_key_id.to_string()
            };
            map.entry((action, key))
                .or_insert_with(|| Arc::new(RateLimiter::direct(quota)))
                .clone()
        };
        limiter.until_ready().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn twenty_per_second_actions_leave_evenly_spaced() {
        let config = AppConfig {
            profiles: crate::demo::profiles("127.0.0.1:9".parse().unwrap()),
            ..AppConfig::default()
        };
        let limiters = Limiters::new(&config);
        let key = rewind_emulator::config::demo::TENCENT_SECRET_ID;
        let started = std::time::Instant::now();
        for _ in 0..5 {
            limiters
                .upstream_ready(Action::LhApplyInstanceSnapshot, key)
                .await;
        }
        // Four gaps of 55 ms.
        assert!(
            started.elapsed().as_millis() >= 200,
            "{:?}",
            started.elapsed()
        );
        // Unlimited actions never wait.
        let started = std::time::Instant::now();
        for _ in 0..50 {
            limiters
                .upstream_ready(Action::LhDescribeInstances, key)
                .await;
        }
        assert!(started.elapsed().as_millis() < 50);
    }
}
