//! The Workspace checklist: BatchRestoreDesktopSnapshot (batch size, snapshot state, one
//! snapshot per desktop), on the typed rows of [`crate::huawei`].

use super::checklist::{Check, id_list, read_rows, rules, shown_state, zh_gloss};
use crate::huawei::{DesktopSnapshot, SnapshotStatus};
use crate::i18n::Text;
use crate::limits::WORKSPACE_BATCH_MAX;
use serde_json::Value;

/// The state field of a `desktop_snapshots[]` item.
const STATUS: &str = "status";

fn desktop_id(snap: &DesktopSnapshot) -> &str {
    snap.desktop_id.as_deref().unwrap_or("")
}

/// The desktop as shown: its name, or its ID when it has none.
fn desktop(snap: &DesktopSnapshot) -> String {
    match snap.desktop_name.as_deref() {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => desktop_id(snap).to_string(),
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
/// snapshots of their desktops; rows that are not the provider's shape are left out.
pub fn workspace_restore(requested: &[String], snapshots: &[Value]) -> Vec<Check> {
    restore(requested, &read_rows(snapshots, STATUS))
}

/// Checks before BatchRestoreDesktopSnapshot of `requested`, on typed rows (see
/// [`workspace_restore`]). One line per rule, summarising the batch; failures name the
/// offending IDs (the first [`NAMED_IDS_MAX`](super::NAMED_IDS_MAX), then a count).
pub fn restore(requested: &[String], snapshots: &[DesktopSnapshot]) -> Vec<Check> {
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
    let find = |id: &str| snapshots.iter().find(|x| x.snapshot_id == id);
    let missing: Vec<String> = unique
        .iter()
        .filter(|id| find(id).is_none())
        .map(|id| id.to_string())
        .collect();
    let rows: Vec<&DesktopSnapshot> = unique.iter().filter_map(|id| find(id)).collect();

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
    let not_ready: Vec<&DesktopSnapshot> = rows
        .iter()
        .copied()
        .filter(|r| !r.status.allows_restore())
        .collect();
    let r = rows.len();
    out.push(if not_ready.is_empty() {
        Check::pass(
            rules::SNAPSHOT_STATE,
            Text::new(
                if r == 1 {
                    format!(
                        "Snapshot {} is {} and can be restored",
                        rows[0].snapshot_id, rows[0].status
                    )
                } else {
                    format!("All {r} snapshots are ready to restore")
                },
                if r == 1 {
                    format!(
                        "快照 {} 处于 {} 状态，可以恢复",
                        rows[0].snapshot_id,
                        shown_state(&rows[0].status).1
                    )
                } else {
                    format!("全部 {r} 个快照均可恢复")
                },
            ),
        )
    } else {
        let items_en: Vec<String> = not_ready
            .iter()
            .map(|x| format!("{} ({})", x.snapshot_id, shown_state(&x.status).0))
            .collect();
        let items_zh: Vec<String> = not_ready
            .iter()
            .map(|x| format!("{}（{}）", x.snapshot_id, zh_gloss(&x.status)))
            .collect();
        let (list_en, list_zh) = (id_list(&items_en).0, id_list(&items_zh).1);
        let has = |st: SnapshotStatus| not_ready.iter().any(|x| x.status == st);
        let mut fix_en: Vec<&str> = Vec::new();
        let mut fix_zh: Vec<&str> = Vec::new();
        if has(SnapshotStatus::Creating) {
            fix_en.push("wait for snapshots being created to finish, then refresh");
            fix_zh.push("请等待创建中的快照完成后刷新");
        }
        if has(SnapshotStatus::Restoring) {
            fix_en.push("wait for the running restore to finish, then refresh");
            fix_zh.push("请等待正在进行的恢复完成后刷新");
        }
        if not_ready.iter().any(|x| {
            !matches!(
                x.status,
                SnapshotStatus::Creating | SnapshotStatus::Restoring
            )
        }) {
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
        let desk = desktop_id(row);
        if desk.is_empty() {
            continue;
        }
        let other = snapshots.iter().find(|o| {
            desktop_id(o) == desk && o.status.restoring() && o.snapshot_id != row.snapshot_id
        });
        if let Some(o) = other
            && !busy.iter().any(|(d, _)| d == &desktop(row))
        {
            busy.push((desktop(row), o.snapshot_id.clone()));
        }
    }
    let desktops: Vec<&str> = {
        let mut d: Vec<&str> = Vec::new();
        for row in &rows {
            let id = desktop_id(row);
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
                    format!("Desktop {} is not being restored", desktop(rows[0]))
                } else {
                    format!("None of the {} desktops is being restored", desktops.len())
                },
                if desktops.len() == 1 {
                    format!("桌面 {} 当前没有正在进行的恢复", desktop(rows[0]))
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
        let of: Vec<&&DesktopSnapshot> = rows.iter().filter(|r| desktop_id(r) == *id).collect();
        if of.len() > 1 {
            doubled.push((
                desktop(of[0]),
                of.iter().map(|r| r.snapshot_id.clone()).collect(),
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
