"""Fixtures of the emulator conformance suite: one fresh emulator per session (see
emu_harness.py), and a fresh account (a key of the credentials file no other test used)
per test that asks for one."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import emu_clients  # noqa: E402
from emu_harness import REPO, Emulator  # noqa: E402


@pytest.fixture(scope="session")
def emu():
    binary = os.environ.get("REWIND_BIN") or "target/debug/rewind"
    if not os.path.isabs(binary):
        binary = os.path.join(os.getcwd(), binary) if os.path.exists(binary) else os.path.join(REPO, binary)
    e = Emulator(binary).start()
    try:
        yield e
    finally:
        e.stop()


@pytest.fixture
def lh(emu):
    """A LighthouseClient on a fresh Tencent account."""
    sid, skey = emu.keys.take("tencent")
    return emu_clients.lighthouse(emu, sid, skey)


@pytest.fixture(params=emu_clients.ECS_CLIENTS)
def ecs(emu, request):
    """Each Alibaba client (Tea ACS3, Tea v2, legacy AcsClient) on a fresh account."""
    ak, sk = emu.keys.take("alibaba")
    return emu_clients.ecs(request.param, emu, ak, sk)


@pytest.fixture
def ws(emu):
    """A WorkspaceClient on a fresh Huawei account (its one project holds the scenarios)."""
    ak, sk, project = emu.keys.take("huawei")
    c = emu_clients.workspace(emu, ak, sk, project)
    c.project_id = project
    return c


@pytest.fixture
def faults(emu):
    """Fault rules added by the test are cleared after it."""
    emu.clear_faults()
    yield emu
    emu.clear_faults()
