//! Reading a cloud's answer, once for every caller: the proxy's `/api/v1/call` and
//! server operations, the audit of relayed calls, and the console's relay transport.
//!
//! A success is kept as JSON text (borrowed from the body when it can be: the proxy
//! passes it on without building a `Value`); an ECS `DryRun` that passed is told apart
//! from a refusal; anything else is the catalog's [`CloudError`], with a `Rewind.*` code
//! when the answer could not be read.

use crate::error::{CloudError, RawPayload, parse_response_raw};
use crate::provider::Provider;
use serde_json::{Value, json};
use std::borrow::Cow;

/// What a cloud answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// The call succeeded.
    Ok(Payload<'a>),
    /// ECS `DryRun=true`: every check passed and nothing was done. ECS answers it as an
    /// error (HTTP 400 `DryRunOperation`); `/api/v1/call` reports it as a success.
    DryRunPassed(Box<CloudError>),
    /// The cloud refused, or its answer was unreadable.
    Failed(Box<CloudError>),
}

/// A success payload: for Tencent the object inside `Response`, for ECS and Workspace
/// the whole body (`null` for an empty Workspace body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload<'a> {
    /// The payload as checked JSON text: borrowed from the body as sent, or re-encoded
    /// on the rare shapes the one-pass reader leaves to the full one.
    pub data: Cow<'a, str>,
    /// The payload's own request id, else the one the caller read from a header.
    pub request_id: Option<String>,
}

impl<'a> Outcome<'a> {
    /// Reads `body`, answered with `http_status` by `provider`. `request_id_header` is
    /// the request id a header carried, when the caller trusts it to be the cloud's.
    pub fn read(
        provider: Provider,
        http_status: u16,
        request_id_header: Option<&str>,
        body: &'a [u8],
    ) -> Outcome<'a> {
        match parse_response_raw(provider, http_status, request_id_header, body) {
            Ok(RawPayload { data, request_id }) => Outcome::Ok(Payload {
                data,
                request_id: request_id.or_else(|| request_id_header.map(str::to_string)),
            }),
            Err(e) if e.is_dry_run_pass() => Outcome::DryRunPassed(Box::new(e)),
            Err(e) => Outcome::Failed(Box::new(e)),
        }
    }

    /// The payload, or the error the cloud answered (a passing dry run included, for
    /// callers that report it as ECS sends it).
    pub fn into_result(self) -> Result<Payload<'a>, Box<CloudError>> {
        match self {
            Outcome::Ok(p) => Ok(p),
            Outcome::DryRunPassed(e) | Outcome::Failed(e) => Err(e),
        }
    }
}

impl Payload<'_> {
    /// The payload as a `Value`, for callers that look inside. Fails only on the two
    /// shapes the text passes and a `Value` cannot hold (a number beyond `f64`, a lone
    /// surrogate escape); the error says which.
    pub fn value(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(&self.data)
    }
}

/// The `data` `/api/v1/call` answers for a passing dry run: ECS's code, message and
/// request id.
pub fn dry_run_data(e: &CloudError) -> Value {
    json!({"Code": e.code, "Message": e.message, "RequestId": e.request_id})
}
