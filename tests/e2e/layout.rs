//! The console at phone width, by keyboard, and in Chinese, end to end in Chromium.

use crate::support::Harness;
use crate::world::*;
use rewind_cloud::Action;
use serde_json::json;

#[tokio::test]
async fn at_phone_width_the_pages_fit_the_screen_and_stay_keyboard_reachable() {
    let h = Harness::start().await;
    h.client.set_window_size(390, 844).await.unwrap();
    for page in [
        "tencent/instances",
        "tencent/rollback",
        "tencent/batch",
        "huawei/snapshots",
        "huawei/restore",
        "operations",
    ] {
        h.open(page).await;
        h.wait_css("main h1").await;
        if page.ends_with("instances") || page.ends_with("snapshots") {
            h.wait_css(".inventory tbody tr[data-id]").await;
        }
        if page.ends_with("batch") {
            h.wait_css("[data-testid=batch-targets] tbody tr").await;
        }
        let overflow = h.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;").await;
        assert!(
            overflow.as_f64().unwrap_or(0.0) <= 0.0,
            "{page}: the page scrolls sideways by {overflow}px at 390px"
        );
        h.screenshot(&format!("phone-{}", page.replace('/', "-")))
            .await;
    }
    // Tab from the top reaches the skip link first, and it is visible when focused (on
    // a list: a form puts focus in its first empty field).
    h.open("tencent/instances").await;
    h.wait_css(".inventory tbody tr[data-id]").await;
    let active = h
        .client
        .execute("document.activeElement.blur(); return null;", vec![])
        .await;
    assert!(active.is_ok());
    h.client
        .active_element()
        .await
        .unwrap()
        .send_keys("\u{E004}")
        .await
        .unwrap();
    let focused = h.js("const e = document.activeElement; const r = e.getBoundingClientRect(); return [e.className, r.left >= 0 && r.top >= 0];").await;
    assert_eq!(focused[0], "skip-link", "{focused}");
    assert_eq!(
        focused[1], true,
        "the focused skip link is on screen: {focused}"
    );
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn the_chinese_ui_covers_forms_checklists_and_confirmations() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let region = LH_REGION;
    let inst = lh_instance(&emu, "blog-prod").await;
    let snaps = emu
        .call(
            Action::LhDescribeSnapshots,
            region,
            json!({"Filters": [{"Name": "instance-id", "Values": [inst]}]}),
        )
        .await;
    let snap = rows(&snaps, &["SnapshotSet"])[0]["SnapshotId"]
        .as_str()
        .unwrap()
        .to_string();
    h.client.goto(&h.url).await.unwrap();
    h.click(".lang-switch button[lang='zh-CN']").await;
    h.client
        .goto(&format!(
            "{}tencent/rollback?instance={inst}&snapshot={snap}",
            h.url
        ))
        .await
        .unwrap();
    h.wait_css_text("label[for='f-rollback-SnapshotId']", "快照 ID")
        .await;
    h.click("[data-testid=check]").await;
    let warning = h.wait_css("[data-testid=forced-shutdown]").await;
    let text = warning.text().await.unwrap();
    assert!(text.contains("强制"), "{text}");
    h.wait_css_text("[data-testid=confirm]", "先创建快照").await;
    h.screenshot("lighthouse-checklist-zh").await;
    h.open("huawei/restore").await;
    h.wait_css_text("label[for='f-restore-snapshot_ids']", "快照 ID 列表")
        .await;
    h.open("operations").await;
    h.wait_css_text("main h1", "操作记录").await;
    h.screenshot("operations-zh").await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn row_actions_are_never_cut_off_at_laptop_or_phone_width() {
    let h = Harness::start().await;
    // Each list with row actions, at 1366×768 and 390×844: every action button of the
    // rows drawn lies inside the viewport and inside its table's visible box (the other
    // columns scroll under the actions).
    let check = r#"
        const wrap = document.querySelector('.inventory .table-wrap');
        const w = wrap.getBoundingClientRect();
        const out = [];
        for (const b of document.querySelectorAll('.inventory tbody tr[data-id] .row-action')) {
            const r = b.getBoundingClientRect();
            if (r.width === 0) continue;
            if (r.left < Math.max(0, w.left) - 0.5 || r.right > Math.min(window.innerWidth, w.right) + 0.5)
                out.push([b.dataset.testid, b.closest('tr').dataset.id, r.left, r.right, w.left, w.right]);
        }
        return [document.querySelectorAll('.inventory tbody tr[data-id] .row-action').length, out];"#;
    for (width, height) in [(1366, 768), (390, 844)] {
        h.client.set_window_size(width, height).await.unwrap();
        for page in [
            "tencent/instances",
            "alibaba/disks",
            "alibaba/snapshots",
            "huawei/snapshots",
        ] {
            h.open(page).await;
            h.wait_css(".inventory tbody tr[data-id] .row-action").await;
            let found = h.js(check).await;
            assert!(found[0].as_u64().unwrap_or(0) > 0, "{page}: {found}");
            assert_eq!(
                found[1],
                json!([]),
                "{page} at {width}px: actions cut off (button, row, left, right, table left, table right)"
            );
            h.screenshot(&format!("actions-{width}-{}", page.replace('/', "-")))
                .await;
        }
    }
    h.assert_no_console_errors().await;
    h.stop().await;
}
