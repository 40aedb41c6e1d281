//! The ECS actions that change state: ResetDisk (with its dry run), CreateSnapshot
//! (idempotent through ClientToken), StopInstance and StartInstance, with their
//! documented rules (the states' rules are the cloud model's).

use super::{
    Account, DiskStatus, InstanceStatus, Snapshot, SnapshotStatus, err, too_old_cutoff_ms,
};
use crate::error::{ApiResult, Refusal};
use crate::params::{ECS, Params, well_formed};
use crate::state::OpCtx;
use rewind_cloud::limits::ECS_MAX_TAGS;
use rewind_cloud::validate::IdKind;
use serde_json::{Value, json};

fn dry_run(p: &Params) -> ApiResult<bool> {
    Ok(p.opt_bool("DryRun")?.unwrap_or(false))
}

fn dry_run_passed() -> Refusal {
    err(
        400,
        "DryRunOperation",
        "Request validation has been passed with DryRun flag set.",
    )
}

impl Account {
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
            && i.locked_for_security()
        {
            return Err(err(
                403,
                "InstanceLockedForSecurity",
                "The instance is locked due to security.",
            ));
        }
        if !disk.status.allows_reset() {
            return Err(err(
                403,
                "IncorrectDiskStatus",
                "The current disk status does not support this operation.",
            ));
        }
        if let Some(i) = inst
            && !i.status.allows_reset_disk()
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
        match &snap.status {
            s if s.allows_reset() => {}
            SnapshotStatus::Progressing => {
                return Err(err(
                    403,
                    "InvalidSnapshotId.NotReady",
                    "The specified snapshot has not completed yet.",
                ));
            }
            _ => {
                return Err(err(
                    403,
                    "OperationDenied",
                    "The specified snapshot dees not support ResetDisk.",
                ));
            }
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
        let back_to = disk.status.clone();
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
        let tags = p.ecs_tags(ECS_MAX_TAGS)?;
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
        if inst.locked_for_security() {
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
        if !inst.status.allows_snapshot() {
            return Err(err(
                403,
                "IncorrectInstanceStatus",
                "The current status of the resource does not support this operation.",
            ));
        }
        if r.snapshots
            .iter()
            .any(|s| s.source_disk_id == disk_id && s.status.in_progress())
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
        if inst.locked_for_security() {
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
