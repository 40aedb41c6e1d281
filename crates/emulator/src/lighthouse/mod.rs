//! Tencent Cloud Lighthouse: instances, their system disks and snapshots, with the
//! documented rules of ApplyInstanceSnapshot / CreateInstanceSnapshot and timed
//! transitions that are settled lazily from timestamps whenever state is read.
//!
//! The states are the cloud model's ([`rewind_cloud::tencent`]), and so are the rules
//! that say which state allows what. This module holds the world and its transitions;
//! [`describe`] the Describe actions and their filters; [`mutations`] the actions that
//! change state.

mod describe;
mod mutations;

use crate::error::Refusal;
use crate::params::well_formed;
pub use rewind_cloud::tencent::{InstanceState, OperationState, SnapshotState};
use rewind_cloud::validate::IdKind;
use std::collections::BTreeMap;

use crate::state::RateWindow;

/// `LatestOperation*` fields of an instance or snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub name: &'static str,
    pub state: OperationState,
    pub request_id: String,
    pub started_ms: u64,
}

impl Operation {
    /// An operation that has just started (OPERATING).
    pub fn started(name: &'static str, request_id: &str, now: u64) -> Operation {
        Operation {
            name,
            state: OperationState::Operating,
            request_id: request_id.to_string(),
            started_ms: now,
        }
    }
}

/// A transition under way on an instance, and when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Stopping {
        done_ms: u64,
    },
    Starting {
        done_ms: u64,
    },
    /// The instance is (force-)stopped until `stopped_ms`, then the disk is rolled back.
    RollingBack {
        snapshot_id: String,
        stopped_ms: u64,
        done_ms: u64,
    },
    TakingSnapshot {
        snapshot_id: String,
        done_ms: u64,
    },
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    pub name: String,
    pub zone: String,
    pub bundle_id: String,
    pub blueprint_id: String,
    pub state: InstanceState,
    pub private_ip: String,
    pub public_ip: String,
    pub tags: Vec<(String, String)>,
    pub disk_id: String,
    pub disk_size: u32,
    pub created_ms: u64,
    pub expired_ms: u64,
    pub latest: Option<Operation>,
    pub transition: Option<Transition>,
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub id: String,
    pub name: String,
    pub instance_id: String,
    pub disk_id: String,
    pub disk_size: u32,
    pub state: SnapshotState,
    pub created_ms: u64,
    /// When a CREATING snapshot becomes NORMAL.
    pub create_done_ms: u64,
    pub latest: Option<Operation>,
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct Region {
    pub instances: Vec<Instance>,
    pub snapshots: Vec<Snapshot>,
}

#[derive(Debug, Clone, Default)]
pub struct Account {
    pub regions: BTreeMap<String, Region>,
    pub apply_rate: RateWindow,
    pub create_rate: RateWindow,
}

fn err(code: &str, message: impl Into<String>) -> Refusal {
    Refusal::new(200, code, message)
}

pub fn valid_instance_id(id: &str) -> bool {
    well_formed(IdKind::LhInstance, id)
}

pub fn valid_snapshot_id(id: &str) -> bool {
    well_formed(IdKind::LhSnapshot, id)
}

fn instance_not_found(id: &str) -> Refusal {
    err(
        "ResourceNotFound.InstanceIdNotFound",
        format!("The instance `{id}` does not exist."),
    )
}

fn instance_id_malformed(id: &str) -> Refusal {
    err(
        "InvalidParameterValue.InstanceIdMalformed",
        format!("The instance ID `{id}` is malformed."),
    )
}

fn snapshot_id_malformed(id: &str) -> Refusal {
    err(
        "InvalidParameterValue.SnapshotIdMalformed",
        format!("The snapshot ID `{id}` is malformed."),
    )
}

impl Region {
    /// Applies every transition whose time has come.
    pub fn settle(&mut self, now: u64) {
        let mut finished_snapshots: Vec<String> = Vec::new();
        for inst in &mut self.instances {
            let Some(t) = inst.transition.clone() else {
                continue;
            };
            let finished = match t {
                Transition::Stopping { done_ms } => {
                    inst.state = if now >= done_ms {
                        InstanceState::Stopped
                    } else {
                        InstanceState::Stopping
                    };
                    now >= done_ms
                }
                Transition::Starting { done_ms } => {
                    inst.state = if now >= done_ms {
                        InstanceState::Running
                    } else {
                        InstanceState::Starting
                    };
                    now >= done_ms
                }
                Transition::RollingBack {
                    snapshot_id,
                    stopped_ms,
                    done_ms,
                } => {
                    inst.state = if now >= stopped_ms {
                        InstanceState::Stopped
                    } else {
                        InstanceState::Stopping
                    };
                    if now >= done_ms {
                        finished_snapshots.push(snapshot_id);
                    }
                    now >= done_ms
                }
                Transition::TakingSnapshot {
                    snapshot_id,
                    done_ms,
                } => {
                    if now >= done_ms {
                        finished_snapshots.push(snapshot_id);
                    }
                    now >= done_ms
                }
            };
            if finished {
                inst.transition = None;
                if let Some(op) = &mut inst.latest {
                    op.state = OperationState::Success;
                }
            }
        }
        for id in finished_snapshots {
            if let Some(s) = self.snapshots.iter_mut().find(|s| s.id == id) {
                s.state = SnapshotState::Normal;
                if let Some(op) = &mut s.latest {
                    op.state = OperationState::Success;
                }
            }
        }
        // Snapshots created without an instance operation (seeded) finish on their own.
        for s in &mut self.snapshots {
            if s.state == SnapshotState::Creating && now >= s.create_done_ms {
                s.state = SnapshotState::Normal;
                if let Some(op) = &mut s.latest {
                    op.state = OperationState::Success;
                }
            }
        }
    }
}

impl Account {
    pub fn region_mut(&mut self, name: &str) -> Result<&mut Region, Refusal> {
        self.regions.get_mut(name).ok_or_else(|| {
            err(
                "UnsupportedRegion",
                format!("The region `{name}` is not supported by this account."),
            )
        })
    }

    pub fn settle(&mut self, now: u64) {
        for r in self.regions.values_mut() {
            r.settle(now);
        }
    }

    /// The region holding this instance, for actions whose `Region` is optional.
    fn region_of_instance(&self, instance_id: &str) -> Option<String> {
        self.regions
            .iter()
            .find(|(_, r)| r.instances.iter().any(|i| i.id == instance_id))
            .map(|(n, _)| n.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_validated_strictly() {
        assert!(valid_instance_id("lhins-k31c771o"));
        assert!(!valid_instance_id("lhins-K31C771O"));
        assert!(!valid_instance_id("lhins-k31c771"));
        assert!(valid_snapshot_id("lhsnap-nv6aqcv6"));
        assert!(!valid_snapshot_id("lhins-nv6aqcv6"));
    }

    #[test]
    fn a_rollback_stops_then_restores_then_finishes() {
        let inst = Instance {
            id: "lhins-aaaaaaaa".into(),
            name: "a".into(),
            zone: "z".into(),
            bundle_id: "b".into(),
            blueprint_id: "bp".into(),
            state: InstanceState::Running,
            private_ip: String::new(),
            public_ip: String::new(),
            tags: Vec::new(),
            disk_id: "lhdisk-aaaaaaaa".into(),
            disk_size: 40,
            created_ms: 0,
            expired_ms: 0,
            latest: Some(Operation::started("ApplyInstanceSnapshot", "r", 0)),
            transition: Some(Transition::RollingBack {
                snapshot_id: "lhsnap-aaaaaaaa".into(),
                stopped_ms: 100,
                done_ms: 300,
            }),
        };
        let snap = Snapshot {
            id: "lhsnap-aaaaaaaa".into(),
            name: "s".into(),
            instance_id: inst.id.clone(),
            disk_id: inst.disk_id.clone(),
            disk_size: 40,
            state: SnapshotState::Rollbacking,
            created_ms: 0,
            create_done_ms: 0,
            latest: None,
            tags: Vec::new(),
        };
        let mut r = Region {
            instances: vec![inst],
            snapshots: vec![snap],
        };
        r.settle(50);
        assert_eq!(r.instances[0].state, InstanceState::Stopping);
        r.settle(100);
        assert_eq!(r.instances[0].state, InstanceState::Stopped);
        assert_eq!(r.snapshots[0].state, SnapshotState::Rollbacking);
        r.settle(300);
        assert_eq!(r.snapshots[0].state, SnapshotState::Normal);
        assert!(r.instances[0].transition.is_none());
        assert_eq!(
            r.instances[0].latest.as_ref().map(|o| &o.state),
            Some(&OperationState::Success)
        );
    }
}
