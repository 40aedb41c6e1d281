"""Harness of the proxy signature suite (conformance/test_proxy_signatures.py).

`Upstream` is a small HTTP server on 127.0.0.1 port 0 that stands in for the clouds: it
records every request exactly as it arrived (method, path, raw query string, headers in
order, body bytes) and answers a provider-shaped success body.

`Proxy` writes a temporary TOML config whose profiles (Tencent, Alibaba v3, Alibaba v1,
Huawei; with long-term keys, with a session token, and with an endpoint `host` to sign
for) all have `endpoint = { url = <the upstream> }`,
auth mode `none` on loopback and one allow-everything policy, and starts
`rewind serve --config FILE --listen 127.0.0.1:0` (binary from $REWIND_BIN, default
target/debug/rewind) in its own process group, with the obviously fake keys in
environment variables of the child only.

Nothing here ever reaches a real cloud: proxy variables are cleared, the child gets
NO_PROXY for loopback, and every endpoint is 127.0.0.1.
"""

import json
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from emu_harness import launch, stop_group

for _k in list(os.environ):
    if _k.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        del os.environ[_k]
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ------------------------------------------------------------------ fake keys

# Secrets carry characters that encoders and string-to-sign composers treat specially, so
# a leak in any encoding is caught (see Upstream.find_secret).
FAKE = {
    "tencent": ("AKIDSIGCONFORMANCEFAKE00000000000000", "fake/tencent+secret=NOT-REAL~0001"),
    "tencent_sts": ("AKIDSIGCONFORMANCEFAKESTS00000000000", "fake/tencent+tmp=NOT-REAL~0002", "fake-tencent-session-token/0002=="),
    "alibaba": ("LTAISIGCONFORMANCEFAKE01", "fake/alibaba+secret=NOT-REAL~0003"),
    "alibaba_sts": ("STS.SIGCONFORMANCEFAKE0004", "fake/alibaba+tmp=NOT-REAL~0004", "fake-alibaba-session-token/0004=="),
    "huawei": ("HWSIGCONFORMANCEFAKE0005", "fake/huawei+secret=NOT-REAL~0005"),
    "huawei_sts": ("HWSIGCONFORMANCEFAKESTS6", "fake/huawei+tmp=NOT-REAL~0006", "fake-huawei-session-token/0006=="),
}
HW_PROJECT = "c0f0000000000000000000000000fa4e"

# profile name -> (provider, signature or None, key entry, region)
PROFILES = {
    "sig-tencent": ("tencent", None, "tencent", "ap-guangzhou"),
    "sig-tencent-sts": ("tencent", None, "tencent_sts", "ap-singapore"),
    "sig-ecs-v3": ("alibaba", "v3", "alibaba", "cn-hangzhou"),
    "sig-ecs-v3-sts": ("alibaba", "v3", "alibaba_sts", "cn-shanghai"),
    "sig-ecs-v1": ("alibaba", "v1", "alibaba", "cn-hangzhou"),
    "sig-ecs-v1-sts": ("alibaba", "v1", "alibaba_sts", "cn-beijing"),
    "sig-workspace": ("huawei", None, "huawei", "cn-north-4"),
    "sig-workspace-sts": ("huawei", None, "huawei_sts", "cn-east-3"),
    # Connect to the upstream but sign for (and send as Host) a cloud name: the
    # endpoint's `host`. Still only 127.0.0.1 is ever contacted.
    "sig-tencent-host": ("tencent", None, "tencent", "ap-shanghai"),
    "sig-ecs-v3-host": ("alibaba", "v3", "alibaba", "cn-shenzhen"),
    "sig-ecs-v1-host": ("alibaba", "v1", "alibaba", "cn-shenzhen"),
    "sig-workspace-host": ("huawei", None, "huawei", "ap-southeast-1"),
}

# The `host` of the endpoint override, where given (`{region}` is the call's region).
SIGN_HOST = {
    "sig-tencent-host": "lighthouse.tencentcloudapi.com",
    "sig-ecs-v3-host": "ecs-vpc.{region}.aliyuncs.com",
    "sig-ecs-v1-host": "ecs-vpc.{region}.aliyuncs.com",
    "sig-workspace-host": "workspace.{region}.myhuaweicloud.com",
}


def expected_host(profile, upstream_port):
    region = PROFILES[profile][3]
    host = SIGN_HOST.get(profile)
    return host.replace("{region}", region) if host else "127.0.0.1:%d" % upstream_port


def secrets():
    """Every secret key (not ids or session tokens, which travel by design)."""
    return [v[1] for v in FAKE.values()]


# ------------------------------------------------------------------ upstream


class Recorded:
    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        parts = urlsplit(target)
        self.path = parts.path
        self.raw_query = parts.query
        self.headers = headers  # [(name, value)] in arrival order
        self.body = body

    def header(self, name):
        vals = [v for k, v in self.headers if k.lower() == name.lower()]
        assert len(vals) <= 1, "header %s sent %d times: %r" % (name, len(vals), vals)
        return vals[0] if vals else None

    def query_pairs(self):
        return parse_qsl(self.raw_query, keep_blank_values=True, strict_parsing=False)

    def raw_bytes(self):
        head = "%s %s\r\n" % (self.method, self.target) + "".join("%s: %s\r\n" % kv for kv in self.headers)
        return head.encode("utf-8", "surrogateescape") + b"\r\n" + self.body

    def __repr__(self):
        return "<%s %s headers=%r body=%r>" % (self.method, self.target, self.headers, self.body[:300])


class Upstream:
    def __init__(self):
        self.requests = []
        self.cond = threading.Condition()
        up = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                rec = Recorded(self.command, self.path, list(self.headers.items()), body)
                status, headers, payload = up.answer(rec)
                with up.cond:
                    up.requests.append(rec)
                    up.cond.notify_all()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def answer(rec):
        """A success body shaped like the provider's (see crates/cloud/src/error.rs)."""
        js = {"Content-Type": "application/json"}
        action = rec.header("X-TC-Action")
        if action is not None:
            return 200, js, json.dumps({"Response": {"RequestId": "sig-upstream-tc-" + action}}).encode()
        q = dict(rec.query_pairs())
        if "Action" in q or rec.header("x-acs-action") is not None:
            name = q.get("Action") or rec.header("x-acs-action")
            return 200, js, json.dumps({"RequestId": "sig-upstream-ecs-" + name}).encode()
        if rec.path.startswith("/v2/"):
            hw = dict(js, **{"X-Request-Id": "sig-upstream-hw"})
            if rec.path.rstrip("/").endswith("/snapshots/batch-restore"):
                return 200, hw, json.dumps({"job_id": "1792d3eb-35c6-4e99-8381-abfc8e02126b"}).encode()
            if "/workspace-jobs/" in rec.path:
                return 200, hw, json.dumps({"id": rec.path.rstrip("/").rsplit("/", 1)[1], "status": "SUCCESS", "job_type": "BATCH_RESTORE_DESKTOP_SNAPSHOT"}).encode()
            return 200, hw, json.dumps({"snapshots": [], "total_count": 0}).encode()
        return 404, js, b'{"error_code": "SIG.404", "error_msg": "not a known shape"}'

    def take(self, after, deadline_s=10):
        """The requests recorded after index `after`, waiting (with a deadline) for one."""
        end = time.monotonic() + deadline_s
        with self.cond:
            while len(self.requests) <= after:
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError("the upstream saw no request within %ss" % deadline_s)
                self.cond.wait(left)
            return list(self.requests[after:])

    def count(self):
        with self.cond:
            return len(self.requests)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# ------------------------------------------------------------------ the proxy


def toml_str(s):
    return json.dumps(s)  # a JSON string is a valid TOML basic string for these values


def config_text(upstream_url):
    lines = ['mode = "portal"', "", "[auth]", 'mode = "none"', ""]
    for name, (provider, sig, key, region) in PROFILES.items():
        env = name.upper().replace("-", "_")
        creds = "id_env = %s, secret_env = %s" % (toml_str(env + "_ID"), toml_str(env + "_SECRET"))
        if len(FAKE[key]) == 3:
            creds += ", token_env = %s" % toml_str(env + "_TOKEN")
        lines += [
            "[[profiles]]",
            "name = %s" % toml_str(name),
            "provider = %s" % toml_str(provider),
            "regions = [%s]" % toml_str(region),
            "credentials = { %s }" % creds,
            "endpoint = { url = %s%s }" % (toml_str(upstream_url), ", host = %s" % toml_str(SIGN_HOST[name]) if name in SIGN_HOST else ""),
        ]
        if sig:
            lines.append("signature = %s" % toml_str(sig))
        if provider == "huawei":
            lines.append("project_ids = { %s = %s }" % (toml_str(region), toml_str(HW_PROJECT)))
        lines.append("")
    lines += ["[[policy]]", 'users = ["*"]', 'profiles = ["*"]', 'actions = ["*"]', ""]
    return "\n".join(lines)


def child_env():
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    for k in list(env):
        if k.startswith("REWIND_"):  # REWIND_LISTEN etc. would override the file
            del env[k]
    env.setdefault("RUST_LOG", "info")
    env["NO_COLOR"] = "1"
    for name, (_p, _s, key, _r) in PROFILES.items():
        pfx = name.upper().replace("-", "_")
        vals = FAKE[key]
        env[pfx + "_ID"], env[pfx + "_SECRET"] = vals[0], vals[1]
        if len(vals) == 3:
            env[pfx + "_TOKEN"] = vals[2]
    return env


def rewind_binary():
    binary = os.environ.get("REWIND_BIN") or "target/debug/rewind"
    if not os.path.isabs(binary):
        binary = os.path.abspath(binary) if os.path.exists(binary) else os.path.join(REPO, binary)
    return binary


class Proxy:
    def __init__(self, upstream_url, binary=None):
        self.binary = binary or rewind_binary()
        self.dir = tempfile.mkdtemp(prefix="rewind-sig-")
        self.config_path = os.path.join(self.dir, "rewind.toml")
        with open(self.config_path, "w") as f:
            f.write(config_text(upstream_url))
        self.proc = None
        self.url = None
        self._log = None

    def start(self, timeout=30):
        if not os.path.isfile(self.binary):
            raise RuntimeError("no rewind binary at %s (build it: cargo build -p rewind-proxy --bin rewind, or set REWIND_BIN)" % self.binary)
        self.log_path = os.path.join(self.dir, "rewind.log")
        self._log = open(self.log_path, "wb")
        self.proc, self.url, first = launch(
            [self.binary, "serve", "--config", self.config_path, "--listen", "127.0.0.1:0"],
            self._log,
            "rewind listening on ",
            timeout,
            cwd=self.dir,  # no dist/ here: the API only
            env=child_env(),
        )
        if self.url is None:
            self.stop()
            raise RuntimeError("rewind serve did not announce its address (first line %r); log: %s" % (first, self.log_tail()))
        assert self.url.startswith("http://127.0.0.1:"), self.url
        return self

    def log_tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def call(self, profile, region, action, params, timeout=20):
        body = json.dumps({"profile": profile, "region": region, "action": action, "params": params}).encode()
        req = urllib.request.Request(self.url + "/api/v1/call", data=body, method="POST")
        req.add_header("Content-Type", "application/json")
        req.add_header("X-Rewind-Request", "1")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=timeout) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def stop(self):
        stop_group(self.proc)
        if self._log:
            self._log.close()
            self._log = None
