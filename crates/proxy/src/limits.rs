//! Rate limits: per user on the API (answered with 429), and per account and action
//! towards the clouds where the provider documents a limit (Lighthouse
//! ApplyInstanceSnapshot / CreateInstanceSnapshot: 20/s), enforced by queueing the call
//! until the limiter lets it go, never by failing it.
//!
//! Towards the clouds there are two gates per (action, access key):
//! - [`Limiters::upstream_ready`], the pace: calls get evenly spaced slots, reserved in
//!   the order they ask (a late sleeper does not push the next slot back, so a batch
//!   keeps the pace); an operation waits here before it records the call as sent.
//! - [`Limiters::upstream_send`], just before the request leaves: at most `n` sends in
//!   any window of one second plus [`PACE_MARGIN`]. Calls that left their slots evenly
//!   but were held up unevenly on the way (a database write under load) would otherwise
//!   reach the cloud bunched, and the cloud counts in a sliding one-second window.

use crate::AppConfig;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rewind_cloud::action::Action;
use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Past this many (action, key) limiters, new keys share one limiter per action, so
/// relayed requests with made-up key ids cannot grow the map without bound.
const MAX_KEYS: usize = 10_000;

/// Audit-log queries per user and minute: enough for a person paging through the log,
/// too few for a script to keep the database and the answer buffers busy.
pub const AUDIT_QUERIES_PER_MINUTE: u32 = 60;

/// What the pace adds to one second: `n + 1` evenly spaced calls span 1.03 s, so jitter
/// of up to 30 ms between leaving and arriving cannot put `n + 1` of them into one
/// second at the cloud, and the pace stays at 97% of the limit (a batch must reach 95%;
/// a 10% margin gave 91%).
pub const PACE_MARGIN: Duration = Duration::from_millis(30);

/// The gates of one (action, access key).
#[derive(Debug)]
struct Upstream {
    /// Calls per second the cloud allows.
    per_sec: usize,
    /// The next free slot of the pace.
    next_slot: Option<Instant>,
    /// When the last sends (at most `per_sec`) left.
    sent: VecDeque<Instant>,
}

impl Upstream {
    fn new(per_sec: u32) -> Upstream {
        Upstream {
            per_sec: per_sec.max(1) as usize,
            next_slot: None,
            sent: VecDeque::new(),
        }
    }

    /// The spacing of the pace: one second plus the margin, over `per_sec`.
    fn period(&self) -> Duration {
        (Duration::from_secs(1) + PACE_MARGIN) / self.per_sec as u32
    }

    /// Reserves the next slot of the pace at `now`: the call may leave then.
    fn reserve(&mut self, now: Instant) -> Instant {
        let slot = self.next_slot.map_or(now, |next| next.max(now));
        self.next_slot = Some(slot + self.period());
        slot
    }

    /// A send at `now`: `None` when it may leave (and it is counted), else the time to
    /// ask again.
    fn send(&mut self, now: Instant) -> Option<Instant> {
        let window = Duration::from_secs(1) + PACE_MARGIN;
        while self.sent.front().is_some_and(|&t| t + window <= now) {
            self.sent.pop_front();
        }
        if self.sent.len() < self.per_sec {
            self.sent.push_back(now);
            return None;
        }
        // The oldest of the last `per_sec` sends leaves the window then.
        self.sent.front().map(|&t| t + window)
    }
}

pub struct Limiters {
    per_user: DefaultKeyedRateLimiter<String>,
    audit_per_user: DefaultKeyedRateLimiter<String>,
    /// (action, access key id) → its gates: the clouds count per account.
    upstream: Mutex<HashMap<(Action, String), Upstream>>,
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

impl Limiters {
    pub fn new(config: &AppConfig) -> Limiters {
        // Upstream gates are made on first use, per action and access key.
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

    /// Runs `f` on the gates of `action` and this access key (made on first use), or
    /// gives `None` when the action has no documented limit.
    fn with_upstream<R>(
        &self,
        action: Action,
        access_key_id: &str,
        f: impl FnOnce(&mut Upstream) -> R,
    ) -> Option<R> {
        let per_sec = action.spec().rate_limit_per_sec?;
        let mut map = self.upstream.lock().unwrap_or_else(|e| e.into_inner());
        let key =
            if map.len() >= MAX_KEYS && !map.contains_key(&(action, access_key_id.to_string())) {
                String::new()
            } else {
                access_key_id.to_string()
            };
        Some(f(map
            .entry((action, key))
            .or_insert_with(|| Upstream::new(per_sec))))
    }

    /// Waits for the next slot of the pace of `action` with this access key.
    pub async fn upstream_ready(&self, action: Action, access_key_id: &str) {
        if let Some(slot) = self.with_upstream(action, access_key_id, |u| u.reserve(Instant::now()))
        {
            tokio::time::sleep_until(slot.into()).await;
        }
    }

    /// Waits until `action` may leave with this access key now without making more than
    /// the limit in any second plus [`PACE_MARGIN`]; call it right before sending.
    pub async fn upstream_send(&self, action: Action, access_key_id: &str) {
        while let Some(Some(retry)) =
            self.with_upstream(action, access_key_id, |u| u.send(Instant::now()))
        {
            tokio::time::sleep_until(retry.into()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pace_reaches_95_percent_of_the_limit_and_keeps_a_jitter_margin() {
        for n in [1, 2, 5, 10, 20, 50, 100] {
            let period = Upstream::new(n).period();
            // n + 1 calls span n periods: a second and the margin, so no one-second
            // window at the cloud holds n + 1 of them unless jitter exceeds the margin.
            assert!(
                period * n
                    >= Duration::from_secs(1) + PACE_MARGIN - Duration::from_micros(n.into()),
                "{n}/s: {period:?}"
            );
            // And the pace is at least 95% of the limit.
            let per_sec = 1.0 / period.as_secs_f64();
            assert!(per_sec >= 0.95 * f64::from(n), "{n}/s: {per_sec:.2}/s");
        }
    }

    #[test]
    fn slots_are_reserved_in_order_on_a_grid() {
        let mut u = Upstream::new(20);
        let p = u.period();
        let t0 = Instant::now();
        // Many callers asking at once get consecutive slots, in the order they asked.
        let slots: Vec<Instant> = (0..5).map(|_| u.reserve(t0)).collect();
        assert_eq!(slots, (0..5).map(|k| t0 + p * k).collect::<Vec<_>>());
        // A caller back before its next slot (it woke late, then saved) keeps the grid.
        let mut u = Upstream::new(20);
        assert_eq!(u.reserve(t0), t0);
        assert_eq!(u.reserve(t0 + Duration::from_millis(7)), t0 + p);
        // After a pause the next call goes at once, and the grid starts from it.
        let later = t0 + Duration::from_secs(5);
        assert_eq!(u.reserve(later), later);
        assert_eq!(u.reserve(later), later + p);
    }

    #[test]
    fn sends_held_up_unevenly_are_never_more_than_the_limit_in_a_window() {
        let mut u = Upstream::new(20);
        let t0 = Instant::now();
        let window = Duration::from_secs(1) + PACE_MARGIN;
        // 20 sends bunched into 10 ms leave; the 21st waits until the first leaves the
        // window, and then goes.
        for k in 0..20 {
            assert_eq!(u.send(t0 + Duration::from_micros(500 * k)), None);
        }
        let at = t0 + Duration::from_millis(400);
        assert_eq!(u.send(at), Some(t0 + window));
        assert_eq!(u.send(t0 + window), None);
        // Evenly paced sends never wait.
        let mut u = Upstream::new(20);
        let p = u.period();
        for k in 0..100 {
            assert_eq!(u.send(t0 + p * k), None, "send {k}");
        }
    }

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
        // Four gaps of 51.5 ms.
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
        let started = std::time::Instant::now();
        for _ in 0..50 {
            limiters
                .upstream_send(Action::LhDescribeInstances, key)
                .await;
        }
        assert!(started.elapsed().as_millis() < 50);
    }
}
