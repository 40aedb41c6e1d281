//! The relay transport: a call is validated with the proxy's rules, built for the
//! host the relay allows, signed here with the user's keys (the same code the proxy
//! signs with) and posted to `/relay`, which forwards it unchanged; the answer is read
//! as the proxy reads the cloud's. The proxy never sees a secret.

use super::hosts::Relay;
use super::keys::ProviderKeys;
use crate::api::{self, Answer, Failure, RequestError};
use crate::i18n::Msg;
use rewind_cloud::call::{self, CallError, CallFacts, Outcome};
use rewind_cloud::error::CloudError;
use rewind_cloud::validate::{ValidateOptions, validate_params};
use rewind_cloud::wire::RelayRequest;
use rewind_cloud::{Action, HttpRequest, Lang, Provider, Text};
use serde_json::Value;

// ====================================================================== building

/// A failure found before anything was sent, explained in both languages.
fn local_failure(code: &str, message: String, explanation: Text, remedy: Msg) -> Box<Failure> {
    Box::new(Failure::local(code, message, explanation, msg_text(remedy)))
}

pub(super) fn msg_text(m: Msg) -> Text {
    Text::new(m.text(Lang::En), m.text(Lang::Zh))
}

/// A request built, validated and signed, ready to relay or show.
#[derive(Debug, Clone, PartialEq)]
pub struct Signed {
    pub action: Action,
    pub request: HttpRequest,
}

/// Validates (the proxy's rules), builds for the relay's host and signs with the user's
/// keys. Pure: time and nonce come in.
#[allow(clippy::too_many_arguments)]
pub fn prepare(
    relay: &Relay,
    keys: Option<&ProviderKeys>,
    provider: Provider,
    region: &str,
    action_name: &str,
    params: &Value,
    now: i64,
    nonce: &str,
) -> Result<Signed, Box<Failure>> {
    let action = Action::lookup(provider, action_name).ok_or_else(|| {
        local_failure(
            "UnknownAction",
            format!(
                "{:?} is not an action Rewind can call on {}",
                action_name.chars().take(64).collect::<String>(),
                provider.product()
            ),
            msg_text(Msg::RelayUnknownAction),
            Msg::RelayCheckRequest,
        )
    })?;
    let keys = keys.filter(|k| k.is_set()).ok_or_else(|| {
        local_failure(
            "NoKeys",
            String::new(),
            msg_text(Msg::RelayNoKeys),
            Msg::RelayNoKeysRemedy,
        )
    })?;
    let host = relay.host_for(provider, region).ok_or_else(|| {
        local_failure(
            "RelayHostNotAllowed",
            format!("no relay host for {} in {region}", provider.product()),
            msg_text(Msg::RelayNoHost),
            Msg::RelayNoHostRemedy,
        )
    })?;
    let validated =
        validate_params(action, params, &ValidateOptions::default()).map_err(|errors| {
            let join = |lang: Lang| {
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message.get(lang)))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            local_failure(
                "InvalidParams",
                join(Lang::En),
                Text::new(join(Lang::En), join(Lang::Zh)),
                Msg::RelayFixParams,
            )
        })?;
    let mut params = validated.params;
    // As the proxy does: a ClientToken makes CreateSnapshot idempotent.
    call::add_client_token(action, &mut params, || nonce.to_string());
    let project_id = if provider == Provider::Huawei {
        let pid = keys
            .project_ids
            .get(region)
            .map(|p| p.trim())
            .filter(|p| !p.is_empty());
        Some(pid.ok_or_else(|| {
            local_failure(
                "NoProjectId",
                String::new(),
                msg_text(Msg::RelayNoProject),
                Msg::RelayNoProjectRemedy,
            )
        })?)
    } else {
        None
    };
    let creds = keys.credentials();
    let facts = CallFacts {
        provider,
        signature: keys.signature,
        credentials: &creds,
        region,
        endpoint: Some(host),
        scheme: Some(relay.scheme_for(host)),
        project_id,
    };
    let signed = call::prepare(&facts, action, &params, now, Some(nonce)).map_err(|e| {
        let message = match e {
            CallError::Sign(e) => e.to_string(),
            e => e.to_string(),
        };
        local_failure(
            "CannotSign",
            message,
            msg_text(Msg::RelayCannotSign),
            Msg::RelayCheckRequest,
        )
    })?;
    Ok(Signed {
        action,
        request: signed.request,
    })
}

// ====================================================================== answers

/// What became of a relayed call: the distinctions an operation needs (was it sent,
/// did the cloud refuse) before they are folded into `/api/v1/call`'s shapes.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// The cloud's payload, as `/api/v1/call` passes it on.
    Ok(Answer),
    /// The cloud refused (a passing ECS dry run is one: `DryRunOperation`).
    Cloud(CloudError),
    /// The relay itself answered with an error (`RelayHostNotAllowed`, `RateLimited`,
    /// `UpstreamTimeout`, …): the proxy's normalized error body.
    Relay(RequestError),
    /// Refused in this tab before anything was sent (no keys, invalid parameters).
    Local(Box<Failure>),
    /// The request may have left, and no answer came (the connection failed).
    Lost(String),
}

impl Sent {
    /// The answer as `/api/v1/call` would give it, for views: a passing dry run is a
    /// success, a cloud refusal is explained in both languages.
    pub fn into_result(self, lang: Lang) -> Result<Answer, RequestError> {
        match self {
            Sent::Ok(a) => Ok(a),
            // ECS answers a passing DryRun with an error; the proxy reports it as success.
            Sent::Cloud(e) if e.is_dry_run_pass() => Ok(Answer {
                request_id: e.request_id.clone(),
                data: call::dry_run_data(&e),
            }),
            Sent::Cloud(e) => Err(RequestError::Refused(Box::new(cloud_failure(&e, lang)))),
            Sent::Relay(e) => Err(e),
            Sent::Local(f) => Err(RequestError::Refused(f)),
            Sent::Lost(e) => Err(RequestError::Network(e)),
        }
    }
}

/// The proxy's `/api/v1/call` error body for a cloud's refusal, built here.
pub fn cloud_failure(e: &CloudError, lang: Lang) -> Failure {
    Failure::from_cloud(e, lang)
}

/// Reads what `/relay` answered. Without `X-Rewind-Relay: upstream` it is the proxy's own
/// refusal (`{ok: false, error}`); with it, the cloud's answer, read like the proxy does.
pub fn read_relay_answer(
    provider: Provider,
    status: u16,
    from_upstream: bool,
    request_id_header: Option<&str>,
    body: &str,
) -> Sent {
    if !from_upstream {
        return match api::decode_answer(status, body) {
            Ok(a) => Sent::Ok(a),
            Err(e) => Sent::Relay(e),
        };
    }
    // Only Workspace sends its request id in a header; the others' header, if any, is
    // the proxy's own.
    let header_id = request_id_header.filter(|_| provider == Provider::Huawei);
    match Outcome::read(provider, status, header_id, body.as_bytes()) {
        Outcome::Ok(payload) => match payload.value() {
            Ok(data) => Sent::Ok(Answer {
                request_id: payload.request_id,
                data,
            }),
            // JSON a `Value` cannot hold (a number beyond f64): not a payload to show.
            Err(e) => Sent::Cloud(CloudError::unreadable(
                provider,
                status,
                payload.request_id.as_deref(),
                format!("the answer cannot be read: {e}"),
            )),
        },
        // Kept as ECS sends it: `into_result` and the operations tell a pass apart.
        Outcome::DryRunPassed(e) | Outcome::Failed(e) => Sent::Cloud(*e),
    }
}

// ====================================================================== sending

fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// One call to sign and relay, owned, for [`send_signed`].
pub struct Outgoing {
    pub relay: Relay,
    pub keys: Option<ProviderKeys>,
    pub provider: Provider,
    pub region: String,
    pub action: String,
    pub params: Value,
    pub idempotency_key: Option<String>,
}

/// [`send`], with the signing code in a chunk of its own (`split_relay_signing.wasm`):
/// a console whose server holds the keys never fetches it. If it cannot be fetched,
/// nothing was sent, and the call is refused here, saying so.
pub async fn send_signed(call: Outgoing) -> Sent {
    match send_in_chunk(call).await {
        Ok(sending) => sending.await,
        Err(crate::pages::PageLoadError) => Sent::Local(local_failure(
            "ConsoleCodeNotLoaded",
            "the console's signing code could not be fetched".into(),
            msg_text(Msg::PageNotLoaded),
            Msg::TryAgain,
        )),
    }
}

type Sending = std::pin::Pin<Box<dyn Future<Output = Sent>>>;

#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(
    relay_signing,
    wasm_split_path = ::leptos::wasm_split,
    fallible
)]
fn send_in_chunk(call: Outgoing) -> Result<Sending, crate::pages::PageLoadError> {
    Ok(Box::pin(send_outgoing(call)))
}

#[cfg(not(feature = "split"))]
async fn send_in_chunk(call: Outgoing) -> Result<Sending, crate::pages::PageLoadError> {
    Ok(Box::pin(send_outgoing(call)))
}

async fn send_outgoing(call: Outgoing) -> Sent {
    send(
        &call.relay,
        call.keys.as_ref(),
        call.provider,
        &call.region,
        &call.action,
        &call.params,
        call.idempotency_key.as_deref(),
    )
    .await
}

/// Validates, builds, signs with `keys` and posts through `/relay`. The
/// `Idempotency-Key` is the operation's own for its calls, a fresh one otherwise.
pub async fn send(
    relay: &Relay,
    keys: Option<&ProviderKeys>,
    provider: Provider,
    region: &str,
    action_name: &str,
    params: &Value,
    idempotency_key: Option<&str>,
) -> Sent {
    let nonce = api::random_hex();
    let signed = match prepare(
        relay,
        keys,
        provider,
        region,
        action_name,
        params,
        now_secs(),
        &nonce,
    ) {
        Ok(s) => s,
        Err(f) => return Sent::Local(f),
    };
    let body = RelayRequest::from_signed(provider, &signed.request);
    let key = idempotency_key.map_or_else(api::random_hex, str::to_string);
    let response = match api::post_json("/relay", &body, None, &key).await {
        Ok(r) => r,
        // The body could not be encoded: nothing left the tab.
        Err(RequestError::Decode(e)) => {
            return Sent::Local(local_failure(
                "CannotSign",
                e,
                msg_text(Msg::RelayCannotSign),
                Msg::RelayCheckRequest,
            ));
        }
        Err(e) => return Sent::Lost(e.to_string()),
    };
    let status = response.status();
    let headers = response.headers();
    let from_upstream = headers.get("x-rewind-relay").as_deref() == Some("upstream");
    let request_id = headers.get("x-request-id");
    match response.text().await {
        Ok(text) => read_relay_answer(
            provider,
            status,
            from_upstream,
            request_id.as_deref(),
            &text,
        ),
        Err(e) => Sent::Lost(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::AlibabaSignature;
    use crate::relay::show::sample;
    use crate::relay::testkit::*;
    use rewind_cloud::sign;
    use serde_json::json;

    #[test]
    fn the_relay_request_is_the_signed_request_field_for_field() {
        let relay = demo_relay();
        let k = keys(AlibabaSignature::V3);
        let s = prepare(
            &relay,
            Some(&k),
            Provider::Tencent,
            "ap-guangzhou",
            "DescribeSnapshots",
            &json!({"Limit": 5}),
            1_700_000_000,
            "nonce-1",
        )
        .unwrap();
        let r = RelayRequest::from_signed(Provider::Tencent, &s.request);
        let v = serde_json::to_value(&r).unwrap();
        // Exactly the proxy's RelayRequest fields (it denies unknown ones).
        let mut fields: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "body", "headers", "host", "method", "path", "provider", "query"
            ]
        );
        assert_eq!(v["provider"], "tencent");
        assert_eq!(r.method, "POST");
        assert_eq!(r.host, "127.0.0.1:40123");
        assert_eq!(r.path, "/");
        assert_eq!(r.body, r#"{"Limit": 5}"#);
        assert_eq!(v["headers"][0].as_array().unwrap().len(), 2);
        let auth = s.request.header("Authorization").unwrap();
        assert!(
            auth.starts_with(&format!("TC3-HMAC-SHA256 Credential={ID}/")),
            "{auth}"
        );
        assert_eq!(s.request.header("X-TC-Region"), Some("ap-guangzhou"));
        assert!(!serde_json::to_string(&r).unwrap().contains(SECRET));

        // The signature verifies with the same keys (what the emulator does).
        let verified = sign::verify(&s.request, 1_700_000_000, |id| {
            (id == ID).then(|| SECRET.to_string())
        });
        assert!(verified.is_ok(), "{verified:?}");

        // Alibaba v1 puts its signature and nonce in the query; Huawei needs its project.
        let s = prepare(
            &relay,
            Some(&keys(AlibabaSignature::V1)),
            Provider::Alibaba,
            "cn-hangzhou",
            "DescribeDisks",
            &json!({}),
            1_700_000_000,
            "nonce-2",
        )
        .unwrap();
        assert_eq!(s.request.query_param("SignatureNonce"), Some("nonce-2"));
        assert_eq!(s.request.query_param("RegionId"), Some("cn-hangzhou"));
        assert!(s.request.query_param("Signature").is_some());
        let s = prepare(
            &relay,
            Some(&k),
            Provider::Huawei,
            "cn-north-4",
            "ListDesktopSnapshot",
            &json!({"limit": 1}),
            1_700_000_000,
            "nonce-3",
        )
        .unwrap();
        assert_eq!(s.request.header("X-Project-Id"), Some("p-north"));
        assert!(
            s.request.path.starts_with("/v2/p-north/"),
            "{}",
            s.request.path
        );
    }

    #[test]
    fn nothing_is_signed_without_keys_valid_params_or_a_project() {
        let relay = demo_relay();
        let code = |r: Result<Signed, Box<Failure>>| r.unwrap_err().code;
        let read = |keys: Option<&ProviderKeys>, p: Provider, region: &str, a: &str, v: Value| {
            prepare(&relay, keys, p, region, a, &v, 1_700_000_000, "n")
        };
        let k = keys(AlibabaSignature::V3);
        assert_eq!(
            code(read(
                None,
                Provider::Tencent,
                "ap-guangzhou",
                "DescribeInstances",
                json!({})
            )),
            "NoKeys"
        );
        let f = read(
            Some(&k),
            Provider::Tencent,
            "ap-guangzhou",
            "DescribeInstances",
            json!({"Limit": "lots"}),
        )
        .unwrap_err();
        assert_eq!(f.code, "InvalidParams");
        let text = f.i18n.unwrap();
        assert!(text.explanation.en.starts_with("Limit: "), "{text:?}");
        assert_ne!(text.explanation.en, text.explanation.zh);
        assert_eq!(
            code(read(
                Some(&k),
                Provider::Huawei,
                "cn-east-3",
                "ListDesktopSnapshot",
                json!({})
            )),
            "NoProjectId"
        );
        assert_eq!(
            code(read(
                Some(&k),
                Provider::Tencent,
                "ap-guangzhou",
                "TerminateInstances",
                json!({})
            )),
            "UnknownAction"
        );
        let empty = Relay::default();
        assert_eq!(
            prepare(
                &empty,
                Some(&k),
                Provider::Tencent,
                "ap-guangzhou",
                "DescribeInstances",
                &json!({}),
                1_700_000_000,
                "n"
            )
            .unwrap_err()
            .code,
            "RelayHostNotAllowed"
        );
        // The samples offered in "Show signed request" are valid.
        for p in Provider::ALL {
            let (action, params) = sample(p);
            let region = &relay.regions(p)[0];
            assert!(read(Some(&k), p, region, action, params).is_ok(), "{p}");
        }
    }

    /// `read_relay_answer` as a view sees it.
    fn read_as(
        provider: Provider,
        lang: Lang,
        status: u16,
        upstream: bool,
        header: Option<&str>,
        body: &str,
    ) -> Result<Answer, RequestError> {
        read_relay_answer(provider, status, upstream, header, body).into_result(lang)
    }

    #[test]
    fn upstream_errors_map_to_the_proxys_failure_and_proxy_refusals_pass_through() {
        // Tencent: HTTP 200 with Response.Error.
        let body = r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated."},"RequestId":"req-tc-1"}}"#;
        let err = read_as(
            Provider::Tencent,
            Lang::Zh,
            200,
            true,
            Some("proxy-id"),
            body,
        )
        .unwrap_err();
        let RequestError::Refused(f) = err else {
            panic!("{err:?}")
        };
        assert_eq!(f.code, "CloudError");
        assert_eq!(
            f.provider_code.as_deref(),
            Some("AuthFailure.SignatureFailure")
        );
        assert_eq!(f.request_id.as_deref(), Some("req-tc-1"));
        assert_eq!(f.http_status, Some(200));
        let text = f.i18n.clone().unwrap();
        let x =
            rewind_cloud::catalog::explain(Provider::Tencent, "AuthFailure.SignatureFailure", 200);
        assert_eq!(text.explanation, x.meaning);
        assert_eq!(text.remedy, x.remedy);
        assert_eq!(f.explanation.as_deref(), Some(x.meaning.zh.as_str()));
        assert_eq!(f.remedy.as_deref(), Some(x.remedy.zh.as_str()));

        // ECS: 4xx with Code; a passing DryRun is a success, as from the proxy.
        let body = r#"{"RequestId":"req-ecs-1","HostId":"ecs","Code":"DryRunOperation","Message":"Request validation has been passed with DryRun flag set."}"#;
        let ok = read_as(Provider::Alibaba, Lang::En, 400, true, None, body).unwrap();
        assert_eq!(ok.request_id.as_deref(), Some("req-ecs-1"));
        assert_eq!(ok.data["Code"], "DryRunOperation");
        let body = r#"{"RequestId":"req-ecs-2","HostId":"ecs","Code":"IncorrectDiskStatus","Message":"x"}"#;
        let RequestError::Refused(f) =
            read_as(Provider::Alibaba, Lang::En, 403, true, None, body).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(f.provider_code.as_deref(), Some("IncorrectDiskStatus"));
        assert_eq!(f.http_status, Some(403));

        // Workspace: the request id may come only in the header.
        let body =
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#;
        let RequestError::Refused(f) = read_as(
            Provider::Huawei,
            Lang::En,
            401,
            true,
            Some("hw-req-1"),
            body,
        )
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(f.provider_code.as_deref(), Some("APIGW.0301"));
        assert_eq!(f.request_id.as_deref(), Some("hw-req-1"));

        // Success: the payload as the proxy passes it on.
        let ok = read_as(
            Provider::Tencent,
            Lang::En,
            200,
            true,
            None,
            r#"{"Response":{"TotalCount":1,"SnapshotSet":[],"RequestId":"req-tc-2"}}"#,
        )
        .unwrap();
        assert_eq!(ok.request_id.as_deref(), Some("req-tc-2"));
        assert_eq!(ok.data["TotalCount"], 1);

        // The proxy's own refusal (no X-Rewind-Relay header) is its normalized error.
        let body = r#"{"ok":false,"error":{"code":"RelayHostNotAllowed","provider_code":null,"http_status":null,"message":"evil.test is not a configured Tencent Cloud Lighthouse host","explanation":null,"remedy":null,"retryable":false,"request_id":null}}"#;
        let RequestError::Refused(f) =
            read_as(Provider::Tencent, Lang::En, 403, false, None, body).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(f.code, "RelayHostNotAllowed");
        assert_eq!(f.provider_code, None);
        // An unreadable upstream body is a Rewind.* code, not a panic.
        let RequestError::Refused(f) =
            read_as(Provider::Alibaba, Lang::En, 502, true, None, "<html>").unwrap_err()
        else {
            panic!()
        };
        assert!(f.provider_code.unwrap().starts_with("Rewind."));
    }
}
