//! What each provider error code means and what to do about it, in English and Chinese.
//!
//! Sources: the seed documents and `reference/*.md` (Lighthouse ApplyInstanceSnapshot,
//! ECS ResetDisk, Workspace BatchRestoreDesktopSnapshot), the Lighthouse SDK's per-action
//! error lists (CreateInstanceSnapshot), Alibaba's CreateSnapshot error table, Tencent's
//! common error codes and Huawei's API Gateway (APIGW) codes. Codes Rewind itself
//! produces when a response cannot be read start with `Rewind.`.

use crate::i18n::Text;
use crate::provider::Provider;
use serde::Serialize;

/// A message in both languages, stored statically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Msg {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Msg {
    pub fn text(&self) -> Text {
        Text::new(self.en, self.zh)
    }
}

/// One known error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CatalogEntry {
    /// `None` for Rewind's own codes (`Rewind.NotJson`, …), which any provider can produce.
    pub provider: Option<Provider>,
    pub code: &'static str,
    /// The status the provider typically answers with (Tencent answers every error with 200).
    pub http_status: u16,
    pub meaning: Msg,
    pub remedy: Msg,
    /// True when sending the same request again later can succeed without any change
    /// (throttling, internal errors, a busy system). State and validation errors are false.
    pub retryable: bool,
}

/// What an error means, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub meaning: Text,
    pub remedy: Text,
    pub retryable: bool,
    /// The catalog code this came from: the code itself, a parent family
    /// (`ResourceNotFound` for `ResourceNotFound.Foo`), or `None` when only the HTTP
    /// status could be used.
    pub matched: Option<&'static str>,
}

impl CatalogEntry {
    pub fn explain(&self) -> Explanation {
        Explanation {
            meaning: self.meaning.text(),
            remedy: self.remedy.text(),
            retryable: self.retryable,
            matched: Some(self.code),
        }
    }
}

/// Synthetic code: the body was not JSON (an HTML error page from a gateway, say).
pub const NOT_JSON: &str = "Rewind.NotJson";
/// Synthetic code: JSON, but not the provider's success or error shape.
pub const UNEXPECTED_BODY: &str = "Rewind.UnexpectedBody";
/// Synthetic code: an HTTP error status without an error code in the body.
pub const HTTP_STATUS: &str = "Rewind.HttpStatus";

macro_rules! entry {
    ($p:expr, $code:literal, $status:literal, $retry:literal,
     $men:literal, $mzh:literal, $ren:literal, $rzh:literal) => {
        CatalogEntry {
            provider: $p,
            code: $code,
            http_status: $status,
            meaning: Msg { en: $men, zh: $mzh },
            remedy: Msg { en: $ren, zh: $rzh },
            retryable: $retry,
        }
    };
}

const T: Option<Provider> = Some(Provider::Tencent);
const A: Option<Provider> = Some(Provider::Alibaba);
const H: Option<Provider> = Some(Provider::Huawei);
const R: Option<Provider> = None;

/// Every known code.
pub static CATALOG: &[CatalogEntry] = &[
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
        "磁盘不存在。",
        "Refresh the list; the disk may have been deleted or be in another region.",
        "请刷新列表；磁盘可能已被删除或位于其他地域。"
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
        "磁盘正忙于其他操作。",
        "Wait for the disk's current operation to finish, then try again.",
        "请等待磁盘当前操作完成后再试。"
    ),
    entry!(
        T,
        "UnsupportedOperation.DiskLatestOperationUnfinished",
        200,
        false,
        "The disk's last operation has not finished.",
        "磁盘的上一个操作尚未完成。",
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
        "请阅读错误信息，并检查实例、磁盘或快照的状态。"
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
    // ------------------------------------------------ ECS: ResetDisk
    entry!(
        A,
        "MissingParameter",
        400,
        false,
        "A required parameter is missing (ResetDisk needs DiskId and SnapshotId).",
        "缺少必填参数（ResetDisk 需要 DiskId 和 SnapshotId）。",
        "Fill in the parameter named in the message.",
        "请填写错误信息中指出的参数。"
    ),
    entry!(
        A,
        "DiskCategory.OperationNotSupported",
        400,
        false,
        "The disk's category does not support this operation.",
        "该磁盘类型不支持此操作。",
        "Check the disk's category; this disk cannot be rolled back or snapshotted this way.",
        "请检查磁盘类型；该磁盘不支持以此方式回滚或创建快照。"
    ),
    entry!(
        A,
        "InvalidRegionId.MalFormed",
        400,
        false,
        "The RegionId is not valid.",
        "RegionId 不合法。",
        "Use a region ID such as cn-hangzhou.",
        "请使用形如 cn-hangzhou 的地域 ID。"
    ),
    entry!(
        A,
        "DryRunOperation",
        400,
        false,
        "The dry run passed: the request is valid and would have been accepted. Nothing was changed.",
        "预检通过：请求合法，实际执行时会被接受。未做任何更改。",
        "Send the request again without DryRun to perform it.",
        "去掉 DryRun 后再次发送即可实际执行。"
    ),
    entry!(
        A,
        "IncorrectDiskStatus",
        403,
        false,
        "The disk's state does not allow this operation.",
        "磁盘当前状态不支持此操作。",
        "The disk must be In_use or Available and not in arrears; check it with DescribeDisks.",
        "磁盘须为使用中（In_use）或待挂载（Available）且无欠费；请用 DescribeDisks 检查。"
    ),
    entry!(
        A,
        "IncorrectInstanceStatus",
        403,
        false,
        "The instance's state does not allow this operation (ResetDisk needs the instance Stopped).",
        "实例当前状态不支持此操作（ResetDisk 要求实例为已停止）。",
        "Stop the instance (StopInstance), wait until it is Stopped, then try again.",
        "请先停止实例（StopInstance），待其状态为 Stopped 后再试。"
    ),
    entry!(
        A,
        "InstanceLockedForSecurity",
        403,
        false,
        "The instance is locked for security reasons; no operation is allowed on it.",
        "实例因安全原因被锁定，不允许任何操作。",
        "Resolve the security lock in the ECS console or with Alibaba Cloud support.",
        "请在 ECS 控制台或联系阿里云客服解除安全锁定。"
    ),
    entry!(
        A,
        "InvalidParameter.Mismatch",
        403,
        false,
        "The snapshot was not created from this disk (or an encrypted snapshot cannot restore an unencrypted disk).",
        "该快照不是由此磁盘创建的（或加密快照不能用于回滚未加密磁盘）。",
        "Choose a snapshot whose SourceDiskId is this disk.",
        "请选择 SourceDiskId 为该磁盘的快照。"
    ),
    entry!(
        A,
        "InvalidSnapshot.TooOld",
        403,
        false,
        "The snapshot was created before 2013-07-15 and cannot be used to restore the disk.",
        "该快照创建于 2013 年 7 月 15 日之前，不能用于回滚磁盘。",
        "Choose a newer snapshot.",
        "请选择较新的快照。"
    ),
    entry!(
        A,
        "InstanceExpiredOrInArrears",
        403,
        false,
        "The subscription instance has expired, or the pay-as-you-go account is in arrears.",
        "包年包月实例已过期，或按量付费账号已欠费。",
        "Renew the instance or top up the account, then try again.",
        "请续费实例或为账号充值后再试。"
    ),
    entry!(
        A,
        "OperationDenied",
        403,
        false,
        "The snapshot does not support this operation.",
        "该快照不支持此操作。",
        "Choose another snapshot of this disk.",
        "请选择该磁盘的其他快照。"
    ),
    entry!(
        A,
        "InvalidSnapshotId.NotReady",
        403,
        false,
        "The snapshot has not finished being created.",
        "快照尚未创建完成。",
        "Wait until the snapshot's status is accomplished, then try again.",
        "请等待快照状态变为 accomplished 后再试。"
    ),
    entry!(
        A,
        "InvalidAccountStatus.NotEnoughBalance",
        403,
        false,
        "The account's balance is too low.",
        "账户余额不足。",
        "Add funds to the account, then try again.",
        "请为账户充值后再试。"
    ),
    entry!(
        A,
        "InvalidAccountStatus.SnapshotServiceUnavailable",
        403,
        false,
        "The snapshot service has not been activated for this account.",
        "该账号尚未开通快照服务。",
        "Activate the snapshot service in the ECS console, then try again.",
        "请在 ECS 控制台开通快照服务后再试。"
    ),
    entry!(
        A,
        "Operation.Conflict",
        403,
        false,
        "The operation conflicts with another operation in progress.",
        "该操作与正在进行的其他操作冲突。",
        "Wait for the other operation to finish, then try again.",
        "请等待其他操作完成后再试。"
    ),
    entry!(
        A,
        "UserNotInTheWhiteList",
        403,
        false,
        "The account is not authorized to manage this disk.",
        "该账号无权管理此磁盘。",
        "Ask Alibaba Cloud support for access, then try again.",
        "请联系阿里云客服开通权限后再试。"
    ),
    entry!(
        A,
        "InvalidParameter.KMSKeyId.CMKNotEnabled",
        403,
        false,
        "The disk's KMS customer master key is not enabled.",
        "磁盘使用的 KMS 主密钥未启用。",
        "Enable the key in KMS, then try again.",
        "请在密钥管理服务中启用该密钥后再试。"
    ),
    entry!(
        A,
        "InvalidParameter.KMSKeyId.KMSUnauthorized",
        403,
        false,
        "ECS is not authorized to use your KMS keys.",
        "ECS 无权访问您的 KMS 密钥。",
        "Authorize ECS to access KMS (RAM role), then try again.",
        "请通过 RAM 角色授权 ECS 访问 KMS 后再试。"
    ),
    entry!(
        A,
        "InvalidParameter.KMSKeyId.NotFound",
        404,
        false,
        "The KMS key does not exist.",
        "KMS 密钥不存在。",
        "Check the disk's encryption key in KMS.",
        "请在密钥管理服务中检查磁盘的加密密钥。"
    ),
    entry!(
        A,
        "InvalidDiskId.NotFound",
        404,
        false,
        "No disk has this ID.",
        "该磁盘 ID 不存在。",
        "Check the disk ID and the region.",
        "请检查磁盘 ID 和地域。"
    ),
    entry!(
        A,
        "Disk.NotFound",
        404,
        false,
        "The disk does not exist.",
        "磁盘不存在。",
        "Check the disk ID and the region.",
        "请检查磁盘 ID 和地域。"
    ),
    entry!(
        A,
        "InvalidSnapshotId.NotFound",
        404,
        false,
        "No snapshot has this ID.",
        "该快照 ID 不存在。",
        "Check the snapshot ID and the region, or refresh the snapshot list.",
        "请检查快照 ID 和地域，或刷新快照列表。"
    ),
    entry!(
        A,
        "InvalidInstanceId.NotFound",
        404,
        false,
        "No instance has this ID.",
        "该实例 ID 不存在。",
        "Check the instance ID and the region.",
        "请检查实例 ID 和地域。"
    ),
    entry!(
        A,
        "InternalError",
        500,
        true,
        "An internal error occurred at Alibaba Cloud.",
        "阿里云内部错误。",
        "Try again later; if it persists, open a ticket quoting the RequestId.",
        "请稍后重试；如持续出现，请提交工单并附上 RequestId。"
    ),
    // ------------------------------------------------ ECS: CreateSnapshot
    entry!(
        A,
        "QuotaExceed.Snapshot",
        403,
        false,
        "The snapshot quota is used up: ECS limits how many snapshots a disk can keep.",
        "快照配额已用尽：ECS 限制了每块磁盘可保留的快照数量。",
        "Delete snapshots you no longer need, then try again.",
        "请删除不再需要的快照后再试。"
    ),
    entry!(
        A,
        "InvalidSnapshotName.Malformed",
        400,
        false,
        "The snapshot name is not valid.",
        "快照名称不合法。",
        "Use 2–128 characters starting with a letter, not starting with http://, https:// or auto.",
        "请使用 2–128 个字符、以字母开头，且不以 http://、https:// 或 auto 开头。"
    ),
    entry!(
        A,
        "InvalidDescription.Malformed",
        404,
        false,
        "The description is not valid.",
        "描述不合法。",
        "Use 2–256 characters, not starting with http:// or https://.",
        "请使用 2–256 个字符，且不以 http:// 或 https:// 开头。"
    ),
    entry!(
        A,
        "IncorrectDiskStatus.CreatingSnapshot",
        403,
        false,
        "Another snapshot of this disk is still being created.",
        "该磁盘的另一个快照仍在创建中。",
        "Wait until it is accomplished, then try again.",
        "请等待其创建完成后再试。"
    ),
    entry!(
        A,
        "IncorrectDiskStatus.NeverAttached",
        403,
        false,
        "The disk has never been attached to an instance, so there is nothing to snapshot.",
        "磁盘从未挂载到实例，内容未变化，无需创建快照。",
        "Attach the disk to an instance first.",
        "请先将磁盘挂载到实例。"
    ),
    entry!(
        A,
        "IncorrectDiskStatus.NeverUsed",
        403,
        false,
        "The disk has never been used since it was created.",
        "磁盘创建后从未使用。",
        "Use the disk (start its instance) before taking a snapshot.",
        "请先使用该磁盘（启动其所在实例）再创建快照。"
    ),
    entry!(
        A,
        "IncorrectDiskStatus.Invalid",
        403,
        false,
        "The disk's device status is invalid.",
        "磁盘设备状态无效。",
        "Restart the instance, then try again.",
        "请重启实例后再试。"
    ),
    entry!(
        A,
        "IncorrectDiskStatus.Transferring",
        403,
        false,
        "The disk is being migrated.",
        "磁盘正在迁移中。",
        "Wait until the migration finishes, then try again.",
        "请等待迁移完成后再试。"
    ),
    entry!(
        A,
        "IncorrectDiskType.NotSupport",
        403,
        false,
        "The disk's type does not support this operation.",
        "该磁盘类型不支持此操作。",
        "Check the disk's type.",
        "请检查磁盘类型。"
    ),
    entry!(
        A,
        "CreateSnapshot.Failed",
        403,
        false,
        "Creating the snapshot failed.",
        "创建快照失败。",
        "Check the disk and instance states and try again; open a ticket if it keeps failing.",
        "请检查磁盘和实例状态后重试；如持续失败，请提交工单。"
    ),
    entry!(
        A,
        "DiskInArrears",
        403,
        false,
        "The disk has expired because of an overdue payment.",
        "磁盘因欠费已过期。",
        "Settle the payment, then try again.",
        "请结清欠费后再试。"
    ),
    entry!(
        A,
        "DiskId.ValueNotSupported",
        403,
        false,
        "This kind of block storage does not support the operation.",
        "该类块存储不支持此操作。",
        "Check the disk's category.",
        "请检查磁盘类型。"
    ),
    entry!(
        A,
        "IncorrectVolumeStatus",
        403,
        false,
        "The shared block storage device's state does not allow this operation.",
        "共享块存储当前状态不支持此操作。",
        "Check the device's state and try again.",
        "请检查设备状态后再试。"
    ),
    entry!(
        A,
        "InvalidVolumeId.NotFound",
        404,
        false,
        "The shared block storage device does not exist.",
        "共享块存储不存在。",
        "Check the ID.",
        "请检查 ID。"
    ),
    entry!(
        A,
        "IdempotentParameterMismatch",
        403,
        false,
        "The ClientToken was already used for a request with different parameters.",
        "该 ClientToken 已被参数不同的请求使用。",
        "Use a new ClientToken for a new request.",
        "新请求请使用新的 ClientToken。"
    ),
    entry!(
        A,
        "IdempotentProcessing",
        403,
        true,
        "An earlier request with the same ClientToken is still being processed.",
        "使用相同 ClientToken 的先前请求仍在处理中。",
        "Wait a moment and send the same request (same ClientToken) again.",
        "请稍候以相同 ClientToken 再次发送。"
    ),
    entry!(
        A,
        "Duplicate.TagKey",
        400,
        false,
        "Two tags have the same key.",
        "标签键重复。",
        "Give each tag a different key.",
        "每个标签请使用不同的键。"
    ),
    entry!(
        A,
        "InvalidTagKey.Malformed",
        400,
        false,
        "A tag key is not valid.",
        "标签键不合法。",
        "Use 1–128 characters, not starting with aliyun or acs: and without http:// or https://.",
        "请使用 1–128 个字符，不以 aliyun 或 acs: 开头，且不含 http:// 或 https://。"
    ),
    entry!(
        A,
        "InvalidTagValue.Malformed",
        400,
        false,
        "A tag value is not valid.",
        "标签值不合法。",
        "Use at most 128 characters, not starting with acs: and without http:// or https://.",
        "请使用不超过 128 个字符，不以 acs: 开头，且不含 http:// 或 https://。"
    ),
    entry!(
        A,
        "QuotaExceed.Tags",
        403,
        false,
        "Too many tags.",
        "标签数量超出上限。",
        "Use at most 20 tags.",
        "最多使用 20 个标签。"
    ),
    // ------------------------------------------------ Alibaba Cloud common codes
    entry!(
        A,
        "SignatureDoesNotMatch",
        400,
        false,
        "The signature does not match: the AccessKey secret is wrong, or the request changed after it was signed.",
        "签名不匹配：AccessKey Secret 不正确，或请求在签名后被修改。",
        "Check the AccessKey ID/secret pair in the profile. If they are right, report this with the RequestId.",
        "请检查配置中的 AccessKey ID/Secret 是否匹配；如确认无误，请附 RequestId 反馈问题。"
    ),
    entry!(
        A,
        "IncompleteSignature",
        400,
        false,
        "The signature is incomplete or malformed.",
        "签名不完整或格式错误。",
        "Report this with the RequestId: Rewind built a bad signature.",
        "请附 RequestId 反馈：Rewind 生成的签名有误。"
    ),
    entry!(
        A,
        "InvalidAccessKeyId.NotFound",
        404,
        false,
        "The AccessKey ID does not exist.",
        "AccessKey ID 不存在。",
        "Check the AccessKey in the RAM console and update the profile.",
        "请在 RAM 控制台核对 AccessKey 并更新配置。"
    ),
    entry!(
        A,
        "InvalidAccessKeyId.Inactive",
        400,
        false,
        "The AccessKey is disabled.",
        "AccessKey 已被禁用。",
        "Enable the AccessKey in the RAM console or use another one.",
        "请在 RAM 控制台启用该 AccessKey 或换用其他密钥。"
    ),
    entry!(
        A,
        "SignatureNonceUsed",
        400,
        false,
        "The signature nonce was already used: the request looks like a replay.",
        "签名随机数已被使用，请求疑似重放。",
        "Send the request again; it is signed with a fresh nonce each time.",
        "请重新发送；每次发送都会使用新的随机数签名。"
    ),
    entry!(
        A,
        "InvalidTimeStamp.Expired",
        400,
        false,
        "The request's timestamp is too far from the server's clock.",
        "请求时间戳与服务器时间相差过大。",
        "Correct this computer's clock (turn on automatic time sync), then send the request again.",
        "请校准本机时间（开启自动时间同步）后重新发送请求。"
    ),
    entry!(
        A,
        "InvalidTimeStamp.Format",
        400,
        false,
        "The request's timestamp is malformed.",
        "请求时间戳格式错误。",
        "Report this with the RequestId.",
        "请附 RequestId 反馈问题。"
    ),
    entry!(
        A,
        "InvalidSecurityToken.Expired",
        400,
        false,
        "The STS security token has expired.",
        "STS 安全令牌已过期。",
        "Get a new temporary credential and update the profile.",
        "请重新获取临时凭证并更新配置。"
    ),
    entry!(
        A,
        "InvalidSecurityToken.Malformed",
        400,
        false,
        "The STS security token is malformed.",
        "STS 安全令牌格式错误。",
        "Copy the whole security token again into the profile.",
        "请重新完整复制安全令牌到配置中。"
    ),
    entry!(
        A,
        "InvalidSecurityToken.MismatchWithAccessKey",
        400,
        false,
        "The STS security token does not belong to this AccessKey.",
        "STS 安全令牌与 AccessKey 不匹配。",
        "Use the AccessKey ID, secret and token from the same temporary credential.",
        "请使用同一份临时凭证中的 AccessKey ID、Secret 和令牌。"
    ),
    entry!(
        A,
        "Throttling",
        400,
        true,
        "Too many requests: the request was throttled.",
        "请求过于频繁，已被限流。",
        "Wait a moment and try again; Rewind retries with back-off.",
        "请稍候重试；Rewind 会自动退避重试。"
    ),
    entry!(
        A,
        "Throttling.User",
        400,
        true,
        "Too many requests from this account.",
        "该账号的请求过于频繁。",
        "Wait a moment and try again; reduce concurrent operations on this account.",
        "请稍候重试，并减少该账号下的并发操作。"
    ),
    entry!(
        A,
        "Throttling.Api",
        400,
        true,
        "Too many requests to this API.",
        "该接口的请求过于频繁。",
        "Wait a moment and try again.",
        "请稍候重试。"
    ),
    entry!(
        A,
        "ServiceUnavailable",
        503,
        true,
        "The service is temporarily unavailable.",
        "服务暂时不可用。",
        "Try again later.",
        "请稍后重试。"
    ),
    entry!(
        A,
        "Forbidden.RAM",
        403,
        false,
        "The RAM user or role is not allowed to perform this operation.",
        "RAM 用户或角色无权执行此操作。",
        "Grant the RAM identity permission for this ECS action (e.g. ecs:ResetDisk), then try again.",
        "请为该 RAM 身份授予此 ECS 操作的权限（如 ecs:ResetDisk）后再试。"
    ),
    entry!(
        A,
        "Forbidden",
        403,
        false,
        "The operation is forbidden for these credentials.",
        "当前凭证被禁止执行该操作。",
        "Check the account's and RAM identity's permissions.",
        "请检查账号及 RAM 身份的权限。"
    ),
    entry!(
        A,
        "InvalidParameter",
        400,
        false,
        "A parameter value is not valid.",
        "参数取值不合法。",
        "Read the message for the parameter at fault and correct it.",
        "请根据错误信息找到出错的参数并更正。"
    ),
    entry!(
        A,
        "InvalidParameter.MaxResults",
        400,
        false,
        "MaxResults is out of range.",
        "MaxResults 超出取值范围。",
        "Use a page size the action accepts.",
        "请使用该接口接受的分页大小。"
    ),
    entry!(
        A,
        "InvalidRegionId.NotFound",
        404,
        false,
        "The region does not exist.",
        "地域不存在。",
        "Choose a region ECS offers, such as cn-hangzhou.",
        "请选择 ECS 提供的地域，如 cn-hangzhou。"
    ),
    entry!(
        A,
        "InvalidAction.NotFound",
        404,
        false,
        "The action does not exist in this API version.",
        "该 API 版本中不存在此接口。",
        "Report this: Rewind called an action ECS does not have.",
        "请反馈：Rewind 调用了 ECS 不存在的接口。"
    ),
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
    // ------------------------------------------------ Rewind's own codes
    entry!(
        R,
        "Rewind.NotJson",
        0,
        false,
        "The answer was not JSON: something between Rewind and the cloud (a gateway, proxy or firewall) answered instead of the API.",
        "返回内容不是 JSON：Rewind 与云之间的网关、代理或防火墙代替 API 作了应答。",
        "Try again later if the status is 5xx; otherwise check the endpoint and any proxy in between.",
        "若状态码为 5xx，请稍后重试；否则请检查接入点及中间的代理。"
    ),
    entry!(
        R,
        "Rewind.UnexpectedBody",
        0,
        false,
        "The answer was JSON but not in the provider's format.",
        "返回的 JSON 不是该云厂商的格式。",
        "Check that the endpoint really is the provider's API; report this with the request ID.",
        "请确认接入点确为该云厂商的 API，并附请求 ID 反馈问题。"
    ),
    entry!(
        R,
        "Rewind.HttpStatus",
        0,
        false,
        "The cloud answered with an HTTP error status but no error code.",
        "云端返回了 HTTP 错误状态码，但没有错误码。",
        "Try again later if the status is 5xx or 429; otherwise check the request.",
        "若状态码为 5xx 或 429，请稍后重试；否则请检查请求。"
    ),
];

/// The catalog entry for a provider's code (exact, case-sensitive). Rewind's own
/// `Rewind.*` codes are found for every provider.
pub fn lookup(provider: Provider, code: &str) -> Option<&'static CatalogEntry> {
    CATALOG
        .iter()
        .find(|e| e.code == code && (e.provider == Some(provider) || e.provider.is_none()))
}

/// Every entry of one provider.
pub fn entries(provider: Provider) -> impl Iterator<Item = &'static CatalogEntry> {
    CATALOG.iter().filter(move |e| e.provider == Some(provider))
}

/// Explains any code: the exact entry; else the nearest parent family
/// (`ResourceNotFound.Foo` → `ResourceNotFound`); for Workspace the HTTP status entry;
/// else a generic explanation from the HTTP status.
pub fn explain(provider: Provider, code: &str, http_status: u16) -> Explanation {
    if let Some(e) = lookup(provider, code) {
        let mut x = e.explain();
        if e.provider.is_none() {
            // Rewind's own codes: only the status says whether to retry.
            x.retryable = status_retryable(http_status);
        }
        return x;
    }
    let mut family = code;
    while let Some((parent, _)) = family.rsplit_once('.') {
        family = parent;
        if let Some(e) = lookup(provider, family) {
            return e.explain();
        }
    }
    if provider == Provider::Huawei {
        let key = format!("http.{http_status}");
        if let Some(e) = lookup(provider, &key) {
            return e.explain();
        }
    }
    fallback(provider, code, http_status)
}

/// The explanation for a code nothing in the catalog matches.
pub fn fallback(provider: Provider, code: &str, http_status: u16) -> Explanation {
    let product = provider.product();
    let retryable = status_retryable(http_status);
    let (meaning, remedy) = if http_status == 429 {
        (
            Text::new(
                format!("{product} is throttling requests (error {code})."),
                format!("{product} 正在限流（错误码 {code}）。"),
            ),
            Text::new("Wait a moment and try again.", "请稍候重试。"),
        )
    } else if http_status >= 500 {
        (
            Text::new(
                format!("{product} reported a server-side error ({code}, HTTP {http_status})."),
                format!("{product} 报告了服务端错误（{code}，HTTP {http_status}）。"),
            ),
            Text::new(
                "Try again later; if it persists, contact the provider's support with the request ID.",
                "请稍后重试；如持续出现，请附请求 ID 联系云厂商客服。",
            ),
        )
    } else if http_status == 401 || http_status == 403 {
        (
            Text::new(
                format!("{product} refused the credentials or their permissions ({code})."),
                format!("{product} 拒绝了凭证或其权限（{code}）。"),
            ),
            Text::new(
                "Check the keys in the profile and the permissions granted to them.",
                "请检查配置中的密钥及其被授予的权限。",
            ),
        )
    } else {
        (
            Text::new(
                format!("{product} returned error {code}, which Rewind does not know yet."),
                format!("{product} 返回了 Rewind 尚未收录的错误码 {code}。"),
            ),
            Text::new(
                "Read the provider's message; search the code in the provider's error center.",
                "请阅读云厂商返回的错误信息，并在其错误中心查询该错误码。",
            ),
        )
    };
    Explanation {
        meaning,
        remedy,
        retryable,
        matched: None,
    }
}

/// Whether an HTTP status alone suggests a retry can succeed.
pub fn status_retryable(http_status: u16) -> bool {
    matches!(http_status, 429 | 500 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_per_provider() {
        for (i, a) in CATALOG.iter().enumerate() {
            for b in &CATALOG[i + 1..] {
                assert!(
                    !(a.provider == b.provider && a.code == b.code),
                    "duplicate {:?} {}",
                    a.provider,
                    a.code
                );
            }
        }
    }

    #[test]
    fn families_and_statuses_fall_back() {
        let x = explain(Provider::Tencent, "ResourceNotFound.SomethingNew", 200);
        assert_eq!(x.matched, Some("ResourceNotFound"));
        let x = explain(Provider::Alibaba, "Throttling.Something", 400);
        assert_eq!(x.matched, Some("Throttling"));
        assert!(x.retryable);
        let x = explain(Provider::Huawei, "WKS.9999", 409);
        assert_eq!(x.matched, Some("http.409"));
        let x = explain(Provider::Huawei, "WKS.9999", 503);
        assert_eq!(x.matched, None);
        assert!(x.retryable);
        let x = explain(Provider::Alibaba, "Brand.New", 400);
        assert_eq!(x.matched, None);
        assert!(!x.retryable);
        assert!(x.meaning.en.contains("Brand.New") && x.meaning.zh.contains("Brand.New"));
    }

    #[test]
    fn rewind_codes_take_retryability_from_the_status() {
        assert!(explain(Provider::Tencent, NOT_JSON, 502).retryable);
        assert!(!explain(Provider::Tencent, NOT_JSON, 404).retryable);
        assert!(lookup(Provider::Huawei, HTTP_STATUS).is_some());
        assert!(lookup(Provider::Alibaba, UNEXPECTED_BODY).is_some());
    }
}
