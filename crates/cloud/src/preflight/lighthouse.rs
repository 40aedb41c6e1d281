//! The Lighthouse checklists: RollbackInstanceSnapshot (instance and snapshot state,
//! ownership, disk size) and CreateInstanceSnapshot (state and the snapshot quota).

use super::checklist::{
    Check, FixAction, Kind, LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE, found, id_list, named, not_found,
    num, rules, s, shown_state, snapshot_quota, wait_fix,
};
use crate::i18n::Text;
use serde_json::Value;

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
