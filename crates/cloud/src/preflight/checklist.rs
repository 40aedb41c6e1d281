//! The checklist model shared by every provider: the rule keys, the documented limits,
//! [`Check`] and its [`Status`], and the helpers and checks (the snapshot quota) that
//! the Lighthouse, ECS and Workspace checklists share. A leaf: nothing else in `preflight`.

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
    pub(super) fn new(
        rule: &'static str,
        status: Status,
        message: Text,
        fix: Option<Text>,
    ) -> Check {
        Check {
            rule,
            status,
            message: tidy(message),
            fix: fix.map(tidy),
            action: None,
        }
    }

    pub(super) fn pass(rule: &'static str, message: Text) -> Check {
        Check::new(rule, Status::Pass, message, None)
    }

    pub(super) fn warn(rule: &'static str, message: Text, fix: Text) -> Check {
        Check::new(rule, Status::Warn, message, Some(fix))
    }

    pub(super) fn fail(rule: &'static str, message: Text, fix: Text) -> Check {
        Check::new(rule, Status::Fail, message, Some(fix))
    }

    pub(super) fn with_action(mut self, action: Option<FixAction>) -> Check {
        self.action = action;
        self
    }
}

/// True iff some check failed; warnings never block.
pub fn blocked(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.status == Status::Fail)
}

/// Chinese needs no space after a full-width bracket: "实例 lhins-x（wiki）处于…".
fn tidy(mut t: Text) -> Text {
    t.zh = t.zh.replace("） ", "）");
    t
}

/// The Chinese name of a state ("创建中"), or the state itself when it has none.
pub(super) fn zh_gloss(state: &str) -> String {
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
pub(super) fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A number field, whether the provider sends it as a number or a numeric string.
pub(super) fn num(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(x) => x.trim().trim_end_matches('%').parse().ok(),
        _ => None,
    }
}

/// "lhins-k31c771o (blog-prod)" / "lhins-k31c771o（blog-prod）".
pub(super) fn named(id: &str, name: &str) -> (String, String) {
    let id = if id.is_empty() { "?" } else { id };
    if name.is_empty() || name == id {
        (id.to_string(), id.to_string())
    } else {
        (format!("{id} ({name})"), format!("{id}（{name}）"))
    }
}

/// A state as shown: "RUNNING" / "RUNNING（运行中）"; "unknown" when missing.
pub(super) fn shown_state(state: &str) -> (String, String) {
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
pub(super) fn id_list(items: &[String]) -> (String, String) {
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
pub(super) enum Kind {
    Instance,
    Disk,
    Snapshot,
}

pub(super) fn not_found(rule: &'static str, kind: Kind) -> Check {
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

pub(super) fn found(rule: &'static str, what: (&str, &str), label: &(String, String)) -> Check {
    Check::pass(
        rule,
        Text::new(
            format!("{} {} was found", what.0, label.0),
            format!("已找到{} {}", what.1, label.1),
        ),
    )
}

pub(super) fn wait_fix() -> Text {
    Text::new("Wait for it to finish, then refresh", "请等待其完成后刷新")
}

/// The snapshot quota of one instance (Lighthouse) or disk (ECS): `kind` names the owner
/// in English and Chinese, `label` is its ID and name.
pub(super) fn snapshot_quota(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lists_are_capped() {
        let ids: Vec<String> = (0..8).map(|i| format!("s{i}")).collect();
        let (en, zh) = id_list(&ids);
        assert_eq!(en, "s0, s1, s2, s3, s4 and 3 more");
        assert_eq!(zh, "s0、s1、s2、s3、s4 等 8 个");
        assert_eq!(id_list(&ids[..2]).0, "s0, s1");
    }

    #[test]
    fn rule_keys_are_unique() {
        for (i, a) in rules::ALL.iter().enumerate() {
            assert!(!rules::ALL[i + 1..].contains(a), "{a}");
        }
    }
}
