//! Reading a request the browser signed (static-hosting mode) exactly as the cloud will
//! read it, so the proxy's policy check and audit row see the parameters that will act.
//!
//! A relayed request is refused unless it is exactly what Rewind's own builder sends for
//! the action and parameters it carries: [`read`] decides the action and parameters the
//! way the provider does for that method, content type and signature scheme; refuses
//! the ambiguous cases with a message naming them (a duplicated parameter or header,
//! conflicting action sources, parameters in more than one place, a content type the
//! provider would not read, a path that is not the action's); validates the parameters
//! with the rules of `/api/v1/call`; rebuilds the request with [`call::expected`] and
//! requires every parameter-bearing part (method, path, query, body, protocol headers)
//! to be identical. What the cloud reads is then what was checked.

use crate::action::{Action, HttpShape};
use crate::build::{Target, Variant};
use crate::call;
use crate::http::HttpRequest;
use crate::provider::Provider;
use crate::sign::{Algorithm, acs3, sdk_hmac, tc3, verify};
use crate::validate::{
    FieldError, FieldWarning, ValidateOptions, WireType, is_region_id, validate_params, wire_type,
};
use serde_json::{Map, Value};

/// A relayed request, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Relayed {
    pub action: Action,
    /// The validated parameters the cloud will read: what policy checks and the audit
    /// records. Never a key or a signature.
    pub params: Value,
    pub warnings: Vec<FieldWarning>,
    /// The region the request names (`X-TC-Region`, ECS `RegionId` or endpoint host,
    /// Workspace host), when it names one.
    pub region: Option<String>,
    pub variant: Variant,
}

/// Why a relayed request is refused. Nothing has been recorded or sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RelayError {
    #[error("{0}")]
    Malformed(String),
    /// No action Rewind relays: the name the request gave (or what it lacked).
    #[error("{0:?} is not an action Rewind relays")]
    UnknownAction(String),
    #[error("the request names its action twice and differently: {0}")]
    ConflictingAction(String),
    #[error("{0} appears more than once; the cloud would read only one of them")]
    Duplicated(String),
    #[error("parameters in more than one place: {0}")]
    Split(String),
    #[error("{0}")]
    ContentType(String),
    #[error("{0}")]
    Path(String),
    #[error("header {0:?} is not part of this provider's signed requests")]
    UnexpectedHeader(String),
    #[error("the parameters are not valid")]
    Invalid(Vec<FieldError>),
    #[error("the request differs from what Rewind sends for these parameters: {0}")]
    Mismatch(String),
}

/// Query parameters of ECS signature version 1: credentials, signature and its inputs.
const V1_SIGNING_QUERY: &[&str] = &[
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
    "SecurityToken",
];

/// ECS protocol parameters that are not the action's own (version 1 puts them in the query).
const V1_PROTOCOL_QUERY: &[&str] = &["Action", "Format", "Version"];

/// Headers a signature scheme adds: allowed besides the ones the builder sets.
fn signing_headers(alg: Algorithm) -> &'static [&'static str] {
    match alg {
        Algorithm::Tc3 => &["Authorization", tc3::HEADER_TIMESTAMP, tc3::HEADER_TOKEN],
        Algorithm::Acs3 => &[
            "Authorization",
            acs3::HEADER_DATE,
            acs3::HEADER_NONCE,
            acs3::HEADER_CONTENT_SHA256,
            acs3::HEADER_TOKEN,
            acs3::HEADER_ACCESS_KEY_ID,
        ],
        Algorithm::AcsV1 => &[],
        Algorithm::SdkHmac => &[
            "Authorization",
            sdk_hmac::HEADER_DATE,
            sdk_hmac::HEADER_TOKEN,
            sdk_hmac::HEADER_CONTENT_SHA256,
        ],
    }
}

/// Reads a relayed request of `provider` as that provider will. `region_hint` is the
/// region the destination host serves when the caller knows it (an endpoint override).
pub fn read(
    provider: Provider,
    req: &HttpRequest,
    region_hint: Option<&str>,
) -> Result<Relayed, RelayError> {
    if req.method != "GET" && req.method != "POST" {
        return Err(RelayError::Malformed(format!(
            "method {:?} is not GET or POST",
            shown(&req.method)
        )));
    }
    no_duplicate_headers(req)?;
    let (action, variant) = action_of(provider, req)?;
    if !matches!(action.spec().shape, HttpShape::Rest { .. }) && req.path != "/" {
        return Err(RelayError::Path(format!(
            "{} is sent to the path /, not {:?}",
            action.name(),
            shown(&req.path)
        )));
    }
    let (params, project_id) = match provider {
        Provider::Tencent => (tencent_params(req)?, None),
        Provider::Alibaba => (ecs_params(action, req)?, None),
        Provider::Huawei => workspace_params(action, req)?,
    };
    let region = region_of(provider, req, &params, region_hint)?;
    let validated = validate_params(action, &Value::Object(params), &ValidateOptions::default())
        .map_err(RelayError::Invalid)?;
    let target = Target {
        region: match provider {
            // Only Tencent carries the region in the request itself (X-TC-Region).
            Provider::Tencent => req.header("X-TC-Region").unwrap_or("").to_string(),
            _ => String::new(),
        },
        endpoint: Some(req.host.clone()),
        scheme: None,
        project_id,
    };
    let rebuilt = call::expected(action, &validated.params, &target, variant)
        .map_err(|e| RelayError::Mismatch(e.to_string()))?;
    same_request(req, &rebuilt, variant.algorithm(action))?;
    Ok(Relayed {
        action,
        params: validated.params,
        warnings: validated.warnings,
        region,
        variant,
    })
}

fn shown(s: &str) -> String {
    s.chars().take(64).collect()
}

fn no_duplicate_headers(req: &HttpRequest) -> Result<(), RelayError> {
    let mut seen = std::collections::HashSet::new();
    for (name, _) in &req.headers {
        if !seen.insert(name.to_ascii_lowercase()) {
            return Err(RelayError::Duplicated(format!("header {:?}", shown(name))));
        }
    }
    Ok(())
}

fn query_values<'a>(req: &'a HttpRequest, name: &str) -> Vec<&'a str> {
    req.query
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The action, read from where the provider reads it, and the wire form it came in.
fn action_of(provider: Provider, req: &HttpRequest) -> Result<(Action, Variant), RelayError> {
    let unknown = |name: &str| RelayError::UnknownAction(shown(name));
    match provider {
        Provider::Tencent => {
            let name = req
                .header("X-TC-Action")
                .ok_or_else(|| RelayError::UnknownAction("(no X-TC-Action header)".into()))?;
            if let Some(q) = query_values(req, "Action").first() {
                return Err(RelayError::ConflictingAction(format!(
                    "X-TC-Action {:?} and a query parameter Action={:?}",
                    shown(name),
                    shown(q)
                )));
            }
            let action = Action::lookup(provider, name).ok_or_else(|| unknown(name))?;
            Ok((action, Variant::Default))
        }
        Provider::Alibaba => {
            let header = req.header("x-acs-action");
            let query = query_values(req, "Action");
            if query.len() > 1 {
                return Err(RelayError::Duplicated("query parameter \"Action\"".into()));
            }
            let name = match (header, query.first()) {
                (Some(h), Some(q)) if h != *q => {
                    return Err(RelayError::ConflictingAction(format!(
                        "x-acs-action {:?} and Action={:?}",
                        shown(h),
                        shown(q)
                    )));
                }
                (Some(h), _) => h,
                (None, Some(q)) => q,
                (None, None) => {
                    return Err(RelayError::UnknownAction(
                        "(no x-acs-action header or Action parameter)".into(),
                    ));
                }
            };
            let action = Action::lookup(provider, name).ok_or_else(|| unknown(name))?;
            // Version 1 carries the protocol parameters and the signature in the query.
            let variant = if query.is_empty() && req.query_param("Signature").is_none() {
                Variant::Default
            } else {
                Variant::AlibabaV1
            };
            Ok((action, variant))
        }
        Provider::Huawei => {
            // A path that is no action's documented path names no action.
            let (action, _) = Action::lookup_rest(&req.method, &req.path).ok_or_else(|| {
                RelayError::UnknownAction(format!("{} {}", req.method, shown(&req.path)))
            })?;
            Ok((action, Variant::Default))
        }
    }
}

fn content_type(req: &HttpRequest) -> Option<&str> {
    req.header("Content-Type")
}

/// The JSON object of a body; a key given twice at any depth is refused (which of the
/// two a cloud would take is not documented).
fn json_object(body: &[u8]) -> Result<Map<String, Value>, RelayError> {
    if let Some(key) = duplicate_key(body) {
        return Err(RelayError::Duplicated(format!(
            "body field {:?}",
            shown(&key)
        )));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(RelayError::Malformed(
            "the body must be a JSON object".into(),
        )),
        Err(e) => Err(RelayError::Malformed(format!("the body is not JSON: {e}"))),
    }
}

fn require_json_body(req: &HttpRequest, product: &str) -> Result<(), RelayError> {
    match content_type(req) {
        Some("application/json") => {}
        other => {
            return Err(RelayError::ContentType(format!(
                "{product} reads a POST body as parameters only with Content-Type \
                 application/json (the form Rewind signs), not {:?}",
                shown(other.unwrap_or("(none)"))
            )));
        }
    }
    if !req.query.is_empty() {
        return Err(RelayError::Split(format!(
            "the query ({}) and the JSON body",
            req.query
                .iter()
                .map(|(k, _)| shown(k))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

/// Tencent API 3.0: Rewind sends `POST /` with a JSON body. (The cloud would also read
/// a GET query or a form body; the relay takes only the form Rewind signs.)
fn tencent_params(req: &HttpRequest) -> Result<Map<String, Value>, RelayError> {
    if req.method != "POST" {
        return Err(RelayError::ContentType(
            "the relay takes Tencent requests as POST with a JSON body (the form Rewind signs)"
                .into(),
        ));
    }
    require_json_body(req, "Tencent")?;
    json_object(&req.body)
}

/// ECS RPC: the cloud reads the query and a form body; Rewind sends everything in the
/// query, so a body is refused.
fn ecs_params(action: Action, req: &HttpRequest) -> Result<Map<String, Value>, RelayError> {
    if req.method != "POST" {
        return Err(RelayError::ContentType(
            "the relay takes ECS requests as POST with the parameters in the query".into(),
        ));
    }
    if !req.body.is_empty() {
        return Err(RelayError::Split(
            "the query and the body (ECS reads a form body as parameters too; Rewind sends \
             every parameter in the query)"
                .into(),
        ));
    }
    if let Some(ct) = content_type(req) {
        return Err(RelayError::ContentType(format!(
            "an ECS request from Rewind has no body and no Content-Type, not {:?}",
            shown(ct)
        )));
    }
    let mut seen = std::collections::HashSet::new();
    let mut params = Map::new();
    let mut objects: Vec<(String, usize, String, String)> = Vec::new();
    for (k, v) in &req.query {
        if !seen.insert(k.as_str()) {
            return Err(RelayError::Duplicated(format!(
                "query parameter {:?}",
                shown(k)
            )));
        }
        if V1_SIGNING_QUERY.contains(&k.as_str()) || V1_PROTOCOL_QUERY.contains(&k.as_str()) {
            continue;
        }
        // `Tag.1.Key`: a 1-based list of objects.
        let parts: Vec<&str> = k.split('.').collect();
        if let [name, index, field] = parts.as_slice()
            && let Ok(i) = index.parse::<usize>()
            && wire_type(action, name) == Some(WireType::Objects)
            && (1..=1000).contains(&i)
        {
            objects.push((name.to_string(), i, field.to_string(), v.clone()));
            continue;
        }
        let value = match wire_type(action, k) {
            Some(WireType::List) => serde_json::from_str::<Value>(v)
                .ok()
                .filter(Value::is_array)
                .unwrap_or_else(|| Value::String(v.clone())),
            Some(t) => scalar(t, v),
            // Unknown: validation names it.
            None => Value::String(v.clone()),
        };
        params.insert(k.clone(), value);
    }
    objects.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    for (name, i, field, v) in objects {
        let list = params
            .entry(name.clone())
            .or_insert_with(|| Value::Array(Vec::new()));
        let Value::Array(items) = list else {
            return Err(RelayError::Duplicated(format!("query parameter {name:?}")));
        };
        while items.len() < i {
            items.push(Value::Object(Map::new()));
        }
        if let Some(Value::Object(m)) = items.get_mut(i - 1) {
            m.insert(field, Value::String(v));
        }
    }
    Ok(params)
}

/// A text value as the schema types it: numbers and booleans parsed, the rest as text
/// (a value that does not parse is left as text for validation to name).
fn scalar(t: WireType, v: &str) -> Value {
    match t {
        WireType::Int => v
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(v.to_string())),
        WireType::Bool => match v {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(v.to_string()),
        },
        _ => Value::String(v.to_string()),
    }
}

/// Workspace REST: path variables, then the query (GET, lists as repeated pairs) or the
/// JSON body (POST). Returns the parameters and the project id of the path.
fn workspace_params(
    action: Action,
    req: &HttpRequest,
) -> Result<(Map<String, Value>, Option<String>), RelayError> {
    let (_, vars) = Action::lookup_rest(&req.method, &req.path)
        .ok_or_else(|| RelayError::Path(format!("{:?}", shown(&req.path))))?;
    let mut params = Map::new();
    let mut project_id = None;
    for (name, value) in vars {
        if name == "project_id" {
            project_id = Some(value);
        } else {
            params.insert(name.to_string(), Value::String(value));
        }
    }
    if req.method == "GET" {
        if !req.body.is_empty() {
            return Err(RelayError::Split(
                "the query and the body of a GET request".into(),
            ));
        }
        for (k, v) in &req.query {
            if params.contains_key(k) && wire_type(action, k) != Some(WireType::List) {
                return Err(RelayError::Duplicated(format!(
                    "query parameter {:?}",
                    shown(k)
                )));
            }
            match wire_type(action, k) {
                Some(WireType::List) => {
                    let list = params
                        .entry(k.clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(items) = list {
                        items.push(Value::String(v.clone()));
                    }
                }
                Some(t) => {
                    params.insert(k.clone(), scalar(t, v));
                }
                None => {
                    params.insert(k.clone(), Value::String(v.clone()));
                }
            }
        }
    } else {
        require_json_body(req, "Workspace")?;
        for (k, v) in json_object(&req.body)? {
            if params.contains_key(&k) {
                return Err(RelayError::Split(format!(
                    "{:?} is in both the path and the body",
                    shown(&k)
                )));
            }
            params.insert(k, v);
        }
    }
    Ok((params, project_id))
}

/// The region a request addresses, when it names one; a malformed one is refused.
fn region_of(
    provider: Provider,
    req: &HttpRequest,
    params: &Map<String, Value>,
    hint: Option<&str>,
) -> Result<Option<String>, RelayError> {
    let named = match provider {
        Provider::Tencent => req.header("X-TC-Region").map(str::to_string),
        Provider::Alibaba => params
            .get("RegionId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                let host = req.host.to_ascii_lowercase();
                host.strip_prefix("ecs-")
                    .or_else(|| host.strip_prefix("ecs."))
                    .and_then(|rest| rest.strip_suffix(".aliyuncs.com"))
                    .map(str::to_string)
            }),
        Provider::Huawei => req
            .host
            .to_ascii_lowercase()
            .strip_prefix("workspace.")
            .and_then(|rest| rest.strip_suffix(".myhuaweicloud.com"))
            .map(str::to_string),
    };
    match named.or_else(|| hint.map(str::to_string)) {
        Some(r) if !is_region_id(&r) => Err(RelayError::Malformed(format!(
            "{:?} is not a region ID (lower-case letters, digits and hyphens)",
            shown(&r)
        ))),
        other => Ok(other),
    }
}

/// Every parameter-bearing part of `req` equals the rebuilt request's; the only other
/// headers allowed are the signature scheme's own.
fn same_request(
    req: &HttpRequest,
    rebuilt: &HttpRequest,
    alg: Algorithm,
) -> Result<(), RelayError> {
    let signed_with = verify::detect(req).ok();
    if signed_with != Some(alg) {
        return Err(RelayError::Mismatch(format!(
            "it must be signed with {}",
            alg.wire_name()
        )));
    }
    if req.method != rebuilt.method || req.path != rebuilt.path {
        return Err(RelayError::Mismatch(format!(
            "{} {} instead of {} {}",
            req.method,
            shown(&req.path),
            rebuilt.method,
            rebuilt.path
        )));
    }
    if req.body != rebuilt.body {
        return Err(RelayError::Mismatch(
            "the body is not the one these parameters make (extra, repeated or re-encoded fields)"
                .into(),
        ));
    }
    let mut sent: Vec<&(String, String)> = req
        .query
        .iter()
        .filter(|(k, _)| alg != Algorithm::AcsV1 || !V1_SIGNING_QUERY.contains(&k.as_str()))
        .collect();
    let mut expected: Vec<&(String, String)> = rebuilt.query.iter().collect();
    sent.sort();
    expected.sort();
    if sent != expected {
        let extra: Vec<String> = sent
            .iter()
            .filter(|p| !expected.contains(p))
            .map(|(k, _)| shown(k))
            .collect();
        return Err(RelayError::Mismatch(if extra.is_empty() {
            "the query lacks parameters these parameters make".into()
        } else {
            format!("query parameters {}", extra.join(", "))
        }));
    }
    for (name, value) in &rebuilt.headers {
        if req.header(name) != Some(value.as_str()) {
            return Err(RelayError::Mismatch(format!(
                "header {name} must be {:?}",
                shown(value)
            )));
        }
    }
    let allowed = signing_headers(alg);
    for (name, _) in &req.headers {
        let known =
            rebuilt.header(name).is_some() || allowed.iter().any(|a| a.eq_ignore_ascii_case(name));
        if !known {
            return Err(RelayError::UnexpectedHeader(shown(name)));
        }
    }
    Ok(())
}

/// The first object key that appears twice in one object of a JSON text, if any.
fn duplicate_key(body: &[u8]) -> Option<String> {
    use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
    use std::cell::RefCell;

    struct Finder<'a>(&'a RefCell<Option<String>>);

    impl<'de> Visitor<'de> for Finder<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(Seed(self.0))?.is_some() {}
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut keys = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !keys.insert(key.clone()) && self.0.borrow().is_none() {
                    *self.0.borrow_mut() = Some(key);
                }
                map.next_value_seed(Seed(self.0))?;
            }
            Ok(())
        }
    }

    struct Seed<'a>(&'a RefCell<Option<String>>);

    impl<'de> serde::de::DeserializeSeed<'de> for Seed<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(Finder(self.0))
        }
    }

    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(body);
    let _ = de.deserialize_any(Finder(&found));
    found.into_inner()
}

#[cfg(test)]
mod tests;
