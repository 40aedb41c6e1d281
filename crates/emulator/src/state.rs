//! The emulated accounts of all three clouds, created lazily per key from the seed
//! world, and what every operation needs: the time, limits and an id generator.

use crate::World;
use crate::config::{Credentials, Limits, Timings};
use crate::prng::{SplitMix64, hash_str};
use crate::{ecs, lighthouse, seed, workspace};
use std::collections::{BTreeMap, VecDeque};

/// What an operation is given: the current time, the request id, settings and ids.
pub struct OpCtx<'a> {
    pub now: u64,
    pub request_id: &'a str,
    pub timings: &'a Timings,
    pub limits: &'a Limits,
    pub rng: &'a mut SplitMix64,
}

/// A sliding one-second window of admitted calls, measured on the injected clock.
#[derive(Debug, Clone, Default)]
pub struct RateWindow(VecDeque<u64>);

impl RateWindow {
    /// True (and counted) when fewer than `per_sec` calls were admitted in the last second.
    pub fn admit(&mut self, now: u64, per_sec: usize) -> bool {
        while self.0.front().is_some_and(|&t| t + 1000 <= now) {
            self.0.pop_front();
        }
        if self.0.len() >= per_sec {
            return false;
        }
        self.0.push_back(now);
        true
    }
}

/// `items[offset..offset+limit]`, clamped.
pub fn page<T>(items: &[T], offset: usize, limit: usize) -> &[T] {
    let start = offset.min(items.len());
    let end = start.saturating_add(limit).min(items.len());
    &items[start..end]
}

/// Every account, per provider, keyed by the access key that owns it.
pub struct State {
    pub world: World,
    pub seed: u64,
    /// The time the world was created at; seed timestamps are relative to it.
    pub origin_ms: u64,
    pub lighthouse: BTreeMap<String, lighthouse::Account>,
    pub ecs: BTreeMap<String, ecs::Account>,
    pub workspace: BTreeMap<String, workspace::Account>,
}

impl State {
    pub fn new(world: World, seed: u64, origin_ms: u64) -> State {
        State {
            world,
            seed,
            origin_ms,
            lighthouse: BTreeMap::new(),
            ecs: BTreeMap::new(),
            workspace: BTreeMap::new(),
        }
    }

    /// Every account's world is built from the same seed, so all keys see the same
    /// resources (and tests can predict them), but each key's account is its own.
    pub fn lighthouse(&mut self, key: &str) -> &mut lighthouse::Account {
        let (world, seed, origin) = (self.world, self.seed, self.origin_ms);
        self.lighthouse
            .entry(key.to_string())
            .or_insert_with(|| seed::lighthouse(world, seed, origin))
    }

    pub fn ecs(&mut self, key: &str) -> &mut ecs::Account {
        let (world, seed, origin) = (self.world, self.seed, self.origin_ms);
        self.ecs
            .entry(key.to_string())
            .or_insert_with(|| seed::ecs(world, seed, origin))
    }

    pub fn workspace(&mut self, key: &str, creds: &Credentials) -> &mut workspace::Account {
        let (world, seed, origin) = (self.world, self.seed, self.origin_ms);
        let projects = creds
            .huawei
            .get(key)
            .map(|k| k.projects.clone())
            .unwrap_or_default();
        self.workspace
            .entry(key.to_string())
            .or_insert_with(|| seed::workspace(world, seed ^ hash_str("huawei"), origin, &projects))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_window_admits_n_per_second() {
        let mut w = RateWindow::default();
        for i in 0..20 {
            assert!(w.admit(1000 + i, 20));
        }
        assert!(!w.admit(1500, 20));
        // The first call leaves the window one second after it was made.
        assert!(!w.admit(1999, 20));
        assert!(w.admit(2000, 20));
    }

    #[test]
    fn page_clamps() {
        let v = [1, 2, 3];
        assert_eq!(page(&v, 1, 5), &[2, 3]);
        assert!(page(&v, 9, 5).is_empty());
        assert_eq!(page(&v, 0, usize::MAX), &[1, 2, 3]);
    }
}
