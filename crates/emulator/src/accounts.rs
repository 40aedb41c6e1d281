//! The emulated accounts of all three clouds, per provider and keyed by the access key
//! that owns them, each created lazily from the seed world on its first call.

use crate::World;
use crate::config::Credentials;
use crate::prng::hash_str;
use crate::{ecs, lighthouse, seed, workspace};
use std::collections::BTreeMap;

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
