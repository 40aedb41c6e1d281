//! The three API surfaces on one listener, told apart the way the real clouds are:
//! Tencent by `X-TC-Action`, ECS by an RPC `Action` (query or `x-acs-action`), and
//! Workspace by `/v2/{project_id}/…` paths.
//!
//! One dispatch serves them all ([`handle`]): it authenticates the caller, lets the
//! provider's surface read the region and run the action ([`Served`]), and renders the
//! result in the provider's shape. What differs per provider (how the action and region
//! are named, the answer's envelope, the error body) is in its module.

pub mod alibaba;
pub mod huawei;
pub mod tencent;

use crate::Inner;
use crate::auth::{self, Caller};
use crate::error::{ApiResult, Refusal};
use crate::faults::Effect;
use crate::prng::SplitMix64;
use crate::state::OpCtx;
use rewind_cloud::Provider;
use rewind_cloud::http::HttpRequest;
use serde_json::Value;

/// A response in the provider's shape, plus what the request log line needs.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(&'static str, String)>,
    /// The error code, when the answer is an error.
    pub code: Option<String>,
    pub region: Option<String>,
    pub key: Option<String>,
}

impl Outcome {
    /// An answer; the request's region and key are filled in by [`handle`].
    pub fn new(
        status: u16,
        body: Value,
        headers: Vec<(&'static str, String)>,
        code: Option<String>,
    ) -> Outcome {
        Outcome {
            status,
            body,
            headers,
            code,
            region: None,
            key: None,
        }
    }
}

/// An authenticated call, as a provider's surface sees it.
pub struct Call<'a> {
    pub inner: &'a Inner,
    pub req: &'a HttpRequest,
    pub request_id: &'a str,
    pub caller: &'a Caller,
    /// The emulator's clock when the call arrived.
    pub now: u64,
}

impl Call<'_> {
    /// What an operation is given: this call's time and request id, the settings, and
    /// `rng` for new ids.
    pub fn op_ctx<'b>(&'b self, rng: &'b mut SplitMix64) -> OpCtx<'b> {
        OpCtx {
            now: self.now,
            request_id: self.request_id,
            timings: &self.inner.cfg.timings,
            limits: &self.inner.cfg.limits,
            rng,
        }
    }
}

/// What a surface made of an authenticated call: the region it names (for the log,
/// `None` when it names none) and the action's result (the answer's fields).
pub struct Served {
    pub region: Option<String>,
    pub result: ApiResult<Value>,
}

/// What the dispatch made of a request: who called (`None` when the signature did not
/// check out), in which region, and the result.
pub struct Answer {
    pub key: Option<String>,
    pub region: Option<String>,
    pub result: ApiResult<Value>,
}

/// The provider whose API the request calls, if any.
pub fn classify(req: &HttpRequest) -> Option<Provider> {
    if req.header("X-TC-Action").is_some() {
        Some(Provider::Tencent)
    } else if req.path.starts_with("/v2/") {
        Some(Provider::Huawei)
    } else if req.header("x-acs-action").is_some() || req.query_param("Action").is_some() {
        Some(Provider::Alibaba)
    } else {
        None
    }
}

/// The provider's name of the action the request calls (or its path, for an unknown
/// Workspace API), for fault matching and the log.
pub fn action_name(provider: Provider, req: &HttpRequest) -> String {
    match provider {
        Provider::Tencent => tencent::action_name(req).to_string(),
        Provider::Alibaba => alibaba::action_name(req).to_string(),
        Provider::Huawei => huawei::action_name(req),
    }
}

/// A new request id in the provider's spelling.
pub fn request_id(provider: Provider, rng: &mut SplitMix64) -> String {
    let u = rng.uuid();
    match provider {
        Provider::Tencent => u,
        Provider::Alibaba => u.to_ascii_uppercase(),
        Provider::Huawei => u.replace('-', ""),
    }
}

/// An error in the provider's shape.
pub fn error(provider: Provider, e: &Refusal, request_id: &str, req: &HttpRequest) -> Outcome {
    match provider {
        Provider::Tencent => tencent::error(e, request_id),
        Provider::Alibaba => alibaba::error(e, request_id, req),
        Provider::Huawei => huawei::error(e, request_id),
    }
}

/// A successful answer in the provider's shape.
fn success(provider: Provider, fields: Value, request_id: &str) -> Outcome {
    match provider {
        Provider::Tencent => tencent::success(fields, request_id),
        Provider::Alibaba => alibaba::success(fields, request_id),
        Provider::Huawei => huawei::success(fields, request_id),
    }
}

/// Authenticates the request, then lets the provider's surface serve it.
pub fn dispatch(provider: Provider, inner: &Inner, req: &HttpRequest, request_id: &str) -> Answer {
    let now = inner.clock.now_ms();
    let authenticated = auth::authenticate(
        provider,
        req,
        now,
        &inner.cfg.credentials,
        &mut inner.lock_nonces(),
    );
    let caller = match authenticated {
        Ok(caller) => caller,
        Err(e) => {
            return Answer {
                key: None,
                region: None,
                result: Err(e),
            };
        }
    };
    let call = Call {
        inner,
        req,
        request_id,
        caller: &caller,
        now,
    };
    let served = match provider {
        Provider::Tencent => tencent::serve(&call),
        Provider::Alibaba => alibaba::serve(&call),
        Provider::Huawei => huawei::serve(&call),
    };
    Answer {
        key: Some(caller.access_key_id),
        region: served.region,
        result: served.result,
    }
}

/// Serves one request of `provider`'s API, start to finish.
pub fn handle(provider: Provider, inner: &Inner, req: &HttpRequest, request_id: &str) -> Outcome {
    let answer = dispatch(provider, inner, req, request_id);
    let mut out = match answer.result {
        Ok(fields) => success(provider, fields, request_id),
        Err(e) => error(provider, &e, request_id, req),
    };
    out.region = answer.region;
    out.key = answer.key;
    out
}

/// A fault-injected error with the provider's defaults.
pub fn fault_error(provider: Provider, effect: &Effect) -> Option<Refusal> {
    Some(match (effect, provider) {
        (Effect::Throttle, Provider::Tencent) => Refusal::new(
            200,
            "RequestLimitExceeded",
            "The request frequency exceeds the limit (injected fault).",
        ),
        (Effect::Throttle, Provider::Alibaba) => Refusal::new(
            400,
            "Throttling.User",
            "Request was denied due to user flow control (injected fault).",
        ),
        (Effect::Throttle, Provider::Huawei) => Refusal::new(
            429,
            "APIGW.0308",
            "The throttling threshold has been reached (injected fault).",
        ),
        (Effect::Internal, Provider::Tencent) => {
            Refusal::new(200, "InternalError", "Internal error (injected fault).")
        }
        (Effect::Internal, Provider::Alibaba) => Refusal::new(
            500,
            "InternalError",
            "The request processing has failed due to some unknown error (injected fault).",
        ),
        (Effect::Internal, Provider::Huawei) => Refusal::new(
            500,
            "WKS.0500",
            "An internal service error occurred (injected fault).",
        ),
        (
            Effect::Error {
                code,
                message,
                status,
            },
            _,
        ) => {
            let msg = message
                .clone()
                .unwrap_or_else(|| format!("{code} (injected fault)."));
            let default = match provider {
                Provider::Tencent => 200,
                Provider::Alibaba if code.starts_with("Throttling") => 400,
                Provider::Huawei if code == "APIGW.0308" => 429,
                _ => 500,
            };
            Refusal::new(status.unwrap_or(default), code.clone(), msg)
        }
        (Effect::Latency { .. } | Effect::Drop, _) => return None,
    })
}
