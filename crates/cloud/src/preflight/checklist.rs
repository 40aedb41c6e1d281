//! The checklist model shared by every provider: the rule keys, [`Check`] and its
//! [`Status`], the fixes and choices a check can offer, reading a provider's row into its
//! typed model, and the helpers and checks (the snapshot quota) that the Lighthouse, ECS
//! and Workspace checklists share. A leaf: nothing else in `preflight`.

use crate::i18n::Text;
use crate::tencent::ProviderValue;
use serde::Serialize;
use serde::de::DeserializeOwned;
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
    /// Room under the quota for the safety snapshot taken before a rollback.
    pub const SAFETY_SNAPSHOT_QUOTA: &str = "safety_snapshot.quota";
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
        SAFETY_SNAPSHOT_QUOTA,
        SNAPSHOT_IN_PROGRESS,
        SNAPSHOT_DUPLICATE,
        DESKTOP_BUSY,
        BATCH_SIZE,
    ];
}

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

/// A fix the console can offer as a button: an operation it runs, after which the
/// checks run again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum FixAction {
    /// ECS StopInstance / Lighthouse StopInstances on this instance.
    StopInstance { instance_id: String },
}

/// A choice on the form that settles a failed check without running anything: the
/// console offers it as a button, changes the form and runs the checks again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Choice {
    /// Go on without the safety snapshot the form asked for.
    ContinueWithoutSafetySnapshot,
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
    /// For some failures: a choice on the form that settles them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<Choice>,
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
            choice: None,
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

    pub(super) fn with_choice(mut self, choice: Choice) -> Check {
        self.choice = Some(choice);
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

/// One resource as pre-flight sees it: not found, found but unreadable, or read into
/// its typed model.
#[derive(Debug, Clone, PartialEq)]
pub enum Row<T> {
    NotFound,
    /// The row is not the provider's shape (the reason, from the decoder).
    Unreadable(String),
    Read(T),
}

impl<T> Row<T> {
    pub fn read(&self) -> Option<&T> {
        match self {
            Row::Read(t) => Some(t),
            Row::NotFound | Row::Unreadable(_) => None,
        }
    }
}

impl<T> From<Option<T>> for Row<T> {
    fn from(t: Option<T>) -> Row<T> {
        t.map_or(Row::NotFound, Row::Read)
    }
}

impl<T: DeserializeOwned> Row<T> {
    /// Reads a row as the provider's Describe/List answer holds it. `state_key` names
    /// its state field: the one field a row may lack (or hold null) and still be read,
    /// as state unknown (`Other("")`), so that one missing value does not hide the rest
    /// of the row. Any other missing or ill-typed field makes the row unreadable.
    pub fn from_value(row: Option<&Value>, state_key: &str) -> Row<T> {
        let Some(row) = row else {
            return Row::NotFound;
        };
        let read = match row {
            Value::Object(m) if m.get(state_key).is_none_or(Value::is_null) => {
                let mut m = m.clone();
                m.insert(state_key.to_string(), Value::String(String::new()));
                T::deserialize(&Value::Object(m))
            }
            _ => T::deserialize(row),
        };
        match read {
            Ok(t) => Row::Read(t),
            Err(e) => Row::Unreadable(e.to_string()),
        }
    }
}

/// The readable rows of a list (a Describe/List answer's items); rows that are not the
/// provider's shape are left out.
pub(super) fn read_rows<T: DeserializeOwned>(rows: &[Value], state_key: &str) -> Vec<T> {
    rows.iter()
        .filter_map(|r| match Row::from_value(Some(r), state_key) {
            Row::Read(t) => Some(t),
            Row::NotFound | Row::Unreadable(_) => None,
        })
        .collect()
}

/// The safety-snapshot step of a rollback: skipped, or taken first. When it is taken,
/// `existing` are the snapshots that count against the quota it needs room under (those
/// of the instance, or of the disk; rows of other disks are ignored).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SafetyStep<'a, T> {
    Skip,
    Take { existing: &'a [T] },
}

impl<'a> SafetyStep<'a, Value> {
    /// The same choice on typed rows: the existing rows are read into `store` (rows
    /// that are not the provider's shape are left out).
    pub(super) fn read_into<'b, T: DeserializeOwned>(
        self,
        state_key: &str,
        store: &'b mut Vec<T>,
    ) -> SafetyStep<'b, T> {
        match self {
            SafetyStep::Skip => SafetyStep::Skip,
            SafetyStep::Take { existing } => {
                *store = read_rows(existing, state_key);
                let read: &'b Vec<T> = store;
                SafetyStep::Take { existing: read }
            }
        }
    }
}

/// An ID and name as shown: "lhins-k31c771o (blog-prod)" / "lhins-k31c771o（blog-prod）".
pub(super) type Label = (String, String);

/// "lhins-k31c771o (blog-prod)" / "lhins-k31c771o（blog-prod）".
pub(super) fn named(id: &str, name: Option<&str>) -> Label {
    let id = if id.is_empty() { "?" } else { id };
    match name {
        Some(name) if !name.is_empty() && name != id => {
            (format!("{id} ({name})"), format!("{id}（{name}）"))
        }
        _ => (id.to_string(), id.to_string()),
    }
}

/// A state as shown: "RUNNING" / "RUNNING（运行中）"; "unknown" when empty.
pub(super) fn shown_state(state: &impl ProviderValue) -> (String, String) {
    let spelled = state.as_str();
    if spelled.is_empty() {
        return ("unknown".into(), "未知".into());
    }
    match state.zh() {
        Some(zh) => (spelled.to_string(), format!("{spelled}（{zh}）")),
        None => (spelled.to_string(), spelled.to_string()),
    }
}

/// The Chinese name of a state ("创建中"), or the state itself when it has none.
pub(super) fn zh_gloss(state: &impl ProviderValue) -> String {
    match state.zh() {
        Some(zh) => zh.to_string(),
        None => shown_state(state).1,
    }
}

/// ", 40%" / "，40%": a progress figure to append to a state, or nothing.
pub(super) fn progress(percent: Option<u32>) -> (String, String) {
    match percent {
        Some(p) => (format!(", {p}%"), format!("，{p}%")),
        None => (String::new(), String::new()),
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

impl Kind {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Kind::Instance => ("instance", "实例"),
            Kind::Disk => ("disk", "云盘"),
            Kind::Snapshot => ("snapshot", "快照"),
        }
    }
}

/// The `*.exists` line of a resource that was not found or could not be read; `None`
/// when it was read.
pub(super) fn not_read<T>(rule: &'static str, kind: Kind, row: &Row<T>) -> Option<Check> {
    match row {
        Row::Read(_) => None,
        Row::NotFound => Some(not_found(rule, kind)),
        Row::Unreadable(why) => Some(unreadable(rule, kind, why)),
    }
}

pub(super) fn not_found(rule: &'static str, kind: Kind) -> Check {
    let (en, zh) = kind.names();
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

fn unreadable(rule: &'static str, kind: Kind, why: &str) -> Check {
    let (en, zh) = kind.names();
    Check::fail(
        rule,
        Text::new(
            format!("The {en} was found, but its description could not be read ({why})"),
            format!("已找到该{zh}，但无法读取其描述（{why}）"),
        ),
        Text::new(
            "Refresh; if this persists, the cloud answered in a shape Rewind does not know",
            "请刷新；如果问题持续，说明云服务返回了 Rewind 无法识别的格式",
        ),
    )
}

pub(super) fn found(rule: &'static str, what: (&str, &str), label: &Label) -> Check {
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

/// Why a snapshot would be taken: the one the form asks for, or the safety snapshot
/// before a rollback.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Taking {
    Asked,
    Safety,
}

/// The snapshot quota of one instance (Lighthouse) or disk (ECS) before a snapshot is
/// taken: `kind` names the owner in English and Chinese, `label` is its ID and name.
pub(super) fn snapshot_quota(
    taking: Taking,
    kind: (&str, &str),
    label: &Label,
    count: usize,
    quota: usize,
) -> Check {
    let (en, zh) = kind;
    let owner = en.to_lowercase();
    match taking {
        Taking::Asked if count < quota => Check::pass(
            rules::SNAPSHOT_QUOTA,
            Text::new(
                format!("{en} {} has {count} of {quota} snapshots", label.0),
                format!("{zh} {} 已有 {count} 个快照（上限 {quota} 个）", label.1),
            ),
        ),
        Taking::Asked => Check::fail(
            rules::SNAPSHOT_QUOTA,
            Text::new(
                format!(
                    "{en} {} already has {count} snapshots; the quota is {quota} per {owner}",
                    label.0
                ),
                format!(
                    "{zh} {} 已有 {count} 个快照，已达到上限（每个{zh} {quota} 个）",
                    label.1
                ),
            ),
            Text::new(
                format!("Delete an old snapshot of this {owner} first"),
                format!("请先删除该{zh}的旧快照"),
            ),
        ),
        Taking::Safety if count < quota => Check::pass(
            rules::SAFETY_SNAPSHOT_QUOTA,
            Text::new(
                format!(
                    "{en} {} has {count} of {quota} snapshots: there is room for the safety snapshot",
                    label.0
                ),
                format!(
                    "{zh} {} 已有 {count} 个快照（上限 {quota} 个），可以创建安全快照",
                    label.1
                ),
            ),
        ),
        Taking::Safety => Check::fail(
            rules::SAFETY_SNAPSHOT_QUOTA,
            Text::new(
                format!(
                    "{en} {} already has {count} snapshots, the quota of {quota} per {owner}: the safety snapshot cannot be taken, so the operation would stop before the rollback",
                    label.0
                ),
                format!(
                    "{zh} {} 已有 {count} 个快照，已达到上限（每个{zh} {quota} 个）：无法创建安全快照，操作将在回滚前停止",
                    label.1
                ),
            ),
            Text::new(
                format!(
                    "Continue without a safety snapshot, or delete an old snapshot of this {owner} first"
                ),
                format!("可以选择不创建安全快照继续，或先删除该{zh}的旧快照"),
            ),
        )
        .with_choice(Choice::ContinueWithoutSafetySnapshot),
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
