//! The pre-flight checklist shown before a restore (or a snapshot) is confirmed.
//!
//! Every function here takes the LIVE rows exactly as the providers' Describe/List APIs
//! return them (`serde_json::Value` objects) and answers one [`Check`] per documented
//! rule: pass, warn or fail, with what was found (naming the resource and its state)
//! and, for warnings and failures, what to do about it, in English and Chinese.
//!
//! | function | rows |
//! |---|---|
//! | [`lighthouse_rollback`], [`lighthouse_create_snapshot`] | Lighthouse `InstanceSet[]` / `SnapshotSet[]` items |
//! | [`ecs_reset_disk`], [`ecs_create_snapshot`] | ECS `Instances.Instance[]`, `Disks.Disk[]`, `Snapshots.Snapshot[]` items |
//! | [`workspace_restore`] | Workspace `desktop_snapshots[]` items |
//!
//! `None` means the resource was not found: the check is then a failure with a generic
//! message ("The instance was not found in this region"), because the row that would
//! name it is missing; the caller knows the ID it asked for and can show it alongside.
//!
//! The rules mirror the providers' documentation (see the reference notes) and the
//! emulator's state machines, so a checklist without failures predicts that the call
//! will be accepted. Warnings never block; [`blocked`] is true iff some check failed.
//! Pure: no clock, no I/O.

use crate::i18n::Text;
use serde::Serialize;
use serde_json::Value;

/// Stable keys of the rules, for the console and tests.
pub mod rules {
    /// The instance was found.
    pub const INSTANCE_EXISTS: &str = "instance.exists";
    /// The instance's state allows the operation.
    pub const INSTANCE_STATE: &str = "instance.state";
    /// Lighthouse: the instance's last operation has finished.
    pub const INSTANCE_OPERATION: &str = "instance.operation";
    /// ECS: no `security` operation lock on the instance (or the disk).
    pub const INSTANCE_SECURITY_LOCK: &str = "instance.security_lock";
    /// ECS: the instance is neither expired nor in arrears.
    pub const INSTANCE_EXPIRED: &str = "instance.expired";
    /// The disk was found.
    pub const DISK_EXISTS: &str = "disk.exists";
    /// ECS: the disk's status allows the operation.
    pub const DISK_STATUS: &str = "disk.status";
    /// ECS: the disk is attached to an instance.
    pub const DISK_ATTACHED: &str = "disk.attached";
    /// The snapshot(s) were found.
    pub const SNAPSHOT_EXISTS: &str = "snapshot.exists";
    /// The snapshot's state allows it to be used.
    pub const SNAPSHOT_STATE: &str = "snapshot.state";
    /// The snapshot was taken of this instance's system disk / of this disk.
    pub const SNAPSHOT_BELONGS: &str = "snapshot.belongs";
    /// Lighthouse: the system disk has the size it had when the snapshot was taken.
    pub const SNAPSHOT_DISK_SIZE: &str = "snapshot.disk_size";
    /// ECS: the snapshot was created on or after 2013-07-15.
    pub const SNAPSHOT_TOO_OLD: &str = "snapshot.too_old";
    /// Room for one more snapshot under the quota.
    pub const SNAPSHOT_QUOTA: &str = "snapshot.quota";
    /// No snapshot of the disk is being created (or rolled back) right now.
    pub const SNAPSHOT_IN_PROGRESS: &str = "snapshot.in_progress";
    /// Workspace: at most one snapshot per desktop (and each ID once) in a batch.
    pub const SNAPSHOT_DUPLICATE: &str = "snapshot.duplicate";
    /// Workspace: no restore is already running on the desktop.
    pub const DESKTOP_BUSY: &str = "desktop.busy";
    /// Workspace: 1 to 100 snapshots in a batch.
    pub const BATCH_SIZE: &str = "batch.size";

    /// Every rule key.
    pub const ALL: &[&str] = &[
        INSTANCE_EXISTS,
        INSTANCE_STATE,
        INSTANCE_OPERATION,
        INSTANCE_SECURITY_LOCK,
        INSTANCE_EXPIRED,
        DISK_EXISTS,
        DISK_STATUS,
        DISK_ATTACHED,
        SNAPSHOT_EXISTS,
        SNAPSHOT_STATE,
        SNAPSHOT_BELONGS,
        SNAPSHOT_DISK_SIZE,
        SNAPSHOT_TOO_OLD,
        SNAPSHOT_QUOTA,
        SNAPSHOT_IN_PROGRESS,
        SNAPSHOT_DUPLICATE,
        DESKTOP_BUSY,
        BATCH_SIZE,
    ];
}

/// ECS: at most 64 snapshots per disk (documented).
pub const ECS_SNAPSHOTS_PER_DISK: usize = 64;
/// Workspace: BatchRestoreDesktopSnapshot takes 1 to 100 snapshot IDs (documented).
pub const WORKSPACE_BATCH_MAX: usize = 100;
/// Lighthouse: snapshots per instance before CreateInstanceSnapshot answers
/// `LimitExceeded.SnapshotQuotaLimitExceeded`. Tencent documents the error but not one
/// figure; this is the emulator's default quota (`Limits::lighthouse_snapshots_per_instance`,
/// which the demo world's `game-server` instance has reached).
pub const LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE: usize = 4;
/// ECS: snapshots created before this date cannot be used by ResetDisk (documented).
pub const ECS_SNAPSHOT_CUTOFF_DATE: &str = "2013-07-15";
/// At most this many IDs are named in one summary line; the rest are counted.
pub const NAMED_IDS_MAX: usize = 5;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

/// A fix the console can offer as a button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum FixAction {
    /// ECS StopInstance / Lighthouse StopInstances on this instance.
    StopInstance { instance_id: String },
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// One of [`rules`].
    pub rule: &'static str,
    pub status: Status,
    /// What was found, naming the resource and its state.
    pub message: Text,
    /// For warnings and failures: what to do.
    pub fix: Option<Text>,
    pub action: Option<FixAction>,
}

impl Check {
    fn new(rule: &'static str, status: Status, message: Text, fix: Option<Text>) -> Check {
        Check {
            rule,
            status,
            message: tidy(message),
            fix: fix.map(tidy),
            action: None,
        }
    }

    fn pass(rule: &'static str, message: Text) -> Check {
        Check::new(rule, Status::Pass, message, None)
    }

    fn warn(rule: &'static str, message: Text, fix: Text) -> Check {
        Check::new(rule, Status::Warn, message, Some(fix))
    }

    fn fail(rule: &'static str, message: Text, fix: Text) -> Check {
        Check::new(rule, Status::Fail, message, Some(fix))
    }

    fn with_action(mut self, action: Option<FixAction>) -> Check {
        self.action = action;
        self
    }
}

/// True iff some check failed; warnings never block.
pub fn blocked(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.status == Status::Fail)
}

// ====================================================================== helpers

/// Chinese needs no space after a full-width bracket: "实例 lhins-x（wiki）处于…".
fn tidy(mut t: Text) -> Text {
    t.zh = t.zh.replace("） ", "）");
    t
}

/// The Chinese name of a state ("创建中"), or the state itself when it has none.
fn zh_gloss(state: &str) -> String {
    let (en, zh) = shown_state(state);
    match zh.strip_prefix(en.as_str()) {
        Some(rest) if !rest.is_empty() => rest
            .trim_start_matches('（')
            .trim_end_matches('）')
            .to_string(),
        _ => zh,
    }
}

/// A string field of a row, or "" when absent or not a string.
fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A number field, whether the provider sends it as a number or a numeric string.
fn num(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(x) => x.trim().trim_end_matches('%').parse().ok(),
        _ => None,
    }
}

/// "lhins-k31c771o (blog-prod)" / "lhins-k31c771o（blog-prod）".
fn named(id: &str, name: &str) -> (String, String) {
    let id = if id.is_empty() { "?" } else { id };
    if name.is_empty() || name == id {
        (id.to_string(), id.to_string())
    } else {
        (format!("{id} ({name})"), format!("{id}（{name}）"))
    }
}

/// A state as shown: "RUNNING" / "RUNNING（运行中）"; "unknown" when missing.
fn shown_state(state: &str) -> (String, String) {
    if state.is_empty() {
        return ("unknown".into(), "未知".into());
    }
    let zh = match state {
        // Lighthouse instances.
        "PENDING" => "创建中",
        "LAUNCH_FAILED" => "创建失败",
        "RUNNING" => "运行中",
        "STOPPED" => "已关机",
        "STARTING" => "开机中",
        "STOPPING" => "关机中",
        "REBOOTING" => "重启中",
        "SHUTDOWN" => "停止待销毁",
        "TERMINATING" => "销毁中",
        "DELETING" => "删除中",
        "FREEZING" => "冻结中",
        "ENTER_RESCUE_MODE" => "进入救援模式中",
        "RESCUE_MODE" => "救援模式",
        "EXIT_RESCUE_MODE" => "退出救援模式中",
        // Lighthouse snapshots and operations.
        "NORMAL" => "正常",
        "CREATING" => "创建中",
        "ROLLBACKING" => "回滚中",
        "OPERATING" => "进行中",
        "SUCCESS" => "成功",
        "FAILED" => "失败",
        // ECS instances, disks, snapshots.
        "Pending" => "准备中",
        "Running" => "运行中",
        "Starting" => "启动中",
        "Stopping" => "停止中",
        "Stopped" => "已停止",
        "In_use" => "使用中",
        "Available" => "待挂载",
        "Attaching" => "挂载中",
        "Detaching" => "卸载中",
        "Creating" => "创建中",
        "ReIniting" => "初始化中",
        "progressing" => "创建中",
        "accomplished" => "已完成",
        "failed" => "失败",
        // Workspace snapshots.
        "creating" => "创建中",
        "create_success" => "创建成功",
        "create_failed" => "创建失败",
        "restoring" => "恢复中",
        "restore_success" => "恢复成功",
        "restore_failed" => "恢复失败",
        _ => "",
    };
    if zh.is_empty() {
        (state.to_string(), state.to_string())
    } else {
        (state.to_string(), format!("{state}（{zh}）"))
    }
}

/// "a, b, c and 2 more" / "a、b、c 等 5 个".
fn id_list(items: &[String]) -> (String, String) {
    let shown: Vec<&str> = items
        .iter()
        .take(NAMED_IDS_MAX)
        .map(String::as_str)
        .collect();
    let rest = items.len().saturating_sub(NAMED_IDS_MAX);
    if rest == 0 {
        (shown.join(", "), shown.join("、"))
    } else {
        (
            format!("{} and {rest} more", shown.join(", ")),
            format!("{} 等 {} 个", shown.join("、"), items.len()),
        )
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Instance,
    Disk,
    Snapshot,
}

fn not_found(rule: &'static str, kind: Kind) -> Check {
    let (en, zh) = match kind {
        Kind::Instance => ("instance", "实例"),
        Kind::Disk => ("disk", "磁盘"),
        Kind::Snapshot => ("snapshot", "快照"),
    };
    Check::fail(
        rule,
        Text::new(
            format!("The {en} was not found in this region"),
            format!("在当前地域未找到该{zh}"),
        ),
        Text::new(
            format!(
                "Check the {en} ID and the region, then refresh; a deleted {en} cannot be used"
            ),
            format!("请核对{zh} ID 和地域后刷新；已删除的{zh}无法使用"),
        ),
    )
}

fn found(rule: &'static str, what: (&str, &str), label: &(String, String)) -> Check {
    Check::pass(
        rule,
        Text::new(
            format!("{} {} was found", what.0, label.0),
            format!("已找到{} {}", what.1, label.1),
        ),
    )
}

fn wait_fix() -> Text {
    Text::new("Wait for it to finish, then refresh", "请等待其完成后刷新")
}

// ====================================================================== Lighthouse

#[derive(Clone, Copy, PartialEq, Eq)]
enum LhOp {
    Rollback,
    Snapshot,
}

fn lh_instance_label(i: &Value) -> (String, String) {
    named(s(i, "InstanceId"), s(i, "InstanceName"))
}

fn lh_snapshot_label(snap: &Value) -> (String, String) {
    named(s(snap, "SnapshotId"), s(snap, "SnapshotName"))
}

fn lh_system_disk(i: &Value) -> &str {
    i.get("SystemDisk")
        .and_then(|d| d.get("DiskId"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn lh_system_disk_size(i: &Value) -> Option<u64> {
    num(i.get("SystemDisk")?, "DiskSize")
}

fn lh_operating(i: &Value) -> bool {
    s(i, "LatestOperationState") == "OPERATING"
}

fn lh_instance_state(i: &Value, op: LhOp) -> Check {
    let rule = rules::INSTANCE_STATE;
    let label = lh_instance_label(i);
    let state = s(i, "InstanceState");
    let (st_en, st_zh) = shown_state(state);
    let (need_en, need_zh) = match op {
        LhOp::Rollback => ("a rollback", "回滚"),
        LhOp::Snapshot => ("a snapshot", "创建快照"),
    };
    match state {
        "STOPPED" => Check::pass(
            rule,
            Text::new(
                format!("Instance {} is {st_en}", label.0),
                format!("实例 {} 处于 {st_zh} 状态", label.1),
            ),
        ),
        "RUNNING" if op == LhOp::Snapshot => Check::pass(
            rule,
            Text::new(
                format!("Instance {} is {st_en}", label.0),
                format!("实例 {} 处于 {st_zh} 状态", label.1),
            ),
        ),
        "RUNNING" => Check::warn(
            rule,
            Text::new(
                format!(
                    "Instance {} is RUNNING. The instance will be forcibly shut down before the rollback",
                    label.0
                ),
                format!(
                    "实例 {} 正在运行（RUNNING）。回滚前实例将被强制关机",
                    label.1
                ),
            ),
            Text::new(
                "Stop the instance first so that it shuts down gracefully, then roll back; or go ahead and accept the forced shutdown",
                "建议先关机，让实例正常关闭后再回滚；也可以直接继续，实例将被强制关机",
            ),
        )
        .with_action((!lh_operating(i)).then(|| FixAction::StopInstance {
            instance_id: s(i, "InstanceId").to_string(),
        })),
        _ => {
            let fix = match state {
                "PENDING" => Text::new(
                    "The instance is still being created: wait until it is RUNNING, then refresh",
                    "实例仍在创建中：请等待其进入 RUNNING 状态后刷新",
                ),
                "STARTING" | "STOPPING" | "REBOOTING" | "ENTER_RESCUE_MODE"
                | "EXIT_RESCUE_MODE" => Text::new(
                    "Wait for the state change to finish, then refresh",
                    "请等待状态变更完成后刷新",
                ),
                "RESCUE_MODE" => Text::new(
                    "Exit rescue mode first, then refresh",
                    "请先退出救援模式，再刷新",
                ),
                "SHUTDOWN" => Text::new(
                    "The instance was shut down after it expired: renew it and start it, then try again",
                    "实例已到期关机：请续费并开机后重试",
                ),
                "FREEZING" => Text::new(
                    "The instance is being frozen (usually for an overdue payment): settle the account, then try again",
                    "实例正在被冻结（通常因欠费）：请结清欠费后重试",
                ),
                "TERMINATING" | "DELETING" => Text::new(
                    "The instance is being deleted and can no longer be used",
                    "实例正在被销毁，已无法使用",
                ),
                "LAUNCH_FAILED" => Text::new(
                    "The instance failed to launch and cannot be used; create a new one",
                    "实例创建失败，无法使用；请重新创建实例",
                ),
                _ => Text::new(
                    "Wait until the instance is STOPPED or RUNNING, then refresh",
                    "请等待实例进入 STOPPED 或 RUNNING 状态后刷新",
                ),
            };
            Check::fail(
                rule,
                Text::new(
                    format!(
                        "Instance {} is {st_en}; {need_en} needs it STOPPED or RUNNING",
                        label.0
                    ),
                    format!(
                        "实例 {} 处于 {st_zh} 状态；{need_zh}要求实例为 STOPPED 或 RUNNING",
                        label.1
                    ),
                ),
                fix,
            )
        }
    }
}

fn lh_instance_operation(i: &Value) -> Check {
    let rule = rules::INSTANCE_OPERATION;
    let label = lh_instance_label(i);
    let op = s(i, "LatestOperation");
    let op = if op.is_empty() { "?" } else { op };
    match s(i, "LatestOperationState") {
        "OPERATING" => Check::fail(
            rule,
            Text::new(
                format!(
                    "The last operation on instance {}, {op}, is still in progress (OPERATING)",
                    label.0
                ),
                format!(
                    "实例 {} 的上一个操作（{op}）仍在进行中（OPERATING）",
                    label.1
                ),
            ),
            wait_fix(),
        ),
        "FAILED" => Check::pass(
            rule,
            Text::new(
                format!(
                    "The last operation on instance {}, {op}, FAILED; nothing is in progress",
                    label.0
                ),
                format!(
                    "实例 {} 的上一个操作（{op}）已失败；当前没有进行中的操作",
                    label.1
                ),
            ),
        ),
        _ => Check::pass(
            rule,
            Text::new(
                format!("No operation is in progress on instance {}", label.0),
                format!("实例 {} 当前没有进行中的操作", label.1),
            ),
        ),
    }
}

fn lh_snapshot_state(snap: &Value) -> Check {
    let rule = rules::SNAPSHOT_STATE;
    let label = lh_snapshot_label(snap);
    let state = s(snap, "SnapshotState");
    let (st_en, st_zh) = shown_state(state);
    match state {
        "NORMAL" => Check::pass(
            rule,
            Text::new(
                format!("Snapshot {} is {st_en}", label.0),
                format!("快照 {} 处于 {st_zh} 状态", label.1),
            ),
        ),
        "CREATING" => {
            let pct = num(snap, "Percent")
                .map(|p| format!(", {p}%"))
                .unwrap_or_default();
            let pct_zh = pct.replace(", ", "，");
            Check::fail(
                rule,
                Text::new(
                    format!(
                        "Snapshot {} is still being created ({st_en}{pct}); only NORMAL snapshots can be applied",
                        label.0
                    ),
                    format!(
                        "快照 {} 仍在创建中（CREATING{pct_zh}）；只有 NORMAL 状态的快照可以回滚",
                        label.1
                    ),
                ),
                Text::new(
                    "Wait until the snapshot is NORMAL, then refresh",
                    "请等待快照变为 NORMAL 后刷新",
                ),
            )
        }
        "ROLLBACKING" => Check::fail(
            rule,
            Text::new(
                format!(
                    "Snapshot {} is {st_en}: a rollback from it is already under way",
                    label.0
                ),
                format!("快照 {} 处于 {st_zh} 状态：正在用它进行另一次回滚", label.1),
            ),
            Text::new(
                "Wait for that rollback to finish (the snapshot returns to NORMAL), then refresh",
                "请等待该回滚完成（快照恢复为 NORMAL）后刷新",
            ),
        ),
        _ => Check::fail(
            rule,
            Text::new(
                format!(
                    "Snapshot {} is {st_en}; only NORMAL snapshots can be applied",
                    label.0
                ),
                format!(
                    "快照 {} 处于 {st_zh} 状态；只有 NORMAL 状态的快照可以回滚",
                    label.1
                ),
            ),
            Text::new(
                "Wait until the snapshot is NORMAL, then refresh",
                "请等待快照变为 NORMAL 后刷新",
            ),
        ),
    }
}

/// Whether the snapshot is of the instance's system disk; `None` when unknown.
fn lh_belongs(i: &Value, snap: &Value) -> (Check, bool) {
    let rule = rules::SNAPSHOT_BELONGS;
    let (il, sl) = (lh_instance_label(i), lh_snapshot_label(snap));
    let (sys, of) = (lh_system_disk(i), s(snap, "DiskId"));
    if sys.is_empty() || of.is_empty() {
        let check = Check::warn(
            rule,
            Text::new(
                format!(
                    "Could not tell whether snapshot {} is of the system disk of instance {} (a disk ID is missing)",
                    sl.0, il.0
                ),
                format!(
                    "无法确认快照 {} 是否属于实例 {} 的系统盘（缺少磁盘 ID）",
                    sl.1, il.1
                ),
            ),
            Text::new(
                "Refresh; only a snapshot of the instance's own system disk can be applied",
                "请刷新；只能使用该实例自身系统盘的快照",
            ),
        );
        return (check, false);
    }
    if sys == of {
        let check = Check::pass(
            rule,
            Text::new(
                format!(
                    "Snapshot {} is of the system disk {sys} of instance {}",
                    sl.0, il.0
                ),
                format!("快照 {} 属于实例 {} 的系统盘 {sys}", sl.1, il.1),
            ),
        );
        return (check, true);
    }
    let check = Check::fail(
        rule,
        Text::new(
            format!(
                "Snapshot {} is of disk {of}, not of the system disk {sys} of instance {}",
                sl.0, il.0
            ),
            format!(
                "快照 {} 属于磁盘 {of}，而不是实例 {} 的系统盘 {sys}",
                sl.1, il.1
            ),
        ),
        Text::new(
            "Pick a snapshot of this instance: a rollback can only restore the instance's own system disk",
            "请选择该实例的快照：回滚只能恢复实例自身的系统盘",
        ),
    );
    (check, false)
}

fn lh_disk_size(i: &Value, snap: &Value) -> Option<Check> {
    let rule = rules::SNAPSHOT_DISK_SIZE;
    let (now, then) = (lh_system_disk_size(i)?, num(snap, "DiskSize")?);
    let sl = lh_snapshot_label(snap);
    Some(if now == then {
        Check::pass(
            rule,
            Text::new(
                format!(
                    "The system disk is {now} GB, the size it had when snapshot {} was taken",
                    sl.0
                ),
                format!("系统盘为 {now} GB，与创建快照 {} 时的大小一致", sl.1),
            ),
        )
    } else {
        Check::fail(
            rule,
            Text::new(
                format!(
                    "The system disk has been resized since snapshot {} was taken ({then} GB then, {now} GB now)",
                    sl.0
                ),
                format!(
                    "创建快照 {} 之后系统盘大小已变更（当时 {then} GB，现在 {now} GB）",
                    sl.1
                ),
            ),
            Text::new(
                "Pick a snapshot taken after the disk was last resized",
                "请选择系统盘最近一次变更大小之后创建的快照",
            ),
        )
    })
}

/// Checks before Lighthouse ApplyInstanceSnapshot (rolling the instance's system disk
/// back to `snapshot`). `instance` is the `InstanceSet[]` item, `snapshot` the
/// `SnapshotSet[]` item; `None` when not found.
pub fn lighthouse_rollback(instance: Option<&Value>, snapshot: Option<&Value>) -> Vec<Check> {
    let mut out = Vec::new();
    match snapshot {
        None => out.push(not_found(rules::SNAPSHOT_EXISTS, Kind::Snapshot)),
        Some(snap) => {
            out.push(found(
                rules::SNAPSHOT_EXISTS,
                ("Snapshot", "快照"),
                &lh_snapshot_label(snap),
            ));
            out.push(lh_snapshot_state(snap));
        }
    }
    match instance {
        None => out.push(not_found(rules::INSTANCE_EXISTS, Kind::Instance)),
        Some(i) => {
            out.push(found(
                rules::INSTANCE_EXISTS,
                ("Instance", "实例"),
                &lh_instance_label(i),
            ));
            out.push(lh_instance_state(i, LhOp::Rollback));
            out.push(lh_instance_operation(i));
        }
    }
    if let (Some(i), Some(snap)) = (instance, snapshot) {
        let (check, belongs) = lh_belongs(i, snap);
        out.push(check);
        if belongs && let Some(c) = lh_disk_size(i, snap) {
            out.push(c);
        }
    }
    out
}

/// Checks before Lighthouse CreateInstanceSnapshot. `snapshots_of_instance` is the
/// `SnapshotSet[]` for the instance (DescribeSnapshots with `instance-id`); rows of
/// another disk are ignored.
pub fn lighthouse_create_snapshot(
    instance: Option<&Value>,
    snapshots_of_instance: &[Value],
) -> Vec<Check> {
    let mut out = Vec::new();
    let label = match instance {
        None => {
            out.push(not_found(rules::INSTANCE_EXISTS, Kind::Instance));
            ("the instance".to_string(), "该实例".to_string())
        }
        Some(i) => {
            let label = lh_instance_label(i);
            out.push(found(rules::INSTANCE_EXISTS, ("Instance", "实例"), &label));
            out.push(lh_instance_state(i, LhOp::Snapshot));
            out.push(lh_instance_operation(i));
            label
        }
    };
    let sys = instance.map(lh_system_disk).unwrap_or("");
    let mine: Vec<&Value> = snapshots_of_instance
        .iter()
        .filter(|snap| sys.is_empty() || s(snap, "DiskId").is_empty() || s(snap, "DiskId") == sys)
        .collect();

    let busy: Vec<&&Value> = mine
        .iter()
        .filter(|snap| matches!(s(snap, "SnapshotState"), "CREATING" | "ROLLBACKING"))
        .collect();
    out.push(match busy.first() {
        None => Check::pass(
            rules::SNAPSHOT_IN_PROGRESS,
            Text::new(
                format!(
                    "No snapshot of instance {} is being created or rolled back",
                    label.0
                ),
                format!("实例 {} 没有正在创建或回滚的快照", label.1),
            ),
        ),
        Some(first) => {
            let items: Vec<String> = busy
                .iter()
                .map(|snap| {
                    let pct = match (s(snap, "SnapshotState"), num(snap, "Percent")) {
                        ("CREATING", Some(p)) => format!(" {p}%"),
                        _ => String::new(),
                    };
                    format!(
                        "{} ({}{pct})",
                        s(snap, "SnapshotId"),
                        s(snap, "SnapshotState")
                    )
                })
                .collect();
            let (list_en, list_zh) = id_list(&items);
            let (one_en, one_zh) = lh_snapshot_label(first);
            let (st_en, st_zh) = shown_state(s(first, "SnapshotState"));
            let (en, zh) = if busy.len() == 1 {
                (
                    format!("Snapshot {one_en} of instance {} is {st_en}", label.0),
                    format!("实例 {} 的快照 {one_zh} 处于 {st_zh} 状态", label.1),
                )
            } else {
                (
                    format!(
                        "{} snapshots of instance {} are in progress: {list_en}",
                        busy.len(),
                        label.0
                    ),
                    format!(
                        "实例 {} 有 {} 个快照正在处理中：{list_zh}",
                        label.1,
                        busy.len()
                    ),
                )
            };
            Check::fail(
                rules::SNAPSHOT_IN_PROGRESS,
                Text::new(
                    format!("{en}; one snapshot operation at a time"),
                    format!("{zh}；同一时间只能进行一个快照操作"),
                ),
                Text::new(
                    "Wait for it to finish (the snapshot becomes NORMAL), then refresh",
                    "请等待其完成（快照变为 NORMAL）后刷新",
                ),
            )
        }
    });

    out.push(snapshot_quota(
        ("Instance", "实例"),
        &label,
        mine.len(),
        LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE,
    ));
    out
}

/// The snapshot quota of one instance (Lighthouse) or disk (ECS): `kind` names the owner
/// in English and Chinese, `label` is its ID and name.
fn snapshot_quota(
    kind: (&str, &str),
    label: &(String, String),
    count: usize,
    quota: usize,
) -> Check {
    let (en, zh) = kind;
    if count < quota {
        Check::pass(
            rules::SNAPSHOT_QUOTA,
            Text::new(
                format!("{en} {} has {count} of {quota} snapshots", label.0),
                format!("{zh} {} 已有 {count} 个快照（上限 {quota} 个）", label.1),
            ),
        )
    } else {
        Check::fail(
            rules::SNAPSHOT_QUOTA,
            Text::new(
                format!(
                    "{en} {} already has {count} snapshots; the quota is {quota} per {}",
                    label.0,
                    en.to_lowercase()
                ),
                format!(
                    "{zh} {} 已有 {count} 个快照，已达到上限（每个{zh} {quota} 个）",
                    label.1
                ),
            ),
            Text::new(
                format!("Delete an old snapshot of this {} first", en.to_lowercase()),
                format!("请先删除该{zh}的旧快照"),
            ),
        )
    }
}

// ====================================================================== ECS

fn ecs_instance_label(i: &Value) -> (String, String) {
    named(s(i, "InstanceId"), s(i, "InstanceName"))
}

fn ecs_disk_label(d: &Value) -> (String, String) {
    named(s(d, "DiskId"), s(d, "DiskName"))
}

fn ecs_snapshot_label(snap: &Value) -> (String, String) {
    named(s(snap, "SnapshotId"), s(snap, "SnapshotName"))
}

/// Lock reasons of a row's `OperationLocks`, in either shape: instances answer
/// `{"LockReason": [{"LockReason": "security"}]}`, disks `{"OperationLock": [{…}]}`.
fn lock_reasons(v: &Value) -> Vec<&str> {
    let Some(locks) = v.get("OperationLocks") else {
        return Vec::new();
    };
    let items: Vec<&Value> = match locks {
        Value::Array(a) => a.iter().collect(),
        Value::Object(m) => m.values().filter_map(Value::as_array).flatten().collect(),
        _ => Vec::new(),
    };
    items
        .iter()
        .filter_map(|l| match l {
            Value::String(x) => Some(x.as_str()),
            other => other.get("LockReason").and_then(Value::as_str),
        })
        .collect()
}

fn security_locked(v: &Value) -> bool {
    lock_reasons(v)
        .iter()
        .any(|r| r.eq_ignore_ascii_case("security"))
}

/// "YYYY-MM-DDTHH:MM" of a timestamp field (Alibaba writes both `…T00:00Z` and
/// `…T00:00:00Z`), so the two spellings compare lexicographically.
fn minute(v: &Value, key: &str) -> Option<String> {
    let t = s(v, key);
    (t.len() >= 10).then(|| t.chars().take(16).collect())
}

/// The instance cannot be operated on because it expired or the account is in arrears.
enum Expiry {
    /// A `financial` operation lock.
    Locked,
    /// Its `ExpiredTime` (the date) is earlier than a timestamp seen in the rows, so it
    /// has passed (no clock is read: the newest creation time seen is a lower bound of
    /// "now").
    Passed(String),
    No,
}

fn ecs_expiry(i: &Value, rows: &[&Value]) -> Expiry {
    if lock_reasons(i)
        .iter()
        .any(|r| r.eq_ignore_ascii_case("financial"))
    {
        return Expiry::Locked;
    }
    let Some(expires) = minute(i, "ExpiredTime") else {
        return Expiry::No;
    };
    let newest = rows
        .iter()
        .chain(std::iter::once(&i))
        .filter_map(|r| minute(r, "CreationTime"))
        .max();
    match newest {
        Some(seen) if expires < seen => Expiry::Passed(expires.chars().take(10).collect()),
        _ => Expiry::No,
    }
}

fn ecs_expired_check(i: &Value, rows: &[&Value], blocks: bool) -> Check {
    let rule = rules::INSTANCE_EXPIRED;
    let label = ecs_instance_label(i);
    let fix = Text::new(
        "Renew the instance or top up the account in the Alibaba Cloud console, then refresh",
        "请在阿里云控制台为实例续费或为账号充值后刷新",
    );
    let (en, zh) = match ecs_expiry(i, rows) {
        Expiry::No => {
            return Check::pass(
                rule,
                Text::new(
                    format!("Instance {} is neither expired nor in arrears", label.0),
                    format!("实例 {} 未到期，也未欠费", label.1),
                ),
            );
        }
        Expiry::Locked => {
            return Check::fail(
                rule,
                Text::new(
                    format!(
                        "Instance {} is locked for an expired subscription or overdue payment (OperationLocks: financial)",
                        label.0
                    ),
                    format!(
                        "实例 {} 因到期或欠费被锁定（OperationLocks：financial）",
                        label.1
                    ),
                ),
                fix,
            );
        }
        Expiry::Passed(date) => (
            format!("Instance {} expired on {date}", label.0),
            format!("实例 {} 已于 {date} 到期", label.1),
        ),
    };
    if blocks {
        Check::fail(
            rule,
            Text::new(
                format!("{en}; an expired instance cannot take a snapshot"),
                format!("{zh}；已到期的实例无法创建快照"),
            ),
            fix,
        )
    } else {
        Check::warn(
            rule,
            Text::new(
                format!(
                    "{en}; Alibaba Cloud may refuse the operation (InstanceExpiredOrInArrears)"
                ),
                format!("{zh}；阿里云可能拒绝该操作（InstanceExpiredOrInArrears）"),
            ),
            fix,
        )
    }
}

fn ecs_lock_check(instance: Option<&Value>, disk: Option<&Value>) -> Option<Check> {
    let rule = rules::INSTANCE_SECURITY_LOCK;
    let fix = Text::new(
        "A security lock cannot be lifted from here: resolve the security issue in the Alibaba Cloud console (Security Center) or contact Alibaba Cloud support",
        "安全锁定无法在此解除：请在阿里云控制台（云安全中心）处理安全问题，或联系阿里云技术支持",
    );
    if let Some(i) = instance
        && security_locked(i)
    {
        let l = ecs_instance_label(i);
        return Some(Check::fail(
            rule,
            Text::new(
                format!(
                    "Instance {} is locked for security (OperationLocks: security) and cannot be operated on",
                    l.0
                ),
                format!(
                    "实例 {} 已被安全锁定（OperationLocks：security），无法操作",
                    l.1
                ),
            ),
            fix,
        ));
    }
    if let Some(d) = disk
        && security_locked(d)
    {
        let l = ecs_disk_label(d);
        return Some(Check::fail(
            rule,
            Text::new(
                format!(
                    "Disk {} is locked for security (OperationLocks: security) and cannot be operated on",
                    l.0
                ),
                format!(
                    "磁盘 {} 已被安全锁定（OperationLocks：security），无法操作",
                    l.1
                ),
            ),
            fix,
        ));
    }
    let (en, zh) = match (instance, disk) {
        (Some(i), _) => {
            let l = ecs_instance_label(i);
            (
                format!("Instance {} has no security lock", l.0),
                format!("实例 {} 未被安全锁定", l.1),
            )
        }
        (None, Some(d)) => {
            let l = ecs_disk_label(d);
            (
                format!("Disk {} has no security lock", l.0),
                format!("磁盘 {} 未被安全锁定", l.1),
            )
        }
        (None, None) => return None,
    };
    Some(Check::pass(rule, Text::new(en, zh)))
}

/// The instance a disk is attached to: `Some(id)` when attached.
fn ecs_attached_to(disk: &Value) -> Option<&str> {
    Some(s(disk, "InstanceId")).filter(|i| !i.is_empty())
}

/// The instance row that matters for `disk`: the one it is attached to.
fn ecs_instance_for<'a>(disk: Option<&Value>, instance: Option<&'a Value>) -> Option<&'a Value> {
    match disk {
        None => instance,
        Some(d) => {
            let iid = ecs_attached_to(d)?;
            instance.filter(|i| s(i, "InstanceId") == iid)
        }
    }
}

fn ecs_instance_missing(disk: &Value, iid: &str) -> Check {
    let dl = ecs_disk_label(disk);
    Check::fail(
        rules::INSTANCE_EXISTS,
        Text::new(
            format!(
                "Instance {iid}, which disk {} is attached to, was not found in this region",
                dl.0
            ),
            format!("在当前地域未找到磁盘 {} 所挂载的实例 {iid}", dl.1),
        ),
        Text::new(
            "Refresh; if the instance was just released, the disk's attachment will change",
            "请刷新；如果实例刚被释放，磁盘的挂载信息会随之更新",
        ),
    )
}

fn ecs_stop_action(i: &Value) -> Option<FixAction> {
    (s(i, "Status") == "Running" && !security_locked(i)).then(|| FixAction::StopInstance {
        instance_id: s(i, "InstanceId").to_string(),
    })
}

fn ecs_disk_status(d: &Value) -> Check {
    let rule = rules::DISK_STATUS;
    let l = ecs_disk_label(d);
    let status = s(d, "Status");
    let (st_en, st_zh) = shown_state(status);
    if matches!(status, "In_use" | "Available") {
        return Check::pass(
            rule,
            Text::new(
                format!("Disk {} is {st_en}", l.0),
                format!("磁盘 {} 处于 {st_zh} 状态", l.1),
            ),
        );
    }
    Check::fail(
        rule,
        Text::new(
            format!(
                "Disk {} is {st_en}; resetting it needs In_use or Available",
                l.0
            ),
            format!(
                "磁盘 {} 处于 {st_zh} 状态；重置磁盘要求其为 In_use 或 Available",
                l.1
            ),
        ),
        Text::new(
            "Wait until the disk is In_use or Available, then refresh",
            "请等待磁盘变为 In_use 或 Available 后刷新",
        ),
    )
}

fn ecs_snapshot_state(snap: &Value) -> Check {
    let rule = rules::SNAPSHOT_STATE;
    let l = ecs_snapshot_label(snap);
    let status = s(snap, "Status");
    let (st_en, st_zh) = shown_state(status);
    match status {
        "accomplished" => Check::pass(
            rule,
            Text::new(
                format!("Snapshot {} is {st_en}", l.0),
                format!("快照 {} 处于 {st_zh} 状态", l.1),
            ),
        ),
        "progressing" => {
            let p = num(snap, "Progress")
                .map(|p| format!(", {p}%"))
                .unwrap_or_default();
            Check::fail(
                rule,
                Text::new(
                    format!(
                        "Snapshot {} is still being created (progressing{p}) and cannot be used yet",
                        l.0
                    ),
                    format!(
                        "快照 {} 仍在创建中（progressing{}），暂不能使用",
                        l.1,
                        p.replace(", ", "，")
                    ),
                ),
                Text::new(
                    "Wait until the snapshot is accomplished, then refresh",
                    "请等待快照变为 accomplished 后刷新",
                ),
            )
        }
        "failed" => Check::fail(
            rule,
            Text::new(
                format!("Snapshot {} failed and cannot be used to reset a disk", l.0),
                format!("快照 {} 创建失败（failed），不能用于重置磁盘", l.1),
            ),
            Text::new(
                "Pick another snapshot of this disk",
                "请选择该磁盘的其他快照",
            ),
        ),
        _ => Check::fail(
            rule,
            Text::new(
                format!(
                    "Snapshot {} is {st_en}; only accomplished snapshots can be used",
                    l.0
                ),
                format!(
                    "快照 {} 处于 {st_zh} 状态；只有 accomplished 状态的快照可以使用",
                    l.1
                ),
            ),
            Text::new(
                "Wait until the snapshot is accomplished, then refresh",
                "请等待快照变为 accomplished 后刷新",
            ),
        ),
    }
}

fn ecs_belongs(disk: &Value, snap: &Value) -> Check {
    let rule = rules::SNAPSHOT_BELONGS;
    let (dl, sl) = (ecs_disk_label(disk), ecs_snapshot_label(snap));
    let (did, src) = (s(disk, "DiskId"), s(snap, "SourceDiskId"));
    if !did.is_empty() && did == src {
        return Check::pass(
            rule,
            Text::new(
                format!("Snapshot {} was created from disk {}", sl.0, dl.0),
                format!("快照 {} 创建自磁盘 {}", sl.1, dl.1),
            ),
        );
    }
    let (src_en, src_zh) = if src.is_empty() {
        ("an unknown disk".to_string(), "未知磁盘".to_string())
    } else {
        (format!("disk {src}"), format!("磁盘 {src}"))
    };
    Check::fail(
        rule,
        Text::new(
            format!(
                "Snapshot {} was created from {src_en}, not from disk {}",
                sl.0, dl.0
            ),
            format!("快照 {} 创建自{src_zh}，而不是磁盘 {}", sl.1, dl.1),
        ),
        Text::new(
            "Pick a snapshot of this disk: a disk can only be reset from its own snapshots",
            "请选择该磁盘的快照：磁盘只能用其自身的快照重置",
        ),
    )
}

fn ecs_too_old(snap: &Value) -> Check {
    let rule = rules::SNAPSHOT_TOO_OLD;
    let l = ecs_snapshot_label(snap);
    let created = s(snap, "CreationTime");
    if created.len() < 10 {
        return Check::warn(
            rule,
            Text::new(
                format!(
                    "The creation time of snapshot {} is unknown; snapshots from before {ECS_SNAPSHOT_CUTOFF_DATE} cannot be used",
                    l.0
                ),
                format!(
                    "快照 {} 的创建时间未知；{ECS_SNAPSHOT_CUTOFF_DATE} 之前创建的快照无法使用",
                    l.1
                ),
            ),
            Text::new("Refresh the snapshot list", "请刷新快照列表"),
        );
    }
    let date: String = created.chars().take(10).collect();
    if date.as_str() >= ECS_SNAPSHOT_CUTOFF_DATE {
        Check::pass(
            rule,
            Text::new(
                format!("Snapshot {} was created on {date}", l.0),
                format!("快照 {} 创建于 {date}", l.1),
            ),
        )
    } else {
        Check::fail(
            rule,
            Text::new(
                format!(
                    "Snapshot {} was created on {date}, before {ECS_SNAPSHOT_CUTOFF_DATE}; such old snapshots cannot be used to reset a disk",
                    l.0
                ),
                format!(
                    "快照 {} 创建于 {date}，早于 {ECS_SNAPSHOT_CUTOFF_DATE}；这么早的快照不能用于重置磁盘",
                    l.1
                ),
            ),
            Text::new(
                format!("Pick a snapshot created on or after {ECS_SNAPSHOT_CUTOFF_DATE}"),
                format!("请选择 {ECS_SNAPSHOT_CUTOFF_DATE} 及之后创建的快照"),
            ),
        )
    }
}

/// Checks before ECS ResetDisk (`disk` back to `snapshot`). `instance` is the instance
/// the disk is attached to (`None` when the disk is unattached or the instance was not
/// found; a row of another instance is ignored).
pub fn ecs_reset_disk(
    disk: Option<&Value>,
    snapshot: Option<&Value>,
    instance: Option<&Value>,
) -> Vec<Check> {
    let mut out = Vec::new();
    let inst = ecs_instance_for(disk, instance);
    match disk {
        None => out.push(not_found(rules::DISK_EXISTS, Kind::Disk)),
        Some(d) => {
            out.push(found(
                rules::DISK_EXISTS,
                ("Disk", "磁盘"),
                &ecs_disk_label(d),
            ));
            out.push(ecs_disk_status(d));
            match (ecs_attached_to(d), inst) {
                (None, _) => {
                    let l = ecs_disk_label(d);
                    out.push(Check::pass(
                        rules::INSTANCE_STATE,
                        Text::new(
                            format!(
                                "Disk {} is not attached to an instance, so no instance needs to be stopped",
                                l.0
                            ),
                            format!("磁盘 {} 未挂载到实例，无需停止实例", l.1),
                        ),
                    ));
                }
                (Some(iid), None) => out.push(ecs_instance_missing(d, iid)),
                (Some(_), Some(_)) => {}
            }
        }
    }
    if let Some(i) = inst {
        let l = ecs_instance_label(i);
        let status = s(i, "Status");
        let (st_en, st_zh) = shown_state(status);
        let message = Text::new(
            format!("Instance {} is {st_en}", l.0),
            format!("实例 {} 处于 {st_zh} 状态", l.1),
        );
        out.push(match status {
            "Stopped" => Check::pass(rules::INSTANCE_STATE, message),
            _ => {
                let fix = match status {
                    "Running" => Text::new(
                        "Stop the instance first, then reset the disk",
                        "请先停止实例，再重置磁盘",
                    ),
                    "Stopping" => Text::new(
                        "Wait until the instance has stopped, then refresh",
                        "请等待实例停止后刷新",
                    ),
                    _ => Text::new(
                        "Wait until the instance is Running, stop it, then refresh",
                        "请等待实例进入 Running 状态，停止实例后刷新",
                    ),
                };
                Check::fail(
                    rules::INSTANCE_STATE,
                    Text::new(
                        format!("{}; resetting its disk needs it Stopped", message.en),
                        format!("{}；重置磁盘要求实例处于 Stopped 状态", message.zh),
                    ),
                    fix,
                )
                .with_action(ecs_stop_action(i))
            }
        });
    }
    out.extend(ecs_lock_check(inst, disk));
    if let Some(i) = inst {
        let rows: Vec<&Value> = disk.into_iter().chain(snapshot).collect();
        out.push(ecs_expired_check(i, &rows, false));
    }
    match snapshot {
        None => out.push(not_found(rules::SNAPSHOT_EXISTS, Kind::Snapshot)),
        Some(snap) => {
            out.push(found(
                rules::SNAPSHOT_EXISTS,
                ("Snapshot", "快照"),
                &ecs_snapshot_label(snap),
            ));
            out.push(ecs_snapshot_state(snap));
            if let Some(d) = disk {
                out.push(ecs_belongs(d, snap));
            }
            out.push(ecs_too_old(snap));
        }
    }
    out
}

/// Checks before ECS CreateSnapshot of `disk`. `instance` is the instance it is attached
/// to; `snapshots_of_disk` the `Snapshots.Snapshot[]` for the disk (DescribeSnapshots
/// with `DiskId`); rows of other disks are ignored.
pub fn ecs_create_snapshot(
    disk: Option<&Value>,
    instance: Option<&Value>,
    snapshots_of_disk: &[Value],
) -> Vec<Check> {
    let mut out = Vec::new();
    let inst = ecs_instance_for(disk, instance);
    let label = match disk {
        None => {
            out.push(not_found(rules::DISK_EXISTS, Kind::Disk));
            ("the disk".to_string(), "该磁盘".to_string())
        }
        Some(d) => {
            let l = ecs_disk_label(d);
            out.push(found(rules::DISK_EXISTS, ("Disk", "磁盘"), &l));
            match ecs_attached_to(d) {
                None => out.push(Check::fail(
                    rules::DISK_ATTACHED,
                    Text::new(
                        format!(
                            "Disk {} is not attached to an instance; only an attached disk can take a snapshot",
                            l.0
                        ),
                        format!("磁盘 {} 未挂载到实例；只有已挂载的磁盘可以创建快照", l.1),
                    ),
                    Text::new(
                        "Attach the disk to an instance first",
                        "请先将磁盘挂载到实例",
                    ),
                )),
                Some(iid) => {
                    out.push(Check::pass(
                        rules::DISK_ATTACHED,
                        Text::new(
                            format!("Disk {} is attached to instance {iid}", l.0),
                            format!("磁盘 {} 已挂载到实例 {iid}", l.1),
                        ),
                    ));
                    if inst.is_none() {
                        out.push(ecs_instance_missing(d, iid));
                    }
                }
            }
            l
        }
    };
    if let Some(i) = inst {
        let l = ecs_instance_label(i);
        let status = s(i, "Status");
        let (st_en, st_zh) = shown_state(status);
        out.push(if matches!(status, "Running" | "Stopped") {
            Check::pass(
                rules::INSTANCE_STATE,
                Text::new(
                    format!("Instance {} is {st_en}", l.0),
                    format!("实例 {} 处于 {st_zh} 状态", l.1),
                ),
            )
        } else {
            Check::fail(
                rules::INSTANCE_STATE,
                Text::new(
                    format!(
                        "Instance {} is {st_en}; a snapshot needs it Running or Stopped",
                        l.0
                    ),
                    format!(
                        "实例 {} 处于 {st_zh} 状态；创建快照要求实例为 Running 或 Stopped",
                        l.1
                    ),
                ),
                Text::new(
                    "Wait until the instance is Running or Stopped, then refresh",
                    "请等待实例进入 Running 或 Stopped 状态后刷新",
                ),
            )
        });
    }
    out.extend(ecs_lock_check(inst, disk));
    let did = disk.map(|d| s(d, "DiskId")).unwrap_or("");
    let mine: Vec<&Value> = snapshots_of_disk
        .iter()
        .filter(|snap| did.is_empty() || s(snap, "SourceDiskId") == did)
        .collect();
    if let Some(i) = inst {
        let rows: Vec<&Value> = disk.into_iter().chain(mine.iter().copied()).collect();
        out.push(ecs_expired_check(i, &rows, true));
    }

    let busy: Vec<&&Value> = mine
        .iter()
        .filter(|snap| s(snap, "Status") == "progressing")
        .collect();
    out.push(if busy.is_empty() {
        Check::pass(
            rules::SNAPSHOT_IN_PROGRESS,
            Text::new(
                format!("No snapshot of disk {} is being created", label.0),
                format!("磁盘 {} 没有正在创建的快照", label.1),
            ),
        )
    } else {
        let items: Vec<String> = busy
            .iter()
            .map(|snap| match num(snap, "Progress") {
                Some(p) => format!("{} ({p}%)", s(snap, "SnapshotId")),
                None => s(snap, "SnapshotId").to_string(),
            })
            .collect();
        let (list_en, list_zh) = id_list(&items);
        Check::fail(
            rules::SNAPSHOT_IN_PROGRESS,
            Text::new(
                format!(
                    "A snapshot of disk {} is still being created: {list_en}; one snapshot of a disk at a time",
                    label.0
                ),
                format!(
                    "磁盘 {} 有快照仍在创建中：{list_zh}；同一磁盘同一时间只能创建一个快照",
                    label.1
                ),
            ),
            Text::new(
                "Wait until it is accomplished, then refresh",
                "请等待其变为 accomplished 后刷新",
            ),
        )
    });

    out.push(snapshot_quota(
        ("Disk", "磁盘"),
        &label,
        mine.len(),
        ECS_SNAPSHOTS_PER_DISK,
    ));
    out
}

// ====================================================================== Workspace

/// Snapshot statuses BatchRestoreDesktopSnapshot accepts.
fn ws_restorable(status: &str) -> bool {
    matches!(
        status,
        "create_success" | "restore_success" | "restore_failed"
    )
}

fn ws_desktop(snap: &Value) -> String {
    match (s(snap, "desktop_name"), s(snap, "desktop_id")) {
        ("", id) => id.to_string(),
        (name, _) => name.to_string(),
    }
}

/// "3 snapshots" / "1 snapshot".
fn snapshots_en(n: usize) -> String {
    if n == 1 {
        "1 snapshot".into()
    } else {
        format!("{n} snapshots")
    }
}

/// Checks before Workspace BatchRestoreDesktopSnapshot of `requested` (snapshot IDs).
/// `snapshots` is the `desktop_snapshots[]` list (ListDesktopSnapshot) holding at least
/// the requested snapshots and, to spot desktops already being restored, the other
/// snapshots of their desktops. One line per rule, summarising the batch; failures name
/// the offending IDs (the first [`NAMED_IDS_MAX`], then a count).
pub fn workspace_restore(requested: &[String], snapshots: &[Value]) -> Vec<Check> {
    let mut out = Vec::new();
    let n = requested.len();
    out.push(if n == 0 {
        Check::fail(
            rules::BATCH_SIZE,
            Text::new("No snapshot is selected", "未选择任何快照"),
            Text::new(
                format!("Select 1 to {WORKSPACE_BATCH_MAX} snapshots"),
                format!("请选择 1 到 {WORKSPACE_BATCH_MAX} 个快照"),
            ),
        )
    } else if n > WORKSPACE_BATCH_MAX {
        Check::fail(
            rules::BATCH_SIZE,
            Text::new(
                format!(
                    "{n} snapshots are selected; one batch restores at most {WORKSPACE_BATCH_MAX}"
                ),
                format!("已选择 {n} 个快照；每批最多恢复 {WORKSPACE_BATCH_MAX} 个"),
            ),
            Text::new(
                format!("Restore them in batches of {WORKSPACE_BATCH_MAX} or fewer"),
                format!("请分批恢复，每批不超过 {WORKSPACE_BATCH_MAX} 个"),
            ),
        )
    } else {
        Check::pass(
            rules::BATCH_SIZE,
            Text::new(
                format!(
                    "{} selected (at most {WORKSPACE_BATCH_MAX} per batch)",
                    snapshots_en(n)
                ),
                format!("已选择 {n} 个快照（每批最多 {WORKSPACE_BATCH_MAX} 个）"),
            ),
        )
    });
    if n == 0 {
        return out;
    }

    // Each ID once, in the order given.
    let mut unique: Vec<&str> = Vec::new();
    let mut repeated: Vec<String> = Vec::new();
    for id in requested {
        if unique.contains(&id.as_str()) {
            if !repeated.contains(id) {
                repeated.push(id.clone());
            }
        } else {
            unique.push(id);
        }
    }
    let find = |id: &str| snapshots.iter().find(|x| s(x, "snapshot_id") == id);
    let missing: Vec<String> = unique
        .iter()
        .filter(|id| find(id).is_none())
        .map(|id| id.to_string())
        .collect();
    let rows: Vec<&Value> = unique.iter().filter_map(|id| find(id)).collect();

    // snapshot.exists
    let u = unique.len();
    out.push(if missing.is_empty() {
        Check::pass(
            rules::SNAPSHOT_EXISTS,
            Text::new(
                if u == 1 {
                    format!("Snapshot {} was found", unique[0])
                } else {
                    format!("All {u} selected snapshots were found")
                },
                if u == 1 {
                    format!("已找到快照 {}", unique[0])
                } else {
                    format!("已找到全部 {u} 个所选快照")
                },
            ),
        )
    } else {
        let (list_en, list_zh) = id_list(&missing);
        Check::fail(
            rules::SNAPSHOT_EXISTS,
            Text::new(
                format!(
                    "{} of {u} selected snapshots were not found: {list_en}",
                    missing.len()
                ),
                format!("所选 {u} 个快照中有 {} 个未找到：{list_zh}", missing.len()),
            ),
            Text::new(
                "Refresh the list and remove the missing snapshots from the selection; a deleted snapshot cannot be restored",
                "请刷新列表并从选择中移除未找到的快照；已删除的快照无法恢复",
            ),
        )
    });
    if rows.is_empty() {
        return out;
    }

    // snapshot.state
    let not_ready: Vec<&Value> = rows
        .iter()
        .copied()
        .filter(|r| !ws_restorable(s(r, "status")))
        .collect();
    let r = rows.len();
    out.push(if not_ready.is_empty() {
        Check::pass(
            rules::SNAPSHOT_STATE,
            Text::new(
                if r == 1 {
                    format!(
                        "Snapshot {} is {} and can be restored",
                        s(rows[0], "snapshot_id"),
                        s(rows[0], "status")
                    )
                } else {
                    format!("All {r} snapshots are ready to restore")
                },
                if r == 1 {
                    format!(
                        "快照 {} 处于 {} 状态，可以恢复",
                        s(rows[0], "snapshot_id"),
                        shown_state(s(rows[0], "status")).1
                    )
                } else {
                    format!("全部 {r} 个快照均可恢复")
                },
            ),
        )
    } else {
        let items_en: Vec<String> = not_ready
            .iter()
            .map(|x| format!("{} ({})", s(x, "snapshot_id"), shown_state(s(x, "status")).0))
            .collect();
        let items_zh: Vec<String> = not_ready
            .iter()
            .map(|x| format!("{}（{}）", s(x, "snapshot_id"), zh_gloss(s(x, "status"))))
            .collect();
        let (list_en, list_zh) = (id_list(&items_en).0, id_list(&items_zh).1);
        let has = |st: &str| not_ready.iter().any(|x| s(x, "status") == st);
        let mut fix_en: Vec<&str> = Vec::new();
        let mut fix_zh: Vec<&str> = Vec::new();
        if has("creating") {
            fix_en.push("wait for snapshots being created to finish, then refresh");
            fix_zh.push("请等待创建中的快照完成后刷新");
        }
        if has("restoring") {
            fix_en.push("wait for the running restore to finish, then refresh");
            fix_zh.push("请等待正在进行的恢复完成后刷新");
        }
        if not_ready
            .iter()
            .any(|x| !matches!(s(x, "status"), "creating" | "restoring"))
        {
            fix_en.push("replace snapshots that failed to be created with another snapshot of the same desktop");
            fix_zh.push("请将创建失败的快照换成同一桌面的其他快照");
        }
        let mut fix_en = fix_en.join("; ");
        if let Some(first) = fix_en.get(..1) {
            fix_en = first.to_ascii_uppercase() + &fix_en[1..];
        }
        Check::fail(
            rules::SNAPSHOT_STATE,
            Text::new(
                format!(
                    "{} of {r} snapshots are ready; not ready: {list_en}",
                    r - not_ready.len()
                ),
                format!(
                    "{r} 个快照中有 {} 个可以恢复；不可恢复：{list_zh}",
                    r - not_ready.len()
                ),
            ),
            Text::new(fix_en, fix_zh.join("；")),
        )
    });

    // desktop.busy: another snapshot of the same desktop is being restored.
    let mut busy: Vec<(String, String)> = Vec::new(); // (desktop, restoring snapshot)
    for row in &rows {
        let desk = s(row, "desktop_id");
        if desk.is_empty() {
            continue;
        }
        let other = snapshots.iter().find(|o| {
            s(o, "desktop_id") == desk
                && s(o, "status") == "restoring"
                && s(o, "snapshot_id") != s(row, "snapshot_id")
        });
        if let Some(o) = other
            && !busy.iter().any(|(d, _)| d == &ws_desktop(row))
        {
            busy.push((ws_desktop(row), s(o, "snapshot_id").to_string()));
        }
    }
    let desktops: Vec<&str> = {
        let mut d: Vec<&str> = Vec::new();
        for row in &rows {
            let id = s(row, "desktop_id");
            if !d.contains(&id) {
                d.push(id);
            }
        }
        d
    };
    out.push(if busy.is_empty() {
        Check::pass(
            rules::DESKTOP_BUSY,
            Text::new(
                if desktops.len() == 1 {
                    format!("Desktop {} is not being restored", ws_desktop(rows[0]))
                } else {
                    format!("None of the {} desktops is being restored", desktops.len())
                },
                if desktops.len() == 1 {
                    format!("桌面 {} 当前没有正在进行的恢复", ws_desktop(rows[0]))
                } else {
                    format!("{} 个桌面均没有正在进行的恢复", desktops.len())
                },
            ),
        )
    } else {
        let items_en: Vec<String> = busy
            .iter()
            .map(|(d, snap)| format!("{d} (snapshot {snap} is restoring)"))
            .collect();
        let items_zh: Vec<String> = busy
            .iter()
            .map(|(d, snap)| format!("{d}（快照 {snap} 恢复中）"))
            .collect();
        Check::fail(
            rules::DESKTOP_BUSY,
            Text::new(
                format!(
                    "A restore is already running on {}: {}",
                    if busy.len() == 1 {
                        "1 desktop".to_string()
                    } else {
                        format!("{} desktops", busy.len())
                    },
                    id_list(&items_en).0
                ),
                format!(
                    "{} 个桌面已有正在进行的恢复：{}",
                    busy.len(),
                    id_list(&items_zh).1
                ),
            ),
            Text::new(
                "Wait for the running restore to finish, then refresh; or leave these desktops out of this batch",
                "请等待正在进行的恢复完成后刷新，或将这些桌面移出本批次",
            ),
        )
    });

    // snapshot.duplicate: each ID once, one snapshot per desktop.
    let mut doubled: Vec<(String, Vec<String>)> = Vec::new(); // (desktop, snapshot IDs)
    for id in &desktops {
        if id.is_empty() {
            continue;
        }
        let of: Vec<&&Value> = rows.iter().filter(|r| s(r, "desktop_id") == *id).collect();
        if of.len() > 1 {
            doubled.push((
                ws_desktop(of[0]),
                of.iter().map(|r| s(r, "snapshot_id").to_string()).collect(),
            ));
        }
    }
    out.push(if repeated.is_empty() && doubled.is_empty() {
        Check::pass(
            rules::SNAPSHOT_DUPLICATE,
            Text::new(
                if desktops.len() == 1 {
                    "One snapshot of one desktop is selected".to_string()
                } else {
                    format!("One snapshot per desktop, {} desktops", desktops.len())
                },
                if desktops.len() == 1 {
                    "已选择 1 个桌面的 1 个快照".to_string()
                } else {
                    format!("{} 个桌面，每个桌面 1 个快照", desktops.len())
                },
            ),
        )
    } else {
        let mut en: Vec<String> = Vec::new();
        let mut zh: Vec<String> = Vec::new();
        if !repeated.is_empty() {
            let (l_en, l_zh) = id_list(&repeated);
            en.push(format!("selected more than once: {l_en}"));
            zh.push(format!("重复选择的快照：{l_zh}"));
        }
        if !doubled.is_empty() {
            let items_en: Vec<String> = doubled
                .iter()
                .map(|(d, ids)| format!("{d} ({})", ids.join(", ")))
                .collect();
            let items_zh: Vec<String> = doubled
                .iter()
                .map(|(d, ids)| format!("{d}（{}）", ids.join("、")))
                .collect();
            en.push(format!(
                "several snapshots of the same desktop: {}",
                id_list(&items_en).0
            ));
            zh.push(format!("同一桌面选择了多个快照：{}", id_list(&items_zh).1));
        }
        let mut en = en.join("; ");
        if let Some(first) = en.get(..1) {
            en = first.to_ascii_uppercase() + &en[1..];
        }
        Check::fail(
            rules::SNAPSHOT_DUPLICATE,
            Text::new(
                format!("{en}; a batch restores one snapshot per desktop"),
                format!("{}；每批每个桌面只能恢复一个快照", zh.join("；")),
            ),
            Text::new(
                "Keep one snapshot per desktop (usually the newest) and restore the others in a later batch",
                "每个桌面只保留一个快照（通常是最新的），其余的放到后续批次恢复",
            ),
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn id_lists_are_capped() {
        let ids: Vec<String> = (0..8).map(|i| format!("s{i}")).collect();
        let (en, zh) = id_list(&ids);
        assert_eq!(en, "s0, s1, s2, s3, s4 and 3 more");
        assert_eq!(zh, "s0、s1、s2、s3、s4 等 8 个");
        assert_eq!(id_list(&ids[..2]).0, "s0, s1");
    }

    #[test]
    fn lock_reasons_read_both_shapes() {
        let inst = json!({"OperationLocks": {"LockReason": [{"LockReason": "security"}]}});
        let disk = json!({"OperationLocks": {"OperationLock": [{"LockReason": "financial"}]}});
        assert_eq!(lock_reasons(&inst), ["security"]);
        assert_eq!(lock_reasons(&disk), ["financial"]);
        assert!(lock_reasons(&json!({})).is_empty());
    }

    #[test]
    fn rule_keys_are_unique() {
        for (i, a) in rules::ALL.iter().enumerate() {
            assert!(!rules::ALL[i + 1..].contains(a), "{a}");
        }
    }
}
