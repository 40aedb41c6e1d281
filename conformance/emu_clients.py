"""The official SDK clients of the conformance suite, pointed at the local emulator.

Every call goes through the SDK's real client object and request models; every error is
caught as the SDK's own exception type and its code read through the SDK's own accessor.
"""

import importlib
import json

import pytest

from emu_harness import ECS_REGION, LH_REGION


# ---------------------------------------------------------------- Tencent Lighthouse


def lighthouse(emu, sid, skey, token=None, region=LH_REGION):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.lighthouse.v20200324 import lighthouse_client

    cred = credential.Credential(sid, skey, token) if token else credential.Credential(sid, skey)
    hp = HttpProfile(endpoint=emu.endpoint, protocol="http")
    return Lighthouse(lighthouse_client.LighthouseClient(cred, region, ClientProfile(httpProfile=hp)))


class Lighthouse:
    """LighthouseClient with the SDK's typed request models; answers as dicts."""

    def __init__(self, client):
        self.client = client

    def call(self, action, **params):
        from tencentcloud.lighthouse.v20200324 import models

        req = getattr(models, action + "Request")()
        req._deserialize(params)
        resp = getattr(self.client, action)(req)
        return json.loads(resp.to_json_string())

    def raw(self, action, params):
        """The SDK's generic call (for what the typed models cannot express)."""
        return self.client.call_json(action, params)

    def error(self, code, action, **params):
        return self.expect(code, lambda: self.call(action, **params))

    @staticmethod
    def expect(code, f):
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

        with pytest.raises(TencentCloudSDKException) as ei:
            f()
        assert ei.value.get_code() == code, "expected %s, got %s: %s" % (code, ei.value.get_code(), ei.value.get_message())
        assert ei.value.get_request_id(), "no RequestId in %r" % ei.value
        return ei.value


# ---------------------------------------------------------------- Alibaba ECS

ECS_CLIENTS = ["tea-acs3", "tea-v2", "legacy"]


def ecs(kind, emu, ak, sk, token=None, region=ECS_REGION):
    if kind in ("tea-acs3", "tea-v2"):
        from alibabacloud_ecs20140526.client import Client
        from alibabacloud_tea_openapi import utils_models

        cfg = utils_models.Config(
            access_key_id=ak,
            access_key_secret=sk,
            security_token=token,
            endpoint=emu.endpoint,
            protocol="http",
            region_id=region,
        )
        if kind == "tea-v2":
            cfg.signature_algorithm = "v2"
        return TeaEcs(kind, Client(cfg), region)
    if kind == "legacy":
        from aliyunsdkcore.auth.credentials import AccessKeyCredential, StsTokenCredential
        from aliyunsdkcore.client import AcsClient

        cred = StsTokenCredential(ak, sk, token) if token else AccessKeyCredential(ak, sk)
        return LegacyEcs(AcsClient(region_id=region, credential=cred, auto_retry=False), emu.endpoint, region)
    raise ValueError(kind)


def snake(name):
    out = ""
    for c in name:
        out += ("_" + c.lower()) if c.isupper() and out else c.lower()
    return out


class TeaEcs:
    """alibabacloud_ecs20140526 Client (ACS3 by default, HMAC-SHA1 with signature_algorithm="v2")."""

    def __init__(self, kind, client, region):
        self.kind = kind
        self.client = client
        self.region = region

    def call(self, action, **params):
        from alibabacloud_ecs20140526 import models
        from darabonba.runtime import RuntimeOptions

        req = getattr(models, action + "Request")().from_map(params)
        resp = getattr(self.client, snake(action) + "_with_options")(req, RuntimeOptions())
        return resp.body.to_map()

    def generic(self, action, query, version="2014-05-26"):
        """Client.call_api: the SDK's generic RPC call, for actions it has no model of."""
        from alibabacloud_tea_openapi import utils_models
        from darabonba.runtime import RuntimeOptions

        p = utils_models.Params(
            action=action, version=version, protocol="HTTPS", pathname="/", method="POST",
            auth_type="AK", style="RPC", req_body_type="formData", body_type="json",
        )
        return self.client.call_api(p, utils_models.OpenApiRequest(query=query), RuntimeOptions())

    def expect(self, code, f, status=None):
        from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
        from Tea.exceptions import TeaException

        with pytest.raises(AlibabaCloudException) as ei:
            f()
        e = ei.value
        assert isinstance(e, TeaException)
        assert e.code == code, "expected %s, got %s: %s" % (code, e.code, e.message)
        if status is not None:
            assert e.status_code == status, "%s: HTTP %s, expected %s" % (code, e.status_code, status)
        assert e.request_id
        return e

    def error(self, code, action, status=None, **params):
        return self.expect(code, lambda: self.call(action, **params), status)


class LegacyEcs:
    """aliyun-python-sdk-core AcsClient with the aliyun-python-sdk-ecs request classes."""

    kind = "legacy"

    def __init__(self, client, endpoint, region):
        self.client = client
        self.endpoint = endpoint
        self.region = region

    def _prepare(self, req):
        req.set_endpoint(self.endpoint)
        req.set_protocol_type("http")
        return req

    def call(self, action, **params):
        mod = importlib.import_module("aliyunsdkecs.request.v20140526.%sRequest" % action)
        req = self._prepare(getattr(mod, action + "Request")())
        for k, v in params.items():
            setter = getattr(req, "set_Tags" if k == "Tag" else "set_" + k, None)
            if setter is None:  # RegionId: no setter; the client's region unless given
                req.add_query_param(k, v)
            else:
                setter(v)
        return json.loads(self.client.do_action_with_exception(req))

    def generic(self, action, query, version="2014-05-26"):
        from aliyunsdkcore.request import CommonRequest

        req = self._prepare(CommonRequest(domain=self.endpoint, version=version, action_name=action))
        req.set_method("POST")
        for k, v in query.items():
            req.add_query_param(k, v)
        return json.loads(self.client.do_action_with_exception(req))

    def expect(self, code, f, status=None):
        from aliyunsdkcore.acs_exception.exceptions import ServerException

        with pytest.raises(ServerException) as ei:
            f()
        e = ei.value
        assert e.get_error_code() == code, "expected %s, got %s: %s" % (code, e.get_error_code(), e.get_error_msg())
        if status is not None:
            assert e.get_http_status() == status, "%s: HTTP %s, expected %s" % (code, e.get_http_status(), status)
        assert e.get_request_id()
        return e

    def error(self, code, action, status=None, **params):
        return self.expect(code, lambda: self.call(action, **params), status)


# ---------------------------------------------------------------- Huawei Workspace


def workspace(emu, ak, sk, project_id, token=None, http_config=None):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkworkspace.v2 import WorkspaceClient

    creds = BasicCredentials(ak, sk, project_id)
    if token:
        creds = creds.with_security_token(token)
    builder = WorkspaceClient.new_builder().with_credentials(creds).with_endpoints([emu.url])
    if http_config is not None:
        builder = builder.with_http_config(http_config)
    client = builder.build()
    return Workspace(client)


class Workspace:
    def __init__(self, client):
        self.client = client

    def list_snapshots(self, **query):
        from huaweicloudsdkworkspace.v2 import model as ws

        resp = self.client.list_desktop_snapshot(ws.ListDesktopSnapshotRequest(**query))
        return resp.to_json_object()

    def restore(self, snapshot_ids):
        from huaweicloudsdkworkspace.v2 import model as ws

        body = ws.BatchRestoreSnapshotReq(snapshot_ids=snapshot_ids)
        return self.client.batch_restore_desktop_snapshot(ws.BatchRestoreDesktopSnapshotRequest(body=body)).to_json_object()

    def show_job(self, job_id):
        from huaweicloudsdkworkspace.v2 import model as ws

        return self.client.show_job(ws.ShowJobRequest(job_id=job_id)).to_json_object()

    @staticmethod
    def expect(code, status, f):
        from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException

        with pytest.raises((ClientRequestException, ServerResponseException)) as ei:
            f()
        e = ei.value
        if status < 500:
            assert isinstance(e, ClientRequestException), type(e)
        else:
            assert isinstance(e, ServerResponseException), type(e)
        assert e.error_code == code, "expected %s, got %s: %s" % (code, e.error_code, e.error_msg)
        assert e.status_code == status, "%s: HTTP %s, expected %s" % (code, e.status_code, status)
        assert e.request_id
        return e
