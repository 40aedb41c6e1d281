//! Workspace parameters: batch restore lines, listing and job paths.

use super::*;

#[test]
fn workspace_batch_restore_reports_each_line() {
    let ok = json!({"snapshot_ids": ["1792d3eb-35c6-4e99-8381-abfc8e02126b"], "project_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9"});
    assert!(validate_params(Action::WsBatchRestoreDesktopSnapshot, &ok, &strict()).is_ok());
    let errs = errors(
        Action::WsBatchRestoreDesktopSnapshot,
        json!({"snapshot_ids": ["a-1", "b_2", "  ", "a-1", "x".repeat(37), "ｂ-2"]}),
    );
    assert!(
        has(&errs, "snapshot_ids[1]", codes::ID_CHARSET),
        "{errs:#?}"
    );
    assert!(has(&errs, "snapshot_ids[2]", codes::BLANK));
    assert!(has(&errs, "snapshot_ids[3]", codes::DUPLICATE));
    assert!(has(&errs, "snapshot_ids[4]", codes::ID_LENGTH));
    assert!(has(&errs, "snapshot_ids[5]", codes::ID_UNICODE));
    let dup = errs.iter().find(|e| e.code == codes::DUPLICATE).unwrap();
    assert!(
        dup.message.en.contains("snapshot_ids[0]"),
        "{}",
        dup.message.en
    );
    let errs = errors(
        Action::WsBatchRestoreDesktopSnapshot,
        json!({"snapshot_ids": []}),
    );
    assert!(has(&errs, "snapshot_ids", codes::COUNT));
    let many: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    let errs = errors(
        Action::WsBatchRestoreDesktopSnapshot,
        json!({"snapshot_ids": many}),
    );
    assert!(has(&errs, "snapshot_ids", codes::COUNT));
}

#[test]
fn workspace_list_and_show_job() {
    let v = validate_params(
        Action::WsListDesktopSnapshot,
        &json!({"desktop_ids": "d-1, d-2", "limit": 1000, "offset": 0, "status": "create_success",
                "sort_field": "create_time", "sort_type": "desc", "snapshot_names": ["nightly", " weekly "]}),
        &strict(),
    )
    .unwrap();
    // The SDK sends desktop_ids as a list (repeated query parameter).
    assert_eq!(v.params["desktop_ids"], json!(["d-1", "d-2"]));
    assert_eq!(v.params["snapshot_names"], json!(["nightly", "weekly"]));
    assert_eq!(v.params["sort_type"], json!("DESC"));
    let v = validate_params(
        Action::WsListDesktopSnapshot,
        &json!({"desktop_ids": ["d-1", "d-2"]}),
        &strict(),
    )
    .unwrap();
    assert_eq!(v.params["desktop_ids"], json!(["d-1", "d-2"]));
    let errs = errors(Action::WsListDesktopSnapshot, json!({"sort_type": "ASC"}));
    assert!(has(&errs, "sort_field", codes::REQUIRED), "{errs:#?}");
    let errs = errors(
        Action::WsListDesktopSnapshot,
        json!({"limit": 1001, "offset": -1, "desktop_ids": "d-1,,d-1"}),
    );
    assert!(has(&errs, "limit", codes::RANGE), "{errs:#?}");
    assert!(has(&errs, "offset", codes::RANGE));
    assert!(has(&errs, "desktop_ids[1]", codes::BLANK));
    assert!(has(&errs, "desktop_ids[2]", codes::DUPLICATE));
    assert!(
        validate_params(
            Action::WsListDesktopSnapshot,
            &json!({"limit": 0}),
            &strict()
        )
        .is_err()
    );
    assert!(
        validate_params(
            Action::WsShowJob,
            &json!({"job_id": "1792d3eb-35c6-4e99-8381-abfc8e02126b"}),
            &strict()
        )
        .is_ok()
    );
    let errs = errors(Action::WsShowJob, json!({}));
    assert!(has(&errs, "job_id", codes::REQUIRED));
}
