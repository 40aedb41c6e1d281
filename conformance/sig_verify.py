"""Recomputes the signature of a request the proxy sent with the official SDKs' own signing
code (the pinned venv: conformance/requirements.txt), never with a reimplementation.

  TC3-HMAC-SHA256   tencentcloud.common.abstract_client.AbstractClient._get_tc3_signature
                    (canonical request + string to sign) -> tencentcloud.common.sign.Sign.sign_tc3
  ACS3-HMAC-SHA256  alibabacloud_tea_openapi.utils.Utils.get_authorization (canonical query,
                    headers, request, string to sign, Authorization value) with the payload
                    hash from Utils.hash / Utils.hex_encode
  ACS v1 (RPC)      aliyunsdkcore.auth.composer.rpc_signature_composer's string-to-sign
                    composer and __get_signature (aliyunsdkcore.auth.algorithm.sha_hmac1),
                    and, independently, alibabacloud_tea_openapi.utils.Utils.get_rpcsignature
  SDK-HMAC-SHA256   huaweicloudsdkcore.signer.signer.Signer.sign on an SdkRequest holding the
                    headers the request declares signed (its _process_signed_headers,
                    _process_canonical_request, _process_string_to_sign, _sign_string_to_sign)

Each verifier takes a `sig_harness.Recorded` request and the keys, returns a dict of what it
computed (for messages), and raises AssertionError on any difference.
"""

import datetime as _dt
import os
from urllib.parse import unquote


def _import_huawei():
    # Huawei's SDK builds its User-Agent at import time and would store a random
    # application id under $HOME/.huaweicloud: import it without HOME (as
    # gen_sign_fixtures.py does) so nothing is written.
    home = os.environ.pop("HOME", None)
    try:
        import huaweicloudsdkcore.http.user_agent  # noqa: F401
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkcore.sdk_request import SdkRequest
        from huaweicloudsdkcore.signer.signer import Signer
    finally:
        if home is not None:
            os.environ["HOME"] = home
    return BasicCredentials, SdkRequest, Signer


def strict_query_pairs(raw_query):
    """The query as (name, value) pairs, percent-decoded (RFC 3986: '+' is not a space).
    A literal '+' would be read as a space by form decoders, so none may be sent."""
    if raw_query == "":
        return []
    assert "+" not in raw_query, "literal '+' in the query string is ambiguous: %r" % raw_query
    pairs = []
    for part in raw_query.split("&"):
        k, sep, v = part.partition("=")
        pairs.append((unquote(k, errors="strict"), unquote(v, errors="strict")))
    return pairs


def _unique_dict(pairs, what):
    names = [k for k, _ in pairs]
    dupes = sorted({k for k in names if names.count(k) > 1})
    assert not dupes, "%s repeats %r" % (what, dupes)
    return dict(pairs)


def _auth_fields(value, sep):
    """'ALG K1=v1<sep>K2=v2...' -> (ALG, {K: v})."""
    assert value, "no Authorization header"
    alg, _, rest = value.partition(" ")
    fields = {}
    for part in rest.split(sep):
        k, _, v = part.strip().partition("=")
        fields[k] = v
    return alg, fields


# ------------------------------------------------------------------ Tencent TC3


def verify_tc3(rec, secret_id, secret_key, service="lighthouse", token=None):
    from tencentcloud.common.abstract_client import AbstractClient
    from tencentcloud.common.http.request import RequestInternal

    auth = rec.header("Authorization")
    alg, f = _auth_fields(auth, ",")
    assert alg == "TC3-HMAC-SHA256", auth
    cred_id, date, svc, term = f["Credential"].split("/")
    timestamp = rec.header("X-TC-Timestamp")
    assert cred_id == secret_id and term == "tc3_request", auth
    assert svc == service, auth
    # The date of the credential scope is the UTC day of X-TC-Timestamp (as the SDK derives it).
    want_date = _dt.datetime.fromtimestamp(int(timestamp), _dt.timezone.utc).strftime("%Y-%m-%d")
    assert date == want_date, (date, want_date)
    # The SDK's TC3 code signs exactly these two headers.
    assert f["SignedHeaders"] == "content-type;host", auth
    assert rec.header("X-TC-Token") == token, "X-TC-Token %r, want %r" % (rec.header("X-TC-Token"), token)

    # The request as the SDK models it, from what arrived: body for POST, query for GET.
    req = RequestInternal(
        host=rec.header("Host"),
        method=rec.method,
        uri=rec.path,
        header={"Content-Type": rec.header("Content-Type"), "Host": rec.header("Host"), "X-TC-Timestamp": timestamp},
        data=rec.raw_query if rec.method == "GET" else rec.body,
    )
    # _get_tc3_signature does not use the client instance: call it unbound.
    sdk_sig = AbstractClient._get_tc3_signature(object(), None, req, date, service, secret_key)
    assert f["Signature"] == sdk_sig, "TC3 signature %s, the SDK computes %s" % (f["Signature"], sdk_sig)
    # The whole header, in the layout AbstractClient._build_req_with_tc3_signature writes.
    want = "TC3-HMAC-SHA256 Credential=%s/%s/%s/tc3_request, SignedHeaders=content-type;host, Signature=%s" % (secret_id, date, service, sdk_sig)
    assert auth == want, (auth, want)
    return {"signature": sdk_sig}


# ------------------------------------------------------------------ Alibaba ACS3

ACS3_MUST_SIGN = {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}


def verify_acs3(rec, ak, secret, token=None):
    from alibabacloud_tea_openapi.utils import Utils
    from darabonba.request import DaraRequest

    auth = rec.header("Authorization")
    alg, f = _auth_fields(auth, ",")
    assert alg == "ACS3-HMAC-SHA256", auth
    assert f["Credential"] == ak, auth
    signed = f["SignedHeaders"].split(";")
    assert signed == sorted(set(signed)), "SignedHeaders not sorted/unique: %r" % signed
    must = ACS3_MUST_SIGN | ({"x-acs-security-token"} if token else set())
    assert must <= set(signed), "unsigned: %r" % sorted(must - set(signed))
    # Tea signs every x-acs-* header it sends; so must the proxy.
    sent_acs = {k.lower() for k, _ in rec.headers if k.lower().startswith("x-acs-")}
    assert sent_acs <= set(signed), "x-acs headers sent unsigned: %r" % sorted(sent_acs - set(signed))
    assert rec.header("x-acs-security-token") == token

    payload = Utils.hex_encode(Utils.hash(rec.body, "ACS3-HMAC-SHA256"))
    assert rec.header("x-acs-content-sha256") == payload, "x-acs-content-sha256 is not the body's hash"

    req = DaraRequest()
    req.method = rec.method
    req.pathname = rec.path
    req.query = _unique_dict(strict_query_pairs(rec.raw_query), "the query")
    req.headers = {}
    for name in signed:
        v = rec.header(name)
        assert v is not None, "signed header %s was not sent" % name
        req.headers[name] = v
    want = Utils.get_authorization(req, "ACS3-HMAC-SHA256", payload, ak, secret)
    assert auth == want, "Authorization\n  sent %s\n  SDK  %s" % (auth, want)
    return {"authorization": want}


# ------------------------------------------------------------------ Alibaba v1 (RPC)


def verify_acs_v1(rec, ak, secret, token=None):
    from aliyunsdkcore.auth.algorithm import sha_hmac1
    from aliyunsdkcore.auth.composer import rpc_signature_composer as rpc
    from alibabacloud_tea_openapi.utils import Utils

    params = _unique_dict(strict_query_pairs(rec.raw_query), "the query")
    sent_sig = params.pop("Signature", None)
    assert sent_sig, "no Signature query parameter"
    assert rec.header("Authorization") is None, "v1 carries its signature in the query only"
    assert params.get("AccessKeyId") == ak
    assert params.get("SignatureMethod") == sha_hmac1.get_signer_name()
    assert params.get("SignatureVersion") == sha_hmac1.get_signer_version()
    assert params.get("Timestamp") and params.get("SignatureNonce")
    assert params.get("SecurityToken") == token
    # The legacy SDK signs query and form-body parameters together; the proxy sends no body.
    assert rec.body == b"", "unexpected v1 body %r" % rec.body[:200]

    compose = getattr(rpc, "__compose_string_to_sign")
    get_signature = getattr(rpc, "__get_signature")
    string_to_sign = compose(rec.method, dict(params))
    legacy = get_signature(string_to_sign, secret, sha_hmac1)
    assert sent_sig == legacy, "v1 Signature %s, aliyunsdkcore computes %s (string to sign %r)" % (sent_sig, legacy, string_to_sign)
    tea = Utils.get_rpcsignature(dict(params), rec.method, secret)
    assert sent_sig == tea, "v1 Signature %s, Tea get_rpcsignature computes %s" % (sent_sig, tea)
    return {"signature": legacy, "string_to_sign": string_to_sign}


# ------------------------------------------------------------------ Huawei SDK-HMAC

HW_MUST_SIGN = {"host", "x-sdk-date", "x-project-id"}


def verify_sdk_hmac(rec, ak, sk, project_id, token=None):
    BasicCredentials, SdkRequest, Signer = _import_huawei()

    auth = rec.header("Authorization")
    alg, f = _auth_fields(auth, ",")
    assert alg == "SDK-HMAC-SHA256", auth
    assert f["Access"] == ak, auth
    signed = f["SignedHeaders"].split(";")
    must = HW_MUST_SIGN | ({"x-security-token"} if token else set())
    assert must <= set(signed), "unsigned: %r" % sorted(must - set(signed))
    assert rec.header("X-Project-Id") == project_id
    assert rec.header("X-Security-Token") == token

    headers = {}
    for name in signed:
        v = rec.header(name)
        assert v is not None, "signed header %s was not sent" % name
        headers[name] = v
    req = SdkRequest(
        method=rec.method,
        schema="http",
        host=rec.header("Host"),
        resource_path=rec.path,
        query_params=strict_query_pairs(rec.raw_query),
        header_params=headers,
        body=rec.body or None,
    )
    creds = BasicCredentials(ak, sk, project_id)
    signer = Signer(creds)
    # The SDK's own signed-header list from the declared headers: must be the declared one.
    assert signer._process_signed_headers(req) == signed, (signer._process_signed_headers(req), signed)
    signer.sign(req)  # reads X-Sdk-Date and Host from the headers, writes Authorization
    want = req.header_params["Authorization"]
    assert auth == want, "Authorization\n  sent %s\n  SDK  %s" % (auth, want)
    return {"authorization": want}
