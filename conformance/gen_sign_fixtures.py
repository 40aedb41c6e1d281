#!/usr/bin/env python3
"""Generate request-signing fixtures by driving the official cloud SDKs.

Every fixture is one API call made through a real SDK client object
(LighthouseClient, the Tea ECS Client with ACS3 and with signature_algorithm="v2",
aliyun-python-sdk-core's AcsClient with the legacy request classes, Huawei's
WorkspaceClient) with a patched clock and nonce, pointed at a capture HTTP server on
127.0.0.1 (port 0). The server records the raw request and answers a canned success
body; nothing can reach a real cloud endpoint (proxies are disabled, every endpoint is
loopback).

Each fixture file holds:
  input        the `rewind sign` input that describes the same call
  sent         what the SDK sent: method, url, path, raw query, headers, body
  sdk_signing  the SDK's own canonical request / string to sign / signature,
               captured from its internal helpers during the same call

Usage: gen_sign_fixtures.py --out DIR --seed N --count K
(K fixtures per algorithm: tc3, acs3, acs-v1, sdk-hmac; acs-v1 alternates between
the Tea v2 client and the legacy aliyun-python-sdk-core.)
"""

import argparse
import datetime as _dt
import hashlib
import json
import os
import random
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from urllib.parse import urlsplit

# Never talk to anything but the loopback capture server.
for _k in list(os.environ):
    if _k.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        del os.environ[_k]
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

# ---------------------------------------------------------------------------------
# Capture server


class Capture:
    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        self.response = (200, {"Content-Type": "application/json"}, b"{}")


CAPTURE = Capture()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with CAPTURE.lock:
            CAPTURE.requests.append(
                {
                    "method": self.command,
                    "target": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body": body,
                }
            )
            status, headers, payload = CAPTURE.response
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, *args):
        pass


def start_server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def take_request():
    with CAPTURE.lock:
        if len(CAPTURE.requests) != 1:
            raise RuntimeError("expected exactly one captured request, got %d" % len(CAPTURE.requests))
        return CAPTURE.requests.pop()


# ---------------------------------------------------------------------------------
# Clock and nonce patching


class Clock:
    t = 0
    nonce = ""


def iso8601(t):
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeDatetime(_dt.datetime):
    @classmethod
    def utcnow(cls):
        return cls.fromtimestamp(Clock.t, _dt.timezone.utc).replace(tzinfo=None)

    @classmethod
    def now(cls, tz=None):
        return cls.fromtimestamp(Clock.t, tz) if tz else cls.utcnow()


class FakeTimeModule:
    """Stands in for `time` inside the Tencent client: time() is the fixture's clock."""

    def __getattr__(self, name):
        import time as real

        return getattr(real, name)

    @staticmethod
    def time():
        return float(Clock.t)


class Recorder:
    """Records the SDK's own intermediate signing values."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.sha256_inputs = []
        self.hmac_messages = []
        self.canonical_request = None
        self.string_to_sign = None


REC = Recorder()


class RecordingHashlib:
    def __getattr__(self, name):
        return getattr(hashlib, name)

    @staticmethod
    def sha256(data=b"", *a, **kw):
        REC.sha256_inputs.append(bytes(data))
        return hashlib.sha256(data, *a, **kw)


class RecordingHmac:
    def __getattr__(self, name):
        import hmac

        return getattr(hmac, name)

    @staticmethod
    def new(key, msg=None, digestmod=None):
        import hmac

        REC.hmac_messages.append(msg)
        return hmac.new(key, msg, digestmod)


class SeededUuid:
    """Stands in for `uuid` inside the Tencent client, so X-TC-TraceId follows the seed."""

    rng = random.Random(0)

    def __getattr__(self, name):
        import uuid

        return getattr(uuid, name)

    @classmethod
    def uuid4(cls):
        import uuid

        return uuid.UUID(int=cls.rng.getrandbits(128), version=4)


def install_patches(seed):
    # Huawei builds its User-Agent at import time and would store a random application
    # id under $HOME/.huaweicloud: import it without HOME so nothing is written and
    # the id is the SDK's fixed default.
    home = os.environ.pop("HOME", None)
    try:
        import huaweicloudsdkcore.http.user_agent  # noqa: F401
    finally:
        if home is not None:
            os.environ["HOME"] = home

    # Tencent: abstract_client reads time.time() and hashes with hashlib.sha256.
    from tencentcloud.common import abstract_client

    abstract_client.time = FakeTimeModule()
    SeededUuid.rng = random.Random(seed)
    abstract_client.uuid = SeededUuid()
    abstract_client.hashlib = RecordingHashlib()
    from tencentcloud.common import sign as tc_sign

    orig_sign_tc3 = tc_sign.Sign.sign_tc3

    def sign_tc3(secret_key, date, service, str2sign):
        REC.string_to_sign = str2sign
        return orig_sign_tc3(secret_key, date, service, str2sign)

    tc_sign.Sign.sign_tc3 = staticmethod(sign_tc3)

    # Alibaba Tea: Utils.get_timestamp / get_nonce; record hash and hmac inputs.
    from alibabacloud_tea_openapi import utils as tea_utils

    tea_utils.Utils.get_timestamp = staticmethod(lambda: iso8601(Clock.t))
    tea_utils.Utils.get_nonce = staticmethod(lambda: Clock.nonce)
    orig_hash = tea_utils.Utils.hash

    def tea_hash(raw, sign_type):
        REC.sha256_inputs.append(bytes(raw))
        return orig_hash(raw, sign_type)

    tea_utils.Utils.hash = staticmethod(tea_hash)
    tea_utils.hmac = RecordingHmac()

    # Legacy aliyun-python-sdk-core: parameter_helper's clock and uuid.
    from aliyunsdkcore.utils import parameter_helper
    from aliyunsdkcore.auth.composer import rpc_signature_composer

    parameter_helper.get_iso_8061_date = lambda: iso8601(Clock.t)
    parameter_helper.get_uuid = lambda: Clock.nonce
    orig_signed_url = rpc_signature_composer.get_signed_url

    def get_signed_url(*a, **kw):
        url, sts = orig_signed_url(*a, **kw)
        REC.string_to_sign = sts
        return url, sts

    rpc_signature_composer.get_signed_url = get_signed_url

    # Huawei: the signer's datetime.utcnow(); record the canonical request and string to sign.
    from huaweicloudsdkcore.signer import signer as hw_signer

    hw_signer.datetime = FakeDatetime
    S = hw_signer.Signer
    orig_cr = S._process_canonical_request
    orig_sts = S._process_string_to_sign

    def cr(self, request, signed_headers):
        REC.canonical_request = orig_cr(self, request, signed_headers)
        return REC.canonical_request

    def sts(self, canonical_request, t):
        REC.string_to_sign = orig_sts(self, canonical_request, t)
        return REC.string_to_sign

    S._process_canonical_request = cr
    S._process_string_to_sign = sts


# ---------------------------------------------------------------------------------
# Random parameter generation

TRICKY = [" ", "*", "~", "+", "/", ":", "=", "&", "%", "中文", "é", "😀", "'", '"', "!", "(", ")", ",", ";", "?", "#", "@", "$", "\\", "\t", "\n", "<", ">", "^", "`", "|", "{", "}", "[", "]", "\u00a0", "\u2028"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def chance(self, p):
        return self.r.random() < p

    def alnum(self, n, alphabet="abcdefghijklmnopqrstuvwxyz0123456789"):
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def text(self, lo=0, hi=24):
        """Free text with unicode, spaces and the characters encoders disagree on."""
        n = self.r.randint(lo, hi)
        parts = []
        for _ in range(n):
            if self.chance(0.3):
                parts.append(self.r.choice(TRICKY))
            else:
                parts.append(self.alnum(1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."))
        return "".join(parts)

    def some(self, f, lo=0, hi=4):
        return [f() for _ in range(self.r.randint(lo, hi))]

    def time(self):
        return self.r.randint(1_577_836_800, 1_893_456_000)  # 2020 .. 2030

    def nonce(self):
        return self.alnum(32, "0123456789abcdef")

    def fake_key(self, prefix):
        return prefix + "EXAMPLEFAKE" + self.alnum(8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    def fake_secret(self):
        return "fake-secret-" + self.alnum(self.r.randint(8, 30), "abcdefghijklmnopqrstuvwxyz0123456789+/")

    def fake_token(self):
        return "fake-token-" + self.alnum(self.r.randint(8, 60), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=")


# ---------------------------------------------------------------------------------
# Tencent Lighthouse (TC3-HMAC-SHA256)

LH_ACTIONS = ["DescribeInstances", "DescribeSnapshots", "ApplyInstanceSnapshot", "CreateInstanceSnapshot", "StopInstances", "StartInstances"]


def lh_params(g, action):
    lhins = lambda: "lhins-" + g.alnum(8)
    lhsnap = lambda: "lhsnap-" + g.alnum(8)
    filt = lambda names: {"Name": g.r.choice(names), "Values": g.some(g.text, 0, 3)}
    p = {}
    if action == "DescribeInstances":
        if g.chance(0.5):
            p["InstanceIds"] = g.some(lhins, 0, 4)
        if g.chance(0.6):
            p["Filters"] = g.some(lambda: filt(["instance-name", "instance-state", "zone", "tag-key", "tag-value", "tag:" + g.text(1, 6)]), 0, 3)
        if g.chance(0.5):
            p["Offset"] = g.r.randint(0, 200)
        if g.chance(0.5):
            p["Limit"] = g.r.randint(1, 100)
    elif action == "DescribeSnapshots":
        if g.chance(0.5):
            p["SnapshotIds"] = g.some(lhsnap, 0, 4)
        if g.chance(0.6):
            p["Filters"] = g.some(lambda: filt(["snapshot-id", "disk-id", "snapshot-name", "instance-id", "tag-key"]), 0, 3)
        if g.chance(0.5):
            p["Offset"] = g.r.randint(0, 200)
        if g.chance(0.5):
            p["Limit"] = g.r.randint(1, 100)
    elif action == "ApplyInstanceSnapshot":
        p = {"InstanceId": lhins(), "SnapshotId": lhsnap()}
    elif action == "CreateInstanceSnapshot":
        p["InstanceId"] = lhins()
        if g.chance(0.8):
            p["SnapshotName"] = g.text(0, 20)
        if g.chance(0.5):
            p["Tags"] = g.some(lambda: {"Key": g.text(1, 8), "Value": g.text(0, 8)}, 0, 3)
    elif action == "StopInstances":
        p["InstanceIds"] = g.some(lhins, 0, 4)
        if g.chance(0.6):
            p["StopType"] = g.r.choice(["SOFT", "HARD", "SOFT_FIRST"])
    elif action == "StartInstances":
        p["InstanceIds"] = g.some(lhins, 0, 4)
    return p


def gen_tc3(g, port, i):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.lighthouse.v20200324 import lighthouse_client, models

    action = LH_ACTIONS[i % len(LH_ACTIONS)]
    method = "GET" if g.chance(0.3) else "POST"
    t = g.time()
    sid, skey = g.fake_key("AKID"), g.fake_secret()
    token = g.fake_token() if g.chance(0.35) else None
    region = g.r.choice(["ap-guangzhou", "ap-shanghai", "ap-singapore", "ap-beijing"])
    raw = lh_params(g, action)

    req = getattr(models, action + "Request")()
    req._deserialize(raw)
    params = req._serialize()  # the SDK's own field order, None dropped

    cred = credential.Credential(sid, skey, token) if token else credential.Credential(sid, skey)
    hp = HttpProfile(endpoint="127.0.0.1:%d" % port, protocol="http", reqMethod=method)
    client = lighthouse_client.LighthouseClient(cred, region, ClientProfile(httpProfile=hp))

    Clock.t = t
    REC.reset()
    CAPTURE.response = (200, {"Content-Type": "application/json"}, json.dumps({"Response": {"RequestId": "fake-request-id"}}).encode())
    getattr(client, action)(req)
    sent = take_request()

    crs = [b for b in REC.sha256_inputs if b.startswith((method + "\n").encode())]
    canonical = crs[-1].decode("utf-8") if crs else None
    inp = {
        "provider": "tencent",
        "action": action,
        "params": params,
        "region": region,
        "endpoint": "127.0.0.1:%d" % port,
        "scheme": "http",
        "credentials": {"id": sid, "secret": skey, **({"token": token} if token else {})},
        "time": t,
    }
    if method == "GET":
        inp["method"] = "GET"
    return "tc3", "tencentcloud-sdk-python-lighthouse LighthouseClient (%s)" % method, inp, sent, canonical, REC.string_to_sign


# ---------------------------------------------------------------------------------
# Alibaba ECS (ACS3-HMAC-SHA256 and v1 HMAC-SHA1)

ECS_ACTIONS = ["DescribeInstances", "DescribeDisks", "DescribeSnapshots", "ResetDisk", "CreateSnapshot", "StopInstance", "StartInstance"]
ECS_REGIONS = ["cn-hangzhou", "cn-beijing", "cn-shanghai", "ap-southeast-1"]


def ecs_params(g, action, region):
    disk = lambda: "d-" + g.alnum(g.r.randint(8, 20))
    snap = lambda: "s-" + g.alnum(g.r.randint(8, 20))
    inst = lambda: "i-" + g.alnum(g.r.randint(8, 20))
    tags = lambda: g.some(lambda: {"Key": g.text(1, 8), "Value": g.text(0, 8)}, 1, 3)
    jarr = lambda f: g.some(f, 0, 3)
    p = {}
    if action == "DescribeInstances":
        p["RegionId"] = region
        if g.chance(0.5):
            p["InstanceIds"] = jarr(inst)
        if g.chance(0.4):
            p["Status"] = g.r.choice(["Running", "Stopped", "Pending"])
        if g.chance(0.4):
            p["ZoneId"] = region + "-" + g.alnum(1, "abcdefgh")
        if g.chance(0.4):
            p["Tag"] = tags()
        if g.chance(0.5):
            p["MaxResults"] = g.r.randint(1, 100)
        if g.chance(0.3):
            p["NextToken"] = g.text(0, 16)
    elif action == "DescribeDisks":
        p["RegionId"] = region
        if g.chance(0.5):
            p["DiskIds"] = jarr(disk)
        if g.chance(0.4):
            p["InstanceId"] = inst()
        if g.chance(0.4):
            p["DiskType"] = g.r.choice(["all", "system", "data"])
        if g.chance(0.3):
            p["Tag"] = tags()
        if g.chance(0.5):
            p["MaxResults"] = g.r.randint(10, 500)
    elif action == "DescribeSnapshots":
        p["RegionId"] = region
        if g.chance(0.4):
            p["InstanceId"] = inst()
        if g.chance(0.4):
            p["DiskId"] = disk()
        if g.chance(0.5):
            p["SnapshotIds"] = jarr(snap)
        if g.chance(0.4):
            p["SnapshotType"] = g.r.choice(["auto", "user", "all"])
        if g.chance(0.3):
            p["Tag"] = tags()
        if g.chance(0.5):
            p["MaxResults"] = g.r.randint(1, 100)
    elif action == "ResetDisk":
        p = {"DiskId": disk(), "SnapshotId": snap()}
        if g.chance(0.4):
            p["DryRun"] = g.chance(0.5)
    elif action == "CreateSnapshot":
        p["DiskId"] = disk()
        if g.chance(0.7):
            p["SnapshotName"] = g.text(2, 30)
        if g.chance(0.5):
            p["Description"] = g.text(2, 40)
        if g.chance(0.3):
            p["RetentionDays"] = g.r.randint(1, 65536)
        if g.chance(0.4):
            p["ClientToken"] = g.alnum(16)
        if g.chance(0.5):
            p["Tag"] = tags()
    elif action == "StopInstance":
        p["InstanceId"] = inst()
        if g.chance(0.4):
            p["ForceStop"] = g.chance(0.5)
        if g.chance(0.3):
            p["StoppedMode"] = g.r.choice(["KeepCharging", "StopCharging"])
        if g.chance(0.3):
            p["DryRun"] = g.chance(0.5)
    elif action == "StartInstance":
        p["InstanceId"] = inst()
        if g.chance(0.3):
            p["DryRun"] = g.chance(0.5)
    return p


JSON_ARRAY_PARAMS = ("DiskIds", "InstanceIds", "SnapshotIds")


def sdk_value(k, v):
    """How a `rewind sign` param is handed to an Alibaba SDK: the JSON-array parameters as
    the compact JSON string the SDK expects (what Rewind sends), booleans as the API's
    documented `true`/`false` (the SDKs would send Python's `True`)."""
    if k in JSON_ARRAY_PARAMS:
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def snake(name):
    out = ""
    for c in name:
        out += ("_" + c.lower()) if c.isupper() and out else c.lower()
    return out


# Query parameters Rewind's builder/signer produce itself for v1.
V1_OWN = {"Action", "Version", "Timestamp", "SignatureNonce", "SecurityToken", "SignatureMethod", "SignatureVersion", "AccessKeyId", "Signature"}
# Headers Rewind's ACS3 builder/signer produce itself.
ACS3_OWN = {"host", "x-acs-action", "x-acs-version", "accept", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "x-acs-security-token", "x-acs-accesskey-id", "authorization"}


def gen_tea(g, port, i, v2):
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_ecs20140526 import models as ecs_models
    from alibabacloud_tea_openapi import utils_models
    from darabonba.runtime import RuntimeOptions

    action = ECS_ACTIONS[i % len(ECS_ACTIONS)]
    t, nonce = g.time(), g.nonce()
    ak, sk = g.fake_key("LTAI"), g.fake_secret()
    token = g.fake_token() if g.chance(0.35) else None
    region = g.r.choice(ECS_REGIONS)
    params = ecs_params(g, action, region)

    cfg = utils_models.Config(
        access_key_id=ak,
        access_key_secret=sk,
        security_token=token,
        endpoint="127.0.0.1:%d" % port,
        protocol="http",
        region_id=region,
    )
    if v2:
        cfg.signature_algorithm = "v2"
    client = Client(cfg)
    req = getattr(ecs_models, action + "Request")().from_map({k: sdk_value(k, v) for k, v in params.items()})
    Clock.t, Clock.nonce = t, nonce
    REC.reset()
    CAPTURE.response = (200, {"Content-Type": "application/json"}, b'{"RequestId": "fake-request-id"}')
    getattr(client, snake(action) + "_with_options")(req, RuntimeOptions())
    sent = take_request()

    inp = {
        "provider": "alibaba-v1" if v2 else "alibaba",
        "action": action,
        "params": params,
        "region": region,
        "endpoint": "127.0.0.1:%d" % port,
        "scheme": "http",
        "credentials": {"id": ak, "secret": sk, **({"token": token} if token else {})},
        "time": t,
        "nonce": nonce,
    }
    sdk = "alibabacloud-ecs20140526 Client (%s)" % ("signature_algorithm=v2" if v2 else "ACS3 default")
    if v2:
        sts = next((m.decode() if isinstance(m, bytes) else m for m in REC.hmac_messages if m and (m[:5] in (b"POST&", "POST&"))), None)
        canonical = canonical_from_v1_sts(sts)
        add_v1_extras(inp, params, sent)
        return "acs-v1", sdk, inp, sent, canonical, sts
    crs = [b for b in REC.sha256_inputs if b.startswith(b"POST\n")]
    canonical = crs[-1].decode("utf-8") if crs else None
    sts = next((m.decode() if isinstance(m, bytes) else m for m in REC.hmac_messages if m and str(m[:4] if isinstance(m, str) else m[:4].decode()) == "ACS3"), None)
    extra = {}
    for k, v in sent["headers"]:
        if k.lower() not in ACS3_OWN:
            extra[k.lower()] = v
    # Only headers the SDK signed matter; keep them all (it signs every header it set).
    signed = signed_headers_of(sent)
    inp["headers"] = {k: v for k, v in extra.items() if k in signed}
    return "acs3", sdk, inp, sent, canonical, sts


def signed_headers_of(sent):
    auth = next((v for k, v in sent["headers"] if k.lower() == "authorization"), "")
    for part in auth.replace(",", " ").split():
        if part.startswith("SignedHeaders="):
            return set(part[len("SignedHeaders="):].split(";"))
    return set()


def canonical_from_v1_sts(sts):
    if not sts:
        return None
    from urllib.parse import unquote

    return unquote(sts.split("&", 2)[2])


def add_v1_extras(inp, params, sent):
    """Query parameters the SDK adds that Rewind does not (legacy SignatureType, RegionId,
    Format=json): passed as `query` so the signed set is the same."""
    from urllib.parse import parse_qsl

    extra = {}
    flat_keys = set()
    for k in params:
        flat_keys.add(k)
    for k, v in parse_qsl(urlsplit(sent["target"]).query, keep_blank_values=True):
        if k in V1_OWN or k in flat_keys or k.split(".")[0] in flat_keys:
            continue
        if k == "Format" and v == "JSON":
            continue
        extra[k] = v
    if extra:
        inp["query"] = extra


def gen_legacy(g, port, i):
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.auth.credentials import StsTokenCredential, AccessKeyCredential
    import importlib

    action = ECS_ACTIONS[i % len(ECS_ACTIONS)]
    t, nonce = g.time(), g.nonce()
    ak, sk = g.fake_key("LTAI"), g.fake_secret()
    token = g.fake_token() if g.chance(0.35) else None
    region = g.r.choice(ECS_REGIONS)
    params = ecs_params(g, action, region)

    cred = StsTokenCredential(ak, sk, token) if token else AccessKeyCredential(ak, sk)
    client = AcsClient(region_id=region, credential=cred, auto_retry=False)
    mod = importlib.import_module("aliyunsdkecs.request.v20140526.%sRequest" % action)
    req = getattr(mod, action + "Request")()
    req.set_endpoint("127.0.0.1:%d" % port)
    req.set_protocol_type("http")
    for k, v in params.items():
        setter = getattr(req, "set_Tags" if k == "Tag" else "set_" + k, None)
        if setter is None:  # RegionId: no setter, the client's region unless given
            req.add_query_param(k, sdk_value(k, v))
        else:
            setter(sdk_value(k, v))
    Clock.t, Clock.nonce = t, nonce
    REC.reset()
    CAPTURE.response = (200, {"Content-Type": "application/json"}, b'{"RequestId": "fake-request-id"}')
    client.do_action_with_exception(req)
    sent = take_request()
    sts = REC.string_to_sign
    inp = {
        "provider": "alibaba-v1",
        "action": action,
        "params": params,
        "region": region,
        "endpoint": "127.0.0.1:%d" % port,
        "scheme": "http",
        "credentials": {"id": ak, "secret": sk, **({"token": token} if token else {})},
        "time": t,
        "nonce": nonce,
    }
    add_v1_extras(inp, params, sent)
    return "acs-v1", "aliyun-python-sdk-core AcsClient + aliyun-python-sdk-ecs", inp, sent, canonical_from_v1_sts(sts), sts


# ---------------------------------------------------------------------------------
# Huawei Workspace (SDK-HMAC-SHA256)

WS_ACTIONS = ["ListDesktopSnapshot", "BatchRestoreDesktopSnapshot", "ShowJob"]
HW_OWN = {"host", "content-type", "x-project-id", "x-sdk-date", "x-security-token", "authorization"}


def ws_params(g, action):
    uuid = lambda: "%s-%s-%s-%s-%s" % (g.alnum(8, "0123456789abcdef"), g.alnum(4, "0123456789abcdef"), g.alnum(4, "0123456789abcdef"), g.alnum(4, "0123456789abcdef"), g.alnum(12, "0123456789abcdef"))
    p = {}
    if action == "ListDesktopSnapshot":
        if g.chance(0.4):
            p["desktop_id"] = uuid()
        if g.chance(0.4):
            p["desktop_ids"] = g.some(uuid, 1, 3)
        if g.chance(0.4):
            p["desktop_name"] = g.text(1, 16)
        if g.chance(0.4):
            p["snapshot_name"] = g.text(1, 16)
        if g.chance(0.3):
            p["disk_type"] = g.r.choice(["SYSTEM_DISK", "DATA_DISKS", "ALL"])
        if g.chance(0.3):
            p["create_type"] = g.r.choice(["AUTO", "MANUALLY"])
        if g.chance(0.3):
            p["status"] = g.r.choice(["creating", "create_success", "restoring"])
        if g.chance(0.3):
            p["sort_field"] = g.r.choice(["create_time", "snapshot_name"])
        if g.chance(0.3):
            p["sort_type"] = g.r.choice(["ASC", "DESC"])
        if g.chance(0.5):
            p["offset"] = g.r.randint(0, 500)
        if g.chance(0.5):
            p["limit"] = g.r.randint(1, 1000)
    elif action == "BatchRestoreDesktopSnapshot":
        p["snapshot_ids"] = g.some(uuid, 1, 4)
    elif action == "ShowJob":
        # Path parameter: include characters the path encoder must handle (never "/").
        p["job_id"] = g.r.choice([uuid(), g.text(1, 12).replace("/", "_") or "j"])
    return p


def gen_huawei(g, port, i):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkworkspace.v2 import WorkspaceClient
    from huaweicloudsdkworkspace.v2 import model as ws

    action = WS_ACTIONS[i % len(WS_ACTIONS)]
    t = g.time()
    ak, sk = g.fake_key("HW"), g.fake_secret()
    token = g.fake_token() if g.chance(0.35) else None
    project = g.alnum(32, "0123456789abcdef")
    region = g.r.choice(["cn-north-4", "cn-east-3", "ap-southeast-1"])
    params = ws_params(g, action)

    creds = BasicCredentials(ak, sk, project)
    if token:
        creds = creds.with_security_token(token)
    client = WorkspaceClient.new_builder().with_credentials(creds).with_endpoints(["http://127.0.0.1:%d" % port]).build()
    if action == "ListDesktopSnapshot":
        req = ws.ListDesktopSnapshotRequest(**params)
    elif action == "BatchRestoreDesktopSnapshot":
        req = ws.BatchRestoreDesktopSnapshotRequest(body=ws.BatchRestoreSnapshotReq(snapshot_ids=params["snapshot_ids"]))
    else:
        req = ws.ShowJobRequest(job_id=params["job_id"])
    Clock.t = t
    REC.reset()
    body = {"job_id": "fake-job"} if action == "BatchRestoreDesktopSnapshot" else {}
    CAPTURE.response = (200, {"Content-Type": "application/json", "X-Request-Id": "fake-request-id"}, json.dumps(body).encode())
    method = {"ListDesktopSnapshot": "list_desktop_snapshot", "BatchRestoreDesktopSnapshot": "batch_restore_desktop_snapshot", "ShowJob": "show_job"}[action]
    getattr(client, method)(req)
    sent = take_request()
    inp = {
        "provider": "huawei",
        "action": action,
        "params": params,
        "region": region,
        "endpoint": "127.0.0.1:%d" % port,
        "scheme": "http",
        "credentials": {"id": ak, "secret": sk, **({"token": token} if token else {}), "project_id": project},
        "time": t,
    }
    signed = signed_headers_of(sent)
    extra = {k: v for k, v in sent["headers"] if k.lower() not in HW_OWN and k.lower() in signed}
    if extra:
        inp["headers"] = extra
    return "sdk-hmac", "huaweicloudsdkworkspace WorkspaceClient", inp, sent, REC.canonical_request, REC.string_to_sign


# ---------------------------------------------------------------------------------


def signature_of(alg, sent):
    if alg == "acs-v1":
        from urllib.parse import parse_qsl

        return dict(parse_qsl(urlsplit(sent["target"]).query, keep_blank_values=True)).get("Signature")
    auth = next((v for k, v in sent["headers"] if k.lower() == "authorization"), "")
    for part in auth.replace(",", " ").split():
        if part.startswith("Signature="):
            return part[len("Signature="):]
    return None


def versions():
    names = [
        "tencentcloud-sdk-python-common",
        "tencentcloud-sdk-python-lighthouse",
        "alibabacloud-tea-openapi",
        "alibabacloud-ecs20140526",
        "aliyun-python-sdk-core",
        "aliyun-python-sdk-ecs",
        "huaweicloudsdkcore",
        "huaweicloudsdkworkspace",
    ]
    out = {}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            out[n] = None
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, default=50, help="fixtures per algorithm")
    args = ap.parse_args()

    install_patches(args.seed)
    srv = start_server()
    port = srv.server_address[1]
    os.makedirs(args.out, exist_ok=True)
    g = Gen(args.seed)
    vers = versions()
    producers = [
        ("tc3", lambda i: gen_tc3(g, port, i)),
        ("acs3", lambda i: gen_tea(g, port, i, v2=False)),
        ("acs-v1", lambda i: gen_tea(g, port, i // 2, v2=True) if i % 2 == 0 else gen_legacy(g, port, i // 2)),
        ("sdk-hmac", lambda i: gen_huawei(g, port, i)),
    ]
    written = 0
    for name, produce in producers:
        for i in range(args.count):
            alg, sdk, inp, sent, canonical, sts = produce(i)
            assert alg == name
            target = urlsplit(sent["target"])
            body = sent["body"]
            fixture = {
                "name": "%s-%04d" % (alg, i),
                "algorithm": alg,
                "seed": args.seed,
                "sdk": sdk,
                "sdk_versions": vers,
                "input": inp,
                "sent": {
                    "method": sent["method"],
                    "url": "http://127.0.0.1:%d%s" % (port, sent["target"]),
                    "path": target.path,
                    "raw_query": target.query,
                    "headers": sent["headers"],
                    "body": body.decode("utf-8"),
                },
                "sdk_signing": {
                    "canonical_request": canonical,
                    "string_to_sign": sts,
                    "signature": signature_of(alg, sent),
                },
            }
            with open(os.path.join(args.out, fixture["name"] + ".json"), "w", encoding="utf-8") as f:
                json.dump(fixture, f, ensure_ascii=False, indent=1)
                f.write("\n")
            written += 1
    srv.shutdown()
    print("wrote %d fixtures to %s (seed %d)" % (written, args.out, args.seed))


if __name__ == "__main__":
    sys.exit(main())
