//! DescribeInstances, DescribeDisks and DescribeSnapshots: their filters, MaxResults and
//! NextToken paging, and the answer's rows.

use super::{Account, Disk, Instance, Snapshot, SnapshotStatus, err};
use crate::clock::iso8601;
use crate::error::ApiResult;
use crate::params::{ECS, Params};
use crate::state::page;
use rewind_cloud::limits::{ECS_MAX_TAGS, LIST_MAX};
use serde_json::{Value, json};

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

pub(super) fn check_ids(ids: &Option<Vec<String>>, name: &str) -> ApiResult<()> {
    if ids.as_ref().is_some_and(|v| v.len() > LIST_MAX) {
        return Err(err(
            400,
            "InvalidParameter",
            format!("The parameter \"{name}\" accepts at most {LIST_MAX} IDs."),
        ));
    }
    Ok(())
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
        "OperationLocks": {"LockReason": i.locks.iter().map(|l| json!({"LockReason": l.as_str()})).collect::<Vec<_>>()},
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
    let progress = match &s.status {
        SnapshotStatus::Progressing => {
            let span = s.done_ms.saturating_sub(s.created_ms).max(1);
            (now.saturating_sub(s.created_ms) * 100 / span).min(99)
        }
        s if s.allows_reset() => 100,
        _ => 0,
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
    pub fn describe_instances(&mut self, q: &Value, now: u64) -> ApiResult<Value> {
        let p = Params::new(q, ECS);
        let region = p.req_str("RegionId")?;
        let ids = p.opt_str_list("InstanceIds")?;
        check_ids(&ids, "InstanceIds")?;
        let status = p.opt_str("Status")?;
        let zone = p.opt_str("ZoneId")?;
        let tags = p.ecs_tags(ECS_MAX_TAGS)?;
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
}
