//! Every string the console shows, in English and Chinese, and the language choice
//! (a context signal, remembered per browser in localStorage).

use leptos::prelude::*;
pub use rewind_cloud::{Lang, Text};

const STORAGE_KEY: &str = "rewind.lang";

macro_rules! messages {
    ($( $key:ident => $en:literal, $zh:literal; )*) => {
        /// A console message key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg { $( $key, )* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[ $( Msg::$key, )* ];

            /// The message in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $( (Msg::$key, Lang::En) => $en, (Msg::$key, Lang::Zh) => $zh, )*
                }
            }

            /// Both languages, for records that outlive the current choice (operations).
            pub fn both(self) -> Text {
                Text::new(self.text(Lang::En), self.text(Lang::Zh))
            }
        }
    };
}

messages! {
    Tagline => "Roll disks back to snapshots, safely.", "安全地将云盘回滚到快照。";
    MainNav => "Clouds", "云平台";
    Home => "Overview", "概览";
    Tencent => "Tencent Lighthouse", "腾讯云轻量应用服务器";
    Alibaba => "Alibaba ECS", "阿里云 ECS";
    Huawei => "Huawei Workspace", "华为云桌面";
    Language => "Language", "语言";
    Loading => "Loading…", "加载中…";
    DemoMode => "Demo mode: a local emulator stands in for the clouds.", "演示模式：由本地模拟器代替云平台。";
    RelayModeBanner => "Relay mode: your keys stay in this browser; requests are signed here and the server only relays them.", "中转模式：密钥保存在此浏览器中，请求在此签名，服务器只负责转发。";
    SignedInAs => "Signed in as", "当前用户";
    // Between a label and its value (`Signed in as: olivia`).
    Colon => ": ", "：";
    NotSignedIn => "Not signed in.", "未登录。";
    SignIn => "Sign in", "登录";
    SignOut => "Sign out", "退出登录";
    SignOutFailed => "Signing out failed", "退出登录失败";
    SignInTitle => "Sign in to Rewind", "登录 Rewind";
    SignInSsoIntro => "Rewind signs you in with your organisation's identity provider; you come back to the page you were on.", "Rewind 通过贵组织的身份提供方为您登录，登录后回到您之前所在的页面。";
    SignInSso => "Sign in with single sign-on", "使用单点登录（SSO）登录";
    SignInToken => "Access token", "访问令牌";
    SignInTokenHint => "Ask your Rewind administrator for a token. It is exchanged for a session on the server and not kept in this browser.", "请向 Rewind 管理员索取令牌。令牌在服务器上换取会话，不会保存在此浏览器中。";
    SignInTokenMissing => "Enter your access token.", "请输入访问令牌。";
    SigningIn => "Signing in…", "正在登录…";
    SignInHeader => "Sign-in is handled by the reverse proxy in front of Rewind. Sign in there, then reload this page.", "登录由 Rewind 前面的反向代理负责。请先在那里登录，然后重新加载此页面。";
    SignInNone => "This server needs no sign-in.", "此服务器无需登录。";
    SignInContinue => "Continue", "继续";
    Reload => "Reload", "重新加载";
    ServerUnavailable => "The Rewind server cannot be reached", "无法连接 Rewind 服务器";
    HomeIntro => "Choose a cloud to see its instances, disks and snapshots.", "选择云平台以查看实例、云盘和快照。";
    TencentBlurb => "Roll back an instance's system disk (ApplyInstanceSnapshot) or take a snapshot first.", "回滚实例系统盘（ApplyInstanceSnapshot），或先创建快照。";
    AlibabaBlurb => "Reset a disk to one of its own snapshots (ResetDisk), with a dry run first.", "将云盘回滚到它自己的快照（ResetDisk），可先预检。";
    HuaweiBlurb => "Restore up to 100 desktop snapshots in one batch and follow the job.", "一次批量恢复最多 100 个桌面快照并跟踪任务。";
    NotFound => "There is no page at this address.", "此地址没有页面。";
    PageNotLoaded => "This page's code could not be loaded. The network may be down, or the console was updated after this tab opened: try again, or reload the console.", "无法加载此页面的代码。可能是网络中断，或此标签页打开后控制台已更新：请重试，或重新加载控制台。";
    TryAgain => "Try again", "重试";
    SkipToContent => "Skip to content", "跳到主要内容";
    Instances => "Instances", "实例";
    Snapshots => "Snapshots", "快照";
    Disks => "Disks", "云盘";
    DesktopSnapshots => "Desktop snapshots", "桌面快照";
    Views => "Views", "视图";
    Profile => "Profile", "云账号";
    Region => "Region", "地域";
    NoProfile => "No profile for this cloud is configured for you.", "没有为您配置此云平台的账号。";
    FilterLabel => "Filter", "筛选";
    FilterPlaceholder => "ID or name", "ID 或名称";
    StateLabel => "State", "状态";
    AllStates => "All states", "全部状态";
    LoadMore => "Load more", "加载更多";
    LoadAll => "Load all", "全部加载";
    Refresh => "Refresh", "刷新";
    NoRows => "Nothing here.", "暂无数据。";
    ColId => "ID", "ID";
    ColName => "Name", "名称";
    ColState => "State", "状态";
    ColZone => "Zone", "可用区";
    ColDisk => "Disk", "云盘";
    ColSystemDisk => "System disk", "系统盘";
    PickerTitle => "Pick a snapshot (newest first), or type its ID above", "选择快照（最新的在前），或在上方输入快照 ID";
    PickerChoose => "Choose", "选择";
    PickerNone => "There are no snapshots of it yet.", "它还没有快照。";
    PickerNoTarget => "Not found in this region: check the ID.", "在此地域未找到：请检查 ID。";
    PickerByRewind => "taken by Rewind", "由 Rewind 创建";
    ColInstance => "Instance", "实例";
    ColTags => "Tags", "标签";
    ColDesktop => "Desktop", "桌面";
    ColCreated => "Created", "创建时间";
    ColProgress => "Progress", "进度";
    ColSize => "Size (GiB)", "容量（GiB）";
    ColType => "Type", "类型";
    RequestId => "RequestId", "RequestId";
    ErrorCode => "Error code", "错误码";
    Remedy => "What to do", "处理建议";
    Copy => "Copy", "复制";
    SortBy => "Sort by", "排序";
    Copied => "Copied", "已复制";
    FormLhRollback => "Roll back instance", "回滚实例";
    FormLhCreateSnapshot => "Create instance snapshot", "创建实例快照";
    FormEcsResetDisk => "Roll back disk", "回滚云盘";
    FormEcsCreateSnapshot => "Create snapshot", "创建快照";
    FormWsRestore => "Restore desktops", "恢复桌面";
    FieldInstanceId => "Instance ID", "实例 ID";
    FieldSnapshotId => "Snapshot ID", "快照 ID";
    FieldDiskId => "Disk ID", "云盘 ID";
    FieldSnapshotName => "Snapshot name", "快照名称";
    FieldDescription => "Description", "描述";
    FieldRetentionDays => "Retention days", "保留天数";
    FieldTags => "Tags", "标签";
    TagsHint => "key=value, one per line or separated by commas", "key=value，每行一个或用逗号分隔";
    FieldSnapshotIds => "Snapshot IDs", "快照 ID 列表";
    SnapshotIdsHint => "Paste up to 100 IDs, one per line (commas also separate).", "粘贴最多 100 个 ID，每行一个（也可用逗号分隔）。";
    Optional => "(optional)", "（可选）";
    Required => "Required", "必填";
    AllowLegacyIds => "Accept older ID shapes (shown with a warning)", "接受旧格式 ID（将显示警告）";
    CheckAndContinue => "Check and continue", "检查并继续";
    DryRun => "Dry run", "预检";
    DryRunPassed => "Dry run passed: the cloud would accept this request (nothing was changed).", "预检通过：云平台会接受此请求（未做任何更改）。";
    CheckingLiveState => "Checking the live state…", "正在检查实时状态…";
    PreflightTitle => "Pre-flight checks", "执行前检查";
    CheckPass => "Pass", "通过";
    CheckWarn => "Warning", "警告";
    CheckFail => "Fail", "未通过";
    PreflightBlocked => "Fix the failed checks before going on.", "请先解决未通过的检查项。";
    PreflightPassed => "Every required check passed.", "所有必需检查均已通过。";
    StopInstance => "Stop instance", "停止实例";
    ConfirmTitle => "Confirm", "确认";
    DataLossWarning => "The disk's current data will be lost: everything written since the snapshot was taken is overwritten.", "云盘当前数据将丢失：快照之后写入的所有内容都会被覆盖。";
    ForcedShutdownWarning => "The instance is running and will be forcibly shut down before the rollback.", "实例正在运行，回滚前将被强制关机。";
    SnapshotFirst => "Create a snapshot first", "先创建快照";
    StartAfterwards => "Start the instance afterwards", "完成后启动实例";
    TypeIdToConfirm => "To confirm, type", "请输入以下内容以确认：";
    TypeCountToConfirm => "To confirm, type the number of snapshots:", "请输入快照数量以确认：";
    RollBack => "Roll back", "回滚";
    RollBackToThis => "Roll back to this", "回滚到此快照";
    RollBackADisk => "Roll back a disk", "回滚云盘";
    Stop => "Stop", "停止";
    Start => "Start", "启动";
    StartConfirmTitle => "Start the instance?", "启动实例？";
    StartConfirmText => "This starts instance", "将启动实例";
    PowerStarted => "Started. Its progress is below and in Operations.", "已开始。进度见下方及“操作记录”。";
    CreateSnapshot => "Create snapshot", "创建快照";
    RestoreDesktops => "Restore desktops", "恢复桌面";
    ColPreflight => "Pre-flight", "执行前检查";
    PreflightReady => "Ready", "就绪";
    CheckAgain => "Check again", "重新检查";
    BatchPreflightBlocked => "Selected targets that fail the pre-flight (pick another snapshot or deselect them)", "未通过执行前检查的所选目标（请选择其他快照或取消选择）";
    PickRow => "Select", "选择";
    Picked => "Selected", "已选";
    RestorePicked => "Restore the selected", "恢复所选";
    ClearPicked => "Clear selection", "清除选择";
    PickLimit => "At most 100 snapshots can be restored in one batch.", "一批最多恢复 100 个快照。";
    StartAnother => "Start another", "再发起一个";
    OpRunning => "Running", "进行中";
    OpSucceeded => "Succeeded", "已成功";
    OpFailed => "Failed", "失败";
    OutcomeUnknown => "Unknown (the server stopped before the answer)", "未知（服务器在收到答复前已停止）";
    AuditAnyOutcome => "Any outcome", "全部结果";
    AuditSince => "Since (day)", "起始日期";
    OutcomeNotSent => "Not sent", "未发送";
    Elapsed => "Elapsed", "已用时间";
    Desktops => "desktops", "个桌面";
    FailedCount => "failed", "个失败";
    Operations => "Operations", "操作记录";
    ThisTab => "Started in this tab", "本标签页发起的操作";
    NoOperations => "No operations started in this tab yet.", "本标签页尚未发起任何操作。";
    OpCancelled => "Cancelled", "已取消";
    OpPartial => "Partly failed", "部分失败";
    CancelOp => "Cancel", "取消";
    CancelRequested => "Cancel requested", "已请求取消";
    StartInstance => "Start instance", "启动实例";
    SafetySnapshotTaken => "Safety snapshot", "安全快照";
    UndoRollback => "Undo: roll back to the safety snapshot", "撤销：回滚到安全快照";
    StartedBy => "Started by", "发起人";
    RecentOperations => "Recent operations", "最近的操作";
    NoServerOperations => "No operations yet.", "暂无操作。";
    LoadOlder => "Load older", "加载更早的操作";
    RunsInThisTab => "In relay mode, operations run in this tab with the keys held here: keep it open until they finish. A reload resumes them (a call that may have reached the cloud is settled by reading, never sent again); closing the tab stops them.", "中转模式下，操作在本标签页中使用此处保存的密钥运行：请保持标签页打开直到完成。刷新页面会继续执行（可能已到达云端的请求通过读取状态确认，绝不重复发送）；关闭标签页则会停止。";
    WaitingForKeys => "Waiting for this cloud's keys: enter them under Keys and the operation goes on.", "正在等待该云平台的密钥：在“密钥”页面中输入后操作将继续。";
    DryRunFirst => "Dry run first (nothing is changed if the cloud would refuse)", "先预检（云平台会拒绝时不做任何更改）";
    Starting => "Starting…", "正在启动…";
    AuditLog => "Audit log", "审计日志";
    ColStarted => "Started", "开始时间";
    ColUser => "User", "用户";
    ColAction => "Action", "操作";
    ColTarget => "Target", "对象";
    ColOutcome => "Outcome", "结果";
    Actions => "Actions", "操作";
    BatchTitle => "Batch rollback", "批量回滚";
    // After BatchIntro and the number.
    PerSecond => " per second.", " 个。";
    BatchIntro => "Select targets, pick a snapshot for each (the newest ready one by default) and run them in one queue; at most", "选择目标并为每个目标选择快照（默认最新的可用快照），在同一队列中执行；每秒最多";
    BatchForcedShutdown => "Running instances are forcibly shut down before their rollback.", "运行中的实例会在回滚前被强制关机。";
    BatchTypeCount => "To confirm, type the number of selected targets:", "请输入所选目标的数量以确认：";
    BatchStart => "Roll back the selected", "回滚所选目标";
    BatchResults => "Results", "执行结果";
    RetryFailed => "Retry failed", "重试失败项";
    Queued => "Queued", "排队中";
    SelectAll => "Select all", "全选";
    Select => "Select", "选择";
    NoReadySnapshot => "No ready snapshot", "没有可用快照";
    // The safety snapshot's quota, the stop fix's confirmation, the Workspace job.
    ContinueWithoutSafety => "Continue without a safety snapshot", "不创建安全快照，继续";
    NoSafetySnapshot => "No safety snapshot will be taken: if the rollback is not what you wanted, there is nothing Rewind can roll back to.", "将不会创建安全快照：如果回滚结果不符合预期，Rewind 将无法撤销。";
    StopConfirmTitle => "Stop the instance?", "停止实例？";
    StopConfirmText => "This stops instance", "将停止实例";
    ForceStop => "Force stop (ForceStop): like pulling the power plug", "强制停止（ForceStop）：相当于直接断电";
    ForceStopWarning => "A forced stop does not let the operating system shut down: data not yet written to disk, and unsaved work in running programs, may be lost.", "强制停止不会让操作系统正常关机：尚未写入磁盘的数据以及运行中程序未保存的内容可能丢失。";
    StoppedModeLabel => "After stopping (StoppedMode)", "停止后（StoppedMode）";
    StoppedModeDefault => "The cloud's default (not sent: KeepCharging unless economical mode is enabled for the account)", "云平台默认（不发送该参数：除非账号开启了节省停机模式，否则为 KeepCharging）";
    StoppedModeKeep => "KeepCharging: keep the instance's resources, billing continues", "KeepCharging：保留实例资源，继续计费";
    StoppedModeStop => "StopCharging: release vCPUs and memory, stop billing for them (pay-as-you-go in a VPC; they may be unavailable when restarting)", "StopCharging：释放 vCPU 和内存并停止对其计费（按量付费的专有网络实例；再次启动时资源可能不足）";
    WsJob => "Job", "任务";
    FailedDesktops => "Desktops that failed", "失败的桌面";
    RetryFailedDesktops => "Retry the failed desktops", "重试失败的桌面";
    // Relay mode: keys held in the browser (src/relay/, src/views/settings.rs).
    RelayNav => "Keys", "密钥";
    // Followed by the origin, then OriginRefusedRemedy.
    OriginRefused => "This Rewind server does not accept this origin: ", "此 Rewind 服务器不接受本来源：";
    OriginRefusedRemedy => ". Add it to cors.origins in the server's configuration (with --demo: --cors-origin). Nothing was sent.", "。请将它加入服务器配置的 cors.origins（演示模式：--cors-origin）。未发送任何请求。";
    RelayTitle => "Access keys", "访问密钥";
    RelayIntro => "In relay mode your browser holds the keys: each request is signed in this tab and the server only relays it, never seeing a secret. Keys stay in this tab's memory and are gone after a reload unless you tick \"Remember for this tab\".", "中转模式下由浏览器持有密钥：每个请求都在本标签页中签名，服务器只负责转发，永远看不到密钥。密钥只保存在本标签页的内存中，刷新后即消失，除非勾选“在此标签页中记住”。";
    RelayOff => "This server signs requests with its own profiles (portal mode); there are no keys to enter here.", "此服务器使用自身配置的账号签名请求（门户模式），无需在此输入密钥。";
    RelayKeyId => "Access key ID", "访问密钥 ID";
    RelaySecret => "Access key secret", "访问密钥 Secret";
    RelayToken => "STS token (temporary credentials)", "STS 令牌（临时凭证）";
    RelaySignatureVersion => "Signature version", "签名版本";
    RelaySigV3 => "V3: ACS3-HMAC-SHA256 (default)", "V3：ACS3-HMAC-SHA256（默认）";
    RelaySigV1 => "V1: HMAC-SHA1 (older SDKs)", "V1：HMAC-SHA1（旧版 SDK）";
    RelayProjectIds => "Project ID per region", "各地域的项目 ID";
    RelaySave => "Save keys", "保存密钥";
    RelaySaved => "Saved. The secret is not shown again.", "已保存。密钥不会再次显示。";
    RelayNotSet => "No keys set", "未设置密钥";
    RelaySecretSet => "secret •••• set", "Secret •••• 已设置";
    RelayTokenSet => "STS token set", "已设置 STS 令牌";
    RelayRemember => "Remember for this tab", "在此标签页中记住";
    RelayRememberHint => "Kept in this tab's sessionStorage until the tab is closed; never in localStorage.", "保存在本标签页的 sessionStorage 中，直到关闭标签页；绝不写入 localStorage。";
    RelayForget => "Forget keys", "清除密钥";
    RelayShowSigned => "Show signed request", "显示签名后的请求";
    RelayShowSignedIntro => "Builds and signs a request exactly as the console would, without sending it. The signature is shown; the secret never is, and an STS token is masked.", "按控制台的方式构造并签名请求，但不发送。会显示签名，但绝不显示密钥，STS 令牌也会被遮盖。";
    RelayCloud => "Cloud", "云平台";
    RelayParams => "Parameters (JSON)", "参数（JSON）";
    RelaySign => "Sign without sending", "仅签名，不发送";
    RelayBadJson => "The parameters are not valid JSON", "参数不是有效的 JSON";
    RelayNotSent => "Not sent. From the console this request goes, unchanged, through", "未发送。在控制台中，此请求会原样经由以下地址转发：";
    RelayMethod => "Method", "方法";
    RelayUrl => "URL", "URL";
    RelayHeaders => "Headers", "请求头";
    RelayBody => "Body", "请求体";
    RelayCurl => "As a curl command", "curl 命令形式";
    RelayCopyCurl => "Copy the curl command", "复制 curl 命令";
    RelayNoKeys => "No access key is set for this cloud in this tab.", "此标签页中尚未为该云平台设置访问密钥。";
    RelayNoKeysRemedy => "Open Keys (top right) and enter an access key ID and secret.", "请打开右上方的“密钥”页面，输入访问密钥 ID 和 Secret。";
    RelayNoHost => "The server relays no host for this cloud and region.", "服务器没有为该云平台和地域配置可中转的主机。";
    RelayNoHostRemedy => "Choose another region, or ask the administrator to add the host to relay.hosts.", "请选择其他地域，或请管理员将该主机加入 relay.hosts。";
    RelayNoProject => "Huawei Cloud needs the project ID of this region.", "华为云需要该地域的项目 ID。";
    RelayNoProjectRemedy => "Enter it under Keys (Huawei Cloud console → My Credentials → Projects).", "请在“密钥”页面中填写（华为云控制台 → 我的凭证 → 项目列表）。";
    RelayFixParams => "Correct the parameters and try again.", "请修正参数后重试。";
    RelayUnknownAction => "Rewind does not define this action for this cloud.", "Rewind 没有为该云平台定义此操作。";
    RelayCannotSign => "The request could not be built or signed.", "无法构造或签名该请求。";
    RelayCheckRequest => "Check the keys, the action and the parameters.", "请检查密钥、操作和参数。";
    // Keys checked by one read-only call when saved (src/relay/check.rs).
    RelayChecking => "Checking…", "正在校验…";
    RelayCheckPassed => "Checked on saving: the cloud accepted these keys (one read-only call). The secret is not shown again.", "保存时已校验：云平台接受了这组密钥（一次只读调用）。密钥不会再次显示。";
    RelayCheckRefused => "Not saved: the cloud refused these keys. The keys saved before, if any, are unchanged.", "未保存：云平台拒绝了这组密钥。之前保存的密钥（如有）保持不变。";
    RelayCheckUnusable => "Not saved: no request can be signed with these keys. The keys saved before, if any, are unchanged.", "未保存：无法用这组密钥签名请求。之前保存的密钥（如有）保持不变。";
    RelayCheckUnsure => "Not saved yet: the check got no verdict on these keys. That is not proof they are wrong (the relay, the network or the cloud may have failed): try again, or save them without a check.", "尚未保存：校验未能判断这组密钥是否有效。这并不说明密钥有误（可能是中转、网络或云平台出了问题）：请重试，或不经校验直接保存。";
    RelaySaveUnchecked => "Save without checking", "不经校验直接保存";
    RelaySavedUnchecked => "Saved without a check, as you chose. The secret is not shown again.", "已按您的选择保存，未经校验。密钥不会再次显示。";
    RelaySavedNoProject => "Saved without a check: Huawei Cloud needs a region's project ID to send a request. Enter one and save again to check the keys.", "已保存，但未经校验：华为云需要某个地域的项目 ID 才能发送请求。填写后再次保存即可校验密钥。";
    RelaySavedNoRegion => "Saved without a check: the server relays no region of this cloud.", "已保存，但未经校验：服务器没有为该云平台中转任何地域。";
}

/// The language context: read it with `use_i18n()`, switch with `set`.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    /// A reactive getter for one message, for use in views.
    pub fn t(self, msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || msg.text(self.lang.get())
    }

    /// A reactive getter for a bilingual text from the cloud crate (validation messages,
    /// catalog explanations, pre-flight lines).
    pub fn text(self, text: Text) -> impl Fn() -> String + Clone + Send + Sync + 'static {
        move || text.get(self.lang.get()).to_string()
    }

    /// The message in the current language, read once (for attributes built in code).
    pub fn now(self, msg: Msg) -> &'static str {
        msg.text(self.lang.get_untracked())
    }
}

/// The language context provided by `App`.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or(I18n {
        lang: RwSignal::new(Lang::En),
    })
}

/// The language saved in this browser, else the browser's preference, else English.
pub fn initial_lang() -> Lang {
    let window = web_sys::window();
    let stored = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    let preferred = window.and_then(|w| w.navigator().language());
    choose_lang(stored.as_deref(), preferred.as_deref())
}

/// Remembers the choice for this browser.
pub fn store_lang(lang: Lang) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(STORAGE_KEY, lang.code());
    }
}

/// Pure part of `initial_lang`: a stored choice wins, then a `zh*` browser language.
pub fn choose_lang(stored: Option<&str>, browser: Option<&str>) -> Lang {
    if let Some(lang) = stored.and_then(Lang::from_code) {
        return lang;
    }
    match browser {
        Some(b) if b.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

/// The value for `<html lang>`.
pub fn html_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_distinct_non_empty_text_in_both_languages() {
        // Technical names that both languages write the same way.
        let same = [Msg::ColId, Msg::RequestId, Msg::RelayUrl];
        for &m in Msg::ALL {
            let (en, zh) = (m.text(Lang::En), m.text(Lang::Zh));
            assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "{m:?}");
            if !same.contains(&m) {
                assert_ne!(en, zh, "{m:?} is not translated");
            }
        }
    }

    #[test]
    fn stored_choice_beats_browser_language() {
        assert_eq!(choose_lang(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(choose_lang(Some("zh"), Some("en-US")), Lang::Zh);
        assert_eq!(choose_lang(None, Some("zh-TW")), Lang::Zh);
        assert_eq!(choose_lang(Some("garbage"), Some("fr")), Lang::En);
        assert_eq!(choose_lang(None, None), Lang::En);
    }
}
