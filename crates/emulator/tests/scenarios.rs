//! Every documented rule, through the HTTP surfaces with signed requests and a manual
//! clock: one example that passes and one that fails, per rule. Each scenario records
//! the error codes it saw, and the last test checks the README table against them.

mod common;

use common::{Env, Signer, env, env_with, project, ws_path};
use rewind_emulator::World;
use rewind_emulator::seed::names;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

type Codes = BTreeSet<String>;

const GZ: Option<&str> = Some(names::LH_REGION);

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn lh_inst_state(body: &Value) -> (String, Option<String>) {
    let i = &body["InstanceSet"][0];
    (
        i["InstanceState"].as_str().unwrap().to_string(),
        i["LatestOperationState"].as_str().map(str::to_string),
    )
}

// ---------------------------------------------------------------- Lighthouse

async fn lighthouse_apply(seen: &mut Codes) {
    let e = env();
    let mut tc = async |action: &str, region: Option<&str>, body: Value| -> String {
        let c = e.tc_code(action, region, body).await;
        seen.insert(c.clone());
        c
    };
    let blog = e.lh_instance(names::LH_RUNNING);
    let wiki = e.lh_instance(names::LH_STOPPED);
    let daily = e.lh_snapshot("blog-daily");
    // Malformed and unknown IDs.
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": "lhins-BAD", "SnapshotId": daily})
        )
        .await,
        "InvalidParameterValue.InstanceIdMalformed"
    );
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": blog, "SnapshotId": "snap-1"})
        )
        .await,
        "InvalidParameterValue.SnapshotIdMalformed"
    );
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": "lhins-zzzzzzzz", "SnapshotId": daily})
        )
        .await,
        "ResourceNotFound.InstanceIdNotFound"
    );
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            None,
            json!({"InstanceId": "lhins-zzzzzzzz", "SnapshotId": daily})
        )
        .await,
        "ResourceNotFound.InstanceIdNotFound"
    );
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": blog, "SnapshotId": "lhsnap-zzzzzzzz"})
        )
        .await,
        "ResourceNotFound.SnapshotIdNotFound"
    );
    assert_eq!(
        tc("ApplyInstanceSnapshot", GZ, json!({"InstanceId": blog})).await,
        "MissingParameter"
    );
    // Another instance's snapshot: only the instance's own system disk can be rolled back.
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": wiki, "SnapshotId": daily})
        )
        .await,
        "ResourceNotFound.SnapshotNotFound"
    );
    // State rules.
    let creating = e.lh_instance(names::LH_CREATING_INSTANCE);
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": creating, "SnapshotId": daily})
        )
        .await,
        "OperationDenied.InstanceCreating"
    );
    let busy = e.lh_instance(names::LH_BUSY_INSTANCE);
    let busy_snap = e.lh_snapshot("api-gateway-snap");
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": busy, "SnapshotId": busy_snap})
        )
        .await,
        "OperationDenied.InstanceOperationInProgress"
    );
    let old = e.lh_instance(names::LH_SHUTDOWN_INSTANCE);
    let old_snap = e.lh_snapshot("old-crm-final");
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": old, "SnapshotId": old_snap})
        )
        .await,
        "UnsupportedOperation.InvalidInstanceState"
    );
    let nightly = e.lh_snapshot("wiki-nightly");
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": wiki, "SnapshotId": nightly})
        )
        .await,
        "UnsupportedOperation.InvalidSnapshotState"
    );
    let resized = e.lh_snapshot("wiki-before-resize");
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": wiki, "SnapshotId": resized})
        )
        .await,
        "InvalidParameterValue.DiskSizeNotMatch"
    );

    // Pass: a STOPPED instance, no region given (found across regions).
    let good = e.lh_snapshot("wiki-good");
    e.tc_ok(
        "ApplyInstanceSnapshot",
        None,
        json!({"InstanceId": wiki, "SnapshotId": good}),
    )
    .await;
    let d = e
        .tc_ok("DescribeInstances", GZ, json!({"InstanceIds": [wiki]}))
        .await;
    assert_eq!(
        lh_inst_state(&d),
        ("STOPPED".into(), Some("OPERATING".into()))
    );
    assert_eq!(
        d["InstanceSet"][0]["LatestOperation"],
        "ApplyInstanceSnapshot"
    );

    // Pass: a RUNNING instance is force-stopped first, then rolled back.
    e.tc_ok(
        "ApplyInstanceSnapshot",
        GZ,
        json!({"InstanceId": blog, "SnapshotId": daily}),
    )
    .await;
    let d = e
        .tc_ok("DescribeInstances", GZ, json!({"InstanceIds": [blog]}))
        .await;
    assert_eq!(
        lh_inst_state(&d),
        ("STOPPING".into(), Some("OPERATING".into()))
    );
    let s = e
        .tc_ok("DescribeSnapshots", GZ, json!({"SnapshotIds": [daily]}))
        .await;
    assert_eq!(s["SnapshotSet"][0]["SnapshotState"], "ROLLBACKING");
    assert_eq!(
        s["SnapshotSet"][0]["LatestOperation"],
        "RollbackInstanceSnapshot"
    );
    // While it runs, another operation is refused.
    let weekly = e.lh_snapshot("blog-weekly");
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": blog, "SnapshotId": weekly})
        )
        .await,
        "OperationDenied.InstanceOperationInProgress"
    );
    e.clock.advance(secs(2));
    let d = e
        .tc_ok("DescribeInstances", GZ, json!({"InstanceIds": [blog]}))
        .await;
    assert_eq!(
        lh_inst_state(&d),
        ("STOPPED".into(), Some("OPERATING".into()))
    );
    e.clock.advance(secs(5));
    let d = e
        .tc_ok("DescribeInstances", GZ, json!({"InstanceIds": [blog]}))
        .await;
    assert_eq!(
        lh_inst_state(&d),
        ("STOPPED".into(), Some("SUCCESS".into()))
    );
    let s = e
        .tc_ok("DescribeSnapshots", GZ, json!({"SnapshotIds": [daily]}))
        .await;
    assert_eq!(s["SnapshotSet"][0]["SnapshotState"], "NORMAL");
    assert_eq!(s["SnapshotSet"][0]["LatestOperationState"], "SUCCESS");
}

async fn lighthouse_create_and_limits(seen: &mut Codes) {
    let e = env();
    let mut tc = async |action: &str, region: Option<&str>, body: Value| -> String {
        let c = e.tc_code(action, region, body).await;
        seen.insert(c.clone());
        c
    };
    let blog = e.lh_instance(names::LH_RUNNING);
    let full = e.lh_instance(names::LH_FULL_INSTANCE);
    assert_eq!(
        tc("CreateInstanceSnapshot", GZ, json!({"InstanceId": full})).await,
        "LimitExceeded.SnapshotQuotaLimitExceeded"
    );
    assert_eq!(
        tc(
            "CreateInstanceSnapshot",
            GZ,
            json!({"InstanceId": blog, "SnapshotName": "x".repeat(61)})
        )
        .await,
        "InvalidParameterValue.TooLong"
    );
    let tags: Vec<Value> = (0..11)
        .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
        .collect();
    assert_eq!(
        tc(
            "CreateInstanceSnapshot",
            GZ,
            json!({"InstanceId": blog, "Tags": tags})
        )
        .await,
        "InvalidParameterValue.TagsLimitExceeded"
    );
    let r = e.tc_ok("CreateInstanceSnapshot", None, json!({"InstanceId": blog, "SnapshotName": "before-upgrade", "Tags": [{"Key": "by", "Value": "rewind"}]})).await;
    let sid = r["SnapshotId"].as_str().unwrap().to_string();
    assert!(
        rewind_emulator::lighthouse::valid_snapshot_id(&sid),
        "{sid}"
    );
    assert_eq!(
        tc("CreateInstanceSnapshot", GZ, json!({"InstanceId": blog})).await,
        "OperationDenied.InstanceOperationInProgress"
    );
    e.clock.advance(secs(5));
    let s = e
        .tc_ok("DescribeSnapshots", GZ, json!({"SnapshotIds": [sid]}))
        .await;
    assert_eq!(s["SnapshotSet"][0]["SnapshotState"], "CREATING");
    assert_eq!(s["SnapshotSet"][0]["Percent"], 50);
    e.clock.advance(secs(5));
    let s = e
        .tc_ok(
            "DescribeSnapshots",
            GZ,
            json!({"Filters": [{"Name": "tag:by", "Values": ["rewind"]}]}),
        )
        .await;
    assert_eq!(s["TotalCount"], 1);
    assert_eq!(s["SnapshotSet"][0]["SnapshotState"], "NORMAL");
    assert_eq!(s["SnapshotSet"][0]["Percent"], 100);

    // 20 requests per second per account, measured on the injected clock.
    for _ in 0..20 {
        assert_eq!(
            tc(
                "ApplyInstanceSnapshot",
                GZ,
                json!({"InstanceId": "lhins-zzzzzzzz", "SnapshotId": "lhsnap-zzzzzzzz"})
            )
            .await,
            "ResourceNotFound.InstanceIdNotFound"
        );
    }
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": "lhins-zzzzzzzz", "SnapshotId": "lhsnap-zzzzzzzz"})
        )
        .await,
        "RequestLimitExceeded"
    );
    // CreateInstanceSnapshot has its own budget.
    assert_eq!(
        tc(
            "CreateInstanceSnapshot",
            GZ,
            json!({"InstanceId": "lhins-zzzzzzzz"})
        )
        .await,
        "ResourceNotFound.InstanceIdNotFound"
    );
    e.clock.advance(Duration::from_millis(999));
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": "lhins-zzzzzzzz", "SnapshotId": "lhsnap-zzzzzzzz"})
        )
        .await,
        "RequestLimitExceeded"
    );
    e.clock.advance(Duration::from_millis(1));
    assert_eq!(
        tc(
            "ApplyInstanceSnapshot",
            GZ,
            json!({"InstanceId": "lhins-zzzzzzzz", "SnapshotId": "lhsnap-zzzzzzzz"})
        )
        .await,
        "ResourceNotFound.InstanceIdNotFound"
    );
}

async fn lighthouse_power_and_describe(seen: &mut Codes) {
    let e = env();
    let mut tc = async |action: &str, region: Option<&str>, body: Value| -> String {
        let c = e.tc_code(action, region, body).await;
        seen.insert(c.clone());
        c
    };
    let blog = e.lh_instance(names::LH_RUNNING);
    let wiki = e.lh_instance(names::LH_STOPPED);
    assert_eq!(
        tc("StopInstances", GZ, json!({"InstanceIds": [wiki]})).await,
        "UnsupportedOperation.InvalidInstanceState"
    );
    assert_eq!(
        tc(
            "StopInstances",
            GZ,
            json!({"InstanceIds": [blog], "StopType": "GENTLE"})
        )
        .await,
        "InvalidParameterValue"
    );
    assert_eq!(tc("StopInstances", GZ, json!({})).await, "MissingParameter");
    e.tc_ok(
        "StopInstances",
        GZ,
        json!({"InstanceIds": [blog], "StopType": "SOFT"}),
    )
    .await;
    e.tc_ok("StartInstances", GZ, json!({"InstanceIds": [wiki]}))
        .await;
    let d = e
        .tc_ok(
            "DescribeInstances",
            GZ,
            json!({"InstanceIds": [blog, wiki]}),
        )
        .await;
    let states: Vec<&str> = d["InstanceSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["InstanceState"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["STOPPING", "STARTING"]);
    e.clock.advance(secs(2));
    let d = e
        .tc_ok(
            "DescribeInstances",
            GZ,
            json!({"InstanceIds": [blog, wiki]}),
        )
        .await;
    let states: Vec<&str> = d["InstanceSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["InstanceState"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["STOPPED", "RUNNING"]);

    // Describe: filters, pagination, limits.
    let all = e
        .tc_ok("DescribeInstances", GZ, json!({"Limit": 100}))
        .await;
    let total = all["TotalCount"].as_u64().unwrap();
    assert!(total >= 8, "{total}");
    let page = e
        .tc_ok("DescribeInstances", GZ, json!({"Offset": 2, "Limit": 3}))
        .await;
    assert_eq!(page["TotalCount"].as_u64(), Some(total));
    assert_eq!(page["InstanceSet"].as_array().unwrap().len(), 3);
    assert_eq!(
        page["InstanceSet"][0]["InstanceId"],
        all["InstanceSet"][2]["InstanceId"]
    );
    let running = e
        .tc_ok(
            "DescribeInstances",
            GZ,
            json!({"Filters": [{"Name": "instance-state", "Values": ["RUNNING"]}]}),
        )
        .await;
    assert!(
        running["InstanceSet"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["InstanceState"] == "RUNNING")
    );
    let named = e
        .tc_ok(
            "DescribeInstances",
            GZ,
            json!({"Filters": [{"Name": "instance-name", "Values": [names::LH_FULL_INSTANCE]}]}),
        )
        .await;
    assert_eq!(named["TotalCount"], 1);
    let snaps = e
        .tc_ok(
            "DescribeSnapshots",
            GZ,
            json!({"Filters": [{"Name": "instance-id", "Values": [wiki]}]}),
        )
        .await;
    assert_eq!(snaps["TotalCount"], 3);
    assert_eq!(
        tc("DescribeInstances", GZ, json!({"Limit": 101})).await,
        "InvalidParameterValue.LimitExceeded"
    );
    assert_eq!(
        tc(
            "DescribeInstances",
            GZ,
            json!({"InstanceIds": [blog], "Filters": [{"Name": "zone", "Values": ["x"]}]})
        )
        .await,
        "InvalidParameter.ParameterConflict"
    );
    assert_eq!(
        tc(
            "DescribeInstances",
            GZ,
            json!({"Filters": [{"Name": "colour", "Values": ["x"]}]})
        )
        .await,
        "InvalidParameter.InvalidFilter"
    );
    let many: Vec<Value> = (0..11)
        .map(|_| json!({"Name": "zone", "Values": ["x"]}))
        .collect();
    assert_eq!(
        tc("DescribeInstances", GZ, json!({"Filters": many})).await,
        "InvalidParameter.FilterValueLimitExceeded"
    );
    // Exactly the filters the console and the proxy let through (rewind_cloud::validate):
    // each action its own names, DescribeSnapshots at most 5 values per filter.
    let bundle = all["InstanceSet"][0]["BundleId"]
        .as_str()
        .unwrap()
        .to_string();
    let by_bundle = e
        .tc_ok(
            "DescribeInstances",
            GZ,
            json!({"Filters": [{"Name": "bundle-id", "Values": [bundle]}]}),
        )
        .await;
    assert!(by_bundle["TotalCount"].as_u64().unwrap() >= 1);
    for (action, name) in [
        ("DescribeInstances", "instance-id"),
        ("DescribeSnapshots", "instance-state"),
    ] {
        assert_eq!(
            tc(
                action,
                GZ,
                json!({"Filters": [{"Name": name, "Values": [wiki]}]})
            )
            .await,
            "InvalidParameter.InvalidFilter",
            "{action} {name}"
        );
    }
    assert_eq!(
        tc(
            "DescribeSnapshots",
            GZ,
            json!({"Filters": [{"Name": "snapshot-name", "Values": ["a", "b", "c", "d", "e", "f"]}]})
        )
        .await,
        "InvalidParameter.FilterValueLimitExceeded"
    );
    assert_eq!(
        tc("DescribeSnapshots", GZ, json!({"SnapshotIds": ["nope"]})).await,
        "InvalidParameterValue.SnapshotIdMalformed"
    );
    // Common errors.
    assert_eq!(
        tc("DescribeInstances", None, json!({})).await,
        "MissingParameter"
    );
    assert_eq!(
        tc("DescribeInstances", Some("ap-mars"), json!({})).await,
        "UnsupportedRegion"
    );
    assert_eq!(
        tc("TerminateInstances", GZ, json!({})).await,
        "InvalidAction"
    );
    let mut req = Env::tc_request("DescribeInstances", GZ, &json!({}));
    req.set_header("X-TC-Version", "2017-03-12");
    let r = e.send(req, Some(&Signer::tencent())).await;
    assert_eq!(r.code().as_deref(), Some("NoSuchVersion"));
    seen.insert("NoSuchVersion".into());
    let mut req = Env::tc_request("DescribeInstances", GZ, &json!({}));
    req.body = b"{not json".to_vec();
    let r = e.send(req, Some(&Signer::tencent())).await;
    assert_eq!(r.code().as_deref(), Some("InvalidParameter"));
    seen.insert("InvalidParameter".into());

    // GET with the flattened query, as the SDK sends it.
    let mut req = Env::tc_request("DescribeInstances", GZ, &json!({}));
    req.method = "GET".into();
    req.body.clear();
    req.set_header("Content-Type", "application/x-www-form-urlencoded");
    req.query = vec![
        ("InstanceIds.0".into(), wiki.clone()),
        ("Limit".into(), "5".into()),
    ];
    let r = e.send(req, Some(&Signer::tencent())).await;
    assert_eq!(r.code(), None, "{}", r.body);
    assert_eq!(
        r.body["Response"]["InstanceSet"][0]["InstanceId"],
        wiki.as_str()
    );
}

// ---------------------------------------------------------------- ECS

async fn ecs_reset_disk(seen: &mut Codes) {
    let e = env();
    let mut ecs = async |action: &str, params: &[(&str, &str)]| -> (u16, String) {
        let c = e.ecs_code(action, params).await;
        seen.insert(c.1.clone());
        c
    };
    let web1 = e.ecs_disk("web-1-system");
    let web1_snap = e.ecs_snapshot("web-1-before-deploy-0");
    // DryRun: a passing check is HTTP 400 DryRunOperation and changes nothing.
    assert_eq!(
        ecs(
            "ResetDisk",
            &[
                ("DiskId", &web1),
                ("SnapshotId", &web1_snap),
                ("DryRun", "true")
            ]
        )
        .await,
        (400, "DryRunOperation".into())
    );
    e.ecs_ok(
        "ResetDisk",
        &[("DiskId", &web1), ("SnapshotId", &web1_snap)],
    )
    .await;
    let disks = e
        .ecs_ok(
            "DescribeDisks",
            &[
                ("RegionId", names::ECS_REGION),
                ("DiskIds", &format!("[\"{web1}\"]")),
            ],
        )
        .await;
    assert_eq!(disks["Disks"]["Disk"][0]["Status"], "ReIniting");
    assert_eq!(
        ecs(
            "ResetDisk",
            &[("DiskId", &web1), ("SnapshotId", &web1_snap)]
        )
        .await,
        (403, "IncorrectDiskStatus".into())
    );
    e.clock.advance(secs(5));
    let disks = e
        .ecs_ok(
            "DescribeDisks",
            &[
                ("RegionId", names::ECS_REGION),
                ("DiskIds", &format!("[\"{web1}\"]")),
            ],
        )
        .await;
    assert_eq!(disks["Disks"]["Disk"][0]["Status"], "In_use");

    let web2 = e.ecs_disk("web-2-system");
    let web2_snap = e.ecs_snapshot("web-2-daily");
    assert_eq!(
        ecs(
            "ResetDisk",
            &[("DiskId", &web2), ("SnapshotId", &web2_snap)]
        )
        .await,
        (403, "IncorrectInstanceStatus".into())
    );
    let locked = e.ecs_disk("legacy-locked-system");
    let locked_snap = e.ecs_snapshot("legacy-before-incident");
    assert_eq!(
        ecs(
            "ResetDisk",
            &[("DiskId", &locked), ("SnapshotId", &locked_snap)]
        )
        .await,
        (403, "InstanceLockedForSecurity".into())
    );
    let attaching = e.ecs_disk("web-1-data");
    let data_snap = e.ecs_snapshot("web-1-data");
    assert_eq!(
        ecs(
            "ResetDisk",
            &[("DiskId", &attaching), ("SnapshotId", &data_snap)]
        )
        .await,
        (403, "IncorrectDiskStatus".into())
    );
    assert_eq!(
        ecs(
            "ResetDisk",
            &[("DiskId", &web1), ("SnapshotId", &web2_snap)]
        )
        .await,
        (403, "InvalidParameter.Mismatch".into())
    );
    let busy = e.ecs_disk("batch-worker-system");
    assert_eq!(
        ecs(
            "ResetDisk",
            &[
                ("DiskId", &busy),
                ("SnapshotId", &e.ecs_snapshot("batch-in-progress"))
            ]
        )
        .await,
        (403, "InvalidSnapshotId.NotReady".into())
    );
    assert_eq!(
        ecs(
            "ResetDisk",
            &[
                ("DiskId", &busy),
                ("SnapshotId", &e.ecs_snapshot("batch-broken"))
            ]
        )
        .await,
        (403, "OperationDenied".into())
    );
    e.ecs_ok(
        "ResetDisk",
        &[
            ("DiskId", &busy),
            ("SnapshotId", &e.ecs_snapshot("batch-good")),
        ],
    )
    .await;
    let archive = e.ecs_disk("archive-system");
    assert_eq!(
        ecs(
            "ResetDisk",
            &[
                ("DiskId", &archive),
                ("SnapshotId", &e.ecs_snapshot("archive-2012"))
            ]
        )
        .await,
        (403, "InvalidSnapshot.TooOld".into())
    );
    e.ecs_ok(
        "ResetDisk",
        &[
            ("DiskId", &archive),
            ("SnapshotId", &e.ecs_snapshot("archive-01")),
        ],
    )
    .await;
    // An unattached (Available) disk can be reset.
    let spare = e.ecs_disk("spare-data-data");
    e.ecs_ok(
        "ResetDisk",
        &[
            ("DiskId", &spare),
            ("SnapshotId", &e.ecs_snapshot("spare-data-snap")),
        ],
    )
    .await;
    // Missing and unknown.
    assert_eq!(
        ecs("ResetDisk", &[("DiskId", &web1)]).await,
        (400, "MissingParameter".into())
    );
    assert_eq!(
        ecs(
            "ResetDisk",
            &[("DiskId", "d-nope"), ("SnapshotId", &web1_snap)]
        )
        .await,
        (404, "InvalidDiskId.NotFound".into())
    );
    assert_eq!(
        ecs("ResetDisk", &[("DiskId", &web1), ("SnapshotId", "s-nope")]).await,
        (404, "InvalidSnapshotId.NotFound".into())
    );
}

async fn ecs_create_snapshot(seen: &mut Codes) {
    let e = env();
    let mut ecs = async |action: &str, params: &[(&str, &str)]| -> (u16, String) {
        let c = e.ecs_code(action, params).await;
        seen.insert(c.1.clone());
        c
    };
    let web2 = e.ecs_disk("web-2-system");
    let r = e
        .ecs_ok(
            "CreateSnapshot",
            &[
                ("DiskId", &web2),
                ("SnapshotName", "before-upgrade"),
                ("ClientToken", "tok-1"),
                ("Tag.1.Key", "by"),
                ("Tag.1.Value", "rewind"),
            ],
        )
        .await;
    let sid = r["SnapshotId"].as_str().unwrap().to_string();
    // Idempotent on ClientToken.
    let again = e
        .ecs_ok(
            "CreateSnapshot",
            &[("DiskId", &web2), ("ClientToken", "tok-1")],
        )
        .await;
    assert_eq!(again["SnapshotId"], sid.as_str());
    let web1 = e.ecs_disk("web-1-system");
    assert_eq!(
        ecs(
            "CreateSnapshot",
            &[("DiskId", &web1), ("ClientToken", "tok-1")]
        )
        .await,
        (400, "IdempotentParameterMismatch".into())
    );
    // One in progress per disk.
    assert_eq!(
        ecs("CreateSnapshot", &[("DiskId", &web2)]).await,
        (403, "IncorrectDiskStatus.CreatingSnapshot".into())
    );
    e.clock.advance(secs(4));
    let s = e
        .ecs_ok(
            "DescribeSnapshots",
            &[
                ("RegionId", names::ECS_REGION),
                ("SnapshotIds", &format!("[\"{sid}\"]")),
            ],
        )
        .await;
    assert_eq!(s["Snapshots"]["Snapshot"][0]["Status"], "progressing");
    assert_eq!(s["Snapshots"]["Snapshot"][0]["Progress"], "40%");
    e.clock.advance(secs(6));
    let s = e
        .ecs_ok(
            "DescribeSnapshots",
            &[("RegionId", names::ECS_REGION), ("DiskId", &web2)],
        )
        .await;
    let snap = s["Snapshots"]["Snapshot"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["SnapshotId"] == sid.as_str())
        .unwrap()
        .clone();
    assert_eq!(snap["Status"], "accomplished");
    assert_eq!(snap["Available"], true);
    e.ecs_ok("CreateSnapshot", &[("DiskId", &web2)]).await;
    // Stopped instances can snapshot too.
    e.ecs_ok("CreateSnapshot", &[("DiskId", &web1)]).await;

    let archive = e.ecs_disk("archive-system");
    assert_eq!(
        ecs("CreateSnapshot", &[("DiskId", &archive)]).await,
        (403, "QuotaExceed.Snapshot".into())
    );
    assert_eq!(
        ecs(
            "CreateSnapshot",
            &[("DiskId", &e.ecs_disk("legacy-locked-system"))]
        )
        .await,
        (403, "InstanceLockedForSecurity".into())
    );
    assert_eq!(
        ecs(
            "CreateSnapshot",
            &[("DiskId", &e.ecs_disk("spare-data-data"))]
        )
        .await,
        (403, "IncorrectDiskStatus".into())
    );
    assert_eq!(
        ecs(
            "CreateSnapshot",
            &[("DiskId", &e.ecs_disk("expired-box-system"))]
        )
        .await,
        (403, "InstanceExpiredOrInArrears".into())
    );
    assert_eq!(
        ecs(
            "CreateSnapshot",
            &[("DiskId", &e.ecs_disk("new-node-system"))]
        )
        .await,
        (403, "IncorrectInstanceStatus".into())
    );
    assert_eq!(
        ecs(
            "CreateSnapshot",
            &[("DiskId", &e.ecs_disk("batch-worker-system"))]
        )
        .await,
        (403, "IncorrectDiskStatus.CreatingSnapshot".into())
    );
    assert_eq!(
        ecs(
            "CreateSnapshot",
            &[("DiskId", &web1), ("SnapshotName", "x")]
        )
        .await,
        (400, "InvalidSnapshotName.Malformed".into())
    );
    assert_eq!(
        ecs("CreateSnapshot", &[("DiskId", &web1), ("Description", "x")]).await,
        (400, "InvalidDescription.Malformed".into())
    );
    assert_eq!(
        ecs(
            "CreateSnapshot",
            &[("DiskId", &web1), ("RetentionDays", "0")]
        )
        .await,
        (400, "InvalidRetentionDays.Malformed".into())
    );
    assert_eq!(
        ecs(
            "CreateSnapshot",
            &[("DiskId", &web1), ("ClientToken", &"t".repeat(65))]
        )
        .await,
        (400, "InvalidParameter".into())
    );
    assert_eq!(
        ecs("CreateSnapshot", &[("DiskId", &web1), ("Tag.21.Key", "k")]).await,
        (400, "InvalidParameter".into())
    );
    assert_eq!(
        ecs("CreateSnapshot", &[]).await,
        (400, "MissingParameter".into())
    );
    assert_eq!(
        ecs("CreateSnapshot", &[("DiskId", "d-nope")]).await,
        (404, "InvalidDiskId.NotFound".into())
    );
}

async fn ecs_power_and_describe(seen: &mut Codes) {
    let e = env();
    let mut ecs = async |action: &str, params: &[(&str, &str)]| -> (u16, String) {
        let c = e.ecs_code(action, params).await;
        seen.insert(c.1.clone());
        c
    };
    let web2 = e.ecs_instance(names::ECS_RUNNING);
    assert_eq!(
        ecs("StopInstance", &[("InstanceId", &web2), ("DryRun", "true")]).await,
        (400, "DryRunOperation".into())
    );
    e.ecs_ok("StopInstance", &[("InstanceId", &web2)]).await;
    assert_eq!(
        ecs("StartInstance", &[("InstanceId", &web2)]).await,
        (403, "IncorrectInstanceStatus".into())
    );
    let r = e
        .ecs_ok(
            "DescribeInstances",
            &[
                ("RegionId", names::ECS_REGION),
                ("InstanceIds", &format!("[\"{web2}\"]")),
            ],
        )
        .await;
    assert_eq!(r["Instances"]["Instance"][0]["Status"], "Stopping");
    e.clock.advance(secs(2));
    let r = e
        .ecs_ok(
            "DescribeInstances",
            &[
                ("RegionId", names::ECS_REGION),
                ("InstanceIds", &format!("[\"{web2}\"]")),
            ],
        )
        .await;
    assert_eq!(r["Instances"]["Instance"][0]["Status"], "Stopped");
    // Now stopped, its disk can be reset.
    e.ecs_ok(
        "ResetDisk",
        &[
            ("DiskId", &e.ecs_disk("web-2-system")),
            ("SnapshotId", &e.ecs_snapshot("web-2-daily")),
        ],
    )
    .await;
    e.ecs_ok("StartInstance", &[("InstanceId", &web2)]).await;
    e.clock.advance(secs(2));
    let r = e
        .ecs_ok(
            "DescribeInstances",
            &[("RegionId", names::ECS_REGION), ("Status", "Running")],
        )
        .await;
    assert!(
        r["Instances"]["Instance"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["InstanceId"] == web2.as_str())
    );
    let locked = e.ecs_instance(names::ECS_LOCKED);
    assert_eq!(
        ecs("StartInstance", &[("InstanceId", &locked)]).await,
        (403, "InstanceLockedForSecurity".into())
    );
    assert_eq!(
        ecs("StopInstance", &[("InstanceId", "i-nope")]).await,
        (404, "InvalidInstanceId.NotFound".into())
    );
    let r = e
        .ecs_ok(
            "DescribeInstances",
            &[
                ("RegionId", names::ECS_REGION),
                ("InstanceIds", &format!("[\"{locked}\"]")),
            ],
        )
        .await;
    assert_eq!(
        r["Instances"]["Instance"][0]["OperationLocks"]["LockReason"][0]["LockReason"],
        "security"
    );

    // NextToken pagination.
    let first = e
        .ecs_ok(
            "DescribeSnapshots",
            &[
                ("RegionId", names::ECS_REGION),
                ("DiskId", &e.ecs_disk("archive-system")),
                ("MaxResults", "50"),
            ],
        )
        .await;
    assert_eq!(first["TotalCount"], 64);
    assert_eq!(first["Snapshots"]["Snapshot"].as_array().unwrap().len(), 50);
    let token = first["NextToken"].as_str().unwrap().to_string();
    assert!(!token.is_empty());
    let second = e
        .ecs_ok(
            "DescribeSnapshots",
            &[
                ("RegionId", names::ECS_REGION),
                ("DiskId", &e.ecs_disk("archive-system")),
                ("MaxResults", "50"),
                ("NextToken", &token),
            ],
        )
        .await;
    assert_eq!(
        second["Snapshots"]["Snapshot"].as_array().unwrap().len(),
        14
    );
    assert_eq!(second["NextToken"], "");
    let disks = e
        .ecs_ok(
            "DescribeDisks",
            &[
                ("RegionId", names::ECS_REGION),
                ("InstanceId", &e.ecs_instance(names::ECS_STOPPED)),
                ("DiskType", "data"),
            ],
        )
        .await;
    assert_eq!(disks["TotalCount"], 1);
    assert_eq!(disks["Disks"]["Disk"][0]["Status"], "Attaching");
    let other = e
        .ecs_ok("DescribeInstances", &[("RegionId", "cn-beijing")])
        .await;
    assert!(other["TotalCount"].as_u64().unwrap() > 0);
    assert_eq!(
        ecs(
            "DescribeSnapshots",
            &[("RegionId", names::ECS_REGION), ("MaxResults", "101")]
        )
        .await,
        (400, "InvalidParameter.MaxResults".into())
    );
    assert_eq!(
        ecs(
            "DescribeSnapshots",
            &[("RegionId", names::ECS_REGION), ("NextToken", "garbage")]
        )
        .await,
        (400, "InvalidParameter.NextToken".into())
    );
    assert_eq!(
        ecs(
            "DescribeDisks",
            &[("RegionId", names::ECS_REGION), ("DiskIds", "d-1,d-2")]
        )
        .await,
        (400, "InvalidParameter".into())
    );
    assert_eq!(
        ecs("DescribeInstances", &[]).await,
        (400, "MissingParameter".into())
    );
    assert_eq!(
        ecs("DescribeInstances", &[("RegionId", "mars-1")]).await,
        (400, "InvalidRegionId.MalFormed".into())
    );
    assert_eq!(
        ecs("DeleteInstance", &[("InstanceId", &web2)]).await,
        (404, "InvalidAction.NotFound".into())
    );
    let mut req = Env::ecs_request("DescribeInstances", &[("RegionId", names::ECS_REGION)]);
    req.set_header("x-acs-version", "2016-03-14");
    req.query.retain(|(k, _)| k != "Version");
    let r = e.send(req, Some(&Signer::alibaba())).await;
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("InvalidVersion"))
    );
    seen.insert("InvalidVersion".into());
}

// ---------------------------------------------------------------- Workspace

async fn workspace_restore(seen: &mut Codes) {
    let e = env();
    let mut ws = async |method: &str,
                        path: &str,
                        query: &[(&str, &str)],
                        body: Option<Value>|
           -> (u16, Value) {
        let r = e.ws(method, path, query, body).await;
        assert!(
            r.headers.get("x-request-id").is_some(),
            "X-Request-Id on every answer"
        );
        if let Some(c) = r.code() {
            assert!(r.body.get("error_msg").is_some());
            seen.insert(c);
        }
        (r.status, r.body)
    };
    let restore = ws_path("snapshots/batch-restore");
    let alice = e.ws_snapshot("desk-alice-snap-0");
    let (st, body) = ws(
        "POST",
        &restore,
        &[],
        Some(json!({"snapshot_ids": [alice]})),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let job = body["job_id"].as_str().unwrap().to_string();
    let job_path = ws_path(&format!("workspace-jobs/{job}"));
    let (_, j) = ws("GET", &job_path, &[], None).await;
    assert_eq!(j["status"], "WAITING");
    assert_eq!(j["sub_jobs_total"], 1);
    e.clock.advance(secs(3));
    let (_, j) = ws("GET", &job_path, &[], None).await;
    assert_eq!(j["status"], "RUNNING");
    assert_eq!(j["sub_jobs"][0]["process"], 50);
    let (_, l) = ws(
        "GET",
        &ws_path("snapshots"),
        &[("snapshot_name", "desk-alice-snap-0")],
        None,
    )
    .await;
    assert_eq!(l["desktop_snapshots"][0]["status"], "restoring");
    // A second restore of the same desktop conflicts while the first runs.
    let (st, _) = ws(
        "POST",
        &restore,
        &[],
        Some(json!({"snapshot_ids": [alice]})),
    )
    .await;
    assert_eq!(st, 409);
    e.clock.advance(secs(2));
    let (_, j) = ws("GET", &job_path, &[], None).await;
    assert_eq!(j["status"], "SUCCESS");
    assert_eq!(j["sub_jobs"][0]["status"], "SUCCESS");
    assert_eq!(
        j["sub_jobs"][0]["entities"]["desktop_name"],
        names::WS_OK_DESKTOP
    );
    let (_, l) = ws(
        "GET",
        &ws_path("snapshots"),
        &[("snapshot_name", "desk-alice-snap-0")],
        None,
    )
    .await;
    assert_eq!(l["desktop_snapshots"][0]["status"], "restore_success");
    assert!(l["desktop_snapshots"][0]["last_restore_time"].is_string());

    // A desktop whose restore fails: the sub-job and the job end in FAIL.
    let carol = e.ws_snapshot("desk-carol-snap-0");
    let bob = e.ws_snapshot("desk-bob-snap-1");
    let (st, body) = ws(
        "POST",
        &restore,
        &[],
        Some(json!({"snapshot_ids": [carol, bob]})),
    )
    .await;
    assert_eq!(st, 200);
    let job_path = ws_path(&format!(
        "workspace-jobs/{}",
        body["job_id"].as_str().unwrap()
    ));
    e.clock.advance(secs(5));
    let (_, j) = ws("GET", &job_path, &[], None).await;
    assert_eq!(j["status"], "FAIL");
    assert_eq!(j["job_error_code"], names::WS_FAIL_CODE);
    let subs = j["sub_jobs"].as_array().unwrap();
    assert_eq!(
        subs.iter()
            .map(|s| s["status"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["FAIL", "SUCCESS"]
    );
    assert_eq!(subs[0]["error_code"], names::WS_FAIL_CODE);
    let (_, l) = ws(
        "GET",
        &ws_path("snapshots"),
        &[("desktop_name", names::WS_FAILING_DESKTOP)],
        None,
    )
    .await;
    assert_eq!(l["desktop_snapshots"][0]["status"], "restore_failed");
    assert_eq!(
        l["desktop_snapshots"][0]["restore_fail_reason"],
        names::WS_FAIL_REASON
    );

    // Conflicts (409), unknown IDs (404), bad requests (400).
    let erin = e.ws_snapshot("desk-erin-snap-1");
    assert_eq!(
        ws("POST", &restore, &[], Some(json!({"snapshot_ids": [erin]})))
            .await
            .0,
        409
    );
    let dave_new = e.ws_snapshot("desk-dave-snap-new");
    assert_eq!(
        ws(
            "POST",
            &restore,
            &[],
            Some(json!({"snapshot_ids": [dave_new]}))
        )
        .await
        .0,
        409
    );
    let (a0, a1) = (
        e.ws_snapshot("desk-bob-snap-0"),
        e.ws_snapshot("desk-bob-data"),
    );
    assert_eq!(
        ws(
            "POST",
            &restore,
            &[],
            Some(json!({"snapshot_ids": [a0, a1]}))
        )
        .await
        .0,
        409
    );
    let (st, body) = ws(
        "POST",
        &restore,
        &[],
        Some(json!({"snapshot_ids": ["nope-1", a0]})),
    )
    .await;
    assert_eq!(st, 404);
    assert!(body["error_msg"].as_str().unwrap().contains("nope-1"));
    let many: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    assert_eq!(
        ws("POST", &restore, &[], Some(json!({"snapshot_ids": many})))
            .await
            .0,
        400
    );
    assert_eq!(
        ws("POST", &restore, &[], Some(json!({"snapshot_ids": []})))
            .await
            .0,
        400
    );
    assert_eq!(
        ws("GET", &ws_path("workspace-jobs/no-such-job"), &[], None)
            .await
            .0,
        404
    );
    let mut req = Env::ws_request("POST", &restore, &[], None);
    req.body.clear();
    let r = e.send(req, Some(&Signer::huawei())).await;
    assert_eq!((r.status, r.code().as_deref()), (400, Some("WKS.0001")));
    seen.insert("WKS.0001".into());
}

async fn workspace_list(seen: &mut Codes) {
    let e = env();
    let r = e.ws("GET", &ws_path("snapshots"), &[], None).await;
    assert_eq!(r.status, 200);
    let total = r.body["total_count"].as_u64().unwrap();
    assert!(total >= 20, "{total}");
    let r = e
        .ws(
            "GET",
            &ws_path("snapshots"),
            &[
                ("limit", "5"),
                ("offset", "3"),
                ("sort_field", "snapshot_name"),
                ("sort_type", "ASC"),
            ],
            None,
        )
        .await;
    let names_: Vec<&str> = r.body["desktop_snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["snapshot_name"].as_str().unwrap())
        .collect();
    assert_eq!(names_.len(), 5);
    assert!(names_.windows(2).all(|w| w[0] <= w[1]));
    let r = e
        .ws(
            "GET",
            &ws_path("snapshots"),
            &[("disk_type", "DATA_DISKS"), ("create_type", "MANUALLY")],
            None,
        )
        .await;
    assert!(
        r.body["desktop_snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["is_system_disk"] == false && s["create_type"] == "MANUALLY")
    );
    let r = e
        .ws(
            "GET",
            &ws_path("snapshots"),
            &[("status", "creating")],
            None,
        )
        .await;
    assert_eq!(r.body["total_count"], 1);
    assert!(r.body["desktop_snapshots"][0]["process"].is_u64());
    let r = e
        .ws("GET", &ws_path("snapshots"), &[("limit", "0")], None)
        .await;
    assert_eq!((r.status, r.code().as_deref()), (400, Some("WKS.0002")));
    seen.insert("WKS.0002".into());
    // Other projects of the same account hold their own desktops.
    let other = rewind_emulator::config::demo::HUAWEI_PROJECTS[1].0;
    let r = e
        .ws("GET", &format!("/v2/{other}/snapshots"), &[], None)
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body["total_count"].as_u64().unwrap() > 0);
    let r = e.ws("GET", &ws_path("desktops"), &[], None).await;
    assert_eq!((r.status, r.code().as_deref()), (404, Some("APIGW.0101")));
    seen.insert("APIGW.0101".into());
    let r = e
        .ws(
            "GET",
            "/v2/0123456789abcdef0123456789abcdef/snapshots",
            &[],
            None,
        )
        .await;
    assert_eq!((r.status, r.code().as_deref()), (403, Some("APIGW.0302")));
    seen.insert("APIGW.0302".into());
    let _ = project();
}

// ---------------------------------------------------------------- authentication

async fn authentication(seen: &mut Codes) {
    let e = env_with(World::Demo, |cfg| {
        cfg.credentials.tencent.insert(
            "AKIDSTSTEMP".into(),
            rewind_emulator::config::Secret {
                secret: "sts-secret".into(),
                token: Some("sts-token".into()),
            },
        );
        cfg.credentials.alibaba.insert(
            "STS.TEMP".into(),
            rewind_emulator::config::Secret {
                secret: "sts-secret".into(),
                token: Some("sts-token".into()),
            },
        );
        cfg.credentials.huawei.insert(
            "HWSTSTEMP".into(),
            rewind_emulator::config::HuaweiKey {
                secret: "sts-secret".into(),
                token: Some("sts-token".into()),
                projects: [(project().to_string(), "cn-north-4".to_string())]
                    .into_iter()
                    .collect(),
            },
        );
    });
    let mut note = |r: &common::Reply| -> String {
        let c = r.code().unwrap_or_default();
        seen.insert(c.clone());
        c
    };
    let tc = |s: &Signer| {
        (
            Env::tc_request("DescribeInstances", GZ, &json!({})),
            s.clone(),
        )
    };
    // Tencent
    let (req, s) = tc(&Signer {
        skew_secs: 301,
        ..Signer::tencent()
    });
    assert_eq!(
        note(&e.send(req, Some(&s)).await),
        "AuthFailure.SignatureExpire"
    );
    let (req, s) = tc(&Signer {
        skew_secs: -290,
        ..Signer::tencent()
    });
    assert!(
        e.send(req, Some(&s)).await.code().is_none(),
        "within 5 minutes passes"
    );
    let (req, s) = tc(&Signer {
        id: "AKIDUNKNOWN".into(),
        ..Signer::tencent()
    });
    assert_eq!(
        note(&e.send(req, Some(&s)).await),
        "AuthFailure.SecretIdNotFound"
    );
    let (req, s) = tc(&Signer {
        secret: "wrong".into(),
        ..Signer::tencent()
    });
    assert_eq!(
        note(&e.send(req, Some(&s)).await),
        "AuthFailure.SignatureFailure"
    );
    let (req, _) = tc(&Signer::tencent());
    assert_eq!(
        note(&e.send(req, None).await),
        "AuthFailure.InvalidAuthorization"
    );
    let (req, _) = tc(&Signer::tencent());
    let r = e
        .send(
            req,
            Some(&Signer {
                alg: rewind_cloud::sign::Algorithm::Acs3,
                ..Signer::tencent()
            }),
        )
        .await;
    assert_eq!(note(&r), "AuthFailure.InvalidAuthorization");
    let sts = Signer {
        id: "AKIDSTSTEMP".into(),
        secret: "sts-secret".into(),
        ..Signer::tencent()
    };
    let (req, s) = tc(&sts);
    assert_eq!(
        note(&e.send(req, Some(&s)).await),
        "AuthFailure.TokenFailure"
    );
    let (req, s) = tc(&Signer {
        token: Some("sts-token".into()),
        ..sts.clone()
    });
    assert!(
        e.send(req, Some(&s)).await.code().is_none(),
        "STS token accepted"
    );

    // ECS
    let ecs = || Env::ecs_request("DescribeInstances", &[("RegionId", names::ECS_REGION)]);
    let r = e
        .send(
            ecs(),
            Some(&Signer {
                skew_secs: -301,
                ..Signer::alibaba()
            }),
        )
        .await;
    assert_eq!(
        (r.status, note(&r)),
        (400, "InvalidTimeStamp.Expired".into())
    );
    let r = e
        .send(
            ecs(),
            Some(&Signer {
                id: "LTAIUNKNOWN".into(),
                ..Signer::alibaba()
            }),
        )
        .await;
    assert_eq!(
        (r.status, note(&r)),
        (404, "InvalidAccessKeyId.NotFound".into())
    );
    let r = e
        .send(
            ecs(),
            Some(&Signer {
                secret: "wrong".into(),
                ..Signer::alibaba()
            }),
        )
        .await;
    assert_eq!((r.status, note(&r)), (400, "SignatureDoesNotMatch".into()));
    let msg = r.body["Message"].as_str().unwrap();
    assert!(
        msg.contains("server string to sign is:ACS3-HMAC-SHA256\n"),
        "{msg}"
    );
    let r = e.send(ecs(), None).await;
    assert_eq!((r.status, note(&r)), (400, "IncompleteSignature".into()));
    // v1 (HMAC-SHA1) signatures work too; replaying a nonce does not.
    let mut v1 = ecs();
    e.sign(&mut v1, &Signer::alibaba_v1());
    let r = e.send_raw(&v1).await;
    assert_eq!(r.code(), None, "{}", r.body);
    let r = e.send_raw(&v1).await;
    assert_eq!((r.status, note(&r)), (400, "SignatureNonceUsed".into()));
    let mut acs3 = ecs();
    e.sign(&mut acs3, &Signer::alibaba());
    assert_eq!(e.send_raw(&acs3).await.code(), None);
    assert_eq!(note(&e.send_raw(&acs3).await), "SignatureNonceUsed");
    let sts = Signer {
        id: "STS.TEMP".into(),
        secret: "sts-secret".into(),
        ..Signer::alibaba()
    };
    let r = e.send(ecs(), Some(&sts)).await;
    assert_eq!(note(&r), "MissingSecurityToken");
    let r = e
        .send(
            ecs(),
            Some(&Signer {
                token: Some("other".into()),
                ..sts.clone()
            }),
        )
        .await;
    assert_eq!(note(&r), "InvalidSecurityToken.MismatchWithAccessKey");
    let r = e
        .send(
            ecs(),
            Some(&Signer {
                token: Some("sts-token".into()),
                ..sts.clone()
            }),
        )
        .await;
    assert_eq!(r.code(), None, "{}", r.body);
    let r = e
        .send(
            ecs(),
            Some(&Signer {
                token: Some("sts-token".into()),
                ..sts.clone()
            }),
        )
        .await;
    assert_eq!(r.code(), None, "a fresh nonce per request passes");

    // Workspace
    let ws = || Env::ws_request("GET", &ws_path("snapshots"), &[], None);
    for s in [
        Signer {
            secret: "wrong".into(),
            ..Signer::huawei()
        },
        Signer {
            skew_secs: 400,
            ..Signer::huawei()
        },
        Signer {
            id: "UNKNOWNAK".into(),
            ..Signer::huawei()
        },
    ] {
        let r = e.send(ws(), Some(&s)).await;
        assert_eq!((r.status, note(&r)), (401, "APIGW.0301".into()));
        assert!(r.headers.get("x-request-id").is_some());
    }
    let sts = Signer {
        id: "HWSTSTEMP".into(),
        secret: "sts-secret".into(),
        ..Signer::huawei()
    };
    assert_eq!(
        e.send(ws(), Some(&sts)).await.status,
        401,
        "temporary AK without its token"
    );
    let r = e
        .send(
            ws(),
            Some(&Signer {
                token: Some("sts-token".into()),
                ..sts
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

// ---------------------------------------------------------------- faults

async fn faults(seen: &mut Codes) {
    let e = env_with(World::Demo, |cfg| cfg.faults_enabled = true);
    let add = |j: Value| e.emu.add_fault(serde_json::from_value(j).unwrap()).unwrap();
    add(
        json!({"provider": "tencent", "action": "DescribeInstances", "count": 1, "kind": "throttle"}),
    );
    let r = e.tc("DescribeInstances", GZ, json!({})).await;
    assert_eq!(
        (r.status, r.code().as_deref()),
        (200, Some("RequestLimitExceeded"))
    );
    assert!(
        e.tc("DescribeInstances", GZ, json!({}))
            .await
            .code()
            .is_none(),
        "count 1 retires"
    );
    add(json!({"provider": "alibaba", "count": 1, "kind": "internal"}));
    let r = e
        .ecs("DescribeInstances", &[("RegionId", names::ECS_REGION)])
        .await;
    assert_eq!(
        (r.status, r.code().as_deref()),
        (500, Some("InternalError"))
    );
    seen.insert("InternalError".into());
    add(json!({"provider": "alibaba", "count": 1, "kind": "throttle"}));
    let r = e
        .ecs("DescribeInstances", &[("RegionId", names::ECS_REGION)])
        .await;
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("Throttling.User"))
    );
    seen.insert("Throttling.User".into());
    add(json!({"provider": "huawei", "count": 1, "kind": "throttle"}));
    let r = e.ws("GET", &ws_path("snapshots"), &[], None).await;
    assert_eq!((r.status, r.code().as_deref()), (429, Some("APIGW.0308")));
    seen.insert("APIGW.0308".into());
    add(json!({"provider": "huawei", "count": 1, "kind": "internal"}));
    let r = e.ws("GET", &ws_path("snapshots"), &[], None).await;
    assert_eq!((r.status, r.code().as_deref()), (500, Some("WKS.0500")));
    seen.insert("WKS.0500".into());
    add(
        json!({"provider": "alibaba", "count": 1, "kind": "error", "code": "ServiceUnavailable", "status": 503}),
    );
    let r = e
        .ecs("DescribeInstances", &[("RegionId", names::ECS_REGION)])
        .await;
    assert_eq!(
        (r.status, r.code().as_deref()),
        (503, Some("ServiceUnavailable"))
    );
    seen.insert("ServiceUnavailable".into());
    add(json!({"provider": "tencent", "count": 1, "kind": "internal"}));
    let r = e.tc("DescribeInstances", GZ, json!({})).await;
    assert_eq!(r.code().as_deref(), Some("InternalError"));
}

macro_rules! scenario {
    ($name:ident, $f:ident) => {
        #[tokio::test]
        async fn $name() {
            let mut seen = Codes::new();
            $f(&mut seen).await;
        }
    };
}

scenario!(lighthouse_apply_instance_snapshot_rules, lighthouse_apply);
scenario!(
    lighthouse_create_snapshot_quota_and_rate_limit,
    lighthouse_create_and_limits
);
scenario!(
    lighthouse_stop_start_and_describe,
    lighthouse_power_and_describe
);
scenario!(ecs_reset_disk_rules, ecs_reset_disk);
scenario!(ecs_create_snapshot_rules, ecs_create_snapshot);
scenario!(ecs_stop_start_and_describe, ecs_power_and_describe);
scenario!(workspace_batch_restore_and_jobs, workspace_restore);
scenario!(workspace_list_filters_and_paths, workspace_list);
scenario!(signatures_keys_skew_nonces_and_tokens, authentication);
scenario!(injected_faults_use_each_providers_shape, faults);

/// The README's error-code table lists exactly the codes these scenarios produce.
#[tokio::test]
async fn readme_error_table_matches_the_scenarios() {
    let mut seen = Codes::new();
    lighthouse_apply(&mut seen).await;
    lighthouse_create_and_limits(&mut seen).await;
    lighthouse_power_and_describe(&mut seen).await;
    ecs_reset_disk(&mut seen).await;
    ecs_create_snapshot(&mut seen).await;
    ecs_power_and_describe(&mut seen).await;
    workspace_restore(&mut seen).await;
    workspace_list(&mut seen).await;
    authentication(&mut seen).await;
    faults(&mut seen).await;
    seen.remove("");
    let readme = include_str!("../README.md");
    let table: Codes = readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_string))
        .collect();
    let missing_from_readme: Vec<_> = seen.difference(&table).collect();
    let never_produced: Vec<_> = table.difference(&seen).collect();
    assert!(
        missing_from_readme.is_empty(),
        "codes produced but not in the README table: {missing_from_readme:?}"
    );
    assert!(
        never_produced.is_empty(),
        "README codes no scenario produces: {never_produced:?}"
    );
}
