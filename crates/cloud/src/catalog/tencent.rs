//! Tencent Cloud Lighthouse codes: ApplyInstanceSnapshot and CreateInstanceSnapshot (the
//! reference notes and the Lighthouse SDK's per-action error lists), and the common codes
//! of Tencent Cloud API 3.0.

use super::{CatalogEntry, Msg, T};

pub(super) const ENTRIES: &[CatalogEntry] = &[
    // ------------------------------------------------ Lighthouse: ApplyInstanceSnapshot
    entry!(
        T,
        "FailedOperation.DescribeInstanceStatus",
        200,
        true,
        "Lighthouse could not query the instance's status.",
        "轻量应用服务器查询实例状态失败。",
        "Try again in a moment. If it keeps failing, check the instance in the Lighthouse console.",
        "稍后重试。如持续失败，请在轻量应用服务器控制台检查该实例。"
    ),
    entry!(
        T,
        "FailedOperation.SnapshotOperationFailed",
        200,
        false,
        "The snapshot operation failed.",
        "快照操作失败。",
        "Check the snapshot's state with DescribeSnapshots and try again; if it fails again, open a ticket quoting the RequestId.",
        "通过 DescribeSnapshots 检查快照状态后重试；如再次失败，请提交工单并附上 RequestId。"
    ),
    entry!(
        T,
        "InternalError.DescribeInstanceStatus",
        200,
        true,
        "An internal error occurred while querying the instance's status.",
        "查询实例状态时发生内部错误。",
        "Try again later.",
        "请稍后重试。"
    ),
    entry!(
        T,
        "InvalidParameterValue.DiskSizeNotMatch",
        200,
        false,
        "The system disk's size has changed since the snapshot was taken, so the disk cannot be rolled back to it.",
        "创建快照后系统盘容量已变化，无法回滚到该快照。",
        "Choose a snapshot taken after the disk was last resized.",
        "请选择系统盘最近一次扩容之后创建的快照。"
    ),
    entry!(
        T,
        "InvalidParameterValue.InstanceIdMalformed",
        200,
        false,
        "The instance ID is not in a valid format.",
        "实例 ID 格式不正确。",
        "Lighthouse instance IDs look like lhins-k31c771o; copy the ID from the instance list.",
        "轻量应用服务器实例 ID 形如 lhins-k31c771o，请从实例列表中复制。"
    ),
    entry!(
        T,
        "InvalidParameterValue.SnapshotIdMalformed",
        200,
        false,
        "The snapshot ID is not in a valid format.",
        "快照 ID 格式不正确。",
        "Lighthouse snapshot IDs look like lhsnap-nv6aqcv6; copy the ID from the snapshot list.",
        "轻量应用服务器快照 ID 形如 lhsnap-nv6aqcv6，请从快照列表中复制。"
    ),
    entry!(
        T,
        "OperationDenied.InstanceCreating",
        200,
        false,
        "The instance is still being created.",
        "实例仍在创建中。",
        "Wait until the instance is RUNNING, then try again.",
        "请等待实例变为 RUNNING（运行中）后再试。"
    ),
    entry!(
        T,
        "OperationDenied.InstanceOperationInProgress",
        200,
        false,
        "The instance's previous operation is still in progress.",
        "实例的上一个操作仍在进行中。",
        "Wait until the instance's LatestOperationState is no longer OPERATING, then try again.",
        "请等待实例的 LatestOperationState 不再是 OPERATING 后再试。"
    ),
    entry!(
        T,
        "ResourceNotFound.DiskNotFound",
        200,
        false,
        "The disk does not exist.",
        "云硬盘不存在。",
        "Refresh the list; the disk may have been deleted or be in another region.",
        "请刷新列表；云硬盘可能已被删除或位于其他地域。"
    ),
    entry!(
        T,
        "ResourceNotFound.InstanceIdNotFound",
        200,
        false,
        "No instance has this ID.",
        "该实例 ID 不存在。",
        "Check the ID and the region: instances are listed per region.",
        "请检查实例 ID 和地域：实例按地域列出。"
    ),
    entry!(
        T,
        "ResourceNotFound.SnapshotIdNotFound",
        200,
        false,
        "No snapshot has this ID.",
        "该快照 ID 不存在。",
        "Check the ID and the region, or refresh the snapshot list; the snapshot may have been deleted.",
        "请检查快照 ID 和地域，或刷新快照列表；快照可能已被删除。"
    ),
    entry!(
        T,
        "ResourceNotFound.SnapshotNotFound",
        200,
        false,
        "The snapshot does not exist.",
        "快照不存在。",
        "Refresh the snapshot list; the snapshot may have been deleted.",
        "请刷新快照列表；快照可能已被删除。"
    ),
    entry!(
        T,
        "UnauthorizedOperation.NoPermission",
        200,
        false,
        "The credentials in use are not allowed to perform this operation.",
        "当前使用的凭证无权执行此操作。",
        "Grant the CAM user or role permission for this Lighthouse action on this resource, then try again.",
        "请在访问管理（CAM）中为该用户或角色授予对此资源执行该轻量应用服务器操作的权限后重试。"
    ),
    entry!(
        T,
        "UnsupportedOperation.DiskBusy",
        200,
        false,
        "The disk is busy with another operation.",
        "云硬盘正忙于其他操作。",
        "Wait for the disk's current operation to finish, then try again.",
        "请等待云硬盘当前操作完成后再试。"
    ),
    entry!(
        T,
        "UnsupportedOperation.DiskLatestOperationUnfinished",
        200,
        false,
        "The disk's last operation has not finished.",
        "云硬盘的上一个操作尚未完成。",
        "Wait for it to finish, then try again.",
        "请等待其完成后再试。"
    ),
    entry!(
        T,
        "UnsupportedOperation.InvalidInstanceState",
        200,
        false,
        "The instance's state does not allow this operation (a rollback needs STOPPED or RUNNING).",
        "实例当前状态不支持此操作（回滚要求实例为 STOPPED 或 RUNNING）。",
        "Check the instance's state; wait for any transition to finish or stop the instance, then try again.",
        "请检查实例状态；等待状态变化结束或先关机后再试。"
    ),
    entry!(
        T,
        "UnsupportedOperation.InvalidSnapshotState",
        200,
        false,
        "The snapshot's state does not allow this operation (a rollback needs NORMAL).",
        "快照当前状态不支持此操作（回滚要求快照为 NORMAL）。",
        "Wait until the snapshot is NORMAL (not CREATING or ROLLBACKING), then try again.",
        "请等待快照变为 NORMAL（而非 CREATING 或 ROLLBACKING）后再试。"
    ),
    entry!(
        T,
        "UnsupportedOperation.LatestOperationUnfinished",
        200,
        false,
        "The instance's last operation has not finished.",
        "实例的上一个操作尚未完成。",
        "Wait until the instance's LatestOperationState is no longer OPERATING, then try again.",
        "请等待实例的 LatestOperationState 不再是 OPERATING 后再试。"
    ),
    entry!(
        T,
        "UnsupportedOperation.SnapshotBusy",
        200,
        false,
        "The snapshot is busy with another operation.",
        "快照正忙于其他操作。",
        "Wait for the snapshot's current operation to finish, then try again.",
        "请等待快照当前操作完成后再试。"
    ),
    entry!(
        T,
        "UnsupportedOperation.SystemBusy",
        200,
        true,
        "The system is busy.",
        "系统繁忙。",
        "Try again in a moment.",
        "请稍后重试。"
    ),
    // ------------------------------------------------ Lighthouse: CreateInstanceSnapshot
    entry!(
        T,
        "LimitExceeded.SnapshotQuotaLimitExceeded",
        200,
        false,
        "The snapshot quota is used up.",
        "快照配额已用尽。",
        "Delete a snapshot you no longer need, then try again.",
        "请删除不再需要的快照后重试。"
    ),
    entry!(
        T,
        "InternalError.GetSnapshotAllocQuotaLockError",
        200,
        true,
        "An internal error occurred while reserving snapshot quota.",
        "分配快照配额时发生内部错误。",
        "Try again later.",
        "请稍后重试。"
    ),
    entry!(
        T,
        "InvalidParameterValue.SnapshotNameTooLong",
        200,
        false,
        "The snapshot name is too long.",
        "快照名称过长。",
        "Use a snapshot name of at most 60 characters.",
        "快照名称请不超过 60 个字符。"
    ),
    entry!(
        T,
        "OperationDenied.OperationDeniedCreateSnapshotForStorageBundle",
        200,
        false,
        "Snapshots cannot be created for instances of a storage-type bundle.",
        "存储型套餐的实例不支持创建快照。",
        "Use another backup method for this instance.",
        "请对该实例使用其他备份方式。"
    ),
    entry!(
        T,
        "ResourceNotFound.BlueprintIdNotFound",
        200,
        false,
        "The instance's image (blueprint) no longer exists.",
        "实例使用的镜像不存在。",
        "Check the instance in the Lighthouse console; open a ticket if the image was not deleted on purpose.",
        "请在轻量应用服务器控制台检查该实例；如镜像并非有意删除，请提交工单。"
    ),
    // ------------------------------------------------ Tencent Cloud API 3.0 common codes
    entry!(
        T,
        "AuthFailure.SignatureExpire",
        200,
        false,
        "The request's timestamp is more than 5 minutes away from the server's clock, so the signature has expired.",
        "请求时间戳与服务器时间相差超过 5 分钟，签名已过期。",
        "Correct this computer's clock (turn on automatic time sync), then send the request again.",
        "请校准本机时间（开启自动时间同步）后重新发送请求。"
    ),
    entry!(
        T,
        "AuthFailure.SignatureFailure",
        200,
        false,
        "The signature does not match: the SecretKey is wrong, or the request changed after it was signed.",
        "签名校验失败：SecretKey 不正确，或请求在签名后被修改。",
        "Check the SecretId/SecretKey pair in the profile. If they are right, report this with the RequestId.",
        "请检查配置中的 SecretId/SecretKey 是否匹配；如确认无误，请附 RequestId 反馈问题。"
    ),
    entry!(
        T,
        "AuthFailure.SecretIdNotFound",
        200,
        false,
        "The SecretId does not exist or has been disabled.",
        "SecretId 不存在或已被禁用。",
        "Check the key under CAM > API keys and update the profile.",
        "请在访问管理 > API 密钥中核对密钥并更新配置。"
    ),
    entry!(
        T,
        "AuthFailure.TokenFailure",
        200,
        false,
        "The temporary credential's token is invalid or has expired.",
        "临时凭证的 Token 无效或已过期。",
        "Get a new temporary credential and update the profile.",
        "请重新获取临时凭证并更新配置。"
    ),
    entry!(
        T,
        "AuthFailure.InvalidSecretId",
        200,
        false,
        "The SecretId is not valid (wrong format or not an API key).",
        "SecretId 无效（格式错误或不是 API 密钥）。",
        "Copy the SecretId again from CAM > API keys.",
        "请从访问管理 > API 密钥重新复制 SecretId。"
    ),
    entry!(
        T,
        "AuthFailure.InvalidAuthorization",
        200,
        false,
        "The Authorization header is malformed.",
        "请求头 Authorization 格式不正确。",
        "Report this with the RequestId: Rewind built a bad signature header.",
        "请附 RequestId 反馈：Rewind 生成的签名头有误。"
    ),
    entry!(
        T,
        "AuthFailure.MFAFailure",
        200,
        false,
        "Multi-factor authentication failed.",
        "多因素认证（MFA）校验失败。",
        "Check the account's MFA settings in CAM.",
        "请在访问管理中检查该账号的 MFA 设置。"
    ),
    entry!(
        T,
        "AuthFailure.UnauthorizedOperation",
        200,
        false,
        "The request is not authorized.",
        "请求未获授权。",
        "Grant the CAM user or role permission for this action.",
        "请在访问管理中为该用户或角色授予此操作的权限。"
    ),
    entry!(
        T,
        "RequestLimitExceeded",
        200,
        true,
        "Too many requests: the action's rate limit was exceeded (ApplyInstanceSnapshot and CreateInstanceSnapshot allow 20 per second).",
        "请求过于频繁，超出了接口频率限制（ApplyInstanceSnapshot 和 CreateInstanceSnapshot 为每秒 20 次）。",
        "Wait a moment and try again; Rewind retries with back-off.",
        "请稍候重试；Rewind 会自动退避重试。"
    ),
    entry!(
        T,
        "RequestLimitExceeded.UinLimitExceeded",
        200,
        true,
        "Too many requests from this account.",
        "该账号的请求过于频繁。",
        "Wait a moment and try again; reduce concurrent operations on this account.",
        "请稍候重试，并减少该账号下的并发操作。"
    ),
    entry!(
        T,
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
        200,
        true,
        "Too many requests from this account across all regions.",
        "该账号在所有地域的请求总数过于频繁。",
        "Wait a moment and try again; reduce concurrent operations on this account.",
        "请稍候重试，并减少该账号下的并发操作。"
    ),
    entry!(
        T,
        "RequestLimitExceeded.IPLimitExceeded",
        200,
        true,
        "Too many requests from this IP address.",
        "来自该 IP 地址的请求过于频繁。",
        "Wait a moment and try again.",
        "请稍候重试。"
    ),
    entry!(
        T,
        "InternalError",
        200,
        true,
        "An internal error occurred at Tencent Cloud.",
        "腾讯云内部错误。",
        "Try again later; if it persists, open a ticket quoting the RequestId.",
        "请稍后重试；如持续出现，请提交工单并附上 RequestId。"
    ),
    entry!(
        T,
        "InvalidParameter",
        200,
        false,
        "A parameter is wrong (name, type or combination).",
        "参数错误（名称、类型或组合不正确）。",
        "Read the message for the parameter at fault and correct it.",
        "请根据错误信息找到出错的参数并更正。"
    ),
    entry!(
        T,
        "InvalidParameterValue",
        200,
        false,
        "A parameter value is not valid.",
        "参数取值错误。",
        "Read the message for the value at fault and correct it.",
        "请根据错误信息找到出错的取值并更正。"
    ),
    entry!(
        T,
        "MissingParameter",
        200,
        false,
        "A required parameter is missing.",
        "缺少必填参数。",
        "Fill in the parameter named in the message.",
        "请填写错误信息中指出的参数。"
    ),
    entry!(
        T,
        "UnknownParameter",
        200,
        false,
        "The request contains a parameter the action does not take.",
        "请求包含该接口不支持的参数。",
        "Remove the parameter named in the message.",
        "请删除错误信息中指出的参数。"
    ),
    entry!(
        T,
        "UnsupportedOperation",
        200,
        false,
        "The operation is not supported in the resource's current situation.",
        "当前情况下不支持该操作。",
        "Read the message; check the state of the instance, disk or snapshot.",
        "请阅读错误信息，并检查实例、云硬盘或快照的状态。"
    ),
    entry!(
        T,
        "UnauthorizedOperation",
        200,
        false,
        "The credentials in use are not authorized for this operation.",
        "当前凭证无权执行该操作。",
        "Grant the CAM user or role permission for this action.",
        "请在访问管理中为该用户或角色授予此操作的权限。"
    ),
    entry!(
        T,
        "InvalidAction",
        200,
        false,
        "The action does not exist in this API version.",
        "该 API 版本中不存在此接口。",
        "Report this: Rewind called an action Lighthouse does not have.",
        "请反馈：Rewind 调用了轻量应用服务器不存在的接口。"
    ),
    entry!(
        T,
        "ActionOffline",
        200,
        false,
        "The action has been taken offline.",
        "接口已下线。",
        "Update Rewind.",
        "请升级 Rewind。"
    ),
    entry!(
        T,
        "InvalidRequest",
        200,
        false,
        "The request is malformed (body or encoding).",
        "请求格式错误（请求体或编码）。",
        "Report this with the RequestId.",
        "请附 RequestId 反馈问题。"
    ),
    entry!(
        T,
        "NoSuchVersion",
        200,
        false,
        "The API version does not exist.",
        "API 版本不存在。",
        "Report this: Rewind sent a wrong version.",
        "请反馈：Rewind 发送了错误的版本号。"
    ),
    entry!(
        T,
        "NoSuchProduct",
        200,
        false,
        "The product does not exist at this endpoint.",
        "该接入点不存在此产品。",
        "Check the endpoint configured for Lighthouse.",
        "请检查为轻量应用服务器配置的接入点。"
    ),
    entry!(
        T,
        "UnsupportedRegion",
        200,
        false,
        "Lighthouse is not available in this region.",
        "该地域不支持轻量应用服务器。",
        "Choose another region.",
        "请选择其他地域。"
    ),
    entry!(
        T,
        "UnsupportedProtocol",
        200,
        false,
        "The HTTP method or protocol is not supported.",
        "不支持该 HTTP 方法或协议。",
        "Report this with the RequestId.",
        "请附 RequestId 反馈问题。"
    ),
    entry!(
        T,
        "RequestSizeLimitExceeded",
        200,
        false,
        "The request is too large.",
        "请求包过大。",
        "Send fewer IDs or filters per request.",
        "请减少单次请求中的 ID 或过滤条件数量。"
    ),
    entry!(
        T,
        "ResponseSizeLimitExceeded",
        200,
        false,
        "The response would be too large.",
        "返回数据过大。",
        "Use a smaller Limit and page through the results.",
        "请减小 Limit 并分页查询。"
    ),
    entry!(
        T,
        "ServiceUnavailable",
        200,
        true,
        "The service is temporarily unavailable.",
        "服务暂时不可用。",
        "Try again later.",
        "请稍后重试。"
    ),
    entry!(
        T,
        "ResourceNotFound",
        200,
        false,
        "The resource does not exist.",
        "资源不存在。",
        "Check the ID and the region.",
        "请检查资源 ID 和地域。"
    ),
    entry!(
        T,
        "ResourceInUse",
        200,
        false,
        "The resource is in use.",
        "资源被占用。",
        "Wait for the other operation to finish, then try again.",
        "请等待其他操作完成后再试。"
    ),
    entry!(
        T,
        "ResourceInsufficient",
        200,
        false,
        "There are not enough resources.",
        "资源不足。",
        "Try another zone or region, or try again later.",
        "请尝试其他可用区或地域，或稍后再试。"
    ),
    entry!(
        T,
        "ResourceUnavailable",
        200,
        false,
        "The resource is unavailable.",
        "资源不可用。",
        "Check the resource's state.",
        "请检查资源状态。"
    ),
    entry!(
        T,
        "LimitExceeded",
        200,
        false,
        "A quota or limit was exceeded.",
        "超过配额或限制。",
        "Free some quota (delete unneeded resources) or request a higher quota.",
        "请释放部分配额（删除不需要的资源）或申请提高配额。"
    ),
    entry!(
        T,
        "FailedOperation",
        200,
        false,
        "The operation failed.",
        "操作失败。",
        "Read the message, check the resource, and try again.",
        "请阅读错误信息并检查资源后重试。"
    ),
    entry!(
        T,
        "OperationDenied",
        200,
        false,
        "The operation is not allowed.",
        "操作被拒绝。",
        "Read the message; the resource's state or type does not allow it.",
        "请阅读错误信息；资源的状态或类型不允许该操作。"
    ),
    entry!(
        T,
        "IpInBlacklist",
        200,
        false,
        "Requests from this IP address are blocked.",
        "该 IP 地址在黑名单中。",
        "Call from another network, or contact Tencent Cloud support.",
        "请更换网络，或联系腾讯云客服。"
    ),
    entry!(
        T,
        "IpNotInWhitelist",
        200,
        false,
        "This IP address is not on the account's allow-list.",
        "该 IP 地址不在白名单中。",
        "Add this IP address to the allow-list, or call from an allowed network.",
        "请将该 IP 加入白名单，或从允许的网络调用。"
    ),
];
