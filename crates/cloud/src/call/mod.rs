//! The one place a cloud call is assembled: from a profile's facts, an action and its
//! validated parameters, time and nonce to a signed [`HttpRequest`] ([`prepare`]), and
//! from the cloud's answer to an [`Outcome`]. The proxy (`/api/v1/call` and server
//! operations), the console's relay transport and `rewind sign` all go through here;
//! nothing else chooses a wire form, builds or signs.
//!
//! Pure, like the rest of the crate: the caller reads the clock and draws the nonce
//! ([`CallFacts::needs_nonce`] says when one is required).

mod outcome;

pub use outcome::{Outcome, Payload, dry_run_data};

use crate::action::Action;
use crate::build::{self, BuildError, Target, Variant};
use crate::http::HttpRequest;
use crate::provider::Provider;
use crate::sign::{self, Algorithm, Credentials, SignError, SigningParams};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Alibaba's two signatures: V3 (ACS3-HMAC-SHA256, the SDKs' default) or the older V1
/// (HMAC-SHA1 in the query). The other clouds have one each and ignore this.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AlibabaSignature {
    #[default]
    #[serde(rename = "v3")]
    V3,
    #[serde(rename = "v1")]
    V1,
}

impl AlibabaSignature {
    /// `v3` or `v1`, as profiles and the Keys page name it.
    pub fn id(self) -> &'static str {
        match self {
            AlibabaSignature::V3 => "v3",
            AlibabaSignature::V1 => "v1",
        }
    }
}

/// What a call needs to know about the account it is made for.
#[derive(Debug, Clone, Copy)]
pub struct CallFacts<'a> {
    pub provider: Provider,
    pub signature: AlibabaSignature,
    pub credentials: &'a Credentials,
    /// Region id (`ap-guangzhou`, `cn-hangzhou`, `cn-north-4`).
    pub region: &'a str,
    /// `host[:port]` signed for and named in `Host`; the provider's public endpoint
    /// for the region when `None`.
    pub endpoint: Option<&'a str>,
    /// `http` or `https`; `https` when `None`.
    pub scheme: Option<&'a str>,
    /// Huawei project id: fills `{project_id}` and `X-Project-Id`.
    pub project_id: Option<&'a str>,
}

impl CallFacts<'_> {
    /// The wire form this account's calls take.
    pub fn variant(&self) -> Variant {
        match (self.provider, self.signature) {
            (Provider::Alibaba, AlibabaSignature::V1) => Variant::AlibabaV1,
            _ => Variant::Default,
        }
    }

    /// The signing algorithm of this account's calls.
    pub fn algorithm(&self) -> Algorithm {
        self.variant().algorithm_of(self.provider)
    }

    /// True when [`prepare`] needs a nonce (Alibaba: unique per request, ECS refuses a
    /// reused one); the others ignore it.
    pub fn needs_nonce(&self) -> bool {
        self.algorithm().uses_nonce()
    }

    fn target(&self) -> Target {
        Target {
            region: self.region.to_string(),
            endpoint: self.endpoint.map(str::to_string),
            scheme: self.scheme.map(str::to_string),
            project_id: self.project_id.map(str::to_string),
        }
    }
}

/// What only `rewind sign` adds to a call: Tencent's GET form, another TC3 service
/// name, extra signed headers and query parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    /// Tencent `GET /?Flattened.0.Params` instead of POST JSON.
    pub tencent_get: bool,
    /// TC3 credential-scope service; `lighthouse` when `None`.
    pub service: Option<&'a str>,
    /// Set (replacing any of the same name) before signing.
    pub headers: &'a [(String, String)],
    /// Replace a query parameter of the same name, or are appended, before signing.
    pub query: &'a [(String, String)],
}

/// A call built for an account, not yet signed. Sign it once per attempt
/// ([`Unsigned::sign`]): ECS refuses a reused nonce and every cloud a stale time, so a
/// caller that waits (a rate limit, a retry) signs after waiting.
#[derive(Debug, Clone)]
pub struct Unsigned<'f> {
    facts: CallFacts<'f>,
    service: Option<&'f str>,
    action: Action,
    algorithm: Algorithm,
    request: HttpRequest,
    params: Value,
}

/// A call ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedCall {
    pub action: Action,
    pub algorithm: Algorithm,
    /// The request as signed; [`HttpRequest::url`] is where it goes.
    pub request: HttpRequest,
    /// The signature's intermediate products (`rewind sign` shows them).
    pub signed: sign::Signed,
    /// The parameters the request carries, as policy checks them and the audit log
    /// records them: the validated parameters, never a key, a signature or a body.
    pub params: Value,
}

/// Why a call could not be prepared. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("{action} is not a {provider} action")]
    WrongProvider { action: Action, provider: Provider },
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("cannot sign: {0}")]
    Sign(#[from] SignError),
}

/// Adds a `ClientToken` to an ECS CreateSnapshot that has none: it makes the call
/// idempotent, so it may be sent again after a lost answer. `token` is drawn only when
/// one is added; add it before recording the call, so every attempt carries the same.
pub fn add_client_token(action: Action, params: &mut Value, token: impl FnOnce() -> String) {
    if action == Action::EcsCreateSnapshot
        && let Value::Object(m) = params
        && !m.contains_key("ClientToken")
    {
        m.insert("ClientToken".into(), Value::String(token()));
    }
}

/// Builds `action` with `params` (already validated) for the account `facts` describe
/// and signs it at `now` (Unix seconds) with `nonce` (required when
/// [`CallFacts::needs_nonce`]).
pub fn prepare(
    facts: &CallFacts,
    action: Action,
    params: &Value,
    now: i64,
    nonce: Option<&str>,
) -> Result<SignedCall, CallError> {
    build(facts, action, params)?.into_signed(now, nonce)
}

/// [`prepare`] with what `rewind sign` adds.
pub fn prepare_with(
    facts: &CallFacts,
    action: Action,
    params: &Value,
    now: i64,
    nonce: Option<&str>,
    extras: &Extras,
) -> Result<SignedCall, CallError> {
    build_with_extras(facts, action, params, extras)?.into_signed(now, nonce)
}

/// The first half of [`prepare`]: the request in the account's wire form, unsigned.
pub fn build<'f>(
    facts: &CallFacts<'f>,
    action: Action,
    params: &Value,
) -> Result<Unsigned<'f>, CallError> {
    build_with_extras(facts, action, params, &Extras::default())
}

/// [`build`] with what `rewind sign` adds.
pub fn build_with_extras<'f>(
    facts: &CallFacts<'f>,
    action: Action,
    params: &Value,
    extras: &Extras<'f>,
) -> Result<Unsigned<'f>, CallError> {
    if action.provider() != facts.provider {
        return Err(CallError::WrongProvider {
            action,
            provider: facts.provider,
        });
    }
    let variant = if extras.tencent_get {
        Variant::TencentGet
    } else {
        facts.variant()
    };
    let mut request = expected(action, params, &facts.target(), variant)?;
    for (k, v) in extras.headers {
        request.set_header(k, v.clone());
    }
    for (k, v) in extras.query {
        match request.query.iter_mut().find(|(qk, _)| qk == k) {
            Some(slot) => slot.1 = v.clone(),
            None => request.query.push((k.clone(), v.clone())),
        }
    }
    Ok(Unsigned {
        facts: *facts,
        service: extras.service,
        action,
        algorithm: variant.algorithm(action),
        request,
        params: params.clone(),
    })
}

/// What Rewind sends for `action` with `params` in this wire form, unsigned: the
/// builder itself, for the relay to compare a browser-signed request with
/// (`crate::relay::read`).
pub fn expected(
    action: Action,
    params: &Value,
    target: &Target,
    variant: Variant,
) -> Result<HttpRequest, BuildError> {
    build::build_with(action, params, target, variant)
}

impl Unsigned<'_> {
    pub fn action(&self) -> Action {
        self.action
    }

    /// The request as it will be signed.
    pub fn request(&self) -> &HttpRequest {
        &self.request
    }

    /// Signs a copy at `now` (Unix seconds) with `nonce`; the call can be signed again
    /// for the next attempt.
    pub fn sign(&self, now: i64, nonce: Option<&str>) -> Result<SignedCall, CallError> {
        self.clone().into_signed(now, nonce)
    }

    /// Signs at `now` with `nonce`, once.
    pub fn into_signed(self, now: i64, nonce: Option<&str>) -> Result<SignedCall, CallError> {
        let mut request = self.request;
        let mut signing = SigningParams::new(self.facts.credentials, now);
        signing.nonce = nonce;
        signing.service = self.service;
        let signed = sign::sign(self.algorithm, &mut request, &signing)?;
        Ok(SignedCall {
            action: self.action,
            algorithm: self.algorithm,
            request,
            signed,
            params: self.params,
        })
    }
}

#[cfg(test)]
mod tests;
