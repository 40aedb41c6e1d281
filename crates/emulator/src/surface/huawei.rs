//! Huawei Cloud Workspace: `/v2/{project_id}/…` REST paths, SDK-HMAC signatures,
//! errors `{"error_code","error_msg","request_id"}` and an `X-Request-Id` header always.

use super::{Call, Outcome, Served};
use crate::error::{ApiResult, Refusal};
use rewind_cloud::Action;
use rewind_cloud::http::HttpRequest;
use serde_json::{Value, json};

/// The action a path and method name, or the path itself for an unknown API.
pub fn action_name(req: &HttpRequest) -> String {
    Action::lookup_rest(&req.method, &req.path)
        .map(|(a, _)| a.name().to_string())
        .unwrap_or_else(|| req.path.clone())
}

pub fn error(e: &Refusal, request_id: &str) -> Outcome {
    Outcome::new(
        e.status,
        json!({"error_code": e.code, "error_msg": e.message, "request_id": request_id}),
        vec![("X-Request-Id", request_id.to_string())],
        Some(e.code.clone()),
    )
}

pub fn success(body: Value, request_id: &str) -> Outcome {
    Outcome::new(
        200,
        body,
        vec![("X-Request-Id", request_id.to_string())],
        None,
    )
}

fn no_such_api() -> Refusal {
    Refusal::new(
        404,
        "APIGW.0101",
        "The API does not exist or has not been published in the environment.",
    )
}

fn not_your_project(project_id: &str) -> Refusal {
    Refusal::new(
        403,
        "APIGW.0302",
        format!("The project {project_id} does not belong to the account of this access key."),
    )
}

/// The region is the one the path's project lives in, for the caller's key.
pub fn serve(call: &Call) -> Served {
    let req = call.req;
    let Some((action, vars)) = Action::lookup_rest(&req.method, &req.path) else {
        return Served {
            region: None,
            result: Err(no_such_api()),
        };
    };
    let var = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let project_id = var("project_id");
    let region = call
        .inner
        .cfg
        .credentials
        .huawei
        .get(&call.caller.access_key_id)
        .and_then(|k| k.projects.get(&project_id))
        .cloned();
    let result = match region {
        None => Err(not_your_project(&project_id)),
        Some(_) => run(call, action, &project_id, &var("job_id")),
    };
    Served { region, result }
}

fn run(call: &Call, action: Action, project_id: &str, job_id: &str) -> ApiResult<Value> {
    let req = call.req;
    if let Some(h) = req.header("X-Project-Id")
        && !h.is_empty()
        && h != project_id
    {
        return Err(Refusal::new(
            400,
            "WKS.0002",
            "The X-Project-Id header does not match the project in the path.",
        ));
    }
    let mut state = call.inner.lock_state();
    let acct = state.workspace(&call.caller.access_key_id, &call.inner.cfg.credentials);
    let project = acct
        .project_mut(project_id)
        .ok_or_else(|| not_your_project(project_id))?;
    let mut rng = call.inner.lock_rng();
    let mut ctx = call.op_ctx(&mut rng);
    let now = call.now;
    match action {
        Action::WsListDesktopSnapshot => project.list_snapshots(&req.query, now),
        Action::WsBatchRestoreDesktopSnapshot => project.batch_restore(&req.body, &mut ctx),
        Action::WsShowJob => project.show_job(job_id, now),
        _ => Err(no_such_api()),
    }
}
