//! The operation a confirmed form runs: its plan (`rewind_cloud::operation`) from the
//! validated parameters, what was found on the cloud and the confirmation's choices;
//! the pre-flight's stop fix; and the links that reopen a form (undo through the safety
//! snapshot, retry of the desktops a Workspace restore failed on).

use super::{Kind, form};
use rewind_cloud::Provider;
use rewind_cloud::operation::power::StopMode;
use rewind_cloud::operation::{
    Operation, PlannedAt, Power, PowerPlan, SafetySnapshot, Tag, alibaba, huawei, tencent,
};
use serde_json::Value;

/// What the confirmation asks besides the typed target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Choices {
    /// Take a safety snapshot of the target first (rollbacks).
    pub snapshot_first: bool,
    /// Start the instance once the rollback has finished.
    pub start_afterwards: bool,
    /// ECS: send the reset as a dry run first; only a passing check goes on.
    pub dry_run_first: bool,
}

/// What the pre-flight read that the plan needs besides the form's parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Found<'a> {
    /// ECS: the instance the disk is attached to.
    pub instance_id: Option<&'a str>,
    /// Workspace: the snapshots as listed (each with its `desktop_id`).
    pub desktops: &'a [Value],
    /// The name of what a safety snapshot is taken of (the Lighthouse instance, the ECS
    /// disk), when it has one.
    pub target_name: Option<&'a str>,
    /// When the plan is made, by the user's clock and zone: the safety snapshot is named
    /// with it. `None` leaves the name to the operation (its id).
    pub planned_at: Option<PlannedAt>,
}

fn text(params: &Value, key: &str) -> String {
    params[key].as_str().unwrap_or_default().to_string()
}

fn opt_text(params: &Value, key: &str) -> Option<String> {
    params[key]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The operation a form runs, from its validated parameters ([`params`]) and the
/// confirmation's choices.
pub fn plan(kind: Kind, params: &Value, found: Found<'_>, choices: Choices) -> Operation {
    let safety = choices.snapshot_first.then(|| {
        let target = match kind {
            Kind::EcsResetDisk | Kind::EcsCreateSnapshot => text(params, "DiskId"),
            _ => text(params, "InstanceId"),
        };
        let provider = form(kind).provider;
        let name = found.target_name.filter(|n| !n.trim().is_empty());
        match found.planned_at {
            Some(at) => SafetySnapshot::named(provider, name.unwrap_or(&target), at),
            None => SafetySnapshot::default(),
        }
    });
    match kind {
        Kind::LhRollback => Operation::LhRollback(tencent::RollbackPlan {
            instance_id: text(params, "InstanceId"),
            snapshot_id: text(params, "SnapshotId"),
            safety_snapshot: safety,
            start_afterwards: choices.start_afterwards,
        }),
        Kind::LhCreateSnapshot => Operation::LhCreateSnapshot(tencent::SnapshotPlan {
            instance_id: text(params, "InstanceId"),
            name: opt_text(params, "SnapshotName"),
            tags: Vec::new(),
        }),
        Kind::EcsResetDisk => {
            let instance_id = found.instance_id.map(str::to_string);
            Operation::EcsResetDisk(alibaba::ResetPlan {
                disk_id: text(params, "DiskId"),
                snapshot_id: text(params, "SnapshotId"),
                start_afterwards: choices.start_afterwards && instance_id.is_some(),
                instance_id,
                // The pre-flight requires the instance Stopped (its fix stops it).
                stop_if_running: false,
                stop: Default::default(),
                safety_snapshot: safety,
                dry_run: choices.dry_run_first,
            })
        }
        Kind::EcsCreateSnapshot => Operation::EcsCreateSnapshot(alibaba::SnapshotPlan {
            disk_id: text(params, "DiskId"),
            name: opt_text(params, "SnapshotName"),
            description: opt_text(params, "Description"),
            retention_days: params["RetentionDays"].as_u64().map(|d| d as u32),
            tags: params["Tag"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| Tag {
                    key: text(t, "Key"),
                    value: text(t, "Value"),
                })
                .collect(),
        }),
        Kind::WsRestore => Operation::WsRestore(huawei::RestorePlan {
            snapshots: params["snapshot_ids"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|id| huawei::SnapshotRef {
                    snapshot_id: id.to_string(),
                    desktop_id: found
                        .desktops
                        .iter()
                        .find(|s| s["snapshot_id"] == id)
                        .and_then(|s| opt_text(s, "desktop_id")),
                })
                .collect(),
        }),
    }
}

/// The pre-flight's fix "Stop instance", as an operation of its own, once confirmed:
/// named in its progress by the instance's name, stopped as the user chose (ECS
/// `ForceStop` and `StoppedMode`; Lighthouse has no such options, so none are sent).
pub fn stop_plan(
    provider: Provider,
    instance_id: &str,
    instance_name: Option<&str>,
    stop: StopMode,
) -> Operation {
    let plan = PowerPlan {
        instance_id: instance_id.to_string(),
        power: Power::Stop,
        stop: if provider == Provider::Tencent {
            StopMode::default()
        } else {
            stop
        },
        instance_name: instance_name
            .filter(|n| !n.trim().is_empty())
            .map(str::to_string),
    };
    match provider {
        Provider::Tencent => Operation::LhPower(plan),
        _ => Operation::EcsPower(plan),
    }
}

/// True when the provider's StopInstance takes options the confirmation offers (ECS).
pub fn has_stop_modes(provider: Provider) -> bool {
    provider == Provider::Alibaba
}

/// The snapshots of the desktops a finished Workspace restore failed on, in the plan's
/// order: a sub-job is matched to its snapshot by the desktop's ID (the form fills it
/// from the list), else by the name the job gave it when that is all it gave.
pub fn failed_snapshots(op: &Operation, sub_jobs: &[huawei::SubJobRecord]) -> Vec<String> {
    let Operation::WsRestore(p) = op else {
        return Vec::new();
    };
    let failed: Vec<&huawei::SubJobRecord> =
        sub_jobs.iter().filter(|s| s.status.is_failed()).collect();
    p.snapshots
        .iter()
        .filter(|s| {
            let Some(desktop) = s.desktop_id.as_deref() else {
                return false;
            };
            failed
                .iter()
                .any(|f| f.desktop_id.as_deref().unwrap_or(&f.desktop) == desktop)
        })
        .map(|s| s.snapshot_id.clone())
        .collect()
}

/// "Retry the failed desktops": the restore form pre-filled with only their snapshots
/// (its pre-flight and confirmation follow as for any restore); `None` when no failed
/// desktop can be matched to its snapshot.
pub fn retry_href(
    op: &Operation,
    sub_jobs: &[huawei::SubJobRecord],
    profile: &str,
    region: &str,
) -> Option<String> {
    let ids = failed_snapshots(op, sub_jobs);
    if ids.is_empty() {
        return None;
    }
    let form = form(Kind::WsRestore);
    Some(format!(
        "/huawei/{}?profile={}&region={}&{}={}",
        form.key,
        crate::api::path_segment(profile),
        crate::api::path_segment(region),
        form.fields[0].query,
        ids.iter()
            .map(|id| crate::api::path_segment(id))
            .collect::<Vec<_>>()
            .join(",")
    ))
}

/// True when the form's confirmation offers a safety snapshot of the target.
pub fn can_snapshot_first(kind: Kind) -> bool {
    matches!(kind, Kind::LhRollback | Kind::EcsResetDisk)
}

/// "Undo": the form that rolls the target back to the safety snapshot a finished
/// rollback took, pre-filled (the same pre-flight and typed confirmation follow).
pub fn undo_href(
    op: &Operation,
    created: &[String],
    profile: &str,
    region: &str,
) -> Option<String> {
    let (path, key, target, safety) = match op {
        Operation::LhRollback(p) => (
            "tencent/rollback",
            "instance",
            &p.instance_id,
            &p.safety_snapshot,
        ),
        Operation::EcsResetDisk(p) => {
            ("alibaba/reset-disk", "disk", &p.disk_id, &p.safety_snapshot)
        }
        _ => return None,
    };
    safety.as_ref()?;
    let snapshot = created.first()?;
    Some(format!(
        "/{path}?{key}={target}&snapshot={snapshot}&profile={}&region={}",
        crate::api::path_segment(profile),
        crate::api::path_segment(region)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::restore::{check_field, params};
    use rewind_cloud::validate::ValidateOptions;
    use serde_json::json;

    fn texts(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_form_builds_its_plan_with_the_confirmations_choices() {
        let opts = ValidateOptions::default();
        let lh = params(
            form(Kind::LhRollback),
            &texts(&["lhins-k31c771o", "lhsnap-nv6aqcv6"]),
            &opts,
        )
        .unwrap();
        let choices = Choices {
            snapshot_first: true,
            start_afterwards: true,
            dry_run_first: false,
        };
        let Operation::LhRollback(p) = plan(Kind::LhRollback, &lh, Found::default(), choices)
        else {
            panic!()
        };
        assert_eq!(p.instance_id, "lhins-k31c771o");
        assert_eq!(p.snapshot_id, "lhsnap-nv6aqcv6");
        assert_eq!(p.safety_snapshot, Some(SafetySnapshot::default()));
        assert!(p.start_afterwards);

        // ECS: the disk's instance comes from the pre-flight; without one nothing is
        // started afterwards.
        let ecs = json!({"DiskId": "d-bp199lyny9b3xxxx", "SnapshotId": "s-bp1c8ioq8d7axxxx"});
        let choices = Choices {
            snapshot_first: false,
            start_afterwards: true,
            dry_run_first: true,
        };
        let found = Found {
            instance_id: Some("i-bp1inst000000000000"),
            ..Found::default()
        };
        let Operation::EcsResetDisk(p) = plan(Kind::EcsResetDisk, &ecs, found, choices) else {
            panic!()
        };
        assert_eq!(p.instance_id.as_deref(), Some("i-bp1inst000000000000"));
        assert!(p.start_afterwards && p.dry_run && !p.stop_if_running);
        assert_eq!(p.safety_snapshot, None);
        let Operation::EcsResetDisk(p) = plan(Kind::EcsResetDisk, &ecs, Found::default(), choices)
        else {
            panic!()
        };
        assert!(!p.start_afterwards);

        // Every field of the ECS snapshot form reaches the plan.
        let snap = params(
            form(Kind::EcsCreateSnapshot),
            &texts(&[
                "d-bp199lyny9b3xxxx",
                "before-upgrade",
                "why",
                "7",
                "team=web",
            ]),
            &opts,
        )
        .unwrap();
        let Operation::EcsCreateSnapshot(p) = plan(
            Kind::EcsCreateSnapshot,
            &snap,
            Found::default(),
            Choices::default(),
        ) else {
            panic!()
        };
        assert_eq!(p.name.as_deref(), Some("before-upgrade"));
        assert_eq!(p.description.as_deref(), Some("why"));
        assert_eq!(p.retention_days, Some(7));
        assert_eq!(
            p.tags,
            [Tag {
                key: "team".into(),
                value: "web".into()
            }]
        );

        // Workspace: each snapshot with its desktop as listed.
        let ws = json!({"snapshot_ids": ["6c1f0a52-3c1e-4a4e-9c55-0b1d2e3f4a5b"]});
        let listed = [
            json!({"snapshot_id": "6c1f0a52-3c1e-4a4e-9c55-0b1d2e3f4a5b", "desktop_id": "desk-1"}),
        ];
        let found = Found {
            desktops: &listed,
            ..Found::default()
        };
        let Operation::WsRestore(p) = plan(Kind::WsRestore, &ws, found, Choices::default()) else {
            panic!()
        };
        assert_eq!(p.snapshots[0].desktop_id.as_deref(), Some("desk-1"));
        // Every plan a form builds is one the machines accept.
        for op in [
            plan(Kind::LhRollback, &lh, Found::default(), Choices::default()),
            plan(
                Kind::EcsCreateSnapshot,
                &snap,
                Found::default(),
                Choices::default(),
            ),
            stop_plan(
                Provider::Alibaba,
                "i-bp1inst000000000000",
                None,
                StopMode::default(),
            ),
        ] {
            assert!(
                rewind_cloud::operation::Machine::new("op-1", op.clone()).is_ok(),
                "{op:?}"
            );
        }
        assert!(matches!(
            stop_plan(
                Provider::Tencent,
                "lhins-k31c771o",
                None,
                StopMode::default()
            ),
            Operation::LhPower(_)
        ));
    }

    #[test]
    fn undo_opens_the_form_on_the_safety_snapshot() {
        let op = Operation::LhRollback(tencent::RollbackPlan {
            instance_id: "lhins-k31c771o".into(),
            snapshot_id: "lhsnap-nv6aqcv6".into(),
            safety_snapshot: Some(SafetySnapshot::default()),
            start_afterwards: false,
        });
        let created = vec!["lhsnap-safety01".to_string()];
        assert_eq!(
            undo_href(&op, &created, "demo-lighthouse", "ap-guangzhou").as_deref(),
            Some(
                "/tencent/rollback?instance=lhins-k31c771o&snapshot=lhsnap-safety01&profile=demo-lighthouse&region=ap-guangzhou"
            )
        );
        assert_eq!(undo_href(&op, &[], "p", "r"), None);
        let ecs = Operation::EcsResetDisk(alibaba::ResetPlan {
            disk_id: "d-1".into(),
            snapshot_id: "s-1".into(),
            instance_id: None,
            stop_if_running: false,
            stop: Default::default(),
            safety_snapshot: None,
            start_afterwards: false,
            dry_run: false,
        });
        // No safety snapshot: nothing to undo to.
        assert_eq!(undo_href(&ecs, &created, "p", "r"), None);
        // The form reads the same query keys back.
        let href = undo_href(&op, &created, "p", "r").unwrap();
        let l = crate::router::Location::parse(&href);
        let f = form(Kind::LhRollback);
        assert_eq!(
            l.query(f.fields[0].query).as_deref(),
            Some("lhins-k31c771o")
        );
        assert_eq!(
            l.query(f.fields[1].query).as_deref(),
            Some("lhsnap-safety01")
        );
    }
    #[test]
    fn a_safety_snapshot_is_named_with_the_target_and_the_users_time() {
        let lh = json!({"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-nv6aqcv6"});
        let choices = Choices {
            snapshot_first: true,
            ..Choices::default()
        };
        // 2026-12-03T06:05Z, planned in UTC+8.
        let at = PlannedAt {
            unix_ms: 1_796_277_930_000,
            utc_offset_min: 480,
        };
        let found = Found {
            target_name: Some("blog-prod"),
            planned_at: Some(at),
            ..Found::default()
        };
        let Operation::LhRollback(p) = plan(Kind::LhRollback, &lh, found, choices) else {
            panic!()
        };
        let name = p.safety_snapshot.unwrap().name.unwrap();
        assert_eq!(
            name,
            "rewind-before-rollback-blog-prod-2026-12-03T14.05+0800"
        );
        // The batch never picks it by default.
        assert!(name.starts_with(crate::batch::SAFETY_PREFIX));
        // No name: the ID stands in; ECS spells the zone without "+".
        let ecs = json!({"DiskId": "d-bp199lyny9b3xxxx", "SnapshotId": "s-bp1c8ioq8d7axxxx"});
        let found = Found {
            target_name: Some(""),
            planned_at: Some(at),
            ..Found::default()
        };
        let Operation::EcsResetDisk(p) = plan(Kind::EcsResetDisk, &ecs, found, choices) else {
            panic!()
        };
        assert_eq!(
            p.safety_snapshot.unwrap().name.as_deref(),
            Some("rewind-before-reset-d-bp199lyny9b3xxxx-2026-12-03T14.05UTC0800")
        );
        // Without a time the operation names it (by its id), as before.
        let Operation::LhRollback(p) = plan(Kind::LhRollback, &lh, Found::default(), choices)
        else {
            panic!()
        };
        assert_eq!(p.safety_snapshot, Some(SafetySnapshot::default()));
        // Unticked (or continued without it): no safety snapshot at all.
        let found = Found {
            planned_at: Some(at),
            ..Found::default()
        };
        let Operation::LhRollback(p) = plan(Kind::LhRollback, &lh, found, Choices::default())
        else {
            panic!()
        };
        assert_eq!(p.safety_snapshot, None);
    }

    #[test]
    fn the_stop_fix_sends_the_chosen_modes_on_ecs_only() {
        use rewind_cloud::operation::power::StoppedMode;
        let modes = StopMode {
            force: true,
            stopped_mode: Some(StoppedMode::StopCharging),
        };
        let Operation::EcsPower(p) = stop_plan(
            Provider::Alibaba,
            "i-bp1inst000000000000",
            Some("web-2"),
            modes.clone(),
        ) else {
            panic!()
        };
        assert_eq!(p.stop, modes);
        assert_eq!(p.instance_name.as_deref(), Some("web-2"));
        // The step names the instance once: "Stop web-2 (i-…)".
        let m = rewind_cloud::operation::Machine::new("op-1", Operation::EcsPower(p)).unwrap();
        assert_eq!(
            m.steps().next().unwrap().label.en,
            "Stop web-2 (i-bp1inst000000000000)"
        );
        // Lighthouse StopInstances takes no such options: none are sent, and the plan
        // is one the machine accepts.
        let lh = stop_plan(Provider::Tencent, "lhins-k31c771o", Some(" "), modes);
        let Operation::LhPower(p) = &lh else { panic!() };
        assert_eq!(p.stop, StopMode::default());
        assert_eq!(p.instance_name, None);
        assert!(rewind_cloud::operation::Machine::new("op-2", lh).is_ok());
        assert!(has_stop_modes(Provider::Alibaba) && !has_stop_modes(Provider::Tencent));
    }

    #[test]
    fn retry_opens_the_restore_form_with_only_the_failed_desktops_snapshots() {
        use rewind_cloud::huawei::JobStatus;
        let (s1, s2, s3) = (
            "6c1f0a52-3c1e-4a4e-9c55-0b1d2e3f4a5b",
            "7d2e1b63-4d2f-4b5f-8d66-1c2e3f4a5b6c",
            "8e3f2c74-5e3a-4c6a-9e77-2d3f4a5b6c7d",
        );
        let op = Operation::WsRestore(huawei::RestorePlan {
            snapshots: [(s1, "desk-1"), (s2, "desk-2"), (s3, "desk-3")]
                .iter()
                .map(|(s, d)| huawei::SnapshotRef {
                    snapshot_id: s.to_string(),
                    desktop_id: Some(d.to_string()),
                })
                .collect(),
        });
        let sub = |id: Option<&str>, name: &str, status: JobStatus| huawei::SubJobRecord {
            desktop: name.into(),
            desktop_id: id.map(str::to_string),
            status,
            process: 100,
            error_code: None,
            fail_reason: None,
        };
        let subs = [
            sub(Some("desk-1"), "alice", JobStatus::Success),
            sub(Some("desk-2"), "carol", JobStatus::Fail),
            sub(None, "desk-3", JobStatus::Failed),
        ];
        assert_eq!(failed_snapshots(&op, &subs), [s2, s3]);
        let href = retry_href(&op, &subs, "demo", "cn-north-4").unwrap();
        assert_eq!(
            href,
            format!("/huawei/restore?profile=demo&region=cn-north-4&snapshots={s2},{s3}")
        );
        // The form reads the list back and accepts it.
        let f = form(Kind::WsRestore);
        let l = crate::router::Location::parse(&href);
        let text = l.query(f.fields[0].query).unwrap();
        assert!(check_field(f, &f.fields[0], &text, &ValidateOptions::default()).is_ok());
        // Nothing failed: nothing to retry.
        assert_eq!(retry_href(&op, &subs[..1], "demo", "cn-north-4"), None);
    }
}
