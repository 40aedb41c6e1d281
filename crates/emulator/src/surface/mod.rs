//! The three API surfaces on one listener, told apart the way the real clouds are:
//! Tencent by `X-TC-Action`, ECS by an RPC `Action` (query or `x-acs-action`), and
//! Workspace by `/v2/{project_id}/…` paths.

pub mod alibaba;
pub mod huawei;
pub mod tencent;

use crate::Inner;
use crate::error::ApiError;
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Tencent,
    Alibaba,
    Huawei,
}

impl Surface {
    pub fn classify(req: &HttpRequest) -> Option<Surface> {
        if req.header("X-TC-Action").is_some() {
            Some(Surface::Tencent)
        } else if req.path.starts_with("/v2/") {
            Some(Surface::Huawei)
        } else if req.header("x-acs-action").is_some() || req.query_param("Action").is_some() {
            Some(Surface::Alibaba)
        } else {
            None
        }
    }

    pub fn provider(self) -> Provider {
        match self {
            Surface::Tencent => Provider::Tencent,
            Surface::Alibaba => Provider::Alibaba,
            Surface::Huawei => Provider::Huawei,
        }
    }

    /// The provider's name of the action the request calls (or its path, for an unknown
    /// Workspace API), for fault matching and the log.
    pub fn action_name(self, req: &HttpRequest) -> String {
        match self {
            Surface::Tencent => req.header("X-TC-Action").unwrap_or_default().to_string(),
            Surface::Alibaba => alibaba::action_name(req),
            Surface::Huawei => rewind_cloud::Action::lookup_rest(&req.method, &req.path)
                .map(|(a, _)| a.name().to_string())
                .unwrap_or_else(|| req.path.clone()),
        }
    }

    pub fn request_id(self, rng: &mut crate::prng::SplitMix64) -> String {
        let u = rng.uuid();
        match self {
            Surface::Tencent => u,
            Surface::Alibaba => u.to_ascii_uppercase(),
            Surface::Huawei => u.replace('-', ""),
        }
    }

    pub fn error(self, e: &ApiError, request_id: &str, req: &HttpRequest) -> Outcome {
        match self {
            Surface::Tencent => tencent::error(e, request_id),
            Surface::Alibaba => alibaba::error(e, request_id, req),
            Surface::Huawei => huawei::error(e, request_id),
        }
    }

    pub fn handle(self, inner: &Inner, req: &HttpRequest, request_id: &str) -> Outcome {
        match self {
            Surface::Tencent => tencent::handle(inner, req, request_id),
            Surface::Alibaba => alibaba::handle(inner, req, request_id),
            Surface::Huawei => huawei::handle(inner, req, request_id),
        }
    }

    /// A fault-injected error with the provider's defaults.
    pub fn fault_error(self, effect: &crate::faults::Effect) -> Option<ApiError> {
        use crate::faults::Effect;
        let (tencent, alibaba, huawei) = match effect {
            Effect::Throttle => (
                ApiError::new(
                    200,
                    "RequestLimitExceeded",
                    "The request frequency exceeds the limit (injected fault).",
                ),
                ApiError::new(
                    400,
                    "Throttling.User",
                    "Request was denied due to user flow control (injected fault).",
                ),
                ApiError::new(
                    429,
                    "APIGW.0308",
                    "The throttling threshold has been reached (injected fault).",
                ),
            ),
            Effect::Internal => (
                ApiError::new(200, "InternalError", "Internal error (injected fault)."),
                ApiError::new(
                    500,
                    "InternalError",
                    "The request processing has failed due to some unknown error (injected fault).",
                ),
                ApiError::new(
                    500,
                    "WKS.0500",
                    "An internal service error occurred (injected fault).",
                ),
            ),
            Effect::Error {
                code,
                message,
                status,
            } => {
                let msg = message
                    .clone()
                    .unwrap_or_else(|| format!("{code} (injected fault)."));
                let default = match self {
                    Surface::Tencent => 200,
                    Surface::Alibaba if code.starts_with("Throttling") => 400,
                    Surface::Huawei if code == "APIGW.0308" => 429,
                    _ => 500,
                };
                let e = ApiError::new(status.unwrap_or(default), code.clone(), msg);
                (e.clone(), e.clone(), e)
            }
            Effect::Latency { .. } | Effect::Drop => return None,
        };
        Some(match self {
            Surface::Tencent => tencent,
            Surface::Alibaba => alibaba,
            Surface::Huawei => huawei,
        })
    }
}
