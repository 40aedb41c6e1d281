//! Alibaba Cloud ECS RPC: parameters in the query (or a form body), action in `Action`
//! or `x-acs-action`, ACS3 or v1 signatures; errors are HTTP 4xx/5xx
//! `{"RequestId","HostId","Code","Message","Recommend"}`.

use super::Outcome;
use crate::Inner;
use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::params::pairs_to_object;
use crate::state::OpCtx;
use rewind_cloud::http::HttpRequest;
use rewind_cloud::sign::encoding::parse_query;
use rewind_cloud::{Action, Provider};
use serde_json::{Value, json};

pub fn action_name(req: &HttpRequest) -> String {
    req.header("x-acs-action")
        .or_else(|| req.query_param("Action"))
        .unwrap_or_default()
        .to_string()
}

fn host_id(req: &HttpRequest) -> String {
    if req.host.is_empty() {
        "ecs.aliyuncs.com".to_string()
    } else {
        req.host.clone()
    }
}

pub fn error(e: &ApiError, request_id: &str, req: &HttpRequest) -> Outcome {
    Outcome {
        status: e.status,
        body: json!({
            "RequestId": request_id,
            "HostId": host_id(req),
            "Code": e.code,
            "Message": e.message,
            "Recommend": format!("https://api.aliyun.com/troubleshoot?q={}&product=Ecs&requestId={request_id}", e.code),
        }),
        headers: Vec::new(),
        code: Some(e.code.clone()),
        region: None,
        key: None,
    }
}

pub fn handle(inner: &Inner, req: &HttpRequest, request_id: &str) -> Outcome {
    let mut region = None;
    let mut key = None;
    let mut out = match run(inner, req, request_id, &mut region, &mut key) {
        Ok(mut fields) => {
            if let Value::Object(m) = &mut fields {
                m.insert("RequestId".into(), Value::from(request_id));
            }
            Outcome {
                status: 200,
                body: fields,
                headers: Vec::new(),
                code: None,
                region: None,
                key: None,
            }
        }
        Err(e) => error(&e, request_id, req),
    };
    out.region = region;
    out.key = key;
    out
}

fn run(
    inner: &Inner,
    req: &HttpRequest,
    request_id: &str,
    region_out: &mut Option<String>,
    key_out: &mut Option<String>,
) -> ApiResult<Value> {
    let now = inner.clock.now_ms();
    let caller = {
        let mut nonces = inner.lock_nonces();
        auth::authenticate(
            Provider::Alibaba,
            req,
            now,
            &inner.cfg.credentials,
            &mut nonces,
        )?
    };
    *key_out = Some(caller.access_key_id.clone());
    let mut pairs = req.query.clone();
    let ct = req
        .header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("application/x-www-form-urlencoded") {
        pairs.extend(parse_query(&String::from_utf8_lossy(&req.body)));
    }
    let params = pairs_to_object(&pairs);
    let name = action_name(req);
    let action = Action::lookup(Provider::Alibaba, &name).ok_or_else(|| {
        ApiError::new(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )
    })?;
    let version = req
        .header("x-acs-version")
        .or_else(|| req.query_param("Version"));
    if let Some(v) = version
        && v != Provider::Alibaba.api_version()
    {
        return Err(ApiError::new(
            400,
            "InvalidVersion",
            format!("Specified parameter Version is not valid: {v}."),
        ));
    }
    *region_out = params
        .get("RegionId")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut state = inner.lock_state();
    let acct = state.ecs(&caller.access_key_id);
    acct.endpoint_region =
        crate::ecs::region_of_host(&req.host).filter(|r| acct.regions.contains_key(r));
    let mut rng = inner.lock_rng();
    let mut ctx = OpCtx {
        now,
        request_id,
        timings: &inner.cfg.timings,
        limits: &inner.cfg.limits,
        rng: &mut rng,
    };
    match action {
        Action::EcsDescribeInstances => acct.describe_instances(&params, now),
        Action::EcsDescribeDisks => acct.describe_disks(&params, now),
        Action::EcsDescribeSnapshots => acct.describe_snapshots(&params, now),
        Action::EcsResetDisk => acct.reset_disk(&params, &mut ctx),
        Action::EcsCreateSnapshot => acct.create_snapshot(&params, &mut ctx),
        Action::EcsStopInstance => acct.stop_instance(&params, &mut ctx),
        Action::EcsStartInstance => acct.start_instance(&params, &mut ctx),
        _ => Err(ApiError::new(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )),
    }
}
