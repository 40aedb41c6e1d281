//! The one error type handlers return; it renders as the normalized JSON answer
//! `{ok: false, error: {code, provider_code, http_status, message, explanation, remedy,
//! retryable, request_id, …}}` and never carries internals or secrets.

use crate::upstream::SendError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rewind_cloud::Lang;
use rewind_cloud::error::CloudError;
use rewind_cloud::validate::FieldError;
use rewind_cloud::wire::ErrorBody;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no such endpoint")]
    NotFound,
    #[error("the request body is not valid JSON: {0}")]
    BadJson(String),
    #[error("send the request as Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("the X-Rewind-Request header is required on state-changing requests")]
    MissingCsrfHeader,
    #[error("origin {0} is not allowed")]
    OriginNotAllowed(String),
    /// The request named a host this server does not answer for (DNS rebinding).
    #[error(
        "this server does not answer for the host {0:?}; open it at one of its configured addresses"
    )]
    HostNotAllowed(String),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// The client stopped sending its body: `limits.body_read_timeout_secs` ran out.
    #[error("the request body did not arrive within {0} s")]
    RequestTimeout(u64),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("no profile is named {0:?}")]
    UnknownProfile(String),
    #[error("profile {profile} has no region {region:?}")]
    UnknownRegion { profile: String, region: String },
    #[error("{action:?} is not an action Rewind can call on {provider}")]
    UnknownAction { provider: String, action: String },
    #[error("the parameters are not valid")]
    InvalidParams(Vec<FieldError>),
    #[error("{0}")]
    RelayRefused(String),
    /// A relayed request the cloud could read differently from how Rewind checked it.
    #[error("the relay refused this request: {0}")]
    RelayRequestRefused(String),
    #[error("too many requests; try again in a moment")]
    RateLimited,
    #[error("{0}")]
    BadIdempotencyKey(String),
    /// A request with this `Idempotency-Key` is running, or stopped with no answer.
    #[error(
        "a request with this Idempotency-Key is still running or its outcome is unknown; it is not sent again"
    )]
    IdempotencyInProgress,
    #[error("{0}")]
    Disabled(String),
    /// An operation that can no longer be cancelled (its irreversible call was sent, or
    /// it has finished): the message says which.
    #[error("{0}")]
    NotCancellable(String),
    /// The cloud could not be reached, timed out, or answered too much.
    #[error("{message}")]
    Upstream {
        status: StatusCode,
        code: &'static str,
        message: String,
        /// False when the request may have reached the cloud.
        retryable: bool,
    },
    /// The cloud answered with an error.
    #[error("{0}")]
    Cloud(Box<CloudError>, Lang),
    #[error("internal error")]
    Internal,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            NotFound => StatusCode::NOT_FOUND,
            BadJson(_)
            | RelayRequestRefused(_)
            | BadIdempotencyKey(_)
            | UnknownProfile(_)
            | UnknownRegion { .. }
            | UnknownAction { .. } => StatusCode::BAD_REQUEST,
            InvalidParams(_) => StatusCode::UNPROCESSABLE_ENTITY,
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            MissingCsrfHeader | OriginNotAllowed(_) | Forbidden(_) | RelayRefused(_) => {
                StatusCode::FORBIDDEN
            }
            HostNotAllowed(_) => StatusCode::MISDIRECTED_REQUEST,
            PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Unauthorized(_) => StatusCode::UNAUTHORIZED,
            RateLimited => StatusCode::TOO_MANY_REQUESTS,
            IdempotencyInProgress | NotCancellable(_) => StatusCode::CONFLICT,
            Disabled(_) => StatusCode::NOT_FOUND,
            Upstream { status, .. } => *status,
            // The cloud answered: the proxy did its job. An unreadable answer is a bad gateway.
            Cloud(e, _) if e.is_synthetic() => StatusCode::BAD_GATEWAY,
            Cloud(..) => StatusCode::OK,
            Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Rewind's own code for the kind of failure (`CloudError` when the cloud said no).
    pub fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            NotFound => "NotFound",
            BadJson(_) => "BadJson",
            UnsupportedMediaType => "UnsupportedMediaType",
            MissingCsrfHeader => "MissingCsrfHeader",
            OriginNotAllowed(_) => "OriginNotAllowed",
            HostNotAllowed(_) => "HostNotAllowed",
            PayloadTooLarge(_) => "PayloadTooLarge",
            RequestTimeout(_) => "RequestTimeout",
            Unauthorized(_) => "Unauthorized",
            Forbidden(_) => "PolicyDenied",
            UnknownProfile(_) => "UnknownProfile",
            UnknownRegion { .. } => "UnknownRegion",
            UnknownAction { .. } => "UnknownAction",
            InvalidParams(_) => "InvalidParams",
            RelayRefused(_) => "RelayHostNotAllowed",
            RelayRequestRefused(_) => "RelayRequestRefused",
            RateLimited => "RateLimited",
            BadIdempotencyKey(_) => "BadIdempotencyKey",
            IdempotencyInProgress => "IdempotencyInProgress",
            Disabled(_) => "Disabled",
            NotCancellable(_) => "NotCancellable",
            Upstream { code, .. } => code,
            Cloud(..) => "CloudError",
            Internal => "Internal",
        }
    }

    fn retryable(&self) -> bool {
        match self {
            // Nothing was sent to the cloud: sending again is safe.
            ApiError::RateLimited | ApiError::RequestTimeout(_) => true,
            ApiError::Upstream { retryable, .. } => *retryable,
            ApiError::Cloud(e, _) => e.retryable(),
            _ => false,
        }
    }

    /// The `error` object of the answer.
    pub fn body(&self) -> ErrorBody {
        let mut error = ErrorBody {
            retryable: self.retryable(),
            ..ErrorBody::new(self.code(), self.to_string())
        };
        match self {
            ApiError::Cloud(e, lang) => return ErrorBody::from_cloud(e, *lang),
            ApiError::InvalidParams(fields) => {
                error.fields = fields.clone();
            }
            ApiError::Forbidden(reason) => {
                error.reason = Some(reason.clone());
            }
            _ => {}
        }
        error
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (
            self.status(),
            Json(json!({ "ok": false, "error": self.body() })),
        )
            .into_response();
        if let ApiError::Unauthorized(_) = self {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"rewind\""),
            );
        }
        res
    }
}

/// The answer for a request that got no answer from the cloud: whether it was retryable
/// and whether the cloud may have acted on it.
pub(crate) fn send_error(e: &SendError) -> ApiError {
    let (status, code, retryable) = match e {
        SendError::NotSent(_) => (StatusCode::BAD_GATEWAY, "UpstreamUnreachable", true),
        SendError::Timeout(..) => (StatusCode::GATEWAY_TIMEOUT, "UpstreamTimeout", false),
        SendError::TooLarge(..) => (StatusCode::BAD_GATEWAY, "UpstreamTooLarge", false),
        SendError::Broken(_) => (StatusCode::BAD_GATEWAY, "UpstreamBroken", false),
        SendError::Invalid(_) => (StatusCode::BAD_REQUEST, "CannotSend", false),
    };
    let message = match e {
        SendError::NotSent(_) => format!("{e}; the request was not sent"),
        SendError::Invalid(_) => e.to_string(),
        _ => format!(
            "{e}; the request may have reached the cloud: check its state before trying again"
        ),
    };
    ApiError::Upstream {
        status,
        code,
        message,
        retryable,
    }
}
