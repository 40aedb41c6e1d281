//! Tencent Cloud API 3.0 for Lighthouse: `X-TC-Action`, TC3 signatures, POST JSON or
//! GET flattened query, every answer HTTP 200 `{"Response": {…, "RequestId"}}`.

use super::{Call, Outcome, Served};
use crate::error::{ApiResult, Refusal};
use crate::params::unflatten;
use rewind_cloud::encoding::parse_query;
use rewind_cloud::http::HttpRequest;
use rewind_cloud::{Action, Provider};
use serde_json::{Map, Value, json};

pub fn action_name(req: &HttpRequest) -> &str {
    req.header("X-TC-Action").unwrap_or_default()
}

pub fn error(e: &Refusal, request_id: &str) -> Outcome {
    // Tencent answers errors with HTTP 200 unless a fault asks for a gateway status.
    let status = if e.status >= 500 || e.status == 429 {
        e.status
    } else {
        200
    };
    Outcome::new(
        status,
        json!({"Response": {"Error": {"Code": e.code, "Message": e.message}, "RequestId": request_id}}),
        Vec::new(),
        Some(e.code.clone()),
    )
}

pub fn success(mut fields: Value, request_id: &str) -> Outcome {
    if let Value::Object(m) = &mut fields {
        m.insert("RequestId".into(), Value::from(request_id));
    }
    Outcome::new(200, json!({"Response": fields}), Vec::new(), None)
}

fn body_params(req: &HttpRequest) -> ApiResult<Value> {
    let bad = |why: String| Refusal::new(200, "InvalidParameter", why);
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

/// The region is `X-TC-Region`; some actions take none.
pub fn serve(call: &Call) -> Served {
    let region = call
        .req
        .header("X-TC-Region")
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let result = run(call, region.as_deref());
    Served { region, result }
}

fn run(call: &Call, region: Option<&str>) -> ApiResult<Value> {
    let req = call.req;
    let name = action_name(req);
    let action = Action::lookup(Provider::Tencent, name).ok_or_else(|| {
        Refusal::new(
            200,
            "InvalidAction",
            format!("The action `{name}` does not exist."),
        )
    })?;
    if let Some(v) = req.header("X-TC-Version")
        && v != Provider::Tencent.api_version()
    {
        return Err(Refusal::new(
            200,
            "NoSuchVersion",
            format!("The API version `{v}` does not exist; use 2020-03-24."),
        ));
    }
    let body = body_params(req)?;
    let need_region = || {
        region.ok_or_else(|| {
            Refusal::new(
                200,
                "MissingParameter",
                "The request is missing the required parameter `Region` (X-TC-Region).",
            )
        })
    };
    let mut state = call.inner.lock_state();
    let acct = state.lighthouse(&call.caller.access_key_id);
    let mut rng = call.inner.lock_rng();
    let mut ctx = call.op_ctx(&mut rng);
    let now = call.now;
    match action {
        Action::LhDescribeInstances => acct.describe_instances(need_region()?, &body, now),
        Action::LhDescribeSnapshots => acct.describe_snapshots(need_region()?, &body, now),
        Action::LhApplyInstanceSnapshot => acct.apply_instance_snapshot(region, &body, &mut ctx),
        Action::LhCreateInstanceSnapshot => acct.create_instance_snapshot(region, &body, &mut ctx),
        Action::LhStopInstances => acct.stop_instances(need_region()?, &body, &mut ctx),
        Action::LhStartInstances => acct.start_instances(need_region()?, &body, &mut ctx),
        other => Err(Refusal::new(
            200,
            "InvalidAction",
            format!("The action `{}` does not exist.", other.name()),
        )),
    }
}
