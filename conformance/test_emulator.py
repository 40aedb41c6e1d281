"""Emulator conformance suite: the official SDK clients against `rewind emulator`.

Run from the repository root:

    REWIND_BIN=target/debug/rewind .venv/bin/python -m pytest -q conformance/test_emulator.py

A fresh emulator is started for the session (demo world, a credentials file of fake keys,
faults enabled) and stopped at the end. Every test takes fresh accounts (see
emu_harness.py), so the suite is deterministic, order-independent and repeatable.
Resources are found through the Describe/List APIs by their scenario names
(`rewind_emulator::seed::names`), never by hard-coded IDs.

Clients: Tencent `LighthouseClient`; Alibaba `alibabacloud_ecs20140526` Tea `Client`
with ACS3 (default) and with `signature_algorithm="v2"`, and the legacy
`aliyun-python-sdk-core` `AcsClient` with `aliyun-python-sdk-ecs` request classes (every
ECS test runs with all three); Huawei `WorkspaceClient`. Errors are caught as each SDK's
own exception type and checked by code (and HTTP status where the provider has one).
"""

import concurrent.futures
import datetime as _dt
import json
import time
import urllib.error
import urllib.request

import pytest

import emu_clients
from emu_harness import ECS_REGION, LH_REGION, poll

# Scenario names (crates/emulator/src/seed.rs, `seed::names`).
LH_RUNNING, LH_STOPPED, LH_CREATING, LH_BUSY, LH_SHUTDOWN, LH_FULL = "blog-prod", "wiki", "shop-new", "api-gateway", "old-crm", "game-server"
ECS_STOPPED, ECS_RUNNING, ECS_LOCKED, ECS_FULL, ECS_BUSY, ECS_EXPIRED, ECS_PENDING, ECS_SPARE = (
    "web-1", "web-2", "legacy-locked", "archive", "batch-worker", "expired-box", "new-node", "spare-data",
)
WS_ALICE, WS_BOB, WS_CAROL, WS_DAVE, WS_ERIN = "desk-alice", "desk-bob", "desk-carol", "desk-dave", "desk-erin"
WS_FAIL_CODE = "WKS.00110043"

DEADLINE = 40  # seconds; the emulator's default timings are a few seconds


# =====================================================================================
# Tencent Lighthouse (tencentcloud-sdk-python LighthouseClient)


def lh_instance(lh, name):
    r = lh.call("DescribeInstances", Filters=[{"Name": "instance-name", "Values": [name]}])
    assert r["TotalCount"] == 1, r
    return r["InstanceSet"][0]


def lh_snapshot(lh, instance_id, name):
    r = lh.call(
        "DescribeSnapshots",
        Filters=[{"Name": "instance-id", "Values": [instance_id]}, {"Name": "snapshot-name", "Values": [name]}],
    )
    assert r["TotalCount"] == 1, r
    return r["SnapshotSet"][0]


def lh_pair(lh, instance_name, snapshot_name):
    i = lh_instance(lh, instance_name)
    return i["InstanceId"], lh_snapshot(lh, i["InstanceId"], snapshot_name)["SnapshotId"]


def lh_state(lh, instance_id):
    return lh.call("DescribeInstances", InstanceIds=[instance_id])["InstanceSet"][0]


def lh_snap(lh, snapshot_id):
    return lh.call("DescribeSnapshots", SnapshotIds=[snapshot_id])["SnapshotSet"][0]


def test_lh_describe_filters_and_pages(lh):
    everything = lh.call("DescribeInstances", Limit=100)
    names = {i["InstanceName"] for i in everything["InstanceSet"]}
    assert {LH_RUNNING, LH_STOPPED, LH_CREATING, LH_BUSY, LH_SHUTDOWN, LH_FULL} <= names
    assert everything["TotalCount"] == len(everything["InstanceSet"])
    page = lh.call("DescribeInstances", Offset=1, Limit=2)
    assert page["TotalCount"] == everything["TotalCount"] and len(page["InstanceSet"]) == 2
    assert [i["InstanceId"] for i in page["InstanceSet"]] == [i["InstanceId"] for i in everything["InstanceSet"][1:3]]

    assert lh_instance(lh, LH_RUNNING)["InstanceState"] == "RUNNING"
    assert lh_instance(lh, LH_STOPPED)["InstanceState"] == "STOPPED"
    assert lh_instance(lh, LH_CREATING)["InstanceState"] == "PENDING"
    assert lh_instance(lh, LH_SHUTDOWN)["InstanceState"] == "SHUTDOWN"
    busy = lh_instance(lh, LH_BUSY)
    assert busy["LatestOperationState"] == "OPERATING", busy
    stopped = lh.call("DescribeInstances", Filters=[{"Name": "instance-state", "Values": ["STOPPED"]}])
    assert stopped["TotalCount"] >= 1 and all(i["InstanceState"] == "STOPPED" for i in stopped["InstanceSet"])
    prod = lh.call("DescribeInstances", Filters=[{"Name": "tag:env", "Values": ["prod"]}])
    assert LH_RUNNING in {i["InstanceName"] for i in prod["InstanceSet"]}

    wiki = lh_instance(lh, LH_STOPPED)
    snaps = lh.call("DescribeSnapshots", Filters=[{"Name": "instance-id", "Values": [wiki["InstanceId"]]}])
    by_name = {s["SnapshotName"]: s for s in snaps["SnapshotSet"]}
    assert by_name["wiki-good"]["SnapshotState"] == "NORMAL"
    assert by_name["wiki-nightly"]["SnapshotState"] == "CREATING"
    assert by_name["wiki-before-resize"]["DiskSize"] != wiki["SystemDisk"]["DiskSize"]
    assert by_name["wiki-good"]["DiskId"] == wiki["SystemDisk"]["DiskId"]
    one = lh.call("DescribeSnapshots", SnapshotIds=[by_name["wiki-good"]["SnapshotId"]])
    assert one["TotalCount"] == 1 and one["SnapshotSet"][0]["SnapshotName"] == "wiki-good"
    # Another region holds none of the scenario resources (the same client, moved).
    lh.client.region = "ap-shanghai"
    shanghai = lh.call("DescribeInstances", Limit=100)["InstanceSet"]
    assert shanghai and LH_STOPPED not in {i["InstanceName"] for i in shanghai}


def test_lh_apply_snapshot_to_stopped_and_running_instances(lh):
    wiki, wiki_good = lh_pair(lh, LH_STOPPED, "wiki-good")
    blog, blog_daily = lh_pair(lh, LH_RUNNING, "blog-daily")
    lh.call("ApplyInstanceSnapshot", InstanceId=wiki, SnapshotId=wiki_good)
    r = lh.call("ApplyInstanceSnapshot", InstanceId=blog, SnapshotId=blog_daily)
    assert r["RequestId"]
    # A RUNNING instance is forcibly stopped first; the snapshots are ROLLBACKING.
    b = lh_state(lh, blog)
    assert b["InstanceState"] == "STOPPING" and b["LatestOperation"] == "ApplyInstanceSnapshot"
    assert b["LatestOperationState"] == "OPERATING" and b["LatestOperationRequestId"] == r["RequestId"]
    assert lh_snap(lh, wiki_good)["SnapshotState"] == "ROLLBACKING"
    # A second call during the rollback.
    lh.error("OperationDenied.InstanceOperationInProgress", "ApplyInstanceSnapshot", InstanceId=wiki, SnapshotId=wiki_good)
    lh.error("OperationDenied.InstanceOperationInProgress", "CreateInstanceSnapshot", InstanceId=blog)

    def done():
        return [lh_state(lh, i) for i in (wiki, blog)] + [lh_snap(lh, s) for s in (wiki_good, blog_daily)]

    wi, bi, ws_, bs = poll(
        done,
        lambda v: all(x["LatestOperationState"] == "SUCCESS" for x in v),
        DEADLINE,
        what="both rollbacks to finish",
    )
    assert wi["InstanceState"] == "STOPPED" and bi["InstanceState"] == "STOPPED"  # stays stopped after a rollback
    assert ws_["SnapshotState"] == "NORMAL" and bs["SnapshotState"] == "NORMAL"
    assert bs["LatestOperation"] == "RollbackInstanceSnapshot"


def test_lh_create_snapshot_until_normal(lh):
    wiki = lh_instance(lh, LH_STOPPED)["InstanceId"]
    r = lh.call("CreateInstanceSnapshot", InstanceId=wiki, SnapshotName="conformance-snap", Tags=[{"Key": "by", "Value": "conformance"}])
    sid = r["SnapshotId"]
    assert sid.startswith("lhsnap-")
    s = lh_snap(lh, sid)
    assert s["SnapshotState"] == "CREATING" and s["SnapshotName"] == "conformance-snap"
    tagged = lh.call("DescribeSnapshots", Filters=[{"Name": "tag:by", "Values": ["conformance"]}])
    assert [x["SnapshotId"] for x in tagged["SnapshotSet"]] == [sid]
    lh.error("OperationDenied.InstanceOperationInProgress", "CreateInstanceSnapshot", InstanceId=wiki)
    s = poll(lambda: lh_snap(lh, sid), lambda s: s["SnapshotState"] == "NORMAL", DEADLINE, what="the snapshot to be NORMAL")
    assert s["LatestOperationState"] == "SUCCESS" and s["Percent"] == 100
    # wiki now holds 4 snapshots: the quota.
    lh.error("LimitExceeded.SnapshotQuotaLimitExceeded", "CreateInstanceSnapshot", InstanceId=wiki)


def test_lh_stop_and_start(lh):
    blog = lh_instance(lh, LH_RUNNING)["InstanceId"]
    lh.error("InvalidParameterValue", "StopInstances", InstanceIds=[blog], StopType="GENTLE")
    lh.error("UnsupportedOperation.InvalidInstanceState", "StartInstances", InstanceIds=[blog])
    lh.call("StopInstances", InstanceIds=[blog], StopType="SOFT")
    assert lh_state(lh, blog)["InstanceState"] == "STOPPING"
    lh.error("OperationDenied.InstanceOperationInProgress", "StopInstances", InstanceIds=[blog])
    poll(lambda: lh_state(lh, blog), lambda i: i["InstanceState"] == "STOPPED", DEADLINE, what="STOPPED")
    lh.error("UnsupportedOperation.InvalidInstanceState", "StopInstances", InstanceIds=[blog])
    lh.call("StartInstances", InstanceIds=[blog])
    assert lh_state(lh, blog)["InstanceState"] == "STARTING"
    i = poll(lambda: lh_state(lh, blog), lambda i: i["InstanceState"] == "RUNNING", DEADLINE, what="RUNNING")
    assert i["LatestOperation"] == "StartInstances" and i["LatestOperationState"] == "SUCCESS"


LH_ERRORS = {
    # case: (code, how)
    "snapshot-creating": ("UnsupportedOperation.InvalidSnapshotState", lambda lh: ("ApplyInstanceSnapshot", dict(zip(("InstanceId", "SnapshotId"), lh_pair(lh, LH_STOPPED, "wiki-nightly"))))),
    "instance-shutdown": ("UnsupportedOperation.InvalidInstanceState", lambda lh: ("ApplyInstanceSnapshot", dict(zip(("InstanceId", "SnapshotId"), lh_pair(lh, LH_SHUTDOWN, "old-crm-final"))))),
    "instance-pending": ("OperationDenied.InstanceCreating", lambda lh: ("ApplyInstanceSnapshot", {"InstanceId": lh_instance(lh, LH_CREATING)["InstanceId"], "SnapshotId": lh_pair(lh, LH_STOPPED, "wiki-good")[1]})),
    "operation-in-progress": ("OperationDenied.InstanceOperationInProgress", lambda lh: ("ApplyInstanceSnapshot", dict(zip(("InstanceId", "SnapshotId"), lh_pair(lh, LH_BUSY, "api-gateway-snap"))))),
    "disk-size-changed": ("InvalidParameterValue.DiskSizeNotMatch", lambda lh: ("ApplyInstanceSnapshot", dict(zip(("InstanceId", "SnapshotId"), lh_pair(lh, LH_STOPPED, "wiki-before-resize"))))),
    "another-instances-snapshot": ("ResourceNotFound.SnapshotNotFound", lambda lh: ("ApplyInstanceSnapshot", {"InstanceId": lh_instance(lh, LH_STOPPED)["InstanceId"], "SnapshotId": lh_pair(lh, LH_RUNNING, "blog-daily")[1]})),
    "instance-id-malformed": ("InvalidParameterValue.InstanceIdMalformed", lambda lh: ("ApplyInstanceSnapshot", {"InstanceId": "lhins-BAD", "SnapshotId": "lhsnap-aaaaaaaa"})),
    "snapshot-id-malformed": ("InvalidParameterValue.SnapshotIdMalformed", lambda lh: ("ApplyInstanceSnapshot", {"InstanceId": lh_instance(lh, LH_STOPPED)["InstanceId"], "SnapshotId": "snap-1"})),
    "instance-not-found": ("ResourceNotFound.InstanceIdNotFound", lambda lh: ("ApplyInstanceSnapshot", {"InstanceId": "lhins-zzzzzzzz", "SnapshotId": "lhsnap-zzzzzzzz"})),
    "snapshot-not-found": ("ResourceNotFound.SnapshotIdNotFound", lambda lh: ("ApplyInstanceSnapshot", {"InstanceId": lh_instance(lh, LH_STOPPED)["InstanceId"], "SnapshotId": "lhsnap-zzzzzzzz"})),
    "missing-snapshot-id": ("MissingParameter", lambda lh: ("ApplyInstanceSnapshot", {"InstanceId": lh_instance(lh, LH_STOPPED)["InstanceId"]})),
    "snapshot-quota": ("LimitExceeded.SnapshotQuotaLimitExceeded", lambda lh: ("CreateInstanceSnapshot", {"InstanceId": lh_instance(lh, LH_FULL)["InstanceId"]})),
    "create-on-pending": ("OperationDenied.InstanceCreating", lambda lh: ("CreateInstanceSnapshot", {"InstanceId": lh_instance(lh, LH_CREATING)["InstanceId"]})),
    "create-on-shutdown": ("UnsupportedOperation.InvalidInstanceState", lambda lh: ("CreateInstanceSnapshot", {"InstanceId": lh_instance(lh, LH_SHUTDOWN)["InstanceId"]})),
    "snapshot-name-61": ("InvalidParameterValue.TooLong", lambda lh: ("CreateInstanceSnapshot", {"InstanceId": lh_instance(lh, LH_STOPPED)["InstanceId"], "SnapshotName": "n" * 61})),
    "tags-11": ("InvalidParameterValue.TagsLimitExceeded", lambda lh: ("CreateInstanceSnapshot", {"InstanceId": lh_instance(lh, LH_STOPPED)["InstanceId"], "Tags": [{"Key": "k%d" % i, "Value": "v"} for i in range(11)]})),
    "limit-101": ("InvalidParameterValue.LimitExceeded", lambda lh: ("DescribeInstances", {"Limit": 101})),
    "filters-11": ("InvalidParameter.FilterValueLimitExceeded", lambda lh: ("DescribeInstances", {"Filters": [{"Name": "zone", "Values": ["z%d" % i]} for i in range(11)]})),
    "unknown-filter": ("InvalidParameter.InvalidFilter", lambda lh: ("DescribeSnapshots", {"Filters": [{"Name": "colour", "Values": ["red"]}]})),
    "ids-with-filters": ("InvalidParameter.ParameterConflict", lambda lh: ("DescribeInstances", {"InstanceIds": ["lhins-aaaaaaaa"], "Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3"]}]})),
    "describe-malformed-id": ("InvalidParameterValue.InstanceIdMalformed", lambda lh: ("DescribeInstances", {"InstanceIds": ["lhins-BAD"]})),
    "describe-malformed-snapshot-id": ("InvalidParameterValue.SnapshotIdMalformed", lambda lh: ("DescribeSnapshots", {"SnapshotIds": ["snap-1"]})),
    "stop-stopped": ("UnsupportedOperation.InvalidInstanceState", lambda lh: ("StopInstances", {"InstanceIds": [lh_instance(lh, LH_STOPPED)["InstanceId"]]})),
    "stop-not-found": ("ResourceNotFound.InstanceIdNotFound", lambda lh: ("StopInstances", {"InstanceIds": ["lhins-zzzzzzzz"]})),
    "start-malformed": ("InvalidParameterValue.InstanceIdMalformed", lambda lh: ("StartInstances", {"InstanceIds": ["lhins-BAD"]})),
}


@pytest.mark.parametrize("case", sorted(LH_ERRORS))
def test_lh_error(lh, case):
    code, how = LH_ERRORS[case]
    action, params = how(lh)
    lh.error(code, action, **params)


def test_lh_region_errors(emu):
    sid, skey = emu.keys.take("tencent")
    mars = emu_clients.lighthouse(emu, sid, skey, region="ap-mars")
    mars.error("UnsupportedRegion", "DescribeInstances")
    # ApplyInstanceSnapshot's region is optional: without it the instance is looked up.
    none = emu_clients.lighthouse(emu, sid, skey, region="")
    none.error("MissingParameter", "DescribeInstances")
    none.error("ResourceNotFound.InstanceIdNotFound", "ApplyInstanceSnapshot", InstanceId="lhins-zzzzzzzz", SnapshotId="lhsnap-zzzzzzzz")
    gz = emu_clients.lighthouse(emu, sid, skey)
    wiki, good = lh_pair(gz, LH_STOPPED, "wiki-good")
    none.call("ApplyInstanceSnapshot", InstanceId=wiki, SnapshotId=good)
    assert lh_snap(gz, good)["SnapshotState"] == "ROLLBACKING"


def test_lh_generic_call_errors(lh):
    # The SDK's generic call_json: an action Lighthouse does not have, a list as a string.
    lh.expect("InvalidAction", lambda: lh.raw("TerminateInstances", {"InstanceIds": ["lhins-aaaaaaaa"]}))
    lh.expect("InvalidParameter", lambda: lh.raw("DescribeInstances", {"InstanceIds": "lhins-aaaaaaaa"}))
    lh.client._apiVersion = "2017-03-12"
    lh.error("NoSuchVersion", "DescribeInstances")


@pytest.mark.parametrize("action", ["ApplyInstanceSnapshot", "CreateInstanceSnapshot"])
def test_lh_request_limit_exceeded_on_a_burst(lh, action):
    """More than 20 calls per second per account: RequestLimitExceeded."""
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

    params = {"InstanceId": "lhins-zzzzzzzz"}
    if action == "ApplyInstanceSnapshot":
        params["SnapshotId"] = "lhsnap-zzzzzzzz"

    def one(_):
        try:
            lh.call(action, **params)
            return "ok"
        except TencentCloudSDKException as e:
            return e.get_code()

    deadline = time.monotonic() + 20
    while True:
        with concurrent.futures.ThreadPoolExecutor(max_workers=30) as pool:
            codes = list(pool.map(one, range(30)))
        throttled = codes.count("RequestLimitExceeded")
        # Whatever was admitted got past the limiter to the ordinary not-found answer.
        assert set(codes) <= {"RequestLimitExceeded", "ResourceNotFound.InstanceIdNotFound"}, codes
        assert len(codes) - throttled <= 20 or throttled == 0, codes
        if throttled:
            break
        assert time.monotonic() < deadline, "no burst of 30 calls was throttled: %r" % codes
    assert len(codes) - throttled <= 20


def test_lh_auth(emu):
    from tencentcloud.common import abstract_client

    sid, skey = emu.keys.take("tencent")
    emu_clients.lighthouse(emu, sid, skey + "-wrong").error("AuthFailure.SignatureFailure", "DescribeInstances")
    emu_clients.lighthouse(emu, "AKIDCONFORMANCEFAKEUNKNOWN0000000000", skey).error("AuthFailure.SecretIdNotFound", "DescribeInstances")
    tmp_id, tmp_key, token = emu.keys.tencent_sts
    ok = emu_clients.lighthouse(emu, tmp_id, tmp_key, token=token)
    assert lh_instance(ok, LH_STOPPED)["InstanceState"] == "STOPPED"
    emu_clients.lighthouse(emu, tmp_id, tmp_key).error("AuthFailure.TokenFailure", "DescribeInstances")
    emu_clients.lighthouse(emu, tmp_id, tmp_key, token=token + "-other").error("AuthFailure.TokenFailure", "DescribeInstances")
    emu_clients.lighthouse(emu, sid, skey, token="conformance-fake-unissued-token").error("AuthFailure.TokenFailure", "DescribeInstances")

    # A request signed 301 s in the future: the SDK's own clock, moved.
    class Ahead:
        def __getattr__(self, name):
            return getattr(time, name)

        @staticmethod
        def time():
            return time.time() + 301

    saved = abstract_client.time
    abstract_client.time = Ahead()
    try:
        emu_clients.lighthouse(emu, sid, skey).error("AuthFailure.SignatureExpire", "DescribeInstances")
    finally:
        abstract_client.time = saved
    emu_clients.lighthouse(emu, sid, skey).call("DescribeInstances")


def test_lh_injected_faults(lh, faults):
    faults.add_fault({"provider": "tencent", "action": "DescribeSnapshots", "count": 1, "kind": "internal"})
    lh.error("InternalError", "DescribeSnapshots")
    lh.call("DescribeSnapshots")
    faults.add_fault({"provider": "tencent", "action": "DescribeInstances", "count": 1, "kind": "throttle"})
    lh.error("RequestLimitExceeded", "DescribeInstances")
    lh.call("DescribeInstances")


# =====================================================================================
# Alibaba ECS (Tea ACS3, Tea v2 = HMAC-SHA1, legacy AcsClient), every test with all three


def ecs_all(c, action, key, **params):
    """Every item of a Describe action, following NextToken."""
    out, token = [], None
    while True:
        p = dict(params, RegionId=ECS_REGION, MaxResults=params.get("MaxResults", 100))
        if token:
            p["NextToken"] = token
        r = c.call(action, **p)
        outer, inner = key
        out += r[outer][inner]
        token = r.get("NextToken")
        if not token:
            assert len(out) == r["TotalCount"], (len(out), r["TotalCount"])
            return out


def ecs_instance(c, name):
    found = [i for i in ecs_all(c, "DescribeInstances", ("Instances", "Instance")) if i["InstanceName"] == name]
    assert len(found) == 1, (name, found)
    return found[0]


def ecs_disk(c, instance_name, disk_type="system"):
    iid = ecs_instance(c, instance_name)["InstanceId"]
    disks = c.call("DescribeDisks", RegionId=ECS_REGION, InstanceId=iid, DiskType=disk_type)["Disks"]["Disk"]
    assert len(disks) == 1, disks
    return disks[0]


def ecs_snapshot(c, disk_id, name):
    found = [s for s in ecs_all(c, "DescribeSnapshots", ("Snapshots", "Snapshot"), DiskId=disk_id) if s["SnapshotName"] == name]
    assert len(found) == 1, (name, found)
    return found[0]


def ecs_reset_pair(c, instance_name, snapshot_name, disk_type="system", snapshot_disk_of=None):
    d = ecs_disk(c, instance_name, disk_type)["DiskId"]
    src = ecs_disk(c, snapshot_disk_of, "system")["DiskId"] if snapshot_disk_of else d
    return {"DiskId": d, "SnapshotId": ecs_snapshot(c, src, snapshot_name)["SnapshotId"]}


def ecs_get_disk(c, disk_id):
    return c.call("DescribeDisks", RegionId=ECS_REGION, DiskIds=json.dumps([disk_id]))["Disks"]["Disk"][0]


def ecs_get_instance(c, iid):
    return c.call("DescribeInstances", RegionId=ECS_REGION, InstanceIds=json.dumps([iid]))["Instances"]["Instance"][0]


def test_ecs_describe_filters_and_pages(ecs):
    c = ecs
    everything = ecs_all(c, "DescribeInstances", ("Instances", "Instance"))
    names = {i["InstanceName"] for i in everything}
    assert {ECS_STOPPED, ECS_RUNNING, ECS_LOCKED, ECS_FULL, ECS_BUSY, ECS_EXPIRED, ECS_PENDING} <= names
    paged = ecs_all(c, "DescribeInstances", ("Instances", "Instance"), MaxResults=3)
    assert [i["InstanceId"] for i in paged] == [i["InstanceId"] for i in everything]
    stopped = c.call("DescribeInstances", RegionId=ECS_REGION, Status="Stopped", MaxResults=100)["Instances"]["Instance"]
    assert stopped and all(i["Status"] == "Stopped" for i in stopped)
    assert ECS_STOPPED in {i["InstanceName"] for i in stopped}
    web = c.call("DescribeInstances", RegionId=ECS_REGION, Tag=[{"Key": "team", "Value": "web"}], MaxResults=100)
    assert ECS_RUNNING in {i["InstanceName"] for i in web["Instances"]["Instance"]}
    locked = ecs_instance(c, ECS_LOCKED)
    assert {"LockReason": "security"} in locked["OperationLocks"]["LockReason"]
    two = c.call("DescribeInstances", RegionId=ECS_REGION, InstanceIds=json.dumps([locked["InstanceId"], ecs_instance(c, ECS_RUNNING)["InstanceId"]]))
    assert two["TotalCount"] == 2

    web1 = ecs_instance(c, ECS_STOPPED)
    disks = c.call("DescribeDisks", RegionId=ECS_REGION, InstanceId=web1["InstanceId"])["Disks"]["Disk"]
    assert sorted((d["Type"], d["Status"]) for d in disks) == [("data", "Attaching"), ("system", "In_use")]
    spare = [d for d in ecs_all(c, "DescribeDisks", ("Disks", "Disk"), MaxResults=50) if d["Status"] == "Available"]
    assert [d["DiskName"] for d in spare] == ["spare-data-data"]

    archive = ecs_disk(c, ECS_FULL)["DiskId"]
    snaps = ecs_all(c, "DescribeSnapshots", ("Snapshots", "Snapshot"), DiskId=archive, MaxResults=25)
    assert len(snaps) == 64
    old = [s for s in snaps if s["SnapshotName"] == "archive-2012"]
    assert old and old[0]["CreationTime"].startswith("2012-")
    busy = ecs_disk(c, ECS_BUSY)["DiskId"]
    status = {s["SnapshotName"]: s["Status"] for s in ecs_all(c, "DescribeSnapshots", ("Snapshots", "Snapshot"), DiskId=busy)}
    assert status == {"batch-good": "accomplished", "batch-broken": "failed", "batch-in-progress": "progressing"}
    by_id = c.call("DescribeSnapshots", RegionId=ECS_REGION, SnapshotIds=json.dumps([old[0]["SnapshotId"]]))
    assert by_id["TotalCount"] == 1 and by_id["Snapshots"]["Snapshot"][0]["SnapshotName"] == "archive-2012"
    by_instance = c.call("DescribeSnapshots", RegionId=ECS_REGION, InstanceId=web1["InstanceId"], MaxResults=100)
    assert by_instance["TotalCount"] == 4  # 3 of the system disk, 1 of the data disk
    # Another region holds none of the scenario resources.
    other = c.call("DescribeInstances", RegionId="cn-shanghai", MaxResults=100)["Instances"]["Instance"]
    assert other and ECS_STOPPED not in {i["InstanceName"] for i in other}


def test_ecs_reset_disk_and_power_cycle(ecs):
    c = ecs
    pair = ecs_reset_pair(c, ECS_STOPPED, "web-1-before-deploy-0")
    c.error("DryRunOperation", "ResetDisk", status=400, DryRun=True, **pair)
    assert ecs_get_disk(c, pair["DiskId"])["Status"] == "In_use"
    r = c.call("ResetDisk", DryRun=False, **pair)
    assert r["RequestId"]
    assert ecs_get_disk(c, pair["DiskId"])["Status"] == "ReIniting"
    c.error("IncorrectDiskStatus", "ResetDisk", status=403, **pair)

    web2 = ecs_instance(c, ECS_RUNNING)["InstanceId"]
    c.error("IncorrectInstanceStatus", "StartInstance", status=403, InstanceId=web2)
    c.error("DryRunOperation", "StopInstance", status=400, InstanceId=web2, DryRun=True)
    assert ecs_get_instance(c, web2)["Status"] == "Running"
    c.call("StopInstance", InstanceId=web2, ForceStop=False, StoppedMode="KeepCharging")
    assert ecs_get_instance(c, web2)["Status"] == "Stopping"
    c.error("IncorrectInstanceStatus", "StartInstance", status=403, InstanceId=web2)  # start a Stopping instance
    c.error("IncorrectInstanceStatus", "StopInstance", status=403, InstanceId=web2)

    poll(
        lambda: (ecs_get_disk(c, pair["DiskId"])["Status"], ecs_get_instance(c, web2)["Status"]),
        lambda v: v == ("In_use", "Stopped"),
        DEADLINE,
        what="the reset to finish and web-2 to stop",
    )
    c.error("DryRunOperation", "StartInstance", status=400, InstanceId=web2, DryRun=True)
    c.call("StartInstance", InstanceId=web2)
    assert ecs_get_instance(c, web2)["Status"] == "Starting"
    poll(lambda: ecs_get_instance(c, web2)["Status"], lambda s: s == "Running", DEADLINE, what="web-2 to run")


def test_ecs_create_snapshot(ecs):
    c = ecs
    disk = ecs_disk(c, ECS_STOPPED)["DiskId"]
    r = c.call(
        "CreateSnapshot", DiskId=disk, SnapshotName="conformance-snap", Description="made by the conformance suite",
        RetentionDays=7, ClientToken="conformance-token-1", Tag=[{"Key": "by", "Value": "conformance"}],
    )
    sid = r["SnapshotId"]
    s = ecs_snapshot(c, disk, "conformance-snap")
    assert s["SnapshotId"] == sid and s["Status"] == "progressing" and s["SnapshotType"] == "user"
    assert s["RetentionDays"] == 7 and s["Description"] == "made by the conformance suite"
    # Idempotent: the same ClientToken for the same disk returns the same snapshot.
    assert c.call("CreateSnapshot", DiskId=disk, ClientToken="conformance-token-1")["SnapshotId"] == sid
    c.error("IncorrectDiskStatus.CreatingSnapshot", "CreateSnapshot", status=403, DiskId=disk)
    other = ecs_disk(c, ECS_RUNNING)["DiskId"]
    c.error("IdempotentParameterMismatch", "CreateSnapshot", status=400, DiskId=other, ClientToken="conformance-token-1")
    # A snapshot still being created cannot be used.
    c.error("InvalidSnapshotId.NotReady", "ResetDisk", status=403, DiskId=disk, SnapshotId=sid)
    # Another disk is not blocked by it.
    assert c.call("CreateSnapshot", DiskId=other, SnapshotName="conformance-other")["SnapshotId"] != sid


ECS_ERRORS = {
    # case: (code, HTTP status, how)
    "reset-running-instance": ("IncorrectInstanceStatus", 403, lambda c: ("ResetDisk", ecs_reset_pair(c, ECS_RUNNING, "web-2-daily"))),
    "reset-attaching-disk": ("IncorrectDiskStatus", 403, lambda c: ("ResetDisk", ecs_reset_pair(c, ECS_STOPPED, "web-1-data", disk_type="data"))),
    "reset-mismatch": ("InvalidParameter.Mismatch", 403, lambda c: ("ResetDisk", ecs_reset_pair(c, ECS_STOPPED, "web-2-daily", snapshot_disk_of=ECS_RUNNING))),
    "reset-locked": ("InstanceLockedForSecurity", 403, lambda c: ("ResetDisk", ecs_reset_pair(c, ECS_LOCKED, "legacy-before-incident"))),
    "reset-not-ready": ("InvalidSnapshotId.NotReady", 403, lambda c: ("ResetDisk", ecs_reset_pair(c, ECS_BUSY, "batch-in-progress"))),
    "reset-failed-snapshot": ("OperationDenied", 403, lambda c: ("ResetDisk", ecs_reset_pair(c, ECS_BUSY, "batch-broken"))),
    "reset-too-old": ("InvalidSnapshot.TooOld", 403, lambda c: ("ResetDisk", ecs_reset_pair(c, ECS_FULL, "archive-2012"))),
    "reset-disk-not-found": ("InvalidDiskId.NotFound", 404, lambda c: ("ResetDisk", {"DiskId": "d-nope", "SnapshotId": "s-nope"})),
    "reset-snapshot-not-found": ("InvalidSnapshotId.NotFound", 404, lambda c: ("ResetDisk", {"DiskId": ecs_disk(c, ECS_STOPPED)["DiskId"], "SnapshotId": "s-nope"})),
    "reset-missing-snapshot": ("MissingParameter", 400, lambda c: ("ResetDisk", {"DiskId": ecs_disk(c, ECS_STOPPED)["DiskId"]})),
    "snapshot-quota-64": ("QuotaExceed.Snapshot", 403, lambda c: ("CreateSnapshot", {"DiskId": ecs_disk(c, ECS_FULL)["DiskId"]})),
    "snapshot-one-in-progress": ("IncorrectDiskStatus.CreatingSnapshot", 403, lambda c: ("CreateSnapshot", {"DiskId": ecs_disk(c, ECS_BUSY)["DiskId"]})),
    "snapshot-expired-instance": ("InstanceExpiredOrInArrears", 403, lambda c: ("CreateSnapshot", {"DiskId": ecs_disk(c, ECS_EXPIRED)["DiskId"]})),
    "snapshot-pending-instance": ("IncorrectInstanceStatus", 403, lambda c: ("CreateSnapshot", {"DiskId": ecs_disk(c, ECS_PENDING)["DiskId"]})),
    "snapshot-locked": ("InstanceLockedForSecurity", 403, lambda c: ("CreateSnapshot", {"DiskId": ecs_disk(c, ECS_LOCKED)["DiskId"]})),
    "snapshot-unattached-disk": ("IncorrectDiskStatus", 403, lambda c: ("CreateSnapshot", {"DiskId": next(d["DiskId"] for d in ecs_all(c, "DescribeDisks", ("Disks", "Disk"), MaxResults=50) if d["DiskName"] == "spare-data-data")})),
    "snapshot-disk-not-found": ("InvalidDiskId.NotFound", 404, lambda c: ("CreateSnapshot", {"DiskId": "d-nope"})),
    "snapshot-name-1-char": ("InvalidSnapshotName.Malformed", 400, lambda c: ("CreateSnapshot", {"DiskId": ecs_disk(c, ECS_STOPPED)["DiskId"], "SnapshotName": "x"})),
    "snapshot-description-1-char": ("InvalidDescription.Malformed", 400, lambda c: ("CreateSnapshot", {"DiskId": ecs_disk(c, ECS_STOPPED)["DiskId"], "Description": "x"})),
    "snapshot-retention-0": ("InvalidRetentionDays.Malformed", 400, lambda c: ("CreateSnapshot", {"DiskId": ecs_disk(c, ECS_STOPPED)["DiskId"], "RetentionDays": 0})),
    "snapshot-client-token-65": ("InvalidParameter", 400, lambda c: ("CreateSnapshot", {"DiskId": ecs_disk(c, ECS_STOPPED)["DiskId"], "ClientToken": "t" * 65})),
    "snapshot-21-tags": ("InvalidParameter", 400, lambda c: ("CreateSnapshot", {"DiskId": ecs_disk(c, ECS_STOPPED)["DiskId"], "Tag": [{"Key": "k%d" % i, "Value": "v"} for i in range(21)]})),
    "start-locked": ("InstanceLockedForSecurity", 403, lambda c: ("StartInstance", {"InstanceId": ecs_instance(c, ECS_LOCKED)["InstanceId"]})),
    "stop-stopped": ("IncorrectInstanceStatus", 403, lambda c: ("StopInstance", {"InstanceId": ecs_instance(c, ECS_STOPPED)["InstanceId"]})),
    "stop-not-found": ("InvalidInstanceId.NotFound", 404, lambda c: ("StopInstance", {"InstanceId": "i-nope"})),
    "max-results-101": ("InvalidParameter.MaxResults", 400, lambda c: ("DescribeInstances", {"RegionId": ECS_REGION, "MaxResults": 101})),
    "next-token-garbage": ("InvalidParameter.NextToken", 400, lambda c: ("DescribeSnapshots", {"RegionId": ECS_REGION, "NextToken": "garbage"})),
    "region-mars": ("InvalidRegionId.MalFormed", 400, lambda c: ("DescribeDisks", {"RegionId": "mars-1"})),
    "disk-ids-not-json": ("InvalidParameter", 400, lambda c: ("DescribeDisks", {"RegionId": ECS_REGION, "DiskIds": "d-nope"})),
}


@pytest.mark.parametrize("case", sorted(ECS_ERRORS))
def test_ecs_error(ecs, case):
    code, status, how = ECS_ERRORS[case]
    action, params = how(ecs)
    ecs.error(code, action, status=status, **params)


def test_ecs_generic_call_errors(ecs):
    ecs.expect("InvalidAction.NotFound", lambda: ecs.generic("DeleteInstance", {"InstanceId": "i-nope"}), 404)
    ecs.expect("InvalidVersion", lambda: ecs.generic("DescribeInstances", {"RegionId": ECS_REGION}, version="2016-03-14"), 400)
    ecs.expect("MissingParameter", lambda: ecs.generic("ResetDisk", {"SnapshotId": "s-nope"}), 400)


@pytest.mark.parametrize("kind", emu_clients.ECS_CLIENTS)
def test_ecs_auth(emu, kind):
    ak, sk = emu.keys.take("alibaba")
    wrong = emu_clients.ecs(kind, emu, ak, sk + "-wrong")
    if kind == "legacy":
        # aliyunsdkcore compares the server's string to sign (the end of the
        # SignatureDoesNotMatch message) with its own and, when they are equal, reports
        # InvalidAccessKeySecret: the emulator's string to sign matched byte for byte.
        wrong.error("InvalidAccessKeySecret", "DescribeInstances", status=400, RegionId=ECS_REGION)
    else:
        e = wrong.error("SignatureDoesNotMatch", "DescribeInstances", status=400, RegionId=ECS_REGION)
        assert "server string to sign is:" in e.message, e.message
    emu_clients.ecs(kind, emu, "LTAICONFORMANCEFAKEUNKNWN", sk).error("InvalidAccessKeyId.NotFound", "DescribeInstances", status=404, RegionId=ECS_REGION)
    tmp_ak, tmp_sk, token = emu.keys.alibaba_sts
    ok = emu_clients.ecs(kind, emu, tmp_ak, tmp_sk, token=token)
    assert ecs_instance(ok, ECS_STOPPED)["Status"] == "Stopped"
    emu_clients.ecs(kind, emu, tmp_ak, tmp_sk).error("MissingSecurityToken", "DescribeInstances", status=400, RegionId=ECS_REGION)
    emu_clients.ecs(kind, emu, tmp_ak, tmp_sk, token=token + "-other").error(
        "InvalidSecurityToken.MismatchWithAccessKey", "DescribeInstances", status=400, RegionId=ECS_REGION
    )


@pytest.mark.parametrize("kind", emu_clients.ECS_CLIENTS)
def test_ecs_nonce_replay_and_clock_skew(emu, kind, monkeypatch):
    """The SDK's own nonce and clock, pinned: a reused nonce, a timestamp 301 s behind."""
    ak, sk = emu.keys.take("alibaba")
    c = emu_clients.ecs(kind, emu, ak, sk)
    nonce = "conformance-nonce-%s-%d" % (kind, time.time_ns())
    stamp = [None]

    def now_iso():
        t = time.time() + (stamp[0] or 0)
        return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    if kind == "legacy":
        from aliyunsdkcore.utils import parameter_helper

        monkeypatch.setattr(parameter_helper, "get_uuid", lambda: nonce)
        monkeypatch.setattr(parameter_helper, "get_iso_8061_date", now_iso)
    else:
        from alibabacloud_tea_openapi import utils as tea_utils

        monkeypatch.setattr(tea_utils.Utils, "get_nonce", staticmethod(lambda: nonce))
        monkeypatch.setattr(tea_utils.Utils, "get_timestamp", staticmethod(now_iso))
    c.call("DescribeInstances", RegionId=ECS_REGION)
    c.error("SignatureNonceUsed", "DescribeInstances", status=400, RegionId=ECS_REGION)
    nonce = nonce + "-2"
    stamp[0] = -301
    c.error("InvalidTimeStamp.Expired", "DescribeInstances", status=400, RegionId=ECS_REGION)


@pytest.mark.parametrize("kind", emu_clients.ECS_CLIENTS)
def test_ecs_injected_faults(emu, kind, faults):
    ak, sk = emu.keys.take("alibaba")
    c = emu_clients.ecs(kind, emu, ak, sk)
    pair = ecs_reset_pair(c, ECS_STOPPED, "web-1-before-deploy-1")
    faults.add_fault({"provider": "alibaba", "action": "ResetDisk", "count": 1, "kind": "throttle"})
    c.error("Throttling.User", "ResetDisk", status=400, **pair)
    faults.add_fault({"provider": "alibaba", "action": "ResetDisk", "count": 1, "kind": "internal"})
    c.error("InternalError", "ResetDisk", status=500, **pair)
    faults.add_fault({"provider": "alibaba", "action": "ResetDisk", "count": 1, "kind": "error", "code": "ServiceUnavailable", "status": 503})
    c.error("ServiceUnavailable", "ResetDisk", status=503, **pair)
    c.error("DryRunOperation", "ResetDisk", status=400, DryRun=True, **pair)


# =====================================================================================
# Huawei Workspace (huaweicloudsdkworkspace WorkspaceClient)


def ws_snaps(ws, **query):
    return ws.list_snapshots(**query)["desktop_snapshots"]


def ws_snapshot(ws, name):
    found = [s for s in ws_snaps(ws, snapshot_name=name) if s["snapshot_name"] == name]
    assert len(found) == 1, (name, found)
    return found[0]


def ws_desktop_id(ws, desktop_name):
    ids = {s["desktop_id"] for s in ws_snaps(ws, desktop_name=desktop_name) if s["desktop_name"] == desktop_name}
    assert len(ids) == 1, (desktop_name, ids)
    return ids.pop()


def test_ws_list_desktop_snapshots(ws):
    everything = ws.list_snapshots()
    assert everything["total_count"] == len(everything["desktop_snapshots"])
    desktops = {s["desktop_name"] for s in everything["desktop_snapshots"]}
    assert {WS_ALICE, WS_BOB, WS_CAROL, WS_DAVE, WS_ERIN} <= desktops
    alice = ws_desktop_id(ws, WS_ALICE)
    bob = ws_desktop_id(ws, WS_BOB)
    assert {s["snapshot_name"] for s in ws_snaps(ws, desktop_id=alice)} == {"desk-alice-snap-0", "desk-alice-snap-1", "desk-alice-data"}
    # desktop_ids is a list: the SDK sends it as a repeated query parameter.
    both = ws_snaps(ws, desktop_ids=[alice, bob])
    assert {s["desktop_name"] for s in both} == {WS_ALICE, WS_BOB} and len(both) == 6
    assert {s["desktop_name"] for s in ws_snaps(ws, desktop_ids=[bob])} == {WS_BOB}
    system = ws_snaps(ws, desktop_id=alice, disk_type="SYSTEM_DISK")
    assert len(system) == 2 and all(s["is_system_disk"] for s in system)
    assert ws_snapshot(ws, "desk-dave-snap-new")["status"] == "creating"
    assert ws_snapshot(ws, "desk-erin-snap-0")["status"] == "restoring"
    assert [s["snapshot_name"] for s in ws_snaps(ws, status="restoring")] == ["desk-erin-snap-0"]
    named = ws_snaps(ws, desktop_id=alice, sort_field="snapshot_name", sort_type="ASC")
    assert [s["snapshot_name"] for s in named] == sorted(s["snapshot_name"] for s in named)
    page = ws.list_snapshots(offset=1, limit=2)
    assert page["total_count"] == everything["total_count"]
    assert [s["snapshot_id"] for s in page["desktop_snapshots"]] == [s["snapshot_id"] for s in everything["desktop_snapshots"][1:3]]


def ws_job_done(ws, job_id):
    return poll(lambda: ws.show_job(job_id), lambda j: j["status"] in ("SUCCESS", "FAIL", "FAILED"), DEADLINE, what="job %s to finish" % job_id)


def test_ws_restore_jobs_to_success_and_fail(ws):
    alice = ws_snapshot(ws, "desk-alice-snap-0")["snapshot_id"]
    bob = ws_snapshot(ws, "desk-bob-snap-0")["snapshot_id"]
    carol = ws_snapshot(ws, "desk-carol-snap-0")["snapshot_id"]
    good = ws.restore([alice])["job_id"]
    mixed = ws.restore([bob, carol])["job_id"]
    assert good and mixed and good != mixed
    j = ws.show_job(good)
    assert j["id"] == good and j["job_type"] == "batchRestoreDesktopSnapshot" and j["status"] in ("WAITING", "RUNNING")
    assert ws_snapshot(ws, "desk-alice-snap-0")["status"] == "restoring"
    # A conflicting restore while the first one runs.
    ws.expect("WKS.0009", 409, lambda: ws.restore([alice]))
    ws.expect("WKS.0009", 409, lambda: ws.restore([ws_snapshot(ws, "desk-alice-snap-1")["snapshot_id"]]))

    j = ws_job_done(ws, good)
    assert j["status"] == "SUCCESS" and j["sub_jobs_total"] == 1
    (sub,) = j["sub_jobs"]
    assert sub["status"] == "SUCCESS" and sub["job_type"] == "restoreDesktopBySnapshot" and sub["process"] == 100
    assert sub["entities"]["desktop_name"] == WS_ALICE
    s = ws_snapshot(ws, "desk-alice-snap-0")
    assert s["status"] == "restore_success" and s["last_restore_time"]

    j = ws_job_done(ws, mixed)
    assert j["status"] in ("FAIL", "FAILED") and j["sub_jobs_total"] == 2
    assert j["job_error_code"] == WS_FAIL_CODE and j["fail_reason"]
    subs = {x["entities"]["desktop_name"]: x for x in j["sub_jobs"]}
    assert subs[WS_BOB]["status"] == "SUCCESS"
    assert subs[WS_CAROL]["status"] in ("FAIL", "FAILED") and subs[WS_CAROL]["error_code"] == WS_FAIL_CODE
    c = ws_snapshot(ws, "desk-carol-snap-0")
    assert c["status"] == "restore_failed" and c["restore_fail_reason"] == subs[WS_CAROL]["fail_reason"]
    # Finished: alice can be restored again.
    assert ws.restore([alice])["job_id"]


def ws_uuid(n):
    return "00000000-0000-4000-8000-%012d" % n


WS_ERRORS = {
    # case: (code, HTTP status, how)
    "101-ids": ("WKS.0002", 400, lambda ws: ws.restore([ws_uuid(i) for i in range(101)])),
    "0-ids": ("WKS.0002", 400, lambda ws: ws.restore([])),
    "malformed-id": ("WKS.0002", 400, lambda ws: ws.restore(["x" * 37])),
    "unknown-ids": ("WKS.0004", 404, lambda ws: ws.restore([ws_snapshot(ws, "desk-alice-snap-0")["snapshot_id"], ws_uuid(1)])),
    "unknown-job": ("WKS.0004", 404, lambda ws: ws.show_job(ws_uuid(2))),
    "already-restoring": ("WKS.0009", 409, lambda ws: ws.restore([ws_snapshot(ws, "desk-erin-snap-1")["snapshot_id"]])),
    "restoring-snapshot": ("WKS.0009", 409, lambda ws: ws.restore([ws_snapshot(ws, "desk-erin-snap-0")["snapshot_id"]])),
    "creating-snapshot": ("WKS.0009", 409, lambda ws: ws.restore([ws_snapshot(ws, "desk-dave-snap-new")["snapshot_id"]])),
    "two-of-one-desktop": ("WKS.0009", 409, lambda ws: ws.restore([ws_snapshot(ws, "desk-bob-snap-0")["snapshot_id"], ws_snapshot(ws, "desk-bob-snap-1")["snapshot_id"]])),
    "limit-0": ("WKS.0002", 400, lambda ws: ws.list_snapshots(limit=0)),
    "disk-type-bad": ("WKS.0002", 400, lambda ws: ws.list_snapshots(disk_type="FLOPPY")),
    "empty-body": ("WKS.0001", 400, lambda ws: ws_restore_without_body(ws)),
    "unpublished-api": ("APIGW.0101", 404, lambda ws: ws_list_desktops(ws)),
}


def ws_restore_without_body(ws):
    from huaweicloudsdkworkspace.v2 import model

    return ws.client.batch_restore_desktop_snapshot(model.BatchRestoreDesktopSnapshotRequest())


def ws_list_desktops(ws):
    from huaweicloudsdkworkspace.v2 import model

    return ws.client.list_desktops(model.ListDesktopsRequest())


@pytest.mark.parametrize("case", sorted(WS_ERRORS))
def test_ws_error(ws, case):
    code, status, how = WS_ERRORS[case]
    ws.expect(code, status, lambda: how(ws))


def test_ws_auth(emu, monkeypatch):
    ak, sk, project = emu.keys.take("huawei")
    ok = emu_clients.workspace(emu, ak, sk, project)
    assert ws_snapshot(ok, "desk-alice-snap-0")["status"] == "create_success"
    w = emu_clients.workspace(emu, ak, sk + "-wrong", project)
    w.expect("APIGW.0301", 401, lambda: w.list_snapshots())
    u = emu_clients.workspace(emu, "HWCONFORMANCEFAKEUNKN", sk, project)
    u.expect("APIGW.0301", 401, lambda: u.list_snapshots())
    # A project that is not this key's.
    other_project = emu.keys.huawei[-1][2] if emu.keys.huawei[-1][2] != project else emu.keys.huawei[-2][2]
    o = emu_clients.workspace(emu, ak, sk, other_project)
    o.expect("APIGW.0302", 403, lambda: o.list_snapshots())
    # Temporary credentials: the token is required and must be the one issued.
    tak, tsk, tproject, token = emu.keys.huawei_sts
    t = emu_clients.workspace(emu, tak, tsk, tproject, token=token)
    assert ws_snapshot(t, "desk-bob-snap-0")["status"] == "create_success"
    nt = emu_clients.workspace(emu, tak, tsk, tproject)
    nt.expect("APIGW.0301", 401, lambda: nt.list_snapshots())
    bt = emu_clients.workspace(emu, tak, tsk, tproject, token=token + "-other")
    bt.expect("APIGW.0301", 401, lambda: bt.list_snapshots())

    # The SDK's signing clock 400 s ahead.
    from huaweicloudsdkcore.signer import signer as hw_signer

    real = hw_signer.datetime

    class Ahead(real):
        @classmethod
        def utcnow(cls):
            return real.utcnow() + _dt.timedelta(seconds=400)

        @classmethod
        def now(cls, tz=None):
            return real.now(tz) + _dt.timedelta(seconds=400)

    monkeypatch.setattr(hw_signer, "datetime", Ahead)
    ok.expect("APIGW.0301", 401, lambda: ok.list_snapshots())
    monkeypatch.setattr(hw_signer, "datetime", real)
    ok.list_snapshots()


def test_ws_injected_faults(emu, ws, faults):
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkcore.http.http_config import HttpConfig

    # huaweicloudsdkcore 3.1.219 hands 429 to urllib3's Retry (status_forcelist=[429],
    # retry_times 0 by default) and raises ClientRequestException(429, error_code "429")
    # without reading the body, so APIGW.0308 itself is not visible through the SDK.
    faults.add_fault({"provider": "huawei", "action": "ListDesktopSnapshot", "count": 1, "kind": "throttle"})
    with pytest.raises(ClientRequestException) as ei:
        ws.list_snapshots()
    assert ei.value.status_code == 429 and ei.value.error_code == "429", ei.value
    # With the SDK's retry option, one throttled answer is retried and succeeds.
    faults.add_fault({"provider": "huawei", "action": "ListDesktopSnapshot", "count": 1, "kind": "throttle"})
    ak, sk, project = emu.keys.take("huawei")
    retrying = emu_clients.workspace(emu, ak, sk, project, http_config=HttpConfig(retry_times=1))
    assert retrying.list_snapshots()["total_count"] > 0
    assert faults.admin("GET", "faults")["faults"] == []  # the throttle was used up by the first try
    faults.add_fault({"provider": "huawei", "action": "ShowJob", "count": 1, "kind": "internal"})
    ws.expect("WKS.0500", 500, lambda: ws.show_job(ws_uuid(3)))
    ws.expect("WKS.0004", 404, lambda: ws.show_job(ws_uuid(3)))


# =====================================================================================
# Unsigned requests: no SDK sends one, so these go over plain HTTP.


def raw(emu, method, path, headers, body=b""):
    req = urllib.request.Request(emu.url + path, data=body if method != "GET" else None, method=method, headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_unsigned_requests(emu):
    host = {"Host": emu.endpoint, "Content-Type": "application/json"}
    status, body = raw(emu, "POST", "/", dict(host, **{"X-TC-Action": "DescribeInstances", "X-TC-Version": "2020-03-24", "X-TC-Region": LH_REGION}), b"{}")
    assert status == 200 and body["Response"]["Error"]["Code"] == "AuthFailure.InvalidAuthorization", body
    status, body = raw(emu, "POST", "/?Action=DescribeInstances&RegionId=cn-hangzhou&Version=2014-05-26", host)
    assert status == 400 and body["Code"] == "IncompleteSignature", body
    _, _, project = emu.keys.huawei[0]
    status, body = raw(emu, "GET", "/v2/%s/snapshots" % project, host)
    assert status == 401 and body["error_code"] == "APIGW.0301", body
