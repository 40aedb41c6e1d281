//! Tencent Cloud API 3.0 for Lighthouse: `X-TC-Action`, TC3 signatures, POST JSON or
//! GET flattened query, every answer HTTP 200 `{"Response": {…, "RequestId"}}`.

use super::Outcome;
use crate::Inner;
use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::params::unflatten;
use crate::state::OpCtx;
use rewind_cloud::http::HttpRequest;
use rewind_cloud::sign::encoding::parse_query;
use rewind_cloud::{Action, Provider};
use serde_json::{Map, Value, json};

pub fn error(e: &ApiError, request_id: &str) -> Outcome {
    Outcome {
        // Tencent answers errors with HTTP 200 unless a fault asks for a gateway status.
        status: if e.status >= 500 || e.status == 429 {
            e.status
        } else {
            200
        },
        body: json!({"Response": {"Error": {"Code": e.code, "Message": e.message}, "RequestId": request_id}}),
        headers: Vec::new(),
        code: Some(e.code.clone()),
        region: None,
        key: None,
    }
}

fn body_params(req: &HttpRequest) -> ApiResult<Value> {
    let bad = |why: String| ApiError::new(200, "InvalidParameter", why);
    if req.method.eq_ignore_ascii_case("GET") {
        return Ok(unflatten(&req.query));
    }
    let ct = req
        .header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("application/x-www-form-urlencoded") {
        let text = String::from_utf8_lossy(&req.body);
        return Ok(unflatten(&parse_query(&text)));
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let v: Value = serde_json::from_slice(&req.body)
        .map_err(|e| bad(format!("The request body is not valid JSON: {e}.")))?;
    if !v.is_object() {
        return Err(bad("The request body must be a JSON object.".into()));
    }
    Ok(v)
}

pub fn handle(inner: &Inner, req: &HttpRequest, request_id: &str) -> Outcome {
    let mut region = None;
    let mut key = None;
    let result = run(inner, req, request_id, &mut region, &mut key);
    let mut out = match result {
        Ok(mut fields) => {
            if let Value::Object(m) = &mut fields {
                m.insert("RequestId".into(), Value::from(request_id));
            }
            Outcome {
                status: 200,
                body: json!({"Response": fields}),
                headers: Vec::new(),
                code: None,
                region: None,
                key: None,
            }
        }
        Err(e) => error(&e, request_id),
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
            Provider::Tencent,
            req,
            now,
            &inner.cfg.credentials,
            &mut nonces,
        )?
    };
    *key_out = Some(caller.access_key_id.clone());
    let name = req.header("X-TC-Action").unwrap_or_default();
    let action = Action::lookup(Provider::Tencent, name).ok_or_else(|| {
        ApiError::new(
            200,
            "InvalidAction",
            format!("The action `{name}` does not exist."),
        )
    })?;
    if let Some(v) = req.header("X-TC-Version")
        && v != Provider::Tencent.api_version()
    {
        return Err(ApiError::new(
            200,
            "NoSuchVersion",
            format!("The API version `{v}` does not exist; use 2020-03-24."),
        ));
    }
    let body = body_params(req)?;
    let region = req
        .header("X-TC-Region")
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    *region_out = region.clone();
    let need_region = || {
        region.clone().ok_or_else(|| {
            ApiError::new(
                200,
                "MissingParameter",
                "The request is missing the required parameter `Region` (X-TC-Region).",
            )
        })
    };
    let mut state = inner.lock_state();
    let acct = state.lighthouse(&caller.access_key_id);
    let mut rng = inner.lock_rng();
    let mut ctx = OpCtx {
        now,
        request_id,
        timings: &inner.cfg.timings,
        limits: &inner.cfg.limits,
        rng: &mut rng,
    };
    match action {
        Action::LhDescribeInstances => acct.describe_instances(&need_region()?, &body, now),
        Action::LhDescribeSnapshots => acct.describe_snapshots(&need_region()?, &body, now),
        Action::LhApplyInstanceSnapshot => {
            acct.apply_instance_snapshot(region.as_deref(), &body, &mut ctx)
        }
        Action::LhCreateInstanceSnapshot => {
            acct.create_instance_snapshot(region.as_deref(), &body, &mut ctx)
        }
        Action::LhStopInstances => acct.stop_instances(&need_region()?, &body, &mut ctx),
        Action::LhStartInstances => acct.start_instances(&need_region()?, &body, &mut ctx),
        other => Err(ApiError::new(
            200,
            "InvalidAction",
            format!("The action `{}` does not exist.", other.name()),
        )),
    }
}
