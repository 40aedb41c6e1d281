//! Alibaba Cloud ECS codes: ResetDisk (the reference notes), CreateSnapshot (Alibaba's
//! error table) and Alibaba Cloud's common codes.

use super::{A, CatalogEntry, Msg};

pub(super) const ENTRIES: &[CatalogEntry] = &[
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
        "该云盘类型不支持此操作。",
        "Check the disk's category; this disk cannot be rolled back or snapshotted this way.",
        "请检查云盘类型；该云盘不支持以此方式回滚或创建快照。"
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
        "云盘当前状态不支持此操作。",
        "The disk must be In_use or Available and not in arrears; check it with DescribeDisks.",
        "云盘须为使用中（In_use）或待挂载（Available）且无欠费；请用 DescribeDisks 检查。"
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
        "该快照不是由此云盘创建的（或加密快照不能用于回滚未加密云盘）。",
        "Choose a snapshot whose SourceDiskId is this disk.",
        "请选择 SourceDiskId 为该云盘的快照。"
    ),
    entry!(
        A,
        "InvalidSnapshot.TooOld",
        403,
        false,
        "The snapshot was created before 2013-07-15 and cannot be used to restore the disk.",
        "该快照创建于 2013 年 7 月 15 日之前，不能用于回滚云盘。",
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
        "请选择该云盘的其他快照。"
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
        "该账号无权管理此云盘。",
        "Ask Alibaba Cloud support for access, then try again.",
        "请联系阿里云客服开通权限后再试。"
    ),
    entry!(
        A,
        "InvalidParameter.KMSKeyId.CMKNotEnabled",
        403,
        false,
        "The disk's KMS customer master key is not enabled.",
        "云盘使用的 KMS 主密钥未启用。",
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
        "请在密钥管理服务中检查云盘的加密密钥。"
    ),
    entry!(
        A,
        "InvalidDiskId.NotFound",
        404,
        false,
        "No disk has this ID.",
        "该云盘 ID 不存在。",
        "Check the disk ID and the region.",
        "请检查云盘 ID 和地域。"
    ),
    entry!(
        A,
        "Disk.NotFound",
        404,
        false,
        "The disk does not exist.",
        "云盘不存在。",
        "Check the disk ID and the region.",
        "请检查云盘 ID 和地域。"
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
        "快照配额已用尽：ECS 限制了每块云盘可保留的快照数量。",
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
        "该云盘的另一个快照仍在创建中。",
        "Wait until it is accomplished, then try again.",
        "请等待其创建完成后再试。"
    ),
    entry!(
        A,
        "IncorrectDiskStatus.NeverAttached",
        403,
        false,
        "The disk has never been attached to an instance, so there is nothing to snapshot.",
        "云盘从未挂载到实例，内容未变化，无需创建快照。",
        "Attach the disk to an instance first.",
        "请先将云盘挂载到实例。"
    ),
    entry!(
        A,
        "IncorrectDiskStatus.NeverUsed",
        403,
        false,
        "The disk has never been used since it was created.",
        "云盘创建后从未使用。",
        "Use the disk (start its instance) before taking a snapshot.",
        "请先使用该云盘（启动其所在实例）再创建快照。"
    ),
    entry!(
        A,
        "IncorrectDiskStatus.Invalid",
        403,
        false,
        "The disk's device status is invalid.",
        "云盘设备状态无效。",
        "Restart the instance, then try again.",
        "请重启实例后再试。"
    ),
    entry!(
        A,
        "IncorrectDiskStatus.Transferring",
        403,
        false,
        "The disk is being migrated.",
        "云盘正在迁移中。",
        "Wait until the migration finishes, then try again.",
        "请等待迁移完成后再试。"
    ),
    entry!(
        A,
        "IncorrectDiskType.NotSupport",
        403,
        false,
        "The disk's type does not support this operation.",
        "该云盘类型不支持此操作。",
        "Check the disk's type.",
        "请检查云盘类型。"
    ),
    entry!(
        A,
        "CreateSnapshot.Failed",
        403,
        false,
        "Creating the snapshot failed.",
        "创建快照失败。",
        "Check the disk and instance states and try again; open a ticket if it keeps failing.",
        "请检查云盘和实例状态后重试；如持续失败，请提交工单。"
    ),
    entry!(
        A,
        "DiskInArrears",
        403,
        false,
        "The disk has expired because of an overdue payment.",
        "云盘因欠费已过期。",
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
        "请检查云盘类型。"
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
];
