//! Alibaba Cloud ECS: instances, disks and snapshots with the documented rules of
//! ResetDisk and CreateSnapshot, Stop/StartInstance, and NextToken pagination.
//!
//! The states are the cloud model's ([`rewind_cloud::alibaba`]), and so are the rules
//! that say which state allows what. This module holds the world and its transitions;
//! [`describe`] the Describe actions and their paging; [`mutations`] the actions that
//! change state.

mod describe;
mod mutations;

use crate::clock::utc_ms;
use crate::error::Refusal;
pub use rewind_cloud::alibaba::{DiskStatus, InstanceStatus, LockReason, SnapshotStatus};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    pub name: String,
    pub zone: String,
    pub instance_type: String,
    pub status: InstanceStatus,
    /// `OperationLocks` reasons.
    pub locks: Vec<LockReason>,
    /// A Stopping/Starting transition: the status reached and when.
    pub pending: Option<(InstanceStatus, u64)>,
    pub expired: bool,
    pub created_ms: u64,
    pub tags: Vec<(String, String)>,
}

impl Instance {
    /// A `security` lock: ECS refuses every operation on the instance.
    pub fn locked_for_security(&self) -> bool {
        self.locks.contains(&LockReason::Security)
    }
}

#[derive(Debug, Clone)]
pub struct Disk {
    pub id: String,
    pub name: String,
    pub zone: String,
    pub instance_id: Option<String>,
    /// `system` or `data`.
    pub disk_type: &'static str,
    pub category: &'static str,
    pub status: DiskStatus,
    pub size: u32,
    pub source_snapshot_id: String,
    pub device: String,
    /// A ResetDisk under way: the status to return to, and when.
    pub reinit: Option<(DiskStatus, u64)>,
    pub created_ms: u64,
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub id: String,
    pub name: String,
    pub description: String,
    pub source_disk_id: String,
    pub source_disk_type: &'static str,
    pub source_disk_size: u32,
    pub status: SnapshotStatus,
    pub created_ms: u64,
    /// When a progressing snapshot becomes accomplished.
    pub done_ms: u64,
    pub retention_days: Option<u32>,
    /// `user` or `auto`.
    pub snapshot_type: &'static str,
    pub client_token: Option<String>,
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct Region {
    pub instances: Vec<Instance>,
    pub disks: Vec<Disk>,
    pub snapshots: Vec<Snapshot>,
}

#[derive(Debug, Clone, Default)]
pub struct Account {
    pub regions: BTreeMap<String, Region>,
    /// The region named by the request's endpoint, set per request by the surface.
    pub endpoint_region: Option<String>,
}

/// The region of a regional ECS endpoint host, if the host is one.
pub fn region_of_host(host: &str) -> Option<String> {
    let name = host.split(':').next().unwrap_or(host);
    let rest = name.strip_suffix(".aliyuncs.com")?;
    let region = rest
        .strip_prefix("ecs-vpc.")
        .or_else(|| rest.strip_prefix("ecs."))
        .or_else(|| rest.strip_prefix("ecs-"))?;
    (!region.is_empty() && !region.contains('.')).then(|| region.to_string())
}

fn err(status: u16, code: &str, message: impl Into<String>) -> Refusal {
    Refusal::new(status, code, message)
}

/// Snapshots created before this date cannot be used (documented).
pub fn too_old_cutoff_ms() -> u64 {
    utc_ms(2013, 7, 15, 0, 0, 0)
}

impl Region {
    pub fn settle(&mut self, now: u64) {
        for i in &mut self.instances {
            if let Some((to, at)) = &i.pending
                && now >= *at
            {
                i.status = to.clone();
                i.pending = None;
            }
        }
        for d in &mut self.disks {
            if let Some((to, at)) = &d.reinit
                && now >= *at
            {
                d.status = to.clone();
                d.reinit = None;
            }
        }
        for s in &mut self.snapshots {
            if s.status.in_progress() && now >= s.done_ms {
                s.status = SnapshotStatus::Accomplished;
            }
        }
    }
}

impl Account {
    pub fn region_mut(&mut self, name: &str) -> Result<&mut Region, Refusal> {
        self.regions.get_mut(name).ok_or_else(|| {
            err(
                400,
                "InvalidRegionId.MalFormed",
                "The specified RegionId is not valid",
            )
        })
    }

    pub fn settle(&mut self, now: u64) {
        for r in self.regions.values_mut() {
            r.settle(now);
        }
    }

    /// The region holding a resource. A regional endpoint (`ecs.cn-hangzhou.aliyuncs.com`)
    /// limits the search to its region; `127.0.0.1:PORT` searches them all.
    fn region_with<F: Fn(&Region) -> bool>(&self, f: F) -> Option<String> {
        self.regions
            .iter()
            .filter(|(n, _)| self.endpoint_region.as_ref().is_none_or(|h| h == *n))
            .find(|(_, r)| f(r))
            .map(|(n, _)| n.clone())
    }
}
