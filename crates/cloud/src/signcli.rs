//! The engine of `rewind sign`: JSON call descriptions in, signed requests out.
//!
//! Input is one object or an array of them:
//!
//! ```json
//! {"provider": "tencent" | "alibaba" | "alibaba-v1" | "huawei",
//!  "action": "ApplyInstanceSnapshot",          // Workspace: the API name (ShowJob …)
//!  "params": {…provider field names…},
//!  "region": "ap-guangzhou",
//!  "endpoint": "host[:port]",                  // optional: the provider default
//!  "scheme": "https",                          // optional
//!  "credentials": {"id": "…", "secret": "…", "token": "…"?, "project_id": "…"?},
//!  "time": 1700000000,                         // Unix seconds
//!  "nonce": "…",                               // required for alibaba / alibaba-v1
//!  "method": "GET",                            // optional, Tencent only
//!  "service": "lighthouse",                    // optional, Tencent credential scope
//!  "headers": {"user-agent": "…"},             // optional extra headers, signed like the rest
//!  "query": {"Format": "json"}}                // optional extra/overriding query parameters
//! ```
//!
//! Output, per input (an array for an array): `{"algorithm", "method", "url",
//! "headers": {…}, "body": "…", "debug": {"canonical_request", "string_to_sign"}}`.
//! Any invalid item fails the whole run with an error naming the item and field.

use crate::action::Action;
use crate::build::{Target, Variant};
use crate::call::{self, AlibabaSignature, CallError, CallFacts, Extras};
use crate::http::HttpRequest;
use crate::provider::Provider;
use crate::sign::{self, Algorithm, Credentials, SignError};
use serde_json::{Map, Value, json};

/// Why `rewind sign` refused its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignCliError {
    #[error("input is not valid JSON: {0}")]
    Json(String),
    #[error("input must be a JSON object or an array of objects")]
    NotAnObject,
    #[error("item {index}: `{field}`: {message}")]
    Field {
        index: usize,
        field: String,
        message: String,
    },
}

/// One parsed call description.
#[derive(Debug, Clone)]
pub struct SignInput {
    pub action: Action,
    pub variant: Variant,
    pub params: Value,
    pub target: Target,
    pub credentials: Credentials,
    pub time: i64,
    pub nonce: Option<String>,
    pub service: Option<String>,
    pub extra_headers: Vec<(String, String)>,
    pub extra_query: Vec<(String, String)>,
}

/// A signed call: the request plus what was signed.
#[derive(Debug, Clone)]
pub struct SignOutput {
    pub algorithm: Algorithm,
    pub request: HttpRequest,
    pub signed: sign::Signed,
}

impl SignOutput {
    /// The full URL, with the query encoded as it was signed ([`HttpRequest::url`]).
    pub fn url(&self) -> String {
        self.request.url()
    }

    pub fn to_json(&self) -> Value {
        let headers: Map<String, Value> = self
            .request
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        json!({
            "algorithm": self.algorithm.id(),
            "method": self.request.method,
            "url": self.url(),
            "headers": headers,
            "body": String::from_utf8_lossy(&self.request.body),
            "debug": {
                "canonical_request": self.signed.canonical_request,
                "string_to_sign": self.signed.string_to_sign,
            },
        })
    }
}

/// Runs `rewind sign` on its standard input; returns pretty JSON.
pub fn run(stdin: &str) -> Result<String, SignCliError> {
    let input: Value =
        serde_json::from_str(stdin).map_err(|e| SignCliError::Json(e.to_string()))?;
    let out = match &input {
        Value::Array(items) => {
            let signed = items
                .iter()
                .enumerate()
                .map(|(i, item)| sign_item(i, item).map(|o| o.to_json()))
                .collect::<Result<Vec<_>, _>>()?;
            Value::Array(signed)
        }
        Value::Object(_) => sign_item(0, &input)?.to_json(),
        _ => return Err(SignCliError::NotAnObject),
    };
    serde_json::to_string_pretty(&out).map_err(|e| SignCliError::Json(e.to_string()))
}

/// Parses, builds and signs one item (`index` is only for error messages).
pub fn sign_item(index: usize, item: &Value) -> Result<SignOutput, SignCliError> {
    let input = parse_item(index, item)?;
    sign_input(index, &input)
}

/// Builds and signs a parsed item, through [`call::prepare_with`].
pub fn sign_input(index: usize, input: &SignInput) -> Result<SignOutput, SignCliError> {
    let err = |field: &str, message: String| SignCliError::Field {
        index,
        field: field.to_string(),
        message,
    };
    let t = &input.target;
    let facts = CallFacts {
        provider: input.action.provider(),
        signature: match input.variant {
            Variant::AlibabaV1 => AlibabaSignature::V1,
            _ => AlibabaSignature::V3,
        },
        credentials: &input.credentials,
        region: &t.region,
        endpoint: t.endpoint.as_deref(),
        scheme: t.scheme.as_deref(),
        project_id: t.project_id.as_deref(),
    };
    let extras = Extras {
        tencent_get: input.variant == Variant::TencentGet,
        service: input.service.as_deref(),
        headers: &input.extra_headers,
        query: &input.extra_query,
    };
    let call = call::prepare_with(
        &facts,
        input.action,
        &input.params,
        input.time,
        input.nonce.as_deref(),
        &extras,
    )
    .map_err(|e| match e {
        CallError::Sign(e) => {
            let field = match e {
                SignError::MissingNonce => "nonce",
                SignError::MissingAccessKeyId => "credentials.id",
                SignError::MissingSecret => "credentials.secret",
                SignError::InvalidTime(_) => "time",
                SignError::MissingHost => "endpoint",
            };
            err(field, e.to_string())
        }
        e => err("params", e.to_string()),
    })?;
    Ok(SignOutput {
        algorithm: call.algorithm,
        request: call.request,
        signed: call.signed,
    })
}

/// Reads one call description, naming the first field at fault.
pub fn parse_item(index: usize, item: &Value) -> Result<SignInput, SignCliError> {
    let err = |field: &str, message: &str| SignCliError::Field {
        index,
        field: field.to_string(),
        message: message.to_string(),
    };
    let obj = item
        .as_object()
        .ok_or_else(|| err("(item)", "must be a JSON object"))?;
    const KNOWN: &[&str] = &[
        "provider",
        "action",
        "params",
        "region",
        "endpoint",
        "scheme",
        "credentials",
        "time",
        "nonce",
        "method",
        "service",
        "headers",
        "query",
    ];
    if let Some(k) = obj.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(err(k, "unknown field"));
    }
    let req_str = |name: &str| -> Result<String, SignCliError> {
        match obj.get(name) {
            None | Some(Value::Null) => Err(err(name, "missing")),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(err(name, "must be a string")),
        }
    };
    let opt_str = |name: &str| -> Result<Option<String>, SignCliError> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(err(name, "must be a string")),
        }
    };
    let provider_id = req_str("provider")?;
    let (provider, mut variant) = match provider_id.as_str() {
        "tencent" => (Provider::Tencent, Variant::Default),
        "alibaba" => (Provider::Alibaba, Variant::Default),
        "alibaba-v1" => (Provider::Alibaba, Variant::AlibabaV1),
        "huawei" => (Provider::Huawei, Variant::Default),
        _ => {
            return Err(err(
                "provider",
                &format!(
                    "unknown provider {provider_id:?} (expected tencent, alibaba, alibaba-v1 or huawei)"
                ),
            ));
        }
    };
    let action_name = req_str("action")?;
    let action = Action::lookup(provider, &action_name).ok_or_else(|| {
        let known: Vec<&str> = Action::of(provider).map(Action::name).collect();
        err(
            "action",
            &format!(
                "{action_name:?} is not a {provider} action Rewind can sign (known: {})",
                known.join(", ")
            ),
        )
    })?;
    if let Some(method) = opt_str("method")? {
        match (provider, method.to_ascii_uppercase().as_str()) {
            (Provider::Tencent, "GET") => variant = Variant::TencentGet,
            (Provider::Tencent, "POST") => {}
            _ => return Err(err("method", "only Tencent takes a method (GET or POST)")),
        }
    }
    let params = match obj.get("params") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => return Err(err("params", "must be an object")),
    };
    let creds = match obj.get("credentials") {
        Some(Value::Object(c)) => c,
        None | Some(Value::Null) => return Err(err("credentials", "missing")),
        Some(_) => return Err(err("credentials", "must be an object")),
    };
    if let Some(k) = creds
        .keys()
        .find(|k| !["id", "secret", "token", "project_id"].contains(&k.as_str()))
    {
        return Err(err(&format!("credentials.{k}"), "unknown field"));
    }
    let cred_str = |name: &str, required: bool| -> Result<Option<String>, SignCliError> {
        let field = format!("credentials.{name}");
        match creds.get(name) {
            None | Some(Value::Null) if required => Err(err(&field, "missing")),
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if required && s.is_empty() => {
                Err(err(&field, "must not be empty"))
            }
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(err(&field, "must be a string")),
        }
    };
    let credentials = Credentials {
        id: cred_str("id", true)?.unwrap_or_default(),
        secret: cred_str("secret", true)?.unwrap_or_default(),
        token: cred_str("token", false)?.filter(|t| !t.is_empty()),
    };
    let project_id = cred_str("project_id", false)?;
    if provider == Provider::Huawei && project_id.is_none() && params.get("project_id").is_none() {
        return Err(err(
            "credentials.project_id",
            "missing (Huawei needs a project id)",
        ));
    }
    let time = match obj.get("time") {
        None | Some(Value::Null) => return Err(err("time", "missing")),
        Some(Value::Number(n)) => n
            .as_i64()
            .filter(|t| sign::time::in_range(*t))
            .ok_or_else(|| err("time", "must be whole Unix seconds between 1970 and 9999"))?,
        Some(_) => return Err(err("time", "must be a number (Unix seconds)")),
    };
    let nonce = opt_str("nonce")?;
    if provider == Provider::Alibaba && nonce.as_deref().is_none_or(str::is_empty) {
        return Err(err(
            "nonce",
            "missing (Alibaba requests need a unique nonce)",
        ));
    }
    let region = opt_str("region")?.unwrap_or_default();
    if region.is_empty() && provider != Provider::Tencent && opt_str("endpoint")?.is_none() {
        return Err(err("region", "missing (needed for the default endpoint)"));
    }
    let string_map = |name: &str| -> Result<Vec<(String, String)>, SignCliError> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    _ => Err(err(&format!("{name}.{k}"), "must be a string")),
                })
                .collect(),
            Some(_) => Err(err(name, "must be an object of strings")),
        }
    };
    let scheme = opt_str("scheme")?;
    if let Some(s) = &scheme
        && s != "http"
        && s != "https"
    {
        return Err(err("scheme", "must be http or https"));
    }
    let endpoint = opt_str("endpoint")?;
    if let Some(e) = &endpoint
        && (e.is_empty() || e.contains('/') || e.contains(char::is_whitespace))
    {
        return Err(err(
            "endpoint",
            "must be host[:port], without scheme or path",
        ));
    }
    Ok(SignInput {
        action,
        variant,
        params,
        target: Target {
            region,
            endpoint,
            scheme,
            project_id,
        },
        credentials,
        time,
        nonce,
        service: opt_str("service")?,
        extra_headers: string_map("headers")?,
        extra_query: string_map("query")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tencent() -> Value {
        json!({
            "provider": "tencent",
            "action": "ApplyInstanceSnapshot",
            "params": {"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-nv6aqcv6"},
            "region": "ap-guangzhou",
            "credentials": {"id": "AKIDEXAMPLEFAKE", "secret": "fake-secret-cli"},
            "time": 1_700_000_000
        })
    }

    #[test]
    fn signs_one_object_and_arrays() {
        let out: Value = serde_json::from_str(&run(&tencent().to_string()).unwrap()).unwrap();
        assert_eq!(out["method"], "POST");
        assert_eq!(out["url"], "https://lighthouse.tencentcloudapi.com/");
        assert_eq!(out["headers"]["X-TC-Action"], "ApplyInstanceSnapshot");
        assert_eq!(out["headers"]["X-TC-Timestamp"], "1700000000");
        assert!(
            out["headers"]["Authorization"]
                .as_str()
                .unwrap()
                .starts_with("TC3-HMAC-SHA256 ")
        );
        assert_eq!(
            out["body"],
            r#"{"InstanceId": "lhins-k31c771o", "SnapshotId": "lhsnap-nv6aqcv6"}"#
        );
        assert!(
            out["debug"]["string_to_sign"]
                .as_str()
                .unwrap()
                .contains("2023-11-14/lighthouse/tc3_request")
        );

        let ecs = json!({
            "provider": "alibaba-v1", "action": "ResetDisk", "region": "cn-hangzhou",
            "params": {"DiskId": "d-1", "SnapshotId": "s-1"},
            "credentials": {"id": "LTAIEXAMPLEFAKE", "secret": "fake", "token": "fake-sts"},
            "time": 1_700_000_000, "nonce": "n-1"
        });
        let hw = json!({
            "provider": "huawei", "action": "ShowJob", "region": "cn-north-4",
            "params": {"job_id": "j-1"},
            "credentials": {"id": "HWEXAMPLEFAKE", "secret": "fake", "project_id": "p1"},
            "time": 1_700_000_000
        });
        let out: Value =
            serde_json::from_str(&run(&json!([tencent(), ecs, hw]).to_string()).unwrap()).unwrap();
        let arr = out.as_array().unwrap();
        assert_eq!(arr.len(), 3);
        let url = arr[1]["url"].as_str().unwrap();
        assert!(url.starts_with("https://ecs-cn-hangzhou.aliyuncs.com/?Action=ResetDisk&Format=JSON&Version=2014-05-26&DiskId=d-1"));
        assert!(url.contains("&SecurityToken=fake-sts&") && url.contains("&Signature="));
        assert_eq!(
            arr[2]["url"],
            "https://workspace.cn-north-4.myhuaweicloud.com/v2/p1/workspace-jobs/j-1"
        );
        assert_eq!(arr[2]["headers"]["X-Project-Id"], "p1");
    }

    #[test]
    fn tencent_get_url_is_what_was_signed() {
        let mut t = tencent();
        t["method"] = json!("GET");
        t["action"] = json!("DescribeInstances");
        t["params"] = json!({"Filters": [{"Name": "instance-name", "Values": ["a b/c"]}]});
        let out: Value = serde_json::from_str(&run(&t.to_string()).unwrap()).unwrap();
        assert_eq!(
            out["url"],
            "https://lighthouse.tencentcloudapi.com/?Filters.0.Name=instance-name&Filters.0.Values.0=a+b%2Fc"
        );
        assert!(
            out["debug"]["canonical_request"]
                .as_str()
                .unwrap()
                .starts_with("GET\n/\nFilters.0.Name=instance-name&Filters.0.Values.0=a+b%2Fc\n")
        );
    }

    fn field_error(input: Value) -> (usize, String) {
        match run(&input.to_string()) {
            Err(SignCliError::Field { index, field, .. }) => (index, field),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_item_and_field() {
        let mut bad = tencent();
        bad["provider"] = json!("aws");
        assert_eq!(field_error(json!([tencent(), bad])), (1, "provider".into()));
        let mut bad = tencent();
        bad["action"] = json!("TerminateInstances");
        assert_eq!(field_error(bad), (0, "action".into()));
        let mut bad = tencent();
        bad["time"] = json!("yesterday");
        assert_eq!(field_error(bad), (0, "time".into()));
        let mut bad = tencent();
        bad["credentials"].as_object_mut().unwrap().remove("secret");
        assert_eq!(field_error(bad), (0, "credentials.secret".into()));
        let mut bad = tencent();
        bad["params"] = json!([1]);
        assert_eq!(field_error(bad), (0, "params".into()));
        let mut bad = tencent();
        bad["extra"] = json!(1);
        assert_eq!(field_error(bad), (0, "extra".into()));
        let mut bad = tencent();
        bad["provider"] = json!("alibaba");
        bad["action"] = json!("ResetDisk");
        assert_eq!(field_error(bad), (0, "nonce".into()));
        let mut bad = tencent();
        bad["provider"] = json!("huawei");
        bad["action"] = json!("ShowJob");
        assert_eq!(field_error(bad), (0, "credentials.project_id".into()));
        let mut bad = tencent();
        bad["headers"] = json!({"x": 1});
        assert_eq!(field_error(bad), (0, "headers.x".into()));
        assert!(matches!(run("{"), Err(SignCliError::Json(_))));
        assert_eq!(run("3"), Err(SignCliError::NotAnObject));
        assert_eq!(
            run("[3]").unwrap_err().to_string(),
            "item 0: `(item)`: must be a JSON object"
        );
    }
}
