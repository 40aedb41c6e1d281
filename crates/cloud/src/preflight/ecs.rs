//! The ECS checklists: ResetDisk (instance stopped, locks and expiry, disk and snapshot
//! state, ownership, the 2013 cut-off) and CreateSnapshot (state and the snapshot quota).

use super::checklist::{
    Check, ECS_SNAPSHOT_CUTOFF_DATE, ECS_SNAPSHOTS_PER_DISK, FixAction, Kind, found, id_list,
    named, not_found, num, rules, s, shown_state, snapshot_quota,
};
use crate::i18n::Text;
use serde_json::Value;

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lock_reasons_read_both_shapes() {
        let inst = json!({"OperationLocks": {"LockReason": [{"LockReason": "security"}]}});
        let disk = json!({"OperationLocks": {"OperationLock": [{"LockReason": "financial"}]}});
        assert_eq!(lock_reasons(&inst), ["security"]);
        assert_eq!(lock_reasons(&disk), ["financial"]);
        assert!(lock_reasons(&json!({})).is_empty());
    }
}
