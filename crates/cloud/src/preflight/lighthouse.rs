//! The Lighthouse checklists: ApplyInstanceSnapshot (instance and snapshot state,
//! ownership, disk size, room for the safety snapshot) and CreateInstanceSnapshot (state
//! and the snapshot quota), on the typed rows of [`crate::tencent`].

use super::checklist::{
    Check, FixAction, Kind, Label, Row, SafetyStep, Taking, found, id_list, named, not_read,
    progress, read_rows, rules, shown_state, snapshot_quota, wait_fix,
};
use crate::i18n::Text;
use crate::limits::LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE;
use crate::tencent::{Instance, InstanceState, OperationState, Snapshot};
use serde_json::Value;

/// The state field of an `InstanceSet[]` item.
const INSTANCE_STATE: &str = "InstanceState";
/// The state field of a `SnapshotSet[]` item.
const SNAPSHOT_STATE: &str = "SnapshotState";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Rollback,
    Snapshot,
}

fn instance_label(i: &Instance) -> Label {
    named(&i.instance_id, i.instance_name.as_deref())
}

fn snapshot_label(snap: &Snapshot) -> Label {
    named(&snap.snapshot_id, snap.snapshot_name.as_deref())
}

fn system_disk(i: &Instance) -> &str {
    i.system_disk
        .as_ref()
        .and_then(|d| d.disk_id.as_deref())
        .unwrap_or("")
}

fn operating(i: &Instance) -> bool {
    i.latest_operation_state
        .as_ref()
        .is_some_and(OperationState::in_progress)
}

/// The snapshots of the instance's system disk among `snapshots` (a row without a disk
/// ID, or an instance without one, is counted as the instance's).
fn of_system_disk<'a>(instance: Option<&Instance>, snapshots: &'a [Snapshot]) -> Vec<&'a Snapshot> {
    let sys = instance.map(system_disk).unwrap_or("");
    snapshots
        .iter()
        .filter(|snap| {
            let of = snap.disk_id.as_deref().unwrap_or("");
            sys.is_empty() || of.is_empty() || of == sys
        })
        .collect()
}

fn instance_state(i: &Instance, op: Op) -> Check {
    let rule = rules::INSTANCE_STATE;
    let label = instance_label(i);
    let state = &i.instance_state;
    let (st_en, st_zh) = shown_state(state);
    let (need_en, need_zh) = match op {
        Op::Rollback => ("a rollback", "回滚"),
        Op::Snapshot => ("a snapshot", "创建快照"),
    };
    let allowed = match op {
        Op::Rollback => state.allows_rollback(),
        Op::Snapshot => state.allows_snapshot(),
    };
    if allowed && (op == Op::Snapshot || !state.shut_down_by_rollback()) {
        return Check::pass(
            rule,
            Text::new(
                format!("Instance {} is {st_en}", label.0),
                format!("实例 {} 处于 {st_zh} 状态", label.1),
            ),
        );
    }
    if allowed {
        return Check::warn(
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
        .with_action((!operating(i)).then(|| FixAction::StopInstance {
            instance_id: i.instance_id.clone(),
        }));
    }
    let fix = match state {
        InstanceState::Pending => Text::new(
            "The instance is still being created: wait until it is RUNNING, then refresh",
            "实例仍在创建中：请等待其进入 RUNNING 状态后刷新",
        ),
        InstanceState::Starting
        | InstanceState::Stopping
        | InstanceState::Rebooting
        | InstanceState::EnterRescueMode
        | InstanceState::ExitRescueMode => Text::new(
            "Wait for the state change to finish, then refresh",
            "请等待状态变更完成后刷新",
        ),
        InstanceState::RescueMode => Text::new(
            "Exit rescue mode first, then refresh",
            "请先退出救援模式，再刷新",
        ),
        InstanceState::Shutdown => Text::new(
            "The instance was shut down after it expired: renew it and start it, then try again",
            "实例已到期关机：请续费并开机后重试",
        ),
        InstanceState::Freezing => Text::new(
            "The instance is being frozen (usually for an overdue payment): settle the account, then try again",
            "实例正在被冻结（通常因欠费）：请结清欠费后重试",
        ),
        InstanceState::Terminating | InstanceState::Deleting => Text::new(
            "The instance is being deleted and can no longer be used",
            "实例正在被销毁，已无法使用",
        ),
        InstanceState::LaunchFailed => Text::new(
            "The instance failed to launch and cannot be used; create a new one",
            "实例创建失败，无法使用；请重新创建实例",
        ),
        InstanceState::Running | InstanceState::Stopped | InstanceState::Other(_) => Text::new(
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

fn instance_operation(i: &Instance) -> Check {
    let rule = rules::INSTANCE_OPERATION;
    let label = instance_label(i);
    let op = i
        .latest_operation
        .as_deref()
        .filter(|o| !o.is_empty())
        .unwrap_or("?");
    match &i.latest_operation_state {
        Some(OperationState::Operating) => Check::fail(
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
        Some(OperationState::Failed) => Check::pass(
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

fn snapshot_state(snap: &Snapshot) -> Check {
    let rule = rules::SNAPSHOT_STATE;
    let label = snapshot_label(snap);
    let state = &snap.snapshot_state;
    let (st_en, st_zh) = shown_state(state);
    let wait_normal = || {
        Text::new(
            "Wait until the snapshot is NORMAL, then refresh",
            "请等待快照变为 NORMAL 后刷新",
        )
    };
    if state.allows_rollback() {
        return Check::pass(
            rule,
            Text::new(
                format!("Snapshot {} is {st_en}", label.0),
                format!("快照 {} 处于 {st_zh} 状态", label.1),
            ),
        );
    }
    match state {
        crate::tencent::SnapshotState::Creating => {
            let (pct_en, pct_zh) = progress(snap.percent);
            Check::fail(
                rule,
                Text::new(
                    format!(
                        "Snapshot {} is still being created ({st_en}{pct_en}); only NORMAL snapshots can be applied",
                        label.0
                    ),
                    format!(
                        "快照 {} 仍在创建中（CREATING{pct_zh}）；只有 NORMAL 状态的快照可以回滚",
                        label.1
                    ),
                ),
                wait_normal(),
            )
        }
        crate::tencent::SnapshotState::Rollbacking => Check::fail(
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
            wait_normal(),
        ),
    }
}

/// Whether the snapshot is of the instance's system disk (false when unknown).
fn belongs(i: &Instance, snap: &Snapshot) -> (Check, bool) {
    let rule = rules::SNAPSHOT_BELONGS;
    let (il, sl) = (instance_label(i), snapshot_label(snap));
    let (sys, of) = (system_disk(i), snap.disk_id.as_deref().unwrap_or(""));
    if sys.is_empty() || of.is_empty() {
        let check = Check::warn(
            rule,
            Text::new(
                format!(
                    "Could not tell whether snapshot {} is of the system disk of instance {} (a disk ID is missing)",
                    sl.0, il.0
                ),
                format!(
                    "无法确认快照 {} 是否属于实例 {} 的系统盘（缺少云硬盘 ID）",
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
                "快照 {} 属于云硬盘 {of}，而不是实例 {} 的系统盘 {sys}",
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

fn disk_size(i: &Instance, snap: &Snapshot) -> Option<Check> {
    let rule = rules::SNAPSHOT_DISK_SIZE;
    let now = i.system_disk.as_ref()?.disk_size?;
    let then = snap.disk_size?;
    let sl = snapshot_label(snap);
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

/// Checks before ApplyInstanceSnapshot (rolling the instance's system disk back to
/// `snapshot`), on typed rows. With a safety snapshot, also that the instance has room
/// for one more snapshot (`existing`: its snapshots, DescribeSnapshots with
/// `instance-id`).
pub fn rollback(
    instance: &Row<Instance>,
    snapshot: &Row<Snapshot>,
    safety: SafetyStep<'_, Snapshot>,
) -> Vec<Check> {
    let mut out = Vec::new();
    match snapshot {
        Row::Read(snap) => {
            out.push(found(
                rules::SNAPSHOT_EXISTS,
                ("Snapshot", "快照"),
                &snapshot_label(snap),
            ));
            out.push(snapshot_state(snap));
        }
        other => out.extend(not_read(rules::SNAPSHOT_EXISTS, Kind::Snapshot, other)),
    }
    match instance {
        Row::Read(i) => {
            out.push(found(
                rules::INSTANCE_EXISTS,
                ("Instance", "实例"),
                &instance_label(i),
            ));
            out.push(instance_state(i, Op::Rollback));
            out.push(instance_operation(i));
        }
        other => out.extend(not_read(rules::INSTANCE_EXISTS, Kind::Instance, other)),
    }
    if let (Row::Read(i), Row::Read(snap)) = (instance, snapshot) {
        let (check, belongs) = belongs(i, snap);
        out.push(check);
        if belongs && let Some(c) = disk_size(i, snap) {
            out.push(c);
        }
    }
    if let (Row::Read(i), SafetyStep::Take { existing }) = (instance, safety) {
        out.push(snapshot_quota(
            Taking::Safety,
            ("Instance", "实例"),
            &instance_label(i),
            of_system_disk(Some(i), existing).len(),
            LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE,
        ));
    }
    out
}

/// Checks before CreateInstanceSnapshot, on typed rows. `snapshots_of_instance` is the
/// `SnapshotSet[]` for the instance (DescribeSnapshots with `instance-id`); rows of
/// another disk are ignored.
pub fn create_snapshot(instance: &Row<Instance>, snapshots_of_instance: &[Snapshot]) -> Vec<Check> {
    let mut out = Vec::new();
    let label = match instance {
        Row::Read(i) => {
            let label = instance_label(i);
            out.push(found(rules::INSTANCE_EXISTS, ("Instance", "实例"), &label));
            out.push(instance_state(i, Op::Snapshot));
            out.push(instance_operation(i));
            label
        }
        other => {
            out.extend(not_read(rules::INSTANCE_EXISTS, Kind::Instance, other));
            ("the instance".to_string(), "该实例".to_string())
        }
    };
    let mine = of_system_disk(instance.read(), snapshots_of_instance);
    let busy: Vec<&Snapshot> = mine
        .iter()
        .copied()
        .filter(|snap| snap.snapshot_state.in_progress())
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
                    let pct = match (&snap.snapshot_state, snap.percent) {
                        (crate::tencent::SnapshotState::Creating, Some(p)) => format!(" {p}%"),
                        _ => String::new(),
                    };
                    format!("{} ({}{pct})", snap.snapshot_id, snap.snapshot_state)
                })
                .collect();
            let (list_en, list_zh) = id_list(&items);
            let (one_en, one_zh) = snapshot_label(first);
            let (st_en, st_zh) = shown_state(&first.snapshot_state);
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
        Taking::Asked,
        ("Instance", "实例"),
        &label,
        mine.len(),
        LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE,
    ));
    out
}

/// An `InstanceSet[]` item read into its model.
pub fn instance_row(row: Option<&Value>) -> Row<Instance> {
    Row::from_value(row, INSTANCE_STATE)
}

/// A `SnapshotSet[]` item read into its model.
pub fn snapshot_row(row: Option<&Value>) -> Row<Snapshot> {
    Row::from_value(row, SNAPSHOT_STATE)
}

/// Checks before Lighthouse ApplyInstanceSnapshot without a safety snapshot. `instance`
/// is the `InstanceSet[]` item, `snapshot` the `SnapshotSet[]` item, as DescribeInstances
/// and DescribeSnapshots answer them; `None` when not found.
pub fn lighthouse_rollback(instance: Option<&Value>, snapshot: Option<&Value>) -> Vec<Check> {
    lighthouse_rollback_with_safety(instance, snapshot, SafetyStep::Skip)
}

/// [`lighthouse_rollback`], with or without a safety snapshot first; `existing` are the
/// `SnapshotSet[]` items of the instance (DescribeSnapshots with `instance-id`).
pub fn lighthouse_rollback_with_safety(
    instance: Option<&Value>,
    snapshot: Option<&Value>,
    safety: SafetyStep<'_, Value>,
) -> Vec<Check> {
    let mut existing = Vec::new();
    rollback(
        &instance_row(instance),
        &snapshot_row(snapshot),
        safety.read_into(SNAPSHOT_STATE, &mut existing),
    )
}

/// Checks before Lighthouse CreateInstanceSnapshot. `snapshots_of_instance` is the
/// `SnapshotSet[]` for the instance (DescribeSnapshots with `instance-id`); rows of
/// another disk are ignored.
pub fn lighthouse_create_snapshot(
    instance: Option<&Value>,
    snapshots_of_instance: &[Value],
) -> Vec<Check> {
    create_snapshot(
        &instance_row(instance),
        &read_rows(snapshots_of_instance, SNAPSHOT_STATE),
    )
}
