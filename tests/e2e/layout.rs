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

/// Every inventory list of the three clouds.
const LISTS: [&str; 6] = [
    "tencent/instances",
    "tencent/snapshots",
    "alibaba/instances",
    "alibaba/disks",
    "alibaba/snapshots",
    "huawei/snapshots",
];

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
        for page in LISTS {
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

/// Every control the user needs, at the current window size: none cut off by the page
/// or by a box that does not scroll. A control inside a container that scrolls sideways
/// counts as reachable when that container itself is on screen (the user scrolls it);
/// and the page never scrolls sideways. Returns the offenders and how many were checked.
const CLIPPED: &str = r#"
    const vw = document.documentElement.clientWidth;
    const bad = [];
    let checked = 0;
    const controls = document.querySelectorAll(
        'header button, header a, header select, main button, main a.row-action, main input, main select, main textarea');
    for (const el of controls) {
        const r = el.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) continue;
        if (getComputedStyle(el).visibility === 'hidden') continue;
        checked++;
        let box = { left: r.left, right: r.right };
        let how = 'viewport';
        for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
            const ox = getComputedStyle(a).overflowX;
            if (ox === 'visible') continue;
            const ar = a.getBoundingClientRect();
            if ((ox === 'auto' || ox === 'scroll') && a.scrollWidth > a.clientWidth) {
                // Reachable by scrolling this box: from here on, the box must be seen.
                box = { left: ar.left, right: ar.right };
                how = 'scroller ' + (a.className || a.tagName);
                continue;
            }
            if (box.left < ar.left - 0.5 || box.right > ar.right + 0.5) {
                bad.push([el.dataset.testid || el.tagName, el.textContent.trim().slice(0, 30), 'cut by ' + (a.className || a.tagName)]);
                box = null;
                break;
            }
        }
        if (box && (box.left < -0.5 || box.right > vw + 0.5))
            bad.push([el.dataset.testid || el.tagName, el.textContent.trim().slice(0, 30), 'outside the window via ' + how]);
    }
    const sideways = document.documentElement.scrollWidth - document.documentElement.clientWidth;
    // What sticks out, when something does: the innermost elements past the right edge.
    const past = e => e.getBoundingClientRect().right > vw + 0.5;
    const clipped = e => {
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
            if (getComputedStyle(a).overflowX !== 'visible') return true;
        return false;
    };
    const wide = sideways <= 0 ? [] : [...document.querySelectorAll('body *')]
        .filter(e => past(e) && ![...e.children].some(past) && !clipped(e))
        .slice(0, 5)
        .map(e => [e.tagName, e.className, e.dataset.testid || '', Math.round(e.getBoundingClientRect().right)]);
    return [checked, bad, sideways, wide];"#;

async fn assert_nothing_clipped(h: &Harness, what: &str, (width, height): (u32, u32)) {
    let found = h.js(CLIPPED).await;
    h.screenshot(&format!("fit-{width}-{what}")).await;
    assert!(
        found[0].as_u64().unwrap_or(0) > 0,
        "{what} at {width}×{height}: no control found: {found}"
    );
    assert_eq!(
        found[1],
        json!([]),
        "{what} at {width}×{height}: controls cut off (control, text, by what)"
    );
    assert!(
        found[2].as_f64().unwrap_or(1.0) <= 0.0,
        "{what} at {width}×{height}: the page scrolls sideways by {}px: {}",
        found[2],
        found[3]
    );
}

#[tokio::test]
async fn every_list_form_batch_and_the_operations_page_fit_at_laptop_and_phone_width() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let inst = lh_instance(&emu, "blog-prod").await;
    let snap = lh_snapshot(&emu, &inst, "blog-daily").await;
    let ecs = ecs_instance(&emu, "web-1").await;
    let disk = ecs_system_disk(&emu, &ecs).await;
    let ecs_snap = ecs_snapshot(&emu, &disk).await;
    // One finished operation, so the operations page has its cards and audit rows.
    h.open(&format!(
        "tencent/create-snapshot?instance={inst}&name=fit-check"
    ))
    .await;
    h.click("[data-testid=check]").await;
    h.click("[data-testid=start]").await;
    h.wait_attr("[data-testid=op]", "data-status", "succeeded", OP_LIMIT)
        .await;

    for size in [(1366, 768), (390, 844)] {
        h.client.set_window_size(size.0, size.1).await.unwrap();
        // The lists, each with its rows drawn.
        for page in LISTS {
            h.open(page).await;
            h.wait_css(".inventory tbody tr[data-id]").await;
            assert_nothing_clipped(&h, &page.replace('/', "-"), size).await;
        }
        // The forms, empty.
        for page in [
            "tencent/rollback",
            "tencent/create-snapshot",
            "alibaba/reset-disk",
            "alibaba/create-snapshot",
            "huawei/restore",
        ] {
            h.open(page).await;
            h.wait_css("[data-testid=check]").await;
            assert_nothing_clipped(&h, &page.replace('/', "-"), size).await;
        }
        // The destructive forms with their checklist, snapshot picker and confirmation.
        h.open(&format!("tencent/rollback?instance={inst}&snapshot={snap}"))
            .await;
        h.click("[data-testid=check]").await;
        h.wait_css("[data-testid=confirm-input]").await;
        assert_nothing_clipped(&h, "tencent-rollback-confirm", size).await;
        h.open(&format!(
            "alibaba/reset-disk?disk={disk}&snapshot={ecs_snap}"
        ))
        .await;
        h.click("[data-testid=check]").await;
        h.wait_css("[data-testid=confirm-input]").await;
        assert_nothing_clipped(&h, "alibaba-reset-disk-confirm", size).await;
        // The batches, with their targets drawn.
        for page in ["tencent/batch", "alibaba/batch"] {
            h.open(page).await;
            h.wait_css("[data-testid=batch-targets] tbody tr [data-testid=batch-preflight]")
                .await;
            assert_nothing_clipped(&h, &page.replace('/', "-"), size).await;
        }
        // The operations page with the finished operation and the audit log, and the
        // settings.
        h.open("operations").await;
        h.wait_css("[data-testid=ops-list] [data-testid=op][data-status=succeeded]")
            .await;
        h.wait_css("[data-testid=audit] tbody tr").await;
        assert_nothing_clipped(&h, "operations", size).await;
        h.open("settings").await;
        h.wait_css("[data-testid=settings] p").await;
        assert_nothing_clipped(&h, "settings", size).await;
    }
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn at_phone_width_a_batch_row_shows_its_snapshot_and_pre_flight_result() {
    let h = Harness::start().await;
    let emu = h.emulator();
    let wiki = lh_instance(&emu, "wiki").await;
    h.client.set_window_size(390, 844).await.unwrap();
    h.open("tencent/batch").await;
    let row = format!("[data-testid=batch-targets] tr[data-id='{wiki}']");
    h.wait_css(&format!("{row} [data-testid=batch-preflight][data-status]"))
        .await;
    // The checkbox, the snapshot choice and the pre-flight verdict of one target are all
    // inside the window without scrolling sideways, the verdict's text not empty.
    let seen = h
        .js(&format!(
            r#"const row = document.querySelector("{row}");
               const vw = document.documentElement.clientWidth;
               const inside = (css) => {{
                   const e = row.querySelector(css);
                   if (!e) return 'missing';
                   const r = e.getBoundingClientRect();
                   return r.width > 1 && r.left >= -0.5 && r.right <= vw + 0.5 ? 'seen' : [r.left, r.right, vw];
               }};
               return [inside('[data-testid=batch-select]'), inside('[data-testid=batch-snapshot]'),
                       inside('[data-testid=batch-preflight]'),
                       row.querySelector('[data-testid=batch-preflight]').textContent.trim().length > 0,
                       getComputedStyle(row.querySelector('[data-testid=batch-preflight]'), '::before').content];"#
        ))
        .await;
    assert_eq!(seen[0], "seen", "checkbox: {seen}");
    assert_eq!(seen[1], "seen", "snapshot choice: {seen}");
    assert_eq!(seen[2], "seen", "pre-flight: {seen}");
    assert_eq!(seen[3], true, "the pre-flight says something: {seen}");
    // Each cell is named (the table's header row is off screen at this width).
    assert_eq!(seen[4], "\"Pre-flight\"", "{seen}");
    h.screenshot("phone-batch-card").await;
    h.assert_no_console_errors().await;
    h.stop().await;
}
