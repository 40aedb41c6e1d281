//! Tencent Cloud Lighthouse: instances, their system disks and snapshots, with the
//! documented rules of ApplyInstanceSnapshot / CreateInstanceSnapshot and timed
//! transitions that are settled lazily from timestamps whenever state is read.

use crate::clock::iso8601;
use crate::error::{ApiError, ApiResult};
use crate::params::{Params, TENCENT, well_formed};
use crate::state::{OpCtx, RateWindow, page};
use rewind_cloud::validate::IdKind;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceState {
    Pending,
    LaunchFailed,
    Running,
    Stopped,
    Starting,
    Stopping,
    Rebooting,
    Shutdown,
    Terminating,
}

impl InstanceState {
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceState::Pending => "PENDING",
            InstanceState::LaunchFailed => "LAUNCH_FAILED",
            InstanceState::Running => "RUNNING",
            InstanceState::Stopped => "STOPPED",
            InstanceState::Starting => "STARTING",
            InstanceState::Stopping => "STOPPING",
            InstanceState::Rebooting => "REBOOTING",
            InstanceState::Shutdown => "SHUTDOWN",
            InstanceState::Terminating => "TERMINATING",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotState {
    Normal,
    Creating,
    Rollbacking,
}

impl SnapshotState {
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotState::Normal => "NORMAL",
            SnapshotState::Creating => "CREATING",
            SnapshotState::Rollbacking => "ROLLBACKING",
        }
    }
}

/// `LatestOperation*` fields of an instance or snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub name: &'static str,
    /// OPERATING, SUCCESS or FAILED.
    pub state: &'static str,
    pub request_id: String,
    pub started_ms: u64,
}

/// A transition under way on an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Stop {
        done_ms: u64,
    },
    Start {
        done_ms: u64,
    },
    /// The instance is (force-)stopped until `stopped_ms`, then the disk is rolled back.
    Rollback {
        snapshot_id: String,
        stopped_ms: u64,
        done_ms: u64,
    },
    CreateSnapshot {
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
    pub pending: Option<Pending>,
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

fn err(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(200, code, message)
}

pub fn valid_instance_id(id: &str) -> bool {
    well_formed(IdKind::LhInstance, id)
}

pub fn valid_snapshot_id(id: &str) -> bool {
    well_formed(IdKind::LhSnapshot, id)
}

impl Region {
    /// Applies every transition whose time has come.
    pub fn settle(&mut self, now: u64) {
        let mut snapshot_updates: Vec<(String, SnapshotState, &'static str)> = Vec::new();
        for inst in &mut self.instances {
            let Some(p) = inst.pending.clone() else {
                continue;
            };
            let finished = match p {
                Pending::Stop { done_ms } => {
                    inst.state = if now >= done_ms {
                        InstanceState::Stopped
                    } else {
                        InstanceState::Stopping
                    };
                    now >= done_ms
                }
                Pending::Start { done_ms } => {
                    inst.state = if now >= done_ms {
                        InstanceState::Running
                    } else {
                        InstanceState::Starting
                    };
                    now >= done_ms
                }
                Pending::Rollback {
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
                        snapshot_updates.push((snapshot_id, SnapshotState::Normal, "SUCCESS"));
                    }
                    now >= done_ms
                }
                Pending::CreateSnapshot {
                    snapshot_id,
                    done_ms,
                } => {
                    if now >= done_ms {
                        snapshot_updates.push((snapshot_id, SnapshotState::Normal, "SUCCESS"));
                    }
                    now >= done_ms
                }
            };
            if finished {
                inst.pending = None;
                if let Some(op) = &mut inst.latest {
                    op.state = "SUCCESS";
                }
            }
        }
        for (id, state, op_state) in snapshot_updates {
            if let Some(s) = self.snapshots.iter_mut().find(|s| s.id == id) {
                s.state = state;
                if let Some(op) = &mut s.latest {
                    op.state = op_state;
                }
            }
        }
        // Snapshots created without an instance operation (seeded) finish on their own.
        for s in &mut self.snapshots {
            if s.state == SnapshotState::Creating && now >= s.create_done_ms {
                s.state = SnapshotState::Normal;
                if let Some(op) = &mut s.latest {
                    op.state = "SUCCESS";
                }
            }
        }
    }

    fn instance_json(&self, i: &Instance) -> Value {
        let op = i.latest.as_ref();
        json!({
            "InstanceId": i.id,
            "BundleId": i.bundle_id,
            "BlueprintId": i.blueprint_id,
            "CPU": 2,
            "Memory": 4,
            "InstanceName": i.name,
            "InstanceChargeType": "PREPAID",
            "SystemDisk": {"DiskType": "CLOUD_SSD", "DiskSize": i.disk_size, "DiskId": i.disk_id},
            "PrivateAddresses": [i.private_ip],
            "PublicAddresses": [i.public_ip],
            "InternetAccessible": {"InternetChargeType": "TRAFFIC_POSTPAID_BY_HOUR", "InternetMaxBandwidthOut": 5, "PublicIpAssigned": true},
            "RenewFlag": "NOTIFY_AND_MANUAL_RENEW",
            "LoginSettings": {"KeyIds": []},
            "InstanceState": i.state.as_str(),
            "Uuid": format!("{}-uuid", i.id),
            "LatestOperation": op.map(|o| o.name),
            "LatestOperationState": op.map(|o| o.state),
            "LatestOperationRequestId": op.map(|o| o.request_id.clone()),
            "LatestOperationStartedTime": op.map(|o| iso8601(o.started_ms)),
            "IsolatedTime": Value::Null,
            "CreatedTime": iso8601(i.created_ms),
            "ExpiredTime": iso8601(i.expired_ms),
            "PlatformType": "LINUX_UNIX",
            "Platform": "UBUNTU",
            "OsName": "Ubuntu Server 22.04 LTS 64bit",
            "Zone": i.zone,
            "Tags": i.tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect::<Vec<_>>(),
        })
    }

    fn snapshot_json(&self, s: &Snapshot, now: u64) -> Value {
        let percent = match s.state {
            SnapshotState::Creating => {
                let span = s.create_done_ms.saturating_sub(s.created_ms).max(1);
                (now.saturating_sub(s.created_ms) * 100 / span).min(99)
            }
            _ => 100,
        };
        let op = s.latest.as_ref();
        json!({
            "SnapshotId": s.id,
            "SnapshotName": s.name,
            "SnapshotState": s.state.as_str(),
            "DiskId": s.disk_id,
            "DiskUsage": "SYSTEM_DISK",
            "DiskSize": s.disk_size,
            "Percent": percent,
            "LatestOperation": op.map(|o| o.name),
            "LatestOperationState": op.map(|o| o.state),
            "LatestOperationRequestId": op.map(|o| o.request_id.clone()),
            "CreatedTime": iso8601(s.created_ms),
            "Tags": s.tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect::<Vec<_>>(),
        })
    }
}

fn tag_match(tags: &[(String, String)], name: &str, values: &[String]) -> Option<bool> {
    Some(match name {
        "tag-key" => tags.iter().any(|(k, _)| values.contains(k)),
        "tag-value" => tags.iter().any(|(_, v)| values.contains(v)),
        n => {
            let key = n.strip_prefix("tag:")?;
            tags.iter().any(|(k, v)| k == key && values.contains(v))
        }
    })
}

/// Offset/Limit with Tencent's defaults (0, 20) and maximum (100).
fn offset_limit(p: &Params) -> ApiResult<(usize, usize)> {
    let offset = p.opt_u64("Offset")?.unwrap_or(0) as usize;
    let limit = p.opt_u64("Limit")?.unwrap_or(20) as usize;
    if limit == 0 || limit > 100 {
        return Err(err(
            "InvalidParameterValue.LimitExceeded",
            "Limit must be between 1 and 100.",
        ));
    }
    Ok((offset, limit))
}

/// Tencent `Filters`: (Name, Values) pairs.
type Filters = Vec<(String, Vec<String>)>;

fn ids_or_filters(p: &Params, ids_name: &str) -> ApiResult<(Option<Vec<String>>, Filters)> {
    let ids = p.opt_str_list(ids_name)?;
    let filters = p.filters()?;
    if ids.is_some() && !filters.is_empty() {
        return Err(err(
            "InvalidParameter.ParameterConflict",
            format!("{ids_name} and Filters cannot be specified at the same time."),
        ));
    }
    if ids.as_ref().is_some_and(|v| v.len() > 100) {
        return Err(err(
            "InvalidParameterValue.LimitExceeded",
            format!("{ids_name} accepts at most 100 IDs."),
        ));
    }
    if filters.len() > 10 {
        return Err(err(
            "InvalidParameter.FilterValueLimitExceeded",
            "At most 10 Filters are allowed.",
        ));
    }
    Ok((ids, filters))
}

impl Account {
    pub fn region_mut(&mut self, name: &str) -> ApiResult<&mut Region> {
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

    pub fn describe_instances(&mut self, region: &str, body: &Value, now: u64) -> ApiResult<Value> {
        let p = Params::new(body, TENCENT);
        let (ids, filters) = ids_or_filters(&p, "InstanceIds")?;
        let (offset, limit) = offset_limit(&p)?;
        for (name, _) in &filters {
            let known = [
                "instance-name",
                "instance-id",
                "instance-state",
                "zone",
                "tag-key",
                "tag-value",
                "private-ip-address",
                "public-ip-address",
                "bundle-id",
            ];
            if !known.contains(&name.as_str()) && !name.starts_with("tag:") {
                return Err(err(
                    "InvalidParameter.InvalidFilter",
                    format!("Unknown filter name `{name}`."),
                ));
            }
        }
        if let Some(ids) = &ids
            && let Some(bad) = ids.iter().find(|i| !valid_instance_id(i))
        {
            return Err(err(
                "InvalidParameterValue.InstanceIdMalformed",
                format!("The instance ID `{bad}` is malformed."),
            ));
        }
        let r = self.region_mut(region)?;
        r.settle(now);
        let matched: Vec<&Instance> = r
            .instances
            .iter()
            .filter(|i| ids.as_ref().is_none_or(|ids| ids.contains(&i.id)))
            .filter(|i| {
                filters.iter().all(|(name, values)| {
                    let one = |s: &str| values.iter().any(|v| v == s);
                    match name.as_str() {
                        "instance-name" => one(&i.name),
                        "instance-id" => one(&i.id),
                        "instance-state" => one(i.state.as_str()),
                        "zone" => one(&i.zone),
                        "private-ip-address" => one(&i.private_ip),
                        "public-ip-address" => one(&i.public_ip),
                        "bundle-id" => one(&i.bundle_id),
                        n => tag_match(&i.tags, n, values).unwrap_or(false),
                    }
                })
            })
            .collect();
        let total = matched.len();
        let set: Vec<Value> = page(&matched, offset, limit)
            .iter()
            .map(|i| r.instance_json(i))
            .collect();
        Ok(json!({"TotalCount": total, "InstanceSet": set}))
    }

    pub fn describe_snapshots(&mut self, region: &str, body: &Value, now: u64) -> ApiResult<Value> {
        let p = Params::new(body, TENCENT);
        let (ids, filters) = ids_or_filters(&p, "SnapshotIds")?;
        let (offset, limit) = offset_limit(&p)?;
        for (name, _) in &filters {
            let known = [
                "snapshot-id",
                "disk-id",
                "snapshot-name",
                "instance-id",
                "tag-key",
                "tag-value",
            ];
            if !known.contains(&name.as_str()) && !name.starts_with("tag:") {
                return Err(err(
                    "InvalidParameter.InvalidFilter",
                    format!("Unknown filter name `{name}`."),
                ));
            }
        }
        if let Some(ids) = &ids
            && let Some(bad) = ids.iter().find(|i| !valid_snapshot_id(i))
        {
            return Err(err(
                "InvalidParameterValue.SnapshotIdMalformed",
                format!("The snapshot ID `{bad}` is malformed."),
            ));
        }
        let r = self.region_mut(region)?;
        r.settle(now);
        let matched: Vec<&Snapshot> = r
            .snapshots
            .iter()
            .filter(|s| ids.as_ref().is_none_or(|ids| ids.contains(&s.id)))
            .filter(|s| {
                filters.iter().all(|(name, values)| {
                    let one = |x: &str| values.iter().any(|v| v == x);
                    match name.as_str() {
                        "snapshot-id" => one(&s.id),
                        "disk-id" => one(&s.disk_id),
                        "snapshot-name" => one(&s.name),
                        "instance-id" => one(&s.instance_id),
                        n => tag_match(&s.tags, n, values).unwrap_or(false),
                    }
                })
            })
            .collect();
        let total = matched.len();
        let set: Vec<Value> = page(&matched, offset, limit)
            .iter()
            .map(|s| r.snapshot_json(s, now))
            .collect();
        Ok(json!({"TotalCount": total, "SnapshotSet": set}))
    }

    /// ApplyInstanceSnapshot. `region` is optional for this action: without it the
    /// instance is looked up across the account's regions.
    pub fn apply_instance_snapshot(
        &mut self,
        region: Option<&str>,
        body: &Value,
        ctx: &mut OpCtx,
    ) -> ApiResult<Value> {
        let now = ctx.now;
        if !self
            .apply_rate
            .admit(now, ctx.limits.lighthouse_requests_per_sec)
        {
            return Err(throttled(
                "ApplyInstanceSnapshot",
                ctx.limits.lighthouse_requests_per_sec,
            ));
        }
        let p = Params::new(body, TENCENT);
        let instance_id = p.req_str("InstanceId")?;
        let snapshot_id = p.req_str("SnapshotId")?;
        if !valid_instance_id(&instance_id) {
            return Err(err(
                "InvalidParameterValue.InstanceIdMalformed",
                format!("The instance ID `{instance_id}` is malformed."),
            ));
        }
        if !valid_snapshot_id(&snapshot_id) {
            return Err(err(
                "InvalidParameterValue.SnapshotIdMalformed",
                format!("The snapshot ID `{snapshot_id}` is malformed."),
            ));
        }
        let region = match region {
            Some(r) => r.to_string(),
            None => self
                .region_of_instance(&instance_id)
                .ok_or_else(|| instance_not_found(&instance_id))?,
        };
        let r = self.region_mut(&region)?;
        r.settle(now);
        let ii = r
            .instances
            .iter()
            .position(|i| i.id == instance_id)
            .ok_or_else(|| instance_not_found(&instance_id))?;
        let si = r
            .snapshots
            .iter()
            .position(|s| s.id == snapshot_id)
            .ok_or_else(|| {
                err(
                    "ResourceNotFound.SnapshotIdNotFound",
                    format!("The snapshot `{snapshot_id}` does not exist."),
                )
            })?;
        let (inst, snap) = (&r.instances[ii], &r.snapshots[si]);
        match inst.state {
            InstanceState::Pending => {
                return Err(err(
                    "OperationDenied.InstanceCreating",
                    format!("The instance `{instance_id}` is being created."),
                ));
            }
            _ if inst.pending.is_some() => {
                return Err(err(
                    "OperationDenied.InstanceOperationInProgress",
                    format!("The last operation on instance `{instance_id}` is still in progress."),
                ));
            }
            InstanceState::Running | InstanceState::Stopped => {}
            other => {
                return Err(err(
                    "UnsupportedOperation.InvalidInstanceState",
                    format!(
                        "The instance `{instance_id}` is {}; it must be STOPPED or RUNNING.",
                        other.as_str()
                    ),
                ));
            }
        }
        if snap.disk_id != inst.disk_id {
            // Only the instance's own original system disk can be rolled back.
            return Err(err(
                "ResourceNotFound.SnapshotNotFound",
                format!(
                    "The snapshot `{snapshot_id}` is not a snapshot of the system disk of instance `{instance_id}`."
                ),
            ));
        }
        match snap.state {
            SnapshotState::Normal => {}
            SnapshotState::Rollbacking => {
                return Err(err(
                    "UnsupportedOperation.SnapshotBusy",
                    format!("The snapshot `{snapshot_id}` is busy."),
                ));
            }
            SnapshotState::Creating => {
                return Err(err(
                    "UnsupportedOperation.InvalidSnapshotState",
                    format!(
                        "The snapshot `{snapshot_id}` is CREATING; only NORMAL snapshots can be applied."
                    ),
                ));
            }
        }
        if snap.disk_size != inst.disk_size {
            return Err(err(
                "InvalidParameterValue.DiskSizeNotMatch",
                format!(
                    "The disk size has changed since snapshot `{snapshot_id}` was taken ({} GB now, {} GB then).",
                    inst.disk_size, snap.disk_size
                ),
            ));
        }
        // RUNNING instances are forcibly shut down first.
        let stopped_ms = if inst.state == InstanceState::Running {
            now + ctx.timings.stop.as_millis() as u64
        } else {
            now
        };
        let done_ms = stopped_ms + ctx.timings.rollback.as_millis() as u64;
        let op = Operation {
            name: "ApplyInstanceSnapshot",
            state: "OPERATING",
            request_id: ctx.request_id.to_string(),
            started_ms: now,
        };
        let inst = &mut r.instances[ii];
        inst.latest = Some(op.clone());
        inst.pending = Some(Pending::Rollback {
            snapshot_id: snapshot_id.clone(),
            stopped_ms,
            done_ms,
        });
        let snap = &mut r.snapshots[si];
        snap.state = SnapshotState::Rollbacking;
        snap.latest = Some(Operation {
            name: "RollbackInstanceSnapshot",
            ..op
        });
        r.settle(now);
        Ok(json!({}))
    }

    pub fn create_instance_snapshot(
        &mut self,
        region: Option<&str>,
        body: &Value,
        ctx: &mut OpCtx,
    ) -> ApiResult<Value> {
        let now = ctx.now;
        if !self
            .create_rate
            .admit(now, ctx.limits.lighthouse_requests_per_sec)
        {
            return Err(throttled(
                "CreateInstanceSnapshot",
                ctx.limits.lighthouse_requests_per_sec,
            ));
        }
        let p = Params::new(body, TENCENT);
        let instance_id = p.req_str("InstanceId")?;
        let name = p.opt_str("SnapshotName")?;
        if name.as_ref().is_some_and(|n| n.chars().count() > 60) {
            return Err(err(
                "InvalidParameterValue.TooLong",
                "SnapshotName can be at most 60 characters.",
            ));
        }
        let tags = match body.get("Tags") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => {
                if a.len() > 10 {
                    return Err(err(
                        "InvalidParameterValue.TagsLimitExceeded",
                        "At most 10 Tags are allowed.",
                    ));
                }
                a.iter()
                    .map(|t| {
                        match (
                            t.get("Key").and_then(Value::as_str),
                            t.get("Value").and_then(Value::as_str),
                        ) {
                            (Some(k), Some(v)) => Ok((k.to_string(), v.to_string())),
                            _ => Err(p.invalid("Tags", "each tag needs a string Key and Value")),
                        }
                    })
                    .collect::<ApiResult<Vec<_>>>()?
            }
            Some(_) => return Err(p.invalid("Tags", "expected an array")),
        };
        if !valid_instance_id(&instance_id) {
            return Err(err(
                "InvalidParameterValue.InstanceIdMalformed",
                format!("The instance ID `{instance_id}` is malformed."),
            ));
        }
        let region = match region {
            Some(r) => r.to_string(),
            None => self
                .region_of_instance(&instance_id)
                .ok_or_else(|| instance_not_found(&instance_id))?,
        };
        let quota = ctx.limits.lighthouse_snapshots_per_instance;
        let r = self.region_mut(&region)?;
        r.settle(now);
        let ii = r
            .instances
            .iter()
            .position(|i| i.id == instance_id)
            .ok_or_else(|| instance_not_found(&instance_id))?;
        let inst = &r.instances[ii];
        match inst.state {
            InstanceState::Pending => {
                return Err(err(
                    "OperationDenied.InstanceCreating",
                    format!("The instance `{instance_id}` is being created."),
                ));
            }
            _ if inst.pending.is_some() => {
                return Err(err(
                    "OperationDenied.InstanceOperationInProgress",
                    format!("The last operation on instance `{instance_id}` is still in progress."),
                ));
            }
            InstanceState::Running | InstanceState::Stopped => {}
            other => {
                return Err(err(
                    "UnsupportedOperation.InvalidInstanceState",
                    format!(
                        "The instance `{instance_id}` is {}; it must be STOPPED or RUNNING.",
                        other.as_str()
                    ),
                ));
            }
        }
        let count = r
            .snapshots
            .iter()
            .filter(|s| s.disk_id == inst.disk_id)
            .count();
        if count >= quota {
            return Err(err(
                "LimitExceeded.SnapshotQuotaLimitExceeded",
                format!(
                    "The instance `{instance_id}` already has {count} snapshots; the quota is {quota}."
                ),
            ));
        }
        let snapshot_id = loop {
            let id = format!("lhsnap-{}", ctx.rng.chars(crate::prng::LOWER_ALNUM, 8));
            if !r.snapshots.iter().any(|s| s.id == id) {
                break id;
            }
        };
        let done_ms = now + ctx.timings.create_snapshot.as_millis() as u64;
        let op = Operation {
            name: "CreateInstanceSnapshot",
            state: "OPERATING",
            request_id: ctx.request_id.to_string(),
            started_ms: now,
        };
        let snap = Snapshot {
            id: snapshot_id.clone(),
            name: name.unwrap_or_default(),
            instance_id: inst.id.clone(),
            disk_id: inst.disk_id.clone(),
            disk_size: inst.disk_size,
            state: SnapshotState::Creating,
            created_ms: now,
            create_done_ms: done_ms,
            latest: Some(op.clone()),
            tags,
        };
        let inst = &mut r.instances[ii];
        inst.latest = Some(op);
        inst.pending = Some(Pending::CreateSnapshot {
            snapshot_id: snapshot_id.clone(),
            done_ms,
        });
        r.snapshots.push(snap);
        r.settle(now);
        Ok(json!({"SnapshotId": snapshot_id}))
    }

    pub fn stop_instances(
        &mut self,
        region: &str,
        body: &Value,
        ctx: &mut OpCtx,
    ) -> ApiResult<Value> {
        let p = Params::new(body, TENCENT);
        if let Some(t) = p.opt_str("StopType")?
            && !["SOFT", "HARD", "SOFT_FIRST"].contains(&t.as_str())
        {
            return Err(err(
                "InvalidParameterValue",
                format!("StopType `{t}` is not one of SOFT, HARD, SOFT_FIRST."),
            ));
        }
        let d = ctx.timings.stop.as_millis() as u64;
        self.power(
            region,
            &p,
            ctx,
            InstanceState::Running,
            "StopInstances",
            Pending::Stop {
                done_ms: ctx.now + d,
            },
        )
    }

    pub fn start_instances(
        &mut self,
        region: &str,
        body: &Value,
        ctx: &mut OpCtx,
    ) -> ApiResult<Value> {
        let p = Params::new(body, TENCENT);
        let d = ctx.timings.start.as_millis() as u64;
        self.power(
            region,
            &p,
            ctx,
            InstanceState::Stopped,
            "StartInstances",
            Pending::Start {
                done_ms: ctx.now + d,
            },
        )
    }

    fn power(
        &mut self,
        region: &str,
        p: &Params,
        ctx: &mut OpCtx,
        from: InstanceState,
        name: &'static str,
        pending: Pending,
    ) -> ApiResult<Value> {
        let ids = p
            .opt_str_list("InstanceIds")?
            .filter(|v| !v.is_empty())
            .ok_or_else(|| p.missing("InstanceIds"))?;
        if ids.len() > 100 {
            return Err(err(
                "InvalidParameterValue.LimitExceeded",
                "InstanceIds accepts at most 100 IDs.",
            ));
        }
        if let Some(bad) = ids.iter().find(|i| !valid_instance_id(i)) {
            return Err(err(
                "InvalidParameterValue.InstanceIdMalformed",
                format!("The instance ID `{bad}` is malformed."),
            ));
        }
        let r = self.region_mut(region)?;
        r.settle(ctx.now);
        // Check every instance before changing any.
        let mut idx = Vec::new();
        for id in &ids {
            let i = r
                .instances
                .iter()
                .position(|i| &i.id == id)
                .ok_or_else(|| instance_not_found(id))?;
            let inst = &r.instances[i];
            if inst.pending.is_some() {
                return Err(err(
                    "OperationDenied.InstanceOperationInProgress",
                    format!("The last operation on instance `{id}` is still in progress."),
                ));
            }
            if inst.state != from {
                return Err(err(
                    "UnsupportedOperation.InvalidInstanceState",
                    format!(
                        "The instance `{id}` is {}; {name} needs {}.",
                        inst.state.as_str(),
                        from.as_str()
                    ),
                ));
            }
            idx.push(i);
        }
        for i in idx {
            let inst = &mut r.instances[i];
            inst.latest = Some(Operation {
                name,
                state: "OPERATING",
                request_id: ctx.request_id.to_string(),
                started_ms: ctx.now,
            });
            inst.pending = Some(pending.clone());
        }
        r.settle(ctx.now);
        Ok(json!({}))
    }
}

fn instance_not_found(id: &str) -> ApiError {
    err(
        "ResourceNotFound.InstanceIdNotFound",
        format!("The instance `{id}` does not exist."),
    )
}

fn throttled(action: &str, per_sec: usize) -> ApiError {
    err(
        "RequestLimitExceeded",
        format!("{action} is limited to {per_sec} requests per second per account; slow down."),
    )
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
            latest: Some(Operation {
                name: "ApplyInstanceSnapshot",
                state: "OPERATING",
                request_id: "r".into(),
                started_ms: 0,
            }),
            pending: Some(Pending::Rollback {
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
        assert!(r.instances[0].pending.is_none());
        assert_eq!(
            r.instances[0].latest.as_ref().map(|o| o.state),
            Some("SUCCESS")
        );
    }
}
