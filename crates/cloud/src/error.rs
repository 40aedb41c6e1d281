//! Reads each provider's answer into either the success payload or one error type.
//!
//! - Tencent answers errors with HTTP 200: `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.
//! - ECS answers 4xx/5xx with `{"RequestId","HostId","Code","Message","Recommend"}`.
//! - Workspace answers 4xx/5xx with `{"error_code","error_msg","error_detail"?,"request_id"?}`
//!   (the request id also comes in the `X-Request-Id` header).
//!
//! A body that is not the provider's JSON (an HTML 502 page from a gateway, an empty
//! body, a truncated answer) becomes a `Rewind.*` code rather than a panic.

use crate::catalog::{self, Explanation, HTTP_STATUS, NOT_JSON, UNEXPECTED_BODY};
use crate::provider::Provider;
use serde::de::DeserializeOwned;
use serde::de::{DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// An error answered by a cloud API (or synthesized when its answer was unreadable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{provider} error {code} (HTTP {http_status}): {message}")]
pub struct CloudError {
    pub provider: Provider,
    /// The provider's code (`UnsupportedOperation.InvalidSnapshotState`, `IncorrectDiskStatus`,
    /// `APIGW.0301`), or a `Rewind.*` code.
    pub code: String,
    /// The provider's message, as sent.
    pub message: String,
    pub request_id: Option<String>,
    pub http_status: u16,
    /// ECS `Recommend` (a diagnosis link) or Workspace `error_detail`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl CloudError {
    /// What the code means and what to do next, in both languages.
    pub fn explain(&self) -> Explanation {
        catalog::explain(self.provider, &self.code, self.http_status)
    }

    pub fn retryable(&self) -> bool {
        self.explain().retryable
    }

    /// ECS `DryRun=true` answers a passing check with HTTP 400 `DryRunOperation`.
    pub fn is_dry_run_pass(&self) -> bool {
        self.provider == Provider::Alibaba && self.code == "DryRunOperation"
    }

    /// True for codes Rewind made up because the answer could not be read. Only those
    /// three: a code the provider sent is the provider's, whatever its prefix.
    pub fn is_synthetic(&self) -> bool {
        [NOT_JSON, UNEXPECTED_BODY, HTTP_STATUS].contains(&self.code.as_str())
    }

    /// An answer that arrived but cannot be used (`Rewind.UnexpectedBody`): `message`
    /// says why.
    pub fn unreadable(
        provider: Provider,
        http_status: u16,
        request_id: Option<&str>,
        message: String,
    ) -> CloudError {
        CloudError::synthetic(provider, UNEXPECTED_BODY, message, http_status, request_id)
    }

    fn synthetic(
        provider: Provider,
        code: &str,
        message: String,
        status: u16,
        rid: Option<&str>,
    ) -> CloudError {
        CloudError {
            provider,
            code: code.to_string(),
            message,
            request_id: rid.map(str::to_string),
            http_status: status,
            detail: None,
        }
    }
}

/// Reads an answer. On success returns the payload: for Tencent the object inside
/// `Response` (with its `RequestId`), for ECS and Workspace the whole body (`null` for an
/// empty Workspace success body).
pub fn parse_response(
    provider: Provider,
    http_status: u16,
    headers_request_id: Option<&str>,
    body: &[u8],
) -> Result<Value, CloudError> {
    let ok_status = (200..300).contains(&http_status);
    let trimmed = body.trim_ascii();
    if trimmed.is_empty() {
        if ok_status && provider == Provider::Huawei {
            return Ok(Value::Null);
        }
        let message = format!("HTTP {http_status} with an empty body");
        let code = if ok_status { NOT_JSON } else { HTTP_STATUS };
        return Err(CloudError::synthetic(
            provider,
            code,
            message,
            http_status,
            headers_request_id,
        ));
    }
    let json: Value = match serde_json::from_slice(trimmed) {
        Ok(v) => v,
        Err(_) => {
            let message = format!(
                "HTTP {http_status} answer is not JSON: {}",
                describe_body(trimmed)
            );
            return Err(CloudError::synthetic(
                provider,
                NOT_JSON,
                message,
                http_status,
                headers_request_id,
            ));
        }
    };
    let non_error_status = |what: &str| {
        let code = if ok_status {
            UNEXPECTED_BODY
        } else {
            HTTP_STATUS
        };
        let message = format!("HTTP {http_status}: {what}: {}", describe_body(trimmed));
        CloudError::synthetic(provider, code, message, http_status, headers_request_id)
    };
    match provider {
        Provider::Tencent => {
            let mut json = json;
            let Some(Value::Object(resp)) = json.get_mut("Response").map(Value::take) else {
                return Err(non_error_status("no \"Response\" object"));
            };
            let request_id =
                str_field(&resp, "RequestId").or(headers_request_id.map(str::to_string));
            if let Some(err) = resp.get("Error") {
                let code = err.get("Code").and_then(Value::as_str);
                return Err(CloudError {
                    provider,
                    code: code.unwrap_or(UNEXPECTED_BODY).to_string(),
                    message: err
                        .get("Message")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    request_id,
                    http_status,
                    detail: None,
                });
            }
            if ok_status {
                Ok(Value::Object(resp))
            } else {
                Err(non_error_status("no error code"))
            }
        }
        Provider::Alibaba => {
            let Value::Object(obj) = &json else {
                return Err(non_error_status("not a JSON object"));
            };
            if ok_status {
                return Ok(json);
            }
            match str_field(obj, "Code") {
                Some(code) => Err(CloudError {
                    provider,
                    code,
                    message: str_field(obj, "Message").unwrap_or_default(),
                    request_id: str_field(obj, "RequestId")
                        .or(headers_request_id.map(str::to_string)),
                    http_status,
                    detail: str_field(obj, "Recommend"),
                }),
                None => Err(non_error_status("no error code")),
            }
        }
        Provider::Huawei => {
            if ok_status {
                return Ok(json);
            }
            let Value::Object(obj) = &json else {
                return Err(non_error_status("not a JSON object"));
            };
            // Workspace and APIGW use error_code/error_msg; some Huawei services nest
            // {"error": {"code", "message"}}.
            let nested = obj.get("error").and_then(Value::as_object);
            let code =
                str_field(obj, "error_code").or_else(|| nested.and_then(|e| str_field(e, "code")));
            let message = str_field(obj, "error_msg")
                .or_else(|| nested.and_then(|e| str_field(e, "message")));
            match code {
                Some(code) => Err(CloudError {
                    provider,
                    code,
                    message: message.unwrap_or_default(),
                    request_id: str_field(obj, "request_id")
                        .or(headers_request_id.map(str::to_string)),
                    http_status,
                    detail: str_field(obj, "error_detail"),
                }),
                None => Err(non_error_status("no error code")),
            }
        }
    }
}

/// A success payload as JSON text, and the request id it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPayload<'a> {
    /// What [`parse_response`] returns as a `Value`, as checked JSON text: for Tencent
    /// the `Response` object, for ECS and Workspace the whole body, as sent (borrowed from
    /// the body) or, on the rare shapes the fast path leaves to [`parse_response`],
    /// re-encoded.
    pub data: Cow<'a, str>,
    /// The payload's own `RequestId` (Tencent, ECS) or `request_id` (Workspace), when a
    /// string; the header's is not used here.
    pub request_id: Option<String>,
}

/// [`parse_response`] for callers that pass the payload on without looking inside: a
/// success answer is read in one pass that checks it is JSON and finds its request id,
/// and is never built into a `Value` (the costliest step of a proxied read). Anything
/// else (errors, odd shapes) takes [`parse_response`] itself, so both agree on what is an
/// error. Two differences: a number too large for `f64` (`1e400`) and a lone surrogate
/// escape in a string (`"\ud800"`, which JavaScript reads) pass here as sent.
pub fn parse_response_raw<'a>(
    provider: Provider,
    http_status: u16,
    headers_request_id: Option<&str>,
    body: &'a [u8],
) -> Result<RawPayload<'a>, CloudError> {
    if let Some(payload) = success_payload(provider, http_status, body) {
        return Ok(payload);
    }
    let v = parse_response(provider, http_status, headers_request_id, body)?;
    let request_id = request_id_of(provider, &v);
    let data = serde_json::to_string(&v).map_err(|e| {
        CloudError::synthetic(
            provider,
            UNEXPECTED_BODY,
            format!("the answer cannot be passed on: {e}"),
            http_status,
            headers_request_id,
        )
    })?;
    Ok(RawPayload {
        data: Cow::Owned(data),
        request_id,
    })
}

/// The fast path of [`parse_response_raw`]: `Some` only for a 2xx JSON object that
/// [`parse_response`] would read as a success. Any doubt (a parse error, a duplicate
/// `Response`, a request id that is neither a string nor null, an `Error` member, a
/// payload that is not an object, an empty `Response`) answers `None` and the full path
/// decides.
fn success_payload(provider: Provider, http_status: u16, body: &[u8]) -> Option<RawPayload<'_>> {
    if !(200..300).contains(&http_status) {
        return None;
    }
    let text = std::str::from_utf8(body.trim_ascii()).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let (data, members) = match provider {
        Provider::Tencent => {
            let members = TencentEnvelope.deserialize(&mut de).ok()?;
            if members.error {
                return None;
            }
            (object_text(text, &members)?, members)
        }
        Provider::Alibaba | Provider::Huawei => (text, Members::SEED.deserialize(&mut de).ok()?),
    };
    de.end().ok()?;
    let request_id = match provider {
        Provider::Tencent | Provider::Alibaba => members.request_id,
        Provider::Huawei => members.request_id_lower,
    };
    Some(RawPayload {
        data: Cow::Borrowed(data),
        request_id: request_id.map(Cow::into_owned),
    })
}

/// The text of the object `members` were read from, out of `text` (which holds it): from
/// the `{` before its first key to the `}` after its last value. `None` when that key was
/// not borrowed from `text` (it had escapes) or the object is empty.
fn object_text<'a>(text: &'a str, members: &Members<'_>) -> Option<&'a str> {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    let offset = |part: &str| {
        (part.as_ptr() as usize)
            .checked_sub(text.as_ptr() as usize)
            .filter(|o| o + part.len() <= text.len())
    };
    // `{` ws `"` first-key …
    let key = offset(members.first_key?)?;
    let before_key = text.get(..key)?.strip_suffix('"')?;
    let start = before_key.trim_end_matches(is_space).len().checked_sub(1)?;
    // … last-value ws `}`
    let last = members.last_value?;
    let value_end = offset(last)? + last.len();
    let after = text.get(value_end..)?;
    let end = value_end + (after.len() - after.trim_start_matches(is_space).len());
    let object = text.get(start..=end)?;
    (object.starts_with('{') && object.ends_with('}')).then_some(object)
}

/// A JSON string, borrowed from the input when it has no escapes.
struct JsonStr<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for JsonStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JsonStr<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(JsonStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(JsonStr(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// What one pass over a JSON object finds: whether it has an `Error` member, its request
/// ids, and where its text starts and ends (its first key, when borrowed, and its last
/// value).
#[derive(Default)]
struct Members<'de> {
    error: bool,
    request_id: Option<Cow<'de, str>>,
    request_id_lower: Option<Cow<'de, str>>,
    first_key: Option<&'de str>,
    last_value: Option<&'de str>,
}

/// Reads an object (and nothing else) into [`Members`].
#[derive(Clone, Copy)]
struct MembersSeed;

impl Members<'_> {
    const SEED: MembersSeed = MembersSeed;
}

impl<'de> DeserializeSeed<'de> for MembersSeed {
    type Value = Members<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Members<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MembersSeed {
    type Value = Members<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
        let mut m = Members::default();
        let mut first = true;
        while let Some(JsonStr(key)) = map.next_key()? {
            let value: &'de RawValue = map.next_value()?;
            if first {
                first = false;
                if let Cow::Borrowed(k) = key {
                    m.first_key = Some(k);
                }
            }
            m.last_value = Some(value.get());
            let string_or_null = || {
                serde_json::from_str::<Option<JsonStr<'de>>>(value.get())
                    .map(|s| s.map(|s| s.0))
                    .map_err(A::Error::custom)
            };
            match key.as_ref() {
                "Error" => m.error = true,
                "RequestId" => m.request_id = string_or_null()?,
                "request_id" => m.request_id_lower = string_or_null()?,
                _ => {}
            }
        }
        Ok(m)
    }
}

/// Tencent's `{"Response": {…}}`: the members of `Response`.
struct TencentEnvelope;

impl<'de> DeserializeSeed<'de> for TencentEnvelope {
    type Value = Members<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Members<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TencentEnvelope {
    type Value = Members<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object with a Response object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
        let mut response = None;
        while let Some(JsonStr(key)) = map.next_key()? {
            if key == "Response" {
                if response.is_some() {
                    return Err(A::Error::duplicate_field("Response"));
                }
                response = Some(map.next_value_seed(Members::SEED)?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        response.ok_or_else(|| A::Error::missing_field("Response"))
    }
}

/// [`parse_response`], then the payload read into a typed response
/// (`tencent::DescribeSnapshotsResponse`, `alibaba::DescribeDisksResponse`, …). A payload
/// that does not fit becomes `Rewind.UnexpectedBody`.
pub fn parse_typed<T: DeserializeOwned>(
    provider: Provider,
    http_status: u16,
    headers_request_id: Option<&str>,
    body: &[u8],
) -> Result<T, CloudError> {
    let v = parse_response(provider, http_status, headers_request_id, body)?;
    let request_id = request_id_of(provider, &v).or(headers_request_id.map(str::to_string));
    serde_json::from_value(v).map_err(|e| CloudError {
        provider,
        code: UNEXPECTED_BODY.to_string(),
        message: format!("the answer does not have the expected fields: {e}"),
        request_id,
        http_status,
        detail: None,
    })
}

fn request_id_of(provider: Provider, v: &Value) -> Option<String> {
    let key = match provider {
        Provider::Tencent | Provider::Alibaba => "RequestId",
        Provider::Huawei => "request_id",
    };
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn str_field(obj: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A short, single-line description of an unreadable body: an HTML page's title, or
/// its first characters.
fn describe_body(body: &[u8]) -> String {
    const MAX: usize = 120;
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>"))
        && start + 7 <= end
    {
        let title = collapse(&text[start + 7..end]);
        if !title.is_empty() {
            return format!("an HTML page titled {title:?}");
        }
    }
    let flat = collapse(&text);
    if flat.chars().count() > MAX {
        let cut: String = flat.chars().take(MAX).collect();
        format!("{cut:?}…")
    } else {
        format!("{flat:?}")
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
