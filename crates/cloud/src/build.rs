//! Turning an [`Action`] and its parameters (the provider's own field names) into the
//! unsigned [`HttpRequest`] the official SDK would send.
//!
//! What "the SDK would send" means is pinned by the conformance fixtures
//! (`tests/fixtures/sign`): header names and casing, parameter flattening and body
//! bytes (Tencent and Huawei bodies are Python `json.dumps` output, `", "`/`": "`
//! separators and `\uXXXX` escapes, because that is what the signatures cover).
//! Parameter order is the order of `params` (serde_json is built with
//! `preserve_order`): Tencent GET signs it as is.

use crate::action::{Action, HttpShape};
use crate::http::HttpRequest;
use crate::provider::Provider;
use crate::sign::Algorithm;
use serde_json::Value;

pub const TENCENT_VERSION: &str = "2020-03-24";
pub const ECS_VERSION: &str = "2014-05-26";

/// ECS actions whose request carries `RegionId` (the others use the endpoint's region).
const ECS_REGION_ACTIONS: &[Action] = &[
    Action::EcsDescribeInstances,
    Action::EcsDescribeDisks,
    Action::EcsDescribeSnapshots,
];

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    /// Region id (`ap-guangzhou`, `cn-hangzhou`, `cn-north-4`).
    pub region: String,
    /// `host[:port]`; [`default_endpoint`] when `None`.
    pub endpoint: Option<String>,
    /// `https` when `None`.
    pub scheme: Option<String>,
    /// Huawei project id: fills `{project_id}` and `X-Project-Id`.
    pub project_id: Option<String>,
}

/// Which wire form to build, where a provider has more than one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Variant {
    /// Tencent POST JSON, Alibaba ACS3, Huawei REST.
    #[default]
    Default,
    /// Tencent `GET /?Flattened.0.Params`.
    TencentGet,
    /// Alibaba RPC with the v1 common parameters (`Action`, `Format`, `Version`) in the query.
    AlibabaV1,
}

impl Variant {
    /// The signing algorithm that goes with this action in this variant.
    pub fn algorithm(self, action: Action) -> Algorithm {
        self.algorithm_of(action.provider())
    }

    /// The signing algorithm of `provider`'s requests in this variant.
    pub fn algorithm_of(self, provider: Provider) -> Algorithm {
        match (provider, self) {
            (Provider::Tencent, _) => Algorithm::Tc3,
            (Provider::Alibaba, Variant::AlibabaV1) => Algorithm::AcsV1,
            (Provider::Alibaba, _) => Algorithm::Acs3,
            (Provider::Huawei, _) => Algorithm::SdkHmac,
        }
    }
}

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("params must be a JSON object")]
    ParamsNotObject,
    #[error("variant {variant:?} does not apply to {action}")]
    VariantMismatch { action: Action, variant: Variant },
    #[error("missing path parameter `{0}`")]
    MissingPathParam(String),
    #[error("path parameter `{0}` must be a non-empty string or number without `/`")]
    InvalidPathParam(String),
    #[error("parameter `{0}` cannot be sent in a query (nested objects are not supported here)")]
    UnsupportedValue(String),
}

/// The provider's public endpoint for a region (the SDKs' defaults).
pub fn default_endpoint(provider: Provider, region: &str) -> String {
    match provider {
        // The SDK's default; the region travels in X-TC-Region.
        Provider::Tencent => "lighthouse.tencentcloudapi.com".to_string(),
        Provider::Alibaba => match region {
            "" => "ecs.aliyuncs.com".to_string(),
            "cn-hangzhou" => "ecs-cn-hangzhou.aliyuncs.com".to_string(),
            r => format!("ecs.{r}.aliyuncs.com"),
        },
        Provider::Huawei => format!("workspace.{region}.myhuaweicloud.com"),
    }
}

/// Builds the default wire form of `action`.
pub fn build(action: Action, params: &Value, target: &Target) -> Result<HttpRequest, BuildError> {
    build_with(action, params, target, Variant::Default)
}

/// Builds `action` in the given wire form. The result is unsigned: sign it with
/// `sign::sign(variant.algorithm(action), …)`.
pub fn build_with(
    action: Action,
    params: &Value,
    target: &Target,
    variant: Variant,
) -> Result<HttpRequest, BuildError> {
    let Value::Object(map) = params else {
        return Err(BuildError::ParamsNotObject);
    };
    let provider = action.provider();
    let ok_variant = matches!(
        (provider, variant),
        (_, Variant::Default)
            | (Provider::Tencent, Variant::TencentGet)
            | (Provider::Alibaba, Variant::AlibabaV1)
    );
    if !ok_variant {
        return Err(BuildError::VariantMismatch { action, variant });
    }
    let mut req = HttpRequest {
        method: "POST".into(),
        scheme: target.scheme.clone().unwrap_or_else(|| "https".into()),
        host: target
            .endpoint
            .clone()
            .unwrap_or_else(|| default_endpoint(provider, &target.region)),
        path: "/".into(),
        ..Default::default()
    };
    match action.spec().shape {
        HttpShape::TencentJson => {
            if variant == Variant::TencentGet {
                req.method = "GET".into();
                req.set_header("Content-Type", "application/x-www-form-urlencoded");
                for (k, v) in map {
                    flatten_tencent(k, v, &mut req.query);
                }
            } else {
                req.set_header("Content-Type", "application/json");
                req.body = python_json(params).into_bytes();
            }
            req.set_header("X-TC-Action", action.name());
            req.set_header("X-TC-Version", TENCENT_VERSION);
            if !target.region.is_empty() {
                req.set_header("X-TC-Region", target.region.clone());
            }
        }
        HttpShape::EcsRpc => {
            if variant == Variant::AlibabaV1 {
                req.query.push(("Action".into(), action.name().into()));
                req.query.push(("Format".into(), "JSON".into()));
                req.query.push(("Version".into(), ECS_VERSION.into()));
            }
            if ECS_REGION_ACTIONS.contains(&action)
                && !map.contains_key("RegionId")
                && !target.region.is_empty()
            {
                req.query.push(("RegionId".into(), target.region.clone()));
            }
            req.query.extend(crate::alibaba::query_pairs(params));
            req.set_header("x-acs-action", action.name());
            req.set_header("x-acs-version", ECS_VERSION);
            if variant == Variant::Default {
                req.set_header("accept", "application/json");
            }
        }
        HttpShape::Rest { method, path } => {
            req.method = method.to_string();
            let mut used = Vec::new();
            req.path = fill_path(path, map, target, &mut used)?;
            req.set_header("Content-Type", "application/json");
            if let Some(pid) = target
                .project_id
                .as_deref()
                .or_else(|| map.get("project_id").and_then(Value::as_str))
            {
                req.set_header("X-Project-Id", pid);
            }
            let rest = map.iter().filter(|(k, _)| !used.contains(k));
            if method == "GET" {
                for (k, v) in rest {
                    match v {
                        Value::Null => {}
                        // The SDK sends list query parameters repeated ("multi").
                        Value::Array(items) => {
                            for item in items {
                                req.query.push((k.clone(), scalar(k, item)?));
                            }
                        }
                        v => req.query.push((k.clone(), scalar(k, v)?)),
                    }
                }
            } else {
                let body: serde_json::Map<String, Value> = rest
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                req.body = python_json(&Value::Object(body)).into_bytes();
            }
        }
    }
    Ok(req)
}

/// Fills `{name}` segments from the target (project id) or params.
fn fill_path(
    template: &str,
    map: &serde_json::Map<String, Value>,
    target: &Target,
    used: &mut Vec<String>,
) -> Result<String, BuildError> {
    let mut out = Vec::new();
    for seg in template.split('/') {
        let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            out.push(seg.to_string());
            continue;
        };
        let from_params = map.get(name);
        if from_params.is_some() {
            used.push(name.to_string());
        }
        let value = match (name, from_params) {
            ("project_id", _) if target.project_id.is_some() => target.project_id.clone(),
            (_, Some(Value::String(s))) => Some(s.clone()),
            (_, Some(Value::Number(n))) => Some(n.to_string()),
            (_, None) => None,
            (_, Some(_)) => return Err(BuildError::InvalidPathParam(name.to_string())),
        };
        match value {
            None => return Err(BuildError::MissingPathParam(name.to_string())),
            Some(v) if v.is_empty() || v.contains('/') => {
                return Err(BuildError::InvalidPathParam(name.to_string()));
            }
            Some(v) => out.push(v),
        }
    }
    Ok(out.join("/"))
}

/// A scalar as a query value: strings as is, numbers as JSON, booleans `true`/`false`.
fn scalar(name: &str, v: &Value) -> Result<String, BuildError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(BuildError::UnsupportedValue(name.to_string())),
    }
}

/// Tencent's `_format_params`: `Filters.0.Name`, `Filters.0.Values.0` (0-based), in order.
fn flatten_tencent(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Null => {}
        Value::Object(m) => {
            for (k, v) in m {
                flatten_tencent(&format!("{prefix}.{k}"), v, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten_tencent(&format!("{prefix}.{i}"), item, out);
            }
        }
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
        Value::Bool(b) => out.push((prefix.to_string(), b.to_string())),
    }
}

/// Serialises like Python's `json.dumps(v)` with default arguments: `", "` and `": "`
/// separators, non-ASCII as `\uXXXX` (surrogate pairs above the BMP), lower-case hex.
pub fn python_json(v: &Value) -> String {
    let mut out = String::new();
    write_python_json(v, &mut out);
    out
}

fn write_python_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_python_number(n, out),
        Value::String(s) => write_python_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python_json(item, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python_string(k, out);
                out.push_str(": ");
                write_python_json(v, out);
            }
            out.push('}');
        }
    }
}

fn write_python_number(n: &serde_json::Number, out: &mut String) {
    if n.is_i64() || n.is_u64() {
        out.push_str(&n.to_string());
        return;
    }
    let f = n.as_f64().unwrap_or(0.0);
    // Python's repr: integral values keep a ".0"; large/small ones use an exponent.
    if f.fract() == 0.0 && f.abs() < 1e16 {
        out.push_str(&format!("{f:.1}"));
    } else if f.abs() >= 1e16 || f.abs() < 1e-4 {
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        out.push_str(&format!(
            "{mant}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        ));
    } else {
        out.push_str(&f.to_string());
    }
}

fn write_python_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(region: &str) -> Target {
        Target {
            region: region.into(),
            ..Default::default()
        }
    }

    #[test]
    fn python_json_matches_json_dumps() {
        let v = json!({"A": "中 \"x\"\n\u{7f}", "B": [1, 2.5, true, null], "C": {}, "D": "😀"});
        assert_eq!(
            python_json(&v),
            r#"{"A": "\u4e2d \"x\"\n\u007f", "B": [1, 2.5, true, null], "C": {}, "D": "\ud83d\ude00"}"#
        );
        assert_eq!(python_json(&json!(1.0)), "1.0");
        assert_eq!(python_json(&json!(1e20)), "1e+20");
    }

    #[test]
    fn tencent_post_and_get() {
        let p = json!({"InstanceIds": ["lhins-1"], "Filters": [{"Name": "zone", "Values": ["a b"]}], "Limit": 5});
        let r = build(Action::LhDescribeInstances, &p, &target("ap-guangzhou")).unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.host, "lighthouse.tencentcloudapi.com");
        assert_eq!(r.header("X-TC-Region"), Some("ap-guangzhou"));
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            r#"{"InstanceIds": ["lhins-1"], "Filters": [{"Name": "zone", "Values": ["a b"]}], "Limit": 5}"#
        );
        let r = build_with(
            Action::LhDescribeInstances,
            &p,
            &target("ap-guangzhou"),
            Variant::TencentGet,
        )
        .unwrap();
        assert_eq!(r.method, "GET");
        let q: Vec<_> = r.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            q,
            [
                "InstanceIds.0=lhins-1",
                "Filters.0.Name=zone",
                "Filters.0.Values.0=a b",
                "Limit=5"
            ]
        );
        assert!(r.body.is_empty());
    }

    #[test]
    fn ecs_flattening() {
        let p = json!({"RegionId": "cn-hangzhou", "DiskIds": ["d-1", "d-2"], "Tag": [{"Key": "k", "Value": "v"}], "DryRun": true});
        let r = build(Action::EcsDescribeDisks, &p, &target("cn-hangzhou")).unwrap();
        assert_eq!(r.host, "ecs-cn-hangzhou.aliyuncs.com");
        assert_eq!(r.query_param("DiskIds"), Some(r#"["d-1","d-2"]"#));
        assert_eq!(r.query_param("Tag.1.Key"), Some("k"));
        assert_eq!(r.query_param("DryRun"), Some("true"));
        assert!(r.body.is_empty());
        let r = build_with(
            Action::EcsResetDisk,
            &json!({"DiskId": "d-1"}),
            &target("cn-beijing"),
            Variant::AlibabaV1,
        )
        .unwrap();
        assert_eq!(r.host, "ecs.cn-beijing.aliyuncs.com");
        assert_eq!(r.query[0], ("Action".to_string(), "ResetDisk".to_string()));
        assert_eq!(r.query_param("RegionId"), None);
        // Describe* get the target's region when params have none.
        let r = build(
            Action::EcsDescribeSnapshots,
            &json!({}),
            &target("cn-beijing"),
        )
        .unwrap();
        assert_eq!(r.query_param("RegionId"), Some("cn-beijing"));
    }

    #[test]
    fn workspace_paths_query_and_body() {
        let t = Target {
            region: "cn-north-4".into(),
            project_id: Some("fakeproject".into()),
            ..Default::default()
        };
        let r = build(Action::WsShowJob, &json!({"job_id": "j-1"}), &t).unwrap();
        assert_eq!(r.path, "/v2/fakeproject/workspace-jobs/j-1");
        assert_eq!(r.host, "workspace.cn-north-4.myhuaweicloud.com");
        assert!(r.query.is_empty());
        assert_eq!(r.header("X-Project-Id"), Some("fakeproject"));
        let r = build(
            Action::WsListDesktopSnapshot,
            &json!({"desktop_ids": ["a", "b"], "limit": 10}),
            &t,
        )
        .unwrap();
        assert_eq!(r.query.len(), 3);
        let r = build(
            Action::WsBatchRestoreDesktopSnapshot,
            &json!({"snapshot_ids": ["s1"]}),
            &t,
        )
        .unwrap();
        assert_eq!(r.body, br#"{"snapshot_ids": ["s1"]}"#);
        assert_eq!(
            build(Action::WsShowJob, &json!({}), &t),
            Err(BuildError::MissingPathParam("job_id".into()))
        );
        assert_eq!(
            build(Action::WsShowJob, &json!({"job_id": "a/b"}), &t),
            Err(BuildError::InvalidPathParam("job_id".into()))
        );
        assert_eq!(
            build(Action::WsShowJob, &json!({"job_id": "x"}), &target("r")),
            Err(BuildError::MissingPathParam("project_id".into()))
        );
    }

    #[test]
    fn variant_must_fit_the_provider() {
        assert!(matches!(
            build_with(
                Action::WsShowJob,
                &json!({}),
                &target("r"),
                Variant::TencentGet
            ),
            Err(BuildError::VariantMismatch { .. })
        ));
        assert_eq!(
            build(Action::EcsResetDisk, &json!([]), &target("r")),
            Err(BuildError::ParamsNotObject)
        );
    }
}
