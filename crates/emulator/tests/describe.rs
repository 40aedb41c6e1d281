//! Listing and routing details that produce no error code: ECS tag filters and
//! regional endpoints, Lighthouse regions, and the scale world.

mod common;

use common::{Env, Signer, env, env_with};
use rewind_emulator::World;
use rewind_emulator::seed::names;
use serde_json::json;

#[tokio::test]
async fn ecs_tag_filters_and_regional_endpoints() {
    let e = env();
    let web = e
        .ecs_ok(
            "DescribeInstances",
            &[
                ("RegionId", names::ECS_REGION),
                ("Tag.1.Key", "team"),
                ("Tag.1.Value", "web"),
                ("MaxResults", "100"),
            ],
        )
        .await;
    let platform = e
        .ecs_ok(
            "DescribeInstances",
            &[
                ("RegionId", names::ECS_REGION),
                ("Tag.1.Key", "team"),
                ("Tag.1.Value", "platform"),
                ("MaxResults", "100"),
            ],
        )
        .await;
    let all = e
        .ecs_ok(
            "DescribeInstances",
            &[("RegionId", names::ECS_REGION), ("MaxResults", "100")],
        )
        .await;
    let n = |v: &serde_json::Value| v["TotalCount"].as_u64().unwrap();
    assert!(n(&web) > 0 && n(&platform) > 0);
    assert_eq!(n(&web) + n(&platform), n(&all));
    assert_eq!(
        web["Instances"]["Instance"][0]["Tags"]["Tag"][0]["TagValue"],
        "web"
    );

    // ResetDisk has no RegionId: 127.0.0.1 searches every region, a regional endpoint only its own.
    let disk = e.ecs_disk("web-1-system");
    let snap = e.ecs_snapshot("web-1-before-deploy-1");
    let mut req = Env::ecs_request(
        "ResetDisk",
        &[("DiskId", &disk), ("SnapshotId", &snap), ("DryRun", "true")],
    );
    req.host = "ecs.cn-shanghai.aliyuncs.com".into();
    let r = e.send(req, Some(&Signer::alibaba())).await;
    assert_eq!(
        (r.status, r.code().as_deref()),
        (404, Some("InvalidDiskId.NotFound"))
    );
    assert_eq!(r.body["HostId"], "ecs.cn-shanghai.aliyuncs.com");
    let mut req = Env::ecs_request(
        "ResetDisk",
        &[("DiskId", &disk), ("SnapshotId", &snap), ("DryRun", "true")],
    );
    req.host = "ecs.cn-hangzhou.aliyuncs.com".into();
    let r = e.send(req, Some(&Signer::alibaba())).await;
    assert_eq!(r.code().as_deref(), Some("DryRunOperation"));
    assert_eq!(
        rewind_emulator::ecs::region_of_host("ecs-vpc.cn-beijing.aliyuncs.com"),
        Some("cn-beijing".into())
    );
    assert_eq!(
        rewind_emulator::ecs::region_of_host("ecs.aliyuncs.com"),
        None
    );
    assert_eq!(rewind_emulator::ecs::region_of_host("127.0.0.1:8090"), None);
}

#[tokio::test]
async fn lighthouse_regions_hold_their_own_instances() {
    let e = env();
    let blog = e.lh_instance(names::LH_RUNNING);
    let sh = e
        .tc_ok(
            "DescribeInstances",
            Some("ap-shanghai"),
            json!({"InstanceIds": [blog]}),
        )
        .await;
    assert_eq!(sh["TotalCount"], 0);
    let r = e
        .tc_code(
            "StopInstances",
            Some("ap-shanghai"),
            json!({"InstanceIds": [blog]}),
        )
        .await;
    assert_eq!(r, "ResourceNotFound.InstanceIdNotFound");
    let sg = e
        .tc_ok("DescribeInstances", Some("ap-singapore"), json!({}))
        .await;
    assert!(sg["TotalCount"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn scale_world_pages_through_ten_thousand_snapshots() {
    let e = env_with(World::Scale, |_| {});
    let mut first = 0;
    for region in names::ECS_REGIONS {
        let r = e
            .ecs_ok(
                "DescribeSnapshots",
                &[("RegionId", region), ("MaxResults", "100")],
            )
            .await;
        assert_eq!(r["Snapshots"]["Snapshot"].as_array().unwrap().len(), 100);
        assert!(!r["NextToken"].as_str().unwrap().is_empty());
        if first == 0 {
            first = r["TotalCount"].as_u64().unwrap();
        }
    }
    // One region holds 10,000+ snapshots: one table of the console at scale.
    assert!(first >= 10_000, "{first}");
    // The demo scenarios are part of the scale world too.
    assert!(!e.ecs_disk("archive-system").is_empty());
    let lh = e
        .tc_ok(
            "DescribeSnapshots",
            Some(names::LH_REGION),
            json!({"Limit": 100}),
        )
        .await;
    assert!(lh["TotalCount"].as_u64().unwrap() > 100);
    let ws = e
        .ws(
            "GET",
            &common::ws_path("snapshots"),
            &[("limit", "1000")],
            None,
        )
        .await;
    assert_eq!(ws.body["desktop_snapshots"].as_array().unwrap().len(), 1000);
}
