//! Alibaba Cloud ECS RPC: parameters in the query (or a form body), action in `Action`
//! or `x-acs-action`, ACS3 or v1 signatures; errors are HTTP 4xx/5xx
//! `{"RequestId","HostId","Code","Message","Recommend"}`.

use super::{Call, Outcome, Served};
use crate::error::{ApiResult, Refusal};
use crate::params::pairs_to_object;
use rewind_cloud::encoding::parse_query;
use rewind_cloud::http::HttpRequest;
use rewind_cloud::{Action, Provider};
use serde_json::{Value, json};

pub fn action_name(req: &HttpRequest) -> &str {
    req.header("x-acs-action")
        .or_else(|| req.query_param("Action"))
        .unwrap_or_default()
}

fn host_id(req: &HttpRequest) -> String {
    if req.host.is_empty() {
        "ecs.aliyuncs.com".to_string()
    } else {
        req.host.clone()
    }
}

pub fn error(e: &Refusal, request_id: &str, req: &HttpRequest) -> Outcome {
    let body = json!({
        "RequestId": request_id,
        "HostId": host_id(req),
        "Code": e.code,
        "Message": e.message,
        "Recommend": format!("https://api.aliyun.com/troubleshoot?q={}&product=Ecs&requestId={request_id}", e.code),
    });
    Outcome::new(e.status, body, Vec::new(), Some(e.code.clone()))
}

pub fn success(mut fields: Value, request_id: &str) -> Outcome {
    if let Value::Object(m) = &mut fields {
        m.insert("RequestId".into(), Value::from(request_id));
    }
    Outcome::new(200, fields, Vec::new(), None)
}

/// The RPC parameters: the query, plus a form body's.
fn params(req: &HttpRequest) -> Value {
    let mut pairs = req.query.clone();
    let ct = req
        .header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("application/x-www-form-urlencoded") {
        pairs.extend(parse_query(&String::from_utf8_lossy(&req.body)));
    }
    pairs_to_object(&pairs)
}

fn not_found() -> Refusal {
    Refusal::new(
        404,
        "InvalidAction.NotFound",
        "Specified api is not found, please check your url and method.",
    )
}

/// The region is the `RegionId` parameter; ResetDisk and the instance actions take none
/// (the resource is found across the account's regions, or the endpoint's).
pub fn serve(call: &Call) -> Served {
    let params = params(call.req);
    let region = params
        .get("RegionId")
        .and_then(Value::as_str)
        .map(str::to_string);
    Served {
        region,
        result: run(call, &params),
    }
}

fn run(call: &Call, params: &Value) -> ApiResult<Value> {
    let req = call.req;
    let action = Action::lookup(Provider::Alibaba, action_name(req)).ok_or_else(not_found)?;
    let version = req
        .header("x-acs-version")
        .or_else(|| req.query_param("Version"));
    if let Some(v) = version
        && v != Provider::Alibaba.api_version()
    {
        return Err(Refusal::new(
            400,
            "InvalidVersion",
            format!("Specified parameter Version is not valid: {v}."),
        ));
    }
    let mut state = call.inner.lock_state();
    let acct = state.ecs(&call.caller.access_key_id);
    acct.endpoint_region =
        crate::ecs::region_of_host(&req.host).filter(|r| acct.regions.contains_key(r));
    let mut rng = call.inner.lock_rng();
    let mut ctx = call.op_ctx(&mut rng);
    let now = call.now;
    match action {
        Action::EcsDescribeInstances => acct.describe_instances(params, now),
        Action::EcsDescribeDisks => acct.describe_disks(params, now),
        Action::EcsDescribeSnapshots => acct.describe_snapshots(params, now),
        Action::EcsResetDisk => acct.reset_disk(params, &mut ctx),
        Action::EcsCreateSnapshot => acct.create_snapshot(params, &mut ctx),
        Action::EcsStopInstance => acct.stop_instance(params, &mut ctx),
        Action::EcsStartInstance => acct.start_instance(params, &mut ctx),
        _ => Err(not_found()),
    }
}
