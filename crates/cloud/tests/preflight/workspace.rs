//! Workspace: the batch restore checklist.

use super::*;

const ALICE: &str = "5a1f3c2e-8d4b-4f6a-9c1e-2b7d0e9f4a11";
const BOB: &str = "6b2e4d3f-9e5c-4a7b-8d2f-3c8e1f0a5b22";
const ERIN: &str = "7c3f5e4a-0f6d-4b8c-9e3a-4d9f2a1b6c33";

/// A `desktop_snapshots[]` item as ListDesktopSnapshot returns it.
fn ws_snapshot(id: &str, desktop_id: &str, desktop_name: &str, status: &str) -> Value {
    json!({
        "snapshot_id": id,
        "snapshot_name": format!("{desktop_name}-snap"),
        "desktop_id": desktop_id,
        "desktop_name": desktop_name,
        "is_system_disk": true,
        "status": status,
        "process": if matches!(status, "creating" | "restoring") { json!(30) } else { Value::Null },
        "description": "",
        "create_time": "2024-05-01T10:00:00.000Z",
        "create_type": "MANUALLY",
        "last_restore_time": null,
        "restore_fail_reason": null,
    })
}

fn sid(k: usize) -> String {
    format!("1792d3eb-35c6-4e99-8381-{k:012}")
}

#[test]
fn workspace_restore_of_ready_snapshots_passes() {
    let snaps = vec![
        ws_snapshot(&sid(1), ALICE, "desk-alice", "create_success"),
        ws_snapshot(&sid(2), BOB, "desk-bob", "restore_success"),
        ws_snapshot(&sid(3), ERIN, "desk-erin", "restore_failed"),
    ];
    let checks = workspace_restore(&[sid(1), sid(2), sid(3)], &snaps);
    all_pass(&checks);
    assert_eq!(
        rule_list(&checks),
        [
            rules::BATCH_SIZE,
            rules::SNAPSHOT_EXISTS,
            rules::SNAPSHOT_STATE,
            rules::DESKTOP_BUSY,
            rules::SNAPSHOT_DUPLICATE,
        ]
    );
    // One snapshot: the lines name it.
    let checks = workspace_restore(&[sid(1)], &snaps);
    all_pass(&checks);
    assert!(
        get(&checks, rules::SNAPSHOT_STATE)
            .message
            .en
            .contains(&sid(1))
    );
    assert!(
        get(&checks, rules::DESKTOP_BUSY)
            .message
            .en
            .contains("desk-alice")
    );
}

#[test]
fn workspace_restore_takes_1_to_100_snapshots() {
    let checks = workspace_restore(&[], &[]);
    well_formed(&checks);
    assert_eq!(rule_list(&checks), [rules::BATCH_SIZE]);
    assert!(blocked(&checks));

    let snaps: Vec<Value> = (0..=WORKSPACE_BATCH_MAX)
        .map(|k| {
            ws_snapshot(
                &sid(k),
                &format!("desk-{k:032}"),
                &format!("pool-{k:03}"),
                "create_success",
            )
        })
        .collect();
    let all: Vec<String> = (0..=WORKSPACE_BATCH_MAX).map(sid).collect();
    let checks = workspace_restore(&all, &snaps);
    well_formed(&checks);
    let c = get(&checks, rules::BATCH_SIZE);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("101") && c.message.en.contains("100"));
    // The other rules are still summarised in one line each.
    assert_eq!(checks.len(), 5);
    assert_eq!(status(&checks, rules::SNAPSHOT_STATE), Status::Pass);

    let checks = workspace_restore(&all[..WORKSPACE_BATCH_MAX], &snaps);
    all_pass(&checks);
    assert!(
        get(&checks, rules::SNAPSHOT_STATE)
            .message
            .en
            .contains("All 100")
    );
}

#[test]
fn workspace_restore_names_snapshots_that_were_not_found() {
    let snaps = vec![ws_snapshot(&sid(1), ALICE, "desk-alice", "create_success")];
    let checks = workspace_restore(&[sid(1), sid(7), sid(8)], &snaps);
    well_formed(&checks);
    let c = get(&checks, rules::SNAPSHOT_EXISTS);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.starts_with("2 of 3"), "{c:?}");
    assert!(c.message.en.contains(&sid(7)) && c.message.en.contains(&sid(8)));
    assert!(c.message.zh.contains(&sid(7)) && c.message.zh.contains(&sid(8)));
    assert!(!c.message.en.contains(&sid(1)));
    // The found one is still checked.
    assert_eq!(status(&checks, rules::SNAPSHOT_STATE), Status::Pass);

    // Many missing: the first few are named, the rest counted.
    let many: Vec<String> = (10..30).map(sid).collect();
    let checks = workspace_restore(&many, &snaps);
    let c = get(&checks, rules::SNAPSHOT_EXISTS);
    assert!(
        c.message.en.contains(&sid(10)) && c.message.en.contains("and 15 more"),
        "{c:?}"
    );
    assert!(!c.message.en.contains(&sid(29)));
    // Nothing found: nothing else to check.
    assert_eq!(
        rule_list(&checks),
        [rules::BATCH_SIZE, rules::SNAPSHOT_EXISTS]
    );
}

#[test]
fn workspace_restore_needs_restorable_snapshots() {
    for status in ["creating", "create_failed", "restoring"] {
        let snaps = vec![
            ws_snapshot(&sid(1), ALICE, "desk-alice", "create_success"),
            ws_snapshot(&sid(2), BOB, "desk-bob", status),
        ];
        let checks = workspace_restore(&[sid(1), sid(2)], &snaps);
        well_formed(&checks);
        let c = get(&checks, rules::SNAPSHOT_STATE);
        assert_eq!(c.status, Status::Fail, "{status}");
        assert!(
            c.message.en.starts_with("1 of 2 snapshots are ready"),
            "{c:?}"
        );
        assert!(
            c.message.en.contains(&format!("{} ({status})", sid(2))),
            "{c:?}"
        );
        assert!(!c.message.en.contains(&sid(1)), "{c:?}");
        assert!(blocked(&checks));
    }
    // A large batch: one summary line.
    let snaps: Vec<Value> = (0..100)
        .map(|k| {
            let status = if k == 40 || k == 77 {
                "creating"
            } else {
                "create_success"
            };
            ws_snapshot(
                &sid(k),
                &format!("desk-{k:032}"),
                &format!("pool-{k:03}"),
                status,
            )
        })
        .collect();
    let all: Vec<String> = (0..100).map(sid).collect();
    let checks = workspace_restore(&all, &snaps);
    well_formed(&checks);
    assert_eq!(checks.len(), 5);
    let c = get(&checks, rules::SNAPSHOT_STATE);
    assert!(
        c.message
            .en
            .starts_with("98 of 100 snapshots are ready; not ready: "),
        "{c:?}"
    );
    assert!(c.message.en.contains(&sid(40)) && c.message.en.contains(&sid(77)));
    assert!(c.message.zh.contains("创建中"), "{c:?}");
}

#[test]
fn workspace_restore_fails_when_the_desktop_is_already_being_restored() {
    // desk-erin: snapshot 0 is restoring; restoring snapshot 1 conflicts (WKS.0009).
    let snaps = vec![
        ws_snapshot(&sid(1), ALICE, "desk-alice", "create_success"),
        ws_snapshot(&sid(5), ERIN, "desk-erin", "restoring"),
        ws_snapshot(&sid(6), ERIN, "desk-erin", "create_success"),
    ];
    let checks = workspace_restore(&[sid(1), sid(6)], &snaps);
    well_formed(&checks);
    let c = get(&checks, rules::DESKTOP_BUSY);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("desk-erin") && c.message.en.contains(&sid(5)));
    assert_eq!(status(&checks, rules::SNAPSHOT_STATE), Status::Pass);
    assert!(blocked(&checks));
    let checks = workspace_restore(&[sid(1)], &snaps);
    all_pass(&checks);
}

#[test]
fn workspace_restore_takes_one_snapshot_per_desktop() {
    let snaps = vec![
        ws_snapshot(&sid(1), ALICE, "desk-alice", "create_success"),
        ws_snapshot(&sid(2), ALICE, "desk-alice", "restore_success"),
        ws_snapshot(&sid(3), BOB, "desk-bob", "create_success"),
    ];
    let checks = workspace_restore(&[sid(1), sid(2), sid(3)], &snaps);
    well_formed(&checks);
    let c = get(&checks, rules::SNAPSHOT_DUPLICATE);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("desk-alice"));
    assert!(c.message.en.contains(&sid(1)) && c.message.en.contains(&sid(2)));
    assert!(!c.message.en.contains(&sid(3)));
    // The same ID twice.
    let checks = workspace_restore(&[sid(3), sid(3)], &snaps);
    well_formed(&checks);
    let c = get(&checks, rules::SNAPSHOT_DUPLICATE);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.en.contains("more than once") && c.message.en.contains(&sid(3)));
    assert_eq!(status(&checks, rules::SNAPSHOT_EXISTS), Status::Pass);
}
