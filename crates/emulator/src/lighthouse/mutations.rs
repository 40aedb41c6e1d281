//! The Lighthouse actions that change state: ApplyInstanceSnapshot,
//! CreateInstanceSnapshot, StopInstances and StartInstances, with their documented
//! rules (the states' rules are the cloud model's) and rate limits.

use super::{
    Account, Instance, InstanceState, Operation, Snapshot, SnapshotState, Transition, err,
    instance_id_malformed, instance_not_found, snapshot_id_malformed, valid_instance_id,
    valid_snapshot_id,
};
use crate::error::ApiResult;
use crate::params::{Params, TENCENT};
use crate::state::{OpCtx, RateWindow};
use rewind_cloud::limits::{LIGHTHOUSE_MAX_TAGS, LIGHTHOUSE_SNAPSHOT_NAME_MAX, LIST_MAX};
use rewind_cloud::tencent::StopType;
use serde_json::{Value, json};

/// Counts the call against `action`'s per-account rate, or refuses it.
fn admit(rate: &mut RateWindow, action: &str, ctx: &OpCtx) -> ApiResult<()> {
    let per_sec = ctx.limits.lighthouse_requests_per_sec;
    if rate.admit(ctx.now, per_sec) {
        return Ok(());
    }
    Err(err(
        "RequestLimitExceeded",
        format!("{action} is limited to {per_sec} requests per second per account; slow down."),
    ))
}

/// Whether `inst` can take an operation its state `allows`: not while it is being
/// created or another operation runs on it.
fn ready(inst: &Instance, allows: fn(&InstanceState) -> bool) -> ApiResult<()> {
    let id = &inst.id;
    if inst.state == InstanceState::Pending {
        return Err(err(
            "OperationDenied.InstanceCreating",
            format!("The instance `{id}` is being created."),
        ));
    }
    if inst.transition.is_some() {
        return Err(err(
            "OperationDenied.InstanceOperationInProgress",
            format!("The last operation on instance `{id}` is still in progress."),
        ));
    }
    if !allows(&inst.state) {
        return Err(err(
            "UnsupportedOperation.InvalidInstanceState",
            format!(
                "The instance `{id}` is {}; it must be STOPPED or RUNNING.",
                inst.state
            ),
        ));
    }
    Ok(())
}

impl Account {
    /// The region named by the request, or else the one holding the instance (the
    /// action's `Region` is optional).
    fn region_for(&self, region: Option<&str>, instance_id: &str) -> ApiResult<String> {
        match region {
            Some(r) => Ok(r.to_string()),
            None => self
                .region_of_instance(instance_id)
                .ok_or_else(|| instance_not_found(instance_id)),
        }
    }

    /// ApplyInstanceSnapshot. `region` is optional for this action: without it the
    /// instance is looked up across the account's regions.
    pub fn apply_instance_snapshot(
        &mut self,
        region: Option<&str>,
        body: &Value,
        ctx: &mut OpCtx,
    ) -> ApiResult<Value> {
        admit(&mut self.apply_rate, "ApplyInstanceSnapshot", ctx)?;
        let now = ctx.now;
        let p = Params::new(body, TENCENT);
        let instance_id = p.req_str("InstanceId")?;
        let snapshot_id = p.req_str("SnapshotId")?;
        if !valid_instance_id(&instance_id) {
            return Err(instance_id_malformed(&instance_id));
        }
        if !valid_snapshot_id(&snapshot_id) {
            return Err(snapshot_id_malformed(&snapshot_id));
        }
        let region = self.region_for(region, &instance_id)?;
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
        ready(inst, InstanceState::allows_rollback)?;
        if snap.disk_id != inst.disk_id {
            // Only the instance's own original system disk can be rolled back.
            return Err(err(
                "ResourceNotFound.SnapshotNotFound",
                format!(
                    "The snapshot `{snapshot_id}` is not a snapshot of the system disk of instance `{instance_id}`."
                ),
            ));
        }
        match &snap.state {
            s if s.allows_rollback() => {}
            SnapshotState::Rollbacking => {
                return Err(err(
                    "UnsupportedOperation.SnapshotBusy",
                    format!("The snapshot `{snapshot_id}` is busy."),
                ));
            }
            other => {
                return Err(err(
                    "UnsupportedOperation.InvalidSnapshotState",
                    format!(
                        "The snapshot `{snapshot_id}` is {other}; only NORMAL snapshots can be applied."
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
        let stopped_ms = if inst.state.shut_down_by_rollback() {
            now + ctx.timings.stop.as_millis() as u64
        } else {
            now
        };
        let done_ms = stopped_ms + ctx.timings.rollback.as_millis() as u64;
        let op = Operation::started("ApplyInstanceSnapshot", ctx.request_id, now);
        let inst = &mut r.instances[ii];
        inst.latest = Some(op.clone());
        inst.transition = Some(Transition::RollingBack {
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
        admit(&mut self.create_rate, "CreateInstanceSnapshot", ctx)?;
        let now = ctx.now;
        let p = Params::new(body, TENCENT);
        let instance_id = p.req_str("InstanceId")?;
        let name = p.opt_str("SnapshotName")?;
        if name
            .as_ref()
            .is_some_and(|n| n.chars().count() > LIGHTHOUSE_SNAPSHOT_NAME_MAX)
        {
            return Err(err(
                "InvalidParameterValue.TooLong",
                format!("SnapshotName can be at most {LIGHTHOUSE_SNAPSHOT_NAME_MAX} characters."),
            ));
        }
        let tags = match body.get("Tags") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => {
                if a.len() > LIGHTHOUSE_MAX_TAGS {
                    return Err(err(
                        "InvalidParameterValue.TagsLimitExceeded",
                        format!("At most {LIGHTHOUSE_MAX_TAGS} Tags are allowed."),
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
            return Err(instance_id_malformed(&instance_id));
        }
        let region = self.region_for(region, &instance_id)?;
        let quota = ctx.limits.lighthouse_snapshots_per_instance;
        let r = self.region_mut(&region)?;
        r.settle(now);
        let ii = r
            .instances
            .iter()
            .position(|i| i.id == instance_id)
            .ok_or_else(|| instance_not_found(&instance_id))?;
        let inst = &r.instances[ii];
        ready(inst, InstanceState::allows_snapshot)?;
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
        let op = Operation::started("CreateInstanceSnapshot", ctx.request_id, now);
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
        inst.transition = Some(Transition::TakingSnapshot {
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
            && let StopType::Other(_) = StopType::parse(&t)
        {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "StopType `{t}` is not one of {}.",
                    StopType::KNOWN.join(", ")
                ),
            ));
        }
        let done_ms = ctx.now + ctx.timings.stop.as_millis() as u64;
        self.power(
            region,
            &p,
            ctx,
            InstanceState::Running,
            "StopInstances",
            Transition::Stopping { done_ms },
        )
    }

    pub fn start_instances(
        &mut self,
        region: &str,
        body: &Value,
        ctx: &mut OpCtx,
    ) -> ApiResult<Value> {
        let p = Params::new(body, TENCENT);
        let done_ms = ctx.now + ctx.timings.start.as_millis() as u64;
        self.power(
            region,
            &p,
            ctx,
            InstanceState::Stopped,
            "StartInstances",
            Transition::Starting { done_ms },
        )
    }

    /// StopInstances / StartInstances: every instance must be `from`, and all change or
    /// none does.
    fn power(
        &mut self,
        region: &str,
        p: &Params,
        ctx: &mut OpCtx,
        from: InstanceState,
        name: &'static str,
        transition: Transition,
    ) -> ApiResult<Value> {
        let ids = p
            .opt_str_list("InstanceIds")?
            .filter(|v| !v.is_empty())
            .ok_or_else(|| p.missing("InstanceIds"))?;
        if ids.len() > LIST_MAX {
            return Err(err(
                "InvalidParameterValue.LimitExceeded",
                format!("InstanceIds accepts at most {LIST_MAX} IDs."),
            ));
        }
        if let Some(bad) = ids.iter().find(|i| !valid_instance_id(i)) {
            return Err(instance_id_malformed(bad));
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
            if inst.transition.is_some() {
                return Err(err(
                    "OperationDenied.InstanceOperationInProgress",
                    format!("The last operation on instance `{id}` is still in progress."),
                ));
            }
            if inst.state != from {
                return Err(err(
                    "UnsupportedOperation.InvalidInstanceState",
                    format!(
                        "The instance `{id}` is {}; {name} needs {from}.",
                        inst.state
                    ),
                ));
            }
            idx.push(i);
        }
        for i in idx {
            let inst = &mut r.instances[i];
            inst.latest = Some(Operation::started(name, ctx.request_id, ctx.now));
            inst.transition = Some(transition.clone());
        }
        r.settle(ctx.now);
        Ok(json!({}))
    }
}
