//! Huawei Cloud Workspace: `/v2/{project_id}/…` REST paths, SDK-HMAC signatures,
//! errors `{"error_code","error_msg","request_id"}` and an `X-Request-Id` header always.

use super::Outcome;
use crate::Inner;
use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::state::OpCtx;
use rewind_cloud::http::HttpRequest;
use rewind_cloud::{Action, Provider};
use serde_json::{Value, json};

pub fn error(e: &ApiError, request_id: &str) -> Outcome {
    Outcome {
        status: e.status,
        body: json!({"error_code": e.code, "error_msg": e.message, "request_id": request_id}),
        headers: vec![("X-Request-Id", request_id.to_string())],
        code: Some(e.code.clone()),
        region: None,
        key: None,
    }
}

pub fn handle(inner: &Inner, req: &HttpRequest, request_id: &str) -> Outcome {
    let mut region = None;
    let mut key = None;
    let mut out = match run(inner, req, request_id, &mut region, &mut key) {
        Ok(body) => Outcome {
            status: 200,
            body,
            headers: vec![("X-Request-Id", request_id.to_string())],
            code: None,
            region: None,
            key: None,
        },
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
            Provider::Huawei,
            req,
            now,
            &inner.cfg.credentials,
            &mut nonces,
        )?
    };
    *key_out = Some(caller.access_key_id.clone());
    let (action, vars) = Action::lookup_rest(&req.method, &req.path).ok_or_else(|| {
        ApiError::new(
            404,
            "APIGW.0101",
            "The API does not exist or has not been published in the environment.",
        )
    })?;
    let var = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let project_id = var("project_id");
    let creds = &inner.cfg.credentials;
    let project_region = creds
        .huawei
        .get(&caller.access_key_id)
        .and_then(|k| k.projects.get(&project_id))
        .cloned();
    let Some(project_region) = project_region else {
        return Err(ApiError::new(
            403,
            "APIGW.0302",
            format!("The project {project_id} does not belong to the account of this access key."),
        ));
    };
    if let Some(h) = req.header("X-Project-Id")
        && !h.is_empty()
        && h != project_id
    {
        return Err(ApiError::new(
            400,
            "WKS.0002",
            "The X-Project-Id header does not match the project in the path.",
        ));
    }
    *region_out = Some(project_region);
    let mut state = inner.lock_state();
    let acct = state.workspace(&caller.access_key_id, creds);
    let project = acct.project_mut(&project_id).ok_or_else(|| {
        ApiError::new(
            403,
            "APIGW.0302",
            format!("The project {project_id} does not belong to the account of this access key."),
        )
    })?;
    let mut rng = inner.lock_rng();
    let mut ctx = OpCtx {
        now,
        request_id,
        timings: &inner.cfg.timings,
        limits: &inner.cfg.limits,
        rng: &mut rng,
    };
    match action {
        Action::WsListDesktopSnapshot => project.list_snapshots(&req.query, now),
        Action::WsBatchRestoreDesktopSnapshot => project.batch_restore(&req.body, &mut ctx),
        Action::WsShowJob => project.show_job(&var("job_id"), now),
        _ => Err(ApiError::new(
            404,
            "APIGW.0101",
            "The API does not exist or has not been published in the environment.",
        )),
    }
}
