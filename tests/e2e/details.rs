//! The console's details in Chromium against `rewind serve --demo`: the snapshot picker
//! of the rollback form, and times in the browser's zone with their age.

use crate::support::Harness;
use crate::world::*;
use rewind_cloud::Action;
use serde_json::json;

#[tokio::test]
async fn the_snapshot_picker_fills_the_field_and_disables_what_the_cloud_refuses() {
    let h = Harness::start().await;
    h.open("tencent/instances").await;
    let wiki = h.row_id("wiki").await;
    let snaps = h
        .emulator()
        .call(
            Action::LhDescribeSnapshots,
            "ap-guangzhou",
            json!({"Filters": [{"Name": "instance-id", "Values": [wiki]}], "Limit": 100}),
        )
        .await;
    let id_of = |name: &str| {
        find(&rows(&snaps, &["SnapshotSet"]), "SnapshotName", name)["SnapshotId"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (good, resized, creating) = (
        id_of("wiki-good"),
        id_of("wiki-before-resize"),
        id_of("wiki-nightly"),
    );
    h.click(&format!(
        "tr[data-id='{wiki}'] [data-testid=action-rollback]"
    ))
    .await;
    assert_eq!(h.value("[data-testid=SnapshotId]").await, "");
    h.wait_css("[data-testid=snapshot-picker] [data-testid=pick-snapshot]")
        .await;

    // Newest first: the one being created (half an hour old) leads.
    let order = h
        .js("return [...document.querySelectorAll('[data-testid=snapshot-picker] tbody tr')].map(r => r.dataset.id)")
        .await;
    assert_eq!(order[0], creating.as_str(), "{order}");
    assert_eq!(order.as_array().map(Vec::len), Some(3), "{order}");

    // What the cloud would refuse is disabled, the reason written beside it and tied
    // to the choice for screen readers.
    for (id, needle) in [(&creating, "CREATING"), (&resized, "40")] {
        let radio = h
            .wait_css(&format!("tr[data-id='{id}'] [data-testid=pick-snapshot]"))
            .await;
        assert!(radio.attr("disabled").await.unwrap().is_some(), "{id}");
        let described = radio.attr("aria-describedby").await.unwrap().unwrap();
        let reason = h.wait_css(&format!("[id='{described}']")).await;
        let text = reason.text().await.unwrap();
        assert!(text.contains(needle), "{id}: {text}");
    }
    let age = h
        .wait_css(&format!("tr[data-id='{creating}'] .age"))
        .await
        .text()
        .await
        .unwrap();
    assert!(age.contains("minutes ago"), "{age}");
    h.screenshot("snapshot-picker").await;

    // Picking fills the field; typing another ID selects its row instead.
    h.click(&format!("tr[data-id='{good}'] [data-testid=pick-snapshot]"))
        .await;
    assert_eq!(h.value("[data-testid=SnapshotId]").await, good);
    h.type_into("[data-testid=SnapshotId]", &resized).await;
    let checked = h
        .js(&format!(
            "return document.querySelector(\"tr[data-id='{resized}'] input\").checked"
        ))
        .await;
    assert_eq!(checked, true);
    // The field is still the user's: the chosen snapshot goes to the check.
    h.type_into("[data-testid=SnapshotId]", &good).await;
    h.click("[data-testid=check]").await;
    h.wait_css("[data-testid=confirm-target]").await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn times_show_in_the_browsers_zone_with_their_age_in_both_languages() {
    let h = Harness::start().await;
    h.time_zone("Asia/Shanghai").await;
    h.open("tencent/snapshots").await;
    h.wait_css(".inventory tbody tr[data-id] td.time time")
        .await;
    // Newest first by default.
    let first_two = h
        .js("return [...document.querySelectorAll('.inventory tbody tr[data-id] td.time time')].slice(0, 2).map(t => t.getAttribute('datetime'))")
        .await;
    let (a, b) = (
        first_two[0].as_str().unwrap_or(""),
        first_two[1].as_str().unwrap_or(""),
    );
    assert!(a >= b, "newest first: {first_two}");
    let time = h
        .wait_css(".inventory tbody tr[data-id] td.time time")
        .await;
    let utc = time.attr("datetime").await.unwrap().unwrap();
    let title = time.attr("title").await.unwrap().unwrap();
    assert!(
        utc.ends_with('Z') && title.starts_with(&utc),
        "{utc} {title}"
    );
    let local = h
        .wait_css(".inventory tbody tr[data-id] td.time .local")
        .await
        .text()
        .await
        .unwrap();
    assert!(local.ends_with("UTC+08:00"), "{local}");
    // Eight hours ahead of the UTC moment (the hour, modulo a day).
    let hour = |s: &str, at: usize| s[at..at + 2].parse::<u32>().unwrap();
    assert_eq!(
        hour(&local, 11),
        (hour(&utc, 11) + 8) % 24,
        "{local} vs {utc}"
    );
    let age = h
        .wait_css(".inventory tbody tr[data-id] td.time .age")
        .await
        .text()
        .await
        .unwrap();
    assert!(age.ends_with(" ago") || age == "just now", "{age}");
    h.screenshot("times-asia-shanghai").await;

    h.click(".lang-switch button[lang='zh-CN']").await;
    h.wait_css_text(".inventory tbody tr[data-id] td.time .age", "前")
        .await;
    let local_zh = h
        .wait_css(".inventory tbody tr[data-id] td.time .local")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(local_zh, local, "the same moment, the same zone");
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn focus_follows_the_form_and_disabled_reasons_are_read_on_focus() {
    let h = Harness::start().await;
    h.open("tencent/instances").await;
    // A disabled action's reason is its description, shown when it has focus.
    let pending = h.row_id("shop-new").await;
    let button = format!("tr[data-id='{pending}'] [data-testid=action-rollback]");
    h.wait_attr(&button, "aria-disabled", "true", crate::support::DEADLINE)
        .await;
    let described = h
        .wait_css(&button)
        .await
        .attr("aria-describedby")
        .await
        .unwrap()
        .expect("described by its reason");
    let shown = h
        .js(&format!(
            "document.querySelector(\"{button}\").focus(); \
             const why = document.getElementById('{described}'); \
             return [why.textContent, getComputedStyle(why).display];"
        ))
        .await;
    assert!(
        shown[0].as_str().unwrap_or("").contains("PENDING"),
        "{shown}"
    );
    assert_ne!(shown[1], "none", "visible on focus: {shown}");

    // Opening a form from a row: focus goes to the first empty field.
    let blog = h.row_id("blog-prod").await;
    h.click(&format!(
        "tr[data-id='{blog}'] [data-testid=action-rollback]"
    ))
    .await;
    h.wait_until("focus on the Snapshot ID field", || async {
        h.js("return document.activeElement && document.activeElement.dataset.testid")
            .await
            == "SnapshotId"
    })
    .await;
    // Picking a snapshot, then the check: focus goes to the checklist's summary.
    h.click("[data-testid=snapshot-picker] tbody tr:not(.refused) [data-testid=pick-snapshot]")
        .await;
    h.click("[data-testid=check]").await;
    h.wait_until("focus on the checklist's summary", || async {
        h.js("return document.activeElement && document.activeElement.dataset.testid")
            .await
            == "preflight-summary"
    })
    .await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn a_new_snapshot_is_one_click_and_the_audit_log_filters() {
    let h = Harness::start().await;
    h.open("tencent/instances").await;
    let blog = h.row_id("blog-prod").await;
    h.click(&format!(
        "tr[data-id='{blog}'] [data-testid=action-create-snapshot]"
    ))
    .await;
    h.type_into("[data-testid=SnapshotName]", "e2e-one-click")
        .await;
    h.click("[data-testid=check]").await;
    // Nothing is overwritten: what will be created is repeated, no ID to type.
    h.wait_css_text("[data-testid=confirm-created]", "e2e-one-click")
        .await;
    h.click("[data-testid=start]").await;
    h.wait_attr("[data-testid=op]", "data-status", "succeeded", OP_LIMIT)
        .await;

    h.click("[data-testid=ops-link]").await;
    h.wait_css_text("[data-testid=audit]", "CreateInstanceSnapshot")
        .await;
    let rows = || async {
        h.js("return [...document.querySelectorAll('[data-testid=audit-row]')].map(r => r.textContent)")
            .await
    };
    // By action: another action shows nothing; this one shows its rows only.
    h.type_into("[data-testid=audit-action]", "ApplyInstanceSnapshot\n")
        .await;
    h.wait_css("[data-testid=audit-empty]").await;
    h.type_into("[data-testid=audit-action]", "CreateInstanceSnapshot\n")
        .await;
    h.wait_css("[data-testid=audit-row]").await;
    let shown = rows().await;
    assert!(
        shown.as_array().is_some_and(|r| !r.is_empty()
            && r.iter()
                .all(|t| t.as_str().unwrap_or("").contains("CreateInstanceSnapshot"))),
        "{shown}"
    );
    // By outcome: it succeeded, so "failed" shows nothing.
    h.client
        .execute(
            "const s = document.querySelector('[data-testid=audit-outcome]'); s.value = 'error'; s.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await
        .unwrap();
    h.wait_css("[data-testid=audit-empty]").await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn a_clouds_backticked_names_are_shown_as_code_not_raw_markdown() {
    let h = Harness::start_with(&["--faults"]).await;
    // The next instance list is refused with a message that quotes names the way
    // Tencent's do.
    h.emulator()
        .inject(
            json!({"provider": "tencent", "action": "DescribeInstances", "count": 1,
            "kind": "error", "code": "InvalidParameterValue",
            "message": "The value `lhins-00000000` of the parameter `InstanceIds` is invalid."}),
        )
        .await;
    h.open("tencent/instances").await;
    let panel = h.wait_css("[data-testid=error]").await;
    let text = panel.text().await.unwrap();
    assert!(!text.contains('`'), "raw backticks shown: {text}");
    assert!(
        text.contains("The value lhins-00000000 of the parameter InstanceIds is invalid."),
        "{text}"
    );
    let quoted = h
        .js("return [...document.querySelectorAll('[data-testid=error] p:first-child code')].map(c => c.textContent);")
        .await;
    assert_eq!(
        quoted,
        json!(["InvalidParameterValue", "lhins-00000000", "InstanceIds"])
    );
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn a_batch_rows_snapshot_choice_shows_what_the_cloud_would_refuse() {
    let h = Harness::start().await;
    let wiki = lh_instance(&h.emulator(), "wiki").await;
    h.open("tencent/batch").await;
    let select = format!("tr[data-id='{wiki}'] [data-testid=batch-snapshot]");
    h.wait_css(&select).await;
    // Every snapshot of the instance is listed: the one being made disabled with its
    // state, the one from before a resize marked with the pre-flight's reason.
    let options = h
        .js(&format!(
            r#"return [...document.querySelector("{select}").options]
                .map(o => [o.textContent, o.disabled, o.selected]);"#
        ))
        .await;
    let find = |name: &str| {
        options
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o[0].as_str().is_some_and(|t| t.contains(name)))
            .unwrap_or_else(|| panic!("no option for {name}: {options}"))
            .clone()
    };
    let creating = find("wiki-nightly");
    assert_eq!(creating[1], true, "{creating}");
    assert!(
        creating[0].as_str().unwrap().contains("CREATING"),
        "{creating}"
    );
    let resized = find("wiki-before-resize");
    assert_eq!(resized[1], false, "{resized}");
    assert!(resized[0].as_str().unwrap().contains('✗'), "{resized}");
    // The default is the newest ready one, which the pre-flight passes.
    let chosen: Vec<_> = options
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o[2] == true)
        .collect();
    assert_eq!(chosen.len(), 1, "{options}");
    assert!(!chosen[0][0].as_str().unwrap().contains('✗'), "{options}");
    h.assert_no_console_errors().await;
    h.stop().await;
}
