//! DescribeInstances and DescribeSnapshots: IDs or `Filters` (exactly the filters
//! `rewind_cloud::validate` knows for each action, read once into [`Filter`]s), Offset and
//! Limit, and the answer's rows.

use super::{
    Account, Instance, Region, Snapshot, SnapshotState, err, instance_id_malformed,
    snapshot_id_malformed, valid_instance_id, valid_snapshot_id,
};
use crate::clock::iso8601;
use crate::error::ApiResult;
use crate::params::{Params, TENCENT};
use crate::state::page;
use rewind_cloud::Action;
use rewind_cloud::limits::{LIGHTHOUSE_MAX_FILTERS, LIGHTHOUSE_PAGE_MAX, LIST_MAX};
use rewind_cloud::validate::filter_rules;
use serde_json::{Value, json};

/// What a `Filters` entry compares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    InstanceName,
    InstanceState,
    Zone,
    PrivateIp,
    PublicIp,
    BundleId,
    SnapshotId,
    SnapshotName,
    DiskId,
    InstanceId,
    TagKey,
    TagValue,
    /// `tag:<key>`: the tag with this key has one of the values.
    Tag(String),
}

impl Field {
    fn of_name(name: &str) -> Option<Field> {
        Some(match name {
            "instance-name" => Field::InstanceName,
            "instance-state" => Field::InstanceState,
            "zone" => Field::Zone,
            "private-ip-address" => Field::PrivateIp,
            "public-ip-address" => Field::PublicIp,
            "bundle-id" => Field::BundleId,
            "snapshot-id" => Field::SnapshotId,
            "snapshot-name" => Field::SnapshotName,
            "disk-id" => Field::DiskId,
            "instance-id" => Field::InstanceId,
            "tag-key" => Field::TagKey,
            "tag-value" => Field::TagValue,
            other => Field::Tag(other.strip_prefix("tag:")?.to_string()),
        })
    }
}

/// One `Filters` entry: a row matches when its field has one of the values.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Filter {
    field: Field,
    values: Vec<String>,
}

impl Filter {
    /// Reads `Filters` for `action`: at most [`LIGHTHOUSE_MAX_FILTERS`], each a name the
    /// action accepts with at most as many values as it takes.
    fn read_all(p: &Params, action: Action) -> ApiResult<Vec<Filter>> {
        let raw = p.filters()?;
        if raw.len() > LIGHTHOUSE_MAX_FILTERS {
            return Err(err(
                "InvalidParameter.FilterValueLimitExceeded",
                format!("At most {LIGHTHOUSE_MAX_FILTERS} Filters are allowed."),
            ));
        }
        let rules = filter_rules(action);
        raw.into_iter()
            .map(|(name, values)| {
                let field = rules
                    .filter(|r| r.accepts(&name))
                    .and_then(|_| Field::of_name(&name))
                    .ok_or_else(|| {
                        err(
                            "InvalidParameter.InvalidFilter",
                            format!("Unknown filter name `{name}`."),
                        )
                    })?;
                if let Some(max) = rules.map(|r| r.max_values)
                    && values.len() > max
                {
                    return Err(err(
                        "InvalidParameter.FilterValueLimitExceeded",
                        format!("The filter `{name}` takes at most {max} values."),
                    ));
                }
                Ok(Filter { field, values })
            })
            .collect()
    }

    fn one_of(&self, value: &str) -> bool {
        self.values.iter().any(|v| v == value)
    }

    /// For the tag fields: whether `tags` match; `None` for the other fields.
    fn tags(&self, tags: &[(String, String)]) -> Option<bool> {
        Some(match &self.field {
            Field::TagKey => tags.iter().any(|(k, _)| self.one_of(k)),
            Field::TagValue => tags.iter().any(|(_, v)| self.one_of(v)),
            Field::Tag(key) => tags.iter().any(|(k, v)| k == key && self.one_of(v)),
            _ => return None,
        })
    }

    fn matches_instance(&self, i: &Instance) -> bool {
        match &self.field {
            Field::InstanceName => self.one_of(&i.name),
            Field::InstanceState => self.one_of(i.state.as_str()),
            Field::Zone => self.one_of(&i.zone),
            Field::PrivateIp => self.one_of(&i.private_ip),
            Field::PublicIp => self.one_of(&i.public_ip),
            Field::BundleId => self.one_of(&i.bundle_id),
            _ => self.tags(&i.tags).unwrap_or(false),
        }
    }

    fn matches_snapshot(&self, s: &Snapshot) -> bool {
        match &self.field {
            Field::SnapshotId => self.one_of(&s.id),
            Field::SnapshotName => self.one_of(&s.name),
            Field::DiskId => self.one_of(&s.disk_id),
            Field::InstanceId => self.one_of(&s.instance_id),
            _ => self.tags(&s.tags).unwrap_or(false),
        }
    }
}

/// Offset/Limit with Tencent's defaults (0, 20) and maximum.
fn offset_limit(p: &Params) -> ApiResult<(usize, usize)> {
    let offset = p.opt_u64("Offset")?.unwrap_or(0) as usize;
    let limit = p.opt_u64("Limit")?.unwrap_or(20) as usize;
    if limit == 0 || limit > LIGHTHOUSE_PAGE_MAX {
        return Err(err(
            "InvalidParameterValue.LimitExceeded",
            format!("Limit must be between 1 and {LIGHTHOUSE_PAGE_MAX}."),
        ));
    }
    Ok((offset, limit))
}

/// The IDs asked for, or the filters: one or the other.
fn ids_or_filters(
    p: &Params,
    action: Action,
    ids_name: &str,
) -> ApiResult<(Option<Vec<String>>, Vec<Filter>)> {
    let ids = p.opt_str_list(ids_name)?;
    let filters = Filter::read_all(p, action)?;
    if ids.is_some() && !filters.is_empty() {
        return Err(err(
            "InvalidParameter.ParameterConflict",
            format!("{ids_name} and Filters cannot be specified at the same time."),
        ));
    }
    if ids.as_ref().is_some_and(|v| v.len() > LIST_MAX) {
        return Err(err(
            "InvalidParameterValue.LimitExceeded",
            format!("{ids_name} accepts at most {LIST_MAX} IDs."),
        ));
    }
    Ok((ids, filters))
}

fn tags_json(tags: &[(String, String)]) -> Vec<Value> {
    tags.iter()
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect()
}

fn instance_json(i: &Instance) -> Value {
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
        "LatestOperationState": op.map(|o| o.state.as_str()),
        "LatestOperationRequestId": op.map(|o| o.request_id.clone()),
        "LatestOperationStartedTime": op.map(|o| iso8601(o.started_ms)),
        "IsolatedTime": Value::Null,
        "CreatedTime": iso8601(i.created_ms),
        "ExpiredTime": iso8601(i.expired_ms),
        "PlatformType": "LINUX_UNIX",
        "Platform": "UBUNTU",
        "OsName": "Ubuntu Server 22.04 LTS 64bit",
        "Zone": i.zone,
        "Tags": tags_json(&i.tags),
    })
}

fn snapshot_json(s: &Snapshot, now: u64) -> Value {
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
        "LatestOperationState": op.map(|o| o.state.as_str()),
        "LatestOperationRequestId": op.map(|o| o.request_id.clone()),
        "CreatedTime": iso8601(s.created_ms),
        "Tags": tags_json(&s.tags),
    })
}

impl Account {
    pub fn describe_instances(&mut self, region: &str, body: &Value, now: u64) -> ApiResult<Value> {
        let p = Params::new(body, TENCENT);
        let (ids, filters) = ids_or_filters(&p, Action::LhDescribeInstances, "InstanceIds")?;
        let (offset, limit) = offset_limit(&p)?;
        if let Some(bad) = ids.iter().flatten().find(|i| !valid_instance_id(i)) {
            return Err(instance_id_malformed(bad));
        }
        let r: &mut Region = self.region_mut(region)?;
        r.settle(now);
        let matched: Vec<&Instance> = r
            .instances
            .iter()
            .filter(|i| ids.as_ref().is_none_or(|ids| ids.contains(&i.id)))
            .filter(|i| filters.iter().all(|f| f.matches_instance(i)))
            .collect();
        let set: Vec<Value> = page(&matched, offset, limit)
            .iter()
            .map(|i| instance_json(i))
            .collect();
        Ok(json!({"TotalCount": matched.len(), "InstanceSet": set}))
    }

    pub fn describe_snapshots(&mut self, region: &str, body: &Value, now: u64) -> ApiResult<Value> {
        let p = Params::new(body, TENCENT);
        let (ids, filters) = ids_or_filters(&p, Action::LhDescribeSnapshots, "SnapshotIds")?;
        let (offset, limit) = offset_limit(&p)?;
        if let Some(bad) = ids.iter().flatten().find(|i| !valid_snapshot_id(i)) {
            return Err(snapshot_id_malformed(bad));
        }
        let r = self.region_mut(region)?;
        r.settle(now);
        let matched: Vec<&Snapshot> = r
            .snapshots
            .iter()
            .filter(|s| ids.as_ref().is_none_or(|ids| ids.contains(&s.id)))
            .filter(|s| filters.iter().all(|f| f.matches_snapshot(s)))
            .collect();
        let set: Vec<Value> = page(&matched, offset, limit)
            .iter()
            .map(|s| snapshot_json(s, now))
            .collect();
        Ok(json!({"TotalCount": matched.len(), "SnapshotSet": set}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_validate_knows_is_served() {
        for action in [Action::LhDescribeInstances, Action::LhDescribeSnapshots] {
            let rules = filter_rules(action).unwrap();
            for name in rules.names {
                assert!(Field::of_name(name).is_some(), "{action:?} {name}");
            }
            assert_eq!(
                Field::of_name("tag:env"),
                rules.tag_pairs.then(|| Field::Tag("env".into()))
            );
        }
    }

    #[test]
    fn filters_are_read_once_against_the_actions_own_list() {
        let read = |action, body: Value| Filter::read_all(&Params::new(&body, TENCENT), action);
        let f = read(
            Action::LhDescribeInstances,
            json!({"Filters": [{"Name": "tag:env", "Values": ["prod"]}, {"Name": "bundle-id", "Values": ["b"]}]}),
        )
        .unwrap();
        assert_eq!(f[0].field, Field::Tag("env".into()));
        assert_eq!(f[1].field, Field::BundleId);
        // A snapshot filter on DescribeInstances, and the reverse, do not exist.
        for (action, name) in [
            (Action::LhDescribeInstances, "instance-id"),
            (Action::LhDescribeSnapshots, "zone"),
            (Action::LhDescribeSnapshots, "tag:"),
        ] {
            let e = read(
                action,
                json!({"Filters": [{"Name": name, "Values": ["x"]}]}),
            )
            .unwrap_err();
            assert_eq!(
                e.code, "InvalidParameter.InvalidFilter",
                "{action:?} {name}"
            );
        }
        // DescribeSnapshots takes 5 values per filter.
        let six: Vec<String> = (0..6).map(|k| format!("s{k}")).collect();
        let e = read(
            Action::LhDescribeSnapshots,
            json!({"Filters": [{"Name": "snapshot-name", "Values": six}]}),
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidParameter.FilterValueLimitExceeded");
    }
}
