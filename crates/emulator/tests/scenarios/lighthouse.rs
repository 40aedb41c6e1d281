//! Lighthouse: ApplyInstanceSnapshot, CreateInstanceSnapshot with its quota and rate limit, power and describe.

use super::*;

pub(super) async fn lighthouse_apply(seen: &mut Codes) {
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

pub(super) async fn lighthouse_create_and_limits(seen: &mut Codes) {
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

pub(super) async fn lighthouse_power_and_describe(seen: &mut Codes) {
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
