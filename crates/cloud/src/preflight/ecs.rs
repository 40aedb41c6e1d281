//! The ECS checklists: ResetDisk (instance stopped, locks and expiry, disk and snapshot
//! state, ownership, the 2013 cut-off, room for the safety snapshot) and CreateSnapshot
//! (state and the snapshot quota), on the typed rows of [`crate::alibaba`].

use super::checklist::{
    Check, ECS_SNAPSHOT_CUTOFF_DATE, FixAction, Kind, Label, Row, SafetyStep, Taking, found,
    id_list, named, not_found, not_read, progress, read_rows, rules, shown_state, snapshot_quota,
};
use crate::alibaba::{Disk, Instance, Snapshot, SnapshotStatus};
use crate::i18n::Text;
use crate::limits::ECS_SNAPSHOTS_PER_DISK;
use serde_json::Value;

/// The state field of an instance, disk or snapshot row.
const STATUS: &str = "Status";

fn instance_label(i: &Instance) -> Label {
    named(&i.instance_id, i.instance_name.as_deref())
}

fn disk_label(d: &Disk) -> Label {
    named(&d.disk_id, d.disk_name.as_deref())
}

fn snapshot_label(snap: &Snapshot) -> Label {
    named(&snap.snapshot_id, snap.snapshot_name.as_deref())
}

/// "YYYY-MM-DDTHH:MM" of a timestamp (Alibaba writes both `…T00:00Z` and `…T00:00:00Z`),
/// so the two spellings compare lexicographically.
fn minute(t: Option<&str>) -> Option<String> {
    let t = t?;
    (t.len() >= 10).then(|| t.chars().take(16).collect())
}

/// The snapshots of `disk` among `snapshots` (all of them when the disk is unknown).
fn of_disk<'a>(disk: Option<&Disk>, snapshots: &'a [Snapshot]) -> Vec<&'a Snapshot> {
    let did = disk.map(|d| d.disk_id.as_str()).unwrap_or("");
    snapshots
        .iter()
        .filter(|snap| did.is_empty() || snap.source_disk_id.as_deref() == Some(did))
        .collect()
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

/// `seen`: the creation times of the other rows read with the instance.
fn expiry(i: &Instance, seen: &[Option<&str>]) -> Expiry {
    if i.locked_for_payment() {
        return Expiry::Locked;
    }
    let Some(expires) = minute(i.expired_time.as_deref()) else {
        return Expiry::No;
    };
    let newest = seen
        .iter()
        .copied()
        .chain(std::iter::once(i.creation_time.as_deref()))
        .filter_map(minute)
        .max();
    match newest {
        Some(seen) if expires < seen => Expiry::Passed(expires.chars().take(10).collect()),
        _ => Expiry::No,
    }
}

fn expired_check(i: &Instance, seen: &[Option<&str>], blocks: bool) -> Check {
    let rule = rules::INSTANCE_EXPIRED;
    let label = instance_label(i);
    let fix = Text::new(
        "Renew the instance or top up the account in the Alibaba Cloud console, then refresh",
        "请在阿里云控制台为实例续费或为账号充值后刷新",
    );
    let (en, zh) = match expiry(i, seen) {
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

fn lock_check(instance: Option<&Instance>, disk: Option<&Disk>) -> Option<Check> {
    let rule = rules::INSTANCE_SECURITY_LOCK;
    let fix = Text::new(
        "A security lock cannot be lifted from here: resolve the security issue in the Alibaba Cloud console (Security Center) or contact Alibaba Cloud support",
        "安全锁定无法在此解除：请在阿里云控制台（云安全中心）处理安全问题，或联系阿里云技术支持",
    );
    let locked = |what: (&str, &str), l: Label| {
        Check::fail(
            rule,
            Text::new(
                format!(
                    "{} {} is locked for security (OperationLocks: security) and cannot be operated on",
                    what.0, l.0
                ),
                format!(
                    "{} {} 已被安全锁定（OperationLocks：security），无法操作",
                    what.1, l.1
                ),
            ),
            fix.clone(),
        )
    };
    if let Some(i) = instance
        && i.locked_for_security()
    {
        return Some(locked(("Instance", "实例"), instance_label(i)));
    }
    if let Some(d) = disk
        && d.locked_for_security()
    {
        return Some(locked(("Disk", "云盘"), disk_label(d)));
    }
    let (en, zh) = match (instance, disk) {
        (Some(i), _) => {
            let l = instance_label(i);
            (
                format!("Instance {} has no security lock", l.0),
                format!("实例 {} 未被安全锁定", l.1),
            )
        }
        (None, Some(d)) => {
            let l = disk_label(d);
            (
                format!("Disk {} has no security lock", l.0),
                format!("云盘 {} 未被安全锁定", l.1),
            )
        }
        (None, None) => return None,
    };
    Some(Check::pass(rule, Text::new(en, zh)))
}

/// The instance row that matters for `disk`: the one it is attached to.
fn instance_for<'a>(disk: &Row<Disk>, instance: &'a Row<Instance>) -> Option<&'a Instance> {
    match disk.read() {
        None => instance.read(),
        Some(d) => {
            let iid = d.attached_to()?;
            instance.read().filter(|i| i.instance_id == iid)
        }
    }
}

/// The line for the instance `disk` is attached to when its row is missing: not found,
/// or found but unreadable.
fn attached_instance_missing(disk: &Disk, iid: &str, instance: &Row<Instance>) -> Check {
    if let Row::Unreadable(_) = instance {
        return not_read(rules::INSTANCE_EXISTS, Kind::Instance, instance)
            .unwrap_or_else(|| not_found(rules::INSTANCE_EXISTS, Kind::Instance));
    }
    let dl = disk_label(disk);
    Check::fail(
        rules::INSTANCE_EXISTS,
        Text::new(
            format!(
                "Instance {iid}, which disk {} is attached to, was not found in this region",
                dl.0
            ),
            format!("在当前地域未找到云盘 {} 所挂载的实例 {iid}", dl.1),
        ),
        Text::new(
            "Refresh; if the instance was just released, the disk's attachment will change",
            "请刷新；如果实例刚被释放，云盘的挂载信息会随之更新",
        ),
    )
}

fn stop_action(i: &Instance) -> Option<FixAction> {
    (i.status.allows_stop() && !i.locked_for_security()).then(|| FixAction::StopInstance {
        instance_id: i.instance_id.clone(),
    })
}

fn disk_status(d: &Disk) -> Check {
    let rule = rules::DISK_STATUS;
    let l = disk_label(d);
    let (st_en, st_zh) = shown_state(&d.status);
    if d.status.allows_reset() {
        return Check::pass(
            rule,
            Text::new(
                format!("Disk {} is {st_en}", l.0),
                format!("云盘 {} 处于 {st_zh} 状态", l.1),
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
                "云盘 {} 处于 {st_zh} 状态；重置云盘要求其为 In_use 或 Available",
                l.1
            ),
        ),
        Text::new(
            "Wait until the disk is In_use or Available, then refresh",
            "请等待云盘变为 In_use 或 Available 后刷新",
        ),
    )
}

fn snapshot_state(snap: &Snapshot) -> Check {
    let rule = rules::SNAPSHOT_STATE;
    let l = snapshot_label(snap);
    let (st_en, st_zh) = shown_state(&snap.status);
    let wait_accomplished = || {
        Text::new(
            "Wait until the snapshot is accomplished, then refresh",
            "请等待快照变为 accomplished 后刷新",
        )
    };
    if snap.status.allows_reset() {
        return Check::pass(
            rule,
            Text::new(
                format!("Snapshot {} is {st_en}", l.0),
                format!("快照 {} 处于 {st_zh} 状态", l.1),
            ),
        );
    }
    match &snap.status {
        SnapshotStatus::Progressing => {
            let (p_en, p_zh) = progress(snap.progress_percent().map(u32::from));
            Check::fail(
                rule,
                Text::new(
                    format!(
                        "Snapshot {} is still being created (progressing{p_en}) and cannot be used yet",
                        l.0
                    ),
                    format!("快照 {} 仍在创建中（progressing{p_zh}），暂不能使用", l.1),
                ),
                wait_accomplished(),
            )
        }
        SnapshotStatus::Failed => Check::fail(
            rule,
            Text::new(
                format!("Snapshot {} failed and cannot be used to reset a disk", l.0),
                format!("快照 {} 创建失败（failed），不能用于重置云盘", l.1),
            ),
            Text::new(
                "Pick another snapshot of this disk",
                "请选择该云盘的其他快照",
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
            wait_accomplished(),
        ),
    }
}

fn belongs(disk: &Disk, snap: &Snapshot) -> Check {
    let rule = rules::SNAPSHOT_BELONGS;
    let (dl, sl) = (disk_label(disk), snapshot_label(snap));
    let (did, src) = (
        disk.disk_id.as_str(),
        snap.source_disk_id.as_deref().unwrap_or(""),
    );
    if !did.is_empty() && did == src {
        return Check::pass(
            rule,
            Text::new(
                format!("Snapshot {} was created from disk {}", sl.0, dl.0),
                format!("快照 {} 创建自云盘 {}", sl.1, dl.1),
            ),
        );
    }
    let (src_en, src_zh) = if src.is_empty() {
        ("an unknown disk".to_string(), "未知云盘".to_string())
    } else {
        (format!("disk {src}"), format!("云盘 {src}"))
    };
    Check::fail(
        rule,
        Text::new(
            format!(
                "Snapshot {} was created from {src_en}, not from disk {}",
                sl.0, dl.0
            ),
            format!("快照 {} 创建自{src_zh}，而不是云盘 {}", sl.1, dl.1),
        ),
        Text::new(
            "Pick a snapshot of this disk: a disk can only be reset from its own snapshots",
            "请选择该云盘的快照：云盘只能用其自身的快照重置",
        ),
    )
}

fn too_old(snap: &Snapshot) -> Check {
    let rule = rules::SNAPSHOT_TOO_OLD;
    let l = snapshot_label(snap);
    let created = snap.creation_time.as_deref().unwrap_or("");
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
                    "快照 {} 创建于 {date}，早于 {ECS_SNAPSHOT_CUTOFF_DATE}；这么早的快照不能用于重置云盘",
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

/// Checks before ResetDisk (`disk` back to `snapshot`), on typed rows. `instance` is the
/// instance the disk is attached to (a row of another instance is ignored). With a
/// safety snapshot, also that the disk has room for one more snapshot (`existing`: its
/// snapshots, DescribeSnapshots with `DiskId`).
pub fn reset_disk(
    disk: &Row<Disk>,
    snapshot: &Row<Snapshot>,
    instance: &Row<Instance>,
    safety: SafetyStep<'_, Snapshot>,
) -> Vec<Check> {
    let mut out = Vec::new();
    let inst = instance_for(disk, instance);
    match disk {
        Row::Read(d) => {
            out.push(found(rules::DISK_EXISTS, ("Disk", "云盘"), &disk_label(d)));
            out.push(disk_status(d));
            match (d.attached_to(), inst) {
                (None, _) => {
                    let l = disk_label(d);
                    out.push(Check::pass(
                        rules::INSTANCE_STATE,
                        Text::new(
                            format!(
                                "Disk {} is not attached to an instance, so no instance needs to be stopped",
                                l.0
                            ),
                            format!("云盘 {} 未挂载到实例，无需停止实例", l.1),
                        ),
                    ));
                }
                (Some(iid), None) => out.push(attached_instance_missing(d, iid, instance)),
                (Some(_), Some(_)) => {}
            }
        }
        other => out.extend(not_read(rules::DISK_EXISTS, Kind::Disk, other)),
    }
    if let Some(i) = inst {
        let l = instance_label(i);
        let (st_en, st_zh) = shown_state(&i.status);
        let message = Text::new(
            format!("Instance {} is {st_en}", l.0),
            format!("实例 {} 处于 {st_zh} 状态", l.1),
        );
        out.push(if i.status.allows_reset_disk() {
            Check::pass(rules::INSTANCE_STATE, message)
        } else {
            let fix = match &i.status {
                crate::alibaba::InstanceStatus::Running => Text::new(
                    "Stop the instance first, then reset the disk",
                    "请先停止实例，再重置云盘",
                ),
                crate::alibaba::InstanceStatus::Stopping => Text::new(
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
                    format!("{}；重置云盘要求实例处于 Stopped 状态", message.zh),
                ),
                fix,
            )
            .with_action(stop_action(i))
        });
    }
    out.extend(lock_check(inst, disk.read()));
    if let Some(i) = inst {
        let seen = [
            disk.read().and_then(|d| d.creation_time.as_deref()),
            snapshot.read().and_then(|s| s.creation_time.as_deref()),
        ];
        out.push(expired_check(i, &seen, false));
    }
    match snapshot {
        Row::Read(snap) => {
            out.push(found(
                rules::SNAPSHOT_EXISTS,
                ("Snapshot", "快照"),
                &snapshot_label(snap),
            ));
            out.push(snapshot_state(snap));
            if let Some(d) = disk.read() {
                out.push(belongs(d, snap));
            }
            out.push(too_old(snap));
        }
        other => out.extend(not_read(rules::SNAPSHOT_EXISTS, Kind::Snapshot, other)),
    }
    if let (Row::Read(d), SafetyStep::Take { existing }) = (disk, safety) {
        out.push(snapshot_quota(
            Taking::Safety,
            ("Disk", "云盘"),
            &disk_label(d),
            of_disk(Some(d), existing).len(),
            ECS_SNAPSHOTS_PER_DISK,
        ));
    }
    out
}

/// Checks before CreateSnapshot of `disk`, on typed rows. `instance` is the instance it
/// is attached to; `snapshots_of_disk` the `Snapshots.Snapshot[]` for the disk
/// (DescribeSnapshots with `DiskId`); rows of other disks are ignored.
pub fn create_snapshot(
    disk: &Row<Disk>,
    instance: &Row<Instance>,
    snapshots_of_disk: &[Snapshot],
) -> Vec<Check> {
    let mut out = Vec::new();
    let inst = instance_for(disk, instance);
    let label = match disk {
        Row::Read(d) => {
            let l = disk_label(d);
            out.push(found(rules::DISK_EXISTS, ("Disk", "云盘"), &l));
            match d.attached_to() {
                None => out.push(Check::fail(
                    rules::DISK_ATTACHED,
                    Text::new(
                        format!(
                            "Disk {} is not attached to an instance; only an attached disk can take a snapshot",
                            l.0
                        ),
                        format!("云盘 {} 未挂载到实例；只有已挂载的云盘可以创建快照", l.1),
                    ),
                    Text::new(
                        "Attach the disk to an instance first",
                        "请先将云盘挂载到实例",
                    ),
                )),
                Some(iid) => {
                    out.push(Check::pass(
                        rules::DISK_ATTACHED,
                        Text::new(
                            format!("Disk {} is attached to instance {iid}", l.0),
                            format!("云盘 {} 已挂载到实例 {iid}", l.1),
                        ),
                    ));
                    if inst.is_none() {
                        out.push(attached_instance_missing(d, iid, instance));
                    }
                }
            }
            l
        }
        other => {
            out.extend(not_read(rules::DISK_EXISTS, Kind::Disk, other));
            ("the disk".to_string(), "该云盘".to_string())
        }
    };
    if let Some(i) = inst {
        let l = instance_label(i);
        let (st_en, st_zh) = shown_state(&i.status);
        out.push(if i.status.allows_snapshot() {
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
    out.extend(lock_check(inst, disk.read()));
    let mine = of_disk(disk.read(), snapshots_of_disk);
    if let Some(i) = inst {
        let seen: Vec<Option<&str>> =
            std::iter::once(disk.read().and_then(|d| d.creation_time.as_deref()))
                .chain(mine.iter().map(|s| s.creation_time.as_deref()))
                .collect();
        out.push(expired_check(i, &seen, true));
    }

    let busy: Vec<&Snapshot> = mine
        .iter()
        .copied()
        .filter(|snap| snap.status.in_progress())
        .collect();
    out.push(if busy.is_empty() {
        Check::pass(
            rules::SNAPSHOT_IN_PROGRESS,
            Text::new(
                format!("No snapshot of disk {} is being created", label.0),
                format!("云盘 {} 没有正在创建的快照", label.1),
            ),
        )
    } else {
        let items: Vec<String> = busy
            .iter()
            .map(|snap| match snap.progress_percent() {
                Some(p) => format!("{} ({p}%)", snap.snapshot_id),
                None => snap.snapshot_id.clone(),
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
                    "云盘 {} 有快照仍在创建中：{list_zh}；同一云盘同一时间只能创建一个快照",
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
        Taking::Asked,
        ("Disk", "云盘"),
        &label,
        mine.len(),
        ECS_SNAPSHOTS_PER_DISK,
    ));
    out
}

/// An `Instances.Instance[]` item read into its model.
pub fn instance_row(row: Option<&Value>) -> Row<Instance> {
    Row::from_value(row, STATUS)
}

/// A `Disks.Disk[]` item read into its model.
pub fn disk_row(row: Option<&Value>) -> Row<Disk> {
    Row::from_value(row, STATUS)
}

/// A `Snapshots.Snapshot[]` item read into its model.
pub fn snapshot_row(row: Option<&Value>) -> Row<Snapshot> {
    Row::from_value(row, STATUS)
}

/// Checks before ECS ResetDisk (`disk` back to `snapshot`) without a safety snapshot.
/// The rows are DescribeDisks / DescribeSnapshots / DescribeInstances items; `instance`
/// is the instance the disk is attached to (`None` when the disk is unattached or the
/// instance was not found; a row of another instance is ignored).
pub fn ecs_reset_disk(
    disk: Option<&Value>,
    snapshot: Option<&Value>,
    instance: Option<&Value>,
) -> Vec<Check> {
    ecs_reset_disk_with_safety(disk, snapshot, instance, SafetyStep::Skip)
}

/// [`ecs_reset_disk`], with or without a safety snapshot first; `existing` are the
/// `Snapshots.Snapshot[]` items of the disk (DescribeSnapshots with `DiskId`).
pub fn ecs_reset_disk_with_safety(
    disk: Option<&Value>,
    snapshot: Option<&Value>,
    instance: Option<&Value>,
    safety: SafetyStep<'_, Value>,
) -> Vec<Check> {
    let mut existing = Vec::new();
    reset_disk(
        &disk_row(disk),
        &snapshot_row(snapshot),
        &instance_row(instance),
        safety.read_into(STATUS, &mut existing),
    )
}

/// Checks before ECS CreateSnapshot of `disk`. `instance` is the instance it is attached
/// to; `snapshots_of_disk` the `Snapshots.Snapshot[]` for the disk (DescribeSnapshots
/// with `DiskId`); rows of other disks are ignored.
pub fn ecs_create_snapshot(
    disk: Option<&Value>,
    instance: Option<&Value>,
    snapshots_of_disk: &[Value],
) -> Vec<Check> {
    create_snapshot(
        &disk_row(disk),
        &instance_row(instance),
        &read_rows(snapshots_of_disk, STATUS),
    )
}
