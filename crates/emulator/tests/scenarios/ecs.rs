//! ECS: ResetDisk, CreateSnapshot, power and describe.

use super::*;

pub(super) async fn ecs_reset_disk(seen: &mut Codes) {
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

pub(super) async fn ecs_create_snapshot(seen: &mut Codes) {
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

pub(super) async fn ecs_power_and_describe(seen: &mut Codes) {
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
