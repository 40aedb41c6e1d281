//! Safety snapshot names: the target's name and the local time with its zone, within
//! each cloud's rules for `SnapshotName`.

use crate::action::Action;
use crate::operation::{Machine, Next, Operation, PlannedAt, SafetySnapshot, alibaba, tencent};
use crate::provider::Provider;
use crate::validate::{ValidateOptions, validate_params};
use serde_json::json;

/// 2026-12-03T06:05:30Z.
const AT_MS: u64 = 1_796_277_930_000;

fn at(utc_offset_min: i32) -> PlannedAt {
    PlannedAt {
        unix_ms: AT_MS,
        utc_offset_min,
    }
}

fn name(provider: Provider, target: &str, offset: i32) -> String {
    SafetySnapshot::named(provider, target, at(offset))
        .name
        .unwrap()
}

/// The name passes the cloud's own CreateSnapshot rules (as the proxy checks them).
fn accepted(provider: Provider, name: &str) -> bool {
    let (action, params) = match provider {
        Provider::Tencent => (
            Action::LhCreateInstanceSnapshot,
            json!({"InstanceId": "lhins-k31c771o", "SnapshotName": name}),
        ),
        _ => (
            Action::EcsCreateSnapshot,
            json!({"DiskId": "d-bp199lyny9b3xxxx", "SnapshotName": name}),
        ),
    };
    validate_params(action, &params, &ValidateOptions::default()).is_ok()
}

#[test]
fn names_carry_the_target_and_the_local_time_with_its_zone() {
    assert_eq!(
        name(Provider::Tencent, "web-1", 480),
        "rewind-before-rollback-web-1-2026-12-03T14.05+0800"
    );
    // ECS names may not hold "+".
    assert_eq!(
        name(Provider::Alibaba, "web-1", 480),
        "rewind-before-reset-web-1-2026-12-03T14.05UTC0800"
    );
    assert_eq!(
        name(Provider::Alibaba, "data", -300),
        "rewind-before-reset-data-2026-12-03T01.05-0500"
    );
    // The server names in UTC; half-hour zones keep their minutes.
    assert_eq!(
        name(Provider::Tencent, "wiki", 0),
        "rewind-before-rollback-wiki-2026-12-03T06.05Z"
    );
    assert_eq!(
        name(Provider::Tencent, "wiki", 330),
        "rewind-before-rollback-wiki-2026-12-03T11.35+0530"
    );
    // The date moves with the zone.
    assert_eq!(
        name(Provider::Tencent, "wiki", -480),
        "rewind-before-rollback-wiki-2026-12-02T22.05-0800"
    );
}

#[test]
fn names_keep_within_each_clouds_rules() {
    let long = "a-very-long-instance-name-for-the-production-web-frontend-cluster-number-one-of-many-more-than-fit";
    for target in [
        long,
        "web 1 / prod",
        "网站服务器",
        "http://x",
        "",
        "  ",
        "---",
        "aliyun-box",
        "auto-1",
    ] {
        for provider in [Provider::Tencent, Provider::Alibaba] {
            for offset in [480, -300, 0, 840, -720] {
                let n = name(provider, target, offset);
                assert!(n.starts_with("rewind-before-"), "{n}");
                assert!(accepted(provider, &n), "{provider:?} refuses {n:?}");
                assert!(!n.contains("--") && !n.contains(' '), "{n}");
            }
        }
    }
    let lh = name(Provider::Tencent, long, 480);
    assert_eq!(lh.chars().count(), 60, "{lh}");
    assert!(
        lh.starts_with("rewind-before-rollback-a-very-long-"),
        "{lh}"
    );
    assert!(lh.ends_with("-2026-12-03T14.05+0800"), "{lh}");
    let ecs = name(Provider::Alibaba, long, 480);
    assert!(
        ecs.chars().count() <= 128 && ecs.contains(&long[..80]),
        "{ecs}"
    );
    assert_eq!(
        name(Provider::Tencent, "web 1 / prod", 480),
        "rewind-before-rollback-web-1-prod-2026-12-03T14.05+0800"
    );
    // Without a usable name, the time alone.
    assert_eq!(
        name(Provider::Tencent, "---", 0),
        "rewind-before-rollback-2026-12-03T06.05Z"
    );
}

#[test]
fn a_named_safety_snapshot_is_created_with_that_name_and_the_op_id_is_the_fallback() {
    let named = SafetySnapshot::named(Provider::Tencent, "blog-prod", at(480));
    let plan = |safety| {
        Operation::LhRollback(tencent::RollbackPlan {
            instance_id: "lhins-k31c771o".into(),
            snapshot_id: "lhsnap-nv6aqcv6".into(),
            safety_snapshot: Some(safety),
            start_afterwards: false,
        })
    };
    let create_name = |op: Operation| {
        let mut m = Machine::new("op-7", op).unwrap();
        let Next::Send(baseline) = m.poll(0) else {
            panic!()
        };
        assert_eq!(baseline.action, Action::LhDescribeSnapshots);
        m.on_answer(
            crate::operation::Answer::ok(json!({"TotalCount": 0, "SnapshotSet": []})),
            0,
        );
        let Next::Send(create) = m.poll(0) else {
            panic!()
        };
        assert_eq!(create.action, Action::LhCreateInstanceSnapshot);
        create.params["SnapshotName"].as_str().unwrap().to_string()
    };
    assert_eq!(
        create_name(plan(named)),
        "rewind-before-rollback-blog-prod-2026-12-03T14.05+0800"
    );
    assert_eq!(
        create_name(plan(SafetySnapshot::default())),
        "rewind-before-rollback-op-7"
    );
    // ECS: the name, with the tag and retention every safety snapshot gets.
    let ecs = Operation::EcsResetDisk(alibaba::ResetPlan {
        disk_id: "d-bp199lyny9b3xxxx".into(),
        snapshot_id: "s-bp1c8ioq8d7axxxx".into(),
        instance_id: None,
        stop_if_running: false,
        stop: Default::default(),
        safety_snapshot: Some(SafetySnapshot::named(
            Provider::Alibaba,
            "web-1-sys",
            at(480),
        )),
        start_afterwards: false,
        dry_run: false,
    });
    assert!(Machine::new("op-9", ecs).is_ok());
}
