"""The proxy's signatures, checked with the official SDKs' own signing code.

A test upstream (sig_harness.Upstream, 127.0.0.1 port 0) records every request; a
`rewind serve --config FILE` whose profiles point there (Tencent; Alibaba v3 and v1;
Huawei; each with long-term keys, with a session token, and with an endpoint `host` that
names a cloud host to sign for) is asked for every action of
the cloud crate's registry (crates/cloud/src/action.rs). For each call the test takes the
one request the upstream received and recomputes its signature with the SDK functions
named in sig_verify.py, and requires: the same signature (the whole Authorization value
where the SDK produces one) over the header set the request declares signed, the
required headers among them, no secret key anywhere in the request, and `ok: true` from
the proxy. Negative controls check that the same verification rejects another key and a
request with one signed part changed.

    cargo build -p rewind-proxy --bin rewind
    REWIND_BIN=target/debug/rewind .venv/bin/python -m pytest -q -p no:cacheprovider conformance/test_proxy_signatures.py
"""

import json
import os
import sys
from urllib.parse import quote, quote_plus

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sig_verify  # noqa: E402
from sig_harness import FAKE, HW_PROJECT, PROFILES, Proxy, Upstream, expected_host, secrets  # noqa: E402

LH_INS, LH_SNAP = "lhins-k31c771o", "lhsnap-nv6aqcv6"
ECS_INS, ECS_DISK, ECS_SNAP = "i-bp67acfmxazb4ph", "d-bp199lyny9b3xxxx", "s-bp199lyny9b3xxxx"
WS_A, WS_B = "1792d3eb-35c6-4e99-8381-abfc8e02126b", "0b6e0c3a-8f8e-4d2a-9a55-3f0d7c1e2b44"

# Values with spaces, unicode and the characters encoders disagree on.
TRICKY = "web 01/α+β*~=&%中"

# Every action of the registry, with valid parameters (crates/cloud/src/validate.rs).
LIGHTHOUSE = [
    ("DescribeInstances", {"Filters": [{"Name": "instance-name", "Values": [TRICKY, "b"]}], "Offset": 0, "Limit": 20}),
    ("DescribeSnapshots", {"SnapshotIds": [LH_SNAP, "lhsnap-abcd1234"], "Limit": 10}),
    ("ApplyInstanceSnapshot", {"InstanceId": LH_INS, "SnapshotId": LH_SNAP}),
    ("CreateInstanceSnapshot", {"InstanceId": LH_INS, "SnapshotName": "回滚 before=deploy&x+y"}),
    ("StopInstances", {"InstanceIds": [LH_INS], "StopType": "SOFT"}),
    ("StartInstances", {"InstanceIds": [LH_INS, "lhins-abcd1234"]}),
]
ECS = [
    ("DescribeInstances", {"InstanceIds": [ECS_INS], "Status": "Running", "Tag": [{"Key": "env", "Value": TRICKY}], "MaxResults": 10}),
    ("DescribeDisks", {"InstanceId": ECS_INS, "DiskType": "system", "MaxResults": 50}),
    ("DescribeSnapshots", {"DiskId": ECS_DISK, "SnapshotType": "user", "Status": "all"}),
    ("ResetDisk", {"DiskId": ECS_DISK, "SnapshotId": ECS_SNAP, "DryRun": False}),
    ("CreateSnapshot", {"DiskId": ECS_DISK, "SnapshotName": "rewind-快照.1:pre_deploy", "Description": "before deploy: a+b=c & 100% ~ok*", "RetentionDays": 7}),
    ("StopInstance", {"InstanceId": ECS_INS, "ForceStop": True, "StoppedMode": "StopCharging"}),
    ("StartInstance", {"InstanceId": ECS_INS}),
]
WORKSPACE = [
    ("ListDesktopSnapshot", {"desktop_name": TRICKY, "snapshot_name": "pre-rollback", "desktop_ids": [WS_A, WS_B], "sort_field": "create_time", "sort_type": "DESC", "offset": 0, "limit": 5}),
    ("BatchRestoreDesktopSnapshot", {"snapshot_ids": [WS_A, WS_B]}),
    ("ShowJob", {"job_id": WS_A}),
]

CASES = []
for _profile, (_provider, _sig, _key, _region) in PROFILES.items():
    _actions = {"tencent": LIGHTHOUSE, "alibaba": ECS, "huawei": WORKSPACE}[_provider]
    for _action, _params in _actions:
        CASES.append(pytest.param(_profile, _action, _params, id="%s-%s" % (_profile[len("sig-"):], _action)))


def test_every_registry_action_is_covered():
    """The lists above are the registry of crates/cloud/src/action.rs, for every profile."""
    with open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "crates/cloud/src/action.rs")) as f:
        text = f.read()
    import re

    registry = set(re.findall(r"^\s*(\w+) => (Tencent|Alibaba|Huawei), \"(\w+)\"", text, re.M))
    assert registry, "no actions found in action.rs"
    covered = {("Tencent", a) for a, _ in LIGHTHOUSE} | {("Alibaba", a) for a, _ in ECS} | {("Huawei", a) for a, _ in WORKSPACE}
    assert {(p, n) for _, p, n in registry} == covered
    profiles = {(p, s) for p, s, _, _ in PROFILES.values()}
    assert profiles == {("tencent", None), ("alibaba", "v3"), ("alibaba", "v1"), ("huawei", None)}


@pytest.fixture(scope="module")
def rig():
    upstream = Upstream()
    proxy = Proxy(upstream.url)
    try:
        proxy.start()
        yield upstream, proxy
    finally:
        proxy.stop()
        upstream.stop()


def leaked_secrets(blob):
    """Every secret key found in `blob` (bytes), raw or in a common encoding."""
    hay = blob.decode("utf-8", "replace").lower()
    found = []
    for s in secrets():
        forms = {s, quote(s, safe=""), quote(s, safe="~"), quote_plus(s), json.dumps(s)[1:-1], quote(quote(s, safe=""), safe="")}
        if any(f.lower() in hay for f in forms):
            found.append(s)
    return found


@pytest.mark.parametrize("profile,action,params", CASES)
def test_signature_matches_the_official_sdk(rig, profile, action, params):
    upstream, proxy = rig
    provider, sig, key, region = PROFILES[profile]
    keys = FAKE[key]
    ident, secret = keys[0], keys[1]
    token = keys[2] if len(keys) == 3 else None

    before = upstream.count()
    status, answer = proxy.call(profile, region, action, params)
    assert status == 200 and answer.get("ok") is True, "proxy answered %s %r; log:\n%s" % (status, answer, proxy.log_tail())
    sent = upstream.take(before)
    assert len(sent) == 1, "one call, %d upstream requests: %r" % (len(sent), sent)
    rec = sent[0]
    # Signed for (and sent as Host) the endpoint's host, or the address connected to.
    assert rec.header("Host") == expected_host(profile, upstream.port)

    # The request addresses the action asked for.
    if provider == "tencent":
        assert rec.method == "POST" and rec.path == "/"
        assert rec.header("X-TC-Action") == action and rec.header("X-TC-Region") == region
        assert rec.header("X-TC-Version") == "2020-03-24"
        body = json.loads(rec.body)
        for k in params:
            assert k in body, (k, body)
        sig_verify.verify_tc3(rec, ident, secret, token=token)
    elif provider == "alibaba":
        assert rec.method == "POST" and rec.path == "/"
        q = dict(sig_verify.strict_query_pairs(rec.raw_query))
        if sig == "v3":
            assert rec.header("x-acs-action") == action and rec.header("x-acs-version") == "2014-05-26"
            sig_verify.verify_acs3(rec, ident, secret, token=token)
        else:
            assert q.get("Action") == action and q.get("Version") == "2014-05-26"
            sig_verify.verify_acs_v1(rec, ident, secret, token=token)
        assert q.get("RegionId") in (None, region)  # ResetDisk, StopInstance, StartInstance take none
        for k in params:
            assert any(n == k or n.startswith(k + ".") for n in q), (k, sorted(q))
    else:
        sig_verify.verify_sdk_hmac(rec, ident, secret, HW_PROJECT, token=token)
        prefix = "/v2/%s/" % HW_PROJECT
        want = {
            "ListDesktopSnapshot": ("GET", prefix + "snapshots"),
            "BatchRestoreDesktopSnapshot": ("POST", prefix + "snapshots/batch-restore"),
            "ShowJob": ("GET", prefix + "workspace-jobs/" + params.get("job_id", "")),
        }[action]
        assert (rec.method, rec.path.rstrip("/")) == want

    assert not leaked_secrets(rec.raw_bytes()), "a secret key is in the request: %r" % rec
    assert not leaked_secrets(json.dumps(answer).encode())


def test_no_secret_reached_the_upstream_or_the_log(rig):
    """After all calls: no request the upstream recorded, and nothing the proxy logged,
    carries a secret key."""
    upstream, proxy = rig
    assert upstream.count() >= 1
    for rec in list(upstream.requests):
        assert not leaked_secrets(rec.raw_bytes()), rec
    with open(proxy.log_path, "rb") as f:
        assert not leaked_secrets(f.read())


# One representative call per algorithm for the negative controls below.
CONTROLS = [
    ("sig-tencent-sts", "CreateInstanceSnapshot", dict(LIGHTHOUSE)["CreateInstanceSnapshot"]),
    ("sig-ecs-v3-sts", "DescribeInstances", dict(ECS)["DescribeInstances"]),
    ("sig-ecs-v1-sts", "DescribeInstances", dict(ECS)["DescribeInstances"]),
    ("sig-workspace-sts", "ListDesktopSnapshot", dict(WORKSPACE)["ListDesktopSnapshot"]),
    ("sig-workspace", "BatchRestoreDesktopSnapshot", dict(WORKSPACE)["BatchRestoreDesktopSnapshot"]),
]


def _verify(profile, rec, secret=None):
    provider, sig, key, _region = PROFILES[profile]
    keys = FAKE[key]
    token = keys[2] if len(keys) == 3 else None
    secret = secret or keys[1]
    if provider == "tencent":
        return sig_verify.verify_tc3(rec, keys[0], secret, token=token)
    if provider == "alibaba" and sig == "v3":
        return sig_verify.verify_acs3(rec, keys[0], secret, token=token)
    if provider == "alibaba":
        return sig_verify.verify_acs_v1(rec, keys[0], secret, token=token)
    return sig_verify.verify_sdk_hmac(rec, keys[0], secret, HW_PROJECT, token=token)


def _later(name, value):
    """A date header one second later, in its own format."""
    import datetime as dt

    if name == "x-tc-timestamp":
        return str(int(value) + 1)
    fmt = {"x-acs-date": "%Y-%m-%dT%H:%M:%SZ", "x-sdk-date": "%Y%m%dT%H%M%SZ"}[name]
    return (dt.datetime.strptime(value, fmt) + dt.timedelta(seconds=1)).strftime(fmt)


def _tampered(rec):
    """Copies of `rec`, each with one signed part changed."""
    from sig_harness import Recorded

    out = {}
    if rec.body:
        body = bytearray(rec.body)
        i = body.index(b'"') + 1  # the first character of the first JSON key
        body[i] ^= 0x01
        out["body"] = Recorded(rec.method, rec.target, rec.headers, bytes(body))
    if rec.raw_query:
        first = rec.raw_query.split("&", 1)[0]
        target = rec.path + "?" + rec.raw_query.replace(first, first + "x", 1)
        out["query"] = Recorded(rec.method, target, rec.headers, rec.body)
    dates = ("x-tc-timestamp", "x-acs-date", "x-sdk-date")
    if any(n.lower() in dates for n, _ in rec.headers):
        headers = [(n, _later(n.lower(), v) if n.lower() in dates else v) for n, v in rec.headers]
        out["date"] = Recorded(rec.method, rec.target, headers, rec.body)
    if rec.path != "/":
        out["path"] = Recorded(rec.method, rec.path + "x" + ("?" + rec.raw_query if rec.raw_query else ""), rec.headers, rec.body)
    return out


@pytest.mark.parametrize("profile,action,params", [pytest.param(*c, id=c[0][len("sig-"):]) for c in CONTROLS])
def test_the_sdk_check_rejects_a_wrong_key_or_a_tampered_request(rig, profile, action, params):
    """Negative controls: the SDK-based verification is not vacuous. The genuine request
    passes; with another secret, or with one signed part changed, it fails."""
    upstream, proxy = rig
    _provider, _sig, _key, region = PROFILES[profile]
    before = upstream.count()
    status, answer = proxy.call(profile, region, action, params)
    assert status == 200 and answer.get("ok") is True, answer
    rec = upstream.take(before)[-1]
    _verify(profile, rec)
    mismatch = r"(?i)signature|authorization"
    with pytest.raises(AssertionError, match=mismatch):
        _verify(profile, rec, secret="fake/some+other=secret~0000")
    tampered = _tampered(rec)
    assert tampered, "nothing to tamper with"
    for what, bad in tampered.items():
        with pytest.raises(AssertionError, match=mismatch):
            _verify(profile, bad)
        print(profile, "tampered", what, "rejected")
