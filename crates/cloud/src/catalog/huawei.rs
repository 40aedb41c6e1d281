//! Huawei Cloud Workspace codes: the HTTP statuses Workspace answers with, the
//! Workspace (`WKS.*`) codes and the API Gateway (`APIGW.*`) codes.

use super::{CatalogEntry, H, Msg};

pub(super) const ENTRIES: &[CatalogEntry] = &[
    // ------------------------------------------------ Workspace: HTTP statuses
    entry!(
        H,
        "http.400",
        400,
        false,
        "The request was malformed.",
        "请求格式错误。",
        "Check the parameters (snapshot IDs, limit, offset) and try again.",
        "请检查参数（快照 ID、limit、offset）后再试。"
    ),
    entry!(
        H,
        "http.404",
        404,
        false,
        "No such resource: the project, snapshot, desktop or job was not found.",
        "资源不存在：未找到项目、快照、桌面或任务。",
        "Check the IDs and that the project matches the region.",
        "请检查各 ID，并确认项目与地域匹配。"
    ),
    entry!(
        H,
        "http.409",
        409,
        false,
        "The operation conflicts with another one on the same desktop or snapshot.",
        "该操作与同一桌面或快照上的其他操作冲突。",
        "Wait for the running job to finish (see ShowJob), then try again.",
        "请等待正在执行的任务完成（见 ShowJob）后再试。"
    ),
    entry!(
        H,
        "http.500",
        500,
        true,
        "An internal error occurred in Huawei Cloud Workspace.",
        "华为云桌面服务内部错误。",
        "Try again later; if it persists, open a ticket quoting the request ID.",
        "请稍后重试；如持续出现，请提交工单并附上请求 ID。"
    ),
    // ------------------------------------------------ Huawei API Gateway
    entry!(
        H,
        "APIGW.0101",
        404,
        false,
        "The API does not exist or has not been published at this endpoint.",
        "API 不存在或未在该环境发布。",
        "Check the endpoint, the method and the path (and that Workspace is offered in this region).",
        "请检查接入点、请求方法和路径（以及该地域是否提供云桌面服务）。"
    ),
    entry!(
        H,
        "APIGW.0201",
        400,
        false,
        "The API gateway rejected the request as malformed (or too large).",
        "API 网关认为请求格式错误（或请求过大）。",
        "Check the request parameters; report this with the request ID if they look right.",
        "请检查请求参数；如确认无误，请附请求 ID 反馈问题。"
    ),
    entry!(
        H,
        "APIGW.0202",
        502,
        true,
        "The service behind the API gateway is unavailable.",
        "API 网关后端服务不可用。",
        "Try again later.",
        "请稍后重试。"
    ),
    entry!(
        H,
        "APIGW.0203",
        504,
        true,
        "The service behind the API gateway timed out.",
        "API 网关后端服务超时。",
        "Try again later; check with ShowJob or the list before repeating a restore.",
        "请稍后重试；重复发起恢复前，请先用 ShowJob 或列表确认状态。"
    ),
    entry!(
        H,
        "APIGW.0301",
        401,
        false,
        "Incorrect IAM authentication: the signature does not match, the AK/SK is wrong, or the request time is off.",
        "IAM 认证信息错误：签名不匹配、AK/SK 不正确或请求时间偏差过大。",
        "Check the AK/SK pair and the project ID in the profile, and this computer's clock.",
        "请检查配置中的 AK/SK 和项目 ID，并校准本机时间。"
    ),
    entry!(
        H,
        "APIGW.0302",
        403,
        false,
        "The IAM user is not allowed to access this API.",
        "该 IAM 用户无权访问此 API。",
        "Grant the IAM user the Workspace permission (e.g. workspace:desktops:batchRestoreSnapshots).",
        "请为该 IAM 用户授予云桌面权限（如 workspace:desktops:batchRestoreSnapshots）。"
    ),
    entry!(
        H,
        "APIGW.0303",
        401,
        false,
        "Incorrect app authentication information.",
        "APP 认证信息错误。",
        "Check the credentials in the profile.",
        "请检查配置中的凭证。"
    ),
    entry!(
        H,
        "APIGW.0305",
        401,
        false,
        "Incorrect authentication information.",
        "认证信息错误。",
        "Check the credentials in the profile.",
        "请检查配置中的凭证。"
    ),
    entry!(
        H,
        "APIGW.0306",
        403,
        false,
        "Access to the API is denied.",
        "API 访问被拒绝。",
        "Check the account's permissions and access policies.",
        "请检查账号权限和访问策略。"
    ),
    entry!(
        H,
        "APIGW.0307",
        401,
        false,
        "The token has expired and must be renewed.",
        "Token 已过期，需要更新。",
        "Get a new temporary credential and update the profile.",
        "请重新获取临时凭证并更新配置。"
    ),
    entry!(
        H,
        "APIGW.0308",
        429,
        true,
        "Too many requests: the API gateway's throttling threshold was reached.",
        "请求过于频繁，已达到 API 网关的流控阈值。",
        "Wait a moment and try again; Rewind retries with back-off.",
        "请稍候重试；Rewind 会自动退避重试。"
    ),
];
