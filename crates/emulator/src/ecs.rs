//! Alibaba Cloud ECS: instances, disks and snapshots with the documented rules of
//! ResetDisk and CreateSnapshot, Stop/StartInstance, and NextToken pagination.

use crate::clock::{iso8601, utc_ms};
use crate::error::{ApiError, ApiResult};
use crate::params::{ECS, Params, well_formed};
use crate::state::{OpCtx, page};
use rewind_cloud::validate::IdKind;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceStatus {
    Pending,
    Running,
    Starting,
    Stopping,
    Stopped,
}

impl InstanceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceStatus::Pending => "Pending",
            InstanceStatus::Running => "Running",
            InstanceStatus::Starting => "Starting",
            InstanceStatus::Stopping => "Stopping",
            InstanceStatus::Stopped => "Stopped",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskStatus {
    InUse,
    Available,
    Attaching,
    Detaching,
    Creating,
    ReIniting,
}

impl DiskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DiskStatus::InUse => "In_use",
            DiskStatus::Available => "Available",
            DiskStatus::Attaching => "Attaching",
            DiskStatus::Detaching => "Detaching",
            DiskStatus::Creating => "Creating",
            DiskStatus::ReIniting => "ReIniting",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotStatus {
    Progressing,
    Accomplished,
    Failed,
}

impl SnapshotStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotStatus::Progressing => "progressing",
            SnapshotStatus::Accomplished => "accomplished",
            SnapshotStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    pub name: String,
    pub zone: String,
    pub instance_type: String,
    pub status: InstanceStatus,
    /// OperationLocks reasons: `security`, `financial`.
    pub locks: Vec<String>,
    /// A Stopping/Starting transition: the status reached and when.
    pub pending: Option<(InstanceStatus, u64)>,
    pub expired: bool,
    pub created_ms: u64,
    pub tags: Vec<(String, String)>,
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

fn err(status: u16, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(status, code, message)
}

/// Snapshots created before this date cannot be used (documented).
pub fn too_old_cutoff_ms() -> u64 {
    utc_ms(2013, 7, 15, 0, 0, 0)
}

impl Region {
    pub fn settle(&mut self, now: u64) {
        for i in &mut self.instances {
            if let Some((to, at)) = i.pending
                && now >= at
            {
                i.status = to;
                i.pending = None;
            }
        }
        for d in &mut self.disks {
            if let Some((to, at)) = d.reinit
                && now >= at
            {
                d.status = to;
                d.reinit = None;
            }
        }
        for s in &mut self.snapshots {
            if s.status == SnapshotStatus::Progressing && now >= s.done_ms {
                s.status = SnapshotStatus::Accomplished;
            }
        }
    }
}

/// Decodes a NextToken issued by this emulator (an opaque-looking hex offset).
fn decode_token(t: &str) -> Option<usize> {
    let hex = t.strip_prefix("e0")?;
    usize::from_str_radix(hex, 16).ok()
}

fn encode_token(offset: usize) -> String {
    format!("e0{offset:014x}")
}

fn paging(p: &Params, min: u64, max: u64, default: u64) -> ApiResult<(usize, usize)> {
    let max_results = p.opt_u64("MaxResults")?.unwrap_or(default);
    if max_results < min || max_results > max {
        return Err(err(
            400,
            "InvalidParameter.MaxResults",
            format!(
                "The specified parameter MaxResults is not valid. It must be between {min} and {max}."
            ),
        ));
    }
    let offset = match p.opt_str("NextToken")?.filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => decode_token(&t).ok_or_else(|| {
            err(
                400,
                "InvalidParameter.NextToken",
                "The specified NextToken is not valid.",
            )
        })?,
    };
    Ok((offset, max_results as usize))
}

fn paged<T>(items: &[T], offset: usize, limit: usize) -> (&[T], String) {
    let slice = page(items, offset, limit);
    let next = if offset + slice.len() < items.len() {
        encode_token(offset + slice.len())
    } else {
        String::new()
    };
    (slice, next)
}

fn check_ids(ids: &Option<Vec<String>>, name: &str) -> ApiResult<()> {
    if ids.as_ref().is_some_and(|v| v.len() > 100) {
        return Err(err(
            400,
            "InvalidParameter",
            format!("The parameter \"{name}\" accepts at most 100 IDs."),
        ));
    }
    Ok(())
}

fn dry_run(p: &Params) -> ApiResult<bool> {
    Ok(p.opt_bool("DryRun")?.unwrap_or(false))
}

fn dry_run_passed() -> ApiError {
    err(
        400,
        "DryRunOperation",
        "Request validation has been passed with DryRun flag set.",
    )
}

fn instance_json(region: &str, i: &Instance) -> Value {
    json!({
        "InstanceId": i.id,
        "InstanceName": i.name,
        "RegionId": region,
        "ZoneId": i.zone,
        "Status": i.status.as_str(),
        "InstanceType": i.instance_type,
        "InstanceChargeType": "PostPaid",
        "ExpiredTime": if i.expired { "2020-01-01T00:00Z" } else { "2099-12-31T15:59Z" },
        "CreationTime": iso8601(i.created_ms),
        "OperationLocks": {"LockReason": i.locks.iter().map(|l| json!({"LockReason": l})).collect::<Vec<_>>()},
        "Tags": {"Tag": i.tags.iter().map(|(k, v)| json!({"TagKey": k, "TagValue": v})).collect::<Vec<_>>()},
    })
}

fn disk_json(region: &str, d: &Disk) -> Value {
    json!({
        "DiskId": d.id,
        "DiskName": d.name,
        "RegionId": region,
        "ZoneId": d.zone,
        "InstanceId": d.instance_id.clone().unwrap_or_default(),
        "Type": d.disk_type,
        "Category": d.category,
        "Status": d.status.as_str(),
        "Size": d.size,
        "SourceSnapshotId": d.source_snapshot_id,
        "Device": d.device,
        "Portable": d.disk_type == "data",
        "DeleteWithInstance": d.disk_type == "system",
        "Encrypted": false,
        "CreationTime": iso8601(d.created_ms),
        "OperationLocks": {"OperationLock": []},
    })
}

fn snapshot_json(region: &str, s: &Snapshot, now: u64) -> Value {
    let progress = match s.status {
        SnapshotStatus::Accomplished => 100,
        SnapshotStatus::Failed => 0,
        SnapshotStatus::Progressing => {
            let span = s.done_ms.saturating_sub(s.created_ms).max(1);
            (now.saturating_sub(s.created_ms) * 100 / span).min(99)
        }
    };
    json!({
        "SnapshotId": s.id,
        "SnapshotName": s.name,
        "Description": s.description,
        "RegionId": region,
        "SourceDiskId": s.source_disk_id,
        "SourceDiskType": s.source_disk_type,
        "SourceDiskSize": s.source_disk_size.to_string(),
        "Status": s.status.as_str(),
        "Progress": format!("{progress}%"),
        "CreationTime": iso8601(s.created_ms),
        "Available": s.status == SnapshotStatus::Accomplished,
        "RetentionDays": s.retention_days,
        "SnapshotType": s.snapshot_type,
        "Usage": "none",
        "Tags": {"Tag": s.tags.iter().map(|(k, v)| json!({"TagKey": k, "TagValue": v})).collect::<Vec<_>>()},
    })
}

impl Account {
    pub fn region_mut(&mut self, name: &str) -> ApiResult<&mut Region> {
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

    pub fn describe_instances(&mut self, q: &Value, now: u64) -> ApiResult<Value> {
        let p = Params::new(q, ECS);
        let region = p.req_str("RegionId")?;
        let ids = p.opt_str_list("InstanceIds")?;
        check_ids(&ids, "InstanceIds")?;
        let status = p.opt_str("Status")?;
        let zone = p.opt_str("ZoneId")?;
        let tags = p.ecs_tags(20)?;
        let (offset, limit) = paging(&p, 1, 100, 10)?;
        let r = self.region_mut(&region)?;
        r.settle(now);
        let matched: Vec<&Instance> = r
            .instances
            .iter()
            .filter(|i| ids.as_ref().is_none_or(|ids| ids.contains(&i.id)))
            .filter(|i| status.as_ref().is_none_or(|s| s == i.status.as_str()))
            .filter(|i| zone.as_ref().is_none_or(|z| z == &i.zone))
            .filter(|i| {
                // Every Tag.N must match: its key, and its value when one is given.
                tags.iter().all(|(k, v)| {
                    i.tags
                        .iter()
                        .any(|(ik, iv)| ik == k && (v.is_empty() || iv == v))
                })
            })
            .collect();
        let (slice, next) = paged(&matched, offset, limit);
        Ok(json!({
            "Instances": {"Instance": slice.iter().map(|i| instance_json(&region, i)).collect::<Vec<_>>()},
            "TotalCount": matched.len(),
            "NextToken": next,
            "MaxResults": limit,
        }))
    }

    pub fn describe_disks(&mut self, q: &Value, now: u64) -> ApiResult<Value> {
        let p = Params::new(q, ECS);
        let region = p.req_str("RegionId")?;
        let ids = p.opt_str_list("DiskIds")?;
        check_ids(&ids, "DiskIds")?;
        let instance_id = p.opt_str("InstanceId")?;
        let disk_type = p.opt_str("DiskType")?.unwrap_or_else(|| "all".into());
        if !["all", "system", "data"].contains(&disk_type.as_str()) {
            return Err(p.invalid("DiskType", "expected all, system or data"));
        }
        let status = p.opt_str("Status")?.filter(|s| s != "All");
        let snapshot_id = p.opt_str("SnapshotId")?;
        let (offset, limit) = paging(&p, 10, 500, 10)?;
        let r = self.region_mut(&region)?;
        r.settle(now);
        let matched: Vec<&Disk> = r
            .disks
            .iter()
            .filter(|d| ids.as_ref().is_none_or(|ids| ids.contains(&d.id)))
            .filter(|d| {
                instance_id
                    .as_ref()
                    .is_none_or(|i| d.instance_id.as_ref() == Some(i))
            })
            .filter(|d| disk_type == "all" || d.disk_type == disk_type)
            .filter(|d| status.as_ref().is_none_or(|s| s == d.status.as_str()))
            .filter(|d| {
                snapshot_id
                    .as_ref()
                    .is_none_or(|s| s == &d.source_snapshot_id)
            })
            .collect();
        let (slice, next) = paged(&matched, offset, limit);
        Ok(json!({
            "Disks": {"Disk": slice.iter().map(|d| disk_json(&region, d)).collect::<Vec<_>>()},
            "TotalCount": matched.len(),
            "NextToken": next,
            "MaxResults": limit,
        }))
    }

    pub fn describe_snapshots(&mut self, q: &Value, now: u64) -> ApiResult<Value> {
        let p = Params::new(q, ECS);
        let region = p.req_str("RegionId")?;
        let ids = p.opt_str_list("SnapshotIds")?;
        check_ids(&ids, "SnapshotIds")?;
        let instance_id = p.opt_str("InstanceId")?;
        let disk_id = p.opt_str("DiskId")?;
        let snapshot_type = p.opt_str("SnapshotType")?.unwrap_or_else(|| "all".into());
        if !["all", "auto", "user"].contains(&snapshot_type.as_str()) {
            return Err(p.invalid("SnapshotType", "expected auto, user or all"));
        }
        let source = p.opt_str("SourceDiskType")?.map(|s| s.to_ascii_lowercase());
        let status = p.opt_str("Status")?.filter(|s| s != "all");
        let (offset, limit) = paging(&p, 1, 100, 10)?;
        let r = self.region_mut(&region)?;
        r.settle(now);
        let instance_disks: Option<Vec<String>> = instance_id.as_ref().map(|i| {
            r.disks
                .iter()
                .filter(|d| d.instance_id.as_ref() == Some(i))
                .map(|d| d.id.clone())
                .collect()
        });
        let matched: Vec<&Snapshot> = r
            .snapshots
            .iter()
            .filter(|s| ids.as_ref().is_none_or(|ids| ids.contains(&s.id)))
            .filter(|s| {
                instance_disks
                    .as_ref()
                    .is_none_or(|ds| ds.contains(&s.source_disk_id))
            })
            .filter(|s| disk_id.as_ref().is_none_or(|d| d == &s.source_disk_id))
            .filter(|s| snapshot_type == "all" || s.snapshot_type == snapshot_type)
            .filter(|s| source.as_ref().is_none_or(|t| t == s.source_disk_type))
            .filter(|s| status.as_ref().is_none_or(|st| st == s.status.as_str()))
            .collect();
        let (slice, next) = paged(&matched, offset, limit);
        Ok(json!({
            "Snapshots": {"Snapshot": slice.iter().map(|s| snapshot_json(&region, s, now)).collect::<Vec<_>>()},
            "TotalCount": matched.len(),
            "NextToken": next,
            "MaxResults": limit,
        }))
    }

    /// ResetDisk: no RegionId; the disk is found across the account's regions.
    pub fn reset_disk(&mut self, q: &Value, ctx: &mut OpCtx) -> ApiResult<Value> {
        let p = Params::new(q, ECS);
        let disk_id = p.req_str("DiskId")?;
        let snapshot_id = p.req_str("SnapshotId")?;
        let dry = dry_run(&p)?;
        let disk_nf = || {
            err(
                404,
                "InvalidDiskId.NotFound",
                "The specified disk does not exist.",
            )
        };
        let snap_nf = || {
            err(
                404,
                "InvalidSnapshotId.NotFound",
                "The specified SnapshotId does not exist.",
            )
        };
        if !well_formed(IdKind::EcsDisk, &disk_id) {
            return Err(disk_nf());
        }
        if !well_formed(IdKind::EcsSnapshot, &snapshot_id) {
            return Err(snap_nf());
        }
        let region = self
            .region_with(|r| r.disks.iter().any(|d| d.id == disk_id))
            .ok_or_else(disk_nf)?;
        let r = self.region_mut(&region)?;
        r.settle(ctx.now);
        let di = r
            .disks
            .iter()
            .position(|d| d.id == disk_id)
            .ok_or_else(disk_nf)?;
        let snap = r
            .snapshots
            .iter()
            .find(|s| s.id == snapshot_id)
            .ok_or_else(snap_nf)?;
        let disk = &r.disks[di];
        let inst = disk
            .instance_id
            .as_ref()
            .and_then(|iid| r.instances.iter().find(|i| &i.id == iid));
        if let Some(i) = inst
            && i.locks.iter().any(|l| l == "security")
        {
            return Err(err(
                403,
                "InstanceLockedForSecurity",
                "The instance is locked due to security.",
            ));
        }
        if !matches!(disk.status, DiskStatus::InUse | DiskStatus::Available) {
            return Err(err(
                403,
                "IncorrectDiskStatus",
                "The current disk status does not support this operation.",
            ));
        }
        if let Some(i) = inst
            && i.status != InstanceStatus::Stopped
        {
            return Err(err(
                403,
                "IncorrectInstanceStatus",
                "The current status of the resource does not support this operation.",
            ));
        }
        if snap.source_disk_id != disk.id {
            return Err(err(
                403,
                "InvalidParameter.Mismatch",
                "The specified snapshot is not created from the specified disk.",
            ));
        }
        match snap.status {
            SnapshotStatus::Progressing => {
                return Err(err(
                    403,
                    "InvalidSnapshotId.NotReady",
                    "The specified snapshot has not completed yet.",
                ));
            }
            SnapshotStatus::Failed => {
                return Err(err(
                    403,
                    "OperationDenied",
                    "The specified snapshot dees not support ResetDisk.",
                ));
            }
            SnapshotStatus::Accomplished => {}
        }
        if snap.created_ms < too_old_cutoff_ms() {
            return Err(err(
                403,
                "InvalidSnapshot.TooOld",
                "The snapshotId is created before 2013-07-15, it cannot be restored since the first time the disk detached.",
            ));
        }
        if dry {
            return Err(dry_run_passed());
        }
        let back_to = disk.status;
        let disk = &mut r.disks[di];
        disk.status = DiskStatus::ReIniting;
        disk.reinit = Some((back_to, ctx.now + ctx.timings.reset_disk.as_millis() as u64));
        r.settle(ctx.now);
        Ok(json!({}))
    }

    pub fn create_snapshot(&mut self, q: &Value, ctx: &mut OpCtx) -> ApiResult<Value> {
        let p = Params::new(q, ECS);
        let disk_id = p.req_str("DiskId")?;
        let name = p.opt_str("SnapshotName")?;
        if let Some(n) = &name {
            let len = n.chars().count();
            if !(2..=128).contains(&len)
                || n.starts_with("http://")
                || n.starts_with("https://")
                || n.starts_with("auto")
            {
                return Err(err(
                    400,
                    "InvalidSnapshotName.Malformed",
                    "The specified SnapshotName is wrongly formed.",
                ));
            }
        }
        let description = p.opt_str("Description")?;
        if description
            .as_ref()
            .is_some_and(|d| !(2..=256).contains(&d.chars().count()))
        {
            return Err(err(
                400,
                "InvalidDescription.Malformed",
                "The specified Description is wrongly formed.",
            ));
        }
        let retention = p.opt_u64("RetentionDays")?;
        if retention.is_some_and(|d| !(1..=65536).contains(&d)) {
            return Err(err(
                400,
                "InvalidRetentionDays.Malformed",
                "RetentionDays must be between 1 and 65536.",
            ));
        }
        let token = p.opt_str("ClientToken")?.filter(|t| !t.is_empty());
        if token
            .as_ref()
            .is_some_and(|t| t.len() > 64 || !t.is_ascii())
        {
            return Err(err(
                400,
                "InvalidParameter",
                "The parameter \"ClientToken\" must be at most 64 ASCII characters.",
            ));
        }
        let tags = p.ecs_tags(20)?;
        let disk_nf = || {
            err(
                404,
                "InvalidDiskId.NotFound",
                "The specified disk does not exist.",
            )
        };
        if !well_formed(IdKind::EcsDisk, &disk_id) {
            return Err(disk_nf());
        }
        // Idempotency: the same ClientToken returns the snapshot it created.
        if let Some(t) = &token {
            for r in self.regions.values() {
                if let Some(s) = r
                    .snapshots
                    .iter()
                    .find(|s| s.client_token.as_ref() == Some(t))
                {
                    if s.source_disk_id != disk_id {
                        return Err(err(
                            400,
                            "IdempotentParameterMismatch",
                            "The ClientToken was used with different parameters.",
                        ));
                    }
                    return Ok(json!({"SnapshotId": s.id}));
                }
            }
        }
        let region = self
            .region_with(|r| r.disks.iter().any(|d| d.id == disk_id))
            .ok_or_else(disk_nf)?;
        let quota = ctx.limits.ecs_snapshots_per_disk;
        let r = self.region_mut(&region)?;
        r.settle(ctx.now);
        let disk = r
            .disks
            .iter()
            .find(|d| d.id == disk_id)
            .ok_or_else(disk_nf)?;
        let Some(inst) = disk
            .instance_id
            .as_ref()
            .and_then(|iid| r.instances.iter().find(|i| &i.id == iid))
        else {
            return Err(err(
                403,
                "IncorrectDiskStatus",
                "The disk is not attached to an instance; a snapshot cannot be created.",
            ));
        };
        if inst.locks.iter().any(|l| l == "security") {
            return Err(err(
                403,
                "InstanceLockedForSecurity",
                "The instance is locked due to security.",
            ));
        }
        if inst.expired {
            return Err(err(
                403,
                "InstanceExpiredOrInArrears",
                "The specified operation is denied as your prepay instance is expired (prepay mode) or in arrears (afterpay mode).",
            ));
        }
        if !matches!(
            inst.status,
            InstanceStatus::Running | InstanceStatus::Stopped
        ) {
            return Err(err(
                403,
                "IncorrectInstanceStatus",
                "The current status of the resource does not support this operation.",
            ));
        }
        if r.snapshots
            .iter()
            .any(|s| s.source_disk_id == disk_id && s.status == SnapshotStatus::Progressing)
        {
            return Err(err(
                403,
                "IncorrectDiskStatus.CreatingSnapshot",
                "A previous snapshot of this disk is still being created.",
            ));
        }
        let count = r
            .snapshots
            .iter()
            .filter(|s| s.source_disk_id == disk_id)
            .count();
        if count >= quota {
            return Err(err(
                403,
                "QuotaExceed.Snapshot",
                format!(
                    "The disk already has {count} snapshots; at most {quota} are allowed per disk."
                ),
            ));
        }
        let (size, dtype) = (disk.size, disk.disk_type);
        let id = loop {
            let id = format!("s-{}", ctx.rng.chars(crate::prng::LOWER_ALNUM, 20));
            if !r.snapshots.iter().any(|s| s.id == id) {
                break id;
            }
        };
        r.snapshots.push(Snapshot {
            id: id.clone(),
            name: name.unwrap_or_default(),
            description: description.unwrap_or_default(),
            source_disk_id: disk_id,
            source_disk_type: dtype,
            source_disk_size: size,
            status: SnapshotStatus::Progressing,
            created_ms: ctx.now,
            done_ms: ctx.now + ctx.timings.create_snapshot.as_millis() as u64,
            retention_days: retention.map(|d| d as u32),
            snapshot_type: "user",
            client_token: token,
            tags,
        });
        r.settle(ctx.now);
        Ok(json!({"SnapshotId": id}))
    }

    pub fn stop_instance(&mut self, q: &Value, ctx: &mut OpCtx) -> ApiResult<Value> {
        let p = Params::new(q, ECS);
        let _ = p.opt_bool("ForceStop")?;
        if let Some(m) = p.opt_str("StoppedMode")?
            && !["StopCharging", "KeepCharging"].contains(&m.as_str())
        {
            return Err(p.invalid("StoppedMode", "expected StopCharging or KeepCharging"));
        }
        let d = ctx.timings.stop.as_millis() as u64;
        self.power(
            &p,
            ctx,
            InstanceStatus::Running,
            InstanceStatus::Stopping,
            InstanceStatus::Stopped,
            d,
        )
    }

    pub fn start_instance(&mut self, q: &Value, ctx: &mut OpCtx) -> ApiResult<Value> {
        let p = Params::new(q, ECS);
        let d = ctx.timings.start.as_millis() as u64;
        self.power(
            &p,
            ctx,
            InstanceStatus::Stopped,
            InstanceStatus::Starting,
            InstanceStatus::Running,
            d,
        )
    }

    fn power(
        &mut self,
        p: &Params,
        ctx: &mut OpCtx,
        from: InstanceStatus,
        via: InstanceStatus,
        to: InstanceStatus,
        d: u64,
    ) -> ApiResult<Value> {
        let id = p.req_str("InstanceId")?;
        let dry = dry_run(p)?;
        let nf = || {
            err(
                404,
                "InvalidInstanceId.NotFound",
                "The specified InstanceId does not exist.",
            )
        };
        if !well_formed(IdKind::EcsInstance, &id) {
            return Err(nf());
        }
        let region = self
            .region_with(|r| r.instances.iter().any(|i| i.id == id))
            .ok_or_else(nf)?;
        let r = self.region_mut(&region)?;
        r.settle(ctx.now);
        let inst = r.instances.iter_mut().find(|i| i.id == id).ok_or_else(nf)?;
        if inst.locks.iter().any(|l| l == "security") {
            return Err(err(
                403,
                "InstanceLockedForSecurity",
                "The instance is locked due to security.",
            ));
        }
        if inst.status != from {
            return Err(err(
                403,
                "IncorrectInstanceStatus",
                "The current status of the resource does not support this operation.",
            ));
        }
        if dry {
            return Err(dry_run_passed());
        }
        inst.status = via;
        inst.pending = Some((to, ctx.now + d));
        r.settle(ctx.now);
        Ok(json!({}))
    }
}
