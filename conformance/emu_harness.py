"""Harness of the emulator conformance suite (conformance/test_emulator.py).

Starts a fresh `rewind emulator` (binary from $REWIND_BIN, default target/debug/rewind)
on 127.0.0.1 port 0 with a credentials file of obviously fake keys written here, and
builds the official SDK clients pointed at it.

Isolation: the emulator gives every access key its own account, seeded with the same
demo world. The credentials file therefore holds a pool of keys per provider and every
test takes a fresh one (`Emulator.account(...)`), so mutating tests never see each
other's changes and the suite passes in any order and twice in a row.

Nothing here ever reaches a real cloud: proxy variables are cleared and every endpoint
is 127.0.0.1.
"""

import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request

# Never talk to anything but the loopback emulator.
for _k in list(os.environ):
    if _k.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        del os.environ[_k]
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# How many fresh accounts per provider the credentials file offers.
POOL = 250

LH_REGION = "ap-guangzhou"
ECS_REGION = "cn-hangzhou"


def fake_key(prefix, n, width):
    s = "%sCONFORMANCEFAKE%04d" % (prefix, n)
    return (s + "0" * width)[: max(width, len(s))]



def launch(cmd, log_file, prefix, timeout, **popen_kwargs):
    """Starts a `rewind` subcommand in its own process group and reads the address it
    announces as its first stdout line (`<prefix>http://ADDR/`).

    Returns (process, url without the trailing slash or None, first line). Stdout is
    then drained in the background so the child never blocks on a full pipe."""
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=log_file,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, killed as a whole at the end
        **popen_kwargs,
    )
    line = [None]

    def read():
        line[0] = proc.stdout.readline().decode("utf-8", "replace").strip()

    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(timeout)
    first = line[0]
    if not first or not first.startswith(prefix):
        return proc, None, first
    threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
    return proc, first[len(prefix):].rstrip("/"), first


def stop_group(proc):
    """SIGTERMs a child started in its own process group, then SIGKILLs it if it lingers."""
    if proc and proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

class Keys:
    """The fake key pool written into the credentials file."""

    def __init__(self):
        self.tencent = [(fake_key("AKID", i, 36), "conformance-fake-tencent-key-%04d" % i) for i in range(POOL)]
        self.tencent_sts = ("AKIDCONFORMANCEFAKESTS00000000000000", "conformance-fake-tencent-tmp-key", "conformance-fake-tencent-sts-token")
        self.alibaba = [(fake_key("LTAI", i, 24), "conformance-fake-alibaba-secret-%04d" % i) for i in range(POOL)]
        self.alibaba_sts = ("STS.CONFORMANCEFAKE0000001", "conformance-fake-alibaba-tmp-secret", "conformance-fake-alibaba-sts-token")
        # Huawei: AK, SK, project id (32 hex digits, fake), and a token-bound AK.
        self.huawei = [
            ("HWCONFORMANCEFAKE%04d" % i, "conformance-fake-huawei-sk-%04d" % i, "c0f0000000000000000000000000%04d" % i)
            for i in range(POOL)
        ]
        self.huawei_sts = ("HWCONFORMANCEFAKESTS", "conformance-fake-huawei-tmp-sk", "c0f00000000000000000000000005757", "conformance-fake-huawei-sts-token")
        self._next = {"tencent": 0, "alibaba": 0, "huawei": 0}
        self._lock = threading.Lock()

    def file_json(self):
        tencent = {k: s for k, s in self.tencent}
        sid, skey, tok = self.tencent_sts
        tencent[sid] = {"secret": skey, "token": tok}
        alibaba = {k: s for k, s in self.alibaba}
        ak, sk, tok = self.alibaba_sts
        alibaba[ak] = {"secret": sk, "token": tok}
        huawei = {ak: {"secret": sk, "project_id": pid} for ak, sk, pid in self.huawei}
        ak, sk, pid, tok = self.huawei_sts
        huawei[ak] = {"secret": sk, "project_id": pid, "token": tok}
        return {"tencent": tencent, "alibaba": alibaba, "huawei": huawei}

    def take(self, provider):
        """A key no other test has used: its account is a freshly seeded demo world."""
        with self._lock:
            i = self._next[provider]
            pool = getattr(self, provider)
            if i >= len(pool):
                raise RuntimeError("the %s key pool is exhausted; raise POOL" % provider)
            self._next[provider] = i + 1
            return pool[i]


class Emulator:
    def __init__(self, binary):
        self.binary = binary
        self.keys = Keys()
        self.dir = tempfile.mkdtemp(prefix="rewind-conformance-")
        self.creds_path = os.path.join(self.dir, "credentials.json")
        with open(self.creds_path, "w") as f:
            json.dump(self.keys.file_json(), f)
        self.proc = None
        self.url = None
        self.port = None
        self._stderr = None

    def start(self, timeout=30):
        if not os.path.isfile(self.binary):
            raise RuntimeError("no emulator binary at %s (build it: cargo build -p rewind-proxy --bin rewind, or set REWIND_BIN)" % self.binary)
        self._stderr = open(os.path.join(self.dir, "emulator.log"), "wb")
        self.proc, self.url, first = launch(
            [self.binary, "emulator", "--listen", "127.0.0.1:0", "--world", "demo", "--credentials", self.creds_path, "--faults"],
            self._stderr,
            "rewind emulator listening on ",
            timeout,
        )
        if self.url is None:
            self.stop()
            raise RuntimeError("the emulator did not announce its address (first line %r); log in %s" % (first, self.dir))
        host, port = self.url.split("://", 1)[1].split(":")
        assert host == "127.0.0.1", self.url
        self.port = int(port)
        self.endpoint = "127.0.0.1:%d" % self.port
        return self

    def stop(self):
        stop_group(self.proc)
        if self._stderr:
            self._stderr.close()

    # ---------------------------------------------------------------- admin

    def admin(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/__emulator/" + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def add_fault(self, rule):
        return self.admin("POST", "faults", rule)

    def clear_faults(self):
        return self.admin("DELETE", "faults")


def poll(fetch, done, deadline_s=30, interval_s=0.2, what="condition"):
    """Calls fetch() until done(value) is true or the deadline passes; returns the value."""
    end = time.monotonic() + deadline_s
    last = None
    while True:
        last = fetch()
        if done(last):
            return last
        if time.monotonic() >= end:
            raise AssertionError("timed out after %ss waiting for %s; last value: %r" % (deadline_s, what, last))
        time.sleep(interval_s)
